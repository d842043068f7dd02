package meeting

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The tests of paper counting (docs/rules.md §8, docs/paper.md): keying,
// independent entries, reconciliation, the committee's decisions, and the
// count through the same Tally as tablet ballots.

func init() {
	for _, name := range []string{"paper.technicians", "paper.record_counts", "paper.decide"} {
		expectedAllowed[name] = []Role{RoleSecretary, RoleChair, RoleDelegate}
	}
	for _, name := range []string{"paper.enter", "paper.undo", "paper.finish"} {
		expectedAllowed[name] = []Role{RoleSecretary, RoleChair, RoleDelegate, RoleTechnician}
	}
}

// samplePaperCommand returns a command of each paper name (see sampleCommand).
func samplePaperCommand(name string) Command {
	switch name {
	case "paper.technicians":
		return &NamePaperTechnicians{Participants: []string{}}
	case "paper.record_counts":
		return &RecordPaperCounts{Poll: "v20", Issued: 3, Returned: 3}
	case "paper.enter":
		return &EnterPaperBallot{Poll: "v20", Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}}
	case "paper.undo":
		return &UndoPaperBallot{Poll: "v20", Bundle: 1, Position: 1}
	case "paper.finish":
		return &FinishPaperBundle{Poll: "v20", Bundle: 1, Count: 1}
	case "paper.decide":
		return &DecidePaperBallot{Poll: "v20", Bundle: 1, Position: 1, Absent: true, Note: "Không có phiếu"}
	}
	return nil
}

// paperFixture is a meeting with delegates p2…p(n+1) all present, the
// counting committee p2 (head), p3, p4 approved by open vote, two
// technicians named, and one paper poll of spec open with its counts
// recorded (issued = returned = n unless changed).
type paperFixture struct {
	s       *State
	poll    string
	members []Actor // the committee, each at its own station
	techs   []Actor // the technicians, each at its own station
}

func station(pid string, role Role, st string) Actor {
	return Actor{ID: "participant:" + pid, Role: role, Participant: pid, Station: st}
}

func newPaperFixture(t testing.TB, n int, spec PollSpec, settings ...*Configure) *paperFixture {
	t.Helper()
	rows := make([]NewParticipant, n+2)
	for i := range n {
		rows[i] = NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i+1)}
	}
	rows[n] = NewParticipant{Name: "Kỹ thuật viên Một", Role: RoleTechnician}
	rows[n+1] = NewParticipant{Name: "Kỹ thuật viên Hai", Role: RoleTechnician}
	s := given(t, &CreateMeeting{Details{Title: "Đại hội đại biểu", Organization: "Đảng bộ Khối"}}, &ImportParticipants{Rows: rows}, &OpenMeeting{}, &MarkAllPresent{})
	for _, c := range settings {
		if _, err := runOn(s, c); err != nil {
			t.Fatal(err)
		}
	}
	pid := func(i int) string { return s.Participants[i].ID }
	f := &paperFixture{s: s}
	for i := range 3 {
		f.members = append(f.members, station(pid(i), RoleDelegate, fmt.Sprintf("st-m%d", i+1)))
	}
	f.techs = []Actor{station(pid(n), RoleTechnician, "st-t1"), station(pid(n+1), RoleTechnician, "st-t2")}
	run := func(cs ...Command) {
		t.Helper()
		if _, err := runOn(s, cs...); err != nil {
			t.Fatal(err)
		}
	}
	run(&ProposeBody{Kind: BodyCounting, Members: []BodyMember{{Participant: pid(0), Post: "Trưởng ban"}, {Participant: pid(1)}, {Participant: pid(2)}}},
		&CreatePoll{bodyVote()})
	vote := s.Polls[len(s.Polls)-1].ID
	run(&OpenPoll{ID: vote})
	rv := &RecordVotes{Poll: vote}
	for _, id := range s.Polls[len(s.Polls)-1].Eligible {
		rv.Votes = append(rv.Votes, VoteRecord{Participant: id, Ballot: &Ballot{Choice: ChoiceAgree}})
	}
	run(rv, &ClosePoll{ID: vote}, &PublishPoll{ID: vote})
	if !s.InBody(BodyCounting, pid(0)) {
		t.Fatal("fixture: the counting committee is not approved")
	}
	run(by(f.members[0], &NamePaperTechnicians{Participants: []string{pid(n), pid(n + 1)}}))
	spec.Paper = true
	run(&CreatePoll{spec})
	f.poll = s.Polls[len(s.Polls)-1].ID
	run(&OpenPoll{ID: f.poll})
	run(by(f.members[0], &RecordPaperCounts{Poll: f.poll, Issued: n, Returned: n}))
	return f
}

