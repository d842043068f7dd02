package meeting_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/meeting/meetingtest"
)

// The property test of whole meetings: random valid command sequences
// (package meetingtest's generator) run through Decide and Apply with the
// invariants of meetingtest.Run checked after every step. A failing meeting
// is shrunk to a minimal script, printed, and written to testdata/prop,
// where TestMeetingRegressions runs it with every go test.
var (
	propSeed     = flag.Uint64("prop.seed", 0, "first seed of the random meetings of TestMeetingProperties (0: from the clock)")
	propMeetings = flag.Int("prop.meetings", 0, "how many random meetings TestMeetingProperties runs (0: 10,000, or 1,000 with -short)")
	propSteps    = flag.Int("prop.steps", 0, "steps of every meeting (0: from 10 to 150, by the seed)")
)

// propOptions are the options of the property test's runs.
func propOptions() meetingtest.Options { return meetingtest.Options{ViewEvery: 16} }

// stepsOf returns the number of steps of the meeting of seed: most
// meetings are of a few dozen commands, some long.
func stepsOf(seed uint64) int {
	if *propSteps > 0 {
		return *propSteps
	}
	r := rand.New(rand.NewPCG(seed, 1))
	switch x := r.IntN(10); {
	case x < 4:
		return 10 + r.IntN(25)
	case x < 9:
		return 30 + r.IntN(40)
	}
	return 70 + r.IntN(80)
}

func TestMeetingProperties(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	if *propMeetings > 0 {
		n = *propMeetings
	}
	stats := meetingtest.Property{Name: "TestMeetingProperties", Package: "./server/meeting", Seed: *propSeed, Meetings: n,
		Steps: stepsOf, Options: propOptions, Dir: filepath.Join("testdata", "prop")}.Run(t)
	// Every command was generated and accepted somewhere: the generator
	// reaches every rule, not only every name.
	if n >= 1000 && !t.Failed() {
		for _, name := range meeting.CommandNames() {
			if stats.Accepted[name] == 0 {
				t.Errorf("no %s accepted in %d meetings (refused %d times): the generator does not reach it", name, n, stats.Refused[name])
			}
		}
	}
	if testing.Verbose() {
		names := meeting.CommandNames()
		sort.Strings(names)
		for _, name := range names {
			t.Logf("  %-28s accepted %7d  refused %7d", name, stats.Accepted[name], stats.Refused[name])
		}
		var why []string
		for w, n := range stats.Why {
			why = append(why, fmt.Sprintf("%7d  %s", n, w))
		}
		sort.Sort(sort.Reverse(sort.StringSlice(why)))
		for _, w := range why[:min(len(why), 40)] {
			t.Logf("  refused %s", w)
		}
	}
}

// TestMeetingRegressions runs every script kept in testdata/prop: each
// once broke an invariant (its first lines say which), and must not again.
func TestMeetingRegressions(t *testing.T) {
	meetingtest.Regressions(t, filepath.Join("testdata", "prop"), propOptions)
}

// TestGeneratorCoversEveryCommand fails when a command is added to the
// package without a generator in meetingtest.Kinds (see docs/testing.md:
// one entry in that table), or a generator outlives its command.
func TestGeneratorCoversEveryCommand(t *testing.T) {
	names := meeting.CommandNames()
	for _, name := range names {
		if _, ok := meetingtest.Kinds[name]; !ok {
			t.Errorf("command %s has no generator in meetingtest.Kinds: the property test never gives it", name)
		}
	}
	for name := range meetingtest.Kinds {
		if !slices.Contains(names, name) {
			t.Errorf("meetingtest.Kinds has %s, which is not a command", name)
		}
	}
}

var gcPercent = 2000
