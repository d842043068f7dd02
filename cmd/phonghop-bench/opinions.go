package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// The opinions scenario (issue 20, docs/congress.md: the congress floor's
// load; not the baseline "floor" hub of floor.go): N delegates each send
// -opinions opinions on distinct sections of a -sections draft at random
// moments within -window; then the roll-up is built (JSON, PDF, DOCX);
// then -groups discussion groups sit at once, each member's tablet on its
// group's sitting, and the console makes -group-changes changes in every
// sitting concurrently.
//
// Figures: the acknowledgement latency of the opinions (Send to result: the
// room group-commits them, a result means durable), opinions lost (sent and
// acknowledged but not in the meeting's state: must be 0), the roll-up's
// times, the time to start every sitting, the latency of a sitting's change
// to the slowest of its members, and deliveries of a sitting's events to
// tablets of other groups (must be 0). The baseline hub (floor.go) runs
// first in the same process with the same N (unless -floor=false): the
// opinions' acknowledgement is given as a ratio to the hub console's round
// trip (a message queued to every tablet and answered), a sitting's change
// as a ratio to the hub's "last tablet" latency (a broadcast to all N).

// opinionsReport holds the figures of the opinions scenario.
type opinionsReport struct {
	Sections  int     `json:"sections"`
	PerTablet int     `json:"opinions_per_tablet"`
	WindowS   float64 `json:"window_s"`
	Opinions  int     `json:"opinions"` // acknowledged
	// SendS is from the first opinion sent to the last acknowledged.
	SendS float64 `json:"send_s"`
	// Ack latency of an opinion: Send to its result (durable).
	AckP50 float64 `json:"opinion_ack_p50_ms"`
	AckP99 float64 `json:"opinion_ack_p99_ms"`
	AckMax float64 `json:"opinion_ack_max_ms"`
	// Retries: sends again with the same key after an unknown outcome.
	Retries int `json:"opinion_retries"`
	// Stored: the opinions in the meeting's state afterwards, equal to
	// what was acknowledged (kind, text); Lost = acknowledged - stored.
	Stored int `json:"stored"`
	Lost   int `json:"lost"`
	// CountsOK: the public counts equal the stored opinions.
	CountsOK bool `json:"counts_ok"`
	// Roll-up of the draft, as the drafting team downloads it.
	RollupJSONMs float64 `json:"rollup_json_ms"`
	RollupPDFMs  float64 `json:"rollup_pdf_ms"`
	RollupDOCXMs float64 `json:"rollup_docx_ms"`
	RollupPDFKB  float64 `json:"rollup_pdf_kb"`
	RollupDOCXKB float64 `json:"rollup_docx_kb"`
	// Groups sitting at once.
	Groups       int     `json:"groups"`
	SitAllMs     float64 `json:"sit_all_ms"`      // every sit request, concurrently
	ConnectS     float64 `json:"group_connect_s"` // every member on its sitting
	Changes      int     `json:"group_changes"`   // per group
	GroupLastP50 float64 `json:"group_last_p50_ms"`
	GroupLastP99 float64 `json:"group_last_p99_ms"`
	GroupLastMax float64 `json:"group_last_max_ms"`
	// CrossDeliveries: events a tablet received, during the groups'
	// changes, that were not its own group's (must be 0).
	CrossDeliveries int  `json:"cross_deliveries"`
	Valid           bool `json:"opinions_valid"`
	// Ratios to the floor hub measured in the same run (report.finish).
	Ratios *opinionsRatios `json:"opinions_ratios_to_floor,omitempty"`
}

// opinionsRatios are the opinions scenario's figures over the floor hub's
// (same run, same N).
type opinionsRatios struct {
	// An opinion's ack over the hub console's round trip (a message
	// queued to every tablet and answered, nothing decided or stored).
	AckP50 float64 `json:"ack_p50_to_send_p50"`
	AckP99 float64 `json:"ack_p99_to_send_p99"`
	// A sitting's change to its slowest member over the hub's broadcast
	// to its slowest of all N tablets.
	GroupLastP50 float64 `json:"group_last_p50_to_last_p50"`
	GroupLastP99 float64 `json:"group_last_p99_to_last_p99"`
}

