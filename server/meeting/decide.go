package meeting

import (
	"fmt"
	"slices"
	"time"
)

// permissions lists, per command, the roles that may give it. A command not
// listed here can be given by nobody (a test checks every command is listed).
var permissions = map[string][]Role{
	"meeting.create":     {RoleSecretary},
	"meeting.update":     {RoleSecretary},
	"meeting.open":       {RoleSecretary, RoleChair},
	"meeting.pause":      {RoleSecretary, RoleChair},
	"meeting.resume":     {RoleSecretary, RoleChair},
	"meeting.close":      {RoleSecretary, RoleChair},
	"agenda.add":         {RoleSecretary, RoleChair},
	"agenda.rename":      {RoleSecretary, RoleChair},
	"agenda.move":        {RoleSecretary, RoleChair},
	"agenda.remove":      {RoleSecretary, RoleChair},
	"agenda.done":        {RoleSecretary, RoleChair},
	"agenda.current":     {RoleSecretary, RoleChair},
	"agenda.advance":     {RoleSecretary, RoleChair},
	"participant.add":    {RoleSecretary},
	"participant.import": {RoleSecretary},
	"participant.update": {RoleSecretary},
	"participant.remove": {RoleSecretary},
	"participant.paired": {RoleSystem},
	"notice.send":        {RoleSecretary, RoleChair},

	"meeting.configure": {RoleSecretary},
	// Self-service from a participant's tablet: a delegate acts only for
	// themselves (checked by the command), the secretariat for anyone.
	"attendance.check_in":  {RoleSecretary, RoleChair, RoleDelegate},
	"attendance.mark":      {RoleSecretary, RoleChair},
	"attendance.check_out": {RoleSecretary, RoleChair, RoleDelegate},
	"speaker.request":      {RoleSecretary, RoleChair, RoleDelegate},
	"speaker.withdraw":     {RoleSecretary, RoleChair, RoleDelegate},
	"speaker.reorder":      {RoleSecretary, RoleChair},
	"speaker.add":          {RoleSecretary, RoleChair},
	"speaker.give_floor":   {RoleSecretary, RoleChair},
	"speaker.end":          {RoleSecretary, RoleChair, RoleDelegate},
	"speaker.close_list":   {RoleSecretary, RoleChair},
	"speaker.reopen_list":  {RoleSecretary, RoleChair},
	"speaker.timer":        {RoleSecretary, RoleChair},
	"speaker.set_limit":    {RoleSecretary, RoleChair},
	"poll.create":          {RoleSecretary, RoleChair},
	"poll.update":          {RoleSecretary, RoleChair},
	"poll.open":            {RoleSecretary, RoleChair},
	"poll.close":           {RoleSecretary, RoleChair},
	"poll.publish":         {RoleSecretary, RoleChair},
	"poll.cancel":          {RoleSecretary, RoleChair},
	"poll.revote":          {RoleSecretary, RoleChair},
	"poll.record_votes":    {RoleSystem},
	// Documents: the server gives the commands that point at stored bytes
	// or record downloads (it checks CanManageDocuments for uploads).
	"document.add":              {RoleSystem},
	"document.add_version":      {RoleSystem},
	"document.update":           {RoleSecretary, RoleChair},
	"document.publish":          {RoleSecretary, RoleChair},
	"document.withdraw":         {RoleSecretary, RoleChair},
	"document.record_downloads": {RoleSystem},
	// The minutes: the secretariat, after the close too.
	"minutes.conclude": {RoleSecretary, RoleChair},
	"minutes.finalize": {RoleSecretary, RoleChair},
	"minutes.correct":  {RoleSecretary, RoleChair},
	"document.present": {RoleSecretary, RoleChair},
	// Any participant's device may call for help (the command checks that
	// the actor is a participant); the secretariat resolves.
	"support.request": {RoleSecretary, RoleChair, RoleDelegate, RoleObserver, RoleHall},
	"support.resolve": {RoleSecretary, RoleChair},

	"attendance.mark_all_present": {RoleSecretary, RoleChair},
	"body.propose":                {RoleSecretary, RoleChair},
	// Paper counting (paper.go): the roles a committee member or a named
	// technician can hold; the commands check the membership itself, so a
	// secretary account (no participant) is refused by them.
	"paper.technicians":   {RoleSecretary, RoleChair, RoleDelegate},
	"paper.record_counts": {RoleSecretary, RoleChair, RoleDelegate},
	"paper.enter":         {RoleSecretary, RoleChair, RoleDelegate, RoleTechnician},
	"paper.undo":          {RoleSecretary, RoleChair, RoleDelegate, RoleTechnician},
	"paper.finish":        {RoleSecretary, RoleChair, RoleDelegate, RoleTechnician},
	"paper.decide":        {RoleSecretary, RoleChair, RoleDelegate},
}

