// Package minutes builds the minutes (biên bản) of a meeting from its event
// log, and renders them as JSON (for machines), HTML and PDF (for people),
// in Vietnamese or English.
//
// The minutes are a deterministic pure function of the events: every time
// comes from an event's At and is printed in Viet Nam's time (UTC+7, a fixed
// zone: no time zone database is read); counts and percentages are those the
// log recorded at the count (poll.counted, poll.published), never
// recomputed. The package does no I/O beyond its embedded fonts.
//
// Secrecy: voters' names are printed for open (show-of-hands) votes only;
// for secret votes, elections and ratings the minutes hold counts and
// nothing that links a person to a ballot, nor even who voted.
package minutes

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// VN is Viet Nam's time, UTC+7 (no daylight saving time since 1975).
var VN = time.FixedZone("ICT", 7*3600)

// Minutes are the minutes of one meeting, at one revision of its log.
type Minutes struct {
	r Record
}

// Record is the content of the minutes: what JSON encodes.
type Record struct {
	Meeting string `json:"meeting"`
	// Seq and Head are the sequence number and hash of the last event the
	// minutes were built from: they tie the minutes to the log.
	Seq  int64  `json:"seq"`
	Head string `json:"head"`
	// Revision is 0 for draft minutes, 1 once finalised, n+1 after the
	// n-th correction.
	Revision    int                   `json:"revision"`
	Final       bool                  `json:"final"`
	Layout      meeting.MinutesLayout `json:"layout"`
	Number      string                `json:"number,omitempty"`
	PlaceDate   string                `json:"place_date,omitempty"` // as given at finalisation; empty: the date of the close
	FinalizedAt time.Time             `json:"finalized_at,omitzero"`

	Superior     string    `json:"superior,omitempty"`
	Organization string    `json:"organization,omitempty"`
	Title        string    `json:"title"`
	Place        string    `json:"place,omitempty"`
	Chair        string    `json:"chair,omitempty"`
	Secretary    string    `json:"secretary,omitempty"`
	ScheduledAt  time.Time `json:"scheduled_at,omitzero"`
	OpenedAt     time.Time `json:"opened_at,omitzero"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	Status       string    `json:"status"`

	Attendance  Attendance           `json:"attendance"`
	Documents   []Document           `json:"documents"`
	Items       []Item               `json:"items"`
	Other       *Item                `json:"other,omitempty"` // speeches and polls on no (remaining) agenda item
	Notices     []Notice             `json:"notices"`
	Conclusion  string               `json:"conclusion,omitempty"` // of the whole meeting
	Corrections []meeting.Correction `json:"corrections"`
}

// Person is a participant as printed.
type Person struct {
	Name     string    `json:"name"`
	Position string    `json:"position,omitempty"`
	Unit     string    `json:"unit,omitempty"`
	Reason   string    `json:"reason,omitempty"`    // absence
	Excused  bool      `json:"excused,omitempty"`   // absence with an approved reason
	NoRecord bool      `json:"no_record,omitempty"` // absence never recorded
	At       time.Time `json:"at,omitzero"`         // late: arrival; left: departure
}

// Attendance is the roll of the meeting.
type Attendance struct {
	Summoned    int                 `json:"summoned"` // entitled members summoned (who count for the quorum and vote)
	Attended    int                 `json:"attended"` // of them, attended at some time
	InHall      int                 `json:"in_hall"`  // of them, first arrived in the hall
	Sites       []meeting.SiteCount `json:"sites"`    // of them, first arrived at each linked site
	Absent      []Person            `json:"absent"`   // never attended: absent, excused or not recorded
	Late        []Person            `json:"late"`
	Left        []Person            `json:"left"` // left before the close
	NonVoting   []Person            `json:"non_voting"`
	Guests      []Person            `json:"guests"` // observers who attended or were invited
	Quorum      QuorumCheck         `json:"quorum"`
	NotRecorded int                 `json:"not_recorded"` // of the absent, with no record at all
}

// QuorumCheck is the quorum rule and whether it was reached.
type QuorumCheck struct {
	Rule meeting.QuorumRule `json:"rule"`
	// At the opening (meeting.opened).
	Base     int       `json:"base"`
	Required int       `json:"required"`
	Present  int       `json:"present"`
	Met      bool      `json:"met"`
	FirstMet time.Time `json:"first_met,omitzero"` // when it was first reached, if not at the opening
}

// Document is one document used, with every version.
type Document struct {
	ID        string            `json:"id"`
	Title     string            `json:"title"`
	Item      string            `json:"item,omitempty"`
	Access    meeting.Access    `json:"access"`
	Withdrawn bool              `json:"withdrawn,omitempty"`
	Versions  []DocumentVersion `json:"versions"`
}

// DocumentVersion is one version of a document.
type DocumentVersion struct {
	Number int       `json:"number"`
	Name   string    `json:"name"`
	SHA256 string    `json:"sha256"`
	Size   int64     `json:"size"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// Item is one agenda item and what happened under it.
type Item struct {
	Number     int       `json:"number,omitempty"` // 1-based; 0 for Record.Other
	ID         string    `json:"id,omitempty"`
	Title      string    `json:"title,omitempty"`
	Presenter  string    `json:"presenter,omitempty"`
	Started    time.Time `json:"started,omitzero"` // first made current
	Ended      time.Time `json:"ended,omitzero"`   // marked done, else last left
	Done       bool      `json:"done,omitempty"`
	Speeches   []Speech  `json:"speeches"`
	Polls      []Poll    `json:"polls"`
	Conclusion string    `json:"conclusion,omitempty"`
}

// Speech is one speech.
type Speech struct {
	Name     string             `json:"name"`
	Position string             `json:"position,omitempty"`
	Unit     string             `json:"unit,omitempty"`
	Kind     meeting.SpeechKind `json:"kind"`
	Topic    string             `json:"topic,omitempty"`
	ReplyTo  string             `json:"reply_to,omitempty"` // name
	Start    time.Time          `json:"start"`
	Seconds  int64              `json:"seconds"` // speaking time, pauses excluded
}

// Poll is one vote, election or rating, with its count as recorded.
type Poll struct {
	ID             string             `json:"id"`
	Question       string             `json:"question"`
	Kind           meeting.PollKind   `json:"kind"`
	Scale          meeting.Scale      `json:"scale,omitempty"`
	Seats          int                `json:"seats,omitempty"`
	Base           meeting.Base       `json:"base"`
	Threshold      meeting.Threshold  `json:"threshold"`
	RevoteOf       string             `json:"revote_of,omitempty"`
	Status         meeting.PollStatus `json:"status"`
	OpenedAt       time.Time          `json:"opened_at,omitzero"`
	ClosedAt       time.Time          `json:"closed_at,omitzero"`
	CancelReason   string             `json:"cancel_reason,omitempty"`
	Eligible       int                `json:"eligible"`
	QuorumMet      bool               `json:"quorum_met"`
	OverrideQuorum bool               `json:"override_quorum,omitempty"`
	Result         *meeting.Result    `json:"result,omitempty"`
	// Voters lists names by choice: open (show-of-hands) votes only.
	Voters *OpenVoters `json:"voters,omitempty"`
}

// OpenVoters are the voters of an open vote, by choice, in the order they voted.
type OpenVoters struct {
	Agree    []string `json:"agree"`
	Disagree []string `json:"disagree"`
	Abstain  []string `json:"abstain"`
	Spoiled  []string `json:"spoiled"`
}

// Notice is a public notice.
type Notice struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Revision returns the revision of the minutes: 0 for a draft, 1 when
// finalised, n+1 after n corrections.
func (m *Minutes) Revision() int { return m.r.Revision }

// Final reports whether the minutes are finalised.
func (m *Minutes) Final() bool { return m.r.Final }

// Record returns the content of the minutes.
func (m *Minutes) Record() Record { return m.r }

// JSON returns the minutes as indented JSON, stable for equal logs.
func (m *Minutes) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(m.r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// itemTimes are the times of an agenda item, from the events.
type itemTimes struct {
	started, left, done time.Time
}

// ended is when the item ended: when it was last left as the current item,
// else when it was marked done.
func (t *itemTimes) ended() time.Time {
	if !t.left.IsZero() {
		return t.left
	}
	return t.done
}

// Build builds the minutes from the full, unfiltered log of one meeting, in
// sequence order from its first event. The log must be a valid hash chain.
func Build(events []meeting.Event) (*Minutes, error) {
	if len(events) == 0 {
		return nil, meeting.Errorf(meeting.KindInvalid, "Nhật ký cuộc họp trống.", "the meeting log is empty")
	}
	if i, err := meeting.VerifyChain(0, "", events); err != nil {
		return nil, fmt.Errorf("minutes: event %d: %w", i, err)
	}
	for _, e := range events {
		if e.Type == meeting.EventHidden {
			return nil, meeting.Errorf(meeting.KindInvalid, "Biên bản cần nhật ký đầy đủ, không có sự kiện ẩn.", "the minutes need the full log, without hidden events")
		}
	}
	s := &meeting.State{}
	people := map[string]meeting.Participant{} // everyone ever added, by ID
	times := map[string]*itemTimes{}
	pollItem := map[string]string{} // poll → item current when it opened
	published := map[string]bool{}  // documents ever published
	var quorum QuorumCheck
	var notices []Notice
	for _, e := range events {
		prev := s.Current
		if err := meeting.Apply(s, e); err != nil {
			return nil, err
		}
		at := e.At.In(VN)
		switch e.Type {
		case meeting.EventParticipantAdded, meeting.EventParticipantUpdated:
			var p meeting.Participant
			if err := json.Unmarshal(e.Data, &p); err == nil {
				people[p.ID] = p
			}
		case meeting.EventCurrentSet:
			if prev != "" && prev != s.Current {
				times[prev].left = at
			}
			if s.Current != "" {
				t := times[s.Current]
				if t == nil {
					t = &itemTimes{}
					times[s.Current] = t
				}
				if t.started.IsZero() {
					t.started = at
				}
			}
		case meeting.EventItemDone:
			var p meeting.ItemDone
			if err := json.Unmarshal(e.Data, &p); err == nil && p.Done {
				if t := times[p.ID]; t != nil {
					t.done = at
				}
			}
		case meeting.EventMeetingClosed:
			if s.Current != "" {
				times[s.Current].left = at
			}
		case meeting.EventMeetingOpened:
			q := meeting.QuorumOf(s)
			quorum = QuorumCheck{Rule: q.Rule, Base: q.Base, Required: q.Required, Present: q.Present, Met: q.Met}
		case meeting.EventPollOpened:
			var p meeting.PollOpened
			if err := json.Unmarshal(e.Data, &p); err == nil {
				pollItem[p.ID] = s.Current
			}
		case meeting.EventNoticeSent:
			var n meeting.Notice
			if err := json.Unmarshal(e.Data, &n); err == nil && n.To == "" {
				notices = append(notices, Notice{At: at, Text: n.Text})
			}
		case meeting.EventDocumentAdded, meeting.EventDocumentUpdated:
			var d meeting.Document
			if err := json.Unmarshal(e.Data, &d); err == nil && d.Status == meeting.DocumentPublished {
				published[d.ID] = true
			}
		}
		if s.Status == meeting.StatusOpen && !quorum.Met && quorum.FirstMet.IsZero() && !s.OpenedAt.IsZero() {
			if e.Type != meeting.EventMeetingOpened && meeting.QuorumOf(s).Met {
				quorum.FirstMet = at
			}
		}
	}
	if !s.Created() {
		return nil, meeting.Errorf(meeting.KindInvalid, "Nhật ký không bắt đầu bằng việc tạo cuộc họp.", "the log does not start with the meeting's creation")
	}
	last := events[len(events)-1]
	name := func(id string) string {
		if p, ok := people[id]; ok {
			return p.Name
		}
		return id
	}
	r := Record{
		Meeting: s.ID, Seq: s.Seq, Head: s.Head,
		Revision: s.Minutes.Revision, Final: s.Minutes.Final(), Layout: s.Minutes.Layout, Number: s.Minutes.Number,
		PlaceDate: s.Minutes.PlaceDate, FinalizedAt: vn(s.Minutes.FinalizedAt), Superior: s.Minutes.Superior,
		Organization: s.Details.Organization, Title: s.Details.Title, Place: s.Details.Place,
		Chair: s.Details.Chair, Secretary: s.Details.Secretary, ScheduledAt: vn(s.Details.StartsAt),
		OpenedAt: vn(s.OpenedAt), ClosedAt: vn(s.ClosedAt), Status: string(s.Status),
		Documents: []Document{}, Items: []Item{}, Notices: notices, Corrections: []meeting.Correction{},
	}
	if r.Layout == "" {
		r.Layout = meeting.LayoutParty
	}
	if r.Notices == nil {
		r.Notices = []Notice{}
	}
	for _, c := range s.Minutes.Corrections {
		c.At = vn(c.At)
		r.Corrections = append(r.Corrections, c)
	}
	quorum.FirstMet = vn(quorum.FirstMet)
	r.Attendance = attendance(s, quorum)

	// Documents ever published, in the order they were added.
	for _, d := range s.Documents {
		if !published[d.ID] {
			continue
		}
		doc := Document{ID: d.ID, Title: d.Title, Item: d.Item, Access: d.Access, Withdrawn: d.Status == meeting.DocumentWithdrawn}
		for _, v := range d.Versions {
			doc.Versions = append(doc.Versions, DocumentVersion{Number: v.Number, Name: v.Name, SHA256: v.SHA256, Size: v.Size, Note: v.Note, At: vn(v.At)})
		}
		r.Documents = append(r.Documents, doc)
	}

	// Agenda items with their speeches, polls and conclusions.
	index := map[string]int{}
	for i, it := range s.Agenda {
		x := Item{Number: i + 1, ID: it.ID, Title: it.Title, Presenter: it.Presenter, Done: it.Done, Speeches: []Speech{}, Polls: []Poll{}}
		if t := times[it.ID]; t != nil {
			x.Started, x.Ended = t.started, t.ended()
		}
		if c, ok := s.Minutes.Conclusion(it.ID); ok {
			x.Conclusion = c.Text
		}
		index[it.ID] = i
		r.Items = append(r.Items, x)
	}
	other := &Item{Speeches: []Speech{}, Polls: []Poll{}}
	into := func(item string) *Item {
		if i, ok := index[item]; ok {
			return &r.Items[i]
		}
		return other
	}
	for _, sp := range s.Speeches {
		p := people[sp.Participant]
		x := Speech{Name: name(sp.Participant), Position: p.Position, Unit: p.Unit, Kind: sp.Kind, Topic: sp.Topic, Start: vn(sp.Start),
			Seconds: int64(sp.ElapsedAt(last.At) / time.Second)}
		if sp.ReplyTo != "" {
			x.ReplyTo = name(sp.ReplyTo)
		}
		it := into(sp.Item)
		it.Speeches = append(it.Speeches, x)
	}
	for _, p := range s.Polls {
		if p.Status == meeting.PollStatusDraft || (p.Status == meeting.PollStatusCancelled && p.OpenedAt.IsZero()) {
			continue // never put to the vote
		}
		x := Poll{ID: p.ID, Question: p.Question, Kind: p.Kind, Scale: p.Scale, Seats: p.Seats, Base: p.Base, Threshold: p.Threshold,
			RevoteOf: p.RevoteOf, Status: p.Status, OpenedAt: vn(p.OpenedAt), ClosedAt: vn(p.ClosedAt), CancelReason: p.CancelReason,
			Eligible: len(p.Eligible), QuorumMet: p.QuorumMet, OverrideQuorum: p.OverrideQuorum}
		if p.Status != meeting.PollStatusCancelled {
			x.Result = p.Result
		}
		if p.Kind == meeting.PollOpen && p.Status != meeting.PollStatusCancelled {
			v := &OpenVoters{Agree: []string{}, Disagree: []string{}, Abstain: []string{}, Spoiled: []string{}}
			for _, voter := range p.Voters {
				n := name(voter.Participant)
				switch {
				case voter.Spoiled:
					v.Spoiled = append(v.Spoiled, n)
				case voter.Choice == meeting.ChoiceAgree:
					v.Agree = append(v.Agree, n)
				case voter.Choice == meeting.ChoiceDisagree:
					v.Disagree = append(v.Disagree, n)
				case voter.Choice == meeting.ChoiceAbstain:
					v.Abstain = append(v.Abstain, n)
				default:
					v.Spoiled = append(v.Spoiled, n)
				}
			}
			x.Voters = v
		}
		item := p.Item
		if item == "" {
			item = pollItem[p.ID]
		}
		it := into(item)
		it.Polls = append(it.Polls, x)
	}
	if len(other.Speeches) > 0 || len(other.Polls) > 0 {
		r.Other = other
	}
	if c, ok := s.Minutes.Conclusion(""); ok {
		r.Conclusion = c.Text
	}
	return &Minutes{r: r}, nil
}

// vn returns t in Viet Nam's time (the zero time stays zero).
func vn(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(VN)
}

// attendance computes the roll from the final state.
func attendance(s *meeting.State, q QuorumCheck) Attendance {
	a := Attendance{Sites: []meeting.SiteCount{}, Absent: []Person{}, Late: []Person{}, Left: []Person{}, NonVoting: []Person{}, Guests: []Person{}, Quorum: q}
	site := func(name string) *meeting.SiteCount {
		i := slices.IndexFunc(a.Sites, func(c meeting.SiteCount) bool { return c.Site == name })
		if i < 0 {
			a.Sites = append(a.Sites, meeting.SiteCount{Site: name})
			i = len(a.Sites) - 1
		}
		return &a.Sites[i]
	}
	for _, name := range s.Settings.Sites {
		site(name)
	}
	for _, p := range s.Participants {
		rec, recorded := s.Attendance[p.ID]
		person := Person{Name: p.Name, Position: p.Position, Unit: p.Unit}
		came := len(rec.Visits) > 0
		switch {
		case p.Role == meeting.RoleHall:
			continue
		case p.Role == meeting.RoleObserver:
			if came {
				a.Guests = append(a.Guests, person)
			}
			continue
		case !p.Entitled():
			if came {
				a.NonVoting = append(a.NonVoting, person)
			}
			continue
		}
		a.Summoned++
		if !came {
			person.Reason = rec.Reason
			person.Excused = rec.Status == meeting.AttendanceExcused
			if !recorded {
				a.NotRecorded++
				person.NoRecord = true
			}
			a.Absent = append(a.Absent, person)
			continue
		}
		a.Attended++
		if first := rec.Visits[0]; first.Site == "" {
			a.InHall++
		} else {
			site(first.Site).Present++
		}
		if rec.Late {
			l := person
			l.At = vn(rec.CheckedIn)
			a.Late = append(a.Late, l)
		}
		if !rec.In() && !rec.CheckedOut.IsZero() && (s.ClosedAt.IsZero() || rec.CheckedOut.Before(s.ClosedAt)) {
			l := person
			l.At = vn(rec.CheckedOut)
			a.Left = append(a.Left, l)
		}
	}
	slices.SortStableFunc(a.Late, func(x, y Person) int { return cmp.Compare(x.At.UnixNano(), y.At.UnixNano()) })
	slices.SortStableFunc(a.Left, func(x, y Person) int { return cmp.Compare(x.At.UnixNano(), y.At.UnixNano()) })
	return a
}
