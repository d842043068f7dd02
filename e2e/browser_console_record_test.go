package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// The console's screens of the official record (docs/record.md): the
// details the record prints, the record's settings (rules and layout, time
// zone from a searchable list, surplus cap), the congress's bodies
// (proposed from the participants with their posts and a head, approved by
// the show of hands created from the proposal) and an election list the
// rules do not cap. Each test fails on the console before these screens.

// bodyOf returns the body of kind on the server.
func bodyOf(st *meeting.State, kind meeting.BodyKind) (meeting.Body, bool) { return st.Body(kind) }

// openCard opens the <details> card testid of the console unless it is open.
func openCard(p *page, testid string) {
	p.t.Helper()
	evalJS[bool](p, `(() => { const d = document.querySelector(`+wmQ(testidSel(testid))+`); if (!d.open) d.querySelector('summary').click(); return true })()`)
	p.waitJS(`document.querySelector(` + wmQ(testidSel(testid)) + `).open`)
}

// errIs is true when the error box testid (inside scope, a selector or "")
// shows exactly one message, msg.
func errIs(scope, testid, msg string) string {
	sel := strings.TrimSpace(scope + " " + testidSel(testid))
	return `(() => { const e = document.querySelector(` + wmQ(sel) + `); if (!e || e.hidden) return false;
		const ps = e.querySelectorAll('.err-msg'); const all = e.textContent;
		return ps.length === 1 && ps[0].textContent === ` + wmQ(msg) + ` && all.split(` + wmQ(msg) + `).length === 2 })()`
}

// TestConsoleRecordSettings: the details the record prints (locality,
// collective, chair's post) and the record's settings (rules and layout,
// the meeting's time zone chosen from a searchable list, the surplus cap)
// are saved from the console, reach the server's state, and every time
// the console shows follows the zone; a refused surplus cap is shown once,
// in Vietnamese, then in English; the minutes' layout follows the setting.
func TestConsoleRecordSettings(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 3)
	start := time.Date(2026, 12, 15, 8, 0, 0, 0, ict)
	d := m.state().Details
	d.StartsAt = start
	m.cmd("meeting.update", d)
	audit := newA11yAudit(t)
	defer audit.report()
	con := m.openConsole(b, 1280, 800, "prepare")

	// The details the record prints.
	openCard(con, "details-card")
	con.waitJS(`document.querySelector('[data-testid="details-title"]').value !== ""`)
	wmSet(t, con, testidSel("details-locality"), "Hà Nội")
	wmSet(t, con, testidSel("details-collective"), "Đảng ủy")
	wmSet(t, con, testidSel("details-chair-post"), "Bí thư Đảng ủy")
	con.click("details-save")
	con.waitTestID("details-result")
	st := m.state()
	if got := st.Details; got.Locality != "Hà Nội" || got.Collective != "Đảng ủy" || got.ChairPost != "Bí thư Đảng ủy" || got.Title != d.Title || !got.StartsAt.Equal(start) {
		t.Errorf("details on the server = %+v; want the locality, collective and chair's post saved, the rest kept", got)
	}

	// The settings: the form shows the defaults.
	openCard(con, "settings-card")
	con.waitJS(`document.querySelector('[data-testid="settings-layout"]').value === "party"`)
	if got := evalJS[string](con, `document.querySelector('[data-testid="settings-time-zone"]').value`); got != meeting.DefaultTimeZone {
		t.Errorf("the zone list shows %q; want %s", got, meeting.DefaultTimeZone)
	}
	if got := evalJS[string](con, `document.querySelector('[data-testid="settings-surplus-cap"]').value`); got != "30" {
		t.Errorf("the surplus cap shows %q; want 30", got)
	}
	audit.check(con, "console settings and details")

	// A cap above the rules' 30%: the server's message, once.
	wmSet(t, con, testidSel("settings-surplus-cap"), "35")
	con.click("settings-save")
	con.waitJS(errIs("", "settings-error", "Tỷ lệ số dư tối đa phải từ 1 đến 30% số lượng cần bầu (quy định không cho phép dư quá 30%)."))
	con.shot("surplus-cap-refused")
	setLang(con, "en")
	con.waitJS(errIs("", "settings-error", "the surplus cap must be between 1 and 30 percent of the seats (the rules allow no more than 30%)"))
	setLang(con, "vi")

	// Searching the zones: "tokyo" leaves one, chosen; the state layout,
	// a cap of 20%.
	con.typeInto("settings-time-zone-search", "tokyo")
	con.waitJS(`document.querySelector('[data-testid="settings-time-zone"]').options.length === 1`)
	if got := evalJS[string](con, `document.querySelector('[data-testid="settings-time-zone"]').options[0].textContent`); got != "Asia/Tokyo (UTC+09:00)" {
		t.Errorf("the zone found is %q; want Asia/Tokyo (UTC+09:00)", got)
	}
	wmSet(t, con, testidSel("settings-time-zone"), "Asia/Tokyo")
	// A search by offset finds Vietnam's zone among others.
	wmSet(t, con, testidSel("settings-time-zone-search"), "ho chi")
	con.waitJS(`[...document.querySelector('[data-testid="settings-time-zone"]').options].some(o => o.value === "Asia/Ho_Chi_Minh")`)
	wmSet(t, con, testidSel("settings-time-zone-search"), "")
	wmSet(t, con, testidSel("settings-time-zone"), "Asia/Tokyo")
	wmSet(t, con, testidSel("settings-layout"), "state")
	wmSet(t, con, testidSel("settings-surplus-cap"), "20")
	con.click("settings-save")
	con.waitTestID("settings-result")
	st = m.state()
	if s := st.Settings; s.TimeZone != "Asia/Tokyo" || s.Layout != meeting.LayoutState || s.Polls.SurplusCap != 20 {
		t.Errorf("settings on the server: zone %q, layout %q, surplus cap %d; want Asia/Tokyo, state, 20", s.TimeZone, s.Layout, s.Polls.SurplusCap)
	}
	con.waitJS(`document.querySelector('[data-testid="settings-summary"]').textContent.includes("Múi giờ: Asia/Tokyo (UTC+09:00)")`)
	con.waitJS(`document.querySelector('[data-testid="settings-summary"]').textContent.includes("Số dư tối đa: 20%")`)
	// Every time in the meeting's zone now: 08:00 in Vietnam is 10:00 in Tokyo.
	con.waitJS(`document.querySelector('[data-testid="details-starts-at-time"]').value === "10:00"`)
	con.waitJS(`document.querySelector('[data-testid="meeting-sub"]').textContent.includes("15/12/2026 10:00")`)
	con.shot("record-settings-saved")
	// The minutes' layout follows the setting.
	con.click("tab-after")
	con.waitJS(`document.querySelector('[data-testid="minutes-layout"]').value === "state"`)
}