// opinionText is the text of opinion k of tablet i (kinds that need one).
func opinionText(i, k int) string {
	return fmt.Sprintf("Ý kiến %d của đại biểu %05d: đề nghị làm rõ chỉ tiêu, bổ sung giải pháp và nguồn lực thực hiện.", k+1, i+1)
}

func (b *bench) opinions(ctx context.Context, user, password string, rep *report) error {
	fr := &opinionsReport{Sections: b.cfg.sections, PerTablet: b.cfg.opinions, WindowS: b.cfg.window.Seconds(), Groups: b.cfg.groups, Changes: b.cfg.groupChanges}
	rep.opinionsReport = fr
	var doc string
	var groups []meeting.Group
	err := b.setup(ctx, user, password, rep, func(int) []client.LiveOption {
		return []client.LiveOption{client.WithoutReplica()}
	}, func() error {
		var err error
		if doc, err = b.openDraft(ctx); err != nil {
			return err
		}
		groups, err = b.defineGroups(ctx)
		if err != nil {
			return err
		}
		_, err = b.live.Send(ctx, "meeting.open", nil)
		return err
	})
	if err != nil {
		return err
	}
	if err := b.ended(); err != nil {
		return err
	}

	// ---- opinions ----
	b.p.printf("opinions: %d tablets send %d opinions each within %s", b.cfg.n, b.cfg.opinions, b.cfg.window)
	done, err := b.measure(ctx)
	if err != nil {
		return err
	}
	kinds := []meeting.OpinionKind{meeting.OpinionAgree, meeting.OpinionDisagree, meeting.OpinionPartial}
	type sent struct {
		sec  string
		kind meeting.OpinionKind
		text string
	}
	given := make([][]sent, b.cfg.n)
	acks := make([]float64, 0, b.cfg.n*b.cfg.opinions)
	var mu sync.Mutex
	var lastAck time.Time
	var count atomic.Int64
	start := time.Now()
	stopTrack := b.tracker("opinions", &count)
	err = parallel(ctx, b.cfg.n, b.cfg.n, stopTrack, func(ctx context.Context, i int) error {
		r := rand.New(rand.NewPCG(uint64(i), 20))
		// Distinct sections ("" is the whole draft), at sorted random times.
		secs := r.Perm(b.cfg.sections + 1)[:b.cfg.opinions]
		at := make([]time.Duration, b.cfg.opinions)
		for k := range at {
			at[k] = time.Duration(r.Int64N(int64(b.cfg.window)))
		}
		slices.Sort(at)
		for k := range b.cfg.opinions {
			if err := sleep(ctx, time.Until(start.Add(at[k]))); err != nil {
				return err
			}
			s := sent{kind: kinds[(i+k)%3]}
			if secs[k] > 0 {
				s.sec = fmt.Sprintf("m%d", secs[k])
			}
			if s.kind != meeting.OpinionAgree || k%2 == 0 {
				s.text = opinionText(i, k)
			}
			data := map[string]any{"draft": doc, "section": s.sec, "kind": s.kind, "text": s.text, "key": fmt.Sprintf("b%d-%d", i, k)}
			t := time.Now()
			for {
				_, err := b.tablets[i].live.Send(ctx, "opinion.give", data)
				if errors.Is(err, client.ErrUnknownOutcome) {
					mu.Lock()
					fr.Retries++
					mu.Unlock()
					continue // the same key: recorded once
				}
				if err != nil {
					return fmt.Errorf("tablet %d opinion %d: %w", i+1, k+1, err)
				}
				break
			}
			now := time.Now()
			mu.Lock()
			acks = append(acks, float64(now.Sub(t).Nanoseconds()))
			if now.After(lastAck) {
				lastAck = now
			}
			given[i] = append(given[i], s)
			mu.Unlock()
			count.Add(1)
		}
		return nil
	})
	if err != nil {
		done()
		return err
	}
	fr.Opinions = len(acks)
	fr.SendS = round3(lastAck.Sub(start).Seconds())
	fr.AckP50, fr.AckP99, fr.AckMax = ms(percentile(acks, 50)), ms(percentile(acks, 99)), ms(slices.Max(acks))

	// Nothing lost: every acknowledged opinion is in the state, as sent.
	st, err := b.console.Meeting(ctx, b.meeting)
	if err != nil {
		done()
		return err
	}
	held := map[string]meeting.Opinion{}
	for _, o := range st.Opinions(doc) {
		held[o.Participant+"/"+o.Section] = o
	}
	pids := map[int]string{}
	for i, p := range delegatesOf(st) {
		pids[i] = p.ID
	}
	for i, list := range given {
		for _, s := range list {
			if o, ok := held[pids[i]+"/"+s.sec]; ok && o.Kind == s.kind && o.Text == s.text {
				fr.Stored++
			}
		}
	}
	fr.Lost = fr.Opinions - fr.Stored
	d, _ := st.Draft(doc)
	total := 0
	for _, c := range d.Counts {
		total += c.Total()
	}
	fr.CountsOK = total == len(st.Opinions(doc))
	b.p.printf("opinions: %d opinions acknowledged in %.1f s (ack p50 %.1f ms, p99 %.1f ms), %d stored, %d lost", fr.Opinions, fr.SendS, fr.AckP50, fr.AckP99, fr.Stored, fr.Lost)

	// ---- the roll-up ----
	for _, f := range []struct {
		format string
		ms, kb *float64
	}{{"json", &fr.RollupJSONMs, nil}, {"pdf", &fr.RollupPDFMs, &fr.RollupPDFKB}, {"docx", &fr.RollupDOCXMs, &fr.RollupDOCXKB}} {
		t := time.Now()
		n, size, err := b.rollup(ctx, doc, f.format)
		if err != nil {
			done()
			return err
		}
		*f.ms = ms(float64(time.Since(t).Nanoseconds()))
		if f.kb != nil {
			*f.kb = round3(float64(size) / 1024)
		}
		if n != fr.Stored {
			done()
			return fmt.Errorf("the %s roll-up counts %d opinions; the state holds %d", f.format, n, fr.Stored)
		}
		b.p.printf("opinions: roll-up as %s in %.0f ms (%d bytes)", f.format, *f.ms, size)
	}

	// ---- groups sitting at once ----
	if err := b.groupsSit(ctx, groups, fr); err != nil {
		done()
		return err
	}
	rep.MeasureCPU = done()
	fr.Valid = fr.Lost == 0 && fr.CountsOK && fr.CrossDeliveries == 0 && fr.Retries == 0
	return nil
}

