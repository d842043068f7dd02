package meeting

import (
	"fmt"
	"slices"
	"time"
)

// AttendanceStatus is where a participant stands in the roll call.
type AttendanceStatus string

// The attendance statuses. A participant with no record is "not yet
// recorded".
const (
	AttendancePresent AttendanceStatus = "present" // có mặt tại hội trường
	AttendanceRemote  AttendanceStatus = "remote"  // dự tại một điểm cầu
	AttendanceAbsent  AttendanceStatus = "absent"  // vắng mặt (lý do, nếu có)
	AttendanceExcused AttendanceStatus = "excused" // vắng có lý do được chấp thuận
)

func (st AttendanceStatus) valid() bool {
	return st == AttendancePresent || st == AttendanceRemote || st == AttendanceAbsent || st == AttendanceExcused
}

// attending reports whether st is a way of being at the meeting.
func (st AttendanceStatus) attending() bool {
	return st == AttendancePresent || st == AttendanceRemote
}

// Visit is one stay at the meeting, from a check-in to the next check-out
// (Out is zero while it lasts).
type Visit struct {
	In   time.Time `json:"in"`
	Out  time.Time `json:"out,omitzero"`
	Site string    `json:"site,omitempty"`
}

// Attendance is a participant's roll-call record.
//
// CheckedIn is the first arrival; CheckedOut the last departure (zero while
// at the meeting). Late is set when the first arrival came after the
// opening plus the late grace (Settings.LateGrace), or when the secretary
// says so. Visits lists every stay: leaving and coming back is recorded.
type Attendance struct {
	Status     AttendanceStatus `json:"status"`
	Site       string           `json:"site,omitempty"`
	Reason     string           `json:"reason,omitempty"`
	CheckedIn  time.Time        `json:"checked_in,omitzero"`
	CheckedOut time.Time        `json:"checked_out,omitzero"`
	Late       bool             `json:"late,omitempty"`
	Visits     []Visit          `json:"visits,omitempty"`
}

// In reports whether the participant is at the meeting now, in the hall or
// at a linked site.
func (a Attendance) In() bool {
	return a.Status.attending() && a.CheckedOut.IsZero() && len(a.Visits) > 0
}

// MaxVisits bounds the check-ins of one participant.
const MaxVisits = 100

// Entitled reports whether p is a summoned member who counts for quorum and
// votes: a chair, secretary or delegate not marked non-voting. Observers,
// the hall screen and non-voting members (such as probationary Party
// members, who neither vote nor stand) never count.
func (p Participant) Entitled() bool {
	return (p.Role == RoleChair || p.Role == RoleSecretary || p.Role == RoleDelegate) && !p.NonVoting
}

// SiteCount is the number of entitled members attending at one linked site.
type SiteCount struct {
	Site    string `json:"site"`
	Present int    `json:"present"`
}

// Quorum is the roll call of the entitled members against the quorum rule.
// Entitled = Present + Excused + Absent + Left + NotRecorded.
type Quorum struct {
	Rule        QuorumRule  `json:"rule"`
	Entitled    int         `json:"entitled"`     // summoned members who count
	Present     int         `json:"present"`      // at the meeting now: InHall + Remote
	InHall      int         `json:"in_hall"`      // in the hall
	Remote      int         `json:"remote"`       // at linked sites
	Sites       []SiteCount `json:"sites"`        // per linked site, in the order of the settings
	Excused     int         `json:"excused"`      // absent with an approved reason
	Absent      int         `json:"absent"`       // marked absent
	Left        int         `json:"left"`         // came, then checked out
	NotRecorded int         `json:"not_recorded"` // no record yet
	Base        int         `json:"base"`         // what the rule counts on
	Required    int         `json:"required"`     // the smallest Present that meets the rule
	Met         bool        `json:"met"`
}

// QuorumOf returns the quorum of s now. Clients compute the same from their
// replica (attendance is public).
func QuorumOf(s *State) Quorum {
	r := RollOf(s)
	m := r.Members
	q := Quorum{Rule: s.Settings.Quorum, Entitled: m.Listed, Present: m.Present, InHall: r.InHall, Remote: r.Remote, Sites: r.Sites,
		Excused: m.Excused, Absent: m.Absent, Left: m.Left, NotRecorded: m.NotRecorded}
	q.Base = q.Entitled
	if q.Rule.Base == QuorumOfSummoned {
		q.Base -= q.Excused
	}
	q.Required = q.Rule.Required(q.Base)
	q.Met = q.Rule.Reached(q.Present, q.Base)
	return q
}

