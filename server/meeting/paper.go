package meeting

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Paper polls (docs/rules.md §8, docs/paper.md): a secret poll whose
// ballots are cast on paper and keyed by the counting committee (Ban Kiểm
// phiếu) and the technicians it names, each ballot N times (2 or 3, the
// poll's Rules.PaperEntries) on different stations by different operators.
//
// Every keyed entry is an event (paper.entered, paper.undone,
// paper.bundle_finished, paper.decided), folded into the poll's Paper.Records
// in log order. Reconcile is a pure function of those records: it compares
// the N entries of each bundle position by position once they are all
// finished, flags the differences, and applies the committee's decisions.
// poll.close of a paper poll takes Reconcile(…).Ballots() and counts them with
// Tally, the same rules and bases as tablet ballots; it refuses while
// anything is unresolved.
//
// Invariants:
//   - An entry (one station's keying of one bundle) holds positions 1..k
//     with no gap: a station keys the next position or nothing.
//   - A bundle has at most N entries, by N different stations and N
//     different operators.
//   - Records are append-only: an undo or a decision is a new record, never
//     a change of an old one (a State's clone may share the backing array).
//   - The marks of an entry are seen by the secretariat and the operator
//     who keyed them only (the events' audience, and View), until the
//     bundle is complete (the REST view of the committee shows them then).

// PaperMarks is what an operator keys from one paper ballot. Numbers are
// the 1-based numbers printed before each name on the ballot. Which fields
// a ballot may have depends on the poll's form (PaperForm):
//   - strike (election with surplus): Struck, the names struck out;
//   - approve, single (election without surplus, one name): Agree and
//     Disagree, the rows whose "Đồng ý" and "Không đồng ý" box is marked (a
//     row in both has both boxes marked);
//   - vote (secret vote): Boxes, the boxes marked (1 tán thành, 2 không tán
//     thành, 3 không biểu quyết);
//   - rating: Rows, one code per name in ballot order: 1..L the level
//     marked (1 the best), 0 no box, 8 the printed name struck out, 9 more
//     than one box.
//
// Void declares the ballot invalid for a reason the marks cannot show
// (PaperVoidReasons: no stamp of the committee, a name added, other
// writing, spoiled); it has no other field.
type PaperMarks struct {
	Void     Reason `json:"void,omitempty"`
	Struck   []int  `json:"struck,omitempty"`
	Agree    []int  `json:"agree,omitempty"`
	Disagree []int  `json:"disagree,omitempty"`
	Boxes    []int  `json:"boxes,omitempty"`
	Rows     []int  `json:"rows,omitempty"`
}

// Row codes of a rating ballot besides the levels 1..L.
const (
	RowNone       = 0 // no box marked
	RowNameStruck = 8 // the printed name struck out
	RowManyMarks  = 9 // more than one box marked
)

// The boxes of a paper secret vote, in Choices order.
const (
	BoxAgree    = 1 // tán thành
	BoxDisagree = 2 // không tán thành
	BoxAbstain  = 3 // không biểu quyết
)

// PaperVoidReasons are the reasons an operator may declare a paper ballot
// invalid for (docs/rules.md §4, §6), in the order /count numbers them.
var PaperVoidReasons = []Reason{ReasonUnstamped, ReasonUnknownCandidate, ReasonWriting, ReasonSpoiled}

// Equal reports whether m and o are the same marks (both canonical).
func (m PaperMarks) Equal(o PaperMarks) bool {
	return m.Void == o.Void && slices.Equal(m.Struck, o.Struck) && slices.Equal(m.Agree, o.Agree) && slices.Equal(m.Disagree, o.Disagree) &&
		slices.Equal(m.Boxes, o.Boxes) && slices.Equal(m.Rows, o.Rows)
}

// String renders m as an operator keys it on /count (docs/paper.md), for
// the entry log and the side-by-side view: "—" for nothing struck.
func (m PaperMarks) String() string {
	nums := func(xs []int, suffix string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strconv.Itoa(x) + suffix
		}
		return out
	}
	var parts []string
	switch {
	case m.Void != "":
		i := slices.Index(PaperVoidReasons, m.Void)
		return "/" + strconv.Itoa(i+1) + " (" + m.Void.VI() + ")"
	case m.Rows != nil:
		var b strings.Builder
		for _, r := range m.Rows {
			b.WriteString(strconv.Itoa(r))
		}
		return b.String()
	case m.Boxes != nil:
		return strings.Join(nums(m.Boxes, ""), "")
	case m.Struck != nil:
		parts = nums(m.Struck, "")
	default:
		parts = append(nums(m.Agree, "✓"), nums(m.Disagree, "✗")...)
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " ")
}

// clone returns a deep copy of m.
func (m PaperMarks) clone() PaperMarks {
	m.Struck, m.Agree, m.Disagree, m.Boxes, m.Rows = slices.Clone(m.Struck), slices.Clone(m.Agree), slices.Clone(m.Disagree), slices.Clone(m.Boxes), slices.Clone(m.Rows)
	return m
}

// PaperForm is how the marks of a paper ballot of p are keyed: the election
// form (strike, approve, single), "vote" for a secret vote, "rating" for a
// rating or confidence vote.
func (p Poll) PaperForm() string {
	switch p.Kind {
	case PollElection:
		return string(p.Form())
	case PollRating:
		return "rating"
	case PollSecret:
		return "vote"
	}
	return ""
}

