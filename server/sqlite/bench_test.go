package sqlite_test

import (
	"testing"

	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store"
	"github.com/phonghop/phonghop/server/store/storetest"
)

// BenchmarkStore runs the stores' shared benchmarks (storetest.Bench) on a
// SQLite file: the same code measures server/postgres.
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store {
		db, _ := openDB(b)
		return db
	}, func(s store.Store) (int64, int64) {
		st := s.(*sqlite.DB).Stats()
		return st.Requests, st.Batches
	})
}
