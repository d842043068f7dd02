package minutes

import (
	"fmt"
	"strings"

	"github.com/phonghop/phonghop/server/meeting"
)

// The printed record, independent of the output format: a header, blocks
// of body text and the signatures. HTML and PDF render the same document,
// for the minutes and for the counting records alike.

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
	blockWarn                     // a warning of a draft: bold, red
	blockSign                     // signature blocks (Signs)
)

// block is one piece of body text.
type block struct {
	Kind   blockKind
	Text   string
	Head   []string
	Rows   [][]string
	Widths []float64 // table: relative column widths
	Right  []bool    // table: right-aligned columns (numbers)
	// Groups, for a table, are the numbers of rows that belong together,
	// in order (a person's rows of a rating); nil: every row alone. A
	// group is never split over pages, and the columns marked in Span
	// are merged down it: the group's first row holds their text, drawn
	// once over all its rows.
	Groups []int
	Span   []bool
	Signs  []sign // blockSign: laid out two to a row
	Title  string // blockSign: a line above them all ("BAN KIỂM PHIẾU")
}

// SignRows returns the signature blocks of b two to a row; a lone block
// (one signer, or an odd last one) signs on the right, an empty (nil) cell
// on its left.
func (b block) SignRows() [][]*sign {
	var rows [][]*sign
	for i := 0; i < len(b.Signs); i += 2 {
		if i+1 < len(b.Signs) {
			rows = append(rows, []*sign{&b.Signs[i], &b.Signs[i+1]})
		} else {
			rows = append(rows, []*sign{nil, &b.Signs[i]})
		}
	}
	return rows
}

// sign is one signature block: its titles (bold, upper case), room for
// the signature, the name (bold).
type sign struct {
	Lines []string
	Name  string
}

// doc is a printed record.
type doc struct {
	w              *words
	Lang           string
	Party          bool
	Left           []string // bodies, top left: the last one bold
	Right1, Right2 string   // motto lines, top right (Right2 empty for the Party layout)
	Number         string   // "Số 01-BB/CB" or "Số: 12/BB-UBND"
	PlaceDate      string   // italic
	Title, Subject string
	Draft          string
	DraftNote      string
	Blocks         []block
}

// layoutOf returns whether layout is the Party layout.
func layoutOf(l meeting.MinutesLayout) bool { return l != meeting.LayoutState }

// header fills the header fields of d common to both records.
func (d *doc) header(superior, organization, number string) {
	w := d.w
	if superior != "" {
		d.Left = append(d.Left, strings.ToUpper(superior))
	}
	if organization != "" {
		d.Left = append(d.Left, strings.ToUpper(organization))
	}
	if d.Party {
		d.Right1 = w.partyMotto
	} else {
		d.Right1, d.Right2 = w.stateMotto1, w.stateMotto2
	}
	switch {
	case number != "" && d.Party:
		d.Number = fmt.Sprintf(w.numberParty, number)
	case number != "":
		d.Number = fmt.Sprintf(w.numberState, number)
	case d.Party:
		d.Number = w.noNumberParty
	default:
		d.Number = w.noNumberState
	}
}

// add appends a block of kind k with a formatted text.
func (d *doc) add(k blockKind, format string, args ...any) {
	d.Blocks = append(d.Blocks, block{Kind: k, Text: fmt.Sprintf(format, args...)})
}

// para appends text as paragraphs, one per non-empty line.
func (d *doc) para(text string) {
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			d.Blocks = append(d.Blocks, block{Kind: blockPara, Text: line})
		}
	}
}

// nameOf returns the name part of "Name, post" (names have no comma).
func nameOf(s string) string {
	if i := strings.Index(s, ","); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return strings.TrimSpace(s)
}

// postOf returns the post part of "Name, post" ("" without a comma).
func postOf(s string) string {
	if i := strings.Index(s, ","); i >= 0 {
		return strings.TrimSpace(s[i+1:])
	}
	return ""
}

// upper is strings.ToUpper, kept for signature titles.
func upper(s string) string { return strings.ToUpper(s) }

