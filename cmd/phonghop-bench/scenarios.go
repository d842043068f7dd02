package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// changeWait bounds the wait for every tablet to receive one change.
const changeWait = 60 * time.Second

// measure starts the measured phase: it notes the CPU used so far and
// starts the CPU profile (-cpuprofile). The function it returns ends the
// phase and returns its CPU use.
func (b *bench) measure(ctx context.Context) (func() *cpuUse, error) {
	var f *os.File
	if b.cfg.cpuprofile != "" {
		var err error
		if f, err = os.Create(b.cfg.cpuprofile); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
	}
	m0 := b.mark(ctx)
	return func() *cpuUse {
		u := m0.until(b.mark(ctx))
		if f != nil {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				b.p.printf("cpu profile: %v", err)
			}
		}
		return u
	}, nil
}

// setup prepares the meeting and pairs the tablets, calls beforeConnect (if
// not nil), then connects every tablet (-tablet lean: the bench's lean
// client; else SDK Lives with opts(i), and Lean with sdk-lean) as a
// measured phase. It fills the setup figures of rep.
func (b *bench) setup(ctx context.Context, user, password string, rep *report, opts func(i int) []client.LiveOption, beforeConnect func() error) error {
	st := &setupTimes{}
	rep.Setup = st
	m0 := b.mark(ctx)
	if err := b.prepare(ctx, user, password, rep); err != nil {
		return err
	}
	setup := st.Login + st.Meeting + st.Import + st.Codes + st.Pair
	rep.SetupCPU = m0.until(b.mark(ctx))
	if beforeConnect != nil {
		if err := beforeConnect(); err != nil {
			return err
		}
	}
	if err := b.connectPhase(ctx, rep, opts); err != nil {
		return err
	}
	rep.SetupS = round3(setup + st.Connect)
	return nil
}

// connectPhase connects every tablet as a measured phase (repeated, after
// closing them all, when other processes loaded the machine).
func (b *bench) connectPhase(ctx context.Context, rep *report, opts func(i int) []client.LiveOption) error {
	var err error
	rep.ConnectPhase, err = b.phase(ctx, "connect", b.serverPID, b.cfg.retries, func(attempt int) error {
		if attempt > 1 {
			b.disconnect()
		}
		prof := b.profile(b.serverPID, "connect")
		defer prof()
		if b.cfg.tablet == "lean" {
			return b.connectLean(ctx, rep)
		}
		return b.connectTablets(ctx, rep.Setup, func(i int) []client.LiveOption {
			o := opts(i)
			if b.cfg.tablet == "sdk-lean" {
				o = append(o, client.Lean())
			}
			return o
		})
	})
	return err
}

// disconnect closes every tablet's connection (SDK or lean).
func (b *bench) disconnect() {
	if b.fleet != nil {
		b.fleet.closeAll()
		b.fleet = nil
	}
	_ = parallel(context.Background(), len(b.tablets), 256, nil, func(_ context.Context, i int) error {
		if l := b.tablets[i].live; l != nil {
			l.Close()
			b.tablets[i].live = nil
		}
		return nil
	})
}

// connectLean connects a lean tablet for every paired tablet and waits
// until each is synced.
func (b *bench) connectLean(ctx context.Context, rep *report) error {
	u, err := url.Parse(b.base)
	if err != nil {
		return err
	}
	u.Scheme = "ws"
	u.Path = "/ws"
	u.RawQuery = url.Values{"meeting": {b.meeting}}.Encode()
	ws := u.String()
	b.fleet = newLeanFleet(b.cfg.n)
	var done atomic.Int64
	d, err := b.fleet.connectAll(ctx, b.cfg.concurrency, func(i int) (string, http.CookieJar) { return ws, b.tablets[i].jar },
		func() func() { return b.tracker("connect", &done) }, &done)
	if err != nil {
		return err
	}
	rep.Setup.Connect = round3(d.Seconds())
	lo, hi := b.fleet.snapshotSizes()
	rep.SnapshotBytes, rep.SnapshotBytesMin = hi, lo
	b.p.printf("connected %d lean tablets in %.2f s (%.0f/s); snapshot %d bytes", b.cfg.n, d.Seconds(), float64(b.cfg.n)/d.Seconds(), hi)
	return nil
}

