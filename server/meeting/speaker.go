package meeting

import (
	"fmt"
	"slices"
	"time"
)

// The speaker list.
//
// Each agenda item has its own queue of requests for the floor
// (State.Requests, in queue order per item). A point of order goes ahead of
// everyone but earlier points of order; a reply to the last speaker goes
// next, behind points of order and earlier replies; normal requests follow
// in the order they were made. The secretariat may reorder the queue at
// will; later requests are then placed behind the last request of the same
// or a higher priority. A participant has at most one request per item.
//
// A speech (State.Speeches, in order; the current one has no End) keeps its
// clock as timestamps: Elapsed is the speaking time accumulated up to
// RunningSince (the last start or resume; zero while paused), so that
// ElapsedAt, Remaining and Overrun are pure functions of the time asked
// about, and every replica shows the same countdown.
//
// Statuses: delegates ask for the floor, and the floor is given (or a
// paused clock resumed), only while the meeting is open. The rest —
// withdrawing, reordering, adding speakers, ending a speech, closing or
// reopening a list, pausing the clock, adding time, setting limits — also
// works while the meeting is paused. Pausing the meeting pauses the clock
// of the current speech; resuming the meeting does not restart it (the
// secretariat resumes the clock when the speaker goes on). Closing the
// meeting ends the current speech.

// SpeechKind is the kind of a request for the floor.
type SpeechKind string

// The kinds of request, by priority.
const (
	SpeechPointOfOrder SpeechKind = "point_of_order" // kiến nghị về thủ tục
	SpeechReply        SpeechKind = "reply"          // phát biểu tranh luận, đáp lại người vừa phát biểu
	SpeechNormal       SpeechKind = "normal"         // phát biểu
)

func (k SpeechKind) rank() int {
	switch k {
	case SpeechPointOfOrder:
		return 0
	case SpeechReply:
		return 1
	}
	return 2
}

func (k SpeechKind) valid() bool {
	return k == SpeechPointOfOrder || k == SpeechReply || k == SpeechNormal
}

// SpeakerRequest is a request for the floor on an agenda item.
type SpeakerRequest struct {
	ID          string     `json:"id"`
	Item        string     `json:"item"`
	Participant string     `json:"participant"`
	Kind        SpeechKind `json:"kind"`
	Topic       string     `json:"topic,omitempty"`
	ReplyTo     string     `json:"reply_to,omitempty"` // a reply: the participant replied to
	At          time.Time  `json:"at,omitzero"`        // when it was made (the event's time)
}

// Speech is one speech: who had the floor, on what, from when to when.
type Speech struct {
	ID           string        `json:"id"`
	Item         string        `json:"item"`
	Participant  string        `json:"participant"`
	Kind         SpeechKind    `json:"kind"`
	Topic        string        `json:"topic,omitempty"`
	ReplyTo      string        `json:"reply_to,omitempty"`
	Request      string        `json:"request,omitempty"`
	Start        time.Time     `json:"start,omitzero"`
	End          time.Time     `json:"end,omitzero"`           // zero while speaking
	Limit        time.Duration `json:"limit,omitempty"`        // 0: no limit
	Elapsed      time.Duration `json:"elapsed,omitempty"`      // speaking time up to RunningSince; the whole once ended
	RunningSince time.Time     `json:"running_since,omitzero"` // zero while paused or ended
	Paused       bool          `json:"paused,omitempty"`
}

// Speaking reports whether the speech is going on.
func (sp Speech) Speaking() bool { return sp.End.IsZero() }

// ElapsedAt returns the speaking time at now (pauses excluded).
func (sp Speech) ElapsedAt(now time.Time) time.Duration {
	d := sp.Elapsed
	if sp.Speaking() && !sp.Paused && !sp.RunningSince.IsZero() && now.After(sp.RunningSince) {
		d += now.Sub(sp.RunningSince)
	}
	return d
}

// Remaining returns the speaking time left at now: 0 once the limit is
// reached, and 0 when there is no limit.
func (sp Speech) Remaining(now time.Time) time.Duration {
	if sp.Limit <= 0 {
		return 0
	}
	return max(0, sp.Limit-sp.ElapsedAt(now))
}

// Overrun returns how far the speech has run over its limit at now (0 when
// within it or without a limit).
func (sp Speech) Overrun(now time.Time) time.Duration {
	if sp.Limit <= 0 {
		return 0
	}
	return max(0, sp.ElapsedAt(now)-sp.Limit)
}

