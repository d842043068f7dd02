package room

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// Group commit of small commands that arrive together from many tablets —
// the congress floor's opinions (meeting.Batched; docs/congress.md §1).
//
// 1,600 delegates giving opinions within minutes would otherwise be one
// durable write and one fan-out to every tablet per opinion: each commit
// sends a frame to every subscriber (the others get placeholders, so their
// sequence stays gapless). Batch queues the command; one goroutine (started
// when the queue is not empty, gone when it is) takes everything queued,
// decides the commands one after another, appends all their events in one
// write and publishes them in one commit (one frame per subscriber). A lone
// command is committed at once; under load a batch is what arrived during
// the previous write and a short linger that grows with the number of
// subscribers (at most 100 ms), so the commits, and the frames, stay few.
//
// Each command is decided on the state its predecessors in the batch left,
// exactly as if submitted one by one; one refused command does not affect
// the others. Batch returns only once the batch is durable and published,
// or failed as a whole (the log refused the write: nothing was stored, the
// callers may retry, and a command with an idempotency key is harmless to
// retry).

// batcher is a room's queue of batched commands (its zero value is ready).
type batcher struct {
	// mu guards the fields below; it is never held with the room's mu.
	mu      sync.Mutex
	queue   []*pending
	running bool // a drain goroutine is running (counted in Room.wg)
}

// pending is one queued command and, once done is closed, its outcome.
type pending struct {
	a      meeting.Actor
	c      meeting.Command
	events []meeting.Event
	err    error
	done   chan struct{}
}

// Batch decides command c for actor a with the other batched commands
// queued at the same time, appends and publishes them together, and returns
// c's committed events (none for a command that changes nothing, such as a
// retried opinion). On error nothing of c was stored. If ctx ends first,
// Batch returns ctx.Err() and c may still be committed.
func (r *Room) Batch(ctx context.Context, a meeting.Actor, c meeting.Command) ([]meeting.Event, error) {
	p := &pending{a: a, c: c, done: make(chan struct{})}
	b := &r.batch
	b.mu.Lock()
	if !b.running {
		// Lock order: b.mu, then r.mu (commitBatch holds r.mu alone).
		r.mu.Lock()
		stopped := r.stopped
		if !stopped {
			r.wg.Add(1) // under r.mu, before Stop can wait
		}
		r.mu.Unlock()
		if stopped {
			b.mu.Unlock()
			return nil, meeting.Internal(errStopped)
		}
		b.running = true
		go r.drain()
	}
	b.queue = append(b.queue, p)
	b.mu.Unlock()
	select {
	case <-p.done:
		return p.events, p.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// errStopped refuses batched commands once the room is stopped (the
// server is shutting down).
var errStopped = errors.New("room: stopped")

// maxBatch bounds one batch, so that one write stays small and a burst is
// published in steps.
const maxBatch = 500

// The linger between two batches, under load: the next batch is taken no
// sooner than lingerPerSub per subscriber (at most maxLinger) after the
// previous commit, so that a burst becomes a few commits — each commit
// costs a frame to every subscriber, whatever its number of events. A
// command arriving when the room is idle is committed at once.
const (
	lingerPerSub = 40 * time.Microsecond
	maxLinger    = 100 * time.Millisecond
)

// drain commits queued commands in batches until the queue is empty.
func (r *Room) drain() {
	defer r.wg.Done()
	b := &r.batch
	var last time.Time // the previous commit
	var linger time.Duration
	for {
		if wait := linger - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-r.stop:
				t.Stop()
			}
		}
		b.mu.Lock()
		n := min(len(b.queue), maxBatch)
		if n == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		items := b.queue[:n:n]
		b.queue = b.queue[n:]
		b.mu.Unlock()
		subs := r.commitBatch(items)
		last, linger = time.Now(), min(maxLinger, time.Duration(subs)*lingerPerSub)
		for _, p := range items {
			close(p.done)
		}
	}
}

