package meeting

import (
	"fmt"
	"slices"
	"time"
)

// Polls: votes (open or secret), elections and ratings.
//
// A poll's life: draft → open → closed → published, or cancelled from
// draft, open or closed. The secretariat defines it (poll.create,
// poll.update), opens it (poll.open: the eligible voters are frozen, the
// quorum is checked unless overridden), closes it (poll.close: the counts
// are computed with Tally and recorded), publishes the results
// (poll.publish), or cancels it with a reason. poll.revote starts a new
// draft linked to a closed, published or cancelled poll, for example a
// re-vote among candidates tied for the last seat.
//
// Ballots are not ordinary commands. The server's ballot box receives them
// and, for each:
//
//  1. calls ValidateBallot(state, poll, voter, ballot): the poll is open,
//     the voter is eligible and has not voted, the ballot has the form of
//     the poll's kind (CheckBallot tells the voter beforehand whether the
//     ballot will count as valid; an invalid ballot is still a ballot, as on
//     paper);
//  2. for a secret poll, stores the ballot in the box with no link to the
//     voter (no voter, no key, no time, no order that matches the log);
//  3. commits, as the system actor, poll.record_votes listing the voters
//     (participant, idempotency key) and, for an open poll only, their
//     ballots. Decide checks everything again and produces one poll.voted
//     per voter (public for an open poll, with the choice; for a secret poll
//     only to the secretariat and the voter, without the choice) and, for a
//     secret poll, one public poll.progress with the number who voted.
//     Several voters may be committed in one command (group commit); it is
//     all or nothing.
//
// At poll.close the server fills ClosePoll.Ballots from the box (secret
// polls; an open poll's ballots are in the state); Decide checks that there
// are as many ballots as recorded voters, computes the Tally, and produces
// poll.closed (everyone) and poll.counted with the results (secretariat
// only). poll.published carries the results to everyone. So the state
// shows the results after the close without access to the ballots, and
// while a secret poll is open shows only how many have voted.

// PollKind is the kind of a poll.
type PollKind string

// The kinds of poll.
const (
	PollOpen     PollKind = "open"     // biểu quyết công khai: tán thành / không tán thành / không biểu quyết, by name
	PollSecret   PollKind = "secret"   // biểu quyết kín: the same choices, no link voter → choice
	PollElection PollKind = "election" // bầu cử: a list of candidates, keep at most Seats (gạch tên)
	PollRating   PollKind = "rating"   // đánh giá, xếp loại or lấy phiếu tín nhiệm: rate every person listed
)

// Secret reports whether the ballots of k are secret: every kind but open.
func (k PollKind) Secret() bool { return k != PollOpen }

func (k PollKind) valid() bool {
	return k == PollOpen || k == PollSecret || k == PollElection || k == PollRating
}

// Choice is a choice on an open or secret vote.
type Choice string

// The choices.
const (
	ChoiceAgree    Choice = "agree"    // tán thành
	ChoiceDisagree Choice = "disagree" // không tán thành
	ChoiceAbstain  Choice = "abstain"  // không biểu quyết
)

// Choices are the choices of a vote, in the order results list them.
var Choices = []Choice{ChoiceAgree, ChoiceDisagree, ChoiceAbstain}

// Scale is the scale of a rating poll.
type Scale string

// The scales.
const (
	ScaleReview     Scale = "review"     // đánh giá, xếp loại (docs/rules.md §5)
	ScaleConfidence Scale = "confidence" // lấy phiếu tín nhiệm (docs/rules.md §6)
)

// Level is a level of a rating scale.
type Level string

// The levels, best first.
const (
	LevelExcellent Level = "excellent" // hoàn thành xuất sắc nhiệm vụ
	LevelGood      Level = "good"      // hoàn thành tốt nhiệm vụ
	LevelDone      Level = "done"      // hoàn thành nhiệm vụ
	LevelFailed    Level = "failed"    // không hoàn thành nhiệm vụ

	LevelHigh   Level = "high"   // tín nhiệm cao
	LevelMedium Level = "medium" // tín nhiệm
	LevelLow    Level = "low"    // tín nhiệm thấp
)

// Levels returns the levels of sc, best first (nil for an unknown scale).
func (sc Scale) Levels() []Level {
	switch sc {
	case ScaleReview:
		return []Level{LevelExcellent, LevelGood, LevelDone, LevelFailed}
	case ScaleConfidence:
		return []Level{LevelHigh, LevelMedium, LevelLow}
	}
	return nil
}

// Base is what a poll's threshold and percentages are counted on.
type Base string

// The majority bases (docs/rules.md §2).
const (
	BaseCast     Base = "cast"     // ballots returned (Youth Union; confidence votes)
	BaseValid    Base = "valid"    // valid ballots (state elections)
	BasePresent  Base = "present"  // eligible voters at the meeting when the poll opened
	BaseSummoned Base = "summoned" // entitled members minus the excused (Party elections and resolutions)
)

