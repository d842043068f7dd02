package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archive/archivetest"
)

// FuzzSettings gives any value to any setting, from the environment or a
// flag: parseConfig never panics, and either accepts or returns an error
// naming where the value came from.
func FuzzSettings(f *testing.F) {
	names := readNames(f)
	for i, n := range names {
		for _, v := range append(badSettings[n], "x", "1", "on") {
			f.Add(uint8(i), v, false)
			f.Add(uint8(i), v, true)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, v string, asFlag bool) {
		name := names[int(which)%len(names)]
		env := map[string]string{}
		var args []string
		fl := flagOf(t, name)
		if asFlag && fl != "" {
			args = []string{"-" + fl + "=" + v}
		} else {
			env[name] = v
		}
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		_, err := parseConfig(fs, args, func(k string) string { return env[k] })
		if err == nil {
			return
		}
		// Rules between settings (S3 needs its endpoint, …) name the
		// settings involved; a bad value names its own.
		if !strings.Contains(err.Error(), name) && !strings.Contains(err.Error(), "-"+fl) && !strings.Contains(err.Error(), "PHONGHOP_S3") &&
			!strings.Contains(err.Error(), "bucket") {
			t.Fatalf("%s = %q (flag %v): error %q names no setting", name, v, asFlag, err)
		}
	})
}

// verifyFixture is a signed archive for FuzzVerifyCommand, the same in
// every process (fixed key, deterministic meeting), and its zip.
var verifyFixture = sync.OnceValues(func() (*archive.Archive, []byte) {
	in, err := archivetest.Input("m-fuzz-cli", archivetest.Spec{Delegates: 3, Items: 1, Polls: 1})
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize)))
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
	var zb bytes.Buffer
	if err := a.WriteZip(&zb); err != nil {
		panic(err)
	}
	return a, zb.Bytes()
})

// FuzzVerifyCommand runs `phonghop verify` on a mutated archive zip (bytes
// flipped, cut or inserted at some offset): the command always gives a
// clear verdict — "Hợp lệ / valid" and success, or "KHÔNG HỢP LỆ /
// INVALID" and an error — and says valid only when the zip still holds the
// original files.
func FuzzVerifyCommand(f *testing.F) {
	_, zb := verifyFixture()
	f.Add(uint32(0), uint8(0), []byte{})
	f.Add(uint32(100), uint8(0), []byte{1})
	f.Add(uint32(len(zb)-10), uint8(1), []byte{})
	f.Add(uint32(len(zb)/2), uint8(2), []byte("PK\x03\x04"))
	f.Add(uint32(len(zb)-22), uint8(0), []byte{0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, off uint32, op uint8, data []byte) {
		a, orig := verifyFixture()
		b := bytes.Clone(orig)
		at := int(off) % (len(b) + 1)
		switch op % 3 {
		case 0:
			for i, x := range data {
				if at+i < len(b) {
					b[at+i] ^= x
				}
			}
		case 1:
			b = b[:at]
		case 2:
			b = append(b[:at:at], append(data, orig[at:]...)...)
		}
		path := filepath.Join(t.TempDir(), "bien-ban.zip")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"verify", path}, func(string) string { return "" }, &out, &errb)
		s := out.String()
		switch {
		case err == nil && strings.HasPrefix(s, "Hợp lệ / valid"):
			// Valid: the zip must hold the original files.
			src, c, zerr := archive.ZipSource(path)
			if zerr != nil {
				t.Fatalf("verify said valid; the zip does not open: %v", zerr)
			}
			defer c.Close()
			for _, n := range archive.AllFiles {
				got, rerr := src.ReadFile(context.Background(), n)
				if rerr != nil || !bytes.Equal(got, a.File(n)) {
					t.Fatalf("verify said valid but %s differs from the original (%v)", n, rerr)
				}
			}
		case err != nil && strings.HasPrefix(s, "KHÔNG HỢP LỆ / INVALID: "+path) && strings.Count(s, "\n") >= 2:
			// Invalid, with at least one reason.
		default:
			t.Fatalf("verify gave no clear verdict: err %v\nstdout %q\nstderr %q", err, s, errb.String())
		}
	})
}