// TestConsoleBodies proposes the counting committee from the console — three
// delegates found in the searchable list, the second made head, posts
// typed —, creates the show of hands that approves it from the proposal,
// goes to it, and after the vote sees the body approved, with the time in
// the meeting's zone; replacing the approved list asks first and says that
// a new vote is needed; an unchanged list is refused once, in Vietnamese
// then in English.
func TestConsoleBodies(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 6)
	m.open()
	voters := m.voters()
	audit := newA11yAudit(t)
	defer audit.report()
	con := m.openConsole(b, 1280, 800, "prepare")
	counting := `[data-testid="body"][data-kind="counting"]`
	editor := `[data-testid="body-editor"][data-kind="counting"]`
	con.waitJS(`document.querySelector(` + wmQ(counting) + `).dataset.state === "none"`)
	for _, k := range []string{"presidium", "secretariat", "counting"} {
		if !con.exists(`[data-testid="body"][data-kind="` + k + `"] [data-testid="body-edit"]`) {
			t.Errorf("no proposal button for the %s", k)
		}
	}

	// Propose: three delegates found by name, without diacritics.
	con.clickSel(counting + ` [data-testid="body-edit"]`)
	con.waitTestID("body-editor")
	con.clickSel(editor + ` [data-testid="body-edit-save"]`)
	con.waitJS(errIs(editor, "body-edit-error", "Danh sách chưa có ai."))
	picks := []meeting.Participant{m.delegates[1], m.delegates[3], m.delegates[4]}
	for _, p := range picks {
		query := strings.ToLower(foldVN(p.Name))
		wmSet(t, con, editor+` [data-testid="body-edit-choices-search"]`, query)
		con.waitJS(`(() => { const s = document.querySelector(` + wmQ(editor+` [data-testid="body-edit-choices"]`) + `); return s.options.length === 1 && s.options[0].value === ` + wmQ(p.ID) + ` })()`)
		wmSet(t, con, editor+` [data-testid="body-edit-choices"]`, p.ID)
		con.clickSel(editor + ` [data-testid="body-edit-add"]`)
		con.waitJS(`!!document.querySelector(` + wmQ(editor+` [data-testid="body-edit-row"][data-id="`+p.ID+`"]`) + `)`)
	}
	// The chosen are no longer offered; the chair is, a hall screen is not.
	wmSet(t, con, editor+` [data-testid="body-edit-choices-search"]`, "")
	offered := evalJS[[]string](con, `[...document.querySelector(`+wmQ(editor+` [data-testid="body-edit-choices"]`)+`).options].map(o => o.value)`)
	if len(offered) != len(m.delegates)+1-len(picks) || strings.Contains(strings.Join(offered, ","), m.hall.ID) {
		t.Errorf("offered %v; want the chair and the %d delegates not chosen", offered, len(m.delegates)-len(picks))
	}
	row := func(id string) string { return editor + ` [data-testid="body-edit-row"][data-id="` + id + `"]` }
	con.clickSel(row(picks[1].ID) + ` [data-testid="body-edit-make-head"]`)
	con.waitJS(`!!document.querySelector(` + wmQ(row(picks[1].ID)+` [data-testid="body-edit-head"]`) + `)`)
	wmSet(t, con, row(picks[1].ID)+` [data-testid="body-edit-post"]`, "Trưởng ban")
	wmSet(t, con, row(picks[0].ID)+` [data-testid="body-edit-post"]`, "Ủy viên")
	con.shot("body-editor")
	audit.check(con, "console bodies editor")
	con.clickSel(editor + ` [data-testid="body-edit-save"]`)
	con.waitJS(`document.querySelector(` + wmQ(counting) + `).dataset.state === "proposed"`)
	body, ok := bodyOf(m.state(), meeting.BodyCounting)
	want := []meeting.BodyMember{{Participant: picks[1].ID, Post: "Trưởng ban"}, {Participant: picks[0].ID, Post: "Ủy viên"}, {Participant: picks[2].ID}}
	if !ok || fmt.Sprint(body.Members) != fmt.Sprint(want) || body.Approved() {
		t.Errorf("the counting committee on the server = %+v (%v); want proposed with %v", body, ok, want)
	}
	if got := evalJS[[]string](con, `[...document.querySelectorAll(`+wmQ(counting+` [data-testid="body-member"]`)+`)].map(e => e.dataset.id)`); fmt.Sprint(got) != fmt.Sprint([]string{picks[1].ID, picks[0].ID, picks[2].ID}) {
		t.Errorf("the console lists the members %v; want the head first", got)
	}

	// The vote that approves it, from the proposal.
	con.waitJS(`document.querySelector(` + wmQ(counting+` [data-testid="body-vote-question"]`) + `).value === "Thông qua danh sách Ban Kiểm phiếu (3 đồng chí)"`)
	con.clickSel(counting + ` [data-testid="body-vote-create"]`)
	con.waitJS(`!!document.querySelector(` + wmQ(counting+` [data-testid="body-vote"][data-status="draft"]`) + `)`)
	vote := evalJS[string](con, `document.querySelector(`+wmQ(counting+` [data-testid="body-vote"]`)+`).dataset.poll`)
	if p := pollOfState(t, m.state(), vote); p.Kind != meeting.PollOpen || p.Body != meeting.BodyCounting || p.Question != "Thông qua danh sách Ban Kiểm phiếu (3 đồng chí)" {
		t.Errorf("the vote created = %+v; want an open vote on the counting committee", p.PollSpec)
	}
	con.shot("body-proposed")
	con.clickSel(counting + ` [data-testid="body-vote-goto"]`)
	con.waitJS(`document.querySelector('[data-testid="tab-live"]').getAttribute("aria-selected") === "true"`)
	con.waitJS(`document.activeElement === document.querySelector(` + wmQ(wmPollRow(vote)) + `)`)
	con.clickSel(wmPollRow(vote) + ` [data-testid="poll-open"]`)
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(vote)) + `).dataset.status === "open"`)
	for i, v := range voters {
		if _, err := v.Cast(ctx, vote, fmt.Sprintf("body-%d", i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
			t.Fatal(err)
		}
	}
	con.clickConfirm(wmPollRow(vote)+` [data-testid="poll-close"]`, "poll.close")
	con.clickConfirm(wmPollRow(vote)+` [data-testid="poll-publish"]`, "poll.publish")
	con.click("tab-prepare")
	con.waitJS(`document.querySelector(` + wmQ(counting) + `).dataset.state === "approved"`)
	body, _ = bodyOf(m.state(), meeting.BodyCounting)
	if !body.Approved() || body.Poll != vote {
		t.Fatalf("the counting committee on the server = %+v; want approved by %s", body, vote)
	}
	wantLine := fmt.Sprintf("Thông qua bằng biểu quyết “Thông qua danh sách Ban Kiểm phiếu (3 đồng chí)” lúc %s.", body.ApprovedAt.In(ict).Format("02/01/2006 15:04"))
	con.waitJS(`document.querySelector(` + wmQ(counting+` [data-testid="body-approval"]`) + `).textContent === ` + wmQ(wantLine))
	if got := evalJS[string](con, `document.querySelector(`+wmQ(counting+` [data-testid="body-state"]`)+`).dataset.poll`); got != vote {
		t.Errorf("body-state data-poll = %q; want %s", got, vote)
	}
	con.shot("body-approved")
	audit.check(con, "console bodies approved")

	// Replacing the approved list asks first, and says a new vote is needed.
	con.clickSel(counting + ` [data-testid="body-edit"]`)
	con.waitTestID("body-editor")
	con.clickSel(row(picks[2].ID) + ` [data-testid="body-edit-remove"]`)
	con.waitJS(`!document.querySelector(` + wmQ(row(picks[2].ID)) + `)`)
	con.clickSel(editor + ` [data-testid="body-edit-save"]`)
	con.waitJS(`!!document.querySelector(` + wmQ(confirmSel("body.propose")) + `)`)
	if msg := con.text("confirm-message"); !strings.Contains(msg, "phải được biểu quyết thông qua lại") {
		t.Errorf("the confirmation says %q; want that a new vote is needed", msg)
	}
	con.clickSel(confirmSel("body.propose") + ` [data-testid="confirm-cancel"]`)
	con.waitJS(`!document.querySelector('dialog[data-testid="confirm-dialog"]')`)
	if b, _ := bodyOf(m.state(), meeting.BodyCounting); !b.Approved() || len(b.Members) != 3 {
		t.Errorf("cancelled, yet the body changed: %+v", b)
	}
	con.clickSel(editor + ` [data-testid="body-edit-save"]`)
	con.confirm("body.propose")
	con.waitJS(`document.querySelector(` + wmQ(counting) + `).dataset.state === "proposed"`)
	if b, _ := bodyOf(m.state(), meeting.BodyCounting); b.Approved() || len(b.Members) != 2 {
		t.Errorf("after the new proposal the body is %+v; want two members, proposed", b)
	}

	// An unchanged list: the server's refusal, once, in both languages.
	con.clickSel(counting + ` [data-testid="body-edit"]`)
	con.waitTestID("body-editor")
	con.clickSel(editor + ` [data-testid="body-edit-save"]`)
	con.confirm("body.propose")
	con.waitJS(errIs(editor, "body-edit-error", "Danh sách Ban Kiểm phiếu không thay đổi."))
	setLang(con, "en")
	con.waitJS(errIs(editor, "body-edit-error", "the members of the Vote-counting committee are unchanged"))
	setLang(con, "vi")
	con.clickSel(editor + ` [data-testid="body-edit-cancel"]`)
	con.waitJS(`!document.querySelector('[data-testid="body-editor"]')`)
}

