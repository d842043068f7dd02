// Command phonghop-bench measures the meeting engine under load: thousands of
// simulated tablets (Go SDK connections) in this process against a phonghop
// server in another process, on loopback.
//
// Scenarios (-scenario):
//
//   - fanout: the secretary's console gives -changes agenda changes one after
//     another; for each, the latency of a tablet is the time it read the
//     event minus the event's At (the server's clock: same machine). The
//     figures are the p50/p99/max over the changes of "the last tablet has
//     it" (the slowest tablet of each change).
//   - idle: the server's memory (heap+stack in use, and RSS, from /metrics)
//     before and after N idle tablets connect, per connection.
//   - reconnect: every tablet drops its connection at once (a Wi-Fi outage)
//     while the console makes 5 changes; the time until every tablet has the
//     console's last seq again.
//   - vote: every tablet is present; a secret poll opens; all N tablets vote
//     within a jittered second; the time until every ballot is durably
//     acknowledged, the ack latency, and the time from the close until every
//     tablet has the published result.
//   - opinions: the congress floor (opinions.go, docs/congress.md): every
//     tablet gives -opinions opinions on distinct sections of a -sections
//     draft at random moments within -window; their acknowledgement latency
//     and that none is lost; the roll-up's times (JSON, PDF, DOCX); then
//     -groups discussion groups (tổ) sit at once and the latency of their
//     changes to their own members, none delivered to another tổ. The
//     floor hub runs first, as for fanout.
//
// The server is either -server URL (already running; -user and -password or
// PHONGHOP_ADMIN_USER and PHONGHOP_ADMIN_PASSWORD) or a child process the
// bench starts on 127.0.0.1 with a free port, a temporary data directory and a
// random password, and kills at the end (also on Ctrl-C). The child binary is
// -phonghop, else a phonghop next to this binary, else one built with
// `go build ./cmd/phonghop` from the module root.
//
// Progress goes to stderr. The last line of stdout is exactly one JSON object
// with the figures (also when the run fails: then with "error").
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if os.Getenv(roleEnv) == "floor-hub" {
		os.Exit(floorHubMain())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "phonghop-bench:", err)
		os.Exit(1)
	}
}

// config is everything read from flags and the environment.
type config struct {
	scenario       string
	n              int
	changes        int
	serverURL      string
	user, password string
	phonghop       string
	serverLogLevel string
	clientLogLevel string
	timeout        time.Duration
	idleWait       time.Duration
	idleGCWait     time.Duration
	concurrency    int
	qr             bool
	jsonOnly       bool
	cpuprofile     string
	tablet         string // lean, sdk or sdk-lean
	floor          bool
	retries        int
	maxOther       float64
	quietWait      time.Duration
	sizes          []int
	serverProfile  string
	idle           bool // congress: sample the server's memory per connection
	// The opinions scenario (opinions.go).
	window       time.Duration
	opinions     int
	sections     int
	groups       int
	groupChanges int
}

// Defaults and bounds.
const (
	maxTablets   = 10000 // meeting.MaxParticipants: delegates of one meeting
	fdReserve    = 256   // descriptors besides the tablets' sockets
	portsReserve = 1000  // ephemeral ports left for everything else
)

func parseConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (config, error) {
	var c config
	fs.StringVar(&c.scenario, "scenario", "fanout", "congress (everything), fanout, floor, idle, opinions, reconnect or vote")
	fs.IntVar(&c.n, "n", 100, "number of tablets (delegates), at most 10000")
	fs.IntVar(&c.changes, "changes", 30, "fanout: number of agenda changes")
	fs.StringVar(&c.serverURL, "server", "", "URL of a running server (default: start a child phonghop on 127.0.0.1)")
	fs.StringVar(&c.user, "user", getenv("PHONGHOP_ADMIN_USER"), "with -server: secretary account (PHONGHOP_ADMIN_USER)")
	c.password = getenv("PHONGHOP_ADMIN_PASSWORD")
	fs.StringVar(&c.password, "password", c.password, "with -server: secretary password (PHONGHOP_ADMIN_PASSWORD; flags show in ps)")
	fs.StringVar(&c.phonghop, "phonghop", "", "phonghop binary for the child server (default: next to this binary, else go build ./cmd/phonghop)")
	fs.StringVar(&c.serverLogLevel, "server-log-level", "warn", "child server's -log-level")
	fs.StringVar(&c.clientLogLevel, "client-log-level", "", "log the SDK's connection events (debug: reconnects; warn: resyncs) of the console and tablets to stderr at this level (default: none)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "overall time limit")
	fs.DurationVar(&c.idleWait, "idle-wait", 5*time.Second, "idle: how long the tablets stay idle before the memory is sampled")
	fs.DurationVar(&c.idleGCWait, "idle-gc-wait", 150*time.Second, "idle: before each memory sample, wait at most this long for the server's own next GC (Go forces one every 2 min); 0: sample at once")
	fs.IntVar(&c.concurrency, "concurrency", 64, "pairings and connections in flight at once during setup")
	fs.BoolVar(&c.qr, "qr", false, "issue pairing codes through the SDK's PairingCodes, which makes the server render N QR images (default: a direct call with {\"qr\": false})")
	fs.BoolVar(&c.jsonOnly, "json-only", false, "print only the JSON line on stdout (no human summary)")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write the bench process's CPU profile of the measured phase (not the setup) to this file")
	fs.StringVar(&c.tablet, "tablet", "", "the simulated tablets: lean (the bench's own client: type and seq of each message), sdk (the Go SDK, WithoutReplica) or sdk-lean (the SDK's Lean mode); default lean, but sdk-lean for reconnect and vote")
	fs.BoolVar(&c.floor, "floor", true, "fanout, congress: measure the floor (a minimal broadcast hub, same lean tablets) first, and give phonghop's figures as ratios to it")
	fs.IntVar(&c.retries, "retries", 2, "repeat a measured phase at most this many times while other processes used more than -max-other cores during it")
	fs.Float64Var(&c.maxOther, "max-other", 0.2, "a measured phase is clean when the rest of the machine used at most this many cores meanwhile")
	fs.DurationVar(&c.quietWait, "quiet-wait", time.Minute, "before each measured phase, wait at most this long for the rest of the machine to use at most -max-other cores (0: do not wait)")
	sizes := fs.String("sizes", "30,2000,10000", "congress: meeting sizes at which to measure the snapshot a delegate receives (empty: none)")
	fs.StringVar(&c.serverProfile, "server-profile", "", "write CPU profiles of the server (and the floor hub) for each measured phase into this directory: builds phonghop with -tags benchprofile (or give -phonghop built so)")
	fs.BoolVar(&c.idle, "idle", true, "congress: measure the server's memory per idle connection (waits for two of the server's own GCs, up to -idle-gc-wait each)")
	fs.DurationVar(&c.window, "window", 10*time.Minute, "opinions: every tablet sends its opinions at random moments within this window")
	fs.IntVar(&c.opinions, "opinions", 5, "opinions: opinions per tablet, on distinct sections")
	fs.IntVar(&c.sections, "sections", 200, "opinions: sections of the draft")
	fs.IntVar(&c.groups, "groups", 12, "opinions: discussion groups (tổ) sitting at once (0: none)")
	fs.IntVar(&c.groupChanges, "group-changes", 10, "opinions: changes made in every sitting")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	switch c.scenario {
	case "congress", "fanout", "floor", "idle":
		if c.tablet == "" {
			c.tablet = "lean"
		}
		if c.scenario == "floor" && c.tablet != "lean" {
			return c, errors.New("the floor is driven by lean tablets only")
		}
		if c.scenario == "congress" && c.tablet != "lean" {
			return c, errors.New("-scenario congress uses lean tablets (use fanout, idle or vote with -tablet sdk for the SDK's figures)")
		}
	case "reconnect", "vote", "opinions":
		if c.tablet == "" {
			c.tablet = "sdk-lean"
		}
		if c.tablet == "lean" {
			return c, fmt.Errorf("-scenario %s needs SDK tablets (-tablet sdk or sdk-lean)", c.scenario)
		}
	default:
		return c, fmt.Errorf("unknown -scenario %q (want congress, fanout, floor, idle, opinions, reconnect or vote)", c.scenario)
	}
	switch c.tablet {
	case "lean", "sdk", "sdk-lean":
	default:
		return c, fmt.Errorf("unknown -tablet %q (want lean, sdk or sdk-lean)", c.tablet)
	}
	if c.scenario == "opinions" {
		switch {
		case c.window <= 0:
			return c, errors.New("-window must be positive")
		case c.sections < 1 || c.sections > 500:
			return c, errors.New("-sections must be between 1 and 500")
		case c.opinions < 1 || c.opinions > c.sections+1:
			return c, errors.New("-opinions must be between 1 and -sections + 1 (one per section and the whole draft)")
		case c.groups < 0 || c.groups > 100:
			return c, errors.New("-groups must be between 0 and 100")
		case c.groupChanges < 1 || c.groupChanges > 1000:
			return c, errors.New("-group-changes must be between 1 and 1000")
		}
	}
	for _, f := range strings.Split(*sizes, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > maxTablets {
			return c, fmt.Errorf("bad -sizes entry %q (want numbers of participants from 1 to %d)", f, maxTablets)
		}
		c.sizes = append(c.sizes, n)
	}
	if !slices.IsSorted(c.sizes) {
		return c, errors.New("-sizes must be in increasing order")
	}
	switch {
	case c.n < 1 || c.n > maxTablets:
		return c, fmt.Errorf("-n must be between 1 and %d (the most participants a meeting may have)", maxTablets)
	case c.changes < 1 || c.changes > 10000:
		return c, errors.New("-changes must be between 1 and 10000")
	case c.concurrency < 1 || c.concurrency > 1024:
		return c, errors.New("-concurrency must be between 1 and 1024")
	case c.timeout <= 0:
		return c, errors.New("-timeout must be positive")
	case c.retries < 0 || c.retries > 10:
		return c, errors.New("-retries must be between 0 and 10")
	case c.maxOther < 0:
		return c, errors.New("-max-other must not be negative")
	case c.serverProfile != "" && c.serverURL != "":
		return c, errors.New("-server-profile needs a child server (no -server)")
	case c.serverURL != "" && (c.user == "" || c.password == ""):
		return c, errors.New("-server needs -user and -password (or PHONGHOP_ADMIN_USER and PHONGHOP_ADMIN_PASSWORD)")
	}
	if c.clientLogLevel != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(c.clientLogLevel)); err != nil {
			return c, fmt.Errorf("bad -client-log-level %q", c.clientLogLevel)
		}
	}
	c.serverURL = strings.TrimRight(c.serverURL, "/")
	if c.serverURL != "" {
		u, err := url.Parse(c.serverURL)
		if err != nil || u.Hostname() == "" {
			return c, fmt.Errorf("bad -server URL %q", c.serverURL)
		}
		if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return c, fmt.Errorf("-server %s is not on this machine's loopback: the bench only loads 127.0.0.1", c.serverURL)
		}
	}
	return c, nil
}

