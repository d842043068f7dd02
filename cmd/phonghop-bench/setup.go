package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// bench is one run against one server: the secretary's console, the meeting
// and the tablets.
type bench struct {
	cfg       config
	base      string
	p         *progress
	stderr    io.Writer
	tr        *http.Transport // shared by every client of the bench
	log       *slog.Logger    // the SDK's logger (discards unless -client-log-level)
	serverPID int             // the child phonghop, 0 with -server
	profiles  map[int]*profiled
	fleet     *leanFleet // the lean tablets (-tablet lean)

	hc      *http.Client // the console's, with its cookie jar
	console *client.Client
	live    *client.Live // the console's live connection (a full replica)
	meeting string
	item    string // the agenda item the scenarios rename
	titles  [2]string
	renames int  // agenda changes made so far
	closed  bool // close has run
	tablets []*tablet
}

// tablet is one simulated tablet: a paired client and its live connection
// (SDK tablets; lean ones are in bench.fleet).
type tablet struct {
	c    *client.Client
	jar  http.CookieJar // its session, for the lean connection
	live *client.Live
	code string
}

func newBench(cfg config, base string, p *progress, stderr io.Writer) *bench {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: -1}
	tr := &http.Transport{
		Proxy:               nil, // loopback only
		DialContext:         dialer.DialContext,
		MaxIdleConns:        cfg.concurrency + 8,
		MaxIdleConnsPerHost: cfg.concurrency + 8,
		IdleConnTimeout:     30 * time.Second,
	}
	log := slog.New(slog.DiscardHandler)
	if cfg.clientLogLevel != "" {
		var level slog.Level
		_ = level.UnmarshalText([]byte(cfg.clientLogLevel)) // checked by parseConfig
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	}
	return &bench{cfg: cfg, base: base, p: p, stderr: stderr, tr: tr, log: log, profiles: map[int]*profiled{},
		titles: [2]string{"Báo cáo chính trị (dự thảo lần 1)", "Báo cáo chính trị (dự thảo lần 2)"}}
}

// close closes every live connection, a few hundred at a time. Calling it
// again does nothing.
func (b *bench) close() {
	if b.closed {
		return
	}
	b.closed = true
	start := time.Now()
	n := 0
	_ = parallel(context.Background(), len(b.tablets), 256, nil, func(_ context.Context, i int) error {
		if l := b.tablets[i].live; l != nil {
			l.Close()
			b.tablets[i].live = nil
		}
		return nil
	})
	for _, t := range b.tablets {
		if t.live != nil {
			n++
		}
	}
	if b.fleet != nil {
		b.fleet.closeAll()
		n += len(b.fleet.tabs)
		b.fleet = nil
	}
	if b.live != nil {
		b.live.Close()
	}
	b.tr.CloseIdleConnections()
	if n > 0 {
		b.p.printf("closed %d tablet connections in %.1f s", n, time.Since(start).Seconds())
	}
}

// setupTimes is how long each setup step took, in seconds.
type setupTimes struct {
	Login   float64 `json:"login_s"`
	Meeting float64 `json:"meeting_s"` // create the meeting and its agenda
	Import  float64 `json:"import_s"`  // CSV import of N delegates
	Codes   float64 `json:"codes_s"`   // N pairing codes in one call
	Pair    float64 `json:"pair_s"`
	Connect float64 `json:"connect_s"` // N tablets connected and synced
}

