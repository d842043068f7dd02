package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// BenchParallelism is goroutines per GOMAXPROCS in the parallel append
// benchmark: many concurrent callers (like many rooms), not one per core.
const BenchParallelism = 32

// Bench runs the same benchmarks against a store: open returns a fresh,
// empty store; counts, if not nil, returns the store's group-commit
// counters (requests answered, transactions committed) so that the
// requests per commit are reported.
//
//   - Ballots2000: 2,000 secret ballots cast at once, each acknowledged
//     only once durable; one op is the whole burst (the time until the last
//     acknowledgement).
//   - BallotSerial: one ballot at a time: the floor, one durable commit.
//   - AppendParallel: 1-event appends from many goroutines, each to its
//     own meeting.
//   - AppendSerial: 1-event appends one after another (one commit each).
func Bench(b *testing.B, open func(b *testing.B) store.Store, counts func(store.Store) (requests, commits int64)) {
	report := func(b *testing.B, s store.Store, r0, c0 int64) {
		if counts == nil {
			return
		}
		r, c := counts(s)
		if c > c0 {
			b.ReportMetric(float64(r-r0)/float64(c-c0), "requests/commit")
		}
	}
	before := func(s store.Store) (int64, int64) {
		if counts == nil {
			return 0, 0
		}
		return counts(s)
	}
	sealed := make([]byte, 1+12+18+16) // the size of a sealed yes/no ballot
	b.Run("Ballots2000", func(b *testing.B) {
		s := open(b)
		ctx := context.Background()
		r0, c0 := before(s)
		b.ResetTimer()
		for i := range b.N {
			poll := fmt.Sprint("v", i)
			var wg sync.WaitGroup
			for p := range 2000 {
				wg.Go(func() {
					if err := s.StoreBallot(ctx, store.Ballot{Meeting: "m", Poll: poll, Participant: fmt.Sprint("p", p), Key: "k", Data: sealed, Secret: true}); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
		b.StopTimer()
		b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "ballots/s")
		report(b, s, r0, c0)
	})
	b.Run("BallotSerial", func(b *testing.B) {
		s := open(b)
		ctx := context.Background()
		r0, c0 := before(s)
		b.ResetTimer()
		for i := range b.N {
			if err := s.StoreBallot(ctx, store.Ballot{Meeting: "m", Poll: "v", Participant: fmt.Sprint("p", i), Key: "k", Data: sealed, Secret: true}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		report(b, s, r0, c0)
	})
	b.Run("AppendParallel", func(b *testing.B) {
		s := open(b)
		var next atomic.Int64
		r0, c0 := before(s)
		b.SetParallelism(BenchParallelism)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			id := fmt.Sprint("bench", next.Add(1))
			seq, head := int64(0), ""
			ctx := context.Background()
			for pb.Next() {
				events := Chain(id, seq, head, 1)
				if err := s.Append(ctx, events); err != nil {
					b.Error(err)
					return
				}
				seq, head = events[0].Seq, events[0].Hash
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		report(b, s, r0, c0)
	})
	b.Run("AppendSerial", func(b *testing.B) {
		s := open(b)
		ctx := context.Background()
		events := make([][]meeting.Event, b.N)
		seq, head := int64(0), ""
		for i := range events { // sealing is not what is measured
			events[i] = Chain("serial", seq, head, 1)
			seq, head = events[i][0].Seq, events[i][0].Hash
		}
		r0, c0 := before(s)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := s.Append(ctx, events[i]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		report(b, s, r0, c0)
	})
}
