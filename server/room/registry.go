package room

import (
	"context"
	"sync"

	"github.com/phonghop/phonghop/server/meeting"
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
