package meeting

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Discussion groups (tổ thảo luận) and their sittings (docs/congress.md §3).
//
// In the congress: group.define sets a tổ's name, members and officers (tổ
// trưởng, tổ phó, thư ký tổ); a delegate is in at most one tổ. group.sit
// records that a sitting begins, in a meeting of its own whose ID is
// SittingID(congress, group, n); group.rise that it ended. The server
// creates and seeds that meeting (package httpapi): it is not a fact of the
// congress's state but of the sitting's own log.
//
// In a sitting: sitting.link is its second event (after meeting.created):
// it names the congress and the tổ and adds the tổ's members as
// participants with the congress's participant IDs — the tổ trưởng as
// chair, the thư ký tổ as secretary, the others as delegates — so a tablet
// paired to the congress is the same participant there. sitting.note
// keeps the thư ký's notes; sitting.summary the members' written opinions
// when the tổ rises, so the tổ report is a function of the sitting's log.

// Limits of the groups and sittings.
const (
	MaxGroups   = 100   // tổ of a congress
	MaxNoteText = 10000 // runes in a note of the thư ký
	MaxNotes    = 5000  // notes of a sitting
	MaxSittings = 100   // sittings of one tổ
)

// Group is a discussion group (tổ) of the congress. ID is "g<seq>" of the
// event that first defined it.
type Group struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Members   []string `json:"members"` // participant IDs, in the order given
	Leader    string   `json:"leader"`  // tổ trưởng
	Deputy    string   `json:"deputy,omitempty"`
	Secretary string   `json:"secretary"` // thư ký tổ
	// Sitting is the meeting of the sitting under way ("" while the tổ
	// does not sit); Sittings every sitting, in order.
	Sitting  string    `json:"sitting,omitempty"`
	Sittings []Sitting `json:"sittings,omitempty"`
}

func (g Group) clone() Group {
	g.Members = slices.Clone(g.Members)
	g.Sittings = slices.Clone(g.Sittings)
	return g
}

// Sitting is one sitting of a tổ: the meeting that holds it.
type Sitting struct {
	Meeting string    `json:"meeting"`
	Number  int       `json:"number"` // from 1
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
}

// SittingID returns the meeting ID of sitting n of group g of congress c.
// It is deterministic, so starting a sitting again finds the meeting a
// half-done start created.
func SittingID(congress, group string, n int) string {
	return fmt.Sprintf("%s-%s-%d", congress, group, n)
}

// GroupRef names a group; the payload of group.removed and group.rose.
type GroupRef struct {
	ID string `json:"id"`
}

// GroupSat is the payload of group.sat.
type GroupSat struct {
	Group   string `json:"group"`
	Meeting string `json:"meeting"`
	Number  int    `json:"number"`
}

// LinkedDraft is a draft of the congress as a sitting knows it: the
// structure the thư ký's notes may refer to.
type LinkedDraft struct {
	Document string    `json:"document"`
	Title    string    `json:"title"`
	Sections []Section `json:"sections"`
}

// SittingLink is what a sitting knows of its congress and its tổ; the
// payload of sitting.linked.
type SittingLink struct {
	Parent    string        `json:"parent"`   // the congress's meeting ID
	Congress  string        `json:"congress"` // its title
	Group     string        `json:"group"`
	Name      string        `json:"name"` // the tổ's name
	Number    int           `json:"number"`
	Leader    string        `json:"leader"`
	Deputy    string        `json:"deputy,omitempty"`
	Secretary string        `json:"secretary"`
	Drafts    []LinkedDraft `json:"drafts,omitempty"` // the congress's drafts when the tổ sat
}

func (l SittingLink) clone() SittingLink {
	l.Drafts = slices.Clone(l.Drafts)
	for i := range l.Drafts {
		l.Drafts[i].Sections = slices.Clone(l.Drafts[i].Sections)
	}
	return l
}

// Note is one of the thư ký's notes in a sitting, optionally about a
// section of a draft and a speaker. ID is "k<seq>" of the event that first
// recorded it; editing keeps it.
type Note struct {
	ID      string    `json:"id"`
	Text    string    `json:"text"`
	Draft   string    `json:"draft,omitempty"`
	Section string    `json:"section,omitempty"`
	Speaker string    `json:"speaker,omitempty"` // participant ID
	At      time.Time `json:"at"`
	By      string    `json:"by"` // actor ID
}

