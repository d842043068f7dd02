package meetingtest

import (
	"fmt"
	"slices"

	"github.com/phonghop/phonghop/server/meeting"
)

// Diff returns "" when a and b are the same state, exactly as
// reflect.DeepEqual sees it (a nil list differs from an empty one), else
// the path of a first difference ("Polls[2].Result.Candidates[0]").
//
// It compares without reflection: the property test compares states after
// every step, and under the race detector (which CI runs the tests with)
// reflect.DeepEqual is some seventy times slower than without — each field
// it reads goes through checkptr — which would make thousands of meetings
// take an hour. A test (TestDiffSeesEveryField) fills every field of a
// State by reflection and fails when one is not compared here: a field
// added to the state must be added below.
func Diff(a, b *meeting.State) string {
	if a == nil || b == nil {
		if a != b {
			return "State"
		}
		return ""
	}
	d := &differ{}
	d.state(a, b)
	return d.path
}

// differ keeps the first difference found.
type differ struct{ path string }

// at is where a value is in the state: a field of up (index -1), an
// element of the list up (index >= 0), or the value of key name in the
// map up (index -2). Paths are spelt out only for a difference.
type at struct {
	up    *at
	name  string
	index int
}

func (p *at) String() string {
	switch {
	case p == nil:
		return "State"
	case p.index >= 0:
		return fmt.Sprintf("%s[%d]", p.up, p.index)
	case p.index == -2:
		return fmt.Sprintf("%s[%q]", p.up, p.name)
	}
	return p.up.String() + "." + p.name
}

// field returns the path of field name of p.
func field(p *at, name string) *at { return &at{up: p, name: name, index: -1} }

// same records field name of p as the difference unless ok (or one was
// found already).
func (d *differ) same(p *at, name string, ok bool) {
	if d.path == "" && !ok {
		d.path = field(p, name).String()
	}
}

// list compares lists of comparable elements.
func list[T comparable](d *differ, p *at, name string, a, b []T) {
	d.same(p, name+" (nil or empty)", (a == nil) == (b == nil))
	d.same(p, name, slices.Equal(a, b))
}

// listOf compares lists element by element with el.
func listOf[T any](d *differ, p *at, name string, a, b []T, el func(p *at, x, y *T)) {
	d.same(p, name+" (nil or empty)", (a == nil) == (b == nil))
	d.same(p, name+" (length)", len(a) == len(b))
	for i := 0; d.path == "" && i < len(a) && i < len(b); i++ {
		el(&at{up: field(p, name), index: i}, &a[i], &b[i])
	}
}

func (d *differ) state(a, b *meeting.State) {
	d.same(nil, "ID", a.ID == b.ID)
	d.same(nil, "Seq", a.Seq == b.Seq)
	d.same(nil, "Head", a.Head == b.Head)
	d.same(nil, "Details", a.Details == b.Details)
	d.same(nil, "Status", a.Status == b.Status)
	d.same(nil, "OpenedAt", a.OpenedAt == b.OpenedAt)
	d.same(nil, "ClosedAt", a.ClosedAt == b.ClosedAt)
	list(d, nil, "Agenda", a.Agenda, b.Agenda)
	d.same(nil, "Current", a.Current == b.Current)
	list(d, nil, "Participants", a.Participants, b.Participants)
	list(d, nil, "Notices", a.Notices, b.Notices)
	d.settings(field(nil, "Settings"), &a.Settings, &b.Settings)
	d.same(nil, "Attendance (nil or empty)", (a.Attendance == nil) == (b.Attendance == nil))
	d.same(nil, "Attendance (length)", len(a.Attendance) == len(b.Attendance))
	for id, x := range a.Attendance {
		y, ok := b.Attendance[id]
		key := &at{up: field(nil, "Attendance"), name: id, index: -2}
		if !ok {
			d.same(key, "(missing)", false)
		}
		if d.path == "" {
			d.attendance(key, &x, &y)
		}
	}
	list(d, nil, "Requests", a.Requests, b.Requests)
	list(d, nil, "Speeches", a.Speeches, b.Speeches)
	listOf(d, nil, "Polls", a.Polls, b.Polls, d.poll)
	listOf(d, nil, "Documents", a.Documents, b.Documents, d.document)
	d.minutes(field(nil, "Minutes"), &a.Minutes, &b.Minutes)
	d.same(nil, "Presentation", (a.Presentation == nil) == (b.Presentation == nil) && (a.Presentation == nil || *a.Presentation == *b.Presentation))
	list(d, nil, "Support", a.Support, b.Support)
	listOf(d, nil, "Bodies", a.Bodies, b.Bodies, func(path *at, x, y *meeting.Body) {
		d.same(path, "Kind", x.Kind == y.Kind)
		list(d, path, "Members", x.Members, y.Members)
		d.same(path, "Poll", x.Poll == y.Poll)
		d.same(path, "ApprovedAt", x.ApprovedAt == y.ApprovedAt)
	})
	list(d, nil, "Technicians", a.Technicians, b.Technicians)
	d.floor(a.Floor, b.Floor) // equal_floor.go
	d.same(nil, "Lean", (a.Lean == nil) == (b.Lean == nil))
	if d.path == "" && a.Lean != nil && b.Lean != nil {
		path := field(nil, "Lean")
		d.same(path, "Self", a.Lean.Self == b.Lean.Self)
		x, y := a.Lean.Roll, b.Lean.Roll
		roll := field(path, "Roll")
		d.same(roll, "Members", x.Members == y.Members)
		d.same(roll, "NonVoting", x.NonVoting == y.NonVoting)
		d.same(roll, "Guests", x.Guests == y.Guests)
		d.same(roll, "InHall", x.InHall == y.InHall)
		d.same(roll, "Remote", x.Remote == y.Remote)
		list(d, roll, "Sites", x.Sites, y.Sites)
	}
}