// CheckMarks validates marks keyed from a ballot of p and returns them in
// canonical form (lists sorted). A number not on the list, a name marked
// twice in one list, a field of another form or a row count that is not
// the list's are Invalid errors.
func (p Poll) CheckMarks(m PaperMarks) (PaperMarks, error) {
	m = m.clone()
	form := p.PaperForm()
	names := len(p.Names())
	wrong := func(field string) error {
		return fieldErr("marks."+field, fmt.Sprintf("Phiếu theo mẫu này không có phần %q.", field), fmt.Sprintf("a ballot of form %s has no %s", form, field))
	}
	if m.Void != "" {
		if !slices.Contains(PaperVoidReasons, m.Void) {
			return m, fieldErr("marks.void", fmt.Sprintf("Lý do phiếu không hợp lệ %q không có trong danh sách.", m.Void), fmt.Sprintf("invalid-ballot reason %q is not one of the list", m.Void))
		}
		if m.Struck != nil || m.Agree != nil || m.Disagree != nil || m.Boxes != nil || m.Rows != nil {
			return m, fieldErr("marks.void", "Phiếu không hợp lệ không kèm dấu nào khác.", "a void ballot has no other marks")
		}
		return m, nil
	}
	list := func(field string, xs []int, n int) ([]int, error) {
		if len(xs) > n {
			return nil, fieldErr("marks."+field, fmt.Sprintf("Phiếu có %d tên nhưng nhập %d số.", n, len(xs)), fmt.Sprintf("the ballot has %d names but %d numbers were keyed", n, len(xs)))
		}
		for _, x := range xs {
			if x < 1 || x > n {
				return nil, fieldErr("marks."+field, fmt.Sprintf("Số %d không có trong danh sách (từ 1 đến %d).", x, n), fmt.Sprintf("number %d is not on the list (1 to %d)", x, n))
			}
		}
		out := slices.Clone(xs)
		slices.Sort(out)
		for i := 1; i < len(out); i++ {
			if out[i] == out[i-1] {
				return nil, fieldErr("marks."+field, fmt.Sprintf("Tên số %d được nhập hai lần.", out[i]), fmt.Sprintf("name %d is keyed twice", out[i]))
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	var err error
	switch form {
	case string(FormStrike):
		if m.Agree != nil || m.Disagree != nil {
			return m, wrong("agree")
		}
		if m.Boxes != nil || m.Rows != nil {
			return m, wrong("rows")
		}
		m.Struck, err = list("struck", m.Struck, names)
	case string(FormApprove), string(FormSingle):
		if m.Struck != nil {
			return m, wrong("struck")
		}
		if m.Boxes != nil || m.Rows != nil {
			return m, wrong("rows")
		}
		if m.Agree, err = list("agree", m.Agree, names); err == nil {
			m.Disagree, err = list("disagree", m.Disagree, names)
		}
	case "vote":
		if m.Struck != nil || m.Agree != nil || m.Disagree != nil || m.Rows != nil {
			return m, wrong("struck")
		}
		m.Boxes, err = list("boxes", m.Boxes, len(Choices))
	case "rating":
		if m.Struck != nil || m.Agree != nil || m.Disagree != nil || m.Boxes != nil {
			return m, wrong("struck")
		}
		levels := len(p.Scale.Levels())
		if len(m.Rows) != names {
			return m, fieldErr("marks.rows", fmt.Sprintf("Phiếu có %d người nhưng nhập %d dòng.", names, len(m.Rows)), fmt.Sprintf("the ballot has %d names but %d rows were keyed", names, len(m.Rows)))
		}
		for i, r := range m.Rows {
			if (r < 0 || r > levels) && r != RowNameStruck && r != RowManyMarks {
				return m, fieldErr("marks.rows", fmt.Sprintf("Dòng %d: mã %d không hợp lệ (0 đến %d, 8 hoặc 9).", i+1, r, levels), fmt.Sprintf("row %d: code %d is not valid (0 to %d, 8 or 9)", i+1, r, levels))
			}
		}
	default:
		return m, Errorf(KindConflict, "Cuộc biểu quyết này không dùng phiếu giấy.", "this poll has no paper ballots")
	}
	return m, err
}

// Ballot returns the ballot that marks m (canonical, checked by CheckMarks)
// read from a paper ballot of p: the same Ballot a tablet would cast, so
// CheckBallot and Tally judge and count it by the same rules. Only paper
// ballots carry Void and RowVoid (a declared invalid ballot, more than one
// box on a vote, a row struck out or marked twice).
func (m PaperMarks) Ballot(p Poll) Ballot {
	if m.Void != "" {
		return Ballot{Void: m.Void}
	}
	names := p.Names()
	ids := func(xs []int) []string {
		var out []string
		for _, x := range xs {
			out = append(out, names[x-1].ID)
		}
		return out
	}
	switch p.PaperForm() {
	case string(FormStrike):
		kept := make([]string, 0, len(names)-len(m.Struck))
		j := 0
		for i, c := range names {
			if j < len(m.Struck) && m.Struck[j] == i+1 {
				j++
				continue
			}
			kept = append(kept, c.ID)
		}
		return Ballot{Kept: kept}
	case string(FormApprove), string(FormSingle):
		return Ballot{Agree: ids(m.Agree), Disagree: ids(m.Disagree)}
	case "vote":
		switch len(m.Boxes) {
		case 0:
			return Ballot{}
		case 1:
			return Ballot{Choice: Choices[m.Boxes[0]-1]}
		}
		return Ballot{Void: ReasonManyMarks}
	case "rating":
		levels := p.Scale.Levels()
		b := Ballot{Ratings: map[string]Level{}}
		for i, r := range m.Rows {
			id := names[i].ID
			switch {
			case r >= 1 && r <= len(levels):
				b.Ratings[id] = levels[r-1]
			case r == RowNameStruck:
				b.setRowVoid(id, ReasonNameStruck)
			case r == RowManyMarks:
				b.setRowVoid(id, ReasonManyMarks)
			}
		}
		return b
	}
	return Ballot{}
}

func (b *Ballot) setRowVoid(id string, r Reason) {
	if b.RowVoid == nil {
		b.RowVoid = map[string]Reason{}
	}
	b.RowVoid[id] = r
}

// PaperCount is the paper side of a paper poll: the committee's counts and
// every entry record, in log order.
type PaperCount struct {
	Recorded bool          `json:"recorded,omitempty"` // issued and returned were recorded
	Issued   int           `json:"issued,omitempty"`   // ballots issued (số phiếu phát ra)
	Returned int           `json:"returned,omitempty"` // ballots returned (số phiếu thu vào)
	Records  []PaperRecord `json:"records,omitempty"`  // append-only; see View for who sees which
}

// PaperRecord is one paper.entered, paper.undone, paper.bundle_finished or
// paper.decided event of a poll, as folded.
type PaperRecord struct {
	Seq  int64     `json:"seq"`
	At   time.Time `json:"at"`
	Type string    `json:"type"`
	PaperAct
}

// PaperAct is the payload of the paper.* events of a poll's entries. Which
// fields are set depends on the event:
//   - paper.entered: Bundle, Position, Station, Operator, Marks;
//   - paper.undone: Bundle, Position, Station, Operator;
//   - paper.bundle_finished: Bundle, Station, Operator, Count;
//   - paper.decided: Bundle, Position, Operator (the committee member),
//     Marks or Absent, Note.
type PaperAct struct {
	Poll     string      `json:"poll"`
	Bundle   int         `json:"bundle"`
	Position int         `json:"position,omitempty"`
	Station  string      `json:"station,omitempty"`
	Operator string      `json:"operator"`
	Marks    *PaperMarks `json:"marks,omitempty"`
	Absent   bool        `json:"absent,omitempty"`
	Count    int         `json:"count,omitempty"`
	Note     string      `json:"note,omitempty"`
}

// PaperCounts is the payload of paper.counts_recorded.
type PaperCounts struct {
	Poll     string `json:"poll"`
	Issued   int    `json:"issued"`
	Returned int    `json:"returned"`
}

// TechniciansNamed is the payload of paper.technicians_named: the
// technicians the counting committee names to key ballots (the whole list).
type TechniciansNamed struct {
	Participants []string `json:"participants"`
}

// PaperEventTypes are the event types of paper counting.
var PaperEventTypes = []string{EventPaperTechnicians, EventPaperCounts, EventPaperEntered, EventPaperUndone, EventPaperFinished, EventPaperDecided}

// Limits of paper counting.
const (
	MaxBundle         = 10000 // bundle numbers 1..MaxBundle
	DefaultPaperTimes = 3     // independent entries of each ballot unless configured
)

// Entries returns how many independent entries each ballot of r needs.
func (r PollRules) Entries() int {
	if r.PaperEntries == 2 || r.PaperEntries == 3 {
		return r.PaperEntries
	}
	return DefaultPaperTimes
}

// IsTechnician reports whether pid is a technician the counting committee
// named.
func (s *State) IsTechnician(pid string) bool {
	return pid != "" && slices.Contains(s.Technicians, pid)
}

// committeeErr is the error for an actor not on the counting committee.
func committeeErr(vi, en string) error {
	return &Error{Kind: KindForbidden, Message: "Chỉ thành viên Ban Kiểm phiếu đã được thông qua mới được " + vi + ".",
		MessageEN: "only a member of the approved counting committee may " + en}
}

// canKey reports an error unless a may key ballots: a committee member or a
// named technician.
func (s *State) canKey(a Actor) error {
	if a.Participant == "" || !(s.InBody(BodyCounting, a.Participant) || (s.IsTechnician(a.Participant) && s.roleOf(a.Participant) == RoleTechnician)) {
		return Errorf(KindForbidden, "Chỉ thành viên Ban Kiểm phiếu và kỹ thuật viên được Ban chỉ định mới được nhập phiếu.",
			"only members of the counting committee and the technicians it names may key ballots")
	}
	if a.Station == "" {
		return Errorf(KindForbidden, "Không xác định được máy nhập phiếu.", "the entry station is not known")
	}
	return nil
}

func (s *State) roleOf(pid string) Role {
	if p, ok := s.Participant(pid); ok {
		return p.Role
	}
	return ""
}

// paperPoll returns the open paper poll id, or an error.
func (s *State) paperPoll(id string) (Poll, error) {
	i, err := s.poll(id)
	if err != nil {
		return Poll{}, err
	}
	p := s.Polls[i]
	if !p.Paper {
		return p, Errorf(KindConflict, "Cuộc biểu quyết này không dùng phiếu giấy.", "this poll has no paper ballots")
	}
	if p.Status != PollStatusOpen {
		return p, pollConflict(p, "kiểm phiếu")
	}
	return p, nil
}

// NamePaperTechnicians names the technicians who may key ballots (the
// whole list; empty removes them all). A committee member gives it.
type NamePaperTechnicians struct {
	Participants []string `json:"participants"`
}

// Name implements Command.
func (*NamePaperTechnicians) Name() string { return "paper.technicians" }

func (c *NamePaperTechnicians) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if !s.InBody(BodyCounting, a.Participant) {
		return nil, committeeErr("chỉ định kỹ thuật viên", "name technicians")
	}
	list := []string{}
	for i, id := range c.Participants {
		p, ok := s.Participant(id)
		switch {
		case !ok:
			return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("Dòng %d: không tìm thấy người tham dự %q.", i+1, id), MessageEN: fmt.Sprintf("row %d: participant %q not found", i+1, id),
				Problems: []Problem{{Row: i + 1, Field: "participants", Message: "Không tìm thấy người tham dự.", MessageEN: "participant not found"}}}
		case p.Role != RoleTechnician:
			return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("Dòng %d: %s không phải kỹ thuật viên (vai trò technician).", i+1, p.Name), MessageEN: fmt.Sprintf("row %d: %s is not a technician (role technician)", i+1, p.ID),
				Problems: []Problem{{Row: i + 1, Field: "participants", Message: "Không phải kỹ thuật viên.", MessageEN: "not a technician"}}}
		case slices.Contains(list, id):
			return nil, fieldErr("participants", fmt.Sprintf("%s có hai lần trong danh sách.", p.Name), fmt.Sprintf("%s is listed twice", p.ID))
		}
		list = append(list, id)
	}
	return []Event{newEvent(EventPaperTechnicians, TechniciansNamed{Participants: list})}, nil
}

