package room

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// order records, across subscribers, the order in which frames were queued
// and answers were given.
type order struct {
	mu   sync.Mutex
	seen []string
}

func (o *order) note(who string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, who)
}

func (o *order) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.seen...)
}

// orderedSub is a subscriber that notes in a shared order when a frame is
// queued to it.
type orderedSub struct {
	sub
	name string
	o    *order
}

func (s *orderedSub) Send(b []byte) bool {
	s.o.note(s.name)
	return s.sub.Send(b)
}

// hall subscribes a console (the secretary) and n tablets, all recording
// into one order; it returns the console and the tablets.
func hall(t *testing.T, r *Room, o *order, n int) (*orderedSub, []*orderedSub) {
	t.Helper()
	console := &orderedSub{sub: sub{v: meeting.Viewer{Role: meeting.RoleSecretary}}, name: "console", o: o}
	subscribe(t, r, &console.sub, 0, "") // the catch-up is not recorded
	r.mu.Lock()
	delete(r.subs, &console.sub)
	r.subs[console] = struct{}{}
	r.mu.Unlock()
	var tablets []*orderedSub
	for i := range n {
		s := &orderedSub{sub: sub{v: meeting.Viewer{Role: meeting.RoleHall}}, name: fmt.Sprint("tablet", i), o: o}
		r.mu.Lock()
		r.subs[s] = struct{}{}
		r.mu.Unlock()
		tablets = append(tablets, s)
	}
	return console, tablets
}