// Limits of the speaker list.
const (
	MaxSpeeches = 10000 // speeches in a meeting
	MaxAddTime  = time.Hour
)

// Payloads of the speaker events.
type (
	// SpeakerRequested is the payload of speaker.requested: the request
	// and its 1-based position in its item's queue.
	SpeakerRequested struct {
		Request  SpeakerRequest `json:"request"`
		Position int            `json:"position"`
	}
	// RequestRef names a request.
	RequestRef struct {
		ID string `json:"id"`
	}
	// RequestMoved is the payload of speaker.moved.
	RequestMoved struct {
		ID       string `json:"id"`
		Position int    `json:"position"`
	}
	// SpeechRef names a speech.
	SpeechRef struct {
		ID string `json:"id"`
	}
	// SpeechClock is the payload of speaker.ended and speaker.timer_paused:
	// the speaking time at that moment.
	SpeechClock struct {
		ID      string        `json:"id"`
		Elapsed time.Duration `json:"elapsed"`
	}
	// SpeechLimit is the payload of speaker.limit_set.
	SpeechLimit struct {
		ID    string        `json:"id"`
		Limit time.Duration `json:"limit"`
	}
	// ItemLimit is the payload of speaker.item_limit_set (0: the meeting's default).
	ItemLimit struct {
		Item  string        `json:"item"`
		Limit time.Duration `json:"limit"`
	}
)

func requestID(seq int64) string { return fmt.Sprintf("r%d", seq) }
func speechID(seq int64) string  { return fmt.Sprintf("s%d", seq) }

// Queue returns the requests for the floor on item, in order.
func (s *State) Queue(item string) []SpeakerRequest {
	var q []SpeakerRequest
	for _, r := range s.Requests {
		if r.Item == item {
			q = append(q, r)
		}
	}
	return q
}

// Speaking returns the current speech, if any.
func (s *State) Speaking() (Speech, bool) {
	if i := s.speakingIndex(); i >= 0 {
		return s.Speeches[i], true
	}
	return Speech{}, false
}

func (s *State) speakingIndex() int {
	for i := len(s.Speeches) - 1; i >= 0; i-- {
		if s.Speeches[i].Speaking() {
			return i
		}
	}
	return -1
}

func (s *State) requestIndex(id string) int {
	return slices.IndexFunc(s.Requests, func(r SpeakerRequest) bool { return r.ID == id })
}

func (s *State) request(id string) (SpeakerRequest, error) {
	i := s.requestIndex(id)
	if i < 0 {
		return SpeakerRequest{}, Errorf(KindNotFound, "Không tìm thấy yêu cầu phát biểu %q.", "request %q not found", id)
	}
	return s.Requests[i], nil
}

// itemOrCurrent returns the index of item id, or of the current item when id
// is empty.
func (s *State) itemOrCurrent(id string) (int, error) {
	if id == "" {
		if s.Current == "" {
			return -1, Errorf(KindConflict, "Chưa có mục nào đang thảo luận.", "no agenda item is current")
		}
		id = s.Current
	}
	return s.item(id)
}

// priorityPosition returns the 1-based position of a new request of kind k
// in queue: behind the last request of the same or a higher priority.
func priorityPosition(queue []SpeakerRequest, k SpeechKind) int {
	pos := 0
	for i, r := range queue {
		if r.Kind.rank() <= k.rank() {
			pos = i + 1
		}
	}
	return pos + 1
}

// speechLimit is the limit of a new speech on item i.
func (s *State) speechLimit(i int) time.Duration {
	if l := s.Agenda[i].SpeakingLimit; l > 0 {
		return l
	}
	return s.Settings.SpeakingTime
}

