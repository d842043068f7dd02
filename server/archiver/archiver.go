// Package archiver writes the signed archive of every finalised or
// corrected revision of a meeting's minutes, in the background, and keeps
// the index of the archives for searching.
package archiver

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// Renderer renders the minutes of a meeting from its log: events from seq 1
// up to and including the minutes.finalized or minutes.corrected event of
// the revision to render.
type Renderer func(events []meeting.Event) (archive.Minutes, error)

// Log is what the archiver reads of the event log.
type Log interface {
	Events(ctx context.Context, id string, after int64, limit int) ([]meeting.Event, error)
	Head(ctx context.Context, id string) (seq int64, hash string, epoch string, err error)
	EventsOfType(ctx context.Context, types ...string) ([]meeting.Event, error)
}

// Leases elects the one node that writes archives (store.Cluster).
type Leases interface {
	TryLead(ctx context.Context, name string) (store.Lease, error)
}

// Config is what an Archiver needs.
type Config struct {
	Log    Log
	Store  *archive.Store
	Key    *archive.Key
	Render Renderer
	Logger *slog.Logger
	Now    func() time.Time
	// Leases, when set (many nodes share the log), makes one node at a time
	// write archives; every node still serves the index.
	Leases Leases
	// Rescan is how often, with Leases, nodes try to lead and the leader
	// rescans the log (default 30 s).
	Rescan time.Duration
}

// Archiver writes the archive of every finalised or corrected revision of
// the minutes, in the background: commits only mark a meeting as pending
// (OnCommit must not block the room), one goroutine does the work. It is
// durable without a queue of its own: at start it scans the log for
// finalised revisions whose archive is missing or incomplete, so a crash
// between the commit and the archive is repaired at the next start.
// Writing is idempotent (archive.Store.Write).
type Archiver struct {
	events Log
	store  *archive.Store
	key    *archive.Key
	render Renderer
	log    *slog.Logger
	now    func() time.Time
	leases Leases        // nil: this node always writes
	rescan time.Duration // with leases: how often to try to lead and rescan

	kick chan struct{} // buffered 1: "pending changed"
	stop chan struct{} // closed by close
	done chan struct{} // closed when run returns

	// mu guards the fields below.
	mu      sync.Mutex
	pending map[string]bool // meetings to check
	writing int             // meetings taken from pending, being archived
	index   []archive.Entry // complete archives, for listing
}

// retryDelay is how long the archiver waits after a failure.
const retryDelay = 30 * time.Second

// New returns an Archiver; Start runs it.
func New(cfg Config) *Archiver {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rescan <= 0 {
		cfg.Rescan = 30 * time.Second
	}
	return &Archiver{events: cfg.Log, store: cfg.Store, key: cfg.Key, render: cfg.Render, log: cfg.Logger, now: cfg.Now,
		leases: cfg.Leases, rescan: cfg.Rescan,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), pending: map[string]bool{}}
}

// Backlog returns how many meetings have minutes waiting to be archived
// (pending, or being written now).
func (a *Archiver) Backlog() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pending) + a.writing
}

// Key returns the key archives are signed with.
func (a *Archiver) Key() *archive.Key { return a.key }

// Store returns where the archives are kept.
func (a *Archiver) Store() *archive.Store { return a.store }

// minutesRevisionEvent reports whether e makes a new revision of the
// minutes.
func minutesRevisionEvent(e meeting.Event) bool {
	return e.Type == meeting.EventMinutesFinalized || e.Type == meeting.EventMinutesCorrected
}

// OnCommit marks meetings whose minutes got a new revision. Called by the
// room with its lock held: it only takes a.mu and never blocks.
func (a *Archiver) OnCommit(meetingID string, events []meeting.Event) {
	if !slices.ContainsFunc(events, minutesRevisionEvent) {
		return
	}
	a.mu.Lock()
	a.pending[meetingID] = true
	a.mu.Unlock()
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Start runs the archiver until close.
func (a *Archiver) Start() { go a.run() }

// Close stops the archiver and waits for it (or ctx). A write in progress
// is abandoned; the startup scan completes it next time.
func (a *Archiver) Close(ctx context.Context) error {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *Archiver) run() {
	defer close(a.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-a.stop:
			cancel()
		case <-a.done:
		}
	}()
	// With leases (many nodes), one node writes archives; every node keeps
	// its index fresh (list) and tries to lead every rescanInterval. The
	// leader also rescans the log that often: minutes finalised on another
	// node do not kick it.
	var lease store.Lease
	defer func() {
		if lease != nil {
			lease.Release()
		}
	}()
	var tick <-chan time.Time
	if a.leases != nil {
		t := time.NewTicker(a.rescan)
		defer t.Stop()
		tick = t.C
	}
	var retry <-chan time.Time
	scanned := false
	for {
		if lease != nil {
			select {
			case <-lease.Lost():
				a.log.Warn("archive: lost the archiver lease")
				lease = nil
			default:
			}
		}
		if a.leases != nil && lease == nil {
			l, err := a.leases.TryLead(ctx, "archiver")
			if err != nil && ctx.Err() == nil {
				a.log.Error("archive: trying to lead", "err", err)
			}
			if l != nil {
				lease, scanned = l, false
				a.log.Info("archive: this node writes the archives")
			}
		}
		leader := a.leases == nil || lease != nil
		if leader && !scanned {
			if err := a.scan(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				a.log.Error("archive: scan failed; retrying", "err", err)
				retry = time.After(retryDelay)
			} else {
				scanned = true
			}
		} else if !leader {
			if err := a.refreshIndex(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("archive: listing archives", "err", err)
			}
		}
		if leader && scanned {
			if a.writePending(ctx) {
				retry = time.After(retryDelay)
			}
			if ctx.Err() != nil {
				return
			}
		}
		select {
		case <-a.stop:
			return
		case <-a.kick:
		case <-retry:
			retry = nil
		case <-tick:
			scanned = false // rescan: minutes finalised on other nodes
		}
	}
}

