package meeting

import (
	"fmt"
	"slices"
	"time"
)

// The minutes (biên bản).
//
// The minutes of a meeting are generated from its event log (package
// server/minutes); what the log does not already hold, the secretariat adds
// with three commands:
//
//   - minutes.conclude sets the conclusion (kết luận) of an agenda item, or
//     of the whole meeting (Item ""), replacing the previous one. Allowed in
//     any status, after the close too, until the minutes are finalised.
//     Conclusions are drafts of the record: minutes.concluded goes to the
//     secretariat only, and View hides them from everyone else until
//     finalisation.
//   - minutes.finalize closes the record once the meeting is closed: it
//     gives the minutes their number (for example "01-BB/ĐU"), layout (Party
//     or state) and place-and-date line, and makes them revision 1.
//     minutes.finalized goes to everyone and carries the conclusions, so
//     every replica learns them at that moment. After it, conclusions can no
//     longer change.
//   - minutes.correct adds a correction (đính chính) to finalised minutes: a
//     new record linked to the revision it corrects (revision n+1 corrects
//     n). Nothing already finalised changes. minutes.corrected goes to
//     everyone.
//
// Unlike every other command, these are accepted after meeting.closed: the
// minutes are finished after the meeting ends.

// MinutesLayout is the layout of the minutes.
type MinutesLayout string

// The layouts (docs/rules.md §7).
const (
	LayoutParty MinutesLayout = "party" // Party bodies: HD 36-HD/VPTW
	LayoutState MinutesLayout = "state" // state bodies: NĐ 30/2020/NĐ-CP
)

func (l MinutesLayout) valid() bool { return l == LayoutParty || l == LayoutState }

// Limits of the minutes.
const (
	MaxConclusion   = 20000 // runes in a conclusion or a correction
	MaxMinutesNo    = 50    // runes in the number of the minutes
	MaxCorrections  = 100   // corrections of one set of minutes
	MaxMinutesField = MaxTitle
)

// Conclusion is the conclusion of an agenda item (Item) or of the whole
// meeting (Item ""). At is when it was last set.
type Conclusion struct {
	Item string    `json:"item,omitempty"`
	Text string    `json:"text"`
	At   time.Time `json:"at,omitzero"`
}

// Correction is a correction of finalised minutes: revision Revision,
// correcting revision Corrects.
type Correction struct {
	Revision int       `json:"revision"`
	Corrects int       `json:"corrects"`
	Text     string    `json:"text"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at,omitzero"`
}

// MinutesState is what the log holds of the minutes beyond the proceedings.
type MinutesState struct {
	// Conclusions, one per item at most, in the order first set. Hidden
	// from all but the secretariat until finalisation.
	Conclusions []Conclusion `json:"conclusions,omitempty"`
	// Revision is 0 until finalised, then 1 plus the number of corrections.
	Revision    int           `json:"revision,omitempty"`
	Number      string        `json:"number,omitempty"`
	Layout      MinutesLayout `json:"layout,omitempty"`
	PlaceDate   string        `json:"place_date,omitempty"`
	Superior    string        `json:"superior,omitempty"`
	FinalizedAt time.Time     `json:"finalized_at,omitzero"`
	Corrections []Correction  `json:"corrections,omitempty"`
}

// Final reports whether the minutes are finalised.
func (m MinutesState) Final() bool { return m.Revision > 0 }

// Conclusion returns the conclusion of item ("" for the meeting).
func (m MinutesState) Conclusion(item string) (Conclusion, bool) {
	if i := slices.IndexFunc(m.Conclusions, func(c Conclusion) bool { return c.Item == item }); i >= 0 {
		return m.Conclusions[i], true
	}
	return Conclusion{}, false
}

func (m MinutesState) clone() MinutesState {
	m.Conclusions = slices.Clone(m.Conclusions)
	m.Corrections = slices.Clone(m.Corrections)
	return m
}

// Payloads of the minutes events.
type (
	// MinutesFinalized is the payload of minutes.finalized. Conclusions
	// are every conclusion at finalisation (what the secretariat had seen
	// in minutes.concluded).
	MinutesFinalized struct {
		Revision    int           `json:"revision"`
		Number      string        `json:"number"`
		Layout      MinutesLayout `json:"layout"`
		PlaceDate   string        `json:"place_date,omitempty"`
		Superior    string        `json:"superior,omitempty"`
		Conclusions []Conclusion  `json:"conclusions,omitempty"`
	}
)

// afterClose is implemented by the commands accepted after meeting.closed.
type afterClose interface{ afterClose() }

// finalised is the error for changing finalised minutes.
func finalised(s *State) error {
	return Errorf(KindConflict, "Biên bản đã được hoàn thành (số %s); không thể sửa kết luận. Hãy dùng đính chính.",
		"the minutes are finalised (no. %s): conclusions cannot change; add a correction instead", s.Minutes.Number)
}

// Conclude sets the conclusion of agenda item Item, or of the whole meeting
// when Item is empty.
type Conclude struct {
	Item string `json:"item_id,omitempty"`
	Text string `json:"text"`
}

// Name implements Command.
func (*Conclude) Name() string { return "minutes.conclude" }
func (*Conclude) afterClose()  {}

