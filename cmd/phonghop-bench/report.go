package main

import (
	"fmt"
	"io"
)

// report is the JSON object printed as the last line of stdout. The
// scenario's own figures are flattened into it (nil ones are left out).
type report struct {
	Scenario string `json:"scenario"`
	N        int    `json:"n"`
	*fanoutReport
	*idleReport
	*reconnectReport
	*voteReport
	*floorReport
	SetupS     float64     `json:"setup_s"` // login to every tablet connected and synced
	Setup      *setupTimes `json:"setup,omitempty"`
	SetupCPU   *cpuUse     `json:"setup_cpu,omitempty"`
	MeasureCPU *cpuUse     `json:"measure_cpu,omitempty"` // the measured phase only
	// Overflows counts connections the server closed as too slow (4008)
	// during the measured phase (phonghop_ws_queue_overflows_total).
	Overflows   float64 `json:"server_queue_overflows"`
	Concurrency int     `json:"setup_concurrency"`
	Server      string  `json:"server"`
	Go          string  `json:"go"`
	CPUs        int     `json:"cpus"`
	Date        string  `json:"date"`
	Error       string  `json:"error,omitempty"`
}

// fanoutReport holds the figures of the fanout scenario.
type fanoutReport struct {
	Changes int `json:"changes"`
	// For each change, "last" is the latency of the slowest tablet
	// (received minus the event's At); these are over the changes.
	LastP50 float64 `json:"last_p50_ms"`
	LastP99 float64 `json:"last_p99_ms"`
	LastMax float64 `json:"last_max_ms"`
	// Over every receipt by every tablet of every change.
	AllP50 float64 `json:"all_p50_ms"`
	AllP99 float64 `json:"all_p99_ms"`
	// The console's command round trip (Send to result).
	SendP50 float64 `json:"send_p50_ms"`
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
	fmt.Fprintf(w, "phonghop-bench %s n=%d (%s, %d CPUs, %s)\n", r.Scenario, r.N, r.Go, r.CPUs, r.Server)
	if r.Setup != nil {
		s := r.Setup
		fmt.Fprintf(w, "  setup %.2f s: login %.2f, meeting %.2f, import %.2f, codes %.2f, pair %.2f, connect %.2f\n",
			r.SetupS, s.Login, s.Meeting, s.Import, s.Codes, s.Pair, s.Connect)
	}
	if f := r.fanoutReport; f != nil {
		fmt.Fprintf(w, "  fanout %d changes: last tablet p50 %.1f ms, p99 %.1f ms, max %.1f ms; all receipts p50 %.1f ms, p99 %.1f ms; console round trip p50 %.1f ms\n",
			f.Changes, f.LastP50, f.LastP99, f.LastMax, f.AllP50, f.AllP99, f.SendP50)
		fmt.Fprintf(w, "  reconnected tablets %d (valid: %v), server queue overflows %.0f\n", f.ReconnectedTablets, f.Valid, r.Overflows)
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
		fmt.Fprintf(w, "  vote: all acknowledged after %.1f ms; ack p50 %.1f ms, p99 %.1f ms, max %.1f ms; published %.1f ms after the close; counted %d (valid: %v, retries %d)\n",
			v.AllAckedMs, v.AckP50, v.AckP99, v.AckMax, v.PublishMs, v.Counted, v.Valid, v.Retries)
	}
	if f := r.floorReport; f != nil {
		fmt.Fprintf(w, "  floor: %d opinions (%d per tablet, %d sections) in %.1f s (window %.0f s); ack p50 %.1f ms, p99 %.1f ms, max %.1f ms; stored %d, lost %d, counts ok %v, retries %d\n",
			f.Opinions, f.PerTablet, f.Sections, f.SendS, f.WindowS, f.AckP50, f.AckP99, f.AckMax, f.Stored, f.Lost, f.CountsOK, f.Retries)
		fmt.Fprintf(w, "  roll-up: JSON %.0f ms, PDF %.0f ms (%.0f KB), DOCX %.0f ms (%.0f KB)\n", f.RollupJSONMs, f.RollupPDFMs, f.RollupPDFKB, f.RollupDOCXMs, f.RollupDOCXKB)
		fmt.Fprintf(w, "  %d groups: all sat in %.0f ms, members on their sittings in %.1f s; %d changes each: slowest member p50 %.1f ms, p99 %.1f ms, max %.1f ms; deliveries to other groups %d (valid: %v)\n",
			f.Groups, f.SitAllMs, f.ConnectS, f.Changes, f.GroupLastP50, f.GroupLastP99, f.GroupLastMax, f.CrossDeliveries, f.Valid)
	}
	if m := r.MeasureCPU; m != nil {
		fmt.Fprintf(w, "  measured phase: %.2f s wall, bench %.2f cores, server %.2f cores, others %.2f cores\n", m.Wall, m.BenchCores, m.ServerCores, m.OtherCores)
	}
	if r.Error != "" {
		fmt.Fprintf(w, "  FAILED: %s\n", r.Error)
	}
}