// do runs c as a and fails the test on error.
func (f *paperFixture) do(t testing.TB, a Actor, c Command) []Event {
	t.Helper()
	events, err := f.try(a, c)
	if err != nil {
		t.Fatalf("%s by %s: %v", c.Name(), a.Participant, err)
	}
	return events
}

// try runs c as a on the fixture's state.
func (f *paperFixture) try(a Actor, c Command) ([]Event, error) {
	events, err := Decide(f.s, a, c, nowAt(f.s))
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if err := Apply(f.s, e); err != nil {
			return nil, err
		}
	}
	return events, nil
}

func (f *paperFixture) pollNow() Poll { p, _ := f.s.Poll(f.poll); return p }

// The specs of every secret poll kind, at a size n of names.
func strikeSpec(n, seats int) PollSpec { return electionOf(n, seats) }
func approveSpec(n int) PollSpec       { return electionOf(n, n) }
func singleSpec() PollSpec             { return electionOf(1, 1) }
func paperVoteSpec() PollSpec {
	return PollSpec{Question: "Thông qua nghị quyết", Kind: PollSecret}
}
func ratingSpec(n int, sc Scale) PollSpec {
	p := PollSpec{Question: "Lấy phiếu tín nhiệm", Kind: PollRating, Scale: sc, Base: BaseCast}
	for i := range n {
		p.Subjects = append(p.Subjects, Candidate{Name: fmt.Sprintf("Người được lấy phiếu %d", i+1)})
	}
	return p
}

// randomMarks returns the marks of a random paper ballot of p: mostly
// valid, with every invalid reason of the form present among many.
func randomMarks(r *rand.Rand, p Poll, i int) PaperMarks {
	names := len(p.Names())
	if i%23 == 5 { // declared invalid, each reason in turn
		return PaperMarks{Void: PaperVoidReasons[(i/23)%len(PaperVoidReasons)]}
	}
	pick := func(k int) []int {
		out := r.Perm(names)[:k]
		for j := range out {
			out[j]++
		}
		slices.Sort(out)
		if len(out) == 0 {
			return nil
		}
		return out
	}
	switch p.PaperForm() {
	case "strike":
		switch i % 17 {
		case 3:
			return PaperMarks{} // untouched: elects too many
		case 7:
			return PaperMarks{Struck: pick(names)} // nobody kept
		}
		return PaperMarks{Struck: pick(names - p.Seats + r.IntN(p.Seats))}
	case "approve", "single":
		var m PaperMarks
		for row := 1; row <= names; row++ {
			switch x := r.IntN(20); {
			case x == 0: // both boxes (single: invalid; approve: no vote from this ballot)
				m.Agree, m.Disagree = append(m.Agree, row), append(m.Disagree, row)
			case x == 1: // neither
			case x < 6:
				m.Disagree = append(m.Disagree, row)
			default:
				m.Agree = append(m.Agree, row)
			}
		}
		return m
	case "vote":
		switch i % 13 {
		case 4:
			return PaperMarks{} // no box
		case 9:
			return PaperMarks{Boxes: []int{1, 2}} // two boxes
		}
		return PaperMarks{Boxes: []int{1 + r.IntN(3)}}
	case "rating":
		levels := len(p.Scale.Levels())
		rows := make([]int, names)
		for j := range rows {
			switch x := r.IntN(40); {
			case x == 0:
				rows[j] = RowNone
			case x == 1:
				rows[j] = RowNameStruck
			case x == 2:
				rows[j] = RowManyMarks
			default:
				rows[j] = 1 + r.IntN(levels)
			}
		}
		return PaperMarks{Rows: rows}
	}
	panic("no form")
}

// mistype returns m keyed wrongly: one number, box or row changed.
func mistype(r *rand.Rand, p Poll, m PaperMarks) PaperMarks {
	m = m.clone()
	names := len(p.Names())
	toggle := func(xs []int, n int) []int {
		x := 1 + r.IntN(n)
		if i := slices.Index(xs, x); i >= 0 {
			return slices.Delete(xs, i, i+1)
		}
		xs = append(xs, x)
		slices.Sort(xs)
		return xs
	}
	if m.Void != "" {
		return PaperMarks{Void: PaperVoidReasons[(slices.Index(PaperVoidReasons, m.Void)+1)%len(PaperVoidReasons)]}
	}
	switch p.PaperForm() {
	case "strike":
		m.Struck = toggle(m.Struck, names)
	case "approve", "single":
		m.Disagree = toggle(m.Disagree, names)
	case "vote":
		m.Boxes = toggle(m.Boxes, 3)
	case "rating":
		j := r.IntN(names)
		m.Rows[j] = (m.Rows[j] + 1) % (len(p.Scale.Levels()) + 1)
	}
	canon, err := p.CheckMarks(m)
	if err != nil {
		panic(err)
	}
	return canon
}

