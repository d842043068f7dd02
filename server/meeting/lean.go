package meeting

import "slices"

// A delegate's view that does not grow with the hall.
//
// A congress has up to MaxParticipants delegates; the full state carries the
// roster, every attendance record, and each open poll's list of eligible
// voters and of those who voted: 2.7 MB of JSON at 10,000 participants, sent
// to every tablet when it connects. A tablet shows none of that but its own
// record and the counts. So delegates and observers (LeanViewer) get the lean
// view: the state with
//   - Participants and Attendance holding only the viewer's own entries;
//   - a poll's Eligible and Voters holding only the viewer (Issued and Voted
//     keep the counts);
//   - Lean: who the viewer is, and the roll call (RollOf of the full state),
//     from which QuorumOf and the tablet's counts are computed.
//
// Everything else is the ordinary view. Names of other participants (the
// speaker, the queue) come from the roster route, GET
// /api/meetings/{id}/participants (cacheable, or a few at a time by ?ids=).
//
// Apply keeps "replica = view" on a lean replica: participant.* and
// attendance.* events change only the viewer's own entries, and the roll
// comes with the events that change it (Event.Roll, set by Event.For for lean
// viewers; the room sets it on the last such event of a commit). The
// secretariat, the hall screen and technicians keep the full view.

// Lean is the part of a lean view (a delegate's or an observer's) that
// stands for the roster: who is looking, and the roll call.
type Lean struct {
	Self string `json:"self"` // the viewer's participant ID
	Roll Roll   `json:"roll"` // the roll call of the meeting (RollOf of the full state)
}

func (l *Lean) clone() *Lean {
	if l == nil {
		return nil
	}
	c := *l
	c.Roll = l.Roll.clone()
	return &c
}

func (r Roll) clone() Roll {
	r.Sites = slices.Clone(r.Sites)
	return r
}

// LeanViewer reports whether v gets the lean view: a delegate or an
// observer, as a participant.
func LeanViewer(v Viewer) bool {
	return v.Participant != "" && (v.Role == RoleDelegate || v.Role == RoleObserver)
}

// NewReplica returns the empty replica viewer v folds events into from the
// start of a meeting (a client normally starts from a snapshot instead).
func NewReplica(v Viewer) *State {
	if LeanViewer(v) {
		return &State{Lean: &Lean{Self: v.Participant}}
	}
	return &State{}
}

// ChangesRoll reports whether an event of e's type can change the roll call
// (RollOf): the events whose delivery to a lean viewer carries the roll.
func (e Event) ChangesRoll() bool {
	switch e.Type {
	case EventMeetingCreated, EventMeetingConfigured, EventParticipantAdded, EventParticipantUpdated, EventParticipantRemoved,
		EventCheckedIn, EventAttendanceMarked, EventCheckedOut:
		return true
	}
	return false
}

// For returns e as viewer v receives it, after is the state e leads to (the
// full state, with e applied): e itself, its Hidden placeholder when v is
// outside its audience, and for a lean viewer the roll call after e when e
// can change it.
func (e Event) For(v Viewer, after *State) Event {
	if !e.Audience.Includes(v) {
		e = e.Hidden()
	}
	e.Roll = nil
	if LeanViewer(v) && e.ChangesRoll() {
		r := RollOf(after)
		e.Roll = &r
	}
	return e
}

// Views makes the views of one state for many viewers — a room's
// connections — at the cost of one pass over the roster for all of them:
// the roll call, an index of the participants and, per open poll, of its
// eligible voters and voters are built once, when first needed. A Views is
// valid while its state does not change (the caller keeps one per seq); it
// is not safe for concurrent use.
type Views struct {
	s        *State
	rolled   bool
	roll     Roll
	index    map[string]int              // participant ID → index in s.Participants
	eligible map[string]map[string]bool  // poll ID → its eligible voters
	voted    map[string]map[string][]int // poll ID → voter → indexes of their entries in its Voters
}

// NewViews returns the Views of s.
func NewViews(s *State) *Views { return &Views{s: s} }

// Roll returns RollOf(s), counted once.
func (w *Views) Roll() Roll {
	if !w.rolled {
		w.roll, w.rolled = RollOf(w.s), true
	}
	return w.roll
}

// Participant is s.Participant through the index.
func (w *Views) Participant(id string) (Participant, bool) {
	if w.index == nil {
		w.index = make(map[string]int, len(w.s.Participants))
		for i, p := range w.s.Participants {
			w.index[p.ID] = i
		}
	}
	if i, ok := w.index[id]; ok {
		return w.s.Participants[i], true
	}
	return Participant{}, false
}

// View returns View(s, v).
func (w *Views) View(v Viewer) *State {
	if !LeanViewer(v) {
		return view(w.s, v, w.s.Clone())
	}
	return view(w.s, v, w.leanClone(v.Participant))
}

