package sqlite

import "github.com/phonghop/phonghop/server/store"

// DB implements the whole store contract.
var _ store.Store = (*DB)(nil)