// RecordPaperCounts records the ballots issued and returned of a paper poll
// (the committee may correct them while counting): issued at most the
// eligible voters, returned at most issued and at least the ballots already
// entered.
type RecordPaperCounts struct {
	Poll     string `json:"poll"`
	Issued   int    `json:"issued"`
	Returned int    `json:"returned"`
}

// Name implements Command.
func (*RecordPaperCounts) Name() string { return "paper.record_counts" }

func (c *RecordPaperCounts) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	p, err := s.paperPoll(c.Poll)
	if err != nil {
		return nil, err
	}
	if !s.InBody(BodyCounting, a.Participant) {
		return nil, committeeErr("ghi số phiếu phát ra và thu vào", "record the ballots issued and returned")
	}
	switch {
	case c.Issued < 0 || c.Issued > len(p.Eligible):
		return nil, fieldErr("issued", fmt.Sprintf("Số phiếu phát ra phải từ 0 đến %d (số người có quyền biểu quyết có mặt).", len(p.Eligible)),
			fmt.Sprintf("ballots issued must be between 0 and %d (the eligible voters present)", len(p.Eligible)))
	case c.Returned < 0 || c.Returned > c.Issued:
		return nil, fieldErr("returned", fmt.Sprintf("Số phiếu thu vào (%d) không được lớn hơn số phiếu phát ra (%d).", c.Returned, c.Issued),
			fmt.Sprintf("ballots returned (%d) cannot exceed ballots issued (%d)", c.Returned, c.Issued))
	}
	if n := reconcile(p, false).Keyed; c.Returned < n {
		return nil, fieldErr("returned", fmt.Sprintf("Đã nhập %d phiếu, nhiều hơn số phiếu thu vào %d.", n, c.Returned), fmt.Sprintf("%d ballots are already entered, more than %d returned", n, c.Returned))
	}
	return []Event{newEvent(EventPaperCounts, PaperCounts{Poll: p.ID, Issued: c.Issued, Returned: c.Returned})}, nil
}