// delegatesOf returns the delegates of s in the order imported (tablet i
// is delegate i).
func delegatesOf(s *meeting.State) []meeting.Participant {
	var out []meeting.Participant
	for _, p := range s.Participants {
		if p.Role == meeting.RoleDelegate {
			out = append(out, p)
		}
	}
	return out
}

// openDraft uploads a DOCX of -sections headings, reads its structure back
// (the outline route) and opens it for opinions for a day.
func (b *bench) openDraft(ctx context.Context) (string, error) {
	parts := []testdocs.Part{{Level: 0, Text: "BÁO CÁO CHÍNH TRỊ (DỰ THẢO, THỬ TẢI)"}}
	for i := 1; i <= b.cfg.sections; i++ {
		level := 2
		if i%10 == 1 {
			level = 1
		}
		parts = append(parts, testdocs.Part{Level: level, Text: fmt.Sprintf("%d. Nội dung thứ %d của dự thảo", i, i), Body: []string{fmt.Sprintf("Đoạn văn của nội dung thứ %d.", i)}})
	}
	up, err := b.console.Upload(ctx, b.meeting, client.NewDocument{Title: "Dự thảo Báo cáo chính trị (thử tải)", Access: meeting.AccessDelegates, Publish: true},
		"du-thao.docx", bytes.NewReader(testdocs.DOCXDraft(parts)))
	if err != nil {
		return "", fmt.Errorf("upload the draft: %w", err)
	}
	doc := up.Document.ID
	var o struct {
		Sections []meeting.Section `json:"sections"`
	}
	if err := b.getJSON(ctx, "/api/meetings/"+url.PathEscape(b.meeting)+"/documents/"+doc+"/outline", &o); err != nil {
		return "", fmt.Errorf("outline: %w", err)
	}
	// The title (level 0) is a heading too: drop it, keep -sections.
	secs := o.Sections[1:]
	for i := range secs {
		secs[i].ID = fmt.Sprintf("m%d", i+1)
	}
	if len(secs) != b.cfg.sections {
		return "", fmt.Errorf("the outline has %d sections; want %d", len(secs), b.cfg.sections)
	}
	if _, err := b.live.Send(ctx, "draft.open", map[string]any{"document": doc, "sections": secs, "deadline": time.Now().Add(24 * time.Hour)}); err != nil {
		return "", fmt.Errorf("draft.open: %w", err)
	}
	b.p.printf("opinions: draft %s open with %d sections", doc, len(secs))
	return doc, nil
}

