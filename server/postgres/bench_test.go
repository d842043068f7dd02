package postgres_test

import (
	"testing"

	"github.com/phonghop/phonghop/server/postgres"
	"github.com/phonghop/phonghop/server/store"
	"github.com/phonghop/phonghop/server/store/storetest"
)

// BenchmarkStore runs the stores' shared benchmarks (storetest.Bench) on a
// fresh database of the test server (fsync and synchronous_commit on, as
// in production).
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store {
		db, _ := openDB(b)
		return db
	}, func(s store.Store) (int64, int64) {
		st := s.(*postgres.DB).Stats()
		return st.Requests, st.Batches
	})
}