func (c *Conclude) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Minutes.Final() {
		return nil, finalised(s)
	}
	t, err := text("text", "Nội dung kết luận", c.Text, MaxConclusion, false)
	if err != nil {
		return nil, err
	}
	if c.Item != "" {
		if _, err := s.item(c.Item); err != nil {
			return nil, err
		}
	}
	if old, ok := s.Minutes.Conclusion(c.Item); ok && old.Text == t {
		return nil, Errorf(KindConflict, "Kết luận không thay đổi.", "the conclusion is unchanged")
	}
	e := newEvent(EventMinutesConcluded, Conclusion{Item: c.Item, Text: t})
	e.Audience = staffAudience
	return []Event{e}, nil
}

// FinalizeMinutes finalises the minutes of a closed meeting (revision 1).
// Layout defaults to the meeting's (Settings.Rules: party unless set). PlaceDate is the place-and-date line ("Hà Nội,
// ngày 15 tháng 12 năm 2025"); when empty the minutes print the date of the
// close. Superior is the higher body printed above the organisation in the
// Party layout (optional).
type FinalizeMinutes struct {
	Number    string        `json:"number"`
	Layout    MinutesLayout `json:"layout,omitempty"`
	PlaceDate string        `json:"place_date,omitempty"`
	Superior  string        `json:"superior,omitempty"`
}

// Name implements Command.
func (*FinalizeMinutes) Name() string { return "minutes.finalize" }
func (*FinalizeMinutes) afterClose()  {}

func (c *FinalizeMinutes) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if s.Minutes.Final() {
		return nil, Errorf(KindConflict, "Biên bản đã được hoàn thành (số %s).", "the minutes are already finalised (no. %s)", s.Minutes.Number)
	}
	if s.Status != StatusClosed {
		return nil, Errorf(KindConflict, "Chỉ hoàn thành biên bản sau khi bế mạc cuộc họp.", "the minutes can be finalised only after the meeting is closed")
	}
	number, err := text("number", "Số biên bản", c.Number, MaxMinutesNo, false)
	if err != nil {
		return nil, err
	}
	layout := c.Layout
	if layout == "" {
		layout = s.Settings.Rules()
	}
	if !layout.valid() {
		return nil, fieldErr("layout", fmt.Sprintf("Thể thức biên bản %q không hợp lệ (party hoặc state).", c.Layout), fmt.Sprintf("layout %q is not valid (party or state)", c.Layout))
	}
	placeDate, err := text("place_date", "Địa danh, ngày tháng", c.PlaceDate, MaxMinutesField, true)
	if err != nil {
		return nil, err
	}
	superior, err := text("superior", "Cơ quan cấp trên", c.Superior, MaxMinutesField, true)
	if err != nil {
		return nil, err
	}
	return []Event{newEvent(EventMinutesFinalized, MinutesFinalized{Revision: 1, Number: number, Layout: layout, PlaceDate: placeDate,
		Superior: superior, Conclusions: slices.Clone(s.Minutes.Conclusions)})}, nil
}

// CorrectMinutes adds a correction to finalised minutes.
type CorrectMinutes struct {
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

// Name implements Command.
func (*CorrectMinutes) Name() string { return "minutes.correct" }
func (*CorrectMinutes) afterClose()  {}

func (c *CorrectMinutes) decide(s *State, a Actor, first int64, now time.Time) ([]Event, error) {
	if !s.Minutes.Final() {
		return nil, Errorf(KindConflict, "Biên bản chưa được hoàn thành; hãy sửa trực tiếp kết luận thay vì đính chính.", "the minutes are not finalised yet: change the conclusions instead of correcting")
	}
	t, err := text("text", "Nội dung đính chính", c.Text, MaxConclusion, false)
	if err != nil {
		return nil, err
	}
	reason, err := text("reason", "Lý do đính chính", c.Reason, MaxMinutesField, false)
	if err != nil {
		return nil, err
	}
	if len(s.Minutes.Corrections) >= MaxCorrections {
		return nil, Errorf(KindConflict, "Biên bản đã có đủ %d đính chính.", "the minutes already have %d corrections", MaxCorrections)
	}
	n := s.Minutes.Revision
	return []Event{newEvent(EventMinutesCorrected, Correction{Revision: n + 1, Corrects: n, Text: t, Reason: reason})}, nil
}

// applyMinutes folds the minutes events. ok is false for other events.
func (s *State) applyMinutes(e Event) (ok bool, err error) {
	switch e.Type {
	case EventMinutesConcluded:
		var c Conclusion
		if err := decode(e, &c); err != nil {
			return true, err
		}
		c.At = e.At
		if i := slices.IndexFunc(s.Minutes.Conclusions, func(o Conclusion) bool { return o.Item == c.Item }); i >= 0 {
			s.Minutes.Conclusions = slices.Clone(s.Minutes.Conclusions)
			s.Minutes.Conclusions[i] = c
		} else {
			s.Minutes.Conclusions = append(s.Minutes.Conclusions, c)
		}
	case EventMinutesFinalized:
		var p MinutesFinalized
		if err := decode(e, &p); err != nil {
			return true, err
		}
		m := &s.Minutes
		m.Conclusions = p.Conclusions
		m.Revision, m.Number, m.Layout, m.PlaceDate, m.Superior, m.FinalizedAt = p.Revision, p.Number, p.Layout, p.PlaceDate, p.Superior, e.At
	case EventMinutesCorrected:
		var c Correction
		if err := decode(e, &c); err != nil {
			return true, err
		}
		c.At = e.At
		s.Minutes.Corrections = append(s.Minutes.Corrections, c)
		s.Minutes.Revision = c.Revision
	default:
		return false, nil
	}
	return true, nil
}