// TestPaperCountEqualsTruth keys generated paper polls of every kind three
// times (two for one) with keying errors planted on one entry in fifty,
// checks that every planted error and nothing else is flagged, lets the
// committee decide each from the true ballot, closes, and checks that the
// result is Tally of the true ballots, as if cast on tablets.
func TestPaperCountEqualsTruth(t *testing.T) {
	cases := []struct {
		name     string
		n        int // ballots
		spec     PollSpec
		settings []*Configure
	}{
		{"election with surplus", 310, strikeSpec(33, 30), nil},
		{"election without surplus", 120, approveSpec(12), nil},
		{"single name", 90, singleSpec(), nil},
		{"secret vote", 80, paperVoteSpec(), nil},
		{"confidence vote", 100, ratingSpec(6, ScaleConfidence), nil},
		{"rating", 60, ratingSpec(4, ScaleReview), nil},
		{"election, two entries", 70, strikeSpec(7, 6), []*Configure{{PaperEntries: ptr(2)}}},
	}
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(ci), 19))
			f := newPaperFixture(t, tc.n, tc.spec, tc.settings...)
			p := f.pollNow()
			times := p.Rules.Entries()
			truth := make([]PaperMarks, tc.n)
			for i := range truth {
				m, err := p.CheckMarks(randomMarks(r, p, i))
				if err != nil {
					t.Fatal(err)
				}
				truth[i] = m
			}
			stations := append(slices.Clone(f.members), f.techs...)
			const size = 50 // ballots per bundle
			planted := map[[2]int]bool{}
			for b := 0; b*size < tc.n; b++ {
				bundle := b + 1
				ballots := truth[b*size : min(tc.n, (b+1)*size)]
				for k := range times {
					a := stations[(b+k)%len(stations)]
					for pos, m := range ballots {
						if r.IntN(50) == 0 {
							m = mistype(r, p, m)
							planted[[2]int{bundle, pos + 1}] = true
						}
						f.do(t, a, &EnterPaperBallot{Poll: f.poll, Bundle: bundle, Position: pos + 1, Marks: m})
					}
					f.do(t, a, &FinishPaperBundle{Poll: f.poll, Bundle: bundle, Count: len(ballots)})
				}
			}
			rec := Reconcile(f.pollNow())
			if len(planted) == 0 {
				t.Fatal("no keying error planted; the test would check nothing")
			}
			flagged := map[[2]int]bool{}
			for _, b := range rec.Bundles {
				for _, sl := range b.Slots {
					if sl.Flagged {
						flagged[[2]int{b.Bundle, sl.Position}] = true
					}
				}
			}
			if diff := cmp.Diff(planted, flagged); diff != "" {
				t.Errorf("flagged positions differ from the planted errors (-planted +flagged):\n%s", diff)
			}
			if err := rec.Ready(); err == nil {
				t.Fatalf("Ready() = nil with %d differences undecided", rec.Unresolved)
			}
			if _, err := f.try(asSecretary, &ClosePoll{ID: f.poll}); KindOf(err) != KindConflict {
				t.Fatalf("poll.close with differences unresolved = %v; want Conflict", err)
			}
			for k := range flagged {
				m := truth[(k[0]-1)*size+k[1]-1]
				f.do(t, f.members[1], &DecidePaperBallot{Poll: f.poll, Bundle: k[0], Position: k[1], Marks: &m, Note: "Đối chiếu phiếu gốc"})
			}
			rec = Reconcile(f.pollNow())
			if err := rec.Ready(); err != nil {
				t.Fatalf("Ready() after every decision = %v", err)
			}
			if rec.Flagged != len(planted) || rec.Decided != len(planted) || rec.Entered != tc.n {
				t.Errorf("reconciliation flagged %d, decided %d, entered %d; want %d, %d, %d", rec.Flagged, rec.Decided, rec.Entered, len(planted), len(planted), tc.n)
			}
			events := f.do(t, asSecretary, &ClosePoll{ID: f.poll})
			var got PollResult
			if err := json.Unmarshal(events[1].Data, &got); err != nil {
				t.Fatal(err)
			}
			var want []Ballot
			for _, m := range truth {
				want = append(want, m.Ballot(p))
			}
			wantResult := Tally(f.pollNow(), want)
			if diff := cmp.Diff(wantResult, got.Result); diff != "" {
				t.Errorf("paper result differs from the tally of the true ballots (-want +got):\n%s", diff)
			}
			if got.Result.Issued != tc.n || got.Result.Cast != tc.n {
				t.Errorf("issued %d, cast %d; want %d, %d (the committee's counts)", got.Result.Issued, got.Result.Cast, tc.n, tc.n)
			}
			if got.Result.Invalid == 0 {
				t.Errorf("no invalid ballot counted; the generated ballots include every invalid reason")
			}
		})
	}
}

