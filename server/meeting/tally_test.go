package meeting

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestThreshold(t *testing.T) {
	half, twoThirds, all, third := MoreThanHalf, Threshold{Num: 2, Den: 3, AtLeast: true}, Threshold{Num: 1, Den: 1, AtLeast: true}, Threshold{Num: 1, Den: 3, AtLeast: true}
	tests := []struct {
		t           Threshold
		count, base int
		reached     bool
	}{
		// docs/rules.md §2: a chi bộ of 20, the pass mark counted on 20.
		{half, 10, 20, false},
		{half, 11, 20, true},
		{half, 9, 17, true},
		{half, 1, 2, false},
		{half, 2, 3, true},
		{half, 0, 0, false},
		{half, 1, 0, false},
		{twoThirds, 2, 3, true},
		{twoThirds, 13, 20, false},
		{twoThirds, 14, 20, true},
		{twoThirds, 0, 0, false},
		{all, 3, 3, true},
		{all, 2, 3, false},
		{third, 1, 3, true},
		{third, 0, 3, false},
		{Threshold{}, 5, 5, false}, // no denominator: never reached
	}
	for _, tt := range tests {
		if got := tt.t.Reached(tt.count, tt.base); got != tt.reached {
			t.Errorf("%v.Reached(%d, %d) = %v; want %v", tt.t, tt.count, tt.base, got, tt.reached)
		}
	}
	req := []struct {
		t    Threshold
		base int
		want int
	}{
		{half, 20, 11}, {half, 17, 9}, {half, 3, 2}, {half, 0, 1},
		{twoThirds, 20, 14}, {twoThirds, 3, 2}, {twoThirds, 0, 0}, {twoThirds, 9, 6},
		{third, 3, 1}, {all, 7, 7}, {Threshold{}, 7, 0},
	}
	for _, tt := range req {
		got := tt.t.Required(tt.base)
		if got != tt.want {
			t.Errorf("%v.Required(%d) = %d; want %d", tt.t, tt.base, got, tt.want)
		}
		// Required is the smallest count that reaches the threshold.
		if tt.base > 0 && tt.t.Den > 0 && (!tt.t.Reached(got, tt.base) || (got > 0 && tt.t.Reached(got-1, tt.base))) {
			t.Errorf("%v.Required(%d) = %d is not the smallest count that reaches it", tt.t, tt.base, got)
		}
	}
	if got := half.String() + " / " + twoThirds.String(); got != "more than 1/2 / at least 2/3" {
		t.Errorf("String = %q", got)
	}
	if got := half.VI() + " / " + twoThirds.VI(); got != "trên 1/2 / từ 2/3 trở lên" {
		t.Errorf("VI = %q", got)
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		part, whole int
		want        Percent
		en, vi      string
	}{
		{2, 3, 6667, "66.67%", "66,67%"},
		{1, 3, 3333, "33.33%", "33,33%"},
		{1, 6, 1667, "16.67%", "16,67%"},
		{5, 6, 8333, "83.33%", "83,33%"},
		{7, 9, 7778, "77.78%", "77,78%"},
		{11, 20, 5500, "55.00%", "55,00%"},
		{10, 17, 5882, "58.82%", "58,82%"},
		{1, 16, 625, "6.25%", "6,25%"},  // exact
		{1, 800, 13, "0.13%", "0,13%"},  // 0.125: half up
		{3, 1600, 19, "0.19%", "0,19%"}, // 0.1875
		{1, 1600, 6, "0.06%", "0,06%"},  // 0.0625: half up from .25 is down
		{1, 40000, 0, "0.00%", "0,00%"}, // 0.0025
		{1, 20000, 1, "0.01%", "0,01%"}, // 0.005: half up
		{20, 20, 10000, "100.00%", "100,00%"},
		{0, 20, 0, "0.00%", "0,00%"},
		{3, 0, 0, "0.00%", "0,00%"}, // empty base
	}
	for _, tt := range tests {
		p := PercentOf(tt.part, tt.whole)
		if p != tt.want || p.String() != tt.en || p.VI() != tt.vi {
			t.Errorf("PercentOf(%d, %d) = %d (%s, %s); want %d (%s, %s)", tt.part, tt.whole, p, p, p.VI(), tt.want, tt.en, tt.vi)
		}
	}
}

// tallyPoll is a poll that opened with present eligible voters and summoned
// members (entitled minus excused), counted on the summoned, more than 1/2,
// with the default rules.
func tallyPoll(kind PollKind, summoned, present int, f func(*Poll)) Poll {
	p := Poll{ID: "v1", PollSpec: PollSpec{Question: "Q", Kind: kind, Base: BaseSummoned, Threshold: MoreThanHalf}, Status: PollStatusOpen,
		Entitled: summoned, Summoned: summoned, Rules: DefaultPollRules()}
	for i := range present {
		p.Eligible = append(p.Eligible, fmt.Sprintf("p%d", i+1))
	}
	if f != nil {
		f(&p)
	}
	return p
}