// rename gives an agenda change: the item's title alternates between two
// drafts (over the whole run: a repeated phase goes on alternating).
func (b *bench) rename(ctx context.Context, _ int) (int64, error) {
	b.renames++
	return b.live.Send(ctx, "agenda.rename", map[string]string{"id": b.item, "title": b.titles[b.renames%2]})
}

// fanoutRecorder records, for each change and SDK tablet, when the tablet
// read the change (ns since epoch).
type fanoutRecorder struct {
	n     int
	epoch time.Time
	base  atomic.Int64 // seq before the first change; 0 until armed
	lat   [][]float64  // [change][tablet] ns since epoch; each slot written by its tablet only
	count []atomic.Int64
	done  []chan struct{} // closed when every tablet has change k
}

func newFanoutRecorder(n, changes int) *fanoutRecorder {
	f := &fanoutRecorder{n: n, epoch: time.Now(), lat: make([][]float64, changes), count: make([]atomic.Int64, changes), done: make([]chan struct{}, changes)}
	for k := range f.lat {
		f.lat[k] = make([]float64, n)
		f.done[k] = make(chan struct{})
	}
	return f
}

// onEvent returns tablet i's OnEvent callback. It runs on the tablet's
// goroutine: it only does arithmetic and an atomic add.
func (f *fanoutRecorder) onEvent(i int) func(meeting.Event, time.Time, bool) {
	return func(e meeting.Event, received time.Time, _ bool) {
		base := f.base.Load()
		if base == 0 || e.Type == meeting.EventHidden { // not armed yet, or a hidden placeholder
			return
		}
		k := e.Seq - base - 1
		if k < 0 || k >= int64(len(f.lat)) {
			return
		}
		// A replayed receipt (after a reconnection) is recorded too, so the
		// run ends; such a run is marked invalid.
		f.lat[k][i] = float64(received.Sub(f.epoch).Nanoseconds())
		if f.count[k].Add(1) == int64(f.n) {
			close(f.done[k])
		}
	}
}

// fanout runs the fanout scenario: the floor first (lean tablets, see
// runFloor), then phonghop with the same changes.
func (b *bench) fanout(ctx context.Context, user, password string, rep *report) error {
	changes := b.cfg.changes
	fr := &fanoutReport{Changes: changes}
	rep.fanoutReport = fr
	var rec *fanoutRecorder
	if b.cfg.tablet != "lean" {
		rec = newFanoutRecorder(b.cfg.n, changes)
	}
	err := b.setup(ctx, user, password, rep, func(i int) []client.LiveOption {
		return []client.LiveOption{client.WithoutReplica(), client.OnEvent(rec.onEvent(i))}
	}, nil)
	if err != nil {
		return err
	}
	return b.fanoutChanges(ctx, rep, rec)
}

