package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server/meeting"
)

// procKB reads a "VmXXX:   123 kB" line of /proc/pid/status.
func procKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			n, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return n
		}
	}
	return -1
}

// resetPeak resets the process's peak RSS (VmHWM) to its current RSS.
func resetPeak(pid int) { _ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) }

// BenchmarkDownload500Tablets runs the real server binary (local store),
// connects 500 paired tablets live (their replicas receive the download
// records' placeholders), and has them all download one 10 MB PDF at the
// same moment over loopback. It reports the wave's wall time, throughput,
// per-download p50/p99, the server's peak RSS during the wave, and how
// many document.downloaded events recorded the 500 downloads. Clients run
// in this process, on the same 2 cores as the server. Run with
// -benchtime=1x.
func BenchmarkDownload500Tablets(b *testing.B) {
	const tablets, size = 500, 10 << 20
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	srv := startServer(b, "127.0.0.1:0", b.TempDir())
	pid := srv.cmd.Process.Pid
	sec, secHTTP := newClient(b, srv.URL)
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		b.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đại hội đại biểu — đo tải tài liệu"})
	if err != nil {
		b.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("họ và tên,vai trò\n")
	for i := range tablets {
		fmt.Fprintf(&csv, "Đại biểu Thử Nghiệm %03d,đại biểu\n", i+1)
	}
	if _, err := sec.ImportParticipantsCSV(ctx, id, strings.NewReader(csv.String())); err != nil {
		b.Fatal(err)
	}
	if _, err := sec.Command(ctx, id, "meeting.open", nil); err != nil {
		b.Fatal(err)
	}
	codes, err := sec.PairingCodes(ctx, id, nil)
	if err != nil {
		b.Fatal(err)
	}
	// One transport for all tablets, allowed to keep every connection.
	tr := &http.Transport{MaxIdleConnsPerHost: tablets, MaxConnsPerHost: 0}
	defer tr.CloseIdleConnections()
	clients := make([]*client.Client, len(codes))
	lives := make([]*client.Live, len(codes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for i, code := range codes {
		g.Go(func() error {
			c, err := client.New(srv.URL, client.WithHTTPClient(&http.Client{Transport: tr}))
			if err != nil {
				return err
			}
			if _, err := c.Pair(gctx, code.Code); err != nil {
				return err
			}
			clients[i] = c
			lives[i], err = c.Connect(gctx, id, client.WithoutReplica(), client.WithBackoff(50*time.Millisecond, time.Second))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		for _, l := range lives {
			l.Close()
		}
	}()
	// A 100 MiB upload first: the server's peak RSS while it streams.
	rss0 := procKB(pid, "VmRSS")
	resetPeak(pid)
	t0 := time.Now()
	if _, err := sec.Upload(ctx, id, client.NewDocument{Title: "Phụ lục lớn"}, "phu-luc.pdf", testdocs.PDFStream(100<<20, 7)); err != nil {
		b.Fatal(err)
	}
	b.Logf("upload of 100 MiB: %v; server RSS %d MB before, peak %d MB", time.Since(t0).Round(time.Millisecond), rss0/1024, procKB(pid, "VmHWM")/1024)

	pdf := testdocs.LargePDF(size, "Bao cao chinh tri")
	up, err := sec.Upload(ctx, id, client.NewDocument{Title: "Báo cáo chính trị", Access: meeting.AccessDelegates, Publish: true}, "Báo cáo chính trị.pdf", bytes.NewReader(pdf))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range lives {
		if err := l.WaitSeq(ctx, up.Seq); err != nil {
			b.Fatal(err)
		}
	}

	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		rssBefore := procKB(pid, "VmRSS")
		resetPeak(pid)
		headBefore := lives[0].Seq()
		start := make(chan struct{})
		times := make([]time.Duration, len(clients))
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failures []error
		for i, c := range clients {
			wg.Go(func() {
				<-start
				t0 := time.Now()
				dl, err := c.Download(ctx, id, up.Document.ID, 1, 0, -1)
				if err == nil {
					var got int64
					got, err = io.CopyBuffer(io.Discard, dl, make([]byte, 32<<10))
					dl.Close()
					if err == nil && got != size && got != int64(len(pdf)) {
						err = fmt.Errorf("got %d bytes", got)
					}
				}
				times[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
			})
		}
		b.StartTimer()
		t0 := time.Now()
		close(start)
		wg.Wait()
		wall := time.Since(t0)
		b.StopTimer()
		if len(failures) > 0 {
			b.Fatalf("%d downloads failed, first: %v", len(failures), failures[0])
		}
		slices.Sort(times)
		peak := procKB(pid, "VmHWM")
		// How many events recorded the wave (the first wave only: later
		// ones fall in the 30-minute window of the first).
		var page struct{ Events []meeting.Event }
		resp, err := secHTTP.Get(srv.URL + "/api/meetings/" + id + "/events?after=" + strconv.FormatInt(headBefore, 10))
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
		}
		records, recorded := 0, 0
		for _, e := range page.Events {
			if e.Type == meeting.EventDocumentDownloaded {
				records++
				var p meeting.Downloads
				json.Unmarshal(e.Data, &p)
				recorded += len(p.Downloads)
			}
		}
		total := float64(len(pdf)) * float64(len(clients))
		b.Logf("wave %d: %d downloads of %.1f MB in %v: %.0f MB/s; per download p50 %v p99 %v max %v; server RSS %d MB before, peak %d MB; %d downloads recorded in %d events",
			n+1, len(clients), float64(len(pdf))/1e6, wall.Round(time.Millisecond), total/1e6/wall.Seconds(),
			times[len(times)/2].Round(time.Millisecond), times[len(times)*99/100].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond),
			rssBefore/1024, peak/1024, recorded, records)
		if n == 0 {
			b.ReportMetric(total/1e6/wall.Seconds(), "MB/s")
			b.ReportMetric(float64(times[len(times)*99/100].Milliseconds()), "p99-ms")
			b.ReportMetric(float64(times[len(times)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(peak)/1024, "server-peak-RSS-MB")
			b.ReportMetric(float64(records), "record-events")
		}
		b.StartTimer()
	}
}