// minutesSigns returns the signature blocks of the minutes (HD 36 / HD 16,
// NĐ 30): the recorder on the left, the chair on the right. The Party
// layout signs for the collective ("T/M CHI BỘ") over the chair's post
// ("BÍ THƯ"); a congress with an approved presidium and secretariat signs
// for them. The state layout signs "THƯ KÝ" and "CHỦ TỌA".
func minutesSigns(w *words, r Record) []sign {
	if r.Floor != nil && r.Floor.Sitting != nil {
		return sittingSigns(w, r) // a tổ report (floor.go)
	}
	if !layoutOf(r.Layout) {
		return []sign{{Lines: []string{w.signState1}, Name: nameOf(r.Secretary)}, {Lines: []string{w.signState2}, Name: nameOf(r.Chair)}}
	}
	left := sign{Lines: []string{w.signRecorder}, Name: nameOf(r.Secretary)}
	post := r.ChairPost
	if post == "" {
		post = postOf(r.Chair)
	}
	right := sign{Lines: []string{upper(post)}, Name: nameOf(r.Chair)}
	if r.Collective != "" {
		right.Lines = []string{fmt.Sprintf(w.signParty, upper(r.Collective))}
		if post != "" {
			right.Lines = append(right.Lines, upper(post))
		}
	}
	for _, b := range r.Bodies {
		head, ok := headOf(b)
		if !b.Approved || !ok {
			continue
		}
		s := sign{Lines: []string{fmt.Sprintf(w.signParty, upper(w.term("body."+string(b.Kind))))}, Name: head.Name}
		if head.Post != "" {
			s.Lines = append(s.Lines, upper(head.Post))
		}
		switch b.Kind {
		case meeting.BodyPresidium:
			right = s
		case meeting.BodySecretariat:
			left = s
		}
	}
	if len(right.Lines) == 0 || right.Lines[0] == "" {
		right.Lines = []string{w.signState2}
	}
	return []sign{left, right}
}

func headOf(b Body) (BodyMember, bool) {
	if len(b.Members) == 0 {
		return BodyMember{}, false
	}
	return b.Members[0], true
}

func (m *Minutes) doc(lang string) *doc {
	w := wordsFor(lang)
	r := m.r
	d := &doc{w: w, Lang: w.lang, Party: layoutOf(r.Layout), Title: w.title, Subject: r.Title}
	d.header(r.Superior, r.Organization, r.Number)
	floorHeader(d, r) // a tổ report (floor.go)
	switch {
	case r.PlaceDate != "":
		d.PlaceDate = r.PlaceDate
	case !r.ClosedAt.IsZero():
		d.PlaceDate = w.placeDate(r.Locality, r.ClosedAt)
	case !r.OpenedAt.IsZero():
		d.PlaceDate = w.placeDate(r.Locality, r.OpenedAt)
	}
	if !r.Final {
		d.Draft, d.DraftNote = w.draft, w.draftNote
	}

	// I. Time, place, attendance.
	d.add(blockSection, "%s", w.sec1)
	switch {
	case !r.OpenedAt.IsZero():
		d.add(blockPara, w.startedAt, w.long(r.OpenedAt))
	case !r.ScheduledAt.IsZero():
		d.add(blockPara, w.scheduledAt, w.long(r.ScheduledAt))
	default:
		d.add(blockPara, "%s", w.notOpened)
	}
	if r.Place != "" {
		d.add(blockPara, w.place, r.Place)
	}
	if r.Chair != "" {
		if d.Party {
			d.add(blockPara, w.chairParty, r.Chair)
		} else {
			d.add(blockPara, w.chairState, r.Chair)
		}
	}
	if r.Secretary != "" {
		d.add(blockPara, w.secretary, r.Secretary)
	}
	for _, b := range r.Bodies {
		d.add(blockPara, "%s", bodyLine(w, b))
	}
	d.attendance(r)

	// II. Documents.
	d.add(blockSection, "%s", w.sec2)
	if len(r.Documents) == 0 {
		d.add(blockPara, "%s", w.noDocuments)
	}
	for i, doc := range r.Documents {
		title := doc.Title
		if doc.Access == meeting.AccessNamed {
			title += w.confidential
		}
		if doc.Withdrawn {
			title += w.withdrawn
		}
		d.add(blockPara, "%d. %s", i+1, title)
		for _, v := range doc.Versions {
			line := fmt.Sprintf(w.docLine, v.Number, v.Name, w.n(int(v.Size)), w.clock(v.At)+" "+w.date(v.At))
			if v.Note != "" {
				line += fmt.Sprintf(w.docNote, v.Note)
			}
			d.add(blockPara, "%s", line+".")
			d.add(blockSmall, "SHA-256: %s", v.SHA256)
		}
	}

	// III. Proceedings.
	d.add(blockSection, "%s", w.sec3)
	items := r.Items
	if r.Other != nil {
		o := *r.Other
		o.Title = w.noItem
		items = append(items[:len(items):len(items)], o)
	}
	for _, it := range items {
		if it.Number > 0 {
			d.add(blockItem, "%d. %s", it.Number, it.Title)
		} else {
			d.add(blockItem, "%s", it.Title)
		}
		if it.Presenter != "" {
			d.add(blockPara, w.presenter, it.Presenter)
		}
		switch {
		case !it.Started.IsZero() && !it.Ended.IsZero():
			d.add(blockPara, w.itemTime, w.clock(it.Started), w.clock(it.Ended))
		case !it.Started.IsZero():
			d.add(blockPara, w.itemFrom, w.clock(it.Started))
		}
		if len(it.Speeches) > 0 {
			d.add(blockLabel, w.speechesN, len(it.Speeches))
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
			d.Blocks = append(d.Blocks, t)
		}
		for _, p := range it.Polls {
			d.poll(r, p, !r.Final, false)
		}
		if it.Conclusion != "" {
			d.add(blockLabel, "%s", w.conclusion)
			d.para(it.Conclusion)
		}
	}

	d.floorBlocks(r) // a tổ's notes, the written contributions (floor.go)

	// IV. Notices.
	if len(r.Notices) > 0 {
		d.add(blockSection, "%s", w.sec4)
		for _, n := range r.Notices {
			d.add(blockPara, "%s — %s", w.clock(n.At), strings.ReplaceAll(n.Text, "\n", " "))
		}
	}

	// V. Conclusions of the meeting; end.
	d.add(blockSection, "%s", w.sec5)
	if r.Conclusion != "" {
		d.para(r.Conclusion)
	} else {
		d.add(blockPara, "%s", w.noConclusion)
	}
	if !r.ClosedAt.IsZero() {
		d.add(blockPara, w.ended, w.long(r.ClosedAt))
	} else {
		d.add(blockPara, "%s", w.notEnded)
	}
	signs := minutesSigns(w, r)
	d.Blocks = append(d.Blocks, block{Kind: blockSign, Signs: signs})

	// Corrections: linked records after the signed minutes, each signed.
	if len(r.Corrections) > 0 {
		d.add(blockSection, "%s", w.sec6)
		for _, c := range r.Corrections {
			d.add(blockPara, w.correction, c.Revision, c.Corrects, w.long(c.At), ensureStop(c.Text), ensureStop(c.Reason))
			d.Blocks = append(d.Blocks, block{Kind: blockSign, Signs: signs})
		}
	}
	return d
}

