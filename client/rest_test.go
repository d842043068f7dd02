package client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

func TestNewRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080", "ftp://x", "http://", "::"} {
		if _, err := client.New(u); err == nil {
			t.Errorf("New(%q) succeeded", u)
		}
	}
}

func TestLoginError(t *testing.T) {
	f := newFake(t, true)
	err := newClient(t, f).Login(testCtx(t), "admin", "wrong")
	var he *client.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("err = %T %v, want *HTTPError", err, err)
	}
	var me *meeting.Error
	if he.Status != http.StatusUnauthorized || !errors.As(err, &me) || me != he.Err ||
		me.Kind != meeting.KindUnauthorized || me.MessageEN != "wrong username or password" || me.Message != "Sai tên đăng nhập hoặc mật khẩu." {
		t.Errorf("err = %+v / %+v", he, me)
	}
	if meeting.KindOf(err) != meeting.KindUnauthorized {
		t.Errorf("KindOf = %s", meeting.KindOf(err))
	}
	if !strings.Contains(err.Error(), "401") {
		t.Errorf("Error() = %q lacks the status", err.Error())
	}
}

func TestRESTFlow(t *testing.T) {
	f := newFake(t, false)
	ctx := testCtx(t)
	c := newClient(t, f)
	if _, err := c.Meetings(ctx); meeting.KindOf(err) != meeting.KindUnauthorized {
		t.Fatalf("Meetings before login: %v", err)
	}
	if err := c.Login(ctx, "admin", "secret"); err != nil {
		t.Fatal(err)
	}

	// Creating: an invalid meeting, then a good one.
	_, err := c.CreateMeeting(ctx, meeting.Details{Title: " "})
	var me *meeting.Error
	if !errors.As(err, &me) || me.Kind != meeting.KindInvalid || len(me.Problems) != 1 || me.Problems[0].Field != "title" {
		t.Fatalf("invalid meeting: %v %+v", err, me)
	}
	starts := time.Date(2025, 12, 20, 8, 0, 0, 0, time.UTC)
	id, err := c.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị tổng kết", StartsAt: starts})
	if err != nil || id != fakeMeeting {
		t.Fatalf("CreateMeeting = %q, %v", id, err)
	}
	list, err := c.Meetings(ctx)
	want := []client.MeetingSummary{{ID: fakeMeeting, Title: "Hội nghị tổng kết", Status: meeting.StatusDraft, StartsAt: starts}}
	if err != nil || !cmp.Equal(want, list) {
		t.Errorf("Meetings = %+v, %v", list, err)
	}
	if _, err := c.Meeting(ctx, "nope"); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("unknown meeting: %v", err)
	}

	// Commands.
	seq, err := c.Command(ctx, id, "agenda.add", meeting.AddItem{Title: "Báo cáo tổng kết"})
	if err != nil || seq != 2 {
		t.Fatalf("Command = %d, %v", seq, err)
	}
	if _, err := c.Command(ctx, id, "meeting.close", nil); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("close a draft: %v", err)
	}
	var he *client.HTTPError
	if _, err := c.Command(ctx, id, "agenda.add", map[string]int{"title": 3}); !errors.As(err, &he) || he.Status != 400 || he.Err.Kind != meeting.KindInvalid {
		t.Errorf("mistyped data: %v", err)
	}

	// Importing participants.
	added, err := c.ImportParticipantsCSV(ctx, id, strings.NewReader(
		"name,position,unit,role\nNguyễn Văn A,Bí thư,Chi bộ 1,chair\nTrần Thị B,Đảng viên,Chi bộ 1,delegate\n"))
	if err != nil || len(added) != 2 || added[0].Name != "Nguyễn Văn A" || added[0].Role != meeting.RoleChair || added[1].ID != "p4" {
		t.Fatalf("import = %+v, %v", added, err)
	}
	_, err = c.ImportParticipantsCSV(ctx, id, strings.NewReader("name,position,unit,role\n,,,delegate\nLê C,,,king\n"))
	if !errors.As(err, &me) || me.Kind != meeting.KindInvalid {
		t.Fatalf("bad import: %v", err)
	}
	rows := []int{}
	for _, p := range me.Problems {
		rows = append(rows, p.Row)
		if p.Message == "" || p.MessageEN == "" {
			t.Errorf("problem without messages: %+v", p)
		}
	}
	if !cmp.Equal([]int{1, 2}, rows) {
		t.Errorf("problem rows = %v, want [1 2]", rows)
	}

	// Pairing.
	codes, err := c.PairingCodes(ctx, id, nil)
	if err != nil || len(codes) != 2 {
		t.Fatalf("PairingCodes = %+v, %v", codes, err)
	}
	if codes[0].Participant != "p3" || codes[0].Name != "Nguyễn Văn A" || codes[0].Code == "" || codes[0].ExpiresAt.IsZero() ||
		!strings.HasSuffix(codes[0].PairURL, codes[0].Code) || string(codes[0].QRPNG) != "\x89PNG-"+codes[0].Code {
		t.Errorf("code = %+v", codes[0])
	}
	if _, err := c.PairingCodes(ctx, id, []string{"p99"}); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("code for nobody: %v", err)
	}
	tab := newClient(t, f)
	if _, err := tab.Pair(ctx, "wrong"); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("wrong code: %v", err)
	}
	pr, err := tab.Pair(ctx, codes[1].Code)
	if err != nil || pr != (client.PairResult{Meeting: id, Participant: "p4", Role: meeting.RoleDelegate, Name: "Trần Thị B"}) {
		t.Fatalf("Pair = %+v, %v", pr, err)
	}
	st, err := tab.Meeting(ctx, id)
	// A delegate's view is the lean one: itself, unpaired as far as it
	// knows, and the roll call of both.
	if err != nil || len(st.Participants) != 1 || st.Participants[0].ID != "p4" || st.Participants[0].Paired || st.Lean == nil || st.Lean.Roll.Members.Listed+st.Lean.Roll.Guests.Listed+st.Lean.Roll.NonVoting.Listed != 2 {
		t.Errorf("tablet's view = %+v, %v", st, err)
	}
	st, err = c.Meeting(ctx, id)
	if err != nil || !st.Participants[1].Paired {
		t.Errorf("secretary's view = %+v, %v", st, err)
	}
	if _, err := tab.Command(ctx, id, "meeting.open", nil); meeting.KindOf(err) != meeting.KindForbidden {
		t.Errorf("tablet opens: %v", err)
	}

	// Logging out.
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Meetings(ctx); meeting.KindOf(err) != meeting.KindUnauthorized {
		t.Errorf("after logout: %v", err)
	}
}