// TestConsoleUncapped: an election list longer than the meeting's surplus
// cap is refused with the server's numbers, once; the form explains when
// the rules allow no cap and, ticked, creates the election with uncapped
// set, marked in the list of polls.
func TestConsoleUncapped(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 3)
	m.open()
	audit := newA11yAudit(t)
	defer audit.report()
	con := m.openConsole(b, 1280, 800, "live")
	wmSet(t, con, testidSel("poll-kind"), "election")
	con.waitTestID("poll-uncapped")
	if help := con.text("poll-uncapped-help"); !strings.Contains(help, "tối đa 30%") || !strings.Contains(help, "bầu bí thư trong số hai người") {
		t.Errorf("the help says %q; want the 30%% cap and when the rules allow none", help)
	}
	wmSet(t, con, testidSel("poll-question"), "Bầu Bí thư Đảng ủy")
	wmSet(t, con, testidSel("poll-candidates"), "Nguyễn Văn Một\nTrần Thị Hai\nLê Văn Ba")
	wmSet(t, con, testidSel("poll-seats"), "1")
	con.waitJS(wmTextIs("poll-surplus-hint", "Với 1 người cần bầu, danh sách có số dư được tối đa 2 người."))
	audit.check(con, "console election form")
	con.click("poll-create-submit")
	con.waitJS(errIs("", "poll-create-error", "Danh sách có 3 người để bầu 1: số dư 2 người (200,00%) vượt quá 30% số lượng cần bầu; danh sách có số dư được tối đa 2 người (dư 1)."))
	con.clickSel(testidSel("poll-uncapped"))
	con.waitJS(wmTextIs("poll-surplus-hint", ""))
	con.click("poll-create-submit")
	con.waitTestID("poll-uncapped-badge")
	id := evalJS[string](con, `document.querySelector('[data-testid="poll-uncapped-badge"]').closest('[data-testid="poll-row"]').dataset.id`)
	if p := pollOfState(t, m.state(), id); !p.Uncapped || p.Seats != 1 || len(p.Candidates) != 3 {
		t.Errorf("the election on the server = %+v; want uncapped, 3 names for 1 seat", p.PollSpec)
	}
	if evalJS[bool](con, `document.querySelector('[data-testid="poll-uncapped"]').checked`) {
		t.Error("the box stays ticked for the next poll")
	}
	con.shot("uncapped")
}

