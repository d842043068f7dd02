package server_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/client"
	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/docs-storage/miniotest"
	"github.com/phonghop/phonghop/internal/testdocs"
	"github.com/phonghop/phonghop/server"
	"github.com/phonghop/phonghop/server/meeting"
)

// heapSampler samples the live heap (runtime/metrics, no stop-the-world)
// every 2 ms and keeps the peak.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}

func heapNow() (live, allocs uint64) {
	s := make([]metrics.Sample, len(heapSample))
	copy(s, heapSample)
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			if live, _ := heapNow(); live > h.peak {
				h.peak = live
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak
}

// BenchmarkUpload100MiB uploads a 100 MiB file through the SDK (streamed)
// to a server with a local store, in this process, and reports the peak
// growth of the live heap over the idle heap (server and uploader
// together: the whole process) and the bytes allocated per upload. Run
// with -benchtime=3x.
func BenchmarkUpload100MiB(b *testing.B) {
	b.Run("local", func(b *testing.B) {
		benchUpload(b, newDocServer(b, func(c *server.Config) { c.MaxUpload = 200 << 20 }))
	})
	b.Run("minio", func(b *testing.B) {
		srv := miniotest.Start(b)
		store, err := docstorage.NewS3(context.Background(), srv.Config(miniotest.RandomBucket("bench")))
		if err != nil {
			b.Fatal(err)
		}
		benchUpload(b, newDocServer(b, func(c *server.Config) { c.MaxUpload, c.Documents = 200<<20, store }))
	})
}

func benchUpload(b *testing.B, ds *docServer) {
	const size = 100 << 20
	ctx := context.Background()
	sec, err := client.New(ds.URL)
	if err != nil {
		b.Fatal(err)
	}
	if err := sec.Login(ctx, adminUser, adminPassword); err != nil {
		b.Fatal(err)
	}
	id, err := sec.CreateMeeting(ctx, meeting.Details{Title: "Đo tải lên"})
	if err != nil {
		b.Fatal(err)
	}
	var worstPeak, allocs uint64
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		runtime.GC()
		idle, allocs0 := heapNow()
		h := startHeapSampler()
		s := testdocs.PDFStream(size, uint64(i+1)) // different bytes each time: no dedup
		if _, err := sec.Upload(ctx, id, client.NewDocument{Title: "Tài liệu lớn"}, "lon.pdf", s); err != nil {
			b.Fatal(err)
		}
		peak := h.Stop()
		_, allocs1 := heapNow()
		if peak > idle && peak-idle > worstPeak {
			worstPeak = peak - idle
		}
		allocs += allocs1 - allocs0
	}
	b.StopTimer()
	b.ReportMetric(float64(worstPeak)/(1<<20), "peak-heap-growth-MiB")
	b.ReportMetric(float64(allocs)/float64(b.N)/(1<<20), "alloc-MiB/upload")
}