// newRequest validates and builds a request for the floor by participant p
// on item i, placed at position (0: by priority).
func (s *State) newRequest(i int, p string, kind SpeechKind, topic string, position int, first int64) ([]Event, error) {
	if kind == "" {
		kind = SpeechNormal
	}
	if !kind.valid() {
		return nil, fieldErr("kind", fmt.Sprintf("Loại phát biểu %q không hợp lệ.", kind), fmt.Sprintf("speech kind %q is not valid", kind))
	}
	topic, err := text("topic", "Nội dung đăng ký", topic, MaxTitle, true)
	if err != nil {
		return nil, err
	}
	item := s.Agenda[i].ID
	queue := s.Queue(item)
	if slices.ContainsFunc(queue, func(r SpeakerRequest) bool { return r.Participant == p }) {
		return nil, Errorf(KindConflict, "Đã có đăng ký phát biểu ở mục này; hãy rút đăng ký cũ trước.", "there is already a request for this item")
	}
	replyTo := ""
	if kind == SpeechReply {
		for j := len(s.Speeches) - 1; j >= 0; j-- {
			if s.Speeches[j].Item == item {
				replyTo = s.Speeches[j].Participant
				break
			}
		}
		if replyTo == "" {
			return nil, Errorf(KindConflict, "Chưa có ai phát biểu ở mục này để tranh luận.", "nobody has spoken on this item yet: there is nothing to reply to")
		}
		if replyTo == p {
			return nil, Errorf(KindConflict, "Không thể tranh luận với chính mình.", "one cannot reply to oneself")
		}
	}
	if position == 0 {
		position = priorityPosition(queue, kind)
	} else if position < 1 || position > len(queue)+1 {
		return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("Vị trí %d không hợp lệ (từ 1 đến %d).", position, len(queue)+1),
			MessageEN: fmt.Sprintf("position %d is out of range 1..%d", position, len(queue)+1), Problems: []Problem{{Field: "position", Message: "Vị trí không hợp lệ.", MessageEN: "bad position"}}}
	}
	r := SpeakerRequest{ID: requestID(first), Item: item, Participant: p, Kind: kind, Topic: topic, ReplyTo: replyTo}
	return []Event{newEvent(EventSpeakerRequested, SpeakerRequested{Request: r, Position: position})}, nil
}

// RequestFloor is a participant asking for the floor on the current item
// (kind normal by default, point_of_order, or reply to the last speaker).
// Refused while the item's list is closed.
type RequestFloor struct {
	Kind  SpeechKind `json:"kind,omitempty"`
	Topic string     `json:"topic,omitempty"`
}

// Name implements Command.
func (*RequestFloor) Name() string { return "speaker.request" }

func (c *RequestFloor) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	p, err := s.self(a, "đăng ký phát biểu")
	if err != nil {
		return nil, err
	}
	if s.Status != StatusOpen {
		return nil, statusConflict(s, "đăng ký phát biểu")
	}
	i, err := s.itemOrCurrent("")
	if err != nil {
		return nil, err
	}
	if s.Agenda[i].SpeakersClosed {
		return nil, Errorf(KindConflict, "Danh sách phát biểu của mục này đã khóa.", "the speaker list of this item is closed")
	}
	return s.newRequest(i, p.ID, c.Kind, c.Topic, 0, first)
}

// AddSpeaker is the secretariat putting a participant on an item's list
// (Item empty: the current one), of any kind, even when the list is closed;
// at Position (1-based) or, when 0, by priority.
type AddSpeaker struct {
	Participant string     `json:"participant"`
	Item        string     `json:"item,omitempty"`
	Kind        SpeechKind `json:"kind,omitempty"`
	Topic       string     `json:"topic,omitempty"`
	Position    int        `json:"position,omitempty"`
}

// Name implements Command.
func (*AddSpeaker) Name() string { return "speaker.add" }

func (c *AddSpeaker) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if err := sessionStatus(s, "thêm người phát biểu"); err != nil {
		return nil, err
	}
	j, err := s.participant(c.Participant)
	if err != nil {
		return nil, err
	}
	if s.Participants[j].Role.Device() {
		return nil, fieldErr("participant", "Màn hình hội trường không phát biểu.", "the hall screen does not speak")
	}
	i, err := s.itemOrCurrent(c.Item)
	if err != nil {
		return nil, err
	}
	return s.newRequest(i, c.Participant, c.Kind, c.Topic, c.Position, first)
}

// sessionStatus accepts commands that also work while the meeting is paused.
func sessionStatus(s *State, what string) error {
	if s.Status != StatusOpen && s.Status != StatusPaused {
		return statusConflict(s, what)
	}
	return nil
}

// WithdrawRequest withdraws a request for the floor: one's own, or (the
// secretariat) anyone's.
type WithdrawRequest struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*WithdrawRequest) Name() string { return "speaker.withdraw" }