// AttendanceChanged is the payload of attendance.checked_in and
// attendance.marked: the participant's record after the change.
type AttendanceChanged struct {
	Participant string           `json:"participant"`
	Status      AttendanceStatus `json:"status"`
	Site        string           `json:"site,omitempty"`
	Reason      string           `json:"reason,omitempty"`
	Late        bool             `json:"late,omitempty"`
}

// late reports whether a first arrival at now is late.
func (s *State) late(now time.Time) bool {
	return !s.OpenedAt.IsZero() && now.After(s.OpenedAt.Add(s.Settings.LateGrace))
}

// self returns the participant giving a self-service command.
func (s *State) self(a Actor, what string) (Participant, error) {
	if a.Participant == "" {
		return Participant{}, &Error{Kind: KindForbidden, Message: fmt.Sprintf("Chỉ người tham dự mới tự %s được.", what),
			MessageEN: "only a participant can do this for themselves"}
	}
	i, err := s.participant(a.Participant)
	if err != nil {
		return Participant{}, err
	}
	return s.Participants[i], nil
}

// site validates the site of an attendance status.
func (s *State) checkSite(st AttendanceStatus, site string) error {
	if st == AttendanceRemote {
		if site == "" {
			return fieldErr("site", "Hãy chọn điểm cầu.", "a remote attendance needs a site")
		}
		if !s.Settings.HasSite(site) {
			return &Error{Kind: KindNotFound, Message: fmt.Sprintf("Không có điểm cầu %q.", site), MessageEN: fmt.Sprintf("site %q not found", site),
				Problems: []Problem{{Field: "site", Message: "Điểm cầu không tồn tại.", MessageEN: "unknown site"}}}
		}
		return nil
	}
	if site != "" {
		return fieldErr("site", "Chỉ người dự tại điểm cầu mới có điểm cầu.", "only a remote attendance has a site")
	}
	return nil
}

// CheckIn is a participant checking themselves in from their tablet, in the
// hall (present, the default) or at a linked site (remote, with Site).
// Only while the meeting is open or paused. Checking in again after a
// check-out is recorded as a new visit; checking in at another place while
// in moves the participant.
type CheckIn struct {
	Status AttendanceStatus `json:"status,omitempty"`
	Site   string           `json:"site,omitempty"`
}

// Name implements Command.
func (*CheckIn) Name() string { return "attendance.check_in" }

func (c *CheckIn) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	p, err := s.self(a, "điểm danh")
	if err != nil {
		return nil, err
	}
	if s.Status != StatusOpen && s.Status != StatusPaused {
		return nil, statusConflict(s, "điểm danh")
	}
	st := c.Status
	if st == "" {
		st = AttendancePresent
	}
	if !st.attending() {
		return nil, fieldErr("status", fmt.Sprintf("Trạng thái điểm danh %q không hợp lệ (có mặt hoặc dự tại điểm cầu).", st), fmt.Sprintf("check-in status %q is not valid (present or remote)", st))
	}
	if err := s.checkSite(st, c.Site); err != nil {
		return nil, err
	}
	old := s.Attendance[p.ID]
	if old.In() && old.Status == st && old.Site == c.Site {
		return nil, Errorf(KindConflict, "Đồng chí đã điểm danh rồi.", "already checked in")
	}
	if len(old.Visits) >= MaxVisits {
		return nil, Errorf(KindConflict, "Đã quá số lần điểm danh cho phép.", "too many check-ins")
	}
	late := old.Late
	if old.CheckedIn.IsZero() {
		late = s.late(now)
	}
	return []Event{newEvent(EventCheckedIn, AttendanceChanged{Participant: p.ID, Status: st, Site: c.Site, Late: late})}, nil
}

// MarkAttendance is the secretariat recording anyone's attendance: present,
// remote (with Site), absent (Reason optional: "vắng không lý do" is a fact
// too) or excused (Reason required). Late, when given, overrides the
// computed late flag of a present or remote participant. Allowed in any
// status but closed (the roll can be prepared before the opening).
type MarkAttendance struct {
	Participant string           `json:"participant"`
	Status      AttendanceStatus `json:"status"`
	Site        string           `json:"site,omitempty"`
	Reason      string           `json:"reason,omitempty"`
	Late        *bool            `json:"late,omitempty"`
}

// Name implements Command.
func (*MarkAttendance) Name() string { return "attendance.mark" }

