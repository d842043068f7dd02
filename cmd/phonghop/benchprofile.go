//go:build benchprofile

// This file is compiled only with -tags benchprofile, which
// cmd/phonghop-bench uses for -server-profile (internal/benchprofile). A
// release build has none of it (and SIGUSR1 keeps its default action).

package main

import (
	"os"

	"github.com/phonghop/phonghop/internal/benchprofile"
)

func init() {
	benchprofile.Start(os.Getenv(benchprofile.EnvDir), os.Stderr)
}
