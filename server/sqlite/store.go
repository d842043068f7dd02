package sqlite

import "github.com/phonghop/phonghop/server/store"

var _ store.Store = (*DB)(nil)
