package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestBrowserWholeMeeting runs a whole meeting in a real Chromium against the
// real binary, with every actor a browser page in its own browser context
// (own cookies): the secretary's console (/console), three delegates'
// tablets (/tablet) and the hall screen (/hall). Everything the secretary
// does goes through the console's UI — sign-in, creating the meeting, the
// agenda, the participants (CSV pasted), uploading a PDF, issuing pairing
// codes, opening the meeting, advancing the agenda, giving the floor,
// presenting the document page by page, creating, opening, closing and
// publishing a secret ballot and an election, sending a notice, resolving a
// support request, watching the connected tablets. The tablets pair with
// the codes the console shows, check in, follow the agenda and the
// presenter, ask for the floor, vote (the election by striking names), call
// for support; one is cut off the network, shows it, reopens its
// already-opened document, and catches up when back. The Go SDK is used only
// to read the server's state for cross-checks. Screenshots of each page at
// each step go to the artifacts directory (PHONGHOP_ARTIFACTS).
func TestBrowserWholeMeeting(t *testing.T) {
	b := newBrowser(t)
	deadline := time.Now().Add(5 * time.Minute) // each browser action has its own 30 s limit
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	step := func(name string) {
		t.Helper()
		if time.Now().After(deadline) {
			t.Fatalf("the scenario ran out of time before step %q", name)
		}
		t.Logf("step: %s", name)
	}

	const title = "Hội nghị Ban Chấp hành Đảng bộ lần thứ 12 (thử nghiệm)"
	items := []string{"Khai mạc hội nghị", "Thảo luận Báo cáo chính trị", "Biểu quyết và bầu cử"}
	people := []string{"Nguyễn Thị Hồng Nhung", "Trần Quốc Bảo", "Lê Minh Khuê"}
	const hallName = "Màn hình hội trường"
	const docTitle = "Dự thảo Báo cáo chính trị"

	// ---- the console: sign in, prepare the meeting ----
	step("console sign-in")
	con := b.newPage("console", 1400, 1000)
	con.navigate(srv.URL + "/console")
	con.waitTestID("login-form")
	wmLangVI(t, con)
	con.waitText("Đăng nhập tài khoản thư ký")
	wmSet(t, con, testidSel("login-username"), adminUser)
	con.typeInto("login-password", adminPassword)
	con.shot("login")
	con.click("login-submit")
	con.waitTestID("meetings-view")

	step("create the meeting")
	con.typeInto("meeting-title", title) // real key strokes, diacritics included
	wmSet(t, con, testidSel("meeting-place"), "Hội trường tầng 3, Trụ sở Tỉnh ủy")
	con.click("meeting-create-submit")
	con.waitTestID("meeting-view")
	con.waitJS(`/[#&]m=/.test(location.hash)`)
	id := evalJS[string](con, `decodeURIComponent(location.hash.match(/m=([^&]+)/)[1])`)
	con.waitJS(wmTextIs("meeting-heading", title))

	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	state := func() *meeting.State {
		t.Helper()
		st, err := sec.Meeting(ctx, id)
		if err != nil {
			t.Fatalf("read the meeting: %v", err)
		}
		return st
	}
	if got := state().Details.Title; got != title {
		t.Fatalf("the meeting typed in the console is titled %q on the server; want %q", got, title)
	}

	step("agenda")
	for i, it := range items {
		wmSet(t, con, testidSel("agenda-add-title"), it)
		con.click("agenda-add-submit")
		con.waitJS(wmCount(`[data-testid="agenda-item"]`, i+1))
	}
	st := state()
	var itemIDs []string
	for i, it := range st.Agenda {
		if it.Title != items[i] {
			t.Fatalf("agenda item %d = %q; want %q", i+1, it.Title, items[i])
		}
		itemIDs = append(itemIDs, it.ID)
	}

	step("participants from a pasted CSV")
	csv := "họ và tên,chức vụ,vai trò\n"
	for _, p := range people {
		csv += p + ",Ủy viên Ban Chấp hành,đại biểu\n"
	}
	csv += hallName + ",,màn hình\n"
	wmSet(t, con, testidSel("csv-text"), csv)
	con.click("csv-import")
	con.waitJS(wmCount(`[data-testid="participant-row"]`, len(people)+1))
	pid := map[string]string{}
	for _, p := range state().Participants {
		pid[p.Name] = p.ID
	}
	for _, name := range append(people, hallName) {
		if pid[name] == "" {
			t.Fatalf("participant %q is not on the server after the CSV import: %v", name, pid)
		}
	}

	step("upload a PDF")
	pdf := filepath.Join(t.TempDir(), "Báo cáo chính trị.pdf")
	if err := os.WriteFile(pdf, testdocs.PDF(3, "Bao cao chinh tri"), 0o644); err != nil {
		t.Fatal(err)
	}
	con.do("choose the PDF", chromedp.SetUploadFiles(chromedp.CSS(testidSel("doc-file")), []string{pdf}))
	wmSet(t, con, testidSel("doc-title"), docTitle)
	wmSet(t, con, testidSel("doc-item"), itemIDs[1])
	wmSet(t, con, testidSel("doc-access"), "delegates")
	con.clickSel(testidSel("doc-publish-now"))
	con.click("doc-upload-submit")
	con.waitJS(`!!document.querySelector('[data-testid="doc-row"] [data-testid="doc-status"][data-status="published"]')`)
	doc := evalJS[string](con, `document.querySelector('[data-testid="doc-row"]').dataset.id`)
	if d, ok := state().Document(doc); !ok || d.Title != docTitle || d.Status != meeting.DocumentPublished || d.Latest().ContentType != "application/pdf" {
		t.Fatalf("uploaded document %s on the server = %+v", doc, d)
	}
	con.shot("prepared")

	step("pairing codes")
	con.clickConfirm(testidSel("pairing-issue"), "pairing.issue")
	con.waitJS(wmCount(`[data-testid="pairing-sheet"] [data-testid="pairing-card"]`, len(people)+1))
	code := map[string]string{}
	for name, p := range pid {
		c := evalJS[string](con, `(document.querySelector('[data-testid="pairing-sheet"] [data-testid="pairing-card"][data-participant=`+wmQ(p)+`] [data-testid="pairing-code"]')||{}).textContent||""`)
		if c == "" {
			t.Fatalf("no pairing code shown for %s (%s)", name, p)
		}
		code[name] = strings.TrimSpace(c)
	}
	con.shot("pairing-codes")

	// ---- the tablets and the hall pair with the codes the console shows ----
	step("tablets and hall pair")
	tabs := make([]*page, len(people))
	for i, name := range people {
		tb := b.newPage(fmt.Sprintf("tablet%d", i+1), 800, 1100)
		tb.navigate(srv.URL + "/tablet")
		tb.waitTestID("pair-code")
		wmLangVI(t, tb)
		tb.typeInto("pair-code", code[name])
		tb.click("pair-submit")
		tb.waitTestID("me-name")
		tb.waitJS(wmTextIs("me-name", name))
		tb.waitJS(wmTextIs("meeting-title", title))
		tb.waitJS(wmOnline)
		tb.waitText("Chương trình")
		tabs[i] = tb
	}
	hall := b.newPage("hall", 1280, 720)
	hall.navigate(srv.URL + "/hall")
	hall.waitTestID("pair-code")
	wmLangVI(t, hall)
	hall.typeInto("pair-code", code[hallName])
	hall.click("pair-submit")
	hall.waitTestID("hall-title")
	hall.waitJS(wmTextIs("hall-title", title))
	hall.waitJS(wmOnline)
	all := append([]*page{con, hall}, tabs...)
	// shotAll screenshots every page; the console first scrolls the
	// section of the step (conSel) into view.
	shotAll := func(name, conSel string) {
		t.Helper()
		evalJS[bool](con, `(() => { const e = document.querySelector(`+wmQ(conSel)+`); if (e) e.scrollIntoView({block: "center"}); return !!e })()`)
		for _, p := range all {
			p.shot(name)
		}
	}
	paired := 0
	for _, p := range state().Participants {
		if p.Paired {
			paired++
		}
	}
	if paired != len(people)+1 {
		t.Errorf("%d participants paired on the server; want %d", paired, len(people)+1)
	}
	shotAll("paired", testidSel("pairing-sheet"))

	// ---- the meeting opens; delegates check in ----
	step("open and check in")
	con.click("tab-live")
	con.waitTestID("panel-live")
	con.click("live-open")
	con.waitJS(`document.querySelector('[data-testid="live-status"]').dataset.status === "open"`)
	for _, tb := range tabs {
		tb.waitTestID("checkin-button")
		tb.click("checkin-button")
		tb.waitTestID("checkin-status")
		tb.waitText("Đã điểm danh")
	}
	con.waitJS(`document.querySelector('[data-testid="quorum-state"]').dataset.met === "true"`)
	hall.waitJS(`document.querySelector('[data-testid="hall-quorum"]').dataset.met === "true"`)
	hall.waitJS(`document.querySelector('[data-testid="hall-present"]').textContent.startsWith("3/3")`)
	hall.waitText("Đủ số đại biểu để tiến hành")
	shotAll("checked-in", testidSel("quorum-summary"))

	step("connected tablets on the console")
	con.waitJS(`document.querySelectorAll('[data-testid="connection-row"][data-participant^="p"]').length >= 4`)
	for _, name := range append(people, hallName) {
		con.waitJS(`!!document.querySelector('[data-testid="connection-row"][data-participant=` + wmQ(pid[name]) + `]')`)
	}

	// ---- the agenda advances on every tablet and the hall ----
	step("agenda advances")
	for k := 0; k < 2; k++ {
		con.click("live-advance")
		for _, tb := range tabs {
			tb.waitJS(wmCurrent(itemIDs[k]))
		}
		hall.waitJS(`document.querySelector('[data-testid="hall-current"]').textContent.includes(` + wmQ(items[k]) + `)`)
		con.waitJS(`document.querySelector('[data-testid="live-current"]').textContent.includes(` + wmQ(items[k]) + `)`)
		shotAll("agenda-"+strconv.Itoa(k+1), testidSel("live-current"))
	}

	// ---- a request to speak; the floor; the countdown ----
	step("request to speak")
	speaker := tabs[0]
	speaker.click("tab-floor")
	speaker.waitText("Xin phát biểu")
	speaker.click("floor-request")
	speaker.waitTestID("floor-position")
	reqSel := `[data-testid="speaker-request"][data-participant=` + wmQ(pid[people[0]]) + `]`
	con.waitJS(`(document.querySelector(` + wmQ(reqSel) + `)||{textContent:""}).textContent.includes(` + wmQ(people[0]) + `)`)
	hall.waitJS(`document.querySelector('[data-testid="hall-queue"]').textContent.includes(` + wmQ(people[0]) + `)`)
	shotAll("floor-requested", testidSel("speaker-queue"))

	step("give the floor; countdown")
	con.clickSel(reqSel + ` [data-testid="speaker-give-floor"]`)
	speaker.waitTestID("speech-clock")
	hall.waitJS(`document.querySelector('[data-testid="hall-speaker"]').textContent.includes(` + wmQ(people[0]) + `)`)
	for _, p := range []*page{speaker, hall} {
		p.waitJS(`(() => { const c = document.querySelector('[data-testid="speech-clock"]'); return c && /^\d\d?:\d\d$/.test(c.textContent.trim()) })()`)
	}
	speaker.waitJS(`+document.querySelector('[data-testid="speech-clock"]').dataset.remainingMs > 0`)
	first := evalJS[float64](speaker, `+document.querySelector('[data-testid="speech-clock"]').dataset.remainingMs`)
	if first <= 0 || first > float64(meeting.DefaultSpeakingTime/time.Millisecond) {
		t.Errorf("remaining speaking time = %v ms; want within the default %v", first, meeting.DefaultSpeakingTime)
	}
	speaker.waitJS(`+document.querySelector('[data-testid="speech-clock"]').dataset.remainingMs < ` + strconv.FormatFloat(first, 'f', 0, 64))
	hallClock := evalJS[string](hall, `document.querySelector('[data-testid="speech-clock"]').textContent.trim()`)
	hall.waitJS(`document.querySelector('[data-testid="speech-clock"]').textContent.trim() !== ` + wmQ(hallClock)) // it runs
	con.waitJS(`document.querySelector('[data-testid="speaker-current"]').textContent.includes(` + wmQ(people[0]) + `)`)
	shotAll("countdown", testidSel("speaker-current"))
	con.click("speaker-end")
	speaker.waitTestID("floor-nobody")
	hall.waitJS(`!document.querySelector('[data-testid="speech-clock"]')`)

	// ---- the document follows the presenter ----
	step("open the document on a tablet")
	reader := tabs[1]
	reader.waitTestID("doc-open-" + doc)
	reader.click("doc-open-" + doc)
	reader.waitJS(wmRendered(doc, 1, 1))
	reader.shot("document-opened")

	step("present pages from the console")
	wmSet(t, con, testidSel("present-doc"), doc)
	wmSet(t, con, testidSel("present-page"), "1")
	con.click("present-send")
	con.waitJS(`document.querySelector('[data-testid="present-current"]').dataset.doc === ` + wmQ(doc))
	for page := 2; page <= 3; page++ {
		con.click("present-next")
		for _, tb := range tabs { // following is the default: every tablet shows the presented page
			tb.waitJS(wmRendered(doc, 1, page))
		}
		con.waitJS(`document.querySelector('[data-testid="present-current"]').dataset.page === "` + strconv.Itoa(page) + `"`)
		shotAll("presented-page-"+strconv.Itoa(page), testidSel("present-current"))
	}
	if p := state().Presentation; p == nil || *p != (meeting.Presentation{DocumentID: doc, Version: 1, Page: 3}) {
		t.Errorf("server presentation = %+v; want %s v1 page 3", p, doc)
	}
	con.click("present-stop")
	con.waitJS(`document.querySelector('[data-testid="present-current"]').dataset.doc === ""`)
	for _, tb := range tabs {
		tb.click("doc-close")
		tb.waitJS(`document.querySelector('[data-testid="doc-viewer"]').hidden`)
	}

	// ---- a secret ballot ----
	step("secret ballot")
	secretQ := "Thông qua Báo cáo chính trị trình Đại hội"
	secret := wmCreatePoll(t, con, secretQ, "secret", itemIDs[1], "", 0)
	con.clickSel(wmPollRow(secret) + ` [data-testid="poll-open"]`)
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(secret)) + `).dataset.status === "open"`)
	hall.waitTestID("hall-poll-" + secret)
	choices := []string{"agree", "agree", "disagree"}
	for i, tb := range tabs {
		tb.click("tab-polls")
		card := testidSel("poll-" + secret)
		tb.clickSel(card + ` [data-testid="choice-` + choices[i] + `"]`)
		tb.waitTestID("vote-confirm-panel")
		tb.clickSel(card + ` [data-testid="vote-confirm"]`)
		tb.waitJS(`["recorded","voted"].includes((document.querySelector(` + wmQ(card) + `)||{dataset:{}}).dataset.step)`)
		tb.waitText("Đã ghi nhận")
	}
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(secret)+` [data-testid="poll-progress"]`) + `).dataset.voted === "3"`)
	hall.waitJS(`document.querySelector('[data-testid="hall-progress"]').textContent.trim() === "3/3"`)
	shotAll("secret-ballot-cast", testidSel("poll-list"))
	con.clickConfirm(wmPollRow(secret)+` [data-testid="poll-close"]`, "poll.close")
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(secret)) + `).dataset.status === "closed"`)
	con.clickConfirm(wmPollRow(secret)+` [data-testid="poll-publish"]`, "poll.publish")
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(secret)) + `).dataset.status === "published"`)
	hall.waitTestID("result-" + secret)
	hall.waitJS(wmHallResult(secret, "Thông qua", map[string]int{"agree": 2, "disagree": 1, "abstain": 0}))
	shotAll("secret-ballot-published", testidSel("poll-list"))
	res := pollResult(t, state(), secret)
	if res == nil || wmVotes(res, meeting.ChoiceAgree) != 2 || wmVotes(res, meeting.ChoiceDisagree) != 1 || !res.Passed {
		t.Errorf("secret ballot result on the server = %+v; want 2 agree, 1 disagree, passed", res)
	}

	// ---- an election, by striking names ----
	step("election")
	candidates := []string{"Nguyễn Văn Hải", "Phạm Thị Lan", "Đỗ Minh Tuấn"}
	election := wmCreatePoll(t, con, "Bầu Ủy viên Ban Thường vụ", "election", itemIDs[2], strings.Join(candidates, "\n"), 2)
	con.clickSel(wmPollRow(election) + ` [data-testid="poll-open"]`)
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(election)) + `).dataset.status === "open"`)
	var candIDs []string
	for _, c := range pollOfState(t, state(), election).Candidates {
		candIDs = append(candIDs, c.ID)
	}
	if len(candIDs) != 3 {
		t.Fatalf("election candidates on the server = %v; want 3", candIDs)
	}
	// Tablet 1 and 2 strike the third candidate, tablet 3 the second.
	strike := []int{2, 2, 1}
	for i, tb := range tabs {
		card := testidSel("poll-" + election)
		tb.waitTestID("poll-" + election)
		tb.clickSel(card + ` [data-testid="strike-` + candIDs[strike[i]] + `"]`)
		tb.waitJS(`document.querySelector(` + wmQ(card+` [data-testid="candidate-`+candIDs[strike[i]]+`"]`) + `).classList.contains("struck")`)
		tb.clickSel(card + ` [data-testid="vote-review"]`)
		tb.waitTestID("vote-confirm-panel")
		tb.shot("election-confirm")
		tb.clickSel(card + ` [data-testid="vote-confirm"]`)
		tb.waitJS(`["recorded","voted"].includes((document.querySelector(` + wmQ(card) + `)||{dataset:{}}).dataset.step)`)
	}
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(election)+` [data-testid="poll-progress"]`) + `).dataset.voted === "3"`)
	con.clickConfirm(wmPollRow(election)+` [data-testid="poll-close"]`, "poll.close")
	con.waitJS(`document.querySelector(` + wmQ(wmPollRow(election)) + `).dataset.status === "closed"`)
	con.clickConfirm(wmPollRow(election)+` [data-testid="poll-publish"]`, "poll.publish")
	hall.waitTestID("result-" + election)
	hall.waitJS(wmHallResult(election, "Trúng cử: "+candidates[0]+", "+candidates[1], map[string]int{candIDs[0]: 3, candIDs[1]: 2, candIDs[2]: 1}))
	for _, c := range candidates {
		hall.waitJS(`document.querySelector('[data-testid="result-` + election + `"] [data-testid="result-chart"]').textContent.includes(` + wmQ(c) + `)`)
	}
	shotAll("election-published", testidSel("poll-list"))
	eres := pollResult(t, state(), election)
	if eres == nil {
		t.Fatalf("election %s has no result on the server", election)
	}
	wantVotes := map[string]int{candIDs[0]: 3, candIDs[1]: 2, candIDs[2]: 1}
	for _, c := range eres.Candidates {
		if c.Votes != wantVotes[c.ID] {
			t.Errorf("election: candidate %s has %d votes; want %d", c.ID, c.Votes, wantVotes[c.ID])
		}
	}

	// ---- a support request ----
	step("support request")
	asker := tabs[0]
	asker.click("support-button")
	asker.waitTestID("support-dialog")
	wmSet(t, asker, testidSel("support-message"), "Micro ở ghế số 12 không hoạt động")
	asker.click("support-send")
	asker.waitTestID("support-status")
	supSel := `[data-testid="support-item"][data-resolved="false"]`
	con.waitJS(`(document.querySelector(` + wmQ(supSel) + `)||{textContent:""}).textContent.includes("Micro ở ghế số 12")`)
	shotAll("support-requested", testidSel("support-list"))
	con.clickSel(supSel + ` [data-testid="support-resolve"]`)
	con.waitJS(`!!document.querySelector('[data-testid="support-item"][data-resolved="true"]')`)
	asker.waitJS(`!document.querySelector('[data-testid="support-status"]')`)

	// ---- a tablet goes offline, reopens its document, catches up ----
	step("offline")
	off := tabs[2]
	off.click("tab-agenda")
	off.setOffline(true)
	off.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status !== "online"`)
	off.waitText("Mất mạng")
	off.waitTestID("doc-open-" + doc)
	off.click("doc-open-" + doc) // opened (and followed) before: drawn from its own copy
	off.waitJS(wmRendered(doc, 1, 1))
	if src := evalJS[string](off, `document.querySelector('[data-testid="doc-viewer"]').dataset.source`); src != "memory" && src != "cache" {
		t.Errorf("the document reopened offline came from %q; want the tablet's own copy (memory or cache)", src)
	}
	off.waitTestID("doc-offline")
	off.waitText("Đang xem bản đã tải (mất mạng).")
	off.shot("offline-document")

	// Meanwhile the secretary moves on and sends a notice.
	const notice = "Đề nghị các đồng chí về phòng họp đúng giờ sau giải lao."
	for _, tb := range tabs[:2] {
		tb.click("tab-agenda")
		tb.waitTestID("agenda-list")
	}
	con.click("live-advance")
	for _, tb := range tabs[:2] {
		tb.waitJS(wmCurrent(itemIDs[2]))
	}
	wmSet(t, con, testidSel("notice-text"), notice)
	con.click("notice-send")
	con.waitJS(`document.querySelector('[data-testid="notice-list"]').textContent.includes(` + wmQ(notice) + `)`)
	hall.waitJS(`document.querySelector('[data-testid="hall-current"]').textContent.includes(` + wmQ(items[2]) + `)`)
	// The offline tablet cannot know yet.
	if evalJS[bool](off, wmCurrent(itemIDs[2])) {
		t.Errorf("the offline tablet shows the new current item before reconnecting")
	}
	shotAll("while-offline", testidSel("notice-list"))

	step("back online")
	off.setOffline(false)
	off.waitJS(wmOnline)
	off.click("doc-close")
	off.waitJS(wmCurrent(itemIDs[2]))
	off.click("tab-notices")
	off.waitText(notice)
	shotAll("resynced", testidSel("connections-list"))

	// The console's list of connections still counts every tablet and the
	// hall (the offline tablet reconnected with a new socket).
	con.waitJS(`document.querySelectorAll('[data-testid="connection-row"][data-participant=` + wmQ(pid[people[2]]) + `]').length >= 1`)
	for _, p := range all {
		p.checkErrors()
	}
}

// ---- helpers of this test (prefixed wm: the e2e package is shared) ----

// wmQ quotes s as a JavaScript string literal.
func wmQ(s string) string { return strconv.Quote(s) }

// wmSet sets the value of the input, textarea or select matched by sel as a
// user would leave it (input and change events); a select once it offers
// value (its options may come with a list the page is still fetching).
func wmSet(t *testing.T, p *page, sel, value string) {
	t.Helper()
	p.waitJS(`(() => { const e = document.querySelector(` + wmQ(sel) + `); return !!e && (e.tagName !== 'SELECT' || [...e.options].some((o) => o.value === ` + wmQ(value) + `)) })()`)
	if !evalJS[bool](p, `(() => { const e = document.querySelector(`+wmQ(sel)+`); e.focus(); e.value = `+wmQ(value)+`;
		e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return e.value === `+wmQ(value)+` })()`) {
		t.Fatalf("%s: could not set %s to %q (no such option?)", p.name, sel, value)
	}
}

// wmLangVI checks the page is in Vietnamese (the default).
func wmLangVI(t *testing.T, p *page) {
	t.Helper()
	p.waitJS(`document.documentElement.lang === "vi"`)
}

func wmTextIs(testid, text string) string {
	return `(document.querySelector(` + wmQ(testidSel(testid)) + `)||{textContent:""}).textContent.trim() === ` + wmQ(text)
}

func wmCount(sel string, n int) string {
	return `document.querySelectorAll(` + wmQ(sel) + `).length === ` + strconv.Itoa(n)
}

const wmOnline = `(document.querySelector('[data-testid="conn-status"]')||{dataset:{}}).dataset.status === "online"`

func wmCurrent(item string) string {
	return `(document.querySelector('[data-testid="agenda-item-` + item + `"]')||{dataset:{}}).dataset.current === "true"`
}

func wmRendered(doc string, version, page int) string {
	return fmt.Sprintf(`(() => { const v = document.querySelector('[data-testid="doc-viewer"]'); return !!v && !v.hidden && v.dataset.rendered === "%s:%d:%d" })()`, doc, version, page)
}

// wmHallResult is true when the hall shows the published result of poll id
// with the outcome text and a bar of votes[key] votes for each key.
func wmHallResult(id, outcome string, votes map[string]int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `(() => { const f = document.querySelector('[data-testid="result-%s"]'); if (!f) return false;
		const o = f.querySelector('[data-testid="result-outcome"]'); if (!o || o.textContent.trim() !== %s) return false;`, id, wmQ(outcome))
	for k, n := range votes {
		fmt.Fprintf(&b, ` { const r = f.querySelector('.bar-row[data-key=%s]'); if (!r || r.dataset.votes !== "%d") return false; }`, wmQ(k), n)
	}
	b.WriteString(` return true })()`)
	return b.String()
}

func wmPollRow(id string) string { return `[data-testid="poll-row"][data-id="` + id + `"]` }

// wmCreatePoll fills the console's poll form and returns the new poll's ID.
func wmCreatePoll(t *testing.T, con *page, question, kind, item, candidates string, seats int) string {
	t.Helper()
	before := evalJS[int](con, `document.querySelectorAll('[data-testid="poll-row"]').length`)
	wmSet(t, con, testidSel("poll-question"), question)
	wmSet(t, con, testidSel("poll-kind"), kind)
	wmSet(t, con, testidSel("poll-item"), item)
	if kind == "election" {
		wmSet(t, con, testidSel("poll-candidates"), candidates)
		wmSet(t, con, testidSel("poll-seats"), strconv.Itoa(seats))
	}
	con.click("poll-create-submit")
	con.waitJS(wmCount(`[data-testid="poll-row"]`, before+1))
	id := evalJS[string](con, `(() => { for (const r of document.querySelectorAll('[data-testid="poll-row"]')) if (r.textContent.includes(`+wmQ(question)+`)) return r.dataset.id; return "" })()`)
	if id == "" {
		t.Fatalf("the poll %q does not appear in the console", question)
	}
	return id
}

func pollOfState(t *testing.T, st *meeting.State, id string) meeting.Poll {
	t.Helper()
	p, ok := st.Poll(id)
	if !ok {
		t.Fatalf("poll %s is not on the server", id)
	}
	return p
}

func pollResult(t *testing.T, st *meeting.State, id string) *meeting.Result {
	t.Helper()
	return pollOfState(t, st, id).Result
}

func wmVotes(r *meeting.Result, c meeting.Choice) int {
	for _, o := range r.Options {
		if o.Choice == c {
			return o.Votes
		}
	}
	return -1
}
