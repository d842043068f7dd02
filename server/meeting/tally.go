package meeting

import (
	"fmt"
	"slices"
	"time"
)

// Ballot is one ballot. Its fields depend on the poll's kind:
//   - open, secret: Choice (agree, disagree or abstain);
//   - election: Kept, the IDs of the candidates kept (not struck out);
//   - rating: Ratings, a level for each subject ID.
//
// Spoiled is a ballot deliberately spoiled or left blank (phiếu trắng,
// phiếu hỏng): on any kind it counts as invalid.
type Ballot struct {
	Choice  Choice           `json:"choice,omitempty"`
	Kept    []string         `json:"kept,omitempty"`
	Ratings map[string]Level `json:"ratings,omitempty"`
	Spoiled bool             `json:"spoiled,omitempty"`
}

// Reason is why a ballot, or one row of a rating ballot, is invalid.
type Reason string

// The reasons, in the order results list them.
const (
	ReasonSpoiled          Reason = "spoiled"           // phiếu trắng / phiếu hỏng
	ReasonNoChoice         Reason = "no_choice"         // no choice made
	ReasonUnknownChoice    Reason = "unknown_choice"    // a choice that is not on the ballot
	ReasonUnknownCandidate Reason = "unknown_candidate" // a name added to the list
	ReasonDuplicate        Reason = "duplicate"         // a name kept twice
	ReasonTooMany          Reason = "too_many"          // keeps more names than seats
	ReasonNoneKept         Reason = "none_kept"         // keeps nobody on a multi-name list with surplus
	ReasonEmpty            Reason = "empty"             // rates nobody
	ReasonUnknownSubject   Reason = "unknown_subject"   // rates a person not on the list
	ReasonMissingLevel     Reason = "missing_level"     // a row without a level (that person only)
	ReasonUnknownLevel     Reason = "unknown_level"     // a row with a level not on the scale (that person only)
)

var reasons = []struct {
	r      Reason
	vi, en string
}{
	{ReasonSpoiled, "phiếu trắng hoặc phiếu hỏng", "blank or spoiled ballot"},
	{ReasonNoChoice, "không chọn phương án nào", "no choice made"},
	{ReasonUnknownChoice, "phương án không có trên phiếu", "a choice not on the ballot"},
	{ReasonUnknownCandidate, "ghi thêm tên ngoài danh sách", "a name not on the list"},
	{ReasonDuplicate, "một tên được giữ hai lần", "a name kept twice"},
	{ReasonTooMany, "bầu quá số lượng đã quyết định", "more names kept than seats"},
	{ReasonNoneKept, "không bầu ai trong danh sách có số dư", "nobody kept on a list with surplus"},
	{ReasonEmpty, "không đánh giá ai", "nobody rated"},
	{ReasonUnknownSubject, "đánh giá người ngoài danh sách", "a person not on the list rated"},
	{ReasonMissingLevel, "không đánh dấu mức nào", "no level marked"},
	{ReasonUnknownLevel, "mức không có trên phiếu", "a level not on the scale"},
}

// VI describes r in Vietnamese (for the vote-counting record).
func (r Reason) VI() string {
	for _, x := range reasons {
		if x.r == r {
			return x.vi
		}
	}
	return string(r)
}

// EN describes r in English.
func (r Reason) EN() string {
	for _, x := range reasons {
		if x.r == r {
			return x.en
		}
	}
	return string(r)
}

// BallotCheck is what a ballot counts as.
type BallotCheck struct {
	Valid   bool              `json:"valid"`
	Reason  Reason            `json:"reason,omitempty"`  // why the whole ballot is invalid
	Invalid map[string]Reason `json:"invalid,omitempty"` // rating: subject ID → why its row is invalid (that person only)
}

