package minutes

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// The vote-counting record (biên bản kiểm phiếu) of a secret poll, as the
// counting committee (Ban Kiểm phiếu) signs it (docs/rules.md §4, §6, §8): the
// committee's members; those summoned, present and absent; the ballots
// issued, returned, valid and invalid with the reasons; the votes of each
// name in ballot order with their share of the stated base; the elected,
// highest first; the committee's signatures. Like the minutes it is a pure
// function of the log: its counts are those of the poll.counted event, its
// attendance that frozen at poll.opened.
//
// Paper ballots reach the same record through the same tally: the
// committee's entries reconcile into ballots, meeting.Tally counts them,
// poll.counted records the result this record prints; the record adds how
// they were keyed and the entry log's hash (paper.go).

// Counting is the counting record of one poll.
type Counting struct {
	r CountingRecord
}

// CountingRecord is the content of a counting record: what JSON encodes.
type CountingRecord struct {
	Meeting string `json:"meeting"`
	// Seq and Head are the last event the record was built from; CountSeq
	// and CountHash the poll.counted event whose counts it prints.
	Seq       int64  `json:"seq"`
	Head      string `json:"head"`
	CountSeq  int64  `json:"count_seq"`
	CountHash string `json:"count_hash"`
	// Final is set once the results are published (poll.published); until
	// then the record is a draft.
	Final    bool                  `json:"final"`
	Layout   meeting.MinutesLayout `json:"layout"`
	TimeZone string                `json:"time_zone"`

	Superior     string `json:"superior,omitempty"`
	Organization string `json:"organization,omitempty"`
	Locality     string `json:"locality,omitempty"`
	Title        string `json:"title"` // of the meeting
	Place        string `json:"place,omitempty"`
	Chair        string `json:"chair,omitempty"`
	ChairPost    string `json:"chair_post,omitempty"`
	Collective   string `json:"collective,omitempty"`
	Secretary    string `json:"secretary,omitempty"`

	// Committee is the counting committee (nil when the meeting has none).
	Committee *Body `json:"committee,omitempty"`

	// Summoned, Present and Absent are at the opening of the poll:
	// Summoned members with a vote (Result.Entitled), Present the eligible
	// voters at the meeting (the ballots issued), Absent = Summoned −
	// Present, of whom Excused with an approved reason.
	Summoned int `json:"summoned"`
	Present  int `json:"present"`
	Absent   int `json:"absent"`
	Excused  int `json:"excused"`

	Poll        Poll      `json:"poll"` // the poll with its result
	PublishedAt time.Time `json:"published_at,omitzero"`

	// Paper is set for a paper poll (paper.go): how its ballots were keyed
	// and reconciled, and the entry log's hash.
	Paper *PaperSummary `json:"paper,omitempty"`
}

// Record returns the content of the counting record.
func (c *Counting) Record() CountingRecord { return c.r }

// Final reports whether the poll's results were published.
func (c *Counting) Final() bool { return c.r.Final }

