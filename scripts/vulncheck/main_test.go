package main

import (
	"strings"
	"testing"
)

const stream = `{"config":{"protocol_version":"v1.0.0"}}
{"finding":{"osv":"GO-1","trace":[{"module":"example.com/m","version":"v1.2.0","package":"example.com/m/p","function":"F"}]}}
{"finding":{"osv":"GO-2","trace":[{"module":"example.com/n","version":"v0.1.0","package":"example.com/n"}]}}
`

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		excs map[string]exception
		code int
		want string
	}{
		{"reachable fails", nil, 1, "REACHABLE GO-1"},
		{"excused at the fixed version", map[string]exception{"GO-1": {module: "example.com/m", fixedIn: "v1.2.0"}}, 0, "excused   GO-1"},
		{"exception for a later version fails", map[string]exception{"GO-1": {module: "example.com/m", fixedIn: "v1.10.0"}}, 1, "needs example.com/m@v1.10.0"},
		{"exception for another module fails", map[string]exception{"GO-1": {module: "example.com/x", fixedIn: "v1.0.0"}}, 1, "REACHABLE GO-1"},
	}
	for _, tt := range tests {
		var out strings.Builder
		code, err := check(strings.NewReader(stream), &out, tt.excs)
		if err != nil {
			t.Fatalf("%s: check: %v", tt.name, err)
		}
		if code != tt.code || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: check = %d, %q; want %d and %q", tt.name, code, out.String(), tt.code, tt.want)
		}
		if !strings.Contains(out.String(), "not reached: GO-2") {
			t.Errorf("%s: the unreached finding is not listed: %q", tt.name, out.String())
		}
	}
	if _, err := check(strings.NewReader(""), &strings.Builder{}, nil); err == nil {
		t.Error("check of an empty stream = nil error; want an error (govulncheck did not run)")
	}
}

func TestAtLeast(t *testing.T) {
	for _, tt := range []struct {
		v, w string
		want bool
	}{
		{"v4.16.5", "v4.16.3", true}, {"v4.16.3", "v4.16.3", true}, {"v4.16.2", "v4.16.3", false},
		{"v4.9.0", "v4.16.3", false}, {"v5.0.0", "v4.16.3", true}, {"v0.0.0-2026-abc", "v0.0.1", false}, {"x", "v1.0.0", false},
	} {
		if got := atLeast(tt.v, tt.w); got != tt.want {
			t.Errorf("atLeast(%q, %q) = %v; want %v", tt.v, tt.w, got, tt.want)
		}
	}
}
