package meetingtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
)

// T0 is when every run's clock starts: 08:00 in Hà Nội on 7 December 2026.
var T0 = time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)

// MeetingID is the ID of the meeting every run holds.
const MeetingID = "m1"

// Options tune a Run.
type Options struct {
	// ViewEvery compares every viewer's replica with View after every
	// ViewEvery-th step and after the last; after the other steps, one
	// replica, each in turn. 0 or 1: every replica after every step. Every replica folds every step's events
	// whatever this says, so a replica that went wrong stays wrong until
	// it is compared.
	ViewEvery int
	// Check, if set, is called after every step Decide accepted (name is
	// the command's) and once more at the end (name ""): extra invariants
	// of code built on the log, such as the minutes. Its error is the
	// invariant "check".
	Check func(r *Run, name string) error
}

// Run executes a script on a new meeting the way the server runs commands
// — ParseCommand, Decide, Apply; ballots through ValidateBallot into a
// ballot box, the close with the box's ballots — and checks after every
// step that nothing a valid sequence of commands does can corrupt the
// record:
//
//   - the log is a hash chain (every step's events seal on the head) and
//     replaying it, each event through JSON as the log stores it, gives
//     the live state; a refused command changes nothing;
//   - every viewer's replica, folded from the events or their hidden
//     placeholders, equals View of the live state;
//   - every ballot ValidateBallot accepts is counted once: a voter who
//     voted is refused, the box holds one ballot per recorded voter, the
//     count at the close is the recount of the box (CheckTally) and never
//     changes afterwards; a secret ballot's choice never enters the log;
//   - every base equals its parts: the roll's categories add up, the
//     quorum is the rule over its base, a poll's eligible voters,
//     entitled and summoned members are the roll at its opening, and a
//     result's ballots issued and cast are those voters and their votes;
//   - percentages: those of a result rounded half up (CheckTally), and the
//     state layout's apportionment (meeting.PercentsOf) totals 100% and
//     moves each by at most its rounding.
type Run struct {
	opts Options

	// State is the live state; Log every event so far.
	State *meeting.State
	Log   []meeting.Event
	// Stats counts what happened to the steps.
	Stats Stats

	stored  *meeting.State              // the fold of the log as stored: every event through JSON
	account *replica                    // the secretariat's account
	people  map[string]*replica         // every participant's device, by participant ID
	boxes   map[string][]meeting.Ballot // the ballot box of each secret poll
	counted map[string]meeting.Result   // each poll's count at its close
	opened  map[string]meeting.Roll     // the roll of each poll's opening
	pending []meeting.Ballot            // the secret ballots of the poll.record_votes being decided
	now     time.Time
	seqs    [][]int64              // per step: the sequence numbers of its events
	bySeq   map[int64][2]int       // sequence number → (step, index of the event)
	paper   map[string]*paperModel // the keying of each paper poll (run_paper.go)
}

// replica is a viewer's fold of the events it receives.
type replica struct {
	v meeting.Viewer
	s *meeting.State
}

// Stats count the steps of runs by outcome and command.
type Stats struct {
	Steps    int
	Skipped  int            // references that did not resolve
	Accepted map[string]int // by command
	Refused  map[string]int // by command
	Ballots  int            // ballots ValidateBallot accepted and the box recorded
	Refusals int            // ballots ValidateBallot refused
	Counted  int            // polls closed and checked against the recount
	Issued   int            // ballots issued in the polls counted (their eligible voters)
	Paper    int            // paper polls counted: their count checked against the recount of the keyed ballots
	// Why lists the refusals by command and English message (for tuning
	// the generator: a command refused for one reason only is aimed badly).
	Why map[string]int
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Steps += o.Steps
	s.Skipped += o.Skipped
	s.Ballots += o.Ballots
	s.Refusals += o.Refusals
	s.Counted += o.Counted
	s.Issued += o.Issued
	s.Paper += o.Paper
	for _, m := range []struct{ to, from *map[string]int }{{&s.Accepted, &o.Accepted}, {&s.Refused, &o.Refused}, {&s.Why, &o.Why}} {
		if *m.to == nil {
			*m.to = map[string]int{}
		}
		for k, v := range *m.from {
			(*m.to)[k] += v
		}
	}
}

// Failure is a broken invariant.
type Failure struct {
	Invariant string // a short stable name ("replay", "tally", …)
	Step      int    // index of the step in the script (-1: at the end)
	Detail    string
}

func (f *Failure) Error() string {
	where := fmt.Sprintf("step %d", f.Step)
	if f.Step < 0 {
		where = "the end"
	}
	return fmt.Sprintf("invariant %s broken at %s: %s", f.Invariant, where, f.Detail)
}

