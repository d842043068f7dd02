package meeting

import (
	"fmt"
	"slices"
	"time"
)

// Live features of the meeting room: following the presenter's document
// (trình chiếu) and requests for technical support (yêu cầu hỗ trợ).
//
// Presentation. The secretariat shows a page of a published document on
// every screen that may read it; tablets follow page by page. Every
// document.presented event goes to the audience of the document it names, so
// a viewer who may not read the document never learns that it is shown:
//
//   - presenting another document whose audience does not cover the old
//     one's first stops the presentation (document.presented with an empty
//     document_id) for the old audience;
//   - a change of the presented document that narrows its audience
//     (document.withdraw, document.update) stops the presentation for the
//     old audience before the change; one that widens it repeats the
//     presentation for the new audience after the change, so viewers who
//     gain the document also learn it is shown.
//
// Support requests. Any participant's device may call for a technician or
// the secretariat ("the microphone does not work"); staff see every request
// and resolve it, the requester sees their own.

// Limits of the live features.
const (
	MaxPage              = 100000 // pages of a presented document
	MaxSupportMessage    = 500    // runes in a support request's message
	MaxSupportRequests   = 5000   // support requests in a meeting
	MaxOpenSupportByUser = 3      // open support requests of one participant
)

// Presentation is what the secretariat is showing: a page of a version of a
// document. It is the payload of document.presented; an empty DocumentID
// stops the presentation.
type Presentation struct {
	DocumentID string `json:"document_id"`
	Version    int    `json:"version"`
	Page       int    `json:"page"`
}

