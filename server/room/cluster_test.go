package room

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
)

// Two nodes serve one meeting: two Registries over one log, one ballot box
// and one key vault, as two phonghop processes over one PostgreSQL database
// and one S3 bucket. (The real stores are tested by storetest and the
// many-node end-to-end test; these tests pin the room's own logic.)

type node struct {
	reg *Registry
	sub *sub
}

// twoNodes returns nodes A and B; A created meeting m1 with n delegates and
// an open poll of kind; both have the room loaded, each with a hall
// subscriber recording what it is sent.
func twoNodes(t *testing.T, kind meeting.PollKind, n int, flush time.Duration) (a, b node, poll string, voters []meeting.Actor) {
	t.Helper()
	log, box, keys := newMemLog(), newMemBox(), newMemKeys()
	mk := func() node {
		opts := quiet()
		opts.Box, opts.Keys, opts.FlushInterval = box, keys, flush
		return node{reg: NewRegistry(log, opts), sub: &sub{v: meeting.Viewer{Role: meeting.RoleHall}}}
	}
	a, b = mk(), mk()
	ctx := context.Background()
	ra, err := a.reg.Create(ctx, "m1", secretary, meeting.Details{Title: "Đại hội hai điểm cầu"})
	if err != nil {
		t.Fatal(err)
	}
	var rows []meeting.NewParticipant
	for i := 0; i < n; i++ {
		rows = append(rows, meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i)})
	}
	submit(t, ra, &meeting.ImportParticipants{Rows: rows})
	submit(t, ra, &meeting.OpenMeeting{})
	for _, p := range ra.State().Participants {
		actor := meeting.Actor{ID: "participant:" + p.ID, Role: meeting.RoleDelegate, Participant: p.ID}
		if _, err := ra.Submit(ctx, actor, &meeting.CheckIn{}); err != nil {
			t.Fatal(err)
		}
		voters = append(voters, actor)
	}
	submit(t, ra, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua nghị quyết?", Kind: kind}})
	poll = ra.State().Polls[0].ID
	submit(t, ra, &meeting.OpenPoll{ID: poll})
	rb, err := b.reg.Get(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	subscribe(t, ra, a.sub, ra.State().Seq, ra.Epoch())
	subscribe(t, rb, b.sub, rb.State().Seq, rb.Epoch())
	return a, b, poll, voters
}

func (n node) room(t *testing.T) *Room {
	t.Helper()
	r, err := n.reg.Get(context.Background(), "m1")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStaleNodeDecidesAgain: a command on a node that has not seen the
// other node's last commit loses the append race, catches up and is decided
// on the new state; both nodes end with the same log and publish every
// event once, in order.
func TestStaleNodeDecidesAgain(t *testing.T) {
	a, b, _, _ := twoNodes(t, meeting.PollOpen, 3, time.Hour)
	ra, rb := a.room(t), b.room(t)
	submit(t, ra, &meeting.AddItem{Title: "Báo cáo chính trị"})
	// B has not caught up; its command still commits, after A's.
	evs := submit(t, rb, &meeting.AddItem{Title: "Thảo luận"})
	if evs[0].Seq != ra.State().Seq+1 {
		t.Errorf("B's event has seq %d; want %d (after A's commit)", evs[0].Seq, ra.State().Seq+1)
	}
	if err := ra.CatchUp(context.Background(), evs[len(evs)-1].Seq); err != nil {
		t.Fatal(err)
	}
	if sa, sb := ra.State(), rb.State(); sa.Seq != sb.Seq || sa.Head != sb.Head || len(sa.Agenda) != 2 || len(sb.Agenda) != 2 {
		t.Fatalf("A at %d (%d items), B at %d (%d items); want the same head and both items", sa.Seq, len(sa.Agenda), sb.Seq, len(sb.Agenda))
	}
	// A caught-up command that the new state refuses is refused, not
	// appended: the item B already removed cannot be removed again.
	item := rb.State().Agenda[0].ID
	submit(t, rb, &meeting.RemoveItem{ID: item})
	if _, err := ra.Submit(context.Background(), secretary, &meeting.RemoveItem{ID: item}); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("removing on the stale node an item the other removed = %v; want not found after catching up", err)
	}
	for _, n := range []node{a, b} {
		var last int64
		for _, m := range n.sub.lines() {
			if m["type"] != "event" {
				continue
			}
			seq := int64(m["event"].(map[string]any)["seq"].(float64))
			if seq != last+1 && last != 0 {
				t.Errorf("a subscriber got seq %d after %d", seq, last)
			}
			last = seq
		}
		if want := n.room(t).State().Seq; last != want {
			t.Errorf("a subscriber's last event is %d; want %d", last, want)
		}
	}
}

// TestLosingNodeGetsThrough: another node appends to the meeting just
// before every optimistic append of node B, and between B's commands (a
// check-in storm split over two nodes, where A always has the next command
// ready): every command on B still commits, decided on the state that
// includes A's events, and B publishes every event once, in order.
func TestLosingNodeGetsThrough(t *testing.T) {
	a, b, _, voters := twoNodes(t, meeting.PollOpen, 12, time.Hour)
	ra, rb := a.room(t), b.room(t)
	log := ra.log.(*memLog)
	ctx := context.Background()
	// Before every optimistic append of B, A adds an agenda item: B's view
	// is always one commit old when it appends.
	items, busy := 0, false
	addOnA := func() {
		items++
		submit(t, ra, &meeting.AddItem{Title: fmt.Sprintf("Mục %d", items)})
	}
	log.rival = func() {
		if busy {
			return // A's own append
		}
		busy = true
		defer func() { busy = false }()
		addOnA()
	}
	for i, v := range voters {
		busy = true
		addOnA() // and between B's commands
		busy = false
		if _, err := rb.Submit(ctx, v, &meeting.CheckOut{}); err != nil {
			t.Fatalf("command %d on B (losing every optimistic race) = %v; want it committed", i, err)
		}
	}
	log.rival = nil
	sb := rb.State()
	if len(sb.Agenda) != items {
		t.Errorf("B sees %d agenda items; want A's %d", len(sb.Agenda), items)
	}
	if q := meeting.QuorumOf(sb); q.Present != 0 {
		t.Errorf("B: %d present after every check-out; want 0", q.Present)
	}
	var last int64
	for _, m := range b.sub.lines() {
		if m["type"] != "event" {
			continue
		}
		seq := int64(m["event"].(map[string]any)["seq"].(float64))
		if last != 0 && seq != last+1 {
			t.Errorf("B's subscriber got seq %d after %d", seq, last)
		}
		last = seq
	}
	if last != sb.Seq {
		t.Errorf("B's subscriber's last event is %d; want %d", last, sb.Seq)
	}
}

// TestStaleNodeRefusesOnlyOnTheLatestState: B has not yet heard of A's
// last commits (its notification is still on the way). What B would refuse
// on its old state but the latest state allows goes through: removing an
// item A just added, a ballot in a poll A just opened. A tablet that saw
// A's events and moves to B resumes by seq (B catches up first), not with
// an older snapshot.
func TestStaleNodeRefusesOnlyOnTheLatestState(t *testing.T) {
	a, b, _, voters := twoNodes(t, meeting.PollOpen, 3, time.Hour)
	ra, rb := a.room(t), b.room(t)
	ctx := context.Background()
	submit(t, ra, &meeting.AddItem{Title: "Thông qua nghị quyết"})
	item := ra.State().Agenda[0]
	if _, err := rb.Submit(ctx, secretary, &meeting.RemoveItem{ID: item.ID}); err != nil {
		t.Errorf("on the stale node, removing the item the other node just added = %v; want it removed", err)
	}
	submit(t, ra, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Biểu quyết lần hai?", Kind: meeting.PollOpen}})
	poll := ra.State().Polls[1].ID
	submit(t, ra, &meeting.OpenPoll{ID: poll})
	if err := rb.Cast(ctx, voters[0], poll, "k", meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
		t.Errorf("on the stale node, a ballot in the poll the other node just opened = %v; want it stored", err)
	}
	// A participant added on A is found on B (a tablet paired through B
	// with a code issued on A), and a document uploaded on A.
	added := submit(t, ra, &meeting.ImportParticipants{Rows: []meeting.NewParticipant{{Name: "Đại biểu Mới Đến"}}})
	var np meeting.Participant
	for _, p := range ra.State().Participants {
		if p.Name == "Đại biểu Mới Đến" {
			np = p
		}
	}
	if _, ok, err := rb.FindParticipant(ctx, np.ID); !ok || err != nil || len(added) == 0 {
		t.Errorf("FindParticipant on the stale node of one just added on the other = %v, %v; want found", ok, err)
	}
	// A tablet on A has everything A committed; it moves to B, which has
	// not caught up yet.
	notice := submit(t, ra, &meeting.SendNotice{Text: "Nghỉ giải lao 15 phút."})
	head := notice[len(notice)-1].Seq
	moved := &sub{v: meeting.Viewer{Role: meeting.RoleHall}}
	subscribe(t, rb, moved, head, ra.Epoch())
	for _, m := range moved.lines() {
		if m["type"] == "snapshot" {
			t.Errorf("a subscriber at seq %d moving to the stale node got a snapshot; want it to resume by seq", head)
		}
		if m["type"] == "synced" && int64(m["seq"].(float64)) != head {
			t.Errorf("synced at %v; want %d", m["seq"], head)
		}
	}
}

// TestBallotsOnTwoNodesCountedOnce: voters cast on both nodes, some retry
// through the other node; the close on B counts every acknowledged ballot
// exactly once, including those A stored but never recorded in the log (A
// "died" before flushing), and a ballot that reaches A after B closed is
// not counted.
func TestBallotsOnTwoNodesCountedOnce(t *testing.T) {
	a, b, poll, voters := twoNodes(t, meeting.PollSecret, 10, time.Hour) // no flush: A never records
	ra, rb := a.room(t), b.room(t)
	ctx := context.Background()
	agree, disagree := meeting.Ballot{Choice: meeting.ChoiceAgree}, meeting.Ballot{Choice: meeting.ChoiceDisagree}
	for i, v := range voters[:8] {
		r, bal := ra, agree
		if i%2 == 1 {
			r, bal = rb, disagree
		}
		if err := r.Cast(ctx, v, poll, fmt.Sprint("k", i), bal); err != nil {
			t.Fatalf("Cast %d = %v", i, err)
		}
	}
	// A retry through the other node with the same key gets the original
	// answer; another key is a second ballot, refused.
	if err := rb.Cast(ctx, voters[0], poll, "k0", agree); err != nil {
		t.Errorf("retry of A's ballot through B = %v; want nil", err)
	}
	if err := rb.Cast(ctx, voters[0], poll, "other", disagree); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("second ballot through B = %v; want conflict", err)
	}
	// The box holds sealed data only: no plain ballot while the poll is open.
	box := ra.opts.Box.(*memBox)
	for _, s := range box.ballots[poll] {
		if !ballotseal.Sealed(s.Data) || s.Participant != "" {
			t.Fatalf("stored secret ballot %q (voter %q); want sealed, no voter", s.Data, s.Participant)
		}
		// "agree" and "disagree" must not differ in length once sealed.
		if len(s.Data) != len(box.ballots[poll][0].Data) {
			t.Fatalf("sealed ballots of %d and %d bytes: the length tells the choice", len(s.Data), len(box.ballots[poll][0].Data))
		}
	}
	if _, err := rb.ClosePoll(ctx, secretary, poll); err != nil {
		t.Fatal(err)
	}
	// A has not caught up: it still thinks the poll is open. The box is
	// closed for every node, so the ballot is not counted.
	if err := ra.Cast(ctx, voters[8], poll, "late", agree); err != ErrNotCounted {
		t.Errorf("a ballot on A after B closed = %v; want ErrNotCounted", err)
	}
	// …but a retry of a ballot stored before the close is still counted.
	if err := ra.Cast(ctx, voters[2], poll, "k2", agree); err != nil {
		t.Errorf("a retry on A of a ballot stored before the close = %v; want nil", err)
	}
	p, _ := rb.State().Poll(poll)
	if p.Result == nil || p.Result.Cast != 8 || p.Voted != 8 {
		t.Fatalf("result %+v, voted %d; want 8 ballots counted once", p.Result, p.Voted)
	}
	var yes, no int
	for _, o := range p.Result.Options {
		switch o.Choice {
		case meeting.ChoiceAgree:
			yes = o.Votes
		case meeting.ChoiceDisagree:
			no = o.Votes
		}
	}
	if yes != 4 || no != 4 {
		t.Errorf("agree %d, disagree %d; want 4 and 4", yes, no)
	}
	// Finalised: plain ballots, key destroyed.
	if !box.finalised[poll] {
		t.Error("the box was not finalised at the close")
	}
	for _, s := range box.ballots[poll] {
		if ballotseal.Sealed(s.Data) {
			t.Error("a sealed ballot remains after the close")
		}
	}
	if k, _ := ra.opts.Keys.Lookup(ctx, "m1", poll); k != nil {
		t.Error("the poll's key still exists after the close")
	}
	if err := ra.CatchUp(ctx, -1); err != nil {
		t.Fatal(err)
	}
	if pa, _ := ra.State().Poll(poll); pa.Status != meeting.PollStatusClosed || pa.Result.Cast != 8 {
		t.Errorf("A after catching up: %s, %+v; want closed with B's result", pa.Status, pa.Result)
	}
}

// TestRetryThroughNodeThatSawTheVote: a ballot stored through B and
// recorded in the log; its retry through A, whose account of the box
// predates it but whose state shows the voter voted, gets the original
// answer (recorded), not "already voted"; another key is a second ballot.
func TestRetryThroughNodeThatSawTheVote(t *testing.T) {
	a, b, poll, voters := twoNodes(t, meeting.PollSecret, 3, time.Hour)
	ra, rb := a.room(t), b.room(t)
	ctx := context.Background()
	agree := meeting.Ballot{Choice: meeting.ChoiceAgree}
	// Both nodes have loaded the poll's box.
	if err := ra.Cast(ctx, voters[0], poll, "k0", agree); err != nil {
		t.Fatal(err)
	}
	if err := rb.Cast(ctx, voters[1], poll, "k1", agree); err != nil {
		t.Fatal(err)
	}
	if err := rb.Cast(ctx, voters[2], poll, "k2", agree); err != nil {
		t.Fatal(err)
	}
	rb.mu.Lock()
	rb.flushLocked(ctx) // B records its voters in the log
	rb.mu.Unlock()
	if err := ra.CatchUp(ctx, -1); err != nil {
		t.Fatal(err)
	}
	if p, _ := ra.State().Poll(poll); !p.HasVoted(voters[2].Participant) {
		t.Fatal("A's state does not show the voter B recorded")
	}
	if err := ra.Cast(ctx, voters[2], poll, "k2", agree); err != nil {
		t.Errorf("retry through A of a ballot B stored and recorded = %v; want nil (recorded)", err)
	}
	if err := ra.Cast(ctx, voters[2], poll, "other", agree); meeting.KindOf(err) != meeting.KindConflict {
		t.Errorf("another ballot of that voter through A = %v; want conflict", err)
	}
}

// TestTwoNodesCloseOnePoll: the secretaries on A and B close the same
// secret poll at the same moment. Exactly one close is recorded, with
// every ballot counted once; the other close is answered that the poll is
// already closed (not an internal error); the ballots are finalised and
// the key destroyed once.
func TestTwoNodesCloseOnePoll(t *testing.T) {
	for round := range 20 {
		a, b, poll, voters := twoNodes(t, meeting.PollSecret, 8, time.Hour)
		ra, rb := a.room(t), b.room(t)
		ctx := context.Background()
		for i, v := range voters {
			r := ra // in odd rounds B has taken no ballot: it has not the key at hand
			if i%2 == 1 && round%2 == 0 {
				r = rb
			}
			if err := r.Cast(ctx, v, poll, fmt.Sprint("k", i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
				t.Fatal(err)
			}
		}
		var errs [2]error
		var wg sync.WaitGroup
		for i, r := range []*Room{ra, rb} {
			wg.Go(func() { _, errs[i] = r.ClosePoll(ctx, secretary, poll) })
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case meeting.KindOf(err) != meeting.KindConflict:
				t.Errorf("round %d: the close on node %d = %v; want nil or a conflict (already closed)", round, i, err)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d closes succeeded (%v); want exactly one", round, ok, errs)
		}
		closed := 0
		evs, _ := ra.log.Events(ctx, "m1", 0, 0)
		for _, e := range evs {
			if e.Type == meeting.EventPollClosed {
				closed++
			}
		}
		if err := ra.CatchUp(ctx, -1); err != nil {
			t.Fatal(err)
		}
		p, _ := ra.State().Poll(poll)
		if closed != 1 || p.Result == nil || p.Result.Cast != len(voters) {
			t.Errorf("round %d: %d poll.closed events, result %+v; want one, with %d ballots", round, closed, p.Result, len(voters))
		}
		if k, _ := ra.opts.Keys.Lookup(ctx, "m1", poll); k != nil || !ra.opts.Box.(*memBox).finalised[poll] {
			t.Errorf("round %d: key left %v, finalised %v; want destroyed and finalised", round, k != nil, ra.opts.Box.(*memBox).finalised[poll])
		}
		if t.Failed() {
			return
		}
	}
}

// TestVotedBatchesSorted: a batch of recorded voters is sorted by
// participant, not in the order they voted.
func TestVotedBatchesSorted(t *testing.T) {
	a, _, poll, voters := twoNodes(t, meeting.PollSecret, 6, time.Hour)
	ra := a.room(t)
	ctx := context.Background()
	for i := len(voters) - 1; i >= 0; i-- { // cast in reverse order
		if err := ra.Cast(ctx, voters[i], poll, fmt.Sprint("k", i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
			t.Fatal(err)
		}
	}
	ra.mu.Lock()
	ra.flushLocked(ctx)
	ra.mu.Unlock()
	var got []string
	for _, m := range a.sub.lines() {
		e, ok := m["event"].(map[string]any)
		if !ok || e["type"] != meeting.EventPollVoted {
			continue
		}
		for _, v := range e["data"].(map[string]any)["voters"].([]any) {
			got = append(got, v.(map[string]any)["participant"].(string))
		}
	}
	if len(got) == 0 {
		// The hall does not see who voted in a secret poll: read the log.
		evs, _ := ra.log.Events(ctx, "m1", 0, 0)
		for _, e := range evs {
			if e.Type == meeting.EventPollVoted {
				var v meeting.Voted
				if err := json.Unmarshal(e.Data, &v); err != nil {
					t.Fatal(err)
				}
				for _, x := range v.Voters {
					got = append(got, x.Participant)
				}
			}
		}
	}
	if len(got) != len(voters) {
		t.Fatalf("recorded %d voters; want %d", len(got), len(voters))
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] > got[i] {
			t.Fatalf("voters recorded as %v; want sorted by participant", got)
		}
	}
}
