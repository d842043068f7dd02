package meeting

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Drafts open for opinions (dự thảo văn kiện lấy ý kiến) and the opinions
// (docs/congress.md §1).
//
// A draft is a published document, readable by the delegates, with a
// structure (Sections) and a deadline. A delegate gives at most one opinion
// per section, or one on the whole draft (section ""), and edits or
// withdraws it until the deadline.
//
// Who sees what: the drafts, their structure and their counts are public
// (Draft.Counts, kept by opinion.tallied); an opinion is seen by the
// secretariat (staff roles), the draft's readers (the drafting team and the
// presidium) and its author — by its author only when the draft is
// anonymous. Every opinion event goes to exactly that audience, so a
// replica equals View. Readers are only ever added: opinion.disclosed
// sends the new ones what was given before.
//
// Invariant: for every draft and section, Draft.Counts equals the count of
// the opinions of each kind (a test checks it after random runs). Decide
// keeps it by emitting opinion.tallied with the new counts of each section
// an opinion changed, in the same commit as the opinion.

// OpinionKind is the kind of an opinion.
type OpinionKind string

// The kinds of opinion (the national practice for the drafts of the
// congress documents: Tán thành / Không tán thành / Đồng ý một phần).
const (
	OpinionAgree    OpinionKind = "agree"    // Tán thành; a comment is optional
	OpinionDisagree OpinionKind = "disagree" // Không tán thành; a reason is required
	OpinionPartial  OpinionKind = "partial"  // Đồng ý một phần; the proposed text is required
)

// OpinionKinds are the kinds, in the order they are counted and printed.
var OpinionKinds = []OpinionKind{OpinionAgree, OpinionDisagree, OpinionPartial}

func (k OpinionKind) valid() bool { return slices.Contains(OpinionKinds, k) }

// Limits of the drafts and opinions.
const (
	MaxDrafts      = 50       // drafts of a meeting
	MaxSections    = 500      // sections of a draft
	MaxSectionID   = 40       // bytes in a section ID
	MaxLabel       = 50       // runes in a section's label ("Chương II", "1.")
	MaxSectionLvl  = 4        // levels: phần, chương, mục, điểm
	MaxReaders     = 300      // readers of a draft
	MaxOpinionText = 5000     // runes in an opinion
	MaxOpinions    = 200000   // opinions of a meeting
	MaxDeadline    = 366 * 24 // hours from now to a deadline
)

// Section is one part of a draft's structure. ID is stable across the
// draft's versions (the opinions given on it follow it).
type Section struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"` // "Phần thứ nhất", "II.", "1."
	Title string `json:"title"`
	Level int    `json:"level"`          // 1 (phần) to 4 (điểm)
	Page  int    `json:"page,omitempty"` // a PDF's page, from its outline
}

// SectionCount is the count of the opinions of each kind on one section
// ("" the whole draft).
type SectionCount struct {
	Section  string `json:"section"`
	Agree    int    `json:"agree"`
	Disagree int    `json:"disagree"`
	Partial  int    `json:"partial"`
}

// Total returns the number of opinions counted.
func (c SectionCount) Total() int { return c.Agree + c.Disagree + c.Partial }

func (c *SectionCount) add(k OpinionKind, n int) {
	switch k {
	case OpinionAgree:
		c.Agree += n
	case OpinionDisagree:
		c.Disagree += n
	case OpinionPartial:
		c.Partial += n
	}
}

// Of returns the count of kind k.
func (c SectionCount) Of(k OpinionKind) int {
	switch k {
	case OpinionAgree:
		return c.Agree
	case OpinionDisagree:
		return c.Disagree
	case OpinionPartial:
		return c.Partial
	}
	return 0
}

// DraftVersion records when the draft's structure moved to a version.
type DraftVersion struct {
	Version int       `json:"version"`
	At      time.Time `json:"at"`
}

// Draft is a document version open for opinions. It is named by its
// document's ID.
type Draft struct {
	Document  string         `json:"document"`
	Version   int            `json:"version"` // the document version the sections describe
	Sections  []Section      `json:"sections"`
	Deadline  time.Time      `json:"deadline"`
	Readers   []string       `json:"readers,omitempty"` // participants who see who said what
	Anonymous bool           `json:"anonymous,omitempty"`
	OpenedAt  time.Time      `json:"opened_at"`
	Counts    []SectionCount `json:"counts,omitempty"`   // public; in the order sections were first counted
	Versions  []DraftVersion `json:"versions,omitempty"` // each revision of the structure
}

