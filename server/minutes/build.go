// Package minutes builds the official record of a meeting from its event
// log — the minutes (biên bản) and the vote-counting record of each secret
// poll (biên bản kiểm phiếu) — and renders them as JSON (for machines), HTML
// and PDF (for people), in Vietnamese or English, in the Party (HD 36) or
// the state (NĐ 30) layout.
//
// The record is a deterministic pure function of the events: every time
// comes from an event's At and is printed in the meeting's time zone (its
// setting, Asia/Ho_Chi_Minh by default, a fixed UTC+7 zone read from no
// file; another zone comes from the embedded time zone database); counts
// and percentages are those the log recorded at the count (poll.counted,
// poll.published), never recomputed, except that the state layout
// apportions percentages that make up their base to total 100%
// (meeting.PercentsOf). Attendance is counted by meeting.RollOf. The
// package does no I/O beyond its embedded fonts.
//
// Secrecy: voters' names are printed for open (show-of-hands) votes only;
// for secret votes, elections and ratings the record holds counts and
// nothing that links a person to a ballot, nor even who voted.
package minutes

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // zones other than Viet Nam's, wherever the server runs

	"github.com/phonghop/phonghop/server/meeting"
)

// VN is Viet Nam's time, UTC+7 (no daylight saving time since 1975): the
// zone of meetings in meeting.DefaultTimeZone.
var VN = time.FixedZone("ICT", 7*3600)