// many returns n copies of b, then the ballots of more.
func many(n int, b Ballot, more ...[]Ballot) []Ballot {
	out := make([]Ballot, 0, n)
	for range n {
		out = append(out, b)
	}
	for _, m := range more {
		out = append(out, m...)
	}
	return out
}

func names(n int) []Candidate {
	var c []Candidate
	for i := range n {
		c = append(c, Candidate{ID: fmt.Sprintf("c%d", i+1), Name: fmt.Sprintf("Ứng viên %c", 'A'+i)})
	}
	return c
}

func TestCheckBallot(t *testing.T) {
	vote := tallyPoll(PollSecret, 3, 3, nil)
	election := tallyPoll(PollElection, 3, 3, func(p *Poll) { p.Candidates, p.Seats = names(4), 2 })
	lenient := tallyPoll(PollElection, 3, 3, func(p *Poll) { p.Candidates, p.Seats = names(4), 2; p.Rules.EmptyElectionBallotInvalid = false })
	noSurplus := tallyPoll(PollElection, 3, 3, func(p *Poll) { p.Candidates, p.Seats = names(2), 2 })
	single := tallyPoll(PollElection, 3, 3, func(p *Poll) { p.Candidates, p.Seats = names(1), 1 })
	rating := tallyPoll(PollRating, 3, 3, func(p *Poll) { p.Subjects, p.Scale = names(2), ScaleReview })
	confidence := tallyPoll(PollRating, 3, 3, func(p *Poll) { p.Subjects, p.Scale = names(2), ScaleConfidence })
	valid := BallotCheck{Valid: true}
	bad := func(r Reason) BallotCheck { return BallotCheck{Reason: r} }
	rows := func(m map[string]Reason) BallotCheck { return BallotCheck{Valid: true, Invalid: m} }
	tests := []struct {
		name string
		p    Poll
		b    Ballot
		want BallotCheck
	}{
		{"vote/agree", vote, Ballot{Choice: ChoiceAgree}, valid},
		{"vote/disagree", vote, Ballot{Choice: ChoiceDisagree}, valid},
		{"vote/abstain", vote, Ballot{Choice: ChoiceAbstain}, valid},
		{"vote/no choice", vote, Ballot{}, bad(ReasonNoChoice)},
		{"vote/choice not on the ballot", vote, Ballot{Choice: "maybe"}, bad(ReasonUnknownChoice)},
		{"vote/choice in capitals", vote, Ballot{Choice: "Agree"}, bad(ReasonUnknownChoice)},
		{"vote/spoiled", vote, Ballot{Choice: ChoiceAgree, Spoiled: true}, bad(ReasonSpoiled)},

		{"election/one kept", election, Ballot{Kept: []string{"c3"}}, valid},
		{"election/as many as seats", election, Ballot{Kept: []string{"c4", "c1"}}, valid},
		{"election/one too many", election, Ballot{Kept: []string{"c1", "c2", "c3"}}, bad(ReasonTooMany)},
		{"election/left untouched on a surplus list", election, Ballot{Kept: []string{"c1", "c2", "c3", "c4"}}, bad(ReasonTooMany)},
		{"election/nobody kept on a surplus list", election, Ballot{}, bad(ReasonNoneKept)},
		{"election/nobody kept, the setting off", lenient, Ballot{}, valid},
		{"election/nobody kept without surplus", noSurplus, Ballot{}, valid},
		{"election/all kept without surplus", noSurplus, Ballot{Kept: []string{"c1", "c2"}}, valid},
		// A single-name ballot has two boxes (docs/rules.md §4): untouched, it
		// marks neither and is invalid (it used to count as a vote for);
		// a strike-form Kept on it marks nothing either (and ValidateBallot
		// refuses it before it is cast).
		{"election/nothing marked on a single name", single, Ballot{}, bad(ReasonNoMark)},
		{"election/the single name kept", single, Ballot{Kept: []string{"c1"}}, bad(ReasonNoMark)},
		{"election/a name twice", election, Ballot{Kept: []string{"c1", "c1"}}, bad(ReasonDuplicate)},
		{"election/a name added", election, Ballot{Kept: []string{"c1", "Nguyễn Văn X"}}, bad(ReasonUnknownCandidate)},
		{"election/blank", election, Ballot{Spoiled: true}, bad(ReasonSpoiled)},
		{"election/spoiled with names", election, Ballot{Kept: []string{"c1"}, Spoiled: true}, bad(ReasonSpoiled)},

		{"rating/every row", rating, Ballot{Ratings: map[string]Level{"c1": LevelGood, "c2": LevelExcellent}}, valid},
		{"rating/a row missing", rating, Ballot{Ratings: map[string]Level{"c1": LevelGood}}, rows(map[string]Reason{"c2": ReasonMissingLevel})},
		{"rating/a row empty", rating, Ballot{Ratings: map[string]Level{"c1": "", "c2": LevelDone}}, rows(map[string]Reason{"c1": ReasonMissingLevel})},
		{"rating/a level not on the scale", rating, Ballot{Ratings: map[string]Level{"c1": LevelHigh, "c2": LevelFailed}}, rows(map[string]Reason{"c1": ReasonUnknownLevel})},
		{"rating/both rows bad", rating, Ballot{Ratings: map[string]Level{"c1": "best"}}, rows(map[string]Reason{"c1": ReasonUnknownLevel, "c2": ReasonMissingLevel})},
		{"rating/nobody rated", rating, Ballot{}, bad(ReasonEmpty)},
		{"rating/a person not listed", rating, Ballot{Ratings: map[string]Level{"c1": LevelGood, "c2": LevelGood, "c3": LevelGood}}, bad(ReasonUnknownSubject)},
		{"rating/spoiled", rating, Ballot{Ratings: map[string]Level{"c1": LevelGood, "c2": LevelGood}, Spoiled: true}, bad(ReasonSpoiled)},
		{"confidence/every row", confidence, Ballot{Ratings: map[string]Level{"c1": LevelHigh, "c2": LevelLow}}, valid},
		{"confidence/a review level", confidence, Ballot{Ratings: map[string]Level{"c1": LevelGood, "c2": LevelMedium}}, rows(map[string]Reason{"c1": ReasonUnknownLevel})},
	}
	for _, tt := range tests {
		if got := CheckBallot(tt.p, tt.b); !cmp.Equal(got, tt.want, cmpopts.EquateEmpty()) {
			t.Errorf("%s: CheckBallot(%+v) = %+v; want %+v", tt.name, tt.b, got, tt.want)
		}
	}
}

