package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// axe-core, vendored by scripts/vendor-axe.sh (test-only: injected into the
// pages by these tests, never served by phonghop).
const (
	axePath   = "testdata/axe/axe.min.js"
	axeSHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c" // axe-core 4.14.1
)

// axeSource reads the vendored axe.min.js and checks it is the pinned one.
func axeSource(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("axe-core is not vendored (run scripts/vendor-axe.sh): %v", err)
	}
	if sum := sha256.Sum256(src); hex.EncodeToString(sum[:]) != axeSHA256 {
		t.Fatalf("%s is not axe-core 4.14.1 (sha256 %x); run scripts/vendor-axe.sh", axePath, sum)
	}
	return string(src)
}

type axeNode struct {
	Target  []string `json:"target"`
	Summary string   `json:"summary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

// axeExclusions are the elements axe may not judge, each with its reason.
// Every entry names one element; no rule is disabled for a whole page.
var axeExclusions = []struct{ selector, reason string }{}

// axeRunJS runs axe with the WCAG 2.0/2.1 A and AA rules (color-contrast,
// label, button-name, …) and target-size (WCAG 2.2 AA, 24×24 px), and
// returns the violations in a compact form.
func axeRunJS() string {
	var ex []string
	for _, e := range axeExclusions {
		ex = append(ex, fmt.Sprintf("[%q]", e.selector))
	}
	return `axe.run({exclude: [` + strings.Join(ex, ",") + `]}, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
	}).then(r => ({
		passes: r.passes.length,
		passedNodes: Object.fromEntries(r.passes.map(v => [v.id, v.nodes.length])),
		incomplete: r.incomplete.map(v => v.id + ":" + v.nodes.length + " (" + [...new Set(v.nodes.map(n => n.target.join(" ").replace(/\[data-key=.*$|:nth-child\(\d+\)/g, "") + ": " + (n.any.concat(n.all)[0] || {}).message))].join("; ") + ")"),
		violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.map(String), summary: n.failureSummary || ""}))}))}))`
}

type axeResult struct {
	Passes      int            `json:"passes"`
	PassedNodes map[string]int `json:"passedNodes"`
	Incomplete  []string       `json:"incomplete"`
	Violations  []axeViolation `json:"violations"`
}

// a11yAudit is what axe found over a test: the serious and critical
// violations fail the test; every violation is counted per rule.
type a11yAudit struct {
	t      *testing.T
	axe    string
	counts map[string]int // "rule (impact)" → nodes
}

func newA11yAudit(t *testing.T) *a11yAudit {
	return &a11yAudit{t: t, axe: axeSource(t), counts: map[string]int{}}
}

// check injects axe into p (once per document) and runs it; where names the
// screen in the failure messages.
func (a *a11yAudit) check(p *page, where string) {
	a.t.Helper()
	if !evalJS[bool](p, `typeof axe === "object"`) {
		evalJS[bool](p, a.axe+";\ntrue")
	}
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](axeRunJS(), chromedp.EvalAwaitPromise))
	if err != nil {
		a.t.Fatalf("%s: axe: %v", where, err)
	}
	if res.Passes == 0 || res.PassedNodes["color-contrast"] == 0 {
		a.t.Errorf("%s: axe checked nothing (%d rules passed, color-contrast on %d elements)", where, res.Passes, res.PassedNodes["color-contrast"])
	}
	a.t.Logf("%s: axe: %d rules passed (color-contrast on %d elements), incomplete %v, %d violated", where, res.Passes, res.PassedNodes["color-contrast"], res.Incomplete, len(res.Violations))
	p.shot("axe-" + where)
	a.violations(where, res.Violations, true)
}

// violations logs vs; the serious and critical ones fail the test when
// fail is set.
func (a *a11yAudit) violations(where string, vs []axeViolation, fail bool) {
	a.t.Helper()
	for _, v := range vs {
		a.counts[v.ID+" ("+v.Impact+")"] += len(v.Nodes)
		msg := fmt.Sprintf("%s: axe %s [%s] on %d element(s): %s (%s)", where, v.ID, v.Impact, len(v.Nodes), v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			if i == 8 {
				msg += fmt.Sprintf("\n\t… and %d more", len(v.Nodes)-i)
				break
			}
			msg += fmt.Sprintf("\n\t%s\n\t\t%s", strings.Join(n.Target, " "), strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
		}
		if fail && (v.Impact == "serious" || v.Impact == "critical") {
			a.t.Error(msg)
		} else {
			a.t.Log(msg)
		}
	}
}

// selfTest shows the check can fail: a grey-on-white button without a
// name and an unlabelled input, added to p for the occasion, must be
// reported (color-contrast, button-name, label); they are removed after.
func (a *a11yAudit) selfTest(p *page) {
	a.t.Helper()
	if !evalJS[bool](p, `typeof axe === "object"`) {
		evalJS[bool](p, a.axe+";\ntrue")
	}
	evalJS[bool](p, `(() => { const d = document.createElement("div"); d.id = "axe-selftest";
		d.innerHTML = '<p style="color:#bbb;background:#fff">Chữ mờ khó đọc</p><button style="width:48px;height:48px"></button><input type="text">';
		document.body.append(d); return true })()`)
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](axeRunJS(), chromedp.EvalAwaitPromise))
	evalJS[bool](p, `(document.getElementById("axe-selftest").remove(), true)`)
	if err != nil {
		a.t.Fatalf("axe self-test: %v", err)
	}
	found := map[string]bool{}
	for _, v := range res.Violations {
		for _, n := range v.Nodes {
			if strings.Contains(strings.Join(n.Target, " "), "axe-selftest") {
				found[v.ID] = true
			}
		}
	}
	for _, want := range []string{"color-contrast", "button-name", "label"} {
		if !found[want] {
			a.t.Errorf("axe self-test: a planted %s violation is not reported (found %v)", want, found)
		}
	}
}

// checkChartContrast checks the results charts' colours against the card
// they are drawn on: each text at least 4.5:1 (WCAG 1.4.3; axe checks them
// too, now that they are HTML), each bar at least 3:1 (WCAG 1.4.11, which
// axe does not check).
func checkChartContrast(t *testing.T, p *page, where string) {
	t.Helper()
	type low struct {
		Text  string  `json:"text"`
		Ratio float64 `json:"ratio"`
	}
	type res struct {
		N   int   `json:"n"`
		Low []low `json:"low"`
	}
	r := evalJS[res](p, `(() => {
		const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
		const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
		const out = {n: 0, low: []};
		const card = (e) => {
			for (let a = e.closest('figure') || e.parentElement; a; a = a.parentElement) {
				const c = rgb(getComputedStyle(a).backgroundColor);
				if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
			}
			return [255, 255, 255];
		};
		const ratio = (fg, bg) => { const [l1, l2] = [lum(fg), lum(bg)].sort((x, y) => y - x); return (l1 + 0.05) / (l2 + 0.05); };
		for (const e of document.querySelectorAll('[data-testid="result-chart"] :is(.bar-label, .bar-value, .bar-note)')) {
			const r = ratio(rgb(getComputedStyle(e).color).slice(0, 3), card(e));
			out.n++;
			if (r < 4.5) out.low.push({text: e.textContent, ratio: r});
		}
		for (const e of document.querySelectorAll('[data-testid="result-chart"] .bar-fill')) {
			const r = ratio(rgb(getComputedStyle(e).backgroundColor).slice(0, 3), card(e));
			if (r < 3) out.low.push({text: 'bar of ' + e.closest('.bar-row').dataset.key, ratio: r});
		}
		return out;
	})()`)
	if r.N == 0 {
		t.Errorf("%s: no chart text to check", where)
	}
	for _, l := range r.Low {
		t.Errorf("%s: chart %q has a contrast of %.2f:1 on its card; want at least 4.5:1 for text, 3:1 for a bar", where, l.Text, l.Ratio)
	}
}

func (a *a11yAudit) report() {
	keys := make([]string, 0, len(a.counts))
	for k := range a.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n\t%-40s %d", k, a.counts[k])
	}
	a.t.Logf("axe violations by rule (elements):%s", b.String())
}

// checkTargets fails for every visible interactive element of p smaller
// than 44×44 CSS px (buttons, inputs, selects, textareas, links, elements
// with an interactive role); where names the screen.
func checkTargets(t *testing.T, p *page, where string) {
	t.Helper()
	type found struct {
		N     int      `json:"n"`
		Small []string `json:"small"`
	}
	f := evalJS[found](p, `(() => {
		const out = []; let n = 0;
		for (const e of document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href], [role=button], [role=link], [role=tab], [role=checkbox], [role=radio], [role=switch], [role=menuitem], summary')) {
			const r = e.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue; // not displayed
			const cs = getComputedStyle(e);
			if (cs.visibility === 'hidden') continue;
			n++;
			// A control inside a label is hit through its label.
			const lab = e.closest('label') || (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]'));
			const box = lab ? lab.getBoundingClientRect() : r;
			const w = Math.max(r.width, lab ? box.width : 0), h = Math.max(r.height, lab ? box.height : 0);
			if (w < 44 || h < 44) out.push((e.dataset.testid || e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')) + ' ' + Math.round(w) + '×' + Math.round(h) + ' "' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 30) + '"');
		}
		return {n, small: out};
	})()`)
	if f.N == 0 {
		t.Errorf("%s: no interactive element measured", where)
	}
	// Every tab reachable on screen, none cut off at the edge.
	for _, tab := range evalJS[[]string](p, `[...document.querySelectorAll('[role=tab]')].filter(e => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > document.documentElement.clientWidth + 0.5 }).map(e => e.dataset.testid || e.textContent)`) {
		t.Errorf("%s: the tab %q is cut off at the edge of the screen", where, tab)
	}
	t.Logf("%s: %d interactive elements measured, %d under 44×44 px", where, f.N, len(f.Small))
	for _, s := range f.Small {
		t.Errorf("%s: touch target smaller than 44×44 px: %s", where, s)
	}
}

// a11yMeeting is a meeting prepared through the Go SDK for the
// accessibility and hall tests: three delegates (one of them, "me", for the
// tablet), a hall screen, an agenda, a document, the meeting open with the
// two others present.
type a11yMeeting struct {
	srv              *proc
	sec              *client.Client
	id               string
	items            []string
	me, o1, o2, hall meeting.Participant
	code             map[string]string
	cmd              func(name string, data any) int64
	ctx              context.Context
	candidates       []map[string]any
}

func newA11yMeeting(t *testing.T, ctx context.Context) *a11yMeeting {
	t.Helper()
	srv := startServer(t, "127.0.0.1:0", t.TempDir())
	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 15", Place: "Hội trường B", Organization: "Tỉnh ủy Thử Nghiệm"})
	if err != nil {
		t.Fatal(err)
	}
	m := &a11yMeeting{srv: srv, sec: sec, id: id, ctx: ctx, code: map[string]string{}}
	m.cmd = func(name string, data any) int64 {
		t.Helper()
		seq, err := sec.Command(ctx, id, name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return seq
	}
	for _, title := range []string{"Khai mạc hội nghị", "Thảo luận Báo cáo chính trị", "Bầu Ban Thường vụ"} {
		m.items = append(m.items, fmt.Sprintf("i%d", m.cmd("agenda.add", map[string]any{"title": title, "presenter": "Đồng chí Phạm Văn Trình"})))
	}
	parts, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader("họ và tên,chức vụ,vai trò\n"+
		"Trần Văn Thử,Ủy viên,đại biểu\nLê Thị Mẫu,Ủy viên,đại biểu\nPhạm Văn Ví Dụ,Ủy viên,đại biểu\nMàn hình hội trường,,màn hình\n"))
	if err != nil {
		t.Fatal(err)
	}
	m.me, m.o1, m.o2, m.hall = parts[0], parts[1], parts[2], parts[3]
	codes, err := sec.PairingCodes(ctx, id, []string{m.me.ID, m.o1.ID, m.o2.ID, m.hall.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		m.code[c.Participant] = c.Code
	}
	if _, err := sec.Upload(ctx, id, client.NewDocument{Title: "Dự thảo Báo cáo chính trị", Item: m.items[1], Access: meeting.AccessPublic, Publish: true},
		"bao-cao.pdf", bytes.NewReader(testdocs.PDF(2, "Du thao bao cao"))); err != nil {
		t.Fatal(err)
	}
	m.cmd("meeting.open", nil)
	m.cmd("agenda.current", map[string]any{"id": m.items[1]})
	m.cmd("attendance.mark", map[string]any{"participant": m.o1.ID, "status": "present"})
	m.cmd("attendance.mark", map[string]any{"participant": m.o2.ID, "status": "present"})
	m.candidates = []map[string]any{{"name": "Nguyễn Văn Một"}, {"name": "Hoàng Thị Hai"}, {"name": "Đỗ Văn Ba"}, {"name": "Vũ Thị Bốn"}, {"name": "Bùi Văn Năm"}}
	return m
}

// voter connects another delegate's tablet through the SDK.
func (m *a11yMeeting) voter(t *testing.T, p meeting.Participant) *client.Live {
	t.Helper()
	c, _ := newClient(t, m.srv.URL)
	pr, err := c.Pair(m.ctx, m.code[p.ID])
	if err != nil {
		t.Fatalf("pair %s: %v", p.Name, err)
	}
	l, err := c.Connect(m.ctx, pr.Meeting)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if err := l.WaitSynced(m.ctx); err != nil {
		t.Fatal(err)
	}
	return l
}

func (m *a11yMeeting) cast(t *testing.T, l *client.Live, poll, key string, b meeting.Ballot) {
	t.Helper()
	if _, err := l.Cast(m.ctx, poll, key, b); err != nil {
		t.Fatalf("cast %s: %v", poll, err)
	}
}

// TestA11yPages runs axe-core (WCAG 2.1 A/AA, with color-contrast, label,
// button-name, target-size) over the three web apps in a real Chromium
// against the real binary: the console (live tab with a poll and the
// speaker queue, the preparation tab, the after-meeting tab), a paired and
// checked-in tablet (agenda, a secret ballot and its confirmation step, an
// election ballot) and the hall screen (speaker with countdown, a published
// result), in Vietnamese and then in English. Any serious or critical
// violation fails, with the rule, the elements and the help. The tablet's
// controls must also be at least 44×44 px at 800×1280 and at 390×844.
func TestA11yPages(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	audit := newA11yAudit(t)
	defer audit.report()
	m := newA11yMeeting(t, ctx)
	v1, v2 := m.voter(t, m.o1), m.voter(t, m.o2)

	// The speaker queue: one speaking with the countdown, one waiting.
	m.cmd("speaker.add", map[string]any{"participant": m.o1.ID})
	m.cmd("speaker.add", map[string]any{"participant": m.o2.ID})
	m.cmd("speaker.give_floor", nil)
	draft := fmt.Sprintf("v%d", m.cmd("poll.create", map[string]any{"question": "Thông qua chương trình hội nghị", "kind": "open", "item": m.items[0]}))

	// The console, signed in, on the live tab.
	con := b.newPage("console", 1280, 800)
	con.navigate(m.srv.URL + "/console")
	con.waitTestID("login-form")
	wmLangVI(t, con)
	audit.selfTest(con)
	audit.check(con, "console-login")
	wmSet(t, con, testidSel("login-username"), adminUser)
	con.typeInto("login-password", adminPassword)
	con.click("login-submit")
	con.waitTestID("meetings-view")
	audit.check(con, "console-meetings")
	evalJS[bool](con, `location.hash = "m=`+m.id+`&tab=live"; true`)
	con.waitJS(`document.querySelector('[data-testid="tab-live"]').getAttribute("aria-selected") === "true"`)
	con.waitJS(`!!document.querySelector(` + wmQ(wmPollRow(draft)) + `)`)
	con.waitJS(`document.querySelectorAll('[data-testid="speaker-request"]').length >= 1`)
	con.waitJS(wmOnline)

	// The tablet: paired, checked in, on the agenda.
	tab := b.newPage("tablet", 800, 1280)
	tab.navigate(m.srv.URL + "/tablet")
	tab.waitTestID("pair-code")
	wmLangVI(t, tab)
	audit.check(tab, "tablet-pair")
	checkTargets(t, tab, "tablet-pair 800×1280")
	tab.typeInto("pair-code", m.code[m.me.ID])
	tab.click("pair-submit")
	tab.waitTestID("me-name")
	tab.waitJS(wmOnline)
	tab.click("checkin-button")
	tab.waitText("Đã điểm danh")
	tab.click("tab-agenda")
	tab.waitJS(currentIs(m.items[1]))

	// The hall screen.
	hall := b.newPage("hall", 1280, 720)
	hall.navigate(m.srv.URL + "/hall#code=" + m.code[m.hall.ID])
	hall.waitTestID("hall-current")
	hall.waitJS(wmOnline)
	hall.waitJS(`document.querySelector('[data-testid="hall-speaker"]').textContent.includes(` + wmQ(m.o1.Name) + `)`)
	audit.check(hall, "hall-speaker")

	con.waitJS(`document.querySelector('[data-testid="quorum-state"]').dataset.met === "true"`)
	audit.check(con, "console-live")
	con.click("tab-prepare")
	con.waitJS(`document.querySelector('[data-testid="tab-prepare"]').getAttribute("aria-selected") === "true"`)
	con.waitTestID("agenda-add-form")
	audit.check(con, "console-prepare")
	con.click("tab-after")
	con.waitTestID("minutes-conclude")
	audit.check(con, "console-after")

	audit.check(tab, "tablet-agenda")
	checkTargets(t, tab, "tablet-agenda 800×1280")
	tab.click("tab-floor")
	tab.waitTestID("floor-request")
	audit.check(tab, "tablet-floor")
	checkTargets(t, tab, "tablet-floor 800×1280")

	// A secret ballot: the voting screen and its confirmation step.
	vote := fmt.Sprintf("v%d", m.cmd("poll.create", map[string]any{"question": "Thông qua Nghị quyết hội nghị", "kind": "secret"}))
	m.cmd("poll.open", map[string]any{"id": vote})
	tab.waitTestID("poll-" + vote)
	audit.check(tab, "tablet-secret-ballot")
	checkTargets(t, tab, "tablet-secret-ballot 800×1280")
	tab.viewport(390, 844)
	checkTargets(t, tab, "tablet-secret-ballot 390×844")
	tab.shot("phone-ballot")
	tab.clickSel(`[data-testid="poll-` + vote + `"] [data-testid="choice-agree"]`)
	tab.waitTestID("vote-confirm-panel")
	audit.check(tab, "tablet-secret-confirm")
	checkTargets(t, tab, "tablet-secret-confirm 390×844")
	tab.viewport(800, 1280)
	checkTargets(t, tab, "tablet-secret-confirm 800×1280")
	tab.click("vote-confirm")
	tab.waitTestID("vote-receipt")
	audit.check(tab, "tablet-secret-receipt")
	m.cast(t, v1, vote, "a11y-v1", meeting.Ballot{Choice: meeting.ChoiceAgree})
	m.cast(t, v2, vote, "a11y-v2", meeting.Ballot{Choice: meeting.ChoiceDisagree})
	m.cmd("poll.close", map[string]any{"id": vote})
	m.cmd("poll.publish", map[string]any{"id": vote})

	// An election ballot of five candidates, two seats.
	elect := fmt.Sprintf("v%d", m.cmd("poll.create", map[string]any{"question": "Bầu Ban Kiểm phiếu", "kind": "election", "seats": 2, "uncapped": true, "candidates": m.candidates}))
	m.cmd("poll.open", map[string]any{"id": elect})
	tab.waitTestID("poll-" + elect)
	audit.check(tab, "tablet-election")
	checkChartContrast(t, tab, "tablet-election")
	checkTargets(t, tab, "tablet-election 800×1280")
	tab.viewport(390, 844)
	checkTargets(t, tab, "tablet-election 390×844")
	tab.shot("phone-election")
	tab.viewport(800, 1280)
	for _, c := range []string{"c3", "c4", "c5"} {
		tab.click("strike-" + c)
	}
	tab.click("vote-review")
	tab.waitTestID("vote-confirm-panel")
	audit.check(tab, "tablet-election-confirm")
	tab.click("vote-confirm")
	tab.waitTestID("vote-receipt")
	m.cast(t, v1, elect, "a11y-e1", meeting.Ballot{Kept: []string{"c1", "c3"}})
	m.cast(t, v2, elect, "a11y-e2", meeting.Ballot{Kept: []string{"c2"}})
	m.cmd("poll.close", map[string]any{"id": elect})
	m.cmd("poll.publish", map[string]any{"id": elect})
	hall.waitTestID("result-" + elect)
	audit.check(hall, "hall-result")
	checkChartContrast(t, hall, "hall-result")

	con.click("tab-live")
	con.waitJS(`!!document.querySelector(` + wmQ(wmPollRow(elect)+`[data-status="published"]`) + `)`)
	audit.check(con, "console-live-results")

	// English, once on each app.
	con.click("lang-en")
	con.waitJS(`document.documentElement.lang === "en"`)
	audit.check(con, "en-console-live")
	con.click("tab-prepare")
	con.waitTestID("agenda-add-form")
	audit.check(con, "en-console-prepare")
	con.click("tab-after")
	con.waitTestID("minutes-conclude")
	audit.check(con, "en-console-after")
	tab.click("lang-toggle")
	tab.waitJS(`document.documentElement.lang === "en"`)
	tab.click("tab-agenda")
	audit.check(tab, "en-tablet-agenda")
	checkTargets(t, tab, "en-tablet-agenda 800×1280")
	tab.click("tab-polls")
	audit.check(tab, "en-tablet-polls")
	checkChartContrast(t, tab, "en-tablet-polls")
	hall.click("lang-toggle")
	hall.waitJS(`document.documentElement.lang === "en"`)
	audit.check(hall, "en-hall-result")
	checkChartContrast(t, hall, "en-hall-result")
}

// hallBox is where an element of the hall screen is drawn.
type hallBox struct {
	Found   bool    `json:"found"`
	T       float64 `json:"top"`
	L       float64 `json:"left"`
	B       float64 `json:"bottom"`
	R       float64 `json:"right"`
	Font    float64 `json:"font"` // rendered font size, px
	VW      float64 `json:"vw"`
	VH      float64 `json:"vh"`
	ScrollY float64 `json:"scrollY"`
}

func hallBoxOf(p *page, sel string, index int) hallBox {
	p.t.Helper()
	return evalJS[hallBox](p, `(() => {
		const e = document.querySelectorAll(`+wmQ(sel)+`)[`+fmt.Sprint(index)+`];
		if (!e) return {found: false};
		const r = e.getBoundingClientRect();
		let font = parseFloat(getComputedStyle(e).fontSize);
		const svg = e.ownerSVGElement;
		if (svg) font *= svg.getScreenCTM().a; // SVG user units → CSS px
		return {found: true, top: r.top, left: r.left, bottom: r.bottom, right: r.right, font,
			vw: document.documentElement.clientWidth, vh: document.documentElement.clientHeight, scrollY: window.scrollY};
	})()`)
}

// inView fails unless sel (its index-th match) is drawn entirely inside
// the viewport of p, with the page not scrolled, and its type at least
// minFont px.
func inView(t *testing.T, p *page, where, sel string, minFont float64, index ...int) hallBox {
	t.Helper()
	i := 0
	if len(index) > 0 {
		i = index[0]
	}
	b := hallBoxOf(p, sel, i)
	switch {
	case !b.Found:
		t.Errorf("%s: %s is not on the hall screen", where, sel)
	case b.ScrollY != 0 || b.T < 0 || b.L < 0 || b.B > b.VH+0.5 || b.R > b.VW+0.5:
		t.Errorf("%s: %s is drawn at (%.0f,%.0f)–(%.0f,%.0f), outside the %.0f×%.0f screen (scrolled %.0f)", where, sel, b.L, b.T, b.R, b.B, b.VW, b.VH, b.ScrollY)
	case b.Font < minFont:
		t.Errorf("%s: %s is in %.1f px type; want at least %.0f px on a projector", where, sel, b.Font, minFont)
	}
	return b
}

// TestHallProjector checks the hall screen as a projector shows it, at
// 1920×1080 and 1280×720: a published vote, then a published election of
// five candidates, fully in view without scrolling (chart and outcome),
// chart labels of at least 24 px at 1920×1080, and the current item, the
// speaker's countdown and the quorum still on screen in large type.
func TestHallProjector(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	m := newA11yMeeting(t, ctx)
	voters := []*client.Live{m.voter(t, m.me), m.voter(t, m.o1), m.voter(t, m.o2)}
	m.cmd("attendance.mark", map[string]any{"participant": m.me.ID, "status": "present"})
	m.cmd("agenda.current", map[string]any{"id": m.items[2]})
	m.cmd("speaker.add", map[string]any{"participant": m.o1.ID})
	m.cmd("speaker.add", map[string]any{"participant": m.o2.ID})
	m.cmd("speaker.give_floor", nil)

	hall := b.newPage("hall", 1280, 720)
	hall.navigate(m.srv.URL + "/hall#code=" + m.code[m.hall.ID])
	hall.waitTestID("hall-current")
	hall.waitJS(wmOnline)
	hall.waitJS(`document.querySelector('[data-testid="hall-speaker"]').textContent.includes(` + wmQ(m.o1.Name) + `)`)

	sides := func(where string, minFont float64) {
		t.Helper()
		inView(t, hall, where, testidSel("hall-current"), minFont)
		inView(t, hall, where, testidSel("hall-speaker"), minFont)
		inView(t, hall, where, testidSel("speech-clock"), 1.5*minFont)
		inView(t, hall, where, testidSel("hall-present"), minFont)
	}

	// A vote: 2 for, 1 against.
	vote := fmt.Sprintf("v%d", m.cmd("poll.create", map[string]any{"question": "Thông qua Nghị quyết Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 15", "kind": "secret"}))
	m.cmd("poll.open", map[string]any{"id": vote})
	for i, v := range voters {
		c := meeting.ChoiceAgree
		if i == 2 {
			c = meeting.ChoiceDisagree
		}
		m.cast(t, v, vote, fmt.Sprintf("hall-v%d", i), meeting.Ballot{Choice: c})
	}
	m.cmd("poll.close", map[string]any{"id": vote})
	m.cmd("poll.publish", map[string]any{"id": vote})
	hall.waitJS(wmHallResult(vote, "Thông qua", map[string]int{"agree": 2, "disagree": 1}))
	for _, size := range [][2]int{{1280, 720}, {1920, 1080}} {
		where := fmt.Sprintf("vote %d×%d", size[0], size[1])
		hall.viewport(size[0], size[1])
		hall.waitJS(`document.documentElement.clientWidth === ` + fmt.Sprint(size[0]))
		time.Sleep(300 * time.Millisecond) // the screen redraws 200 ms after a resize
		hall.waitTestID("result-" + vote)
		inView(t, hall, where, testidSel("result-"+vote), 0)
		inView(t, hall, where, testidSel("result-outcome"), 28)
		sides(where, 28)
		hall.shot(fmt.Sprintf("vote-%dx%d", size[0], size[1]))
	}

	// An election of five candidates for two seats.
	elect := fmt.Sprintf("v%d", m.cmd("poll.create", map[string]any{"question": "Bầu Ban Kiểm phiếu Hội nghị", "kind": "election", "seats": 2, "uncapped": true, "candidates": m.candidates}))
	m.cmd("poll.open", map[string]any{"id": elect})
	for i, kept := range [][]string{{"c1", "c2"}, {"c1", "c3"}, {"c2", "c4"}} {
		m.cast(t, voters[i], elect, fmt.Sprintf("hall-e%d", i), meeting.Ballot{Kept: kept})
	}
	m.cmd("poll.close", map[string]any{"id": elect})
	m.cmd("poll.publish", map[string]any{"id": elect})
	hall.waitJS(wmHallResult(elect, "Trúng cử: Nguyễn Văn Một, Hoàng Thị Hai", map[string]int{"c1": 2, "c2": 2, "c3": 1, "c4": 1, "c5": 0}))
	for _, size := range [][2]int{{1920, 1080}, {1280, 720}} {
		where := fmt.Sprintf("election %d×%d", size[0], size[1])
		hall.viewport(size[0], size[1])
		hall.waitJS(`document.documentElement.clientWidth === ` + fmt.Sprint(size[0]))
		time.Sleep(300 * time.Millisecond)
		hall.waitTestID("result-" + elect)
		inView(t, hall, where, testidSel("result-"+elect), 0)
		inView(t, hall, where, testidSel("result-outcome"), 28)
		minLabel := 0.0
		if size[0] == 1920 {
			minLabel = 24
		}
		for _, c := range []string{"c1", "c2", "c3", "c4", "c5"} {
			inView(t, hall, where, `[data-testid="result-chart"] .bar-row[data-key="`+c+`"]`, 0)
		}
		n := evalJS[int](hall, `document.querySelectorAll('[data-testid="result-chart"] .bar-label').length`)
		if n != 5 {
			t.Errorf("%s: %d chart labels; want 5", where, n)
		}
		for i := 0; i < n; i++ {
			lb := inView(t, hall, where, `[data-testid="result-chart"] .bar-label`, minLabel, i)
			if i == 0 {
				t.Logf("%s: chart label type %.1f px", where, lb.Font)
			}
		}
		sides(where, 28)
		hall.shot(fmt.Sprintf("election-%dx%d", size[0], size[1]))
	}
}