// prepare logs the console in, creates the meeting with its agenda, imports
// N delegates, issues their pairing codes, connects the console and pairs
// every tablet. It does not connect the tablets (see connectTablets).
func (b *bench) prepare(ctx context.Context, user, password string, rep *report) error {
	st := rep.Setup
	jar, _ := cookiejar.New(nil)
	b.hc = &http.Client{Jar: jar, Transport: b.tr}
	c, err := client.New(b.base, client.WithHTTPClient(b.hc), client.WithLogger(b.log.With("client", "console")))
	if err != nil {
		return err
	}
	b.console = c

	t := time.Now()
	if err := c.Login(ctx, user, password); err != nil {
		return fmt.Errorf("login as %s: %w", user, err)
	}
	st.Login = since(t)

	t = time.Now()
	b.meeting, err = c.CreateMeeting(ctx, meeting.Details{
		Title:        "Hội nghị Ban Chấp hành Đảng bộ tỉnh (thử tải)",
		Organization: "Đảng bộ tỉnh Thử Nghiệm",
		Place:        "Hội trường A, Trung tâm Hội nghị tỉnh",
		StartsAt:     time.Now().Add(time.Hour).Truncate(time.Minute),
		Chair:        "Đồng chí Bí thư Tỉnh ủy",
		Secretary:    "Đồng chí Chánh Văn phòng Tỉnh ủy",
	})
	if err != nil {
		return fmt.Errorf("create meeting: %w", err)
	}
	for _, title := range []string{"Khai mạc hội nghị", "Báo cáo chính trị", "Thảo luận tại hội trường", "Bế mạc hội nghị"} {
		if _, err := c.Command(ctx, b.meeting, "agenda.add", map[string]string{"title": title}); err != nil {
			return fmt.Errorf("agenda.add: %w", err)
		}
	}
	m, err := c.Meeting(ctx, b.meeting)
	if err != nil {
		return err
	}
	if len(m.Agenda) < 2 {
		return fmt.Errorf("the meeting has %d agenda items after adding 4", len(m.Agenda))
	}
	b.item = m.Agenda[1].ID
	st.Meeting = since(t)

	t = time.Now()
	var csv bytes.Buffer
	csv.WriteString("name,position,unit,role\n")
	for i := 1; i <= b.cfg.n; i++ {
		fmt.Fprintf(&csv, "Đại biểu %05d,Tỉnh ủy viên,Đảng bộ huyện Thử Nghiệm %d,delegate\n", i, i%40+1)
	}
	added, err := c.ImportParticipantsCSV(ctx, b.meeting, &csv)
	if err != nil {
		return fmt.Errorf("import %d delegates: %w", b.cfg.n, err)
	}
	if len(added) != b.cfg.n {
		return fmt.Errorf("imported %d delegates, not %d", len(added), b.cfg.n)
	}
	st.Import = since(t)
	b.p.printf("meeting %s: %d agenda items, %d delegates imported in %.2f s", b.meeting, len(m.Agenda), len(added), st.Import)

	t = time.Now()
	codes, err := b.pairingCodes(ctx)
	if err != nil {
		return fmt.Errorf("pairing codes: %w", err)
	}
	if len(codes) != b.cfg.n {
		return fmt.Errorf("got %d pairing codes for %d delegates", len(codes), b.cfg.n)
	}
	st.Codes = since(t)
	b.p.printf("%d pairing codes in %.2f s (QR images: %v)", len(codes), st.Codes, b.cfg.qr)

	if b.live, err = c.Connect(ctx, b.meeting); err != nil {
		return fmt.Errorf("connect the console: %w", err)
	}

	t = time.Now()
	b.tablets = make([]*tablet, b.cfg.n)
	for i := range b.tablets {
		jar, _ := cookiejar.New(nil)
		tc, err := client.New(b.base, client.WithHTTPClient(&http.Client{Jar: jar, Transport: b.tr}), client.WithLogger(b.log.With("tablet", i+1)))
		if err != nil {
			return err
		}
		b.tablets[i] = &tablet{c: tc, jar: jar, code: codes[i].Code}
	}
	// Pairing is a measured phase (flagged, not repeated: a code pairs once).
	var done atomic.Int64
	rep.PairPhase, err = b.phase(ctx, "pair", b.serverPID, 0, func(int) error {
		prof := b.profile(b.serverPID, "pair")
		defer prof()
		t = time.Now()
		err := parallel(ctx, b.cfg.n, b.cfg.concurrency, b.tracker("pair", &done), func(ctx context.Context, i int) error {
			tb := b.tablets[i]
			if _, err := tb.c.Pair(ctx, tb.code); err != nil {
				return fmt.Errorf("pair tablet %d: %w", i+1, err)
			}
			done.Add(1)
			return nil
		})
		st.Pair = since(t)
		return err
	})
	if err != nil {
		return err
	}
	b.p.printf("paired %d tablets in %.2f s (%.0f/s)", b.cfg.n, st.Pair, float64(b.cfg.n)/st.Pair)
	// The console's replica follows every pairing event before we go on.
	head, err := c.Meeting(ctx, b.meeting)
	if err != nil {
		return err
	}
	return b.live.WaitSeq(ctx, head.Seq)
}

// pairingCodes issues a code for every delegate in one call, without QR
// images unless -qr (rendering N images is most of that call's time).
func (b *bench) pairingCodes(ctx context.Context) ([]client.PairingCode, error) {
	if b.cfg.qr {
		return b.console.PairingCodes(ctx, b.meeting, nil)
	}
	return b.console.PairingCodes(ctx, b.meeting, nil, client.WithoutQR())
}

// connectTablets connects every tablet, opts(i) giving tablet i's options,
// and waits until each is synced.
func (b *bench) connectTablets(ctx context.Context, st *setupTimes, opts func(i int) []client.LiveOption) error {
	t := time.Now()
	var done atomic.Int64
	err := parallel(ctx, b.cfg.n, b.cfg.concurrency, b.tracker("connect", &done), func(ctx context.Context, i int) error {
		tb := b.tablets[i]
		l, err := tb.c.Connect(ctx, b.meeting, opts(i)...)
		if err != nil {
			if isFDError(err) {
				return fmt.Errorf("connect tablet %d: %w (out of file descriptors: lower -n)", i+1, err)
			}
			return fmt.Errorf("connect tablet %d: %w", i+1, err)
		}
		tb.live = l
		done.Add(1)
		return nil
	})
	if err != nil {
		return err
	}
	st.Connect = since(t)
	b.p.printf("connected %d tablets in %.2f s (%.0f/s)", b.cfg.n, st.Connect, float64(b.cfg.n)/st.Connect)
	return nil
}

// isFDError reports whether err is "too many open files".
func isFDError(err error) bool {
	return strings.Contains(err.Error(), syscall.EMFILE.Error()) || strings.Contains(err.Error(), syscall.ENFILE.Error())
}

// tracker returns a function that prints the progress of a phase every 2 s
// until it is called again (to stop).
func (b *bench) tracker(name string, done *atomic.Int64) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				b.p.printf("%s: %d/%d", name, done.Load(), b.cfg.n)
			}
		}
	}()
	return func() { close(stop); wg.Wait() }
}

// parallel calls fn(ctx, i) for every i in [0, n), at most conc at a time.
// After the first error it starts no more calls, cancels ctx for those
// running, and returns that error. stop (if not nil) is called when every
// call has returned.
func parallel(ctx context.Context, n, conc int, stop func(), fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if stop != nil {
		stop()
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// since returns the seconds elapsed since t.
func since(t time.Time) float64 { return round3(time.Since(t).Seconds()) }
