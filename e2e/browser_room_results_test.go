package e2e

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// chartBar is one bar of a result chart as the browser draws it.
type chartBar struct {
	Key       string  `json:"key"`
	Kind      string  `json:"kind"`
	Text      string  `json:"text"`      // the row's whole text
	Share     float64 `json:"share"`     // drawn fill width / track width
	Threshold float64 `json:"threshold"` // threshold line offset / track width (-1: none)
	Fill      string  `json:"fill"`      // the fill's computed background colour
}

// chartView is a result figure as drawn: its bars, its outcome line and
// what is cut or overflows.
type chartView struct {
	Found   bool       `json:"found"`
	Outcome string     `json:"outcome"`
	Bars    []chartBar `json:"bars"`
	Cut     []string   `json:"cut"` // texts truncated, overflowing their box or the figure
}

// readChart measures the figure result-<poll> on p.
func readChart(p *page, poll string) chartView {
	p.t.Helper()
	return evalJS[chartView](p, `(() => {
		const f = document.querySelector('[data-testid="result-`+poll+`"]');
		if (!f) return {found: false, bars: [], cut: []};
		const fr = f.getBoundingClientRect();
		const out = {found: true, outcome: (f.querySelector('[data-testid="result-outcome"]') || {}).textContent || '', bars: [], cut: []};
		for (const row of f.querySelectorAll('[data-testid="result-chart"] [data-key]')) {
			const track = row.querySelector('.bar-track'), fill = row.querySelector('.bar-fill'), th = row.querySelector('.bar-threshold');
			const tw = track ? track.getBoundingClientRect().width : 0;
			out.bars.push({key: row.dataset.key, kind: row.dataset.kind || '', text: row.textContent,
				share: fill && tw ? fill.getBoundingClientRect().width / tw : -1,
				threshold: th && tw ? (th.getBoundingClientRect().left - track.getBoundingClientRect().left) / tw : -1,
				// (an SVG bar, as the charts were drawn before, has its colour as its fill)
				fill: fill ? getComputedStyle(fill).backgroundColor : getComputedStyle(row).fill || ''});
		}
		for (const e of f.querySelectorAll('*')) {
			if (!e.childElementCount && e.textContent.trim()) {
				const r = e.getBoundingClientRect();
				if (e.textContent.includes('…') || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible' ||
					r.right > fr.right + 1 || r.left < fr.left - 1) out.cut.push(e.textContent.trim());
			}
		}
		return out;
	})()`)
}

// rgbOf parses "rgb(r, g, b)".
func rgbOf(s string) [3]float64 {
	var c [3]float64
	fmt.Sscanf(strings.TrimPrefix(strings.TrimPrefix(s, "rgba("), "rgb("), "%f, %f, %f", &c[0], &c[1], &c[2])
	return c
}

// cvd simulates colour-vision deficiency on an sRGB colour (Machado, Oliveira
// and Fernandes 2009, severity 1, on linear RGB): protanopia, deuteranopia,
// tritanopia, and normal vision.
func cvd(c [3]float64) map[string][3]float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	gam := func(v float64) float64 {
		v = math.Max(0, math.Min(1, v))
		if v <= 0.0031308 {
			return 255 * 12.92 * v
		}
		return 255 * (1.055*math.Pow(v, 1/2.4) - 0.055)
	}
	l := [3]float64{lin(c[0]), lin(c[1]), lin(c[2])}
	m := map[string][3][3]float64{
		"protanopia":   {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}},
		"deuteranopia": {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}},
		"tritanopia":   {{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}},
		"normal":       {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
	}
	out := map[string][3]float64{}
	for name, x := range m {
		var s [3]float64
		for i := range 3 {
			s[i] = gam(x[i][0]*l[0] + x[i][1]*l[1] + x[i][2]*l[2])
		}
		out[name] = s
	}
	return out
}

