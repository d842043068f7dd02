package minutes

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// Paper ballots (docs/paper.md, docs/rules.md §8): the entry log (nhật ký
// nhập phiếu) of a paper poll — every entry, undo, finished bundle and
// decision of the counting committee, with station, operator and time — and
// what the counting record adds for a paper poll (PaperSummary). Both are
// pure functions of the log. The entry log's hash, printed on the counting
// record, is the SHA-256 of its JSON (EntryLog.JSON), the file archived as
// entries-<poll>.json, so anyone holding the archive can check it.

// EntryLog is the entry log of one paper poll.
type EntryLog struct {
	r EntryLogRecord
}

// EntryLogRecord is the content of an entry log: what JSON encodes. It
// depends only on the poll's own events (not on the meeting's later
// events), so its hash does not change once the poll is counted.
type EntryLogRecord struct {
	Meeting  string         `json:"meeting"`
	Poll     string         `json:"poll"`
	Question string         `json:"question"`
	Form     string         `json:"form"`  // meeting.Poll.PaperForm
	Names    []string       `json:"names"` // in ballot order: number i is Names[i-1]
	Times    int            `json:"times"` // independent entries per ballot
	TimeZone string         `json:"time_zone"`
	Stations []EntryStation `json:"stations"` // in the order they first keyed
	Rows     []EntryRow     `json:"rows"`     // the poll's paper events, in log order
	Closed   bool           `json:"closed"`   // the poll was counted (the log is complete)
}

// EntryStation is one station of an entry log and who keyed there.
type EntryStation struct {
	Label     string   `json:"label"` // "Máy 1"
	ID        string   `json:"id"`    // the session-derived station ID
	Operators []string `json:"operators"`
}

// EntryRow is one paper event of the poll.
type EntryRow struct {
	Seq      int64               `json:"seq"`
	At       time.Time           `json:"at"` // in the meeting's zone
	Type     string              `json:"type"`
	Bundle   int                 `json:"bundle,omitempty"`
	Position int                 `json:"position,omitempty"`
	Station  string              `json:"station,omitempty"` // its label
	Operator string              `json:"operator,omitempty"`
	Marks    string              `json:"marks,omitempty"` // as keyed (PaperMarks.String)
	Absent   bool                `json:"absent,omitempty"`
	Count    int                 `json:"count,omitempty"`     // bundle finished: its ballots; counts recorded: returned
	Issued   int                 `json:"issued,omitempty"`    // counts recorded
	Note     string              `json:"note,omitempty"`      // a decision's reason
	Hash     string              `json:"hash"`                // the event's chain hash
	Raw      *meeting.PaperMarks `json:"raw_marks,omitempty"` // the marks as sent, for a machine recount
}

// Record returns the content of the entry log.
func (l *EntryLog) Record() EntryLogRecord { return l.r }