// foldVN drops Vietnamese diacritics (as a secretary typing fast would).
func foldVN(s string) string {
	r := strings.NewReplacer(
		"à", "a", "á", "a", "ả", "a", "ã", "a", "ạ", "a", "ă", "a", "ằ", "a", "ắ", "a", "ẳ", "a", "ẵ", "a", "ặ", "a", "â", "a", "ầ", "a", "ấ", "a", "ẩ", "a", "ẫ", "a", "ậ", "a",
		"è", "e", "é", "e", "ẻ", "e", "ẽ", "e", "ẹ", "e", "ê", "e", "ề", "e", "ế", "e", "ể", "e", "ễ", "e", "ệ", "e",
		"ì", "i", "í", "i", "ỉ", "i", "ĩ", "i", "ị", "i",
		"ò", "o", "ó", "o", "ỏ", "o", "õ", "o", "ọ", "o", "ô", "o", "ồ", "o", "ố", "o", "ổ", "o", "ỗ", "o", "ộ", "o", "ơ", "o", "ờ", "o", "ớ", "o", "ở", "o", "ỡ", "o", "ợ", "o",
		"ù", "u", "ú", "u", "ủ", "u", "ũ", "u", "ụ", "u", "ư", "u", "ừ", "u", "ứ", "u", "ử", "u", "ữ", "u", "ự", "u",
		"ỳ", "y", "ý", "y", "ỷ", "y", "ỹ", "y", "ỵ", "y", "đ", "d", "Đ", "D")
	return r.Replace(strings.ToLower(s))
}