// DraftSummary is the count of a tổ's members' written opinions on one
// draft, when the tổ rose.
type DraftSummary struct {
	Document string         `json:"document"`
	Title    string         `json:"title"`
	Sections []Section      `json:"sections"`
	Counts   []SectionCount `json:"counts"`
	Opinions int            `json:"opinions"`
}

// SittingSummary is the payload of sitting.summarized.
type SittingSummary struct {
	Drafts []DraftSummary `json:"drafts"`
}

func groupID(seq int64) string { return fmt.Sprintf("g%d", seq) }
func noteID(seq int64) string  { return fmt.Sprintf("k%d", seq) }

// Group returns group id and whether it exists.
func (s *State) Group(id string) (Group, bool) {
	if i := s.groupIndex(id); i >= 0 {
		return s.Floor.Groups[i], true
	}
	return Group{}, false
}

func (s *State) groupIndex(id string) int {
	if s.Floor == nil {
		return -1
	}
	return slices.IndexFunc(s.Floor.Groups, func(g Group) bool { return g.ID == id })
}

func (s *State) group(id string) (int, error) {
	i := s.groupIndex(id)
	if i < 0 {
		return -1, Errorf(KindNotFound, "Không tìm thấy tổ %q.", "group %q not found", id)
	}
	return i, nil
}

// GroupOf returns the group participant pid belongs to, if any.
func (s *State) GroupOf(pid string) (Group, bool) {
	if s.Floor != nil {
		for _, g := range s.Floor.Groups {
			if slices.Contains(g.Members, pid) {
				return g, true
			}
		}
	}
	return Group{}, false
}

// ---- congress: groups ----

// DefineGroup defines a tổ (ID empty) or replaces one's name, members and
// officers (not while it sits).
type DefineGroup struct {
	ID        string   `json:"id,omitempty"`
	GroupName string   `json:"name"`
	Members   []string `json:"members"`
	Leader    string   `json:"leader"`
	Deputy    string   `json:"deputy,omitempty"`
	Secretary string   `json:"secretary"`
}

// Name implements Command.
func (*DefineGroup) Name() string { return "group.define" }

func (c *DefineGroup) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	g := Group{ID: groupID(first)}
	if c.ID != "" {
		i, err := s.group(c.ID)
		if err != nil {
			return nil, err
		}
		old := s.Floor.Groups[i]
		if old.Sitting != "" {
			return nil, Errorf(KindConflict, "%s đang thảo luận; hãy kết thúc phiên của tổ trước khi sửa.", "group %q is sitting: end its sitting before changing it", old.Name)
		}
		g.ID = old.ID
	} else if s.Floor != nil && len(s.Floor.Groups) >= MaxGroups {
		return nil, Errorf(KindConflict, "Đã có đủ %d tổ.", "the congress already has %d groups", MaxGroups)
	}
	var err error
	if g.Name, err = text("name", "Tên tổ", c.GroupName, MaxName, false); err != nil {
		return nil, err
	}
	if s.Floor != nil {
		for _, o := range s.Floor.Groups {
			if o.ID != g.ID && strings.EqualFold(o.Name, g.Name) {
				return nil, fieldErr("name", fmt.Sprintf("Đã có tổ tên %q.", o.Name), fmt.Sprintf("there is already a group named %q", o.Name))
			}
		}
	}
	if len(c.Members) == 0 {
		return nil, fieldErr("members", "Tổ chưa có thành viên.", "the group has no members")
	}
	bad := func(row int, vi, en string) error {
		return &Error{Kind: KindInvalid, Message: fmt.Sprintf("Thành viên thứ %d: %s", row, vi), MessageEN: fmt.Sprintf("member %d: %s", row, en),
			Problems: []Problem{{Row: row, Field: "members", Message: vi, MessageEN: en}}}
	}
	for i, id := range c.Members {
		p, ok := s.Participant(id)
		switch {
		case !ok:
			return nil, bad(i+1, fmt.Sprintf("không tìm thấy người tham dự %q.", id), fmt.Sprintf("participant %q not found", id))
		case p.Role == RoleHall || p.Role == RoleObserver:
			return nil, bad(i+1, fmt.Sprintf("%s không phải đại biểu.", p.Name), fmt.Sprintf("participant %s is not a delegate", p.ID))
		case slices.Contains(c.Members[:i], id):
			return nil, bad(i+1, fmt.Sprintf("%s có tên hai lần.", p.Name), fmt.Sprintf("participant %s is listed twice", p.ID))
		}
		if o, ok := s.GroupOf(id); ok && o.ID != g.ID {
			return nil, bad(i+1, fmt.Sprintf("%s đã thuộc %s.", p.Name, o.Name), fmt.Sprintf("participant %s is already in group %s", p.ID, o.ID))
		}
	}
	g.Members = slices.Clone(c.Members)
	officer := func(field, vi, en, id string, required bool) error {
		switch {
		case id == "" && required:
			return fieldErr(field, fmt.Sprintf("Cần chọn %s.", vi), fmt.Sprintf("the %s is required", en))
		case id != "" && !slices.Contains(g.Members, id):
			return fieldErr(field, fmt.Sprintf("%s phải là thành viên của tổ.", upperFirst(vi)), fmt.Sprintf("the %s must be a member of the group", en))
		}
		return nil
	}
	if err := officer("leader", "tổ trưởng", "group's leader", c.Leader, true); err != nil {
		return nil, err
	}
	if err := officer("deputy", "tổ phó", "group's deputy leader", c.Deputy, false); err != nil {
		return nil, err
	}
	if err := officer("secretary", "thư ký tổ", "group's secretary", c.Secretary, true); err != nil {
		return nil, err
	}
	if c.Leader == c.Secretary || (c.Deputy != "" && (c.Deputy == c.Leader || c.Deputy == c.Secretary)) {
		return nil, fieldErr("secretary", "Tổ trưởng, tổ phó và thư ký tổ phải là ba người khác nhau.", "the leader, the deputy and the secretary must be different people")
	}
	g.Leader, g.Deputy, g.Secretary = c.Leader, c.Deputy, c.Secretary
	if c.ID != "" {
		old, _ := s.Group(c.ID)
		if old.Name == g.Name && slices.Equal(old.Members, g.Members) && old.Leader == g.Leader && old.Deputy == g.Deputy && old.Secretary == g.Secretary {
			return nil, Errorf(KindConflict, "Tổ không thay đổi.", "the group is unchanged")
		}
	}
	return []Event{newEvent(EventGroupDefined, g)}, nil
}