// EnterPaperBallot keys one ballot of a bundle at a station: Position must
// be the next of this station's entry of the bundle. The station is the
// actor's (set by the server from the device session, never from the wire).
type EnterPaperBallot struct {
	Poll     string     `json:"poll"`
	Bundle   int        `json:"bundle"`
	Position int        `json:"position"`
	Marks    PaperMarks `json:"marks"`
}

// Name implements Command.
func (*EnterPaperBallot) Name() string { return "paper.enter" }

func (c *EnterPaperBallot) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	p, err := s.paperPoll(c.Poll)
	if err != nil {
		return nil, err
	}
	if err := s.canKey(a); err != nil {
		return nil, err
	}
	if p.PaperCount == nil || !p.PaperCount.Recorded {
		return nil, Errorf(KindConflict, "Ban Kiểm phiếu chưa ghi số phiếu phát ra và thu vào.", "the counting committee has not recorded the ballots issued and returned")
	}
	if err := checkBundle(c.Bundle); err != nil {
		return nil, err
	}
	marks, err := p.CheckMarks(c.Marks)
	if err != nil {
		return nil, err
	}
	rec := reconcile(p, false) // the bundles' structure: no comparison needed to key
	b := rec.bundle(c.Bundle)
	e := b.entryOf(a.Station)
	if e == nil {
		if err := b.canStart(a, p.Rules.Entries()); err != nil {
			return nil, err
		}
	} else {
		if e.Operator != a.Participant {
			return nil, Errorf(KindConflict, "Máy này đang nhập tệp %d cho người khác; hãy dùng máy khác.", "this station is keying bundle %d for another operator", c.Bundle)
		}
		if e.Finished {
			return nil, Errorf(KindConflict, "Máy này đã nhập xong tệp %d.", "this station has finished bundle %d", c.Bundle)
		}
	}
	next := 1
	if e != nil {
		next = len(e.Marks) + 1
	}
	switch {
	case c.Position < next:
		return nil, fieldErr("position", fmt.Sprintf("Phiếu số %d của tệp %d đã được máy này nhập; phiếu tiếp theo là số %d.", c.Position, c.Bundle, next),
			fmt.Sprintf("ballot %d of bundle %d was already keyed at this station; the next is %d", c.Position, c.Bundle, next))
	case c.Position > next:
		return nil, fieldErr("position", fmt.Sprintf("Phiếu tiếp theo của tệp %d là số %d, không phải %d.", c.Bundle, next, c.Position),
			fmt.Sprintf("the next ballot of bundle %d is %d, not %d", c.Bundle, next, c.Position))
	}
	if c.Position > b.slots() && rec.Keyed+1 > p.PaperCount.Returned {
		return nil, Errorf(KindConflict, "Số phiếu đã nhập sẽ vượt số phiếu thu vào (%d).", "more ballots would be entered than the %d returned", p.PaperCount.Returned)
	}
	e2 := newEvent(EventPaperEntered, PaperAct{Poll: p.ID, Bundle: c.Bundle, Position: c.Position, Station: a.Station, Operator: a.Participant, Marks: &marks})
	e2.Audience = operatorAudience(a.Participant)
	return []Event{e2}, nil
}

