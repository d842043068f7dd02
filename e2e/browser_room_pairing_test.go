package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// ict is Vietnam time, the zone of every meeting.
var ict = time.FixedZone("ICT", 7*3600)

// TestRoomPairing drives pairing as a secretary prepares it, against the
// real binary with a two-day limit (PHONGHOP_PAIRING_MAX=48h):
//   - the sheet printed the day before: the codes live until the end of
//     the meeting's day (tomorrow, Vietnam time), and the card says so
//     (today: 10 minutes);
//   - a time the secretary sets, within the limit; beyond it, the server's
//     refusal at the form, in Vietnamese;
//   - a new code for one delegate only (the row's "Cấp lại mã", confirmed):
//     the old printed code is refused on a tablet, the other delegates'
//     printed codes still work (today: only the whole sheet can be issued);
//   - after the close a code is still issued and a tablet pairs to read
//     the documents, without check-in or floor (today: no code after the
//     close, and documents refused);
//   - once the minutes are final and archived: no more codes.
func TestRoomPairing(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 3, "PHONGHOP_PAIRING_MAX=48h")
	audit := newA11yAudit(t)
	defer audit.report()
	// The meeting opens tomorrow at 08:00 in Hà Nội.
	now := time.Now().In(ict)
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 8, 0, 0, 0, ict)
	m.cmd("meeting.update", map[string]any{"title": "Hội nghị Ban Chấp hành Đảng bộ xã Thử Nghiệm lần thứ 9 (mở rộng)", "starts_at": tomorrow})
	doc := m.upload("Báo cáo kiểm điểm của Ban Thường vụ", m.items[1], meeting.AccessDelegates, 2)
	con := m.openConsole(b, 1280, 900, "prepare")
	day := tomorrow.Format("02/01/2006")
	con.waitJS(`document.querySelector('[data-testid="pairing-default"]').textContent.includes(` + wmQ(day) + `)`)

	// The sheet: until the end of tomorrow.
	con.clickConfirm(testidSel("pairing-issue"), "pairing.issue")
	con.waitJS(wmCount(`[data-testid="pairing-sheet"] [data-testid="pairing-card"]`, 5))
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+2, 0, 0, 0, 0, ict)
	type card struct {
		Participant string `json:"participant"`
		Code        string `json:"code"`
		Expires     string `json:"expires"`
		Text        string `json:"text"`
	}
	readSheet := func() map[string]card {
		t.Helper()
		var cards []card
		cards = evalJS[[]card](con, `[...document.querySelectorAll('[data-testid="pairing-sheet"] [data-testid="pairing-card"]')].map(c => ({
			participant: c.dataset.participant, code: c.querySelector('[data-testid="pairing-code"]').textContent,
			expires: c.querySelector('[data-testid="pairing-expires-at"]').dataset.expires, text: c.querySelector('[data-testid="pairing-expires-at"]').textContent}))`)
		out := map[string]card{}
		for _, c := range cards {
			out[c.Participant] = c
		}
		return out
	}
	sheet := readSheet()
	for _, p := range m.delegates {
		c := sheet[p.ID]
		at, err := time.Parse(time.RFC3339, c.Expires)
		if err != nil || !at.Equal(endOfDay) {
			t.Errorf("%s's printed code expires at %q; want the end of the meeting's day %v", p.Name, c.Expires, endOfDay)
		}
		if !strings.Contains(c.Text, "hết ngày "+day) {
			t.Errorf("%s's card says %q; want “hết ngày %s”", p.Name, c.Text, day)
		}
	}
	audit.check(con, "console-pairing-sheet")
	con.shot("pairing-sheet")

	// Beyond the limit: the server's refusal at the form.
	far := now.AddDate(0, 0, 5)
	wmSet(t, con, testidSel("pairing-expires"), far.Format("02/01/2006"))
	wmSet(t, con, testidSel("pairing-expires-time"), "12:00")
	con.clickConfirm(testidSel("pairing-issue"), "pairing.issue")
	con.waitTestID("pairing-error")
	if got := con.text("pairing-error"); !strings.Contains(got, "tối đa 2 ngày") {
		t.Errorf("a code for 5 days with a 48 h limit: error %q", got)
	}
	if c := readSheet()[m.delegates[0].ID]; c.Code != sheet[m.delegates[0].ID].Code {
		t.Errorf("a refused issue changed the sheet")
	}
	audit.check(con, "console-pairing-error")

	// One delegate's code again, valid until tomorrow 12:00.
	wmSet(t, con, testidSel("pairing-expires"), day)
	wmSet(t, con, testidSel("pairing-expires-time"), "12:00")
	lost := m.delegates[1]
	con.clickConfirm(`[data-testid="participant-row"][data-id="`+lost.ID+`"] [data-testid="participant-reissue"]`, "pairing.reissue")
	con.waitTestID("pairing-result")
	con.waitJS(wmCount(`[data-testid="pairing-sheet"] [data-testid="pairing-card"]`, 1))
	fresh := readSheet()[lost.ID]
	if fresh.Code == "" || fresh.Code == sheet[lost.ID].Code {
		t.Fatalf("re-issue: the sheet shows %+v", fresh)
	}
	if at, _ := time.Parse(time.RFC3339, fresh.Expires); !at.Equal(time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 12, 0, 0, 0, ict)) || !strings.Contains(fresh.Text, day+" 12:00") {
		t.Errorf("the new code expires %s (%q); want %s 12:00", fresh.Expires, fresh.Text, day)
	}
	con.shot("reissued")
	// The old printed code: refused on a tablet, in Vietnamese.
	old := b.newPage("tablet-old-code", 800, 1280)
	old.navigate(m.srv.URL + "/tablet#code=" + sheet[lost.ID].Code)
	old.waitTestID("pair-error")
	if got := old.text("pair-error"); !strings.Contains(got, "Mã ghép nối không đúng, đã dùng hoặc đã hết hạn") {
		t.Errorf("the revoked code: %q", got)
	}
	old.shot("revoked-code")
	// The others' printed codes still work.
	other := m.delegates[2]
	tab := b.newPage("tablet", 800, 1280)
	tab.navigate(m.srv.URL + "/tablet#code=" + sheet[other.ID].Code)
	tab.waitJS(wmTextIs("me-name", other.Name))
	tab.waitJS(wmOnline)

	// Closed: a code is still issued; a tablet pairs and reads.
	m.cmd("meeting.open", nil)
	m.cmd("meeting.close", nil)
	con.waitJS(`document.querySelector('[data-testid="meeting-status"]').dataset.status === "closed"`)
	con.clickConfirm(`[data-testid="participant-row"][data-id="`+lost.ID+`"] [data-testid="participant-reissue"]`, "pairing.reissue")
	con.waitTestID("pairing-result")
	late := b.newPage("tablet-after-close", 800, 1280)
	late.navigate(m.srv.URL + "/tablet#code=" + readSheet()[lost.ID].Code)
	late.waitJS(wmTextIs("me-name", lost.Name))
	late.waitJS(`(document.querySelector('[data-testid="meeting-banner"]')||{dataset:{}}).dataset.status === "closed"`)
	late.click("doc-open-" + doc)
	late.waitJS(wmRendered(doc, 1, 1))
	late.click("doc-close")
	for _, id := range []string{"checkin-button", "floor-request"} {
		if late.exists(testidSel(id)) {
			t.Errorf("a tablet paired after the close offers %s", id)
		}
	}
	audit.check(late, "tablet-after-close")
	late.shot("read-only")

	// Archived: no more codes; the tablets leave.
	m.cmd("minutes.finalize", map[string]any{"number": "09-BB/ĐU", "layout": "party"})
	for deadline := time.Now().Add(20 * time.Second); ; {
		var list struct {
			Archives []json.RawMessage `json:"archives"`
		}
		if err := getJSON(ctx, m.hc, m.srv.URL+"/api/archives", &list); err == nil && len(list.Archives) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the minutes were not archived")
		}
		time.Sleep(50 * time.Millisecond)
	}
	con.waitJS(`document.querySelector('[data-testid="pairing-issue"]').disabled && [...document.querySelectorAll('[data-testid="participant-reissue"]')].every(e => e.disabled)`)
	if _, err := m.sec.PairingCodes(ctx, m.id, []string{lost.ID}); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("a code after the archive: %v; want a conflict", err)
	}
	for _, p := range []*page{late, tab} {
		p.waitJS(`(document.querySelector('[data-testid="meeting-banner"]')||{dataset:{}}).dataset.status === "archived"`)
	}
	late.navigate(m.srv.URL + "/tablet")
	late.waitTestID("pair-error")
	late.waitText("Cuộc họp đã được lưu trữ")
	late.shot("archived")
}
