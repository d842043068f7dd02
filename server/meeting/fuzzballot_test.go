package meeting_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/phonghop/phonghop/server/meeting"
)

// fuzzPolls are the open polls of the "live" fixture the ballot fuzzer
// votes in: one of every kind and shape.
var fuzzPolls = []string{"open", "secret", "election", "election-lenient", "election-nosurplus", "election-single", "review", "review-valid", "confidence"}

// maxFuzzBallots bounds the ballots one input casts.
const maxFuzzBallots = 24

// FuzzBallot casts ballots as tablets send them — a stream of JSON values
// decoded strictly, as the server decodes "ballot.cast" — in an open poll
// of each kind, and checks:
//
//   - ValidateBallot refuses a malformed ballot with an Invalid error
//     naming the field, never a panic, and accepts what it accepts for
//     good: the ballot as stored (JSON) counts exactly as the ballot sent;
//   - Tally equals a recount of the ballots made here by the rules of
//     docs/ballots.md (RULES-VN §4 and §6) independently of CheckBallot:
//     valid and invalid ballots and their reasons, the votes of every
//     option, candidate and level, the base, the threshold, percentages
//     rounded half up, who is elected; whatever the ballots' order;
//   - closing the poll through Decide (the record's path) counts the same.
func FuzzBallot(f *testing.F) {
	seeds := []string{
		`{"choice":"agree"} {"choice":"disagree"} {"choice":"abstain"} {"spoiled":true} {}`,
		`{"choice":"agree"}{"choice":"agree"}{"choice":"Agree"}{"choice":"yes"}`,
		`{"kept":["c1","c2"]} {"kept":["c3"]} {"kept":[]} {"kept":["c1","c1"]} {"kept":["c1","c2","c3"]} {"kept":["c9"]}`,
		`{"kept":["c1"]} {"kept":["c2"]} {"kept":["c1","c2"]} {"kept":["c2","c1"]} {"spoiled":true,"kept":["c1"]}`,
		`{"ratings":{"c1":"excellent","c2":"good","c3":"done"}} {"ratings":{"c1":"failed"}} {"ratings":{}} {"ratings":{"c4":"good"}} {"ratings":{"c1":"high"}}`,
		`{"ratings":{"c1":"high","c2":"low"}} {"ratings":{"c1":"low","c2":"low"}} {"ratings":{"c1":"medium","c2":""}} {"ratings":{"c1":"excellent"}}`,
		`{"choice":"agree","kept":["c1"]} {"ratings":{"c1":"good"},"choice":"agree"} {"kept":["c1"],"ratings":{"c1":"good"}}`,
		`{"agree":["c1","c2"]} {"agree":["c1"],"disagree":["c2"]} {"agree":["c1"],"disagree":["c1"]} {} {"disagree":["c1","c2"]} {"agree":["c1","c1"]}`,
		`{"agree":["c1"]} {"disagree":["c1"]} {"agree":["c1"],"disagree":["c1"]} {"agree":[],"disagree":[]} {"agree":["c1"],"kept":["c1"]}`,
		`{"choice":"` + string(bytes.Repeat([]byte("a"), 65)) + `"} {"kept":["\u0000"]} {"ratings":{"c 1":"good"}} {"unknown":1}`,
	}
	for i := range fuzzPolls {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	fx := fuzzFixtures()[2]
	if fx.name != "live" {
		f.Fatalf("fixture 2 is %s; want live", fx.name)
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		p, ok := fx.state.Poll(fx.ids["poll:"+fuzzPolls[int(which)%len(fuzzPolls)]])
		if !ok || p.Status != meeting.PollStatusOpen {
			t.Fatalf("fixture poll %d not open", which)
		}
		voter := fx.ids["d1"]
		var box []meeting.Ballot
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		for len(box) < maxFuzzBallots {
			var b meeting.Ballot
			if err := dec.Decode(&b); err != nil {
				break
			}
			if err := meeting.ValidateBallot(fx.state, p, voter, b); err != nil {
				checkDomainError(t, "ValidateBallot", err, meeting.KindInvalid)
				continue
			}
			// As the ballot box stores it.
			stored, err := json.Marshal(b)
			if err != nil {
				t.Fatalf("encode %+v: %v", b, err)
			}
			var back meeting.Ballot
			if err := json.Unmarshal(stored, &back); err != nil {
				t.Fatalf("decode stored ballot %s: %v", stored, err)
			}
			if got, want := meeting.CheckBallot(p, back), meeting.CheckBallot(p, b); !reflect.DeepEqual(got, want) {
				t.Fatalf("ballot %+v counts as %+v; stored as %s it counts as %+v", b, want, stored, got)
			}
			box = append(box, back)
		}
		r := meeting.Tally(p, box)
		checkTally(t, p, box, r)
		rev := slices.Clone(box)
		slices.Reverse(rev)
		if r2 := meeting.Tally(p, rev); !cmp.Equal(r, r2, cmpopts.EquateEmpty()) {
			t.Fatalf("the count depends on the ballots' order:\n%s", cmp.Diff(r, r2, cmpopts.EquateEmpty()))
		}
		closeThroughDecide(t, fx, p, box)
	})
}

