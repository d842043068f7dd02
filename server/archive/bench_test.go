package archive_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archive/archivetest"
)

// congress is the benchmark meeting: 1,600 delegates, 30 agenda items, 20
// open polls in which everyone votes.
var congress = archivetest.Spec{Delegates: 1600, Items: 30, Polls: 20}

// BenchmarkArchiveBuild measures what the server does when minutes are
// finalised: render the minutes (JSON, HTML vi/en, PDF vi/en) from the
// log, build and sign the archive, and write it as a zip.
//
//	go test -run '^$' -bench BenchmarkArchive -benchmem -benchtime 5x ./server/archive/
func BenchmarkArchiveBuild(b *testing.B) {
	in, err := archivetest.Input("dai-hoi", congress)
	if err != nil {
		b.Fatal(err)
	}
	key, _ := archive.NewKey()
	var zipped bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		m, err := archivetest.Minutes(in.Events)
		if err != nil {
			b.Fatal(err)
		}
		in.Minutes = m
		a, err := archive.Build(in, key)
		if err != nil {
			b.Fatal(err)
		}
		zipped.Reset()
		if err := a.WriteZip(&zipped); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(in.Events)), "events")
	b.ReportMetric(float64(zipped.Len())/1e6, "zip-MB")
	a, _ := archive.Build(in, key)
	b.ReportMetric(float64(a.Size())/1e6, "files-MB")
	b.ReportMetric(float64(len(in.Minutes.PDFVI))/1e3, "pdf-vi-kB")
}

// BenchmarkArchiveVerify measures Verify of the same archive from its zip.
func BenchmarkArchiveVerify(b *testing.B) {
	in, err := archivetest.Input("dai-hoi", congress)
	if err != nil {
		b.Fatal(err)
	}
	key, _ := archive.NewKey()
	a, err := archive.Build(in, key)
	if err != nil {
		b.Fatal(err)
	}
	var zipped bytes.Buffer
	a.WriteZip(&zipped)
	b.ResetTimer()
	for b.Loop() {
		src, err := archive.ZipReaderSource(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()), "zip")
		if err != nil {
			b.Fatal(err)
		}
		r, err := archive.Verify(context.Background(), src, archive.Options{})
		if err != nil || !r.OK() {
			b.Fatal(err, r.Problems)
		}
	}
}

// BenchmarkArchiveSignZip is BenchmarkArchiveBuild without the rendering:
// hashing, signing and zipping already rendered minutes.
func BenchmarkArchiveSignZip(b *testing.B) {
	in, err := archivetest.Input("dai-hoi", congress)
	if err != nil {
		b.Fatal(err)
	}
	key, _ := archive.NewKey()
	var zipped bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		a, err := archive.Build(in, key)
		if err != nil {
			b.Fatal(err)
		}
		zipped.Reset()
		if err := a.WriteZip(&zipped); err != nil {
			b.Fatal(err)
		}
	}
}