func (c *WithdrawRequest) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	r, err := s.request(c.ID)
	if err != nil {
		return nil, err
	}
	if !a.Role.Staff() && r.Participant != a.Participant {
		return nil, Errorf(KindForbidden, "Đồng chí chỉ có thể rút đăng ký của chính mình.", "a delegate can withdraw only their own request")
	}
	if err := sessionStatus(s, "rút đăng ký phát biểu"); err != nil {
		return nil, err
	}
	return []Event{newEvent(EventSpeakerWithdrawn, RequestRef{ID: c.ID})}, nil
}

// ReorderRequest moves a request to Position (1-based) in its item's queue.
type ReorderRequest struct {
	ID       string `json:"id"`
	Position int    `json:"position"`
}

// Name implements Command.
func (*ReorderRequest) Name() string { return "speaker.reorder" }

func (c *ReorderRequest) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	r, err := s.request(c.ID)
	if err != nil {
		return nil, err
	}
	if err := sessionStatus(s, "sắp xếp danh sách phát biểu"); err != nil {
		return nil, err
	}
	queue := s.Queue(r.Item)
	if c.Position < 1 || c.Position > len(queue) {
		return nil, Errorf(KindInvalid, "Vị trí %d không hợp lệ (từ 1 đến %d).", "position %d is out of range 1..%d", c.Position, len(queue))
	}
	if queue[c.Position-1].ID == c.ID {
		return nil, Errorf(KindConflict, "Yêu cầu đã ở vị trí %d.", "the request is already at position %d", c.Position)
	}
	return []Event{newEvent(EventSpeakerMoved, RequestMoved{ID: c.ID, Position: c.Position})}, nil
}

// GiveFloor gives the floor to request ID, or, when ID is empty, to the
// head of the current item's queue. Whoever was speaking stops first (their
// speech is recorded). Only while the meeting is open.
type GiveFloor struct {
	ID string `json:"id,omitempty"`
}

// Name implements Command.
func (*GiveFloor) Name() string { return "speaker.give_floor" }

func (c *GiveFloor) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Status != StatusOpen {
		return nil, statusConflict(s, "mời phát biểu")
	}
	var r SpeakerRequest
	if c.ID == "" {
		i, err := s.itemOrCurrent("")
		if err != nil {
			return nil, err
		}
		q := s.Queue(s.Agenda[i].ID)
		if len(q) == 0 {
			return nil, Errorf(KindConflict, "Danh sách phát biểu của mục này đang trống.", "the speaker list of this item is empty")
		}
		r = q[0]
	} else {
		var err error
		if r, err = s.request(c.ID); err != nil {
			return nil, err
		}
	}
	if len(s.Speeches) >= MaxSpeeches {
		return nil, Errorf(KindConflict, "Đã quá số lượt phát biểu cho phép.", "too many speeches")
	}
	var events []Event
	if cur, ok := s.Speaking(); ok {
		events = append(events, newEvent(EventSpeechEnded, SpeechClock{ID: cur.ID, Elapsed: cur.ElapsedAt(now)}))
	}
	sp := Speech{ID: speechID(first + int64(len(events))), Item: r.Item, Participant: r.Participant, Kind: r.Kind, Topic: r.Topic, ReplyTo: r.ReplyTo,
		Request: r.ID, Limit: s.speechLimit(s.ItemIndex(r.Item))}
	return append(events, newEvent(EventFloorGiven, sp)), nil
}

// EndSpeech ends the current speech: given by the secretariat or by the
// speaker.
type EndSpeech struct{}

// Name implements Command.
func (*EndSpeech) Name() string { return "speaker.end" }

func (*EndSpeech) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	cur, ok := s.Speaking()
	if !ok {
		return nil, Errorf(KindConflict, "Không có ai đang phát biểu.", "nobody has the floor")
	}
	if !a.Role.Staff() && cur.Participant != a.Participant {
		return nil, Errorf(KindForbidden, "Chỉ người đang phát biểu hoặc chủ tọa, thư ký mới kết thúc được lượt phát biểu.", "only the speaker or the secretariat can end a speech")
	}
	return []Event{newEvent(EventSpeechEnded, SpeechClock{ID: cur.ID, Elapsed: cur.ElapsedAt(now)})}, nil
}

// CloseList closes an item's speaker list (Item empty: the current item):
// requests are refused, the secretariat can still add speakers.
type CloseList struct {
	Item string `json:"item,omitempty"`
}

// Name implements Command.
func (*CloseList) Name() string { return "speaker.close_list" }

