package minutes

import (
	"fmt"
	"strings"

	"github.com/phonghop/phonghop/server/meeting"
)

// The printed minutes, independent of the output format: a header, blocks
// of body text and the signatures. HTML and PDF render the same document.

// blockKind is what a block is.
type blockKind int

const (
	blockSection blockKind = iota // "I. THỜI GIAN…": bold, upper case
	blockItem                     // "1. Khai mạc": bold
	blockSub                      // a poll's title: bold italic
	blockPara                     // a paragraph
	blockLabel                    // a bold lead-in ("Kết luận:")
	blockTable                    // a table
	blockSmall                    // a paragraph in a smaller size (hashes)
)

// block is one piece of body text.
type block struct {
	Kind   blockKind
	Text   string
	Head   []string
	Rows   [][]string
	Widths []float64 // table: relative column widths
	Right  []bool    // table: right-aligned columns (numbers)
}

// sign is one signature block.
type sign struct {
	Lines []string // upper-case titles, bold
	Hint  string   // "(Ký, ghi rõ họ tên)"
	Name  string
}

// doc is the printed minutes.
type doc struct {
	w                *words
	Lang             string
	Party            bool
	Left             []string // bodies, top left: the last one bold
	Right1, Right2   string   // motto lines, top right (Right2 empty for the Party layout)
	Number           string   // "Số 01-BB/CB"
	PlaceDate        string   // italic
	Title, Subject   string
	Draft, DraftNote string
	Revision         string
	Blocks           []block
	Signs            [2]sign
	Corrections      []block
	CorrectionsTitle string
}

