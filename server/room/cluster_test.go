package room

import (
	"context"
	"encoding/json"
	"fmt"
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
