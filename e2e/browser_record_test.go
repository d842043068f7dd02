package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestBrowserRecord runs the demo meeting (PHONGHOP_DEMO) of the real binary
// to its official record (issue 13), with a delegate's tablet in Chromium:
// the bulk roll call; the counting committee approved by show of hands; the
// tablet casting the election forms of docs/rules.md §4 through its own buttons
// — "Đồng ý" / "Không đồng ý" per name on a list without surplus (a row
// cleared again), a single name refused untouched (the tablet warns it
// would be invalid) then marked; the demo's secret rating; the close and
// finalisation. The minutes and the vote-counting records then open in the
// browser as the secretary sees them, with the signature blocks a
// secretary signs (T/M ĐẢNG ỦY over BÍ THƯ; the counting committee's
// members), no draft mark and no warning; screenshots of both documents and
// of their PDFs' first pages go to the test artifacts.
func TestBrowserRecord(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	srv := startServer(t, "127.0.0.1:0", t.TempDir(), "PHONGHOP_DEMO=6")
	sec, secHTTP := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	ms, err := sec.Meetings(ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("meetings = %+v, %v; want the demo meeting", ms, err)
	}
	id := ms[0].ID
	cmd := func(name string, data any) int64 {
		t.Helper()
		seq, err := sec.Command(ctx, id, name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return seq
	}
	st := secState(ctx, t, sec, id)
	if len(st.Polls) != 2 || st.Polls[0].Body != meeting.BodyCounting || st.Polls[1].Kind != meeting.PollRating || len(st.Bodies) != 1 {
		t.Fatalf("the demo prepares %d polls and %d bodies; want the vote on the counting committee and the rating", len(st.Polls), len(st.Bodies))
	}
	bodyVote, rating := st.Polls[0].ID, st.Polls[1].ID
	committee := st.Bodies[0].Members
	var members []meeting.Participant
	var me meeting.Participant
	for _, p := range st.Participants {
		if !p.Entitled() {
			continue
		}
		members = append(members, p)
		if p.Role == meeting.RoleDelegate && me.ID == "" && !slices.ContainsFunc(committee, func(m meeting.BodyMember) bool { return m.Participant == p.ID }) {
			me = p
		}
	}
	var ids []string
	for _, p := range members {
		ids = append(ids, p.ID)
	}
	codes, err := sec.PairingCodes(ctx, id, ids)
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	for _, c := range codes {
		code[c.Participant] = c.Code
	}

	// The bulk roll call, then the opening.
	cmd("attendance.mark_all_present", nil)
	cmd("meeting.open", nil)

	tab := b.newPage("tablet", 1280, 800)
	tab.navigate(srv.URL + "/tablet#code=" + code[me.ID])
	tab.waitJS(wmOnline)
	tab.shot("paired")
	voters := map[string]*client.Live{}
	for _, p := range members {
		if p.ID == me.ID {
			continue
		}
		c, _ := newClient(t, srv.URL)
		if _, err := c.Pair(ctx, code[p.ID]); err != nil {
			t.Fatalf("pair %s: %v", p.Name, err)
		}
		l, err := c.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		voters[p.ID] = l
	}
	castAll := func(poll string, ballot func(k int) meeting.Ballot) {
		t.Helper()
		k := 0
		for pid, l := range voters {
			if _, err := l.Cast(ctx, poll, "k-"+poll+"-"+pid, ballot(k)); err != nil {
				t.Fatalf("cast %s by %s: %v", poll, pid, err)
			}
			k++
		}
	}
	pollSel := func(p string) string { return `[data-testid="poll-` + p + `"]` }
	inPoll := func(p, testid string) string { return pollSel(p) + ` [data-testid="` + testid + `"]` }
	receipt := func(p string) {
		t.Helper()
		tab.clickSel(inPoll(p, "vote-confirm"))
		tab.waitJS(`!!document.querySelector(` + wmQ(inPoll(p, "vote-receipt")) + `)`)
	}

	// The counting committee, by show of hands; the tablet's hand too.
	cmd("poll.open", map[string]any{"id": bodyVote})
	tab.waitTestID("poll-" + bodyVote)
	tab.clickSel(inPoll(bodyVote, "choice-agree"))
	receipt(bodyVote)
	castAll(bodyVote, func(int) meeting.Ballot { return meeting.Ballot{Choice: meeting.ChoiceAgree} })
	cmd("poll.close", map[string]any{"id": bodyVote})
	cmd("poll.publish", map[string]any{"id": bodyVote})
	if st := secState(ctx, t, sec, id); !st.Bodies[0].Approved() {
		t.Fatalf("the counting committee is not approved after the published show of hands: %+v", st.Bodies[0])
	}

	// A list without surplus: Đồng ý / Không đồng ý per name.
	list := fmt.Sprintf("v%d", cmd("poll.create", map[string]any{"question": "Bầu Ban Kiểm tra (03 đồng chí)", "kind": "election", "seats": 3,
		"candidates": []map[string]any{{"name": "Đồng chí Hoàng Văn Một"}, {"name": "Đồng chí Phan Thị Hai"}, {"name": "Đồng chí Vương Văn Ba"}}}))
	cmd("poll.open", map[string]any{"id": list})
	tab.waitTestID("poll-" + list)
	if form := evalJS[string](tab, `document.querySelector(`+wmQ(inPoll(list, "ballot-form"))+`).dataset.form`); form != "approve" {
		t.Fatalf("the tablet shows form %q for a list without surplus; want approve", form)
	}
	tab.clickSel(inPoll(list, "mark-c1-agree"))
	tab.clickSel(inPoll(list, "mark-c2-disagree"))
	tab.clickSel(inPoll(list, "mark-c3-agree"))
	tab.clickSel(inPoll(list, "mark-c3-agree")) // cleared again: no box for c3
	tab.waitJS(`document.querySelector(` + wmQ(inPoll(list, "mark-c3-agree")) + `).getAttribute('aria-pressed') === 'false'`)
	tab.shot("list-without-surplus")
	tab.clickSel(inPoll(list, "vote-review"))
	tab.waitJS(`!!document.querySelector(` + wmQ(inPoll(list, "vote-summary")) + `)`)
	if got := evalJS[string](tab, `document.querySelector(`+wmQ(inPoll(list, "vote-summary"))+`).textContent`); !strings.Contains(got, "Đồng chí Hoàng Văn Một: Đồng ý") ||
		!strings.Contains(got, "Đồng chí Phan Thị Hai: Không đồng ý") || !strings.Contains(got, "Đồng chí Vương Văn Ba: Chưa chọn.") {
		t.Errorf("vote summary = %q", got)
	}
	if tab.exists(inPoll(list, "vote-warning")) {
		t.Errorf("a ballot with a row left blank is flagged invalid; docs/rules.md §4: that name only gets no vote")
	}
	receipt(list)
	castAll(list, func(int) meeting.Ballot { return meeting.Ballot{Agree: []string{"c1", "c2", "c3"}} })
	cmd("poll.close", map[string]any{"id": list})
	cmd("poll.publish", map[string]any{"id": list})
	n := len(members)
	if p, _ := secState(ctx, t, sec, id).Poll(list); p.Result == nil || p.Result.Valid != n || p.Result.Candidates[0].Votes != n || p.Result.Candidates[1].Votes != n-1 ||
		p.Result.Candidates[1].Against != 1 || p.Result.Candidates[2].Votes != n-1 || p.Result.Candidates[2].Against != 0 {
		t.Errorf("list without surplus counted %+v; want the tablet's ballot valid: c1 %d, c2 %d (1 against), c3 %d (no vote from the tablet)", p.Result, n, n-1, n-1)
	}

	// A single name: untouched is invalid, and the tablet says so first.
	single := fmt.Sprintf("v%d", cmd("poll.create", map[string]any{"question": "Bầu Phó Bí thư Đảng ủy", "kind": "election", "seats": 1,
		"candidates": []map[string]any{{"participant": members[1].ID}}}))
	cmd("poll.open", map[string]any{"id": single})
	tab.waitTestID("poll-" + single)
	if form := evalJS[string](tab, `document.querySelector(`+wmQ(inPoll(single, "ballot-form"))+`).dataset.form`); form != "single" {
		t.Fatalf("the tablet shows form %q for a single name; want single", form)
	}
	tab.clickSel(inPoll(single, "vote-review"))
	tab.waitJS(`!!document.querySelector(` + wmQ(inPoll(single, "vote-warning")) + `)`)
	if got := evalJS[string](tab, `document.querySelector(`+wmQ(inPoll(single, "vote-warning"))+`).textContent`); !strings.Contains(got, "không đánh dấu ô nào") {
		t.Errorf("the untouched single-name ballot warns %q; want the reason: no box marked", got)
	}
	tab.shot("single-name-untouched")
	tab.clickSel(inPoll(single, "vote-back"))
	tab.clickSel(inPoll(single, "mark-c1-agree"))
	tab.clickSel(inPoll(single, "vote-review"))
	tab.waitJS(`!!document.querySelector(` + wmQ(inPoll(single, "vote-summary")) + `)`)
	if tab.exists(inPoll(single, "vote-warning")) {
		t.Errorf("a single-name ballot with Đồng ý is flagged invalid")
	}
	receipt(single)
	castAll(single, func(k int) meeting.Ballot {
		if k == 0 {
			return meeting.Ballot{} // untouched: invalid
		}
		return meeting.Ballot{Agree: []string{"c1"}}
	})
	cmd("poll.close", map[string]any{"id": single})
	cmd("poll.publish", map[string]any{"id": single})
	if p, _ := secState(ctx, t, sec, id).Poll(single); p.Result == nil || p.Result.Invalid != 1 || p.Result.InvalidReasons[0].Reason != meeting.ReasonNoMark ||
		p.Result.Candidates[0].Votes != n-1 {
		t.Errorf("single name counted %+v; want 1 invalid (no mark), %d votes", p.Result, n-1)
	}

	// The demo's rating, everyone but the tablet.
	cmd("poll.open", map[string]any{"id": rating})
	levels := meeting.ScaleReview.Levels()
	subjects := len(secState(ctx, t, sec, id).Polls[1].Subjects)
	castAll(rating, func(k int) meeting.Ballot {
		r := map[string]meeting.Level{}
		for s := range subjects {
			r[fmt.Sprintf("c%d", s+1)] = levels[(k+s)%3]
		}
		return meeting.Ballot{Ratings: r}
	})
	cmd("poll.close", map[string]any{"id": rating})
	cmd("poll.publish", map[string]any{"id": rating})
	cmd("meeting.close", nil)
	cmd("minutes.conclude", map[string]any{"text": "Hội nghị đã hoàn thành chương trình đề ra."})
	cmd("minutes.finalize", map[string]any{"number": "01-BB/ĐU", "superior": "Đảng bộ thành phố (dữ liệu mẫu)"})

	// ---- the record, as the secretary opens it ----
	con := b.newPage("record", 1000, 1400)
	con.navigate(srv.URL + "/console")
	con.waitTestID("login-form")
	wmSet(t, con, testidSel("login-username"), adminUser)
	wmSet(t, con, testidSel("login-password"), adminPassword)
	con.click("login-submit")
	con.waitTestID("meeting-create-form")
	base := srv.URL + "/api/meetings/" + id
	docs := []struct {
		name, path string
		want       []string
	}{
		{"minutes", "/minutes", []string{"ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN", "Số 01-BB/ĐU", "BIÊN BẢN", "Hà Nội, ngày",
			"Ban Kiểm phiếu:", "được biểu quyết thông qua lúc", "Số phiếu phát ra", "số phiếu thu vào", "không đánh dấu ô nào: 1", "T/M ĐẢNG ỦY", "BÍ THƯ", "NGƯỜI GHI BIÊN BẢN"}},
		{"counting-rating", "/polls/" + rating + "/counting-record", []string{"BIÊN BẢN KIỂM PHIẾU", "Ban Kiểm phiếu gồm các đồng chí", "Số phiếu phát ra: " + fmt.Sprint(n), "BAN KIỂM PHIẾU", "TRƯỞNG BAN"}},
		{"counting-single", "/polls/" + single + "/counting-record", []string{"BIÊN BẢN KIỂM PHIẾU", "phiếu một người", "Không đánh dấu ô nào", "Trúng cử", "TRƯỞNG BAN"}},
	}
	for _, d := range docs {
		con.navigate(base + d.path + "?format=html")
		con.waitJS(`document.readyState === "complete" && document.body.innerText.length > 100`)
		text := evalJS[string](con, `document.body.innerText`)
		for _, w := range d.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", d.name, w)
			}
		}
		for _, never := range []string{"DỰ THẢO", "Lưu ý"} {
			if strings.Contains(text, never) {
				t.Errorf("%s shows %q", d.name, never)
			}
		}
		fullShot(t, con, d.name)
		savePDF(ctx, t, secHTTP, base+d.path+"?format=pdf", filepath.Join(con.b.artifacts, d.name+".pdf"))
	}
}

// fullShot saves a screenshot of the whole page (not only the viewport).
func fullShot(t *testing.T, p *page, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("full screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(p.b.artifacts, name+".png"), png, 0o644); err != nil {
		t.Logf("save screenshot: %v", err)
	}
}

// savePDF downloads a record's PDF into the artifacts and, with pdftoppm
// (poppler-utils), renders its first page next to it.
func savePDF(ctx context.Context, t *testing.T, hc *http.Client, url, path string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("GET %s = %d %.100s", url, resp.StatusCode, b)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if bin, err := exec.LookPath("pdftoppm"); err == nil {
		_ = exec.Command(bin, "-r", "70", "-png", "-f", "1", "-l", "1", path, strings.TrimSuffix(path, ".pdf")+"-page").Run()
	}
}