// Allowed reports whether role may give the command named name.
func Allowed(role Role, name string) bool {
	return slices.Contains(permissions[name], role)
}

// Decide returns the events that command c, given by actor a at time now,
// produces on state s, sealed (numbered and hash-chained) as successors of
// s. It does not change s. It returns Forbidden if a's role may not give c,
// NotFound if the meeting or a named thing does not exist, Conflict if c is
// not possible in the meeting's current status, and Invalid for bad input.
func Decide(s *State, a Actor, c Command, now time.Time) ([]Event, error) {
	if !Allowed(a.Role, c.Name()) {
		return nil, forbidden(a.Role, c.Name())
	}
	if _, create := c.(*CreateMeeting); create {
		if s.Created() {
			return nil, Errorf(KindConflict, "Cuộc họp đã được tạo.", "the meeting already exists")
		}
	} else {
		if !s.Created() {
			return nil, Errorf(KindNotFound, "Không tìm thấy cuộc họp.", "meeting not found")
		}
		if _, ok := c.(afterClose); s.Status == StatusClosed && !ok {
			return nil, Errorf(KindConflict, "Cuộc họp đã kết thúc, không thể thay đổi.", "the meeting is closed and cannot change")
		}
	}
	if err := s.sittingRefuses(c); err != nil { // a tổ sitting (floor.go)
		return nil, err
	}
	events, err := c.decide(s, a, s.Seq+1, now.UTC())
	if err != nil {
		return nil, err
	}
	for i := range events {
		events[i].Meeting = s.ID
		events[i].At = now.UTC()
		events[i].Actor = a.ID
	}
	Seal(s.Seq, s.Head, events)
	return events, nil
}

// forbidden is the error for a role that may not give the command named
// name.
func forbidden(r Role, name string) error {
	return &Error{Kind: KindForbidden, Message: fmt.Sprintf("Vai trò %s không được thực hiện lệnh %s.", roleVI(r), name),
		MessageEN: fmt.Sprintf("role %s may not give %s", r, name)}
}

// roleVI names a role in Vietnamese, for messages.
func roleVI(r Role) string {
	switch r {
	case RoleSecretary:
		return "thư ký"
	case RoleChair:
		return "chủ tọa"
	case RoleDelegate:
		return "đại biểu"
	case RoleObserver:
		return "khách mời"
	case RoleHall:
		return "màn hình hội trường"
	case RoleTechnician:
		return "kỹ thuật viên nhập phiếu"
	case RoleSystem:
		return "hệ thống"
	}
	return string(r)
}

// statusConflict is the error for a command that the current status forbids.
func statusConflict(s *State, what string) error {
	vi := map[Status]string{StatusDraft: "chưa khai mạc", StatusOpen: "đang họp", StatusPaused: "đang tạm dừng", StatusClosed: "đã kết thúc"}[s.Status]
	return &Error{Kind: KindConflict, Message: fmt.Sprintf("Không thể %s khi cuộc họp %s.", what, vi), MessageEN: fmt.Sprintf("not possible while the meeting is %s", s.Status)}
}

// ---- meeting life cycle ----

// CreateMeeting creates the meeting; it must be the first command.
type CreateMeeting struct {
	Details
}

// Name implements Command.
func (*CreateMeeting) Name() string { return "meeting.create" }

func (c *CreateMeeting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	d, err := c.Details.validate()
	if err != nil {
		return nil, err
	}
	return []Event{newEvent(EventMeetingCreated, d)}, nil
}