// CheckBallot returns what ballot b counts as in poll p, by the rules of
// RULES-VN §4 and §6:
//   - open, secret: valid with exactly one of agree, disagree, abstain;
//   - election: valid when it keeps at most Seats names, all on the list,
//     none twice; keeping more (a surplus list left untouched included) is
//     invalid, and so is keeping nobody on a multi-name list with surplus
//     (p.Rules.EmptyElectionBallotInvalid, on by default); keeping nobody
//     on a list without surplus is valid (every name gets no vote);
//   - rating: invalid as a whole if it rates nobody or rates someone not
//     listed; otherwise valid, and a row with no level or a level not on
//     the scale is invalid for that person only.
//
// A spoiled ballot is invalid.
func CheckBallot(p Poll, b Ballot) BallotCheck {
	bad := func(r Reason) BallotCheck { return BallotCheck{Reason: r} }
	if b.Spoiled {
		return bad(ReasonSpoiled)
	}
	switch p.Kind {
	case PollElection:
		for i, id := range b.Kept {
			if !slices.ContainsFunc(p.Candidates, func(c Candidate) bool { return c.ID == id }) {
				return bad(ReasonUnknownCandidate)
			}
			if slices.Contains(b.Kept[:i], id) {
				return bad(ReasonDuplicate)
			}
		}
		switch {
		case len(b.Kept) > p.Seats:
			return bad(ReasonTooMany)
		case len(b.Kept) == 0 && len(p.Candidates) > 1 && len(p.Candidates) > p.Seats && p.Rules.EmptyElectionBallotInvalid:
			return bad(ReasonNoneKept)
		}
	case PollRating:
		if len(b.Ratings) == 0 {
			return bad(ReasonEmpty)
		}
		for id := range b.Ratings {
			if !slices.ContainsFunc(p.Subjects, func(c Candidate) bool { return c.ID == id }) {
				return bad(ReasonUnknownSubject)
			}
		}
		c := BallotCheck{Valid: true}
		levels := p.Scale.Levels()
		for _, sub := range p.Subjects {
			l, ok := b.Ratings[sub.ID]
			r := Reason("")
			switch {
			case !ok || l == "":
				r = ReasonMissingLevel
			case !slices.Contains(levels, l):
				r = ReasonUnknownLevel
			}
			if r != "" {
				if c.Invalid == nil {
					c.Invalid = map[string]Reason{}
				}
				c.Invalid[sub.ID] = r
			}
		}
		return c
	default:
		switch {
		case b.Choice == "":
			return bad(ReasonNoChoice)
		case !slices.Contains(Choices, b.Choice):
			return bad(ReasonUnknownChoice)
		}
	}
	return BallotCheck{Valid: true}
}

// ValidateBallot checks that voter may cast ballot b in poll p (looked up
// by ID in s): the poll is open, the voter is eligible and has not voted,
// and the ballot has the form of the poll's kind (only its kind's fields,
// within size limits). It does not judge whether the ballot counts as valid
// (see CheckBallot): an invalid ballot is still cast, as on paper.
func ValidateBallot(s *State, p Poll, voter string, b Ballot) error {
	i, err := s.poll(p.ID)
	if err != nil {
		return err
	}
	if s.Status == StatusClosed {
		return statusConflict(s, "bỏ phiếu")
	}
	p = s.Polls[i]
	if p.Status != PollStatusOpen {
		return pollConflict(p, "bỏ phiếu cho")
	}
	if !p.IsEligible(voter) {
		return Errorf(KindForbidden, "Người tham dự %s không có trong danh sách biểu quyết của cuộc này.", "%q is not an eligible voter of this poll", voter)
	}
	if p.HasVoted(voter) {
		return Errorf(KindConflict, "Người tham dự %s đã bỏ phiếu rồi.", "%q has already voted", voter)
	}
	return p.checkForm(b)
}

// checkForm checks that b has the fields of p's kind only, within limits.
func (p Poll) checkForm(b Ballot) error {
	wrong := func(field string) error {
		return fieldErr(field, fmt.Sprintf("Phiếu của hình thức biểu quyết này không có trường %s.", field), fmt.Sprintf("a %s ballot has no %s", p.Kind, field))
	}
	word := func(field, s string) error {
		if len(s) > MaxKey || (s != "" && !printable(s)) {
			return fieldErr(field, "Phiếu có nội dung không hợp lệ.", fmt.Sprintf("%s must be a short word", field))
		}
		return nil
	}
	switch p.Kind {
	case PollElection:
		if b.Choice != "" {
			return wrong("choice")
		}
		if len(b.Ratings) > 0 {
			return wrong("ratings")
		}
		if len(b.Kept) > MaxCandidates {
			return fieldErr("kept", "Phiếu có quá nhiều tên.", "too many names")
		}
		for _, id := range b.Kept {
			if err := word("kept", id); err != nil {
				return err
			}
		}
	case PollRating:
		if b.Choice != "" {
			return wrong("choice")
		}
		if len(b.Kept) > 0 {
			return wrong("kept")
		}
		if len(b.Ratings) > MaxCandidates {
			return fieldErr("ratings", "Phiếu có quá nhiều dòng.", "too many rows")
		}
		for id, l := range b.Ratings {
			if err := word("ratings", id); err != nil {
				return err
			}
			if err := word("ratings", string(l)); err != nil {
				return err
			}
		}
	default:
		if len(b.Kept) > 0 {
			return wrong("kept")
		}
		if len(b.Ratings) > 0 {
			return wrong("ratings")
		}
		if err := word("choice", string(b.Choice)); err != nil {
			return err
		}
	}
	return nil
}