// TestPaperMarksBallot checks the reading of marks by hand, per form.
func TestPaperMarksBallot(t *testing.T) {
	strike := Poll{PollSpec: strikeSpec(4, 2), Rules: DefaultPollRules()}
	for i := range strike.Candidates {
		strike.Candidates[i].ID = fmt.Sprintf("c%d", i+1)
	}
	approve := Poll{PollSpec: approveSpec(3)}
	for i := range approve.Candidates {
		approve.Candidates[i].ID = fmt.Sprintf("c%d", i+1)
	}
	rating := Poll{PollSpec: ratingSpec(4, ScaleConfidence)}
	for i := range rating.Subjects {
		rating.Subjects[i].ID = fmt.Sprintf("c%d", i+1)
	}
	vote := Poll{PollSpec: paperVoteSpec()}
	cases := []struct {
		p      Poll
		m      PaperMarks
		want   Ballot
		reason Reason
	}{
		{strike, PaperMarks{Struck: []int{2, 4}}, Ballot{Kept: []string{"c1", "c3"}}, ""},
		{strike, PaperMarks{Struck: []int{1}}, Ballot{Kept: []string{"c2", "c3", "c4"}}, ReasonTooMany},
		{strike, PaperMarks{}, Ballot{Kept: []string{"c1", "c2", "c3", "c4"}}, ReasonTooMany},
		{strike, PaperMarks{Struck: []int{1, 2, 3, 4}}, Ballot{Kept: []string{}}, ReasonNoneKept},
		{strike, PaperMarks{Void: ReasonUnstamped}, Ballot{Void: ReasonUnstamped}, ReasonUnstamped},
		{approve, PaperMarks{Agree: []int{1, 3}, Disagree: []int{3}}, Ballot{Agree: []string{"c1", "c3"}, Disagree: []string{"c3"}}, ""},
		{vote, PaperMarks{Boxes: []int{2}}, Ballot{Choice: ChoiceDisagree}, ""},
		{vote, PaperMarks{}, Ballot{}, ReasonNoChoice},
		{vote, PaperMarks{Boxes: []int{1, 3}}, Ballot{Void: ReasonManyMarks}, ReasonManyMarks},
		{rating, PaperMarks{Rows: []int{1, 3, 8, 9}}, Ballot{Ratings: map[string]Level{"c1": LevelHigh, "c2": LevelLow},
			RowVoid: map[string]Reason{"c3": ReasonNameStruck, "c4": ReasonManyMarks}}, ""},
	}
	for _, c := range cases {
		got := c.m.Ballot(c.p)
		if diff := cmp.Diff(c.want, got, cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })); diff != "" {
			t.Errorf("%+v.Ballot(%s) differs (-want +got):\n%s", c.m, c.p.PaperForm(), diff)
		}
		if chk := CheckBallot(c.p, got); chk.Reason != c.reason {
			t.Errorf("CheckBallot(%s, %+v) reason = %q; want %q", c.p.PaperForm(), got, chk.Reason, c.reason)
		}
	}
	chk := CheckBallot(rating, PaperMarks{Rows: []int{1, 3, 8, 9}}.Ballot(rating))
	if want := map[string]Reason{"c3": ReasonNameStruck, "c4": ReasonManyMarks}; !chk.Valid || !cmp.Equal(chk.Invalid, want) {
		t.Errorf("rating rows: CheckBallot = %+v; want valid with rows %v invalid", chk, want)
	}
}

