package e2e

// Helpers of the room-on-the-day browser tests (browser_room_*_test.go),
// shared with the older browser tests where the console asks first.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// confirmSel is the confirmation dialog (confirm.js) of action, open.
func confirmSel(action string) string {
	return `dialog[data-testid="confirm-dialog"][open][data-action=` + strconv.Quote(action) + `]`
}

// confirm waits for the confirmation dialog of action and confirms it: the
// one pattern of every irreversible action (confirm.js).
func (p *page) confirm(action string) {
	p.t.Helper()
	p.waitJS(`!!document.querySelector(` + strconv.Quote(confirmSel(action)) + `)`)
	p.clickSel(confirmSel(action) + ` [data-testid="confirm-ok"]`)
	p.waitJS(`!document.querySelector('dialog[data-testid="confirm-dialog"]')`)
}

// clickConfirm clicks sel, then confirms the dialog of action.
func (p *page) clickConfirm(sel, action string) {
	p.t.Helper()
	p.clickSel(sel)
	p.confirm(action)
}

// roomNames are the fictional delegates of the room tests.
var roomNames = []string{"Trần Văn Thử", "Lê Thị Mẫu", "Phạm Văn Ví Dụ", "Nguyễn Thị Hồng Nhung", "Hoàng Quốc Bảo",
	"Đỗ Minh Tuấn", "Vũ Thị Lan Anh", "Bùi Văn Năm", "Đặng Thị Thu Hà", "Ngô Văn Khải", "Dương Thị Mai", "Lý Văn Sáu"}

// roomMeeting is a meeting prepared through the Go SDK for the room tests:
// n delegates, a chair, a hall screen, an agenda of three items, pairing
// codes for all; opened with the current item the second one unless
// draft is set.
type roomMeeting struct {
	t         *testing.T
	ctx       context.Context
	srv       *proc
	sec       *client.Client
	hc        *http.Client // the secretary's cookies, for calls the SDK does not wrap
	id        string
	items     []string
	itemNames []string
	delegates []meeting.Participant
	chair     meeting.Participant
	hall      meeting.Participant
	code      map[string]string // participant ID → pairing code
}

func newRoomMeeting(t *testing.T, ctx context.Context, n int, env ...string) *roomMeeting {
	t.Helper()
	srv := startServer(t, "127.0.0.1:0", t.TempDir(), env...)
	sec, hc := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Ban Chấp hành Đảng bộ xã Thử Nghiệm lần thứ 9 (mở rộng)",
		Place: "Hội trường UBND xã", Organization: "Đảng ủy xã Thử Nghiệm"})
	if err != nil {
		t.Fatal(err)
	}
	m := &roomMeeting{t: t, ctx: ctx, srv: srv, sec: sec, hc: hc, id: id, code: map[string]string{}}
	m.itemNames = []string{"Khai mạc, thông qua chương trình hội nghị", "Thảo luận Báo cáo kiểm điểm của Ban Thường vụ năm 2026", "Biểu quyết, bầu cử và bế mạc"}
	for _, title := range m.itemNames {
		m.items = append(m.items, fmt.Sprintf("i%d", m.cmd("agenda.add", map[string]any{"title": title, "presenter": "Đồng chí Phạm Văn Trình, Phó Bí thư"})))
	}
	csv := "họ và tên,chức vụ,vai trò\nNguyễn Văn Chủ,Bí thư Đảng ủy,chủ tọa\n"
	for _, name := range roomNames[:n] {
		csv += name + ",Đảng ủy viên,đại biểu\n"
	}
	csv += "Màn hình hội trường,,màn hình\n"
	parts, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	m.chair, m.delegates, m.hall = parts[0], parts[1:n+1], parts[n+1]
	var ids []string
	for _, p := range parts {
		ids = append(ids, p.ID)
	}
	codes, err := sec.PairingCodes(ctx, id, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		m.code[c.Participant] = c.Code
	}
	return m
}

// open opens the meeting, makes the second item current and marks every
// delegate present.
func (m *roomMeeting) open() {
	m.t.Helper()
	m.cmd("meeting.open", nil)
	m.cmd("agenda.current", map[string]any{"id": m.items[1]})
	for _, p := range m.delegates {
		m.cmd("attendance.mark", map[string]any{"participant": p.ID, "status": "present"})
	}
}

func (m *roomMeeting) cmd(name string, data any) int64 {
	m.t.Helper()
	seq, err := m.sec.Command(m.ctx, m.id, name, data)
	if err != nil {
		m.t.Fatalf("%s: %v", name, err)
	}
	return seq
}

func (m *roomMeeting) state() *meeting.State {
	m.t.Helper()
	st, err := m.sec.Meeting(m.ctx, m.id)
	if err != nil {
		m.t.Fatal(err)
	}
	return st
}

// upload adds a published PDF of pages pages for item with access.
func (m *roomMeeting) upload(title, item string, access meeting.Access, pages int) string {
	m.t.Helper()
	up, err := m.sec.Upload(m.ctx, m.id, client.NewDocument{Title: title, Item: item, Access: access, Publish: true},
		"tai-lieu.pdf", bytes.NewReader(testdocs.PDF(pages, "tai lieu")))
	if err != nil {
		m.t.Fatal(err)
	}
	return up.Document.ID
}

