package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/server/meeting"
)

// roomViewports are the screens of the room on the day: a tablet in
// portrait and landscape, an iPad, a full-HD projector and an HD one.
var roomViewports = [][2]int{{800, 1280}, {1280, 800}, {768, 1024}, {1920, 1080}, {1280, 720}}

// layoutJS returns what is wrong with the layout of the page as drawn: the
// page wider than the screen, any visible element past its right edge
// (outside a horizontal scroller), text clipped — cut with "…", overflowing
// a box that hides overflow, or (the hall, which never scrolls) drawn off
// the screen — in the regions named (header, queue, results, agenda), and
// overlapping elements anywhere (two visible boxes of text or controls
// whose drawn fragments intersect, neither inside the other).
const layoutJS = `((regions, fits) => {
	const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight, out = [];
	const name = (e) => (e.dataset && e.dataset.testid) || e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
	const say = (e) => name(e) + ' "' + (e.textContent || e.value || '').trim().replace(/\s+/g, ' ').slice(0, 40) + '"';
	const shown = (e) => {
		if (e.closest('[hidden], .sr-only, dialog:not([open]), .print-sheet')) return false;
		if (e.tagName === 'OPTION' || e.tagName === 'OPTGROUP') return false; // a list box scrolls its options: the select is the control
		if (!e.checkVisibility({contentVisibilityAuto: true, opacityProperty: true, visibilityProperty: true})) return false; // a closed <details> too
		const r = e.getBoundingClientRect();
		return r.width > 0 && r.height > 0;
	};
	// clip is the part of rect r of e that its scrolling or clipping
	// ancestors let be seen (a list scrolled keeps rows out of sight).
	const clip = (e, r) => {
		let [l, t, rt, b] = [r.left, r.top, r.right, r.bottom];
		for (let a = e.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
			const cs = getComputedStyle(a);
			if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
			const ar = a.getBoundingClientRect();
			l = Math.max(l, ar.left); t = Math.max(t, ar.top); rt = Math.min(rt, ar.right); b = Math.min(b, ar.bottom);
		}
		return {left: l, top: t, right: rt, bottom: b, width: rt - l, height: b - t};
	};
	const scrollsX = (e) => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) { const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
	if (document.documentElement.scrollWidth > vw + 1) out.push('overflow: the page is ' + document.documentElement.scrollWidth + ' px wide on a ' + vw + ' px screen');
	const all = [...document.querySelectorAll('body *')].filter(shown);
	for (const e of all) {
		const r = e.getBoundingClientRect();
		if (r.right > vw + 1 && !scrollsX(e)) out.push('overflow: ' + say(e) + ' reaches ' + Math.round(r.right) + ' px');
	}
	// Clipped text in the regions.
	const texty = (e) => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
	for (const [region, sel] of Object.entries(regions)) {
		for (const root of document.querySelectorAll(sel)) {
			if (!shown(root)) continue;
			for (const e of [root, ...root.querySelectorAll('*')].filter(x => shown(x) && texty(x))) {
				const cs = getComputedStyle(e), r = e.getBoundingClientRect();
				if (e.textContent.includes('…')) out.push('clipped in the ' + region + ': ' + say(e) + ' is cut with “…”');
				if ((e.scrollWidth > e.clientWidth + 1 && cs.overflowX !== 'visible') || (e.scrollHeight > e.clientHeight + 1 && cs.overflowY !== 'visible' && cs.overflowY !== 'auto' && cs.overflowY !== 'scroll')) out.push('clipped in the ' + region + ': ' + say(e) + ' overflows its box');
				if (cs.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth) out.push('clipped in the ' + region + ': ' + say(e) + ' ends in an ellipsis');
				for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
					const ac = getComputedStyle(a);
					if (ac.overflowX !== 'hidden' && ac.overflowX !== 'clip' && ac.overflowY !== 'hidden' && ac.overflowY !== 'clip') continue;
					const ar = a.getBoundingClientRect();
					if (r.left < ar.left - 1 || r.right > ar.right + 1 || r.top < ar.top - 1 || r.bottom > ar.bottom + 1) { out.push('clipped in the ' + region + ': ' + say(e) + ' is cut by ' + name(a)); break; }
				}
				if (fits && (r.bottom > vh + 1 || r.top < -1)) out.push('clipped in the ' + region + ': ' + say(e) + ' is off the screen (' + Math.round(r.top) + '–' + Math.round(r.bottom) + ' of ' + vh + ')');
			}
		}
	}
	// Overlaps: text and controls, by drawn fragments (a wrapped line is two).
	const boxes = all.filter(e => (texty(e) || e.matches('button, input, select, textarea, a[href], img, canvas, [role=progressbar]')) && !e.closest('.bar-track, .chart .bar-row > .bar-track'));
	const frags = boxes.map(e => [...e.getClientRects()].map(r => clip(e, r)).filter(r => r.width > 1 && r.height > 1));
	for (let i = 0; i < boxes.length; i++) {
		for (let j = i + 1; j < boxes.length; j++) {
			const a = boxes[i], b = boxes[j];
			if (a.contains(b) || b.contains(a)) continue;
			let hit = false;
			for (const p of frags[i]) for (const q of frags[j]) {
				const w = Math.min(p.right, q.right) - Math.max(p.left, q.left), h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
				if (w > 2 && h > 2) hit = true;
			}
			if (hit) out.push('overlap: ' + say(a) + ' and ' + say(b));
		}
	}
	return [...new Set(out)];
})`