// closeThroughDecide records as many of box as there are voters left,
// closes the poll with Decide and checks that the counted result is the
// tally of every ballot of the poll.
func closeThroughDecide(t *testing.T, fx *fuzzFixture, p meeting.Poll, box []meeting.Ballot) {
	s := fx.state.Clone()
	var voters []string
	for _, id := range p.Eligible {
		if !p.HasVoted(id) {
			voters = append(voters, id)
		}
	}
	box = box[:min(len(box), len(voters))]
	all := []meeting.Ballot{}
	for _, v := range p.Voters { // who voted in the fixture
		all = append(all, meeting.Ballot{Choice: v.Choice, Spoiled: v.Spoiled})
	}
	if len(box) > 0 {
		rec := &meeting.RecordVotes{Poll: p.ID}
		for i, b := range box {
			v := meeting.VoteRecord{Participant: voters[i]}
			if !p.Kind.Secret() {
				v.Ballot = &b
			}
			rec.Votes = append(rec.Votes, v)
		}
		apply(t, s, fuzzSystem, rec)
		all = append(all, box...)
	}
	c := &meeting.ClosePoll{ID: p.ID}
	if p.Kind.Secret() {
		c.Ballots = all
	}
	events := apply(t, s, fuzzSecretary, c)
	closed, _ := s.Poll(p.ID)
	var counted *meeting.PollResult
	for _, e := range events {
		if e.Type == meeting.EventPollCounted {
			v, err := e.Payload()
			if err != nil {
				t.Fatal(err)
			}
			counted = v.(*meeting.PollResult)
		}
	}
	if counted == nil || closed.Result == nil {
		t.Fatalf("poll.close gave no count: %v", events)
	}
	if want := meeting.Tally(closed, all); !cmp.Equal(counted.Result, want, cmpopts.EquateEmpty()) || !cmp.Equal(*closed.Result, want, cmpopts.EquateEmpty()) {
		t.Fatalf("the recorded count differs from the tally of the ballots:\n%s", cmp.Diff(want, counted.Result, cmpopts.EquateEmpty()))
	}
	checkTally(t, closed, all, counted.Result)
}

// apply decides c on s as a and folds the events; it fails the test on any
// error.
func apply(t *testing.T, s *meeting.State, a meeting.Actor, c meeting.Command) []meeting.Event {
	t.Helper()
	events, err := meeting.Decide(s, a, c, fuzzNow(s))
	if err != nil {
		t.Fatalf("%s: %v", c.Name(), err)
	}
	for _, e := range events {
		if err := meeting.Apply(s, e); err != nil {
			t.Fatalf("Apply(%s): %v", e.Type, err)
		}
	}
	return events
}

// percent is part/whole in hundredths of a percent, rounded half up, by
// long division (independent of meeting.PercentOf).
func percent(part, whole int) meeting.Percent {
	if whole <= 0 {
		return 0
	}
	q, rem := part*10000/whole, part*10000%whole
	if 2*rem >= whole {
		q++
	}
	return meeting.Percent(q)
}

