package meeting

import (
	"fmt"
	"slices"
	"time"
)

// Written contributions (tham luận, docs/congress.md §4).
//
// A delegate registers a contribution with a title and its text, which the
// server stores first and which becomes a document of the meeting, readable
// by the secretariat, the presidium and the author (access named). The
// presidium chooses who speaks, and in what order, through the existing
// speaker queue: contribution.schedule puts the author on an agenda item's
// queue like speaker.add does. Whether a contribution was read is derived
// from the speeches (ContributionStatus), never stored twice; the minutes
// list the others as sent to the congress (tham luận gửi đại hội).

// Limits of the contributions.
const (
	MaxContributions       = 2000 // contributions of a meeting
	MaxContributionsPerOne = 5    // contributions of one delegate
)

// ContributionTypes are the media types a contribution's text may have.
var ContributionTypes = []string{
	"application/pdf",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// Contribution is a written contribution. ID is "t<seq>" of the event that
// registered it.
type Contribution struct {
	ID          string    `json:"id"`
	Participant string    `json:"participant"` // the author
	Title       string    `json:"title"`
	Document    string    `json:"document"` // the text, a document of the meeting
	At          time.Time `json:"at"`
	// Request is the speaker request it was last scheduled as (on Item);
	// whether it is still queued or was answered is in the speaker list.
	Request   string `json:"request,omitempty"`
	Item      string `json:"item,omitempty"`
	Withdrawn bool   `json:"withdrawn,omitempty"`
}

// ContributionState is where a contribution stands.
type ContributionState string

// The states of a contribution, derived by ContributionStatus.
const (
	ContributionStateRegistered ContributionState = "registered" // đã đăng ký, chưa được chọn
	ContributionStateScheduled  ContributionState = "scheduled"  // trong danh sách phát biểu
	ContributionStateSpoken     ContributionState = "spoken"     // đã trình bày tại đại hội
	ContributionStateWithdrawn  ContributionState = "withdrawn"  // đã rút
)

// ContributionStatus returns where c stands and, once spoken, its speech
// (the last one that answered its request).
func (s *State) ContributionStatus(c Contribution) (ContributionState, Speech) {
	if c.Request != "" {
		for i := len(s.Speeches) - 1; i >= 0; i-- {
			if s.Speeches[i].Request == c.Request {
				return ContributionStateSpoken, s.Speeches[i]
			}
		}
	}
	switch {
	case c.Withdrawn:
		return ContributionStateWithdrawn, Speech{}
	case c.Request != "" && s.requestIndex(c.Request) >= 0:
		return ContributionStateScheduled, Speech{}
	}
	return ContributionStateRegistered, Speech{}
}

// Payloads of the contribution events.
type (
	// ContributionRegistered is the payload of contribution.registered.
	ContributionRegistered struct {
		ID          string `json:"id"`
		Participant string `json:"participant"`
		Title       string `json:"title"`
		Document    string `json:"document"`
	}
	// ContributionScheduled is the payload of contribution.scheduled:
	// the speaker request it was put on the queue as.
	ContributionScheduled struct {
		ID      string `json:"id"`
		Request string `json:"request"`
		Item    string `json:"item"`
	}
	// ContributionRef names a contribution; the payload of
	// contribution.withdrawn.
	ContributionRef struct {
		ID string `json:"id"`
	}
)

func contributionID(seq int64) string { return fmt.Sprintf("t%d", seq) }

// Contribution returns contribution id and whether it exists.
func (s *State) Contribution(id string) (Contribution, bool) {
	if i := s.contributionIndex(id); i >= 0 {
		return s.Floor.Contributions[i], true
	}
	return Contribution{}, false
}

func (s *State) contributionIndex(id string) int {
	if s.Floor == nil {
		return -1
	}
	return slices.IndexFunc(s.Floor.Contributions, func(c Contribution) bool { return c.ID == id })
}

func (s *State) contribution(id string) (int, error) {
	i := s.contributionIndex(id)
	if i < 0 {
		return -1, Errorf(KindNotFound, "Không tìm thấy tham luận %q.", "contribution %q not found", id)
	}
	return i, nil
}

// ContributionPrefix starts the title of a contribution's document and
// the topic of its speaker request.
const ContributionPrefix = "Tham luận: "

// RegisterContribution registers a delegate's written contribution, once
// the server stored its text (File). Only the server gives it, with the
// uploader as the actor (the author, or a secretary on their behalf).
type RegisterContribution struct {
	Participant string `json:"participant"`
	Title       string `json:"title"`
	File        File   `json:"file"`
}

// Name implements Command.
func (*RegisterContribution) Name() string { return "contribution.register" }

func (c *RegisterContribution) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.participant(c.Participant)
	if err != nil {
		return nil, err
	}
	p := s.Participants[i]
	if p.Role == RoleHall || p.Role == RoleObserver {
		return nil, fieldErr("participant", fmt.Sprintf("%s không phải đại biểu nên không gửi tham luận được.", p.Name), fmt.Sprintf("participant %s is not a delegate", p.ID))
	}
	title, err := text("title", "Tên tham luận", c.Title, MaxTitle-len([]rune(ContributionPrefix)), false)
	if err != nil {
		return nil, err
	}
	f, err := c.File.validate()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(ContributionTypes, f.ContentType) {
		return nil, fieldErr("file", "Văn bản tham luận phải là tệp PDF hoặc DOCX.", "a contribution's text must be a PDF or DOCX file")
	}
	mine := 0
	if s.Floor != nil {
		for _, o := range s.Floor.Contributions {
			if o.Participant == p.ID && !o.Withdrawn {
				mine++
			}
		}
		if len(s.Floor.Contributions) >= MaxContributions {
			return nil, Errorf(KindConflict, "Đã quá số tham luận cho phép.", "too many contributions")
		}
	}
	if mine >= MaxContributionsPerOne {
		return nil, Errorf(KindConflict, "%s đã đăng ký %d tham luận.", "participant %q already registered %d contributions", p.Name, mine)
	}
	if len(s.Documents) >= MaxDocuments {
		return nil, Errorf(KindConflict, "Cuộc họp đã có đủ %d tài liệu.", "the meeting already has %d documents", MaxDocuments)
	}
	// The text: readable by the secretariat, the presidium and the author.
	readers := []string{p.ID}
	if b, ok := s.Body(BodyPresidium); ok {
		for _, m := range b.Members {
			if !slices.Contains(readers, m.Participant) {
				readers = append(readers, m.Participant)
			}
		}
	}
	d := Document{ID: documentID(first), DocumentSpec: DocumentSpec{Title: ContributionPrefix + title, Access: AccessNamed, Readers: readers},
		Status: DocumentPublished, Rev: first, CreatedAt: now, Versions: []DocumentVersion{{Number: 1, File: f, At: now, By: a.ID}}}
	added := newEvent(EventDocumentAdded, d)
	added.Audience = d.Audience()
	reg := newEvent(EventContributionRegistered, ContributionRegistered{ID: contributionID(first + 1), Participant: p.ID, Title: title, Document: d.ID})
	return []Event{added, reg}, nil
}