func (d Draft) clone() Draft {
	d.Sections = slices.Clone(d.Sections)
	d.Readers = slices.Clone(d.Readers)
	d.Counts = slices.Clone(d.Counts)
	d.Versions = slices.Clone(d.Versions)
	return d
}

// Section returns section id of d and whether it exists.
func (d Draft) Section(id string) (Section, bool) {
	if i := slices.IndexFunc(d.Sections, func(x Section) bool { return x.ID == id }); i >= 0 {
		return d.Sections[i], true
	}
	return Section{}, false
}

// Count returns the count of section id ("" the whole draft).
func (d Draft) Count(id string) SectionCount {
	if i := slices.IndexFunc(d.Counts, func(c SectionCount) bool { return c.Section == id }); i >= 0 {
		return d.Counts[i]
	}
	return SectionCount{Section: id}
}

// Open reports whether opinions are still taken at now.
func (d Draft) Open(now time.Time) bool { return now.Before(d.Deadline) }

// Opinion is one delegate's opinion on a section of a draft, or on the
// whole draft (Section ""). ID is "o<seq>" of the event that first gave it;
// an edit keeps it.
type Opinion struct {
	ID          string      `json:"id"`
	Draft       string      `json:"draft"`
	Section     string      `json:"section,omitempty"`
	Participant string      `json:"participant"`
	Kind        OpinionKind `json:"kind"`
	Text        string      `json:"text,omitempty"`
	Key         string      `json:"key"`     // the client's idempotency key of the last giving
	Version     int         `json:"version"` // the draft's version when last given
	Created     time.Time   `json:"created"`
	At          time.Time   `json:"at"` // last given
	// Flagged is the draft version whose structure no longer has the
	// section (0: the section exists).
	Flagged int `json:"flagged,omitempty"`
}

// General reports whether o is about the whole draft.
func (o Opinion) General() bool { return o.Section == "" }

// Payloads of the draft and opinion events.
type (
	// DraftUpdated is the payload of draft.updated: the deadline, the
	// readers (all of them) and the anonymity after the change.
	DraftUpdated struct {
		Document  string    `json:"document"`
		Deadline  time.Time `json:"deadline"`
		Readers   []string  `json:"readers,omitempty"`
		Anonymous bool      `json:"anonymous,omitempty"`
	}
	// DraftRevised is the payload of draft.revised: the structure of
	// version Version.
	DraftRevised struct {
		Document string    `json:"document"`
		Version  int       `json:"version"`
		Sections []Section `json:"sections"`
	}
	// OpinionRef names an opinion; the payload of opinion.withdrawn.
	OpinionRef struct {
		ID    string `json:"id"`
		Draft string `json:"draft"`
	}
	// OpinionTally is the payload of opinion.tallied: the new counts of
	// the sections of Draft that changed.
	OpinionTally struct {
		Draft  string         `json:"draft"`
		Counts []SectionCount `json:"counts"`
	}
	// OpinionsDisclosed is the payload of opinion.disclosed: the opinions
	// of Draft given so far, for readers just added.
	OpinionsDisclosed struct {
		Draft    string    `json:"draft"`
		Opinions []Opinion `json:"opinions"`
	}
)

func opinionID(seq int64) string { return fmt.Sprintf("o%d", seq) }

// opinionSeq is the sequence number in an opinion ID ("o12" → 12), or 0.
func opinionSeq(id string) int64 {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "o"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "o") {
		return 0
	}
	return n
}

// Draft returns the draft of document doc and whether there is one.
func (s *State) Draft(doc string) (Draft, bool) {
	if i := s.draftIndex(doc); i >= 0 {
		return s.Floor.Drafts[i], true
	}
	return Draft{}, false
}

func (s *State) draftIndex(doc string) int {
	if s.Floor == nil {
		return -1
	}
	return slices.IndexFunc(s.Floor.Drafts, func(d Draft) bool { return d.Document == doc })
}

func (s *State) draft(doc string) (int, error) {
	i := s.draftIndex(doc)
	if i < 0 {
		return -1, &Error{Kind: KindNotFound, Message: fmt.Sprintf("Không có dự thảo %q đang lấy ý kiến.", doc),
			MessageEN: fmt.Sprintf("no draft %q is open for opinions", doc), Problems: []Problem{{Field: "draft", Message: "Không có dự thảo này.", MessageEN: "no such draft"}}}
	}
	return i, nil
}

