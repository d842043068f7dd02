package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/client"
	"github.com/phonghop/phonghop/server/meeting"
)

// hashA and hashB stand for event hashes.
var (
	hashA = strings.Repeat("a1", 32)
	hashB = strings.Repeat("b2", 32)
)

func TestDecodeHeader(t *testing.T) {
	at := time.Date(2026, 12, 7, 8, 30, 0, 123456789, time.UTC)
	for _, tc := range []struct {
		name, msg string
		want      client.Header
	}{
		{"welcome", `{"type":"welcome","meeting":"m1","epoch":"e1","viewer":{"participant":"p2","role":"delegate"},"head":41,"server_time":"2026-12-07T08:30:00Z"}`,
			client.Header{Type: "welcome", Meeting: "m1", Epoch: "e1", Seq: 41}},
		{"snapshot", `{"type":"snapshot","epoch":"e1","seq":41,"hash":"` + hashA + `","state":{"id":"m1","seq":41,"head":"` + hashA + `","agenda":[]}}`,
			client.Header{Type: "snapshot", Epoch: "e1", Seq: 41, Hash: hashA}},
		{"snapshot of an older server", `{"type":"snapshot","epoch":"e1","state":{"id":"m1","seq":41,"head":"` + hashA + `","agenda":[{"id":"a1"}]}}`,
			client.Header{Type: "snapshot", Epoch: "e1", Seq: 41, Hash: hashA, Meeting: "m1"}},
		{"snapshot, members in another order", `{"state":{"agenda":[{"title":"}\"{"}],"head":"` + hashA + `","id":"m1","seq":41},"epoch":"e1","type":"snapshot"}`,
			client.Header{Type: "snapshot", Epoch: "e1", Seq: 41, Hash: hashA, Meeting: "m1"}},
		{"event", `{"type":"event","event":{"meeting":"m1","seq":42,"at":"2026-12-07T08:30:00.123456789Z","actor":"account:thuky","type":"agenda.item_renamed","data":{"id":"a2","title":"Báo cáo \"chính trị\" {dự thảo} \\"},"prev":"` + hashA + `","hash":"` + hashB + `"}}`,
			client.Header{Type: "event", Meeting: "m1", Seq: 42, At: at, EventType: "agenda.item_renamed", Prev: hashA, Hash: hashB}},
		{"event with nested arrays", `{"type":"event","event":{"meeting":"m1","seq":7,"at":"2026-12-07T08:30:00.123456789Z","type":"x","data":{"a":[[1,2],[{"b":"]"}]],"n":null,"t":true},"audience":{"roles":["secretary"]},"prev":"` + hashA + `","hash":"` + hashB + `"}}`,
			client.Header{Type: "event", Meeting: "m1", Seq: 7, At: at, EventType: "x", Prev: hashA, Hash: hashB}},
		{"hidden placeholder", `{"type":"event","event":{"meeting":"m1","seq":43,"at":"0001-01-01T00:00:00Z","actor":"","type":"hidden","prev":"` + hashB + `","hash":"` + hashA + `"}}`,
			client.Header{Type: "event", Meeting: "m1", Seq: 43, EventType: "hidden", Prev: hashB, Hash: hashA}},
		{"synced", `{"type":"synced","seq":43}`, client.Header{Type: "synced", Seq: 43}},
		{"result", `{"type":"result","id":"c7","ok":true,"seq":44,"status":"recorded"}`,
			client.Header{Type: "result", ID: "c7", OK: true, Seq: 44, Status: "recorded"}},
		{"refused result", `{"type":"result","id":"c8","ok":false,"error":{"kind":"conflict","message":"Đã đóng.","message_en":"closed","problems":[{"field":"x"}]}}`,
			client.Header{Type: "result", ID: "c8"}},
		{"pong with spaces", " { \"type\" : \"pong\" , \"id\" : \"p\\u0031\" } ", client.Header{Type: "pong", ID: "p1"}},
		{"escaped type", `{"type":"ev\u0065nt","event":{"seq":1,"prev":"","hash":"h"}}`, client.Header{Type: "event", Seq: 1, Hash: "h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := client.DecodeHeader([]byte(tc.msg))
			if err != nil {
				t.Fatalf("DecodeHeader(%s) error %v", tc.msg, err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("DecodeHeader(%s) (-want +got):\n%s", tc.msg, d)
			}
		})
	}
}

func TestDecodeHeaderErrors(t *testing.T) {
	for _, msg := range []string{``, `[]`, `"type"`, `{}`, `{"type":7}`, `{"kind":"event"}`, `{"type"`, `{"type":"ev`, `{"seq":1,"type":}`} {
		if h, err := client.DecodeHeader([]byte(msg)); err == nil {
			t.Errorf("DecodeHeader(%q) = %+v, nil; want an error", msg, h)
		}
	}
}

// TestDecodeHeaderCut: given only the start of a message (as ReadFrame
// passes a long one), DecodeHeader returns what that start holds and
// leaves the cut-off fields zero rather than guessing.
func TestDecodeHeaderCut(t *testing.T) {
	msg := `{"type":"event","event":{"meeting":"m1","seq":420,"at":"2026-12-07T08:30:00Z","type":"x","data":{"t":"` + strings.Repeat("x", 100) + `"},"prev":"` + hashA + `","hash":"` + hashB + `"}}`
	for n := 1; n < len(msg); n++ {
		h, err := client.DecodeHeader([]byte(msg[:n]))
		typed := n >= len(`{"type":"event"`)
		if (err == nil) != typed {
			t.Fatalf("DecodeHeader(first %d bytes) error %v", n, err)
		}
		if h.Seq != 0 && h.Seq != 420 || h.Seq == 420 && n <= strings.Index(msg, "420")+3 {
			t.Fatalf("DecodeHeader(first %d bytes).Seq = %d: a cut number was read", n, h.Seq)
		}
		if h.Hash != "" && h.Hash != hashB || h.Prev != "" && h.Prev != hashA {
			t.Fatalf("DecodeHeader(first %d bytes) = prev %q, hash %q: a cut string was read", n, h.Prev, h.Hash)
		}
	}
}

// TestDecodeHeaderSkipsState: when the envelope of a snapshot carries
// seq and head, DecodeHeader does not read one byte of the state: a state
// that is not even JSON gives the same header. This is what makes a
// snapshot cost nothing to a client that keeps no replica.
func TestDecodeHeaderSkipsState(t *testing.T) {
	head := `{"type":"snapshot","epoch":"e1","seq":9,"hash":"` + hashA + `","state":`
	want, err := client.DecodeHeader([]byte(head + `{"id":"m1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.DecodeHeader([]byte(head + `{"participants":[{"name":"` + strings.Repeat("\x00{[", 1000)))
	if err != nil || got != want {
		t.Errorf("DecodeHeader with a broken state = %+v, %v; want %+v", got, err, want)
	}
}

// FuzzDecodeHeader checks DecodeHeader against encoding/json on every valid
// message: the same type, seq, hash and prev.
func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{
		`{"type":"event","event":{"meeting":"m1","seq":42,"type":"x","data":{"a":"}"},"prev":"p","hash":"h"}}`,
		`{"type":"snapshot","epoch":"e","seq":3,"hash":"h","state":{"id":"m","seq":3,"head":"h"}}`,
		`{"type":"snapshot","epoch":"e","state":{"id":"m","seq":3,"head":"h"}}`,
		`{"type":"result","id":"c1","ok":true,"seq":5}`,
		`{"type":"welcome","head":4}`,
		`{"type":"a\"b","seq":-1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var ref struct {
			Type  *string
			Seq   *int64
			Head  any
			Hash  any
			Epoch *string
			Event *struct {
				Seq  *int64
				Prev *string
				Hash *string
			}
			State any
		}
		if !json.Valid(msg) || json.Unmarshal(msg, &ref) != nil || ref.Type == nil || hasDuplicateOrFoldedKeys(msg) {
			return
		}
		h, err := client.DecodeHeader(msg)
		if err != nil {
			t.Fatalf("DecodeHeader(%s) error %v; encoding/json reads type %q", msg, err, *ref.Type)
		}
		if h.Type != *ref.Type {
			t.Errorf("DecodeHeader(%s).Type = %q; encoding/json %q", msg, h.Type, *ref.Type)
		}
		topSeq := ref.Seq != nil || ref.Head != nil || ref.Hash != nil || ref.State != nil
		if ev := ref.Event; ev != nil && !topSeq {
			if ev.Seq != nil && h.Seq != *ev.Seq || ev.Hash != nil && h.Hash != *ev.Hash || ev.Prev != nil && h.Prev != *ev.Prev {
				t.Errorf("DecodeHeader(%s) = seq %d, hash %q, prev %q; encoding/json reads the event's %v, %v, %v", msg, h.Seq, h.Hash, h.Prev, deref(ev.Seq), deref(ev.Hash), deref(ev.Prev))
			}
		}
		if ref.Seq != nil && ref.Event == nil && ref.Head == nil && ref.State == nil && h.Seq != *ref.Seq {
			t.Errorf("DecodeHeader(%s).Seq = %d; encoding/json seq %d", msg, h.Seq, *ref.Seq)
		}
	})
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// hasDuplicateOrFoldedKeys reports whether msg has keys that encoding/json
// matches case-insensitively or repeats (where the two decoders may
// legitimately differ).
func hasDuplicateOrFoldedKeys(msg []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(msg))
	type frame struct {
		obj  bool
		key  bool
		seen map[string]bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.obj {
					top.key = true
				}
				stack = append(stack, &frame{obj: v == '{', key: true, seen: map[string]bool{}})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.obj && top.key {
				k := strings.ToLower(v)
				if top.seen[k] || k != v && (k == "type" || k == "seq" || k == "head" || k == "event" || k == "hash" || k == "prev" || k == "state" || k == "epoch") {
					return true
				}
				top.seen[k] = true
				top.key = false
				continue
			}
		}
		if top != nil && top.obj {
			top.key = true
		}
	}
}

// frame joins messages as the server's writer does.
func frame(msgs ...string) []byte { return []byte(strings.Join(msgs, "\n")) }

type got struct {
	msg  string
	size int
}

func readAll(t *testing.T, r io.Reader, keep int) []got {
	t.Helper()
	var out []got
	if err := client.ReadFrame(r, keep, func(msg []byte, size int) error {
		out = append(out, got{string(msg), size})
		return nil
	}); err != nil {
		t.Fatalf("ReadFrame: %v", err)
	}
	return out
}

func TestReadFrame(t *testing.T) {
	long := `{"type":"snapshot","epoch":"e","seq":1,"hash":"h","state":{"x":"` + strings.Repeat("é", 40000) + `"}}`
	b := frame(`{"type":"welcome"}`, "", long, `{"type":"synced","seq":1}`, "  ", `{"type":"event"}`)
	want := []got{{`{"type":"welcome"}`, 18}, {long[:100], len(long)}, {`{"type":"synced","seq":1}`, 25}, {`{"type":"event"}`, 16}}
	for name, r := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(b) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"halves":   func() io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
	} {
		if d := cmp.Diff(want, readAll(t, r(), 100), cmp.AllowUnexported(got{})); d != "" {
			t.Errorf("%s: ReadFrame (-want +got):\n%s", name, d)
		}
	}
	// A keep larger than every message passes each whole, a trailing
	// newline included.
	if out := readAll(t, iotest.OneByteReader(bytes.NewReader(append(frame(long, `{"type":"pong"}`), '\n'))), 1<<20); len(out) != 2 || out[0].msg != long || out[1].msg != `{"type":"pong"}` {
		t.Errorf("ReadFrame with a large keep = %d messages, first of %d bytes; want 2, the first %d", len(out), len(out[0].msg), len(long))
	}
}

func TestReadFrameErrors(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := client.ReadFrame(bytes.NewReader(frame(`{"a":1}`, `{"b":2}`, `{"c":3}`)), 10, func([]byte, int) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("ReadFrame with fn failing at 2 = %v after %d calls; want stop after 2", err, n)
	}
	broken := errors.New("connection reset")
	err = client.ReadFrame(io.MultiReader(strings.NewReader(`{"a":1}`+"\n"+`{"b"`), iotest.ErrReader(broken)), 10, func([]byte, int) error { return nil })
	if !errors.Is(err, broken) {
		t.Errorf("ReadFrame on a failing reader = %v; want %v", err, broken)
	}
}

// bigSnapshot returns a snapshot message of a meeting of n delegates, as
// the server writes it (seq and hash in the envelope unless old).
func bigSnapshot(n int, old bool) []byte {
	st := &meeting.State{ID: "m1", Seq: int64(n + 5), Head: hashA}
	for i := range n {
		st.Participants = append(st.Participants, meeting.Participant{ID: fmt.Sprintf("p%d", i+2), Name: fmt.Sprintf("Đại biểu %05d", i+1),
			Position: "Tỉnh ủy viên", Unit: "Đảng bộ huyện Thử Nghiệm", Role: meeting.RoleDelegate})
	}
	state, _ := json.Marshal(st)
	if old {
		return []byte(`{"type":"snapshot","epoch":"e1","state":` + string(state) + `}`)
	}
	return []byte(fmt.Sprintf(`{"type":"snapshot","epoch":"e1","seq":%d,"hash":%q,"state":%s}`, st.Seq, st.Head, state))
}

// allocated returns the bytes fn allocates, the mean of runs calls.
func allocated(runs int, fn func()) uint64 {
	fn() // warm up pools
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	for range runs {
		fn()
	}
	runtime.ReadMemStats(&b)
	return (b.TotalAlloc - a.TotalAlloc) / uint64(runs)
}

// TestReadFrameBoundedMemory: reading a frame that holds a 10,000-delegate
// snapshot (about 1.4 MB) with a small keep allocates next to nothing,
// whatever the frame's size.
func TestReadFrameBoundedMemory(t *testing.T) {
	b := frame(`{"type":"welcome","meeting":"m1","epoch":"e1","head":10005}`, string(bigSnapshot(10000, false)), `{"type":"synced","seq":10005}`)
	var seqs []int64
	alloc := allocated(5, func() {
		seqs = seqs[:0]
		_ = client.ReadFrame(bytes.NewReader(b), 2048, func(msg []byte, size int) error {
			h, _ := client.DecodeHeader(msg)
			seqs = append(seqs, h.Seq)
			return nil
		})
	})
	if !slicesEqual(seqs, []int64{10005, 10005, 10005}) {
		t.Errorf("seqs = %v; want 10005 three times", seqs)
	}
	if alloc > 16<<10 {
		t.Errorf("ReadFrame + DecodeHeader of a %d-byte frame allocated %d bytes; want < 16 KiB", len(b), alloc)
	}
}

func slicesEqual(a, b []int64) bool { return cmp.Equal(a, b) }

// TestLeanLive follows a meeting with a Lean Live beside a full replica:
// same seq and head, OnEvent with each event's header fields, commands
// work, placeholders and gaps are handled, a broken chain is caught.
func TestLeanLive(t *testing.T) {
	for _, old := range []bool{false, true} {
		t.Run(fmt.Sprintf("older server %v", old), func(t *testing.T) {
			f := newFake(t, true)
			f.set(func(f *fake) { f.oldSnapshot = old })
			ctx := testCtx(t)
			f.mustDo(secretary, "agenda.add", map[string]any{"title": "Khai mạc"})
			ct, _ := tablet(t, f, "Đại biểu Lê Thị Thử")
			var mu sync.Mutex
			var seen []meeting.Event
			lean := connect(t, ct, client.Lean(), client.OnEvent(func(e meeting.Event, _ time.Time, _ bool) {
				mu.Lock()
				seen = append(seen, e)
				mu.Unlock()
			}))
			sec := connect(t, secretaryClient(t, f))
			if st := lean.State(); st.ID != fakeMeeting || st.Seq != f.seq() || st.Head != sec.State().Head || len(st.Participants) != 0 {
				t.Fatalf("lean state after the snapshot = %+v; want id %s, seq %d, head %s and nothing else", st, fakeMeeting, f.seq(), sec.State().Head)
			}
			if s := lean.Stats(); s.Snapshots != 1 {
				t.Errorf("snapshots = %d; want 1", s.Snapshots)
			}
			// Events to everyone, and a private notice: a placeholder for the tablet.
			seq, err := sec.Send(ctx, "agenda.add", map[string]any{"title": "Báo cáo \"chính trị\"\n{dự thảo}"})
			if err != nil {
				t.Fatal(err)
			}
			other := "p" + formatInt(f.mustDo(secretary, "participant.add", map[string]any{"name": "Đại biểu Trần Văn Mẫu", "role": "delegate"}))
			if seq, err = sec.Send(ctx, "notice.send", map[string]any{"text": "Riêng một đại biểu", "to": other}); err != nil {
				t.Fatal(err)
			}
			waitSeq(t, lean, seq)
			if lean.State().Head != sec.State().Head {
				t.Errorf("lean head %s; want %s", lean.State().Head, sec.State().Head)
			}
			mu.Lock()
			first := seen[0]
			last := seen[len(seen)-1]
			mu.Unlock()
			if first.Type != "agenda.item_added" || first.Meeting != fakeMeeting || first.At.IsZero() || first.Hash == "" || first.Prev == "" || first.Data != nil {
				t.Errorf("OnEvent got %+v; want the item_added header without data", first)
			}
			if last.Type != meeting.EventHidden || last.Seq != seq || !last.At.IsZero() {
				t.Errorf("OnEvent got %+v for another's notice; want a placeholder at seq %d", last, seq)
			}
			// A command from the lean tablet.
			if seq, err = lean.Send(ctx, "support.request", map[string]string{"message": "Micro không hoạt động"}); err != nil {
				t.Fatalf("lean Send: %v", err)
			}
			waitSeq(t, sec, seq)
			// A gap: the tablet resyncs by replay.
			f.set(func(f *fake) { f.skip = 1 })
			f.mustDo(secretary, "agenda.add", map[string]any{"title": "Thảo luận"})
			seq = f.mustDo(secretary, "agenda.add", map[string]any{"title": "Bế mạc"})
			waitSeq(t, lean, seq)
			// A broken chain: caught from the prev read by the lean decoder.
			before := lean.Stats().Resyncs
			f.set(func(f *fake) { f.corrupt = true })
			f.mustDo(secretary, "agenda.add", map[string]any{"title": "Bế mạc 2"})
			waitFor(t, "a resync after a broken chain", func() bool { return lean.Stats().Resyncs > before })
			seq = f.mustDo(secretary, "agenda.add", map[string]any{"title": "Bế mạc 3"})
			waitSeq(t, lean, seq)
			if lean.State().Head != f.view(lean.Viewer()).Head {
				t.Errorf("lean head after the resync %s; want %s", lean.State().Head, f.view(lean.Viewer()).Head)
			}
		})
	}
}
