package meetingtest

import (
	"fmt"
	"slices"
	"sort"

	"github.com/phonghop/phonghop/server/meeting"
)

// The oracle of paper counting (docs/paper.md): Run keeps, for each paper
// poll, its own model of the keying — built from the paper commands Decide
// accepted (who keyed what, at which station), not from the state or the
// events — and reconciles it by the rules written a second time: a bundle
// counts once its N entries, by N stations and N operators, are finished;
// a position counts when every entry keyed the same marks, else the
// committee's last decision rules (absent: no ballot). It checks:
//
//   - after every paper step, meeting.Reconcile of the live poll agrees
//     with the model (ballots entered, positions flagged and unresolved,
//     bundles incomplete), and no bundle has more than N entries or two
//     of one station or one operator;
//   - the marks keyed reach the secretariat and their operator only;
//   - poll.close of a paper poll is accepted only when the model is
//     reconciled (counts recorded, every bundle complete, every difference
//     decided, as many ballots entered as returned), and its count is
//     CheckTally's recount of the model's ballots, turned from marks into
//     ballots here (paperBallotOf), with the committee's issued and
//     returned counts.

// paperModel is the model of one paper poll's keying.
type paperModel struct {
	bundles map[int][]*entryModel
	decided map[[2]int]*meeting.PaperMarks // (bundle, position) → the last decision's marks; nil: absent
}

// entryModel is one station's entry of a bundle.
type entryModel struct {
	station, operator string
	marks             []meeting.PaperMarks // canonical
	finished          bool
}

// model returns the model of paper poll id.
func (r *Run) model(id string) *paperModel {
	if r.paper == nil {
		r.paper = map[string]*paperModel{}
	}
	m, ok := r.paper[id]
	if !ok {
		m = &paperModel{bundles: map[int][]*entryModel{}, decided: map[[2]int]*meeting.PaperMarks{}}
		r.paper[id] = m
	}
	return m
}

// entriesOf is the number of independent entries of each ballot of p.
func entriesOf(p meeting.Poll) int {
	if n := p.Rules.PaperEntries; n == 2 || n == 3 {
		return n
	}
	return 3
}

// paperAccepted follows a paper command Decide accepted: the model takes
// it, and is compared with the live poll.
func (r *Run) paperAccepted(k int, a meeting.Actor, c meeting.Command, events []meeting.Event) error {
	var poll string
	switch c := c.(type) {
	case *meeting.EnterPaperBallot:
		poll = c.Poll
		m := r.model(c.Poll)
		var e *entryModel
		for _, x := range m.bundles[c.Bundle] {
			if x.station == a.Station {
				e = x
			}
		}
		if e == nil {
			e = &entryModel{station: a.Station, operator: a.Participant}
			m.bundles[c.Bundle] = append(m.bundles[c.Bundle], e)
		}
		if e.operator != a.Participant || e.finished || c.Position != len(e.marks)+1 {
			return fail(k, "paper", "paper.enter of bundle %d position %d by %s at %s accepted; the station's entry: operator %s, %d keyed, finished %v",
				c.Bundle, c.Position, a.Participant, a.Station, e.operator, len(e.marks), e.finished)
		}
		e.marks = append(e.marks, canonical(c.Marks))
	case *meeting.UndoPaperBallot:
		poll = c.Poll
		m := r.model(c.Poll)
		list := m.bundles[c.Bundle]
		i := slices.IndexFunc(list, func(x *entryModel) bool { return x.station == a.Station })
		if i < 0 || list[i].finished || c.Position != len(list[i].marks) {
			return fail(k, "paper", "paper.undo of bundle %d position %d at %s accepted; the station has no such last ballot", c.Bundle, c.Position, a.Station)
		}
		e := list[i]
		e.marks = e.marks[:len(e.marks)-1]
		if len(e.marks) == 0 {
			m.bundles[c.Bundle] = slices.Delete(list, i, i+1)
		}
	case *meeting.FinishPaperBundle:
		poll = c.Poll
		list := r.model(c.Poll).bundles[c.Bundle]
		i := slices.IndexFunc(list, func(x *entryModel) bool { return x.station == a.Station })
		if i < 0 || list[i].finished || c.Count != len(list[i].marks) || list[i].operator != a.Participant {
			return fail(k, "paper", "paper.finish of bundle %d (count %d) at %s accepted; the station's entry does not match", c.Bundle, c.Count, a.Station)
		}
		list[i].finished = true
	case *meeting.DecidePaperBallot:
		poll = c.Poll
		var marks *meeting.PaperMarks
		if c.Marks != nil {
			x := canonical(*c.Marks)
			marks = &x
		}
		r.model(c.Poll).decided[[2]int{c.Bundle, c.Position}] = marks
	default:
		return nil
	}
	// Marks go to the secretariat and their operator only.
	for _, e := range events {
		if e.Type == meeting.EventPaperFinished || e.Type == meeting.EventPaperCounts || e.Type == meeting.EventPaperTechnicians {
			continue
		}
		for _, p := range r.State.Participants {
			v := meeting.Viewer{Participant: p.ID, Role: p.Role}
			if p.ID != a.Participant && !p.Role.Staff() && e.Audience.Includes(v) {
				return fail(k, "secrecy", "%s by %s reaches %s (%s)", e.Type, a.Participant, p.ID, p.Role)
			}
		}
	}
	p, _ := r.State.Poll(poll)
	return r.checkPaper(k, p)
}