func (c *MarkAttendance) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.participant(c.Participant)
	if err != nil {
		return nil, err
	}
	if s.Participants[i].Role.Device() {
		return nil, fieldErr("participant", "Màn hình hội trường và kỹ thuật viên không cần điểm danh.", "the hall screen and technicians have no attendance")
	}
	if !c.Status.valid() {
		return nil, fieldErr("status", fmt.Sprintf("Trạng thái điểm danh %q không hợp lệ.", c.Status), fmt.Sprintf("attendance status %q is not valid", c.Status))
	}
	if err := s.checkSite(c.Status, c.Site); err != nil {
		return nil, err
	}
	reason, err := text("reason", "Lý do", c.Reason, MaxTitle, c.Status != AttendanceExcused)
	if err != nil {
		return nil, err
	}
	if reason != "" && c.Status.attending() {
		return nil, fieldErr("reason", "Chỉ người vắng mặt mới có lý do.", "only an absence has a reason")
	}
	if c.Late != nil && !c.Status.attending() {
		return nil, fieldErr("late", "Chỉ người có mặt mới có thể đến muộn.", "only an attendance can be late")
	}
	old := s.Attendance[c.Participant]
	late := false
	if c.Status.attending() {
		switch {
		case c.Late != nil:
			late = *c.Late
		case old.CheckedIn.IsZero():
			late = s.late(now)
		default:
			late = old.Late
		}
		if (!old.In() || old.Status != c.Status || old.Site != c.Site) && len(old.Visits) >= MaxVisits {
			return nil, Errorf(KindConflict, "Đã quá số lần điểm danh cho phép.", "too many check-ins")
		}
	}
	ch := AttendanceChanged{Participant: c.Participant, Status: c.Status, Site: c.Site, Reason: reason, Late: late}
	if _, recorded := s.Attendance[c.Participant]; recorded && old.Status == ch.Status && old.Site == ch.Site && old.Reason == ch.Reason && old.Late == ch.Late &&
		(old.In() || !c.Status.attending()) {
		return nil, Errorf(KindConflict, "Điểm danh không thay đổi.", "the attendance is unchanged")
	}
	return []Event{newEvent(EventAttendanceMarked, ch)}, nil
}

// MarkAllPresent is the secretariat's "Điểm danh tất cả có mặt": it marks
// present, in the hall, every participant (but the hall screen) who has no
// attendance record yet, and touches nobody else: an excused or absent
// member keeps the record and reason the secretariat gave, someone who
// came and left stays left. One attendance.marked event per participant
// marked, so the log holds every change. Nobody is marked late: the bulk
// roll call is the secretariat stating who is there (a late arrival is
// marked on its own, or checks in). Allowed in any status but closed, like
// attendance.mark.
type MarkAllPresent struct{}

// Name implements Command.
func (*MarkAllPresent) Name() string { return "attendance.mark_all_present" }

func (*MarkAllPresent) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	var events []Event
	for _, p := range s.Participants {
		if p.Role.Device() {
			continue
		}
		if _, recorded := s.Attendance[p.ID]; recorded {
			continue
		}
		events = append(events, newEvent(EventAttendanceMarked, AttendanceChanged{Participant: p.ID, Status: AttendancePresent}))
	}
	if len(events) == 0 {
		return nil, Errorf(KindConflict, "Mọi người đều đã được điểm danh.", "everyone's attendance is already recorded")
	}
	return events, nil
}

// CheckOut records that a participant left (Participant empty: the actor
// themselves). Delegates check out themselves only; the secretariat checks
// out anyone.
type CheckOut struct {
	Participant string `json:"participant,omitempty"`
}

// Name implements Command.
func (*CheckOut) Name() string { return "attendance.check_out" }

func (c *CheckOut) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	id := c.Participant
	if id == "" {
		p, err := s.self(a, "báo rời cuộc họp")
		if err != nil {
			return nil, err
		}
		id = p.ID
	}
	if id != a.Participant && !a.Role.Staff() {
		return nil, Errorf(KindForbidden, "Đồng chí chỉ có thể báo rời cuộc họp cho chính mình.", "a delegate can check out only themselves")
	}
	if _, err := s.participant(id); err != nil {
		return nil, err
	}
	if !s.Attendance[id].In() {
		return nil, Errorf(KindConflict, "Người này hiện không có mặt.", "the participant is not checked in")
	}
	return []Event{newEvent(EventCheckedOut, ParticipantRef{ID: id})}, nil
}