// reached is whether count reaches threshold th over base, on integers.
func reached(th meeting.Threshold, count, base int) bool {
	if base <= 0 {
		return false
	}
	if th.AtLeast {
		return count*th.Den >= th.Num*base
	}
	return count*th.Den > th.Num*base
}

// verdict is what one ballot counts as, by the rules written afresh.
type verdict struct {
	valid  bool
	reason meeting.Reason
	rows   map[string]meeting.Reason // rating: subject → why its row is invalid
}

// judge applies the counting rules to b (docs/rules.md §4, §6).
func judge(p meeting.Poll, b meeting.Ballot) verdict {
	if b.Spoiled {
		return verdict{reason: meeting.ReasonSpoiled}
	}
	switch p.Kind {
	case meeting.PollElection:
		listed := map[string]bool{}
		for _, c := range p.Candidates {
			listed[c.ID] = true
		}
		for _, list := range [][]string{b.Kept, b.Agree, b.Disagree} {
			seen := map[string]bool{}
			for _, id := range list {
				switch {
				case !listed[id]:
					return verdict{reason: meeting.ReasonUnknownCandidate}
				case seen[id]:
					return verdict{reason: meeting.ReasonDuplicate}
				}
				seen[id] = true
			}
		}
		switch {
		case len(p.Candidates) > p.Seats: // with surplus: strike names
			switch {
			case len(b.Kept) > p.Seats:
				return verdict{reason: meeting.ReasonTooMany}
			case len(b.Kept) == 0 && p.Rules.EmptyElectionBallotInvalid:
				return verdict{reason: meeting.ReasonNoneKept}
			}
		case len(p.Candidates) == 1: // one name: exactly one box
			id := p.Candidates[0].ID
			agree, disagree := slices.Contains(b.Agree, id), slices.Contains(b.Disagree, id)
			switch {
			case agree && disagree:
				return verdict{reason: meeting.ReasonBothMarked}
			case !agree && !disagree:
				return verdict{reason: meeting.ReasonNoMark}
			}
		}
		// Without surplus, a row with both boxes or neither gives that name
		// no vote; the ballot stays valid.
		return verdict{valid: true}
	case meeting.PollRating:
		if len(b.Ratings) == 0 {
			return verdict{reason: meeting.ReasonEmpty}
		}
		listed := map[string]bool{}
		for _, c := range p.Subjects {
			listed[c.ID] = true
		}
		for id := range b.Ratings {
			if !listed[id] {
				return verdict{reason: meeting.ReasonUnknownSubject}
			}
		}
		scale := map[meeting.Level]bool{}
		for _, l := range p.Scale.Levels() {
			scale[l] = true
		}
		v := verdict{valid: true, rows: map[string]meeting.Reason{}}
		for _, c := range p.Subjects {
			switch l, ok := b.Ratings[c.ID]; {
			case !ok || l == "":
				v.rows[c.ID] = meeting.ReasonMissingLevel
			case !scale[l]:
				v.rows[c.ID] = meeting.ReasonUnknownLevel
			}
		}
		return v
	}
	switch b.Choice {
	case meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain:
		return verdict{valid: true}
	case "":
		return verdict{reason: meeting.ReasonNoChoice}
	}
	return verdict{reason: meeting.ReasonUnknownChoice}
}