// Outcome is what a poll decided.
type Outcome string

// The outcomes.
const (
	OutcomePassed   Outcome = "passed"   // a vote reached its threshold
	OutcomeRejected Outcome = "rejected" // a vote did not
	OutcomeElected  Outcome = "elected"  // every seat filled
	OutcomeTie      Outcome = "tie"      // candidates tie for the last seat(s): see Tie, TieSeats
	OutcomeShort    Outcome = "short"    // too few reached the threshold: Short seats left
	OutcomeRated    Outcome = "rated"    // a rating poll (see Subjects)
)

// ReasonCount is how many ballots (or rows) were invalid for a reason.
type ReasonCount struct {
	Reason Reason `json:"reason"`
	Count  int    `json:"count"`
}

// OptionResult is the count of one choice.
type OptionResult struct {
	Choice  Choice  `json:"choice"`
	Votes   int     `json:"votes"`
	Percent Percent `json:"percent"` // of the base
}

// CandidateResult is the count of one candidate.
type CandidateResult struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Votes   int     `json:"votes"`
	Percent Percent `json:"percent"`           // of the base
	Reached bool    `json:"reached,omitempty"` // reached the threshold
	Elected bool    `json:"elected,omitempty"`
}

// LevelResult is the count of one level for one subject.
type LevelResult struct {
	Level   Level   `json:"level"`
	Votes   int     `json:"votes"`
	Percent Percent `json:"percent"` // of the subject's base
}

// SubjectResult is the count for one person rated.
type SubjectResult struct {
	ID             string        `json:"id"`
	Name           string        `json:"name"`
	Valid          int           `json:"valid"`   // ballots valid for this person
	Invalid        int           `json:"invalid"` // ballots invalid for this person
	InvalidReasons []ReasonCount `json:"invalid_reasons,omitempty"`
	BaseCount      int           `json:"base_count"`
	Levels         []LevelResult `json:"levels"`
	// Level (review scale): the best level whose votes, added to those of
	// the better levels, reach the threshold over the base; "" if none.
	Level Level `json:"level,omitempty"`
	// Confidence scale (RULES-VN §6): more than 1/2 but under 2/3 "tín
	// nhiệm thấp", and at least 2/3 "tín nhiệm thấp", over the base.
	LowOverHalf  bool `json:"low_over_half,omitempty"`
	LowTwoThirds bool `json:"low_two_thirds,omitempty"`
}

// CapCheck is the check of the cap on "hoàn thành xuất sắc nhiệm vụ": the
// number rated excellent must be at most Percent of the number rated good.
type CapCheck struct {
	Percent   int  `json:"percent"`
	Excellent int  `json:"excellent"`
	Good      int  `json:"good"`
	Exceeded  bool `json:"exceeded"`
}

// Result is the count of a poll, as the vote-counting committee records it.
type Result struct {
	Kind           PollKind      `json:"kind"`
	Entitled       int           `json:"entitled"` // summoned members who count
	Summoned       int           `json:"summoned"` // entitled minus excused
	Issued         int           `json:"issued"`   // eligible voters at the opening: ballots issued
	Cast           int           `json:"cast"`     // ballots returned
	Valid          int           `json:"valid"`
	Invalid        int           `json:"invalid"`
	InvalidReasons []ReasonCount `json:"invalid_reasons,omitempty"`
	Base           Base          `json:"base"`
	BaseCount      int           `json:"base_count"`
	Threshold      Threshold     `json:"threshold"`
	Required       int           `json:"required"` // the smallest count that reaches the threshold over the base
	Outcome        Outcome       `json:"outcome"`

	// open, secret
	Options []OptionResult `json:"options,omitempty"`
	Passed  bool           `json:"passed,omitempty"`

	// election
	Candidates  []CandidateResult `json:"candidates,omitempty"` // in ballot order
	Elected     []string          `json:"elected,omitempty"`    // candidate IDs, most votes first
	Tie         []string          `json:"tie,omitempty"`        // candidate IDs tied for the last seats
	TieSeats    int               `json:"tie_seats,omitempty"`  // the seats they tie for
	TieBrokenBy TieRule           `json:"tie_broken_by,omitempty"`
	Short       int               `json:"short,omitempty"` // seats left unfilled

	// rating
	Subjects     []SubjectResult `json:"subjects,omitempty"`
	ExcellentCap CapCheck        `json:"excellent_cap,omitzero"`
}