// applyAttendance folds attendance.checked_in and attendance.marked.
func (s *State) applyAttendance(ch AttendanceChanged, at time.Time) {
	if s.ParticipantIndex(ch.Participant) < 0 {
		return
	}
	if s.Attendance == nil {
		s.Attendance = map[string]Attendance{}
	}
	a := s.Attendance[ch.Participant]
	a.Visits = slices.Clone(a.Visits)
	moved := a.In() && (a.Status != ch.Status || a.Site != ch.Site)
	if a.In() && (moved || !ch.Status.attending()) {
		a.Visits[len(a.Visits)-1].Out = at
		a.CheckedOut = at
	}
	if ch.Status.attending() && (moved || !a.In()) {
		a.Visits = append(a.Visits, Visit{In: at, Site: ch.Site})
		if a.CheckedIn.IsZero() {
			a.CheckedIn = at
		}
		a.CheckedOut = time.Time{}
	}
	a.Status, a.Site, a.Reason, a.Late = ch.Status, ch.Site, ch.Reason, ch.Late
	s.Attendance[ch.Participant] = a
}

// applyCheckOut folds attendance.checked_out.
func (s *State) applyCheckOut(id string, at time.Time) {
	a, ok := s.Attendance[id]
	if !ok || !a.In() {
		return
	}
	a.Visits = slices.Clone(a.Visits)
	a.Visits[len(a.Visits)-1].Out = at
	a.CheckedOut = at
	s.Attendance[id] = a
}

// RollCount counts one category of participants by their attendance now:
// Listed = Present + Excused + Absent + Left + NotRecorded. Attended counts
// those of them who came at some time (Present, Left, and those who came
// and were later marked absent or excused).
type RollCount struct {
	Listed      int `json:"listed"`       // summoned (or invited) in the category
	Present     int `json:"present"`      // at the meeting now, in the hall or at a linked site
	Excused     int `json:"excused"`      // absent with an approved reason
	Absent      int `json:"absent"`       // marked absent
	Left        int `json:"left"`         // came, then checked out
	NotRecorded int `json:"not_recorded"` // no record
	Attended    int `json:"attended"`     // came at some time
}

// Roll is the roll call of a meeting at one moment, by category. It is the
// one place attendance is counted: QuorumOf, the bases of the polls
// (poll.open), the minutes and the counting records all take their counts
// from it, so they cannot disagree.
type Roll struct {
	Members   RollCount `json:"members"`    // entitled: count for the quorum and vote (chính thức)
	NonVoting RollCount `json:"non_voting"` // members without a vote (for example đảng viên dự bị)
	Guests    RollCount `json:"guests"`     // observers (khách mời)
	// Where the members present now are.
	InHall int         `json:"in_hall"`
	Remote int         `json:"remote"`
	Sites  []SiteCount `json:"sites"` // per linked site, in the order of the settings
}

// Summoned returns the members summoned less those excused: the base of
// Party majorities (docs/rules.md §2).
func (r Roll) Summoned() int { return r.Members.Listed - r.Members.Excused }

// count adds participant p's attendance (a, recorded) to c.
func (c *RollCount) count(a Attendance, recorded bool) {
	c.Listed++
	if len(a.Visits) > 0 {
		c.Attended++
	}
	switch {
	case !recorded:
		c.NotRecorded++
	case a.In():
		c.Present++
	case a.Status == AttendanceExcused:
		c.Excused++
	case a.Status == AttendanceAbsent:
		c.Absent++
	default:
		c.Left++
	}
}

// RollOf returns the roll call of s now.
func RollOf(s *State) Roll {
	if s.Lean != nil {
		return s.Lean.Roll.clone() // a lean view: the roll it was given
	}
	r := Roll{Sites: []SiteCount{}}
	for _, site := range s.Settings.Sites {
		r.Sites = append(r.Sites, SiteCount{Site: site})
	}
	for _, p := range s.Participants {
		a, recorded := s.Attendance[p.ID]
		switch {
		case p.Role.Device():
			continue
		case p.Role == RoleObserver:
			r.Guests.count(a, recorded)
			continue
		case !p.Entitled():
			r.NonVoting.count(a, recorded)
			continue
		}
		r.Members.count(a, recorded)
		if !recorded || !a.In() {
			continue
		}
		if a.Status != AttendanceRemote {
			r.InHall++
			continue
		}
		r.Remote++
		i := slices.IndexFunc(r.Sites, func(c SiteCount) bool { return c.Site == a.Site })
		if i < 0 {
			r.Sites = append(r.Sites, SiteCount{Site: a.Site})
			i = len(r.Sites) - 1
		}
		r.Sites[i].Present++
	}
	return r
}