// Opinions returns the opinions of draft doc in the order they were first
// given (those s holds: a viewer's state holds those it may see).
func (s *State) Opinions(doc string) []Opinion {
	var out []Opinion
	if s.Floor != nil {
		for _, o := range s.Floor.Opinions {
			if o.Draft == doc {
				out = append(out, o)
			}
		}
	}
	return out
}

// opinionOf returns the index of participant p's opinion on section sec of
// draft doc, or -1.
func (s *State) opinionOf(doc, sec, p string) int {
	if s.Floor == nil {
		return -1
	}
	return slices.IndexFunc(s.Floor.Opinions, func(o Opinion) bool { return o.Draft == doc && o.Section == sec && o.Participant == p })
}

// canSeeOpinion reports whether viewer v may see opinion o (the audience
// of its events, opinionAudience).
func (s *State) canSeeOpinion(o Opinion, v Viewer) bool {
	if v.Participant != "" && o.Participant == v.Participant {
		return true
	}
	i := s.draftIndex(o.Draft)
	if i < 0 || s.Floor.Drafts[i].Anonymous {
		return false
	}
	return staffAudience.Includes(v) || (v.Participant != "" && slices.Contains(s.Floor.Drafts[i].Readers, v.Participant))
}

// opinionAudience is the audience of the events of an opinion of author on
// draft d.
func opinionAudience(d Draft, author string) Audience {
	if d.Anonymous {
		return Audience{Participants: []string{author}}
	}
	ps := slices.Clone(d.Readers)
	if !slices.Contains(ps, author) {
		ps = append(ps, author)
	}
	return Audience{Roles: slices.Clone(staffAudience.Roles), Participants: ps}
}

// ---- validation ----

