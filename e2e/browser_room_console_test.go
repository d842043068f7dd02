package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestRoomConsole drives the secretary console on a laptop set to New York
// time and an American locale, and checks what a secretary trips over on the
// day:
//   - times are the meeting's (Vietnam time) and dates dd/mm/yyyy: a start
//     typed as 15/12/2026 08:00 is 01:00 UTC on the server and reads back
//     the same (today: a browser date field in the laptop's zone and format);
//     a date that does not exist is refused at the field, in Vietnamese;
//   - one error display: a refused upload says it once, in Vietnamese (in
//     English when switched), with no English "file:" prefix (today: twice);
//   - a second meeting starts clean: no chosen file, no error, no result
//     of the first (today: both stay);
//   - the not-voted list of an open vote has no literal "null" (today it
//     ends with one);
//   - one confirmation for every irreversible action: closing a vote asks
//     (today it does not), the question stays until answered (today "Bế
//     mạc" and "Hoàn thành" disarm after 5 s), Cancel changes nothing;
//   - stopping the presentation and closing the meeting leave nothing
//     stale: the presenting buttons, then every live control, are disabled
//     and no item shows as current (today they stay).
func TestRoomConsole(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 4)
	audit := newA11yAudit(t)
	defer audit.report()
	con := b.newPage("console", 1280, 900)
	setTimezone(t, con, "America/New_York", "en-US")
	con.navigate(m.srv.URL + "/console")
	con.waitTestID("login-form")
	wmSet(t, con, testidSel("login-username"), adminUser)
	con.typeInto("login-password", adminPassword)
	con.click("login-submit")
	con.waitTestID("meetings-view")

	// A date that does not exist: refused at the field.
	wmSet(t, con, testidSel("meeting-title"), "Hội nghị Đảng ủy tháng 12")
	con.typeInto("meeting-starts-at", "31/02/2026")
	con.click("meeting-create-submit")
	con.waitTestID("meeting-create-error")
	if got := con.text("meeting-create-error"); !strings.Contains(got, "Ngày phải viết theo dạng ngày/tháng/năm") {
		t.Errorf("a date that does not exist: error %q", got)
	}
	// 15/12/2026 08:00 in Hà Nội.
	wmSet(t, con, testidSel("meeting-starts-at"), "")
	con.typeInto("meeting-starts-at", "15/12/2026")
	con.typeInto("meeting-starts-at-time", "08:00")
	con.click("meeting-create-submit")
	con.waitTestID("meeting-view")
	con.waitJS(`/[#&]m=/.test(location.hash)`)
	first := evalJS[string](con, `decodeURIComponent(location.hash.match(/m=([^&]+)/)[1])`)
	st, err := m.sec.Meeting(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 15, 1, 0, 0, 0, time.UTC); !st.Details.StartsAt.Equal(want) {
		t.Errorf("the start typed as 15/12/2026 08:00 is %v on the server; want %v (08:00 in Hà Nội)", st.Details.StartsAt.UTC(), want)
	}
	con.waitJS(`document.querySelector('[data-testid="meeting-sub"]').textContent.includes("15/12/2026 08:00")`)
	con.clickSel(`[data-testid="details-card"] > summary`)
	con.waitTestID("details-starts-at")
	if d, tm := evalJS[string](con, `document.querySelector('[data-testid="details-starts-at"]').value`), evalJS[string](con, `document.querySelector('[data-testid="details-starts-at-time"]').value`); d != "15/12/2026" || tm != "08:00" {
		t.Errorf("the details show the start as %q %q; want 15/12/2026 08:00", d, tm)
	}

	// A refused upload: one message, in Vietnamese; in English when switched.
	bad := filepath.Join(t.TempDir(), "bao-cao.pdf")
	if err := os.WriteFile(bad, []byte("Đây không phải là tệp PDF.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	con.do("choose a file that is not a PDF", chromedp.SetUploadFiles(chromedp.CSS(testidSel("doc-file")), []string{bad}))
	wmSet(t, con, testidSel("doc-title"), "Báo cáo sai định dạng")
	con.click("doc-upload-submit")
	con.waitTestID("doc-upload-error")
	oneMessage := func(lang, want string) {
		t.Helper()
		got := con.text("doc-upload-error")
		if strings.Count(got, want) != 1 || strings.Contains(got, "file:") || strings.Contains(got, "File:") {
			t.Errorf("%s: the upload error reads %q; want %q once, no field name in English", lang, got, want)
		}
	}
	oneMessage("vi", "Loại tệp không được phép")
	audit.check(con, "console-upload-error")
	con.shot("upload-error")
	con.click("lang-en")
	con.waitJS(`document.documentElement.lang === "en"`)
	oneMessage("en", "file type not allowed")
	con.click("lang-vi")
	con.waitJS(`document.documentElement.lang === "vi"`)

	// A second meeting: nothing of the first.
	con.click("back-to-meetings")
	con.waitTestID("meetings-view")
	wmSet(t, con, testidSel("meeting-title"), "Hội nghị thứ hai")
	con.click("meeting-create-submit")
	con.waitJS(`document.querySelector('[data-testid="meeting-heading"]').textContent === "Hội nghị thứ hai"`)
	if n := evalJS[int](con, `document.querySelector('[data-testid="doc-file"]').files.length`); n != 0 {
		t.Errorf("the second meeting's upload form has the first one's file chosen")
	}
	for _, s := range evalJS[[]string](con, `[...document.querySelectorAll('[data-testid="meeting-view"] .err, [data-testid="meeting-view"] .ok')].filter(e => !e.hidden).map(e => e.dataset.testid + ': ' + e.textContent)`) {
		t.Errorf("the second meeting shows the first one's message %s", s)
	}
	if got := evalJS[string](con, `document.querySelector('[data-testid="doc-title"]').value`); got != "" {
		t.Errorf("the second meeting's document title field holds %q", got)
	}
	con.shot("second-meeting")

	// The meeting of the test, live.
	m.open()
	doc := m.upload("Báo cáo kiểm điểm", m.items[1], meeting.AccessDelegates, 2)
	evalJS[bool](con, `location.hash = "m=`+m.id+`&tab=live"; true`)
	con.waitJS(`document.querySelector('[data-testid="tab-live"]').getAttribute("aria-selected") === "true"`)
	con.waitJS(wmOnline)
	vote := wmCreatePoll(t, con, "Thông qua chương trình hội nghị", "secret", m.items[1], "", 0)
	con.clickSel(wmPollRow(vote) + ` [data-testid="poll-open"]`)
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(vote)) + `).dataset.status === "open"`)
	con.waitJS(`document.querySelectorAll(` + wmQ(wmPollRow(vote)+` [data-testid="poll-not-voted"] .chip`) + `).length === 4`)
	if got := con.text("poll-not-voted"); strings.Contains(got, "null") || strings.Contains(got, "undefined") {
		t.Errorf("the not-voted list reads %q", got)
	}

	// Closing the vote asks; the question stays until answered.
	con.clickSel(wmPollRow(vote) + ` [data-testid="poll-close"]`)
	con.waitJS(`!!document.querySelector(` + wmQ(confirmSel("poll.close")) + `)`)
	if got := con.text("confirm-title"); got != "Kết thúc biểu quyết “Thông qua chương trình hội nghị”?" {
		t.Errorf("the confirmation asks %q", got)
	}
	audit.check(con, "console-confirm")
	con.shot("confirm-poll-close")
	t0 := evalJS[float64](con, `performance.now()`)
	// Longer than the 5 s after which the old two-click buttons disarmed.
	con.waitJS(fmt.Sprintf(`performance.now() > %.0f || !document.querySelector(%s)`, t0+6000, wmQ(confirmSel("poll.close"))))
	if !con.exists(confirmSel("poll.close")) {
		t.Errorf("the confirmation went away by itself")
	}
	if p := pollOfState(t, m.state(), vote); p.Status != meeting.PollStatusOpen {
		t.Fatalf("the vote is %s before the confirmation; want open", p.Status)
	}
	con.clickSel(confirmSel("poll.close") + ` [data-testid="confirm-cancel"]`)
	con.waitJS(`!document.querySelector('dialog[data-testid="confirm-dialog"]')`)
	if p := pollOfState(t, m.state(), vote); p.Status != meeting.PollStatusOpen {
		t.Errorf("Cancel closed the vote: %s", p.Status)
	}
	con.clickConfirm(wmPollRow(vote)+` [data-testid="poll-close"]`, "poll.close")
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(vote)) + `).dataset.status === "closed"`)

	// Presenting, then stopping: the presenting buttons follow.
	wmSet(t, con, testidSel("present-doc"), doc)
	con.click("present-send")
	con.waitJS(`!document.querySelector('[data-testid="present-stop"]').disabled && !document.querySelector('[data-testid="present-next"]').disabled`)
	con.click("present-stop")
	con.waitJS(`document.querySelector('[data-testid="present-current"]').dataset.doc === ""`)
	con.waitJS(`document.querySelector('[data-testid="present-stop"]').disabled && document.querySelector('[data-testid="present-next"]').disabled`)

	// Closing the meeting asks too; then nothing live is offered.
	con.clickConfirm(testidSel("live-close"), "meeting.close")
	con.waitJS(`document.querySelector('[data-testid="live-status"]').dataset.status === "closed"`)
	con.waitJS(`document.querySelector('[data-testid="live-advance"]').disabled`)
	for _, id := range []string{"live-advance", "live-item-set", "speaker-end", "speaker-add-submit", "attendance-mark-all-present", "poll-create-submit", "notice-send", "present-send", "poll-publish"} {
		if evalJS[bool](con, `[...document.querySelectorAll('[data-testid="`+id+`"]')].some(e => !e.disabled)`) {
			t.Errorf("after the close %s is still enabled", id)
		}
	}
	if evalJS[bool](con, `!!document.querySelector('[data-testid="live-item"][data-current="true"], [data-testid="live-item"].current')`) {
		t.Errorf("after the close an agenda item is still shown as current")
	}
	if got := con.text("live-current"); got != "Cuộc họp đã bế mạc." {
		t.Errorf("after the close the current item reads %q", got)
	}
	if evalJS[bool](con, `document.querySelector('[data-testid="pairing-issue"]').disabled`) {
		t.Errorf("after the close codes cannot be issued; they can until the meeting is archived")
	}
	audit.check(con, "console-closed")
	con.shot("closed")

	// Finalising asks, in the same dialog, and does not disarm.
	con.click("tab-after")
	con.waitTestID("minutes-conclude")
	wmSet(t, con, testidSel("minutes-number"), "09-BB/ĐU")
	con.click("minutes-finalize")
	con.waitJS(`!!document.querySelector(` + wmQ(confirmSel("minutes.finalize")) + `)`)
	audit.check(con, "console-confirm-finalize")
	con.shot("confirm-finalize")
	con.confirm("minutes.finalize")
	con.waitJS(`document.querySelector('[data-testid="minutes-status"]').dataset.revision === "1"`)
}