// fanoutChanges is the measured part of fanout: -changes renames by the
// console, each after every tablet has the previous one; rec is nil for
// lean tablets.
func (b *bench) fanoutChanges(ctx context.Context, rep *report, rec *fanoutRecorder) error {
	fr := rep.fanoutReport
	if b.fleet == nil {
		if err := b.ended(); err != nil {
			b.countReconnects(fr)
			return err
		}
	}
	before, err := b.scrape(ctx)
	if err != nil {
		return err
	}
	b.p.printf("fanout: %d changes to %d tablets", fr.Changes, b.cfg.n)
	stopProfile, err := b.measure(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if stopProfile != nil {
			stopProfile()
		}
	}()
	rep.FanoutPhase, err = b.phase(ctx, "fanout", b.serverPID, b.cfg.retries, func(int) error {
		prof := b.profile(b.serverPID, "fanout")
		defer prof()
		head, err := b.console.Meeting(ctx, b.meeting)
		if err != nil {
			return err
		}
		var last, all, sends []float64
		if b.fleet != nil {
			last, all, sends, err = b.changes(ctx, b.fleet, func(k int) (int64, error) { return b.rename(ctx, k) },
				func(k int) int64 { return head.Seq + int64(k) + 1 })
		} else {
			last, all, sends, err = b.sdkChanges(ctx, rec, head.Seq)
		}
		if err != nil {
			return err
		}
		fr.LastMs = make([]float64, len(last))
		for k, v := range last {
			fr.LastMs[k] = ms(v)
		}
		fr.LastP50, fr.LastP99, fr.LastMax = ms(percentile(last, 50)), ms(percentile(last, 99)), ms(slices.Max(last))
		fr.AllP50, fr.AllP99 = ms(percentile(all, 50)), ms(percentile(all, 99))
		fr.SendP50, fr.SendP99 = ms(percentile(sends, 50)), ms(percentile(sends, 99))
		return nil
	})
	rep.MeasureCPU = stopProfile()
	stopProfile = nil
	if b.fleet != nil {
		fr.TabletsLost = b.fleet.lost.Load()
		b.fleet.tabs[0].mu.Lock()
		fr.EventBytes = b.fleet.tabs[0].evBytes
		b.fleet.tabs[0].mu.Unlock()
	} else {
		b.countReconnects(fr)
	}
	if err != nil {
		return err
	}
	if after, err := b.scrape(ctx); err == nil {
		rep.Overflows = after["phonghop_ws_queue_overflows_total"] - before["phonghop_ws_queue_overflows_total"]
	}
	fr.Valid = fr.ReconnectedTablets == 0 && fr.TabletsLost == 0
	if !fr.Valid {
		b.p.printf("INVALID RUN: %d tablets reconnected, %d lost", fr.ReconnectedTablets, fr.TabletsLost)
	}
	return nil
}

// sdkChanges makes the changes for SDK tablets (rec records their receipts)
// and returns, per change, the last tablet's latency, every latency and the
// console's round trip, in ns from the moment the change was sent.
func (b *bench) sdkChanges(ctx context.Context, rec *fanoutRecorder, head int64) (last, all, sends []float64, err error) {
	for k := range rec.lat {
		clear(rec.lat[k])
		rec.count[k].Store(0)
		rec.done[k] = make(chan struct{})
	}
	rec.base.Store(head)
	defer rec.base.Store(0)
	n := len(rec.lat)
	for k := range n {
		t0 := float64(time.Since(rec.epoch).Nanoseconds())
		seq, err := b.rename(ctx, k)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("change %d: %w", k+1, err)
		}
		sends = append(sends, float64(time.Since(rec.epoch).Nanoseconds())-t0)
		if want := head + int64(k) + 1; seq != want {
			return nil, nil, nil, fmt.Errorf("change %d was committed as seq %d, not %d: is someone else writing to the meeting?", k+1, seq, want)
		}
		timer := time.NewTimer(changeWait)
		select {
		case <-rec.done[k]:
			timer.Stop()
		case <-timer.C:
			return nil, nil, nil, fmt.Errorf("change %d: only %d of %d tablets received it within %v; those without it: %s",
				k+1, rec.count[k].Load(), b.cfg.n, changeWait, b.describe(func(i int) bool { return b.tablets[i].live.Seq() < head+int64(k)+1 }))
		case <-ctx.Done():
			timer.Stop()
			return nil, nil, nil, ctx.Err()
		}
		worst := 0.0
		for _, v := range rec.lat[k] {
			all = append(all, v-t0)
			worst = max(worst, v-t0)
		}
		last = append(last, worst)
		if (k+1)%10 == 0 || k+1 == n {
			b.p.printf("fanout: change %d/%d, last tablet %.1f ms", k+1, n, ms(worst))
		}
	}
	return last, all, sends, nil
}