// validSectionID reports whether id is a section ID: 1 to MaxSectionID
// letters, digits, '.', '_' or '-'.
func validSectionID(id string) bool {
	if id == "" || len(id) > MaxSectionID {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// validateSections checks and normalises a draft's structure.
func validateSections(in []Section) ([]Section, error) {
	if len(in) > MaxSections {
		return nil, fieldErr("sections", fmt.Sprintf("Dự thảo có quá %d phần.", MaxSections), fmt.Sprintf("a draft has at most %d sections", MaxSections))
	}
	out := make([]Section, len(in))
	bad := func(row int, vi, en string) error {
		return &Error{Kind: KindInvalid, Message: fmt.Sprintf("Phần thứ %d: %s", row, vi), MessageEN: fmt.Sprintf("section %d: %s", row, en),
			Problems: []Problem{{Row: row, Field: "sections", Message: vi, MessageEN: en}}}
	}
	for i, sec := range in {
		row := i + 1
		if !validSectionID(sec.ID) {
			return nil, bad(row, fmt.Sprintf("mã %q không hợp lệ (1 đến %d chữ cái không dấu, chữ số, dấu chấm, gạch ngang).", sec.ID, MaxSectionID),
				fmt.Sprintf("ID %q is not valid (1 to %d ASCII letters, digits, '.', '_' or '-')", sec.ID, MaxSectionID))
		}
		if slices.ContainsFunc(out[:i], func(o Section) bool { return o.ID == sec.ID }) {
			return nil, bad(row, fmt.Sprintf("mã %q bị trùng.", sec.ID), fmt.Sprintf("ID %q is used twice", sec.ID))
		}
		var err error
		if sec.Title, err = text("title", "Tiêu đề", sec.Title, MaxTitle, false); err != nil {
			return nil, bad(row, err.(*Error).Message, err.(*Error).MessageEN)
		}
		if sec.Label, err = text("label", "Số thứ tự", sec.Label, MaxLabel, true); err != nil {
			return nil, bad(row, err.(*Error).Message, err.(*Error).MessageEN)
		}
		if sec.Level < 1 || sec.Level > MaxSectionLvl {
			return nil, bad(row, fmt.Sprintf("cấp phải từ 1 (phần) đến %d (điểm).", MaxSectionLvl), fmt.Sprintf("level must be between 1 and %d", MaxSectionLvl))
		}
		if sec.Page < 0 || sec.Page > MaxPage {
			return nil, bad(row, "số trang không hợp lệ.", "bad page")
		}
		out[i] = sec
	}
	return out, nil
}

// validateReaders checks readers (participants who may give opinions),
// dropping duplicates and those in have.
func (s *State) validateReaders(readers, have []string) ([]string, error) {
	var out []string
	for i, id := range readers {
		p, ok := s.Participant(id)
		if !ok {
			return nil, &Error{Kind: KindNotFound, Message: fmt.Sprintf("Không tìm thấy người tham dự %q.", id), MessageEN: fmt.Sprintf("participant %q not found", id),
				Problems: []Problem{{Row: i + 1, Field: "readers", Message: "Không tìm thấy người tham dự.", MessageEN: "participant not found"}}}
		}
		if p.Role == RoleHall || p.Role == RoleObserver {
			return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("%s không phải đại biểu nên không xem được ý kiến góp ý.", p.Name),
				MessageEN: fmt.Sprintf("participant %s is not a delegate and cannot read the opinions", p.ID),
				Problems:  []Problem{{Row: i + 1, Field: "readers", Message: "Chỉ đại biểu mới xem được ý kiến.", MessageEN: "delegates only"}}}
		}
		if !slices.Contains(out, id) && !slices.Contains(have, id) {
			out = append(out, id)
		}
	}
	if len(out)+len(have) > MaxReaders {
		return nil, fieldErr("readers", fmt.Sprintf("Không được quá %d người xem ý kiến.", MaxReaders), fmt.Sprintf("at most %d readers", MaxReaders))
	}
	return out, nil
}

// deadlineText renders a deadline for messages: in Vietnam time when the
// meeting keeps it (the default), else in UTC (the domain loads no zone).
func deadlineText(s *State, t time.Time) (vi, en string) {
	if s.Settings.Zone() == DefaultTimeZone {
		l := t.In(time.FixedZone("ICT", 7*3600))
		return l.Format("15:04") + " ngày " + l.Format("02/01/2006"), l.Format("15:04 on 02/01/2006") + " (UTC+7)"
	}
	u := t.UTC()
	return u.Format("15:04") + " ngày " + u.Format("02/01/2006") + " (UTC)", u.Format("15:04 on 02/01/2006") + " (UTC)"
}

// checkDeadline validates a new deadline at now.
func checkDeadline(field string, t, now time.Time) (time.Time, error) {
	switch {
	case t.IsZero():
		return t, fieldErr(field, "Cần hạn chót góp ý.", "a deadline is required")
	case !t.After(now):
		return t, fieldErr(field, "Hạn chót góp ý phải sau thời điểm hiện tại.", "the deadline must be in the future")
	case t.After(now.Add(MaxDeadline * time.Hour)):
		return t, fieldErr(field, "Hạn chót góp ý không được quá một năm.", "the deadline must be within a year")
	}
	return t.UTC(), nil
}

// draftDocument checks that document doc can be a draft at version v (0:
// the latest) and returns the version number.
func (s *State) draftDocument(doc string, v int) (int, error) {
	i, err := s.document(doc)
	if err != nil {
		return 0, err
	}
	d := &s.Documents[i]
	if d.Status != DocumentPublished || d.Access == AccessNamed {
		return 0, Errorf(KindConflict, "Chỉ lấy ý kiến được về tài liệu đã phát hành cho đại biểu (công khai hoặc đại biểu).",
			"only a document published to the delegates (public or delegates) can be opened for opinions")
	}
	if v == 0 {
		v = d.Latest().Number
	}
	if _, ok := d.Version(v); !ok {
		return 0, &Error{Kind: KindNotFound, Message: fmt.Sprintf("Tài liệu %s không có phiên bản %d.", d.ID, v),
			MessageEN: fmt.Sprintf("document %s has no version %d", d.ID, v), Problems: []Problem{{Field: "version", Message: "Phiên bản không tồn tại.", MessageEN: "no such version"}}}
	}
	return v, nil
}

// ---- commands ----

// OpenDraft opens a published document version for opinions.
type OpenDraft struct {
	Document  string    `json:"document"`
	Version   int       `json:"version,omitempty"` // 0: the latest
	Sections  []Section `json:"sections"`
	Deadline  time.Time `json:"deadline"`
	Readers   []string  `json:"readers,omitempty"`
	Anonymous bool      `json:"anonymous,omitempty"`
}

// Name implements Command.
func (*OpenDraft) Name() string { return "draft.open" }

func (c *OpenDraft) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	v, err := s.draftDocument(c.Document, c.Version)
	if err != nil {
		return nil, err
	}
	if s.draftIndex(c.Document) >= 0 {
		return nil, Errorf(KindConflict, "Tài liệu %s đã được lấy ý kiến; hãy cập nhật dự thảo thay vì mở lại.", "document %s is already open for opinions: update the draft instead", c.Document)
	}
	if s.Floor != nil && len(s.Floor.Drafts) >= MaxDrafts {
		return nil, Errorf(KindConflict, "Đã có đủ %d dự thảo.", "the meeting already has %d drafts", MaxDrafts)
	}
	sections, err := validateSections(c.Sections)
	if err != nil {
		return nil, err
	}
	deadline, err := checkDeadline("deadline", c.Deadline, now)
	if err != nil {
		return nil, err
	}
	readers, err := s.validateReaders(c.Readers, nil)
	if err != nil {
		return nil, err
	}
	d := Draft{Document: c.Document, Version: v, Sections: sections, Deadline: deadline, Readers: readers, Anonymous: c.Anonymous, OpenedAt: now}
	if d.Sections == nil {
		d.Sections = []Section{}
	}
	return []Event{newEvent(EventDraftOpened, d)}, nil
}

