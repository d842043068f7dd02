package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archive/archivetest"
)

// fuzzArchive is a small signed archive, built once per process. It is
// the same in every process (a fixed key, a deterministic meeting), since
// the fuzzer's workers compare what they read with seeds another process
// made.
var fuzzArchive = sync.OnceValues(func() (*archive.Archive, *archive.Key) {
	in, err := archivetest.Input("m-fuzz", archivetest.Spec{Delegates: 4, Items: 2, Polls: 1})
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	if err != nil {
		panic(err)
	}
	key, err := archive.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		panic(err)
	}
	a, err := archive.Build(in, key)
	if err != nil {
		panic(err)
	}
	return a, key
})

// The problem codes Verify documents.
var problemCodes = []string{archive.CodeUnreadable, archive.CodeMissing, archive.CodeExtra, archive.CodeBadManifest, archive.CodeBadKey,
	archive.CodeKeyMismatch, archive.CodeUntrusted, archive.CodeBadSignature, archive.CodeHash, archive.CodeSize, archive.CodeChain, archive.CodeHead}

// checkVerdict verifies src and fails unless the verdict is clear and
// right: valid exactly when every file is the original (want), otherwise
// problems with documented codes, about files that exist in the format or
// in src, in Vietnamese and English.
func checkVerdict(t *testing.T, src archive.Source, got map[string][]byte, trusted bool) {
	t.Helper()
	a, key := fuzzArchive()
	var opts archive.Options
	if trusted {
		tr, err := archive.ParseTrust(key.Fingerprint())
		if err != nil {
			t.Fatal(err)
		}
		opts.Trusted = &tr
	}
	r, err := archive.Verify(context.Background(), src, opts)
	if err != nil {
		t.Fatalf("Verify = %v; the error is only for a source that cannot be listed", err)
	}
	same := len(got) == len(archive.AllFiles)
	for _, n := range archive.AllFiles {
		b, ok := got[n]
		same = same && ok && bytes.Equal(b, a.File(n))
	}
	if r.OK() != same {
		t.Fatalf("Verify says valid = %v of an archive whose files are unchanged = %v; problems: %v", r.OK(), same, r.Problems)
	}
	for _, p := range r.Problems {
		if !slices.Contains(problemCodes, p.Code) {
			t.Fatalf("problem %+v has an undocumented code", p)
		}
		if _, ok := got[p.File]; !ok && !slices.Contains(archive.AllFiles, p.File) {
			t.Fatalf("problem %+v names a file that is neither in the archive nor in the format", p)
		}
		if p.Message == "" || p.MessageEN == "" || !utf8.ValidString(p.Message) || !utf8.ValidString(p.MessageEN) {
			t.Fatalf("problem %+v: want a Vietnamese and an English message in UTF-8", p)
		}
	}
	if n := len(r.Problems); n > 40+len(got) {
		t.Fatalf("%d problems for %d files: the report must stay readable", n, len(got))
	}
}