// JSON returns the entry log as indented JSON, stable for equal logs.
func (l *EntryLog) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(l.r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Hash returns the SHA-256 (hex) of JSON: the hash printed on the counting
// record.
func (l *EntryLog) Hash() string {
	b, _ := l.JSON()
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// BuildEntryLog builds the entry log of paper poll pollID from the full,
// unfiltered log of its meeting. NotFound for an unknown poll, Invalid for
// a poll not on paper.
func BuildEntryLog(events []meeting.Event, pollID string) (*EntryLog, error) {
	f, err := fold(events)
	if err != nil {
		return nil, err
	}
	return f.entryLog(events, pollID)
}

func (f *folded) entryLog(events []meeting.Event, pollID string) (*EntryLog, error) {
	p, ok := f.s.Poll(pollID)
	switch {
	case !ok:
		return nil, meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc biểu quyết %q.", "poll %q not found", pollID)
	case !p.Paper:
		return nil, meeting.Errorf(meeting.KindInvalid, "Cuộc biểu quyết này không dùng phiếu giấy, không có nhật ký nhập phiếu.", "this poll has no paper ballots and no entry log")
	}
	r := EntryLogRecord{Meeting: f.s.ID, Poll: p.ID, Question: p.Question, Form: p.PaperForm(), Times: p.Rules.Entries(), TimeZone: f.s.Settings.Zone(),
		Stations: []EntryStation{}, Rows: []EntryRow{}, Closed: p.Result != nil}
	for _, c := range p.Names() {
		r.Names = append(r.Names, c.Name)
	}
	if r.Names == nil {
		r.Names = []string{}
	}
	label := map[string]int{} // station ID → index in r.Stations
	stationOf := func(id, operator string) string {
		if id == "" {
			return ""
		}
		i, ok := label[id]
		if !ok {
			i = len(r.Stations)
			label[id] = i
			r.Stations = append(r.Stations, EntryStation{Label: fmt.Sprintf("Máy %d", i+1), ID: id, Operators: []string{}})
		}
		st := &r.Stations[i]
		if name := f.name(operator); !containsStr(st.Operators, name) {
			st.Operators = append(st.Operators, name)
		}
		return st.Label
	}
	for _, e := range events {
		switch e.Type {
		case meeting.EventPaperCounts:
			var c meeting.PaperCounts
			if json.Unmarshal(e.Data, &c) != nil || c.Poll != pollID {
				continue
			}
			r.Rows = append(r.Rows, EntryRow{Seq: e.Seq, At: f.in(e.At), Type: e.Type, Operator: f.name(actorParticipant(e.Actor)), Issued: c.Issued, Count: c.Returned, Hash: e.Hash})
		case meeting.EventPaperEntered, meeting.EventPaperUndone, meeting.EventPaperFinished, meeting.EventPaperDecided:
			var a meeting.PaperAct
			if json.Unmarshal(e.Data, &a) != nil || a.Poll != pollID {
				continue
			}
			row := EntryRow{Seq: e.Seq, At: f.in(e.At), Type: e.Type, Bundle: a.Bundle, Position: a.Position, Station: stationOf(a.Station, a.Operator),
				Operator: f.name(a.Operator), Absent: a.Absent, Count: a.Count, Note: a.Note, Hash: e.Hash}
			if a.Marks != nil {
				row.Marks = a.Marks.String()
				row.Raw = a.Marks
			}
			r.Rows = append(r.Rows, row)
		}
	}
	return &EntryLog{r: r}, nil
}

// actorParticipant returns the participant ID of an event's actor
// ("participant:p7" → "p7"), or the actor itself.
func actorParticipant(actor string) string { return strings.TrimPrefix(actor, "participant:") }

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// PaperSummary is what a counting record adds for a paper poll: how the
// ballots were keyed and reconciled, the committee's decisions, and the
// entry log's hash.
type PaperSummary struct {
	Times     int              `json:"times"`
	Stations  []EntryStation   `json:"stations"`
	Entered   int              `json:"entered"`
	Agreed    int              `json:"agreed"`
	Flagged   int              `json:"flagged"`
	Decided   int              `json:"decided"`
	Decisions []PaperDecision  `json:"decisions"`
	LogRows   int              `json:"log_rows"`
	LogHash   string           `json:"log_hash"` // SHA-256 of the entry log's JSON
	Bundles   []PaperBundleSum `json:"bundles"`
}

// PaperBundleSum is one bundle in a counting record: its ballots.
type PaperBundleSum struct {
	Bundle  int `json:"bundle"`
	Ballots int `json:"ballots"`
	Flagged int `json:"flagged"`
}

// PaperDecision is one decision of the committee on a flagged ballot (the
// one that counts: the last on its position).
type PaperDecision struct {
	Bundle   int       `json:"bundle"`
	Position int       `json:"position"`
	Entries  []string  `json:"entries"` // what each entry keyed
	Ruling   string    `json:"ruling"`  // the marks decided, or "no ballot"
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Note     string    `json:"note"`
}

// paperSummary builds the paper part of a counting record.
func (f *folded) paperSummary(events []meeting.Event, p meeting.Poll) (*PaperSummary, error) {
	log, err := f.entryLog(events, p.ID)
	if err != nil {
		return nil, err
	}
	rec := meeting.Reconcile(p)
	ps := &PaperSummary{Times: rec.Times, Stations: log.r.Stations, Entered: rec.Entered, Agreed: rec.Agreed, Flagged: rec.Flagged, Decided: rec.Decided,
		Decisions: []PaperDecision{}, LogRows: len(log.r.Rows), LogHash: log.Hash(), Bundles: []PaperBundleSum{}}
	for _, b := range rec.Bundles {
		sum := PaperBundleSum{Bundle: b.Bundle, Flagged: b.Flagged}
		for _, sl := range b.Slots {
			if _, ballot, ok := sl.Counts(); ok && ballot {
				sum.Ballots++
			}
			if !sl.Flagged || sl.Decision == nil {
				continue
			}
			d := PaperDecision{Bundle: b.Bundle, Position: sl.Position, By: f.name(sl.Decision.Operator), At: f.in(sl.Decision.At), Note: sl.Decision.Note}
			for _, m := range sl.Entries {
				if m == nil {
					d.Entries = append(d.Entries, "")
				} else {
					d.Entries = append(d.Entries, m.String())
				}
			}
			if sl.Decision.Absent {
				d.Ruling = ""
			} else {
				d.Ruling = sl.Decision.Marks.String()
			}
			ps.Decisions = append(ps.Decisions, d)
		}
		ps.Bundles = append(ps.Bundles, sum)
	}
	return ps, nil
}

// paperWords are the words of the paper parts of the records.
type paperWords struct {
	logTitle, method, stations, station, counts, decisionsTitle, noDecision, hash, absent, colTime, colBundle, colPos, colStation,
	colOperator, colMarks, colNote, colEntries, colRuling, colBy, namesTitle, summary string
	onPaper string // after the method: "…, bằng phiếu giấy"
	types   map[string]string
}

var paperVI = paperWords{
	logTitle: "NHẬT KÝ NHẬP PHIẾU", onPaper: ", bằng phiếu giấy",
	method:   "Bỏ phiếu kín bằng phiếu giấy. Các phiếu được nhập vào máy tính theo từng tệp, mỗi phiếu được nhập độc lập %d lần trên các máy khác nhau do những người khác nhau; phiếu chỉ được tính khi các lần nhập trùng nhau, phiếu có khác biệt do Ban Kiểm phiếu đối chiếu phiếu gốc và quyết định.",
	stations: "Máy nhập phiếu và người nhập:", station: "%s: %s.",
	counts:         "Số phiếu đã nhập và được tính: %s; trong đó các lần nhập trùng nhau: %s; có khác biệt giữa các lần nhập: %s, đã được Ban Kiểm phiếu quyết định: %s.",
	decisionsTitle: "Các phiếu có khác biệt và quyết định của Ban Kiểm phiếu:", noDecision: "Không có phiếu nào có khác biệt giữa các lần nhập.",
	hash:   "Nhật ký nhập phiếu (%s dòng) được in và lưu cùng biên bản này; mã băm SHA-256 của nhật ký: %s.",
	absent: "Không có phiếu", colTime: "Giờ", colBundle: "Tệp", colPos: "Phiếu số", colStation: "Máy", colOperator: "Người nhập", colMarks: "Nội dung nhập",
	colNote: "Ghi chú", colEntries: "Các lần nhập", colRuling: "Quyết định", colBy: "Người quyết định, lý do", namesTitle: "Danh sách trên phiếu (số thứ tự dùng khi nhập):",
	summary: "Cuộc biểu quyết: %s. Mỗi phiếu nhập %d lần. Số dòng nhật ký: %s.",
	types: map[string]string{meeting.EventPaperCounts: "Ghi số phiếu phát ra %s, thu vào %s", meeting.EventPaperEntered: "Nhập", meeting.EventPaperUndone: "Hủy phiếu vừa nhập",
		meeting.EventPaperFinished: "Nhập xong tệp (%s phiếu)", meeting.EventPaperDecided: "Ban Kiểm phiếu quyết định"},
}

var paperEN = paperWords{
	logTitle: "ENTRY LOG", onPaper: ", on paper",
	method:   "Secret ballot on paper. The ballots were keyed bundle by bundle, each ballot independently %d times on different stations by different people; a ballot counted only when the entries agreed, and the counting committee decided every difference from the ballot itself.",
	stations: "Stations and operators:", station: "%s: %s.",
	counts:         "Ballots entered and counted: %s; entries agreeing: %s; entries differing: %s, decided by the counting committee: %s.",
	decisionsTitle: "Ballots whose entries differed, and the committee's decisions:", noDecision: "No ballot's entries differed.",
	hash:   "The entry log (%s rows) is printed and filed with this record; its SHA-256 is %s.",
	absent: "No ballot", colTime: "Time", colBundle: "Bundle", colPos: "Ballot", colStation: "Station", colOperator: "Operator", colMarks: "Keyed",
	colNote: "Note", colEntries: "Entries", colRuling: "Decision", colBy: "Decided by, why", namesTitle: "The names on the ballot (the numbers keyed):",
	summary: "Poll: %s. Each ballot keyed %d times. Rows: %s.",
	types: map[string]string{meeting.EventPaperCounts: "Ballots issued %s, returned %s", meeting.EventPaperEntered: "Entered", meeting.EventPaperUndone: "Last ballot undone",
		meeting.EventPaperFinished: "Bundle finished (%s ballots)", meeting.EventPaperDecided: "Committee's decision"},
}

func paperWordsFor(lang string) *paperWords {
	if lang == "en" {
		return &paperEN
	}
	return &paperVI
}

// groupHash prints a hex hash in groups of eight, so that it wraps.
func groupHash(h string) string {
	var parts []string
	for i := 0; i < len(h); i += 8 {
		parts = append(parts, h[i:min(len(h), i+8)])
	}
	return strings.Join(parts, " ")
}

// addPaper adds a paper poll's section to a counting record.
func (d *doc) addPaper(ps *PaperSummary) {
	w, pw := d.w, paperWordsFor(d.w.lang)
	d.add(blockPara, pw.method, ps.Times)
	d.add(blockLabel, "%s", pw.stations)
	for _, st := range ps.Stations {
		d.add(blockPara, pw.station, st.Label, strings.Join(st.Operators, ", "))
	}
	d.add(blockPara, pw.counts, w.n(ps.Entered), w.n(ps.Agreed), w.n(ps.Flagged), w.n(ps.Decided))
	if len(ps.Decisions) == 0 {
		d.add(blockPara, "%s", pw.noDecision)
	} else {
		d.add(blockLabel, "%s", pw.decisionsTitle)
		t := block{Kind: blockTable, Head: []string{pw.colBundle, pw.colPos, pw.colEntries, pw.colRuling, pw.colBy}, Widths: []float64{0.09, 0.09, 0.3, 0.2, 0.32},
			Right: []bool{true, true, false, false, false}}
		for _, x := range ps.Decisions {
			entries := make([]string, len(x.Entries))
			for i, e := range x.Entries {
				if e == "" {
					e = w.none
				}
				entries[i] = fmt.Sprintf("(%d) %s", i+1, e)
			}
			ruling := x.Ruling
			if ruling == "" {
				ruling = pw.absent
			}
			t.Rows = append(t.Rows, []string{fmt.Sprint(x.Bundle), fmt.Sprint(x.Position), strings.Join(entries, "; "), ruling, x.By + ", " + w.clock(x.At) + ": " + x.Note})
		}
		d.Blocks = append(d.Blocks, t)
	}
	d.add(blockPara, pw.hash, w.n(ps.LogRows), groupHash(ps.LogHash))
}

func (l *EntryLog) doc(lang string) *doc {
	w, pw := wordsFor(lang), paperWordsFor(lang)
	r := l.r
	d := &doc{w: w, Lang: w.lang, Party: true, Title: pw.logTitle, Subject: r.Question}
	d.add(blockPara, pw.summary, r.Poll, r.Times, w.n(len(r.Rows)))
	if len(r.Names) > 0 {
		d.add(blockLabel, "%s", pw.namesTitle)
		t := block{Kind: blockTable, Head: []string{w.colNo, w.colName}, Widths: []float64{0.12, 0.88}, Right: []bool{true, false}}
		for i, n := range r.Names {
			t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), n})
		}
		d.Blocks = append(d.Blocks, t)
	}
	d.add(blockLabel, "%s", pw.stations)
	for _, st := range r.Stations {
		d.add(blockPara, pw.station, st.Label+" ("+st.ID+")", strings.Join(st.Operators, ", "))
	}
	t := block{Kind: blockTable, Head: []string{"Seq", pw.colTime, pw.colBundle, pw.colPos, pw.colStation, pw.colOperator, pw.colMarks, pw.colNote},
		Widths: []float64{0.07, 0.1, 0.06, 0.07, 0.1, 0.17, 0.25, 0.18}, Right: []bool{true, false, true, true, false, false, false, false}}
	for _, x := range r.Rows {
		what := pw.types[x.Type]
		switch x.Type {
		case meeting.EventPaperCounts:
			what = fmt.Sprintf(what, w.n(x.Issued), w.n(x.Count))
		case meeting.EventPaperFinished:
			what = fmt.Sprintf(what, w.n(x.Count))
		case meeting.EventPaperEntered:
			what = x.Marks
		case meeting.EventPaperDecided:
			if x.Absent {
				what += ": " + pw.absent
			} else {
				what += ": " + x.Marks
			}
		}
		at := fmt.Sprintf("%02d:%02d:%02d", x.At.Hour(), x.At.Minute(), x.At.Second())
		pos := ""
		if x.Position > 0 {
			pos = fmt.Sprint(x.Position)
		}
		bundle := ""
		if x.Bundle > 0 {
			bundle = fmt.Sprint(x.Bundle)
		}
		t.Rows = append(t.Rows, []string{fmt.Sprint(x.Seq), at, bundle, pos, x.Station, x.Operator, what, x.Note})
	}
	d.Blocks = append(d.Blocks, t)
	d.add(blockPara, pw.hash, w.n(len(r.Rows)), groupHash(l.Hash()))
	return d
}

// HTML returns the entry log as one self-contained HTML page.
func (l *EntryLog) HTML(lang string) ([]byte, error) { return renderHTML(l.doc(lang)) }

// PDF returns the entry log as an A4 PDF.
func (l *EntryLog) PDF(lang string) ([]byte, error) {
	d := l.doc(lang)
	stamp := time.Date(2000, 1, 1, 0, 0, 0, 0, VN)
	if n := len(l.r.Rows); n > 0 {
		stamp = l.r.Rows[n-1].At
	}
	return renderPDF(d, stamp, d.Title+" — "+d.Subject, "")
}