// UpdateDraft changes a draft's deadline (or ends the opinions now), adds
// readers, or changes its anonymity while it has no opinion.
type UpdateDraft struct {
	Document   string     `json:"document"`
	Deadline   *time.Time `json:"deadline,omitempty"`
	Close      bool       `json:"close,omitempty"` // end the opinions now
	AddReaders []string   `json:"add_readers,omitempty"`
	Anonymous  *bool      `json:"anonymous,omitempty"`
}

// Name implements Command.
func (*UpdateDraft) Name() string { return "draft.update" }

func (c *UpdateDraft) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.draft(c.Document)
	if err != nil {
		return nil, err
	}
	d := s.Floor.Drafts[i]
	up := DraftUpdated{Document: d.Document, Deadline: d.Deadline, Readers: slices.Clone(d.Readers), Anonymous: d.Anonymous}
	switch {
	case c.Close && c.Deadline != nil:
		return nil, fieldErr("deadline", "Chọn hoặc hạn chót mới, hoặc kết thúc góp ý ngay, không chọn cả hai.", "give either a deadline or close, not both")
	case c.Close:
		if !d.Open(now) {
			return nil, Errorf(KindConflict, "Dự thảo đã hết hạn góp ý.", "the draft's deadline has passed")
		}
		up.Deadline = now
	case c.Deadline != nil:
		if up.Deadline, err = checkDeadline("deadline", *c.Deadline, now); err != nil {
			return nil, err
		}
	}
	added, err := s.validateReaders(c.AddReaders, d.Readers)
	if err != nil {
		return nil, err
	}
	up.Readers = append(up.Readers, added...)
	if c.Anonymous != nil && *c.Anonymous != d.Anonymous {
		if len(s.Opinions(d.Document)) > 0 {
			return nil, Errorf(KindConflict, "Dự thảo đã có ý kiến góp ý nên không thể thay đổi chế độ ẩn danh.", "the draft already has opinions: its anonymity cannot change")
		}
		up.Anonymous = *c.Anonymous
	}
	if up.Deadline.Equal(d.Deadline) && len(added) == 0 && up.Anonymous == d.Anonymous {
		return nil, Errorf(KindConflict, "Dự thảo không thay đổi.", "the draft is unchanged")
	}
	events := []Event{newEvent(EventDraftUpdated, up)}
	if len(added) > 0 && !up.Anonymous {
		if ops := s.Opinions(d.Document); len(ops) > 0 {
			e := newEvent(EventOpinionDisclosed, OpinionsDisclosed{Draft: d.Document, Opinions: ops})
			e.Audience = Audience{Participants: added}
			events = append(events, e)
		}
	}
	return events, nil
}

// ReviseDraft sets the structure of a draft for a version of its document
// (a new version, or the same one corrected by hand). Opinions on sections
// kept move with them; the others are flagged (docs/congress.md §1).
type ReviseDraft struct {
	Document string    `json:"document"`
	Version  int       `json:"version,omitempty"` // 0: the latest
	Sections []Section `json:"sections"`
}

