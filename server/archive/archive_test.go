package archive_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archive/archivetest"
)

var seedFlag = flag.Uint64("tamper-seed", 0, "seed of TestTamper (0: time-based)")

func fixture(t testing.TB) (archive.Input, *archive.Key) {
	t.Helper()
	in, err := archivetest.Input("m-test", archivetest.Spec{Delegates: 60, Items: 5, Polls: 3})
	if err != nil {
		t.Fatal(err)
	}
	key, err := archive.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return in, key
}

func build(t testing.TB) (*archive.Archive, *archive.Key) {
	t.Helper()
	in, key := fixture(t)
	a, err := archive.Build(in, key)
	if err != nil {
		t.Fatalf("Build = %v", err)
	}
	return a, key
}

func writeDir(t testing.TB, a *archive.Archive) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "a")
	if err := a.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func verify(t testing.TB, src archive.Source, opts archive.Options) *archive.Report {
	t.Helper()
	r, err := archive.Verify(context.Background(), src, opts)
	if err != nil {
		t.Fatalf("Verify(%s) error = %v", src, err)
	}
	return r
}

func files(r *archive.Report) []string {
	var out []string
	for _, p := range r.Problems {
		if !slices.Contains(out, p.File) {
			out = append(out, p.File)
		}
	}
	return out
}

func TestBuildVerify(t *testing.T) {
	a, key := build(t)
	dir := writeDir(t, a)
	r := verify(t, archive.DirSource(dir), archive.Options{})
	if !r.OK() {
		t.Fatalf("Verify(fresh archive) problems = %v; want none", r.Problems)
	}
	if r.Manifest.Revision != 1 || r.Manifest.Meeting.ID != "m-test" || r.KeyFingerprint != key.Fingerprint() || r.Events == 0 {
		t.Errorf("report = %+v", r)
	}
	if r.Manifest.Log.Seq != int64(r.Events) {
		t.Errorf("head seq %d, events %d", r.Manifest.Log.Seq, r.Events)
	}
	// The files are written read-only.
	fi, err := os.Stat(filepath.Join(dir, archive.FileManifest))
	if err != nil || fi.Mode().Perm() != 0o444 {
		t.Errorf("manifest mode = %v, %v; want 0444", fi.Mode(), err)
	}
	// Refuses to overwrite.
	if err := a.WriteDir(dir); err == nil {
		t.Errorf("WriteDir over an existing archive = nil; want an error")
	}

	// Trusted key: by fingerprint (short and full), by PEM; a wrong one.
	for _, s := range []string{key.Fingerprint(), archive.Short(key.Fingerprint()), string(key.PublicPEM())} {
		tr, err := archive.ParseTrust(s)
		if err != nil {
			t.Fatalf("ParseTrust(%.20q) = %v", s, err)
		}
		if r := verify(t, archive.DirSource(dir), archive.Options{Trusted: &tr}); !r.OK() || !r.Trusted {
			t.Errorf("Verify(trusted %.20q) = %v, trusted %v; want ok", s, r.Problems, r.Trusted)
		}
	}
	other, _ := archive.NewKey()
	tr, _ := archive.ParseTrust(other.Fingerprint())
	r = verify(t, archive.DirSource(dir), archive.Options{Trusted: &tr})
	if r.OK() || !slices.Equal(files(r), []string{archive.FilePublicKey}) || r.Problems[0].Code != archive.CodeUntrusted {
		t.Errorf("Verify(other trusted key) = %v; want one untrusted_key problem on public-key.pem", r.Problems)
	}
	if _, err := archive.ParseTrust("not a key"); err == nil {
		t.Errorf("ParseTrust(garbage) = nil error")
	}
}

func TestEventsLineExact(t *testing.T) {
	a, _ := build(t)
	lines := strings.Split(strings.TrimSuffix(string(a.File(archive.FileEvents)), "\n"), "\n")
	var e map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"meeting", "seq", "at", "actor", "type", "data", "prev", "hash"} {
		if _, ok := e[k]; !ok {
			t.Errorf("events.jsonl line 1 lacks %q: %s", k, lines[0])
		}
	}
	// The title holds "<" and "&": kept as stored, not re-escaped.
	if !strings.Contains(lines[0], "<thường lệ> &") && !strings.Contains(lines[0], `\u003cthường lệ\u003e \u0026`) {
		t.Errorf("line 1 = %s", lines[0])
	}
}

