// Package meeting is the pure domain core of a paperless meeting: its state,
// the commands people give, the events those commands produce, and the rules
// that connect them.
//
// The package imports only the standard library and does no I/O: it never
// reads the clock (the caller passes "now"), starts no goroutine and keeps no
// global state. Everything else — the event log, the live room, the
// WebSocket fan-out, the Go client's replica — is built around two functions:
//
//	Decide(state, actor, command, now) → events | error
//	Apply(state, event)                → state
//
// A meeting's state is the fold of its events with Apply. The server and the
// client run the same fold, which is why a tablet's replica equals the
// server's view of the meeting.
package meeting

import (
	"maps"
	"slices"
	"time"
)

// Role is what a participant (or an account) may do in a meeting.
type Role string

// The roles. Staff (secretary and chair) drive the meeting; delegates take
// part; observers and the hall screen only watch.
const (
	RoleSecretary Role = "secretary" // thư ký: prepares and drives the meeting
	RoleChair     Role = "chair"     // chủ tọa / chủ trì: presides
	RoleDelegate  Role = "delegate"  // đại biểu
	RoleObserver  Role = "observer"  // khách mời / quan sát viên
	RoleHall      Role = "hall"      // màn hình hội trường (read-only)
	// RoleTechnician is a technician who keys paper ballots at an entry
	// station once the counting committee names them (docs/rules.md §8):
	// not a member, no vote, not on the roll (a device, like the hall).
	RoleTechnician Role = "technician"
	// RoleSystem is the server itself acting on its own behalf (for example
	// recording that a tablet paired). It is never a participant's role.
	RoleSystem Role = "system"
)

// ParticipantRoles are the roles a participant of a meeting can hold.
var ParticipantRoles = []Role{RoleSecretary, RoleChair, RoleDelegate, RoleObserver, RoleHall, RoleTechnician}

// Valid reports whether r is a role a participant can hold.
func (r Role) Valid() bool {
	for _, v := range ParticipantRoles {
		if r == v {
			return true
		}
	}
	return false
}

// Device reports whether r is a device rather than a person at the
// meeting: the hall screen, or a counting technician's station. Devices
// have no attendance, do not speak and do not read confidential documents.
func (r Role) Device() bool { return r == RoleHall || r == RoleTechnician }

// Staff reports whether r drives the meeting (secretary or chair).
func (r Role) Staff() bool { return r == RoleSecretary || r == RoleChair }

// Status is the life-cycle stage of a meeting: draft → open ⇄ paused → closed.
type Status string

// The meeting statuses.
const (
	StatusDraft  Status = "draft"  // being prepared; not started
	StatusOpen   Status = "open"   // in session
	StatusPaused Status = "paused" // adjourned for a break; may resume
	StatusClosed Status = "closed" // ended; no further change
)

// Details are the descriptive fields of a meeting, as printed on the minutes.
type Details struct {
	Title        string    `json:"title"`                  // e.g. "Hội nghị kiểm điểm, đánh giá, xếp loại năm 2025"
	Organization string    `json:"organization,omitempty"` // the body holding the meeting
	Place        string    `json:"place,omitempty"`
	StartsAt     time.Time `json:"starts_at,omitzero"`
	Chair        string    `json:"chair,omitempty"`     // name and post of who presides: "Nguyễn Văn An, Bí thư Chi bộ"
	Secretary    string    `json:"secretary,omitempty"` // name (and post) of who records
	// ChairPost is the chair's post printed in the signature block, under
	// "T/M <Collective>" in the Party layout ("Bí thư", "Phó Bí thư");
	// empty: the part of Chair after its first comma.
	ChairPost string `json:"chair_post,omitempty"`
	// Collective is the collective the chair signs for in the Party layout
	// ("Chi bộ" prints "T/M CHI BỘ"); empty: the kind of body the
	// organisation's name starts with, else the organisation.
	Collective string `json:"collective,omitempty"`
	// Locality is the place name of the date line ("Hà Nội, ngày …").
	Locality string `json:"locality,omitempty"`
}

// Item is one agenda item. Its number is its position in State.Agenda plus
// one; it is not stored, so reordering never leaves numbers stale.
type Item struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Presenter string `json:"presenter,omitempty"`
	Done      bool   `json:"done,omitempty"`

	SpeakersClosed bool          `json:"speakers_closed,omitempty"` // the speaker list takes no more requests
	SpeakingLimit  time.Duration `json:"speaking_limit,omitempty"`  // default limit of its speeches; 0: the meeting's
}

