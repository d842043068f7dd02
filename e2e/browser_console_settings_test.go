package e2e

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// waitLive waits until cond holds on l's replica.
func waitLive(ctx context.Context, t *testing.T, l *client.Live, what string, cond func(*meeting.State) bool) {
	t.Helper()
	deadline := time.Now().Add(25 * time.Second)
	for !cond(l.State()) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("the delegate's replica never showed: %s", what)
		}
		select {
		case <-l.Updates():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func hasDoc(s *meeting.State, id string) bool {
	return slices.ContainsFunc(s.Documents, func(d meeting.Document) bool { return d.ID == id })
}

// TestConsoleSettings drives three of the console's secretary features in a
// real Chromium against the real binary:
//   - meeting settings (meeting.configure): the form shows the current rule
//     (at least 2/3 of those summoned), a bad denominator is refused by the
//     server with its message next to the form (Vietnamese, then English),
//     the rule is changed to at least 1/2 and the default speaking time to
//     3 minutes; the quorum line on the live tab follows (not met → met,
//     the rule and the number needed), and so does the server's state; a
//     per-item speaking limit is set from the speakers card;
//   - a published document narrowed from delegates to one named reader
//     (document.update, two clicks): a delegate connected with the Go SDK
//     loses it from the replica and is refused its download, the named
//     reader keeps it;
//   - a re-vote (poll.revote) of a closed poll appears linked both ways,
//     the link leads to the earlier poll, and the re-vote can be opened.
func TestConsoleSettings(t *testing.T) {
	b := newBrowser(t)
	p := b.newPage("console-settings", 1280, 900)
	audit := newA11yAudit(t) // axe over the new forms too
	defer audit.report()
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Họp Chi bộ Văn phòng Thử Nghiệm — tháng 12"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := func(name string, data any) int64 {
		t.Helper()
		seq, err := sec.Command(ctx, id, name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return seq
	}
	item := fmt.Sprintf("i%d", cmd("agenda.add", map[string]any{"title": "Thảo luận kế hoạch năm 2026"}))
	parts, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader("họ và tên,chức vụ,vai trò\n"+
		"Nguyễn Văn Chủ,Bí thư,chủ tọa\nTrần Thị Mẫu,Chi ủy viên,đại biểu\nLê Văn Thử,Đảng viên,đại biểu\nPhạm Thị Đọc,Đảng viên,đại biểu\n"))
	if err != nil {
		t.Fatal(err)
	}
	chair, mau, thu, doc := parts[0], parts[1], parts[2], parts[3]
	codes, err := sec.PairingCodes(ctx, id, []string{mau.ID, doc.ID})
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	for _, c := range codes {
		code[c.Participant] = c.Code
	}
	added, err := sec.Upload(ctx, id, client.NewDocument{Title: "Dự thảo kế hoạch nhân sự", Item: item, Access: meeting.AccessDelegates, Publish: true},
		"ke-hoach.pdf", bytes.NewReader(testdocs.PDF(1, "Du thao ke hoach")))
	if err != nil {
		t.Fatal(err)
	}
	docID := added.Document.ID
	cmd("meeting.open", nil)
	cmd("agenda.current", map[string]any{"id": item})
	cmd("attendance.mark", map[string]any{"participant": chair.ID, "status": "present"})
	cmd("attendance.mark", map[string]any{"participant": thu.ID, "status": "present"})

	// Two delegates' tablets, through the SDK.
	connect := func(pt meeting.Participant) (*client.Client, *client.Live) {
		t.Helper()
		c, _ := newClient(t, srv.URL)
		pr, err := c.Pair(ctx, code[pt.ID])
		if err != nil {
			t.Fatalf("pair %s: %v", pt.Name, err)
		}
		l, err := c.Connect(ctx, pr.Meeting)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		if err := l.WaitSynced(ctx); err != nil {
			t.Fatal(err)
		}
		return c, l
	}
	mauC, mauL := connect(mau)
	_, docL := connect(doc)
	waitLive(ctx, t, mauL, "the published document", func(s *meeting.State) bool { return hasDoc(s, docID) })
	if _, err := mauC.Document(ctx, id, docID); err != nil {
		t.Fatalf("before narrowing, %s cannot read the document: %v", mau.Name, err)
	}

	p.navigate(srv.URL + "/console")
	p.waitTestID("login-form")
	wmSet(t, p, testidSel("login-username"), adminUser)
	p.typeInto("login-password", adminPassword)
	p.click("login-submit")
	p.waitTestID("meetings-view")

	// 1. The live tab: 2 of 4 present, the default rule needs 3.
	evalJS[bool](p, `location.hash = "m=`+id+`&tab=live"; true`)
	p.waitJS(`document.querySelector('[data-testid="quorum-state"]')?.dataset.met === "false"`)
	p.waitJS(wmTextIs("quorum-rule", "Quy định: từ 2/3 trở lên số được triệu tập — cần 3 người"))
	p.waitJS(`document.querySelector('[data-testid="speaker-item-limit-current"]').textContent === "Mục này theo mặc định của cuộc họp (5 phút)"`)
	p.shot("quorum-default")

	// 2. The settings: current values shown; a bad denominator refused.
	p.click("tab-prepare")
	p.clickSel(`[data-testid="settings-card"] > summary`)
	p.waitTestID("settings-form")
	for sel, want := range map[string]string{"settings-quorum-num": "2", "settings-quorum-den": "3", "settings-quorum-at-least": "at_least",
		"settings-quorum-base": "entitled", "settings-late-grace": "15", "settings-speaking-time": "5", "settings-tie-rule": "revote", "settings-cap-percent": "20"} {
		if got := evalJS[string](p, `document.querySelector(`+wmQ(testidSel(sel))+`).value`); got != want {
			t.Errorf("%s shows %q; want the current %q", sel, got, want)
		}
	}
	if !evalJS[bool](p, `document.querySelector('[data-testid="settings-empty-invalid"]').checked && document.querySelector('[data-testid="settings-cap-enabled"]').checked`) {
		t.Errorf("the ballot-rule checkboxes do not show the defaults (both on)")
	}
	wmSet(t, p, testidSel("settings-quorum-den"), "0")
	p.click("settings-save")
	p.waitTestID("settings-error")
	if got := p.text("settings-error"); !strings.Contains(got, "Mẫu số của tỷ lệ phải từ 1 đến 1000.") {
		t.Errorf("settings error = %q; want the server's Vietnamese message", got)
	}
	p.click("lang-en")
	p.waitJS(`document.querySelector('[data-testid="settings-error"]').textContent.includes("the denominator must be between 1 and 1000")`)
	p.shot("settings-error-en")
	audit.check(p, "console-settings-en")
	p.click("lang-vi")
	p.waitJS(`document.querySelector('[data-testid="settings-error"]').textContent.includes("Mẫu số của tỷ lệ")`)
	if st := secState(ctx, t, sec, id); st.Settings.Quorum.Den != 3 {
		t.Fatalf("a refused configure changed the quorum: %+v", st.Settings.Quorum)
	}

	// The rule becomes "at least 1/2"; the speaking time 3 minutes.
	wmSet(t, p, testidSel("settings-quorum-num"), "1")
	wmSet(t, p, testidSel("settings-quorum-den"), "2")
	wmSet(t, p, testidSel("settings-speaking-time"), "3")
	p.click("settings-save")
	p.waitTestID("settings-result")
	p.waitJS(`document.querySelector('[data-testid="settings-error"]').hidden`)
	p.waitJS(`document.querySelector('[data-testid="settings-summary"]').textContent.includes("từ 1/2 trở lên số được triệu tập")`)
	p.shot("settings-saved")
	st := secState(ctx, t, sec, id)
	if want := (meeting.QuorumRule{Threshold: meeting.Threshold{Num: 1, Den: 2, AtLeast: true}, Base: meeting.QuorumOfEntitled}); st.Settings.Quorum != want {
		t.Errorf("server quorum rule = %+v; want %+v", st.Settings.Quorum, want)
	}
	if st.Settings.SpeakingTime != 3*time.Minute || st.Settings.LateGrace != 15*time.Minute {
		t.Errorf("server speaking time %v, late grace %v; want 3m0s and 15m0s", st.Settings.SpeakingTime, st.Settings.LateGrace)
	}
	if q := meeting.QuorumOf(st); !q.Met || q.Required != 2 {
		t.Errorf("server quorum = %+v; want met with 2 required", q)
	}

	// The quorum line follows; the item's speaking limit is set to 2 min.
	p.click("tab-live")
	p.waitJS(`document.querySelector('[data-testid="quorum-state"]').dataset.met === "true"`)
	p.waitJS(wmTextIs("quorum-rule", "Quy định: từ 1/2 trở lên số được triệu tập — cần 2 người"))
	p.waitJS(`document.querySelector('[data-testid="speaker-item-limit-current"]').textContent === "Mục này theo mặc định của cuộc họp (3 phút)"`)
	wmSet(t, p, testidSel("speaker-item-limit"), "2")
	p.click("speaker-item-limit-set")
	p.waitJS(`document.querySelector('[data-testid="speaker-item-limit-current"]').textContent === "Mục này: 2 phút mỗi lượt"`)
	if st := secState(ctx, t, sec, id); st.Agenda[0].SpeakingLimit != 2*time.Minute {
		t.Errorf("server item limit = %v; want 2m0s", st.Agenda[0].SpeakingLimit)
	}
	p.shot("quorum-changed")
	audit.check(p, "console-live-quorum")

	// 3. Narrow the document to one named reader: two clicks.
	p.click("tab-prepare")
	row := `[data-testid="doc-row"][data-id="` + docID + `"] `
	p.clickSel(row + `[data-testid="doc-edit"]`)
	p.waitTestID("doc-edit-title")
	if evalJS[bool](p, `!document.querySelector('[data-testid="doc-edit-narrow-warning"]').hidden`) {
		t.Errorf("the narrowing warning shows before anything changed")
	}
	wmSet(t, p, testidSel("doc-edit-title"), "Dự thảo kế hoạch nhân sự (mật)")
	wmSet(t, p, testidSel("doc-edit-access"), "named")
	p.waitTestID("doc-edit-readers")
	p.clickSel(row + `[data-testid="doc-edit-reader"][data-id="` + doc.ID + `"]`)
	p.waitTestID("doc-edit-narrow-warning")
	p.click("doc-edit-save")
	p.waitJS(`!!document.querySelector(` + wmQ(confirmSel("document.update")) + `)`)
	p.shot("doc-narrow-confirm")
	audit.check(p, "console-doc-edit")
	if d := docOf(secState(ctx, t, sec, id), docID); d.Access != meeting.AccessDelegates {
		t.Fatalf("one click narrowed the document: %+v", d.DocumentSpec)
	}
	p.confirm("document.update")
	p.waitJS(`!document.querySelector('[data-testid="doc-edit-title"]') && document.querySelector(` + wmQ(row) + `)?.textContent.includes("Mật · ` + doc.Name + `")`)
	p.shot("doc-narrowed")
	d := docOf(secState(ctx, t, sec, id), docID)
	if d.Title != "Dự thảo kế hoạch nhân sự (mật)" || d.Access != meeting.AccessNamed || !slices.Equal(d.Readers, []string{doc.ID}) || d.Item != item || d.Status != meeting.DocumentPublished {
		t.Errorf("server document = %+v, %s; want the new title, named access for %s, the item kept, still published", d.DocumentSpec, d.Status, doc.ID)
	}
	waitLive(ctx, t, mauL, "the document gone", func(s *meeting.State) bool { return !hasDoc(s, docID) })
	if _, err := mauC.Document(ctx, id, docID); err == nil {
		t.Errorf("%s can still read the narrowed document over REST", mau.Name)
	}
	waitLive(ctx, t, docL, "the named reader keeps it", func(s *meeting.State) bool {
		return hasDoc(s, docID) && docOf(s, docID).Access == meeting.AccessNamed
	})

	// 4. A re-vote of a closed poll, linked both ways, then opened.
	first := fmt.Sprintf("v%d", cmd("poll.create", map[string]any{"question": "Thông qua kế hoạch năm 2026", "kind": "open", "item": item}))
	cmd("poll.open", map[string]any{"id": first})
	cmd("poll.close", map[string]any{"id": first})
	p.click("tab-live")
	prow := `[data-testid="poll-row"][data-id="` + first + `"] `
	p.waitJS(`document.querySelector(` + wmQ(prow+`[data-testid="poll-status"]`) + `)?.dataset.status === "closed"`)
	p.clickSel(prow + `[data-testid="poll-revote"]`)
	p.waitJS(`!!document.querySelector('[data-testid="poll-row"][data-revote-of="` + first + `"]')`)
	again := evalJS[string](p, `document.querySelector('[data-testid="poll-row"][data-revote-of="`+first+`"]').dataset.id`)
	arow := `[data-testid="poll-row"][data-id="` + again + `"] `
	if got := evalJS[string](p, `document.querySelector(`+wmQ(arow+`[data-testid="poll-revote-of"]`)+`).dataset.target`); got != first {
		t.Errorf("the re-vote links to %q; want %q", got, first)
	}
	if got := evalJS[string](p, `document.querySelector(`+wmQ(prow+`[data-testid="poll-revoted-by"]`)+`).dataset.target`); got != again {
		t.Errorf("the earlier poll links to %q; want %q", got, again)
	}
	if got := evalJS[string](p, `document.querySelector(`+wmQ(arow+`[data-testid="poll-status"]`)+`).dataset.status`); got != "draft" {
		t.Errorf("the re-vote is %q; want draft", got)
	}
	p.shot("revote-linked")
	audit.check(p, "console-revote")
	p.clickSel(arow + `[data-testid="poll-revote-of"]`)
	p.waitJS(`document.activeElement === document.getElementById("poll-` + first + `")`)
	p.clickSel(arow + `[data-testid="poll-open"]`)
	p.waitJS(`document.querySelector(` + wmQ(arow+`[data-testid="poll-status"]`) + `)?.dataset.status === "open"`)
	st = secState(ctx, t, sec, id)
	if np := pollOf(st, again); np.RevoteOf != first || np.Status != meeting.PollStatusOpen || np.Question != "Thông qua kế hoạch năm 2026" {
		t.Errorf("server re-vote = {revote_of %q, status %s, %q}; want of %s, open, the same question", np.RevoteOf, np.Status, np.Question, first)
	}
	p.shot("revote-open")
}

func docOf(s *meeting.State, id string) meeting.Document {
	for _, d := range s.Documents {
		if d.ID == id {
			return d
		}
	}
	return meeting.Document{}
}