// TestTamper flips one random byte of one random file, 1,000 times: every
// change must be found, and named on the changed file.
func TestTamper(t *testing.T) {
	a, _ := build(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -tamper-seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	n := 1000
	if testing.Short() {
		n = 200
	}
	counts := map[string]int{}
	for i := range n {
		name := archive.AllFiles[rng.IntN(len(archive.AllFiles))]
		orig := a.File(name)
		b := bytes.Clone(orig)
		pos := rng.IntN(len(b))
		b[pos] ^= byte(1 + rng.IntN(255))
		src := &memSource{files: map[string][]byte{}}
		for _, f := range archive.AllFiles {
			src.files[f] = a.File(f)
		}
		src.files[name] = b
		r := verify(t, src, archive.Options{})
		counts[name]++
		got := files(r)
		switch {
		case r.OK():
			t.Fatalf("change %d: byte %d of %s (%#x→%#x) not detected (seed %d)", i, pos, name, orig[pos], b[pos], seed)
		case !slices.Contains(got, name):
			t.Fatalf("change %d: byte %d of %s: problems name %v, not %s: %v (seed %d)", i, pos, name, got, name, r.Problems, seed)
		case name != archive.FileManifest && name != archive.FileSignature && name != archive.FilePublicKey && len(got) != 1:
			t.Fatalf("change %d: byte %d of %s: problems also name other files %v: %v (seed %d)", i, pos, name, got, r.Problems, seed)
		}
	}
	t.Logf("%d changes detected, per file: %v", n, counts)
}

type memSource struct{ files map[string][]byte }

func (m *memSource) String() string { return "memory" }
func (m *memSource) Names(context.Context) ([]string, error) {
	var out []string
	for k := range m.files {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}
func (m *memSource) ReadFile(ctx context.Context, n string) ([]byte, error) {
	return archive.ReadAll(ctx, m, n)
}
func (m *memSource) Open(_ context.Context, n string) (io.ReadCloser, error) {
	b, ok := m.files[n]
	if !ok {
		return nil, os.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func TestMissingExtraSwapped(t *testing.T) {
	a, key := build(t)

	dir := writeDir(t, a)
	os.Remove(filepath.Join(dir, archive.FileMinutesVIP))
	r := verify(t, archive.DirSource(dir), archive.Options{})
	if !slices.Equal(files(r), []string{archive.FileMinutesVIP}) || r.Problems[0].Code != archive.CodeMissing {
		t.Errorf("removed file: problems = %v; want missing minutes.vi.pdf", r.Problems)
	}

	dir = writeDir(t, a)
	os.WriteFile(filepath.Join(dir, "ghi-chu.txt"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	r = verify(t, archive.DirSource(dir), archive.Options{})
	if got := files(r); !slices.Equal(got, []string{"ghi-chu.txt", "sub/"}) {
		t.Errorf("extra files: problems = %v; want ghi-chu.txt and sub/", r.Problems)
	}

	// Swapped key: someone re-signs an altered manifest with their own key
	// and replaces public-key.pem. Alone, the archive then looks valid
	// (integrity without origin); with the trusted key it fails.
	evil, _ := archive.NewKey()
	m := bytes.Replace(a.File(archive.FileManifest), []byte(key.Fingerprint()), []byte(evil.Fingerprint()), 1)
	src := &memSource{files: map[string][]byte{}}
	for _, f := range archive.AllFiles {
		src.files[f] = a.File(f)
	}
	src.files[archive.FilePublicKey] = evil.PublicPEM()
	var mm archive.Manifest
	json.Unmarshal(m, &mm)
	for i := range mm.Files {
		if mm.Files[i].Name == archive.FilePublicKey {
			mm.Files[i].SHA256, mm.Files[i].Size = sha(evil.PublicPEM()), int64(len(evil.PublicPEM()))
		}
	}
	m, _ = json.MarshalIndent(mm, "", "  ")
	src.files[archive.FileManifest] = m
	src.files[archive.FileSignature] = evil.Sign(m)
	if r := verify(t, src, archive.Options{}); !r.OK() {
		t.Errorf("re-signed archive without a trusted key: %v; want ok (integrity only)", r.Problems)
	}
	tr, _ := archive.ParseTrust(string(key.PublicPEM()))
	r = verify(t, src, archive.Options{Trusted: &tr})
	if !slices.Equal(files(r), []string{archive.FilePublicKey}) || r.Problems[0].Code != archive.CodeUntrusted {
		t.Errorf("re-signed archive with the trusted key: problems = %v; want untrusted_key", r.Problems)
	}
	// Only the key swapped (signature still the original's).
	src.files[archive.FileManifest] = a.File(archive.FileManifest)
	src.files[archive.FileSignature] = a.File(archive.FileSignature)
	r = verify(t, src, archive.Options{})
	if got := files(r); !slices.Equal(got, []string{archive.FilePublicKey}) {
		t.Errorf("swapped public-key.pem: problems = %v; want only public-key.pem", r.Problems)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestZip(t *testing.T) {
	a, _ := build(t)
	var buf bytes.Buffer
	if err := a.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.zip")
	os.WriteFile(path, buf.Bytes(), 0o644)
	src, c, err := archive.ZipSource(path)
	if err != nil {
		t.Fatal(err)
	}
	r := verify(t, src, archive.Options{})
	c.Close()
	if !r.OK() {
		t.Fatalf("zip: %v", r.Problems)
	}
	for _, cut := range []int{1, 100, buf.Len() / 2} {
		tpath := filepath.Join(t.TempDir(), "t.zip")
		os.WriteFile(tpath, buf.Bytes()[:buf.Len()-cut], 0o644)
		if src, c, err := archive.ZipSource(tpath); err == nil {
			r := verify(t, src, archive.Options{})
			c.Close()
			if r.OK() {
				t.Errorf("zip truncated by %d bytes: verified ok", cut)
			}
		}
	}
}

// TestOpenSSL checks the by-hand verification documented in
// docs/archive.md with the openssl command line.
func TestOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not found")
		}
		t.Skip("openssl not found")
	}
	a, key := build(t)
	dir := writeDir(t, a)
	cmd := exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", "public-key.pem", "-rawin", "-in", "manifest.json", "-sigfile", "manifest.sig")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Signature Verified Successfully") {
		t.Errorf("openssl verify: %v\n%s", err, out)
	}
	cmd = exec.Command("sh", "-c", openssl+" pkey -pubin -in public-key.pem -outform DER | sha256sum")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), key.Fingerprint()) {
		t.Errorf("fingerprint by openssl = %s, %v; want %s", out, err, key.Fingerprint())
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := archive.LoadOrCreateKey(dir)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreateKey = %v, created %v", err, created)
	}
	fi, _ := os.Stat(filepath.Join(dir, archive.KeyFile))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v; want 0600", fi.Mode().Perm())
	}
	k2, created, err := archive.LoadOrCreateKey(dir)
	if err != nil || created || k2.Fingerprint() != k1.Fingerprint() {
		t.Fatalf("second LoadOrCreateKey = %v, created %v, same key %v", err, created, k2.Fingerprint() == k1.Fingerprint())
	}
	msg := []byte("biên bản")
	if !ed25519.Verify(k1.Public(), msg, k2.Sign(msg)) {
		t.Error("reloaded key signs differently")
	}
	if pub, err := archive.ParsePublicKey(k1.PublicPEM()); err != nil || !pub.Equal(k1.Public()) {
		t.Errorf("ParsePublicKey(PEM) = %v", err)
	}
	os.WriteFile(filepath.Join(t.TempDir(), "x"), nil, 0o600)
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, archive.KeyFile), []byte("garbage"), 0o600)
	if _, _, err := archive.LoadOrCreateKey(bad); err == nil {
		t.Error("LoadOrCreateKey(garbage file) = nil error")
	}
}

