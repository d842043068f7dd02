package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/internal/pgtest"
	"github.com/phonghop/phonghop/server/meeting"
)

// BenchmarkCluster measures one meeting of many tablets on real phonghop
// processes, on loopback, for each deployment: one node on SQLite, one node
// on PostgreSQL, and two nodes on PostgreSQL with the tablets split between
// them (the console on the first). For each it reports:
//
//   - fanout_p50_ms, fanout_p99_ms, fanout_max_ms: over 100 agenda changes
//     made one after another, the latency of the last tablet to receive
//     each (its receive time minus the event's time, stamped by the node
//     that decided it: one clock);
//   - ballots_ms: from the moment all the tablets vote at once (a secret
//     poll) until every ballot is durably acknowledged, and ack_p50_ms,
//     ack_p99_ms per ballot;
//   - two nodes only, resync_ms: node B is killed with SIGKILL; the time
//     from the kill until every tablet that was on B has reconnected to A
//     and has the head of the log (a change made on A right after the
//     kill), with the SDK's own backoff (250 ms doubling to 10 s, full
//     jitter: what the web tablet does). Each tablet's dialer goes to its
//     node and, when that node refuses, to the other (see failover).
//
// PostgreSQL keeps fsync on (acknowledged means durable, as in production).
// The tablets keep only the seq and hash of their replica (the SDK's
// WithoutReplica), so that the test process is not what is measured. Run
// it alone (it starts its own servers), once:
//
//	go test ./e2e -run '^$' -bench Cluster -benchtime 1x -timeout 30m
//
// PHONGHOP_BENCH_TABLETS sets the number of tablets (default 2000).
func BenchmarkCluster(b *testing.B) {
	n := 2000
	if v := os.Getenv("PHONGHOP_BENCH_TABLETS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 2 {
			b.Fatalf("PHONGHOP_BENCH_TABLETS=%q: want a number of tablets", v)
		}
	}
	for _, d := range []struct {
		name     string
		nodes    int
		postgres bool
	}{
		{"sqlite-1node", 1, false},
		{"postgres-1node", 1, true},
		{"postgres-2nodes", 2, true},
	} {
		b.Run(d.name, func(b *testing.B) {
			for range b.N {
				benchDeployment(b, n, d.nodes, d.postgres)
			}
		})
	}
}

// benchTablet is a tablet of the benchmark: who it is, its live
// connection, and when it received each seq.
type benchTablet struct {
	c    *client.Client
	id   string
	node int
	live *client.Live

	mu   sync.Mutex
	recv map[int64]time.Time // seq → when received
	at   map[int64]time.Time // seq → the event's time
}

func (bt *benchTablet) onEvent(e meeting.Event, received time.Time, _ bool) {
	bt.mu.Lock()
	bt.recv[e.Seq], bt.at[e.Seq] = received, e.At
	bt.mu.Unlock()
}