// TestOriginFirst: the subscriber whose command a commit carries out has its
// frame queued before any other subscriber's, and its answer (Ack) right
// after, before the fan-out to the rest of the hall. The subscribers are a
// map: without the origin, the console would come first once in 65 commits.
func TestOriginFirst(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet())
	o := &order{}
	console, tablets := hall(t, r, o, 64)
	for i := range 5 {
		o.mu.Lock()
		o.seen = nil
		o.mu.Unlock()
		var acked []meeting.Event
		ctx := WithOrigin(context.Background(), &Origin{Sub: console, Ack: func(events []meeting.Event) {
			o.note("ack")
			acked = events
		}})
		events, err := r.Submit(ctx, secretary, &meeting.AddItem{Title: fmt.Sprintf("Mục %d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		seen := o.list()
		if len(seen) != 2+len(tablets) || seen[0] != "console" || seen[1] != "ack" {
			t.Fatalf("commit %d: queued in the order %v…; want the console, its answer, then the %d tablets", i+1, seen[:min(4, len(seen))], len(tablets))
		}
		if len(acked) != len(events) || acked[0].Seq != events[0].Seq {
			t.Errorf("commit %d: answered with %d events; want the command's %d", i+1, len(acked), len(events))
		}
	}
	// Every subscriber still has every commit, in order.
	want := strings.Repeat("event:agenda.item_added ", 5)
	for _, s := range append([]*orderedSub{console}, tablets[:3]...) {
		got := strings.Join(s.types(), " ") + " "
		if !strings.HasSuffix(got, want) {
			t.Errorf("%s received %q; want it to end with %q", s.name, got, want)
		}
	}
}

// TestOriginNotAnsweredEarly: a refused command, one that changes nothing,
// and a command whose origin is not subscribed are not answered through
// Ack (the sender answers when the command returns).
func TestOriginNotAnsweredEarly(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet())
	o := &order{}
	console, _ := hall(t, r, o, 3)
	acks := 0
	origin := &Origin{Sub: console, Ack: func([]meeting.Event) { acks++ }}
	ctx := WithOrigin(context.Background(), origin)
	if _, err := r.Submit(ctx, secretary, &meeting.AddItem{}); meeting.KindOf(err) != meeting.KindInvalid {
		t.Fatalf("an item without a title = %v; want invalid", err)
	}
	r.Unsubscribe(console)
	if _, err := r.Submit(ctx, secretary, &meeting.AddItem{Title: "Khai mạc"}); err != nil {
		t.Fatal(err)
	}
	if acks != 0 {
		t.Errorf("Ack called %d times; want never", acks)
	}
}

// countingBox is a memBox that counts reads of the ballots.
type countingBox struct {
	*memBox
	mu    sync.Mutex
	reads int
}

func (b *countingBox) Ballots(ctx context.Context, m, poll string) ([]store.StoredBallot, error) {
	b.mu.Lock()
	b.reads++
	b.mu.Unlock()
	return b.memBox.Ballots(ctx, m, poll)
}

// TestClosePublishSecretPoll: poll.close with publish of a secret poll is
// one commit (one frame to each subscriber: closed, counted, published,
// the results hidden from the tablet until published, then public), goes
// to the console first and is not answered before the clean-up; the
// ballots, all stored through this room, are counted from the room's
// counts without reading them back; the box holds them, rewritten, after.
func TestClosePublishSecretPoll(t *testing.T) {
	box := &countingBox{memBox: newMemBox()}
	r, poll, voters := votingRoom(t, newMemLog(), box.memBox, meeting.PollSecret, 12)
	r.opts.Box = box
	ctx := context.Background()
	choices := []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}
	for i, v := range voters {
		if err := r.Cast(ctx, v, poll, fmt.Sprint("k", i), meeting.Ballot{Choice: choices[i%4]}); err != nil {
			t.Fatal(err)
		}
	}
	o := &order{}
	console, tablets := hall(t, r, o, 20)
	tablet := &tablets[0].sub
	tablet.v = meeting.Viewer{Participant: voters[0].Participant, Role: meeting.RoleDelegate}
	before := len(tablet.msgs)
	acks := 0
	events, err := r.Submit(WithOrigin(ctx, &Origin{Sub: console, Ack: func([]meeting.Event) { acks++ }}), secretary,
		&meeting.ClosePoll{ID: poll, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	if got := strings.Join(types, " "); got != "poll.voted poll.progress poll.closed poll.counted poll.published" &&
		got != "poll.closed poll.counted poll.published" {
		t.Errorf("events %q; want poll.closed poll.counted poll.published (after the last voters recorded)", got)
	}
	if seen := o.list(); seen[0] != "console" {
		t.Errorf("the close went to %s first; want the console", seen[0])
	}
	if acks != 0 {
		t.Errorf("a secret poll's close answered %d times before its clean-up; want none", acks)
	}
	frames := tablet.msgs[before:]
	last := string(frames[len(frames)-1])
	if len(strings.Split(last, "\n")) != 3 || !strings.Contains(last, `"hidden"`) || !strings.Contains(last, `"poll.published"`) {
		t.Errorf("the tablet's last frame %s; want one frame: closed, a placeholder for the count, published", last)
	}
	box.mu.Lock()
	reads := box.reads
	box.mu.Unlock()
	if reads != 0 {
		t.Errorf("the close read the ballots back %d times; want 0 (the room counted them as it stored them)", reads)
	}
	p, _ := r.State().Poll(poll)
	if p.Status != meeting.PollStatusPublished || p.Result == nil || p.Result.Cast != 12 || p.Result.Options[0].Votes != 6 || p.Result.Options[1].Votes != 3 {
		t.Errorf("poll %s, result %+v; want published, 12 cast, 6 agree, 3 disagree", p.Status, p.Result)
	}
	got, _ := box.memBox.Ballots(ctx, "m1", poll)
	if len(got) != 12 || !box.finalised[poll] {
		t.Errorf("the box holds %d ballots, finalised %v; want the 12, rewritten", len(got), box.finalised[poll])
	}
	agree := 0
	for _, b := range got {
		if string(b.Data) == `{"choice":"agree"}` {
			agree++
		}
	}
	if agree != 6 {
		t.Errorf("the rewritten box holds %d agree ballots; want 6", agree)
	}
}

// TestCloseReadsBackWhatItDidNotStore: when the box holds a ballot this
// room did not store (another node took it, or this room restarted), the
// close reads the ballots back and counts them all.
func TestCloseReadsBackWhatItDidNotStore(t *testing.T) {
	box := &countingBox{memBox: newMemBox()}
	r, poll, voters := votingRoom(t, newMemLog(), box.memBox, meeting.PollSecret, 5)
	r.opts.Box = box
	ctx := context.Background()
	for i, v := range voters[:4] {
		if err := r.Cast(ctx, v, poll, fmt.Sprint("k", i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
			t.Fatal(err)
		}
	}
	// Another node's ballot: sealed under the poll's key, stored directly.
	k, err := r.sealKey(ctx, poll, false)
	if err != nil || k == nil {
		t.Fatalf("key %v, %v", k, err)
	}
	data := k.Seal("m1", poll, []byte(`{"choice":"disagree"}`), 64)
	if err := box.StoreBallot(ctx, store.Ballot{Meeting: "m1", Poll: poll, Participant: voters[4].Participant, Key: "other", Data: data, Secret: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Submit(ctx, secretary, &meeting.ClosePoll{ID: poll, Publish: true}); err != nil {
		t.Fatal(err)
	}
	if box.reads == 0 {
		t.Error("the ballots were not read back, though the box holds one this room did not store")
	}
	p, _ := r.State().Poll(poll)
	if p.Result == nil || p.Result.Cast != 5 || p.Result.Options[1].Votes != 1 || p.Status != meeting.PollStatusPublished {
		t.Errorf("poll %s, result %+v; want published, 5 cast, 1 disagree", p.Status, p.Result)
	}
}

// TestClosePublishRefusedChangesNothing: a close with publish the domain
// refuses leaves the poll open and its box taking ballots.
func TestClosePublishRefusedChangesNothing(t *testing.T) {
	box := newMemBox()
	r, poll, voters := votingRoom(t, newMemLog(), box, meeting.PollSecret, 3)
	ctx := context.Background()
	if err := r.Cast(ctx, voters[0], poll, "k0", meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
		t.Fatal(err)
	}
	seq := r.Seq()
	if _, err := r.Submit(ctx, voters[1], &meeting.ClosePoll{ID: poll, Publish: true}); meeting.KindOf(err) != meeting.KindForbidden {
		t.Fatalf("close with publish by a delegate = %v; want forbidden", err)
	}
	if _, err := r.Submit(ctx, secretary, &meeting.ClosePoll{ID: "v99", Publish: true}); meeting.KindOf(err) != meeting.KindNotFound {
		t.Fatalf("close with publish of an unknown poll = %v; want not found", err)
	}
	if r.Seq() != seq || box.closed[poll] {
		t.Errorf("after the refusals: seq %d → %d, box closed %v; want nothing changed", seq, r.Seq(), box.closed[poll])
	}
	if err := r.Cast(ctx, voters[1], poll, "k1", meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
		t.Errorf("a ballot after the refusals = %v; want recorded", err)
	}
}