// deltaE is the CIE76 distance of two sRGB colours in CIELAB.
func deltaE(a, b [3]float64) float64 {
	lab := func(c [3]float64) [3]float64 {
		lin := func(v float64) float64 {
			v /= 255
			if v <= 0.04045 {
				return v / 12.92
			}
			return math.Pow((v+0.055)/1.055, 2.4)
		}
		r, g, bl := lin(c[0]), lin(c[1]), lin(c[2])
		x := (0.4124*r + 0.3576*g + 0.1805*bl) / 0.95047
		y := 0.2126*r + 0.7152*g + 0.0722*bl
		z := (0.0193*r + 0.1192*g + 0.9505*bl) / 1.08883
		f := func(t float64) float64 {
			if t > 216.0/24389 {
				return math.Cbrt(t)
			}
			return (24389.0/27*t + 16) / 116
		}
		return [3]float64{116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))}
	}
	p, q := lab(a), lab(b)
	return math.Sqrt((p[0]-q[0])*(p[0]-q[0]) + (p[1]-q[1])*(p[1]-q[1]) + (p[2]-q[2])*(p[2]-q[2]))
}

// wantChart is what a result chart must show.
type wantChart struct {
	outcome   string             // the outcome line (exact)
	share     map[string]float64 // bar key → votes / base
	threshold float64            // required / base
	rowText   map[string]string  // bar key → a text its row must contain
	distinct  [][2]string        // pairs of bars whose colours must differ, for every colour vision
}

// checkChart checks the figure of poll on p against w.
func checkChart(t *testing.T, p *page, where, poll string, w wantChart) {
	t.Helper()
	p.waitTestID("result-" + poll)
	c := readChart(p, poll)
	if got := strings.TrimSpace(c.Outcome); got != w.outcome {
		t.Errorf("%s: outcome line %q; want %q", where, got, w.outcome)
	}
	bars := map[string]chartBar{}
	for _, b := range c.Bars {
		bars[b.Key] = b
	}
	for key, want := range w.share {
		b, ok := bars[key]
		switch {
		case !ok:
			t.Errorf("%s: no bar %s in %+v", where, key, c.Bars)
		case math.Abs(b.Share-want) > 0.02 && !(want == 0 && b.Share < 0.02):
			t.Errorf("%s: bar %s is drawn at %.3f of its track; want %.3f (votes over the poll's base)", where, key, b.Share, want)
		case math.Abs(b.Threshold-w.threshold) > 0.02:
			t.Errorf("%s: bar %s: threshold line at %.3f of the track; want %.3f (required over the base)", where, key, b.Threshold, w.threshold)
		}
	}
	for key, text := range w.rowText {
		if !strings.Contains(bars[key].Text, text) {
			t.Errorf("%s: bar %s reads %q; want it to say %q (the colour never carries the meaning alone)", where, key, bars[key].Text, text)
		}
	}
	for _, pair := range w.distinct {
		a, b := cvd(rgbOf(bars[pair[0]].Fill)), cvd(rgbOf(bars[pair[1]].Fill))
		for _, vision := range []string{"normal", "protanopia", "deuteranopia", "tritanopia"} {
			if d := deltaE(a[vision], b[vision]); d < 20 {
				t.Errorf("%s: bars %s (%s) and %s (%s) differ by ΔE %.1f in %s vision; want at least 20", where, pair[0], bars[pair[0]].Fill, pair[1], bars[pair[1]].Fill, d, vision)
			}
		}
	}
	for _, s := range c.Cut {
		t.Errorf("%s: chart text %q is truncated or overflows", where, s)
	}
}

