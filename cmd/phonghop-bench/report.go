package main

import (
	"fmt"
	"io"
	"math"
)

// report is the JSON object printed as the last line of stdout. The
// scenario's own figures are flattened into it (nil ones are left out).
type report struct {
	Scenario string `json:"scenario"`
	N        int    `json:"n"`
	Tablet   string `json:"tablet"` // lean, sdk or sdk-lean
	// Clean: every measured phase ran while the rest of the machine used
	// at most MaxOther cores (see each phase's record).
	Clean bool `json:"clean"`
	// Ratios are phonghop's figures over the floor's, same run, same
	// lean tablets.
	Ratios *ratios      `json:"ratios_to_floor,omitempty"`
	Floor  *floorReport `json:"floor,omitempty"`
	// Work is phonghop's CPU per connection and per delivered event (the
	// floor's is in Floor.Work).
	Work *work `json:"work,omitempty"`
	*fanoutReport
	*idleReport
	*reconnectReport
	*voteReport
	*opinionsReport
	// SnapshotBytes is the snapshot a (lean) tablet received when it
	// connected (the largest; SnapshotBytesMin the smallest).
	SnapshotBytes    int         `json:"snapshot_bytes,omitempty"`
	SnapshotBytesMin int         `json:"snapshot_bytes_min,omitempty"`
	SnapshotSizes    []sizePoint `json:"snapshot_sizes,omitempty"`
	SetupS           float64     `json:"setup_s"` // login to every tablet connected and synced
	Setup            *setupTimes `json:"setup,omitempty"`
	SetupCPU         *cpuUse     `json:"setup_cpu,omitempty"` // login to every tablet paired
	PairPhase        *phaseRun   `json:"pair_phase,omitempty"`
	ConnectPhase     *phaseRun   `json:"connect_phase,omitempty"`
	FanoutPhase      *phaseRun   `json:"fanout_phase,omitempty"`
	VotePhase        *phaseRun   `json:"vote_phase,omitempty"`
	PublishPhase     *phaseRun   `json:"publish_phase,omitempty"`
	MeasureCPU       *cpuUse     `json:"measure_cpu,omitempty"` // the measured phase only (fanout: all its attempts)
	// Overflows counts connections the server closed as too slow (4008)
	// during the measured phase (phonghop_ws_queue_overflows_total).
	Overflows   float64 `json:"server_queue_overflows"`
	Concurrency int     `json:"setup_concurrency"`
	Server      string  `json:"server"`
	Go          string  `json:"go"`
	CPUs        int     `json:"cpus"`
	Date        string  `json:"date"`
	WallS       float64 `json:"wall_s"`
	Load1Start  float64 `json:"loadavg_1m_start"`
	Load1End    float64 `json:"loadavg_1m_end"`
	MaxOther    float64 `json:"max_other_cores"`
	// Nice is the bench's scheduling priority, which its children (the
	// server, the floor hub) inherit: on a shared machine, running both
	// at a higher priority (nice -10) approximates a machine of their own.
	Nice  int    `json:"nice"`
	Error string `json:"error,omitempty"`
}

// ratios are phonghop ÷ floor.
type ratios struct {
	Connect float64 `json:"connect"`  // connect_s (connect + synced, all tablets)
	LastP50 float64 `json:"last_p50"` // fan-out, last tablet
	LastP99 float64 `json:"last_p99"`
	SendP50 float64 `json:"send_p50"` // the console's round trip
	// The server's CPU time per connection and per delivered event over
	// the hub's: work, which other load does not inflate the way it
	// inflates wall times.
	CPUConnect float64 `json:"cpu_connect"`
	CPUFanout  float64 `json:"cpu_fanout"`
}

// work is the CPU time of the server (phonghop or the floor hub) and of
// the bench per unit of a phase, in microseconds.
type work struct {
	ServerUsPerConn  float64 `json:"server_us_per_conn"`  // connect all: per tablet
	BenchUsPerConn   float64 `json:"bench_us_per_conn"`   //
	ServerUsPerEvent float64 `json:"server_us_per_event"` // fan-out: per change per tablet
	BenchUsPerEvent  float64 `json:"bench_us_per_event"`
}