func TestLocalStore(t *testing.T) {
	in, key := fixture(t)
	root := t.TempDir()
	st, err := archive.OpenLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if ok, _ := st.Complete(ctx, in.Meeting.ID, 1); ok {
		t.Fatal("Complete before Write = true")
	}
	a, err := st.Write(ctx, in, key)
	if err != nil || a == nil {
		t.Fatalf("Write = %v, %v", a, err)
	}
	if ok, _ := st.Complete(ctx, in.Meeting.ID, 1); !ok {
		t.Fatal("Complete after Write = false")
	}
	// Idempotent: a second Write does nothing.
	if a2, err := st.Write(ctx, in, key); err != nil || a2 != nil {
		t.Fatalf("second Write = %v, %v; want nil, nil", a2, err)
	}
	for _, src := range []archive.Source{st.Source(in.Meeting.ID, 1), archive.DirSource(archive.LocalDir(root, in.Meeting.ID, 1))} {
		if r := verify(t, src, archive.Options{}); !r.OK() {
			t.Errorf("Verify(%s) = %v", src, r.Problems)
		}
	}
	list, err := st.List(ctx)
	if err != nil || len(list) != 1 || list[0].Meeting.Title != in.Meeting.Title || list[0].Revision != 1 {
		t.Errorf("List = %+v, %v", list, err)
	}
	var buf bytes.Buffer
	if err := st.WriteZip(ctx, &buf, in.Meeting.ID, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	zsrc, err := archive.ZipReaderSource(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "zip")
	if err != nil {
		t.Fatal(err)
	}
	if r := verify(t, zsrc, archive.Options{}); !r.OK() {
		t.Errorf("Verify(streamed zip) = %v", r.Problems)
	}

	// Crash after some files: the rest is completed, reusing what is there
	// even if a re-rendering would differ.
	st2, log, err := archivetest.Log(in.Meeting.ID, archivetest.Spec{Delegates: 60, Items: 5, Polls: 3})
	if err != nil {
		t.Fatal(err)
	}
	if in.Events, err = archivetest.Correct(st2, log, "Đính chính lần 1"); err != nil {
		t.Fatal(err)
	}
	in.Revision = 2
	dir := archive.LocalDir(root, in.Meeting.ID, 2)
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, archive.FileMinutesVIP), []byte("%PDF-1.4 earlier rendering"), 0o444)
	if _, err := st.Write(ctx, in, key); err != nil {
		t.Fatalf("Write after a partial write = %v", err)
	}
	r := verify(t, st.Source(in.Meeting.ID, 2), archive.Options{})
	if !r.OK() {
		t.Fatalf("Verify(completed partial) = %v", r.Problems)
	}
	// A stored events.jsonl that differs from the log is refused.
	if in.Events, err = archivetest.Correct(st2, in.Events, "Đính chính lần 2"); err != nil {
		t.Fatal(err)
	}
	in.Revision = 3
	dir = archive.LocalDir(root, in.Meeting.ID, 3)
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, archive.FileEvents), []byte("{}\n"), 0o444)
	if _, err := st.Write(ctx, in, key); err == nil {
		t.Fatal("Write over a different events.jsonl = nil error")
	}
	// Build refuses a log that does not end with the revision's event.
	in.Revision = 2
	if _, err := archive.Build(in, key); err == nil {
		t.Error("Build(revision 2 with a log ending at revision 3) = nil error")
	}
}