func (m *Minutes) doc(lang string) *doc {
	w := wordsFor(lang)
	r := m.r
	d := &doc{w: w, Lang: w.lang, Party: r.Layout != meeting.LayoutState, Title: w.title, Subject: r.Title}
	if r.Superior != "" {
		d.Left = append(d.Left, strings.ToUpper(r.Superior))
	}
	if r.Organization != "" {
		d.Left = append(d.Left, strings.ToUpper(r.Organization))
	}
	if d.Party {
		d.Right1 = w.partyMotto
	} else {
		d.Right1, d.Right2 = w.stateMotto1, w.stateMotto2
	}
	if r.Number != "" {
		d.Number = fmt.Sprintf(w.number, r.Number)
	}
	switch {
	case r.PlaceDate != "":
		d.PlaceDate = r.PlaceDate
	case !r.ClosedAt.IsZero():
		d.PlaceDate = w.date(r.ClosedAt)
	case !r.OpenedAt.IsZero():
		d.PlaceDate = w.date(r.OpenedAt)
	}
	if !r.Final {
		d.Draft, d.DraftNote = w.draft, w.draftNote
	} else {
		d.Revision = fmt.Sprintf(w.revision, r.Revision)
	}
	b := &d.Blocks
	add := func(k blockKind, format string, args ...any) {
		*b = append(*b, block{Kind: k, Text: fmt.Sprintf(format, args...)})
	}
	para := func(text string) {
		for _, line := range strings.Split(text, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				*b = append(*b, block{Kind: blockPara, Text: line})
			}
		}
	}

	// I. Time, place, attendance.
	add(blockSection, "%s", w.sec1)
	switch {
	case !r.OpenedAt.IsZero():
		add(blockPara, w.startedAt, w.long(r.OpenedAt))
	case !r.ScheduledAt.IsZero():
		add(blockPara, w.scheduledAt, w.long(r.ScheduledAt))
	default:
		add(blockPara, "%s", w.notOpened)
	}
	if r.Place != "" {
		add(blockPara, w.place, r.Place)
	}
	if r.Chair != "" {
		add(blockPara, w.chair, r.Chair)
	}
	if r.Secretary != "" {
		add(blockPara, w.secretary, r.Secretary)
	}
	a := r.Attendance
	where := []string{fmt.Sprintf(w.inHall, w.n(a.InHall))}
	for _, s := range a.Sites {
		where = append(where, fmt.Sprintf(w.atSite, s.Site, w.n(s.Present)))
	}
	add(blockPara, w.composition, w.n(a.Summoned), w.n(a.Attended), strings.Join(where, "; "), w.n(len(a.Absent)))
	if len(a.Absent) > 0 {
		t := block{Kind: blockTable, Head: []string{w.colNo, w.colName, w.colPost, w.colReason}, Widths: []float64{0.07, 0.33, 0.3, 0.3}}
		for i, p := range a.Absent {
			why := w.noReason
			switch {
			case p.Excused:
				why = fmt.Sprintf(w.excused, p.Reason)
			case p.Reason != "":
				why = p.Reason
			case p.NoRecord:
				why = w.notRecorded
			}
			t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), p.Name, post(p), why})
		}
		add(blockLabel, "%s", w.absentTitle)
		*b = append(*b, t)
	}
	for _, list := range []struct {
		title, col string
		people     []Person
	}{{w.lateTitle, w.colArrived, a.Late}, {w.leftTitle, w.colLeft, a.Left}} {
		if len(list.people) == 0 {
			continue
		}
		t := block{Kind: blockTable, Head: []string{w.colNo, w.colName, w.colPost, list.col}, Widths: []float64{0.07, 0.38, 0.38, 0.17}}
		for i, p := range list.people {
			t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), p.Name, post(p), w.clock(p.At)})
		}
		add(blockLabel, "%s", list.title)
		*b = append(*b, t)
	}
	if len(a.NonVoting) > 0 {
		add(blockPara, w.nonVoting, names(a.NonVoting))
	}
	if len(a.Guests) > 0 {
		add(blockPara, w.guests, names(a.Guests))
	}
	q := a.Quorum
	base := w.baseEntitled
	if q.Rule.Base == meeting.QuorumOfSummoned {
		base = w.baseSummoned
	}
	if q.Rule.Den > 0 {
		add(blockPara, w.quorumRule, w.threshold(q.Rule.Threshold), base, w.n(q.Base), w.n(q.Required))
	}
	if !r.OpenedAt.IsZero() {
		if q.Met {
			add(blockPara, w.quorumMet, w.n(q.Present), w.n(q.Base))
		} else {
			add(blockPara, w.quorumNotMet, w.n(q.Present), w.n(q.Base))
			if !q.FirstMet.IsZero() {
				add(blockPara, w.quorumFirstMet, w.long(q.FirstMet))
			}
		}
	}

	// II. Documents.
	add(blockSection, "%s", w.sec2)
	if len(r.Documents) == 0 {
		add(blockPara, "%s", w.noDocuments)
	}
	for i, doc := range r.Documents {
		title := doc.Title
		if doc.Access == meeting.AccessNamed {
			title += w.confidential
		}
		if doc.Withdrawn {
			title += w.withdrawn
		}
		add(blockPara, "%d. %s", i+1, title)
		for _, v := range doc.Versions {
			line := fmt.Sprintf(w.docLine, v.Number, v.Name, w.n(int(v.Size)), w.clock(v.At)+" "+w.date(v.At))
			if v.Note != "" {
				line += fmt.Sprintf(w.docNote, v.Note)
			}
			add(blockPara, "%s", line+".")
			add(blockSmall, "SHA-256: %s", v.SHA256)
		}
	}

	// III. Proceedings.
	add(blockSection, "%s", w.sec3)
	items := r.Items
	if r.Other != nil {
		o := *r.Other
		o.Title = w.noItem
		items = append(items[:len(items):len(items)], o)
	}
	for _, it := range items {
		if it.Number > 0 {
			add(blockItem, "%d. %s", it.Number, it.Title)
		} else {
			add(blockItem, "%s", it.Title)
		}
		if it.Presenter != "" {
			add(blockPara, w.presenter, it.Presenter)
		}
		switch {
		case !it.Started.IsZero() && !it.Ended.IsZero():
			add(blockPara, w.itemTime, w.clock(it.Started), w.clock(it.Ended))
		case !it.Started.IsZero():
			add(blockPara, w.itemFrom, w.clock(it.Started))
		}
		if len(it.Speeches) > 0 {
			add(blockLabel, w.speechesN, len(it.Speeches))
			t := block{Kind: blockTable, Head: []string{w.colNo, w.colSpeaker, w.colTopic, w.colStart, w.colDuration},
				Widths: []float64{0.07, 0.33, 0.28, 0.11, 0.21}, Right: []bool{false, false, false, true, true}}
			for i, sp := range it.Speeches {
				who := sp.Name
				if p := post(Person{Position: sp.Position, Unit: sp.Unit}); p != "" {
					who += " (" + p + ")"
				}
				var topic []string
				switch sp.Kind {
				case meeting.SpeechPointOfOrder:
					topic = append(topic, w.pointOfOrder)
				case meeting.SpeechReply:
					topic = append(topic, fmt.Sprintf(w.replyTo, sp.ReplyTo))
				}
				if sp.Topic != "" {
					topic = append(topic, sp.Topic)
				}
				t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), who, strings.Join(topic, ". "), w.clock(sp.Start), w.duration(sp.Seconds)})
			}
			*b = append(*b, t)
		}
		for _, p := range it.Polls {
			d.poll(r, p)
		}
		if it.Conclusion != "" {
			add(blockLabel, "%s", w.conclusion)
			para(it.Conclusion)
		}
	}

	// IV. Notices.
	if len(r.Notices) > 0 {
		add(blockSection, "%s", w.sec4)
		for _, n := range r.Notices {
			add(blockPara, "%s — %s", w.clock(n.At), strings.ReplaceAll(n.Text, "\n", " "))
		}
	}

	// V. Conclusions of the meeting; end.
	add(blockSection, "%s", w.sec5)
	if r.Conclusion != "" {
		para(r.Conclusion)
	} else {
		add(blockPara, "%s", w.noConclusion)
	}
	if !r.ClosedAt.IsZero() {
		add(blockPara, w.ended, w.long(r.ClosedAt))
	} else {
		add(blockPara, "%s", w.notEnded)
	}

	// Signatures.
	if d.Party {
		d.Signs[0] = sign{Lines: []string{w.signRecorder}, Hint: w.signHint, Name: r.Secretary}
		right := []string{w.signChair}
		if r.Organization != "" {
			right = []string{fmt.Sprintf(w.signParty, strings.ToUpper(r.Organization)), w.signChair}
		}
		d.Signs[1] = sign{Lines: right, Hint: w.signHint, Name: r.Chair}
	} else {
		d.Signs[0] = sign{Lines: []string{w.signState1}, Hint: w.signHint, Name: r.Secretary}
		d.Signs[1] = sign{Lines: []string{w.signState2}, Hint: w.signHint, Name: r.Chair}
	}

	// Corrections: linked records after the signed minutes.
	if len(r.Corrections) > 0 {
		d.CorrectionsTitle = w.sec6
		for _, c := range r.Corrections {
			d.Corrections = append(d.Corrections, block{Kind: blockPara,
				Text: fmt.Sprintf(w.correction, c.Revision, c.Corrects, w.long(c.At), ensureStop(c.Text), ensureStop(c.Reason))})
		}
	}
	return d
}