// run is the whole program: it parses args (flags override variables read
// through getenv), runs one scenario and prints its figures to stdout, the
// JSON object last. Progress goes to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	stderr = &syncWriter{w: stderr}
	fs := flag.NewFlagSet("phonghop-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := parseConfig(fs, args, getenv)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()

	p := newProgress(stderr)
	rep := &report{Scenario: cfg.scenario, N: cfg.n, Tablet: cfg.tablet, Go: runtime.Version(), CPUs: runtime.NumCPU(),
		Date: time.Now().UTC().Format(time.RFC3339), Server: cfg.serverURL, Concurrency: cfg.concurrency,
		Load1Start: loadavg(), MaxOther: cfg.maxOther, Nice: niceness()}
	start := time.Now()
	defer func() {
		if err != nil {
			rep.Error = err.Error()
		}
		rep.WallS = since(start)
		rep.Load1End = loadavg()
		rep.finish()
		if werr := writeReport(stdout, rep, cfg.jsonOnly); werr != nil && err == nil {
			err = werr
		}
	}()

	if err := checkLimits(cfg); err != nil {
		return err
	}
	if cfg.serverProfile != "" {
		if cfg.serverProfile, err = filepath.Abs(cfg.serverProfile); err != nil {
			return err
		}
		if err := os.MkdirAll(cfg.serverProfile, 0o755); err != nil {
			return err
		}
	}
	b := newBench(cfg, "", p, stderr)
	defer b.close()
	if cfg.scenario == "floor" {
		rep.Floor = &floorReport{}
		return b.runFloor(ctx, rep.Floor)
	}
	if ((cfg.scenario == "fanout" || cfg.scenario == "congress") && cfg.tablet == "lean" || cfg.scenario == "opinions") && cfg.floor {
		// The floor first, while phonghop does not run yet.
		rep.Floor = &floorReport{}
		if err := b.runFloor(ctx, rep.Floor); err != nil {
			return err
		}
	}
	base, user, password := cfg.serverURL, cfg.user, cfg.password
	if base == "" {
		srv, err := startChild(ctx, cfg, p, stderr)
		if err != nil {
			return err
		}
		defer func() {
			b.close() // the connections first: then the server stops at once
			srv.stop(p)
		}()
		base, user, password = srv.url, srv.user, srv.password
		rep.Server = "child " + srv.url
		b.serverPID = srv.cmd.Process.Pid
		if cfg.serverProfile != "" {
			if err := b.addProfiled(b.serverPID, cfg.serverProfile); err != nil {
				return err
			}
		}
	}
	b.base = base
	switch cfg.scenario {
	case "congress":
		return b.congress(ctx, user, password, rep)
	case "fanout":
		return b.fanout(ctx, user, password, rep)
	case "idle":
		return b.idle(ctx, user, password, rep)
	case "vote":
		return b.vote(ctx, user, password, rep)
	case "opinions":
		return b.opinions(ctx, user, password, rep)
	default:
		return b.reconnect(ctx, user, password, rep)
	}
}