// upperFirst capitalises the first letter of s.
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// RemoveGroup removes a tổ that is not sitting (its past sittings stay in
// their own logs).
type RemoveGroup struct {
	ID string `json:"id"`
}

// Name implements Command.
func (*RemoveGroup) Name() string { return "group.remove" }

func (c *RemoveGroup) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.group(c.ID)
	if err != nil {
		return nil, err
	}
	if g := s.Floor.Groups[i]; g.Sitting != "" {
		return nil, Errorf(KindConflict, "%s đang thảo luận; hãy kết thúc phiên của tổ trước.", "group %q is sitting: end its sitting first", g.Name)
	}
	return []Event{newEvent(EventGroupRemoved, GroupRef{ID: c.ID})}, nil
}

// SitGroup records that a tổ begins a sitting, in the meeting SittingID
// names (the server creates it). Only while the congress is open or paused.
type SitGroup struct {
	Group string `json:"group"`
}

// Name implements Command.
func (*SitGroup) Name() string { return "group.sit" }

func (c *SitGroup) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.group(c.Group)
	if err != nil {
		return nil, err
	}
	g := s.Floor.Groups[i]
	if err := sessionStatus(s, "bắt đầu thảo luận tổ"); err != nil {
		return nil, err
	}
	if g.Sitting != "" {
		return nil, Errorf(KindConflict, "%s đang thảo luận.", "group %q is already sitting", g.Name)
	}
	if len(g.Sittings) >= MaxSittings {
		return nil, Errorf(KindConflict, "%s đã có đủ %d phiên thảo luận.", "group %q already had %d sittings", g.Name, MaxSittings)
	}
	n := len(g.Sittings) + 1
	return []Event{newEvent(EventGroupSat, GroupSat{Group: g.ID, Meeting: SittingID(s.ID, g.ID, n), Number: n})}, nil
}

// RiseGroup records that a tổ's sitting ended (also after the congress
// closed: a sitting may end after the plenary).
type RiseGroup struct {
	Group string `json:"group"`
}

// Name implements Command.
func (*RiseGroup) Name() string { return "group.rise" }

func (*RiseGroup) afterClose() {}

