package client

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// snapshotOf returns the snapshot message of a meeting of n delegates as a
// server writes it (with seq and hash in the envelope unless old), and the
// state alone.
func snapshotOf(n int, old bool) (msg, state []byte) {
	st := &meeting.State{ID: "m1", Seq: int64(n + 5), Head: "h" + fmt.Sprint(n)}
	for i := range n {
		st.Participants = append(st.Participants, meeting.Participant{ID: fmt.Sprintf("p%d", i+2), Name: fmt.Sprintf("Đại biểu %05d", i+1),
			Position: "Tỉnh ủy viên", Unit: "Đảng bộ huyện Thử Nghiệm", Role: meeting.RoleDelegate})
	}
	state, _ = json.Marshal(st)
	if old {
		return []byte(`{"type":"snapshot","epoch":"e1","state":` + string(state) + `}`), state
	}
	return fmt.Appendf(nil, `{"type":"snapshot","epoch":"e1","seq":%d,"hash":%q,"state":%s}`, st.Seq, st.Head, state), state
}

// bytesAllocated returns the bytes fn allocates, the mean of runs calls.
func bytesAllocated(runs int, fn func()) uint64 {
	fn()
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	for range runs {
		fn()
	}
	runtime.ReadMemStats(&b)
	return (b.TotalAlloc - a.TotalAlloc) / uint64(runs)
}

// newTestLive is a Live that is not connected, for feeding handle.
func newTestLive(cfg liveConfig) *Live {
	return &Live{meeting: "m1", cfg: cfg, log: slog.New(slog.DiscardHandler), state: &meeting.State{}, pending: map[string]chan commandOutcome{}}
}

// TestSnapshotWithoutReplicaNotDecoded: a Live without a replica takes a
// 10,000-delegate snapshot (about 1.4 MB) from its header: it allocates
// next to nothing, neither a copy of the state nor a decoding of it (the
// SDK used to copy the state and scan it twice more). Servers before seq
// and head were in the envelope get the same from the state's first members.
func TestSnapshotWithoutReplicaNotDecoded(t *testing.T) {
	for _, old := range []bool{false, true} {
		msg, _ := snapshotOf(10000, old)
		l := newTestLive(liveConfig{noReplica: true})
		alloc := bytesAllocated(5, func() {
			if err := l.handle(&session{}, msg, time.Now()); err != nil {
				t.Fatal(err)
			}
		})
		if st := l.State(); st.ID != "m1" || st.Seq != 10005 || st.Head != "h10000" || l.Epoch() != "e1" {
			t.Errorf("old %v: replica %s/%d/%s, epoch %s; want m1/10005/h10000, e1", old, st.ID, st.Seq, st.Head, l.Epoch())
		}
		if alloc > 4<<10 {
			t.Errorf("old %v: handling a %d-byte snapshot without a replica allocated %d bytes; want < 4 KiB", old, len(msg), alloc)
		}
	}
}

// TestSnapshotDecodedOnce: a Live with a replica decodes a snapshot once,
// straight into its State: it allocates about what decoding the state alone
// does (the SDK used to copy the state into a json.RawMessage and decode it
// again: a whole extra copy).
func TestSnapshotDecodedOnce(t *testing.T) {
	msg, state := snapshotOf(10000, false)
	base := bytesAllocated(3, func() {
		var st meeting.State
		if err := json.Unmarshal(state, &st); err != nil {
			t.Fatal(err)
		}
	})
	l := newTestLive(liveConfig{})
	alloc := bytesAllocated(3, func() {
		if err := l.handle(&session{}, msg, time.Now()); err != nil {
			t.Fatal(err)
		}
	})
	if st := l.State(); len(st.Participants) != 10000 || st.Seq != 10005 {
		t.Fatalf("replica has %d participants at seq %d; want 10000 at 10005", len(st.Participants), st.Seq)
	}
	if limit := base + uint64(len(state))/4; alloc > limit {
		t.Errorf("handling a %d-byte snapshot allocated %d bytes; decoding the state alone %d; want at most %d", len(msg), alloc, base, limit)
	}
}

// BenchmarkSnapshot measures handling one snapshot of a 10,000-delegate
// meeting (about 1.4 MB): without a replica and with one.
func BenchmarkSnapshot(b *testing.B) {
	msg, _ := snapshotOf(10000, false)
	for _, bc := range []struct {
		name string
		cfg  liveConfig
	}{{"without-replica", liveConfig{noReplica: true}}, {"replica", liveConfig{}}} {
		b.Run(bc.name, func(b *testing.B) {
			l := newTestLive(bc.cfg)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if err := l.handle(&session{}, msg, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