func TestReasonTexts(t *testing.T) {
	for _, r := range reasons {
		if bad := checkMessages(r.VI(), r.EN()); len(bad) > 0 || r.VI() == string(r) || r.EN() == string(r) {
			t.Errorf("reason %s: %q / %q %v", r, r.VI(), r.EN(), bad)
		}
	}
	if Reason("x").VI() != "x" || Reason("x").EN() != "x" {
		t.Errorf("an unknown reason describes as itself")
	}
}

func TestTallyVotes(t *testing.T) {
	// A chi bộ of 20 official members; 17 at the meeting (3 absent, not excused).
	agree, disagree, abstain, spoiled := Ballot{Choice: ChoiceAgree}, Ballot{Choice: ChoiceDisagree}, Ballot{Choice: ChoiceAbstain}, Ballot{Spoiled: true}
	mixed := func(a, d, ab, sp int) []Ballot {
		return many(a, agree, many(d, disagree), many(ab, abstain), many(sp, spoiled))
	}
	tests := []struct {
		name      string
		base      Base
		threshold Threshold
		ballots   []Ballot
		baseCount int
		required  int
		passed    bool
		percents  []Percent // agree, disagree, abstain
	}{
		{"summoned: 11 of 20 pass", BaseSummoned, MoreThanHalf, mixed(11, 4, 1, 1), 20, 11, true, []Percent{5500, 2000, 500}},
		{"summoned: 10 of 20 fail, though most of those voting", BaseSummoned, MoreThanHalf, mixed(10, 5, 1, 1), 20, 11, false, []Percent{5000, 2500, 500}},
		{"valid: 9 of 16 valid pass", BaseValid, MoreThanHalf, mixed(9, 6, 1, 1), 16, 9, true, []Percent{5625, 3750, 625}},
		{"valid: 8 of 16 valid fail", BaseValid, MoreThanHalf, mixed(8, 7, 1, 1), 16, 9, false, []Percent{5000, 4375, 625}},
		{"cast: 9 of 17 cast pass", BaseCast, MoreThanHalf, mixed(9, 7, 0, 1), 17, 9, true, []Percent{5294, 4118, 0}},
		{"cast: 8 of 17 cast fail", BaseCast, MoreThanHalf, mixed(8, 8, 0, 1), 17, 9, false, []Percent{4706, 4706, 0}},
		{"present: 9 of the 17 eligible pass", BasePresent, MoreThanHalf, mixed(9, 0, 0, 0), 17, 9, true, []Percent{5294, 0, 0}},
		{"present: counted on the eligible, not on the ballots", BasePresent, MoreThanHalf, mixed(8, 0, 0, 0), 17, 9, false, []Percent{4706, 0, 0}},
		{"summoned, at least 2/3: 14 pass", BaseSummoned, Threshold{Num: 2, Den: 3, AtLeast: true}, mixed(14, 3, 0, 0), 20, 14, true, []Percent{7000, 1500, 0}},
		{"summoned, at least 2/3: 13 fail", BaseSummoned, Threshold{Num: 2, Den: 3, AtLeast: true}, mixed(13, 3, 1, 0), 20, 14, false, []Percent{6500, 1500, 500}},
		{"nobody voted", BaseCast, MoreThanHalf, nil, 0, 1, false, []Percent{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tallyPoll(PollSecret, 20, 17, func(p *Poll) { p.Base, p.Threshold = tt.base, tt.threshold })
			r := Tally(p, tt.ballots)
			invalid := 0
			for _, b := range tt.ballots {
				if b.Spoiled {
					invalid++
				}
			}
			if r.Cast != len(tt.ballots) || r.Invalid != invalid || r.Valid != len(tt.ballots)-invalid || r.Issued != 17 || r.Summoned != 20 || r.Entitled != 20 {
				t.Errorf("counts: cast %d valid %d invalid %d issued %d summoned %d; want %d, %d, %d, 17, 20", r.Cast, r.Valid, r.Invalid, r.Issued, r.Summoned, len(tt.ballots), len(tt.ballots)-invalid, invalid)
			}
			if r.BaseCount != tt.baseCount || r.Required != tt.required || r.Passed != tt.passed {
				t.Errorf("base %d, required %d, passed %v; want %d, %d, %v", r.BaseCount, r.Required, r.Passed, tt.baseCount, tt.required, tt.passed)
			}
			wantOutcome := map[bool]Outcome{true: OutcomePassed, false: OutcomeRejected}[tt.passed]
			if r.Outcome != wantOutcome {
				t.Errorf("outcome %s; want %s", r.Outcome, wantOutcome)
			}
			var got []Percent
			for i, o := range r.Options {
				got = append(got, o.Percent)
				if o.Choice != Choices[i] {
					t.Errorf("option %d is %s; want %s", i, o.Choice, Choices[i])
				}
			}
			if !slices.Equal(got, tt.percents) {
				t.Errorf("percentages %v; want %v", got, tt.percents)
			}
			if invalid > 0 && !cmp.Equal(r.InvalidReasons, []ReasonCount{{ReasonSpoiled, invalid}}) {
				t.Errorf("invalid reasons %+v; want %d spoiled", r.InvalidReasons, invalid)
			}
		})
	}
}

