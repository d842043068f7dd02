package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestBrowserTabletAndHall drives the delegate tablet (/tablet) and the hall
// screen (/hall) in a real Chromium against the real binary, while the
// secretary acts through the Go SDK: pairing from the pairing URL, check-in,
// the agenda following the secretary, the floor and its countdown, a
// document in pdf.js following the presenter, going offline (indicator, the
// opened document still readable, changes made meanwhile arriving after the
// reconnect), a secret ballot whose receipt appears only after the server's
// acknowledgement (cast while offline, acknowledged after the reconnect), an
// election ballot striking names, a rating ballot, notices, a support
// request, the English switch, and the hall's current item, countdown and
// published results chart. Screenshots at 1280×800 and 800×1280.
func TestBrowserTabletAndHall(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	data := t.TempDir()
	srv := startServer(t, "127.0.0.1:0", data)

	sec, secHTTP := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Ban Chấp hành mở rộng", Place: "Hội trường A"})
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
	var items []string
	for _, title := range []string{"Khai mạc", "Báo cáo chính trị", "Thảo luận tổ"} {
		items = append(items, fmt.Sprintf("i%d", cmd("agenda.add", map[string]any{"title": title})))
	}
	parts, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader("họ và tên,chức vụ,vai trò\n"+
		"Trần Văn Thử,Ủy viên,đại biểu\nLê Thị Mẫu,Ủy viên,đại biểu\nPhạm Văn Ví Dụ,Ủy viên,đại biểu\nMàn hình hội trường,,màn hình\n"))
	if err != nil {
		t.Fatal(err)
	}
	me, other1, other2, hall := parts[0], parts[1], parts[2], parts[3]
	codes, err := sec.PairingCodes(ctx, id, []string{me.ID, hall.ID})
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]client.PairingCode{}
	for _, c := range codes {
		code[c.Participant] = c
	}
	up, err := sec.Upload(ctx, id, client.NewDocument{Title: "Dự thảo Báo cáo chính trị", Item: items[1], Access: meeting.AccessPublic, Publish: true},
		"bao-cao.pdf", bytes.NewReader(testdocs.PDF(3, "Du thao bao cao")))
	if err != nil {
		t.Fatal(err)
	}
	doc := up.Document.ID
	upConf, err := sec.Upload(ctx, id, client.NewDocument{Title: "Hồ sơ nhân sự (mật)", Item: items[1], Access: meeting.AccessNamed, Readers: []string{me.ID}, Publish: true},
		"nhan-su.pdf", bytes.NewReader(testdocs.PDF(1, "Ho so nhan su")))
	if err != nil {
		t.Fatal(err)
	}
	conf := upConf.Document.ID
	upDocx, err := sec.Upload(ctx, id, client.NewDocument{Title: "Phụ lục số liệu", Item: items[1], Access: meeting.AccessDelegates, Publish: true},
		"phu-luc.docx", bytes.NewReader(testdocs.DOCX("Phu luc")))
	if err != nil {
		t.Fatal(err)
	}
	cmd("meeting.open", nil)
	cmd("agenda.current", map[string]any{"id": items[0]})

	// The hall screen pairs from its URL.
	hallPage := b.newPage("hall", 1280, 800)
	hallPage.navigate(srv.URL + "/hall#code=" + code[hall.ID].Code)
	hallPage.waitTestID("hall-current")
	hallPage.waitJS(`document.querySelector('[data-testid="hall-current"]').textContent.includes("Khai mạc")`)
	hallPage.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "online"`)

	// The tablet pairs from the pairing URL printed as a QR code.
	if !strings.HasSuffix(code[me.ID].PairURL, "/tablet#code="+code[me.ID].Code) {
		t.Fatalf("pair_url %q is not the tablet page", code[me.ID].PairURL)
	}
	tab := b.newPage("tablet", 1280, 800)
	tab.navigate(srv.URL + "/tablet#code=" + code[me.ID].Code)
	tab.waitTestID("me-name")
	if got := tab.text("me-name"); got != me.Name {
		t.Errorf("me-name = %q; want %q", got, me.Name)
	}
	if loc := evalJS[string](tab, `location.href`); strings.Contains(loc, "code=") {
		t.Errorf("the one-time code stays in the address: %s", loc)
	}
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "online"`)
	tab.waitText("Chương trình")
	tab.waitTestID("checkin-button")
	tab.shot("paired")
	tab.click("checkin-button")
	tab.waitTestID("checkin-status")
	tab.waitText("Đã điểm danh")
	if st := secState(ctx, t, sec, id); !st.Attendance[me.ID].In() {
		t.Errorf("the tablet's check-in is not in the server's state: %+v", st.Attendance[me.ID])
	}
	hallPage.waitJS(`document.querySelector('[data-testid="hall-present"]').textContent.startsWith("1/3")`)

	// The agenda follows the secretary.
	tab.waitJS(currentIs(items[0]))
	cmd("agenda.current", map[string]any{"id": items[1]})
	tab.waitJS(currentIs(items[1]))
	hallPage.waitJS(`document.querySelector('[data-testid="hall-current"]').textContent.includes("Báo cáo chính trị")`)
	tab.shot("agenda-follows")

	// The floor: request, queue, countdown.
	tab.click("tab-floor")
	tab.waitText("Xin phát biểu")
	tab.click("floor-request")
	tab.waitTestID("floor-position")
	if got := tab.text("floor-position"); !strings.Contains(got, "thứ 1") {
		t.Errorf("floor-position = %q", got)
	}
	hallPage.waitJS(`document.querySelector('[data-testid="hall-queue"]').textContent.includes(` + jsq(me.Name) + `)`)
	tab.click("floor-withdraw")
	tab.waitTestID("floor-request")
	hallPage.waitJS(`!document.querySelector('[data-testid="hall-queue"]').textContent.includes(` + jsq(me.Name) + `)`)
	tab.click("floor-request")
	tab.waitTestID("floor-position")
	cmd("speaker.give_floor", nil)
	tab.waitJS(`(document.querySelector('[data-testid="speaker-name"]')||{}).textContent === "Đồng chí đang phát biểu"`)
	tab.waitJS(`+(document.querySelector('[data-testid="speech-clock"]')||{dataset:{}}).dataset.remainingMs > 250000`)
	if got := tab.text("speech-clock"); !strings.HasPrefix(got, "4:") && !strings.HasPrefix(got, "5:") {
		t.Errorf("countdown = %q; want about 5 minutes", got)
	}
	hallPage.waitJS(`+(document.querySelector('[data-testid="speech-clock"]')||{dataset:{}}).dataset.remainingMs > 250000`)
	hallPage.waitJS(`document.querySelector('[data-testid="hall-speaker"]').textContent.includes(` + jsq(me.Name) + `)`)
	tab.shot("speaking")
	hallPage.shot("speaking")
	cmd("speaker.end", nil)
	tab.waitTestID("floor-nobody")

	// A document in pdf.js, following the presenter; other types download.
	tab.click("tab-agenda")
	tab.waitTestID("doc-download-" + upDocx.Document.ID)
	if href := evalJS[string](tab, `document.querySelector('[data-testid="doc-download-`+upDocx.Document.ID+`"]').getAttribute("href")`); href != "/api/meetings/"+id+"/documents/"+upDocx.Document.ID+"/versions/1/content" {
		t.Errorf("docx link = %q", href)
	}
	tab.click("doc-open-" + doc)
	tab.waitJS(rendered(doc, 1, 1))
	if got := tab.text("doc-page"); got != "Trang 1/3" {
		t.Errorf("doc-page = %q; want Trang 1/3", got)
	}
	tab.shot("document")
	{
		cmd("document.present", map[string]any{"document_id": doc, "version": 1, "page": 2})
		tab.waitJS(rendered(doc, 1, 2))
		// The hall screen shows the presented page (a public document).
		hallPage.waitJS(`(document.querySelector('[data-testid="hall-presentation"]')||{dataset:{}}).dataset.rendered === "` + doc + `:1:2"`)
		hallPage.shot("presentation")
		tab.click("doc-prev") // browsing on one's own stops following
		tab.waitJS(rendered(doc, 1, 1))
		tab.waitJS(`document.querySelector('[data-testid="doc-follow"]').getAttribute("aria-pressed") === "false"`)
		cmd("document.present", map[string]any{"document_id": doc, "version": 1, "page": 3})
		tab.click("doc-follow")
		tab.waitJS(rendered(doc, 1, 3))
		hallPage.waitJS(`(document.querySelector('[data-testid="hall-presentation"]')||{dataset:{}}).dataset.rendered === "` + doc + `:1:3"`)
		tab.shot("following-presenter")
	}

	// A confidential document: readable, kept in memory only, never in
	// Cache Storage (the public one is there, for reloads while offline).
	tab.click("doc-close")
	tab.click("doc-open-" + conf)
	tab.waitJS(rendered(conf, 1, 1))
	cached := evalJS[[]string](tab, `caches.open("phonghop-docs-v1").then(c => c.keys()).then(ks => ks.map(r => new URL(r.url).pathname))`, chromedp.EvalAwaitPromise)
	wantCached := "/api/meetings/" + id + "/documents/" + doc + "/versions/1/content"
	if !slices.Contains(cached, wantCached) || slices.ContainsFunc(cached, func(u string) bool { return strings.Contains(u, "/documents/"+conf+"/") }) {
		t.Errorf("Cache Storage holds %q; want the public document and not the confidential one", cached)
	}
	tab.click("doc-close") // closing stops following
	tab.click("doc-open-" + doc)
	tab.waitJS(rendered(doc, 1, 1))
	tab.click("doc-follow") // resume: back to the presented page
	tab.waitJS(rendered(doc, 1, 3))

	// Offline: the indicator, the opened document still readable, changes
	// made meanwhile arrive after the reconnect.
	tab.setOffline(true)
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "offline"`)
	tab.waitText("Mất mạng")
	tab.click("doc-close")
	tab.click("doc-open-" + doc)
	tab.waitJS(rendered(doc, 1, 1))
	if src := evalJS[string](tab, `document.querySelector('[data-testid="doc-viewer"]').dataset.source`); src != "memory" {
		t.Errorf("offline document came from %q; want memory", src)
	}
	tab.waitTestID("doc-offline")
	tab.shot("offline-document")
	tab.click("doc-close")
	cmd("agenda.current", map[string]any{"id": items[2]})
	cmd("notice.send", map[string]any{"text": "Giải lao 15 phút, mời các đồng chí dùng trà."})
	cmd("notice.send", map[string]any{"text": "Đồng chí vui lòng gặp Văn phòng sau giờ họp.", "to": me.ID})
	tab.shot("offline")
	if tab.exists(`[data-testid="agenda-item-` + items[2] + `"][data-current="true"]`) {
		t.Error("the offline tablet shows a change it cannot have received")
	}
	tab.setOffline(false)
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "online"`)
	tab.waitJS(currentIs(items[2]))
	tab.click("tab-notices")
	tab.waitText("Giải lao 15 phút")
	tab.waitJS(`document.querySelectorAll('[data-testid^="notice-"][data-private="true"]').length === 1`)
	tab.shot("notices")

	// A break: the tablet says the meeting is paused, then not any more.
	cmd("meeting.pause", nil)
	tab.waitTestID("meeting-banner")
	tab.waitText("Hội nghị đang tạm dừng.")
	cmd("meeting.resume", nil)
	tab.waitJS(`!document.querySelector('[data-testid="meeting-banner"]')`)

	// The others come, so the polls have a quorum.
	cmd("attendance.mark", map[string]any{"participant": other1.ID, "status": "present"})
	cmd("attendance.mark", map[string]any{"participant": other2.ID, "status": "present"})

	// A secret ballot: cast while offline, "Đã ghi nhận" only after the ack.
	vote := fmt.Sprintf("v%d", cmd("poll.create", map[string]any{"question": "Thông qua Nghị quyết hội nghị", "kind": "secret"}))
	cmd("poll.open", map[string]any{"id": vote})
	pollSel := `[data-testid="poll-` + vote + `"]`
	tab.waitTestID("poll-" + vote) // the tablet switches to the vote
	hallPage.waitTestID("hall-poll-" + vote)
	// A ballot suggests no answer: the three choices look exactly alike.
	if looks := evalJS[[]string](tab, `[...document.querySelectorAll('`+pollSel+` [data-testid^="choice-"]')].map((b) => {
		const s = getComputedStyle(b); return [b.className, s.backgroundColor, s.color, s.borderColor, s.fontWeight].join("|") })`); len(looks) != 3 || looks[0] != looks[1] || looks[1] != looks[2] {
		t.Errorf("the choices of a secret ballot look different: %q", looks)
	}
	tab.setOffline(true)
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "offline"`)
	tab.clickSel(pollSel + ` [data-testid="choice-agree"]`)
	tab.waitTestID("vote-confirm-panel")
	if got := tab.text("vote-summary"); got != "Tán thành" {
		t.Errorf("vote-summary = %q", got)
	}
	tab.click("vote-confirm")
	tab.waitTestID("vote-sending")
	if tab.exists(`[data-testid="vote-receipt"]`) {
		t.Fatal("the receipt shows before the server acknowledged the ballot")
	}
	tab.shot("ballot-sending-offline")
	if n := votedInBox(ctx, t, secHTTP, srv.URL, id, vote); n != 0 {
		t.Fatalf("%d ballots stored while the tablet was offline", n)
	}
	tab.setOffline(false)
	tab.waitTestID("vote-receipt")
	tab.waitText("Đã ghi nhận")
	if n := votedInBox(ctx, t, secHTTP, srv.URL, id, vote); n != 1 {
		t.Fatalf("after the receipt the ballot box holds %d ballots; want 1", n)
	}
	hallPage.waitJS(`document.querySelector('[data-testid="hall-progress"]').textContent === "1/3"`)
	if tab.exists(`[data-testid="polls-badge"]`) {
		t.Error("the polls tab still counts a vote to cast after the receipt")
	}
	tab.shot("ballot-recorded")
	// After a reload the tablet still knows (my-ballot / its replica).
	tab.navigate(srv.URL + "/tablet")
	tab.waitJS(rendered(doc, 1, 3)) // a fresh page follows the presentation at once
	tab.click("doc-close")
	tab.click("tab-polls")
	tab.waitJS(`(document.querySelector('` + pollSel + `')||{dataset:{}}).dataset.step === "voted"`)
	tab.waitText("Đã ghi nhận")
	cmd("poll.close", map[string]any{"id": vote})
	cmd("poll.publish", map[string]any{"id": vote})
	hallPage.waitTestID("result-" + vote)
	hallPage.waitJS(`document.querySelector('[data-testid="result-chart"] .bar-row[data-key="agree"]').dataset.votes === "1"`)
	// 1 of 3 summoned agreed: not more than half (docs/rules.md), as the server counted.
	hallPage.waitJS(`document.querySelector('[data-testid="result-outcome"]').textContent === "Không thông qua"`)
	hallPage.shot("results")

	// An election: strike a name, keep at most Seats.
	elect := fmt.Sprintf("v%d", cmd("poll.create", map[string]any{"question": "Bầu Ban Kiểm phiếu", "kind": "election", "seats": 2,
		"candidates": []map[string]any{{"name": "Nguyễn Văn Một"}, {"name": "Hoàng Thị Hai"}, {"name": "Đỗ Văn Ba"}}}))
	cmd("poll.open", map[string]any{"id": elect})
	tab.waitTestID("poll-" + elect)
	tab.waitJS(`document.querySelector('[data-testid="kept-count"]').textContent === "Giữ lại 3/2"`)
	// Keeping too many names: the review warns (meeting.CheckBallot in wasm).
	tab.click("vote-review")
	tab.waitTestID("vote-warning")
	if got := tab.text("vote-warning"); !strings.Contains(got, "bầu quá số lượng đã quyết định") { // the shared term (server/meeting/terms.go)
		t.Errorf("vote-warning = %q", got)
	}
	tab.click("vote-back")
	tab.click("strike-c2")
	tab.waitJS(`document.querySelector('[data-testid="candidate-c2"]').classList.contains("struck")`)
	tab.waitJS(`document.querySelector('[data-testid="kept-count"]').textContent === "Giữ lại 2/2"`)
	tab.shot("election")
	tab.click("vote-review")
	tab.waitTestID("vote-confirm-panel")
	if tab.exists(`[data-testid="vote-warning"]`) {
		t.Error("a valid election ballot is flagged invalid")
	}
	// A tap during a re-render: the finger goes down on "Gửi phiếu", an event
	// arrives and is folded and drawn, then the finger lifts. The tap must
	// still send the ballot (a page that swaps the button under the finger
	// loses it — during a vote progress arrives several times a second).
	xy := evalJS[[]float64](tab, `(() => { const r = document.querySelector('[data-testid="vote-confirm"]').getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2]; })()`)
	tab.do("press on vote-confirm", chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, xy[0], xy[1], chromedp.ButtonLeft, chromedp.ClickCount(1)))
	seq := cmd("notice.send", map[string]any{"text": "Đề nghị các đồng chí kiểm tra kỹ phiếu bầu."})
	tab.waitJS(fmt.Sprintf(`globalThis.phonghopKernel.seq() >= %d`, seq))
	evalJS[bool](tab, `new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`, chromedp.EvalAwaitPromise)
	tab.do("release on vote-confirm", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, xy[0], xy[1], chromedp.ButtonLeft, chromedp.ClickCount(1)))
	tab.waitTestID("vote-receipt")
	cmd("poll.close", map[string]any{"id": elect})
	cmd("poll.publish", map[string]any{"id": elect})
	if r := pollOf(secState(ctx, t, sec, id), elect).Result; r == nil || votesOf(r, "c1") != 1 || votesOf(r, "c2") != 0 || votesOf(r, "c3") != 1 {
		t.Errorf("election result %+v; want c1 and c3 kept, c2 struck", r)
	}
	hallPage.waitTestID("result-" + elect)

	// A rating: one level per person.
	rate := fmt.Sprintf("v%d", cmd("poll.create", map[string]any{"question": "Đánh giá, xếp loại cán bộ năm 2025", "kind": "rating", "scale": "review",
		"subjects": []map[string]any{{"name": "Nguyễn Văn Một"}, {"name": "Hoàng Thị Hai"}}}))
	cmd("poll.open", map[string]any{"id": rate})
	tab.waitTestID("poll-" + rate)
	tab.click("rate-c1-excellent")
	tab.click("rate-c2-good")
	tab.waitJS(`document.querySelector('[data-testid="rate-c2-good"]').getAttribute("aria-pressed") === "true"`)
	tab.click("vote-review")
	tab.waitText("Hoàn thành xuất sắc nhiệm vụ")
	tab.shot("rating-confirm")
	tab.click("vote-confirm")
	tab.waitTestID("vote-receipt")
	cmd("poll.close", map[string]any{"id": rate})
	if r := pollOf(secState(ctx, t, sec, id), rate).Result; r == nil || len(r.Subjects) != 2 || levelVotes(r.Subjects[0], "excellent") != 1 || levelVotes(r.Subjects[1], "good") != 1 {
		t.Errorf("rating result %+v; want c1 excellent, c2 good", r)
	}

	// A ballot that reaches the server after the poll closed is refused, and
	// the tablet says so (no receipt).
	late := fmt.Sprintf("v%d", cmd("poll.create", map[string]any{"question": "Thông qua danh sách đoàn đại biểu", "kind": "open"}))
	cmd("poll.open", map[string]any{"id": late})
	tab.waitTestID("poll-" + late)
	tab.setOffline(true)
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "offline"`)
	tab.clickSel(`[data-testid="poll-` + late + `"] [data-testid="choice-disagree"]`)
	tab.click("vote-confirm")
	tab.waitTestID("vote-sending")
	cmd("poll.close", map[string]any{"id": late})
	tab.setOffline(false)
	tab.waitTestID("vote-error")
	if tab.exists(`[data-testid="vote-receipt"]`) {
		t.Error("a receipt for a ballot the server refused")
	}
	t.Logf("late ballot: %s", tab.text("vote-error"))
	tab.shot("ballot-too-late")
	if n := votedInBox(ctx, t, secHTTP, srv.URL, id, late); n != 0 {
		t.Errorf("the late ballot was stored (%d)", n)
	}

	// Support.
	{
		tab.click("support-button")
		tab.typeInto("support-message", "Micrô không hoạt động")
		tab.click("support-send")
		tab.waitTestID("support-status")
		st := secState(ctx, t, sec, id)
		if len(st.Support) != 1 || st.Support[0].Message != "Micrô không hoạt động" || st.Support[0].Participant != me.ID {
			t.Fatalf("support requests on the server: %+v", st.Support)
		}
		cmd("support.resolve", map[string]any{"id": st.Support[0].ID})
		tab.waitText("Yêu cầu hỗ trợ đã được xử lý.")
		tab.waitJS(`!document.querySelector('[data-testid="support-status"]')`)
	}

	// The landing page, and the hall screen opened by a secretary's session
	// (a list of meetings to choose from).
	acct := b.newPage("hall-account", 1280, 800)
	acct.navigate(srv.URL + "/")
	acct.waitTestID("link-hall")
	acct.waitText("Màn hình hội trường")
	acct.click("link-hall")
	acct.waitTestID("pair-form")
	if status := evalJS[int](acct, `fetch("/api/login", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({username: `+jsq(adminUser)+`, password: `+jsq(adminPassword)+`})}).then(r => r.status)`, chromedp.EvalAwaitPromise); status != 200 {
		t.Fatalf("login from the page: %d", status)
	}
	acct.navigate(srv.URL + "/hall")
	acct.click("meeting-choice-" + id)
	acct.waitJS(`(document.querySelector('[data-testid="hall-current"]')||{}).textContent === "3. Thảo luận tổ"`)
	acct.waitTestID("result-" + elect)
	acct.shot("hall-by-account")

	// English, once.
	tab.click("lang-toggle")
	tab.waitText("Agenda")
	tab.waitJS(`document.documentElement.lang === "en"`)
	tab.shot("english")
	tab.click("lang-toggle")
	tab.waitText("Chương trình")

	// The browser's replica, folded by the wasm kernel (meeting.Apply), equals
	// the server's view for this tablet (GET /api/meetings/{id} with its cookie).
	type views struct {
		Replica string `json:"replica"`
		Server  string `json:"server"`
	}
	var replica, view meeting.State
	for i := 0; ; i++ {
		v := evalJS[views](tab, `fetch("/api/meetings/`+id+`").then(r => r.text()).then(s => ({replica: globalThis.phonghopKernel.state(), server: s}))`, chromedp.EvalAwaitPromise)
		if err := json.Unmarshal([]byte(v.Replica), &replica); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(v.Server), &view); err != nil {
			t.Fatal(err)
		}
		if replica.Seq == view.Seq || i == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond) // the replica catches up with the last events
	}
	for _, pg := range []*page{tab, hallPage} {
		if n := evalJS[int](pg, `globalThis.phonghop.live.resyncs`); n != 0 {
			t.Errorf("%s: %d events did not fold with the wasm Apply (replica rebuilt from snapshots)", pg.name, n)
		}
	}
	if diff := cmp.Diff(&view, &replica); diff != "" {
		t.Errorf("the browser's replica differs from the server's view (-server +replica):\n%s", diff)
	}

	// The server dies and comes back on the same address and data: the
	// tablet and the hall reconnect by themselves (backoff) and catch up.
	srv.kill()
	tab.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "reconnecting"`)
	tab.waitText("Đang kết nối lại…")
	tab.shot("server-down")
	srv = startServer(t, srv.addr, data)
	cmd("agenda.current", map[string]any{"id": items[0]})
	for _, pg := range []*page{tab, hallPage} {
		pg.waitJS(`document.querySelector('[data-testid="conn-status"]').dataset.status === "online"`)
	}
	tab.click("tab-agenda")
	tab.waitJS(currentIs(items[0]))
	hallPage.waitJS(`document.querySelector('[data-testid="hall-current"]').textContent === "1. Khai mạc"`)

	// Portrait tablet, phone width, and the hall screen at the end.
	tab.viewport(800, 1280)
	tab.click("tab-agenda")
	tab.shot("portrait-agenda")
	tab.click("tab-floor")
	tab.shot("portrait-floor")
	tab.viewport(390, 844)
	tab.click("tab-polls")
	tab.shot("phone-polls")
	hallPage.shot("final")
	hallPage.viewport(800, 1280)
	hallPage.shot("portrait")

	// The participant is removed: the session ends (close 4001) and the
	// tablet asks to pair again.
	cmd("participant.remove", map[string]any{"id": me.ID})
	tab.waitTestID("pair-form")
	tab.waitText("Phiên đã kết thúc")
	tab.shot("session-ended")
}

func currentIs(item string) string {
	return `!!document.querySelector('[data-testid="agenda-item-` + item + `"][data-current="true"]')`
}

func rendered(doc string, version, page int) string {
	return fmt.Sprintf(`(document.querySelector('[data-testid="doc-viewer"]')||{dataset:{}}).dataset.rendered === "%s:%d:%d"`, doc, version, page)
}

func jsq(s string) string { return fmt.Sprintf("%q", s) }

func secState(ctx context.Context, t *testing.T, sec *client.Client, id string) *meeting.State {
	t.Helper()
	st, err := sec.Meeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// votedInBox returns how many ballots the server's ballot box holds for a
// poll (GET …/not-voted, staff).
func votedInBox(ctx context.Context, t *testing.T, hc *http.Client, base, id, poll string) int {
	t.Helper()
	var out struct {
		Voted *int `json:"voted"`
	}
	if err := getJSON(ctx, hc, base+"/api/meetings/"+id+"/polls/"+poll+"/not-voted", &out); err != nil || out.Voted == nil {
		t.Fatalf("not-voted: %v %+v", err, out)
	}
	return *out.Voted
}

func pollOf(st *meeting.State, id string) meeting.Poll {
	p, _ := st.Poll(id)
	return p
}

func votesOf(r *meeting.Result, cand string) int {
	for _, c := range r.Candidates {
		if c.ID == cand {
			return c.Votes
		}
	}
	return -1
}

func levelVotes(s meeting.SubjectResult, l meeting.Level) int {
	for _, x := range s.Levels {
		if x.Level == l {
			return x.Votes
		}
	}
	return -1
}