// checkLayout fails for every layout problem of p (layoutJS) in view where.
func checkLayout(t *testing.T, p *page, where string, regions map[string]string, fits bool) {
	t.Helper()
	js := layoutJS + `(` + jsonOf(regions) + `, ` + strconv.FormatBool(fits) + `)`
	problems := evalJS[[]string](p, js)
	for i, s := range problems {
		if i == 12 {
			t.Errorf("%s: … and %d more layout problems", where, len(problems)-i)
			break
		}
		t.Errorf("%s: %s", where, s)
	}
}

func jsonOf(m map[string]string) string {
	out := "{"
	first := true
	for k, v := range m {
		if !first {
			out += ","
		}
		first = false
		out += strconv.Quote(k) + ":" + strconv.Quote(v)
	}
	return out + "}"
}

// fullShot saves a screenshot of the whole page (taller than the screen).
func (p *page) fullShot(step string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("%s: screenshot %s: %v", p.name, step, err)
		return
	}
	p.shots++
	name := fmt.Sprintf("%s-%02d-%s.png", p.name, p.shots, unsafeName.ReplaceAllString(step, "_"))
	if err := os.WriteFile(filepath.Join(p.b.artifacts, name), png, 0o644); err != nil {
		p.t.Logf("save screenshot: %v", err)
	}
}

// TestRoomViewports renders the console, a delegate's tablet and the hall
// screen of a meeting in full swing — a long title, nine speakers queued, a
// published election of five candidates, documents, notices — at 800×1280,
// 1280×800, 768×1024, 1920×1080 and 1280×720, and fails on any horizontal
// overflow, text clipped in the header, the queue, the results or the
// agenda, or elements drawn over each other; axe runs on every view at
// every size. Screenshots of every view go to the artifacts.
func TestRoomViewports(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 9)
	m.open()
	audit := newA11yAudit(t)
	defer audit.report()
	m.upload("Báo cáo kiểm điểm của Ban Thường vụ Đảng ủy năm 2026 (dự thảo lần 3, trình Hội nghị)", m.items[1], meeting.AccessDelegates, 2)
	m.upload("Chương trình hội nghị", "", meeting.AccessPublic, 1)
	voters := m.voters()
	cands := []map[string]any{{"name": "Nguyễn Thị Hồng Nhung Phương Thảo"}, {"name": "Hoàng Văn Quốc Bảo Trung"}, {"name": "Đỗ Minh Tuấn Anh"},
		{"name": "Vũ Thị Lan Anh Ngọc Diệp"}, {"name": "Bùi Văn Năm Thành Công"}}
	var ballots []*meeting.Ballot
	for i := range voters {
		ballots = append(ballots, &meeting.Ballot{Kept: [][]string{{"c1", "c2"}, {"c1", "c3"}, {"c2", "c4"}}[i%3]})
	}
	elect := m.poll(map[string]any{"question": "Bầu Ban Kiểm tra Đảng ủy xã nhiệm kỳ 2025–2030", "kind": "election", "seats": 2, "candidates": cands, "item": m.items[1], "uncapped": true}, voters, ballots)
	for _, p := range m.delegates {
		m.cmd("speaker.add", map[string]any{"participant": p.ID})
	}
	m.cmd("speaker.give_floor", nil)
	m.cmd("notice.send", map[string]any{"text": "Đề nghị các đồng chí đại biểu chuẩn bị ý kiến thảo luận về Báo cáo kiểm điểm."})

	con := m.openConsole(b, 1280, 800, "live")
	tab := m.pairTablet(b, "tablet", m.delegates[1], 800, 1280)
	hall := m.openHall(b, 1280, 720)
	hall.waitTestID("result-" + elect)

	conRegions := map[string]string{"header": "header.topbar, .meeting-head", "queue": `[data-testid="speaker-queue"]`, "results": `[data-testid="poll-result"]`,
		"agenda": `[data-testid="live-agenda"], [data-testid="agenda-list"], [data-testid="live-current"]`}
	tabRegions := map[string]string{"header": "header.topbar, nav.tabs", "queue": `[data-testid="floor-queue"]`, "results": `figure.result`, "agenda": `[data-testid="agenda-list"]`}
	hallRegions := map[string]string{"header": "header.topbar", "queue": `[data-testid="hall-queue-card"]`, "results": `[data-testid="hall-results"]`, "agenda": `[data-testid="hall-current"]`}

	for _, size := range roomViewports {
		w, h := size[0], size[1]
		dim := fmt.Sprintf("%dx%d", w, h)
		for _, p := range []*page{con, tab, hall} {
			p.resize(w, h)
		}
		for _, tabName := range []string{"live", "prepare", "after"} {
			con.click("tab-" + tabName)
			con.waitJS(`document.querySelector('[data-testid="tab-` + tabName + `"]').getAttribute("aria-selected") === "true"`)
			where := "console " + tabName + " " + dim
			checkLayout(t, con, where, conRegions, false)
			audit.check(con, "console-"+tabName+"-"+dim)
			con.fullShot(tabName + "-" + dim)
		}
		for _, tabName := range []string{"agenda", "floor", "polls"} {
			tab.click("tab-" + tabName)
			tab.waitJS(`document.querySelector('[data-testid="tab-` + tabName + `"]').getAttribute("aria-selected") === "true"`)
			where := "tablet " + tabName + " " + dim
			checkLayout(t, tab, where, tabRegions, false)
			audit.check(tab, "tablet-"+tabName+"-"+dim)
			tab.fullShot(tabName + "-" + dim)
		}
		hall.waitTestID("result-" + elect)
		checkLayout(t, hall, "hall "+dim, hallRegions, true)
		audit.check(hall, "hall-"+dim)
		hall.shot(dim)
	}
}