func (d Details) validate() (Details, error) {
	var err error
	if d.Title, err = text("title", "Tên cuộc họp", d.Title, MaxTitle, false); err != nil {
		return d, err
	}
	if d.Organization, err = text("organization", "Cơ quan", d.Organization, MaxTitle, true); err != nil {
		return d, err
	}
	if d.Place, err = text("place", "Địa điểm", d.Place, MaxTitle, true); err != nil {
		return d, err
	}
	if d.Chair, err = text("chair", "Chủ trì", d.Chair, MaxName, true); err != nil {
		return d, err
	}
	if d.Secretary, err = text("secretary", "Thư ký", d.Secretary, MaxName, true); err != nil {
		return d, err
	}
	if d.ChairPost, err = text("chair_post", "Chức vụ của người chủ trì", d.ChairPost, MaxName, true); err != nil {
		return d, err
	}
	if d.Collective, err = text("collective", "Tập thể ký thay mặt", d.Collective, MaxName, true); err != nil {
		return d, err
	}
	if d.Locality, err = text("locality", "Địa danh", d.Locality, MaxName, true); err != nil {
		return d, err
	}
	if !d.StartsAt.IsZero() {
		d.StartsAt = d.StartsAt.UTC()
		// The log stores times as RFC 3339: years 1 to 9999 in UTC. A
		// time written with an offset can leave that range once in UTC
		// ("0000-01-01T00:00:00+01:00"), and the event would not encode
		// (found by FuzzCommand).
		if y := d.StartsAt.Year(); y < 1 || y > 9999 {
			return d, fieldErr("starts_at", "Thời điểm bắt đầu phải trong khoảng năm 1 đến năm 9999.", "the start time must be between the years 1 and 9999")
		}
	}
	return d, nil
}

// UpdateMeeting replaces the meeting's details.
type UpdateMeeting struct {
	Details
}

// Name implements Command.
func (*UpdateMeeting) Name() string { return "meeting.update" }

func (c *UpdateMeeting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	d, err := c.Details.validate()
	if err != nil {
		return nil, err
	}
	if d == s.Details {
		return nil, Errorf(KindConflict, "Thông tin cuộc họp không thay đổi.", "the details are unchanged")
	}
	return []Event{newEvent(EventMeetingUpdated, d)}, nil
}

// OpenMeeting opens (khai mạc) a draft meeting.
type OpenMeeting struct{}

// Name implements Command.
func (*OpenMeeting) Name() string { return "meeting.open" }

func (*OpenMeeting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Status != StatusDraft {
		return nil, statusConflict(s, "khai mạc")
	}
	return []Event{newEvent(EventMeetingOpened, nil)}, nil
}

// PauseMeeting adjourns an open meeting for a break. The clock of the
// current speech, if running, is paused first.
type PauseMeeting struct{}

// Name implements Command.
func (*PauseMeeting) Name() string { return "meeting.pause" }

func (*PauseMeeting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Status != StatusOpen {
		return nil, statusConflict(s, "tạm dừng")
	}
	var events []Event
	if cur, ok := s.Speaking(); ok && !cur.Paused {
		events = append(events, newEvent(EventTimerPaused, SpeechClock{ID: cur.ID, Elapsed: cur.ElapsedAt(now)}))
	}
	return append(events, newEvent(EventMeetingPaused, nil)), nil
}

// ResumeMeeting resumes a paused meeting.
type ResumeMeeting struct{}

// Name implements Command.
func (*ResumeMeeting) Name() string { return "meeting.resume" }

func (*ResumeMeeting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Status != StatusPaused {
		return nil, statusConflict(s, "tiếp tục")
	}
	return []Event{newEvent(EventMeetingResumed, nil)}, nil
}

// CloseMeeting closes (bế mạc) an open or paused meeting. Nothing changes
// after it. The current speech ends first; a poll still open must be closed
// or cancelled before.
type CloseMeeting struct{}

// Name implements Command.
func (*CloseMeeting) Name() string { return "meeting.close" }

func (*CloseMeeting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Status != StatusOpen && s.Status != StatusPaused {
		return nil, statusConflict(s, "bế mạc")
	}
	for _, p := range s.Polls {
		if p.Status == PollStatusOpen {
			return nil, Errorf(KindConflict, "Cuộc biểu quyết %s còn đang diễn ra; hãy kết thúc hoặc hủy trước khi bế mạc.", "poll %q is still open: close or cancel it first", p.ID)
		}
	}
	var events []Event
	if cur, ok := s.Speaking(); ok {
		events = append(events, newEvent(EventSpeechEnded, SpeechClock{ID: cur.ID, Elapsed: cur.ElapsedAt(now)}))
	}
	return append(events, newEvent(EventMeetingClosed, nil)), nil
}

