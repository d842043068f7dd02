//go:build !race

package e2e

// raceEnabled says that the tests run under the race detector (see
// race_on_test.go).
const raceEnabled = false
