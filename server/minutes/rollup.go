package minutes

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// The roll-up of the opinions on a draft for the drafting team (tổng hợp ý
// kiến góp ý, docs/congress.md §2): per section in document order, the
// counts of each kind and every text, grouped by tổ or by delegation, the
// general opinions apart, those on sections a new version dropped apart,
// and the notes of the tổ sittings on each section. A pure function of the
// congress's state and its sittings' notes; its counts are computed from
// the opinions and checked against the public counts of the log.

// Grouping of the texts of a roll-up.
const (
	ByGroup      = "group"      // by tổ (the default)
	ByDelegation = "delegation" // by delegation: the participant's unit
)

// RollupInput is what a roll-up is built from.
type RollupInput struct {
	State *meeting.State // the congress's full (unfiltered) state
	Draft string         // the draft's document ID
	By    string         // ByGroup or ByDelegation ("" is ByGroup)
	// Names prints who gave each opinion; false (an anonymous draft, or a
	// reader who may not know) leaves the authors out.
	Names    bool
	Sittings []SittingNotes // the notes of the tổ sittings, in order
	// At is when the roll-up is made (the deadline passed or not);
	// printed in the meeting's zone.
	At time.Time
}

// SittingNotes are the notes of one sitting of a tổ.
type SittingNotes struct {
	Group  string // the tổ's name
	Number int    // the sitting's number
	Notes  []meeting.Note
	Names  map[string]string // speaker names by participant ID
}

// Rollup is the roll-up of one draft: what JSON encodes.
type Rollup struct {
	Meeting   string    `json:"meeting"`
	Draft     string    `json:"draft"`
	Title     string    `json:"title"` // the document's title
	Version   int       `json:"version"`
	Deadline  time.Time `json:"deadline"`
	Open      bool      `json:"open"` // opinions still taken when it was made
	Anonymous bool      `json:"anonymous"`
	Names     bool      `json:"names"` // authors printed
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	TimeZone  string    `json:"time_zone"`

	Totals       meeting.SectionCount `json:"totals"`       // every opinion (Section "")
	Participants int                  `json:"participants"` // delegates who gave at least one
	General      int                  `json:"general"`      // opinions on the whole draft
	Specific     int                  `json:"specific"`     // on a section (flagged ones too)
	Groups       []GroupTotal         `json:"groups"`       // the counts per tổ or delegation

	WholeDraft SectionRollup   `json:"whole_draft"` // the general opinions
	Sections   []SectionRollup `json:"sections"`    // in document order
	Flagged    []SectionRollup `json:"flagged"`     // sections a new version dropped

	// Organisation, Layout and Locality print the header.
	Organization string                `json:"organization,omitempty"`
	Locality     string                `json:"locality,omitempty"`
	Layout       meeting.MinutesLayout `json:"layout"`
}

// GroupTotal counts the opinions of one tổ or delegation.
type GroupTotal struct {
	Name         string               `json:"name"`
	Counts       meeting.SectionCount `json:"counts"`
	Participants int                  `json:"participants"`
}

// SectionRollup is the roll-up of one section (or of the whole draft).
type SectionRollup struct {
	Section meeting.Section      `json:"section"`
	Flagged int                  `json:"flagged,omitempty"` // the version that dropped it
	Counts  meeting.SectionCount `json:"counts"`
	Groups  []OpinionGroup       `json:"groups"` // the texts, by tổ or delegation
	Notes   []RolledNote         `json:"notes"`  // the tổ's notes on it
}

// OpinionGroup is the texts of one tổ or delegation on a section.
type OpinionGroup struct {
	Name     string          `json:"name"`
	Opinions []RolledOpinion `json:"opinions"`
}

// RolledOpinion is one opinion with a text (agreements without a text are
// counted, not listed).
type RolledOpinion struct {
	ID      string              `json:"id"`
	Kind    meeting.OpinionKind `json:"kind"`
	Text    string              `json:"text"`
	Author  string              `json:"author,omitempty"` // empty without names
	Unit    string              `json:"unit,omitempty"`
	At      time.Time           `json:"at"`
	Version int                 `json:"version"` // the draft's version it was given on
}