// ---- agenda ----

// itemID and friends derive IDs from the sequence number of the creating event.
func itemID(seq int64) string        { return fmt.Sprintf("i%d", seq) }
func participantID(seq int64) string { return fmt.Sprintf("p%d", seq) }
func noticeID(seq int64) string      { return fmt.Sprintf("n%d", seq) }

func (s *State) item(id string) (int, error) {
	i := s.ItemIndex(id)
	if i < 0 {
		return -1, Errorf(KindNotFound, "Không tìm thấy mục %q trong chương trình.", "agenda item %q not found", id)
	}
	return i, nil
}

// position validates a 1-based position among n slots (0 means the last).
func position(p, n int) (int, error) {
	if p == 0 {
		return n, nil
	}
	if p < 1 || p > n {
		return 0, Errorf(KindInvalid, "Vị trí %d không hợp lệ (từ 1 đến %d).", "position %d is out of range 1..%d", p, n)
	}
	return p, nil
}

// AddItem adds an agenda item at Position (1-based; 0 appends).
type AddItem struct {
	Title     string `json:"title"`
	Presenter string `json:"presenter,omitempty"`
	Position  int    `json:"position,omitempty"`
}

// Name implements Command.
func (*AddItem) Name() string { return "agenda.add" }

func (c *AddItem) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	title, err := text("title", "Tên mục", c.Title, MaxTitle, false)
	if err != nil {
		return nil, err
	}
	presenter, err := text("presenter", "Người trình bày", c.Presenter, MaxName, true)
	if err != nil {
		return nil, err
	}
	if len(s.Agenda) >= MaxItems {
		return nil, Errorf(KindConflict, "Chương trình đã đủ %d mục.", "the agenda already has %d items", MaxItems)
	}
	pos, err := position(c.Position, len(s.Agenda)+1)
	if err != nil {
		return nil, err
	}
	return []Event{newEvent(EventItemAdded, ItemAdded{Item: Item{ID: itemID(first), Title: title, Presenter: presenter}, Position: pos})}, nil
}

// RenameItem changes an item's title and presenter.
type RenameItem struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Presenter string `json:"presenter,omitempty"`
}

// Name implements Command.
func (*RenameItem) Name() string { return "agenda.rename" }

func (c *RenameItem) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.item(c.ID)
	if err != nil {
		return nil, err
	}
	title, err := text("title", "Tên mục", c.Title, MaxTitle, false)
	if err != nil {
		return nil, err
	}
	presenter, err := text("presenter", "Người trình bày", c.Presenter, MaxName, true)
	if err != nil {
		return nil, err
	}
	if it := s.Agenda[i]; it.Title == title && it.Presenter == presenter {
		return nil, Errorf(KindConflict, "Mục không thay đổi.", "the item is unchanged")
	}
	return []Event{newEvent(EventItemRenamed, ItemRenamed{ID: c.ID, Title: title, Presenter: presenter})}, nil
}

// MoveItem moves an item to Position (1-based).
type MoveItem struct {
	ID       string `json:"id"`
	Position int    `json:"position"`
}

// Name implements Command.
func (*MoveItem) Name() string { return "agenda.move" }

func (c *MoveItem) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.item(c.ID)
	if err != nil {
		return nil, err
	}
	if c.Position < 1 || c.Position > len(s.Agenda) {
		return nil, Errorf(KindInvalid, "Vị trí %d không hợp lệ (từ 1 đến %d).", "position %d is out of range 1..%d", c.Position, len(s.Agenda))
	}
	if c.Position == i+1 {
		return nil, Errorf(KindConflict, "Mục đã ở vị trí %d.", "the item is already at position %d", c.Position)
	}
	return []Event{newEvent(EventItemMoved, ItemMoved{ID: c.ID, Position: c.Position})}, nil
}