// InvariantOf returns the invariant err broke ("" if err is not a Failure).
func InvariantOf(err error) string {
	var f *Failure
	if errors.As(err, &f) {
		return f.Invariant
	}
	return ""
}

// NewRun returns a run on a meeting not yet created.
func NewRun(opts Options) *Run {
	s := &meeting.State{ID: MeetingID}
	return &Run{opts: opts, State: s, stored: s.Clone(), account: &replica{v: meeting.Viewer{Role: meeting.RoleSecretary}, s: &meeting.State{}},
		people: map[string]*replica{}, boxes: map[string][]meeting.Ballot{}, counted: map[string]meeting.Result{}, opened: map[string]meeting.Roll{},
		now: T0, bySeq: map[int64][2]int{}, Stats: Stats{Accepted: map[string]int{}, Refused: map[string]int{}, Why: map[string]int{}}}
}

// Now returns the run's clock: the time of the last step.
func (r *Run) Now() time.Time { return r.now }

// Opened returns the roll at the opening of poll id and whether it opened.
func (r *Run) Opened(id string) (meeting.Roll, bool) {
	roll, ok := r.opened[id]
	return roll, ok
}

// Ref returns the reference of ID id in the script ("p12" → "p@3.1"), or
// id itself when it names nothing created by a step.
func (r *Run) Ref(id string) string {
	if len(id) < 2 || id[0] < 'a' || id[0] > 'z' {
		return id
	}
	seq, err := strconv.ParseInt(id[1:], 10, 64)
	if err != nil {
		return id
	}
	at, ok := r.bySeq[seq]
	if !ok {
		return id
	}
	return fmt.Sprintf("%c@%d.%d", id[0], at[0], at[1])
}

// resolve replaces the references in s by IDs; ok is false when one names
// nothing.
func (r *Run) resolve(s string) (string, bool) {
	if !strings.Contains(s, "@") {
		return s, true
	}
	ok := true
	out := refPattern.ReplaceAllStringFunc(s, func(m string) string {
		g := refPattern.FindStringSubmatch(m)
		k, err1 := strconv.Atoi(g[2])
		j, err2 := strconv.Atoi(g[3])
		if err1 != nil || err2 != nil || k >= len(r.seqs) || j >= len(r.seqs[k]) {
			ok = false
			return m
		}
		return g[1] + strconv.FormatInt(r.seqs[k][j], 10)
	})
	return out, ok
}

// actor returns the actor named a in a script.
func (r *Run) actor(a string) (meeting.Actor, bool) {
	switch a {
	case ActorSecretary:
		return meeting.Actor{ID: "account:thuky", Role: meeting.RoleSecretary}, true
	case ActorSystem:
		return meeting.Actor{ID: "system", Role: meeting.RoleSystem}, true
	case ActorUploader:
		return meeting.Actor{ID: "account:thuky", Role: meeting.RoleSystem}, true
	}
	a, station, _ := strings.Cut(a, "/") // "p@3.1/st2": at entry station st2
	id, ok := r.resolve(a)
	if !ok {
		return meeting.Actor{}, false
	}
	role := meeting.RoleDelegate // someone no longer (or never) in the meeting
	if p, found := r.State.Participant(id); found {
		role = p.Role
	}
	return meeting.Actor{ID: "participant:" + id, Role: role, Participant: id, Station: station}, true
}

// fail returns the Failure of invariant inv at step k.
func fail(k int, inv, format string, args ...any) error {
	return &Failure{Invariant: inv, Step: k, Detail: fmt.Sprintf(format, args...)}
}

// Exec runs step st as the next step of the script and checks the
// invariants. It returns a *Failure when one breaks (the run should not go
// on), nil otherwise, whether Decide accepted the command or not.
func (r *Run) Exec(st Step) error {
	k := len(r.seqs)
	r.seqs = append(r.seqs, nil)
	r.Stats.Steps++
	r.now = r.now.Add(st.After)
	a, ok1 := r.actor(st.Actor)
	data, ok2 := r.resolve(st.Data)
	if !ok1 || !ok2 {
		r.Stats.Skipped++
		return nil
	}
	c, err := meeting.ParseCommand(st.Name, json.RawMessage(data))
	if err != nil {
		return fail(k, "script", "%s %s: %v", st.Name, data, err)
	}
	switch c := c.(type) {
	case *meeting.RecordVotes:
		return r.cast(k, a, c)
	case *meeting.ClosePoll:
		if p, ok := r.State.Poll(c.ID); ok && p.Kind.Secret() && !p.Paper {
			// The server's box gives its ballots in an order unrelated
			// to the voters'.
			c.Ballots = slices.Clone(r.boxes[c.ID])
			if c.Ballots == nil {
				c.Ballots = []meeting.Ballot{}
			}
			rng := rand.New(rand.NewPCG(uint64(k), 17))
			rng.Shuffle(len(c.Ballots), func(i, j int) { c.Ballots[i], c.Ballots[j] = c.Ballots[j], c.Ballots[i] })
		}
	}
	return r.decide(k, a, c)
}