// TestRoomResults: the result charts of the hall screen and the tablets
// read right at a glance, for every kind of poll. Six are summoned (five
// delegates and the chair, absent): the base; a secret vote of 2 for, 1
// against, 1 abstaining draws the "for" bar at 2/6 of its track (not full:
// bars on the base, not on the largest option), the threshold line at 4/6
// (more than half of 6), for, against and
// abstain in colours that stay apart for protanopes, deuteranopes and
// tritanopes, each bar naming its choice; an election of five long-named
// candidates names who is elected and who is not; an election where nobody
// reaches the threshold and a rating each get their outcome line; nothing
// is truncated. Today's charts scale to the largest bar, draw for and
// against in the same red, have no outcome line for a rating or an empty
// election, and cut rating labels with "…".
func TestRoomResults(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 5)
	m.open()
	voters := m.voters()
	tab := m.pairTablet(b, "tablet", m.delegates[0], 800, 1280)
	hall := m.openHall(b, 1920, 1080)
	audit := newA11yAudit(t)
	defer audit.report()
	item := m.items[1]
	agree, disagree, abstain := &meeting.Ballot{Choice: meeting.ChoiceAgree}, &meeting.Ballot{Choice: meeting.ChoiceDisagree}, &meeting.Ballot{Choice: meeting.ChoiceAbstain}

	vote := m.poll(map[string]any{"question": "Thông qua Nghị quyết về nhiệm vụ năm 2027", "kind": "secret", "item": item},
		voters, []*meeting.Ballot{agree, agree, disagree, abstain, nil})
	voteWant := wantChart{outcome: "Không thông qua", threshold: 4.0 / 6,
		share:    map[string]float64{"agree": 2.0 / 6, "disagree": 1.0 / 6, "abstain": 1.0 / 6},
		rowText:  map[string]string{"agree": "Tán thành", "disagree": "Không tán thành", "abstain": "Không biểu quyết"},
		distinct: [][2]string{{"agree", "disagree"}, {"agree", "abstain"}, {"disagree", "abstain"}}}
	checkChart(t, hall, "hall vote", vote, voteWant)
	checkChartContrast(t, hall, "hall vote")
	audit.check(hall, "hall-vote")
	hall.shot("vote")
	tab.click("tab-polls")
	checkChart(t, tab, "tablet vote", vote, voteWant)
	checkChartContrast(t, tab, "tablet vote")
	audit.check(tab, "tablet-vote")
	tab.shot("vote")

	// Five candidates for two seats, long names; c1 and c2 kept by four:
	// elected (more than half of 6); the others not.
	cands := []map[string]any{{"name": "Nguyễn Thị Hồng Nhung Phương Thảo"}, {"name": "Hoàng Văn Quốc Bảo Trung"}, {"name": "Đỗ Minh Tuấn Anh"},
		{"name": "Vũ Thị Lan Anh Ngọc Diệp"}, {"name": "Bùi Văn Năm Thành Công"}}
	kept := func(ids ...string) *meeting.Ballot { return &meeting.Ballot{Kept: ids} }
	elect := m.poll(map[string]any{"question": "Bầu Ban Kiểm tra Đảng ủy xã nhiệm kỳ 2025–2030", "kind": "election", "seats": 2, "candidates": cands, "item": item, "uncapped": true},
		voters, []*meeting.Ballot{kept("c1", "c2"), kept("c1", "c2"), kept("c1", "c2"), kept("c1", "c3"), kept("c2", "c4")})
	electWant := wantChart{outcome: "Trúng cử: Nguyễn Thị Hồng Nhung Phương Thảo, Hoàng Văn Quốc Bảo Trung", threshold: 4.0 / 6,
		share:    map[string]float64{"c1": 4.0 / 6, "c2": 4.0 / 6, "c3": 1.0 / 6, "c4": 1.0 / 6, "c5": 0},
		rowText:  map[string]string{"c1": "trúng cử", "c2": "trúng cử", "c3": "không trúng cử", "c4": "không trúng cử", "c5": "không trúng cử"},
		distinct: [][2]string{{"c1", "c3"}}}
	checkChart(t, hall, "hall election", elect, electWant)
	checkChartContrast(t, hall, "hall election")
	hall.shot("election")
	checkChart(t, tab, "tablet election", elect, electWant)

	// Nobody reaches more than half: the outcome says so.
	empty := m.poll(map[string]any{"question": "Bầu Bí thư Chi bộ thôn Đông", "kind": "election", "seats": 1, "item": item, "uncapped": true,
		"candidates": []map[string]any{{"name": "Lý Văn Sáu"}, {"name": "Dương Thị Mai"}, {"name": "Ngô Văn Khải"}}},
		voters, []*meeting.Ballot{kept("c1"), kept("c1"), kept("c2"), kept("c2"), kept("c3")})
	emptyWant := wantChart{outcome: "Không có ai trúng cử. Còn thiếu 1 người", threshold: 4.0 / 6,
		share:   map[string]float64{"c1": 2.0 / 6, "c2": 2.0 / 6, "c3": 1.0 / 6},
		rowText: map[string]string{"c1": "không trúng cử", "c2": "không trúng cử", "c3": "không trúng cử"}}
	checkChart(t, hall, "hall empty election", empty, emptyWant)
	hall.shot("empty-election")

	// A rating of two people: each row says the level reached, the outcome
	// line counts them (a rating's base: the five ballots cast).
	rate := func(l1, l2 meeting.Level) *meeting.Ballot {
		return &meeting.Ballot{Ratings: map[string]meeting.Level{"c1": l1, "c2": l2}}
	}
	ex, good := meeting.LevelExcellent, meeting.LevelGood
	rating := m.poll(map[string]any{"question": "Đánh giá, xếp loại chất lượng năm 2026", "kind": "rating", "scale": "review", "item": item,
		"subjects": []map[string]any{{"name": "Nguyễn Văn Chủ"}, {"name": "Trần Văn Thử"}}},
		voters, []*meeting.Ballot{rate(ex, good), rate(ex, good), rate(ex, good), rate(good, good), rate(ex, ex)})
	st := m.state()
	res := pollOfState(t, st, rating).Result
	if res == nil || len(res.Subjects) != 2 || res.Subjects[0].Level != ex || res.Subjects[1].Level != good {
		t.Fatalf("the rating's result on the server = %+v; want excellent and good", res)
	}
	ratingWant := wantChart{outcome: "Xếp loại 2 người: Hoàn thành xuất sắc nhiệm vụ 1; Hoàn thành tốt nhiệm vụ 1", threshold: 3.0 / 5,
		share:   map[string]float64{"c1": 4.0 / 5, "c2": 4.0 / 5},
		rowText: map[string]string{"c1": "Hoàn thành xuất sắc nhiệm vụ", "c2": "Hoàn thành tốt nhiệm vụ"}}
	checkChart(t, hall, "hall rating", rating, ratingWant)
	checkChartContrast(t, hall, "hall rating")
	audit.check(hall, "hall-rating")
	hall.shot("rating")
	for _, size := range [][2]int{{1280, 720}, {3840, 2160}} {
		hall.resize(size[0], size[1])
		where := fmt.Sprintf("hall rating %d×%d", size[0], size[1])
		checkChart(t, hall, where, rating, ratingWant)
		inView(t, hall, where, testidSel("result-"+rating), 0)
		hall.shot(fmt.Sprintf("rating-%dx%d", size[0], size[1]))
	}
	// The tablet lists the last three results.
	for where, c := range map[string]struct {
		id string
		w  wantChart
	}{"tablet empty election": {empty, emptyWant}, "tablet rating": {rating, ratingWant}} {
		checkChart(t, tab, where, c.id, c.w)
	}
	checkChartContrast(t, tab, "tablet results")
	audit.check(tab, "tablet-results")
	tab.shot("results")
	tab.resize(390, 844)
	checkChart(t, tab, "tablet rating 390×844", rating, ratingWant)
	checkChart(t, tab, "tablet election 390×844", elect, electWant)
	tab.shot("results-phone")

	// In English too.
	hall.click("lang-toggle")
	hall.waitJS(`document.documentElement.lang === "en"`)
	ratingWant.outcome = "Ratings of 2: Excellent 1; Good 1"
	ratingWant.rowText = map[string]string{"c1": "Excellent", "c2": "Good"}
	checkChart(t, hall, "hall rating in English", rating, ratingWant)
	audit.check(hall, "en-hall-rating")
}
