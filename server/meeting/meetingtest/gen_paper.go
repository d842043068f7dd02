package meetingtest

import (
	"slices"

	"github.com/phonghop/phonghop/server/meeting"
)

// The generator of paper counting (docs/paper.md): a paper poll (a secret
// vote, an election of any form, a rating) is opened; the approved
// counting committee names technicians and records the ballots issued and
// returned; the returned ballots — the "truth" the generator keeps, a pile
// of physical ballots in bundles — are keyed several times, each bundle
// entry by another operator at another station, with keying errors (a
// wrong mark, a ballot keyed twice, one too many, a wrong count at the
// finish), some undone; the committee decides the flagged positions from
// the physical ballots (or that there is none); the poll closes once
// everything is reconciled. Run checks that its count is the recount of
// the keyed ballots (paperModel).

// paperTruth is the physical ballots of one paper poll, by bundle.
type paperTruth struct {
	returned int
	bundles  [][]meeting.PaperMarks // bundle n+1's ballots, in order
}

// paperGen is the generator's plan for paper counting and the physical
// ballots of each paper poll.
type paperGen struct {
	planned bool // this meeting counts paper ballots: a committee, a paper poll, keying
	truth   map[string]*paperTruth
	now     *paperNow
}

// paperPlan returns the paper plan of the meeting, drawn on first use: half
// the meetings of 30 steps or more count paper ballots, and take 40 to 100
// steps more for it.
func (g *Gen) paperPlan() *paperGen {
	if g.paper == nil {
		g.paper = &paperGen{planned: g.plan >= 30 && g.chance(0.5), truth: map[string]*paperTruth{}}
		if g.paper.planned {
			g.plan += 40 + g.rng.IntN(60) // time to approve a committee and count
		}
	}
	return g.paper
}

// paperBody returns, in a meeting planned with paper counting and without
// a counting committee yet, the proposal of two to four members.
func (g *Gen) paperBody() (map[string]any, bool) {
	if !g.paperPlan().planned || g.chance(0.3) {
		return nil, false
	}
	if b, ok := g.r.State.Body(meeting.BodyCounting); ok && (b.Approved() || len(b.Members) >= 3) {
		return nil, false // one to approve, or approved
	}
	pool := g.people(func(p meeting.Participant) bool { return p.Entitled() })
	if len(pool) < 2 {
		return nil, false
	}
	g.rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	var members []map[string]any
	for i, p := range pool[:min(len(pool), 3+g.rng.IntN(2))] { // enough to key each ballot three times

		m := map[string]any{"participant": g.Ref(p.ID)}
		if i == 0 {
			m["post"] = "Trưởng ban"
		}
		members = append(members, m)
	}
	return map[string]any{"kind": "counting", "members": members}, true
}

// paperPollSpec returns, in a meeting planned with paper counting, the
// open vote approving the counting committee when it waits for one, or a
// paper poll once it is approved and no paper poll is in the works.
func (g *Gen) paperPollSpec() (map[string]any, bool) {
	s := g.r.State
	if !g.paperPlan().planned || g.chance(0.2) {
		return nil, false
	}
	b, ok := s.Body(meeting.BodyCounting)
	if !ok {
		return nil, false
	}
	for _, p := range s.Polls {
		live := p.Status == meeting.PollStatusDraft || p.Status == meeting.PollStatusOpen
		if live && (p.Paper || (!b.Approved() && p.Body == meeting.BodyCounting)) {
			return nil, false
		}
	}
	if !b.Approved() {
		return map[string]any{"kind": "open", "body": "counting", "question": "Thông qua danh sách Ban Kiểm phiếu", "base": "cast",
			"threshold": map[string]any{"num": 1, "den": 2}}, true
	}
	for {
		if d := g.pollSpec(); d["kind"] != "open" {
			d["paper"] = true
			return d, true
		}
	}
}

// stations are the entry stations (device sessions) of the generated
// meetings: a step's actor "p@3.1/st2" is participant p@3.1 at station st2.
var stations = []string{"st1", "st2", "st3", "st4"}