// defineGroups splits the delegates into -groups groups (the first member
// leads, the second keeps the notes).
func (b *bench) defineGroups(ctx context.Context) ([]meeting.Group, error) {
	ds := delegatesOf(b.live.State())
	if b.cfg.groups < 1 {
		return nil, nil
	}
	size := (len(ds) + b.cfg.groups - 1) / b.cfg.groups
	for g := range b.cfg.groups {
		lo, hi := g*size, min((g+1)*size, len(ds))
		if hi-lo < 2 {
			return nil, fmt.Errorf("group %d would have %d members; lower -groups", g+1, hi-lo)
		}
		var ids []string
		for _, p := range ds[lo:hi] {
			ids = append(ids, p.ID)
		}
		if _, err := b.live.Send(ctx, "group.define", map[string]any{"name": fmt.Sprintf("Tổ %d", g+1), "members": ids, "leader": ids[0], "secretary": ids[1]}); err != nil {
			return nil, fmt.Errorf("group %d: %w", g+1, err)
		}
	}
	return b.live.State().Floor.Groups, nil
}

// rollup downloads the draft's roll-up and returns the number of opinions
// it counts and its size.
func (b *bench) rollup(ctx context.Context, doc, format string) (int, int, error) {
	u := b.base + "/api/meetings/" + url.PathEscape(b.meeting) + "/drafts/" + doc + "/rollup?format=" + format
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("roll-up %s: HTTP %d: %.200s", format, resp.StatusCode, body)
	}
	n, err := strconv.Atoi(resp.Header.Get("X-Opinions"))
	if err != nil {
		return 0, 0, fmt.Errorf("roll-up %s: no X-Opinions", format)
	}
	return n, len(body), nil
}

