// Command vulncheck reads the JSON stream of `govulncheck -format json` on
// its standard input and fails (exit 1) on any reachable finding: one whose
// trace reaches a vulnerable function from this module's code. Findings only
// in imported packages or required modules are listed but do not fail.
//
// A finding may be excused only by a line of exceptions.txt (beside this
// file) naming its advisory, the module and the version that upstream says
// fixed it, when the advisory itself records no fix: the excuse holds only
// while the module's version in the build is at least that version, so it
// expires by itself if we ever downgrade.
//
// Usage (see scripts/vulncheck.sh):
//
//	govulncheck -db file:///path -format json ./... | go run ./scripts/vulncheck scripts/vulncheck/exceptions.txt
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
}

type finding struct {
	OSV          string  `json:"osv"`
	FixedVersion string  `json:"fixed_version"`
	Trace        []frame `json:"trace"`
}

type message struct {
	Finding *finding `json:"finding"`
}

type exception struct {
	id, module, fixedIn, why string
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: vulncheck EXCEPTIONS-FILE < govulncheck.json")
		os.Exit(2)
	}
	excs, err := readExceptions(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulncheck:", err)
		os.Exit(2)
	}
	code, err := check(os.Stdin, os.Stdout, excs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulncheck:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// check reads the stream and reports; it returns the exit code.
func check(r io.Reader, w io.Writer, excs map[string]exception) (int, error) {
	dec := json.NewDecoder(r)
	reachable := map[string]frame{} // advisory → the vulnerable frame
	other := map[string]bool{}
	messages := 0
	for {
		var m message
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return 0, fmt.Errorf("reading govulncheck output: %w", err)
		}
		messages++
		f := m.Finding
		if f == nil || len(f.Trace) == 0 {
			continue
		}
		if f.Trace[0].Function != "" {
			reachable[f.OSV] = f.Trace[0]
		} else {
			other[f.OSV] = true
		}
	}
	if messages == 0 {
		return 0, fmt.Errorf("no govulncheck output (did it run?)")
	}
	ids := make([]string, 0, len(reachable))
	for id := range reachable {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	failed := 0
	for _, id := range ids {
		fr := reachable[id]
		e, ok := excs[id]
		switch {
		case !ok:
			fmt.Fprintf(w, "REACHABLE %s in %s@%s (%s.%s)\n", id, fr.Module, fr.Version, fr.Package, fr.Function)
			failed++
		case e.module != fr.Module || !atLeast(fr.Version, e.fixedIn):
			fmt.Fprintf(w, "REACHABLE %s in %s@%s: the exception needs %s@%s or later\n", id, fr.Module, fr.Version, e.module, e.fixedIn)
			failed++
		default:
			fmt.Fprintf(w, "excused   %s in %s@%s: fixed upstream in %s (%s)\n", id, fr.Module, fr.Version, e.fixedIn, e.why)
		}
	}
	for id := range other {
		if _, ok := reachable[id]; !ok {
			fmt.Fprintf(w, "not reached: %s (imported or required, never called)\n", id)
		}
	}
	if failed > 0 {
		fmt.Fprintf(w, "%d reachable vulnerabilities\n", failed)
		return 1, nil
	}
	fmt.Fprintln(w, "no reachable vulnerabilities")
	return 0, nil
}

// readExceptions parses "ID MODULE FIXED-IN reason..." lines; # starts a
// comment.
func readExceptions(path string) (map[string]exception, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]exception{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) < 4 {
			return nil, fmt.Errorf("%s:%d: want ID MODULE FIXED-IN REASON", path, n)
		}
		if _, ok := parse(fs[2]); !ok {
			return nil, fmt.Errorf("%s:%d: %q is not a version vX.Y.Z", path, n, fs[2])
		}
		out[fs[0]] = exception{id: fs[0], module: fs[1], fixedIn: fs[2], why: strings.Join(fs[3:], " ")}
	}
	return out, sc.Err()
}

// atLeast reports whether version v >= w (both vX.Y.Z; anything else is
// never at least).
func atLeast(v, w string) bool {
	a, ok1 := parse(v)
	b, ok2 := parse(w)
	if !ok1 || !ok2 {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return true
}

func parse(v string) ([3]int, bool) {
	var out [3]int
	v, ok := strings.CutPrefix(v, "v")
	if !ok {
		return out, false
	}
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return out, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return out, false
		}
		out[i] = n
	}
	return out, true
}
