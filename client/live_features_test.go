package client_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestPresentationAndSupportReplica follows a presentation of a confidential
// document and support requests on two delegates' tablets: each replica
// (events and placeholders folded by the SDK) equals the server's view, the
// delegate who may not read the document never holds its presentation, and
// each sees only their own support requests.
func TestPresentationAndSupportReplica(t *testing.T) {
	f := newFake(t, true)
	ctx := testCtx(t)
	ca, a := tablet(t, f, "Đại biểu A")
	cb, b := tablet(t, f, "Đại biểu B")
	la, lb := connect(t, ca), connect(t, cb)
	sec := connect(t, secretaryClient(t, f))

	uploader := meeting.Actor{ID: "account:admin", Role: meeting.RoleSystem}
	file := map[string]any{"sha256": strings.Repeat("ab", 32), "size": 1200, "content_type": "application/pdf", "name": "Báo cáo.pdf"}
	seq := f.mustDo(uploader, "document.add", map[string]any{"title": "Báo cáo mật", "access": "named", "readers": []string{a}, "publish": true, "file": file})
	secret := "d" + formatInt(seq)
	seq = f.mustDo(uploader, "document.add", map[string]any{"title": "Chương trình", "access": "public", "publish": true, "file": file})
	public := "d" + formatInt(seq)

	for page := 1; page <= 3; page++ {
		if _, err := sec.Send(ctx, "document.present", map[string]any{"document_id": secret, "version": 1, "page": page}); err != nil {
			t.Fatalf("present page %d: %v", page, err)
		}
	}
	ra, err := la.Send(ctx, "support.request", map[string]string{"message": "Micro không hoạt động"})
	if err != nil {
		t.Fatalf("support.request: %v", err)
	}
	if _, err := lb.Send(ctx, "support.request", nil); err != nil {
		t.Fatalf("support.request without a message: %v", err)
	}
	if _, err := lb.Send(ctx, "support.resolve", map[string]string{"id": "h" + formatInt(ra)}); meeting.KindOf(err) != meeting.KindForbidden {
		t.Errorf("a delegate resolves: %v; want forbidden", err)
	}
	seq, err = sec.Send(ctx, "support.resolve", map[string]string{"id": "h" + formatInt(ra)})
	if err != nil {
		t.Fatalf("support.resolve: %v", err)
	}
	waitSeq(t, la, seq)
	waitSeq(t, lb, seq)
	sameView(t, f, la)
	sameView(t, f, lb)

	if p := la.State().Presentation; p == nil || *p != (meeting.Presentation{DocumentID: secret, Version: 1, Page: 3}) {
		t.Errorf("reader's presentation = %+v; want %s page 3", p, secret)
	}
	if p := lb.State().Presentation; p != nil {
		t.Errorf("non-reader's presentation = %+v; want none", p)
	}
	if s := la.State().Support; len(s) != 1 || s[0].Participant != a || !s[0].Resolved || s[0].Message != "Micro không hoạt động" {
		t.Errorf("A's support requests = %+v; want their own, resolved", s)
	}
	if s := lb.State().Support; len(s) != 1 || s[0].Participant != b || s[0].Resolved {
		t.Errorf("B's support requests = %+v; want their own, open", s)
	}
	if s := sec.State().Support; len(s) != 2 {
		t.Errorf("secretary's support requests = %+v; want both", s)
	}

	// The public document is wider: B learns of the presentation now.
	seq, err = sec.Send(ctx, "document.present", map[string]any{"document_id": public, "page": 1})
	if err != nil {
		t.Fatal(err)
	}
	waitSeq(t, lb, seq)
	sameView(t, f, lb)
	if p := lb.State().Presentation; p == nil || p.DocumentID != public {
		t.Errorf("B's presentation = %+v; want %s", p, public)
	}
	// A fresh connection's snapshot equals the fold.
	l2 := connect(t, ca)
	waitSeq(t, l2, seq)
	waitSeq(t, la, seq)
	if d := cmp.Diff(la.State(), l2.State(), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("snapshot differs from fold:\n%s", d)
	}
}