// bodyLine prints one of the congress's bodies: "Ban Kiểm phiếu: Lê Văn
// Cường (Trưởng ban), … (được biểu quyết thông qua lúc 08:10)."
func bodyLine(w *words, b Body) string {
	var names []string
	for _, m := range b.Members {
		if m.Post != "" {
			names = append(names, fmt.Sprintf(w.headOf, m.Name, m.Post))
		} else {
			names = append(names, m.Name)
		}
	}
	state := w.bodyProposed
	if b.Approved {
		state = fmt.Sprintf(w.bodyApprovedAt, w.clock(b.ApprovedAt))
	}
	return fmt.Sprintf(w.bodyLine, w.term("body."+string(b.Kind)), strings.Join(names, ", "), state)
}

// attendance adds the roll: by category (đảng viên chính thức and dự bị for
// a chi bộ; members with a vote, members without one), the absent by name
// with their reasons, the late, those who left, the guests apart, and the
// quorum with the numbers its base is made of.
func (d *doc) attendance(r Record) {
	w := d.w
	a := r.Attendance
	where := []string{fmt.Sprintf(w.whereHall, w.n(a.InHall))}
	for _, s := range a.Sites {
		where = append(where, fmt.Sprintf(w.whereSite, s.Site, w.n(s.Present)))
	}
	m := a.Members
	reasons := ""
	if m.Absent > 0 {
		reasons = fmt.Sprintf(w.absentReasons, w.n(m.Excused), w.n(m.Absent-m.Excused))
	}
	if a.PartyCell {
		d.add(blockPara, w.partyTotal, w.n(m.Summoned+a.NonVoting.Summoned), w.n(m.Summoned), w.n(a.NonVoting.Summoned))
		d.add(blockPara, w.partyPresent, w.n(m.Attended), strings.Join(where, "; "), w.n(m.Absent), reasons)
		if a.NonVoting.Summoned > 0 {
			d.add(blockPara, w.partyProbationary, w.n(a.NonVoting.Attended), w.n(a.NonVoting.Absent))
		}
	} else {
		d.add(blockPara, w.delegates, w.n(m.Summoned), w.n(m.Attended), strings.Join(where, "; "), w.n(m.Absent), reasons)
		if a.NonVoting.Summoned > 0 {
			who := ""
			if len(a.Present) > 0 {
				who = " (" + names(a.Present) + ")"
			}
			d.add(blockPara, w.nonVotingLine, w.n(a.NonVoting.Summoned), w.n(a.NonVoting.Attended), who)
		}
	}
	if len(a.Absent) > 0 {
		t := block{Kind: blockTable, Head: []string{w.colNo, w.colName, w.colPost, w.colReason}, Widths: []float64{0.07, 0.33, 0.3, 0.3}}
		for i, p := range a.Absent {
			why := w.noReason
			switch {
			case p.Excused:
				why = fmt.Sprintf("%s: %s", w.term("attendance.excused"), p.Reason)
			case p.Reason != "":
				why = p.Reason
			case p.NoRecord:
				why = w.notRecorded
			}
			name := p.Name
			if p.NonVoting {
				name += w.probationaryMark
			}
			t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), name, post(p), why})
		}
		d.add(blockLabel, "%s", w.absentTitle)
		d.Blocks = append(d.Blocks, t)
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
		d.add(blockLabel, "%s", list.title)
		d.Blocks = append(d.Blocks, t)
	}
	if len(a.Guests) > 0 {
		d.add(blockPara, w.guests, names(a.Guests))
	}
	q := a.Quorum
	if q.Rule.Den > 0 {
		base := fmt.Sprintf(w.baseEntitledQ, w.n(q.Entitled))
		if q.Rule.Base == meeting.QuorumOfSummoned {
			base = fmt.Sprintf(w.baseSummonedQ, w.n(q.Entitled), w.n(q.Excused), w.n(q.Base))
		}
		d.add(blockPara, w.quorumRule, w.threshold(q.Rule.Threshold), base, w.n(q.Required))
	}
	if !r.OpenedAt.IsZero() {
		if q.Met {
			d.add(blockPara, w.quorumMet, w.n(q.Present), w.n(q.Base))
		} else {
			d.add(blockPara, w.quorumNotMet, w.n(q.Present), w.n(q.Base))
			if !q.FirstMet.IsZero() {
				d.add(blockPara, w.quorumFirstMet, w.long(q.FirstMet))
			}
		}
	}
}

