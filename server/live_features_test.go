package server_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestPresentationAndSupportOverTheServer runs the presenter and support
// requests through the real server (REST commands, WebSocket fan-out,
// SQLite log) with SDK tablets: the delegates' replicas follow the
// presented page, the observer (who may not read the document) never holds
// the presentation, withdrawing the document stops it, and each participant
// sees only their own support requests; every replica equals the server's
// view for its session after each step.
func TestPresentationAndSupportOverTheServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ds := newDocServer(t)
	sec, err := client.New(ds.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Ban Thường vụ"})
	if err != nil {
		t.Fatal(err)
	}
	parts, err := sec.ImportParticipantsCSV(ctx, id, bytes.NewReader([]byte("họ và tên,vai trò\nHoàng Văn Nam,đại biểu\nVũ Thị Thu,đại biểu\nĐinh Khách Mời,khách mời\n")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Command(ctx, id, "meeting.open", nil); err != nil {
		t.Fatal(err)
	}
	up, err := sec.Upload(ctx, id, client.NewDocument{Title: "Tờ trình", Access: meeting.AccessDelegates, Publish: true}, "to-trinh.pdf", bytes.NewReader(testdocs.PDF(4, "To trinh")))
	if err != nil {
		t.Fatal(err)
	}
	doc := up.Document.ID
	type tab struct {
		name string
		c    *client.Client
		l    *client.Live
	}
	var tabs []tab
	for _, p := range parts {
		c, l := sdkTablet(t, ctx, ds, sec, id, p.ID)
		tabs = append(tabs, tab{p.Name, c, l})
	}
	a, b, guest := tabs[0], tabs[1], tabs[2]
	check := func(step string) {
		t.Helper()
		for _, tb := range tabs {
			sameAsServer(t, ctx, tb.c, tb.l, id, step+": "+tb.name)
		}
	}

	// Present page 1, then 2 of the latest version.
	for page := 1; page <= 2; page++ {
		if _, err := sec.Command(ctx, id, "document.present", map[string]any{"document_id": doc, "page": page}); err != nil {
			t.Fatalf("present page %d: %v", page, err)
		}
	}
	check("presented")
	want := meeting.Presentation{DocumentID: doc, Version: 1, Page: 2}
	for _, tb := range []tab{a, b} {
		if p := tb.l.State().Presentation; p == nil || *p != want {
			t.Errorf("%s: presentation = %+v; want %+v", tb.name, p, want)
		}
	}
	if p := guest.l.State().Presentation; p != nil {
		t.Errorf("the observer, who may not read %s, holds its presentation %+v", doc, p)
	}
	// Rejections over REST, with a clear error and nothing changed.
	head := ds.head(t, id)
	for _, tc := range []struct {
		data map[string]any
		kind meeting.Kind
	}{
		{map[string]any{"document_id": doc, "page": 0}, meeting.KindInvalid},
		{map[string]any{"document_id": doc, "version": 7, "page": 1}, meeting.KindNotFound},
		{map[string]any{"document_id": "d999", "page": 1}, meeting.KindNotFound},
		{map[string]any{"document_id": doc, "version": 1, "page": 2}, meeting.KindConflict},
	} {
		if _, err := sec.Command(ctx, id, "document.present", tc.data); meeting.KindOf(err) != tc.kind {
			t.Errorf("document.present %v = %v; want %s", tc.data, err, tc.kind)
		}
	}
	if _, err := a.l.Send(ctx, "document.present", map[string]any{"document_id": doc, "page": 3}); meeting.KindOf(err) != meeting.KindForbidden {
		t.Errorf("a delegate presents: %v; want forbidden", err)
	}
	if got := ds.head(t, id); got != head {
		t.Errorf("rejected commands moved the log from %d to %d", head, got)
	}

	// Withdrawing the presented document stops the presentation.
	if _, err := sec.Command(ctx, id, "document.withdraw", map[string]string{"id": doc}); err != nil {
		t.Fatal(err)
	}
	check("withdrawn")
	st, err := sec.Meeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Presentation != nil || a.l.State().Presentation != nil {
		t.Errorf("after withdrawal: server presentation %+v, delegate's %+v; want none", st.Presentation, a.l.State().Presentation)
	}

	// Support requests: from a delegate and from the observer.
	if _, err := a.l.Send(ctx, "support.request", map[string]string{"message": "Máy tính bảng không lên tiếng"}); err != nil {
		t.Fatal(err)
	}
	seq, err := guest.l.Send(ctx, "support.request", nil)
	if err != nil {
		t.Fatal(err)
	}
	check("requested")
	if n := len(b.l.State().Support); n != 0 {
		t.Errorf("a delegate who asked nothing sees %d support requests; want 0", n)
	}
	if s := a.l.State().Support; len(s) != 1 || s[0].Participant != parts[0].ID || s[0].Message != "Máy tính bảng không lên tiếng" {
		t.Errorf("the requester's support requests = %+v", s)
	}
	guestReq := "h" + formatSeq(seq)
	if _, err := b.l.Send(ctx, "support.resolve", map[string]string{"id": guestReq}); meeting.KindOf(err) != meeting.KindForbidden {
		t.Errorf("a delegate resolves: %v; want forbidden", err)
	}
	if _, err := sec.Command(ctx, id, "support.resolve", map[string]string{"id": guestReq}); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.Command(ctx, id, "support.resolve", map[string]string{"id": guestReq}); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("resolving twice: %v; want conflict", err)
	}
	check("resolved")
	if s := guest.l.State().Support; len(s) != 1 || !s[0].Resolved || s[0].ResolvedBy != "account:"+adminUser {
		t.Errorf("the observer's support requests = %+v; want theirs, resolved by the secretary", s)
	}
	st, err = sec.Meeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Support) != 2 {
		t.Errorf("the secretary sees %d support requests; want 2", len(st.Support))
	}
}