func (d *differ) settings(path *at, a, b *meeting.Settings) {
	list(d, path, "Sites", a.Sites, b.Sites)
	d.same(path, "Quorum", a.Quorum == b.Quorum)
	d.same(path, "LateGrace", a.LateGrace == b.LateGrace)
	d.same(path, "SpeakingTime", a.SpeakingTime == b.SpeakingTime)
	d.same(path, "Polls", a.Polls == b.Polls)
	d.same(path, "Layout", a.Layout == b.Layout)
	d.same(path, "TimeZone", a.TimeZone == b.TimeZone)
}

func (d *differ) attendance(path *at, a, b *meeting.Attendance) {
	d.same(path, "Status", a.Status == b.Status)
	d.same(path, "Site", a.Site == b.Site)
	d.same(path, "Reason", a.Reason == b.Reason)
	d.same(path, "CheckedIn", a.CheckedIn == b.CheckedIn)
	d.same(path, "CheckedOut", a.CheckedOut == b.CheckedOut)
	d.same(path, "Late", a.Late == b.Late)
	list(d, path, "Visits", a.Visits, b.Visits)
}

func (d *differ) poll(path *at, a, b *meeting.Poll) {
	d.same(path, "ID", a.ID == b.ID)
	d.spec(path, &a.PollSpec, &b.PollSpec)
	d.same(path, "RevoteOf", a.RevoteOf == b.RevoteOf)
	d.same(path, "Status", a.Status == b.Status)
	d.same(path, "CreatedAt", a.CreatedAt == b.CreatedAt)
	d.same(path, "OpenedAt", a.OpenedAt == b.OpenedAt)
	d.same(path, "ClosedAt", a.ClosedAt == b.ClosedAt)
	d.same(path, "PublishedAt", a.PublishedAt == b.PublishedAt)
	d.same(path, "CancelledAt", a.CancelledAt == b.CancelledAt)
	d.same(path, "CancelReason", a.CancelReason == b.CancelReason)
	d.same(path, "Rules", a.Rules == b.Rules)
	list(d, path, "Eligible", a.Eligible, b.Eligible)
	d.same(path, "Issued", a.Issued == b.Issued)
	d.same(path, "Entitled", a.Entitled == b.Entitled)
	d.same(path, "Summoned", a.Summoned == b.Summoned)
	d.same(path, "QuorumMet", a.QuorumMet == b.QuorumMet)
	d.same(path, "OverrideQuorum", a.OverrideQuorum == b.OverrideQuorum)
	list(d, path, "Voters", a.Voters, b.Voters)
	d.same(path, "Voted", a.Voted == b.Voted)
	d.same(path, "Result", (a.Result == nil) == (b.Result == nil))
	if d.path == "" && a.Result != nil {
		d.result(field(path, "Result"), a.Result, b.Result)
	}
	d.same(path, "PaperCount (nil)", (a.PaperCount == nil) == (b.PaperCount == nil))
	if d.path == "" && a.PaperCount != nil {
		d.paperCount(field(path, "PaperCount"), a.PaperCount, b.PaperCount)
	}
}

func (d *differ) paperCount(path *at, a, b *meeting.PaperCount) {
	d.same(path, "Recorded", a.Recorded == b.Recorded)
	d.same(path, "Issued", a.Issued == b.Issued)
	d.same(path, "Returned", a.Returned == b.Returned)
	listOf(d, path, "Records", a.Records, b.Records, func(path *at, x, y *meeting.PaperRecord) {
		d.same(path, "Seq", x.Seq == y.Seq)
		d.same(path, "At", x.At == y.At)
		d.same(path, "Type", x.Type == y.Type)
		act := field(path, "PaperAct")
		d.same(act, "Poll", x.Poll == y.Poll)
		d.same(act, "Bundle", x.Bundle == y.Bundle)
		d.same(act, "Position", x.Position == y.Position)
		d.same(act, "Station", x.Station == y.Station)
		d.same(act, "Operator", x.Operator == y.Operator)
		d.same(act, "Marks (nil)", (x.Marks == nil) == (y.Marks == nil))
		if d.path == "" && x.Marks != nil {
			m, n := x.Marks, y.Marks
			marks := field(act, "Marks")
			d.same(marks, "Void", m.Void == n.Void)
			list(d, marks, "Struck", m.Struck, n.Struck)
			list(d, marks, "Agree", m.Agree, n.Agree)
			list(d, marks, "Disagree", m.Disagree, n.Disagree)
			list(d, marks, "Boxes", m.Boxes, n.Boxes)
			list(d, marks, "Rows", m.Rows, n.Rows)
		}
		d.same(act, "Absent", x.Absent == y.Absent)
		d.same(act, "Count", x.Count == y.Count)
		d.same(act, "Note", x.Note == y.Note)
	})
}