func (r Result) clone() Result {
	r.InvalidReasons = slices.Clone(r.InvalidReasons)
	r.Options = slices.Clone(r.Options)
	r.Candidates = slices.Clone(r.Candidates)
	r.Elected = slices.Clone(r.Elected)
	r.Tie = slices.Clone(r.Tie)
	r.Subjects = slices.Clone(r.Subjects)
	for i := range r.Subjects {
		r.Subjects[i].InvalidReasons = slices.Clone(r.Subjects[i].InvalidReasons)
		r.Subjects[i].Levels = slices.Clone(r.Subjects[i].Levels)
	}
	return r
}

// reasonCounts lists the non-zero counts in the order of the reasons.
func reasonCounts(n map[Reason]int) []ReasonCount {
	var out []ReasonCount
	for _, x := range reasons {
		if n[x.r] > 0 {
			out = append(out, ReasonCount{Reason: x.r, Count: n[x.r]})
		}
	}
	return out
}

// baseCount returns the count of base b.
func baseCount(b Base, p Poll, cast, valid int) int {
	switch b {
	case BaseCast:
		return cast
	case BaseValid:
		return valid
	case BasePresent:
		return len(p.Eligible)
	}
	return p.Summoned
}

// Tally counts ballots of poll p (which must have opened: its eligible
// voters, summoned count and rules are used). Outcomes are decided on
// integers; percentages are of the base, two decimals, rounded half up.
// Ties are reported, never broken silently: with the "elder" rule a tie is
// broken only when every tied candidate's birth date tells.
func Tally(p Poll, ballots []Ballot) Result {
	r := Result{Kind: p.Kind, Entitled: p.Entitled, Summoned: p.Summoned, Issued: len(p.Eligible), Cast: len(ballots),
		Base: p.Base, Threshold: p.Threshold}
	checks := make([]BallotCheck, len(ballots))
	why := map[Reason]int{}
	for i, b := range ballots {
		checks[i] = CheckBallot(p, b)
		if checks[i].Valid {
			r.Valid++
		} else {
			r.Invalid++
			why[checks[i].Reason]++
		}
	}
	r.InvalidReasons = reasonCounts(why)
	r.BaseCount = baseCount(p.Base, p, r.Cast, r.Valid)
	r.Required = p.Threshold.Required(r.BaseCount)
	switch p.Kind {
	case PollElection:
		tallyElection(&r, p, ballots, checks)
	case PollRating:
		tallyRating(&r, p, ballots, checks)
	default:
		for _, c := range Choices {
			n := 0
			for i, b := range ballots {
				if checks[i].Valid && b.Choice == c {
					n++
				}
			}
			r.Options = append(r.Options, OptionResult{Choice: c, Votes: n, Percent: PercentOf(n, r.BaseCount)})
		}
		r.Passed = p.Threshold.Reached(r.Options[0].Votes, r.BaseCount)
		r.Outcome = OutcomeRejected
		if r.Passed {
			r.Outcome = OutcomePassed
		}
	}
	return r
}