// JSON returns the counting record as indented JSON, stable for equal logs.
func (c *Counting) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(c.r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// HasCounting reports whether poll p has a counting record: a secret poll
// (secret vote, election or rating) that was counted and not cancelled.
func HasCounting(p meeting.Poll) bool {
	return p.Kind.Secret() && p.Result != nil && (p.Status == meeting.PollStatusClosed || p.Status == meeting.PollStatusPublished)
}

// CountingPolls returns the IDs of the polls of the log with a counting
// record, in the order they were created.
func CountingPolls(events []meeting.Event) ([]string, error) {
	f, err := fold(events)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range f.s.Polls {
		if HasCounting(p) {
			out = append(out, p.ID)
		}
	}
	return out, nil
}

// BuildCounting builds the counting record of poll pollID from the full,
// unfiltered log of its meeting. It returns a NotFound error for an unknown
// poll, an Invalid error for an open (show-of-hands) vote, which has none,
// and a Conflict error for a poll not counted yet or cancelled.
func BuildCounting(events []meeting.Event, pollID string) (*Counting, error) {
	f, err := fold(events)
	if err != nil {
		return nil, err
	}
	return f.counting(events, pollID)
}

// BuildCountings builds the counting record of every poll that has one
// (CountingPolls), folding the log once.
func BuildCountings(events []meeting.Event) ([]*Counting, error) {
	f, err := fold(events)
	if err != nil {
		return nil, err
	}
	var out []*Counting
	for _, p := range f.s.Polls {
		if !HasCounting(p) {
			continue
		}
		c, err := f.counting(events, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (f *folded) counting(events []meeting.Event, pollID string) (*Counting, error) {
	s := f.s
	p, ok := s.Poll(pollID)
	switch {
	case !ok:
		return nil, meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc biểu quyết %q.", "poll %q not found", pollID)
	case !p.Kind.Secret():
		return nil, meeting.Errorf(meeting.KindInvalid, "Biểu quyết công khai (giơ tay) không có biên bản kiểm phiếu.", "an open vote (show of hands) has no vote-counting record")
	case !HasCounting(p):
		return nil, meeting.Errorf(meeting.KindConflict, "Cuộc biểu quyết chưa được kiểm phiếu (hoặc đã hủy).", "the poll has not been counted (or was cancelled)")
	}
	// The poll.counted event: the count this record prints.
	var count meeting.Event
	for _, e := range events {
		if e.Type != meeting.EventPollCounted {
			continue
		}
		var r meeting.PollResult
		if json.Unmarshal(e.Data, &r) == nil && r.ID == pollID {
			count = e
		}
	}
	res := p.Result
	r := CountingRecord{
		Meeting: s.ID, Seq: s.Seq, Head: s.Head, CountSeq: count.Seq, CountHash: count.Hash,
		Final: p.Status == meeting.PollStatusPublished, Layout: f.layout(), TimeZone: s.Settings.Zone(),
		Superior: s.Minutes.Superior, Organization: s.Details.Organization, Locality: s.Details.Locality, Title: s.Details.Title,
		Place: s.Details.Place, Chair: s.Details.Chair, ChairPost: s.Details.ChairPost, Collective: collective(s.Details), Secretary: s.Details.Secretary,
		Summoned: res.Entitled, Present: res.Issued, Absent: res.Entitled - res.Issued, Excused: res.Entitled - res.Summoned,
		Poll: f.poll(p), PublishedAt: f.in(p.PublishedAt),
	}
	for _, b := range f.bodies() {
		if b.Kind == meeting.BodyCounting {
			r.Committee = &b
		}
	}
	if p.Paper {
		ps, err := f.paperSummary(events, p)
		if err != nil {
			return nil, err
		}
		r.Paper = ps
	}
	return &Counting{r: r}, nil
}

// countingSigns returns the signature blocks of a counting record: every
// member of the counting committee (the head first, titled by their post,
// "TRƯỞNG BAN" and "ỦY VIÊN" by default), or, without a committee, those
// of the minutes.
func countingSigns(w *words, r CountingRecord) (string, []sign) {
	if r.Committee == nil || len(r.Committee.Members) == 0 {
		return "", minutesSigns(w, Record{Layout: r.Layout, Chair: r.Chair, ChairPost: r.ChairPost, Collective: r.Collective, Secretary: r.Secretary})
	}
	var out []sign
	for i, m := range r.Committee.Members {
		post := m.Post
		switch {
		case post != "":
		case i == 0:
			post = w.cHeadPost
		default:
			post = w.cMemPost
		}
		out = append(out, sign{Lines: []string{upper(post)}, Name: m.Name})
	}
	return w.cSignTitle, out
}

func (c *Counting) doc(lang string) *doc {
	w := wordsFor(lang)
	r := c.r
	p := r.Poll
	res := p.Result
	d := &doc{w: w, Lang: w.lang, Party: layoutOf(r.Layout), Title: w.countingTitle, Subject: p.Question}
	d.header(r.Superior, r.Organization, "")
	d.Number = "" // counting records carry no number of their own
	d.PlaceDate = w.placeDate(r.Locality, p.ClosedAt)
	if !r.Final {
		d.Draft, d.DraftNote = w.draft, w.countingDraftNote
	}
	method := w.method[p.Kind]
	if p.Form != "" {
		method = w.formMethod[p.Form]
	}
	if p.Paper {
		method += paperWordsFor(w.lang).onPaper
	}
	who := r.Organization
	if who == "" {
		who = r.Title
	}
	place := r.Place
	if place == "" {
		place = r.Locality
	}
	d.add(blockPara, w.cOpening, w.long(p.ClosedAt), orDash(w, place), who, method, p.Question)
	if p.RevoteOf != "" {
		d.add(blockPara, w.revoteOf, p.RevoteOf)
	}
	switch {
	case r.Committee == nil:
		d.add(blockPara, "%s", w.cNoCommittee)
	default:
		if r.Committee.Approved {
			d.add(blockPara, w.cCommittee, w.long(r.Committee.ApprovedAt))
		} else {
			d.add(blockWarn, "%s", w.cCommitteeProposed)
		}
		for i, m := range r.Committee.Members {
			post := m.Post
			switch {
			case post != "":
			case i == 0:
				post = w.cHead
			default:
				post = w.cMem
			}
			d.add(blockPara, w.cMember, i+1, m.Name, post)
		}
	}

	// I. Members and ballots.
	d.add(blockSection, "%s", w.cSec1)
	d.add(blockPara, w.cSummoned, w.n(r.Summoned), w.n(r.Present), w.n(r.Absent), w.n(r.Excused))
	d.add(blockPara, w.cBallots, w.n(res.Issued), w.n(res.Cast), w.n(res.Valid), w.n(res.Invalid))
	if len(res.InvalidReasons) == 0 {
		d.add(blockPara, "%s", w.cNoInvalid)
	} else {
		t := block{Kind: blockTable, Head: []string{w.colNo, w.cColReason, w.cColCount}, Widths: []float64{0.08, 0.72, 0.2}, Right: []bool{false, false, true}}
		for i, x := range res.InvalidReasons {
			t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), w.term("reason." + string(x.Reason)), w.n(x.Count)})
		}
		d.add(blockLabel, "%s", w.cInvalidTitle)
		d.Blocks = append(d.Blocks, t)
	}
	if r.Paper != nil {
		d.addPaper(r.Paper)
	}

	// II. The count, by name in ballot order; the elected highest first.
	d.add(blockSection, "%s", w.cSec2)
	d.poll(Record{}, p, !r.Final, true)

	// The end and the signatures.
	short := r.CountHash
	if len(short) > 12 {
		short = short[:12]
	}
	d.add(blockPara, w.cClosing, w.long(p.ClosedAt), r.CountSeq, short)
	title, signs := countingSigns(w, r)
	d.Blocks = append(d.Blocks, block{Kind: blockSign, Title: title, Signs: signs})
	return d
}

func orDash(w *words, s string) string {
	if strings.TrimSpace(s) == "" {
		return w.none
	}
	return s
}

// HTML returns the counting record as one self-contained HTML page.
func (c *Counting) HTML(lang string) ([]byte, error) { return renderHTML(c.doc(lang)) }

// PDF returns the counting record as an A4 PDF with its fonts embedded.
func (c *Counting) PDF(lang string) ([]byte, error) {
	d := c.doc(lang)
	return renderPDF(d, c.stamp(), d.Title+" — "+d.Subject, "")
}

// stamp is the PDF's date: the publication of the results, else the count.
func (c *Counting) stamp() time.Time {
	t := c.r.PublishedAt
	if t.IsZero() {
		t = c.r.Poll.ClosedAt
	}
	if t.IsZero() {
		t = time.Date(2000, 1, 1, 0, 0, 0, 0, VN)
	}
	return t
}