func (c *RiseGroup) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.group(c.Group)
	if err != nil {
		return nil, err
	}
	if g := s.Floor.Groups[i]; g.Sitting == "" {
		return nil, Errorf(KindConflict, "%s không đang thảo luận.", "group %q is not sitting", g.Name)
	}
	return []Event{newEvent(EventGroupRose, GroupRef{ID: c.Group})}, nil
}

// ---- sitting ----

// LinkSitting links a new meeting to its congress as the sitting of a tổ
// and adds the tổ's members as its participants (with the congress's IDs).
// The server gives it once, right after creating the meeting.
type LinkSitting struct {
	SittingLink
	Members []Participant `json:"members"`
}

// Name implements Command.
func (*LinkSitting) Name() string { return "sitting.link" }

func (c *LinkSitting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if _, ok := s.Linked(); ok || len(s.Participants) > 0 {
		return nil, Errorf(KindConflict, "Cuộc họp này đã có người tham dự; chỉ cuộc họp mới tạo mới trở thành phiên thảo luận tổ.", "the meeting already has participants: only a new meeting can become a group's sitting")
	}
	l := c.SittingLink.clone()
	if l.Parent == "" || l.Group == "" || l.Number < 1 {
		return nil, Errorf(KindInvalid, "Thiếu đại hội, tổ hoặc số phiên.", "the congress, the group and the sitting's number are required")
	}
	if len(c.Members) == 0 || len(c.Members) > MaxParticipants {
		return nil, fieldErr("members", "Tổ chưa có thành viên.", "the group has no members")
	}
	var events []Event
	seen := map[string]bool{}
	for _, m := range c.Members {
		if m.ID == "" || seen[m.ID] {
			return nil, Errorf(KindInvalid, "Thành viên %q thiếu mã hoặc bị trùng.", "member %q has no ID or is listed twice", m.ID)
		}
		seen[m.ID] = true
		p := Participant{ID: m.ID, Name: m.Name, Position: m.Position, Unit: m.Unit, Role: RoleDelegate, NonVoting: m.NonVoting}
		switch m.ID {
		case l.Leader:
			p.Role = RoleChair
		case l.Secretary:
			p.Role = RoleSecretary
		}
		events = append(events, newEvent(EventParticipantAdded, p))
	}
	if !seen[l.Leader] || !seen[l.Secretary] || (l.Deputy != "" && !seen[l.Deputy]) {
		return nil, Errorf(KindInvalid, "Tổ trưởng, tổ phó và thư ký tổ phải là thành viên của tổ.", "the leader, the deputy and the secretary must be members of the group")
	}
	return append([]Event{newEvent(EventSittingLinked, l)}, events...), nil
}

// NoteSitting records one of the thư ký's notes in a sitting (ID empty) or
// changes one (also after the sitting closed, until the report is final).
type NoteSitting struct {
	ID      string `json:"id,omitempty"`
	Text    string `json:"text"`
	Draft   string `json:"draft,omitempty"`
	Section string `json:"section,omitempty"`
	Speaker string `json:"speaker,omitempty"`
}

// Name implements Command.
func (*NoteSitting) Name() string { return "sitting.note" }

func (*NoteSitting) afterClose() {}

func (c *NoteSitting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	l, ok := s.Linked()
	if !ok {
		return nil, Errorf(KindConflict, "Chỉ ghi ý kiến thảo luận trong phiên thảo luận của tổ.", "notes are kept in a discussion group's sitting only")
	}
	if s.Minutes.Final() {
		return nil, finalised(s)
	}
	n := Note{ID: noteID(first), At: now, By: a.ID}
	if c.ID != "" {
		i := slices.IndexFunc(s.Floor.Notes, func(x Note) bool { return x.ID == c.ID })
		if i < 0 {
			return nil, Errorf(KindNotFound, "Không tìm thấy ghi chép %q.", "note %q not found", c.ID)
		}
		n.ID = c.ID
	} else if len(s.Floor.Notes) >= MaxNotes {
		return nil, Errorf(KindConflict, "Đã quá số ghi chép cho phép.", "too many notes")
	}
	var err error
	if n.Text, err = text("text", "Nội dung ghi chép", c.Text, MaxNoteText, false); err != nil {
		return nil, err
	}
	if c.Draft != "" {
		i := slices.IndexFunc(l.Drafts, func(d LinkedDraft) bool { return d.Document == c.Draft })
		if i < 0 {
			return nil, Errorf(KindNotFound, "Không có dự thảo %q.", "no draft %q", c.Draft)
		}
		if c.Section != "" && !slices.ContainsFunc(l.Drafts[i].Sections, func(x Section) bool { return x.ID == c.Section }) {
			return nil, Errorf(KindNotFound, "Dự thảo không có phần %q.", "the draft has no section %q", c.Section)
		}
		n.Draft, n.Section = c.Draft, c.Section
	} else if c.Section != "" {
		return nil, fieldErr("section", "Chọn dự thảo trước khi chọn phần.", "a section needs its draft")
	}
	if c.Speaker != "" {
		if _, err := s.participant(c.Speaker); err != nil {
			return nil, err
		}
		n.Speaker = c.Speaker
	}
	return []Event{newEvent(EventSittingNoted, n)}, nil
}

