package sqlite_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
)

// benchParallelism is goroutines per GOMAXPROCS in BenchmarkAppendParallel:
// many concurrent callers (like many tablets casting ballots), not just
// one per core.
const benchParallelism = 32

// BenchmarkAppendParallel appends 1-event batches from many goroutines,
// each to its own meeting: the group-commit case.
func BenchmarkAppendParallel(b *testing.B) {
	db, _ := openDB(b)
	var next atomic.Int64
	before := db.Stats()
	b.SetParallelism(benchParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprint("bench", next.Add(1))
		seq, head := int64(0), ""
		ctx := context.Background()
		for pb.Next() {
			events := chain(id, seq, head, 1)
			if err := db.Append(ctx, events); err != nil {
				b.Error(err)
				return
			}
			seq, head = events[0].Seq, events[0].Hash
		}
	})
	b.StopTimer()
	report(b, db, before)
}

// BenchmarkAppendSerial appends 1-event batches one after another from one
// goroutine: every Append waits for its own commit (one fsync each).
func BenchmarkAppendSerial(b *testing.B) {
	db, _ := openDB(b)
	before := db.Stats()
	seq, head := int64(0), ""
	ctx := context.Background()
	events := make([][]meeting.Event, b.N)
	for i := range events { // sealing is not what is measured
		events[i] = chain("serial", seq, head, 1)
		seq, head = events[i][0].Seq, events[i][0].Hash
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := db.Append(ctx, events[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, db, before)
}

func report(b *testing.B, db *sqlite.DB, before sqlite.Stats) {
	st := db.Stats()
	batches := st.Batches - before.Batches
	events := st.Events - before.Events
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	if batches > 0 {
		b.ReportMetric(float64(st.Requests-before.Requests)/float64(batches), "appends/commit")
	}
}