func (b Base) valid() bool {
	return b == BaseCast || b == BaseValid || b == BasePresent || b == BaseSummoned
}

// PollStatus is the life-cycle stage of a poll.
type PollStatus string

// The poll statuses.
const (
	PollStatusDraft     PollStatus = "draft"
	PollStatusOpen      PollStatus = "open"
	PollStatusClosed    PollStatus = "closed"
	PollStatusPublished PollStatus = "published"
	PollStatusCancelled PollStatus = "cancelled"
)

// Candidate is a name on a ballot: a candidate of an election or a person
// rated. ID is assigned in ballot order ("c1", "c2", …). Participant, when
// set, links to the meeting's participant. Born (YYYY-MM-DD) serves the
// "elder wins" tie rule.
type Candidate struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Participant string `json:"participant,omitempty"`
	Born        string `json:"born,omitempty"`
}

// PollSpec is what the secretariat defines of a poll.
type PollSpec struct {
	Question   string      `json:"question"`
	Kind       PollKind    `json:"kind"`
	Item       string      `json:"item,omitempty"`
	Candidates []Candidate `json:"candidates,omitempty"` // election
	Seats      int         `json:"seats,omitempty"`      // election: how many to elect
	Subjects   []Candidate `json:"subjects,omitempty"`   // rating: the persons rated
	Scale      Scale       `json:"scale,omitempty"`      // rating
	Base       Base        `json:"base"`                 // default: summoned (cast for ratings)
	Threshold  Threshold   `json:"threshold"`            // default: more than 1/2
	Body       BodyKind    `json:"body,omitempty"`       // open vote: approves this body of the congress (bodies.go)
	// Uncapped exempts an election list from the surplus cap (docs/rules.md
	// §4: at most 30% more names than seats), for the elections the rules
	// do not cap: for example a secretary (bí thư) elected among two
	// nominees, or a state body's election. The minutes say so.
	Uncapped bool `json:"uncapped,omitempty"`
	// Paper: the ballots are cast on paper and keyed by the counting
	// committee (docs/rules.md §8, paper.go); secret kinds only.
	Paper bool `json:"paper,omitempty"`
}

func (p PollSpec) equal(o PollSpec) bool {
	return p.Question == o.Question && p.Kind == o.Kind && p.Item == o.Item && slices.Equal(p.Candidates, o.Candidates) && p.Seats == o.Seats &&
		slices.Equal(p.Subjects, o.Subjects) && p.Scale == o.Scale && p.Base == o.Base && p.Threshold == o.Threshold && p.Body == o.Body &&
		p.Uncapped == o.Uncapped && p.Paper == o.Paper
}

func (p PollSpec) clone() PollSpec {
	p.Candidates = slices.Clone(p.Candidates)
	p.Subjects = slices.Clone(p.Subjects)
	return p
}

// Voter is who voted in a poll. Choice and Spoiled are set for open polls
// only. (The tablet's idempotency key stays in the server's ballot box.)
type Voter struct {
	Participant string    `json:"participant"`
	At          time.Time `json:"at,omitzero"`
	Choice      Choice    `json:"choice,omitempty"`
	Spoiled     bool      `json:"spoiled,omitempty"`
}