func benchDeployment(b *testing.B, n, nodeCount int, onPostgres bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var env []string
	if onPostgres {
		pg := pgtest.Start(b, pgtest.Options{})
		mio := miniotest.Start(b)
		url := pg.NewDatabase(b)
		env = []string{"PHONGHOP_DATABASE_URL=" + url, "PHONGHOP_S3_ENDPOINT=" + mio.Endpoint, "PHONGHOP_S3_ACCESS_KEY=" + mio.AccessKey,
			"PHONGHOP_S3_SECRET_KEY=" + mio.SecretKey, "PHONGHOP_S3_BUCKET=" + miniotest.RandomBucket("bench")}
	}
	data := b.TempDir()
	nodes := make([]*proc, nodeCount)
	for i := range nodes {
		dir := data
		if onPostgres {
			dir = b.TempDir()
		}
		nodes[i] = startServer(b, "127.0.0.1:0", dir, env...)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	sec, err := client.New(nodes[0].URL, client.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		b.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đại hội (đo hiệu năng)"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sec.Command(ctx, id, "agenda.add", map[string]any{"title": "Khai mạc"}); err != nil {
		b.Fatal(err)
	}
	if _, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader(delegatesCSV(n))); err != nil {
		b.Fatal(err)
	}
	codes, err := sec.PairingCodes(ctx, id, nil)
	if err != nil {
		b.Fatal(err)
	}
	tabs := make([]*benchTablet, len(codes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for i, code := range codes {
		g.Go(func() error {
			node := i % nodeCount
			c, err := client.New(nodes[node].URL, client.WithHTTPClient(&http.Client{Transport: failover(nodes, node)}))
			if err != nil {
				return err
			}
			pr, err := c.Pair(gctx, code.Code)
			if err != nil {
				return err
			}
			tabs[i] = &benchTablet{c: c, id: pr.Participant, node: node, recv: map[int64]time.Time{}, at: map[int64]time.Time{}}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(32)
	for _, bt := range tabs {
		g.Go(func() error {
			var err error
			bt.live, err = bt.c.Connect(gctx, id, client.WithoutReplica(), client.OnEvent(bt.onEvent))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		var wg sync.WaitGroup
		for _, bt := range tabs {
			wg.Go(func() { bt.live.Close() })
		}
		wg.Wait()
	}()
	console, err := sec.Connect(ctx, id, client.WithoutReplica())
	if err != nil {
		b.Fatal(err)
	}
	defer console.Close()
	waitAll := func(seq int64, which func(*benchTablet) bool) error {
		var g errgroup.Group
		g.SetLimit(64)
		for _, bt := range tabs {
			if which != nil && !which(bt) {
				continue
			}
			g.Go(func() error { return bt.live.WaitSeq(ctx, seq) })
		}
		return g.Wait()
	}
	cmd := func(name string, data any) int64 {
		seq, err := console.Send(ctx, name, data)
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		return seq
	}

	// ---- fan-out ----
	b.ResetTimer()
	var lasts []time.Duration
	for i := range 100 {
		seq := cmd("agenda.add", map[string]any{"title": fmt.Sprintf("Nội dung %d", i+1)})
		if err := waitAll(seq, nil); err != nil {
			b.Fatal(err)
		}
		var last time.Duration
		for _, bt := range tabs {
			bt.mu.Lock()
			last = max(last, bt.recv[seq].Sub(bt.at[seq]))
			bt.mu.Unlock()
		}
		lasts = append(lasts, last)
		time.Sleep(50 * time.Millisecond)
	}
	b.StopTimer()
	slices.Sort(lasts)
	b.ReportMetric(ms(quantile(lasts, 0.5)), "fanout_p50_ms")
	b.ReportMetric(ms(quantile(lasts, 0.99)), "fanout_p99_ms")
	b.ReportMetric(ms(lasts[len(lasts)-1]), "fanout_max_ms")

	// ---- ballots ----
	cmd("meeting.open", nil)
	g = &errgroup.Group{}
	g.SetLimit(64)
	var last atomic.Int64
	for _, bt := range tabs {
		g.Go(func() error {
			seq, err := bt.live.Send(ctx, "attendance.check_in", nil)
			for {
				old := last.Load()
				if seq <= old || last.CompareAndSwap(old, seq) {
					break
				}
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	cmd("poll.create", map[string]any{"question": "Thông qua Nghị quyết", "kind": "secret"})
	st, err := sec.Meeting(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	poll := st.Polls[0].ID
	opened := cmd("poll.open", map[string]any{"id": poll})
	if err := waitAll(opened, nil); err != nil {
		b.Fatal(err)
	}
	acks := make([]time.Duration, len(tabs))
	start := time.Now()
	b.StartTimer()
	g = &errgroup.Group{}
	for i, bt := range tabs {
		g.Go(func() error {
			t0 := time.Now()
			status, err := bt.live.Cast(ctx, poll, "k"+bt.id, meeting.Ballot{Choice: meeting.ChoiceAgree})
			acks[i] = time.Since(t0)
			if err != nil || status != "recorded" {
				return fmt.Errorf("ballot of %s: %q, %v", bt.id, status, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	all := time.Since(start)
	b.StopTimer()
	slices.Sort(acks)
	b.ReportMetric(ms(all), "ballots_ms")
	b.ReportMetric(ms(quantile(acks, 0.5)), "ack_p50_ms")
	b.ReportMetric(ms(quantile(acks, 0.99)), "ack_p99_ms")

	// ---- a node dies: its tablets move to the other ----
	if nodeCount == 2 {
		moved := 0
		for _, bt := range tabs {
			if bt.node == 1 {
				moved++
			}
		}
		b.StartTimer()
		killed := time.Now()
		nodes[1].kill()
		head := cmd("notice.send", map[string]any{"text": "Máy chủ B đã dừng."})
		if err := waitAll(head, func(bt *benchTablet) bool { return bt.node == 1 }); err != nil {
			b.Fatal(err)
		}
		resync := time.Since(killed)
		b.StopTimer()
		b.ReportMetric(ms(resync), "resync_ms")
		b.ReportMetric(float64(moved), "moved_tablets")
	}
}

// failover returns a transport that connects to nodes[home] and, when it
// refuses (it is dead), to the next node: a load balancer's passive health
// check, done in the tablet's own dialer so that the measured fan-out has
// no extra hop.
func failover(nodes []*proc, home int) *http.Transport {
	return &http.Transport{
		MaxIdleConnsPerHost: 1,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var err error
			for i := range nodes {
				var c net.Conn
				d := net.Dialer{Timeout: 5 * time.Second}
				if c, err = d.DialContext(ctx, network, nodes[(home+i)%len(nodes)].addr); err == nil {
					return c, nil
				}
				if !errors.Is(err, syscall.ECONNREFUSED) {
					return nil, err
				}
			}
			return nil, err
		},
	}
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// quantile returns the q-quantile of sorted (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
