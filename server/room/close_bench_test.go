package room

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/internal/pgtest"
	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/postgres"
	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store"
)

// resultWatcher is a secretary's connection that notes when the result of
// a close reaches it (poll.counted is sent to the secretariat right after
// the close commits).
type resultWatcher struct {
	mu sync.Mutex
	at time.Time
}

func (w *resultWatcher) Viewer() meeting.Viewer { return secretary.Viewer() }

func (w *resultWatcher) Send(msg []byte) bool {
	if bytes.Contains(msg, []byte(`"poll.counted"`)) {
		w.mu.Lock()
		if w.at.IsZero() {
			w.at = time.Now()
		}
		w.mu.Unlock()
	}
	return true
}

// BenchmarkClosePoll closes a poll of 2,000 and of 10,000 ballots on the
// real stores (SQLite with its WAL and synchronous=FULL, the keys in a
// documents folder) and reports, as medians over the iterations:
//   - result-ms: from the close command to the result reaching the
//     secretariat (box closed, ballots opened and counted, the close
//     committed and fanned out);
//   - cleanup-ms: from then until the close returns (a secret poll's
//     ballots rewritten in a random order, the WAL truncated, the key
//     destroyed; nothing for an open poll);
//   - close-ms: the whole close.
//
// The open poll is the floor: the same close without sealing or clean-up.
// Both stores: SQLite in a temporary file, PostgreSQL 15 as a process of
// its own (internal/pgtest, fsync on; skipped without its binaries).
// Run: go test ./server/room -run '^$' -bench ClosePoll -benchtime 5x
func BenchmarkClosePoll(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"sqlite", func(b *testing.B) store.Store {
			db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "phonghop.db"))
			if err != nil {
				b.Fatal(err)
			}
			return db
		}},
		{"postgres", func(b *testing.B) store.Store {
			srv := pgtest.Start(b, pgtest.Options{})
			db, err := postgres.Open(context.Background(), srv.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			return db
		}},
	}
	for _, st := range stores {
		for _, n := range []int{2000, 10000} {
			for _, kind := range []meeting.PollKind{meeting.PollOpen, meeting.PollSecret} {
				b.Run(fmt.Sprintf("store=%s/ballots=%d/%s", st.name, n, kind), func(b *testing.B) { benchClose(b, st.open(b), n, kind) })
			}
		}
	}
}

func benchClose(b *testing.B, db store.Store, n int, kind meeting.PollKind) {
	ctx := context.Background()
	dir := b.TempDir()
	defer db.Close()
	docs, err := docstorage.NewFS(filepath.Join(dir, "documents"))
	if err != nil {
		b.Fatal(err)
	}
	opts := quiet()
	opts.Box, opts.Keys = db, ballotseal.NewVault(docs)
	reg := NewRegistry(db, opts)
	defer reg.Stop(ctx)
	r, err := reg.Create(ctx, "m1", secretary, meeting.Details{Title: "Đại hội (đo thời gian kết thúc biểu quyết)"})
	if err != nil {
		b.Fatal(err)
	}
	var rows []meeting.NewParticipant
	for i := 0; i < n; i++ {
		rows = append(rows, meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu %05d", i+1)})
	}
	if _, err := r.Submit(ctx, secretary, &meeting.ImportParticipants{Rows: rows}); err != nil {
		b.Fatal(err)
	}
	if _, err := r.Submit(ctx, secretary, &meeting.OpenMeeting{}); err != nil {
		b.Fatal(err)
	}
	var voters []meeting.Actor
	for _, p := range r.State().Participants {
		voters = append(voters, meeting.Actor{ID: "participant:" + p.ID, Role: meeting.RoleDelegate, Participant: p.ID})
	}
	var g errgroup.Group
	g.SetLimit(256)
	for _, a := range voters {
		g.Go(func() error { _, err := r.Submit(ctx, a, &meeting.CheckIn{}); return err })
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	w := &resultWatcher{}
	if _, err := r.Subscribe(ctx, w, r.State().Seq, ""); err != nil {
		b.Fatal(err)
	}
	defer r.Unsubscribe(w)
	choices := []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain}
	var result, cleanup, total []float64
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		if _, err := r.Submit(ctx, secretary, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: fmt.Sprintf("Biểu quyết %d", it+1), Kind: kind}}); err != nil {
			b.Fatal(err)
		}
		st := r.State()
		poll := st.Polls[len(st.Polls)-1].ID
		if _, err := r.Submit(ctx, secretary, &meeting.OpenPoll{ID: poll}); err != nil {
			b.Fatal(err)
		}
		for i, a := range voters {
			g.Go(func() error {
				return r.Cast(ctx, a, poll, fmt.Sprint("k", i), meeting.Ballot{Choice: choices[i%3]})
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		w.mu.Lock()
		w.at = time.Time{}
		w.mu.Unlock()
		b.StartTimer()
		start := time.Now()
		if _, err := r.ClosePoll(ctx, secretary, poll); err != nil {
			b.Fatal(err)
		}
		end := time.Now()
		b.StopTimer()
		w.mu.Lock()
		got := w.at
		w.mu.Unlock()
		if got.IsZero() {
			b.Fatal("the result never reached the secretariat")
		}
		p, _ := r.State().Poll(poll)
		if p.Result == nil || p.Result.Cast != n {
			b.Fatalf("result %+v; want %d ballots", p.Result, n)
		}
		result = append(result, ms(got.Sub(start)))
		cleanup = append(cleanup, ms(end.Sub(got)))
		total = append(total, ms(end.Sub(start)))
	}
	b.ReportMetric(median(result), "result-ms")
	b.ReportMetric(median(cleanup), "cleanup-ms")
	b.ReportMetric(median(total), "close-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