// checkLimits fails early when N tablets cannot fit in the file descriptor
// limit or the ephemeral port range.
func checkLimits(cfg config) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("read the file descriptor limit: %w", err)
	}
	if need := uint64(cfg.n) + fdReserve; lim.Cur < need {
		return fmt.Errorf("-n %d needs about %d file descriptors in this process (and as many in the server), but the limit is %d (hard %d): lower -n or raise `ulimit -n`",
			cfg.n, need, lim.Cur, lim.Max)
	}
	if lo, hi, ok := portRange(); ok && cfg.n+portsReserve > hi-lo+1 {
		return fmt.Errorf("-n %d connections need as many ephemeral ports, but net.ipv4.ip_local_port_range is %d-%d", cfg.n, lo, hi)
	}
	return nil
}

// portRange reads Linux's ephemeral port range.
func portRange() (lo, hi int, ok bool) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil {
		return 0, 0, false
	}
	return lo, hi, true
}

// syncWriter serialises writes from several goroutines (progress, the
// child's log) to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// progress prints timestamped progress lines to stderr.
type progress struct {
	w     io.Writer
	start time.Time
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

func (p *progress) printf(format string, args ...any) {
	fmt.Fprintf(p.w, "[%7.2fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

// writeReport prints the human summary (unless jsonOnly) and then the JSON
// object as the last line.
func writeReport(w io.Writer, rep *report, jsonOnly bool) error {
	if !jsonOnly {
		rep.summary(w)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