// operatorAudience is the audience of events carrying marks: the
// secretariat and the participant who made them.
func operatorAudience(pid string) Audience {
	return Audience{Roles: []Role{RoleSecretary, RoleChair}, Participants: []string{pid}}
}

func checkBundle(n int) error {
	if n < 1 || n > MaxBundle {
		return fieldErr("bundle", fmt.Sprintf("Số tệp phiếu phải từ 1 đến %d.", MaxBundle), fmt.Sprintf("the bundle number must be between 1 and %d", MaxBundle))
	}
	return nil
}

// UndoPaperBallot withdraws the last ballot this station keyed in a bundle
// it has not finished.
type UndoPaperBallot struct {
	Poll     string `json:"poll"`
	Bundle   int    `json:"bundle"`
	Position int    `json:"position"`
}

// Name implements Command.
func (*UndoPaperBallot) Name() string { return "paper.undo" }

func (c *UndoPaperBallot) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	p, err := s.paperPoll(c.Poll)
	if err != nil {
		return nil, err
	}
	if err := s.canKey(a); err != nil {
		return nil, err
	}
	rec := reconcile(p, false)
	e := rec.bundle(c.Bundle).entryOf(a.Station)
	switch {
	case e == nil || len(e.Marks) == 0:
		return nil, Errorf(KindConflict, "Máy này chưa nhập phiếu nào của tệp %d.", "this station has keyed no ballot of bundle %d", c.Bundle)
	case e.Operator != a.Participant:
		return nil, Errorf(KindConflict, "Máy này đang nhập tệp %d cho người khác.", "this station is keying bundle %d for another operator", c.Bundle)
	case e.Finished:
		return nil, Errorf(KindConflict, "Máy này đã nhập xong tệp %d, không thể hủy phiếu.", "this station has finished bundle %d; nothing can be undone", c.Bundle)
	case c.Position != len(e.Marks):
		return nil, fieldErr("position", fmt.Sprintf("Chỉ hủy được phiếu cuối cùng đã nhập (số %d).", len(e.Marks)), fmt.Sprintf("only the last ballot keyed (%d) can be undone", len(e.Marks)))
	}
	ev := newEvent(EventPaperUndone, PaperAct{Poll: p.ID, Bundle: c.Bundle, Position: c.Position, Station: a.Station, Operator: a.Participant})
	ev.Audience = operatorAudience(a.Participant)
	return []Event{ev}, nil
}

// FinishPaperBundle ends this station's entry of a bundle; Count is the
// number of ballots the station keyed (a confirmation: it must match).
type FinishPaperBundle struct {
	Poll   string `json:"poll"`
	Bundle int    `json:"bundle"`
	Count  int    `json:"count"`
}

// Name implements Command.
func (*FinishPaperBundle) Name() string { return "paper.finish" }