// workOf works out the work figures of a connect and a fan-out phase of n
// tablets and the given changes.
func workOf(connect, fanout *phaseRun, n, changes int) *work {
	w := &work{}
	if c := connect; c != nil && c.CPU != nil && n > 0 {
		w.ServerUsPerConn = round3(c.CPU.ServerCPU / float64(n) * 1e6)
		w.BenchUsPerConn = round3(c.CPU.BenchCPU / float64(n) * 1e6)
	}
	if f := fanout; f != nil && f.CPU != nil && n > 0 && changes > 0 {
		w.ServerUsPerEvent = round3(f.CPU.ServerCPU / float64(n*changes) * 1e6)
		w.BenchUsPerEvent = round3(f.CPU.BenchCPU / float64(n*changes) * 1e6)
	}
	return w
}

// finish works out what depends on the rest: clean, ratios.
func (r *report) finish() {
	r.opinionsRatios()
	phases := []*phaseRun{r.PairPhase, r.ConnectPhase, r.FanoutPhase, r.VotePhase, r.PublishPhase}
	if f := r.Floor; f != nil {
		phases = append(phases, f.Connect, f.Fanout)
	}
	r.Clean = r.Error == ""
	n := 0
	for _, p := range phases {
		if p != nil {
			n++
			r.Clean = r.Clean && p.Clean
		}
	}
	r.Clean = r.Clean && n > 0
	if fr := r.fanoutReport; fr != nil && r.Tablet == "lean" {
		r.Work = workOf(r.ConnectPhase, r.FanoutPhase, r.N, fr.Changes)
	}
	if f := r.Floor; f != nil {
		f.Work = workOf(f.Connect, f.Fanout, r.N, len(f.LastMs))
	}
	if f, fr := r.Floor, r.fanoutReport; f != nil && fr != nil && r.Setup != nil && r.Tablet == "lean" && f.ConnectS > 0 && f.LastP50 > 0 && fr.LastP50 > 0 {
		div := func(a, b float64) float64 {
			if b <= 0 {
				return 0
			}
			return math.Round(a/b*100) / 100
		}
		r.Ratios = &ratios{Connect: div(r.Setup.Connect, f.ConnectS), LastP50: div(fr.LastP50, f.LastP50), LastP99: div(fr.LastP99, f.LastP99), SendP50: div(fr.SendP50, f.SendP50)}
		if r.Work != nil && f.Work != nil {
			r.Ratios.CPUConnect = div(r.Work.ServerUsPerConn, f.Work.ServerUsPerConn)
			r.Ratios.CPUFanout = div(r.Work.ServerUsPerEvent, f.Work.ServerUsPerEvent)
		}
	}
}

// opinionsRatios works out the opinions scenario's ratios to the floor hub.
func (r *report) opinionsRatios() {
	f, o := r.Floor, r.opinionsReport
	if f == nil || o == nil || f.SendP50 <= 0 || f.SendP99 <= 0 || f.LastP50 <= 0 || f.LastP99 <= 0 {
		return
	}
	div := func(a, b float64) float64 { return math.Round(a/b*100) / 100 }
	o.Ratios = &opinionsRatios{AckP50: div(o.AckP50, f.SendP50), AckP99: div(o.AckP99, f.SendP99)}
	if o.GroupLastP50 > 0 {
		o.Ratios.GroupLastP50, o.Ratios.GroupLastP99 = div(o.GroupLastP50, f.LastP50), div(o.GroupLastP99, f.LastP99)
	}
}

