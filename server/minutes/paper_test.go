package minutes

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
)

// paperFixture is a meeting of n delegates with the counting committee
// (the first three) approved, and a paper poll of spec keyed three times by
// the committee's stations — with a difference at every 40th ballot, which
// the committee decides — closed and published.
type paperFix struct {
	*fixture
	poll     string
	stations []meeting.Actor
	truth    []meeting.PaperMarks
	flagged  int
}

func newPaperFix(tb testing.TB, n int, spec meeting.PollSpec, key bool) *paperFix {
	f := &paperFix{fixture: newFixture(tb, "m-paper")}
	f.sec(&meeting.CreateMeeting{Details: meeting.Details{Title: "Đại hội đại biểu", Organization: "Đảng bộ Khối Cơ quan"}})
	var rows []meeting.NewParticipant
	for i := range n {
		rows = append(rows, meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i+1)})
	}
	f.people(rows...)
	f.sec(&meeting.OpenMeeting{})
	f.sec(&meeting.MarkAllPresent{})
	m := []string{"Đại biểu 1", "Đại biểu 2", "Đại biểu 3"}
	f.sec(&meeting.ProposeBody{Kind: meeting.BodyCounting, Members: []meeting.BodyMember{{Participant: f.pid(m[0]), Post: "Trưởng ban"}, {Participant: f.pid(m[1])}, {Participant: f.pid(m[2])}}})
	vote := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua danh sách Ban Kiểm phiếu", Kind: meeting.PollOpen, Body: meeting.BodyCounting, Base: meeting.BaseCast}}))
	f.sec(&meeting.OpenPoll{ID: vote})
	f.vote(vote, m, choices(meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree))
	f.closePoll(vote, true)
	for i, name := range m {
		a := f.actor(name)
		a.Station = fmt.Sprintf("st-%d", i+1)
		f.stations = append(f.stations, a)
	}
	spec.Paper = true
	f.poll = id(f.sec(&meeting.CreatePoll{PollSpec: spec}))
	f.sec(&meeting.OpenPoll{ID: f.poll})
	f.do(f.stations[0], &meeting.RecordPaperCounts{Poll: f.poll, Issued: n, Returned: n})
	if !key {
		return f
	}
	p, _ := f.s.Poll(f.poll)
	r := rand.New(rand.NewPCG(3, 4))
	names := len(p.Names())
	for i := range n {
		var mk meeting.PaperMarks
		switch {
		case i%37 == 5:
			mk.Void = meeting.PaperVoidReasons[i%4]
		default:
			k := names - p.Seats + r.IntN(3)
			s := r.Perm(names)[:k]
			for j := range s {
				s[j]++
			}
			slices.Sort(s)
			mk.Struck = s
		}
		f.truth = append(f.truth, mk)
	}
	const size = 50
	for b := 0; b*size < n; b++ {
		part := f.truth[b*size : min(n, (b+1)*size)]
		for si, a := range f.stations {
			for pos, mk := range part {
				if si == 1 && (b*size+pos)%40 == 0 { // a keying error on one station
					mk = meeting.PaperMarks{Struck: []int{1, 2}}
					if mk.Equal(part[pos]) {
						mk = meeting.PaperMarks{Struck: []int{1, 3}}
					}
				}
				f.do(a, &meeting.EnterPaperBallot{Poll: f.poll, Bundle: b + 1, Position: pos + 1, Marks: mk})
			}
			f.do(a, &meeting.FinishPaperBundle{Poll: f.poll, Bundle: b + 1, Count: len(part)})
		}
		for pos := range part {
			if (b*size+pos)%40 == 0 {
				mk := part[pos]
				f.do(f.stations[2], &meeting.DecidePaperBallot{Poll: f.poll, Bundle: b + 1, Position: pos + 1, Marks: &mk, Note: "Đối chiếu phiếu gốc"})
				f.flagged++
			}
		}
	}
	f.sec(&meeting.ClosePoll{ID: f.poll})
	f.sec(&meeting.PublishPoll{ID: f.poll})
	return f
}