// TestPaperBadInput: every bad input of issue 19 gets a clear error in
// Vietnamese and English and changes nothing.
func TestPaperBadInput(t *testing.T) {
	fresh := func() *paperFixture { return newPaperFixture(t, 5, strikeSpec(4, 3)) }
	m1, m2, m3 := 0, 1, 2
	cases := []struct {
		name  string
		setup func(f *paperFixture)
		actor func(f *paperFixture) Actor
		cmd   func(f *paperFixture) Command
		kind  Kind
		vi    string // a part of the Vietnamese message
	}{
		{"a name number not on the list", nil, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{5}}}
			}, KindInvalid, "Số 5 không có trong danh sách"},
		{"a mark twice on one name", nil, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{2, 2}}}
			}, KindInvalid, "được nhập hai lần"},
		{"more ballots entered than returned", func(f *paperFixture) {
			for pos := 1; pos <= 5; pos++ {
				f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: pos, Marks: PaperMarks{Struck: []int{1}}})
			}
		}, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 6, Marks: PaperMarks{Struck: []int{1}}}
			}, KindConflict, "vượt số phiếu thu vào"},
		{"more ballots entered than returned, another bundle", func(f *paperFixture) {
			for pos := 1; pos <= 5; pos++ {
				f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: pos, Marks: PaperMarks{Struck: []int{1}}})
			}
		}, func(f *paperFixture) Actor { return f.members[m2] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 2, Position: 1, Marks: PaperMarks{Struck: []int{1}}}
			}, KindConflict, "vượt số phiếu thu vào"},
		{"the same position entered twice by one station", func(f *paperFixture) {
			f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
		}, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{2}}}
			}, KindInvalid, "đã được máy này nhập"},
		{"an operator not on the committee", nil, func(f *paperFixture) Actor { return station(f.s.Participants[3].ID, RoleDelegate, "st-x") },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}}
			}, KindForbidden, "Chỉ thành viên Ban Kiểm phiếu"},
		{"a technician not named", func(f *paperFixture) {
			f.do(t, f.members[m1], &NamePaperTechnicians{Participants: []string{f.techs[1].Participant}})
		}, func(f *paperFixture) Actor { return f.techs[0] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}}
			}, KindForbidden, "kỹ thuật viên được Ban chỉ định"},
		{"a secretary account keys", nil, func(f *paperFixture) Actor { return Actor{ID: "account:thuky", Role: RoleSecretary, Station: "st-s"} },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}}
			}, KindForbidden, "Chỉ thành viên Ban Kiểm phiếu"},
		{"a technician decides", nil, func(f *paperFixture) Actor { return f.techs[0] },
			func(f *paperFixture) Command {
				return &DecidePaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Absent: true, Note: "x"}
			}, KindForbidden, ""},
		{"a decision on a ballot that is not flagged", func(f *paperFixture) {
			for _, a := range []Actor{f.members[m1], f.members[m2], f.members[m3]} {
				f.do(t, a, &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
				f.do(t, a, &FinishPaperBundle{Poll: f.poll, Bundle: 1, Count: 1})
			}
		}, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &DecidePaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: &PaperMarks{Struck: []int{2}}, Note: "Sửa"}
			}, KindConflict, "không có khác biệt"},
		{"a decision on a bundle not complete", func(f *paperFixture) {
			f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
		}, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &DecidePaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Absent: true, Note: "Sửa"}
			}, KindConflict, "chưa được nhập đủ"},
		{"closing with differences unresolved", func(f *paperFixture) {
			f.do(t, f.members[m1], &RecordPaperCounts{Poll: f.poll, Issued: 5, Returned: 1})
			for i, a := range []Actor{f.members[m1], f.members[m2], f.members[m3]} {
				f.do(t, a, &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1 + i/2}}})
				f.do(t, a, &FinishPaperBundle{Poll: f.poll, Bundle: 1, Count: 1})
			}
		}, func(f *paperFixture) Actor { return asSecretary },
			func(f *paperFixture) Command { return &ClosePoll{ID: f.poll} }, KindConflict, "chưa được Ban Kiểm phiếu quyết định"},
		{"closing with bundles incomplete", func(f *paperFixture) {
			f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
		}, func(f *paperFixture) Actor { return asSecretary },
			func(f *paperFixture) Command { return &ClosePoll{ID: f.poll} }, KindConflict, "chưa được nhập đủ 3 lần"},
		{"closing with fewer entered than returned", func(f *paperFixture) {
			for _, a := range []Actor{f.members[m1], f.members[m2], f.members[m3]} {
				f.do(t, a, &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
				f.do(t, a, &FinishPaperBundle{Poll: f.poll, Bundle: 1, Count: 1})
			}
		}, func(f *paperFixture) Actor { return asSecretary },
			func(f *paperFixture) Command { return &ClosePoll{ID: f.poll} }, KindConflict, "khác số phiếu thu vào"},
		{"a fourth entry of a bundle", func(f *paperFixture) {
			for _, a := range []Actor{f.members[m1], f.members[m2], f.members[m3]} {
				f.do(t, a, &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
			}
		}, func(f *paperFixture) Actor { return f.techs[0] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}}
			}, KindConflict, "đã có đủ 3 lần nhập"},
		{"one operator at a second station", func(f *paperFixture) {
			f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
		}, func(f *paperFixture) Actor { a := f.members[m1]; a.Station = "st-other"; return a },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}}
			}, KindConflict, "mỗi lần nhập phải do một người khác"},
		{"a position skipped", nil, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 2, Marks: PaperMarks{Struck: []int{1}}}
			}, KindInvalid, "Phiếu tiếp theo của tệp 1 là số 1"},
		{"undo not the last", func(f *paperFixture) {
			f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
			f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 2, Marks: PaperMarks{Struck: []int{1}}})
		}, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command { return &UndoPaperBallot{Poll: f.poll, Bundle: 1, Position: 1} }, KindInvalid, "Chỉ hủy được phiếu cuối cùng"},
		{"finish with a wrong count", func(f *paperFixture) {
			f.do(t, f.members[m1], &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{1}}})
		}, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command { return &FinishPaperBundle{Poll: f.poll, Bundle: 1, Count: 2} }, KindInvalid, "đã nhập 1 phiếu"},
		{"a form's wrong field", nil, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Boxes: []int{1}}}
			}, KindInvalid, "không có phần"},
		{"an unknown invalid reason", nil, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command {
				return &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Void: ReasonTooMany}}
			}, KindInvalid, "không có trong danh sách"},
		{"a tablet ballot in a paper poll", nil, func(f *paperFixture) Actor { return asSystem },
			func(f *paperFixture) Command {
				return &RecordVotes{Poll: f.poll, Votes: []VoteRecord{{Participant: f.s.Participants[3].ID}}}
			},
			KindConflict, "phiếu giấy"},
		{"returned more than issued", nil, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command { return &RecordPaperCounts{Poll: f.poll, Issued: 4, Returned: 5} }, KindInvalid, "không được lớn hơn"},
		{"issued more than eligible", nil, func(f *paperFixture) Actor { return f.members[m1] },
			func(f *paperFixture) Command { return &RecordPaperCounts{Poll: f.poll, Issued: 9, Returned: 5} }, KindInvalid, "Số phiếu phát ra phải"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := fresh()
			if c.setup != nil {
				c.setup(f)
			}
			before, _ := json.Marshal(f.s)
			_, err := f.try(c.actor(f), c.cmd(f))
			var e *Error
			if err == nil || !asError(err, &e) {
				t.Fatalf("%s = %v; want a %s error", c.cmd(f).Name(), err, c.kind)
			}
			if e.Kind != c.kind || !strings.Contains(e.Message, c.vi) || e.MessageEN == "" || e.Message == e.MessageEN {
				t.Errorf("%s = %s %q / %q; want %s containing %q, and English", c.cmd(f).Name(), e.Kind, e.Message, e.MessageEN, c.kind, c.vi)
			}
			if after, _ := json.Marshal(f.s); string(after) != string(before) {
				t.Errorf("a refused %s changed the state", c.cmd(f).Name())
			}
		})
	}
}

