package minutes

import (
	"fmt"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// The congress floor in the record (docs/congress.md): in the minutes of
// a congress, the written contributions read and those sent to the
// congress (tham luận gửi đại hội); a tổ sitting's minutes are the tổ
// report (biên bản thảo luận tổ): its title and header name the tổ, the
// thư ký's notes and the members' written opinions follow the proceedings,
// and the thư ký tổ and the tổ trưởng sign.

// FloorRecord is what the minutes print of the congress floor.
type FloorRecord struct {
	// Sitting is set when the meeting is a tổ sitting.
	Sitting *SittingRecord `json:"sitting,omitempty"`
	// Contributions are the written contributions: those read first,
	// in the order they were read, then those sent to the congress, in
	// the order they were registered. Withdrawn ones are left out.
	Contributions []ContributionRecord `json:"contributions,omitempty"`
}

// ContributionRecord is a written contribution as printed.
type ContributionRecord struct {
	ID      string    `json:"id"`
	Author  Person    `json:"author"`
	Title   string    `json:"title"`
	File    string    `json:"file"` // the text's file name
	SHA256  string    `json:"sha256"`
	Read    bool      `json:"read"`              // read at the congress (tham luận trình bày)
	Start   time.Time `json:"start,omitzero"`    // when it was read
	Seconds int64     `json:"seconds,omitempty"` // how long
}

// SittingRecord is what a tổ report prints besides the minutes.
type SittingRecord struct {
	Congress  string                 `json:"congress"`
	Group     string                 `json:"group"` // the tổ's name
	Number    int                    `json:"number"`
	Leader    Person                 `json:"leader"`
	Deputy    *Person                `json:"deputy,omitempty"`
	Secretary Person                 `json:"secretary"`
	Notes     []NoteRecord           `json:"notes"`
	Summary   []meeting.DraftSummary `json:"summary"`
}

// NoteRecord is one of the thư ký's notes as printed.
type NoteRecord struct {
	At      time.Time `json:"at"`
	Text    string    `json:"text"`
	Speaker string    `json:"speaker,omitempty"`
	Draft   string    `json:"draft,omitempty"`   // the draft's title
	Section string    `json:"section,omitempty"` // the section's number and title
}

// floor returns the record of the floor (nil when the meeting has none).
func (f *folded) floor() *FloorRecord {
	s := f.s
	if s.Floor == nil {
		return nil
	}
	r := &FloorRecord{}
	if l, ok := s.Linked(); ok {
		sr := &SittingRecord{Congress: l.Congress, Group: l.Name, Number: l.Number, Leader: f.person(l.Leader), Secretary: f.person(l.Secretary),
			Notes: []NoteRecord{}, Summary: s.Floor.Summary}
		if l.Deputy != "" {
			d := f.person(l.Deputy)
			sr.Deputy = &d
		}
		if sr.Summary == nil {
			sr.Summary = []meeting.DraftSummary{}
		}
		for _, n := range s.Floor.Notes {
			nr := NoteRecord{At: f.in(n.At), Text: n.Text}
			if n.Speaker != "" {
				nr.Speaker = f.name(n.Speaker)
			}
			for _, d := range l.Drafts {
				if d.Document != n.Draft {
					continue
				}
				nr.Draft = d.Title
				for _, sec := range d.Sections {
					if sec.ID == n.Section {
						nr.Section = strings.TrimSpace(sec.Label + " " + sec.Title)
					}
				}
			}
			sr.Notes = append(sr.Notes, nr)
		}
		r.Sitting = sr
	}
	var read, sent []ContributionRecord
	for _, c := range s.Floor.Contributions {
		st, sp := s.ContributionStatus(c)
		if st == meeting.ContributionStateWithdrawn {
			continue
		}
		cr := ContributionRecord{ID: c.ID, Author: f.person(c.Participant), Title: c.Title}
		if d, ok := s.Document(c.Document); ok && len(d.Versions) > 0 {
			v := d.Versions[0]
			cr.File, cr.SHA256 = v.Name, v.SHA256
		}
		if st == meeting.ContributionStateSpoken {
			cr.Read, cr.Start, cr.Seconds = true, f.in(sp.Start), int64(sp.ElapsedAt(f.last.At)/time.Second)
			read = append(read, cr)
		} else {
			sent = append(sent, cr)
		}
	}
	// Read ones in the order they were read.
	for i := 1; i < len(read); i++ {
		for j := i; j > 0 && read[j].Start.Before(read[j-1].Start); j-- {
			read[j], read[j-1] = read[j-1], read[j]
		}
	}
	r.Contributions = append(read, sent...)
	if r.Sitting == nil && len(r.Contributions) == 0 {
		return nil
	}
	return r
}

// floorWords are the record's phrases of the floor, per language.
type floorWords struct {
	title, signLeader, signSecretary                  string
	proceedings, notes, noNotes, noteOn, noteBy       string
	written, writtenNone, colSection, colTotal, draft string
	officers                                          string
	readTitle, sentTitle, contribLine, contribRead    string
	contributions                                     string
}

var floorVI = floorWords{
	title: "BIÊN BẢN THẢO LUẬN TỔ", signLeader: "TỔ TRƯỞNG", signSecretary: "THƯ KÝ TỔ",
	proceedings: "Ý kiến thảo luận tại tổ", notes: "Ý kiến thảo luận (thư ký tổ ghi):", noNotes: "Thư ký tổ không ghi ý kiến nào.",
	noteOn: " [%s]", noteBy: "%s: ",
	written: "Ý kiến góp ý bằng văn bản của thành viên tổ (đến khi kết thúc phiên thảo luận):", writtenNone: "Thành viên tổ chưa gửi ý kiến góp ý bằng văn bản.",
	colSection: "Phần", colTotal: "Tổng", draft: "Dự thảo “%s”: %d ý kiến.",
	officers:  "Tổ trưởng: %s; thư ký tổ: %s%s.",
	readTitle: "Tham luận trình bày tại hội nghị:", sentTitle: "Tham luận gửi đại hội (không trình bày tại hội nghị):",
	contribLine: "%d. %s — “%s” (tệp %s, SHA-256 %s).", contribRead: "%d. %s — “%s”, trình bày lúc %s (%s).",
	contributions: "Tham luận",
}

var floorEN = floorWords{
	title: "MINUTES OF THE GROUP DISCUSSION", signLeader: "GROUP LEADER", signSecretary: "GROUP SECRETARY",
	proceedings: "Opinions in the group's discussion", notes: "Opinions (noted by the group secretary):", noNotes: "The group secretary noted no opinion.",
	noteOn: " [%s]", noteBy: "%s: ",
	written: "Written opinions of the group's members (until the sitting rose):", writtenNone: "The group's members gave no written opinion.",
	colSection: "Section", colTotal: "Total", draft: "Draft “%s”: %d opinions.",
	officers:  "Group leader: %s; group secretary: %s%s.",
	readTitle: "Written contributions read at the meeting:", sentTitle: "Written contributions submitted to the congress (not read at the meeting):",
	contribLine: "%d. %s — “%s” (file %s, SHA-256 %s).", contribRead: "%d. %s — “%s”, read at %s (%s).",
	contributions: "Written contributions",
}

func floorWordsFor(w *words) floorWords {
	if w.lang == "en" {
		return floorEN
	}
	return floorVI
}

// floorHeader makes d the header of a tổ report: its title, and the tổ as
// the issuing body under the congress's organisation.
func floorHeader(d *doc, r Record) {
	if r.Floor == nil || r.Floor.Sitting == nil {
		return
	}
	fw := floorWordsFor(d.w)
	d.Title = fw.title
	d.Left = nil
	d.header(r.Superior, r.Organization, r.Number)
	d.Left = append(d.Left, strings.ToUpper(r.Floor.Sitting.Group))
}

// floorBlocks adds the floor's part of the proceedings: a tổ's notes and
// its members' written opinions, a congress's written contributions.
func (d *doc) floorBlocks(r Record) {
	if r.Floor == nil {
		return
	}
	w, fw := d.w, floorWordsFor(d.w)
	if s := r.Floor.Sitting; s != nil {
		deputy := ""
		if s.Deputy != nil {
			deputy = "; " + strings.ToLower(w.term("group.deputy")) + ": " + s.Deputy.Name
		}
		d.add(blockItem, "%s", fw.proceedings)
		d.add(blockPara, fw.officers, s.Leader.Name, s.Secretary.Name, deputy)
		d.add(blockLabel, "%s", fw.notes)
		if len(s.Notes) == 0 {
			d.add(blockPara, "%s", fw.noNotes)
		}
		for i, n := range s.Notes {
			line := fmt.Sprintf("%d. %s — ", i+1, w.clock(n.At))
			if n.Speaker != "" {
				line += fmt.Sprintf(fw.noteBy, n.Speaker)
			}
			line += strings.ReplaceAll(n.Text, "\n", " ")
			if n.Draft != "" {
				on := n.Draft
				if n.Section != "" {
					on += ", " + n.Section
				}
				line += fmt.Sprintf(fw.noteOn, on)
			}
			d.add(blockPara, "%s", line)
		}
		d.add(blockLabel, "%s", fw.written)
		if len(s.Summary) == 0 {
			d.add(blockPara, "%s", fw.writtenNone)
		}
		for _, sum := range s.Summary {
			d.add(blockSub, fw.draft, sum.Title, sum.Opinions)
			t := block{Kind: blockTable, Head: []string{fw.colSection, w.term("opinion.agree"), w.term("opinion.disagree"), w.term("opinion.partial"), fw.colTotal},
				Widths: []float64{0.44, 0.14, 0.14, 0.14, 0.14}, Right: []bool{false, true, true, true, true}}
			for _, c := range sum.Counts {
				name := w.term("opinion.general")
				for _, sec := range sum.Sections {
					if sec.ID == c.Section {
						name = strings.TrimSpace(sec.Label + " " + sec.Title)
					}
				}
				if c.Section != "" && name == w.term("opinion.general") {
					name = c.Section
				}
				t.Rows = append(t.Rows, []string{name, w.n(c.Agree), w.n(c.Disagree), w.n(c.Partial), w.n(c.Total())})
			}
			if len(t.Rows) > 0 {
				d.Blocks = append(d.Blocks, t)
			}
		}
	}
	var read, sent []ContributionRecord
	for _, c := range r.Floor.Contributions {
		if c.Read {
			read = append(read, c)
		} else {
			sent = append(sent, c)
		}
	}
	if len(read)+len(sent) == 0 {
		return
	}
	d.add(blockItem, "%s", fw.contributions)
	if len(read) > 0 {
		d.add(blockLabel, "%s", fw.readTitle)
		for i, c := range read {
			d.add(blockPara, fw.contribRead, i+1, c.Author.Name, c.Title, w.clock(c.Start), w.duration(c.Seconds))
		}
	}
	if len(sent) > 0 {
		d.add(blockLabel, "%s", fw.sentTitle)
		for i, c := range sent {
			d.add(blockPara, fw.contribLine, i+1, c.Author.Name, c.Title, c.File, c.SHA256)
		}
	}
}

// sittingSigns are the signatures of a tổ report: the thư ký tổ on the
// left, the tổ trưởng on the right.
func sittingSigns(w *words, r Record) []sign {
	fw := floorWordsFor(w)
	s := r.Floor.Sitting
	return []sign{{Lines: []string{fw.signSecretary}, Name: s.Secretary.Name}, {Lines: []string{fw.signLeader}, Name: s.Leader.Name}}
}