// TestPaperRecord: the entry log holds every paper event of the poll, its
// hash is the SHA-256 of its JSON, and the counting record prints that
// hash, the stations, the differences and the committee's decisions.
func TestPaperRecord(t *testing.T) {
	f := newPaperFix(t, 120, meeting.PollSpec{Question: "Bầu Ban Chấp hành", Kind: meeting.PollElection, Seats: 10, Candidates: testNames(12)}, true)
	l, err := BuildEntryLog(f.log, f.poll)
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	for _, e := range f.log {
		if strings.HasPrefix(e.Type, "paper.") && e.Type != meeting.EventPaperTechnicians {
			events++
		}
	}
	if got := len(l.Record().Rows); got != events {
		t.Errorf("entry log has %d rows; the log has %d paper events of the poll", got, events)
	}
	j, _ := l.JSON()
	sum := sha256.Sum256(j)
	if l.Hash() != hex.EncodeToString(sum[:]) {
		t.Errorf("Hash() = %s; want the SHA-256 of JSON()", l.Hash())
	}
	c, err := BuildCounting(f.log, f.poll)
	if err != nil {
		t.Fatal(err)
	}
	ps := c.Record().Paper
	if ps == nil || ps.LogHash != l.Hash() || len(ps.Stations) != 3 || ps.Flagged != f.flagged || ps.Decided != f.flagged || ps.Entered != 120 {
		t.Fatalf("paper summary = %+v; want hash %s, 3 stations, %d flagged and decided, 120 entered", ps, l.Hash(), f.flagged)
	}
	// The minutes print the paper poll's result, from the same count, and say it was on paper.
	mins, err := Build(f.log)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := mins.HTML("vi")
	p, _ := f.s.Poll(f.poll)
	if !strings.Contains(string(html), "bằng phiếu giấy") || !strings.Contains(string(html), p.Question) {
		t.Errorf("the minutes do not say the poll was cast on paper")
	}
	var poll Poll
	rec := mins.Record()
	items := rec.Items
	if rec.Other != nil {
		items = append(items, *rec.Other)
	}
	for _, it := range items {
		for _, x := range it.Polls {
			if x.ID == f.poll {
				poll = x
			}
		}
	}
	if poll.Result == nil || poll.Result.Valid != c.Record().Poll.Result.Valid || poll.Result.Cast != 120 {
		t.Errorf("the minutes' count %+v differs from the counting record's", poll.Result)
	}
	// The hash does not change with later events of the meeting.
	f.sec(&meeting.SendNotice{Text: "Nghỉ giải lao"})
	if l2, _ := BuildEntryLog(f.log, f.poll); l2.Hash() != l.Hash() {
		t.Errorf("entry log hash changed with a later notice")
	}
	pdf, err := c.PDF("vi")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"bằng phiếu giấy", "Máy 1", "Máy 3", groupHash(l.Hash())[:17], "Các phiếu có khác biệt và quyết định"} {
		if !strings.Contains(text, want) {
			t.Errorf("counting record PDF lacks %q", want)
		}
	}
	lp, err := l.PDF("vi")
	if err != nil {
		t.Fatal(err)
	}
	if lt := pdfText(t, lp); !strings.Contains(lt, "NHẬT KÝ NHẬP PHIẾU") || !strings.Contains(lt, "quyết định") || !strings.Contains(lt, groupHash(l.Hash())[:17]) {
		t.Errorf("entry log PDF lacks its title or a decision")
	}
}

// pdfPages returns the text of each page of pdf (pdftotext, page by page).
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdftotext (poppler-utils) is required under CI=true: %v", err)
		}
		t.Skipf("pdftotext not installed (poppler-utils): %v", err)
	}
	path := filepath.Join(t.TempDir(), "ballots.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f"), "\f")
}

func testNames(n int) []meeting.Candidate {
	var out []meeting.Candidate
	for i := range n {
		out = append(out, meeting.Candidate{Name: fmt.Sprintf("Ứng viên Thử %d", i+1)})
	}
	return out
}