// Name implements Command.
func (*ReviseDraft) Name() string { return "draft.revise" }

func (c *ReviseDraft) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	i, err := s.draft(c.Document)
	if err != nil {
		return nil, err
	}
	v, err := s.draftDocument(c.Document, c.Version)
	if err != nil {
		return nil, err
	}
	d := s.Floor.Drafts[i]
	if v < d.Version {
		return nil, fieldErr("version", fmt.Sprintf("Dự thảo đang theo phiên bản %d; không quay về phiên bản cũ hơn.", d.Version), fmt.Sprintf("the draft follows version %d: it cannot go back to an older one", d.Version))
	}
	sections, err := validateSections(c.Sections)
	if err != nil {
		return nil, err
	}
	if sections == nil {
		sections = []Section{}
	}
	if v == d.Version && slices.Equal(sections, d.Sections) {
		return nil, Errorf(KindConflict, "Cấu trúc dự thảo không thay đổi.", "the draft's structure is unchanged")
	}
	return []Event{newEvent(EventDraftRevised, DraftRevised{Document: d.Document, Version: v, Sections: sections})}, nil
}

// GiveOpinion is a delegate's opinion on a section of a draft (Section
// empty: the whole draft), from their own tablet; giving again edits it.
// Key is the client's idempotency key: a retry of an opinion already
// recorded with that key changes nothing and succeeds.
type GiveOpinion struct {
	Draft   string      `json:"draft"`
	Section string      `json:"section,omitempty"`
	Kind    OpinionKind `json:"kind"`
	Text    string      `json:"text,omitempty"`
	Key     string      `json:"key"`
}

// Name implements Command.
func (*GiveOpinion) Name() string { return "opinion.give" }

func (c *GiveOpinion) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	d, err := s.opinionDraft(a, c.Draft, now)
	if err != nil {
		return nil, err
	}
	if c.Section != "" {
		if _, ok := d.Section(c.Section); !ok {
			return nil, &Error{Kind: KindNotFound, Message: fmt.Sprintf("Dự thảo không có phần %q.", c.Section), MessageEN: fmt.Sprintf("the draft has no section %q", c.Section),
				Problems: []Problem{{Field: "section", Message: "Không có phần này.", MessageEN: "no such section"}}}
		}
	}
	if !c.Kind.valid() {
		return nil, fieldErr("kind", fmt.Sprintf("Loại ý kiến %q không hợp lệ (agree: tán thành, disagree: không tán thành, partial: đồng ý một phần).", c.Kind),
			fmt.Sprintf("opinion kind %q is not valid (agree, disagree or partial)", c.Kind))
	}
	txt, err := text("text", "Nội dung ý kiến", c.Text, MaxOpinionText, true)
	if err != nil {
		return nil, err
	}
	switch {
	case txt == "" && c.Kind == OpinionDisagree:
		return nil, fieldErr("text", "Ý kiến không tán thành phải nêu lý do.", "an opinion against must give a reason")
	case txt == "" && c.Kind == OpinionPartial:
		return nil, fieldErr("text", "Ý kiến đồng ý một phần phải nêu nội dung đề nghị sửa.", "a partial agreement must give the proposed text")
	}
	if c.Key == "" || len(c.Key) > MaxKey || !printable(c.Key) {
		return nil, fieldErr("key", fmt.Sprintf("Mã gửi ý kiến không hợp lệ (1 đến %d ký tự).", MaxKey), fmt.Sprintf("the key must have 1 to %d printable characters", MaxKey))
	}
	o := Opinion{ID: opinionID(first), Draft: d.Document, Section: c.Section, Participant: a.Participant, Kind: c.Kind, Text: txt, Key: c.Key,
		Version: d.Version, Created: now, At: now}
	old := Opinion{}
	if j := s.opinionOf(d.Document, c.Section, a.Participant); j >= 0 {
		old = s.Floor.Opinions[j]
		if old.Key == c.Key && (old.Kind != c.Kind || old.Text != txt) {
			// A key names one giving: reused for other words, it would be
			// taken for a retry and the new words silently dropped.
			return nil, &Error{Kind: KindConflict, Message: fmt.Sprintf("Mã gửi ý kiến %q đã được dùng cho một ý kiến khác; hãy gửi lại với mã mới.", c.Key),
				MessageEN: fmt.Sprintf("key %q was used for another opinion: send it with a new key", c.Key),
				Problems:  []Problem{{Field: "key", Message: "Mã đã dùng cho ý kiến khác.", MessageEN: "key used for another opinion"}}}
		}
		if old.Key == c.Key || (old.Kind == c.Kind && old.Text == txt && old.Flagged == 0) {
			return nil, nil // a retry, or nothing to change: recorded already
		}
		o.ID, o.Created = old.ID, old.Created
	} else if len(s.Floor.Opinions) >= MaxOpinions {
		return nil, Errorf(KindConflict, "Đã quá số ý kiến cho phép.", "too many opinions")
	}
	given := newEvent(EventOpinionGiven, o)
	given.Audience = opinionAudience(d, a.Participant)
	events := []Event{given}
	if old.Kind != o.Kind {
		cnt := d.Count(c.Section)
		cnt.add(old.Kind, -1)
		cnt.add(o.Kind, 1)
		events = append(events, newEvent(EventOpinionTallied, OpinionTally{Draft: d.Document, Counts: []SectionCount{cnt}}))
	}
	return events, nil
}

