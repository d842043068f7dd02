package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// BenchmarkPaperEntry is the loopback load test of paper counting (issue 19,
// docs/paper.md): a real server over a real SQLite file, ten entry stations
// (the three members of the counting committee and seven technicians) each
// on its own WebSocket, keying every ballot of an election three times
// (bundles of 50, each by three different stations): "paced", each station
// sending a ballot every 200 ms (50 ballots a second in all, a hundred times
// the pace reported for a provincial congress, 348 ballots × 3 entries in 40
// minutes), and "max", each sending the next as soon as the last is
// acknowledged (the capacity). It reports the acknowledgement latency of paper.enter
// (median, p99, max), two floors measured in the same run — an unknown
// command on the same sockets (answered before any meeting is touched: the
// transport) and a notice sent by the console every 100 ms (one event
// appended and fsync'd: the durable append every entry also pays) —,
// the close (reconciliation and result through meeting.Tally) and the
// counting record's PDF. Bounded: one election per iteration, a deadline of
// five minutes. Run it with -benchtime=1x:
//
//	go test ./server -run '^$' -bench 'PaperEntry' -benchtime 1x
func BenchmarkPaperEntry(b *testing.B) {
	for _, size := range []struct{ ballots, names int }{{350, 55}, {1600, 220}} {
		for _, mode := range []struct {
			name  string
			every time.Duration
		}{{"paced", 200 * time.Millisecond}, {"max", 0}} {
			b.Run(fmt.Sprintf("%dx%d/%s", size.ballots, size.names, mode.name), func(b *testing.B) {
				for range b.N {
					paperLoad(b, size.ballots, size.names, mode.every)
				}
			})
		}
	}
}

