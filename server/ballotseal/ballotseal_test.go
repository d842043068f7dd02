package ballotseal

import (
	"bytes"
	"context"
	"testing"

	docstorage "github.com/phonghop/phonghop/docs-storage"
)

// TestSealedLengthsAreEqual: whatever a ballot says, its sealed form has the
// poll's one length (the length of a ciphertext must not tell "đồng ý"
// from "không đồng ý", nor how many names an election ballot keeps).
func TestSealedLengthsAreEqual(t *testing.T) {
	var k Key
	k[0] = 7
	names := []string{"c1abcdefgh", "c2abcdefgh", "c3abcdefgh", "c4abcdefgh"}
	pad := PadSize(names)
	ballots := [][]byte{
		[]byte(`{"choice":"agree"}`), []byte(`{"choice":"disagree"}`), []byte(`{"choice":"abstain"}`), []byte(`{"spoiled":true}`),
		[]byte(`{"kept":[]}`), []byte(`{"kept":["c1abcdefgh","c2abcdefgh","c3abcdefgh","c4abcdefgh"]}`),
		[]byte(`{"marks":{"c1abcdefgh":"disapprove","c2abcdefgh":"disapprove","c3abcdefgh":"disapprove","c4abcdefgh":"disapprove"}}`),
	}
	want := -1
	for _, b := range ballots {
		s := k.Seal("m1", "p1", b, pad)
		if want < 0 {
			want = len(s)
		}
		if len(s) != want {
			t.Errorf("sealed %s is %d bytes; want %d like the others", b, len(s), want)
		}
		got, err := k.Open("m1", "p1", s)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("Open(Seal(%s)) = %q, %v", b, got, err)
		}
		if _, err := k.Open("m1", "p2", s); err == nil {
			t.Error("a ballot sealed for one poll opens for another")
		}
	}
}

// TestOpenVersion1: ballots sealed before padding existed still open.
func TestOpenVersion1(t *testing.T) {
	var k Key
	g := k.aead()
	plain := []byte(`{"choice":"agree"}`)
	out := make([]byte, 1+g.NonceSize())
	out[0] = version1
	sealed := g.Seal(out, out[1:], plain, aad("m", "p"))
	got, err := k.Open("m", "p", sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Errorf("Open(version 1) = %q, %v; want %q", got, err, plain)
	}
	// Tampered length prefixes are refused, not trusted.
	bad := k.Seal("m", "p", plain, 64)
	bad[len(bad)-1] ^= 1
	if _, err := k.Open("m", "p", bad); err == nil {
		t.Error("a tampered sealed ballot opened")
	}
}

// TestVaultOneKeyPerPoll: concurrent Key calls get one key; Destroy removes
// it; List names the polls that have one.
func TestVaultOneKeyPerPoll(t *testing.T) {
	fs, err := docstorage.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	v := NewVault(fs)
	ctx := context.Background()
	keys := make(chan *Key, 8)
	for range 8 {
		go func() {
			k, err := v.Key(ctx, "m1", "p1")
			if err != nil {
				t.Error(err)
			}
			keys <- k
		}()
	}
	first := <-keys
	for range 7 {
		if k := <-keys; k == nil || first == nil || *k != *first {
			t.Fatal("concurrent Key calls returned different keys")
		}
	}
	if refs, err := v.List(ctx); err != nil || len(refs) != 1 || refs[0].Meeting != "m1" || refs[0].Poll != "p1" {
		t.Errorf("List = %v, %v; want m1/p1", refs, err)
	}
	if err := v.Destroy(ctx, "m1", "p1"); err != nil {
		t.Fatal(err)
	}
	if k, err := v.Lookup(ctx, "m1", "p1"); k != nil || err != nil {
		t.Errorf("Lookup after Destroy = %v, %v; want nil, nil", k, err)
	}
	if _, err := v.Key(ctx, "m1", "a/b"); err == nil {
		t.Error("a poll ID with a slash was accepted")
	}
}