// RolledNote is a tổ's note on a section.
type RolledNote struct {
	Group   string    `json:"group"`
	Sitting int       `json:"sitting"`
	Speaker string    `json:"speaker,omitempty"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
}

// ErrRollupCounts reports that the public counts of the log disagree with
// the opinions (a corrupt log; it never happens from Decide's events).
var ErrRollupCounts = meeting.Errorf(meeting.KindInternal, "Số liệu tổng hợp không khớp với các ý kiến.", "the counts do not match the opinions")

// BuildRollup builds the roll-up of a draft.
func BuildRollup(in RollupInput) (*Rollup, error) {
	s := in.State
	d, ok := s.Draft(in.Draft)
	if !ok {
		return nil, meeting.Errorf(meeting.KindNotFound, "Không có dự thảo %q.", "no draft %q", in.Draft)
	}
	by := in.By
	if by == "" {
		by = ByGroup
	}
	if by != ByGroup && by != ByDelegation {
		return nil, meeting.Errorf(meeting.KindInvalid, "Cách nhóm %q không hợp lệ (group hoặc delegation).", "grouping %q is not valid (group or delegation)", by)
	}
	loc := Location(s.Settings.Zone())
	doc, _ := s.Document(d.Document)
	r := &Rollup{Meeting: s.ID, Draft: d.Document, Title: doc.Title, Version: d.Version, Deadline: d.Deadline.In(loc), Open: d.Open(in.At),
		Anonymous: d.Anonymous, Names: in.Names && !d.Anonymous, By: by, At: in.At.In(loc), TimeZone: s.Settings.Zone(),
		Organization: s.Details.Organization, Locality: s.Details.Locality, Layout: s.Settings.Rules(),
		Groups: []GroupTotal{}, Sections: []SectionRollup{}, Flagged: []SectionRollup{}}

	// The group of each participant: the tổ (in the order defined) or
	// the delegation (in the order of the participants).
	groupOf := map[string]string{}
	var order []string
	const none = "\x00"
	if by == ByGroup {
		if s.Floor != nil {
			for _, g := range s.Floor.Groups {
				order = append(order, g.Name)
				for _, m := range g.Members {
					if _, dup := groupOf[m]; !dup {
						groupOf[m] = g.Name
					}
				}
			}
		}
	} else {
		for _, p := range s.Participants {
			u := strings.TrimSpace(p.Unit)
			if u == "" {
				continue
			}
			groupOf[p.ID] = u
			if !slices.Contains(order, u) {
				order = append(order, u)
			}
		}
	}
	order = append(order, none)
	group := func(pid string) string {
		if g, ok := groupOf[pid]; ok {
			return g
		}
		return none
	}

	// Sections: the current structure, then those only opinions remember.
	index := map[string]*SectionRollup{}
	newSec := func(sec meeting.Section, flagged int) *SectionRollup {
		return &SectionRollup{Section: sec, Flagged: flagged, Counts: meeting.SectionCount{Section: sec.ID}, Groups: []OpinionGroup{}, Notes: []RolledNote{}}
	}
	r.WholeDraft = *newSec(meeting.Section{}, 0)
	index[""] = &r.WholeDraft
	sections := make([]*SectionRollup, 0, len(d.Sections))
	for _, sec := range d.Sections {
		x := newSec(sec, 0)
		sections = append(sections, x)
		index[sec.ID] = x
	}
	var flagged []*SectionRollup

	texts := map[*SectionRollup]map[string][]RolledOpinion{}
	totals := map[string]*GroupTotal{}
	people := map[string]map[string]bool{} // group → participants
	all := map[string]bool{}
	for _, o := range s.Opinions(d.Document) {
		x := index[o.Section]
		if x == nil {
			x = newSec(meeting.Section{ID: o.Section, Title: o.Section}, o.Flagged)
			flagged = append(flagged, x)
			index[o.Section] = x
		}
		x.Counts.Agree += b2i(o.Kind == meeting.OpinionAgree)
		x.Counts.Disagree += b2i(o.Kind == meeting.OpinionDisagree)
		x.Counts.Partial += b2i(o.Kind == meeting.OpinionPartial)
		g := group(o.Participant)
		gt := totals[g]
		if gt == nil {
			gt = &GroupTotal{Name: g}
			totals[g] = gt
			people[g] = map[string]bool{}
		}
		addKind(&gt.Counts, o.Kind)
		addKind(&r.Totals, o.Kind)
		people[g][o.Participant] = true
		all[o.Participant] = true
		if o.General() {
			r.General++
		} else {
			r.Specific++
		}
		if o.Text == "" {
			continue
		}
		ro := RolledOpinion{ID: o.ID, Kind: o.Kind, Text: o.Text, At: o.At.In(loc), Version: o.Version}
		if r.Names {
			p, _ := s.Participant(o.Participant)
			ro.Author, ro.Unit = p.Name, p.Unit
			if ro.Author == "" {
				ro.Author = o.Participant
			}
		}
		if texts[x] == nil {
			texts[x] = map[string][]RolledOpinion{}
		}
		texts[x][g] = append(texts[x][g], ro)
	}
	r.Participants = len(all)

	// The counts the log published must equal the opinions.
	for _, x := range append(append([]*SectionRollup{&r.WholeDraft}, sections...), flagged...) {
		if pub := d.Count(x.Section.ID); pub != x.Counts {
			return nil, ErrRollupCounts
		}
		for _, g := range order {
			if ops := texts[x][g]; len(ops) > 0 {
				x.Groups = append(x.Groups, OpinionGroup{Name: groupName(g), Opinions: ops})
			}
		}
	}
	for _, c := range d.Counts {
		if c.Total() > 0 && index[c.Section] == nil {
			return nil, ErrRollupCounts // a count of opinions that are not there
		}
	}
	for _, g := range order {
		if gt := totals[g]; gt != nil {
			gt.Name = groupName(g)
			gt.Participants = len(people[g])
			r.Groups = append(r.Groups, *gt)
		}
	}

	// The tổ's notes on this draft.
	for _, sn := range in.Sittings {
		for _, n := range sn.Notes {
			if n.Draft != d.Document {
				continue
			}
			x := index[n.Section]
			if x == nil {
				x = newSec(meeting.Section{ID: n.Section, Title: n.Section}, -1)
				flagged = append(flagged, x)
				index[n.Section] = x
			}
			x.Notes = append(x.Notes, RolledNote{Group: sn.Group, Sitting: sn.Number, Speaker: sn.Names[n.Speaker], Text: n.Text, At: n.At.In(loc)})
		}
	}
	for _, x := range sections {
		r.Sections = append(r.Sections, *x)
	}
	for _, x := range flagged {
		if x.Flagged < 0 {
			x.Flagged = 0
		}
		r.Flagged = append(r.Flagged, *x)
	}
	return r, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func addKind(c *meeting.SectionCount, k meeting.OpinionKind) {
	switch k {
	case meeting.OpinionAgree:
		c.Agree++
	case meeting.OpinionDisagree:
		c.Disagree++
	case meeting.OpinionPartial:
		c.Partial++
	}
}

// groupName is the name of group g: "" for the participants in no tổ
// (or no delegation).
func groupName(g string) string {
	if g == "\x00" {
		return ""
	}
	return g
}

// JSON returns the roll-up as indented JSON; the participants in no tổ or
// delegation are in a group named "".
func (r *Rollup) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// rollupWords are the roll-up's phrases, per language.
type rollupWords struct {
	title, subject, asOf, openNote                                   string
	sec1, sec2, sec3, sec4                                           string
	version, deadline, participants, totals, types, anonymous, byWho string
	colGroup, colDelegation, colPeople, colTotal, colNo, colAuthor   string
	colKind, colText, counts, noOpinion, notesOn, noteLine, flagged  string
	noGroup, noDelegation, textsOf, agreeOnly, openMark              string
}

var rollupVI = rollupWords{
	title: "TỔNG HỢP Ý KIẾN GÓP Ý", subject: "%s (phiên bản %d)", asOf: "Số liệu đến %s.",
	openNote: "Việc góp ý chưa kết thúc (hạn chót %s): số liệu còn thay đổi.",
	sec1:     "I. TỔNG QUÁT", sec2: "II. Ý KIẾN CHUNG VỀ TOÀN VĂN DỰ THẢO", sec3: "III. Ý KIẾN VỀ TỪNG PHẦN", sec4: "IV. Ý KIẾN VỀ PHẦN KHÔNG CÒN TRONG BẢN MỚI",
	version: "Dự thảo: %s, phiên bản %d; hạn chót góp ý: %s.", deadline: "",
	participants: "Số đại biểu đã góp ý: %s; tổng số ý kiến: %s.",
	totals:       "Tán thành: %s; không tán thành: %s; đồng ý một phần: %s.",
	types:        "Ý kiến chung về toàn văn: %s; ý kiến về từng phần: %s.",
	anonymous:    "Lấy ý kiến ẩn danh: bản tổng hợp không ghi tên người góp ý.",
	byWho:        "Ý kiến theo %s:",
	colGroup:     "Tổ", colDelegation: "Đoàn đại biểu", colPeople: "Số đại biểu", colTotal: "Tổng số", colNo: "TT", colAuthor: "Đại biểu",
	colKind: "Loại", colText: "Nội dung", counts: "Tán thành: %s; không tán thành: %s; đồng ý một phần: %s (tổng số: %s).",
	noOpinion: "Không có ý kiến.", notesOn: "Ý kiến thảo luận tại tổ:", noteLine: "%s (phiên %d)%s: %s", flagged: "Phần “%s” (bỏ từ phiên bản %d)",
	noGroup: "Không thuộc tổ nào", noDelegation: "Không ghi đoàn", textsOf: "%s (%d ý kiến):",
	agreeOnly: "Các ý kiến tán thành không kèm nội dung chỉ được tính số.", openMark: "ĐANG LẤY Ý KIẾN",
}

var rollupEN = rollupWords{
	title: "ROLL-UP OF OPINIONS", subject: "%s (version %d)", asOf: "Figures as of %s.",
	openNote: "Opinions are still being taken (deadline %s): the figures may change.",
	sec1:     "I. OVERVIEW", sec2: "II. GENERAL OPINIONS ON THE WHOLE DRAFT", sec3: "III. OPINIONS ON EACH SECTION", sec4: "IV. OPINIONS ON SECTIONS NO LONGER IN THE NEW VERSION",
	version:      "Draft: %s, version %d; deadline for opinions: %s.",
	participants: "Delegates who gave opinions: %s; opinions: %s.",
	totals:       "Agree: %s; disagree: %s; partly agree: %s.",
	types:        "General opinions on the whole draft: %s; opinions on sections: %s.",
	anonymous:    "Anonymous opinions: this roll-up names nobody.",
	byWho:        "Opinions by %s:",
	colGroup:     "Group", colDelegation: "Delegation", colPeople: "Delegates", colTotal: "Total", colNo: "No.", colAuthor: "Delegate",
	colKind: "Kind", colText: "Text", counts: "Agree: %s; disagree: %s; partly agree: %s (total: %s).",
	noOpinion: "No opinion.", notesOn: "Opinions in the groups' discussions:", noteLine: "%s (sitting %d)%s: %s", flagged: "Section “%s” (dropped in version %d)",
	noGroup: "In no group", noDelegation: "No delegation given", textsOf: "%s (%d opinions):",
	agreeOnly: "Agreements given without a text are counted, not listed.", openMark: "OPINIONS STILL OPEN",
}

func rollupWordsFor(w *words) rollupWords {
	if w.lang == "en" {
		return rollupEN
	}
	return rollupVI
}

// printedGroup names a group for print: the participants in no tổ (or
// delegation, by) get a phrase.
func printedGroup(w *words, by, name string) string {
	switch {
	case name != "":
		return name
	case by == ByDelegation:
		return rollupWordsFor(w).noDelegation
	}
	return rollupWordsFor(w).noGroup
}

// doc lays the roll-up out as a printed record.
func (r *Rollup) doc(lang string) *doc {
	w := wordsFor(lang)
	rw := rollupWordsFor(w)
	d := &doc{w: w, Lang: w.lang, Party: layoutOf(r.Layout), Title: rw.title, Subject: fmt.Sprintf(rw.subject, r.Title, r.Version)}
	d.header("", r.Organization, "")
	d.Number = ""
	d.PlaceDate = w.placeDate(r.Locality, r.At)
	if r.Open {
		d.Draft = rw.openMark
		d.DraftNote = fmt.Sprintf(rw.openNote, w.long(r.Deadline))
	}
	kind := func(k meeting.OpinionKind) string { return w.term("opinion." + string(k)) }
	counts := func(c meeting.SectionCount) string {
		return fmt.Sprintf(rw.counts, w.n(c.Agree), w.n(c.Disagree), w.n(c.Partial), w.n(c.Total()))
	}
	colGroup := rw.colGroup
	if r.By == ByDelegation {
		colGroup = rw.colDelegation
	}

	// I. Overview.
	d.add(blockSection, "%s", rw.sec1)
	d.add(blockPara, rw.version, r.Title, r.Version, w.long(r.Deadline))
	d.add(blockPara, rw.asOf, w.long(r.At))
	d.add(blockPara, rw.participants, w.n(r.Participants), w.n(r.Totals.Total()))
	d.add(blockPara, rw.totals, w.n(r.Totals.Agree), w.n(r.Totals.Disagree), w.n(r.Totals.Partial))
	d.add(blockPara, rw.types, w.n(r.General), w.n(r.Specific))
	if !r.Names {
		d.add(blockPara, "%s", rw.anonymous)
	}
	d.add(blockPara, "%s", rw.agreeOnly)
	if len(r.Groups) > 0 {
		d.add(blockLabel, rw.byWho, strings.ToLower(colGroup))
		t := block{Kind: blockTable, Head: []string{colGroup, rw.colPeople, kind(meeting.OpinionAgree), kind(meeting.OpinionDisagree), kind(meeting.OpinionPartial), rw.colTotal},
			Widths: []float64{0.30, 0.14, 0.14, 0.14, 0.14, 0.14}, Right: []bool{false, true, true, true, true, true}}
		for _, g := range r.Groups {
			t.Rows = append(t.Rows, []string{printedGroup(w, r.By, g.Name), w.n(g.Participants), w.n(g.Counts.Agree), w.n(g.Counts.Disagree), w.n(g.Counts.Partial), w.n(g.Counts.Total())})
		}
		d.Blocks = append(d.Blocks, t)
	}

	section := func(x SectionRollup) {
		d.add(blockPara, "%s", counts(x.Counts))
		for _, g := range x.Groups {
			d.add(blockSub, rw.textsOf, printedGroup(w, r.By, g.Name), len(g.Opinions))
			t := block{Kind: blockTable, Head: []string{rw.colNo, rw.colKind, rw.colText}, Widths: []float64{0.07, 0.2, 0.73}, Right: []bool{true}}
			if r.Names {
				t.Head = []string{rw.colNo, rw.colAuthor, rw.colKind, rw.colText}
				t.Widths = []float64{0.07, 0.22, 0.16, 0.55}
			}
			for i, o := range g.Opinions {
				row := []string{fmt.Sprint(i + 1), kind(o.Kind), o.Text}
				if r.Names {
					who := o.Author
					if o.Unit != "" && r.By != ByDelegation {
						who += " (" + o.Unit + ")"
					}
					row = []string{fmt.Sprint(i + 1), who, kind(o.Kind), o.Text}
				}
				t.Rows = append(t.Rows, row)
			}
			d.Blocks = append(d.Blocks, t)
		}
		if len(x.Notes) > 0 {
			d.add(blockLabel, "%s", rw.notesOn)
			for _, n := range x.Notes {
				sp := ""
				if n.Speaker != "" {
					sp = " — " + n.Speaker
				}
				d.add(blockPara, rw.noteLine, n.Group, n.Sitting, sp, strings.ReplaceAll(n.Text, "\n", " "))
			}
		}
	}

	// II. The whole draft.
	d.add(blockSection, "%s", rw.sec2)
	section(r.WholeDraft)
	// III. Each section.
	d.add(blockSection, "%s", rw.sec3)
	if len(r.Sections) == 0 {
		d.add(blockPara, "%s", rw.noOpinion)
	}
	for _, x := range r.Sections {
		d.add(blockItem, "%s", strings.TrimSpace(x.Section.Label+" "+x.Section.Title))
		section(x)
	}
	// IV. Sections a new version dropped.
	if len(r.Flagged) > 0 {
		d.add(blockSection, "%s", rw.sec4)
		for _, x := range r.Flagged {
			d.add(blockItem, rw.flagged, x.Section.ID, x.Flagged)
			section(x)
		}
	}
	return d
}

// HTML returns the roll-up as an HTML page.
func (r *Rollup) HTML(lang string) ([]byte, error) { return renderHTML(r.doc(lang)) }

// PDF returns the roll-up as an A4 PDF.
func (r *Rollup) PDF(lang string) ([]byte, error) {
	d := r.doc(lang)
	return renderPDF(d, r.At, d.Title+" — "+d.Subject, "")
}

// DOCX returns the roll-up as a Word document the drafting team can edit.
func (r *Rollup) DOCX(lang string) ([]byte, error) {
	d := r.doc(lang)
	return renderDOCX(d, r.At)
}