// Location returns the time zone named name (a meeting's
// Settings.Zone()): VN for Asia/Ho_Chi_Minh or an empty name, else the zone
// from the time zone database (embedded in the binary), or VN if the name
// is unknown (meeting.configure accepts known zones only).
func Location(name string) *time.Location {
	if name == "" || name == meeting.DefaultTimeZone {
		return VN
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return VN
}

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
	TimeZone    string                `json:"time_zone"` // every time below is in it
	Number      string                `json:"number,omitempty"`
	PlaceDate   string                `json:"place_date,omitempty"` // as given at finalisation; empty: the locality and the date of the close
	FinalizedAt time.Time             `json:"finalized_at,omitzero"`

	Superior     string    `json:"superior,omitempty"`
	Organization string    `json:"organization,omitempty"`
	Collective   string    `json:"collective,omitempty"` // who signs "T/M …" in the Party layout
	Locality     string    `json:"locality,omitempty"`
	Title        string    `json:"title"`
	Place        string    `json:"place,omitempty"`
	Chair        string    `json:"chair,omitempty"`
	ChairPost    string    `json:"chair_post,omitempty"`
	Secretary    string    `json:"secretary,omitempty"`
	ScheduledAt  time.Time `json:"scheduled_at,omitzero"`
	OpenedAt     time.Time `json:"opened_at,omitzero"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	Status       string    `json:"status"`

	Bodies      []Body               `json:"bodies"`
	Attendance  Attendance           `json:"attendance"`
	Documents   []Document           `json:"documents"`
	Items       []Item               `json:"items"`
	Other       *Item                `json:"other,omitempty"` // speeches and polls on no (remaining) agenda item
	Notices     []Notice             `json:"notices"`
	Conclusion  string               `json:"conclusion,omitempty"` // of the whole meeting
	Corrections []meeting.Correction `json:"corrections"`
	Floor       *FloorRecord         `json:"floor,omitempty"` // the congress floor (floor.go)
}

// Person is a participant as printed.
type Person struct {
	Name      string    `json:"name"`
	Position  string    `json:"position,omitempty"`
	Unit      string    `json:"unit,omitempty"`
	Reason    string    `json:"reason,omitempty"`     // absence
	Excused   bool      `json:"excused,omitempty"`    // absence with an approved reason
	NoRecord  bool      `json:"no_record,omitempty"`  // absence never recorded
	NonVoting bool      `json:"non_voting,omitempty"` // a member without a vote (đảng viên dự bị)
	At        time.Time `json:"at,omitzero"`          // late: arrival; left: departure
}

// BodyMember is a member of one of the congress's bodies, as printed.
type BodyMember struct {
	Person
	Post string `json:"post,omitempty"`
}

// Body is one of the congress's bodies (presidium, secretariat, counting
// committee) at the end of the log.
type Body struct {
	Kind       meeting.BodyKind `json:"kind"`
	Members    []BodyMember     `json:"members"` // the head first
	Approved   bool             `json:"approved"`
	Poll       string           `json:"poll,omitempty"` // the open vote that approved it
	ApprovedAt time.Time        `json:"approved_at,omitzero"`
}

// Category counts one category of participants over the whole meeting:
// Summoned = Attended + Absent; of the absent (never came), Excused had an
// approved reason and NotRecorded no record at all. The numbers come from
// meeting.RollOf at the end of the log.
type Category struct {
	Summoned    int `json:"summoned"`
	Attended    int `json:"attended"` // came at some time
	Absent      int `json:"absent"`   // never came
	Excused     int `json:"excused"`
	NotRecorded int `json:"not_recorded"`
}

// Attendance is the roll of the meeting.
type Attendance struct {
	Members   Category            `json:"members"`    // summoned members who count for the quorum and vote (chính thức)
	NonVoting Category            `json:"non_voting"` // members without a vote (dự bị)
	InHall    int                 `json:"in_hall"`    // of the members who came, first arrived in the hall
	Sites     []meeting.SiteCount `json:"sites"`      // of them, first arrived at each linked site
	Absent    []Person            `json:"absent"`     // never came, members then members without a vote
	Late      []Person            `json:"late"`
	Left      []Person            `json:"left"`    // left before the close
	Present   []Person            `json:"present"` // members without a vote who came (named in the minutes)
	Guests    []Person            `json:"guests"`  // observers who came
	Quorum    QuorumCheck         `json:"quorum"`
	PartyCell bool                `json:"party_cell"` // a chi bộ: members are counted as đảng viên chính thức and dự bị
}

// QuorumCheck is the quorum rule and whether it was reached.
type QuorumCheck struct {
	Rule meeting.QuorumRule `json:"rule"`
	// At the opening (meeting.opened): Base is Entitled, or Entitled less
	// Excused for a rule counted on those summoned.
	Entitled int       `json:"entitled"`
	Excused  int       `json:"excused"`
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
	Names          int                `json:"names,omitempty"` // election: names on the list
	Form           meeting.BallotForm `json:"form,omitempty"`  // election: the ballot's form
	Uncapped       bool               `json:"uncapped,omitempty"`
	Paper          bool               `json:"paper,omitempty"` // cast on paper, keyed by the counting committee (docs/paper.md)
	Body           meeting.BodyKind   `json:"body,omitempty"`  // an open vote approving this body
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
	// Warnings about the rules the poll was held under, by term key
	// ("warn.party_half"): printed in drafts only.
	Warnings []string `json:"warnings,omitempty"`
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

// folded is a log folded for the record: the final state and what the
// state does not keep (everyone ever added, the times of the agenda items,
// the item current when each poll opened, the documents ever published,
// the quorum at the opening, the public notices).
type folded struct {
	s         *meeting.State
	loc       *time.Location
	people    map[string]meeting.Participant // everyone ever added, by ID
	times     map[string]*itemTimes
	pollItem  map[string]string // poll → item current when it opened
	published map[string]bool   // documents ever published
	quorum    QuorumCheck
	notices   []Notice
	last      meeting.Event
}

// fold checks and folds the full, unfiltered log of one meeting.
func fold(events []meeting.Event) (*folded, error) {
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
	f := &folded{s: &meeting.State{}, people: map[string]meeting.Participant{}, times: map[string]*itemTimes{}, pollItem: map[string]string{},
		published: map[string]bool{}, last: events[len(events)-1]}
	s := f.s
	for _, e := range events {
		prev := s.Current
		if err := meeting.Apply(s, e); err != nil {
			return nil, err
		}
		at := e.At // UTC; converted to the meeting's zone at the end
		switch e.Type {
		case meeting.EventParticipantAdded, meeting.EventParticipantUpdated:
			var p meeting.Participant
			if err := json.Unmarshal(e.Data, &p); err == nil {
				f.people[p.ID] = p
			}
		case meeting.EventCurrentSet:
			if prev != "" && prev != s.Current {
				f.times[prev].left = at
			}
			if s.Current != "" {
				t := f.times[s.Current]
				if t == nil {
					t = &itemTimes{}
					f.times[s.Current] = t
				}
				if t.started.IsZero() {
					t.started = at
				}
			}
		case meeting.EventItemDone:
			var p meeting.ItemDone
			if err := json.Unmarshal(e.Data, &p); err == nil && p.Done {
				if t := f.times[p.ID]; t != nil {
					t.done = at
				}
			}
		case meeting.EventMeetingClosed:
			if s.Current != "" {
				f.times[s.Current].left = at
			}
		case meeting.EventMeetingOpened:
			q := meeting.QuorumOf(s)
			f.quorum = QuorumCheck{Rule: q.Rule, Entitled: q.Entitled, Excused: q.Excused, Base: q.Base, Required: q.Required, Present: q.Present, Met: q.Met}
		case meeting.EventPollOpened:
			var p meeting.PollOpened
			if err := json.Unmarshal(e.Data, &p); err == nil {
				f.pollItem[p.ID] = s.Current
			}
		case meeting.EventNoticeSent:
			var n meeting.Notice
			if err := json.Unmarshal(e.Data, &n); err == nil && n.To == "" {
				f.notices = append(f.notices, Notice{At: at, Text: n.Text})
			}
		case meeting.EventDocumentAdded, meeting.EventDocumentUpdated:
			var d meeting.Document
			if err := json.Unmarshal(e.Data, &d); err == nil && d.Status == meeting.DocumentPublished {
				f.published[d.ID] = true
			}
		}
		if s.Status == meeting.StatusOpen && !f.quorum.Met && f.quorum.FirstMet.IsZero() && !s.OpenedAt.IsZero() {
			if e.Type != meeting.EventMeetingOpened && meeting.QuorumOf(s).Met {
				f.quorum.FirstMet = at
			}
		}
	}
	if !s.Created() {
		return nil, meeting.Errorf(meeting.KindInvalid, "Nhật ký không bắt đầu bằng việc tạo cuộc họp.", "the log does not start with the meeting's creation")
	}
	f.loc = Location(s.Settings.Zone())
	f.quorum.FirstMet = f.in(f.quorum.FirstMet)
	for i := range f.notices {
		f.notices[i].At = f.in(f.notices[i].At)
	}
	return f, nil
}

// in returns t in the meeting's time zone (the zero time stays zero).
func (f *folded) in(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(f.loc)
}

// name returns the name of participant id (id itself if never added).
func (f *folded) name(id string) string {
	if p, ok := f.people[id]; ok {
		return p.Name
	}
	return id
}

// person returns participant id as printed.
func (f *folded) person(id string) Person {
	p, ok := f.people[id]
	if !ok {
		return Person{Name: id}
	}
	return Person{Name: p.Name, Position: p.Position, Unit: p.Unit, NonVoting: p.NonVoting}
}

// layout is the layout the record is printed in: the finalisation's, else
// the meeting's setting.
func (f *folded) layout() meeting.MinutesLayout {
	if f.s.Minutes.Layout != "" {
		return f.s.Minutes.Layout
	}
	return f.s.Settings.Rules()
}

// collective returns who signs "T/M …" in the Party layout: the collective
// named in the details, else the kind of body the organisation's name
// starts with ("Chi bộ", "Đảng ủy", …), else the organisation.
func collective(d meeting.Details) string {
	if d.Collective != "" {
		return d.Collective
	}
	for _, c := range []string{"Chi bộ", "Chi ủy", "Đảng ủy", "Ban Thường vụ", "Ban Chấp hành", "Đoàn Chủ tịch"} {
		if strings.HasPrefix(strings.ToLower(d.Organization), strings.ToLower(c)) {
			return c
		}
	}
	return d.Organization
}

// partyCell reports whether the meeting is a chi bộ's (its members are
// counted as đảng viên chính thức and dự bị).
func partyCell(f *folded) bool {
	return f.layout() == meeting.LayoutParty && strings.EqualFold(collective(f.s.Details), "Chi bộ")
}

// bodies returns the congress's bodies as printed.
func (f *folded) bodies() []Body {
	out := []Body{}
	for _, b := range f.s.Bodies {
		x := Body{Kind: b.Kind, Approved: b.Approved(), Poll: b.Poll, ApprovedAt: f.in(b.ApprovedAt), Members: []BodyMember{}}
		for _, m := range b.Members {
			x.Members = append(x.Members, BodyMember{Person: f.person(m.Participant), Post: m.Post})
		}
		out = append(out, x)
	}
	return out
}

// poll returns poll p as printed.
func (f *folded) poll(p meeting.Poll) Poll {
	x := Poll{ID: p.ID, Question: p.Question, Kind: p.Kind, Scale: p.Scale, Seats: p.Seats, Form: p.Form(), Uncapped: p.Uncapped, Paper: p.Paper, Body: p.Body,
		Base: p.Base, Threshold: p.Threshold, RevoteOf: p.RevoteOf, Status: p.Status, OpenedAt: f.in(p.OpenedAt), ClosedAt: f.in(p.ClosedAt),
		CancelReason: p.CancelReason, Eligible: len(p.Eligible), QuorumMet: p.QuorumMet, OverrideQuorum: p.OverrideQuorum}
	if p.Kind == meeting.PollElection {
		x.Names = len(p.Candidates)
	}
	if p.Status != meeting.PollStatusCancelled {
		x.Result = p.Result
	}
	if f.layout() == meeting.LayoutParty && p.Threshold.HalfNotMore() && !(p.Kind == meeting.PollRating && p.Scale == meeting.ScaleConfidence) {
		x.Warnings = append(x.Warnings, "warn.party_half")
	}
	if p.Kind == meeting.PollOpen && p.Status != meeting.PollStatusCancelled {
		v := &OpenVoters{Agree: []string{}, Disagree: []string{}, Abstain: []string{}, Spoiled: []string{}}
		for _, voter := range p.Voters {
			n := f.name(voter.Participant)
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
	return x
}

// Build builds the minutes from the full, unfiltered log of one meeting, in
// sequence order from its first event. The log must be a valid hash chain.
func Build(events []meeting.Event) (*Minutes, error) {
	f, err := fold(events)
	if err != nil {
		return nil, err
	}
	s := f.s
	r := Record{
		Meeting: s.ID, Seq: s.Seq, Head: s.Head,
		Revision: s.Minutes.Revision, Final: s.Minutes.Final(), Layout: f.layout(), TimeZone: s.Settings.Zone(), Number: s.Minutes.Number,
		PlaceDate: s.Minutes.PlaceDate, FinalizedAt: f.in(s.Minutes.FinalizedAt), Superior: s.Minutes.Superior,
		Organization: s.Details.Organization, Collective: collective(s.Details), Locality: s.Details.Locality, Title: s.Details.Title, Place: s.Details.Place,
		Chair: s.Details.Chair, ChairPost: s.Details.ChairPost, Secretary: s.Details.Secretary, ScheduledAt: f.in(s.Details.StartsAt),
		OpenedAt: f.in(s.OpenedAt), ClosedAt: f.in(s.ClosedAt), Status: string(s.Status),
		Bodies: f.bodies(), Documents: []Document{}, Items: []Item{}, Notices: f.notices, Corrections: []meeting.Correction{},
	}
	if r.Notices == nil {
		r.Notices = []Notice{}
	}
	for _, c := range s.Minutes.Corrections {
		c.At = f.in(c.At)
		r.Corrections = append(r.Corrections, c)
	}
	r.Attendance = f.attendance()

	// Documents ever published, in the order they were added.
	for _, d := range s.Documents {
		if !f.published[d.ID] {
			continue
		}
		doc := Document{ID: d.ID, Title: d.Title, Item: d.Item, Access: d.Access, Withdrawn: d.Status == meeting.DocumentWithdrawn}
		for _, v := range d.Versions {
			doc.Versions = append(doc.Versions, DocumentVersion{Number: v.Number, Name: v.Name, SHA256: v.SHA256, Size: v.Size, Note: v.Note, At: f.in(v.At)})
		}
		r.Documents = append(r.Documents, doc)
	}

	// Agenda items with their speeches, polls and conclusions.
	index := map[string]int{}
	for i, it := range s.Agenda {
		x := Item{Number: i + 1, ID: it.ID, Title: it.Title, Presenter: it.Presenter, Done: it.Done, Speeches: []Speech{}, Polls: []Poll{}}
		if t := f.times[it.ID]; t != nil {
			x.Started, x.Ended = f.in(t.started), f.in(t.ended())
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
		p := f.people[sp.Participant]
		x := Speech{Name: f.name(sp.Participant), Position: p.Position, Unit: p.Unit, Kind: sp.Kind, Topic: sp.Topic, Start: f.in(sp.Start),
			Seconds: int64(sp.ElapsedAt(f.last.At) / time.Second)}
		if sp.ReplyTo != "" {
			x.ReplyTo = f.name(sp.ReplyTo)
		}
		it := into(sp.Item)
		it.Speeches = append(it.Speeches, x)
	}
	for _, p := range s.Polls {
		if p.Status == meeting.PollStatusDraft || (p.Status == meeting.PollStatusCancelled && p.OpenedAt.IsZero()) {
			continue // never put to the vote
		}
		item := p.Item
		if item == "" {
			item = f.pollItem[p.ID]
		}
		it := into(item)
		it.Polls = append(it.Polls, f.poll(p))
	}
	if len(other.Speeches) > 0 || len(other.Polls) > 0 {
		r.Other = other
	}
	if c, ok := s.Minutes.Conclusion(""); ok {
		r.Conclusion = c.Text
	}
	r.Floor = f.floor() // the congress floor (floor.go)
	return &Minutes{r: r}, nil
}

// attendance computes the roll from the final state: the counts from
// meeting.RollOf, the people by name.
func (f *folded) attendance() Attendance {
	s := f.s
	roll := meeting.RollOf(s)
	a := Attendance{Sites: []meeting.SiteCount{}, Absent: []Person{}, Late: []Person{}, Left: []Person{}, Present: []Person{}, Guests: []Person{},
		Quorum: f.quorum, PartyCell: partyCell(f)}
	a.Members = Category{Summoned: roll.Members.Listed, Attended: roll.Members.Attended, Absent: roll.Members.Listed - roll.Members.Attended}
	a.NonVoting = Category{Summoned: roll.NonVoting.Listed, Attended: roll.NonVoting.Attended, Absent: roll.NonVoting.Listed - roll.NonVoting.Attended}
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
	var absentNonVoting []Person
	for _, p := range s.Participants {
		rec, recorded := s.Attendance[p.ID]
		person := Person{Name: p.Name, Position: p.Position, Unit: p.Unit, NonVoting: p.NonVoting}
		came := len(rec.Visits) > 0
		switch {
		case p.Role.Device():
			continue
		case p.Role == meeting.RoleObserver:
			if came {
				a.Guests = append(a.Guests, person)
			}
			continue
		}
		c := &a.Members
		if !p.Entitled() {
			c = &a.NonVoting
		}
		if !came {
			person.Reason = rec.Reason
			person.Excused = rec.Status == meeting.AttendanceExcused
			if person.Excused {
				c.Excused++
			}
			if !recorded {
				c.NotRecorded++
				person.NoRecord = true
			}
			if p.Entitled() {
				a.Absent = append(a.Absent, person)
			} else {
				absentNonVoting = append(absentNonVoting, person)
			}
			continue
		}
		if !p.Entitled() {
			a.Present = append(a.Present, person)
			continue
		}
		if first := rec.Visits[0]; first.Site == "" {
			a.InHall++
		} else {
			site(first.Site).Present++
		}
		if rec.Late {
			l := person
			l.At = f.in(rec.CheckedIn)
			a.Late = append(a.Late, l)
		}
		if !rec.In() && !rec.CheckedOut.IsZero() && (s.ClosedAt.IsZero() || rec.CheckedOut.Before(s.ClosedAt)) {
			l := person
			l.At = f.in(rec.CheckedOut)
			a.Left = append(a.Left, l)
		}
	}
	a.Absent = append(a.Absent, absentNonVoting...)
	slices.SortStableFunc(a.Late, func(x, y Person) int { return cmp.Compare(x.At.UnixNano(), y.At.UnixNano()) })
	slices.SortStableFunc(a.Left, func(x, y Person) int { return cmp.Compare(x.At.UnixNano(), y.At.UnixNano()) })
	return a
}