// writePending archives every pending meeting, reporting whether one failed
// (it stays pending).
func (a *Archiver) writePending(ctx context.Context) (failed bool) {
	a.mu.Lock()
	ids := make([]string, 0, len(a.pending))
	for id := range a.pending {
		ids = append(ids, id)
	}
	clear(a.pending)
	a.writing = len(ids)
	a.mu.Unlock()
	slices.Sort(ids)
	for _, id := range ids {
		if err := a.archiveMeeting(ctx, id); err != nil {
			if ctx.Err() == nil {
				a.log.Error("archive: writing failed; will retry", "meeting", id, "err", err)
			}
			a.mu.Lock()
			a.pending[id] = true
			a.mu.Unlock()
			failed = true
		}
		a.mu.Lock()
		a.writing--
		a.mu.Unlock()
	}
	return failed
}

// refreshIndex reloads the index of stored archives (a node that does not
// write them still lists and serves them).
func (a *Archiver) refreshIndex(ctx context.Context) error {
	entries, err := a.store.List(ctx)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.index = entries
	a.mu.Unlock()
	return nil
}

// scan loads the index of stored archives and queues every meeting with a
// finalised revision that has no complete archive.
func (a *Archiver) scan(ctx context.Context) error {
	entries, err := a.store.List(ctx)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, e := range entries {
		done[e.Meeting.ID+"/"+itoa(e.Revision)] = true
	}
	revs, err := a.events.EventsOfType(ctx, meeting.EventMinutesFinalized, meeting.EventMinutesCorrected)
	if err != nil {
		return err
	}
	missing := 0
	a.mu.Lock()
	a.index = entries
	for _, e := range revs {
		var p struct {
			Revision int `json:"revision"`
		}
		if json.Unmarshal(e.Data, &p) != nil || p.Revision < 1 {
			continue
		}
		if !done[e.Meeting+"/"+itoa(p.Revision)] {
			a.pending[e.Meeting] = true
			missing++
		}
	}
	a.mu.Unlock()
	if missing > 0 {
		a.log.Warn("archive: finalised minutes without an archive; writing them now", "revisions", missing)
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// archiveMeeting writes the archive of every revision of a meeting's
// minutes that has none yet.
func (a *Archiver) archiveMeeting(ctx context.Context, id string) error {
	events, err := a.events.Events(ctx, id, 0, 0)
	if err != nil {
		return err
	}
	_, _, epoch, err := a.events.Head(ctx, id)
	if err != nil {
		return err
	}
	for i, e := range events {
		if !minutesRevisionEvent(e) {
			continue
		}
		var p struct {
			Revision int `json:"revision"`
		}
		if err := json.Unmarshal(e.Data, &p); err != nil || p.Revision < 1 {
			return meeting.Internal(err)
		}
		ok, err := a.store.Complete(ctx, id, p.Revision)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		upto := events[:i+1]
		st, err := meeting.Replay(upto)
		if err != nil {
			return err
		}
		mins, err := a.render(upto)
		if err != nil {
			return err
		}
		in := archive.Input{
			Meeting:  archive.MeetingInfo{ID: id, Title: st.Details.Title, Epoch: epoch, StartsAt: st.Details.StartsAt},
			Revision: p.Revision, Minutes: mins, Events: upto, Documents: archive.DocumentsOf(st), Created: a.now(),
		}
		start := time.Now()
		built, err := a.store.Write(ctx, in, a.key)
		if err != nil {
			return err
		}
		entry, err := a.store.Entry(ctx, id, p.Revision)
		if err != nil {
			return err
		}
		a.mu.Lock()
		a.index = slices.DeleteFunc(a.index, func(x archive.Entry) bool { return x.Meeting.ID == id && x.Revision == p.Revision })
		a.index = append(a.index, entry)
		a.mu.Unlock()
		if built != nil {
			a.log.Info("archive: written", "meeting", id, "revision", p.Revision, "seq", e.Seq, "bytes", built.Size(),
				"ms", time.Since(start).Milliseconds(), "where", a.store.Where)
		}
	}
	return nil
}

// Search lists the complete archives whose title contains q (ignoring case
// and Vietnamese diacritics) and whose meeting date (its start, else the
// archive's creation) is within [from, to] (zero: unbounded), newest first.
// meetings, if not nil, restricts the result to those meetings.
func (a *Archiver) Search(q string, from, to time.Time, meetings []string) []archive.Entry {
	nq := fold(q)
	a.mu.Lock()
	defer a.mu.Unlock()
	out := []archive.Entry{}
	for _, e := range a.index {
		if meetings != nil && !slices.Contains(meetings, e.Meeting.ID) {
			continue
		}
		if nq != "" && !strings.Contains(fold(e.Meeting.Title), nq) {
			continue
		}
		d := archiveDate(e)
		if !from.IsZero() && d.Before(from) || !to.IsZero() && !d.Before(to) {
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(x, y archive.Entry) int {
		if c := archiveDate(y).Compare(archiveDate(x)); c != 0 {
			return c
		}
		if x.Meeting.ID != y.Meeting.ID {
			return strings.Compare(x.Meeting.ID, y.Meeting.ID)
		}
		return y.Revision - x.Revision
	})
	return out
}

func archiveDate(e archive.Entry) time.Time {
	if !e.Meeting.StartsAt.IsZero() {
		return e.Meeting.StartsAt
	}
	return e.Created
}

// fold lower-cases s and strips diacritics, with đ → d, and collapses
// white space: "Hội  nghị Đảng" → "hoi nghi dang".
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