func (c *CloseList) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	return s.setListClosed(c.Item, true)
}

// ReopenList reopens an item's speaker list (Item empty: the current item).
type ReopenList struct {
	Item string `json:"item,omitempty"`
}

// Name implements Command.
func (*ReopenList) Name() string { return "speaker.reopen_list" }

func (c *ReopenList) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	return s.setListClosed(c.Item, false)
}

func (s *State) setListClosed(item string, closed bool) ([]Event, error) {
	if err := sessionStatus(s, "khóa hoặc mở danh sách phát biểu"); err != nil {
		return nil, err
	}
	i, err := s.itemOrCurrent(item)
	if err != nil {
		return nil, err
	}
	if s.Agenda[i].SpeakersClosed == closed {
		if closed {
			return nil, Errorf(KindConflict, "Danh sách phát biểu đã khóa.", "the speaker list is already closed")
		}
		return nil, Errorf(KindConflict, "Danh sách phát biểu đang mở.", "the speaker list is already open")
	}
	typ := EventListClosed
	if !closed {
		typ = EventListReopened
	}
	return []Event{newEvent(typ, ItemRef{ID: s.Agenda[i].ID})}, nil
}

// The actions of speaker.timer.
const (
	TimerPause  = "pause"
	TimerResume = "resume"
	TimerAdd    = "add"
)

// SpeakerTimer pauses or resumes the current speaker's clock, or adds
// Seconds to its limit.
type SpeakerTimer struct {
	Action  string `json:"action"`
	Seconds int    `json:"seconds,omitempty"`
}

// Name implements Command.
func (*SpeakerTimer) Name() string { return "speaker.timer" }

func (c *SpeakerTimer) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if c.Action != TimerPause && c.Action != TimerResume && c.Action != TimerAdd {
		return nil, fieldErr("action", fmt.Sprintf("Thao tác %q không hợp lệ (pause, resume, add).", c.Action), fmt.Sprintf("timer action %q is not valid (pause, resume, add)", c.Action))
	}
	if err := sessionStatus(s, "điều chỉnh đồng hồ phát biểu"); err != nil {
		return nil, err
	}
	cur, ok := s.Speaking()
	if !ok {
		return nil, Errorf(KindConflict, "Không có ai đang phát biểu.", "nobody has the floor")
	}
	switch c.Action {
	case TimerPause:
		if cur.Paused {
			return nil, Errorf(KindConflict, "Đồng hồ đã tạm dừng.", "the clock is already paused")
		}
		return []Event{newEvent(EventTimerPaused, SpeechClock{ID: cur.ID, Elapsed: cur.ElapsedAt(now)})}, nil
	case TimerResume:
		if s.Status != StatusOpen {
			return nil, statusConflict(s, "tiếp tục tính giờ")
		}
		if !cur.Paused {
			return nil, Errorf(KindConflict, "Đồng hồ đang chạy.", "the clock is running")
		}
		return []Event{newEvent(EventTimerResumed, SpeechRef{ID: cur.ID})}, nil
	}
	if c.Seconds < 1 || time.Duration(c.Seconds)*time.Second > MaxAddTime {
		return nil, fieldErr("seconds", fmt.Sprintf("Thời gian thêm phải từ 1 đến %d giây.", int(MaxAddTime/time.Second)), fmt.Sprintf("the time added must be between 1 and %d seconds", int(MaxAddTime/time.Second)))
	}
	if cur.Limit <= 0 {
		return nil, Errorf(KindConflict, "Lượt phát biểu này không giới hạn thời gian.", "this speech has no time limit")
	}
	limit := cur.Limit + time.Duration(c.Seconds)*time.Second
	if limit > MaxSpeakingTime {
		return nil, fieldErr("seconds", "Thời gian phát biểu vượt quá giới hạn cho phép.", "the speaking time would exceed the maximum")
	}
	return []Event{newEvent(EventSpeechLimitSet, SpeechLimit{ID: cur.ID, Limit: limit})}, nil
}

// SetSpeakingLimit sets the speaking limit (Seconds; 0 means none) of the
// current speech (Current), or the default limit of an item's speeches
// (Item, or the current item; 0 means the meeting's default).
type SetSpeakingLimit struct {
	Item    string `json:"item,omitempty"`
	Current bool   `json:"current,omitempty"`
	Seconds int    `json:"seconds"`
}