func tallyElection(r *Result, p Poll, ballots []Ballot, checks []BallotCheck) {
	var reached []int // indexes into r.Candidates
	for _, c := range p.Candidates {
		n := 0
		for i, b := range ballots {
			if checks[i].Valid && slices.Contains(b.Kept, c.ID) {
				n++
			}
		}
		cr := CandidateResult{ID: c.ID, Name: c.Name, Votes: n, Percent: PercentOf(n, r.BaseCount), Reached: p.Threshold.Reached(n, r.BaseCount)}
		if cr.Reached {
			reached = append(reached, len(r.Candidates))
		}
		r.Candidates = append(r.Candidates, cr)
	}
	// Most votes first; equal votes keep the ballot order (for display only).
	slices.SortStableFunc(reached, func(a, b int) int { return r.Candidates[b].Votes - r.Candidates[a].Votes })
	elect := func(idx ...int) {
		for _, i := range idx {
			r.Candidates[i].Elected = true
			r.Elected = append(r.Elected, r.Candidates[i].ID)
		}
	}
	seats := p.Seats
	if len(reached) <= seats {
		elect(reached...)
		r.Short = seats - len(reached)
		r.Outcome = OutcomeElected
		if r.Short > 0 {
			r.Outcome = OutcomeShort
		}
		return
	}
	last := r.Candidates[reached[seats-1]].Votes
	var above, at []int
	for _, i := range reached {
		switch v := r.Candidates[i].Votes; {
		case v > last:
			above = append(above, i)
		case v == last:
			at = append(at, i)
		}
	}
	left := seats - len(above)
	elect(above...)
	r.Outcome = OutcomeElected
	if len(at) == left {
		elect(at...)
		return
	}
	if p.Rules.TieRule == TieElder {
		if winners, ok := elders(p, r, at, left); ok {
			elect(winners...)
			r.TieBrokenBy = TieElder
			return
		}
	}
	r.Outcome = OutcomeTie
	r.TieSeats = left
	for _, i := range at {
		r.Tie = append(r.Tie, r.Candidates[i].ID)
	}
}

// elders returns the left eldest of the tied candidates at, if their birth
// dates tell them apart from the others.
func elders(p Poll, r *Result, at []int, left int) ([]int, bool) {
	born := map[int]time.Time{}
	for _, i := range at {
		c := p.Candidates[slices.IndexFunc(p.Candidates, func(c Candidate) bool { return c.ID == r.Candidates[i].ID })]
		d, err := time.Parse(time.DateOnly, c.Born)
		if err != nil {
			return nil, false
		}
		born[i] = d
	}
	order := slices.Clone(at)
	slices.SortStableFunc(order, func(a, b int) int { return born[a].Compare(born[b]) })
	if born[order[left-1]].Equal(born[order[left]]) {
		return nil, false
	}
	return order[:left], true
}

func tallyRating(r *Result, p Poll, ballots []Ballot, checks []BallotCheck) {
	levels := p.Scale.Levels()
	r.Outcome = OutcomeRated
	excellent, good := 0, 0
	for _, sub := range p.Subjects {
		sr := SubjectResult{ID: sub.ID, Name: sub.Name}
		why := map[Reason]int{}
		votes := map[Level]int{}
		for i, b := range ballots {
			switch reason := checks[i].Invalid[sub.ID]; {
			case !checks[i].Valid:
				sr.Invalid++
				why[checks[i].Reason]++
			case reason != "":
				sr.Invalid++
				why[reason]++
			default:
				sr.Valid++
				votes[b.Ratings[sub.ID]]++
			}
		}
		sr.InvalidReasons = reasonCounts(why)
		sr.BaseCount = baseCount(p.Base, p, r.Cast, sr.Valid)
		cum := 0
		for _, l := range levels {
			sr.Levels = append(sr.Levels, LevelResult{Level: l, Votes: votes[l], Percent: PercentOf(votes[l], sr.BaseCount)})
			cum += votes[l]
			if p.Scale == ScaleReview && sr.Level == "" && p.Threshold.Reached(cum, sr.BaseCount) {
				sr.Level = l
			}
		}
		if p.Scale == ScaleConfidence && sr.BaseCount > 0 {
			low := votes[LevelLow]
			sr.LowTwoThirds = 3*low >= 2*sr.BaseCount
			sr.LowOverHalf = 2*low > sr.BaseCount && !sr.LowTwoThirds
		}
		switch sr.Level {
		case LevelExcellent:
			excellent++
		case LevelGood:
			good++
		}
		r.Subjects = append(r.Subjects, sr)
	}
	if cp := p.Rules.ExcellentCap; p.Scale == ScaleReview && cp.Enabled {
		r.ExcellentCap = CapCheck{Percent: cp.Percent, Excellent: excellent, Good: good, Exceeded: excellent*100 > cp.Percent*good}
	}
}
