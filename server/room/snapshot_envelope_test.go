package room

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestSnapshotEnvelopeSeqHash: a snapshot's envelope carries the state's
// seq and head (as "seq" and "hash") ahead of the state, so a client that
// keeps no replica reads them from the first bytes of the message.
func TestSnapshotEnvelopeSeqHash(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet())
	submit(t, r, &meeting.AddItem{Title: "Khai mạc"})
	s := &sub{v: meeting.Viewer{Participant: "p2", Role: meeting.RoleDelegate}}
	subscribe(t, r, s, 0, "")
	var snap []byte
	for _, b := range s.msgs {
		if bytes.HasPrefix(b, []byte(`{"type":"snapshot"`)) {
			snap = b
		}
	}
	if snap == nil {
		t.Fatalf("no snapshot among %q", s.types())
	}
	var m struct {
		Seq   int64
		Hash  string
		State struct {
			Seq  int64
			Head string
		}
	}
	if err := json.Unmarshal(snap, &m); err != nil {
		t.Fatal(err)
	}
	st := r.State()
	if m.Seq != st.Seq || m.Hash != st.Head || m.State.Seq != st.Seq || m.State.Head != st.Head || st.Head == "" {
		t.Errorf("snapshot seq %d, hash %q, state at %d/%q; want %d/%q in both", m.Seq, m.Hash, m.State.Seq, m.State.Head, st.Seq, st.Head)
	}
	if i, j := bytes.Index(snap, []byte(`"hash":`)), bytes.Index(snap, []byte(`"state":`)); i < 0 || i > j {
		t.Errorf("the envelope's hash is not ahead of the state: %.200s", snap)
	}
}