// checkTally fails unless r is the count of ballots in poll p.
func checkTally(t *testing.T, p meeting.Poll, ballots []meeting.Ballot, r meeting.Result) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		b, _ := json.Marshal(ballots)
		t.Fatalf("poll %s (%s): "+format+"\nballots: %s\nresult: %+v", append(append([]any{p.ID, p.Kind}, args...), b, r)...)
	}
	verdicts := make([]verdict, len(ballots))
	valid, why := 0, map[meeting.Reason]int{}
	for i, b := range ballots {
		verdicts[i] = judge(p, b)
		if verdicts[i].valid {
			valid++
		} else {
			why[verdicts[i].reason]++
		}
	}
	if r.Kind != p.Kind || r.Cast != len(ballots) || r.Valid != valid || r.Invalid != len(ballots)-valid || r.Issued != len(p.Eligible) ||
		r.Entitled != p.Entitled || r.Summoned != p.Summoned {
		fail("cast %d valid %d invalid %d issued %d; recount: %d, %d, %d, %d", r.Cast, r.Valid, r.Invalid, r.Issued, len(ballots), valid, len(ballots)-valid, len(p.Eligible))
	}
	checkReasons := func(where string, got []meeting.ReasonCount, want map[meeting.Reason]int) {
		t.Helper()
		total := 0
		for _, rc := range got {
			if rc.Count <= 0 || rc.Count != want[rc.Reason] {
				fail("%s: %d ballots invalid for %s; recount %d", where, rc.Count, rc.Reason, want[rc.Reason])
			}
			total += rc.Count
		}
		sum := 0
		for _, n := range want {
			sum += n
		}
		if total != sum {
			fail("%s: invalid reasons add up to %d; recount %d", where, total, sum)
		}
	}
	checkReasons("ballots", r.InvalidReasons, why)
	base := map[meeting.Base]int{meeting.BaseCast: len(ballots), meeting.BaseValid: valid, meeting.BasePresent: len(p.Eligible), meeting.BaseSummoned: p.Summoned}
	if p.Kind != meeting.PollRating && r.BaseCount != base[p.Base] {
		fail("base %s counts %d; recount %d", p.Base, r.BaseCount, base[p.Base])
	}
	if r.Base != p.Base || r.Threshold != p.Threshold {
		fail("base %s threshold %v; the poll's are %s %v", r.Base, r.Threshold, p.Base, p.Threshold)
	}
	if r.BaseCount > 0 && (!reached(p.Threshold, r.Required, r.BaseCount) || reached(p.Threshold, r.Required-1, r.BaseCount)) {
		fail("required %d is not the smallest count reaching %v of %d", r.Required, p.Threshold, r.BaseCount)
	}
	switch p.Kind {
	case meeting.PollOpen, meeting.PollSecret:
		if len(r.Options) != len(meeting.Choices) {
			fail("%d options; want %d", len(r.Options), len(meeting.Choices))
		}
		for i, c := range meeting.Choices {
			n := 0
			for j, b := range ballots {
				if verdicts[j].valid && b.Choice == c {
					n++
				}
			}
			if o := r.Options[i]; o.Choice != c || o.Votes != n || o.Percent != percent(n, r.BaseCount) {
				fail("option %+v; recount %s %d (%s)", o, c, n, percent(n, r.BaseCount))
			}
		}
		pass := reached(p.Threshold, r.Options[0].Votes, r.BaseCount)
		if r.Passed != pass || (r.Outcome == meeting.OutcomePassed) != pass || (r.Outcome != meeting.OutcomePassed && r.Outcome != meeting.OutcomeRejected) {
			fail("passed %v outcome %s; recount passed %v", r.Passed, r.Outcome, pass)
		}
	case meeting.PollElection:
		checkElection(t, fail, p, ballots, verdicts, r)
	case meeting.PollRating:
		checkRating(t, fail, p, ballots, verdicts, r, base)
	}
}

// electsByHand reports whether ballot b gives candidate id a vote: kept on
// a list with surplus; marked "Đồng ý" and not "Không đồng ý" otherwise.
func electsByHand(p meeting.Poll, b meeting.Ballot, id string) bool {
	if len(p.Candidates) > p.Seats {
		return slices.Contains(b.Kept, id)
	}
	return slices.Contains(b.Agree, id) && !slices.Contains(b.Disagree, id)
}

