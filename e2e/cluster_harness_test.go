package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/internal/pgtest"
	"github.com/phonghop/phonghop/server/meeting"
)

// Many nodes, end to end: real phonghop processes sharing one PostgreSQL
// (a private server per test, so that it can be restarted and killed) and
// one MinIO, with tablets reaching the nodes through "doors" (the load
// balancer of docker-compose.yml, reduced to what matters here).

// backing is the PostgreSQL and MinIO servers that a test's clusters share
// (each cluster gets its own database and buckets).
type backing struct {
	pg  *pgtest.Server
	mio *miniotest.Server
}

// startBacking starts PostgreSQL 15 and MinIO for t (skipped, or failed
// under CI=true, without them). PostgreSQL runs without fsync: what it
// committed survives the death of any process (the operating system keeps
// what was written), which is what these tests kill; only a crash of the
// machine would lose it. Durability benchmarks keep fsync.
func startBacking(t *testing.T) *backing {
	t.Helper()
	return &backing{pg: pgtest.Start(t, pgtest.Options{NoFsync: true}), mio: miniotest.Start(t)}
}

// cluster is one deployment: a database, a documents bucket (and its
// archive bucket), and the phonghop nodes started on them.
type cluster struct {
	b      *backing
	dbURL  string
	bucket string
	env    []string // the PHONGHOP_* settings every node gets
}

// newCluster makes a fresh database and bucket on b.
func newCluster(t *testing.T, b *backing) *cluster {
	t.Helper()
	c := &cluster{b: b, dbURL: b.pg.NewDatabase(t), bucket: miniotest.RandomBucket("hop")}
	c.env = []string{
		"PHONGHOP_DATABASE_URL=" + c.dbURL,
		"PHONGHOP_S3_ENDPOINT=" + b.mio.Endpoint,
		"PHONGHOP_S3_ACCESS_KEY=" + b.mio.AccessKey,
		"PHONGHOP_S3_SECRET_KEY=" + b.mio.SecretKey,
		"PHONGHOP_S3_BUCKET=" + c.bucket,
		"PHONGHOP_ARCHIVE_RETENTION=1d",
		"PHONGHOP_ARCHIVE_LOCK_MODE=GOVERNANCE",
	}
	return c
}

// node starts one more phonghop process of the cluster, with its own
// (throw-away) data directory: with PostgreSQL a node keeps nothing there
// that another node needs.
func (c *cluster) node(t *testing.T) *proc {
	t.Helper()
	return startServer(t, "127.0.0.1:0", t.TempDir(), c.env...)
}

// sql runs one query returning one row on the cluster's database.
func (c *cluster) sql(ctx context.Context, query string, args []any, dest ...any) error {
	conn, err := pgx.Connect(ctx, c.dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.QueryRow(ctx, query, args...).Scan(dest...)
}

// archiveObjects returns every object version under archives/<meeting>/ in
// the cluster's archive bucket, as key → number of versions.
func (c *cluster) archiveObjects(ctx context.Context, meetingID string) (map[string]int, error) {
	mc, err := minio.New(c.b.mio.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(c.b.mio.AccessKey, c.b.mio.SecretKey, "")})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for oi := range mc.ListObjects(ctx, c.bucket+"-archive", minio.ListObjectsOptions{Prefix: "archives/" + meetingID + "/", Recursive: true, WithVersions: true}) {
		if oi.Err != nil {
			return nil, oi.Err
		}
		out[oi.Key]++
	}
	return out, nil
}