// baseLine prints the base of a result with the numbers it is made of.
func baseLine(w *words, res *meeting.Result) string {
	return fmt.Sprintf(w.baseLine[res.Base], w.n(res.Entitled), w.n(res.Entitled-res.Summoned), w.n(res.BaseCount))
}

// confidence reports whether p is a confidence vote (QĐ 96: no pass mark).
func confidence(p Poll) bool {
	return p.Kind == meeting.PollRating && p.Scale == meeting.ScaleConfidence
}

// percents returns the percentages of counts over base: each as the tally
// recorded it (exact) in the Party layout, apportioned to total 100% in the
// state layout when the counts make up the base (docs/rules.md §4).
func (d *doc) percents(recorded []meeting.Percent, counts []int, base int) []meeting.Percent {
	if d.Party {
		return recorded
	}
	return meeting.PercentsOf(counts, base, true)
}

// poll adds the blocks of one poll. draft prints its warnings; full is the
// counting record's version (the minutes keep a summary of secret polls).
func (d *doc) poll(r Record, p Poll, draft, full bool) {
	w := d.w
	title := w.pollTitle[p.Kind]
	if p.Kind == meeting.PollRating {
		title = w.ratingTitle[p.Scale]
	}
	if !full {
		d.add(blockSub, title, p.Question)
	}
	if p.RevoteOf != "" {
		prev := p.RevoteOf
		for _, q := range allPolls(r) {
			if q.ID == p.RevoteOf {
				prev = q.Question
			}
		}
		d.add(blockPara, w.revoteOf, prev)
	}
	if p.Body != "" {
		body := w.term("body." + string(p.Body)) // a proper name in Vietnamese
		if w.lang == "en" {
			body = lowerFirst(body)
		}
		d.add(blockPara, w.bodyVote, body)
	}
	if p.Status == meeting.PollStatusCancelled {
		d.add(blockPara, w.cancelled, strings.TrimSuffix(p.CancelReason, "."))
		return
	}
	if draft {
		for _, k := range p.Warnings {
			d.add(blockWarn, w.warning, w.term(k))
		}
	}
	res := p.Result
	if res == nil {
		return
	}
	method := w.method[p.Kind]
	if p.Form != "" {
		method = w.formMethod[p.Form]
	}
	if p.Paper {
		method += paperWordsFor(w.lang).onPaper // docs/paper.md
	}
	line := []string{fmt.Sprintf("%s: %s.", w.term("count.method"), method), baseLine(w, res)}
	if confidence(p) {
		line = append(line, w.noThreshold)
	} else {
		line = append(line, fmt.Sprintf(w.thresholdLine, w.threshold(res.Threshold), w.n(res.Required)))
	}
	d.add(blockPara, "%s", strings.Join(line, " "))
	if !full {
		d.add(blockPara, w.timesLine, w.clock(p.OpenedAt), w.clock(p.ClosedAt))
	}
	if p.OverrideQuorum {
		d.add(blockPara, "%s", w.overrideQuorum)
	}
	if !full {
		counts := w.countsLine
		if p.Kind == meeting.PollOpen {
			counts = w.countsLineOpen
		}
		d.add(blockPara, counts, w.n(res.Issued), w.n(res.Cast), w.n(res.Valid), w.n(res.Invalid), w.reasons(res.InvalidReasons))
	}
	if p.Status != meeting.PollStatusPublished {
		d.add(blockPara, "%s", w.notPublished)
	}
	if full {
		d.add(blockLabel, "%s", w.cResultsOf)
	}
	switch p.Kind {
	case meeting.PollOpen, meeting.PollSecret:
		votes := w.term("count.votes")
		if p.Kind == meeting.PollOpen {
			votes = w.colVoters
		}
		t := block{Kind: blockTable, Head: []string{w.colChoice, votes, w.term("count.percent")}, Widths: []float64{0.5, 0.25, 0.25}, Right: []bool{false, true, true}}
		var counts []int
		var recorded []meeting.Percent
		for _, o := range res.Options {
			counts = append(counts, o.Votes)
			recorded = append(recorded, o.Percent)
		}
		pcts := d.percents(recorded, counts, res.BaseCount)
		for i, o := range res.Options {
			t.Rows = append(t.Rows, []string{w.term("choice." + string(o.Choice)), w.n(o.Votes), w.pct(pcts[i])})
		}
		d.Blocks = append(d.Blocks, t)
		d.add(blockLabel, "%s", w.outcomeLine[res.Outcome])
		if v := p.Voters; v != nil && p.Kind == meeting.PollOpen {
			for _, c := range []struct {
				ch    meeting.Choice
				names []string
			}{{meeting.ChoiceAgree, v.Agree}, {meeting.ChoiceDisagree, v.Disagree}, {meeting.ChoiceAbstain, v.Abstain}} {
				d.add(blockPara, w.votersOf[c.ch], len(c.names), orNobody(w, c.names))
			}
			if len(v.Spoiled) > 0 {
				d.add(blockPara, w.votersSpoiled, len(v.Spoiled), orNobody(w, v.Spoiled))
			}
		}
	case meeting.PollElection:
		extra := w.surplusNone
		if p.Uncapped {
			extra = w.uncapped
		}
		d.add(blockPara, w.seatsLine, w.n(p.Seats), w.n(p.Names), extra)
		head := []string{w.colNo, w.colName, w.term("count.votes"), w.term("count.percent"), w.colRes()}
		widths := []float64{0.07, 0.4, 0.14, 0.14, 0.25}
		right := []bool{false, false, true, true, false}
		approve := p.Form == meeting.FormApprove || p.Form == meeting.FormSingle
		if approve {
			head = []string{w.colNo, w.colName, w.term("mark.agree"), w.term("count.percent"), w.term("mark.disagree"), w.colRes()}
			widths = []float64{0.07, 0.35, 0.13, 0.13, 0.13, 0.19}
			right = []bool{false, false, true, true, true, false}
		}
		t := block{Kind: blockTable, Head: head, Widths: widths, Right: right}
		byID := map[string]meeting.CandidateResult{}
		for i, c := range res.Candidates {
			byID[c.ID] = c
			mark := w.notReach
			switch {
			case c.Elected:
				mark = w.elected
			case c.Reached:
				mark = w.reached
			}
			row := []string{fmt.Sprint(i + 1), c.Name, w.n(c.Votes), w.pct(c.Percent)}
			if approve {
				row = append(row, w.n(c.Against))
			}
			t.Rows = append(t.Rows, append(row, mark))
		}
		d.Blocks = append(d.Blocks, t)
		d.add(blockLabel, "%s", w.outcomeLine[res.Outcome])
		if len(res.Elected) > 0 {
			rows := make([]string, len(res.Elected))
			for i, id := range res.Elected {
				c := byID[id]
				rows[i] = fmt.Sprintf(w.electedRow, c.Name, w.n(c.Votes), w.pct(c.Percent))
			}
			d.add(blockPara, w.electedOrd, strings.Join(rows, "; "))
		}
		if res.TieBrokenBy == meeting.TieElder {
			d.add(blockPara, "%s", w.tieElder)
		}
		if len(res.Tie) > 0 {
			names := make([]string, len(res.Tie))
			for i, id := range res.Tie {
				names[i] = byID[id].Name
			}
			d.add(blockPara, w.tie, res.TieSeats, strings.Join(names, ", "))
		}
		if res.Short > 0 {
			d.add(blockPara, w.short, res.Short)
		}
	case meeting.PollRating:
		// A group of rows per person: the number and the name (with the
		// result under it) span the group; a row per level with its votes
		// and share, then the valid ballots. Every level's name, count and
		// share reads on one line even at 1,600 voters, in both layouts
		// (TestRatingTable): the table used to squeeze the levels into
		// columns of 18 mm, their names over five lines and each count
		// over its share.
		t := block{Kind: blockTable, Head: []string{w.colNo, w.colName, w.colLevel, w.term("count.votes"), w.term("count.percent")},
			Widths: []float64{0.08, 0.25, 0.36, 0.14, 0.17}, Right: []bool{false, false, false, true, true}, Span: []bool{true, true}}
		var invalid []string
		for i, s := range res.Subjects {
			var counts []int
			var recorded []meeting.Percent
			for _, l := range s.Levels {
				counts = append(counts, l.Votes)
				recorded = append(recorded, l.Percent)
			}
			pcts := d.percents(recorded, counts, s.BaseCount)
			outcome := ""
			switch {
			case s.Level != "":
				outcome = w.term("level." + string(s.Level))
			case s.LowTwoThirds:
				outcome = w.lowTwoThirds
			case s.LowOverHalf:
				outcome = w.lowHalf
			case meeting.Scale(p.Scale) != meeting.ScaleConfidence:
				outcome = w.none // a review that placed nobody in a level
			}
			name := s.Name
			if outcome != "" {
				name += "\n" + fmt.Sprintf(w.ratingResult, outcome)
			}
			for k, l := range s.Levels {
				row := []string{"", "", w.term("level." + string(l.Level)), w.n(l.Votes), w.pct(pcts[k])}
				if k == 0 {
					row[0], row[1] = fmt.Sprint(i+1), name
				}
				t.Rows = append(t.Rows, row)
			}
			valid := []string{"", "", w.colValid, w.n(s.Valid), ""}
			if len(s.Levels) == 0 {
				valid[0], valid[1] = fmt.Sprint(i+1), name
			}
			t.Rows = append(t.Rows, valid)
			t.Groups = append(t.Groups, len(s.Levels)+1)
			if s.Invalid > 0 {
				invalid = append(invalid, fmt.Sprintf(w.invalidFor, s.Name, s.Invalid, strings.Trim(w.reasons(s.InvalidReasons), " ()")))
			}
		}
		d.add(blockLabel, "%s", w.ratingTable)
		d.Blocks = append(d.Blocks, t)
		for _, s := range invalid {
			d.add(blockPara, "%s", s)
		}
		if c := res.ExcellentCap; c.Percent > 0 {
			state := w.capOK
			if c.Exceeded {
				state = w.capExceeded
			}
			d.add(blockPara, w.capLine, c.Percent, c.Excellent, c.Good, state)
		}
	}
	if !full && p.Kind.Secret() && p.Status == meeting.PollStatusPublished {
		d.add(blockPara, "%s", w.seeCounting)
	}
}

// colRes is the column of a result.
func (w *words) colRes() string { return w.term("count.result") }

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