// leanClone is Clone for lean viewer self: the roster, the attendance and
// the polls' voter lists reduced to self's entries, without copying the
// rest of them (a view per tablet must not cost the hall's size).
func (w *Views) leanClone(self string) *State {
	s := w.s
	c := s.cloneOthers()
	c.Participants = []Participant{}
	if p, ok := w.Participant(self); ok {
		c.Participants = append(c.Participants, p)
	}
	c.Attendance = map[string]Attendance{}
	if a, ok := s.Attendance[self]; ok {
		a.Visits = slices.Clone(a.Visits)
		c.Attendance[self] = a
	}
	c.Polls = make([]Poll, len(s.Polls))
	for i, p := range s.Polls {
		eligible, voters := p.Eligible, p.Voters
		p.Eligible, p.Voters = nil, nil
		p = p.clone()
		if w.pollEligible(p.ID, eligible)[self] {
			p.Eligible = []string{self}
		}
		for _, j := range w.pollVoted(p.ID, voters)[self] {
			p.Voters = append(p.Voters, voters[j])
		}
		c.Polls[i] = p
	}
	c.Lean = &Lean{Self: self, Roll: w.Roll().clone()}
	return c
}

// Nobody is a participant ID that no participant has: the view of
// Viewer{Participant: Nobody, Role: r} is what every lean viewer of role r
// for whom OwnOnly holds sees, but for their own entries (a room encodes it
// once and fills those in: the snapshot of a congress's connect).
const Nobody = "-"

// Shape reports whether lean viewer v's view is Nobody's of its role but
// for v's own participant, attendance and Lean.Self and for the polls that
// list v as eligible: v has nothing personal (Personal's notices,
// documents, support requests, floor, paper entries) and has voted in no
// poll. eligible[i] tells whether s.Polls[i] lists v; it is nil when none
// does. Viewers of one role and one eligible see the same view but for
// their ID (ShapeView).
func (w *Views) Shape(v Viewer) (eligible []bool, ok bool) {
	if !LeanViewer(v) || v.Participant == Nobody || personalOwn(w.s, v) {
		return nil, false
	}
	for i, p := range w.s.Polls {
		if len(w.pollVoted(p.ID, p.Voters)[v.Participant]) > 0 {
			return nil, false
		}
		if w.pollEligible(p.ID, p.Eligible)[v.Participant] {
			if eligible == nil {
				eligible = make([]bool, len(w.s.Polls))
			}
			eligible[i] = true
		}
	}
	return eligible, true
}

// OwnOnly reports whether lean viewer v's view differs from Nobody's of its
// role only by v's own participant, attendance and Lean.Self: Shape, with
// no poll listing v.
func (w *Views) OwnOnly(v Viewer) bool {
	eligible, ok := w.Shape(v)
	return ok && eligible == nil
}

// ShapeView is the view of Nobody of role as if the polls marked in
// eligible (Shape) listed Nobody as eligible: what every viewer of that
// role and shape sees, with Nobody in place of its ID and without its own
// participant and attendance.
func (w *Views) ShapeView(role Role, eligible []bool) *State {
	st := w.View(Viewer{Participant: Nobody, Role: role})
	for i := range st.Polls {
		if i < len(eligible) && eligible[i] {
			st.Polls[i].Eligible = []string{Nobody}
		}
	}
	return st
}

// pollEligible returns the set of a poll's eligible voters, built once.
func (w *Views) pollEligible(poll string, eligible []string) map[string]bool {
	if w.eligible == nil {
		w.eligible = map[string]map[string]bool{}
	}
	m, ok := w.eligible[poll]
	if !ok {
		m = make(map[string]bool, len(eligible))
		for _, id := range eligible {
			m[id] = true
		}
		w.eligible[poll] = m
	}
	return m
}

// pollVoted returns a poll's voters by participant (the indexes of their
// entries in voters), built once.
func (w *Views) pollVoted(poll string, voters []Voter) map[string][]int {
	if w.voted == nil {
		w.voted = map[string]map[string][]int{}
	}
	m, ok := w.voted[poll]
	if !ok {
		m = make(map[string][]int, len(voters))
		for i, v := range voters {
			m[v.Participant] = append(m[v.Participant], i)
		}
		w.voted[poll] = m
	}
	return m
}

// leanEligible is a poll's eligible list as lean viewer self sees it: self,
// if listed.
func leanEligible(eligible []string, self string) []string {
	if slices.Contains(eligible, self) {
		return []string{self}
	}
	return nil
}

// leanApply is the part of Apply particular to a lean replica, after the
// event's ordinary effect: the roll it carries.
func (s *State) leanApply(e Event) {
	if s.Lean != nil && e.Roll != nil {
		s.Lean.Roll = e.Roll.clone()
	}
}

// keeps reports whether the replica keeps participant id's entries: every
// one in a full state, only the viewer's in a lean one.
func (s *State) keeps(id string) bool { return s.Lean == nil || s.Lean.Self == id }

// ReplayFor folds events, a meeting's log from its start, into the replica
// viewer v would have: each event as For delivers it. On an error it returns
// the replica as far as it got.
func ReplayFor(events []Event, v Viewer) (*State, error) {
	full, r := &State{}, NewReplica(v)
	for _, e := range events {
		if err := Apply(full, e); err != nil {
			return r, err
		}
		if err := Apply(r, e.For(v, full)); err != nil {
			return r, err
		}
	}
	return r, nil
}
