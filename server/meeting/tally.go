package meeting

import (
	"fmt"
	"slices"
	"time"
)

// Ballot is one ballot. Its fields depend on the poll's kind and, for an
// election, on its form (Poll.Form, docs/rules.md §4):
//   - open, secret: Choice (agree, disagree or abstain);
//   - election with surplus (FormStrike): Kept, the IDs of the candidates
//     kept (not struck out);
//   - election without surplus, one name or more (FormApprove,
//     FormSingle): Agree and Disagree, the IDs of the names whose "Đồng ý"
//     and "Không đồng ý" box is marked (a name in neither list has no box
//     marked; a name in both has both, as a paper ballot can);
//   - rating: Ratings, a level for each subject ID.
//
// Spoiled is a ballot deliberately spoiled or left blank (phiếu trắng,
// phiếu hỏng): on any kind it counts as invalid.
type Ballot struct {
	Choice   Choice           `json:"choice,omitempty"`
	Kept     []string         `json:"kept,omitempty"`
	Agree    []string         `json:"agree,omitempty"`
	Disagree []string         `json:"disagree,omitempty"`
	Ratings  map[string]Level `json:"ratings,omitempty"`
	Spoiled  bool             `json:"spoiled,omitempty"`

	// Void and RowVoid are read from paper ballots only (PaperMarks.Ballot;
	// a tablet cannot send them): the ballot is invalid for Void, a rating
	// row for RowVoid[subject] (docs/rules.md §4, §6, §8).
	Void    Reason            `json:"-"`
	RowVoid map[string]Reason `json:"-"`
}

// Reason is why a ballot, or one row of a rating ballot, is invalid.
type Reason string

// The reasons, in the order results list them.
const (
	ReasonSpoiled          Reason = "spoiled"           // phiếu trắng / phiếu hỏng
	ReasonNoChoice         Reason = "no_choice"         // no choice made
	ReasonUnknownChoice    Reason = "unknown_choice"    // a choice that is not on the ballot
	ReasonUnknownCandidate Reason = "unknown_candidate" // a name added to the list
	ReasonDuplicate        Reason = "duplicate"         // a name kept (or a box marked) twice
	ReasonTooMany          Reason = "too_many"          // elects more names than seats
	ReasonNoneKept         Reason = "none_kept"         // keeps nobody on a multi-name list with surplus
	ReasonBothMarked       Reason = "both_marked"       // a single-name ballot with both boxes marked
	ReasonNoMark           Reason = "no_mark"           // a single-name ballot with no box marked
	ReasonEmpty            Reason = "empty"             // rates nobody
	ReasonUnknownSubject   Reason = "unknown_subject"   // rates a person not on the list
	ReasonMissingLevel     Reason = "missing_level"     // a row without a level (that person only)
	ReasonUnknownLevel     Reason = "unknown_level"     // a row with a level not on the scale (that person only)
	ReasonUnstamped        Reason = "unstamped"         // paper: not issued by the counting committee (no stamp)
	ReasonWriting          Reason = "writing"           // paper: other writing on the ballot
	ReasonManyMarks        Reason = "many_marks"        // paper: more than one box marked (a vote, or a rating row: that person only)
	ReasonNameStruck       Reason = "name_struck"       // paper: the printed name struck out on a rating ballot (that person only)
)

// reasons lists the reasons in order; their words are the terms
// "reason.<reason>" (terms.go).
var reasons = []Reason{ReasonSpoiled, ReasonNoChoice, ReasonUnknownChoice, ReasonUnknownCandidate, ReasonDuplicate, ReasonTooMany,
	ReasonNoneKept, ReasonBothMarked, ReasonNoMark, ReasonEmpty, ReasonUnknownSubject, ReasonMissingLevel, ReasonUnknownLevel,
	ReasonUnstamped, ReasonWriting, ReasonManyMarks, ReasonNameStruck}

// Reasons returns every reason, in the order results list them.
func Reasons() []Reason { return slices.Clone(reasons) }

// VI describes r in Vietnamese (for the vote-counting record); an unknown
// reason describes as itself.
func (r Reason) VI() string { return termOr("reason."+string(r), "vi", string(r)) }

// EN describes r in English.
func (r Reason) EN() string { return termOr("reason."+string(r), "en", string(r)) }

// BallotForm is the printed form of an election ballot, fixed by the list
// (docs/rules.md §4).
type BallotForm string