// fanoutReport holds the figures of the fanout scenario.
type fanoutReport struct {
	Changes int `json:"changes"`
	// For each change, "last" is the latency of the slowest tablet (the
	// time its frame was read minus the time the console sent the
	// change); these are over the changes.
	LastP50 float64 `json:"last_p50_ms"`
	LastP99 float64 `json:"last_p99_ms"`
	LastMax float64 `json:"last_max_ms"`
	// Over every receipt by every tablet of every change.
	AllP50 float64 `json:"all_p50_ms"`
	AllP99 float64 `json:"all_p99_ms"`
	// The console's command round trip (Send to result).
	SendP50 float64 `json:"send_p50_ms"`
	SendP99 float64 `json:"send_p99_ms"`
	// EventBytes is the size of a change's message (lean tablets).
	EventBytes int `json:"event_bytes,omitempty"`
	// TabletsLost are lean tablets whose connection the server ended.
	TabletsLost int64 `json:"tablets_lost"`
	// Tablets that reconnected during the run and their reconnections: a
	// valid run has none.
	ReconnectedTablets int       `json:"reconnected_tablets"`
	TabletReconnects   int       `json:"tablet_reconnects"`
	Valid              bool      `json:"valid"`
	LastMs             []float64 `json:"last_ms"` // per change, in order
}

// idleReport holds the figures of the idle scenario.
type idleReport struct {
	// IdleKBPerConn is HeapKBPerConn + StackKBPerConn (see IdleBasis):
	// after the server's own GC unless -idle-gc-wait is 0.
	IdleKBPerConn  float64     `json:"idle_kb_per_conn"`
	IdleBasis      string      `json:"idle_kb_basis"`
	HeapKBPerConn  float64     `json:"heap_kb_per_conn"`
	StackKBPerConn float64     `json:"stack_kb_per_conn"`
	RSSKBPerConn   float64     `json:"rss_kb_per_conn"`
	GoroutinesPer  float64     `json:"goroutines_per_conn"`
	NoGC           *memPerConn `json:"no_gc_wait"` // the same without waiting for a GC
	IdleWaitS      float64     `json:"idle_wait_s"`
	Samples        int         `json:"samples"`
	Before         *memSample  `json:"before,omitempty"` // just after a GC
	After          *memSample  `json:"after,omitempty"`
	BeforeNoGC     *memSample  `json:"before_no_gc_wait"`
	AfterNoGC      *memSample  `json:"after_no_gc_wait"`
}

// memPerConn is the server's memory growth per idle connection, in KB.
type memPerConn struct {
	HeapStack float64 `json:"heap_stack_kb"`
	Heap      float64 `json:"heap_kb"`
	Stack     float64 `json:"stack_kb"`
	RSS       float64 `json:"rss_kb"`
}

// memSample is the median of a few /metrics samples.
type memSample struct {
	HeapInuse  float64 `json:"go_memstats_heap_inuse_bytes"`
	StackInuse float64 `json:"go_memstats_stack_inuse_bytes"`
	RSS        float64 `json:"process_resident_memory_bytes"`
	HeapAlloc  float64 `json:"go_memstats_heap_alloc_bytes"`
	Goroutines float64 `json:"go_goroutines"`
	Conns      float64 `json:"phonghop_ws_connections"`
	GCs        float64 `json:"go_gc_duration_seconds_count"`
}

// reconnectReport holds the figures of the reconnect scenario.
type reconnectReport struct {
	// ResyncAllMs is from the moment every tablet dropped until the last
	// one reached the console's last seq; P50 and P99 are per tablet.
	ResyncAllMs   float64 `json:"resync_all_ms"`
	ResyncP50Ms   float64 `json:"resync_p50_ms"`
	ResyncP99Ms   float64 `json:"resync_p99_ms"`
	DropMs        float64 `json:"drop_ms"` // how long dropping every connection took
	Backoff       string  `json:"backoff"`
	ChangesBefore int     `json:"changes_before"`
	ChangesDuring int     `json:"changes_during"`
	SendsMs       float64 `json:"sends_during_ms"` // the console's changes during the outage
	Reconnects    int     `json:"reconnects"`      // by all tablets
	Snapshots     int     `json:"snapshots_after_drop"`
	Replayed      int     `json:"replayed_events"`
	// The second part: every tablet paused (offline), the console's
	// changes, then every tablet resumed at once; from the first Resume.
	OutageAllMs     float64 `json:"outage_resync_all_ms"`
	OutageP50Ms     float64 `json:"outage_resync_p50_ms"`
	OutageP99Ms     float64 `json:"outage_resync_p99_ms"`
	ResumeMs        float64 `json:"resume_ms"` // how long resuming every tablet took
	OutageSnapshots int     `json:"outage_snapshots"`
	OutageReplayed  int     `json:"outage_replayed_events"`
}