// RemoveItem removes an agenda item. The current item cannot be removed, nor,
// once the meeting has opened, an item already dealt with, nor an item with
// speeches or polls (they belong to the record). Its pending requests for
// the floor go with it.
type RemoveItem struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*RemoveItem) Name() string { return "agenda.remove" }

func (c *RemoveItem) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.item(c.ID)
	if err != nil {
		return nil, err
	}
	if s.Current == c.ID {
		return nil, Errorf(KindConflict, "Không thể xóa mục đang thảo luận; hãy chuyển sang mục khác trước.", "cannot remove the current item; move to another first")
	}
	if s.Agenda[i].Done && s.Status != StatusDraft {
		return nil, Errorf(KindConflict, "Không thể xóa mục đã thảo luận xong.", "cannot remove an item that is done")
	}
	if slices.ContainsFunc(s.Speeches, func(sp Speech) bool { return sp.Item == c.ID }) || slices.ContainsFunc(s.Polls, func(p Poll) bool { return p.Item == c.ID }) {
		return nil, Errorf(KindConflict, "Không thể xóa mục đã có phát biểu hoặc biểu quyết (thuộc biên bản).", "cannot remove an item with speeches or polls: they belong to the record")
	}
	return []Event{newEvent(EventItemRemoved, ItemRef{ID: c.ID})}, nil
}

// SetItemDone marks an item done (or not done).
type SetItemDone struct {
	ID   string `json:"id"`
	Done bool   `json:"done"`
}

// Name implements Command.
func (*SetItemDone) Name() string { return "agenda.done" }

func (c *SetItemDone) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.item(c.ID)
	if err != nil {
		return nil, err
	}
	if s.Status == StatusDraft {
		return nil, statusConflict(s, "đánh dấu mục đã xong")
	}
	if s.Agenda[i].Done == c.Done {
		return nil, Errorf(KindConflict, "Trạng thái của mục không thay đổi.", "the item is already in that state")
	}
	return []Event{newEvent(EventItemDone, ItemDone{ID: c.ID, Done: c.Done})}, nil
}

// SetCurrentItem makes an item the current one (ID "" clears it).
type SetCurrentItem struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*SetCurrentItem) Name() string { return "agenda.current" }

func (c *SetCurrentItem) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Status != StatusOpen && s.Status != StatusPaused {
		return nil, statusConflict(s, "chuyển mục")
	}
	if c.ID != "" {
		if _, err := s.item(c.ID); err != nil {
			return nil, err
		}
	}
	if s.Current == c.ID {
		return nil, Errorf(KindConflict, "Đây đã là mục hiện tại.", "that is already the current item")
	}
	return []Event{newEvent(EventCurrentSet, ItemRef{ID: c.ID})}, nil
}

// AdvanceAgenda marks the current item done and makes the next item not yet
// done the current one (or clears the current item after the last).
type AdvanceAgenda struct{}

// Name implements Command.
func (*AdvanceAgenda) Name() string { return "agenda.advance" }

func (*AdvanceAgenda) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Status != StatusOpen {
		return nil, statusConflict(s, "chuyển sang mục tiếp theo")
	}
	var events []Event
	from := 0
	if s.Current != "" {
		i := s.ItemIndex(s.Current)
		if !s.Agenda[i].Done {
			events = append(events, newEvent(EventItemDone, ItemDone{ID: s.Current, Done: true}))
		}
		from = i + 1
	}
	next := ""
	for _, it := range s.Agenda[from:] {
		if !it.Done {
			next = it.ID
			break
		}
	}
	if next == "" && s.Current == "" {
		return nil, Errorf(KindConflict, "Không còn mục nào trong chương trình.", "no agenda item is left")
	}
	return append(events, newEvent(EventCurrentSet, ItemRef{ID: next})), nil
}

// ---- participants ----

// NewParticipant is the input for adding a participant.
type NewParticipant struct {
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Role     Role   `json:"role"`
	// NonVoting: attends but neither counts for the quorum nor votes nor
	// stands (for example a probationary Party member).
	NonVoting bool `json:"non_voting,omitempty"`
}

