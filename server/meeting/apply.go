package meeting

import (
	"encoding/json"
	"slices"
)

// Apply folds event e into s. e must be the successor of s (Seq one more,
// Prev equal to s.Head); otherwise Apply returns an Internal error and leaves
// s unchanged. Events produced by Decide always apply; an error here means a
// corrupt log or a lost event, and the caller must resync.
//
// A Hidden placeholder only advances Seq and Head: the viewer it was sent to
// does not see that change, exactly as View hides it.
func Apply(s *State, e Event) error {
	if e.Seq != s.Seq+1 || e.Prev != s.Head {
		return Errorf(KindInternal, "Sự kiện %d không nối tiếp trạng thái %d.", "event %d does not follow state %d", e.Seq, s.Seq)
	}
	if err := apply(s, e); err != nil {
		return Internal(err)
	}
	s.leanApply(e)
	s.Seq, s.Head = e.Seq, e.Hash
	return nil
}

// apply changes s by e's payload. It decodes before mutating, so a payload
// that fails to decode leaves s unchanged.
func apply(s *State, e Event) error {
	switch e.Type {
	case EventHidden:
	case EventMeetingCreated:
		var d Details
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		lean := s.Lean // a lean replica stays one (NewReplica)
		*s = State{ID: e.Meeting, Lean: lean, Details: d, Status: StatusDraft, Agenda: []Item{}, Participants: []Participant{}, Notices: []Notice{},
			Settings: DefaultSettings(), Attendance: map[string]Attendance{}, Requests: []SpeakerRequest{}, Speeches: []Speech{}, Polls: []Poll{}, Documents: []Document{}, Support: []SupportRequest{}}
	case EventMeetingConfigured:
		var st Settings
		if err := decode(e, &st); err != nil {
			return err
		}
		if st.Sites == nil {
			st.Sites = []string{}
		}
		s.Settings = st
	case EventCheckedIn, EventAttendanceMarked:
		var p AttendanceChanged
		if err := decode(e, &p); err != nil {
			return err
		}
		s.applyAttendance(p, e.At)
	case EventCheckedOut:
		var p ParticipantRef
		if err := decode(e, &p); err != nil {
			return err
		}
		s.applyCheckOut(p.ID, e.At)
	case EventMeetingUpdated:
		var d Details
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		s.Details = d
	case EventMeetingOpened:
		s.Status, s.OpenedAt = StatusOpen, e.At
	case EventMeetingPaused:
		s.Status = StatusPaused
	case EventMeetingResumed:
		s.Status = StatusOpen
	case EventMeetingClosed:
		s.Status, s.ClosedAt = StatusClosed, e.At
	case EventItemAdded:
		var p ItemAdded
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if p.Position < 1 || p.Position > len(s.Agenda)+1 {
			return badPosition(p.Position, len(s.Agenda)+1)
		}
		s.Agenda = slices.Insert(s.Agenda, p.Position-1, p.Item)
	case EventItemRenamed:
		var p ItemRenamed
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if i := s.ItemIndex(p.ID); i >= 0 {
			s.Agenda[i].Title, s.Agenda[i].Presenter = p.Title, p.Presenter
		}
	case EventItemMoved:
		var p ItemMoved
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if i := s.ItemIndex(p.ID); i >= 0 {
			if p.Position < 1 || p.Position > len(s.Agenda) {
				return badPosition(p.Position, len(s.Agenda))
			}
			it := s.Agenda[i]
			s.Agenda = slices.Delete(s.Agenda, i, i+1)
			s.Agenda = slices.Insert(s.Agenda, p.Position-1, it)
		}
	case EventItemRemoved:
		var p ItemRef
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if i := s.ItemIndex(p.ID); i >= 0 {
			s.Agenda = slices.Delete(s.Agenda, i, i+1)
			s.Requests = slices.DeleteFunc(s.Requests, func(r SpeakerRequest) bool { return r.Item == p.ID })
			s.detachDocuments(p.ID)
			s.Minutes.Conclusions = slices.DeleteFunc(slices.Clone(s.Minutes.Conclusions), func(c Conclusion) bool { return c.Item == p.ID })
		}
	case EventItemDone:
		var p ItemDone
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if i := s.ItemIndex(p.ID); i >= 0 {
			s.Agenda[i].Done = p.Done
		}
	case EventCurrentSet:
		var p ItemRef
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		s.Current = p.ID
	case EventParticipantAdded:
		var p Participant
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if s.keeps(p.ID) {
			s.Participants = append(s.Participants, p)
		}
	case EventParticipantUpdated:
		var p Participant
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if i := s.ParticipantIndex(p.ID); i >= 0 {
			p.Paired = s.Participants[i].Paired // staff-only: changed by participant.paired alone
			s.Participants[i] = p
		}
	case EventParticipantRemoved:
		var p ParticipantRef
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if i := s.ParticipantIndex(p.ID); i >= 0 {
			s.Participants = slices.Delete(s.Participants, i, i+1)
		}
		// Unconditionally: a lean replica has the requests of participants
		// it does not list.
		delete(s.Attendance, p.ID)
		s.Requests = slices.DeleteFunc(s.Requests, func(r SpeakerRequest) bool { return r.Participant == p.ID })
	case EventParticipantPaired:
		var p ParticipantRef
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return err
		}
		if i := s.ParticipantIndex(p.ID); i >= 0 {
			s.Participants[i].Paired = true
		}
	case EventNoticeSent:
		var n Notice
		if err := json.Unmarshal(e.Data, &n); err != nil {
			return err
		}
		n.At = e.At
		s.Notices = append(s.Notices, n)
	default:
		if ok, err := s.applySpeaker(e); ok {
			return err
		}
		if ok, err := s.applyPoll(e); ok {
			return err
		}
		if ok, err := s.applyDocument(e); ok {
			return err
		}
		if ok, err := s.applyMinutes(e); ok {
			return err
		}
		if ok, err := s.applyLive(e); ok {
			return err
		}
		if ok, err := s.applyBody(e); ok {
			return err
		}
		if ok, err := s.applyFloor(e); ok {
			return err
		}
		if ok, err := s.applyPaper(e); ok {
			return err
		}
		return Errorf(KindInternal, "Loại sự kiện không xác định: %q.", "unknown event type %q", e.Type)
	}
	return nil
}

// decode decodes e's payload into v.
func decode(e Event, v any) error { return json.Unmarshal(e.Data, v) }

// badPosition is the error for an agenda position outside 1..n in an event
// (checked before mutating: slices.Insert would panic, after slices.Delete
// had already changed the agenda).
func badPosition(p, n int) error {
	return Errorf(KindInternal, "Vị trí %d ngoài chương trình (từ 1 đến %d).", "position %d is out of range 1..%d", p, n)
}

// Replay folds events into a new state.
func Replay(events []Event) (*State, error) {
	s := &State{}
	for _, e := range events {
		if err := Apply(s, e); err != nil {
			return nil, err
		}
	}
	return s, nil
}