func checkElection(t *testing.T, fail func(string, ...any), p meeting.Poll, ballots []meeting.Ballot, verdicts []verdict, r meeting.Result) {
	t.Helper()
	if len(r.Candidates) != len(p.Candidates) {
		fail("%d candidates counted; %d on the ballot", len(r.Candidates), len(p.Candidates))
	}
	votes := map[string]int{}
	var reachedIDs []string
	for i, c := range p.Candidates {
		n := 0
		for j, b := range ballots {
			if verdicts[j].valid && electsByHand(p, b, c.ID) {
				n++
			}
		}
		votes[c.ID] = n
		cr := r.Candidates[i]
		ok := reached(p.Threshold, n, r.BaseCount)
		if cr.ID != c.ID || cr.Name != c.Name || cr.Votes != n || cr.Percent != percent(n, r.BaseCount) || cr.Reached != ok {
			fail("candidate %+v; recount %s %d votes (%s), reached %v", cr, c.ID, n, percent(n, r.BaseCount), ok)
		}
		if ok {
			reachedIDs = append(reachedIDs, c.ID)
		}
		if cr.Elected != slices.Contains(r.Elected, c.ID) {
			fail("candidate %s elected flag %v disagrees with the elected list %v", c.ID, cr.Elected, r.Elected)
		}
	}
	// Who is elected: those who reached the threshold, most votes first,
	// up to the seats; a tie at the last seat is reported, not broken
	// (unless by the elder rule, with birth dates).
	sorted := slices.Clone(reachedIDs)
	slices.SortStableFunc(sorted, func(a, b string) int { return votes[b] - votes[a] })
	switch {
	case len(sorted) <= p.Seats:
		want := meeting.OutcomeElected
		if len(sorted) < p.Seats {
			want = meeting.OutcomeShort
		}
		if !slices.Equal(r.Elected, sorted) || r.Outcome != want || r.Short != p.Seats-len(sorted) || len(r.Tie) != 0 {
			fail("elected %v outcome %s short %d tie %v; recount elected %v (%s, short %d)", r.Elected, r.Outcome, r.Short, r.Tie, sorted, want, p.Seats-len(sorted))
		}
	default:
		last := votes[sorted[p.Seats-1]]
		var above, at []string
		for _, id := range sorted {
			switch {
			case votes[id] > last:
				above = append(above, id)
			case votes[id] == last:
				at = append(at, id)
			}
		}
		left := p.Seats - len(above)
		switch {
		case len(at) == left:
			if !slices.Equal(r.Elected, append(above, at...)) || r.Outcome != meeting.OutcomeElected {
				fail("elected %v (%s); recount %v", r.Elected, r.Outcome, append(above, at...))
			}
		case r.Outcome == meeting.OutcomeTie:
			if !slices.Equal(r.Elected, above) || !slices.Equal(r.Tie, at) || r.TieSeats != left {
				fail("elected %v tie %v for %d seats; recount elected %v, tie %v for %d", r.Elected, r.Tie, r.TieSeats, above, at, left)
			}
		case r.TieBrokenBy == meeting.TieElder && p.Rules.TieRule == meeting.TieElder:
			if len(r.Elected) != p.Seats || !slices.Equal(r.Elected[:len(above)], above) {
				fail("tie broken by age: elected %v; want %v and %d of %v", r.Elected, above, left, at)
			}
			born := map[string]string{}
			for _, c := range p.Candidates {
				born[c.ID] = c.Born
			}
			for _, w := range r.Elected[len(above):] {
				for _, l := range at {
					if !slices.Contains(r.Elected, l) && born[w] >= born[l] {
						fail("tie broken by age: %s (born %s) elected before %s (born %s)", w, born[w], l, born[l])
					}
				}
			}
		default:
			fail("outcome %s with %d tied for %d seats", r.Outcome, len(at), left)
		}
	}
	if len(r.Elected) > p.Seats {
		fail("%d elected for %d seats", len(r.Elected), p.Seats)
	}
}