func TestTallyInvalidReasons(t *testing.T) {
	p := tallyPoll(PollElection, 10, 10, func(p *Poll) { p.Candidates, p.Seats = names(4), 2 })
	ballots := []Ballot{
		{Kept: []string{"c1"}}, {Kept: []string{"c1", "c2"}}, // valid
		{Spoiled: true}, {Spoiled: true}, // blank
		{Kept: []string{"c1", "c2", "c3", "c4"}}, {Kept: []string{"c1", "c2", "c3"}}, {Kept: []string{"c1", "c2", "c4"}}, // too many, one untouched
		{}, // nobody
		{Kept: []string{"c1", "x"}}, {Kept: []string{"c2", "c2"}},
	}
	r := Tally(p, ballots)
	want := []ReasonCount{{ReasonSpoiled, 2}, {ReasonUnknownCandidate, 1}, {ReasonDuplicate, 1}, {ReasonTooMany, 3}, {ReasonNoneKept, 1}}
	if r.Valid != 2 || r.Invalid != 8 || !cmp.Equal(r.InvalidReasons, want) {
		t.Errorf("valid %d invalid %d reasons %+v; want 2, 8, %+v", r.Valid, r.Invalid, r.InvalidReasons, want)
	}
	// Invalid ballots give no votes: c1 has 2 (valid ballots only).
	if r.Candidates[0].Votes != 2 || r.Candidates[2].Votes != 0 {
		t.Errorf("votes %+v; want c1 2, c3 0", r.Candidates)
	}
}