// opinionDraft checks that actor a may give or withdraw an opinion on
// draft doc at now, and returns the draft.
func (s *State) opinionDraft(a Actor, doc string, now time.Time) (Draft, error) {
	if a.Participant == "" {
		return Draft{}, Errorf(KindForbidden, "Chỉ đại biểu, trên máy tính bảng của mình, mới góp ý được.", "only a delegate, on their own tablet, can give an opinion")
	}
	if _, err := s.participant(a.Participant); err != nil {
		return Draft{}, err
	}
	i, err := s.draft(doc)
	if err != nil {
		return Draft{}, err
	}
	d := s.Floor.Drafts[i]
	if !d.Open(now) {
		vi, en := deadlineText(s, d.Deadline)
		return Draft{}, &Error{Kind: KindConflict, Message: fmt.Sprintf("Đã hết hạn góp ý dự thảo (hạn chót %s).", vi),
			MessageEN: fmt.Sprintf("the deadline for opinions on this draft has passed (%s)", en)}
	}
	return d, nil
}

// WithdrawOpinion takes back one's opinion on a section of a draft (Section
// empty: the whole draft) before the deadline.
type WithdrawOpinion struct {
	Draft   string `json:"draft"`
	Section string `json:"section,omitempty"`
}

// Name implements Command.
func (*WithdrawOpinion) Name() string { return "opinion.withdraw" }

func (c *WithdrawOpinion) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	d, err := s.opinionDraft(a, c.Draft, now)
	if err != nil {
		return nil, err
	}
	j := s.opinionOf(d.Document, c.Section, a.Participant)
	if j < 0 {
		return nil, Errorf(KindNotFound, "Đồng chí chưa góp ý về phần này.", "you have given no opinion on this section")
	}
	o := s.Floor.Opinions[j]
	w := newEvent(EventOpinionWithdrawn, OpinionRef{ID: o.ID, Draft: d.Document})
	w.Audience = opinionAudience(d, a.Participant)
	cnt := d.Count(o.Section)
	cnt.add(o.Kind, -1)
	return []Event{w, newEvent(EventOpinionTallied, OpinionTally{Draft: d.Document, Counts: []SectionCount{cnt}})}, nil
}

// batched marks the commands the room may group-commit (room.Batch): many
// arrive at once from many tablets, each small, none of them blocking.
func (*GiveOpinion) batched()     {}
func (*WithdrawOpinion) batched() {}

// Batched reports whether c is a command the room group-commits with
// others arriving at the same time (the opinions).
func Batched(c Command) bool {
	_, ok := c.(interface{ batched() })
	return ok
}

// ---- fold ----