func checkRating(t *testing.T, fail func(string, ...any), p meeting.Poll, ballots []meeting.Ballot, verdicts []verdict, r meeting.Result, base map[meeting.Base]int) {
	t.Helper()
	if r.Outcome != meeting.OutcomeRated || len(r.Subjects) != len(p.Subjects) {
		fail("outcome %s with %d subjects; want rated, %d", r.Outcome, len(r.Subjects), len(p.Subjects))
	}
	excellent, good := 0, 0
	for i, c := range p.Subjects {
		sr := r.Subjects[i]
		valid, why, levels := 0, map[meeting.Reason]int{}, map[meeting.Level]int{}
		for j, b := range ballots {
			switch v := verdicts[j]; {
			case !v.valid:
				why[v.reason]++
			case v.rows[c.ID] != "":
				why[v.rows[c.ID]]++
			default:
				valid++
				levels[b.Ratings[c.ID]]++
			}
		}
		if sr.ID != c.ID || sr.Valid != valid || sr.Invalid != len(ballots)-valid {
			fail("subject %s: valid %d invalid %d; recount %d, %d", sr.ID, sr.Valid, sr.Invalid, valid, len(ballots)-valid)
		}
		fxBase := base[p.Base]
		if p.Base == meeting.BaseValid {
			fxBase = valid // a rating's "valid" base is per person
		}
		if sr.BaseCount != fxBase {
			fail("subject %s: base %d; recount %d", c.ID, sr.BaseCount, fxBase)
		}
		// checkReasons is per ballot; rows are checked the same way.
		total := 0
		for _, rc := range sr.InvalidReasons {
			if rc.Count != why[rc.Reason] {
				fail("subject %s: %d invalid for %s; recount %d", c.ID, rc.Count, rc.Reason, why[rc.Reason])
			}
			total += rc.Count
		}
		if total != len(ballots)-valid {
			fail("subject %s: invalid reasons add up to %d; recount %d", c.ID, total, len(ballots)-valid)
		}
		scale := p.Scale.Levels()
		if len(sr.Levels) != len(scale) {
			fail("subject %s: %d levels; the scale has %d", c.ID, len(sr.Levels), len(scale))
		}
		cum, level := 0, meeting.Level("")
		for k, l := range scale {
			if lr := sr.Levels[k]; lr.Level != l || lr.Votes != levels[l] || lr.Percent != percent(levels[l], fxBase) {
				fail("subject %s: level %+v; recount %s %d (%s)", c.ID, lr, l, levels[l], percent(levels[l], fxBase))
			}
			cum += levels[l]
			if p.Scale == meeting.ScaleReview && level == "" && reached(p.Threshold, cum, fxBase) {
				level = l
			}
		}
		if sr.Level != level {
			fail("subject %s: rated %q; recount %q", c.ID, sr.Level, level)
		}
		if p.Scale == meeting.ScaleConfidence && fxBase > 0 {
			low := levels[meeting.LevelLow]
			twoThirds := 3*low >= 2*fxBase
			if sr.LowTwoThirds != twoThirds || sr.LowOverHalf != (2*low > fxBase && !twoThirds) {
				fail("subject %s: low flags %v %v with %d low of %d", c.ID, sr.LowOverHalf, sr.LowTwoThirds, low, fxBase)
			}
		}
		switch level {
		case meeting.LevelExcellent:
			excellent++
		case meeting.LevelGood:
			good++
		}
	}
	if cp := p.Rules.ExcellentCap; p.Scale == meeting.ScaleReview && cp.Enabled {
		want := meeting.CapCheck{Percent: cp.Percent, Excellent: excellent, Good: good, Exceeded: excellent*100 > cp.Percent*good}
		if r.ExcellentCap != want {
			fail("cap %+v; recount %+v", r.ExcellentCap, want)
		}
	}
}

// TestPercentRoundsHalfUp pins the oracle of the fuzz targets to the
// rounding RULES-VN asks for, on hand-checked values.
func TestPercentRoundsHalfUp(t *testing.T) {
	for _, c := range []struct {
		part, whole int
		want        string
	}{{1, 3, "33.33%"}, {2, 3, "66.67%"}, {1, 8, "12.50%"}, {1, 16, "6.25%"}, {1, 160000, "0.00%"}, {1, 20000, "0.01%"}, {3, 3, "100.00%"}, {0, 0, "0.00%"}} {
		if got := percent(c.part, c.whole).String(); got != c.want {
			t.Errorf("percent(%d, %d) = %s; want %s", c.part, c.whole, got, c.want)
		}
		if got := meeting.PercentOf(c.part, c.whole).String(); got != c.want {
			t.Errorf("PercentOf(%d, %d) = %s; want %s", c.part, c.whole, got, c.want)
		}
	}
}