// The forms of an election ballot.
const (
	// FormStrike: a list with surplus (more names than seats); the voter
	// strikes out the whole name of each person rejected (gạch tên).
	FormStrike BallotForm = "strike"
	// FormApprove: a list without surplus of two names or more; a row per
	// name with a "Đồng ý" and a "Không đồng ý" box.
	FormApprove BallotForm = "approve"
	// FormSingle: a ballot with one name; the voter marks one of its two
	// boxes.
	FormSingle BallotForm = "single"
)

// FormOf returns the ballot form of an election of seats among n names
// ("" when there is no list).
func FormOf(n, seats int) BallotForm {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return FormSingle
	case n > seats:
		return FormStrike
	}
	return FormApprove
}

// Form returns the ballot form of p: FormOf its candidates and seats for an
// election, "" for other kinds.
func (p Poll) Form() BallotForm {
	if p.Kind != PollElection {
		return ""
	}
	return FormOf(len(p.Candidates), p.Seats)
}

// Elects returns the IDs of the candidates that ballot b elects in poll p,
// in b's order: the kept names on a list with surplus; on a list without
// surplus, the names with their "Đồng ý" box marked and not their "Không
// đồng ý" box (a row with both or neither gives no vote, docs/rules.md §4).
func (p Poll) Elects(b Ballot) []string {
	if p.Form() == FormStrike {
		return b.Kept
	}
	var out []string
	for _, id := range b.Agree {
		if !slices.Contains(b.Disagree, id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Rejects returns the IDs of the candidates ballot b marks "Không đồng ý"
// only (lists without surplus); nil for a list with surplus.
func (p Poll) Rejects(b Ballot) []string {
	if p.Form() == FormStrike {
		return nil
	}
	var out []string
	for _, id := range b.Disagree {
		if !slices.Contains(b.Agree, id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// BallotCheck is what a ballot counts as.
type BallotCheck struct {
	Valid   bool              `json:"valid"`
	Reason  Reason            `json:"reason,omitempty"`  // why the whole ballot is invalid
	Invalid map[string]Reason `json:"invalid,omitempty"` // rating: subject ID → why its row is invalid (that person only)
}

// CheckBallot returns what ballot b counts as in poll p, by the rules of
// docs/rules.md §4 and §6:
//   - open, secret: valid with exactly one of agree, disagree, abstain;
//   - election, list with surplus (FormStrike): valid when it keeps at most
//     Seats names, all on the list, none twice; keeping more (a surplus
//     list left untouched included) is invalid, and so is keeping nobody
//     (p.Rules.EmptyElectionBallotInvalid, on by default);
//   - election, list without surplus (FormApprove): every marked name must
//     be on the list, no box marked twice; a row with both boxes or neither
//     gives that name no vote, the ballot stays valid (it can elect at most
//     the whole list, which is Seats names);
//   - election, one name (FormSingle): exactly one of the two boxes must be
//     marked; both or none make the ballot invalid;
//   - rating: invalid as a whole if it rates nobody or rates someone not
//     listed; otherwise valid, and a row with no level or a level not on
//     the scale is invalid for that person only.
//
// A spoiled ballot is invalid.
func CheckBallot(p Poll, b Ballot) BallotCheck { return checkBallot(p, b, nil) }

// nameIndex maps the IDs of a poll's candidates to their positions, so
// that checking a ballot of n names costs n lookups, not n² comparisons
// (a congress counts 1,600 ballots of 220 names).
type nameIndex struct {
	pos  map[string]int
	seen []int // seen[pos] == mark: already in the list being checked
	mark int
}

func newNameIndex(p Poll) *nameIndex {
	x := &nameIndex{pos: make(map[string]int, len(p.Candidates)), seen: make([]int, len(p.Candidates))}
	for i, c := range p.Candidates {
		x.pos[c.ID] = i
	}
	return x
}

// checkBallot is CheckBallot with the candidates indexed once per count
// (x nil: indexed here).
func checkBallot(p Poll, b Ballot, x *nameIndex) BallotCheck {
	bad := func(r Reason) BallotCheck { return BallotCheck{Reason: r} }
	if b.Spoiled {
		return bad(ReasonSpoiled)
	}
	if b.Void != "" { // a paper ballot declared invalid (PaperMarks.Ballot)
		return bad(b.Void)
	}
	switch p.Kind {
	case PollElection:
		if x == nil {
			x = newNameIndex(p)
		}
		// In list order: a name not on the list, or named twice in one list.
		for _, list := range [][]string{b.Kept, b.Agree, b.Disagree} {
			x.mark++
			for _, id := range list {
				i, ok := x.pos[id]
				if !ok {
					return bad(ReasonUnknownCandidate)
				}
				if x.seen[i] == x.mark {
					return bad(ReasonDuplicate)
				}
				x.seen[i] = x.mark
			}
		}
		switch p.Form() {
		case FormStrike:
			switch {
			case len(b.Kept) > p.Seats:
				return bad(ReasonTooMany)
			case len(b.Kept) == 0 && p.Rules.EmptyElectionBallotInvalid:
				return bad(ReasonNoneKept)
			}
		case FormSingle:
			id := p.Candidates[0].ID
			agree, disagree := slices.Contains(b.Agree, id), slices.Contains(b.Disagree, id)
			switch {
			case agree && disagree:
				return bad(ReasonBothMarked)
			case !agree && !disagree:
				return bad(ReasonNoMark)
			}
		case FormApprove:
			if len(p.Elects(b)) > p.Seats { // cannot happen with the list's own names; kept as the rule
				return bad(ReasonTooMany)
			}
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
			r := b.RowVoid[sub.ID] // a paper row struck out or marked twice
			switch {
			case r != "":
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
	if p.Paper {
		return Errorf(KindConflict, "Cuộc bỏ phiếu này dùng phiếu giấy; không bỏ phiếu trên máy tính bảng.", "this poll is cast on paper ballots, not on tablets")
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
		if p.Kind == PollElection {
			return fieldErr(field, fmt.Sprintf("Phiếu bầu theo mẫu này (%s) không có trường %s.", T("form."+string(p.Form()), "vi"), field),
				fmt.Sprintf("an election ballot of form %s has no %s", p.Form(), field))
		}
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
		if p.Form() == FormStrike {
			if len(b.Agree) > 0 {
				return wrong("agree")
			}
			if len(b.Disagree) > 0 {
				return wrong("disagree")
			}
		} else if len(b.Kept) > 0 {
			return wrong("kept")
		}
		for _, f := range []struct {
			name string
			ids  []string
		}{{"kept", b.Kept}, {"agree", b.Agree}, {"disagree", b.Disagree}} {
			if len(f.ids) > MaxCandidates {
				return fieldErr(f.name, "Phiếu có quá nhiều tên.", "too many names")
			}
			for _, id := range f.ids {
				if err := word(f.name, id); err != nil {
					return err
				}
			}
		}
	case PollRating:
		if b.Choice != "" {
			return wrong("choice")
		}
		if len(b.Kept) > 0 {
			return wrong("kept")
		}
		if len(b.Agree) > 0 || len(b.Disagree) > 0 {
			return wrong("agree")
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
		if len(b.Agree) > 0 || len(b.Disagree) > 0 {
			return wrong("agree")
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
	Votes   int     `json:"votes"`             // valid ballots electing the candidate (kept, or "Đồng ý" alone)
	Against int     `json:"against,omitempty"` // lists without surplus: valid ballots marking "Không đồng ý" alone
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
	// Confidence scale (docs/rules.md §6): more than 1/2 but under 2/3 "tín
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
	for _, r := range reasons {
		if n[r] > 0 {
			out = append(out, ReasonCount{Reason: r, Count: n[r]})
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

// issued returns the ballots issued in p: the eligible voters at the
// opening, or for a paper poll the number the counting committee recorded.
func (p Poll) issued() int {
	if p.Paper && p.PaperCount != nil {
		return p.PaperCount.Issued
	}
	return len(p.Eligible)
}

// Tally counts ballots of poll p (which must have opened: its eligible
// voters, summoned count and rules are used). Outcomes are decided on
// integers; percentages are of the base, two decimals, rounded half up.
// Ties are reported, never broken silently: with the "elder" rule a tie is
// broken only when every tied candidate's birth date tells.
func Tally(p Poll, ballots []Ballot) Result {
	r := Result{Kind: p.Kind, Entitled: p.Entitled, Summoned: p.Summoned, Issued: p.issued(), Cast: len(ballots),
		Base: p.Base, Threshold: p.Threshold}
	checks := make([]BallotCheck, len(ballots))
	why := map[Reason]int{}
	var x *nameIndex
	if p.Kind == PollElection {
		x = newNameIndex(p)
	}
	for i, b := range ballots {
		checks[i] = checkBallot(p, b, x)
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
	votes, against := map[string]int{}, map[string]int{}
	for i, b := range ballots {
		if !checks[i].Valid {
			continue
		}
		for _, id := range p.Elects(b) {
			votes[id]++
		}
		for _, id := range p.Rejects(b) {
			against[id]++
		}
	}
	for _, c := range p.Candidates {
		n := votes[c.ID]
		cr := CandidateResult{ID: c.ID, Name: c.Name, Votes: n, Against: against[c.ID], Percent: PercentOf(n, r.BaseCount), Reached: p.Threshold.Reached(n, r.BaseCount)}
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
