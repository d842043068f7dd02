package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/client"
)

// The floor: what the cheapest possible broadcast server costs on this
// machine, measured by the same lean client minutes before phonghop, so that
// phonghop's figures can be given as a ratio to it.
//
// The floor hub is this very binary started again as a child process with
// PHONGHOP_BENCH_ROLE=floor-hub: a gorilla/websocket hub that stores
// nothing. A tablet connection gets a welcome and a synced message and then
// every broadcast; it has one writer goroutine (a bounded queue of
// *websocket.PreparedMessage, one write per message) and one reader that
// discards. The console connection (?role=console) sends frames
// "<id>\n<message>": the hub prepares the message once, queues it to every
// tablet and queues a result for the console, as phonghop does, minus the
// decision, the durable append and the JSON.

// roleEnv names the environment variable that makes this binary a floor
// hub instead of the bench.
const roleEnv = "PHONGHOP_BENCH_ROLE"

// hubQueue is a hub connection's send queue (phonghop's default is 64).
const hubQueue = 64

// floorHubMain runs the floor hub until SIGTERM or SIGINT. It prints its
// address on stdout ("floor hub listening on 127.0.0.1:PORT").
func floorHubMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	startProfileToggler(os.Getenv(profileEnv), os.Stderr)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor hub:", err)
		return 1
	}
	h := &hub{conns: map[*hubConn]struct{}{}}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("floor hub listening on %s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "floor hub:", err)
		return 1
	}
	h.closeAll()
	return 0
}

// hub is the floor's broadcast hub.
type hub struct {
	seq atomic.Int64 // broadcasts so far: the seq of the last one

	// mu guards conns, the tablets (the console is not in it).
	mu    sync.Mutex
	conns map[*hubConn]struct{}
}

// hubConn is one connection of the hub.
type hubConn struct {
	ws   *websocket.Conn
	send chan *websocket.PreparedMessage
	done chan struct{}
	once sync.Once
}

// hubUpgrader has phonghop's buffer sizes.
var hubUpgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 4096,
	CheckOrigin:     func(*http.Request) bool { return true },
	WriteBufferPool: &sync.Pool{},
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/ws" {
		http.NotFound(w, r)
		return
	}
	ws, err := hubUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(64 << 10)
	c := &hubConn{ws: ws, send: make(chan *websocket.PreparedMessage, hubQueue), done: make(chan struct{})}
	console := r.URL.Query().Get("role") == "console"
	seq := h.seq.Load()
	hello := fmt.Appendf(nil, `{"type":"welcome","meeting":"floor","epoch":"floor","viewer":{"role":"delegate"},"head":%d,"server_time":%q}`+"\n"+`{"type":"synced","seq":%d}`,
		seq, time.Now().UTC().Format(time.RFC3339Nano), seq)
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, hello)
	c.send <- pm // before the connection is registered: it comes first
	if !console {
		h.mu.Lock()
		h.conns[c] = struct{}{}
		h.mu.Unlock()
	}
	go c.writeLoop()
	go h.readLoop(c, console)
}

// shut closes the connection (once).
func (c *hubConn) shut() { c.once.Do(func() { close(c.done) }) }

// writeLoop is the connection's only writer.
func (c *hubConn) writeLoop() {
	defer c.ws.Close()
	for {
		select {
		case <-c.done:
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
			return
		case pm := <-c.send:
			_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.ws.WritePreparedMessage(pm); err != nil {
				c.shut()
				return
			}
		}
	}
}