// getJSON GETs path with the console's cookies into out.
func (b *bench) getJSON(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// post POSTs to path with the console's cookies.
func (b *bench) post(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+path, strings.NewReader("{}"))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("POST %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return nil
}

// groupsSit pauses the plenary, starts every group's sitting at once,
// connects every member's tablet to its sitting, and makes -group-changes
// changes in every sitting concurrently: the latency of each change to the
// slowest of the group's members, and any event a tablet receives that is
// not its own group's.
func (b *bench) groupsSit(ctx context.Context, groups []meeting.Group, fr *opinionsReport) error {
	if len(groups) == 0 {
		return nil
	}
	if _, err := b.live.Send(ctx, "meeting.pause", nil); err != nil {
		return err
	}
	t := time.Now()
	err := parallel(ctx, len(groups), len(groups), nil, func(ctx context.Context, g int) error {
		return b.post(ctx, "/api/meetings/"+url.PathEscape(b.meeting)+"/groups/"+groups[g].ID+"/sit")
	})
	if err != nil {
		return err
	}
	fr.SitAllMs = ms(float64(time.Since(t).Nanoseconds()))
	st, err := b.console.Meeting(ctx, b.meeting)
	if err != nil {
		return err
	}
	groupOf := map[string]int{}   // participant → group index
	sittingOf := map[string]int{} // sitting meeting → group index
	for g, x := range st.Floor.Groups {
		for _, m := range x.Members {
			groupOf[m] = g
		}
		sittingOf[x.Sitting] = g
	}
	b.p.printf("opinions: %d groups sitting (%.0f ms to start them all)", len(groups), fr.SitAllMs)

	// Every member's tablet on its sitting; each receipt recorded.
	ds := delegatesOf(st)
	type receipt struct {
		tablet int
		group  int
		seq    int64
		lat    float64 // ns: received minus the event's At
	}
	var rmu sync.Mutex
	var receipts []receipt
	var phase atomic.Bool // the changes are under way
	var cross atomic.Int64
	sittingLives := make([]*client.Live, len(ds))
	t = time.Now()
	var conn atomic.Int64
	err = parallel(ctx, len(ds), b.cfg.concurrency, b.tracker("group connect", &conn), func(ctx context.Context, i int) error {
		g := groupOf[ds[i].ID]
		sitting := st.Floor.Groups[g].Sitting
		l, err := b.tablets[i].c.Connect(ctx, sitting, client.WithoutReplica(), client.OnEvent(func(e meeting.Event, received time.Time, replay bool) {
			if replay || !phase.Load() || e.Type == meeting.EventHidden {
				return
			}
			if sittingOf[e.Meeting] != g {
				cross.Add(1)
			}
			rmu.Lock()
			receipts = append(receipts, receipt{tablet: i, group: g, seq: e.Seq, lat: float64(received.Sub(e.At).Nanoseconds())})
			rmu.Unlock()
		}))
		if err != nil {
			return fmt.Errorf("tablet %d on its sitting: %w", i+1, err)
		}
		sittingLives[i] = l
		conn.Add(1)
		return nil
	})
	defer func() {
		for _, l := range sittingLives {
			if l != nil {
				l.Close()
			}
		}
	}()
	if err != nil {
		return err
	}
	fr.ConnectS = since(t)
	phase.Store(true)
	err = parallel(ctx, len(groups), len(groups), nil, func(ctx context.Context, g int) error {
		sitting := st.Floor.Groups[g].Sitting
		for k := range b.cfg.groupChanges {
			if _, err := b.console.Command(ctx, sitting, "notice.send", map[string]string{"text": fmt.Sprintf("Tổ %d: thông báo số %d", g+1, k+1)}); err != nil {
				return fmt.Errorf("group %d change %d: %w", g+1, k+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Wait until every member received every change of its group.
	want := len(ds) * b.cfg.groupChanges
	deadline := time.Now().Add(30 * time.Second)
	for {
		rmu.Lock()
		n := len(receipts)
		rmu.Unlock()
		if n >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	phase.Store(false)
	rmu.Lock()
	defer rmu.Unlock()
	if len(receipts) != want {
		return fmt.Errorf("the members received %d events of their groups; want %d", len(receipts), want)
	}
	last := map[[2]int64]float64{} // (group, seq) → the slowest member's latency
	perTablet := make([]int, len(ds))
	for _, r := range receipts {
		perTablet[r.tablet]++
		k := [2]int64{int64(r.group), r.seq}
		last[k] = max(last[k], r.lat)
	}
	var lasts []float64
	for _, v := range last {
		lasts = append(lasts, v)
	}
	fr.GroupLastP50, fr.GroupLastP99, fr.GroupLastMax = ms(percentile(lasts, 50)), ms(percentile(lasts, 99)), ms(slices.Max(lasts))
	// A tablet got exactly its own group's changes: any other count means
	// an event of another group reached it (or its own did not).
	fr.CrossDeliveries = int(cross.Load())
	for i, n := range perTablet {
		if n != b.cfg.groupChanges {
			fr.CrossDeliveries += abs(n - b.cfg.groupChanges)
			b.p.printf("opinions: tablet %d received %d events of its sitting; want %d", i+1, n, b.cfg.groupChanges)
		}
	}
	b.p.printf("opinions: %d changes in %d groups, slowest member p50 %.1f ms, p99 %.1f ms; %d deliveries to other groups", len(lasts), len(groups), fr.GroupLastP50, fr.GroupLastP99, fr.CrossDeliveries)
	return nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
