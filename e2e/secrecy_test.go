package e2e

import (
	"bufio"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestSecretBallotsOnDisk plays the attacker of docs/ballots.md's threat
// model against the real binary, on each store (SQLite; PostgreSQL with
// MinIO). 200 delegates vote in an open (named) poll; a secret election
// whose every ballot is different, cast one at a time (a quiet hall: the
// easiest case for the attacker); a secret yes/no poll, half one at a
// time, half in bursts; and a second secret election, in bursts, opened
// before the yes/no poll closes, whose own close is cut short by SIGKILL.
// The attacker copies everything the server keeps (SQLite: the database,
// its WAL and -shm; PostgreSQL: heap files, WAL segments, pg_waldump's
// record list, a pg_dump; the documents store with the ballot keys; the
// archives; the server's log): while polls are open, right after each
// close is acknowledged, after the kill during a close, after a SIGKILL,
// a restart and a SIGTERM. It reads the copies byte by byte and tries
// every order it finds to pair ballots with voters, keeping what each copy
// taught it (keys, sealed ballots, orders of voters) for the next.
//
// After a close is acknowledged (and in every later copy):
//   - no pairing links more voters to their own ballot than chance does:
//     linked ≤ mean + 6·sd + 3 of the number of correct links of a random
//     pairing (for 200 distinct ballots: at most 10, where chance expects
//     1 and P(≥ 11) ≤ 1/11! < 3·10⁻⁸); and Spearman's ρ between a voter
//     order and the order of their ballots stays within ±5.5/√(m−1)
//     (±0.39 for 200) — both per strategy, for every strategy (with SQLite
//     even with a key kept from while the poll was open);
//   - no live sealed ballot, every sealed copy of one length, the key gone;
//   - SQLite (strict): each ballot exactly once, as a live row: no stale
//     copy (plain or sealed) in free space, old page images, freelist
//     pages or the WAL, and no ballot byte in the WAL.
//
// While a poll is open, nothing of it is in plain text, and whoever copies
// the database and the key pairs voters with ballots no finer than the
// group commit: pairing inside each WAL transaction links no more than a
// random pairing inside each transaction does (the same statistic, summed
// over transactions). In a quiet hall every transaction holds one ballot,
// so that bound is no bound: docs/ballots.md says so. Without the key, a
// copy taken while the poll is open links no better than chance even when
// the attacker knows the tally (every sealed ballot has one length).
//
// For the open poll the same attacker finds every voter's name with their
// choice, in the event log and in the ballot box, as the rules require.
//
// PHONGHOP_SECRECY_BINARY runs the test against another phonghop binary
// (an older build, to see what it finds there).
func TestSecretBallotsOnDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("long end-to-end test")
	}
	for _, st := range secrecyStores() {
		t.Run(st.reader.name(), func(t *testing.T) {
			if st.skip != "" {
				t.Skip(st.skip)
			}
			runSecrecy(t, st)
		})
	}
}

// secrecyStore is one store the server supports, for the secrecy test:
// how to start the server over it and how to read it raw.
type secrecyStore struct {
	reader storeReader
	// env is the extra environment of the server (such as a database URL).
	env func(t *testing.T) []string
	// extra copies what the store keeps outside the data directory (its
	// own files, a dump, its WAL decoded) into a copy.
	extra func(t *testing.T, c *diskCopy)
	skip  string
	// strict: the store can erase what it kept of an open poll (SQLite:
	// secure_delete, a truncated WAL), so after the close no copy of a
	// ballot but its live row may remain and none may be in the WAL.
	// PostgreSQL keeps dead tuples and its WAL (sealed, under a destroyed
	// key): there the test checks that what remains is sealed, of one
	// length, and links nothing without a key copied while the poll was
	// open.
	strict bool
	// fileHidesTxn: a row found in the database file may have been moved
	// there from an earlier transaction by a checkpoint (SQLite).
	fileHidesTxn bool
	// archived reports whether the minutes' archive was written (nil: in
	// <data>/archives).
	archived func(data string) bool
}

// secrecyStores lists the stores to attack. SQLite is the embedded
// default; PostgreSQL is added in secrecy_postgres_test.go.
func secrecyStores() []secrecyStore {
	return append([]secrecyStore{{reader: sqliteReader{}, strict: true, fileHidesTxn: true}}, postgresSecrecyStores()...)
}