// decide gives c as a and checks what follows.
func (r *Run) decide(k int, a meeting.Actor, c meeting.Command) error {
	name := c.Name()
	var before *pollOpening
	if o, ok := c.(*meeting.OpenPoll); ok {
		before = r.opening(o.ID)
	}
	var closing []meeting.Ballot
	paperReady := true
	if cl, ok := c.(*meeting.ClosePoll); ok {
		if p, found := r.State.Poll(cl.ID); found && p.Status == meeting.PollStatusOpen {
			if p.Paper {
				rec := r.model(p.ID).reconcile(p)
				closing, paperReady = rec.ballots, rec.ready
			} else if p.Kind.Secret() {
				if len(cl.Ballots) != p.Voted {
					return fail(k, "box", "poll %s: the box holds %d ballots for %d voters recorded", p.ID, len(cl.Ballots), p.Voted)
				}
				closing = cl.Ballots
			} else {
				for _, v := range p.Voters {
					closing = append(closing, meeting.Ballot{Choice: v.Choice, Spoiled: v.Spoiled})
				}
			}
		}
	}
	events, err := meeting.Decide(r.State, a, c, r.now)
	if err != nil {
		r.Stats.Refused[name]++
		var me *meeting.Error
		if !errors.As(err, &me) || me.Kind == meeting.KindInternal {
			return fail(k, "refusal", "%s by %s: %v (%T); want a client error", name, a.ID, err, err)
		}
		r.Stats.Why[name+": "+me.MessageEN]++
		// Decide changes nothing: the live state still equals the fold of
		// the log, which it cannot have touched.
		if d := Diff(r.State, r.stored); d != "" {
			return fail(k, "decide-mutates", "%s refused (%v) but the state changed at %s:\n%s", name, err, d, cmp.Diff(r.stored, r.State))
		}
		return nil
	}
	r.Stats.Accepted[name]++
	if len(events) == 0 && acceptedWithoutEvent(c) { // gen_floor.go
		if d := Diff(r.State, r.stored); d != "" {
			return fail(k, "decide-mutates", "%s accepted without an event but the state changed at %s", name, d)
		}
		return nil
	}
	if err := r.commit(k, events); err != nil {
		return err
	}
	switch c := c.(type) {
	case *meeting.OpenPoll:
		if err := r.checkOpening(k, c.ID, before); err != nil {
			return err
		}
	case *meeting.ClosePoll:
		p, _ := r.State.Poll(c.ID)
		if !paperReady {
			return fail(k, "paper", "paper poll %s closed while its keying is not reconciled: %+v", p.ID, r.model(p.ID).reconcile(p))
		}
		if p.Result == nil {
			return fail(k, "tally", "poll %s closed without a count", p.ID)
		}
		if err := CheckTally(p, closing, *p.Result); err != nil {
			return fail(k, "tally", "%v", err)
		}
		r.counted[p.ID] = cloneResult(*p.Result)
		r.Stats.Counted++
		if p.Paper {
			r.Stats.Paper++
		}
		r.Stats.Issued += p.Result.Issued
		delete(r.boxes, p.ID)
	case *meeting.CancelPoll:
		delete(r.boxes, c.ID)
	case *meeting.RecordVotes:
		if err := r.recorded(k, c); err != nil {
			return err
		}
	case *meeting.EnterPaperBallot, *meeting.UndoPaperBallot, *meeting.FinishPaperBundle, *meeting.DecidePaperBallot:
		if err := r.paperAccepted(k, a, c, r.Log[len(r.Log)-len(r.seqs[k]):]); err != nil {
			return err
		}
	}
	if err := r.checkState(k); err != nil {
		return err
	}
	if r.opts.Check != nil {
		if err := r.opts.Check(r, name); err != nil {
			return fail(k, "check", "after %s: %v", name, err)
		}
	}
	return nil
}