func (c *FinishPaperBundle) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	p, err := s.paperPoll(c.Poll)
	if err != nil {
		return nil, err
	}
	if err := s.canKey(a); err != nil {
		return nil, err
	}
	rec := reconcile(p, false)
	e := rec.bundle(c.Bundle).entryOf(a.Station)
	switch {
	case e == nil || len(e.Marks) == 0:
		return nil, Errorf(KindConflict, "Máy này chưa nhập phiếu nào của tệp %d.", "this station has keyed no ballot of bundle %d", c.Bundle)
	case e.Operator != a.Participant:
		return nil, Errorf(KindConflict, "Máy này đang nhập tệp %d cho người khác.", "this station is keying bundle %d for another operator", c.Bundle)
	case e.Finished:
		return nil, Errorf(KindConflict, "Máy này đã nhập xong tệp %d.", "this station has already finished bundle %d", c.Bundle)
	case c.Count != len(e.Marks):
		return nil, fieldErr("count", fmt.Sprintf("Máy này đã nhập %d phiếu của tệp %d, không phải %d.", len(e.Marks), c.Bundle, c.Count),
			fmt.Sprintf("this station keyed %d ballots of bundle %d, not %d", len(e.Marks), c.Bundle, c.Count))
	}
	return []Event{newEvent(EventPaperFinished, PaperAct{Poll: p.ID, Bundle: c.Bundle, Station: a.Station, Operator: a.Participant, Count: c.Count})}, nil
}

// DecidePaperBallot records the counting committee's decision on a flagged
// position of a complete bundle, after looking at the physical ballot: its
// marks, or Absent when there is no ballot at that position (a station
// keyed one too many). Note says why. A later decision replaces an earlier
// one (both stay in the log).
type DecidePaperBallot struct {
	Poll     string      `json:"poll"`
	Bundle   int         `json:"bundle"`
	Position int         `json:"position"`
	Marks    *PaperMarks `json:"marks,omitempty"`
	Absent   bool        `json:"absent,omitempty"`
	Note     string      `json:"note"`
}

// Name implements Command.
func (*DecidePaperBallot) Name() string { return "paper.decide" }

func (c *DecidePaperBallot) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	p, err := s.paperPoll(c.Poll)
	if err != nil {
		return nil, err
	}
	if !s.InBody(BodyCounting, a.Participant) {
		return nil, committeeErr("quyết định về phiếu có khác biệt", "decide on a flagged ballot")
	}
	rec := Reconcile(p)
	b := rec.bundle(c.Bundle)
	if b == nil || !b.Complete {
		return nil, Errorf(KindConflict, "Tệp %d chưa được nhập đủ %d lần; chưa có gì để quyết định.", "bundle %d has not been keyed %d times yet; nothing to decide", c.Bundle, p.Rules.Entries())
	}
	if c.Position < 1 || c.Position > len(b.Slots) || !b.Slots[c.Position-1].Flagged {
		return nil, Errorf(KindConflict, "Phiếu số %d của tệp %d không có khác biệt giữa các lần nhập; không cần quyết định.",
			"ballot %d of bundle %d is not flagged (its entries agree); there is nothing to decide", c.Position, c.Bundle)
	}
	var marks *PaperMarks
	switch {
	case c.Absent && c.Marks != nil:
		return nil, fieldErr("absent", "Chọn một: nội dung phiếu hoặc không có phiếu.", "give either the marks or absent, not both")
	case !c.Absent && c.Marks == nil:
		return nil, fieldErr("marks", "Thiếu nội dung phiếu theo quyết định của Ban Kiểm phiếu.", "the decision needs the ballot's marks (or absent)")
	case c.Marks != nil:
		m, err := p.CheckMarks(*c.Marks)
		if err != nil {
			return nil, err
		}
		marks = &m
	}
	note, err := text("note", "Lý do quyết định", c.Note, MaxNotice, false)
	if err != nil {
		return nil, err
	}
	ev := newEvent(EventPaperDecided, PaperAct{Poll: p.ID, Bundle: c.Bundle, Position: c.Position, Operator: a.Participant, Marks: marks, Absent: c.Absent, Note: note})
	ev.Audience = operatorAudience(a.Participant)
	return []Event{ev}, nil
}

// applyPaper folds the paper events. ok is false for other events.
func (s *State) applyPaper(e Event) (ok bool, err error) {
	switch e.Type {
	case EventPaperTechnicians:
		var t TechniciansNamed
		if err := decode(e, &t); err != nil {
			return true, err
		}
		s.Technicians = t.Participants
	case EventPaperCounts:
		var c PaperCounts
		if err := decode(e, &c); err != nil {
			return true, err
		}
		if i := s.pollIndex(c.Poll); i >= 0 && s.Polls[i].Paper {
			pc := s.Polls[i].paperCount()
			pc.Recorded, pc.Issued, pc.Returned = true, c.Issued, c.Returned
		}
	case EventPaperEntered, EventPaperUndone, EventPaperFinished, EventPaperDecided:
		var act PaperAct
		if err := decode(e, &act); err != nil {
			return true, err
		}
		if i := s.pollIndex(act.Poll); i >= 0 && s.Polls[i].Paper {
			pc := s.Polls[i].paperCount()
			// Append-only (see the invariants above): a clone sharing the
			// array never sees this element, it reads only its own length.
			pc.Records = append(pc.Records, PaperRecord{Seq: e.Seq, At: e.At, Type: e.Type, PaperAct: act})
		}
	default:
		return false, nil
	}
	return true, nil
}

// paperCount returns p's paper counts, creating them.
func (p *Poll) paperCount() *PaperCount {
	if p.PaperCount == nil {
		p.PaperCount = &PaperCount{}
	}
	return p.PaperCount
}

// ---- reconciliation ----