func TestTallyElection(t *testing.T) {
	keep := func(ids ...string) Ballot { return Ballot{Kept: ids} }
	type cand struct {
		votes            int
		reached, elected bool
	}
	tests := []struct {
		name     string
		seats    int
		n        int // candidates
		base     Base
		summoned int
		present  int
		tie      TieRule
		born     []string
		ballots  []Ballot
		cands    []cand
		outcome  Outcome
		elected  []string
		tied     []string
		tieSeats int
		short    int
		brokenBy TieRule
	}{
		{name: "chi bộ of 20, 3 absent: 10 votes do not elect", seats: 1, n: 2, base: BaseSummoned, summoned: 20, present: 17,
			ballots: many(10, keep("c1"), many(7, keep("c2"))),
			cands:   []cand{{10, false, false}, {7, false, false}}, outcome: OutcomeShort, short: 1},
		{name: "chi bộ of 20, 3 absent: 11 votes elect", seats: 1, n: 2, base: BaseSummoned, summoned: 20, present: 17,
			ballots: many(11, keep("c1"), many(6, keep("c2"))),
			cands:   []cand{{11, true, true}, {6, false, false}}, outcome: OutcomeElected, elected: []string{"c1"}},
		{name: "the same ballots counted on the cast elect with 10", seats: 1, n: 2, base: BaseCast, summoned: 20, present: 17,
			ballots: many(10, keep("c1"), many(7, keep("c2"))),
			cands:   []cand{{10, true, true}, {7, false, false}}, outcome: OutcomeElected, elected: []string{"c1"}},
		{name: "highest first until the seats are filled", seats: 2, n: 4, base: BaseSummoned, summoned: 10, present: 10,
			ballots: many(4, keep("c3", "c2"), many(3, keep("c2", "c4")), many(3, keep("c3", "c1"))),
			// c1 3, c2 7, c3 7, c4 3: c2 and c3 both reach with 7.
			cands: []cand{{3, false, false}, {7, true, true}, {7, true, true}, {3, false, false}}, outcome: OutcomeElected, elected: []string{"c2", "c3"}},
		{name: "more reach than seats: the most votes win", seats: 2, n: 4, base: BaseCast, summoned: 10, present: 10,
			ballots: many(4, keep("c1", "c2"), many(3, keep("c3", "c2")), many(3, keep("c3", "c4"))),
			// c1 4, c2 7, c3 6, c4 3; more than 1/2 of 10 cast: c2, c3 reach.
			cands: []cand{{4, false, false}, {7, true, true}, {6, true, true}, {3, false, false}}, outcome: OutcomeElected, elected: []string{"c2", "c3"}},
		{name: "too few reach: a seat left", seats: 2, n: 4, base: BaseCast, summoned: 9, present: 9,
			ballots: many(9, keep("c1")),
			cands:   []cand{{9, true, true}, {0, false, false}, {0, false, false}, {0, false, false}}, outcome: OutcomeShort, elected: []string{"c1"}, short: 1},
		{name: "equal votes under the threshold are no tie", seats: 2, n: 3, base: BaseCast, summoned: 6, present: 6,
			ballots: many(2, keep("c1", "c2"), many(2, keep("c1", "c3")), many(1, keep("c2", "c3")), many(1, keep("c1"))),
			// c1 5, c2 3, c3 3 of 6 cast; more than 1/2 needs 4: only c1.
			cands: []cand{{5, true, true}, {3, false, false}, {3, false, false}}, outcome: OutcomeShort, elected: []string{"c1"}, short: 1},
		{name: "nobody reaches: every seat left", seats: 2, n: 4, base: BaseCast, summoned: 6, present: 6,
			ballots: []Ballot{keep("c1", "c2"), keep("c1", "c3"), keep("c1", "c4"), keep("c2", "c3"), keep("c4", "c2"), keep("c3", "c4")},
			cands:   []cand{{3, false, false}, {3, false, false}, {3, false, false}, {3, false, false}}, outcome: OutcomeShort, short: 2},
		{name: "the elder rule is for ties only", seats: 1, n: 2, base: BaseCast, summoned: 3, present: 3, tie: TieElder, born: []string{"1990-01-01", "1950-01-01"},
			ballots: []Ballot{keep("c1"), keep("c1"), keep("c2")},
			cands:   []cand{{2, true, true}, {1, false, false}}, outcome: OutcomeElected, elected: []string{"c1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tallyPoll(PollElection, tt.summoned, tt.present, func(p *Poll) {
				p.Candidates, p.Seats, p.Base = names(tt.n), tt.seats, tt.base
				if tt.tie != "" {
					p.Rules.TieRule = tt.tie
				}
				for i, b := range tt.born {
					p.Candidates[i].Born = b
				}
			})
			r := Tally(p, tt.ballots)
			var got []cand
			for _, c := range r.Candidates {
				got = append(got, cand{c.Votes, c.Reached, c.Elected})
			}
			if diff := cmp.Diff(tt.cands, got, cmp.AllowUnexported(cand{})); diff != "" {
				t.Errorf("candidates (-want +got):\n%s", diff)
			}
			if r.Outcome != tt.outcome || !slices.Equal(r.Elected, tt.elected) || !slices.Equal(r.Tie, tt.tied) || r.TieSeats != tt.tieSeats || r.Short != tt.short || r.TieBrokenBy != tt.brokenBy {
				t.Errorf("outcome %s elected %v tie %v (%d seats) short %d broken by %q; want %s %v %v (%d) %d %q",
					r.Outcome, r.Elected, r.Tie, r.TieSeats, r.Short, r.TieBrokenBy, tt.outcome, tt.elected, tt.tied, tt.tieSeats, tt.short, tt.brokenBy)
			}
		})
	}
}