func paperLoad(b *testing.B, ballots, names int, every time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ts := newTestServer(b)
	sec, jar := benchClient(b, ts.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		b.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đại hội đại biểu", Organization: "Đảng bộ tỉnh"})
	if err != nil {
		b.Fatal(err)
	}
	must := func(name string, data any) {
		if _, err := sec.Command(ctx, id, name, data); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
	}
	rows := []meeting.NewParticipant{}
	for i := range ballots {
		rows = append(rows, meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i+1)})
	}
	for i := range 7 {
		rows = append(rows, meeting.NewParticipant{Name: fmt.Sprintf("Kỹ thuật viên %d", i+1), Role: meeting.RoleTechnician})
	}
	must("participant.import", map[string]any{"rows": rows})
	must("attendance.mark_all_present", nil)
	must("meeting.open", nil)
	st, _ := sec.Meeting(ctx, id)
	var members, techs []meeting.Participant
	for _, p := range st.Participants {
		switch {
		case p.Role == meeting.RoleTechnician:
			techs = append(techs, p)
		case len(members) < 3:
			members = append(members, p)
		}
	}
	must("body.propose", map[string]any{"kind": "counting", "members": []map[string]string{{"participant": members[0].ID}, {"participant": members[1].ID}, {"participant": members[2].ID}}})
	must("poll.create", map[string]any{"kind": "open", "question": "Thông qua danh sách Ban Kiểm phiếu", "body": "counting", "base": "cast"})
	st, _ = sec.Meeting(ctx, id)
	vote := st.Polls[len(st.Polls)-1].ID
	must("poll.open", map[string]any{"id": vote})
	pair := func(p meeting.Participant) *client.Client {
		codes, err := sec.PairingCodes(ctx, id, []string{p.ID})
		if err != nil {
			b.Fatal(err)
		}
		c, _ := benchClient(b, ts.URL)
		if _, err := c.Pair(ctx, codes[0].Code); err != nil {
			b.Fatal(err)
		}
		return c
	}
	var stations []*client.Live
	for _, p := range append(slices.Clone(members), techs...) {
		l, err := pair(p).Connect(ctx, id, client.WithoutReplica())
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		if err := l.WaitSynced(ctx); err != nil {
			b.Fatal(err)
		}
		stations = append(stations, l)
	}
	for i := range 3 {
		if _, err := stations[i].Cast(ctx, vote, "k"+strconv.Itoa(i), meeting.Ballot{Choice: meeting.ChoiceAgree}); err != nil {
			b.Fatal(err)
		}
	}
	must("poll.close", map[string]any{"id": vote})
	must("poll.publish", map[string]any{"id": vote})
	if _, err := stations[0].Send(ctx, "paper.technicians", map[string]any{"participants": []string{techs[0].ID, techs[1].ID, techs[2].ID, techs[3].ID, techs[4].ID, techs[5].ID, techs[6].ID}}); err != nil {
		b.Fatal(err)
	}
	seats := names - max(1, names/11) // a surplus of about 10%
	var cands []map[string]string
	for i := range names {
		cands = append(cands, map[string]string{"name": fmt.Sprintf("Ứng viên %d", i+1)})
	}
	must("poll.create", map[string]any{"kind": "election", "question": "Bầu Ban Chấp hành", "candidates": cands, "seats": seats, "paper": true})
	st, _ = sec.Meeting(ctx, id)
	pollID := st.Polls[len(st.Polls)-1].ID
	must("poll.open", map[string]any{"id": pollID})
	if _, err := stations[0].Send(ctx, "paper.record_counts", map[string]any{"poll": pollID, "issued": ballots, "returned": ballots}); err != nil {
		b.Fatal(err)
	}
	// The ballots: each strikes between the surplus and the surplus + 5.
	r := rand.New(rand.NewPCG(1, 2))
	marks := make([]meeting.PaperMarks, ballots)
	for i := range marks {
		k := names - seats + r.IntN(6)
		s := r.Perm(names)[:k]
		for j := range s {
			s[j]++
		}
		slices.Sort(s)
		marks[i] = meeting.PaperMarks{Struck: s}
	}
	// Work: bundle k's entry e goes to station (3k+e) mod 10 (three
	// different stations, operators too).
	const size = 50
	bundles := (ballots + size - 1) / size
	work := make([][][2]int, len(stations))
	for k := range bundles {
		for e := range 3 {
			s := (3*k + e) % len(stations)
			work[s] = append(work[s], [2]int{k + 1, e})
		}
	}
	var mu sync.Mutex
	var lat, pings, appends []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, len(stations))
	// The durable floor: the secretariat's console sends a notice (one
	// event appended, fsync'd and broadcast, like an entry) every 100 ms
	// on its own socket while the stations key.
	con, err := sec.Connect(ctx, id, client.WithoutReplica())
	if err != nil {
		b.Fatal(err)
	}
	defer con.Close()
	if err := con.WaitSynced(ctx); err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	floorDone := make(chan struct{})
	go func() {
		defer close(floorDone)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			t0 := time.Now()
			if _, err := con.Send(ctx, "notice.send", map[string]any{"text": "Thông báo " + strconv.Itoa(k)}); err != nil {
				return
			}
			mu.Lock()
			appends = append(appends, time.Since(t0))
			mu.Unlock()
		}
	}()
	b.ResetTimer()
	start := time.Now()
	for si, l := range stations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(max(every, time.Microsecond))
			defer tick.Stop()
			// Stations start spread over the first interval.
			time.Sleep(every * time.Duration(si) / time.Duration(len(stations)))
			for _, w := range work[si] {
				bundle := w[0]
				n := min(size, ballots-(bundle-1)*size)
				for pos := 1; pos <= n; pos++ {
					if every > 0 {
						<-tick.C
					}
					t0 := time.Now()
					if _, err := l.Send(ctx, "paper.enter", map[string]any{"poll": pollID, "bundle": bundle, "position": pos, "marks": marks[(bundle-1)*size+pos-1]}); err != nil {
						errs <- fmt.Errorf("station %d bundle %d pos %d: %w", si, bundle, pos, err)
						return
					}
					d := time.Since(t0)
					if pos%10 == 0 { // the floor: a round trip on the same socket that reaches no meeting (an unknown command)
						p0 := time.Now()
						if _, err := l.Send(ctx, "paper.noop", nil); err != nil && strings.Contains(err.Error(), "paper.noop") {
							mu.Lock()
							pings = append(pings, time.Since(p0))
							mu.Unlock()
						}
					}
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
				if _, err := l.Send(ctx, "paper.finish", map[string]any{"poll": pollID, "bundle": bundle, "count": n}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	keyed := time.Since(start)
	close(stop)
	<-floorDone
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	t0 := time.Now()
	must("poll.close", map[string]any{"id": pollID})
	closeDur := time.Since(t0)
	u := &http.Client{Jar: jar}
	t0 = time.Now()
	resp, err := u.Get(ts.URL + "/api/meetings/" + id + "/polls/" + pollID + "/counting-record?format=pdf")
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("counting record PDF: %v %v", resp, err)
	}
	resp.Body.Close()
	pdfDur := time.Since(t0)
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(pings)
	slices.Sort(appends)
	q := func(xs []time.Duration, f float64) time.Duration { return xs[min(len(xs)-1, int(f*float64(len(xs))))] }
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(q(lat, 0.5)), "enter-p50-ms")
	b.ReportMetric(ms(q(lat, 0.99)), "enter-p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "enter-max-ms")
	b.ReportMetric(ms(q(pings, 0.5)), "ping-p50-ms")
	b.ReportMetric(ms(q(pings, 0.99)), "ping-p99-ms")
	if len(appends) > 0 {
		b.ReportMetric(ms(q(appends, 0.5)), "append-p50-ms")
		b.ReportMetric(ms(q(appends, 0.99)), "append-p99-ms")
	}
	b.ReportMetric(float64(len(lat))/keyed.Seconds(), "entries/s")
	b.ReportMetric(ms(closeDur), "close-ms")
	b.ReportMetric(ms(pdfDur), "record-pdf-ms")
}

// benchClient is an SDK client with its own cookie jar.
func benchClient(b *testing.B, url string) (*client.Client, *cookiejar.Jar) {
	jar, _ := cookiejar.New(nil)
	c, err := client.New(url, client.WithHTTPClient(&http.Client{Jar: jar}))
	if err != nil {
		b.Fatal(err)
	}
	return c, jar
}