// verifyArchive runs `phonghop verify` on the archive of revision rev in
// the bucket, against the key fingerprint fp.
func (c *cluster) verifyArchive(meetingID string, rev int, fp string) (string, error) {
	cmd := exec.Command(binary, "verify", fmt.Sprintf("s3://%s-archive/archives/%s/%d", c.bucket, meetingID, rev), "-key", fp)
	cmd.Env = append(os.Environ(), c.env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// door is a load balancer's address as tablets see it: each TCP
// connection it accepts goes to the first of its nodes that does not
// refuse it (nginx's upstream with a backup server, passive health checks;
// a node that is only slow is tried again). A node killed breaks its
// connections and refuses new ones, and the tablets' reconnections land on
// the next node. It forwards bytes only (HTTP and WebSockets alike), so
// every session and every replay is the nodes' own work.
type door struct {
	t   testing.TB
	ln  net.Listener
	URL string

	// mu guards nodes, conns and closed.
	mu     sync.Mutex
	nodes  []string // host:port, in order of preference
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup // the accept loop and one goroutine per connection
}

// newDoor opens a door to nodes (host:port, preferred first), closed when t
// ends.
func newDoor(t testing.TB, nodes ...string) *door {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &door{t: t, ln: ln, URL: "http://" + ln.Addr().String(), nodes: nodes, conns: map[net.Conn]struct{}{}}
	d.wg.Add(1)
	go d.accept()
	t.Cleanup(d.close)
	return d
}

func (d *door) accept() {
	defer d.wg.Done()
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		if !d.track(c) {
			c.Close()
			return
		}
		d.wg.Add(1)
		go d.forward(c)
	}
}

// track registers c (to close it with the door); false once closed.
func (d *door) track(c net.Conn) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.conns[c] = struct{}{}
	return true
}

func (d *door) untrack(c net.Conn) {
	d.mu.Lock()
	delete(d.conns, c)
	d.mu.Unlock()
}

// forward connects c to the first node that answers and copies both ways
// until either side ends; then both are closed.
func (d *door) forward(c net.Conn) {
	defer d.wg.Done()
	defer d.untrack(c)
	defer c.Close()
	d.mu.Lock()
	nodes := slices.Clone(d.nodes)
	d.mu.Unlock()
	var up net.Conn
	for deadline := time.Now().Add(10 * time.Second); up == nil && time.Now().Before(deadline); {
		for _, n := range nodes {
			var err error
			if up, err = net.DialTimeout("tcp", n, 2*time.Second); err == nil {
				break
			}
			if !errors.Is(err, syscall.ECONNREFUSED) {
				// Slow, not dead (a loaded machine): try it again rather
				// than move the client to another node.
				up = nil
				time.Sleep(50 * time.Millisecond)
				break
			}
		}
	}
	if up == nil {
		return // no node answers: the client sees the connection close
	}
	if !d.track(up) {
		up.Close()
		return
	}
	defer d.untrack(up)
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	<-done
}

// close stops accepting, closes every connection and waits.
func (d *door) close() {
	d.mu.Lock()
	d.closed = true
	for c := range d.conns {
		c.Close()
	}
	d.mu.Unlock()
	d.ln.Close()
	d.wg.Wait()
}

// pause freezes a node (SIGSTOP): it keeps its sockets but answers nothing,
// so whatever tablets send it meanwhile is in flight when it is killed.
func (p *proc) pause() {
	if err := p.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		p.t.Fatal(err)
	}
}

// member is one delegate's tablet in a many-node test: a tablet (see
// meeting_test.go) reaching the cluster through a door.
type member struct {
	*tablet
	hc   *http.Client // its HTTP client (its session cookie)
	home int          // the index of the node its door prefers
	// lean tablets keep only the seq and hash of the head as their replica
	// (client.WithoutReplica), which they still check event by event: a
	// gap or a broken chain makes them resync.
	lean bool
}

// hall is a meeting on a cluster: the secretary's console on one node and
// the delegates' tablets spread over doors.
type hall struct {
	t       *testing.T
	ctx     context.Context
	id      string
	sec     *client.Client // the secretary, on the console's node
	console *client.Live
	members []*member
}