// commitBatch decides, appends and publishes items, filling each one's
// events or error, and returns the number of subscribers.
//
// Each command is decided and its events applied on the room's state
// itself, in turn (copying a congress's state for every batch would cost
// more than the batch). Nobody sees the state meanwhile: r.mu is held. If
// the log refuses the write, the state is rolled back to what the log held
// before the batch (rollback) before anything else happens, so it never
// holds events the log does not. When the refusal is another node's append
// (a conflict), the commands are then decided again one by one through
// decideAppend, which catches up with that node's events, publishes them
// and appends under the log's lock (room.go): the same order of decisions
// as for any command.
func (r *Room) commitBatch(items []*pending) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx := context.Background() // shared by every caller: none may cancel the others' write
	if r.broken != nil {
		if err := r.reload(ctx); err != nil {
			failAll(items, meeting.Internal(err))
			return len(r.subs)
		}
	}
	if time.Now().Before(r.contended) {
		// Another node appends too: a batch appended optimistically would
		// most likely be refused.
		r.oneByOne(ctx, items)
		return len(r.subs)
	}
	seq0 := r.state.Seq
	var all []meeting.Event
	for _, p := range items {
		p.events, p.err = nil, nil
		events, err := meeting.Decide(r.state, p.a, p.c, r.opts.Now())
		if err != nil {
			p.err = err
			continue
		}
		for _, e := range events {
			if err := meeting.Apply(r.state, e); err != nil {
				// Decide's events always apply: a bug. Commit nothing,
				// and rebuild the state from the log.
				r.opts.Logger.Error("apply in a batch failed", "meeting", r.id, "seq", e.Seq, "err", err)
				r.broken = err
				failAll(items, meeting.Internal(err))
				return len(r.subs)
			}
		}
		p.events = events
		all = append(all, events...)
	}
	if len(all) == 0 {
		return len(r.subs)
	}
	start := time.Now()
	err := r.log.Append(ctx, all)
	if r.opts.ObserveWrite != nil {
		r.opts.ObserveWrite("events", time.Since(start))
	}
	if err == nil {
		r.publish(all)
		return len(r.subs)
	}
	// The state holds events the log refused: roll it back, which also
	// publishes what another node appended meanwhile.
	if rerr := r.rollback(ctx, seq0); rerr != nil {
		r.broken = rerr
		failAll(items, meeting.Internal(rerr))
		return len(r.subs)
	}
	if meeting.KindOf(err) == meeting.KindConflict {
		r.contended = time.Now().Add(contendedFor)
		r.oneByOne(ctx, items)
		return len(r.subs)
	}
	for _, p := range items {
		if p.err == nil {
			p.events, p.err = nil, err
		}
	}
	return len(r.subs)
}

// oneByOne decides and commits items in turn, as Submit does (refusals
// included: they are decided again on the latest state). r.mu must be held.
func (r *Room) oneByOne(ctx context.Context, items []*pending) {
	for _, p := range items {
		p.events, p.err = r.decideAppend(ctx, p.a, func(*meeting.State) (meeting.Command, error) { return p.c, nil })
	}
}

// rollback rebuilds the state from the log's events up to seq (what the
// room had published before a batch whose append was refused), then
// catches up with, and publishes, whatever the log holds after seq
// (another node's events; ours, if the write failed after storing them).
// The ring and the subscribers' sequences are untouched: nothing after seq
// was published by this room. r.mu must be held.
func (r *Room) rollback(ctx context.Context, seq int64) error {
	events, err := r.log.Events(ctx, r.id, 0, 0)
	if err != nil {
		return err
	}
	n := 0
	for n < len(events) && events[n].Seq <= seq {
		n++
	}
	if n == 0 || events[n-1].Seq != seq {
		return r.reload(ctx) // the log is not what the room had: start again
	}
	if i, err := meeting.VerifyChain(0, "", events[:n]); err != nil {
		r.opts.Logger.Error("event chain broken", "meeting", r.id, "index", i, "err", err)
		return err
	}
	state, err := meeting.Replay(events[:n])
	if err != nil {
		return err
	}
	r.state, r.broken = state, nil
	return r.catchUpLocked(ctx)
}

// failAll fails every item with err.
func failAll(items []*pending, err error) {
	for _, p := range items {
		p.events, p.err = nil, err
	}
}

// Seq returns the seq of the meeting's last committed event.
func (r *Room) Seq() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.Seq
}

// Linked returns the link of the meeting to its congress when it is a tổ
// sitting (docs/congress.md §3), cheaper than State for the per-request
// check of a tablet paired to the congress.
func (r *Room) Linked() (meeting.SittingLink, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.Linked()
}