// SummarizeSitting records in a sitting the tổ's members' written opinions
// on the congress's drafts (counted by the server from the congress's
// state when the tổ rises; a later summary replaces it).
type SummarizeSitting struct {
	Drafts []DraftSummary `json:"drafts"`
}

// Name implements Command.
func (*SummarizeSitting) Name() string { return "sitting.summary" }

func (*SummarizeSitting) afterClose() {}

func (c *SummarizeSitting) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if _, ok := s.Linked(); !ok {
		return nil, Errorf(KindConflict, "Chỉ tổng hợp trong phiên thảo luận của tổ.", "a summary is kept in a discussion group's sitting only")
	}
	if s.Minutes.Final() {
		return nil, finalised(s)
	}
	if len(c.Drafts) > MaxDrafts {
		return nil, Errorf(KindInvalid, "Quá nhiều dự thảo.", "too many drafts")
	}
	for _, d := range c.Drafts {
		if len(d.Sections) > MaxSections || len(d.Counts) > MaxSections+1 {
			return nil, Errorf(KindInvalid, "Dự thảo có quá nhiều phần.", "a draft has too many sections")
		}
	}
	return []Event{newEvent(EventSittingSummarized, SittingSummary{Drafts: slices.Clone(c.Drafts)})}, nil
}

// ---- fold ----

// applyGroups folds the group and sitting events; ok is false for others.
func (s *State) applyGroups(e Event) (ok bool, err error) {
	switch e.Type {
	case EventGroupDefined:
		var g Group
		if err := decode(e, &g); err != nil {
			return true, err
		}
		f := s.floor()
		if i := s.groupIndex(g.ID); i >= 0 {
			old := f.Groups[i]
			g.Sitting, g.Sittings = old.Sitting, old.Sittings
			f.Groups[i] = g
		} else {
			g.Sitting, g.Sittings = "", nil
			f.Groups = append(f.Groups, g)
		}
	case EventGroupRemoved:
		var p GroupRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if s.Floor != nil {
			s.Floor.Groups = nilIfEmpty(slices.DeleteFunc(s.Floor.Groups, func(g Group) bool { return g.ID == p.ID }))
		}
	case EventGroupSat:
		var p GroupSat
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.groupIndex(p.Group); i >= 0 {
			g := &s.Floor.Groups[i]
			g.Sitting = p.Meeting
			g.Sittings = append(g.Sittings, Sitting{Meeting: p.Meeting, Number: p.Number, Started: e.At})
		}
	case EventGroupRose:
		var p GroupRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.groupIndex(p.ID); i >= 0 {
			g := &s.Floor.Groups[i]
			g.Sitting = ""
			if n := len(g.Sittings); n > 0 {
				g.Sittings[n-1].Ended = e.At
			}
		}
	case EventSittingLinked:
		var l SittingLink
		if err := decode(e, &l); err != nil {
			return true, err
		}
		s.floor().Link = &l
	case EventSittingNoted:
		var n Note
		if err := decode(e, &n); err != nil {
			return true, err
		}
		f := s.floor()
		if i := slices.IndexFunc(f.Notes, func(x Note) bool { return x.ID == n.ID }); i >= 0 {
			f.Notes[i] = n
		} else {
			f.Notes = append(f.Notes, n)
		}
	case EventSittingSummarized:
		var p SittingSummary
		if err := decode(e, &p); err != nil {
			return true, err
		}
		s.floor().Summary = p.Drafts
	default:
		return false, nil
	}
	return true, nil
}