// FuzzVerify tampers with one file of a signed archive — flips bytes,
// cuts, inserts, replaces, removes it, or adds a stranger — and checks
// that Verify always gives a clear verdict: valid exactly when nothing
// changed, else a list of problems (see checkVerdict).
func FuzzVerify(f *testing.F) {
	a, _ := fuzzArchive()
	for i := range archive.AllFiles {
		for op := range uint8(6) {
			f.Add(uint8(i), op, uint32(17), []byte("\x01"), false)
		}
	}
	f.Add(uint8(5), uint8(3), uint32(0), []byte("{}\n"), true)
	f.Add(uint8(5), uint8(2), uint32(len(a.File(archive.FileEvents))), a.File(archive.FileEvents)[:200], true)
	f.Add(uint8(8), uint8(3), uint32(0), []byte(`{"format":"phonghop-archive/1","files":[]}`), false)
	f.Add(uint8(7), uint8(3), uint32(0), []byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"), true)
	f.Add(uint8(0), uint8(6), uint32(0), []byte{}, false)
	f.Fuzz(func(t *testing.T, which, op uint8, off uint32, data []byte, trusted bool) {
		files := map[string][]byte{}
		for _, n := range archive.AllFiles {
			files[n] = a.File(n)
		}
		name := archive.AllFiles[int(which)%len(archive.AllFiles)]
		b := slices.Clone(files[name])
		at := int(off) % (len(b) + 1)
		switch op % 7 {
		case 0: // flip bits
			for i, x := range data {
				if at+i < len(b) {
					b[at+i] ^= x
				}
			}
			files[name] = b
		case 1: // truncate
			files[name] = b[:at]
		case 2: // insert
			files[name] = slices.Insert(b, at, data...)
		case 3: // replace
			files[name] = data
		case 4: // remove
			delete(files, name)
		case 5: // add a stranger, named by the data
			files[string(data)] = []byte("thêm")
		case 6: // the same file twice, under two names differing by case
			files[name+"\x00"] = b
		}
		checkVerdict(t, &memSource{files: files}, files, trusted)
	})
}

// FuzzVerifyZip verifies any bytes as an archive's zip (the form
// `phonghop verify` and the download give): a zip that does not open is
// refused, one that opens gets a clear verdict, valid only if it holds
// exactly the original files.
func FuzzVerifyZip(f *testing.F) {
	a, _ := fuzzArchive()
	var zb bytes.Buffer
	if err := a.WriteZip(&zb); err != nil {
		f.Fatal(err)
	}
	good := zb.Bytes()
	f.Add(good)
	f.Add(good[:len(good)-30])
	f.Add(good[:len(good)/2])
	// Two entries of one name.
	var dup bytes.Buffer
	zw := zip.NewWriter(&dup)
	for _, n := range append(slices.Clone(archive.AllFiles), archive.FileManifest) {
		w, _ := zw.Create(n)
		w.Write(a.File(n))
	}
	zw.Close()
	f.Add(dup.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		src, err := archive.ZipReaderSource(bytes.NewReader(b), int64(len(b)), "fuzz.zip")
		if err != nil {
			return // refused before verification: "not a readable zip"
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("ZipReaderSource accepted what zip.NewReader refuses: %v", err)
		}
		got := map[string][]byte{}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				got[zf.Name] = nil
				continue
			}
			c, err := io.ReadAll(io.LimitReader(rc, 64<<20))
			rc.Close()
			if _, dup := got[zf.Name]; dup || err != nil {
				c = []byte(fmt.Sprintf("unreadable or twice: %v", err)) // never the original
			}
			got[zf.Name] = c
		}
		checkVerdict(t, src, got, false)
	})
}

// retentionGrammar is archive.ParsePolicy's grammar of retentions without
// a Go duration: digits and at most one unit letter.
var retentionGrammar = regexp.MustCompile(`^([0-9]+)([yd]?)$`)

// FuzzRetention checks the retention parser (PHONGHOP_ARCHIVE_RETENTION):
// digits with y or d (or none: days) within 100 years, or a positive Go
// duration; nothing else.
func FuzzRetention(f *testing.F) {
	for _, s := range []string{"10y", "3650d", "3650", "72h", "10dy", "5yyy", "0d", "101y", "36601", "-5h", "1.5h", "", " 7D ", "1ns", "99999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := archive.ParsePolicy(s, "")
		r := strings.ToLower(strings.TrimSpace(s))
		if r == "" {
			r = archive.DefaultRetention
		}
		var ok bool
		var want archive.Policy
		if m := retentionGrammar.FindStringSubmatch(r); m != nil {
			n, convErr := new(big.Int).SetString(m[1], 10)
			switch {
			case !convErr || n.Sign() <= 0 || n.Cmp(big.NewInt(100*366)) > 0:
			case m[2] == "y" && n.Int64() > 100:
			case m[2] == "y":
				ok, want.Years = true, int(n.Int64())
			default:
				ok, want.Days = true, int(n.Int64())
			}
		} else if d, derr := time.ParseDuration(r); derr == nil && d > 0 {
			ok, want.Duration = true, d
		}
		if ok != (err == nil) || (ok && (p.Years != want.Years || p.Days != want.Days || p.Duration != want.Duration)) {
			t.Fatalf("ParsePolicy(%q) = %+v, %v; want %+v (accepted %v)", s, p, err, want, ok)
		}
	})
}