func TestTallyElectionTies(t *testing.T) {
	// Four candidates for two seats, counted on the cast with at least
	// 1/3: c1 is elected; c2, c3 and c4 tie for the last seat.
	ballots := []Ballot{{Kept: []string{"c1", "c2"}}, {Kept: []string{"c1", "c3"}}, {Kept: []string{"c4"}}}
	tests := []struct {
		name     string
		rule     TieRule
		born     []string
		outcome  Outcome
		elected  []string
		tie      []string
		brokenBy TieRule
	}{
		{"re-vote (default)", TieRevote, []string{"1960-01-01", "1970-01-01", "1965-03-02", "1980-01-01"}, OutcomeTie, []string{"c1"}, []string{"c2", "c3", "c4"}, ""},
		{"elder wins", TieElder, []string{"1990-01-01", "1970-01-01", "1965-03-02", "1980-01-01"}, OutcomeElected, []string{"c1", "c3"}, nil, TieElder},
		{"elder, a birth date missing", TieElder, []string{"1990-01-01", "1970-01-01", "", "1980-01-01"}, OutcomeTie, []string{"c1"}, []string{"c2", "c3", "c4"}, ""},
		{"elder, the eldest two born the same day", TieElder, []string{"", "1965-03-02", "1965-03-02", "1980-01-01"}, OutcomeTie, []string{"c1"}, []string{"c2", "c3", "c4"}, ""},
	}
	for _, tt := range tests {
		p := tallyPoll(PollElection, 3, 3, func(p *Poll) {
			p.Candidates, p.Seats, p.Base, p.Threshold = names(4), 2, BaseCast, Threshold{Num: 1, Den: 3, AtLeast: true}
			p.Rules.TieRule = tt.rule
			for i, b := range tt.born {
				p.Candidates[i].Born = b
			}
		})
		r := Tally(p, ballots)
		if r.Outcome != tt.outcome || !slices.Equal(r.Elected, tt.elected) || !slices.Equal(r.Tie, tt.tie) || r.TieBrokenBy != tt.brokenBy {
			t.Errorf("%s: outcome %s elected %v tie %v broken by %q; want %s %v %v %q", tt.name, r.Outcome, r.Elected, r.Tie, r.TieBrokenBy, tt.outcome, tt.elected, tt.tie, tt.brokenBy)
		}
		if tt.outcome == OutcomeTie && r.TieSeats != 1 {
			t.Errorf("%s: tie seats %d; want 1", tt.name, r.TieSeats)
		}
		if got := []int{r.Candidates[0].Votes, r.Candidates[1].Votes, r.Candidates[2].Votes, r.Candidates[3].Votes}; !slices.Equal(got, []int{2, 1, 1, 1}) {
			t.Errorf("%s: votes %v; want [2 1 1 1]", tt.name, got)
		}
	}
	// All tied reaching exactly the seats: everyone elected, no tie.
	p := tallyPoll(PollElection, 4, 4, func(p *Poll) { p.Candidates, p.Seats = names(3), 2 })
	r := Tally(p, []Ballot{{Kept: []string{"c1", "c2"}}, {Kept: []string{"c1", "c2"}}, {Kept: []string{"c1", "c2"}}, {Kept: []string{"c3"}}})
	if r.Outcome != OutcomeElected || !slices.Equal(r.Elected, []string{"c1", "c2"}) || r.Tie != nil {
		t.Errorf("equal votes filling the seats exactly: %s %v %v; want elected [c1 c2]", r.Outcome, r.Elected, r.Tie)
	}
	// Two tie for two seats after one clear winner among three seats.
	p = tallyPoll(PollElection, 5, 5, func(p *Poll) { p.Candidates, p.Seats = names(4), 3 })
	r = Tally(p, []Ballot{{Kept: []string{"c1", "c2", "c3"}}, {Kept: []string{"c1", "c2", "c3"}}, {Kept: []string{"c1", "c2", "c4"}}, {Kept: []string{"c1", "c3", "c4"}}, {Kept: []string{"c1", "c4"}}})
	// c1 5, c2 3, c3 3, c4 3: three tie for two seats.
	if r.Outcome != OutcomeTie || !slices.Equal(r.Elected, []string{"c1"}) || !slices.Equal(r.Tie, []string{"c2", "c3", "c4"}) || r.TieSeats != 2 {
		t.Errorf("three tie for two seats: %s elected %v tie %v (%d); want tie, [c1], [c2 c3 c4] for 2", r.Outcome, r.Elected, r.Tie, r.TieSeats)
	}
}

