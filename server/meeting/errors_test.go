package meeting

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// vietnamese reports whether s has a letter outside ASCII (every Vietnamese
// message has a diacritic somewhere).
func vietnamese(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

var quoted = regexp.MustCompile(`"(\\.|[^"\\])*"`)

// checkMessages reports what is wrong with a user-facing message pair.
func checkMessages(vi, en string) []string {
	var bad []string
	switch {
	case strings.TrimSpace(vi) == "":
		bad = append(bad, "empty Vietnamese message")
	case !vietnamese(vi):
		bad = append(bad, fmt.Sprintf("message %q is not Vietnamese", vi))
	}
	if strings.TrimSpace(en) == "" {
		bad = append(bad, "empty English message")
	} else if vietnamese(quoted.ReplaceAllString(en, `""`)) { // quoted input may be Vietnamese
		bad = append(bad, fmt.Sprintf("English message %q has Vietnamese letters", en))
	}
	for _, m := range []string{vi, en} {
		if strings.Contains(m, "%!") {
			bad = append(bad, fmt.Sprintf("formatting mistake in %q", m))
		}
		if strings.Contains(m, " .") || strings.Contains(m, "  ") {
			bad = append(bad, fmt.Sprintf("a word is missing in %q", m))
		}
	}
	return bad
}

// TestDecideErrors checks every error of the table of TestDecide: a *Error
// with a Vietnamese and an English message (and the same for each problem),
// without formatting mistakes.
func TestDecideErrors(t *testing.T) {
	kinds := map[Kind]int{}
	n := 0
	for _, tc := range decideCases() {
		if tc.err == "" {
			continue
		}
		s := tc.givenState(t)
		_, err := Decide(s, tc.who(), tc.when, t0)
		if err == nil {
			t.Errorf("%s: %s = nil; want an error", tc.name, describe(tc.who(), tc.when))
			continue
		}
		n++
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %s = %T %v; want a *Error", tc.name, describe(tc.who(), tc.when), err, err)
			continue
		}
		if e != err {
			t.Errorf("%s: Decide returned a wrapped *Error (%v); want the *Error itself", tc.name, err)
		}
		kinds[e.Kind]++
		for _, bad := range checkMessages(e.Message, e.MessageEN) {
			t.Errorf("%s: %s: %s", tc.name, describe(tc.who(), tc.when), bad)
		}
		for i, p := range e.Problems {
			for _, bad := range checkMessages(p.Message, p.MessageEN) {
				t.Errorf("%s: problem %d: %s", tc.name, i, bad)
			}
			if p.Field == "" {
				t.Errorf("%s: problem %d has no field", tc.name, i)
			}
		}
		if e.Err != nil {
			t.Errorf("%s: error has an internal cause %v; domain errors have none", tc.name, e.Err)
		}
		if got := e.Error(); !strings.HasPrefix(got, string(e.Kind)+": ") || !strings.Contains(got, e.MessageEN) {
			t.Errorf("%s: Error() = %q; want %q", tc.name, got, string(e.Kind)+": "+e.MessageEN)
		}
	}
	for _, k := range []Kind{KindInvalid, KindNotFound, KindConflict, KindForbidden} {
		if kinds[k] == 0 {
			t.Errorf("no %s error among the %d checked; want some", k, n)
		}
	}
	t.Logf("%d errors checked: %v", n, kinds)
}

// TestStatusConflictMessages checks the message of a status conflict in
// every status.
func TestStatusConflictMessages(t *testing.T) {
	for _, st := range []Status{StatusDraft, StatusOpen, StatusPaused, StatusClosed} {
		err := statusConflict(&State{Status: st}, "khai mạc")
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindConflict {
			t.Fatalf("statusConflict(%s) = %v; want a conflict", st, err)
		}
		for _, bad := range checkMessages(e.Message, e.MessageEN) {
			t.Errorf("statusConflict(%s): %s", st, bad)
		}
		if !strings.Contains(e.MessageEN, string(st)) {
			t.Errorf("statusConflict(%s) = %q; want it to name the status", st, e.MessageEN)
		}
	}
}

func TestErrorHelpers(t *testing.T) {
	cause := errors.New("disk full")
	in := Internal(cause)
	if in.Kind != KindInternal || !errors.Is(in, cause) || strings.Contains(in.Message, "disk") || strings.Contains(in.MessageEN, "disk") {
		t.Errorf("Internal(cause) = %+v; want kind internal, wrapping the cause, with a message that does not show it", in)
	}
	if got, want := in.Error(), "internal: Internal error, please try again.: disk full"; got != want {
		t.Errorf("Internal(cause).Error() = %q; want %q", got, want)
	}
	e := Errorf(KindNotFound, "Không tìm thấy %q.", "%q not found", "i9")
	if e.Message != `Không tìm thấy "i9".` || e.MessageEN != `"i9" not found` || e.Error() != `not_found: "i9" not found` {
		t.Errorf("Errorf = %+v (%q)", e, e.Error())
	}
	tests := []struct {
		err  error
		want Kind
	}{
		{nil, ""},
		{e, KindNotFound},
		{fmt.Errorf("room: %w", e), KindNotFound},
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", Errorf(KindForbidden, "x", "y"))), KindForbidden},
		{cause, KindInternal},
		{in, KindInternal},
	}
	for _, tt := range tests {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %q; want %q", tt.err, got, tt.want)
		}
	}
	if errors.Unwrap(e) != nil {
		t.Errorf("Unwrap of a domain error = %v; want nil", errors.Unwrap(e))
	}
}