// TestPaperIndependence: a station (and its replica) never sees the marks
// of another station's entry, as the attacker would look: the events it
// receives and its view of the state.
func TestPaperIndependence(t *testing.T) {
	f := newPaperFixture(t, 4, strikeSpec(4, 3))
	a, b := f.members[0], f.techs[0]
	secret := PaperMarks{Struck: []int{3}}
	ev := f.do(t, a, &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: secret})
	for _, v := range []Viewer{b.Viewer(), f.members[1].Viewer(), {Participant: f.s.Participants[3].ID, Role: RoleDelegate}, {Role: RoleHall, Participant: "p-hall"}} {
		if ev[0].Audience.Includes(v) {
			t.Errorf("paper.entered of %s reaches %+v", a.Participant, v)
		}
		view := View(f.s, v)
		p, _ := view.Poll(f.poll)
		if p.PaperCount != nil && len(p.PaperCount.Records) > 0 {
			t.Errorf("View for %+v shows %d paper records of another station", v, len(p.PaperCount.Records))
		}
	}
	if !ev[0].Audience.Includes(a.Viewer()) {
		t.Errorf("paper.entered does not reach its own operator")
	}
	view := View(f.s, a.Viewer())
	if p, _ := view.Poll(f.poll); p.PaperCount == nil || len(p.PaperCount.Records) != 1 {
		t.Errorf("View for the operator lacks its own entry")
	}
}

