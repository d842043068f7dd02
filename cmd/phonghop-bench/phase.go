package main

import (
	"context"
	"time"
)

// minOtherWindow is the shortest window over which the rest of the
// machine's CPU is judged.
const minOtherWindow = time.Second

// phaseRun is the record of one measured phase: how many attempts it took,
// whether the last was clean (the rest of the machine used at most
// -max-other cores meanwhile), and the CPU of that attempt.
type phaseRun struct {
	Attempts int  `json:"attempts"`
	Clean    bool `json:"clean"`
	// QuietWaitS is how long the bench waited for other processes to calm
	// down before the attempts.
	QuietWaitS float64 `json:"quiet_wait_s"`
	// OtherCores of each attempt, in order.
	OtherByAttempt []float64 `json:"other_cores_by_attempt"`
	CPU            *cpuUse   `json:"cpu"`
}

// phase runs a measured phase against server process pid (0: phonghop
// reached by -server) and records it. Before each attempt it waits for the
// machine to be quiet (-quiet-wait); after an attempt during which other
// processes used more than -max-other cores it runs the phase again, at
// most retries more times (run is then called with attempt 2, 3, …: it
// must undo what the previous attempt left, as reconnecting every tablet,
// and overwrite its figures). An error ends the phase.
func (b *bench) phase(ctx context.Context, name string, pid, retries int, run func(attempt int) error) (*phaseRun, error) {
	pr := &phaseRun{}
	for attempt := 1; ; attempt++ {
		waited, err := b.waitQuiet(ctx, pid)
		pr.QuietWaitS = round3(pr.QuietWaitS + waited.Seconds())
		if err != nil {
			return pr, err
		}
		m0 := b.markPID(ctx, pid)
		err = run(attempt)
		u := m0.until(b.markPID(ctx, pid))
		if d := time.Duration(u.Wall * float64(time.Second)); err == nil && d < minOtherWindow {
			// /proc counts in 10 ms ticks: judge the rest of the machine
			// over at least minOtherWindow (the bench and the server idle
			// in the tail).
			if err := sleep(ctx, minOtherWindow-d); err != nil {
				return pr, err
			}
			w := m0.until(b.markPID(ctx, pid))
			u.OtherCores, u.TopOthers, u.OtherWindowS = w.OtherCores, w.TopOthers, w.Wall
		}
		pr.Attempts, pr.CPU = attempt, u
		pr.OtherByAttempt = append(pr.OtherByAttempt, u.OtherCores)
		if err != nil {
			return pr, err
		}
		pr.Clean = u.OtherCores <= b.cfg.maxOther
		if pr.Clean {
			return pr, nil
		}
		if attempt > retries {
			b.p.printf("%s: NOT CLEAN: other processes used %.2f cores (%s); no attempts left", name, u.OtherCores, describeOthers(u.TopOthers))
			return pr, nil
		}
		b.p.printf("%s: other processes used %.2f cores (%s): again (attempt %d of %d)", name, u.OtherCores, describeOthers(u.TopOthers), attempt+1, retries+1)
		if err := sleep(ctx, time.Second); err != nil {
			return pr, err
		}
	}
}