// ScheduleContribution puts a contribution's author on an agenda item's
// speaker queue (Item empty: the current item), at Position (0: by
// priority, that is at the end), with the contribution's title as topic.
// Given by the secretariat or a member of the presidium.
type ScheduleContribution struct {
	ID       string `json:"id"`
	Item     string `json:"item,omitempty"`
	Position int    `json:"position,omitempty"`
}

// Name implements Command.
func (*ScheduleContribution) Name() string { return "contribution.schedule" }

func (c *ScheduleContribution) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if !a.Role.Staff() && !s.presidium(a.Participant) {
		return nil, Errorf(KindForbidden, "Chỉ Đoàn Chủ tịch và thư ký mới chọn tham luận trình bày tại đại hội.", "only the presidium and the secretariat choose the contributions read in the plenary")
	}
	i, err := s.contribution(c.ID)
	if err != nil {
		return nil, err
	}
	if err := sessionStatus(s, "chọn tham luận trình bày"); err != nil {
		return nil, err
	}
	t := s.Floor.Contributions[i]
	switch st, _ := s.ContributionStatus(t); st {
	case ContributionStateSpoken:
		return nil, Errorf(KindConflict, "Tham luận đã được trình bày.", "the contribution was already read")
	case ContributionStateScheduled:
		return nil, Errorf(KindConflict, "Tham luận đã có trong danh sách phát biểu.", "the contribution is already on the speaker list")
	case ContributionStateWithdrawn:
		return nil, Errorf(KindConflict, "Tham luận đã được rút.", "the contribution was withdrawn")
	}
	j, err := s.itemOrCurrent(c.Item)
	if err != nil {
		return nil, err
	}
	topic := []rune(ContributionPrefix + t.Title)
	if len(topic) > MaxTitle {
		topic = topic[:MaxTitle]
	}
	events, err := s.newRequest(j, t.Participant, SpeechNormal, string(topic), c.Position, first)
	if err != nil {
		return nil, err
	}
	return append(events, newEvent(EventContributionScheduled, ContributionScheduled{ID: t.ID, Request: requestID(first), Item: s.Agenda[j].ID})), nil
}

// WithdrawContribution withdraws a contribution not yet read (its author,
// or the secretariat); a queued request for it is withdrawn too.
type WithdrawContribution struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*WithdrawContribution) Name() string { return "contribution.withdraw" }

func (c *WithdrawContribution) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.contribution(c.ID)
	if err != nil {
		return nil, err
	}
	t := s.Floor.Contributions[i]
	if !a.Role.Staff() && a.Participant != t.Participant {
		return nil, Errorf(KindForbidden, "Đồng chí chỉ rút được tham luận của mình.", "a delegate can withdraw only their own contribution")
	}
	var events []Event
	switch st, _ := s.ContributionStatus(t); st {
	case ContributionStateSpoken:
		return nil, Errorf(KindConflict, "Tham luận đã được trình bày nên không rút được.", "the contribution was read: it cannot be withdrawn")
	case ContributionStateWithdrawn:
		return nil, Errorf(KindConflict, "Tham luận đã được rút.", "the contribution was already withdrawn")
	case ContributionStateScheduled:
		events = append(events, newEvent(EventSpeakerWithdrawn, RequestRef{ID: t.Request}))
	}
	return append(events, newEvent(EventContributionWithdrawn, ContributionRef{ID: t.ID})), nil
}

// applyContributions folds the contribution events; ok is false for others.
func (s *State) applyContributions(e Event) (ok bool, err error) {
	switch e.Type {
	case EventContributionRegistered:
		var p ContributionRegistered
		if err := decode(e, &p); err != nil {
			return true, err
		}
		f := s.floor()
		f.Contributions = append(f.Contributions, Contribution{ID: p.ID, Participant: p.Participant, Title: p.Title, Document: p.Document, At: e.At})
	case EventContributionScheduled:
		var p ContributionScheduled
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.contributionIndex(p.ID); i >= 0 {
			s.Floor.Contributions[i].Request, s.Floor.Contributions[i].Item = p.Request, p.Item
		}
	case EventContributionWithdrawn:
		var p ContributionRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.contributionIndex(p.ID); i >= 0 {
			s.Floor.Contributions[i].Withdrawn = true
		}
	default:
		return false, nil
	}
	return true, nil
}