func (d *differ) spec(path *at, a, b *meeting.PollSpec) {
	d.same(path, "Question", a.Question == b.Question)
	d.same(path, "Kind", a.Kind == b.Kind)
	d.same(path, "Item", a.Item == b.Item)
	list(d, path, "Candidates", a.Candidates, b.Candidates)
	d.same(path, "Seats", a.Seats == b.Seats)
	list(d, path, "Subjects", a.Subjects, b.Subjects)
	d.same(path, "Scale", a.Scale == b.Scale)
	d.same(path, "Base", a.Base == b.Base)
	d.same(path, "Threshold", a.Threshold == b.Threshold)
	d.same(path, "Body", a.Body == b.Body)
	d.same(path, "Uncapped", a.Uncapped == b.Uncapped)
	d.same(path, "Paper", a.Paper == b.Paper)
}

func (d *differ) result(path *at, a, b *meeting.Result) {
	d.same(path, "Kind", a.Kind == b.Kind)
	d.same(path, "Entitled", a.Entitled == b.Entitled)
	d.same(path, "Summoned", a.Summoned == b.Summoned)
	d.same(path, "Issued", a.Issued == b.Issued)
	d.same(path, "Cast", a.Cast == b.Cast)
	d.same(path, "Valid", a.Valid == b.Valid)
	d.same(path, "Invalid", a.Invalid == b.Invalid)
	list(d, path, "InvalidReasons", a.InvalidReasons, b.InvalidReasons)
	d.same(path, "Base", a.Base == b.Base)
	d.same(path, "BaseCount", a.BaseCount == b.BaseCount)
	d.same(path, "Threshold", a.Threshold == b.Threshold)
	d.same(path, "Required", a.Required == b.Required)
	d.same(path, "Outcome", a.Outcome == b.Outcome)
	list(d, path, "Options", a.Options, b.Options)
	d.same(path, "Passed", a.Passed == b.Passed)
	list(d, path, "Candidates", a.Candidates, b.Candidates)
	list(d, path, "Elected", a.Elected, b.Elected)
	list(d, path, "Tie", a.Tie, b.Tie)
	d.same(path, "TieSeats", a.TieSeats == b.TieSeats)
	d.same(path, "TieBrokenBy", a.TieBrokenBy == b.TieBrokenBy)
	d.same(path, "Short", a.Short == b.Short)
	listOf(d, path, "Subjects", a.Subjects, b.Subjects, func(path *at, x, y *meeting.SubjectResult) {
		d.same(path, "ID", x.ID == y.ID)
		d.same(path, "Name", x.Name == y.Name)
		d.same(path, "Valid", x.Valid == y.Valid)
		d.same(path, "Invalid", x.Invalid == y.Invalid)
		list(d, path, "InvalidReasons", x.InvalidReasons, y.InvalidReasons)
		d.same(path, "BaseCount", x.BaseCount == y.BaseCount)
		list(d, path, "Levels", x.Levels, y.Levels)
		d.same(path, "Level", x.Level == y.Level)
		d.same(path, "LowOverHalf", x.LowOverHalf == y.LowOverHalf)
		d.same(path, "LowTwoThirds", x.LowTwoThirds == y.LowTwoThirds)
	})
	d.same(path, "ExcellentCap", a.ExcellentCap == b.ExcellentCap)
}

func (d *differ) document(path *at, a, b *meeting.Document) {
	d.same(path, "ID", a.ID == b.ID)
	d.same(path, "Title", a.Title == b.Title)
	d.same(path, "Item", a.Item == b.Item)
	d.same(path, "Access", a.Access == b.Access)
	list(d, path, "Readers", a.Readers, b.Readers)
	d.same(path, "Status", a.Status == b.Status)
	d.same(path, "Rev", a.Rev == b.Rev)
	d.same(path, "CreatedAt", a.CreatedAt == b.CreatedAt)
	list(d, path, "Versions", a.Versions, b.Versions)
}

func (d *differ) minutes(path *at, a, b *meeting.MinutesState) {
	list(d, path, "Conclusions", a.Conclusions, b.Conclusions)
	d.same(path, "Revision", a.Revision == b.Revision)
	d.same(path, "Number", a.Number == b.Number)
	d.same(path, "Layout", a.Layout == b.Layout)
	d.same(path, "PlaceDate", a.PlaceDate == b.PlaceDate)
	d.same(path, "Superior", a.Superior == b.Superior)
	d.same(path, "FinalizedAt", a.FinalizedAt == b.FinalizedAt)
	list(d, path, "Corrections", a.Corrections, b.Corrections)
}
