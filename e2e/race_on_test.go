//go:build race

package e2e

// raceEnabled says that the tests run under the race detector, which makes
// the test process (the SDK tablets) several times slower; the biggest
// tests then keep the cost of their tablets down (see hall.join).
const raceEnabled = true
