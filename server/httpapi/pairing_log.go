package httpapi

import (
	"context"
	"errors"
	"sync"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
)

// pairingLog records tablets' pairings (participant.paired) in the
// meetings' logs in batches. A congress pairs thousands of tablets within
// minutes; one command per pairing would cost one durable commit each, in
// series under the room's lock. Here the first pairing of a meeting is
// committed at once by a goroutine of the meeting, and those that arrive
// while a commit is in flight wait for the next one, all of them in one
// RecordPairing (at most meeting.MaxPairings per command).
//
// Invariant: while queues[id] exists, exactly one goroutine (run) serves
// it, and it removes the entry (under mu) when it finds nothing pending.
type pairingLog struct {
	mu     sync.Mutex
	queues map[string]*pairQueue // by meeting; present while its goroutine runs
}

// pairQueue is one meeting's pairings waiting for the next commit.
type pairQueue struct {
	next *pairBatch // nil: none waiting
}

type pairBatch struct {
	ids  []string
	done chan struct{} // closed once committed (or failed)
	err  error         // set before done is closed
}

func newPairingLog() *pairingLog { return &pairingLog{queues: map[string]*pairQueue{}} }

// record durably records that participant id of r paired, and returns once
// that is committed (nil) or failed. If ctx ends first it returns ctx.Err()
// and the record is still made.
func (l *pairingLog) record(ctx context.Context, r *room.Room, id string) error {
	l.mu.Lock()
	q := l.queues[r.ID()]
	start := q == nil
	if start {
		q = &pairQueue{}
		l.queues[r.ID()] = q
	}
	if q.next == nil {
		q.next = &pairBatch{done: make(chan struct{})}
	}
	b := q.next
	b.ids = append(b.ids, id)
	l.mu.Unlock()
	if start {
		go l.run(r, q)
	}
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run commits q's batches until none is waiting.
func (l *pairingLog) run(r *room.Room, q *pairQueue) {
	for {
		l.mu.Lock()
		b := q.next
		q.next = nil
		if b == nil {
			delete(l.queues, r.ID())
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		b.err = commitPairings(r, b.ids)
		close(b.done)
	}
}

// commitPairings records ids in commands of at most meeting.MaxPairings.
// If a command is refused (a participant removed meanwhile), its pairings
// are recorded one by one, so the others are not lost.
func commitPairings(r *room.Room, ids []string) error {
	ctx := context.Background()
	var errs []error
	for len(ids) > 0 {
		n := min(len(ids), meeting.MaxPairings)
		chunk := ids[:n]
		ids = ids[n:]
		_, err := r.Submit(ctx, systemActor, &meeting.RecordPairing{ID: chunk[0], IDs: chunk[1:]})
		if err == nil || len(chunk) == 1 {
			errs = append(errs, err)
			continue
		}
		for _, id := range chunk {
			if _, err := r.Submit(ctx, systemActor, &meeting.RecordPairing{ID: id}); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
