package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/minutes"
)

// The shared set-up of the paper-ballot tests (issue 19, docs/paper.md): a
// meeting of n delegates on the real binary, all present, with the
// counting committee (the first three delegates) approved by show of
// hands and two technicians.

type paperMeeting struct {
	t         *testing.T
	ctx       context.Context
	srv       *proc
	sec       *client.Client
	secHTTP   *http.Client
	id        string
	delegates []meeting.Participant
	members   []meeting.Participant // the counting committee, head first
	techs     []meeting.Participant
}

func newPaperMeeting(ctx context.Context, t *testing.T, srv *proc, n int) *paperMeeting {
	t.Helper()
	sec, secHTTP := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đại hội đại biểu Đảng bộ Khối lần thứ IV", Organization: "Đảng bộ Khối Cơ quan tỉnh", Place: "Hội trường lớn"})
	if err != nil {
		t.Fatal(err)
	}
	m := &paperMeeting{t: t, ctx: ctx, srv: srv, sec: sec, secHTTP: secHTTP, id: id}
	rows := []meeting.NewParticipant{}
	for i := range n {
		rows = append(rows, meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu Thử Số %d", i+1), Role: meeting.RoleDelegate})
	}
	rows = append(rows, meeting.NewParticipant{Name: "Kỹ thuật viên Lò Văn Tính", Role: meeting.RoleTechnician},
		meeting.NewParticipant{Name: "Kỹ thuật viên Hà Thị Số", Role: meeting.RoleTechnician})
	m.cmd("participant.import", map[string]any{"rows": rows})
	st := m.state()
	for _, p := range st.Participants {
		switch p.Role {
		case meeting.RoleDelegate:
			m.delegates = append(m.delegates, p)
		case meeting.RoleTechnician:
			m.techs = append(m.techs, p)
		}
	}
	m.members = m.delegates[:3]
	m.cmd("attendance.mark_all_present", nil)
	m.cmd("meeting.open", nil)
	m.cmd("body.propose", map[string]any{"kind": "counting", "members": []map[string]string{
		{"participant": m.members[0].ID, "post": "Trưởng ban"}, {"participant": m.members[1].ID}, {"participant": m.members[2].ID}}})
	vote := m.createPoll(map[string]any{"kind": "open", "question": "Thông qua danh sách Ban Kiểm phiếu", "body": "counting", "base": "cast"})
	m.cmd("poll.open", map[string]any{"id": vote})
	for _, p := range m.members {
		c := m.device(p)
		l, err := c.Connect(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Cast(ctx, vote, "k-"+p.ID, meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
			t.Fatalf("cast on the committee: %v", err)
		}
		l.Close()
	}
	m.cmd("poll.close", map[string]any{"id": vote})
	m.cmd("poll.publish", map[string]any{"id": vote})
	if st := m.state(); !st.InBody(meeting.BodyCounting, m.members[0].ID) {
		t.Fatal("the counting committee is not approved")
	}
	return m
}

func (m *paperMeeting) cmd(name string, data any) int64 {
	m.t.Helper()
	seq, err := m.sec.Command(m.ctx, m.id, name, data)
	if err != nil {
		m.t.Fatalf("%s: %v", name, err)
	}
	return seq
}

func (m *paperMeeting) state() *meeting.State {
	m.t.Helper()
	st, err := m.sec.Meeting(m.ctx, m.id)
	if err != nil {
		m.t.Fatal(err)
	}
	return st
}

// createPoll creates a poll and returns its ID (the newest poll).
func (m *paperMeeting) createPoll(spec map[string]any) string {
	m.t.Helper()
	m.cmd("poll.create", spec)
	st := m.state()
	return st.Polls[len(st.Polls)-1].ID
}

// code issues a fresh pairing code for participant p.
func (m *paperMeeting) code(p meeting.Participant) string {
	m.t.Helper()
	codes, err := m.sec.PairingCodes(m.ctx, m.id, []string{p.ID})
	if err != nil || len(codes) != 1 {
		m.t.Fatalf("pairing code for %s: %v", p.Name, err)
	}
	return codes[0].Code
}

// device returns a client paired as p (a new device session: a new station).
func (m *paperMeeting) device(p meeting.Participant) *client.Client {
	m.t.Helper()
	c, _ := newClient(m.t, m.srv.URL)
	if _, err := c.Pair(m.ctx, m.code(p)); err != nil {
		m.t.Fatalf("pair %s: %v", p.Name, err)
	}
	return c
}

// getBytes GETs a path as the secretary.
func (m *paperMeeting) getBytes(path string) ([]byte, http.Header) {
	m.t.Helper()
	req, _ := http.NewRequestWithContext(m.ctx, http.MethodGet, m.srv.URL+path, nil)
	resp, err := m.secHTTP.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		m.t.Fatalf("GET %s = %d %s, %v", path, resp.StatusCode, b, err)
	}
	return b, resp.Header
}

// ---- generated ballots -----------------------------------------------------

// paperTruth generates n true ballots of paper poll p: mostly valid, with
// every invalid reason of its form present.
func paperTruth(r *rand.Rand, p meeting.Poll, n int) []meeting.PaperMarks {
	out := make([]meeting.PaperMarks, n)
	names := len(p.Names())
	pick := func(k int) []int {
		xs := r.Perm(names)[:k]
		for j := range xs {
			xs[j]++
		}
		slices.Sort(xs)
		if len(xs) == 0 {
			return nil
		}
		return xs
	}
	for i := range out {
		var m meeting.PaperMarks
		switch {
		case i%13 == 7: // declared invalid, every reason in turn
			m = meeting.PaperMarks{Void: meeting.PaperVoidReasons[(i/13)%len(meeting.PaperVoidReasons)]}
		case p.PaperForm() == "strike":
			switch i % 31 {
			case 3:
				m = meeting.PaperMarks{} // untouched: elects too many
			case 11:
				m = meeting.PaperMarks{Struck: pick(names)} // nobody kept
			default:
				m = meeting.PaperMarks{Struck: pick(names - p.Seats + r.IntN(min(p.Seats, 4)))}
			}
		case p.PaperForm() == "approve" || p.PaperForm() == "single":
			for row := 1; row <= names; row++ {
				switch x := r.IntN(24); {
				case x == 0:
					m.Agree, m.Disagree = append(m.Agree, row), append(m.Disagree, row)
				case x == 1:
				case x < 7:
					m.Disagree = append(m.Disagree, row)
				default:
					m.Agree = append(m.Agree, row)
				}
			}
			switch i % 11 { // every case of the form, whatever the draw
			case 2:
				m = meeting.PaperMarks{Agree: []int{1}, Disagree: []int{1}}
			case 4:
				m = meeting.PaperMarks{}
			}
		case p.PaperForm() == "vote":
			switch i % 13 {
			case 4:
			case 9:
				m = meeting.PaperMarks{Boxes: []int{1, 2}}
			default:
				m = meeting.PaperMarks{Boxes: []int{1 + r.IntN(3)}}
			}
		case p.PaperForm() == "rating":
			levels := len(p.Scale.Levels())
			m.Rows = make([]int, names)
			for j := range m.Rows {
				switch x := r.IntN(30); {
				case x == 0:
					m.Rows[j] = meeting.RowNone
				case x == 1:
					m.Rows[j] = meeting.RowNameStruck
				case x == 2:
					m.Rows[j] = meeting.RowManyMarks
				default:
					m.Rows[j] = 1 + r.IntN(levels)
				}
			}
			switch i % 11 { // every row reason, whatever the draw
			case 2:
				m.Rows[0] = meeting.RowNameStruck
			case 4:
				m.Rows[0] = meeting.RowManyMarks
			case 6:
				m.Rows[0] = meeting.RowNone
			}
		}
		c, err := p.CheckMarks(m)
		if err != nil {
			panic(err)
		}
		out[i] = c
	}
	return out
}

// paperMistype returns m keyed wrongly: one number, box or row changed.
func paperMistype(r *rand.Rand, p meeting.Poll, m meeting.PaperMarks) meeting.PaperMarks {
	names := len(p.Names())
	toggle := func(xs []int, n int) []int {
		xs = slices.Clone(xs)
		x := 1 + r.IntN(n)
		if i := slices.Index(xs, x); i >= 0 {
			return slices.Delete(xs, i, i+1)
		}
		xs = append(xs, x)
		slices.Sort(xs)
		return xs
	}
	var w meeting.PaperMarks
	switch {
	case m.Void != "":
		w = meeting.PaperMarks{Void: meeting.PaperVoidReasons[(slices.Index(meeting.PaperVoidReasons, m.Void)+1)%len(meeting.PaperVoidReasons)]}
	case p.PaperForm() == "strike":
		w = meeting.PaperMarks{Struck: toggle(m.Struck, names)}
	case p.PaperForm() == "approve" || p.PaperForm() == "single":
		w = meeting.PaperMarks{Agree: m.Agree, Disagree: toggle(m.Disagree, names)}
	case p.PaperForm() == "vote":
		w = meeting.PaperMarks{Boxes: toggle(m.Boxes, 3)}
	case p.PaperForm() == "rating":
		w = meeting.PaperMarks{Rows: slices.Clone(m.Rows)}
		j := r.IntN(names)
		w.Rows[j] = (w.Rows[j] + 1) % (len(p.Scale.Levels()) + 1)
	}
	c, err := p.CheckMarks(w)
	if err != nil {
		panic(err)
	}
	return c
}

// keyed returns the line an operator types on /count for marks m of a
// ballot of poll p (docs/paper.md).
func keyed(p meeting.Poll, m meeting.PaperMarks) string {
	nums := func(xs []int, suffix string) []string {
		var out []string
		for _, x := range xs {
			out = append(out, strconv.Itoa(x)+suffix)
		}
		return out
	}
	if m.Void != "" {
		return "/" + strconv.Itoa(slices.Index(meeting.PaperVoidReasons, m.Void)+1)
	}
	switch p.PaperForm() {
	case "strike":
		return strings.Join(nums(m.Struck, ""), " ")
	case "single":
		a, d := len(m.Agree) > 0, len(m.Disagree) > 0
		switch {
		case a && d:
			return "3"
		case a:
			return "1"
		case d:
			return "2"
		}
		return "0"
	case "approve":
		var toks []string
		for row := 1; row <= len(p.Names()); row++ {
			a, d := slices.Contains(m.Agree, row), slices.Contains(m.Disagree, row)
			switch {
			case a && d:
				toks = append(toks, strconv.Itoa(row)+"+")
			case d:
				toks = append(toks, strconv.Itoa(row))
			case !a:
				toks = append(toks, strconv.Itoa(row)+".")
			}
		}
		return strings.Join(toks, " ")
	case "vote":
		if len(m.Boxes) == 0 {
			return "0"
		}
		return strings.Join(nums(m.Boxes, ""), "")
	case "rating":
		return strings.Join(nums(m.Rows, ""), "")
	}
	return ""
}

// ---- the recount from the log ------------------------------------------------

// recountFromLog recounts a paper poll from its entry log alone, without
// meeting.Reconcile: each station's entries per bundle (undos applied),
// equal marks counting, the last decision on a differing position ruling.
// It returns the ballots in bundle and position order, and the positions
// whose entries differed.
func recountFromLog(t *testing.T, l minutes.EntryLogRecord, times int) ([]meeting.PaperMarks, map[[2]int]bool) {
	t.Helper()
	type entry struct {
		marks    []meeting.PaperMarks
		finished bool
	}
	bundles := map[int]map[string]*entry{}
	decisions := map[[2]int]minutes.EntryRow{}
	for _, r := range l.Rows {
		if bundles[r.Bundle] == nil {
			bundles[r.Bundle] = map[string]*entry{}
		}
		e := bundles[r.Bundle][r.Station]
		switch r.Type {
		case meeting.EventPaperEntered:
			if e == nil {
				e = &entry{}
				bundles[r.Bundle][r.Station] = e
			}
			if r.Position != len(e.marks)+1 {
				t.Errorf("log: %s keyed position %d of bundle %d after %d", r.Station, r.Position, r.Bundle, len(e.marks))
			}
			e.marks = append(e.marks, *r.Raw)
		case meeting.EventPaperUndone:
			e.marks = e.marks[:len(e.marks)-1]
		case meeting.EventPaperFinished:
			e.finished = true
		case meeting.EventPaperDecided:
			decisions[[2]int{r.Bundle, r.Position}] = r
		}
	}
	var out []meeting.PaperMarks
	differ := map[[2]int]bool{}
	var nums []int
	for b := range bundles {
		if b > 0 {
			nums = append(nums, b)
		}
	}
	slices.Sort(nums)
	for _, b := range nums {
		var es []*entry
		for _, e := range bundles[b] {
			if len(e.marks) > 0 {
				es = append(es, e)
			}
		}
		if len(es) != times {
			t.Errorf("log: bundle %d has %d entries; want %d", b, len(es), times)
			continue
		}
		n := 0
		for _, e := range es {
			n = max(n, len(e.marks))
			if !e.finished {
				t.Errorf("log: an entry of bundle %d is not finished", b)
			}
		}
		for pos := range n {
			same := true
			for _, e := range es {
				if pos >= len(e.marks) || !cmp.Equal(e.marks[pos], es[0].marks[pos]) {
					same = false
				}
			}
			if same {
				out = append(out, es[0].marks[pos])
				continue
			}
			differ[[2]int{b, pos + 1}] = true
			d, ok := decisions[[2]int{b, pos + 1}]
			if !ok {
				t.Errorf("log: bundle %d position %d differs and is not decided", b, pos+1)
				continue
			}
			if !d.Absent {
				out = append(out, *d.Raw)
			}
		}
	}
	return out, differ
}

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// checkRecord checks the counting record and the entry log of counted paper
// poll pollID against the truth: every count of the record equals the
// recount from the log and the tally of the true ballots; the log's hash
// printed on the record is the hash of the log served (and archived).
func (m *paperMeeting) checkRecord(pollID string, truth []meeting.PaperMarks, planted map[[2]int]bool) {
	t := m.t
	t.Helper()
	st := m.state()
	p, _ := st.Poll(pollID)
	logJSON, hdr := m.getBytes("/api/meetings/" + m.id + "/polls/" + pollID + "/paper/log?format=json")
	var l minutes.EntryLogRecord
	if err := json.Unmarshal(logJSON, &l); err != nil {
		t.Fatal(err)
	}
	recJSON, _ := m.getBytes("/api/meetings/" + m.id + "/polls/" + pollID + "/counting-record?format=json")
	var rec minutes.CountingRecord
	if err := json.Unmarshal(recJSON, &rec); err != nil {
		t.Fatal(err)
	}
	recounted, differ := recountFromLog(t, l, p.Rules.Entries())
	if diff := cmp.Diff(planted, differ); diff != "" {
		t.Errorf("%s: positions differing in the log are not the planted errors (-planted +log):\n%s", pollID, diff)
	}
	ballots := func(ms []meeting.PaperMarks) []meeting.Ballot {
		var out []meeting.Ballot
		for _, x := range ms {
			out = append(out, x.Ballot(p))
		}
		return out
	}
	wantTruth := meeting.Tally(p, ballots(truth))
	if diff := cmp.Diff(wantTruth, *p.Result); diff != "" {
		t.Errorf("%s: result differs from the tally of the true ballots (-truth +result):\n%s", pollID, diff)
	}
	if diff := cmp.Diff(meeting.Tally(p, ballots(recounted)), *rec.Poll.Result); diff != "" {
		t.Errorf("%s: counting record differs from the recount from the log (-recount +record):\n%s", pollID, diff)
	}
	if p.PaperForm() == "strike" { // by hand, without meeting's rules code
		valid, kept := 0, make([]int, len(p.Candidates))
		for _, x := range recounted {
			n := len(p.Candidates) - len(x.Struck)
			if x.Void != "" || n > p.Seats || n == 0 {
				continue
			}
			valid++
			for i := range kept {
				if !slices.Contains(x.Struck, i+1) {
					kept[i]++
				}
			}
		}
		if rec.Poll.Result.Valid != valid || rec.Poll.Result.Cast != len(recounted) {
			t.Errorf("%s: record says %d valid of %d; the hand recount %d of %d", pollID, rec.Poll.Result.Valid, rec.Poll.Result.Cast, valid, len(recounted))
		}
		for i, c := range rec.Poll.Result.Candidates {
			if c.Votes != kept[i] {
				t.Errorf("%s: %s has %d votes on the record; the hand recount %d", pollID, c.Name, c.Votes, kept[i])
			}
		}
	}
	reasons := map[meeting.Reason]bool{}
	for _, r := range rec.Poll.Result.InvalidReasons {
		reasons[r.Reason] = true
	}
	for _, s := range rec.Poll.Result.Subjects {
		for _, r := range s.InvalidReasons {
			reasons[r.Reason] = true
		}
	}
	want := slices.Clone(meeting.PaperVoidReasons)
	switch p.PaperForm() { // and the reasons the rules find in the marks
	case "strike":
		want = append(want, meeting.ReasonTooMany, meeting.ReasonNoneKept)
	case "single":
		want = append(want, meeting.ReasonBothMarked, meeting.ReasonNoMark)
	case "vote":
		want = append(want, meeting.ReasonNoChoice, meeting.ReasonManyMarks)
	case "rating":
		want = append(want, meeting.ReasonNameStruck, meeting.ReasonManyMarks, meeting.ReasonMissingLevel)
	}
	for _, r := range want {
		if !reasons[r] {
			t.Errorf("%s: invalid reason %s absent from the record; the generated ballots have every reason of the form", pollID, r)
		}
	}
	if rec.Paper == nil || rec.Paper.LogHash != sha256Hex(logJSON) || hdr.Get("X-Log-Hash") != rec.Paper.LogHash {
		t.Errorf("%s: counting record's log hash %v; want the SHA-256 of the entry log %s", pollID, rec.Paper, sha256Hex(logJSON))
	}
	if rec.Paper != nil && (rec.Paper.Flagged != len(planted) || rec.Paper.Decided != len(planted) || len(rec.Paper.Decisions) != len(planted)) {
		t.Errorf("%s: record says %d flagged, %d decided; want %d", pollID, rec.Paper.Flagged, rec.Paper.Decided, len(planted))
	}
	for _, forbidden := range m.delegates[3:] { // voters' names never appear in the log (the committee's may, as operators)
		if strings.Contains(string(logJSON), forbidden.Name+"\"") {
			t.Fatalf("%s: the entry log names voter %s", pollID, forbidden.Name)
		}
	}
}

// waitFor polls cond every 50 ms until it is true or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

// BenchmarkPaperKeystrokes measures the keystrokes an operator types per
// ballot on /count (the line and Enter), for each form, on the ballots the
// tests generate (paperTruth: a voter on a list with surplus strikes the
// surplus or up to three more; on other forms about a quarter of the rows
// differ from the common mark), at 55 and 220 names.
//
//	go test ./e2e -run '^$' -bench PaperKeystrokes -benchtime 1x
func BenchmarkPaperKeystrokes(b *testing.B) {
	forms := []struct {
		name string
		p    meeting.Poll
	}{
		{"strike-55", paperPollOf(meeting.PollSpec{Kind: meeting.PollElection, Seats: 50}, 55)},
		{"strike-220", paperPollOf(meeting.PollSpec{Kind: meeting.PollElection, Seats: 200}, 220)},
		{"approve-15", paperPollOf(meeting.PollSpec{Kind: meeting.PollElection, Seats: 15}, 15)},
		{"single", paperPollOf(meeting.PollSpec{Kind: meeting.PollElection, Seats: 1}, 1)},
		{"vote", paperPollOf(meeting.PollSpec{Kind: meeting.PollSecret}, 0)},
		{"confidence-10", paperPollOf(meeting.PollSpec{Kind: meeting.PollRating, Scale: meeting.ScaleConfidence}, 10)},
	}
	for _, f := range forms {
		b.Run(f.name, func(b *testing.B) {
			keys := 0
			n := 0
			for range b.N {
				for _, m := range paperTruth(rand.New(rand.NewPCG(5, 6)), f.p, 1600) {
					keys += len([]rune(keyed(f.p, m))) + 1 // the line and Enter
					n++
				}
			}
			b.ReportMetric(float64(keys)/float64(n), "keys/ballot")
		})
	}
}

// paperPollOf is a paper poll of spec with n names, as opened (IDs set).
func paperPollOf(spec meeting.PollSpec, n int) meeting.Poll {
	for i := range n {
		c := meeting.Candidate{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Tên %d", i+1)}
		if spec.Kind == meeting.PollRating {
			spec.Subjects = append(spec.Subjects, c)
		} else {
			spec.Candidates = append(spec.Candidates, c)
		}
	}
	spec.Paper = true
	return meeting.Poll{ID: "v1", PollSpec: spec, Rules: meeting.DefaultPollRules()}
}