// checkPaper compares meeting.Reconcile of the live paper poll p with the
// model.
func (r *Run) checkPaper(k int, p meeting.Poll) error {
	m := r.model(p.ID)
	n := entriesOf(p)
	for b, list := range m.bundles {
		stations, operators := map[string]bool{}, map[string]bool{}
		for _, e := range list {
			if stations[e.station] || operators[e.operator] {
				return fail(k, "paper", "poll %s bundle %d: two entries by station %s or operator %s", p.ID, b, e.station, e.operator)
			}
			stations[e.station], operators[e.operator] = true, true
		}
		if len(list) > n {
			return fail(k, "paper", "poll %s bundle %d: %d entries; each ballot is keyed %d times", p.ID, b, len(list), n)
		}
	}
	got := meeting.Reconcile(p)
	want := m.reconcile(p)
	if got.Entered != want.entered || got.Flagged != want.flagged || got.Unresolved != want.unresolved || got.Incomplete != want.incomplete || got.Times != n {
		return fail(k, "paper", "poll %s: Reconcile says %d entered, %d flagged, %d unresolved, %d incomplete (%d times); the model: %+v",
			p.ID, got.Entered, got.Flagged, got.Unresolved, got.Incomplete, got.Times, want)
	}
	return nil
}

// reconciled is the model's reconciliation of a paper poll.
type reconciled struct {
	ballots                                  []meeting.Ballot
	entered, flagged, unresolved, incomplete int
	ready                                    bool
}

// reconcile reconciles the model of paper poll p by the rules.
func (m *paperModel) reconcile(p meeting.Poll) reconciled {
	var out reconciled
	n := entriesOf(p)
	var numbers []int
	for b := range m.bundles {
		numbers = append(numbers, b)
	}
	sort.Ints(numbers)
	for _, b := range numbers {
		list := m.bundles[b]
		finished, longest := 0, 0
		for _, e := range list {
			if e.finished {
				finished++
			}
			longest = max(longest, len(e.marks))
		}
		if len(list) != n || finished != n {
			if longest > 0 {
				out.incomplete++
			}
			continue
		}
		for pos := range longest {
			same := true // every entry keyed this position, the same marks
			for _, e := range list {
				if pos >= len(e.marks) || pos >= len(list[0].marks) || !sameMarks(e.marks[pos], list[0].marks[pos]) {
					same = false
				}
			}
			if same {
				out.ballots = append(out.ballots, paperBallotOf(p, list[0].marks[pos]))
				continue
			}
			out.flagged++
			marks, decided := m.decided[[2]int{b, pos + 1}]
			switch {
			case !decided:
				out.unresolved++
			case marks != nil:
				out.ballots = append(out.ballots, paperBallotOf(p, *marks))
			}
		}
	}
	out.entered = len(out.ballots)
	pc := p.PaperCount
	out.ready = pc != nil && pc.Recorded && out.incomplete == 0 && out.unresolved == 0 && out.entered == pc.Returned
	return out
}

// paperBallotOf turns the marks keyed from a paper ballot of p into the
// ballot they stand for (docs/paper.md, "Marks"), written independently of
// meeting.PaperMarks.Ballot: a declared invalid ballot is void; on a list
// with surplus the names not struck are kept; otherwise a name's "Đồng ý"
// and "Không đồng ý" boxes; a vote's single box is its choice, two or more
// void it; a rating row is its level (1 the best), a struck-out name or
// two boxes void that row, no box leaves it without a level.
func paperBallotOf(p meeting.Poll, m meeting.PaperMarks) meeting.Ballot {
	if m.Void != "" {
		return meeting.Ballot{Void: m.Void}
	}
	var names []meeting.Candidate
	switch p.Kind {
	case meeting.PollElection:
		names = p.Candidates
		if len(names) > p.Seats {
			kept := []string{}
			for i, c := range names {
				if !slices.Contains(m.Struck, i+1) {
					kept = append(kept, c.ID)
				}
			}
			return meeting.Ballot{Kept: kept}
		}
		var b meeting.Ballot
		for _, x := range m.Agree {
			b.Agree = append(b.Agree, names[x-1].ID)
		}
		for _, x := range m.Disagree {
			b.Disagree = append(b.Disagree, names[x-1].ID)
		}
		return b
	case meeting.PollSecret:
		choices := []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}
		switch len(m.Boxes) {
		case 0:
			return meeting.Ballot{}
		case 1:
			return meeting.Ballot{Choice: choices[m.Boxes[0]-1]}
		}
		return meeting.Ballot{Void: meeting.ReasonManyMarks}
	case meeting.PollRating:
		levels := p.Scale.Levels()
		b := meeting.Ballot{Ratings: map[string]meeting.Level{}, RowVoid: map[string]meeting.Reason{}}
		for i, row := range m.Rows {
			id := p.Subjects[i].ID
			switch {
			case row == 8:
				b.RowVoid[id] = meeting.ReasonNameStruck
			case row == 9:
				b.RowVoid[id] = meeting.ReasonManyMarks
			case row >= 1 && row <= len(levels):
				b.Ratings[id] = levels[row-1]
			}
		}
		return b
	}
	panic(fmt.Sprintf("meetingtest: a paper ballot of a %s poll", p.Kind))
}