// truth returns the physical ballots of paper poll p, made when its
// returned count is first seen (again after a correction).
func (g *Gen) truth(p meeting.Poll) *paperTruth {
	n := 0
	if p.PaperCount != nil {
		n = p.PaperCount.Returned
	}
	if t, ok := g.paperPlan().truth[p.ID]; ok && t.returned == n {
		return t
	}
	t := &paperTruth{returned: n}
	for left := n; left > 0; {
		k := min(left, 1+g.rng.IntN(4))
		var b []meeting.PaperMarks
		for range k {
			b = append(b, g.paperBallot(p))
		}
		t.bundles = append(t.bundles, b)
		left -= k
	}
	g.paperPlan().truth[p.ID] = t
	return t
}

// numbers returns a random subset of 1..n, shuffled (keyed in any order).
func (g *Gen) numbers(n int, p float64) []int {
	var out []int
	for i := 1; i <= n; i++ {
		if g.chance(p) {
			out = append(out, i)
		}
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// paperBallot returns the marks of a physical ballot of p: mostly a valid
// vote, some invalid by the rules (too many kept, both boxes, no box), a
// few declared void.
func (g *Gen) paperBallot(p meeting.Poll) meeting.PaperMarks {
	if g.chance(0.05) {
		return meeting.PaperMarks{Void: meeting.PaperVoidReasons[g.rng.IntN(len(meeting.PaperVoidReasons))]}
	}
	names := len(p.Names())
	switch p.PaperForm() {
	case string(meeting.FormStrike):
		// Strike down to the seats, mostly; sometimes too few struck.
		keep := p.Seats - g.rng.IntN(p.Seats+1)
		if g.chance(0.05) {
			keep = p.Seats + 1
		}
		perm := g.rng.Perm(names)
		var struck []int
		for _, i := range perm[:max(0, names-keep)] {
			struck = append(struck, i+1)
		}
		return meeting.PaperMarks{Struck: struck}
	case string(meeting.FormApprove), string(meeting.FormSingle):
		var agree, disagree []int
		for i := 1; i <= names; i++ {
			switch x := g.rng.IntN(100); {
			case x < 65:
				agree = append(agree, i)
			case x < 88:
				disagree = append(disagree, i)
			case x < 94:
				agree, disagree = append(agree, i), append(disagree, i)
			}
		}
		return meeting.PaperMarks{Agree: agree, Disagree: disagree}
	case "vote":
		switch x := g.rng.IntN(100); {
		case x < 3:
			return meeting.PaperMarks{}
		case x < 6:
			return meeting.PaperMarks{Boxes: []int{1, 2}}
		}
		return meeting.PaperMarks{Boxes: []int{1 + min(g.rng.IntN(3), g.rng.IntN(3))}}
	case "rating":
		levels := len(p.Scale.Levels())
		rows := make([]int, names)
		for i := range rows {
			switch x := g.rng.IntN(100); {
			case x < 3:
				rows[i] = meeting.RowNone
			case x < 5:
				rows[i] = meeting.RowNameStruck
			case x < 7:
				rows[i] = meeting.RowManyMarks
			default:
				rows[i] = 1 + min(g.rng.IntN(levels), g.rng.IntN(levels))
			}
		}
		return meeting.PaperMarks{Rows: rows}
	}
	return meeting.PaperMarks{}
}

// slip returns marks as an operator may mistype them: another ballot's
// marks, mostly of the same form.
func (g *Gen) slip(p meeting.Poll, m meeting.PaperMarks) meeting.PaperMarks {
	if g.chance(0.03) { // a number not on the list: refused
		return meeting.PaperMarks{Struck: []int{len(p.Names()) + 1}, Boxes: []int{9}}
	}
	for try := 0; try < 5; try++ {
		if x := g.paperBallot(p); !sameMarks(x, m) {
			return x
		}
	}
	return meeting.PaperMarks{Void: meeting.ReasonWriting}
}

// paperPolls returns the open paper polls.
func (g *Gen) paperPolls() []meeting.Poll {
	var out []meeting.Poll
	for _, p := range g.polls(meeting.PollStatusOpen) {
		if p.Paper {
			out = append(out, p)
		}
	}
	return out
}

// committee returns the approved counting committee's members.
func (g *Gen) committee() []string {
	b, ok := g.r.State.Body(meeting.BodyCounting)
	if !ok || !b.Approved() {
		return nil
	}
	var out []string
	for _, m := range b.Members {
		out = append(out, m.Participant)
	}
	return out
}

// keyers returns who may key ballots: the committee and the technicians it
// named.
func (g *Gen) keyers() []string {
	out := g.committee()
	for _, id := range g.r.State.Technicians {
		if p, ok := g.r.State.Participant(id); ok && p.Role == meeting.RoleTechnician && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// member returns a committee member's reference as an actor, or rarely
// someone else (refused).
func (g *Gen) member() (string, bool) {
	if g.chance(0.03) {
		if p, ok := one(g, g.r.State.Participants); ok {
			return g.Ref(p.ID), true
		}
	}
	id, ok := one(g, g.committee())
	return g.Ref(id), ok
}

// at returns the actor of participant pid at station st.
func (g *Gen) at(pid, st string) string { return g.Ref(pid) + "/" + st }

// paperNow is what the weights of paper counting depend on, computed once
// a step (Reconcile is not free).
type paperNow struct {
	step                                         int
	keying, unresolved, unrecorded, ready, draft bool
	committee, technicians                       bool
	bodyClosed                                   bool
}

// now returns the paper situation of the current step.
func (g *Gen) now() *paperNow {
	pg := g.paperPlan()
	if pg.now != nil && pg.now.step == g.made {
		return pg.now
	}
	s := g.r.State
	n := &paperNow{step: g.made, committee: len(g.committee()) > 0, technicians: len(s.Technicians) > 0}
	for _, p := range s.Polls {
		switch {
		case p.Status == meeting.PollStatusDraft && pg.planned && (p.Paper || p.Body == meeting.BodyCounting):
			n.draft = true
		case p.Status == meeting.PollStatusClosed && pg.planned && p.Body == meeting.BodyCounting:
			n.bodyClosed = true
		case p.Status == meeting.PollStatusOpen && p.Paper:
			if p.PaperCount == nil || !p.PaperCount.Recorded {
				n.unrecorded = n.unrecorded || n.committee
				continue
			}
			n.keying = n.keying || len(g.keyers()) > 0
			rec := meeting.Reconcile(p)
			n.unresolved = n.unresolved || rec.Unresolved > 0
			n.ready = n.ready || rec.Ready() == nil
		}
	}
	pg.now = n
	return n
}

// paperWeight is the weight of kind n now as far as paper counting goes:
// the committee's commands and the keying while a paper poll waits for
// them, the polls that lead there.
func (g *Gen) paperWeight(n string, w int) int {
	x := g.now()
	switch {
	case (n == "paper.enter" || n == "paper.finish" || n == "paper.undo") && x.keying:
		return w * 150 // the counting is a phase of its own: the hall waits
	case n == "paper.decide" && x.unresolved:
		return w * 40
	case n == "paper.record_counts" && x.unrecorded:
		return w * 40
	case n == "paper.technicians" && x.committee && !x.technicians:
		return w * 3
	case (n == "poll.create" || n == "body.propose") && g.paperPlan().planned:
		return w * 2
	case n == "poll.open" && x.draft:
		return w * 4
	case n == "poll.publish" && x.bodyClosed: // the vote approving the counting committee
		return w * 6
	case n == "poll.close" && x.ready:
		return w * 20
	}
	return w
}

func genPaperTechnicians(g *Gen) (string, any, bool) {
	actor, ok := g.member()
	if !ok {
		return "", nil, false
	}
	var list []string
	for _, p := range g.people(func(p meeting.Participant) bool { return p.Role == meeting.RoleTechnician }) {
		if g.chance(0.8) {
			list = append(list, g.Ref(p.ID))
		}
	}
	if g.chance(0.04) { // not a technician, or twice: refused
		if p, ok := one(g, g.r.State.Participants); ok {
			list = append(list, g.Ref(p.ID))
		}
	}
	return actor, map[string]any{"participants": list}, true
}

func genPaperCounts(g *Gen) (string, any, bool) {
	p, ok := one(g, g.paperPolls())
	if !ok || (p.PaperCount != nil && p.PaperCount.Recorded && g.chance(0.9)) {
		return "", nil, false // recorded once, rarely corrected
	}
	actor, ok := g.member()
	if !ok {
		return "", nil, false
	}
	issued := max(0, len(p.Eligible)-min(g.rng.IntN(3), g.rng.IntN(3)))
	returned := max(0, issued-min(g.rng.IntN(3), g.rng.IntN(3)))
	if g.chance(0.04) {
		returned = issued + 1 // refused
	} else if g.paperPlan().planned && (p.PaperCount == nil || !p.PaperCount.Recorded) {
		g.plan += 3 * returned * entriesOf(p) // time to key them all
	}
	return actor, map[string]any{"poll": g.Ref(p.ID), "issued": issued, "returned": returned}, true
}

// keying returns, for the open paper polls with recorded counts, the
// entries in progress (station keying a bundle, not finished).
type keying struct {
	p      meeting.Poll
	bundle int
	e      meeting.PaperEntry
}

func (g *Gen) inProgress() []keying {
	var out []keying
	for _, p := range g.paperPolls() {
		for _, b := range meeting.Reconcile(p).Bundles {
			for _, e := range b.Entries {
				if !e.Finished {
					out = append(out, keying{p, b.Bundle, e})
				}
			}
		}
	}
	return out
}

func genPaperEnter(g *Gen) (string, any, bool) {
	// Mostly the next ballot of an entry in progress; else a new entry of
	// a bundle that has fewer than its entries, by an operator and at a
	// station not yet in it.
	if k, ok := one(g, g.inProgress()); ok && g.chance(0.85) {
		t := g.truth(k.p)
		pos := len(k.e.Marks) + 1
		var m meeting.PaperMarks
		switch {
		case k.bundle-1 < len(t.bundles) && pos-1 < len(t.bundles[k.bundle-1]):
			m = t.bundles[k.bundle-1][pos-1]
			if g.chance(0.04) {
				m = g.slip(k.p, m)
			}
		case g.chance(0.95):
			return "", nil, false // the bundle is keyed: finish it
		default: // one too many
			m = g.paperBallot(k.p)
		}
		if g.chance(0.02) { // refused: not the next position
			if g.chance(0.5) {
				pos--
			} else {
				pos++
			}
		}
		return g.at(k.e.Operator, k.e.Station), map[string]any{"poll": g.Ref(k.p.ID), "bundle": k.bundle, "position": pos, "marks": m}, true
	}
	p, ok := one(g, g.paperPolls())
	keyers := g.keyers()
	if !ok || len(keyers) == 0 {
		return "", nil, false
	}
	t := g.truth(p)
	rec := meeting.Reconcile(p)
	entries := map[int][]meeting.PaperEntry{}
	for _, b := range rec.Bundles {
		entries[b.Bundle] = b.Entries
	}
	var todo []int // the bundles of the pile that want another entry
	for i := range t.bundles {
		if len(entries[i+1]) < entriesOf(p) {
			todo = append(todo, i+1)
		}
	}
	bundle, ok := one(g, todo)
	if !ok || g.chance(0.02) {
		bundle = 1 + g.rng.IntN(len(t.bundles)+1) // rarely one past the pile: a bundle that does not exist
	}
	used := entries[bundle]
	free := func(id string) bool {
		return !slices.ContainsFunc(used, func(e meeting.PaperEntry) bool { return e.Operator == id }) || g.chance(0.03)
	}
	var ops []string
	for _, id := range keyers {
		if free(id) {
			ops = append(ops, id)
		}
	}
	op, ok := one(g, ops)
	if !ok {
		return "", nil, false
	}
	var sts []string
	for _, st := range stations {
		if !slices.ContainsFunc(used, func(e meeting.PaperEntry) bool { return e.Station == st }) || g.chance(0.03) {
			sts = append(sts, st)
		}
	}
	st, ok := one(g, sts)
	if !ok {
		return "", nil, false
	}
	m := g.paperBallot(p)
	if bundle-1 < len(t.bundles) {
		m = t.bundles[bundle-1][0]
	}
	if g.chance(0.02) {
		st = "" // no station known: refused
	}
	return g.at(op, st), map[string]any{"poll": g.Ref(p.ID), "bundle": bundle, "position": 1, "marks": m}, true
}

func genPaperUndo(g *Gen) (string, any, bool) {
	k, ok := one(g, g.inProgress())
	if !ok {
		return "", nil, false
	}
	pos := len(k.e.Marks)
	if g.chance(0.1) {
		pos-- // not the last: refused
	}
	return g.at(k.e.Operator, k.e.Station), map[string]any{"poll": g.Ref(k.p.ID), "bundle": k.bundle, "position": pos}, true
}

func genPaperFinish(g *Gen) (string, any, bool) {
	k, ok := one(g, g.inProgress())
	if !ok {
		return "", nil, false
	}
	t := g.truth(k.p)
	if k.bundle-1 < len(t.bundles) && len(k.e.Marks) < len(t.bundles[k.bundle-1]) && g.chance(0.99) {
		return "", nil, false // not yet keyed in full
	}
	if k.bundle-1 >= len(t.bundles) && g.chance(0.9) {
		return "", nil, false // a bundle that does not exist: undo it
	}
	count := len(k.e.Marks)
	if g.chance(0.04) {
		count++ // refused: not what the station keyed
	}
	return g.at(k.e.Operator, k.e.Station), map[string]any{"poll": g.Ref(k.p.ID), "bundle": k.bundle, "count": count}, true
}

func genPaperDecide(g *Gen) (string, any, bool) {
	type flag struct {
		p      meeting.Poll
		bundle int
		sl     meeting.PaperSlot
	}
	var open, all []flag
	for _, p := range g.paperPolls() {
		for _, b := range meeting.Reconcile(p).Bundles {
			for _, sl := range b.Slots {
				if sl.Flagged {
					all = append(all, flag{p, b.Bundle, sl})
					if sl.Decision == nil {
						open = append(open, flag{p, b.Bundle, sl})
					}
				}
			}
		}
	}
	f, ok := one(g, open)
	if !ok || g.chance(0.05) {
		// Again on a decided one, or on a position that agrees (refused).
		if f, ok = one(g, all); !ok {
			return "", nil, false
		}
		if g.chance(0.5) {
			f.sl.Position++
		}
	}
	actor, ok := g.member()
	if !ok {
		return "", nil, false
	}
	d := map[string]any{"poll": g.Ref(f.p.ID), "bundle": f.bundle, "position": f.sl.Position,
		"note": g.pick([]string{"Ban Kiểm phiếu xem lại phiếu gốc", "Máy 2 nhập nhầm", "Không có phiếu ở vị trí này", ""})}
	t := g.truth(f.p)
	switch {
	case f.bundle-1 < len(t.bundles) && f.sl.Position-1 < len(t.bundles[f.bundle-1]):
		d["marks"] = t.bundles[f.bundle-1][f.sl.Position-1]
	default:
		d["absent"] = true
	}
	if g.chance(0.03) {
		d["marks"], d["absent"] = meeting.PaperMarks{}, true // both: refused
	}
	return actor, d, true
}

// sameMarks reports whether two marks are the same once canonical (lists
// sorted, empty lists as none), independently of meeting.PaperMarks.Equal.
func sameMarks(a, b meeting.PaperMarks) bool {
	a, b = canonical(a), canonical(b)
	return a.Void == b.Void && slices.Equal(a.Struck, b.Struck) && slices.Equal(a.Agree, b.Agree) && slices.Equal(a.Disagree, b.Disagree) &&
		slices.Equal(a.Boxes, b.Boxes) && slices.Equal(a.Rows, b.Rows)
}

// canonical returns m with its lists sorted and empty lists nil.
func canonical(m meeting.PaperMarks) meeting.PaperMarks {
	sorted := func(xs []int) []int {
		if len(xs) == 0 {
			return nil
		}
		out := slices.Clone(xs)
		slices.Sort(out)
		return out
	}
	m.Struck, m.Agree, m.Disagree, m.Boxes = sorted(m.Struck), sorted(m.Agree), sorted(m.Disagree), sorted(m.Boxes)
	if len(m.Rows) == 0 {
		m.Rows = nil
	}
	return m
}