// join pairs one tablet per code through doors[i%len(doors)], then
// connects them all (bounded concurrency; pairing first, so that the
// pairings are not fanned out to tablets already connected). Tablet i is
// lean if lean(i) (nil: none).
func (h *hall) join(codes []client.PairingCode, doors []*door, lean func(int) bool, opts ...client.LiveOption) {
	h.t.Helper()
	h.members = make([]*member, len(codes))
	g, gctx := errgroup.WithContext(h.ctx)
	g.SetLimit(16)
	for i, code := range codes {
		g.Go(func() error {
			home := i % len(doors)
			c, hc := newClient(h.t, doors[home].URL)
			pr, err := c.Pair(gctx, code.Code)
			if err != nil {
				return fmt.Errorf("pair %s: %w", code.Name, err)
			}
			tb := &tablet{c: c, p: meeting.Participant{ID: pr.Participant, Name: pr.Name, Role: pr.Role}}
			h.members[i] = &member{tablet: tb, hc: hc, home: home, lean: lean != nil && lean(i)}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() {
		for _, m := range h.members {
			if m.live != nil {
				m.live.Close()
			}
		}
	})
	g, gctx = errgroup.WithContext(h.ctx)
	g.SetLimit(16)
	for _, m := range h.members {
		g.Go(func() error {
			cctx, cc := context.WithTimeout(gctx, 60*time.Second)
			defer cc()
			o := append([]client.LiveOption{client.OnEvent(m.onEvent)}, opts...)
			if m.lean {
				o = append(o, client.WithoutReplica())
			}
			live, err := m.c.Connect(cctx, h.id, o...)
			if err != nil {
				return fmt.Errorf("connect %s: %w", m.p.Name, err)
			}
			m.mu.Lock()
			m.live, m.synced = live, true
			m.mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		h.t.Fatal(err)
	}
}

// send runs a tablet's command the way a tablet does: when the answer was
// lost (the connection dropped: a slow tablet is disconnected and
// resyncs), it looks at its replica and sends again unless done reports
// that the command took effect.
func (m *member) send(ctx context.Context, name string, data any, done func(*meeting.State) bool) error {
	lost := false
	for {
		_, err := m.live.Send(ctx, name, data)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, client.ErrUnknownOutcome):
			lost = true
		case !lost:
			return err
		}
		// The answer was lost (or a resend was refused): the replica, once
		// synced again, says whether the first attempt took effect.
		if err := m.live.WaitSynced(ctx); err != nil {
			return err
		}
		if done(m.live.State()) {
			return nil
		}
		if !errors.Is(err, client.ErrUnknownOutcome) {
			return err
		}
	}
}

// checkedIn reports whether participant id is present in s.
func checkedIn(id string) func(*meeting.State) bool {
	return func(s *meeting.State) bool {
		a, ok := s.Attendance[id]
		return ok && a.Status == meeting.AttendancePresent
	}
}

// cmd runs a console command and returns its seq.
func (h *hall) cmd(name string, data any) int64 {
	h.t.Helper()
	seq, err := h.console.Send(h.ctx, name, data)
	if err != nil {
		h.t.Fatalf("%s: %v", name, err)
	}
	return seq
}

// checkAll waits until the console and every tablet have seq, then compares
// each replica with the server's view for it, read through the tablet's
// own door (so from whichever node it is on now); a lean tablet's replica
// (seq and head hash) with the console's.
func (h *hall) checkAll(step string, seq int64) {
	h.t.Helper()
	wctx, cancel := context.WithTimeout(h.ctx, 2*time.Minute)
	defer cancel()
	all := []*tablet{{live: h.console, c: h.sec, p: meeting.Participant{Name: "console"}}}
	var lean []*tablet
	for _, m := range h.members {
		if m.lean {
			lean = append(lean, m.tablet)
		} else {
			all = append(all, m.tablet)
		}
	}
	var g errgroup.Group
	g.SetLimit(16)
	for _, tb := range lean {
		g.Go(func() error {
			for range 5 {
				want := h.console.Seq()
				if err := tb.live.WaitSeq(wctx, max(seq, want)); err != nil {
					return fmt.Errorf("%s: %s did not reach seq %d (has %d): %w", step, tb.p.Name, max(seq, want), tb.live.Seq(), err)
				}
				got := tb.live.State()
				// The tablet may be ahead of the console (on another node,
				// it heard of a commit first): let the console catch up.
				if err := h.console.WaitSeq(wctx, got.Seq); err != nil {
					return fmt.Errorf("%s: the console did not reach %s's seq %d (has %d): %w", step, tb.p.Name, got.Seq, h.console.Seq(), err)
				}
				ref := h.console.State()
				if got.Seq != ref.Seq {
					continue // moved on meanwhile
				}
				if got.Head != ref.Head {
					return fmt.Errorf("%s: %s's head at seq %d is %.12s; the console's %.12s", step, tb.p.Name, got.Seq, got.Head, ref.Head)
				}
				return nil
			}
			return fmt.Errorf("%s: %s: the meeting kept moving; no stable head to compare", step, tb.p.Name)
		})
	}
	for _, tb := range all {
		g.Go(func() error {
			for range 5 {
				if err := tb.live.WaitSeq(wctx, seq); err != nil {
					return fmt.Errorf("%s: %s did not reach seq %d (has %d): %w", step, tb.p.Name, seq, tb.live.Seq(), err)
				}
				want, err := tb.c.Meeting(wctx, h.id)
				if err != nil {
					return fmt.Errorf("%s: %s: view: %w", step, tb.p.Name, err)
				}
				if err := tb.live.WaitSeq(wctx, want.Seq); err != nil {
					return fmt.Errorf("%s: %s did not reach the server's seq %d: %w", step, tb.p.Name, want.Seq, err)
				}
				got := tb.live.State()
				if got.Seq != want.Seq {
					continue // moved on meanwhile (ballots recorded): compare again
				}
				// Equal JSON is equal state (encoding/json sorts map keys);
				// cmp.Diff, much slower, only to say what differs.
				wj, err1 := json.Marshal(want)
				gj, err2 := json.Marshal(got)
				if err1 != nil || err2 != nil || !bytes.Equal(wj, gj) {
					if d := cmp.Diff(want, got); d != "" {
						return fmt.Errorf("%s: %s's replica differs from the server's view (-server +replica):\n%s", step, tb.p.Name, d)
					}
				}
				return nil
			}
			return fmt.Errorf("%s: %s: the meeting kept moving; no stable view to compare", step, tb.p.Name)
		})
	}
	if err := g.Wait(); err != nil {
		h.t.Fatal(err)
	}
}

// checkGapless checks that every tablet received a gapless run of seqs
// ending at final, each exactly once, across every reconnection.
func (h *hall) checkGapless(final int64) {
	h.t.Helper()
	for _, m := range h.members {
		m.mu.Lock()
		s := slices.Clone(m.seqs)
		m.mu.Unlock()
		for i := 1; i < len(s); i++ {
			if s[i] != s[i-1]+1 {
				h.t.Errorf("%s received seq %d after %d (a duplicate or a gap)", m.p.Name, s[i], s[i-1])
				break
			}
		}
		if len(s) == 0 || s[len(s)-1] != final {
			h.t.Errorf("%s's last event is %v; want %d", m.p.Name, s[len(s)-1:], final)
		}
	}
}

// delegatesCSV is a participants CSV of n fictional delegates.
func delegatesCSV(n int) string {
	var b strings.Builder
	b.WriteString("họ và tên,chức vụ,vai trò\n")
	for i := range n {
		fmt.Fprintf(&b, "Đại biểu Thử Nghiệm %03d,Ủy viên,đại biểu\n", i+1)
	}
	return b.String()
}

// errorsAsHTTP returns err's *client.HTTPError, if any.
func errorsAsHTTP(err error) (*client.HTTPError, bool) {
	var he *client.HTTPError
	ok := errors.As(err, &he)
	return he, ok
}