func (p NewParticipant) validate() (NewParticipant, error) {
	var err error
	if p.Name, err = text("name", "Họ và tên", p.Name, MaxName, false); err != nil {
		return p, err
	}
	if p.Position, err = text("position", "Chức vụ", p.Position, MaxName, true); err != nil {
		return p, err
	}
	if p.Unit, err = text("unit", "Đơn vị", p.Unit, MaxName, true); err != nil {
		return p, err
	}
	if p.Role == "" {
		p.Role = RoleDelegate
	}
	if !p.Role.Valid() {
		return p, &Error{Kind: KindInvalid, Message: fmt.Sprintf("Vai trò %q không hợp lệ.", p.Role), MessageEN: fmt.Sprintf("role %q is not valid", p.Role),
			Problems: []Problem{{Field: "role", Message: "Vai trò không hợp lệ.", MessageEN: "invalid role"}}}
	}
	return p, nil
}

// AddParticipant adds one participant.
type AddParticipant struct {
	NewParticipant
}

// Name implements Command.
func (*AddParticipant) Name() string { return "participant.add" }

func (c *AddParticipant) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	imp := ImportParticipants{Rows: []NewParticipant{c.NewParticipant}}
	events, err := imp.decide(s, a, first, now)
	if e, ok := err.(*Error); ok && len(e.Problems) > 0 {
		// One participant: report the row's own message, not "row 1".
		p := e.Problems[0]
		return nil, &Error{Kind: e.Kind, Message: p.Message, MessageEN: p.MessageEN, Problems: []Problem{{Field: p.Field, Message: p.Message, MessageEN: p.MessageEN}}}
	}
	return events, err
}

// ImportParticipants adds many participants at once (a CSV import). It is
// all or nothing: if any row is invalid, the error lists every bad row and
// nothing is added.
type ImportParticipants struct {
	Rows []NewParticipant `json:"rows"`
}

// Name implements Command.
func (*ImportParticipants) Name() string { return "participant.import" }

func (c *ImportParticipants) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if len(c.Rows) == 0 {
		return nil, Errorf(KindInvalid, "Danh sách đại biểu trống.", "no participants given")
	}
	if len(s.Participants)+len(c.Rows) > MaxParticipants {
		return nil, Errorf(KindConflict, "Cuộc họp không thể có quá %d người tham dự.", "a meeting cannot have more than %d participants", MaxParticipants)
	}
	var problems []Problem
	events := make([]Event, 0, len(c.Rows))
	for i, row := range c.Rows {
		p, err := row.validate()
		if err != nil {
			for _, pr := range err.(*Error).Problems {
				pr.Row = i + 1
				problems = append(problems, pr)
			}
			continue
		}
		seq := first + int64(len(events))
		events = append(events, newEvent(EventParticipantAdded, Participant{ID: participantID(seq), Name: p.Name, Position: p.Position, Unit: p.Unit, Role: p.Role, NonVoting: p.NonVoting}))
	}
	if len(problems) > 0 {
		return nil, &Error{Kind: KindInvalid,
			Message:   fmt.Sprintf("Có %d lỗi trong danh sách; chưa thêm ai.", len(problems)),
			MessageEN: fmt.Sprintf("%d problems in the list; nobody was added", len(problems)),
			Problems:  problems}
	}
	return events, nil
}

// UpdateParticipant changes a participant's name, post, unit, role or
// non-voting mark (all of them: omitted fields are cleared).
type UpdateParticipant struct {
	ID string `json:"id"`
	NewParticipant
}

// Name implements Command.
func (*UpdateParticipant) Name() string { return "participant.update" }

func (s *State) participant(id string) (int, error) {
	i := s.ParticipantIndex(id)
	if i < 0 {
		return -1, Errorf(KindNotFound, "Không tìm thấy người tham dự %q.", "participant %q not found", id)
	}
	return i, nil
}

func (c *UpdateParticipant) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.participant(c.ID)
	if err != nil {
		return nil, err
	}
	p, err := c.NewParticipant.validate()
	if err != nil {
		return nil, err
	}
	old := s.Participants[i]
	np := Participant{ID: c.ID, Name: p.Name, Position: p.Position, Unit: p.Unit, Role: p.Role, Paired: old.Paired, NonVoting: p.NonVoting}
	if np == old {
		return nil, Errorf(KindConflict, "Thông tin người tham dự không thay đổi.", "the participant is unchanged")
	}
	// participant.updated goes to everyone: it must not carry the staff-only
	// pairing flag (Apply keeps the participant's own).
	np.Paired = false
	return []Event{newEvent(EventParticipantUpdated, np)}, nil
}