// summary prints the figures for a person.
func (r *report) summary(w io.Writer) {
	fmt.Fprintf(w, "phonghop-bench %s n=%d tablet=%s (%s, %d CPUs, nice %d, %s) clean=%v, load %.2f → %.2f\n", r.Scenario, r.N, r.Tablet, r.Go, r.CPUs, r.Nice, r.Server, r.Clean, r.Load1Start, r.Load1End)
	if f := r.Floor; f != nil {
		fmt.Fprintf(w, "  floor: connect %.2f s; fanout last tablet p50 %.1f ms, p99 %.1f ms; console round trip p50 %.1f ms\n", f.ConnectS, f.LastP50, f.LastP99, f.SendP50)
	}
	if q := r.Ratios; q != nil {
		fmt.Fprintf(w, "  phonghop ÷ floor: connect %.2f×, last tablet p50 %.2f×, p99 %.2f×, console round trip %.2f×; server CPU per connection %.2f×, per delivered event %.2f×\n",
			q.Connect, q.LastP50, q.LastP99, q.SendP50, q.CPUConnect, q.CPUFanout)
	}
	if r.Work != nil && r.Floor != nil && r.Floor.Work != nil {
		fmt.Fprintf(w, "  server CPU: %.0f µs per connection (floor %.0f), %.1f µs per delivered event (floor %.1f); bench %.0f µs per connection, %.1f µs per event\n",
			r.Work.ServerUsPerConn, r.Floor.Work.ServerUsPerConn, r.Work.ServerUsPerEvent, r.Floor.Work.ServerUsPerEvent, r.Work.BenchUsPerConn, r.Work.BenchUsPerEvent)
	}
	if r.SnapshotBytes > 0 {
		fmt.Fprintf(w, "  snapshot a delegate receives: %d bytes\n", r.SnapshotBytes)
	}
	for _, s := range r.SnapshotSizes {
		fmt.Fprintf(w, "  snapshot at %d participants: %d bytes\n", s.Participants, s.Bytes)
	}
	if r.Setup != nil {
		s := r.Setup
		fmt.Fprintf(w, "  setup %.2f s: login %.2f, meeting %.2f, import %.2f, codes %.2f, pair %.2f, connect %.2f\n",
			r.SetupS, s.Login, s.Meeting, s.Import, s.Codes, s.Pair, s.Connect)
	}
	if f := r.fanoutReport; f != nil {
		fmt.Fprintf(w, "  fanout %d changes: last tablet p50 %.1f ms, p99 %.1f ms, max %.1f ms; all receipts p50 %.1f ms, p99 %.1f ms; console round trip p50 %.1f ms, p99 %.1f ms\n",
			f.Changes, f.LastP50, f.LastP99, f.LastMax, f.AllP50, f.AllP99, f.SendP50, f.SendP99)
		fmt.Fprintf(w, "  reconnected tablets %d, lost %d (valid: %v), server queue overflows %.0f\n", f.ReconnectedTablets, f.TabletsLost, f.Valid, r.Overflows)
	}
	if i := r.idleReport; i != nil {
		fmt.Fprintf(w, "  idle: %.1f KB/conn heap+stack (heap %.1f, stack %.1f), RSS %.1f KB/conn, %.2f goroutines/conn\n",
			i.IdleKBPerConn, i.HeapKBPerConn, i.StackKBPerConn, i.RSSKBPerConn, i.GoroutinesPer)
		fmt.Fprintf(w, "        basis: %s\n", i.IdleBasis)
		if g := i.NoGC; g != nil && i.Before != nil {
			fmt.Fprintf(w, "        without waiting for a GC: %.1f KB/conn heap+stack (heap %.1f, stack %.1f), RSS %.1f KB/conn\n", g.HeapStack, g.Heap, g.Stack, g.RSS)
		}
	}
	if c := r.reconnectReport; c != nil {
		fmt.Fprintf(w, "  reconnect (backoff %s): all resynced in %.1f ms; per tablet p50 %.1f ms, p99 %.1f ms; %d reconnects, %d snapshots, %d replayed events\n",
			c.Backoff, c.ResyncAllMs, c.ResyncP50Ms, c.ResyncP99Ms, c.Reconnects, c.Snapshots, c.Replayed)
		fmt.Fprintf(w, "    (drop loop %.1f ms, console's %d changes %.1f ms)\n", c.DropMs, c.ChangesDuring, c.SendsMs)
		fmt.Fprintf(w, "  paused, %d changes, resumed at once: all resynced %.1f ms after the first Resume; per tablet p50 %.1f ms, p99 %.1f ms; %d snapshots, %d replayed events (resume loop %.1f ms)\n",
			c.ChangesDuring, c.OutageAllMs, c.OutageP50Ms, c.OutageP99Ms, c.OutageSnapshots, c.OutageReplayed, c.ResumeMs)
	}
	if v := r.voteReport; v != nil {
		fmt.Fprintf(w, "  vote: all acknowledged after %.1f ms; ack p50 %.1f ms, p99 %.1f ms, max %.1f ms; published %.1f ms after the close (console %.1f ms, close acknowledged %.1f ms); counted %d (valid: %v, retries %d)\n",
			v.AllAckedMs, v.AckP50, v.AckP99, v.AckMax, v.PublishMs, v.ConsoleResultMs, v.CloseMs, v.Counted, v.Valid, v.Retries)
	}
	if f := r.opinionsReport; f != nil {
		fmt.Fprintf(w, "  opinions: %d (%d per tablet, %d sections) in %.1f s (window %.0f s); ack p50 %.1f ms, p99 %.1f ms, max %.1f ms; stored %d, lost %d, counts ok %v, retries %d\n",
			f.Opinions, f.PerTablet, f.Sections, f.SendS, f.WindowS, f.AckP50, f.AckP99, f.AckMax, f.Stored, f.Lost, f.CountsOK, f.Retries)
		fmt.Fprintf(w, "  roll-up: JSON %.0f ms, PDF %.0f ms (%.0f KB), DOCX %.0f ms (%.0f KB)\n", f.RollupJSONMs, f.RollupPDFMs, f.RollupPDFKB, f.RollupDOCXMs, f.RollupDOCXKB)
		fmt.Fprintf(w, "  %d groups: all sat in %.0f ms, members on their sittings in %.1f s; %d changes each: slowest member p50 %.1f ms, p99 %.1f ms, max %.1f ms; deliveries to other groups %d (valid: %v)\n",
			f.Groups, f.SitAllMs, f.ConnectS, f.Changes, f.GroupLastP50, f.GroupLastP99, f.GroupLastMax, f.CrossDeliveries, f.Valid)
		if x := f.Ratios; x != nil {
			fmt.Fprintf(w, "  ÷ floor: ack p50 %.2f×, p99 %.2f× the hub's round trip; a sitting's change p50 %.2f×, p99 %.2f× the hub's broadcast to all\n", x.AckP50, x.AckP99, x.GroupLastP50, x.GroupLastP99)
		}
	}
	for _, ph := range []struct {
		name string
		p    *phaseRun
	}{{"pair", r.PairPhase}, {"connect", r.ConnectPhase}, {"fanout", r.FanoutPhase}, {"vote", r.VotePhase}, {"publish", r.PublishPhase}} {
		if p := ph.p; p != nil && p.CPU != nil {
			fmt.Fprintf(w, "  %s phase: %.2f s, bench %.2f cores, server %.2f cores, others %.2f cores (clean %v, attempts %d)\n",
				ph.name, p.CPU.Wall, p.CPU.BenchCores, p.CPU.ServerCores, p.CPU.OtherCores, p.Clean, p.Attempts)
		}
	}
	if m := r.MeasureCPU; m != nil {
		fmt.Fprintf(w, "  measured phase: %.2f s wall, bench %.2f cores, server %.2f cores, others %.2f cores\n", m.Wall, m.BenchCores, m.ServerCores, m.OtherCores)
	}
	if r.Error != "" {
		fmt.Fprintf(w, "  FAILED: %s\n", r.Error)
	}
}