// countReconnects fills in the tablets that reconnected.
func (b *bench) countReconnects(fr *fanoutReport) {
	fr.ReconnectedTablets, fr.TabletReconnects = 0, 0
	for _, t := range b.tablets {
		if r := t.live.Stats().Reconnects; r > 0 {
			fr.ReconnectedTablets++
			fr.TabletReconnects += r
		}
	}
}

// describe groups the tablets for which pick is true by their state
// (connected, ended and why, reconnections, snapshots, seq), for error
// messages.
func (b *bench) describe(pick func(i int) bool) string {
	groups := map[string]int{}
	for i, t := range b.tablets {
		if !pick(i) {
			continue
		}
		st := t.live.Stats()
		key := fmt.Sprintf("connected=%v err=%v reconnects=%d snapshots=%d resyncs=%d seq=%d",
			t.live.Connected(), t.live.Err(), st.Reconnects, st.Snapshots, st.Resyncs, t.live.Seq())
		groups[key]++
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%d× [%s]", groups[k], k))
	}
	return strings.Join(out, "; ")
}

// ended fails if some tablets' live connections have ended for good (the
// server closed them with 1000 or 4001): they would never get a change.
func (b *bench) ended() error {
	n := 0
	for _, t := range b.tablets {
		if t.live.Err() != nil {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d tablets' live connections have ended: %s", n, len(b.tablets),
			b.describe(func(i int) bool { return b.tablets[i].live.Err() != nil }))
	}
	return nil
}

// memSamples is how many /metrics samples idle takes, memGap apart (~3 s).
const (
	memSamples = 5
	memGap     = 750 * time.Millisecond
)

// sampleSide samples one side of the idle measurement: at once, and, if
// afterGC, again after the server's own next garbage collection (gc is nil
// otherwise).
func (b *bench) sampleSide(ctx context.Context, afterGC bool) (noGC, gc *memSample, err error) {
	if noGC, err = b.sampleMem(ctx); err != nil || !afterGC {
		return noGC, nil, err
	}
	b.p.printf("idle: waiting for the server's next garbage collection (at most %v)", b.cfg.idleGCWait)
	d, err := b.waitGC(ctx)
	if err != nil {
		return nil, nil, err
	}
	b.p.printf("idle: GC after %.1f s; sampling again", d.Seconds())
	gc, err = b.sampleMem(ctx)
	return noGC, gc, err
}

// sampleMem reads /metrics memSamples times and returns the medians.
func (b *bench) sampleMem(ctx context.Context) (*memSample, error) {
	names := []string{"go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes", "process_resident_memory_bytes",
		"go_memstats_heap_alloc_bytes", "go_goroutines", "phonghop_ws_connections", "go_gc_duration_seconds_count"}
	vals := make([][]float64, len(names))
	for s := range memSamples {
		if s > 0 {
			if err := sleep(ctx, memGap); err != nil {
				return nil, err
			}
		}
		m, err := b.scrape(ctx)
		if err != nil {
			return nil, err
		}
		for i, n := range names {
			v, ok := m[n]
			if !ok {
				return nil, fmt.Errorf("/metrics has no %s", n)
			}
			vals[i] = append(vals[i], v)
		}
	}
	return &memSample{HeapInuse: median(vals[0]), StackInuse: median(vals[1]), RSS: median(vals[2]),
		HeapAlloc: median(vals[3]), Goroutines: median(vals[4]), Conns: median(vals[5]), GCs: median(vals[6])}, nil
}