func TestRESTPlainTextError(t *testing.T) {
	f := newFake(t, true)
	_, err := secretaryClient(t, f).Meeting(testCtx(t), "broken")
	var he *client.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusBadGateway || he.Err.Kind != meeting.KindInternal || !strings.Contains(he.Err.MessageEN, "nginx") {
		t.Errorf("err = %v", err)
	}
}

func TestBasePathPrefix(t *testing.T) {
	f := newFake(t, true)
	srv := httptest.NewServer(http.StripPrefix("/px", f.srv.Config.Handler))
	defer srv.Close()
	c, err := client.New(srv.URL+"/px/", client.WithOrigin(f.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(testCtx(t), "admin", "secret"); err != nil {
		t.Fatal(err)
	}
	l := connect(t, c)
	if l.Seq() != 1 {
		t.Errorf("seq = %d", l.Seq())
	}
}

func TestPairingCodeQRForms(t *testing.T) {
	for in, want := range map[string]string{
		`{"code":"A","qr_png":"iVBORw=="}`:                       "\x89PNG",
		`{"code":"A","qr_png":"data:image/png;base64,iVBORw=="}`: "\x89PNG",
		`{"code":"A","qr_png":"not base64!"}`:                    "",
		`{"code":"A"}`:                                           "",
	} {
		var p client.PairingCode
		if err := json.Unmarshal([]byte(in), &p); err != nil || p.Code != "A" || string(p.QRPNG) != want || (want == "") != (p.QRPNG == nil) {
			t.Errorf("%s → %+v, %v", in, p, err)
		}
	}
}

// TestPairingCodesWithoutQR: WithoutQR asks the server for codes without QR
// images ({"qr": false}); without it the request leaves qr out (the
// server's default: images).
func TestPairingCodesWithoutQR(t *testing.T) {
	f := newFake(t, true)
	ctx := testCtx(t)
	f.mustDo(secretary, "participant.add", map[string]any{"name": "Đại biểu Phạm Thị Mẫu", "role": "delegate"})
	sec := secretaryClient(t, f)
	plain, err := sec.PairingCodes(ctx, fakeMeeting, nil, client.WithoutQR())
	if err != nil || len(plain) != 1 || plain[0].Code == "" || plain[0].QRPNG != nil {
		t.Fatalf("PairingCodes(WithoutQR) = %+v, %v; want one code without a QR image", plain, err)
	}
	withQR, err := sec.PairingCodes(ctx, fakeMeeting, nil)
	if err != nil || len(withQR) != 1 || withQR[0].QRPNG == nil {
		t.Fatalf("PairingCodes() = %+v, %v; want one code with a QR image", withQR, err)
	}
	var asked []any
	f.set(func(f *fake) {
		for _, q := range f.qrAsked {
			if q == nil {
				asked = append(asked, nil)
			} else {
				asked = append(asked, *q)
			}
		}
	})
	if len(asked) != 2 || asked[0] != false || asked[1] != nil {
		t.Errorf("the server was asked qr = %v; want [false <nil>]", asked)
	}
}