func TestParsePolicy(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ret, mode string
		until     time.Time
		wantMode  string
	}{
		{"", "", now.AddDate(0, 0, 3650), "COMPLIANCE"},
		{"10y", "governance", now.AddDate(10, 0, 0), "GOVERNANCE"},
		{"1d", "COMPLIANCE", now.AddDate(0, 0, 1), "COMPLIANCE"},
		{"30", "", now.AddDate(0, 0, 30), "COMPLIANCE"},
		{"36h", "", now.Add(36 * time.Hour), "COMPLIANCE"},
	} {
		p, err := archive.ParsePolicy(c.ret, c.mode)
		if err != nil || !p.Until(now).Equal(c.until) || p.Mode != c.wantMode {
			t.Errorf("ParsePolicy(%q, %q) = %v (until %v), %v; want until %v mode %s", c.ret, c.mode, p, p.Until(now), err, c.until, c.wantMode)
		}
	}
	for _, c := range [][2]string{{"0d", ""}, {"-1d", ""}, {"abc", ""}, {"1d", "LEGAL"}, {"500y", ""}} {
		if _, err := archive.ParsePolicy(c[0], c[1]); err == nil {
			t.Errorf("ParsePolicy(%q, %q) = nil error", c[0], c[1])
		}
	}
}