// poll adds the blocks of one poll.
func (d *doc) poll(r Record, p Poll) {
	w := d.w
	b := &d.Blocks
	add := func(k blockKind, format string, args ...any) {
		*b = append(*b, block{Kind: k, Text: fmt.Sprintf(format, args...)})
	}
	title := w.pollTitle[p.Kind]
	if p.Kind == meeting.PollRating {
		title = w.ratingTitle[p.Scale]
	}
	add(blockSub, title, p.Question)
	if p.RevoteOf != "" {
		prev := p.RevoteOf
		for _, q := range allPolls(r) {
			if q.ID == p.RevoteOf {
				prev = q.Question
			}
		}
		add(blockPara, w.revoteOf, prev)
	}
	if p.Status == meeting.PollStatusCancelled {
		add(blockPara, w.cancelled, strings.TrimSuffix(p.CancelReason, "."))
		return
	}
	res := p.Result
	if res == nil {
		return
	}
	add(blockPara, w.rule, w.kind[p.Kind], w.base[res.Base], w.threshold(res.Threshold), w.n(res.Required), w.n(res.BaseCount))
	add(blockPara, w.timesLine, w.clock(p.OpenedAt), w.clock(p.ClosedAt))
	if p.OverrideQuorum {
		add(blockPara, "%s", w.overrideQuorum)
	}
	counts := w.countsLine
	if p.Kind == meeting.PollOpen {
		counts = w.countsLineOpen
	}
	add(blockPara, counts, w.n(res.Issued), w.n(res.Cast), w.n(res.Valid), w.n(res.Invalid), w.reasons(res.InvalidReasons))
	if p.Status != meeting.PollStatusPublished {
		add(blockPara, "%s", w.notPublished)
	}
	switch p.Kind {
	case meeting.PollOpen, meeting.PollSecret:
		t := block{Kind: blockTable, Head: []string{w.colChoice, w.colVotes, w.colPct}, Widths: []float64{0.5, 0.25, 0.25}, Right: []bool{false, true, true}}
		for _, o := range res.Options {
			t.Rows = append(t.Rows, []string{w.choice[o.Choice], w.n(o.Votes), w.pct(o.Percent)})
		}
		*b = append(*b, t)
		add(blockLabel, "%s", w.outcome[res.Outcome])
		if v := p.Voters; v != nil && p.Kind == meeting.PollOpen {
			for _, c := range []struct {
				ch    meeting.Choice
				names []string
			}{{meeting.ChoiceAgree, v.Agree}, {meeting.ChoiceDisagree, v.Disagree}, {meeting.ChoiceAbstain, v.Abstain}} {
				add(blockPara, w.votersOf[c.ch], len(c.names), orNobody(w, c.names))
			}
			if len(v.Spoiled) > 0 {
				add(blockPara, w.votersSpoiled, len(v.Spoiled), orNobody(w, v.Spoiled))
			}
		}
	case meeting.PollElection:
		add(blockPara, w.seats, p.Seats)
		t := block{Kind: blockTable, Head: []string{w.colNo, w.colCandidate, w.colVotes, w.colPct, w.colRes},
			Widths: []float64{0.07, 0.4, 0.14, 0.14, 0.25}, Right: []bool{false, false, true, true, false}}
		byID := map[string]string{}
		for i, c := range res.Candidates {
			byID[c.ID] = c.Name
			mark := ""
			switch {
			case c.Elected:
				mark = w.elected
			case c.Reached:
				mark = w.reached
			}
			t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), c.Name, w.n(c.Votes), w.pct(c.Percent), mark})
		}
		*b = append(*b, t)
		add(blockLabel, "%s", w.outcome[res.Outcome])
		if len(res.Elected) > 0 {
			add(blockPara, w.electedOrd, joinIDs(res.Elected, byID))
		}
		if res.TieBrokenBy == meeting.TieElder {
			add(blockPara, "%s", w.tieElder)
		}
		if len(res.Tie) > 0 {
			add(blockPara, w.tie, res.TieSeats, joinIDs(res.Tie, byID))
		}
		if res.Short > 0 {
			add(blockPara, w.short, res.Short)
		}
	case meeting.PollRating:
		levels := p.Scale.Levels()
		head := []string{w.colNo, w.colName, w.colValid}
		widths := []float64{0.06, 0.24, 0.1}
		right := []bool{false, false, true}
		for _, l := range levels {
			head = append(head, w.level[l])
			widths = append(widths, 0.45/float64(len(levels)))
			right = append(right, true)
		}
		head = append(head, w.colRes)
		widths = append(widths, 0.15)
		right = append(right, false)
		t := block{Kind: blockTable, Head: head, Widths: widths, Right: right}
		var invalid []string
		for i, s := range res.Subjects {
			row := []string{fmt.Sprint(i + 1), s.Name, w.n(s.Valid)}
			for _, l := range s.Levels {
				row = append(row, fmt.Sprintf("%s (%s)", w.n(l.Votes), w.pct(l.Percent)))
			}
			outcome := w.none
			switch {
			case s.Level != "":
				outcome = w.level[s.Level]
			case s.LowTwoThirds:
				outcome = w.lowTwoThirds
			case s.LowOverHalf:
				outcome = w.lowHalf
			}
			t.Rows = append(t.Rows, append(row, outcome))
			if s.Invalid > 0 {
				invalid = append(invalid, fmt.Sprintf(w.invalidFor, s.Name, s.Invalid, strings.Trim(w.reasons(s.InvalidReasons), " ()")))
			}
		}
		*b = append(*b, t)
		for _, s := range invalid {
			add(blockPara, "%s", s)
		}
		if c := res.ExcellentCap; c.Percent > 0 {
			state := w.capOK
			if c.Exceeded {
				state = w.capExceeded
			}
			add(blockPara, w.capLine, c.Percent, c.Excellent, c.Good, state)
		}
	}
}

// allPolls returns every poll of the minutes.
func allPolls(r Record) []Poll {
	var out []Poll
	for _, it := range r.Items {
		out = append(out, it.Polls...)
	}
	if r.Other != nil {
		out = append(out, r.Other.Polls...)
	}
	return out
}

func post(p Person) string {
	switch {
	case p.Position != "" && p.Unit != "":
		return p.Position + ", " + p.Unit
	case p.Position != "":
		return p.Position
	}
	return p.Unit
}

func names(ps []Person) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
		if x := post(p); x != "" {
			out[i] += " (" + x + ")"
		}
	}
	return strings.Join(out, "; ")
}

func orNobody(w *words, names []string) string {
	if len(names) == 0 {
		return w.nobody
	}
	return strings.Join(names, ", ")
}

func joinIDs(ids []string, byID map[string]string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return strings.Join(out, ", ")
}

// ensureStop ends s with a full stop unless it ends with punctuation.
func ensureStop(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?…") {
		return s
	}
	return s + "."
}

// formatPct prints a fraction as a CSS percentage, "33.3%".
func formatPct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }
