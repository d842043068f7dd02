// Package room owns live meetings: one Room per meeting serialises its
// commands (decide → durable append → apply → publish) and fans committed
// events out to the meeting's subscribers (WebSocket connections).
//
// Ordering and durability: a Room's mutex is held from Decide until the
// events are queued to every subscriber, so every subscriber receives the
// events of a meeting in seq order, and only after Append returned (the
// events are committed). Queuing never blocks: a subscriber whose queue is
// full is told to go away (it will reconnect and resync) rather than be
// waited for or silently skipped. The subscriber whose command a commit
// carries out (its Origin) is queued first, with the command's answer, and
// the rest of the hall after it.
package room

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// Log is the durable event log a Room appends to and replays from.
type Log interface {
	// Append stores events (one meeting, consecutive, following the stored
	// head) atomically and durably. It returns a Conflict error if they do
	// not follow the head; on any error nothing was stored.
	Append(ctx context.Context, events []meeting.Event) error
	// AppendDecided appends what decide makes of the events stored after
	// seq after, with the meeting locked against every other appender
	// (store.EventLog.AppendDecided).
	AppendDecided(ctx context.Context, id string, after int64, decide func(missed []meeting.Event) ([]meeting.Event, error)) error
	// Events returns up to limit (all if limit <= 0) events with seq > after.
	Events(ctx context.Context, meetingID string, after int64, limit int) ([]meeting.Event, error)
	// Head returns the last seq, its hash and the log's epoch; NotFound if
	// the meeting has no events.
	Head(ctx context.Context, meetingID string) (seq int64, hash string, epoch string, err error)
}

// Subscriber receives a meeting's messages. Send must not block: it queues
// msg (one or more '\n'-separated JSON messages) or, if it cannot, arranges
// for the subscriber to be closed and returns false. msg is shared by many
// subscribers and must not be modified. A large room calls Send on
// different subscribers at once (fanOut), never on one twice at once.
type Subscriber interface {
	Viewer() meeting.Viewer
	Send(msg []byte) bool
}

// A BatchSender is a Subscriber that can take several messages at once
// (as Send would each, in order), so that it may send them in one frame: a
// new subscriber's welcome, snapshot and synced.
type BatchSender interface {
	SendAll(msgs [][]byte) bool
}

// Origin is the connection a command came from, as the room is told it
// (WithOrigin). The commit that carries the command out queues its frame
// to Sub before any other subscriber's, so that the sender's round trip
// does not wait for the fan-out to a whole hall.
type Origin struct {
	// Sub is the sender's subscription (nil: none, such as a REST call).
	Sub Subscriber
	// Ack, if set, is called when the command is done and succeeded,
	// with its events: right after Sub's frame of its last commit is
	// queued, before the other subscribers', under the room's lock (it must
	// not block or call back into the room). The sender queues its result
	// from it, so that the result too goes ahead of the fan-out. It is not
	// called for a command that fails or changes nothing, nor when the
	// outcome is only known after the commit (closing or cancelling a
	// secret poll waits for its ballots' clean-up: ballots.go); the sender
	// then answers when the command returns, as without an Ack.
	Ack func(events []meeting.Event)
}

// eventsOnly returns o without its Ack: for a commit that is not the
// last word of the command. A nil o stays nil.
func (o *Origin) eventsOnly() *Origin {
	if o == nil {
		return nil
	}
	return &Origin{Sub: o.Sub}
}

type originKey struct{}

// WithOrigin returns ctx carrying o, the command's origin, for Submit and
// ClosePoll (and the commands they run).
func WithOrigin(ctx context.Context, o *Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// originOf returns the origin ctx carries, or nil.
func originOf(ctx context.Context) *Origin {
	o, _ := ctx.Value(originKey{}).(*Origin)
	return o
}

// Options tune a Room.
type Options struct {
	// RingSize is how many recent events are kept encoded in memory for
	// replays (default 1024).
	RingSize int
	// ReplayLimit is the largest gap replayed event by event; a larger gap
	// gets a snapshot (default 1000).
	ReplayLimit int
	// Now returns the time stamped on events (default time.Now).
	Now func() time.Time
	// Logger receives the room's logs (default slog.Default()).
	Logger *slog.Logger
	// Observe, if set, is called after each commit with the number of events
	// and subscribers sent to (for metrics).
	Observe func(events, sends int)
	// ObserveWrite, if set, is called after each durable write the room
	// waited for, with what it was ("events" or "ballot") and how long the
	// store took (for metrics: commit latency).
	ObserveWrite func(what string, d time.Duration)
	// OnCommit, if set, is called after each commit with the meeting and
	// its committed events (while the room is locked: it must not block or
	// call back into the room). The server uses it to archive finalised
	// minutes.
	OnCommit func(meetingID string, events []meeting.Event)
	// Box stores ballots (see Cast); nil refuses ballots.
	Box store.BallotBox
	// Keys keeps the keys that seal secret ballots (see Cast); nil refuses
	// secret ballots.
	Keys Keys
	// FlushInterval is how often stored ballots are recorded in the log,
	// which is also how often vote progress reaches tablets (default 250 ms).
	FlushInterval time.Duration
}

func (o *Options) defaults() {
	if o.RingSize <= 0 {
		o.RingSize = 1024
	}
	if o.ReplayLimit <= 0 {
		o.ReplayLimit = 1000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 250 * time.Millisecond
	}
}

// encoded is a committed event with its wire forms, encoded once and shared
// by every subscriber.
type encoded struct {
	event  meeting.Event
	full   []byte // the "event" message
	hidden []byte // the placeholder message; nil when the audience is everyone
	// lean, if set, is what lean viewers (meeting.LeanViewer) receive
	// instead: the event as For delivers it, with the roll call after its
	// commit. It is set on the last event of a commit that changes the roll
	// (withRoll), by the node that applied the commit.
	lean *encoded
}

// for returns the bytes viewer v receives for this event.
func (e *encoded) forViewer(v meeting.Viewer) []byte {
	if e.lean != nil && meeting.LeanViewer(v) {
		e = e.lean
	}
	if e.hidden == nil || e.event.Audience.Includes(v) {
		return e.full
	}
	return e.hidden
}

// withRoll sets e's lean form: e with roll, the roll call after e's commit.
func (e *encoded) withRoll(roll meeting.Roll) {
	ev := e.event
	ev.Roll = &roll
	l := &encoded{event: e.event, full: mustJSON(eventMsg{Type: "event", Event: ev})}
	if e.hidden != nil {
		h := ev.Hidden()
		h.Roll = &roll
		l.hidden = mustJSON(eventMsg{Type: "event", Event: h})
	}
	e.lean = l
}

// Room is one live meeting.
type Room struct {
	id   string
	log  Log
	opts Options

	// mu guards everything below. It is held across Decide, Append, Apply
	// and the fan-out, which serialises the meeting's commands.
	mu     sync.Mutex
	state  *meeting.State
	epoch  string
	subs   map[Subscriber]struct{}
	fanBuf []Subscriber // fanOut's list of subscribers, kept between commits
	ring   []*encoded   // the last RingSize events, oldest first
	snaps  map[snapKey][]byte
	broken error // set when the state may differ from the log; commands refused until reload

	contended time.Time // until then, append through the log's lock (see decideAppend)

	boxes    map[string]*pollBox // ballot boxes by poll (see ballots.go)
	flushing bool                // the flusher goroutine runs
	stopped  bool                // Stop was called
	stop     chan struct{}       // closed by Stop
	wg       sync.WaitGroup      // the flusher, and the batcher's drain (batch.go)

	batch batcher // batched commands: the congress floor's opinions (batch.go)

	views    *meeting.Views // the views of the state at viewsSeq (viewsNow): one pass over the roster per commit for every connection
	viewsSeq int64

	// rosterSeq is the seq of the last event that changed the roster (a
	// participant.* event; the head after a reload): the version of Roster.
	rosterSeq int64
	rosters   map[bool]roster // by staff: the encoded roster at rosterSeq
}

// roster is an encoded roster and its version.
type roster struct {
	seq  int64
	list []meeting.Participant
}

// viewsNow returns the Views of the state now (its roll call, its index of
// participants), kept until the state changes. r.mu must be held.
func (r *Room) viewsNow() *meeting.Views {
	if r.views == nil || r.viewsSeq != r.state.Seq {
		r.views, r.viewsSeq = meeting.NewViews(r.state), r.state.Seq
	}
	return r.views
}

// newRoom returns an empty Room of meeting id.
func newRoom(id string, log Log, opts Options) *Room {
	return &Room{id: id, log: log, opts: opts, state: &meeting.State{ID: id}, subs: map[Subscriber]struct{}{},
		snaps: map[snapKey][]byte{}, boxes: map[string]*pollBox{}, stop: make(chan struct{})}
}

// snapKey identifies a cached snapshot: the state at seq as seen by a class
// of viewers (role, plus participant when the view is personal).
type snapKey struct {
	seq         int64
	role        meeting.Role
	participant string
	shape       string // leanSnapshot's templates: the polls listing Nobody
}

// Load builds the Room of meeting id from the log. It returns NotFound if the
// meeting has no events.
func Load(ctx context.Context, log Log, id string, opts Options) (*Room, error) {
	opts.defaults()
	r := newRoom(id, log, opts)
	if err := r.reload(ctx); err != nil {
		return nil, err
	}
	if err := r.recoverVotes(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// reload rebuilds state, epoch and ring from the log. r.mu must be held (or
// r not yet shared).
func (r *Room) reload(ctx context.Context) error {
	_, _, epoch, err := r.log.Head(ctx, r.id)
	if err != nil {
		return err
	}
	events, err := r.log.Events(ctx, r.id, 0, 0)
	if err != nil {
		return err
	}
	if i, err := meeting.VerifyChain(0, "", events); err != nil {
		r.opts.Logger.Error("event chain broken", "meeting", r.id, "index", i, "err", err)
		return err
	}
	state, err := meeting.Replay(events)
	if err != nil {
		return err
	}
	r.state, r.epoch, r.broken = state, epoch, nil
	r.rosterSeq = state.Seq
	r.views = nil
	r.ring = r.ring[:0]
	start := max(0, len(events)-r.opts.RingSize)
	for _, e := range events[start:] {
		r.ring = append(r.ring, encode(e))
	}
	clear(r.snaps)
	return nil
}

// ID returns the meeting's ID.
func (r *Room) ID() string { return r.id }

// State returns a copy of the meeting's full state (not filtered for any
// viewer).
func (r *Room) State() *meeting.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.Clone()
}

// View returns the meeting as viewer v may see it.
func (r *Room) View(v meeting.Viewer) *meeting.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.viewsNow().View(v)
}

// Roster returns the meeting's participants as viewer v may see them (the
// tablets' lean view lists only themselves: meeting.LeanViewer) and the
// roster's version: the seq of the last event that changed it, so that a
// client can cache the list until that changes. The list is shared: the
// caller must not modify it.
func (r *Room) Roster(v meeting.Viewer) (version string, list []meeting.Participant) {
	r.mu.Lock()
	defer r.mu.Unlock()
	staff := v.Role.Staff()
	version = r.epoch + "-" + strconv.FormatInt(r.rosterSeq, 10)
	if c, ok := r.rosters[staff]; ok && c.seq == r.rosterSeq {
		return version, c.list
	}
	list = slices.Clone(r.state.Participants)
	if !staff {
		for i := range list {
			list[i].Paired = false // pairing is the secretariat's (meeting.View)
		}
	}
	if r.rosters == nil {
		r.rosters = map[bool]roster{}
	}
	r.rosters[staff] = roster{seq: r.rosterSeq, list: list}
	return version, list
}

// Summary returns the meeting's details and status.
func (r *Room) Summary() (meeting.Details, meeting.Status) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state.Details, r.state.Status
}

// Participant returns participant id of the meeting and whether it exists.
func (r *Room) Participant(id string) (meeting.Participant, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.viewsNow().Participant(id)
}

// FindParticipant is Participant, but before answering that participant id
// does not exist it catches up with the log: with several nodes, the
// participant may have been added through another node a moment ago (a
// tablet pairs through this node with a code issued on the other). Only an
// unreachable log is an error.
func (r *Room) FindParticipant(ctx context.Context, id string) (meeting.Participant, bool, error) {
	if p, ok := r.Participant(id); ok {
		return p, true, nil
	}
	if err := r.CatchUp(ctx, -1); err != nil {
		return meeting.Participant{}, false, err
	}
	p, ok := r.Participant(id)
	return p, ok, nil
}

// Document returns a copy of document id (whoever may see it), the
// meeting's status, and whether the document exists. It is cheaper than
// State for the per-request checks of downloads.
func (r *Room) Document(id string) (meeting.Document, meeting.Status, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.state.Document(id)
	return d.Clone(), r.state.Status, ok
}

// Epoch returns the epoch of the meeting's log.
func (r *Room) Epoch() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.epoch
}

// Submit decides command c for actor a, durably appends the resulting
// events, applies them and publishes them to every subscriber. It returns
// the committed events. On error nothing changed. Closing and cancelling a
// poll go through its ballot box first (see ClosePoll).
//
// If ctx carries the command's Origin (WithOrigin), the origin's
// subscriber is sent the command's events first, then, through its Ack,
// told the outcome, before the others are sent the events.
func (r *Room) Submit(ctx context.Context, a meeting.Actor, c meeting.Command) ([]meeting.Event, error) {
	switch c := c.(type) {
	case *meeting.ClosePoll:
		return r.closePoll(ctx, a, c)
	case *meeting.CancelPoll:
		return r.cancelPoll(ctx, a, c)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.submitEvents(ctx, a, c, originOf(ctx))
}

// submitLocked is Submit without the events or an origin. r.mu must be
// held.
func (r *Room) submitLocked(ctx context.Context, a meeting.Actor, c meeting.Command) error {
	_, err := r.submitEvents(ctx, a, c, nil)
	return err
}

// submitEvents is Submit with r.mu held; o is the command's origin (nil:
// none).
func (r *Room) submitEvents(ctx context.Context, a meeting.Actor, c meeting.Command, o *Origin) ([]meeting.Event, error) {
	return r.decideAppendFrom(ctx, a, func(*meeting.State) (meeting.Command, error) { return c, nil }, o)
}

// decideAppend decides the command that build makes of the current state,
// appends its events and commits them. build returns a nil command when
// there is nothing left to do (no events, no error). r.mu must be held.
//
// Several nodes may append to one meeting's log: the log's head check is
// the fence that keeps the meeting's decisions in one order. The first
// append is optimistic (Log.Append, group-committed). If the log refuses it
// because another node appended first, the room decides again under the
// meeting's lock in the log (Log.AppendDecided): it is given the events it
// missed, applies and publishes them, and decides on the new state while
// no node can append. The lock, not a bounded number of retries, is what
// lets a node whose view is one commit old get its command through while
// another node appends in a loop (a check-in storm split over two nodes).
func (r *Room) decideAppend(ctx context.Context, a meeting.Actor, build func(*meeting.State) (meeting.Command, error)) ([]meeting.Event, error) {
	return r.decideAppendFrom(ctx, a, build, nil)
}

// decideAppendFrom is decideAppend for a command from origin o (nil:
// none): its commit goes to o first (publishFrom). r.mu must be held.
func (r *Room) decideAppendFrom(ctx context.Context, a meeting.Actor, build func(*meeting.State) (meeting.Command, error), o *Origin) ([]meeting.Event, error) {
	if r.broken != nil {
		if err := r.reload(ctx); err != nil {
			var me *meeting.Error
			if errors.As(err, &me) {
				return nil, err // such as the store's Unavailable
			}
			return nil, meeting.Internal(err)
		}
	}
	decide := func() ([]meeting.Event, error) {
		c, err := build(r.state)
		if err != nil || c == nil {
			return nil, err
		}
		return meeting.Decide(r.state, a, c, r.opts.Now())
	}
	if time.Now().Before(r.contended) {
		// Lost a race a moment ago: another node is appending too. An
		// optimistic append would most likely be refused again.
		events, err := r.decideLocked(ctx, a, build, false, o)
		return events, r.afterFailure(err)
	}
	events, err := decide()
	if err != nil && r.freshen(ctx) {
		// Refused on a state another node had already moved on from (the
		// meeting opened there a moment ago): decide on the latest.
		events, err = decide()
	}
	if err != nil || events == nil {
		return nil, err
	}
	start := time.Now()
	err = r.log.Append(ctx, events)
	if r.opts.ObserveWrite != nil {
		r.opts.ObserveWrite("events", time.Since(start))
	}
	if err == nil {
		r.commitFrom(events, o)
		return events, nil
	}
	if meeting.KindOf(err) == meeting.KindConflict {
		r.contended = time.Now().Add(contendedFor)
		events, err = r.decideLocked(ctx, a, build, true, o)
		if err == nil {
			return events, nil
		}
	}
	return nil, r.afterFailure(err)
}

// contendedFor is how long after losing an append race a room appends
// through the log's lock directly.
const contendedFor = 2 * time.Second

// afterFailure returns err, first marking the room broken when the log may
// or may not hold the events (say, a failed fsync after the write) or does
// not hold what the room thinks: it reloads before the next command rather
// than guess. r.mu must be held.
func (r *Room) afterFailure(err error) error {
	if k := meeting.KindOf(err); k == meeting.KindInternal || errors.Is(err, errStale) {
		r.broken = err
	}
	return err
}

// errStale is decideLocked's error when the log refuses events that follow
// every event it has: the room's state is not the log's.
var errStale = errors.New("room: the log refused events that follow its head")

// decideLocked decides and appends under the meeting's lock in the log: it
// catches up with the events other nodes appended, then decides and
// appends. lost says that an optimistic append was just refused (then
// finding nothing new means the room's head is not the log's); o is the
// command's origin. r.mu must be held.
func (r *Room) decideLocked(ctx context.Context, a meeting.Actor, build func(*meeting.State) (meeting.Command, error), lost bool, o *Origin) ([]meeting.Event, error) {
	var out []meeting.Event
	start := time.Now()
	err := r.log.AppendDecided(ctx, r.id, r.state.Seq, func(missed []meeting.Event) ([]meeting.Event, error) {
		if len(missed) > 0 {
			if _, err := meeting.VerifyChain(r.state.Seq, r.state.Head, missed); err != nil {
				r.opts.Logger.Error("log does not chain onto the room's head; reloading", "meeting", r.id, "seq", r.state.Seq, "err", err)
				return nil, meeting.Internal(err)
			}
			r.commit(missed) // committed by another node: publish them first
		}
		c, err := build(r.state)
		if err != nil || c == nil {
			return nil, err
		}
		out, err = meeting.Decide(r.state, a, c, r.opts.Now())
		if err != nil {
			out = nil
			return nil, err
		}
		if lost && len(missed) == 0 {
			// Nothing new, yet the optimistic append was refused: the
			// room's head is not the log's. Appending now would only be
			// refused again.
			out = nil
			return nil, meeting.Internal(errStale)
		}
		return out, nil
	})
	if r.opts.ObserveWrite != nil {
		r.opts.ObserveWrite("events", time.Since(start))
	}
	if err != nil {
		return nil, err
	}
	if out != nil {
		r.commitFrom(out, o)
	}
	return out, nil
}

// freshen catches the room up with the log and reports whether it moved:
// with several nodes, what this node decides or refuses must not rest on a
// state another node has already changed. It costs one read of the log, so
// it is used before refusing (a refusal is rare), not before every
// decision (an append that follows a stale head is refused by the log
// anyway). r.mu must be held.
func (r *Room) freshen(ctx context.Context) bool {
	before := r.state.Seq
	if err := r.catchUpLocked(ctx); err != nil {
		if ctx.Err() == nil {
			r.opts.Logger.Warn("catching up before a refusal", "meeting", r.id, "err", err)
		}
		return false
	}
	return r.state.Seq > before
}

// CatchUp brings the room up to seq (or further) from the log, publishing
// what another node committed; a seq it already has is a no-op. Any seq
// below 0 means "whatever the log has".
func (r *Room) CatchUp(ctx context.Context, seq int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq >= 0 && seq <= r.state.Seq {
		return nil
	}
	return r.catchUpLocked(ctx)
}

// catchUpLocked applies and publishes the events the log has after the
// room's head, checking that they chain onto it. r.mu must be held.
func (r *Room) catchUpLocked(ctx context.Context) error {
	if r.broken != nil {
		return r.reload(ctx)
	}
	for {
		events, err := r.log.Events(ctx, r.id, r.state.Seq, r.opts.ReplayLimit)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		if _, err := meeting.VerifyChain(r.state.Seq, r.state.Head, events); err != nil {
			r.opts.Logger.Error("log does not chain onto the room's head; reloading", "meeting", r.id, "seq", r.state.Seq, "err", err)
			return r.reload(ctx)
		}
		r.commit(events)
		if len(events) < r.opts.ReplayLimit {
			return nil
		}
	}
}

// commit applies appended events and publishes them. r.mu must be held.
func (r *Room) commit(events []meeting.Event) { r.commitFrom(events, nil) }

// commitFrom is commit of the events of a command from origin o (nil:
// none). r.mu must be held.
func (r *Room) commitFrom(events []meeting.Event, o *Origin) {
	for _, e := range events {
		if err := meeting.Apply(r.state, e); err != nil {
			// Decide's events always apply; this is a bug. The log is the
			// truth: reload from it before the next command.
			r.opts.Logger.Error("apply after append failed", "meeting", r.id, "seq", e.Seq, "err", err)
			r.broken = err
		}
	}
	r.publishFrom(events, o)
}

// publish encodes appended events already applied to the state, keeps them
// in the ring and fans them out (batch.go applies as it decides). r.mu must
// be held.
func (r *Room) publish(events []meeting.Event) { r.publishFrom(events, nil) }

// publishFrom is publish of the events of a command from origin o (nil:
// none): o's subscriber, if subscribed, gets its frame queued first and
// o.Ack is called right after, before the other subscribers are sent
// anything — the console's round trip does not wait for the loop over a
// hall of tablets. Every subscriber still gets every commit in seq order:
// the whole loop runs under r.mu. r.mu must be held.
func (r *Room) publishFrom(events []meeting.Event, o *Origin) {
	encs := make([]*encoded, len(events))
	rolled := -1 // the last event changing the roll call: it carries it to lean viewers
	for i, e := range events {
		encs[i] = encode(e)
		if e.ChangesRoll() {
			rolled = i
		}
		if strings.HasPrefix(e.Type, "participant.") {
			r.rosterSeq = e.Seq
		}
		if len(r.ring) == r.opts.RingSize {
			copy(r.ring, r.ring[1:])
			r.ring = r.ring[:len(r.ring)-1]
		}
		r.ring = append(r.ring, encs[i])
	}
	if rolled >= 0 {
		encs[rolled].withRoll(r.viewsNow().Roll())
	}
	// One queue entry per subscriber per commit, whatever the number of
	// events (an import of 1,600 participants is 1,600 events): the bytes
	// are joined once per distinct view of the commit and shared.
	frames := map[string][]byte{}
	sends := 0
	var first Subscriber
	if o != nil && o.Sub != nil {
		if _, ok := r.subs[o.Sub]; ok {
			first = o.Sub
			sends++
			if !first.Send(joinFor(encs, first.Viewer(), frames)) {
				delete(r.subs, first)
			} else if o.Ack != nil {
				o.Ack(events)
			}
		}
	}
	sends += r.fanOut(encs, first, frames)
	clear(r.snaps)
	if r.opts.Observe != nil {
		r.opts.Observe(len(events), sends)
	}
	if r.opts.OnCommit != nil {
		r.opts.OnCommit(r.id, events)
	}
}

// fanOutShard is the number of subscribers from which a commit's fan-out
// is shared among the CPUs: a send is a system call into the subscriber's
// socket (a WebSocket writes directly when idle), and one goroutine making
// 10,000 of them leaves the other cores idle.
const fanOutShard = 1024

// fanOut sends encs to every subscriber but skip, in parallel shards when
// the room is large, and waits for all: every subscriber still gets the
// commits in seq order, as the caller holds r.mu. Subscribers that refuse
// are dropped. It returns the number of sends. r.mu must be held.
func (r *Room) fanOut(encs []*encoded, skip Subscriber, frames map[string][]byte) int {
	subs := r.fanBuf[:0]
	for s := range r.subs {
		if s != skip {
			subs = append(subs, s)
		}
	}
	shards := 1
	if len(subs) >= fanOutShard {
		shards = min(runtime.GOMAXPROCS(0), len(subs)/(fanOutShard/2), 8)
	}
	refused := make([][]Subscriber, shards)
	send := func(k int, part []Subscriber, frames map[string][]byte) {
		for _, s := range part {
			if !s.Send(joinFor(encs, s.Viewer(), frames)) {
				refused[k] = append(refused[k], s)
			}
		}
	}
	per := (len(subs) + shards - 1) / shards
	var wg sync.WaitGroup
	for k := 1; k < shards; k++ {
		part := subs[min(k*per, len(subs)):min((k+1)*per, len(subs))]
		wg.Go(func() { send(k, part, map[string][]byte{}) }) // joinFor's cache is one goroutine's
	}
	send(0, subs[:min(per, len(subs))], frames)
	wg.Wait()
	for _, rs := range refused {
		for _, s := range rs {
			delete(r.subs, s)
		}
	}
	clear(subs)
	r.fanBuf = subs[:0]
	return len(subs)
}

// joinFor returns the '\n'-joined messages of encs as viewer v receives
// them, building each distinct combination (which events v sees in full)
// once and caching it in frames.
func joinFor(encs []*encoded, v meeting.Viewer, frames map[string][]byte) []byte {
	if len(encs) == 1 {
		return encs[0].forViewer(v)
	}
	key := make([]byte, 0, len(encs)+1)
	if meeting.LeanViewer(v) {
		key = append(key, 'L') // the lean forms (withRoll)
	}
	for _, e := range encs {
		if e.lean != nil && meeting.LeanViewer(v) {
			e = e.lean
		}
		if e.hidden == nil || e.event.Audience.Includes(v) {
			key = append(key, '1')
		} else {
			key = append(key, '0')
		}
	}
	if b, ok := frames[string(key)]; ok {
		return b
	}
	var buf bytes.Buffer
	for i, e := range encs {
		if i > 0 {
			buf.WriteByte('\n')
		}
		buf.Write(e.forViewer(v))
	}
	frames[string(key)] = buf.Bytes()
	return buf.Bytes()
}

// Subscribe registers s and queues what it needs to catch up from the
// position (since, epoch) it last had: a replay of the missed events, or a
// snapshot when it had nothing, had another epoch, is ahead of the log, or
// missed more than ReplayLimit events. A welcome comes first and a synced
// marker last; live events follow in order. It returns false if s could
// not take the catch-up (it has been told to close).
func (r *Room) Subscribe(ctx context.Context, s Subscriber, since int64, epoch string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if epoch == r.epoch && since > r.state.Seq {
		// The subscriber has seen events this node has not: another node
		// committed them and told its own subscribers first (a tablet
		// moving to this node as its node died). Catch up, so that it
		// resumes by seq instead of being sent an older snapshot.
		r.freshen(ctx)
	}
	v := s.Viewer()
	head := r.state.Seq
	// The catch-up is queued as separate entries so that a snapshot, the
	// big part, is the cached bytes shared by every viewer of its class, not
	// a copy per connection (a reconnect storm of a 10,000-seat congress).
	msgs := [][]byte{mustJSON(welcomeMsg{Type: "welcome", Meeting: r.id, Epoch: r.epoch, Viewer: v, Head: head, ServerTime: r.opts.Now().UTC()})}
	switch {
	case since <= 0 || epoch != r.epoch || since > head || head-since > int64(r.opts.ReplayLimit):
		msgs = append(msgs, r.snapshot(v))
	case since < head:
		missed, err := r.since(ctx, since)
		if err != nil {
			return false, err
		}
		if meeting.LeanViewer(v) && slices.ContainsFunc(missed, func(e *encoded) bool { return e.event.ChangesRoll() }) {
			// A replay cannot carry the roll call as it was after each
			// commit (the ring keeps only the last one's); a lean
			// snapshot is small anyway.
			msgs = append(msgs, r.snapshot(v))
			break
		}
		var buf bytes.Buffer
		for i, e := range missed {
			if i > 0 {
				buf.WriteByte('\n')
			}
			buf.Write(e.forViewer(v))
		}
		msgs = append(msgs, buf.Bytes())
	}
	msgs = append(msgs, mustJSON(syncedMsg{Type: "synced", Seq: head}))
	if b, ok := s.(BatchSender); ok {
		if !b.SendAll(msgs) {
			return false, nil
		}
	} else {
		for _, m := range msgs {
			if !s.Send(m) {
				return false, nil
			}
		}
	}
	r.subs[s] = struct{}{}
	return true, nil
}

// since returns the encoded events after seq, from the ring when it reaches
// back far enough, else from the log. r.mu must be held.
func (r *Room) since(ctx context.Context, seq int64) ([]*encoded, error) {
	if n := len(r.ring); n > 0 && r.ring[0].event.Seq <= seq+1 {
		return r.ring[seq+1-r.ring[0].event.Seq:], nil
	}
	events, err := r.log.Events(ctx, r.id, seq, 0)
	if err != nil {
		return nil, err
	}
	out := make([]*encoded, len(events))
	for i, e := range events {
		out[i] = encode(e)
	}
	return out, nil
}

// snapshot returns the encoded snapshot for viewer v, cached per viewer
// class until the next commit (not for lean viewers, whose view is their
// own). r.mu must be held.
func (r *Room) snapshot(v meeting.Viewer) []byte {
	if b, ok := r.leanSnapshot(v); ok {
		return b
	}
	key := snapKey{seq: r.state.Seq, role: v.Role}
	if r.personal(v) {
		key.participant = v.Participant
	}
	if b, ok := r.snaps[key]; ok {
		return b
	}
	b := mustJSON(snapshotMsg{Type: "snapshot", Epoch: r.epoch, Seq: r.state.Seq, Hash: r.state.Head, State: r.viewsNow().View(v)})
	if !meeting.LeanViewer(v) || v.Participant == meeting.Nobody {
		// A lean view names its viewer: nobody else would use it, and
		// 10,000 of them would stay in memory until the next commit
		// (Nobody's is the template of leanSnapshot).
		r.snaps[key] = b
	}
	return b
}

// personal reports whether v's view depends on who v is, not only its role
// (a private notice, their own mark in a secret poll). r.mu must be held.
func (r *Room) personal(v meeting.Viewer) bool { return meeting.Personal(r.state, v) }

// Unsubscribe removes s; it receives nothing more.
func (r *Room) Unsubscribe(s Subscriber) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.subs, s)
}

// Subscribers returns the number of subscribers.
func (r *Room) Subscribers() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.subs)
}

// ---- wire messages (see docs/protocol.md) ----

type welcomeMsg struct {
	Type       string         `json:"type"`
	Meeting    string         `json:"meeting"`
	Epoch      string         `json:"epoch"`
	Viewer     meeting.Viewer `json:"viewer"`
	Head       int64          `json:"head"`
	ServerTime time.Time      `json:"server_time"`
}

type snapshotMsg struct {
	Type  string `json:"type"`
	Epoch string `json:"epoch"`
	// Seq and Hash repeat the state's seq and head ahead of it, so that a
	// client keeping no replica (a load tool) need not decode the state.
	Seq   int64          `json:"seq"`
	Hash  string         `json:"hash"`
	State *meeting.State `json:"state"`
}

type eventMsg struct {
	Type  string        `json:"type"`
	Event meeting.Event `json:"event"`
}

type syncedMsg struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
}

// encode renders e's wire forms once.
func encode(e meeting.Event) *encoded {
	enc := &encoded{event: e, full: mustJSON(eventMsg{Type: "event", Event: e})}
	if !e.Audience.Everyone() {
		enc.hidden = mustJSON(eventMsg{Type: "event", Event: e.Hidden()})
	}
	return enc
}

// mustJSON encodes v, which is always encodable (plain structs).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("room: encode: " + err.Error())
	}
	return b
}
