package room

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// Registry holds the live Rooms, loading each from the log on first use.
type Registry struct {
	log  Log
	opts Options

	// mu guards rooms. Loading a room happens under mu, so two callers never
	// build two Rooms for one meeting.
	mu    sync.Mutex
	rooms map[string]*Room
}

// NewRegistry returns an empty Registry over log.
func NewRegistry(log Log, opts Options) *Registry {
	opts.defaults()
	return &Registry{log: log, opts: opts, rooms: map[string]*Room{}}
}

// Get returns the Room of meeting id, loading it from the log if needed.
// Returns NotFound if the meeting does not exist.
func (g *Registry) Get(ctx context.Context, id string) (*Room, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r, ok := g.rooms[id]; ok {
		return r, nil
	}
	r, err := Load(ctx, g.log, id, g.opts)
	if err != nil {
		if meeting.KindOf(err) == meeting.KindNotFound {
			return nil, meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc họp.", "meeting not found")
		}
		return nil, err
	}
	g.rooms[id] = r
	return r, nil
}

// Create creates meeting id with details d, given by actor a. Returns
// Conflict if id exists.
func (g *Registry) Create(ctx context.Context, id string, a meeting.Actor, d meeting.Details) (*Room, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.rooms[id]; ok {
		return nil, meeting.Errorf(meeting.KindConflict, "Cuộc họp đã tồn tại.", "the meeting already exists")
	}
	r := newRoom(id, g.log, g.opts)
	r.mu.Lock()
	defer r.mu.Unlock()
	events, err := meeting.Decide(r.state, a, &meeting.CreateMeeting{Details: d}, g.opts.Now())
	if err != nil {
		return nil, err
	}
	if err := g.log.Append(ctx, events); err != nil {
		return nil, err
	}
	if _, _, r.epoch, err = g.log.Head(ctx, id); err != nil {
		return nil, err
	}
	r.commit(events)
	g.rooms[id] = r
	return r, nil
}

// Loaded returns the Rooms loaded so far.
func (g *Registry) Loaded() []*Room {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*Room, 0, len(g.rooms))
	for _, r := range g.rooms {
		out = append(out, r)
	}
	return out
}

// Stop stops every loaded room's background work (recording the last
// ballots) and waits for it.
func (g *Registry) Stop(ctx context.Context) {
	for _, r := range g.Loaded() {
		r.Stop(ctx)
	}
}

// Follow keeps the loaded rooms up to date with what other processes commit
// to the shared log: for each notification it catches the meeting's room
// up (if loaded here), and on a Resync, or every interval as a safety net
// (0: never), it catches every loaded room up. It returns when ctx is done
// or notes is closed. Meant to run in its own goroutine, owned by the
// caller.
func (g *Registry) Follow(ctx context.Context, notes <-chan store.Notification, interval time.Duration) {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	all := func() {
		for _, r := range g.Loaded() {
			if err := r.CatchUp(ctx, -1); err != nil && ctx.Err() == nil {
				g.opts.Logger.Error("catching up with the log", "meeting", r.ID(), "err", err)
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			all()
		case n, ok := <-notes:
			if !ok {
				return
			}
			if n.Resync {
				all()
				continue
			}
			g.mu.Lock()
			r := g.rooms[n.Meeting]
			g.mu.Unlock()
			if r == nil {
				continue
			}
			if err := r.CatchUp(ctx, n.Seq); err != nil && ctx.Err() == nil {
				g.opts.Logger.Error("catching up with the log", "meeting", n.Meeting, "seq", n.Seq, "err", err)
			}
		}
	}
}

// FinaliseSecretPolls finishes what a crash or a failure left of closing a
// secret poll: every closed or cancelled poll whose ballots are still as
// cast is finalised (rewritten in a random order, its key destroyed), and
// so is every closed poll whose key is still kept (a crash after the
// rewrite, before the store cleared its traces or the key was destroyed:
// with the key, what the store kept of the open poll could still be read).
// The server runs it at start, before it serves anything. A poll that
// fails is retried in the background by its room; the errors are returned.
func (g *Registry) FinaliseSecretPolls(ctx context.Context) error {
	if g.opts.Box == nil {
		return nil
	}
	refs, err := g.opts.Box.UnfinalisedSecretPolls(ctx)
	if err != nil {
		return err
	}
	if g.opts.Keys != nil {
		keyed, err := g.opts.Keys.List(ctx)
		if err != nil {
			return err
		}
		refs = append(refs, keyed...)
	}
	var errs []error
	seen := map[store.PollRef]bool{}
	for _, ref := range refs {
		if seen[ref] {
			continue
		}
		seen[ref] = true
		r, err := g.Get(ctx, ref.Meeting)
		if meeting.KindOf(err) == meeting.KindNotFound && g.opts.Keys != nil {
			err = g.opts.Keys.Destroy(ctx, ref.Meeting, ref.Poll) // a key of no meeting
		} else if err == nil {
			if err = r.FinaliseClosed(ctx, ref.Poll); err != nil {
				r.retryFinalise(ref.Poll)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("meeting %s poll %s: %w", ref.Meeting, ref.Poll, err))
		}
	}
	return errors.Join(errs...)
}