// paperCases are the TestDecide cases of paper counting (accepted ones; the
// refusals are in TestPaperBadInput).
func paperCases() []decideCase {
	f := newPaperFixture(&testing.T{}, 5, strikeSpec(4, 3))
	fresh := func(more func(f *paperFixture)) func() *State {
		return func() *State {
			g := newPaperFixture(&testing.T{}, 5, strikeSpec(4, 3))
			if more != nil {
				more(g)
			}
			return g.s
		}
	}
	head, tech := f.members[0], f.techs[0]
	marks := PaperMarks{Struck: []int{2, 4}}
	entered := func(g *paperFixture) {
		if _, err := g.try(head, &EnterPaperBallot{Poll: g.poll, Bundle: 1, Position: 1, Marks: marks}); err != nil {
			panic(err)
		}
	}
	keyedThrice := func(g *paperFixture) {
		for i, a := range []Actor{g.members[0], g.members[1], g.techs[0]} {
			m := PaperMarks{Struck: []int{1 + i/2}}
			if _, err := g.try(a, &EnterPaperBallot{Poll: g.poll, Bundle: 1, Position: 1, Marks: m}); err != nil {
				panic(err)
			}
			if _, err := g.try(a, &FinishPaperBundle{Poll: g.poll, Bundle: 1, Count: 1}); err != nil {
				panic(err)
			}
		}
	}
	aud := operatorAudience
	return []decideCase{
		{name: "paper.technicians/accepted", state: fresh(nil), actor: head, when: &NamePaperTechnicians{Participants: []string{tech.Participant}},
			want: []wantEvent{{Type: EventPaperTechnicians, Data: TechniciansNamed{Participants: []string{tech.Participant}}}}},
		{name: "paper.record_counts/accepted", state: fresh(nil), actor: head, when: &RecordPaperCounts{Poll: f.poll, Issued: 5, Returned: 4},
			want: []wantEvent{{Type: EventPaperCounts, Data: PaperCounts{Poll: f.poll, Issued: 5, Returned: 4}}}},
		{name: "paper.enter/accepted, list sorted", state: fresh(nil), actor: tech, when: &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: PaperMarks{Struck: []int{4, 2}}},
			want: []wantEvent{{Type: EventPaperEntered, Data: PaperAct{Poll: f.poll, Bundle: 1, Position: 1, Station: tech.Station, Operator: tech.Participant, Marks: &marks},
				Audience: aud(tech.Participant)}}},
		{name: "paper.undo/accepted", state: fresh(entered), actor: head, when: &UndoPaperBallot{Poll: f.poll, Bundle: 1, Position: 1},
			want: []wantEvent{{Type: EventPaperUndone, Data: PaperAct{Poll: f.poll, Bundle: 1, Position: 1, Station: head.Station, Operator: head.Participant},
				Audience: aud(head.Participant)}}},
		{name: "paper.finish/accepted", state: fresh(entered), actor: head, when: &FinishPaperBundle{Poll: f.poll, Bundle: 1, Count: 1},
			want: []wantEvent{{Type: EventPaperFinished, Data: PaperAct{Poll: f.poll, Bundle: 1, Station: head.Station, Operator: head.Participant, Count: 1}}}},
		{name: "paper.decide/accepted", state: fresh(keyedThrice), actor: f.members[2], when: &DecidePaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Marks: &PaperMarks{Struck: []int{1}}, Note: " Phiếu gốc gạch tên số 1 "},
			want: []wantEvent{{Type: EventPaperDecided, Data: PaperAct{Poll: f.poll, Bundle: 1, Position: 1, Operator: f.members[2].Participant, Marks: &PaperMarks{Struck: []int{1}}, Note: "Phiếu gốc gạch tên số 1"},
				Audience: aud(f.members[2].Participant)}}},
		{name: "paper.decide/no ballot", state: fresh(keyedThrice), actor: f.members[2], when: &DecidePaperBallot{Poll: f.poll, Bundle: 1, Position: 1, Absent: true, Note: "Nhập thừa"},
			want: []wantEvent{{Type: EventPaperDecided, Data: PaperAct{Poll: f.poll, Bundle: 1, Position: 1, Operator: f.members[2].Participant, Absent: true, Note: "Nhập thừa"},
				Audience: aud(f.members[2].Participant)}}},
		{name: "meeting.configure/paper entries 2", given: opened(), when: &Configure{PaperEntries: ptr(2)},
			check: func(t *testing.T, events []Event) {
				if !strings.Contains(string(events[0].Data), `"paper_entries":2`) {
					t.Errorf("meeting.configured = %s; want paper_entries 2", events[0].Data)
				}
			}, want: []wantEvent{{Type: EventMeetingConfigured, Data: func() Settings { s := DefaultSettings(); s.Polls.PaperEntries = 2; return s }()}}},
		{name: "meeting.configure/paper entries 4", given: opened(), when: &Configure{PaperEntries: ptr(4)}, err: KindInvalid, probs: []Problem{{Field: "paper_entries"}}},
		{name: "poll.create/an open vote on paper", given: opened(), when: &CreatePoll{PollSpec{Question: "Thông qua", Kind: PollOpen, Paper: true}}, err: KindInvalid, probs: []Problem{{Field: "paper"}}},
	}
}

