//go:build race

package minutes

// raceEnabled says that the tests run under the race detector, which makes
// the property test's random meetings several times slower: it runs fewer
// of them (scripts/test.sh runs the full count without -race).
const raceEnabled = true