// readLoop reads the connection: a tablet's frames are discarded, the
// console's are broadcasts.
func (h *hub) readLoop(c *hubConn, console bool) {
	defer func() {
		h.mu.Lock()
		delete(h.conns, c)
		h.mu.Unlock()
		c.shut()
	}()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if !console {
			continue
		}
		id, msg, ok := bytes.Cut(data, []byte("\n"))
		if !ok {
			continue
		}
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, msg)
		if err != nil {
			return
		}
		h.mu.Lock()
		for t := range h.conns {
			select {
			case t.send <- pm:
			default: // too slow: closed, as phonghop does
				delete(h.conns, t)
				t.shut()
			}
		}
		h.mu.Unlock()
		seq := h.seq.Add(1)
		res, _ := websocket.NewPreparedMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"result","id":%q,"ok":true,"seq":%d}`, id, seq))
		select {
		case c.send <- res:
		default:
			return
		}
	}
}

// closeAll closes every tablet connection.
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		c.shut()
	}
}

// ---- the bench's side ----

// floorChild is a floor hub started by the bench.
type floorChild struct {
	cmd  *exec.Cmd
	addr string
	exit chan error
}

var hubLine = regexp.MustCompile(`floor hub listening on (\S+)`)

// startFloorHub starts this binary as a floor hub (profiling into dir when
// not empty) and waits for its address.
func startFloorHub(ctx context.Context, profileDir string, stderr io.Writer) (*floorChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), roleEnv+"=floor-hub")
	if profileDir != "" {
		cmd.Env = append(cmd.Env, profileEnv+"="+profileDir)
	}
	found := make(chan string, 1)
	var once sync.Once
	cmd.Stdout = &lineWriter{fn: func(line string) {
		if m := hubLine.FindStringSubmatch(line); m != nil {
			once.Do(func() { found <- m[1] })
		}
	}}
	cmd.Stderr = &lineWriter{fn: func(line string) { fmt.Fprintf(stderr, "[floor hub] %s\n", line) }}
	childAttrs(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the floor hub: %w", err)
	}
	f := &floorChild{cmd: cmd, exit: make(chan error, 1)}
	go func() { f.exit <- cmd.Wait() }()
	select {
	case f.addr = <-found:
		return f, nil
	case err := <-f.exit:
		f.exit <- err
		return nil, fmt.Errorf("the floor hub exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		f.stop()
		return nil, errors.New("the floor hub did not print its address within 30 s")
	case <-ctx.Done():
		f.stop()
		return nil, ctx.Err()
	}
}

// stop ends the hub.
func (f *floorChild) stop() {
	_ = f.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-f.exit:
	case <-time.After(10 * time.Second):
		_ = f.cmd.Process.Kill()
		<-f.exit
	}
}

// floorReport holds the floor's figures, measured in the same run.
type floorReport struct {
	ConnectS    float64   `json:"connect_s"` // N lean tablets connected and synced
	LastP50     float64   `json:"last_p50_ms"`
	LastP99     float64   `json:"last_p99_ms"`
	LastMax     float64   `json:"last_max_ms"`
	AllP50      float64   `json:"all_p50_ms"`
	AllP99      float64   `json:"all_p99_ms"`
	SendP50     float64   `json:"send_p50_ms"` // the console's round trip
	SendP99     float64   `json:"send_p99_ms"`
	EventBytes  int       `json:"event_bytes"`
	Connect     *phaseRun `json:"connect_phase"`
	Fanout      *phaseRun `json:"fanout_phase"`
	LastMs      []float64 `json:"last_ms"`
	TabletsLost int64     `json:"tablets_lost"`
	Work        *work     `json:"work,omitempty"` // the hub's CPU per connection and per event
}

// floorEvent is the message the floor broadcasts for change k (seq k): the
// shape and size of phonghop's agenda.item_renamed event.
func floorEvent(seq int64, title string) []byte {
	hash := func(n int64) string {
		s := sha256.Sum256([]byte(strconv.FormatInt(n, 10)))
		return hex.EncodeToString(s[:])
	}
	return fmt.Appendf(nil, `{"type":"event","event":{"meeting":"m7c6b1f0e9d8a","seq":%d,"at":%q,"actor":"account:thuky","type":"agenda.item_renamed","data":{"id":"a3","title":%q},"prev":%q,"hash":%q}}`,
		seq, time.Now().UTC().Format(time.RFC3339Nano), title, hash(seq-1), hash(seq))
}

// runFloor measures the floor: N lean tablets connect to a floor hub, then
// the console broadcasts -changes changes one after another, each after
// every tablet has the previous one.
func (b *bench) runFloor(ctx context.Context, fr *floorReport) error {
	hubDir := ""
	if b.cfg.serverProfile != "" {
		hubDir = b.cfg.serverProfile + "/floor"
		if err := os.MkdirAll(hubDir, 0o755); err != nil {
			return err
		}
	}
	hc, err := startFloorHub(ctx, hubDir, b.stderr)
	if err != nil {
		return err
	}
	defer hc.stop()
	pid := hc.cmd.Process.Pid
	b.p.printf("floor hub: ws://%s (pid %d)", hc.addr, pid)
	if hubDir != "" {
		if err := b.addProfiled(pid, hubDir); err != nil {
			return err
		}
	}
	url := "ws://" + hc.addr + "/ws"

	var fleet *leanFleet
	defer func() {
		if fleet != nil {
			fleet.closeAll()
		}
	}()
	var done atomic.Int64
	fr.Connect, err = b.phase(ctx, "floor connect", pid, b.cfg.retries, func(int) error {
		if fleet != nil {
			fleet.closeAll()
		}
		fleet, done = newLeanFleet(b.cfg.n), atomic.Int64{}
		prof := b.profile(pid, "floor-connect")
		defer prof()
		d, err := fleet.connectAll(ctx, b.cfg.concurrency, func(int) (string, http.CookieJar) { return url, nil },
			func() func() { return b.tracker("floor connect", &done) }, &done)
		fr.ConnectS = round3(d.Seconds())
		return err
	})
	if err != nil {
		return err
	}
	b.p.printf("floor: %d tablets connected and synced in %.2f s", b.cfg.n, fr.ConnectS)

	console, _, err := websocket.DefaultDialer.DialContext(ctx, url+"?role=console", nil)
	if err != nil {
		return fmt.Errorf("floor console: %w", err)
	}
	defer console.Close()
	if _, _, err := console.ReadMessage(); err != nil { // welcome and synced
		return fmt.Errorf("floor console: %w", err)
	}
	seq := int64(0)
	fr.Fanout, err = b.phase(ctx, "floor fanout", pid, b.cfg.retries, func(int) error {
		prof := b.profile(pid, "floor-fanout")
		defer prof()
		last, all, sends, err := b.changes(ctx, fleet, func(k int) (int64, error) {
			seq++
			id := "c" + strconv.FormatInt(seq, 10)
			_ = console.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := console.WriteMessage(websocket.TextMessage, append([]byte(id+"\n"), floorEvent(seq, b.titles[k%2])...)); err != nil {
				return 0, err
			}
			for {
				_ = console.SetReadDeadline(time.Now().Add(changeWait))
				_, data, err := console.ReadMessage()
				if err != nil {
					return 0, err
				}
				if h, err := client.DecodeHeader(data); err == nil && h.Type == "result" && h.ID == id {
					return h.Seq, nil
				}
			}
		}, func(k int) int64 { return seq + 1 })
		if err != nil {
			return err
		}
		fr.fill(last, all, sends)
		return nil
	})
	fr.TabletsLost = fleet.lost.Load()
	if fleet.tabs[0] != nil {
		fleet.tabs[0].mu.Lock()
		fr.EventBytes = fleet.tabs[0].evBytes
		fleet.tabs[0].mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	b.p.printf("floor: last tablet p50 %.1f ms, p99 %.1f ms; console round trip p50 %.1f ms", fr.LastP50, fr.LastP99, fr.SendP50)
	return nil
}

// fill sets the fan-out figures from per-change last latencies, every
// receipt and the console's round trips (ns).
func (fr *floorReport) fill(last, all, sends []float64) {
	fr.LastMs = make([]float64, len(last))
	for k, v := range last {
		fr.LastMs[k] = ms(v)
	}
	fr.LastP50, fr.LastP99, fr.LastMax = ms(percentile(last, 50)), ms(percentile(last, 99)), ms(slices.Max(last))
	fr.AllP50, fr.AllP99 = ms(percentile(all, 50)), ms(percentile(all, 99))
	fr.SendP50, fr.SendP99 = ms(percentile(sends, 50)), ms(percentile(sends, 99))
}

// changes makes -changes changes through send(k) (which returns once the
// console has its result, with the seq it reports) and, for each, waits
// until every tablet of fleet has seq want(k): the watch is armed before
// the change is sent. It returns, per change, the latency of the last
// tablet, every tablet's latency, and the console's round trip, in ns from
// the moment the change was sent.
func (b *bench) changes(ctx context.Context, fleet *leanFleet, send func(k int) (int64, error), want func(k int) int64) (last, all, sends []float64, err error) {
	n := b.cfg.changes
	last, sends = make([]float64, 0, n), make([]float64, 0, n)
	all = make([]float64, 0, n*len(fleet.tabs))
	for k := range n {
		target := want(k)
		w := fleet.arm(target)
		t0 := fleet.now()
		seq, err := send(k)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("change %d: %w", k+1, err)
		}
		sends = append(sends, float64(fleet.now()-t0))
		if seq != target {
			return nil, nil, nil, fmt.Errorf("change %d was committed as seq %d, not %d: is someone else writing to the meeting?", k+1, seq, target)
		}
		if err := fleet.wait(ctx, w, changeWait); err != nil {
			return nil, nil, nil, fmt.Errorf("change %d: %w", k+1, err)
		}
		lat := w.latencies(t0)
		last = append(last, slices.Max(lat))
		all = append(all, lat...)
		if (k+1)%10 == 0 || k+1 == n {
			b.p.printf("change %d/%d, last tablet %.1f ms", k+1, n, ms(slices.Max(lat)))
		}
	}
	return last, all, sends, nil
}