// secrecyBinary is the binary under test.
func secrecyBinary() string {
	if b := os.Getenv("PHONGHOP_SECRECY_BINARY"); b != "" {
		return b
	}
	return binary
}

// startLogged starts bin like startServer does, with the server's whole
// output (stdout and stderr, logs at the debug level) appended to logPath:
// the server's log is one of the things an attacker may copy.
func startLogged(t *testing.T, bin, addr, data, logPath string, env []string) *proc {
	t.Helper()
	cmd := exec.Command(bin, "-addr", addr, "-data", data, "-log-level", "debug")
	cmd.Env = append(os.Environ(), append([]string{"PHONGHOP_ADMIN_USER=" + adminUser, "PHONGHOP_ADMIN_PASSWORD=" + adminPassword}, env...)...)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	p := &proc{t: t, cmd: cmd, data: data, out: &strings.Builder{}, exit: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			logf.Write(append(sc.Bytes(), '\n'))
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		logf.Close()
	}()
	go func() {
		err := cmd.Wait()
		pw.Close()
		p.exit <- err
	}()
	t.Cleanup(func() { p.kill() })
	select {
	case p.addr = <-found:
	case err := <-p.exit:
		t.Fatalf("phonghop exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("phonghop did not start listening within 60 s")
	}
	p.URL = "http://" + p.addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready after 20 s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// takeCopy copies every file under root and the log, as they are on disk
// at this moment (no locking, no cooperation from the server).
func takeCopy(t *testing.T, name, root, logPath string, st secrecyStore) *diskCopy {
	t.Helper()
	c := &diskCopy{name: name, files: map[string][]byte{}}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		c.files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c.log, _ = os.ReadFile(logPath)
	if st.extra != nil {
		st.extra(t, c)
	}
	if dir := os.Getenv("PHONGHOP_ARTIFACTS"); dir != "" {
		out := filepath.Join(dir, "secrecy", strings.NewReplacer(" ", "-", ":", "", ",", "").Replace(name))
		for n, b := range c.files {
			os.MkdirAll(filepath.Dir(filepath.Join(out, n)), 0o755)
			os.WriteFile(filepath.Join(out, n), b, 0o644)
		}
		os.WriteFile(filepath.Join(out, "server.log"), c.log, 0o644)
	}
	return c
}

// pollCase is one poll of the test with what only the test knows.
type pollCase struct {
	id, label string
	kind      meeting.PollKind
	truth     map[string]string // voter → canonical ballot
	voters    []string          // who voted
	closed    bool
	openCopy  *evidence // what the attacker read in the copy taken while open
	// closeBegan: the open copy was taken once the close had begun (the
	// copy after a kill during the close).
	closeBegan bool
}

func (p *pollCase) tally() []string {
	var out []string
	for _, v := range p.voters {
		out = append(out, p.truth[v])
	}
	return out
}

func runSecrecy(t *testing.T, st secrecyStore) {
	const delegates = 200
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	logPath := filepath.Join(root, "server.log")
	var env []string
	if st.env != nil {
		env = st.env(t)
	}
	bin := secrecyBinary()
	srv := startLogged(t, bin, "127.0.0.1:0", data, logPath, env)
	rng := rand.New(rand.NewPCG(2026, 12))
	known := newKnowledge() // what the attacker learns, copy after copy

	sec, _ := newClient(t, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		t.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đại hội Đảng bộ xã Thử Nghiệm (kiểm tra bí mật phiếu)", Place: "Hội trường Ủy ban"})
	if err != nil {
		t.Fatal(err)
	}
	tabs, pids := importAndPair(t, ctx, sec, srv.URL, id, "Đại biểu Thử Nghiệm", delegates, 16, 60*time.Second)
	defer func() {
		for _, l := range tabs {
			l.Close()
		}
	}()
	console, err := sec.Connect(ctx, id, client.WithBackoff(20*time.Millisecond, 300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { console.Close() }()
	cmd := func(name string, data any) int64 {
		t.Helper()
		seq, err := console.Send(ctx, name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return seq
	}
	cmd("meeting.open", nil)
	var cg errgroup.Group
	cg.SetLimit(32)
	for _, l := range tabs {
		cg.Go(func() error { _, err := l.Send(ctx, "attendance.check_in", nil); return err })
	}
	if err := cg.Wait(); err != nil {
		t.Fatal(err)
	}
	voterIndex := map[string]int{}
	for i, p := range pids {
		voterIndex[p] = i
	}

	var polls []*pollCase
	pollIDs := func() []string {
		var out []string
		for _, p := range polls {
			out = append(out, p.id)
		}
		return out
	}
	newPoll := func(label string, spec map[string]any) *pollCase {
		cmd("poll.create", spec)
		st := console.State()
		p := &pollCase{id: st.Polls[len(st.Polls)-1].ID, label: label, kind: meeting.PollKind(spec["kind"].(string)), truth: map[string]string{}}
		polls = append(polls, p)
		cmd("poll.open", map[string]any{"id": p.id})
		return p
	}
	cast := func(p *pollCase, i int, b meeting.Ballot) error {
		var kb [16]byte
		crand.Read(kb[:]) // like the tablet's random key
		key := hex.EncodeToString(kb[:])
		for attempt := 0; ; attempt++ {
			cctx, cc := context.WithTimeout(ctx, 20*time.Second)
			status, err := tabs[i].Cast(cctx, p.id, key, b)
			cc()
			if err == nil && status == "recorded" {
				return nil
			}
			if attempt < 20 && (errors.Is(err, client.ErrUnknownOutcome) || meeting.KindOf(err) == meeting.KindInternal || errors.Is(err, context.DeadlineExceeded)) {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			return fmt.Errorf("%s: tablet %d: %q, %w", p.label, i, status, err)
		}
	}
	choicesOf := func(agree, disagree, abstain int) []meeting.Ballot {
		var out []meeting.Ballot
		for range agree {
			out = append(out, meeting.Ballot{Choice: meeting.ChoiceAgree})
		}
		for range disagree {
			out = append(out, meeting.Ballot{Choice: meeting.ChoiceDisagree})
		}
		for range abstain {
			out = append(out, meeting.Ballot{Choice: meeting.ChoiceAbstain})
		}
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	// assign records the truth: voter i casts b.
	assign := func(p *pollCase, i int, b meeting.Ballot) {
		raw, _ := json.Marshal(b)
		c, _ := canonical(raw)
		p.truth[pids[i]] = c
		p.voters = append(p.voters, pids[i])
		// The attacker will read these contents in the box after the
		// close; distinctive ones are worth searching for anywhere.
		if known.bare[p.id] == nil {
			known.bare[p.id] = map[string]bool{}
		}
		if p.kind == meeting.PollElection {
			known.bare[p.id][c] = true
		}
	}
	// bursts has the voters of order cast ballots[i] (voter i), size
	// voters at a time, calling between after each burst.
	bursts := func(p *pollCase, order []int, ballots []meeting.Ballot, size int, between func(done int)) {
		for from := 0; from < len(order); from += size {
			var bg errgroup.Group
			for _, i := range order[from:min(from+size, len(order))] {
				assign(p, i, ballots[i])
				bg.Go(func() error { return cast(p, i, ballots[i]) })
			}
			if err := bg.Wait(); err != nil {
				t.Fatal(err)
			}
			if between != nil {
				between(min(from+size, len(order)))
			}
		}
	}
	everyone := rng.Perm(delegates)

	var copies []*diskCopy
	snapshot := func(name string) *diskCopy {
		c := takeCopy(t, name, data, logPath, st)
		copies = append(copies, c)
		return c
	}
	readPoll := func(c *diskCopy, p *pollCase) *evidence {
		ev := st.reader.read(t, c, id, p.id, known, pollIDs())
		readKeys(c, id, ev)
		readTexts(c, ev, known.bare[p.id], known.sealed[p.id], st.reader.owns)
		for _, n := range ev.notes {
			t.Logf("%s / %s: %s", c.name, p.label, n)
		}
		known.learn(p.id, ev)
		return ev
	}

	// ---- 1. an open (named) vote ----
	named := newPoll("open vote", map[string]any{"question": "Thông qua chương trình Đại hội", "kind": "open"})
	bursts(named, everyone, choicesOf(100, 60, 40), 50, nil)
	cmd("poll.close", map[string]any{"id": named.id})
	named.closed = true
	cmd("poll.publish", map[string]any{"id": named.id})

	// ---- 2. a secret election, every ballot different, one at a time ----
	var cands []map[string]any
	for i := 0; i < 11; i++ { // 9 seats, 2 more names (at most 30% more)
		cands = append(cands, map[string]any{"name": fmt.Sprintf("Ứng viên Thử Nghiệm %02d", i+1)})
	}
	election := newPoll("secret election", map[string]any{"question": "Bầu Ban Chấp hành Đảng bộ (9 người)", "kind": "election", "candidates": cands, "seats": 9})
	ballots := uniqueBallots(rng, delegates, 11, 5, 9)
	for n, i := range rng.Perm(delegates) { // who votes when: unrelated to IDs and ballots
		assign(election, i, ballots[i])
		if err := cast(election, i, ballots[i]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(3+rng.IntN(8)) * time.Millisecond) // a quiet hall
		if n == delegates*3/5 {
			election.openCopy = readPoll(snapshot("election open"), election)
		}
	}
	cmd("poll.close", map[string]any{"id": election.id})
	election.closed = true
	snapshot("election closed")
	cmd("poll.publish", map[string]any{"id": election.id})

	// ---- 3. a secret yes/no poll, in bursts ----
	// Half of the hall one at a time, then the rest in bursts of 25 (so
	// that group commits hold several ballots).
	yesno := newPoll("secret yes/no", map[string]any{"question": "Biểu quyết kín: thông qua Nghị quyết Đại hội", "kind": "secret"})
	yn, order := choicesOf(110, 60, 30), rng.Perm(delegates)
	bursts(yesno, order[:100], yn, 1, func(int) { time.Sleep(time.Duration(3+rng.IntN(8)) * time.Millisecond) })
	bursts(yesno, order[100:], yn, 25, func(done int) {
		if done == 50 {
			yesno.openCopy = readPoll(snapshot("yes/no open"), yesno)
		}
	})
	// ---- 4. a secret election, open while the yes/no poll closes, whose
	// own close is cut short by SIGKILL ----
	// Its first ballots share pages with the yes/no poll's sealed ballots,
	// which the yes/no close deletes: no cell of this poll may be left
	// behind by that.
	crash := newPoll("secret election in bursts, killed while closing", map[string]any{"question": "Bầu Ủy ban Kiểm tra (8 người)", "kind": "election", "candidates": cands[:10], "seats": 8})
	// (Keeping 1 to 4 names, its ballots never equal the first election's,
	// 5 to 9, so that a ballot's bytes tell the attacker its poll.)
	crashOrder, crashBallots := rng.Perm(delegates), uniqueBallots(rng, delegates, 10, 1, 4)
	bursts(crash, crashOrder[:80], crashBallots, 40, nil)

	cmd("poll.close", map[string]any{"id": yesno.id})
	yesno.closed = true
	snapshot("yes/no closed")
	cmd("poll.publish", map[string]any{"id": yesno.id})

	bursts(crash, crashOrder[80:], crashBallots, 40, nil)
	closed := make(chan error, 1)
	go func() {
		_, err := console.Send(ctx, "poll.close", map[string]any{"id": crash.id})
		closed <- err
	}()
	// Kill as soon as the close is committed (the console has its event)
	// but before it is acknowledged, if the server is that slow.
	for {
		if p, ok := console.State().Poll(crash.id); ok && p.Status != meeting.PollStatusOpen {
			break
		}
		select {
		case err := <-closed:
			closed <- err
		default:
		}
		if len(closed) > 0 {
			break
		}
		time.Sleep(200 * time.Microsecond)
	}
	srv.kill()
	acked := false
	select {
	case err := <-closed:
		acked = err == nil
	case <-time.After(5 * time.Second):
	}
	t.Logf("killed during the close of %s (close acknowledged before the kill: %v)", crash.id, acked)
	crash.openCopy = readPoll(snapshot("killed while closing"), crash)
	crash.closeBegan = true
	srv = startLogged(t, bin, srv.addr, data, logPath, env)
	if err := console.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	if p, _ := console.State().Poll(crash.id); p.Status == meeting.PollStatusOpen {
		cmd("poll.close", map[string]any{"id": crash.id}) // the kill came first: close again
	}
	crash.closed = true
	snapshot("restarted after the kill while closing")
	cmd("poll.publish", map[string]any{"id": crash.id})

	// ---- 5. the minutes, archived ----
	cmd("meeting.close", nil)
	cmd("minutes.conclude", map[string]string{"text": "Đại hội đã bầu đủ 9 đồng chí vào Ban Chấp hành."})
	cmd("minutes.finalize", map[string]string{"number": "01-BB/ĐH"})
	deadline := time.Now().Add(60 * time.Second)
	archived := st.archived
	if archived == nil {
		archived = func(data string) bool { return hasArchive(filepath.Join(data, "archives")) }
	}
	for !archived(data) {
		if time.Now().After(deadline) {
			t.Fatal("no archive written within 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// ---- 6. SIGKILL, restart, SIGTERM ----
	for _, l := range tabs {
		l.Close()
	}
	console.Close()
	srv.kill()
	snapshot("after SIGKILL")
	srv = startLogged(t, bin, srv.addr, data, logPath, env)
	snapshot("restarted")
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := srv.stop(sctx); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
	snapshot("after SIGTERM")

	// ---- the attacker at work ----
	for _, p := range polls {
		if p.kind == meeting.PollOpen {
			checkNamed(t, p, copies, st, id, pollIDs(), known)
			continue
		}
		if p.openCopy != nil {
			checkOpenCopy(t, p, id, st)
		}
		for _, c := range copies {
			if !after(c.name, p, copies) {
				continue
			}
			checkClosedCopy(t, c, p, st, id, pollIDs(), known)
		}
	}
}

// uniqueBallots returns n different election ballots over candidates
// c1…c<cands>, each keeping between lo and hi names.
func uniqueBallots(rng *rand.Rand, n, cands, lo, hi int) []meeting.Ballot {
	seen := map[string]bool{}
	var out []meeting.Ballot
	for len(out) < n {
		var kept []string
		for c := 1; c <= cands; c++ {
			if rng.IntN(2) == 0 {
				kept = append(kept, fmt.Sprintf("c%d", c))
			}
		}
		if len(kept) < lo || len(kept) > hi || seen[strings.Join(kept, ",")] {
			continue
		}
		seen[strings.Join(kept, ",")] = true
		out = append(out, meeting.Ballot{Kept: kept})
	}
	return out
}

// after reports whether copy c was taken after poll p's close was
// acknowledged (or the server restarted after it), from the copies' order.
func after(name string, p *pollCase, copies []*diskCopy) bool {
	closedAt := map[string]string{
		"secret election": "election closed",
		"secret yes/no":   "yes/no closed",
		"secret election in bursts, killed while closing": "restarted after the kill while closing",
	}[p.label]
	i := slices.IndexFunc(copies, func(c *diskCopy) bool { return c.name == closedAt })
	j := slices.IndexFunc(copies, func(c *diskCopy) bool { return c.name == name })
	return i >= 0 && j >= i
}

func hasArchive(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			found = true
		}
		return nil
	})
	return found
}

// oracle is the scorer's reading of a ballot row: plain, or opened with
// any key the attacker ever saw. It only scores; it never chooses.
func oracle(meetingID, poll string, known *knowledge) func(r *row) (string, bool) {
	return func(r *row) (string, bool) { return open(meetingID, poll, r.data, known.keys[poll]) }
}

// checkClosedCopy is the attacker of a copy taken after the poll's close.
func checkClosedCopy(t *testing.T, c *diskCopy, p *pollCase, st secrecyStore, meetingID string, polls []string, known *knowledge) {
	t.Helper()
	ev := st.reader.read(t, c, meetingID, p.id, known, polls)
	readKeys(c, meetingID, ev)
	readTexts(c, ev, known.bare[p.id], known.sealed[p.id], st.reader.owns)
	label := c.name + " / " + p.label
	n := len(p.voters)

	// Nothing but one live row per ballot.
	if ev.live != n {
		t.Errorf("%s: %d live ballot rows; want %d", label, ev.live, n)
	}
	sealed := 0
	for _, r := range ev.ballots {
		if ballotseal.Sealed(r.data) && slices.ContainsFunc(r.apps, func(a appearance) bool { return a.current }) {
			sealed++
		}
	}
	if sealed > 0 {
		t.Errorf("%s: %d sealed ballots still live in the box after the close", label, sealed)
	}
	checkOneLength(t, label, ev)
	var stale []remnant
	walBytes := 0
	for _, r := range ev.remnants {
		if r.what != "ballot" {
			continue // a voter row left behind: who voted is not secret
		}
		stale = append(stale, r)
		if strings.HasPrefix(r.where, "wal") {
			walBytes++
		}
	}
	for _, r := range ev.ballots {
		for _, a := range r.apps {
			if a.file == "wal" {
				walBytes++
			}
			if !a.current {
				stale = append(stale, remnant{what: "ballot", value: r.key, where: a.file + ":old-cell", pos: a.pos})
			}
		}
	}
	var plainStale []remnant
	for _, r := range stale {
		if !strings.HasPrefix(r.value, "sealed:") {
			plainStale = append(plainStale, r)
		}
	}
	if st.strict && len(stale) > 0 {
		t.Errorf("%s: %d stale ballot copies (want 0), e.g. %v", label, len(stale), stale[:min(5, len(stale))])
	}
	if st.strict && walBytes > 0 {
		t.Errorf("%s: %d ballot copies in the WAL (want 0)", label, walBytes)
	}
	if ev.keys[p.id] != nil {
		t.Errorf("%s: the poll's key is still in the documents store", label)
	}
	voterRemnants := 0
	for _, r := range ev.remnants {
		if r.what == "voter" {
			voterRemnants++
		}
	}
	// Orders of voters from the copy taken while the poll was open (the
	// attacker keeps every copy): the strongest is the order of casting.
	if p.openCopy != nil {
		for _, o := range rowOrders {
			var s []string
			for _, r := range sortRows(p.openCopy.voters, o) {
				s = append(s, r.key)
			}
			if len(s) > 0 {
				ev.voterOrders["the open copy's voter rows by "+o.name] = s
			}
		}
		for name, s := range p.openCopy.voterOrders {
			ev.voterOrders["the open copy's "+name] = s
		}
	}
	// The attacker reads every ballot it can: with SQLite, even with a key
	// copied while the poll was open (nothing sealed is left to open);
	// with PostgreSQL, with the keys of this copy only (none: see strict),
	// the key of the open poll being the bound docs/ballots.md states.
	keys := known.keys
	if !st.strict {
		keys = ev.keys
	}
	read := func(r *row) (string, bool) { return open(meetingID, p.id, r.data, keys[p.id]) }
	results := attack(ev, p.voters, p.truth, read, oracle(meetingID, p.id, known))
	report(t, label, results, fmt.Sprintf("%d live rows, %d stale copies (%d not sealed), %d in the WAL, %d voter remnants, key %v", ev.live, len(stale), len(plainStale), walBytes, voterRemnants, ev.keys[p.id] != nil))
	if !st.strict && known.keys[p.id] != nil {
		withKey := func(r *row) (string, bool) { return open(meetingID, p.id, r.data, known.keys[p.id]) }
		all := attack(ev, p.voters, p.truth, withKey, nil)
		sort.Slice(all, func(i, j int) bool { return all[i].linked > all[j].linked })
		t.Logf("%s: with the key copied while the poll was open (no bound): %s", label, all[0])
	}
}

// checkOneLength: every sealed ballot of the poll found in the copy, live
// or not, has one length (else its length tells its content).
func checkOneLength(t *testing.T, label string, ev *evidence) {
	t.Helper()
	lengths := map[int]int{}
	for _, r := range ev.ballots {
		if ballotseal.Sealed(r.data) {
			lengths[len(r.data)]++
		}
	}
	if len(lengths) > 1 {
		t.Errorf("%s: sealed ballots of one poll have lengths %v; want one", label, lengths)
	}
}

// report fails on every attempt above its bound and logs the best ones.
func report(t *testing.T, label string, results []attempt, facts string) {
	t.Helper()
	sort.Slice(results, func(i, j int) bool { return results[i].linked > results[j].linked })
	maxRho := attempt{rho: 0}
	failed := 0
	for _, a := range results {
		bad := a.linked > a.bound || (!math.IsNaN(a.rho) && math.Abs(a.rho) > rhoBound(a.rhoPairs))
		if bad {
			failed++
			if failed <= 8 {
				t.Errorf("%s: better than chance: %s", label, a)
			}
		}
		if !math.IsNaN(a.rho) && math.Abs(a.rho) > math.Abs(maxRho.rho) {
			maxRho = a
		}
	}
	if failed > 8 {
		t.Errorf("%s: … and %d more strategies better than chance", label, failed-8)
	}
	t.Logf("%s: %s; %d strategies; most linked: %s", label, facts, len(results), results[0])
	if maxRho.strategy != "" {
		t.Logf("%s: largest |ρ|: %s", label, maxRho)
	}
}

// checkOpenCopy is the attacker of the copy taken while the poll was open
// (or killed before its close was acknowledged).
func checkOpenCopy(t *testing.T, p *pollCase, meetingID string, st secrecyStore) {
	t.Helper()
	ev := p.openCopy
	label := "while open / " + p.label
	checkOneLength(t, label, ev)
	if !p.closeBegan {
		// Nothing of a secret poll is kept in plain text before its close.
		plain := 0
		for _, r := range ev.ballots {
			if !ballotseal.Sealed(r.data) {
				plain++
			}
		}
		for _, r := range ev.remnants {
			if r.what == "ballot" && !strings.HasPrefix(r.value, "sealed:") {
				plain++
			}
		}
		if plain > 0 {
			t.Errorf("%s: %d ballots in plain text while the poll is open; want none (sealed only)", label, plain)
		}
	}
	var voters []string
	for v := range ev.voters {
		if _, ok := p.truth[v]; ok {
			voters = append(voters, v)
		}
	}
	sort.Strings(voters)
	key := ev.keys[p.id]
	if key == nil {
		t.Logf("%s: no key in the copy (the ballots are %s)", label, map[bool]string{true: "sealed", false: "plain"}[sealedAny(ev)])
	}
	// With the key (it is on the same disk): no finer than the group commit.
	withKey := func(r *row) (string, bool) { return open(meetingID, p.id, r.data, key) }
	best, batches, size, outside := batchAttack(ev, p.truth, withKey, st.fileHidesTxn)
	if best.linked > best.bound {
		t.Errorf("%s: with the key, inside the group commits: %s (%d transactions, the largest %d voters; %d voters only in the database file)", label, best, batches, size, outside)
	} else {
		t.Logf("%s: with the key, inside the group commits: %s (%d transactions, the largest %d voters; %d voters only in the database file)", label, best, batches, size, outside)
	}
	all := attack(ev, voters, p.truth, withKey, withKey)
	sort.Slice(all, func(i, j int) bool { return all[i].linked > all[j].linked })
	if len(all) > 0 {
		t.Logf("%s: with the key, whole copy (no bound: the copy holds the key): %s", label, all[0])
	}
	// Without the key (a copy of the database alone): chance, even knowing
	// the tally, since the sealed ballots of a poll all have one length.
	if sealedAny(ev) {
		var tally []string
		for _, v := range voters {
			tally = append(tally, p.truth[v])
		}
		results := attack(ev, voters, p.truth, lengthReader(ev, tally), nil)
		lengths := map[int]int{}
		for _, r := range ev.ballots {
			lengths[len(r.data)]++
		}
		report(t, label+" (without the key)", results, fmt.Sprintf("%d voters, sealed lengths %v", len(voters), lengths))
	}
}

func sealedAny(ev *evidence) bool {
	for _, r := range ev.ballots {
		if ballotseal.Sealed(r.data) {
			return true
		}
	}
	return false
}

// checkNamed: for an open poll the attacker finds, as the rules require,
// every voter's name with their choice — in the event log and in the
// ballot box — in every copy after the close.
func checkNamed(t *testing.T, p *pollCase, copies []*diskCopy, st secrecyStore, meetingID string, polls []string, known *knowledge) {
	t.Helper()
	for _, c := range copies {
		ev := st.reader.read(t, c, meetingID, p.id, known, polls)
		for _, source := range []string{"event log", "ballot box"} {
			got := ev.names[source]
			right := 0
			for _, v := range p.voters {
				if got[v] == p.truth[v] {
					right++
				}
			}
			if right != len(p.voters) || len(got) != len(p.voters) {
				t.Errorf("%s / %s: the %s names %d voters, %d with their own choice; want all %d (an open vote is by name)", c.name, p.label, source, len(got), right, len(p.voters))
			}
		}
	}
	t.Logf("%s: every copy names all %d voters with their choices, in the event log and in the ballot box", p.label, len(p.voters))
}