// applyDrafts folds the draft and opinion events; ok is false for others.
func (s *State) applyDrafts(e Event) (ok bool, err error) {
	switch e.Type {
	case EventDraftOpened:
		var d Draft
		if err := decode(e, &d); err != nil {
			return true, err
		}
		d.OpenedAt = e.At
		f := s.floor()
		f.Drafts = append(slices.Clone(f.Drafts), d)
	case EventDraftUpdated:
		var p DraftUpdated
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.draftIndex(p.Document); i >= 0 {
			d := &s.Floor.Drafts[i]
			d.Deadline, d.Readers, d.Anonymous = p.Deadline, p.Readers, p.Anonymous
		}
	case EventDraftRevised:
		var p DraftRevised
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.draftIndex(p.Document); i >= 0 {
			d := &s.Floor.Drafts[i]
			d.Version, d.Sections = p.Version, p.Sections
			d.Versions = append(d.Versions, DraftVersion{Version: p.Version, At: e.At})
			for k := range s.Floor.Opinions {
				o := &s.Floor.Opinions[k]
				if o.Draft != p.Document || o.General() {
					continue
				}
				if _, ok := d.Section(o.Section); ok {
					o.Flagged = 0
				} else if o.Flagged == 0 {
					o.Flagged = p.Version
				}
			}
		}
	case EventOpinionGiven:
		var o Opinion
		if err := decode(e, &o); err != nil {
			return true, err
		}
		s.putOpinion(o)
	case EventOpinionWithdrawn:
		var p OpinionRef
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if s.Floor != nil {
			s.Floor.Opinions = nilIfEmpty(slices.DeleteFunc(s.Floor.Opinions, func(o Opinion) bool { return o.ID == p.ID }))
		}
	case EventOpinionTallied:
		var p OpinionTally
		if err := decode(e, &p); err != nil {
			return true, err
		}
		if i := s.draftIndex(p.Draft); i >= 0 {
			d := &s.Floor.Drafts[i]
			for _, c := range p.Counts {
				if k := slices.IndexFunc(d.Counts, func(x SectionCount) bool { return x.Section == c.Section }); k >= 0 {
					d.Counts[k] = c
				} else {
					d.Counts = append(d.Counts, c)
				}
			}
		}
	case EventOpinionDisclosed:
		var p OpinionsDisclosed
		if err := decode(e, &p); err != nil {
			return true, err
		}
		for _, o := range p.Opinions {
			s.putOpinion(o)
		}
	default:
		return false, nil
	}
	return true, nil
}

// putOpinion replaces opinion o or inserts it in the order of its ID's
// sequence number (the order they were first given), so a replica that
// learns of opinions late (opinion.disclosed) lists them as the server does.
func (s *State) putOpinion(o Opinion) {
	f := s.floor()
	if i := slices.IndexFunc(f.Opinions, func(x Opinion) bool { return x.ID == o.ID }); i >= 0 {
		f.Opinions[i] = o
		return
	}
	seq := opinionSeq(o.ID)
	i, _ := slices.BinarySearchFunc(f.Opinions, seq, func(x Opinion, seq int64) int {
		switch xs := opinionSeq(x.ID); {
		case xs < seq:
			return -1
		case xs > seq:
			return 1
		}
		return 0
	})
	f.Opinions = slices.Insert(f.Opinions, i, o)
}

// ---- structure of a new version ----

// MatchSections returns next, the structure of a new version, with IDs
// that follow the old structure: a section whose title, without its number
// and ignoring case and spaces, equals the title of an old section not
// matched yet keeps that section's ID (the first such, in order), so the
// opinions given on it follow it ("2. Về văn hóa" becoming "3. Về văn hóa"
// keeps its opinions); the others get new IDs "m<n>" that no old section
// used. The IDs given in next are ignored. The secretariat reviews the
// result before draft.revise.
func MatchSections(old, next []Section) []Section {
	used := map[string]bool{}
	top := 0
	for _, o := range old {
		if n, err := strconv.Atoi(strings.TrimPrefix(o.ID, "m")); err == nil && strings.HasPrefix(o.ID, "m") && n > top {
			top = n
		}
	}
	out := make([]Section, len(next))
	for i, sec := range next {
		key := titleKey(sec.Title)
		sec.ID = ""
		for _, o := range old {
			if !used[o.ID] && titleKey(o.Title) == key {
				sec.ID = o.ID
				used[o.ID] = true
				break
			}
		}
		out[i] = sec
	}
	for i := range out {
		if out[i].ID == "" {
			top++
			out[i].ID = fmt.Sprintf("m%d", top)
		}
	}
	return out
}

// titleKey is a section title as MatchSections compares it: lower case,
// single spaces, without surrounding punctuation.
func titleKey(t string) string {
	return strings.Trim(strings.Join(strings.Fields(strings.ToLower(t)), " "), " .:;-–—")
}
