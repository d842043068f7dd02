package meetingtest

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/phonghop/phonghop/server/meeting"
)

// The recount: the counting rules of docs/rules.md (§2, §4, §5, §6) written
// a second time, independently of meeting.CheckBallot and meeting.Tally,
// as the oracle of the fuzz targets (FuzzBallot) and of the property test
// of whole meetings. Nothing here calls the code it checks, except to read
// the poll's own definition (its form and levels).

// CheckTally returns an error describing the first difference between r
// and a recount of ballots in poll p (which must have opened: its eligible
// voters, summoned count and rules are used), or nil when r is exactly
// their count: valid and invalid ballots with their reasons, the votes of
// every option, candidate (for and against) and level, the base, the
// threshold and the smallest count reaching it, percentages of the base
// rounded half up to two decimals, who is elected or tied, the excellent
// cap and the confidence flags.
func CheckTally(p meeting.Poll, ballots []meeting.Ballot, r meeting.Result) (err error) {
	defer func() {
		switch m := recover().(type) {
		case nil:
		case mismatch:
			err = m
		default:
			panic(m)
		}
	}()
	checkTally(p, ballots, r)
	return nil
}

// mismatch is a difference found by the recount.
type mismatch string

func (m mismatch) Error() string { return string(m) }

func mismatchf(format string, args ...any) mismatch { return mismatch(fmt.Sprintf(format, args...)) }

// Percent is part/whole in hundredths of a percent, rounded half up, by
// long division (independent of meeting.PercentOf).
func Percent(part, whole int) meeting.Percent {
	if whole <= 0 {
		return 0
	}
	q, rem := part*10000/whole, part*10000%whole
	if 2*rem >= whole {
		q++
	}
	return meeting.Percent(q)
}

// Reached reports whether count reaches threshold th over base, on integers.
func Reached(th meeting.Threshold, count, base int) bool {
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

// checkTally panics with a mismatch unless r is the count of ballots in
// poll p (CheckTally recovers it).
func checkTally(p meeting.Poll, ballots []meeting.Ballot, r meeting.Result) {
	fail := func(format string, args ...any) {
		b, _ := json.Marshal(ballots)
		panic(mismatchf("poll %s (%s): "+format+"\nballots: %s\nresult: %+v", append(append([]any{p.ID, p.Kind}, args...), b, r)...))
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
	if r.BaseCount > 0 && (!Reached(p.Threshold, r.Required, r.BaseCount) || Reached(p.Threshold, r.Required-1, r.BaseCount)) {
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
			if o := r.Options[i]; o.Choice != c || o.Votes != n || o.Percent != Percent(n, r.BaseCount) {
				fail("option %+v; recount %s %d (%s)", o, c, n, Percent(n, r.BaseCount))
			}
		}
		pass := Reached(p.Threshold, r.Options[0].Votes, r.BaseCount)
		if r.Passed != pass || (r.Outcome == meeting.OutcomePassed) != pass || (r.Outcome != meeting.OutcomePassed && r.Outcome != meeting.OutcomeRejected) {
			fail("passed %v outcome %s; recount passed %v", r.Passed, r.Outcome, pass)
		}
	case meeting.PollElection:
		checkElection(fail, p, ballots, verdicts, r)
	case meeting.PollRating:
		checkRating(fail, p, ballots, verdicts, r, base)
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

// rejectsByHand reports whether ballot b marks candidate id "Không đồng ý"
// alone (lists without surplus; a list with surplus has no such box).
func rejectsByHand(p meeting.Poll, b meeting.Ballot, id string) bool {
	if len(p.Candidates) > p.Seats {
		return false
	}
	return slices.Contains(b.Disagree, id) && !slices.Contains(b.Agree, id)
}

func checkElection(fail func(string, ...any), p meeting.Poll, ballots []meeting.Ballot, verdicts []verdict, r meeting.Result) {
	if len(r.Candidates) != len(p.Candidates) {
		fail("%d candidates counted; %d on the ballot", len(r.Candidates), len(p.Candidates))
	}
	votes := map[string]int{}
	var reachedIDs []string
	for i, c := range p.Candidates {
		n, against := 0, 0
		for j, b := range ballots {
			if verdicts[j].valid && electsByHand(p, b, c.ID) {
				n++
			}
			if verdicts[j].valid && rejectsByHand(p, b, c.ID) {
				against++
			}
		}
		votes[c.ID] = n
		cr := r.Candidates[i]
		ok := Reached(p.Threshold, n, r.BaseCount)
		if cr.ID != c.ID || cr.Name != c.Name || cr.Votes != n || cr.Against != against || cr.Percent != Percent(n, r.BaseCount) || cr.Reached != ok {
			fail("candidate %+v; recount %s %d votes (%s), %d against, reached %v", cr, c.ID, n, Percent(n, r.BaseCount), against, ok)
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

func checkRating(fail func(string, ...any), p meeting.Poll, ballots []meeting.Ballot, verdicts []verdict, r meeting.Result, base map[meeting.Base]int) {
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
			if lr := sr.Levels[k]; lr.Level != l || lr.Votes != levels[l] || lr.Percent != Percent(levels[l], fxBase) {
				fail("subject %s: level %+v; recount %s %d (%s)", c.ID, lr, l, levels[l], Percent(levels[l], fxBase))
			}
			cum += levels[l]
			if p.Scale == meeting.ScaleReview && level == "" && Reached(p.Threshold, cum, fxBase) {
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
