package main

import (
	"flag"
	"io"
	"slices"
	"testing"

	"github.com/phonghop/phonghop/server/httpapi"
)

// TestMaxSocketsConfig: PHONGHOP_MAX_SOCKETS_PER_SESSION (and its flag)
// reaches the server's cap of live sockets per session; a value that is
// not a whole number from 1 to 1000 stops the start.
func TestMaxSocketsConfig(t *testing.T) {
	parse := func(args []string, env map[string]string) (config, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return parseConfig(fs, args, func(k string) string { return env[k] })
	}
	if c, err := parse(nil, nil); err != nil || c.maxSockets != httpapi.DefaultMaxSocketsPerSession {
		t.Errorf("default = %d, %v; want %d", c.maxSockets, err, httpapi.DefaultMaxSocketsPerSession)
	}
	if c, err := parse(nil, map[string]string{"PHONGHOP_MAX_SOCKETS_PER_SESSION": "1"}); err != nil || c.maxSockets != 1 {
		t.Errorf("from env = %d, %v; want 1", c.maxSockets, err)
	}
	if c, err := parse([]string{"-max-sockets-per-session", "3"}, map[string]string{"PHONGHOP_MAX_SOCKETS_PER_SESSION": "1"}); err != nil || c.maxSockets != 3 {
		t.Errorf("flag over env = %d, %v; want 3", c.maxSockets, err)
	}
	for _, bad := range []string{"0", "-2", "nhiều", "1001", "2.5"} {
		if _, err := parse(nil, map[string]string{"PHONGHOP_MAX_SOCKETS_PER_SESSION": bad}); err == nil {
			t.Errorf("PHONGHOP_MAX_SOCKETS_PER_SESSION=%q: no error", bad)
		}
	}
	if !slices.Contains(readNames(t), "PHONGHOP_MAX_SOCKETS_PER_SESSION") {
		t.Error("parseConfig does not read PHONGHOP_MAX_SOCKETS_PER_SESSION")
	}
}