// PaperEntry is one station's keying of one bundle.
type PaperEntry struct {
	Station  string       `json:"station"`
	Operator string       `json:"operator"`
	Started  int64        `json:"started"` // seq of its first ballot
	Marks    []PaperMarks `json:"marks"`   // by position - 1
	Finished bool         `json:"finished,omitempty"`
}

// PaperSlot is one position of a complete bundle.
type PaperSlot struct {
	Position int `json:"position"`
	// Entries are the marks each entry keyed at this position, in the
	// bundle's entry order; nil where an entry has no ballot there.
	Entries []*PaperMarks `json:"entries"`
	Flagged bool          `json:"flagged,omitempty"` // the entries differ
	// Decision is the committee's last decision on a flagged position.
	Decision *PaperRecord `json:"decision,omitempty"`
}

// Counts reports whether the slot is a ballot that counts, and its marks:
// the agreed marks, or the decision's (an "absent" decision: no ballot).
// ok is false while a flagged slot is undecided.
func (sl PaperSlot) Counts() (m PaperMarks, ballot, ok bool) {
	switch {
	case !sl.Flagged:
		return *sl.Entries[0], true, true
	case sl.Decision == nil:
		return PaperMarks{}, false, false
	case sl.Decision.Absent:
		return PaperMarks{}, false, true
	}
	return *sl.Decision.Marks, true, true
}

// PaperBundle is one bundle of ballots and its entries.
type PaperBundle struct {
	Bundle   int          `json:"bundle"`
	Entries  []PaperEntry `json:"entries"`  // in the order they started
	Complete bool         `json:"complete"` // N entries, all finished
	Slots    []PaperSlot  `json:"slots,omitempty"`
	Flagged  int          `json:"flagged"`
	Open     int          `json:"open"` // flagged and undecided
}

// entryOf returns the entry of station, or nil.
func (b *PaperBundle) entryOf(station string) *PaperEntry {
	if b == nil {
		return nil
	}
	for i := range b.Entries {
		if b.Entries[i].Station == station {
			return &b.Entries[i]
		}
	}
	return nil
}

// slots is the number of positions the bundle has so far: its longest entry.
func (b *PaperBundle) slots() int {
	n := 0
	if b != nil {
		for _, e := range b.Entries {
			n = max(n, len(e.Marks))
		}
	}
	return n
}

// canStart reports an error unless a may start a new entry of b: fewer
// than n entries so far, none from the same station or the same operator.
func (b *PaperBundle) canStart(a Actor, n int) error {
	if b == nil {
		return nil
	}
	if len(b.Entries) >= n {
		return Errorf(KindConflict, "Tệp %d đã có đủ %d lần nhập.", "bundle %d already has its %d entries", b.Bundle, n)
	}
	for _, e := range b.Entries {
		if e.Operator == a.Participant {
			return Errorf(KindConflict, "Người này đã nhập tệp %d ở máy khác; mỗi lần nhập phải do một người khác, ở một máy khác.",
				"this operator already keys bundle %d at another station; each entry needs another operator at another station", b.Bundle)
		}
	}
	return nil
}

// Reconciliation is the state of a paper poll's counting: Reconcile's result.
type Reconciliation struct {
	Poll     string        `json:"poll"`
	Times    int           `json:"times"` // independent entries per ballot
	Recorded bool          `json:"recorded"`
	Issued   int           `json:"issued"`
	Returned int           `json:"returned"`
	Bundles  []PaperBundle `json:"bundles"` // by bundle number

	Keyed      int `json:"keyed"`      // positions keyed by at least one entry (the longest entry of each bundle)
	Entered    int `json:"entered"`    // ballots that count: agreed, or decided present
	Agreed     int `json:"agreed"`     // positions whose entries agree
	Flagged    int `json:"flagged"`    // positions whose entries differ
	Decided    int `json:"decided"`    // flagged positions decided by the committee
	Unresolved int `json:"unresolved"` // flagged and undecided
	Incomplete int `json:"incomplete"` // bundles not yet keyed N times and finished
}

// bundle returns bundle n, or nil.
func (r *Reconciliation) bundle(n int) *PaperBundle {
	i, ok := slices.BinarySearchFunc(r.Bundles, n, func(b PaperBundle, n int) int { return b.Bundle - n })
	if !ok {
		return nil
	}
	return &r.Bundles[i]
}

// Reconcile folds the paper records of p into bundles and, for each
// bundle whose N entries are finished, compares them position by
// position: equal marks count, different ones are flagged until the
// committee decides. It is a pure function of p.
func Reconcile(p Poll) Reconciliation { return reconcile(p, true) }