func TestTallyRating(t *testing.T) {
	r4 := func(c1, c2 Level) Ballot { return Ballot{Ratings: map[string]Level{"c1": c1, "c2": c2}} }
	p := tallyPoll(PollRating, 10, 10, func(p *Poll) { p.Subjects, p.Scale, p.Base = names(2), ScaleReview, BaseCast })
	ballots := []Ballot{
		r4(LevelExcellent, LevelGood), r4(LevelExcellent, LevelGood), r4(LevelExcellent, LevelGood),
		r4(LevelGood, LevelDone), r4(LevelGood, LevelDone), r4(LevelGood, LevelDone), r4(LevelGood, LevelFailed),
		{Ratings: map[string]Level{"c1": LevelDone}},                   // c2's row missing: invalid for c2 only
		{Ratings: map[string]Level{"c1": "xuất sắc", "c2": LevelGood}}, // c1's level unknown
		{Spoiled: true},
	}
	r := Tally(p, ballots)
	if r.Cast != 10 || r.Valid != 9 || r.Invalid != 1 || r.Outcome != OutcomeRated {
		t.Fatalf("cast %d valid %d invalid %d outcome %s; want 10, 9, 1, rated", r.Cast, r.Valid, r.Invalid, r.Outcome)
	}
	want := []SubjectResult{
		{ID: "c1", Name: "Ứng viên A", Valid: 8, Invalid: 2, InvalidReasons: []ReasonCount{{ReasonSpoiled, 1}, {ReasonUnknownLevel, 1}}, BaseCount: 10,
			Levels: []LevelResult{{LevelExcellent, 3, 3000}, {LevelGood, 4, 4000}, {LevelDone, 1, 1000}, {LevelFailed, 0, 0}}, Level: LevelGood}, // 3, then 7 > 5
		{ID: "c2", Name: "Ứng viên B", Valid: 8, Invalid: 2, InvalidReasons: []ReasonCount{{ReasonSpoiled, 1}, {ReasonMissingLevel, 1}}, BaseCount: 10,
			Levels: []LevelResult{{LevelExcellent, 0, 0}, {LevelGood, 4, 4000}, {LevelDone, 3, 3000}, {LevelFailed, 1, 1000}}, Level: LevelDone}, // 4, then 7 > 5
	}
	if diff := cmp.Diff(want, r.Subjects); diff != "" {
		t.Errorf("subjects (-want +got):\n%s", diff)
	}
	if want := (CapCheck{Percent: 20, Excellent: 0, Good: 1}); r.ExcellentCap != want {
		t.Errorf("cap %+v; want %+v", r.ExcellentCap, want)
	}

	// On the valid ballots of each person instead: c1 has 8.
	p.Base = BaseValid
	r = Tally(p, ballots)
	if r.Subjects[0].BaseCount != 8 || r.Subjects[0].Levels[1].Percent != 5000 || r.Subjects[0].Level != LevelGood {
		t.Errorf("base valid: c1 base %d, good %v, level %s; want 8, 50.00%%, good", r.Subjects[0].BaseCount, r.Subjects[0].Levels[1].Percent, r.Subjects[0].Level)
	}
	// A ballot rating nobody is invalid for everyone.
	r = Tally(p, []Ballot{{}, r4(LevelGood, LevelGood)})
	if r.Invalid != 1 || r.Subjects[1].Invalid != 1 || r.Subjects[1].InvalidReasons[0].Reason != ReasonEmpty {
		t.Errorf("a ballot rating nobody: invalid %d, c2 %+v; want invalid for everyone", r.Invalid, r.Subjects[1])
	}
	// Nobody reaches: no level.
	p.Base = BaseSummoned
	r = Tally(p, []Ballot{r4(LevelGood, LevelGood)})
	if r.Subjects[0].Level != "" {
		t.Errorf("one good of 10 summoned: level %q; want none", r.Subjects[0].Level)
	}
}

func TestTallyExcellentCap(t *testing.T) {
	// Six members rated by five: the level each gets decides the cap.
	levels := func(ls ...Level) Ballot {
		b := Ballot{Ratings: map[string]Level{}}
		for i, l := range ls {
			b.Ratings[fmt.Sprintf("c%d", i+1)] = l
		}
		return b
	}
	ex, gd, dn := LevelExcellent, LevelGood, LevelDone
	tests := []struct {
		name      string
		cap       ExcellentCap
		ballot    Ballot
		excellent int
		good      int
		exceeded  bool
		check     bool
	}{
		{"one excellent for five good: within 20%", ExcellentCap{Enabled: true, Percent: 20}, levels(ex, gd, gd, gd, gd, gd), 1, 5, false, true},
		{"two excellent for four good: over 20%", ExcellentCap{Enabled: true, Percent: 20}, levels(ex, ex, gd, gd, gd, gd), 2, 4, true, true},
		{"one excellent, no good: over", ExcellentCap{Enabled: true, Percent: 20}, levels(ex, dn, dn, dn, dn, dn), 1, 0, true, true},
		{"none excellent: within", ExcellentCap{Enabled: true, Percent: 20}, levels(gd, dn, dn, dn, dn, dn), 0, 1, false, true},
		{"two excellent for four good: within 50%", ExcellentCap{Enabled: true, Percent: 50}, levels(ex, ex, gd, gd, gd, gd), 2, 4, false, true},
		{"the cap off: not checked", ExcellentCap{Percent: 20}, levels(ex, ex, ex, gd, gd, gd), 0, 0, false, false},
	}
	for _, tt := range tests {
		p := tallyPoll(PollRating, 5, 5, func(p *Poll) {
			p.Subjects, p.Scale, p.Base = names(6), ScaleReview, BaseCast
			p.Rules.ExcellentCap = tt.cap
		})
		r := Tally(p, many(5, tt.ballot))
		want := CapCheck{}
		if tt.check {
			want = CapCheck{Percent: tt.cap.Percent, Excellent: tt.excellent, Good: tt.good, Exceeded: tt.exceeded}
		}
		if r.ExcellentCap != want {
			t.Errorf("%s: cap %+v; want %+v", tt.name, r.ExcellentCap, want)
		}
		// The flag never changes the results.
		if tt.ballot.Ratings["c1"] == ex && r.Subjects[0].Level != ex {
			t.Errorf("%s: c1 level %s; want excellent (results unchanged)", tt.name, r.Subjects[0].Level)
		}
	}
	// Not checked on a confidence vote.
	p := tallyPoll(PollRating, 5, 5, func(p *Poll) { p.Subjects, p.Scale, p.Base = names(1), ScaleConfidence, BaseCast })
	if r := Tally(p, many(5, levels(LevelHigh))); r.ExcellentCap != (CapCheck{}) || r.Subjects[0].Level != "" {
		t.Errorf("confidence vote: cap %+v level %q; want neither", r.ExcellentCap, r.Subjects[0].Level)
	}
}