// TestPaperViewEqualsReplica: for every viewer (the secretariat, each
// station's operator, a delegate, the hall), a replica that folds the paper
// events it receives (the event in its audience, the placeholder
// otherwise) equals the server's View after every step, and a station's
// replica never holds another station's marks.
func TestPaperViewEqualsReplica(t *testing.T) {
	f := newPaperFixture(t, 8, strikeSpec(5, 4))
	viewers := []Viewer{{Role: RoleSecretary}, f.members[0].Viewer(), f.members[1].Viewer(), f.techs[0].Viewer(),
		{Participant: f.s.Participants[5].ID, Role: RoleDelegate}, {Role: RoleHall, Participant: "p-hall"}}
	replicas := make([]*State, len(viewers))
	for i, v := range viewers {
		replicas[i] = View(f.s, v)
	}
	step := func(a Actor, c Command) {
		t.Helper()
		events := f.do(t, a, c)
		for _, e := range events {
			for i, v := range viewers {
				if err := Apply(replicas[i], e.For(v, f.s)); err != nil {
					t.Fatalf("replica of %+v: Apply(%s) = %v", v, e.Type, err)
				}
			}
		}
		for i, v := range viewers {
			if view := View(f.s, v); !reflect.DeepEqual(view, replicas[i]) {
				t.Fatalf("after %s by %s: replica of %+v differs from View (-view +replica):\n%s", c.Name(), a.Participant, v, cmp.Diff(view, replicas[i]))
			}
			if p, _ := replicas[i].Poll(f.poll); p.PaperCount != nil && !v.Role.Staff() {
				for _, r := range p.PaperCount.Records {
					if r.Marks != nil && r.Operator != v.Participant {
						t.Fatalf("replica of %+v holds the marks of %s", v, r.Operator)
					}
				}
			}
		}
	}
	a, b, c := f.members[0], f.members[1], f.techs[0]
	for pos := 1; pos <= 3; pos++ {
		for i, st := range []Actor{a, b, c} {
			m := PaperMarks{Struck: []int{pos}}
			if i == 2 && pos == 2 {
				m = PaperMarks{Struck: []int{5}}
			}
			step(st, &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: pos, Marks: m})
		}
	}
	step(a, &UndoPaperBallot{Poll: f.poll, Bundle: 1, Position: 3})
	step(a, &EnterPaperBallot{Poll: f.poll, Bundle: 1, Position: 3, Marks: PaperMarks{Struck: []int{3}}})
	for _, st := range []Actor{a, b, c} {
		step(st, &FinishPaperBundle{Poll: f.poll, Bundle: 1, Count: 3})
	}
	step(b, &DecidePaperBallot{Poll: f.poll, Bundle: 1, Position: 2, Marks: &PaperMarks{Struck: []int{2}}, Note: "Phiếu gốc"})
	step(a, &NamePaperTechnicians{Participants: []string{c.Participant}})
	step(a, &RecordPaperCounts{Poll: f.poll, Issued: 8, Returned: 3})
	step(asSecretary, &ClosePoll{ID: f.poll})
	if p, _ := f.s.Poll(f.poll); p.Result == nil || p.Result.Cast != 3 {
		t.Fatalf("closed with %+v; want 3 ballots counted", p.Result)
	}
}