// reconcile is Reconcile; without compare it only folds the bundles and
// their entries (what keying needs), leaving Slots and the counts of
// agreed, flagged and decided positions empty.
func reconcile(p Poll, compare bool) Reconciliation {
	r := Reconciliation{Poll: p.ID, Times: p.Rules.Entries()}
	pc := p.PaperCount
	if pc == nil {
		return r
	}
	r.Recorded, r.Issued, r.Returned = pc.Recorded, pc.Issued, pc.Returned
	index := map[int]int{}
	bundle := func(n int) *PaperBundle {
		i, ok := index[n]
		if !ok {
			i = len(r.Bundles)
			index[n] = i
			r.Bundles = append(r.Bundles, PaperBundle{Bundle: n})
		}
		return &r.Bundles[i]
	}
	decisions := map[[2]int]*PaperRecord{}
	for i := range pc.Records {
		rec := &pc.Records[i]
		b := bundle(rec.Bundle)
		switch rec.Type {
		case EventPaperEntered:
			e := b.entryOf(rec.Station)
			if e == nil {
				b.Entries = append(b.Entries, PaperEntry{Station: rec.Station, Operator: rec.Operator, Started: rec.Seq})
				e = &b.Entries[len(b.Entries)-1]
			}
			e.Marks = append(e.Marks, *rec.Marks)
		case EventPaperUndone:
			if e := b.entryOf(rec.Station); e != nil && len(e.Marks) > 0 {
				e.Marks = e.Marks[:len(e.Marks)-1]
				if len(e.Marks) == 0 { // an entry with nothing keyed is no entry
					b.Entries = slices.DeleteFunc(b.Entries, func(x PaperEntry) bool { return x.Station == rec.Station })
				}
			}
		case EventPaperFinished:
			if e := b.entryOf(rec.Station); e != nil {
				e.Finished = true
			}
		case EventPaperDecided:
			decisions[[2]int{rec.Bundle, rec.Position}] = rec
		}
	}
	slices.SortFunc(r.Bundles, func(a, b PaperBundle) int { return a.Bundle - b.Bundle })
	for bi := range r.Bundles {
		b := &r.Bundles[bi]
		n := b.slots()
		r.Keyed += n
		finished := 0
		for _, e := range b.Entries {
			if e.Finished {
				finished++
			}
		}
		b.Complete = finished == r.Times && len(b.Entries) == r.Times
		if !compare {
			continue
		}
		if !b.Complete {
			if n > 0 {
				r.Incomplete++
			}
			continue
		}
		b.Slots = make([]PaperSlot, n)
		for pos := range n {
			sl := PaperSlot{Position: pos + 1, Entries: make([]*PaperMarks, len(b.Entries))}
			for ei := range b.Entries {
				if pos < len(b.Entries[ei].Marks) {
					sl.Entries[ei] = &b.Entries[ei].Marks[pos]
				}
			}
			for _, m := range sl.Entries {
				if m == nil || !m.Equal(*sl.Entries[0]) {
					sl.Flagged = true
					break
				}
			}
			if sl.Flagged {
				b.Flagged++
				r.Flagged++
				sl.Decision = decisions[[2]int{b.Bundle, pos + 1}]
				if sl.Decision == nil {
					b.Open++
					r.Unresolved++
				} else {
					r.Decided++
				}
			} else {
				r.Agreed++
			}
			if _, ballot, ok := sl.Counts(); ok && ballot {
				r.Entered++
			}
			b.Slots[pos] = sl
		}
	}
	return r
}

// Ready returns nil when the counting is finished and consistent: the
// counts recorded, every bundle keyed N times and finished, every
// difference decided, and the ballots entered equal to the ballots
// returned. Otherwise a Conflict error says what is left.
func (r Reconciliation) Ready() error {
	switch {
	case !r.Recorded:
		return Errorf(KindConflict, "Ban Kiểm phiếu chưa ghi số phiếu phát ra và thu vào.", "the counting committee has not recorded the ballots issued and returned")
	case r.Incomplete > 0:
		return Errorf(KindConflict, "Còn %d tệp phiếu chưa được nhập đủ %d lần.", "%d bundles have not been keyed %d times yet", r.Incomplete, r.Times)
	case r.Unresolved > 0:
		return Errorf(KindConflict, "Còn %d phiếu có khác biệt giữa các lần nhập chưa được Ban Kiểm phiếu quyết định.", "%d ballots whose entries differ are not decided by the counting committee yet", r.Unresolved)
	case r.Entered != r.Returned:
		return Errorf(KindConflict, "Số phiếu đã nhập (%d) khác số phiếu thu vào (%d).", "%d ballots were entered but %d were returned", r.Entered, r.Returned)
	}
	return nil
}

// Ballots returns the ballots that count, bundle by bundle, position by
// position, as Ballot values of p (PaperMarks.Ballot).
func (r Reconciliation) Ballots(p Poll) []Ballot {
	out := make([]Ballot, 0, r.Entered)
	for _, b := range r.Bundles {
		for _, sl := range b.Slots {
			if m, ballot, ok := sl.Counts(); ok && ballot {
				out = append(out, m.Ballot(p))
			}
		}
	}
	return out
}

// paperBallots returns the reconciled ballots of paper poll p for the
// close, or the reason the counting cannot close.
func paperBallots(p Poll) ([]Ballot, error) {
	r := Reconcile(p)
	if err := r.Ready(); err != nil {
		return nil, err
	}
	return r.Ballots(p), nil
}

// viewPaper hides from v the paper records it is not in the audience of:
// marks (entries, undos, decisions) are the secretariat's and their
// operator's only. p is a clone (its records may be replaced).
func viewPaper(p *Poll, v Viewer) {
	if p.PaperCount == nil || staffAudience.Includes(v) {
		return
	}
	pc := *p.PaperCount
	var keep []PaperRecord
	for _, r := range pc.Records {
		if r.Type == EventPaperFinished || (v.Participant != "" && r.Operator == v.Participant) {
			keep = append(keep, r)
		}
	}
	pc.Records = keep
	p.PaperCount = &pc
}