// Participant is someone summoned to the meeting, or a device such as the
// hall screen.
type Participant struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position,omitempty"` // chức vụ
	Unit     string `json:"unit,omitempty"`     // đơn vị
	Role     Role   `json:"role"`
	Paired   bool   `json:"paired,omitempty"` // a tablet has paired for this participant
	// NonVoting marks a member who attends but neither counts for the
	// quorum nor votes nor stands (for example a probationary Party
	// member, đảng viên dự bị).
	NonVoting bool `json:"non_voting,omitempty"`
}

// Notice is a message from the secretariat to everyone or to one participant.
type Notice struct {
	ID   string    `json:"id"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
	To   string    `json:"to,omitempty"` // participant ID; empty means everyone
}

// State is the state of one meeting: the fold of its events.
//
// IDs of items, participants, notices, requests for the floor, speeches and
// polls are derived from the sequence number of the event that created them
// ("i12", "p3", "n40", "r7", "s9", "v15"), so they are unique,
// deterministic, and need no counters (a replica that skipped a private event
// still agrees on every ID).
type State struct {
	ID      string  `json:"id"`
	Seq     int64   `json:"seq"`  // sequence number of the last applied event
	Head    string  `json:"head"` // hash of the last applied event ("" before any)
	Details Details `json:"details"`
	Status  Status  `json:"status"`

	OpenedAt time.Time `json:"opened_at,omitzero"`
	ClosedAt time.Time `json:"closed_at,omitzero"`

	Agenda  []Item `json:"agenda"`
	Current string `json:"current,omitempty"` // ID of the current agenda item

	Participants []Participant `json:"participants"`
	Notices      []Notice      `json:"notices"`

	Settings   Settings              `json:"settings"`
	Attendance map[string]Attendance `json:"attendance"` // by participant ID
	Requests   []SpeakerRequest      `json:"requests"`   // requests for the floor, in queue order per item
	Speeches   []Speech              `json:"speeches"`   // in order; the current one has no end
	Polls      []Poll                `json:"polls"`
	Documents  []Document            `json:"documents"` // in the order they were added

	Minutes      MinutesState     `json:"minutes,omitzero"`       // conclusions, finalisation, corrections
	Presentation *Presentation    `json:"presentation,omitempty"` // the page the secretariat is showing
	Support      []SupportRequest `json:"support"`                // support requests, in order
	Bodies       []Body           `json:"bodies,omitempty"`       // the congress's bodies, in BodyKinds order
	Floor        *Floor           `json:"floor,omitempty"`        // the congress floor (floor.go): drafts, opinions, tổ, tham luận
	// Technicians are the participants (role technician) the counting
	// committee named to key paper ballots (paper.go).
	Technicians []string `json:"technicians,omitempty"`
	// Lean is set in a lean view (a delegate's or an observer's, lean.go)
	// and in the replica folded from it: who looks, and the roll call that
	// stands for the roster and the attendance, which hold only the viewer.
	Lean *Lean `json:"lean,omitempty"`
}

// Created reports whether the meeting exists (its first event was applied).
func (s *State) Created() bool { return s.Seq > 0 }

// ItemIndex returns the index of agenda item id, or -1.
func (s *State) ItemIndex(id string) int {
	for i := range s.Agenda {
		if s.Agenda[i].ID == id {
			return i
		}
	}
	return -1
}

// ParticipantIndex returns the index of participant id, or -1.
func (s *State) ParticipantIndex(id string) int {
	for i := range s.Participants {
		if s.Participants[i].ID == id {
			return i
		}
	}
	return -1
}

// Participant returns participant id and whether it exists.
func (s *State) Participant(id string) (Participant, bool) {
	if i := s.ParticipantIndex(id); i >= 0 {
		return s.Participants[i], true
	}
	return Participant{}, false
}

// Clone returns a deep copy of s, safe to hand to another goroutine. Empty
// lists stay empty (not nil), so a cloned or viewed state encodes to the same
// JSON ("agenda": [], not null).
func (s *State) Clone() *State {
	c := s.cloneOthers()
	c.Participants = slices.Clone(s.Participants)
	c.Attendance = maps.Clone(s.Attendance)
	for id, a := range c.Attendance {
		a.Visits = slices.Clone(a.Visits)
		c.Attendance[id] = a
	}
	c.Polls = slices.Clone(s.Polls)
	for i := range c.Polls {
		c.Polls[i] = c.Polls[i].clone()
	}
	c.Lean = s.Lean.clone()
	return c
}

// cloneOthers returns a copy of s with everything deep-copied but the
// participants, the attendance, the polls and Lean, which it shares with s:
// the caller copies those (Clone whole, leanClone reduced to one viewer).
func (s *State) cloneOthers() *State {
	c := *s
	c.Agenda = slices.Clone(s.Agenda)
	c.Notices = slices.Clone(s.Notices)
	c.Settings = s.Settings.clone()
	c.Requests = slices.Clone(s.Requests)
	c.Speeches = slices.Clone(s.Speeches)
	c.Documents = slices.Clone(s.Documents)
	for i := range c.Documents {
		c.Documents[i] = c.Documents[i].clone()
	}
	c.Minutes = s.Minutes.clone()
	if s.Presentation != nil {
		p := *s.Presentation
		c.Presentation = &p
	}
	c.Support = slices.Clone(s.Support)
	c.Technicians = slices.Clone(s.Technicians)
	if s.Bodies != nil {
		c.Bodies = make([]Body, len(s.Bodies))
		for i, b := range s.Bodies {
			c.Bodies[i] = b.clone()
		}
	}
	c.Floor = s.Floor.clone()
	return &c
}

// Viewer is who looks at a meeting: a participant (by ID and role) or a
// secretary account (Role secretary, no participant ID).
type Viewer struct {
	Participant string `json:"participant,omitempty"`
	Role        Role   `json:"role"`
}

// View returns the part of s that v may see, exactly what the audiences of
// the events hide, so the snapshot a client receives and the replica it
// folds from events are the same thing. Viewers other than the secretariat
// do not see:
//   - who has paired a tablet;
//   - private notices addressed to others;
//   - who voted in a secret poll (everyone sees how many);
//   - a poll's results before they are published;
//   - documents outside their audience (drafts, withdrawn, delegates-only
//     or confidential ones; see Document.Audience), nor their presentation;
//   - others' support requests.
//
// Delegates and observers get the lean view (lean.go): the roster, the
// attendance and the polls' voter lists reduced to their own entries, and the
// roll call in their stead.
//
// A caller making the views of many viewers of one state uses Views.
func View(s *State, v Viewer) *State { return NewViews(s).View(v) }

// view filters c, a copy of s for v (Clone or leanClone), to what v may see.
func view(s *State, v Viewer, c *State) *State {
	if !v.Role.Staff() {
		// Pairing is staff information (participant.paired is staff-only).
		for i := range c.Participants {
			c.Participants[i].Paired = false
		}
	}
	c.Notices = c.Notices[:0]
	for _, n := range s.Notices {
		if noticeAudience(n).Includes(v) {
			c.Notices = append(c.Notices, n)
		}
	}
	for i := range c.Polls {
		p := &c.Polls[i]
		if p.Status != PollStatusPublished && !staffAudience.Includes(v) {
			p.Result = nil // poll.counted is staff only; poll.published is for everyone
		}
		if p.Kind.Secret() && !staffAudience.Includes(v) {
			p.Voters = nil // poll.voted of a secret poll is staff only
		}
		viewPaper(p, v) // marks: the secretariat's and their operator's only
	}
	if !c.Minutes.Final() && !staffAudience.Includes(v) {
		c.Minutes.Conclusions = nil // minutes.concluded is staff only until minutes.finalized
	}
	if c.Documents != nil {
		c.Documents = slices.DeleteFunc(c.Documents, func(d Document) bool { return !d.CanRead(v) })
	}
	viewLive(s, c, v)
	viewFloor(s, c, v)
	return c
}

// Personal reports whether View(s, v) depends on who v is, beyond its role:
// a private notice addressed to v, a confidential document naming v, or a
// support request of v. A cache of views per role must keep such viewers
// apart.
func Personal(s *State, v Viewer) bool {
	if v.Participant == "" || staffAudience.Includes(v) {
		return false
	}
	if LeanViewer(v) {
		return true // their own entries stand for the roster
	}
	return personalOwn(s, v)
}

// personalOwn reports whether View(s, v) has something of v's own besides
// the lean view's entries: a private notice to v, a confidential document
// naming v, a support request, an opinion or a draft to read, paper
// entries.
func personalOwn(s *State, v Viewer) bool {
	for _, n := range s.Notices {
		if n.To == v.Participant {
			return true
		}
	}
	for _, d := range s.Documents {
		if d.Status == DocumentPublished && d.Confidential() && slices.Contains(d.Readers, v.Participant) {
			return true
		}
	}
	if personalLive(s, v) || personalFloor(s, v) {
		return true
	}
	for _, p := range s.Polls {
		if p.PaperCount == nil {
			continue
		}
		for _, r := range p.PaperCount.Records {
			if r.Operator == v.Participant && r.Type != EventPaperFinished {
				return true // their own entries (viewPaper)
			}
		}
	}
	return false
}