// waitGC waits until the server has finished a garbage collection that
// started after the call: the Go runtime forces one at least every 2
// minutes when nothing else triggers one, so this triggers nothing itself.
// It then waits a second more for the background sweeper.
func (b *bench) waitGC(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	gcs := func() (float64, error) {
		m, err := b.scrape(ctx)
		if err != nil {
			return 0, err
		}
		v, ok := m["go_gc_duration_seconds_count"]
		if !ok {
			return 0, errors.New("/metrics has no go_gc_duration_seconds_count")
		}
		return v, nil
	}
	n0, err := gcs()
	if err != nil {
		return 0, err
	}
	// A cycle in progress when n0 was read ends with n0+1: wait for n0+2
	// unless the wait is already long enough to rule that out.
	for {
		if err := sleep(ctx, time.Second); err != nil {
			return 0, err
		}
		n, err := gcs()
		if err != nil {
			return 0, err
		}
		if n >= n0+2 || (n >= n0+1 && time.Since(start) > 5*time.Second) {
			break
		}
		if time.Since(start) > b.cfg.idleGCWait {
			return 0, fmt.Errorf("the server ran no garbage collection within %v (-idle-gc-wait)", b.cfg.idleGCWait)
		}
	}
	if err := sleep(ctx, time.Second); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// idle runs the idle scenario.
func (b *bench) idle(ctx context.Context, user, password string, rep *report) error {
	ir := &idleReport{IdleWaitS: b.cfg.idleWait.Seconds(), Samples: memSamples}
	rep.idleReport = ir
	err := b.setup(ctx, user, password, rep, func(int) []client.LiveOption {
		return []client.LiveOption{client.WithoutReplica()}
	}, func() error { return b.idleBefore(ctx, ir) })
	if err != nil {
		return err
	}
	done, err := b.measure(ctx)
	if err != nil {
		return err
	}
	err = b.idleAfter(ctx, ir)
	rep.MeasureCPU = done()
	return err
}

// idleBefore samples the server's memory before the tablets connect.
func (b *bench) idleBefore(ctx context.Context, ir *idleReport) error {
	b.p.printf("idle: sampling the server's memory before connecting the tablets")
	var err error
	ir.BeforeNoGC, ir.Before, err = b.sampleSide(ctx, b.cfg.idleGCWait > 0)
	return err
}

// idleAfter lets the connected tablets idle for -idle-wait, samples the
// server's memory again and works out the figures per connection.
func (b *bench) idleAfter(ctx context.Context, ir *idleReport) error {
	afterGC := b.cfg.idleGCWait > 0
	b.p.printf("idle: %d tablets connected; idle for %v, then sampling", b.cfg.n, b.cfg.idleWait)
	if err := sleep(ctx, b.cfg.idleWait); err != nil {
		return err
	}
	var err error
	if ir.AfterNoGC, ir.After, err = b.sampleSide(ctx, afterGC); err != nil {
		return err
	}
	n := float64(b.cfg.n)
	if got := ir.AfterNoGC.Conns - ir.BeforeNoGC.Conns; got != n {
		b.p.printf("warning: phonghop_ws_connections grew by %.0f, not %d", got, b.cfg.n)
	}
	kb := func(after, before float64) float64 { return round3((after - before) / n / 1024) }
	ir.NoGC = &memPerConn{
		Heap:  kb(ir.AfterNoGC.HeapInuse, ir.BeforeNoGC.HeapInuse),
		Stack: kb(ir.AfterNoGC.StackInuse, ir.BeforeNoGC.StackInuse),
		RSS:   kb(ir.AfterNoGC.RSS, ir.BeforeNoGC.RSS),
	}
	ir.NoGC.HeapStack = round3(ir.NoGC.Heap + ir.NoGC.Stack)
	ir.GoroutinesPer = round3((ir.AfterNoGC.Goroutines - ir.BeforeNoGC.Goroutines) / n)
	pc := ir.NoGC
	ir.IdleBasis = "heap_inuse+stack_inuse, (after-before)/N, medians of 5 samples over 3 s, no wait for a GC"
	if afterGC {
		pc = &memPerConn{
			Heap:  kb(ir.After.HeapInuse, ir.Before.HeapInuse),
			Stack: kb(ir.After.StackInuse, ir.Before.StackInuse),
			RSS:   kb(ir.After.RSS, ir.Before.RSS),
		}
		pc.HeapStack = round3(pc.Heap + pc.Stack)
		ir.GoroutinesPer = round3((ir.After.Goroutines - ir.Before.Goroutines) / n)
		ir.IdleBasis = "heap_inuse+stack_inuse, (after-before)/N, each side sampled (median of 5 over 3 s) just after the server's own next GC"
	}
	ir.IdleKBPerConn, ir.HeapKBPerConn, ir.StackKBPerConn, ir.RSSKBPerConn = pc.HeapStack, pc.Heap, pc.Stack, pc.RSS
	b.heapProfile(b.serverPID, "idle-heap")
	return nil
}

// Reconnect scenario parameters.
const (
	reconnectBase    = 50 * time.Millisecond
	reconnectMax     = time.Second
	changesBefore    = 3
	changesDuring    = 5
	reconnectTimeout = 60 * time.Second
)

// reconnect runs the reconnect scenario.
func (b *bench) reconnect(ctx context.Context, user, password string, rep *report) error {
	rr := &reconnectReport{Backoff: fmt.Sprintf("WithBackoff(%v, %v)", reconnectBase, reconnectMax),
		ChangesBefore: changesBefore, ChangesDuring: changesDuring}
	rep.reconnectReport = rr
	err := b.setup(ctx, user, password, rep, func(int) []client.LiveOption {
		return []client.LiveOption{client.WithoutReplica(), client.WithBackoff(reconnectBase, reconnectMax)}
	}, nil)
	if err != nil {
		return err
	}
	var seq int64
	for k := range changesBefore {
		if seq, err = b.rename(ctx, k); err != nil {
			return fmt.Errorf("change %d: %w", k+1, err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, reconnectTimeout)
	defer cancel()
	for i, t := range b.tablets {
		if err := t.live.WaitSeq(wctx, seq); err != nil {
			return fmt.Errorf("tablet %d did not get the first %d changes: %w", i+1, changesBefore, err)
		}
	}
	s0 := b.stats()
	before, err := b.scrape(ctx)
	if err != nil {
		return err
	}
	b.p.printf("reconnect: %d tablets synced at seq %d; dropping every connection", b.cfg.n, seq)

	want := seq + changesDuring
	w := b.startWaiters(ctx, want)
	done, err := b.measure(ctx)
	if err != nil {
		return err
	}
	measured := false
	defer func() {
		if !measured {
			done()
		}
	}()
	w.arm()
	for _, t := range b.tablets {
		t.live.Drop()
	}
	rr.DropMs = ms(float64(time.Since(w.t0).Nanoseconds()))
	ts := time.Now()
	for k := range changesDuring {
		if seq, err = b.rename(ctx, changesBefore+k); err != nil {
			return fmt.Errorf("change %d during the outage: %w", k+1, err)
		}
	}
	rr.SendsMs = ms(float64(time.Since(ts).Nanoseconds()))
	if seq != want {
		return fmt.Errorf("the last change was committed as seq %d, not %d: is someone else writing to the meeting?", seq, want)
	}
	took, err := w.wait()
	rep.MeasureCPU, measured = done(), true
	if err != nil {
		return err
	}
	rr.ResyncAllMs = ms(slices.Max(took))
	rr.ResyncP50Ms, rr.ResyncP99Ms = ms(percentile(took, 50)), ms(percentile(took, 99))
	s1 := b.stats()
	rr.Reconnects = s1.Reconnects - s0.Reconnects
	rr.Snapshots = s1.Snapshots - s0.Snapshots
	rr.Replayed = s1.Replayed - s0.Replayed
	if after, err := b.scrape(ctx); err == nil {
		rep.Overflows = after["phonghop_ws_queue_overflows_total"] - before["phonghop_ws_queue_overflows_total"]
	}
	if rr.Reconnects < b.cfg.n {
		b.p.printf("warning: %d reconnections for %d dropped tablets", rr.Reconnects, b.cfg.n)
	}
	b.p.printf("reconnect: dropped, all resynced in %.1f ms (drop loop %.1f ms, console's changes %.1f ms)", rr.ResyncAllMs, rr.DropMs, rr.SendsMs)
	return b.outage(ctx, rr, seq)
}

// outage is the reconnect scenario's second part: every tablet goes
// offline (Pause: no reconnection attempt), the console makes its changes,
// then every tablet comes back at once (Resume). It times from the first
// Resume until every tablet has the console's last seq, which isolates the
// server's reconnect-and-replay work from the drop and the commits.
func (b *bench) outage(ctx context.Context, rr *reconnectReport, seq int64) error {
	for _, t := range b.tablets {
		t.live.Pause()
	}
	want := seq + changesDuring
	for k := range changesDuring {
		var err error
		if seq, err = b.rename(ctx, changesBefore+changesDuring+k); err != nil {
			return fmt.Errorf("change %d while the tablets are offline: %w", k+1, err)
		}
	}
	if seq != want {
		return fmt.Errorf("the last change was committed as seq %d, not %d: is someone else writing to the meeting?", seq, want)
	}
	s0 := b.stats()
	w := b.startWaiters(ctx, want)
	w.arm()
	for _, t := range b.tablets {
		t.live.Resume()
	}
	rr.ResumeMs = ms(float64(time.Since(w.t0).Nanoseconds()))
	took, err := w.wait()
	if err != nil {
		return err
	}
	rr.OutageAllMs = ms(slices.Max(took))
	rr.OutageP50Ms, rr.OutageP99Ms = ms(percentile(took, 50)), ms(percentile(took, 99))
	s1 := b.stats()
	rr.OutageSnapshots = s1.Snapshots - s0.Snapshots
	rr.OutageReplayed = s1.Replayed - s0.Replayed
	b.p.printf("reconnect: paused, %d changes, resumed: all resynced in %.1f ms after the first Resume (resume loop %.1f ms)", changesDuring, rr.OutageAllMs, rr.ResumeMs)
	return nil
}

// stats sums the tablets' counters.
func (b *bench) stats() client.LiveStats {
	var sum client.LiveStats
	for _, t := range b.tablets {
		s := t.live.Stats()
		sum.Reconnects += s.Reconnects
		sum.Snapshots += s.Snapshots
		sum.Replayed += s.Replayed
		sum.Events += s.Events
		sum.Resyncs += s.Resyncs
	}
	return sum
}

// waiters waits, one goroutine per tablet, for every tablet to reach a seq
// and notes when each did, counted from arm.
type waiters struct {
	n      int
	t0     time.Time
	armed  sync.WaitGroup // the waiters read t0 only after arm
	wg     sync.WaitGroup
	cancel context.CancelFunc
	took   []float64 // ns after t0
	errs   []error
}

// startWaiters starts a waiter per tablet for seq want, each giving up
// after reconnectTimeout.
func (b *bench) startWaiters(ctx context.Context, want int64) *waiters {
	ctx, cancel := context.WithTimeout(ctx, reconnectTimeout)
	w := &waiters{n: len(b.tablets), cancel: cancel, took: make([]float64, len(b.tablets)), errs: make([]error, len(b.tablets))}
	w.armed.Add(1)
	for i, t := range b.tablets {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.errs[i] = t.live.WaitSeq(ctx, want)
			w.armed.Wait()
			w.took[i] = float64(time.Since(w.t0).Nanoseconds())
		}()
	}
	return w
}

// arm starts the clock.
func (w *waiters) arm() {
	w.t0 = time.Now()
	w.armed.Done()
}

// wait waits for every waiter and returns their times, or an error saying
// how many tablets did not get there in time.
func (w *waiters) wait() ([]float64, error) {
	w.wg.Wait()
	w.cancel()
	late := 0
	var first error
	for i, err := range w.errs {
		if err != nil {
			late++
			if first == nil {
				first = fmt.Errorf("tablet %d: %w", i+1, err)
			}
		}
	}
	if late > 0 {
		return nil, fmt.Errorf("%d of %d tablets did not resync within %v (first: %v)", late, w.n, reconnectTimeout, first)
	}
	return w.took, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
