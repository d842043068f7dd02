package store

import (
	"context"
	"slices"
	"sync"
)

// Notifier fans commit notifications out to listeners inside one process;
// stores use it to implement Cluster.Listen. A listener never loses a
// notification: what it has not taken yet is coalesced per meeting (the
// highest seq), so a slow listener gets fewer, later notifications instead
// of an unbounded queue, in commit order per meeting. The zero value is
// ready to use.
type Notifier struct {
	// mu guards listeners and closed.
	mu        sync.Mutex
	listeners map[*listener]struct{}
	closed    bool
}

// listener is one Listen call's state.
type listener struct {
	// mu guards pending, order and resync.
	mu      sync.Mutex
	pending map[string]int64 // meeting → highest seq not yet delivered
	order   []string         // meetings in pending, in order of first notification
	resync  bool
	wake    chan struct{} // capacity 1: something is pending
}

// Publish tells every listener that meeting's log grew to seq.
func (n *Notifier) Publish(meeting string, seq int64) {
	n.each(func(l *listener) {
		if old, ok := l.pending[meeting]; !ok {
			l.order = append(l.order, meeting)
			l.pending[meeting] = seq
		} else if seq > old {
			l.pending[meeting] = seq
		}
	})
}

// Resync tells every listener that notifications may have been missed.
func (n *Notifier) Resync() {
	n.each(func(l *listener) { l.resync = true })
}

// each runs f on every listener with its lock held, then wakes it.
func (n *Notifier) each(f func(*listener)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for l := range n.listeners {
		l.mu.Lock()
		f(l)
		l.mu.Unlock()
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// Listen returns a channel of notifications published after it returned,
// closed when ctx is done or Close is called. Its goroutine is owned by
// the listener: it exits with ctx or Close.
func (n *Notifier) Listen(ctx context.Context) (<-chan Notification, error) {
	l := &listener{pending: map[string]int64{}, wake: make(chan struct{}, 1)}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		ch := make(chan Notification)
		close(ch)
		return ch, nil
	}
	if n.listeners == nil {
		n.listeners = map[*listener]struct{}{}
	}
	n.listeners[l] = struct{}{}
	n.mu.Unlock()
	out := make(chan Notification)
	go func() {
		defer close(out)
		defer func() {
			n.mu.Lock()
			delete(n.listeners, l)
			n.mu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-l.wake:
				if !ok {
					return
				}
			}
			l.mu.Lock()
			batch := make([]Notification, 0, len(l.order)+1)
			if l.resync {
				batch = append(batch, Notification{Resync: true})
				l.resync = false
			}
			for _, m := range l.order {
				batch = append(batch, Notification{Meeting: m, Seq: l.pending[m]})
			}
			clear(l.pending)
			l.order = slices.Delete(l.order, 0, len(l.order))
			l.mu.Unlock()
			for _, x := range batch {
				select {
				case out <- x:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// Close closes every listener's channel; later Listens get a closed one.
func (n *Notifier) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	n.closed = true
	for l := range n.listeners {
		close(l.wake)
	}
	n.listeners = nil // Publish after Close reaches nobody
}

// LocalLeases implements Cluster.TryLead inside one process (a store that
// only one process may open). The zero value is ready to use.
type LocalLeases struct {
	// mu guards held.
	mu   sync.Mutex
	held map[string]*localLease
}

type localLease struct {
	owner *LocalLeases
	name  string
	once  sync.Once
	lost  chan struct{}
}

// TryLead returns a lease on name, or nil if it is held.
func (l *LocalLeases) TryLead(ctx context.Context, name string) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.held[name]; ok {
		return nil, nil
	}
	if l.held == nil {
		l.held = map[string]*localLease{}
	}
	ls := &localLease{owner: l, name: name, lost: make(chan struct{})}
	l.held[name] = ls
	return ls, nil
}

func (ls *localLease) Lost() <-chan struct{} { return ls.lost }

func (ls *localLease) Release() {
	ls.once.Do(func() {
		ls.owner.mu.Lock()
		delete(ls.owner.held, ls.name)
		ls.owner.mu.Unlock()
		close(ls.lost)
	})
}