// cast casts the ballots of c as the server's ballot box does: each
// through ValidateBallot (a refused ballot is refused to its voter alone),
// then one poll.record_votes of the voters accepted, the ballots of a
// secret poll kept in the box.
func (r *Run) cast(k int, a meeting.Actor, c *meeting.RecordVotes) error {
	p, ok := r.State.Poll(c.Poll)
	if !ok {
		return r.decide(k, a, c)
	}
	rec := &meeting.RecordVotes{Poll: c.Poll}
	var ballots []meeting.Ballot
	for _, v := range c.Votes {
		var b meeting.Ballot
		if v.Ballot != nil {
			b = *v.Ballot
		}
		err := meeting.ValidateBallot(r.State, p, v.Participant, b)
		// What the box must answer, whatever the ballot says.
		var want meeting.Kind
		switch {
		case r.State.Status == meeting.StatusClosed || p.Status != meeting.PollStatusOpen || p.Paper: // a paper poll takes no tablet ballot
			want = meeting.KindConflict
		case !p.IsEligible(v.Participant):
			want = meeting.KindForbidden
		case p.HasVoted(v.Participant):
			want = meeting.KindConflict
		}
		if want != "" && meeting.KindOf(err) != want {
			return fail(k, "ballot-refusal", "poll %s (%s): ballot of %s: ValidateBallot = %v; want a %s error", p.ID, p.Status, v.Participant, err, want)
		}
		if err != nil {
			if kind := meeting.KindOf(err); kind != meeting.KindInvalid && kind != meeting.KindConflict && kind != meeting.KindForbidden {
				return fail(k, "ballot-refusal", "poll %s: ValidateBallot = %v; want a client error", p.ID, err)
			}
			r.Stats.Refusals++
			continue
		}
		vr := meeting.VoteRecord{Participant: v.Participant}
		if !p.Kind.Secret() {
			vr.Ballot = &b
		}
		rec.Votes = append(rec.Votes, vr)
		ballots = append(ballots, b)
	}
	if len(rec.Votes) == 0 {
		r.Stats.Refused[c.Name()]++
		return nil
	}
	voted := p.Voted
	r.pending = ballots
	defer func() { r.pending = nil }()
	if err := r.decide(k, a, rec); err != nil || len(r.seqs[k]) == 0 {
		return err
	}
	r.Stats.Ballots += len(ballots)
	if q, _ := r.State.Poll(p.ID); q.Voted != voted+len(ballots) {
		return fail(k, "ballot-count", "poll %s: %d voted before, %d recorded, %d voted now", p.ID, voted, len(ballots), q.Voted)
	}
	return nil
}

// recorded follows an accepted poll.record_votes c: the box keeps the
// ballots of a secret poll, none of which may be in the log.
func (r *Run) recorded(k int, c *meeting.RecordVotes) error {
	p, _ := r.State.Poll(c.Poll)
	if !p.Kind.Secret() {
		return nil
	}
	r.boxes[p.ID] = append(r.boxes[p.ID], r.pending...)
	for _, e := range r.Log[len(r.Log)-len(r.seqs[k]):] {
		if e.Type != meeting.EventPollVoted {
			continue
		}
		var v meeting.Voted
		if err := json.Unmarshal(e.Data, &v); err != nil {
			return fail(k, "secrecy", "poll.voted %s: %v", e.Data, err)
		}
		for _, x := range v.Voters {
			if x.Choice != "" || x.Spoiled {
				return fail(k, "secrecy", "secret poll %s: poll.voted carries a ballot: %s", p.ID, e.Data)
			}
		}
	}
	return nil
}

