package ballotseal_test

import (
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
)

// TestPaddedBallotsSealToOneLength: ballots of different lengths padded to
// one size seal to ciphertexts of one length, and open to ballots equal to
// the ones sealed.
func TestPaddedBallotsSealToOneLength(t *testing.T) {
	var k ballotseal.Key
	rand.Read(k[:])
	lengths := map[int]bool{}
	for _, b := range []meeting.Ballot{{Choice: meeting.ChoiceAgree}, {Choice: meeting.ChoiceDisagree}, {Spoiled: true}, {Kept: []string{"c1", "c2", "c3"}}} {
		plain, _ := json.Marshal(b)
		sealed := k.Seal("m1", "v2", ballotseal.Pad(plain, 64))
		lengths[len(sealed)] = true
		opened, err := k.Open("m1", "v2", sealed)
		if err != nil {
			t.Fatal(err)
		}
		var got meeting.Ballot
		if err := json.Unmarshal(opened, &got); err != nil {
			t.Fatalf("a padded ballot does not decode: %v", err)
		}
		again, _ := json.Marshal(got)
		if string(again) != string(plain) {
			t.Errorf("opened %s; want %s", again, plain)
		}
		if _, err := k.Open("m1", "v3", sealed); err == nil {
			t.Error("a ballot sealed for poll v2 opens for v3")
		}
	}
	if len(lengths) != 1 {
		t.Errorf("sealed lengths %v; want one", lengths)
	}
}

func TestPad(t *testing.T) {
	for _, c := range []struct {
		in         string
		size, want int
	}{
		{`{"choice":"agree"}`, 64, 64},
		{"", 64, 64},
		{string(make([]byte, 65)), 64, 128},
		{`{}`, 0, 2},
	} {
		if got := len(ballotseal.Pad([]byte(c.in), c.size)); got != c.want {
			t.Errorf("len(Pad(%d bytes, %d)) = %d; want %d", len(c.in), c.size, got, c.want)
		}
	}
}
