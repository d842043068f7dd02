package meetingtest

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A Script is a meeting as a list of steps, each a command given by an
// actor some time after the step before. Scripts are what the generator
// writes, what Run executes, what the shrinker cuts, and, in their text
// form (one step a line), what a failing case is kept as in testdata.
//
// Entities are named in a script by reference, not by ID, so that a script
// still means the same thing after the shrinker removed steps: every ID of
// the domain is a prefix and the sequence number of the event that created
// the entity ("p12", "v40", "d7"), and a reference is the prefix, the
// number of the step that created it and the index of the event within
// that step's events: "p@3.1" is the participant added by the second event
// of step 3. A step whose references do not resolve (the step that created
// the entity was removed or refused) is skipped.
type Script []Step

// Step is one command of a script.
type Step struct {
	// After is the time since the previous step (the clock of the meeting
	// only moves forward).
	After time.Duration
	// Actor is who gives the command: "secretary" (the secretariat's
	// account), "system" (the server), "uploader" (the server adding a
	// document a secretary uploaded: the system role with the account's
	// ID) or a participant's reference ("p@3.1"), whose role is the
	// participant's at that moment.
	Actor string
	// Name is the command's wire name.
	Name string
	// Data is the command's JSON data, with references for IDs. For
	// poll.record_votes it holds the ballots too, even of a secret poll:
	// Run casts them as the server's ballot box does (ValidateBallot, then
	// the ballot stays in the box and only the voter is recorded).
	Data string
}

// The actors of a script other than participants.
const (
	ActorSecretary = "secretary"
	ActorSystem    = "system"
	ActorUploader  = "uploader"
)

// refPattern matches a reference: an ID prefix, the creating step and the
// index of the creating event in that step.
var refPattern = regexp.MustCompile(`\b([a-z])@(\d+|x)\.(\d+)\b`)

// String returns the script in its text form: one step a line,
// "+<seconds>s <actor> <command> <data>".
func (sc Script) String() string {
	var b strings.Builder
	for _, st := range sc {
		b.WriteString(st.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// String returns the step as one line of a script.
func (st Step) String() string {
	return fmt.Sprintf("+%ds %s %s %s", int64(st.After/time.Second), st.Actor, st.Name, st.Data)
}

// ParseScript reads the text form of a script. Blank lines and lines
// starting with # are ignored.
func ParseScript(text string) (Script, error) {
	var sc Script
	s := bufio.NewScanner(strings.NewReader(text))
	s.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, " ", 4)
		if len(f) < 3 || !strings.HasPrefix(f[0], "+") || !strings.HasSuffix(f[0], "s") {
			return nil, fmt.Errorf("line %d: want \"+<seconds>s <actor> <command> [data]\": %q", n, line)
		}
		secs, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(f[0], "+"), "s"), 10, 64)
		if err != nil || secs < 0 {
			return nil, fmt.Errorf("line %d: bad delay %q", n, f[0])
		}
		st := Step{After: time.Duration(secs) * time.Second, Actor: f[1], Name: f[2]}
		if len(f) == 4 {
			st.Data = f[3]
		}
		sc = append(sc, st)
	}
	return sc, s.Err()
}

// Without returns a copy of sc without the steps in drop. References of
// the remaining steps are renumbered (a later step's number goes down by
// the steps removed before it); references to removed steps point at no
// step ("p@x.1"), so the steps holding them are skipped. The delays of
// removed steps go to the next step kept: the steps kept happen at the
// same times.
func (sc Script) Without(drop map[int]bool) Script {
	newIndex := make([]int, len(sc))
	n := 0
	for i := range sc {
		if drop[i] {
			newIndex[i] = -1
			continue
		}
		newIndex[i] = n
		n++
	}
	renumber := func(s string) string {
		return refPattern.ReplaceAllStringFunc(s, func(m string) string {
			g := refPattern.FindStringSubmatch(m)
			k, err := strconv.Atoi(g[2])
			to := -1
			if err == nil && k < len(newIndex) {
				to = newIndex[k]
			}
			if to < 0 {
				return g[1] + "@x." + g[3] // resolves to nothing
			}
			return fmt.Sprintf("%s@%d.%s", g[1], to, g[3])
		})
	}
	out := make(Script, 0, n)
	var carry time.Duration
	for i, st := range sc {
		if drop[i] {
			carry += st.After
			continue
		}
		st.After += carry
		carry = 0
		st.Actor = renumber(st.Actor)
		st.Data = renumber(st.Data)
		out = append(out, st)
	}
	return out
}