// cloneResult returns a deep copy of res, as the log would (through JSON).
func cloneResult(res meeting.Result) meeting.Result {
	b, err := json.Marshal(res)
	if err != nil {
		panic(err)
	}
	var out meeting.Result
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// commit checks the events of step k and folds them into the live state,
// the stored log and every replica.
func (r *Run) commit(k int, events []meeting.Event) error {
	if len(events) == 0 {
		return fail(k, "events", "Decide accepted and returned no event")
	}
	if i, err := meeting.VerifyChain(r.State.Seq, r.State.Head, events); err != nil {
		return fail(k, "chain", "event %d: %v", i, err)
	}
	for j, e := range events {
		if e.Meeting != r.State.ID || !e.At.Equal(r.now) {
			return fail(k, "events", "event %s of meeting %q at %s; want %q at %s", e.Type, e.Meeting, e.At, r.State.ID, r.now)
		}
		if err := meeting.Apply(r.State, e); err != nil {
			return fail(k, "apply", "Apply(%s %s) = %v", e.Type, e.Data, err)
		}
		// Through the log: encoded, decoded, the same hash and effect.
		b, err := json.Marshal(e)
		if err != nil {
			return fail(k, "events", "encode %s: %v", e.Type, err)
		}
		var back meeting.Event
		if err := json.Unmarshal(b, &back); err != nil {
			return fail(k, "events", "decode %s: %v", b, err)
		}
		if meeting.ComputeHash(back) != e.Hash {
			return fail(k, "chain", "event %s: another hash after a JSON round trip", b)
		}
		if err := meeting.Apply(r.stored, back); err != nil {
			return fail(k, "replay", "Apply(stored %s) = %v", b, err)
		}
		for _, rep := range r.replicas() {
			got := e.For(rep.v, r.State)
			if err := meeting.Apply(rep.s, got); err != nil {
				return fail(k, "view", "replica of %+v: Apply(%s) = %v", rep.v, got.Type, err)
			}
		}
		r.Log = append(r.Log, e)
		r.seqs[k] = append(r.seqs[k], e.Seq)
		r.bySeq[e.Seq] = [2]int{k, j}
	}
	if d := Diff(r.State, r.stored); d != "" {
		return fail(k, "replay", "the log as stored folds to another state, at %s (-live +stored):\n%s", d, cmp.Diff(r.State, r.stored))
	}
	r.devices()
	reps := r.replicas()
	if r.opts.ViewEvery > 1 && k%r.opts.ViewEvery != 0 {
		reps = reps[k%len(reps) : k%len(reps)+1]
	}
	return r.checkViews(k, reps)
}

// replicas returns every viewer's replica, the account's first, then the
// participants' in the order of the roll.
func (r *Run) replicas() []*replica {
	out := []*replica{r.account}
	for _, p := range r.State.Participants {
		if rep, ok := r.people[p.ID]; ok {
			out = append(out, rep)
		}
	}
	return out
}

// devices keeps the replicas of participants' devices, one for each class
// of viewer — the first participant of each role in the roll, a
// non-voting member apart — which is what View depends on, besides what is
// personal (notices, confidential documents, support requests to or of one
// participant, whom the generator picks at random). A new device folds
// the log so far (its hidden placeholders included); a removed
// participant's is dropped; one whose role changed reconnects from a
// snapshot, as the server makes it (close code 4002: a replay cannot
// correct the old role's view).
func (r *Run) devices() {
	for id, rep := range r.people {
		p, ok := r.State.Participant(id)
		switch {
		case !ok:
			delete(r.people, id)
		case p.Role != rep.v.Role:
			rep.v.Role = p.Role
			rep.s = meeting.View(r.State, rep.v)
		}
	}
	classes := map[string]bool{}
	for _, p := range r.State.Participants {
		if _, ok := r.people[p.ID]; ok {
			classes[string(p.Role)+strconv.FormatBool(p.NonVoting)] = true
		}
	}
	for _, p := range r.State.Participants {
		class := string(p.Role) + strconv.FormatBool(p.NonVoting)
		if _, ok := r.people[p.ID]; ok || classes[class] {
			continue
		}
		classes[class] = true
		rep := &replica{v: meeting.Viewer{Participant: p.ID, Role: p.Role}, s: &meeting.State{}}
		if r.hadOtherRole(p) {
			// The log as this viewer would see it now is not what any of
			// their devices saw: events of their earlier role were sent
			// or hidden by that role. The server never replays it to them
			// (a device that saw the old role is closed with 4002 and
			// starts again from a snapshot), so neither does the model.
			rep.s = meeting.View(r.State, rep.v)
			r.people[p.ID] = rep
			continue
		}
		rep.s, _ = meeting.ReplayFor(r.Log, rep.v) // checked against View below
		r.people[p.ID] = rep
	}
}

// hadOtherRole reports whether the log may have given participant p
// another role than the one p has now: whether p was ever updated (the
// event carries the new role only, so any update counts).
func (r *Run) hadOtherRole(p meeting.Participant) bool {
	for _, e := range r.Log {
		if e.Type != meeting.EventParticipantUpdated {
			continue
		}
		var u meeting.Participant
		if json.Unmarshal(e.Data, &u) == nil && u.ID == p.ID {
			return true
		}
	}
	return false
}

// checkViews compares replicas with View.
func (r *Run) checkViews(k int, reps []*replica) error {
	for _, rep := range reps {
		if view := meeting.View(r.State, rep.v); Diff(view, rep.s) != "" {
			return fail(k, "view", "replica of %+v differs from View at %s (-view +replica):\n%s", rep.v, Diff(view, rep.s), cmp.Diff(view, rep.s))
		}
	}
	return nil
}

// Finish checks the invariants of the whole log at the end of a run: the
// chain from the first event, Replay, every replica, the Check hook.
func (r *Run) Finish() error {
	if len(r.Log) == 0 {
		return nil
	}
	if i, err := meeting.VerifyChain(0, "", r.Log); err != nil {
		return fail(-1, "chain", "event %d: %v", i, err)
	}
	replayed, err := meeting.Replay(r.Log)
	if err != nil {
		return fail(-1, "replay", "Replay = %v", err)
	}
	if d := Diff(replayed, r.State); d != "" {
		return fail(-1, "replay", "Replay(log) differs from the live state at %s (-live +replayed):\n%s", d, cmp.Diff(r.State, replayed))
	}
	if err := r.checkViews(-1, r.replicas()); err != nil {
		return err
	}
	if r.opts.Check != nil {
		if err := r.opts.Check(r, ""); err != nil {
			return fail(-1, "check", "at the end: %v", err)
		}
	}
	return nil
}

// pollOpening is what the roll says before a poll opens.
type pollOpening struct {
	roll     meeting.Roll
	quorum   meeting.Quorum
	eligible []string
}

// opening returns the roll before poll id opens.
func (r *Run) opening(id string) *pollOpening {
	o := &pollOpening{roll: meeting.RollOf(r.State), quorum: meeting.QuorumOf(r.State)}
	for _, p := range r.State.Participants {
		if a, ok := r.State.Attendance[p.ID]; ok && p.Entitled() && a.In() {
			o.eligible = append(o.eligible, p.ID)
		}
	}
	return o
}

// checkOpening checks what poll id froze when it opened against the roll
// just before.
func (r *Run) checkOpening(k int, id string, o *pollOpening) error {
	p, _ := r.State.Poll(id)
	m := o.roll.Members
	switch {
	case !slices.Equal(p.Eligible, o.eligible):
		return fail(k, "base", "poll %s opened with eligible voters %v; the members at the meeting were %v", id, p.Eligible, o.eligible)
	case len(p.Eligible) != m.Present:
		return fail(k, "base", "poll %s: %d eligible; the roll counts %d members present", id, len(p.Eligible), m.Present)
	case p.Entitled != m.Listed || p.Summoned != o.roll.Summoned() || p.Summoned != m.Listed-m.Excused:
		return fail(k, "base", "poll %s: entitled %d summoned %d; the roll: listed %d, excused %d", id, p.Entitled, p.Summoned, m.Listed, m.Excused)
	case p.QuorumMet != o.quorum.Met:
		return fail(k, "base", "poll %s: quorum met %v; the quorum was %+v", id, p.QuorumMet, o.quorum)
	}
	r.opened[id] = o.roll
	return nil
}

// checkState checks the invariants of the live state.
func (r *Run) checkState(k int) error {
	s := r.State
	if err := CheckRoll(s); err != nil {
		return fail(k, "base", "%v", err)
	}
	for _, p := range s.Polls {
		if err := r.checkPoll(p); err != nil {
			return fail(k, "poll", "%v", err)
		}
	}
	for _, b := range s.Bodies {
		if !b.Approved() {
			continue
		}
		p, ok := s.Poll(b.Poll)
		if !ok || p.Kind != meeting.PollOpen || p.Body != b.Kind || p.Status != meeting.PollStatusPublished || p.Result == nil || !p.Result.Passed {
			return fail(k, "body", "body %s approved by poll %s, which is not a passed, published open vote on it: %+v", b.Kind, b.Poll, p)
		}
	}
	if err := CheckFloor(s); err != nil { // gen_floor.go
		return fail(k, "floor", "%v", err)
	}
	if m := s.Minutes; m.Final() && m.Revision != 1+len(m.Corrections) {
		return fail(k, "minutes", "revision %d with %d corrections", m.Revision, len(m.Corrections))
	}
	return nil
}

// checkPoll checks one poll's voters and count.
func (r *Run) checkPoll(p meeting.Poll) error {
	seen := map[string]bool{}
	for _, v := range p.Voters {
		if seen[v.Participant] {
			return fmt.Errorf("poll %s: %s voted twice", p.ID, v.Participant)
		}
		seen[v.Participant] = true
		if !p.IsEligible(v.Participant) {
			return fmt.Errorf("poll %s: %s voted and is not eligible", p.ID, v.Participant)
		}
	}
	if p.Voted != len(p.Voters) {
		return fmt.Errorf("poll %s: %d voted, %d voters", p.ID, p.Voted, len(p.Voters))
	}
	if p.Kind.Secret() && p.Status == meeting.PollStatusOpen && len(r.boxes[p.ID]) != p.Voted {
		return fmt.Errorf("poll %s: the box holds %d ballots for %d voters", p.ID, len(r.boxes[p.ID]), p.Voted)
	}
	if !p.OpenedAt.IsZero() {
		roll, ok := r.opened[p.ID]
		if !ok || p.Entitled != roll.Members.Listed || p.Summoned != roll.Summoned() || len(p.Eligible) != roll.Members.Present {
			return fmt.Errorf("poll %s: entitled %d, summoned %d, eligible %d; the roll at its opening: %+v", p.ID, p.Entitled, p.Summoned, len(p.Eligible), roll.Members)
		}
	}
	counted, closed := r.counted[p.ID]
	switch p.Status {
	case meeting.PollStatusClosed, meeting.PollStatusPublished:
		if !closed || p.Result == nil {
			return fmt.Errorf("poll %s is %s without the count of its close", p.ID, p.Status)
		}
		d := &differ{}
		if d.result(field(nil, "Result"), p.Result, &counted); d.path != "" {
			return fmt.Errorf("poll %s: the result changed since the close:\n%s", p.ID, cmp.Diff(counted, *p.Result))
		}
	case meeting.PollStatusDraft, meeting.PollStatusOpen:
		if p.Result != nil {
			return fmt.Errorf("poll %s is %s with a result", p.ID, p.Status)
		}
	}
	if res := p.Result; res != nil {
		voted, issued := p.Voted, len(p.Eligible)
		if p.Paper { // the committee's counts: returned and issued
			voted, issued = -1, -1
			if pc := p.PaperCount; pc != nil && pc.Recorded {
				voted, issued = pc.Returned, pc.Issued
			}
		}
		if res.Cast != voted || res.Issued != issued || res.Entitled != p.Entitled || res.Summoned != p.Summoned || res.Valid+res.Invalid != res.Cast {
			return fmt.Errorf("poll %s: result issued %d cast %d (valid %d, invalid %d), entitled %d summoned %d; the poll: %d eligible, %d voted, %d entitled, %d summoned",
				p.ID, res.Issued, res.Cast, res.Valid, res.Invalid, res.Entitled, res.Summoned, len(p.Eligible), p.Voted, p.Entitled, p.Summoned)
		}
		if err := CheckPercents(*res); err != nil {
			return fmt.Errorf("poll %s: %v", p.ID, err)
		}
	}
	return nil
}

// CheckRoll checks that the roll of s adds up and agrees with a count of
// its participants made here, and that the quorum is its rule over its
// base.
func CheckRoll(s *meeting.State) error {
	roll := meeting.RollOf(s)
	var members, nonVoting, guests meeting.RollCount
	inHall, remote := 0, 0
	for _, p := range s.Participants {
		a, recorded := s.Attendance[p.ID]
		c := &members
		switch {
		case p.Role == meeting.RoleHall || p.Role == meeting.RoleTechnician: // devices: not on the roll
			continue
		case p.Role == meeting.RoleObserver:
			c = &guests
		case p.NonVoting:
			c = &nonVoting
		}
		c.Listed++
		if len(a.Visits) > 0 {
			c.Attended++
		}
		here := recorded && (a.Status == meeting.AttendancePresent || a.Status == meeting.AttendanceRemote) && a.CheckedOut.IsZero() && len(a.Visits) > 0
		switch {
		case !recorded:
			c.NotRecorded++
		case here:
			c.Present++
			if c == &members {
				if a.Status == meeting.AttendanceRemote {
					remote++
				} else {
					inHall++
				}
			}
		case a.Status == meeting.AttendanceExcused:
			c.Excused++
		case a.Status == meeting.AttendanceAbsent:
			c.Absent++
		default:
			c.Left++
		}
	}
	for id := range s.Attendance {
		if _, ok := s.Participant(id); !ok {
			return fmt.Errorf("an attendance record of %s, who is not a participant", id)
		}
	}
	for _, x := range []struct {
		name      string
		got, want meeting.RollCount
	}{{"members", roll.Members, members}, {"non-voting", roll.NonVoting, nonVoting}, {"guests", roll.Guests, guests}} {
		if x.got != x.want {
			return fmt.Errorf("roll of the %s: %+v; counted %+v", x.name, x.got, x.want)
		}
		c := x.got
		if c.Listed != c.Present+c.Excused+c.Absent+c.Left+c.NotRecorded || c.Present > c.Attended || c.Attended > c.Listed {
			return fmt.Errorf("roll of the %s does not add up: %+v", x.name, c)
		}
	}
	sites := 0
	for _, sc := range roll.Sites {
		sites += sc.Present
	}
	if roll.InHall != inHall || roll.Remote != remote || sites != remote {
		return fmt.Errorf("roll: %d in the hall, %d remote (%d by site); counted %d and %d", roll.InHall, roll.Remote, sites, inHall, remote)
	}
	q := meeting.QuorumOf(s)
	base := members.Listed
	if q.Rule.Base == meeting.QuorumOfSummoned {
		base -= members.Excused
	}
	switch {
	case q.Entitled != members.Listed || q.Present != members.Present || q.Excused != members.Excused || q.Absent != members.Absent ||
		q.Left != members.Left || q.NotRecorded != members.NotRecorded || q.InHall != inHall || q.Remote != remote:
		return fmt.Errorf("quorum %+v; the roll's members %+v", q, members)
	case q.Base != base:
		return fmt.Errorf("quorum base %d; want %d (%s)", q.Base, base, q.Rule.Base)
	case q.Met != Reached(q.Rule.Threshold, q.Present, q.Base):
		return fmt.Errorf("quorum met %v with %d present of %d under %+v", q.Met, q.Present, q.Base, q.Rule)
	case q.Base > 0 && (!Reached(q.Rule.Threshold, q.Required, q.Base) || Reached(q.Rule.Threshold, q.Required-1, q.Base)):
		return fmt.Errorf("quorum requires %d of %d under %+v: not the smallest count that reaches it", q.Required, q.Base, q.Rule)
	}
	return nil
}

// CheckPercents checks the state layout's apportionment of every row of
// res (docs/rules.md §4: two decimals, adjusted to total 100%) against its
// counts: meeting.PercentsOf(counts, base, true) totals exactly 100.00%
// when the counts make up the base, moves each percentage by at most its
// rounding (the exact value rounded down, or up by one hundredth), gives
// the hundredths to the largest remainders, and changes nothing when the
// counts do not make up the base.
func CheckPercents(res meeting.Result) error {
	var rows [][]int
	var bases []int
	if len(res.Options) > 0 {
		var c []int
		for _, o := range res.Options {
			c = append(c, o.Votes)
		}
		rows, bases = append(rows, c), append(bases, res.BaseCount)
	}
	for _, s := range res.Subjects {
		var c []int
		for _, l := range s.Levels {
			c = append(c, l.Votes)
		}
		rows, bases = append(rows, c), append(bases, s.BaseCount)
	}
	for i, counts := range rows {
		if err := checkApportion(counts, bases[i]); err != nil {
			return err
		}
	}
	return nil
}

// checkApportion checks PercentsOf(counts, base, true).
func checkApportion(counts []int, base int) error {
	if err := CheckShares(counts, base, meeting.PercentsOf(counts, base, true), true); err != nil {
		return fmt.Errorf("PercentsOf: %v", err)
	}
	return nil
}

// CheckShares checks the percentages shares printed for counts over base
// by docs/rules.md §4: two decimals, each count's exact share rounded half
// up; adjusted (the state layout), shares of counts that make up the base
// total exactly 100.00%, each the exact share rounded down or up by one
// hundredth, the hundredths going to the largest remainders.
func CheckShares(counts []int, base int, shares []meeting.Percent, adjusted bool) error {
	if len(shares) != len(counts) {
		return fmt.Errorf("%d shares for %d counts", len(shares), len(counts))
	}
	sum, total := 0, 0
	for _, c := range counts {
		sum += c
	}
	if !adjusted || base <= 0 || sum != base {
		for i, c := range counts {
			if shares[i] != Percent(c, base) {
				return fmt.Errorf("shares %v of %v over %d: %d/%d is %s rounded half up", shares, counts, base, c, base, Percent(c, base))
			}
		}
		return nil
	}
	lowestBumped, highestKept := -1, -1
	for i, c := range counts {
		floor, rem := c*10000/base, c*10000%base
		switch int(shares[i]) {
		case floor:
			if rem > 0 && (highestKept < 0 || rem > highestKept) {
				highestKept = rem
			}
		case floor + 1:
			if lowestBumped < 0 || rem < lowestBumped {
				lowestBumped = rem
			}
		default:
			return fmt.Errorf("shares %v of %v over %d: %d/%d is %d.%02d%% rounded, not %s", shares, counts, base, c, base, floor/100, floor%100, shares[i])
		}
		total += int(shares[i])
	}
	if total != 10000 {
		return fmt.Errorf("shares %v of %v over %d total %d.%02d%%, not 100%%", shares, counts, base, total/100, total%100)
	}
	if lowestBumped >= 0 && highestKept > lowestBumped {
		return fmt.Errorf("shares %v of %v over %d: a hundredth went to a smaller remainder", shares, counts, base)
	}
	return nil
}