// voters connects every delegate's tablet through the SDK.
func (m *roomMeeting) voters() []*client.Live {
	m.t.Helper()
	var out []*client.Live
	for _, p := range m.delegates {
		c, _ := newClient(m.t, m.srv.URL)
		code, err := m.sec.PairingCodes(m.ctx, m.id, []string{p.ID}) // a fresh code: the first is for the browser
		if err != nil {
			m.t.Fatal(err)
		}
		m.code[p.ID] = code[0].Code
		pr, err := c.Pair(m.ctx, code[0].Code)
		if err != nil {
			m.t.Fatalf("pair %s: %v", p.Name, err)
		}
		l, err := c.Connect(m.ctx, pr.Meeting)
		if err != nil {
			m.t.Fatal(err)
		}
		m.t.Cleanup(func() { l.Close() })
		if err := l.WaitSynced(m.ctx); err != nil {
			m.t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// freshCode issues a new code for participant p (revoking the last one).
func (m *roomMeeting) freshCode(p meeting.Participant) string {
	m.t.Helper()
	codes, err := m.sec.PairingCodes(m.ctx, m.id, []string{p.ID})
	if err != nil {
		m.t.Fatal(err)
	}
	m.code[p.ID] = codes[0].Code
	return codes[0].Code
}

// poll creates, opens, casts ballots[i] from voters[i] (nil: no ballot),
// closes and publishes a poll, and returns its ID.
func (m *roomMeeting) poll(spec map[string]any, voters []*client.Live, ballots []*meeting.Ballot) string {
	m.t.Helper()
	id := fmt.Sprintf("v%d", m.cmd("poll.create", spec))
	m.cmd("poll.open", map[string]any{"id": id})
	for i, b := range ballots {
		if b != nil {
			if _, err := voters[i].Cast(m.ctx, id, fmt.Sprintf("%s-%d", id, i), *b); err != nil {
				m.t.Fatalf("cast in %s: %v", id, err)
			}
		}
	}
	m.cmd("poll.close", map[string]any{"id": id})
	m.cmd("poll.publish", map[string]any{"id": id})
	return id
}

// pairTablet opens a tablet page, pairs it with a fresh code of p and
// waits until it is live.
func (m *roomMeeting) pairTablet(b *browser, name string, p meeting.Participant, w, h int) *page {
	m.t.Helper()
	tab := b.newPage(name, w, h)
	tab.navigate(m.srv.URL + "/tablet")
	tab.waitTestID("pair-code")
	tab.typeInto("pair-code", m.freshCode(p))
	tab.click("pair-submit")
	tab.waitTestID("me-name")
	tab.waitJS(wmOnline)
	return tab
}

// openHall opens the hall screen with its pairing code, at w×h.
func (m *roomMeeting) openHall(b *browser, w, h int) *page {
	m.t.Helper()
	hall := b.newPage("hall", w, h)
	hall.navigate(m.srv.URL + "/hall#code=" + m.code[m.hall.ID])
	hall.waitTestID("hall-title")
	hall.waitJS(wmOnline)
	return hall
}

// openConsole signs the secretary in on a console page, on the meeting's tab.
func (m *roomMeeting) openConsole(b *browser, w, h int, tab string) *page {
	m.t.Helper()
	con := b.newPage("console", w, h)
	con.navigate(m.srv.URL + "/console")
	con.waitTestID("login-form")
	wmSet(m.t, con, testidSel("login-username"), adminUser)
	con.typeInto("login-password", adminPassword)
	con.click("login-submit")
	con.waitTestID("meetings-view")
	evalJS[bool](con, `location.hash = "m=`+m.id+`&tab=`+tab+`"; true`)
	con.waitJS(`document.querySelector('[data-testid="tab-` + tab + `"]').getAttribute("aria-selected") === "true"`)
	con.waitJS(`(document.querySelector('[data-testid="conn-status"]')||{dataset:{}}).dataset.source === "live"`)
	return con
}

// resize sets the viewport and waits until the page has laid out at that
// width (the hall redraws 200 ms after a resize: wait for its marker).
func (p *page) resize(w, h int) {
	p.t.Helper()
	if evalJS[bool](p, `innerWidth === `+strconv.Itoa(w)+` && innerHeight === `+strconv.Itoa(h)) {
		return
	}
	evalJS[bool](p, `(window.__resized = false, addEventListener('resize', () => setTimeout(() => { window.__resized = true }, 400), {once: true}), true)`)
	p.viewport(w, h)
	p.waitJS(`document.documentElement.clientWidth === ` + strconv.Itoa(w) + ` && window.__resized === true`)
}

// setTimezone makes p's browser live in time zone tz and, when given, the
// locale (as a laptop set to another country would): the apps must still
// show the meeting's times (Vietnam time) as dd/mm/yyyy.
func setTimezone(t *testing.T, p *page, tz string, locale ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: tz}); err != nil {
		t.Fatalf("time zone %s: %v", tz, err)
	}
	if len(locale) > 0 {
		if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: locale[0]}); err != nil {
			t.Fatalf("locale %s: %v", locale[0], err)
		}
	}
	if got := evalJS[string](p, `Intl.DateTimeFormat().resolvedOptions().timeZone`); got != tz {
		t.Fatalf("the browser's time zone is %s; want %s", got, tz)
	}
}