func TestTallyConfidence(t *testing.T) {
	// Nine ballots returned; each person's levels over the ballots returned.
	ballot := func(l Level) Ballot { return Ballot{Ratings: map[string]Level{"c1": l}} }
	tests := []struct {
		name          string
		high, med, lo int
		invalid       int
		overHalf      bool
		twoThirds     bool
		lowPercent    Percent
	}{
		{"no low", 6, 3, 0, 0, false, false, 0},
		{"low half exactly: no flag", 2, 2, 4, 0, false, false, 5000}, // 4 of 8
		{"low more than half", 2, 2, 5, 0, true, false, 5556},
		{"low at 2/3", 1, 2, 6, 0, false, true, 6667},
		{"low all", 0, 0, 9, 0, false, true, 10000},
		{"counted on the ballots returned, invalid included", 1, 2, 5, 1, true, false, 5556}, // 5 of 9 returned
	}
	for _, tt := range tests {
		p := tallyPoll(PollRating, 12, 9, func(p *Poll) { p.Subjects, p.Scale, p.Base = names(1), ScaleConfidence, BaseCast })
		ballots := many(tt.high, ballot(LevelHigh), many(tt.med, ballot(LevelMedium)), many(tt.lo, ballot(LevelLow)), many(tt.invalid, Ballot{Spoiled: true}))
		r := Tally(p, ballots)
		s := r.Subjects[0]
		if s.LowOverHalf != tt.overHalf || s.LowTwoThirds != tt.twoThirds || s.Levels[2].Percent != tt.lowPercent || s.BaseCount != len(ballots) || s.Invalid != tt.invalid {
			t.Errorf("%s: over half %v, 2/3 %v, low %v, base %d, invalid %d; want %v, %v, %v, %d, %d",
				tt.name, s.LowOverHalf, s.LowTwoThirds, s.Levels[2].Percent, s.BaseCount, s.Invalid, tt.overHalf, tt.twoThirds, tt.lowPercent, len(ballots), tt.invalid)
		}
	}
	// No ballot: no flag.
	p := tallyPoll(PollRating, 12, 9, func(p *Poll) { p.Subjects, p.Scale, p.Base = names(1), ScaleConfidence, BaseCast })
	if s := Tally(p, nil).Subjects[0]; s.LowOverHalf || s.LowTwoThirds {
		t.Errorf("no ballots: flags %+v; want none", s)
	}
}

func TestTallyDoesNotChangeItsInput(t *testing.T) {
	p := tallyPoll(PollElection, 3, 3, func(p *Poll) { p.Candidates, p.Seats = names(3), 1 })
	ballots := []Ballot{{Kept: []string{"c2"}}, {Kept: []string{"c2"}}, {Kept: []string{"c1"}}}
	pc, bc := p.clone(), slices.Clone(ballots)
	r := Tally(p, ballots)
	if diff := cmp.Diff(pc, p); diff != "" {
		t.Errorf("Tally changed the poll:\n%s", diff)
	}
	if diff := cmp.Diff(bc, ballots); diff != "" {
		t.Errorf("Tally changed the ballots:\n%s", diff)
	}
	c := r.clone()
	c.Candidates[0].Votes, c.Elected[0] = 99, "x"
	if r.Candidates[0].Votes == 99 || r.Elected[0] == "x" {
		t.Errorf("a clone of a result shares memory with it")
	}
}