// Name implements Command.
func (*SetSpeakingLimit) Name() string { return "speaker.set_limit" }

func (c *SetSpeakingLimit) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	d, err := seconds("seconds", c.Seconds, MaxSpeakingTime)
	if err != nil {
		return nil, err
	}
	if c.Current {
		if c.Item != "" {
			return nil, fieldErr("item", "Không chọn mục khi đặt giờ cho người đang phát biểu.", "give either an item or current, not both")
		}
		cur, ok := s.Speaking()
		if !ok {
			return nil, Errorf(KindConflict, "Không có ai đang phát biểu.", "nobody has the floor")
		}
		if cur.Limit == d {
			return nil, Errorf(KindConflict, "Thời gian phát biểu không thay đổi.", "the limit is unchanged")
		}
		return []Event{newEvent(EventSpeechLimitSet, SpeechLimit{ID: cur.ID, Limit: d})}, nil
	}
	i, err := s.itemOrCurrent(c.Item)
	if err != nil {
		return nil, err
	}
	if s.Agenda[i].SpeakingLimit == d {
		return nil, Errorf(KindConflict, "Thời gian phát biểu không thay đổi.", "the limit is unchanged")
	}
	return []Event{newEvent(EventItemLimitSet, ItemLimit{Item: s.Agenda[i].ID, Limit: d})}, nil
}

// insertRequest puts r at 1-based position pos among its item's requests.
func (s *State) insertRequest(r SpeakerRequest, pos int) {
	n := 0
	for i, q := range s.Requests {
		if q.Item != r.Item {
			continue
		}
		n++
		if n == pos {
			s.Requests = slices.Insert(s.Requests, i, r)
			return
		}
	}
	s.Requests = append(s.Requests, r)
}

// applySpeaker folds the speaker events. ok is false for other events.
func (s *State) applySpeaker(e Event) (ok bool, err error) {
	switch e.Type {
	case EventSpeakerRequested:
		var p SpeakerRequested
		if err := decode(e, &p); err != nil {
			return true, err
		}
		p.Request.At = e.At
		s.insertRequest(p.Request, p.Position)
	case EventSpeakerWithdrawn:
		var p RequestRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.requestIndex(p.ID); i >= 0 {
			s.Requests = slices.Delete(s.Requests, i, i+1)
		}
	case EventSpeakerMoved:
		var p RequestMoved
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.requestIndex(p.ID); i >= 0 {
			r := s.Requests[i]
			s.Requests = slices.Delete(s.Requests, i, i+1)
			s.insertRequest(r, p.Position)
		}
	case EventFloorGiven:
		var sp Speech
		if err := decode(e, &sp); err != nil {
			return true, err
		}
		if i := s.requestIndex(sp.Request); i >= 0 {
			s.Requests = slices.Delete(s.Requests, i, i+1)
		}
		sp.Start, sp.RunningSince, sp.End, sp.Elapsed, sp.Paused = e.At, e.At, time.Time{}, 0, false
		s.Speeches = append(s.Speeches, sp)
	case EventSpeechEnded, EventTimerPaused:
		var p SpeechClock
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.speechIndex(p.ID); i >= 0 {
			sp := &s.Speeches[i]
			sp.Elapsed, sp.RunningSince = p.Elapsed, time.Time{}
			if e.Type == EventSpeechEnded {
				sp.End, sp.Paused = e.At, false
			} else {
				sp.Paused = true
			}
		}
	case EventTimerResumed:
		var p SpeechRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.speechIndex(p.ID); i >= 0 {
			s.Speeches[i].Paused, s.Speeches[i].RunningSince = false, e.At
		}
	case EventSpeechLimitSet:
		var p SpeechLimit
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.speechIndex(p.ID); i >= 0 {
			s.Speeches[i].Limit = p.Limit
		}
	case EventItemLimitSet:
		var p ItemLimit
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.ItemIndex(p.Item); i >= 0 {
			s.Agenda[i].SpeakingLimit = p.Limit
		}
	case EventListClosed, EventListReopened:
		var p ItemRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.ItemIndex(p.ID); i >= 0 {
			s.Agenda[i].SpeakersClosed = e.Type == EventListClosed
		}
	default:
		return false, nil
	}
	return true, nil
}

func (s *State) speechIndex(id string) int {
	return slices.IndexFunc(s.Speeches, func(sp Speech) bool { return sp.ID == id })
}