// Poll is a vote, an election or a rating.
type Poll struct {
	ID string `json:"id"`
	PollSpec
	RevoteOf string     `json:"revote_of,omitempty"`
	Status   PollStatus `json:"status"`

	CreatedAt    time.Time `json:"created_at,omitzero"`
	OpenedAt     time.Time `json:"opened_at,omitzero"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	PublishedAt  time.Time `json:"published_at,omitzero"`
	CancelledAt  time.Time `json:"cancelled_at,omitzero"`
	CancelReason string    `json:"cancel_reason,omitempty"`

	// Frozen when the poll opens.
	Rules          PollRules `json:"rules,omitzero"`
	Eligible       []string  `json:"eligible,omitempty"` // entitled and at the meeting: the ballots issued
	Issued         int       `json:"issued,omitempty"`   // len(Eligible) of the full state: a lean view lists only its viewer
	Entitled       int       `json:"entitled,omitempty"` // entitled members
	Summoned       int       `json:"summoned,omitempty"` // entitled minus excused
	QuorumMet      bool      `json:"quorum_met,omitempty"`
	OverrideQuorum bool      `json:"override_quorum,omitempty"`

	// Voters are who voted (for a secret poll, viewers other than the
	// secretariat see only themselves); Voted is how many voted.
	Voters []Voter `json:"voters,omitempty"`
	Voted  int     `json:"voted"`

	// Result is set at the close for the secretariat, and for everyone at
	// publication.
	Result *Result `json:"result,omitempty"`

	// PaperCount is the counting of a paper poll (paper.go): the counts the
	// committee recorded and the entry records; nil before any.
	PaperCount *PaperCount `json:"paper_count,omitempty"`
}

// Names returns the names on the poll's ballot: its candidates or subjects.
func (p Poll) Names() []Candidate {
	if p.Kind == PollRating {
		return p.Subjects
	}
	return p.Candidates
}

// HasVoted reports whether voter's vote is recorded in p (the ballot box
// may hold more, not yet recorded).
func (p Poll) HasVoted(voter string) bool {
	return slices.ContainsFunc(p.Voters, func(v Voter) bool { return v.Participant == voter })
}

// IsEligible reports whether voter may vote in p.
func (p Poll) IsEligible(voter string) bool { return slices.Contains(p.Eligible, voter) }

// NotVoted returns the eligible participants of p who have not voted yet, in
// the order of the roll. It needs the secretariat's view of a secret poll
// (others see only themselves among the voters).
func NotVoted(p Poll, s *State) []Participant {
	voted := make(map[string]bool, len(p.Voters))
	for _, v := range p.Voters {
		voted[v.Participant] = true
	}
	out := []Participant{}
	for _, id := range p.Eligible {
		if voted[id] {
			continue
		}
		if q, ok := s.Participant(id); ok {
			out = append(out, q)
		} else {
			out = append(out, Participant{ID: id})
		}
	}
	return out
}

func (p Poll) clone() Poll {
	p.PollSpec = p.PollSpec.clone()
	p.Eligible = slices.Clone(p.Eligible)
	p.Voters = slices.Clone(p.Voters)
	if p.Result != nil {
		r := p.Result.clone()
		p.Result = &r
	}
	if p.PaperCount != nil {
		pc := *p.PaperCount
		// Records are append-only and never changed in place: the clone
		// shares them, clipped so that an append to it cannot write into
		// the original's array.
		pc.Records = slices.Clip(pc.Records)
		p.PaperCount = &pc
	}
	return p
}

// Poll returns poll id and whether it exists.
func (s *State) Poll(id string) (Poll, bool) {
	if i := s.pollIndex(id); i >= 0 {
		return s.Polls[i], true
	}
	return Poll{}, false
}

func (s *State) pollIndex(id string) int {
	return slices.IndexFunc(s.Polls, func(p Poll) bool { return p.ID == id })
}

func (s *State) poll(id string) (int, error) {
	i := s.pollIndex(id)
	if i < 0 {
		return -1, Errorf(KindNotFound, "Không tìm thấy cuộc biểu quyết %q.", "poll %q not found", id)
	}
	return i, nil
}

func pollID(seq int64) string { return fmt.Sprintf("v%d", seq) }

// Limits of polls.
const (
	MaxPolls      = 1000 // polls in a meeting
	MaxCandidates = 1000 // names on a ballot
	MaxKey        = 64   // bytes in an idempotency key, a choice or a level
)

// Payloads of the poll events.
type (
	// PollDefined is the payload of poll.created and poll.updated.
	PollDefined struct {
		ID       string `json:"id"`
		RevoteOf string `json:"revote_of,omitempty"`
		PollSpec
	}
	// PollOpened is the payload of poll.opened.
	PollOpened struct {
		ID             string    `json:"id"`
		Eligible       []string  `json:"eligible"`
		Entitled       int       `json:"entitled"`
		Summoned       int       `json:"summoned"`
		QuorumMet      bool      `json:"quorum_met"`
		OverrideQuorum bool      `json:"override_quorum,omitempty"`
		Rules          PollRules `json:"rules"`
	}
	// Voted is the payload of poll.voted: the voters of one batch of the
	// ballot box (their At is the event's). Choice and Spoiled are set for
	// open polls only; a secret poll's never carries a choice.
	Voted struct {
		Poll   string  `json:"poll"`
		Voters []Voter `json:"voters"`
	}
	// PollProgress is the payload of poll.progress: how many have voted.
	PollProgress struct {
		Poll  string `json:"poll"`
		Voted int    `json:"voted"`
	}
	// PollRef names a poll.
	PollRef struct {
		ID string `json:"id"`
	}
	// PollResult is the payload of poll.counted and poll.published.
	PollResult struct {
		ID     string `json:"id"`
		Result Result `json:"result"`
	}
	// PollCancelled is the payload of poll.cancelled.
	PollCancelled struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
)

// validateSpec checks and normalises a poll's definition. revote is set for
// a re-vote (poll.revote): its list, for example the candidates tied for
// the last seat, is exempt from the surplus cap.
func (s *State) validateSpec(p PollSpec, revote bool) (PollSpec, error) {
	var err error
	if p.Question, err = text("question", "Nội dung biểu quyết", p.Question, MaxNotice, false); err != nil {
		return p, err
	}
	if !p.Kind.valid() {
		return p, fieldErr("kind", fmt.Sprintf("Hình thức biểu quyết %q không hợp lệ.", p.Kind), fmt.Sprintf("poll kind %q is not valid", p.Kind))
	}
	if p.Item != "" {
		if _, err := s.item(p.Item); err != nil {
			return p, err
		}
	}
	none := func(field string, given bool) error {
		if given {
			return fieldErr(field, fmt.Sprintf("Hình thức biểu quyết này không có trường %s.", field), fmt.Sprintf("a %s poll has no %s", p.Kind, field))
		}
		return nil
	}
	switch p.Kind {
	case PollOpen, PollSecret:
		if p.Kind == PollOpen && p.Paper {
			return p, fieldErr("paper", "Biểu quyết công khai không dùng phiếu giấy.", "an open vote has no paper ballots")
		}
		for _, e := range []error{none("candidates", len(p.Candidates) > 0), none("seats", p.Seats != 0), none("subjects", len(p.Subjects) > 0), none("scale", p.Scale != ""),
			none("uncapped", p.Uncapped)} {
			if e != nil {
				return p, e
			}
		}
		p.Candidates, p.Subjects = nil, nil
	case PollElection:
		if e := none("subjects", len(p.Subjects) > 0); e != nil {
			return p, e
		}
		if e := none("scale", p.Scale != ""); e != nil {
			return p, e
		}
		if p.Candidates, err = s.validateNames("candidates", "ứng cử viên", p.Candidates, true); err != nil {
			return p, err
		}
		if p.Seats < 1 || p.Seats > len(p.Candidates) {
			return p, fieldErr("seats", fmt.Sprintf("Số lượng cần bầu phải từ 1 đến %d (số người trong danh sách).", len(p.Candidates)), fmt.Sprintf("seats must be between 1 and %d (the candidates)", len(p.Candidates)))
		}
		if !revote && !p.Uncapped {
			if err := checkSurplus(len(p.Candidates), p.Seats, s.Settings.Polls.Surplus()); err != nil {
				return p, err
			}
		}
		p.Subjects = nil
	case PollRating:
		if e := none("candidates", len(p.Candidates) > 0); e != nil {
			return p, e
		}
		if e := none("uncapped", p.Uncapped); e != nil {
			return p, e
		}
		if e := none("seats", p.Seats != 0); e != nil {
			return p, e
		}
		if p.Scale.Levels() == nil {
			return p, fieldErr("scale", fmt.Sprintf("Thang đánh giá %q không hợp lệ (review hoặc confidence).", p.Scale), fmt.Sprintf("scale %q is not valid (review or confidence)", p.Scale))
		}
		if p.Subjects, err = s.validateNames("subjects", "người được đánh giá", p.Subjects, false); err != nil {
			return p, err
		}
		p.Candidates = nil
	}
	if p.Base == "" {
		p.Base = BaseSummoned
		if p.Kind == PollRating {
			p.Base = BaseCast
		}
	}
	if !p.Base.valid() {
		return p, fieldErr("base", fmt.Sprintf("Cơ sở tính tỷ lệ %q không hợp lệ.", p.Base), fmt.Sprintf("majority base %q is not valid", p.Base))
	}
	if p.Threshold == (Threshold{}) {
		p.Threshold = MoreThanHalf
	}
	if err := p.Threshold.validate("threshold"); err != nil {
		return p, err
	}
	if err := s.checkBodyVote(p); err != nil {
		return p, err
	}
	return p, nil
}

// validateNames checks the names of a ballot and numbers them c1, c2, …
func (s *State) validateNames(field, label string, names []Candidate, standing bool) ([]Candidate, error) {
	if len(names) == 0 {
		return nil, fieldErr(field, fmt.Sprintf("Danh sách %s trống.", label), fmt.Sprintf("no %s given", field))
	}
	if len(names) > MaxCandidates {
		return nil, fieldErr(field, fmt.Sprintf("Danh sách không được quá %d người.", MaxCandidates), fmt.Sprintf("at most %d names", MaxCandidates))
	}
	out := make([]Candidate, len(names))
	bad := func(row int, vi, en string) error {
		return &Error{Kind: KindInvalid, Message: fmt.Sprintf("Dòng %d: %s", row, vi), MessageEN: fmt.Sprintf("row %d: %s", row, en),
			Problems: []Problem{{Row: row, Field: field, Message: vi, MessageEN: en}}}
	}
	for i, c := range names {
		if c.Participant != "" {
			p, ok := s.Participant(c.Participant)
			if !ok {
				return nil, bad(i+1, "không tìm thấy người tham dự.", "participant not found")
			}
			if standing && p.NonVoting {
				return nil, bad(i+1, "người không có quyền biểu quyết không được ứng cử.", "a non-voting member cannot stand")
			}
			if slices.ContainsFunc(out[:i], func(o Candidate) bool { return o.Participant == c.Participant }) {
				return nil, bad(i+1, "người này đã có trong danh sách.", "listed twice")
			}
			if c.Name == "" {
				c.Name = p.Name
			}
		}
		name, err := text(field, "Họ và tên", c.Name, MaxName, false)
		if err != nil {
			return nil, bad(i+1, err.(*Error).Message, err.(*Error).MessageEN)
		}
		if c.Born != "" {
			if _, err := time.Parse(time.DateOnly, c.Born); err != nil {
				return nil, bad(i+1, "ngày sinh phải có dạng năm-tháng-ngày, ví dụ 1970-05-19.", "born must be a date such as 1970-05-19")
			}
		}
		out[i] = Candidate{ID: fmt.Sprintf("c%d", i+1), Name: name, Participant: c.Participant, Born: c.Born}
	}
	return out, nil
}

// CreatePoll defines a new poll (a draft).
type CreatePoll struct {
	PollSpec
}

// Name implements Command.
func (*CreatePoll) Name() string { return "poll.create" }

func (c *CreatePoll) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	spec, err := s.validateSpec(c.PollSpec, false)
	if err != nil {
		return nil, err
	}
	if len(s.Polls) >= MaxPolls {
		return nil, Errorf(KindConflict, "Đã quá số cuộc biểu quyết cho phép.", "too many polls")
	}
	return []Event{newEvent(EventPollCreated, PollDefined{ID: pollID(first), PollSpec: spec})}, nil
}

// UpdatePoll replaces the definition of a draft poll.
type UpdatePoll struct {
	ID string `json:"id"`
	PollSpec
}

// Name implements Command.
func (*UpdatePoll) Name() string { return "poll.update" }

func (c *UpdatePoll) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.poll(c.ID)
	if err != nil {
		return nil, err
	}
	if s.Polls[i].Status != PollStatusDraft {
		return nil, pollConflict(s.Polls[i], "sửa")
	}
	spec, err := s.validateSpec(c.PollSpec, s.Polls[i].RevoteOf != "")
	if err != nil {
		return nil, err
	}
	if spec.equal(s.Polls[i].PollSpec) {
		return nil, Errorf(KindConflict, "Cuộc biểu quyết không thay đổi.", "the poll is unchanged")
	}
	return []Event{newEvent(EventPollUpdated, PollDefined{ID: c.ID, PollSpec: spec})}, nil
}

// pollConflict is the error for a poll command its status forbids.
func pollConflict(p Poll, what string) error {
	vi := map[PollStatus]string{PollStatusDraft: "chưa bắt đầu", PollStatusOpen: "đang diễn ra", PollStatusClosed: "đã kết thúc", PollStatusPublished: "đã công bố kết quả", PollStatusCancelled: "đã hủy"}[p.Status]
	return &Error{Kind: KindConflict, Message: fmt.Sprintf("Không thể %s cuộc biểu quyết %s.", what, vi), MessageEN: fmt.Sprintf("not possible while the poll is %s", p.Status)}
}

// OpenPoll opens a draft poll. It needs the quorum, unless OverrideQuorum
// (recorded in the event). The eligible voters are frozen: the entitled
// members at the meeting (in the hall or at a linked site) at that moment.
type OpenPoll struct {
	ID             string `json:"id"`
	OverrideQuorum bool   `json:"override_quorum,omitempty"`
}

// Name implements Command.
func (*OpenPoll) Name() string { return "poll.open" }

func (c *OpenPoll) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.poll(c.ID)
	if err != nil {
		return nil, err
	}
	if s.Status != StatusOpen {
		return nil, statusConflict(s, "bắt đầu biểu quyết")
	}
	if s.Polls[i].Status != PollStatusDraft {
		return nil, pollConflict(s.Polls[i], "bắt đầu")
	}
	if p := s.Polls[i]; p.Kind == PollElection && p.RevoteOf == "" && !p.Uncapped {
		// The settings may have lowered the cap since the list was set.
		if err := checkSurplus(len(p.Candidates), p.Seats, s.Settings.Polls.Surplus()); err != nil {
			return nil, err
		}
	}
	if err := s.checkBodyVote(s.Polls[i].PollSpec); err != nil {
		return nil, err
	}
	q := QuorumOf(s)
	if !q.Met && !c.OverrideQuorum {
		return nil, Errorf(KindConflict, "Chưa đủ số lượng: có mặt %d, cần %d trên %d.", "no quorum: %d present, %d required of %d", q.Present, q.Required, q.Base)
	}
	eligible := []string{}
	for _, p := range s.Participants {
		if p.Entitled() && s.Attendance[p.ID].In() {
			eligible = append(eligible, p.ID)
		}
	}
	if len(eligible) == 0 {
		return nil, Errorf(KindConflict, "Không có ai có quyền biểu quyết đang có mặt.", "no eligible voter is at the meeting")
	}
	return []Event{newEvent(EventPollOpened, PollOpened{ID: c.ID, Eligible: eligible, Entitled: q.Entitled, Summoned: q.Entitled - q.Excused,
		QuorumMet: q.Met, OverrideQuorum: c.OverrideQuorum, Rules: s.Settings.Polls})}, nil
}

// ClosePoll closes an open poll and counts it.
//
// Ballots are the ballots of a secret poll (election and rating polls are
// secret), which the server takes from its ballot box: they never come from
// the wire (the field has no JSON name) and never enter the log, only the
// counts do. There must be exactly as many as the voters recorded. For an
// open poll the ballots are in the state and Ballots must be nil.
//
// With Publish the results are published in the same command: its events
// are exactly those of poll.close followed by poll.publish (poll.closed,
// poll.counted, poll.published and, for a passed vote on a body,
// body.approved), decided, stored and sent out at once. The actor must be
// allowed to publish, and publication must be possible (publishable);
// otherwise the whole command is refused and the poll stays open.
type ClosePoll struct {
	ID      string   `json:"id"`
	Publish bool     `json:"publish,omitempty"`
	Ballots []Ballot `json:"-"`
}

// Name implements Command.
func (*ClosePoll) Name() string { return "poll.close" }

func (c *ClosePoll) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.poll(c.ID)
	if err != nil {
		return nil, err
	}
	p := s.Polls[i]
	if p.Status != PollStatusOpen {
		return nil, pollConflict(p, "kết thúc")
	}
	if err := sessionStatus(s, "kết thúc biểu quyết"); err != nil {
		return nil, err
	}
	ballots := c.Ballots
	if !p.Kind.Secret() {
		if ballots != nil {
			return nil, Errorf(KindInternal, "Phiếu của biểu quyết công khai đã có trong trạng thái cuộc họp.", "an open poll's ballots come from the state, not from the ballot box")
		}
		for _, v := range p.Voters {
			ballots = append(ballots, Ballot{Choice: v.Choice, Spoiled: v.Spoiled})
		}
	} else if p.Paper {
		if ballots != nil {
			return nil, Errorf(KindInternal, "Phiếu giấy lấy từ các lần nhập đã đối chiếu.", "a paper poll's ballots come from its reconciled entries")
		}
		if ballots, err = paperBallots(p); err != nil {
			return nil, err
		}
	} else if len(ballots) != p.Voted {
		return nil, Errorf(KindConflict, "Số phiếu trong hòm phiếu (%d) không khớp số người đã bỏ phiếu (%d); hãy thử lại.", "the ballot box holds %d ballots but %d voters are recorded; try again", len(ballots), p.Voted)
	}
	result := Tally(p, ballots)
	counted := newEvent(EventPollCounted, PollResult{ID: p.ID, Result: result})
	counted.Audience = staffAudience
	events := []Event{newEvent(EventPollClosed, PollRef{ID: p.ID}), counted}
	if !c.Publish {
		return events, nil
	}
	if name := (*PublishPoll)(nil).Name(); !Allowed(a.Role, name) {
		return nil, forbidden(a.Role, name)
	}
	// The poll as poll.closed and poll.counted leave it (applyPoll): what
	// poll.publish would be decided on.
	closed := p
	closed.Status, closed.ClosedAt, closed.Result = PollStatusClosed, now, &result
	published, err := s.publishEvents(closed)
	if err != nil {
		return nil, err
	}
	return append(events, published...), nil
}

// PublishPoll makes a closed poll's results visible to everyone.
type PublishPoll struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*PublishPoll) Name() string { return "poll.publish" }

func (c *PublishPoll) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.poll(c.ID)
	if err != nil {
		return nil, err
	}
	return s.publishEvents(s.Polls[i])
}

// publishEvents returns the events that publish closed poll p's results on
// state s, or why they cannot be published: poll.publish decides with it
// on the poll as the state has it, poll.close with Publish on the poll as
// its own close leaves it.
func (s *State) publishEvents(p Poll) ([]Event, error) {
	if p.Status != PollStatusClosed || p.Result == nil {
		return nil, pollConflict(p, "công bố kết quả")
	}
	// A passed vote on a body of the congress approves it (bodies.go).
	return append([]Event{newEvent(EventPollPublished, PollResult{ID: p.ID, Result: p.Result.clone()})}, s.bodyApproval(p)...), nil
}

// CancelPoll cancels a draft, open or closed poll, with a reason (for the
// record). An open secret poll's ballots are to be discarded by the box.
type CancelPoll struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Name implements Command.
func (*CancelPoll) Name() string { return "poll.cancel" }

func (c *CancelPoll) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.poll(c.ID)
	if err != nil {
		return nil, err
	}
	p := s.Polls[i]
	if p.Status != PollStatusDraft && p.Status != PollStatusOpen && p.Status != PollStatusClosed {
		return nil, pollConflict(p, "hủy")
	}
	reason, err := text("reason", "Lý do hủy", c.Reason, MaxTitle, false)
	if err != nil {
		return nil, err
	}
	return []Event{newEvent(EventPollCancelled, PollCancelled{ID: p.ID, Reason: reason})}, nil
}

// RevotePoll creates a new draft poll linked to a closed, published or
// cancelled one, with the same definition except:
//   - Keep: the IDs of the candidates (election) or subjects (rating) kept on
//     the new ballot, in their order (empty: all; for an election whose
//     count reported a tie, empty means the tied candidates);
//   - Seats: the seats of the new election (0: the seats left for the tie,
//     else the old number, at most the candidates kept);
//   - Question, when given.
type RevotePoll struct {
	ID       string   `json:"id"`
	Keep     []string `json:"keep,omitempty"`
	Seats    int      `json:"seats,omitempty"`
	Question string   `json:"question,omitempty"`
}

// Name implements Command.
func (*RevotePoll) Name() string { return "poll.revote" }

func (c *RevotePoll) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.poll(c.ID)
	if err != nil {
		return nil, err
	}
	old := s.Polls[i]
	if old.Status != PollStatusClosed && old.Status != PollStatusPublished && old.Status != PollStatusCancelled {
		return nil, pollConflict(old, "biểu quyết lại")
	}
	spec := old.PollSpec.clone()
	if c.Question != "" {
		spec.Question = c.Question
	}
	keep, seats := c.Keep, c.Seats
	switch spec.Kind {
	case PollElection:
		if len(keep) == 0 && old.Result != nil && old.Result.Outcome == OutcomeTie {
			keep = old.Result.Tie
			if seats == 0 {
				seats = old.Result.TieSeats
			}
		}
	case PollRating:
		if seats != 0 {
			return nil, fieldErr("seats", "Đánh giá, xếp loại không có số lượng cần bầu.", "a rating poll has no seats")
		}
	default:
		if len(keep) > 0 || seats != 0 {
			return nil, fieldErr("keep", "Biểu quyết này không có danh sách người.", "this poll has no names to keep")
		}
	}
	if len(keep) > 0 {
		names := spec.Candidates
		if spec.Kind == PollRating {
			names = spec.Subjects
		}
		var kept []Candidate
		for _, id := range keep {
			j := slices.IndexFunc(names, func(c Candidate) bool { return c.ID == id })
			if j < 0 {
				return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("Không có %q trong danh sách cũ.", id), MessageEN: fmt.Sprintf("%q is not on the old list", id),
					Problems: []Problem{{Field: "keep", Message: "Tên không có trong danh sách cũ.", MessageEN: "unknown name"}}}
			}
			if slices.ContainsFunc(kept, func(c Candidate) bool { return c.ID == id }) {
				return nil, fieldErr("keep", fmt.Sprintf("%q được chọn hai lần.", id), fmt.Sprintf("%q is kept twice", id))
			}
			kept = append(kept, names[j])
		}
		if spec.Kind == PollRating {
			spec.Subjects = kept
		} else {
			spec.Candidates = kept
		}
	}
	if spec.Kind == PollElection {
		if seats == 0 {
			seats = min(spec.Seats, len(spec.Candidates))
		}
		spec.Seats = seats
	}
	// Names are renumbered in their new ballot order.
	for j := range spec.Candidates {
		spec.Candidates[j].ID = ""
	}
	for j := range spec.Subjects {
		spec.Subjects[j].ID = ""
	}
	if spec, err = s.validateSpec(spec, true); err != nil {
		return nil, err
	}
	if len(s.Polls) >= MaxPolls {
		return nil, Errorf(KindConflict, "Đã quá số cuộc biểu quyết cho phép.", "too many polls")
	}
	return []Event{newEvent(EventPollCreated, PollDefined{ID: pollID(first), RevoteOf: old.ID, PollSpec: spec})}, nil
}

// VoteRecord is one voter of poll.record_votes. Ballot is given for an open
// poll only: a secret poll's ballot stays in the ballot box.
type VoteRecord struct {
	Participant string  `json:"participant"`
	Ballot      *Ballot `json:"ballot,omitempty"`
}

// RecordVotes records that voters voted in a poll. Only the server gives it,
// from its ballot box, after ValidateBallot (see the flow above). All or
// nothing: the box should leave out votes already recorded (HasVoted).
//
// A batch is ONE poll.voted event (plus, for a secret poll, one public
// poll.progress), not one per voter: a vote of 2,000 delegates must not fan
// out 2,000 events to 2,000 tablets. A secret poll's poll.voted goes to the
// secretariat only.
type RecordVotes struct {
	Poll  string       `json:"poll"`
	Votes []VoteRecord `json:"votes"`
}

// Name implements Command.
func (*RecordVotes) Name() string { return "poll.record_votes" }

func (c *RecordVotes) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.poll(c.Poll)
	if err != nil {
		return nil, err
	}
	p := s.Polls[i]
	if len(c.Votes) == 0 {
		return nil, Errorf(KindInvalid, "Không có phiếu nào.", "no votes given")
	}
	if len(c.Votes) > MaxParticipants {
		return nil, Errorf(KindInvalid, "Quá nhiều phiếu trong một lần.", "too many votes at once")
	}
	seen := map[string]bool{}
	voters := make([]Voter, 0, len(c.Votes))
	for _, v := range c.Votes {
		if seen[v.Participant] {
			return nil, Errorf(KindConflict, "Người tham dự %s có hai phiếu trong cùng một lần ghi.", "%q votes twice in one batch", v.Participant)
		}
		seen[v.Participant] = true
		var b Ballot
		if p.Kind.Secret() {
			if v.Ballot != nil {
				return nil, fieldErr("ballot", "Phiếu kín không được ghi vào nhật ký cuộc họp.", "a secret ballot never enters the log")
			}
		} else {
			if v.Ballot == nil {
				return nil, fieldErr("ballot", "Thiếu nội dung phiếu biểu quyết công khai.", "an open poll's vote needs its ballot")
			}
			b = *v.Ballot
		}
		if err := ValidateBallot(s, p, v.Participant, b); err != nil {
			return nil, err
		}
		voters = append(voters, Voter{Participant: v.Participant, Choice: b.Choice, Spoiled: b.Spoiled})
	}
	e := newEvent(EventPollVoted, Voted{Poll: p.ID, Voters: voters})
	if !p.Kind.Secret() {
		return []Event{e}, nil
	}
	e.Audience = staffAudience
	return []Event{e, newEvent(EventPollProgress, PollProgress{Poll: p.ID, Voted: p.Voted + len(voters)})}, nil
}

// printable reports whether s is ASCII without control characters or spaces.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// applyPoll folds the poll events. ok is false for other events.
func (s *State) applyPoll(e Event) (ok bool, err error) {
	switch e.Type {
	case EventPollCreated:
		var p PollDefined
		if err := decode(e, &p); err != nil {
			return true, err
		}
		s.Polls = append(s.Polls, Poll{ID: p.ID, PollSpec: p.PollSpec, RevoteOf: p.RevoteOf, Status: PollStatusDraft, CreatedAt: e.At})
	case EventPollUpdated:
		var p PollDefined
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.pollIndex(p.ID); i >= 0 {
			s.Polls[i].PollSpec = p.PollSpec
		}
	case EventPollOpened:
		var p PollOpened
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.pollIndex(p.ID); i >= 0 {
			q := &s.Polls[i]
			q.Status, q.OpenedAt, q.Eligible, q.Entitled, q.Summoned = PollStatusOpen, e.At, p.Eligible, p.Entitled, p.Summoned
			q.Issued = len(p.Eligible)
			if s.Lean != nil {
				q.Eligible = leanEligible(p.Eligible, s.Lean.Self)
			}
			q.QuorumMet, q.OverrideQuorum, q.Rules = p.QuorumMet, p.OverrideQuorum, p.Rules
		}
	case EventPollVoted:
		var p Voted
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.pollIndex(p.Poll); i >= 0 {
			q := &s.Polls[i]
			for _, v := range p.Voters {
				if !s.keeps(v.Participant) {
					continue // a lean replica keeps its own vote only
				}
				v.At = e.At
				q.Voters = append(q.Voters, v)
			}
			if !q.Kind.Secret() {
				q.Voted += len(p.Voters)
			}
		}
	case EventPollProgress:
		var p PollProgress
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.pollIndex(p.Poll); i >= 0 {
			s.Polls[i].Voted = p.Voted
		}
	case EventPollClosed:
		var p PollRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.pollIndex(p.ID); i >= 0 {
			s.Polls[i].Status, s.Polls[i].ClosedAt = PollStatusClosed, e.At
		}
	case EventPollCounted, EventPollPublished:
		var p PollResult
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.pollIndex(p.ID); i >= 0 {
			s.Polls[i].Result = &p.Result
			if e.Type == EventPollPublished {
				s.Polls[i].Status, s.Polls[i].PublishedAt = PollStatusPublished, e.At
			}
		}
	case EventPollCancelled:
		var p PollCancelled
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.pollIndex(p.ID); i >= 0 {
			s.Polls[i].Status, s.Polls[i].CancelledAt, s.Polls[i].CancelReason = PollStatusCancelled, e.At, p.Reason
		}
	default:
		return false, nil
	}
	return true, nil
}