// TestPaperBallotsPrinted: every form prints, every name with its number,
// the committee's stamp frame, and every copy is the same (nothing could
// tell one voter's ballot from another's).
func TestPaperBallotsPrinted(t *testing.T) {
	specs := []meeting.PollSpec{
		{Question: "Bầu Ban Chấp hành", Kind: meeting.PollElection, Seats: 30, Candidates: testNames(33)},
		{Question: "Bầu Ủy ban Kiểm tra", Kind: meeting.PollElection, Seats: 5, Candidates: testNames(5)},
		{Question: "Bầu Bí thư", Kind: meeting.PollElection, Seats: 1, Candidates: testNames(1)},
		{Question: "Thông qua nghị quyết", Kind: meeting.PollSecret},
		{Question: "Lấy phiếu tín nhiệm", Kind: meeting.PollRating, Scale: meeting.ScaleConfidence, Subjects: testNames(6), Base: meeting.BaseCast},
		{Question: "Đánh giá, xếp loại", Kind: meeting.PollRating, Scale: meeting.ScaleReview, Subjects: testNames(4)},
	}
	for _, spec := range specs {
		f := newPaperFix(t, 10, spec, false)
		p, _ := f.s.Poll(f.poll)
		pdf, err := PaperBallots(f.s, f.poll, 2, "vi")
		if err != nil {
			t.Fatalf("%s: %v", spec.Question, err)
		}
		pages := pdfPages(t, pdf)
		if len(pages)%2 != 0 {
			t.Fatalf("%s: %d pages for two copies", spec.Question, len(pages))
		}
		half := len(pages) / 2
		if !slices.Equal(pages[:half], pages[half:]) {
			t.Errorf("%s: the two copies differ", spec.Question)
		}
		one := strings.Join(strings.Fields(strings.Join(pages[:half], " ")), " ")
		for i, c := range p.Names() {
			if !strings.Contains(one, c.Name) || !strings.Contains(one, fmt.Sprint(i+1)) {
				t.Errorf("%s: name %d %q missing", spec.Question, i+1, c.Name)
			}
		}
		for _, want := range []string{"Dấu của Ban Kiểm phiếu", spec.Question, "ĐẢNG CỘNG SẢN VIỆT NAM"} {
			if !strings.Contains(one, want) {
				t.Errorf("%s: ballot lacks %q", spec.Question, want)
			}
		}
	}
	if _, err := PaperBallots(newPaperFix(t, 4, specs[0], false).s, "v9999", 1, "vi"); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("unknown poll: %v; want NotFound", err)
	}
}

// BenchmarkPaperRecord: the counting record (its PDF) and the entry log of
// a paper election keyed three times, at 350 ballots × 55 names and 1,600 ×
// 220, from the meeting's log.
func BenchmarkPaperRecord(b *testing.B) {
	for _, size := range []struct{ n, names int }{{350, 55}, {1600, 220}} {
		f := newPaperFix(b, size.n, meeting.PollSpec{Question: "Bầu Ban Chấp hành", Kind: meeting.PollElection, Seats: size.names - max(1, size.names/11), Candidates: testNames(size.names)}, true)
		b.Run(fmt.Sprintf("floor-replay/%dx%d", size.n, size.names), func(b *testing.B) {
			for range b.N {
				if _, err := meeting.Replay(f.log); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("counting-pdf/%dx%d", size.n, size.names), func(b *testing.B) {
			for range b.N {
				c, err := BuildCounting(f.log, f.poll)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.PDF("vi"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("entry-log-pdf/%dx%d", size.n, size.names), func(b *testing.B) {
			for range b.N {
				l, err := BuildEntryLog(f.log, f.poll)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := l.PDF("vi"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("ballots-pdf/%dnames", size.names), func(b *testing.B) {
			for range b.N {
				if _, err := PaperBallots(f.s, f.poll, 1, "vi"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
