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
// durable write and one fan-out to every tablet per opinion. Batch queues
// the command; one goroutine (started when the queue is not empty, gone
// when it is) takes everything queued, decides the commands one after
// another on a copy of the state, appends all their events in one write and
// publishes them in one commit (one frame per subscriber). There is no
// timer: a lone command is committed at once, and under load a batch is
// what arrived while the previous write took place.
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

// drain commits queued commands in batches until the queue is empty.
func (r *Room) drain() {
	defer r.wg.Done()
	b := &r.batch
	for {
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
		r.commitBatch(items)
		for _, p := range items {
			close(p.done)
		}
	}
}

// commitBatch decides, appends and publishes items, filling each one's
// events or error.
func (r *Room) commitBatch(items []*pending) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx := context.Background() // shared by every caller: none may cancel the others' write
	for race := 0; ; race++ {
		if r.broken != nil {
			if err := r.reload(ctx); err != nil {
				failAll(items, meeting.Internal(err))
				return
			}
		}
		// Decide each on the state its predecessors left (a copy: the
		// room's state changes only by commit, after the write).
		scratch := r.state.Clone()
		var all []meeting.Event
		for _, p := range items {
			p.events, p.err = nil, nil
			events, err := meeting.Decide(scratch, p.a, p.c, r.opts.Now())
			if err != nil {
				p.err = err
				continue
			}
			for _, e := range events {
				if err := meeting.Apply(scratch, e); err != nil {
					// Decide's events always apply: a bug. Commit nothing.
					r.opts.Logger.Error("apply in a batch failed", "meeting", r.id, "seq", e.Seq, "err", err)
					failAll(items, meeting.Internal(err))
					return
				}
			}
			p.events = events
			all = append(all, events...)
		}
		if len(all) == 0 {
			return
		}
		start := time.Now()
		err := r.log.Append(ctx, all)
		if r.opts.ObserveWrite != nil {
			r.opts.ObserveWrite("events", time.Since(start))
		}
		if err == nil {
			r.commit(all)
			return
		}
		if meeting.KindOf(err) == meeting.KindConflict && race < maxRaces {
			before := r.state.Seq
			if cerr := r.catchUpLocked(ctx); cerr != nil {
				err = cerr
			} else if r.state.Seq > before {
				continue // another node appended first: decide again on its events
			}
		}
		if meeting.KindOf(err) == meeting.KindInternal {
			r.broken = err // the log may hold the events: reload before the next command
		}
		for _, p := range items {
			if p.err == nil {
				p.events, p.err = nil, err
			}
		}
		return
	}
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