// SupportRequest is a participant's request for technical support. ID is
// "h<seq>" of the event that made it.
type SupportRequest struct {
	ID          string    `json:"id"`
	Participant string    `json:"participant"`
	Message     string    `json:"message,omitempty"`
	At          time.Time `json:"at"`
	Resolved    bool      `json:"resolved,omitempty"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	ResolvedBy  string    `json:"resolved_by,omitempty"` // actor ID
}

// SupportRequested is the payload of support.requested.
type SupportRequested struct {
	ID          string `json:"id"`
	Participant string `json:"participant"`
	Message     string `json:"message"`
}

// SupportRef names a support request; the payload of support.resolved.
type SupportRef struct {
	ID string `json:"id"`
}

func supportID(seq int64) string { return fmt.Sprintf("h%d", seq) }

// supportAudience is who sees the requests of participant p: staff and p.
func supportAudience(p string) Audience {
	return Audience{Roles: staffAudience.Roles, Participants: []string{p}}
}

// SupportIndex returns the index of support request id, or -1.
func (s *State) SupportIndex(id string) int {
	for i := range s.Support {
		if s.Support[i].ID == id {
			return i
		}
	}
	return -1
}

// ---- presentation ----

// PresentDocument shows page Page of version Version (0: the latest) of
// published document DocumentID on the screens that may read it. An empty
// DocumentID stops the presentation.
type PresentDocument struct {
	DocumentID string `json:"document_id"`
	Version    int    `json:"version,omitempty"`
	Page       int    `json:"page,omitempty"`
}

// Name implements Command.
func (*PresentDocument) Name() string { return "document.present" }

func (c *PresentDocument) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if c.DocumentID == "" {
		if s.Presentation == nil {
			return nil, Errorf(KindConflict, "Không có tài liệu nào đang được trình chiếu.", "no document is being presented")
		}
		return []Event{s.stopPresenting()}, nil
	}
	i, err := s.document(c.DocumentID)
	if err != nil {
		return nil, err
	}
	d := &s.Documents[i]
	if d.Status != DocumentPublished {
		return nil, Errorf(KindConflict, "Chỉ trình chiếu được tài liệu đã phát hành.", "only a published document can be presented")
	}
	version := c.Version
	if version == 0 {
		version = d.Latest().Number
	}
	if _, ok := d.Version(version); !ok {
		return nil, &Error{Kind: KindNotFound, Message: fmt.Sprintf("Tài liệu %s không có phiên bản %d.", d.ID, c.Version),
			MessageEN: fmt.Sprintf("document %s has no version %d", d.ID, c.Version),
			Problems:  []Problem{{Field: "version", Message: "Phiên bản không tồn tại.", MessageEN: "no such version"}}}
	}
	if c.Page < 1 || c.Page > MaxPage {
		return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("Số trang phải từ 1 đến %d.", MaxPage),
			MessageEN: fmt.Sprintf("page must be between 1 and %d", MaxPage),
			Problems:  []Problem{{Field: "page", Message: "Số trang không hợp lệ.", MessageEN: "invalid page"}}}
	}
	p := Presentation{DocumentID: d.ID, Version: version, Page: c.Page}
	var events []Event
	if old := s.Presentation; old != nil {
		if *old == p {
			return nil, Errorf(KindConflict, "Trang này đang được trình chiếu.", "that page is already being presented")
		}
		if !s.covers(d.Audience(), s.presentationAudience()) {
			events = append(events, s.stopPresenting())
		}
	}
	e := newEvent(EventDocumentPresented, p)
	e.Audience = d.Audience()
	return append(events, e), nil
}

// presentationAudience is the audience of the presented document (staff
// when nothing is presented).
func (s *State) presentationAudience() Audience {
	if s.Presentation != nil {
		if d, ok := s.Document(s.Presentation.DocumentID); ok {
			return d.Audience()
		}
	}
	return staffAudience
}

// stopPresenting is the event that stops the current presentation, for the
// audience that saw it.
func (s *State) stopPresenting() Event {
	e := newEvent(EventDocumentPresented, Presentation{})
	e.Audience = s.presentationAudience()
	return e
}

// presentedChange wraps the events of a change of document i (old is the
// document before, d after): if it is presented, the presentation stops
// before a change that narrows its audience, and is repeated to the new
// audience after a change that only widens it.
func (s *State) presentedChange(old, d Document, events []Event) []Event {
	if s.Presentation == nil || s.Presentation.DocumentID != d.ID {
		return events
	}
	switch {
	case !s.covers(d.Audience(), old.Audience()):
		return append([]Event{s.stopPresenting()}, events...)
	case !s.covers(old.Audience(), d.Audience()):
		e := newEvent(EventDocumentPresented, *s.Presentation)
		e.Audience = d.Audience()
		return append(events, e)
	}
	return events
}

// ---- support requests ----

// RequestSupport asks the secretariat or a technician for help, from a
// participant's device.
type RequestSupport struct {
	Message string `json:"message,omitempty"`
}

// Name implements Command.
func (*RequestSupport) Name() string { return "support.request" }

func (c *RequestSupport) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if a.Participant == "" {
		return nil, Errorf(KindForbidden, "Chỉ thiết bị của người tham dự mới gửi được yêu cầu hỗ trợ.", "only a participant's device can request support")
	}
	if _, err := s.participant(a.Participant); err != nil {
		return nil, err
	}
	msg, err := text("message", "Nội dung yêu cầu", c.Message, MaxSupportMessage, true)
	if err != nil {
		return nil, err
	}
	open := 0
	for _, r := range s.Support {
		if r.Participant == a.Participant && !r.Resolved {
			open++
		}
	}
	if open >= MaxOpenSupportByUser {
		return nil, Errorf(KindConflict, "Đồng chí đã có %d yêu cầu hỗ trợ đang chờ xử lý.", "you already have %d open support requests", open)
	}
	if len(s.Support) >= MaxSupportRequests {
		return nil, Errorf(KindConflict, "Đã quá số yêu cầu hỗ trợ cho phép.", "too many support requests")
	}
	e := newEvent(EventSupportRequested, SupportRequested{ID: supportID(first), Participant: a.Participant, Message: msg})
	e.Audience = supportAudience(a.Participant)
	return []Event{e}, nil
}

// ResolveSupport marks a support request as dealt with.
type ResolveSupport struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*ResolveSupport) Name() string { return "support.resolve" }

func (c *ResolveSupport) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i := s.SupportIndex(c.ID)
	if i < 0 {
		return nil, Errorf(KindNotFound, "Không tìm thấy yêu cầu hỗ trợ %q.", "support request %q not found", c.ID)
	}
	r := s.Support[i]
	if r.Resolved {
		return nil, Errorf(KindConflict, "Yêu cầu hỗ trợ đã được xử lý.", "the support request is already resolved")
	}
	e := newEvent(EventSupportResolved, SupportRef{ID: r.ID})
	e.Audience = supportAudience(r.Participant)
	return []Event{e}, nil
}

// ---- fold and view ----

// applyLive folds the events of the live features; ok is false for other
// events.
func (s *State) applyLive(e Event) (ok bool, err error) {
	switch e.Type {
	case EventDocumentPresented:
		var p Presentation
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if p.DocumentID == "" {
			s.Presentation = nil
		} else {
			s.Presentation = &p
		}
	case EventSupportRequested:
		var p SupportRequested
		if err := decode(e, &p); err != nil {
			return true, err
		}
		s.Support = append(s.Support, SupportRequest{ID: p.ID, Participant: p.Participant, Message: p.Message, At: e.At})
	case EventSupportResolved:
		var p SupportRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.SupportIndex(p.ID); i >= 0 {
			s.Support[i].Resolved, s.Support[i].ResolvedAt, s.Support[i].ResolvedBy = true, e.At, e.Actor
		}
	default:
		return false, nil
	}
	return true, nil
}

// viewLive filters the live features of c (a clone of s) for viewer v: the
// presentation of a document v may not read, and others' support requests.
func viewLive(s, c *State, v Viewer) {
	if p := c.Presentation; p != nil {
		if d, ok := s.Document(p.DocumentID); !ok || !d.CanRead(v) {
			c.Presentation = nil
		}
	}
	if !staffAudience.Includes(v) && c.Support != nil {
		c.Support = slices.DeleteFunc(c.Support, func(r SupportRequest) bool { return v.Participant == "" || r.Participant != v.Participant })
	}
}

// personalLive reports whether v's view of the live features depends on who
// v is: v has support requests.
func personalLive(s *State, v Viewer) bool {
	return slices.ContainsFunc(s.Support, func(r SupportRequest) bool { return r.Participant == v.Participant })
}