// TestConsoleRecordViewports renders the new screens — the details and
// settings cards open (the zones' searchable list), the congress's bodies
// (one approved, one proposed with its vote, one being proposed in the
// editor), the election form with the uncapped flag, and the dialog of a
// meeting opened in another tab on the console and on a tablet — at
// 800×1280, 1280×800, 768×1024, 1920×1080 and 1280×720, and fails on
// horizontal overflow, clipped text or overlapping elements (layoutJS of
// TestRoomViewports); axe runs on each at each size. Full-page screenshots
// go to the artifacts.
func TestConsoleRecordViewports(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 9, "PHONGHOP_MAX_SOCKETS_PER_SESSION=1")
	m.open()
	audit := newA11yAudit(t)
	defer audit.report()
	d := m.state().Details
	d.Locality, d.Collective, d.ChairPost = "Thành phố Hồ Chí Minh", "Ban Chấp hành Đảng bộ", "Bí thư Đảng ủy"
	m.cmd("meeting.update", d)
	voters := m.voters()
	members := func(ids ...int) []map[string]any {
		var out []map[string]any
		for i, k := range ids {
			post := "Ủy viên"
			if i == 0 {
				post = "Trưởng Ban Kiểm phiếu Đại hội"
			}
			out = append(out, map[string]any{"participant": m.delegates[k].ID, "post": post})
		}
		return out
	}
	m.cmd("body.propose", map[string]any{"kind": "counting", "members": members(2, 3, 4)})
	ballots := make([]*meeting.Ballot, len(voters))
	for i := range ballots {
		ballots[i] = &meeting.Ballot{Choice: meeting.ChoiceAgree}
	}
	m.poll(map[string]any{"question": "Thông qua danh sách Ban Kiểm phiếu Đại hội đại biểu Đảng bộ xã lần thứ IX", "kind": "open", "body": "counting"}, voters, ballots)
	m.cmd("body.propose", map[string]any{"kind": "presidium", "members": members(0, 1, 5, 6, 7)})
	m.cmd("poll.create", map[string]any{"question": "Thông qua danh sách Đoàn Chủ tịch (5 đồng chí)", "kind": "open", "body": "presidium"})

	con := m.openConsole(b, 1280, 800, "prepare")
	openCard(con, "details-card")
	openCard(con, "settings-card")
	secretariat := `[data-testid="body"][data-kind="secretariat"]`
	secEditor := `[data-testid="body-editor"][data-kind="secretariat"]`
	con.clickSel(secretariat + ` [data-testid="body-edit"]`)
	con.waitTestID("body-editor")
	for _, p := range m.delegates[5:8] {
		wmSet(t, con, secEditor+` [data-testid="body-edit-choices"]`, p.ID)
		con.clickSel(secEditor + ` [data-testid="body-edit-add"]`)
		con.waitJS(`!!document.querySelector(` + wmQ(secEditor+` [data-testid="body-edit-row"][data-id="`+p.ID+`"]`) + `)`)
	}
	wmSet(t, con, secEditor+` [data-testid="body-edit-choices-search"]`, "nguyen")
	con.click("tab-live")
	wmSet(t, con, testidSel("poll-kind"), "election")
	wmSet(t, con, testidSel("poll-seats"), "7")
	con.clickSel(testidSel("poll-uncapped"))

	prepRegions := map[string]string{"header": "header.topbar, .meeting-head", "bodies": `[data-testid="bodies-card"]`,
		"settings": `[data-testid="settings-card"]`, "details": `[data-testid="details-card"]`}
	liveRegions := map[string]string{"header": "header.topbar, .meeting-head", "polls": `[data-testid="poll-create-form"], [data-testid="poll-list"]`}
	for _, size := range roomViewports {
		w, h := size[0], size[1]
		dim := fmt.Sprintf("%dx%d", w, h)
		con.resize(w, h)
		for _, tab := range []struct {
			name    string
			regions map[string]string
		}{{"prepare", prepRegions}, {"live", liveRegions}} {
			con.click("tab-" + tab.name)
			con.waitJS(`document.querySelector('[data-testid="tab-` + tab.name + `"]').getAttribute("aria-selected") === "true"`)
			checkLayout(t, con, "console "+tab.name+" "+dim, tab.regions, false)
			audit.check(con, "console-record-"+tab.name+"-"+dim)
			con.fullShot("record-" + tab.name + "-" + dim)
		}
	}

	// The dialog of a meeting opened elsewhere, on the console and on a
	// tablet: its own layout (the stale view behind it set aside) and axe.
	conB := con.sibling("console-b", 1280, 800)
	conB.navigate(m.srv.URL + "/console#m=" + m.id + "&tab=live")
	conB.waitJS(wmOnline)
	con.waitTestID("elsewhere-dialog")
	tab := m.pairTablet(b, "tablet", m.delegates[8], 800, 1280)
	tabB := tab.sibling("tablet-b", 800, 1280)
	tabB.navigate(m.srv.URL + "/tablet")
	tabB.waitJS(wmOnline)
	tab.waitTestID("elsewhere-dialog")
	dialog := map[string]string{"dialog": `[data-testid="elsewhere-dialog"]`}
	for _, size := range roomViewports {
		w, h := size[0], size[1]
		dim := fmt.Sprintf("%dx%d", w, h)
		for _, p := range []*page{con, tab} {
			p.resize(w, h)
			audit.check(p, p.name+"-elsewhere-"+dim)
			p.shot("elsewhere-" + dim)
			evalJS[bool](p, `(document.getElementById('app').style.visibility = 'hidden', true)`)
			checkLayout(t, p, p.name+" elsewhere dialog "+dim, dialog, true)
			evalJS[bool](p, `(document.getElementById('app').style.visibility = '', true)`)
		}
	}
}