// RemoveParticipant removes a participant (their tablet sessions end), with
// their attendance record and pending requests for the floor. Not while they
// have the floor, nor while they are a voter of an open poll.
type RemoveParticipant struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*RemoveParticipant) Name() string { return "participant.remove" }

func (c *RemoveParticipant) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if _, err := s.participant(c.ID); err != nil {
		return nil, err
	}
	if cur, ok := s.Speaking(); ok && cur.Participant == c.ID {
		return nil, Errorf(KindConflict, "Người này đang phát biểu; hãy kết thúc lượt phát biểu trước.", "the participant has the floor: end the speech first")
	}
	for _, p := range s.Polls {
		if p.Status == PollStatusOpen && p.IsEligible(c.ID) {
			return nil, Errorf(KindConflict, "Người này có quyền bỏ phiếu trong cuộc biểu quyết %s chưa kết thúc.", "the participant is a voter of open poll %q", p.ID)
		}
	}
	return []Event{newEvent(EventParticipantRemoved, ParticipantRef{ID: c.ID})}, nil
}

// RecordPairing records that a tablet paired for a participant. Only the
// server gives it, after a pairing code was redeemed; only staff see it.
// The server records the pairings of a congress's tablets, which arrive by
// the thousand, a batch at a time: IDs are more participants paired at the
// same time (at most MaxPairings in all, repeats allowed: a participant
// may pair a second tablet). One participant.paired event per ID.
type RecordPairing struct {
	ID  string   `json:"id"`
	IDs []string `json:"ids,omitempty"`
}

// MaxPairings is the most pairings one RecordPairing records.
const MaxPairings = 1000

// Name implements Command.
func (*RecordPairing) Name() string { return "participant.paired" }

func (c *RecordPairing) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if 1+len(c.IDs) > MaxPairings {
		return nil, Errorf(KindInvalid, "Một lần ghi nhận tối đa %d lượt ghép nối.", "at most %d pairings are recorded at once", MaxPairings)
	}
	var known map[string]bool // for a batch: one pass over the roster, not one per ID
	if len(c.IDs) > 0 {
		known = make(map[string]bool, len(s.Participants))
		for i := range s.Participants {
			known[s.Participants[i].ID] = true
		}
	}
	events := make([]Event, 0, 1+len(c.IDs))
	for i := -1; i < len(c.IDs); i++ {
		id := c.ID
		if i >= 0 {
			id = c.IDs[i]
		}
		if known != nil && !known[id] || known == nil && s.ParticipantIndex(id) < 0 {
			return nil, Errorf(KindNotFound, "Không tìm thấy người tham dự %q.", "participant %q not found", id)
		}
		e := newEvent(EventParticipantPaired, ParticipantRef{ID: id})
		e.Audience = staffAudience
		events = append(events, e)
	}
	return events, nil
}

// ---- notices ----

// SendNotice sends a notice to everyone, or privately to one participant
// (To). A private notice reaches its addressee and the staff only.
type SendNotice struct {
	Text string `json:"text"`
	To   string `json:"to,omitempty"`
}

// Name implements Command.
func (*SendNotice) Name() string { return "notice.send" }

func (c *SendNotice) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	t, err := text("text", "Nội dung thông báo", c.Text, MaxNotice, false)
	if err != nil {
		return nil, err
	}
	if c.To != "" {
		if _, err := s.participant(c.To); err != nil {
			return nil, err
		}
	}
	if len(s.Notices) >= MaxNotices {
		return nil, Errorf(KindConflict, "Đã quá số thông báo cho phép.", "too many notices")
	}
	n := Notice{ID: noticeID(first), At: now, Text: t, To: c.To} // At: the event's own time (never the zero time)
	e := newEvent(EventNoticeSent, n)
	e.Audience = noticeAudience(n)
	return []Event{e}, nil
}

// noticeAudience is who may see notice n.
func noticeAudience(n Notice) Audience {
	if n.To == "" {
		return Audience{}
	}
	return Audience{Roles: staffAudience.Roles, Participants: []string{n.To}}
}
