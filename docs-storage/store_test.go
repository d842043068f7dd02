package docstorage_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	docstorage "github.com/phonghop/phonghop/docs-storage"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("ệ", 100) // 3 bytes each
	for _, tc := range []struct{ in, want string }{
		{"Báo cáo tổng kết năm 2025.pdf", "Báo cáo tổng kết năm 2025.pdf"},
		{"/tmp/x/Biên bản.pdf", "Biên bản.pdf"},
		{`C:\Users\An\Tờ trình.docx`, "Tờ trình.docx"},
		{"  a\tb\x7f.txt  ", "ab.txt"},
		{"a\u00a0b.txt", "a b.txt"}, // no-break space becomes a space
		{"x\u202ecod.exe", "xcod.exe"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{"", docstorage.DefaultName},
		{"   ", docstorage.DefaultName},
		{"..", docstorage.DefaultName},
		{"a/", docstorage.DefaultName},
		{"\x00\x01", docstorage.DefaultName},
		{".bashrc", ".bashrc"},
		{"Nghị quyết số 12/2025", "2025"},
	} {
		if got := docstorage.SanitizeName(tc.in); got != tc.want {
			t.Errorf("SanitizeName(%+q) = %+q; want %+q", tc.in, got, tc.want)
		}
	}

	// Capped at MaxNameLen bytes on a rune boundary, keeping the extension.
	got := docstorage.SanitizeName(long + ".pdf")
	if len(got) > docstorage.MaxNameLen || !utf8.ValidString(got) || !strings.HasSuffix(got, "ệ.pdf") {
		t.Errorf("SanitizeName(300-byte name) = %q (%d bytes); want ≤ %d valid bytes ending in \"ệ.pdf\"",
			got, len(got), docstorage.MaxNameLen)
	}
	if want := strings.Repeat("ệ", (docstorage.MaxNameLen-4)/3) + ".pdf"; got != want {
		t.Errorf("SanitizeName(300-byte name) = %d bytes; want %d bytes", len(got), len(want))
	}
	got = docstorage.SanitizeName(long)
	if len(got) > docstorage.MaxNameLen || !utf8.ValidString(got) || got != strings.Repeat("ệ", docstorage.MaxNameLen/3) {
		t.Errorf("SanitizeName(300 bytes, no extension) = %d bytes; want %d", len(got), docstorage.MaxNameLen/3*3)
	}
}

func TestValidKey(t *testing.T) {
	for _, key := range []string{"a", "a/b", "A-Z_0.9/x..y/.hidden", "sha256/ab/cd/ef", "..a", "a.."} {
		if err := docstorage.ValidKey(key); err != nil {
			t.Errorf("ValidKey(%q) = %v; want nil", key, err)
		}
	}
	for _, key := range []string{"", "a//b", "/a", "a/", ".", "..", "a/./b", "a/../b", "a%2Fb", `a\b`, "a b", "é"} {
		err := docstorage.ValidKey(key)
		if got := docstorage.KindOf(err); got != docstorage.Invalid {
			t.Errorf("ValidKey(%q) = %v (kind %q); want kind %q", key, err, got, docstorage.Invalid)
		}
	}
}

func TestContentKey(t *testing.T) {
	sum := sha256.Sum256([]byte("abc"))
	const want = "sha256/ba/78/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := docstorage.ContentKey(sum[:]); got != want {
		t.Errorf("ContentKey(sha256(abc)) = %q; want %q", got, want)
	}
	if err := docstorage.ValidKey(want); err != nil {
		t.Errorf("ValidKey(ContentKey) = %v; want nil", err)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("ContentKey(3 bytes) did not panic; want a panic")
		}
	}()
	docstorage.ContentKey([]byte{1, 2, 3})
}

func TestKindOf(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	e := &docstorage.Error{Kind: docstorage.NotFound, Message: "key x", Err: cause}
	for _, tc := range []struct {
		err  error
		want docstorage.Kind
	}{
		{nil, ""},
		{errors.New("plain"), docstorage.Internal},
		{e, docstorage.NotFound},
		{fmt.Errorf("wrapped: %w", e), docstorage.NotFound},
		{&docstorage.Error{Kind: docstorage.Invalid}, docstorage.Invalid},
	} {
		if got := docstorage.KindOf(tc.err); got != tc.want {
			t.Errorf("KindOf(%v) = %q; want %q", tc.err, got, tc.want)
		}
	}
	if !errors.Is(e, cause) {
		t.Errorf("errors.Is(Error{Err: %v}, %v) = false; want true", cause, cause)
	}
	if got, want := e.Error(), "docstorage: not_found: key x: unexpected EOF"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}
