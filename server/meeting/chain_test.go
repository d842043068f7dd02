package meeting

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on machines without a zoneinfo database
)

// copyEvent returns a copy of e that shares no memory with it.
func copyEvent(e Event) Event {
	e.Data = slices.Clone(e.Data)
	e.Audience.Roles = slices.Clone(e.Audience.Roles)
	e.Audience.Participants = slices.Clone(e.Audience.Participants)
	return e
}

func copyLog(log []Event) []Event {
	c := make([]Event, len(log))
	for i, e := range log {
		c[i] = copyEvent(e)
	}
	return c
}

func TestVerifyChainAcceptsSealedLog(t *testing.T) {
	_, log := givenLog(t, realistic()...)
	if i, err := VerifyChain(0, "", log); i != -1 || err != nil {
		t.Fatalf("VerifyChain(0, \"\", log) = %d, %v; want -1, nil", i, err)
	}
	// Any suffix verifies as the successor of the event before it.
	for k := 1; k < len(log); k++ {
		if i, err := VerifyChain(log[k-1].Seq, log[k-1].Hash, log[k:]); i != -1 || err != nil {
			t.Errorf("VerifyChain(%d, hash %d, log[%d:]) = %d, %v; want -1, nil", log[k-1].Seq, k-1, k, i, err)
		}
	}
	if i, err := VerifyChain(0, "", nil); i != -1 || err != nil {
		t.Errorf("VerifyChain(0, \"\", nil) = %d, %v; want -1, nil", i, err)
	}
	// A suffix does not verify from the start.
	if i, err := VerifyChain(0, "", log[1:]); i != 0 || KindOf(err) != KindInternal {
		t.Errorf("VerifyChain(0, \"\", log[1:]) = %d, %v; want 0, internal error", i, err)
	}
	// Nor with the wrong predecessor hash.
	if i, err := VerifyChain(log[2].Seq, log[1].Hash, log[3:]); i != 0 || KindOf(err) != KindInternal {
		t.Errorf("VerifyChain(seq 3, hash of 2, log[3:]) = %d, %v; want 0, internal error", i, err)
	}
}

func TestVerifyChainDetectsEveryChange(t *testing.T) {
	_, log := givenLog(t, realistic()...)
	// Make sure the log has events with and without payload and audience.
	var withAudience, withoutData int
	for _, e := range log {
		if !e.Audience.Everyone() {
			withAudience++
		}
		if len(e.Data) == 0 {
			withoutData++
		}
	}
	if withAudience == 0 || withoutData == 0 {
		t.Fatalf("log has %d events with an audience and %d without data; want some of each", withAudience, withoutData)
	}

	type change struct {
		name string
		f    func(e *Event)
		next bool // detected at the next event (the changed one is consistent in itself)
	}
	changes := []change{
		{"seq+1", func(e *Event) { e.Seq++ }, false},
		{"seq-1", func(e *Event) { e.Seq-- }, false},
		{"meeting", func(e *Event) { e.Meeting += "x" }, false},
		{"at+1ns", func(e *Event) { e.At = e.At.Add(time.Nanosecond) }, false},
		{"at-1s", func(e *Event) { e.At = e.At.Add(-time.Second) }, false},
		{"actor", func(e *Event) { e.Actor = "account:mallory" }, false},
		{"actor empty", func(e *Event) { e.Actor = "" }, false},
		{"type", func(e *Event) {
			if e.Type == EventMeetingClosed {
				e.Type = EventMeetingOpened
			} else {
				e.Type = EventMeetingClosed
			}
		}, false},
		{"type hidden", func(e *Event) { e.Type = EventHidden }, false},
		{"data appended", func(e *Event) { e.Data = append(e.Data, ' ') }, false},
		{"data removed", func(e *Event) {
			if len(e.Data) == 0 {
				e.Data = json.RawMessage(`{}`)
			} else {
				e.Data = nil
			}
		}, false},
		{"audience role added", func(e *Event) { e.Audience.Roles = append(e.Audience.Roles, RoleObserver) }, false},
		{"audience participant added", func(e *Event) { e.Audience.Participants = append(e.Audience.Participants, "p7") }, false},
		{"audience widened to everyone", func(e *Event) {
			if e.Audience.Everyone() {
				e.Audience = Audience{Roles: []Role{RoleSecretary}}
			} else {
				e.Audience = Audience{}
			}
		}, false},
		{"prev", func(e *Event) { e.Prev = flipHex(e.Prev) }, false},
		{"prev empty", func(e *Event) {
			if e.Prev == "" {
				e.Prev = log[0].Hash
			} else {
				e.Prev = ""
			}
		}, false},
		{"hash", func(e *Event) { e.Hash = flipHex(e.Hash) }, false},
		{"hash recomputed", func(e *Event) { e.Actor = "account:mallory"; e.Hash = ComputeHash(*e) }, true},
	}
	checks := 0
	for i := range log {
		for _, ch := range changes {
			want := i
			if ch.next {
				if i == len(log)-1 {
					continue // rehashing the last event is caught only by who knows the head: see below
				}
				want = i + 1
			}
			bad := copyLog(log)
			ch.f(&bad[i])
			got, err := VerifyChain(0, "", bad)
			if got != want || KindOf(err) != KindInternal {
				t.Errorf("VerifyChain(log with event %d changed: %s) = %d, %v; want %d, internal error", i, ch.name, got, err, want)
			}
			checks++
		}
		// Every single byte of the payload.
		for b := range log[i].Data {
			bad := copyLog(log)
			bad[i].Data[b] ^= 0x01
			if got, err := VerifyChain(0, "", bad); got != i || KindOf(err) != KindInternal {
				t.Errorf("VerifyChain(log with byte %d of event %d's data flipped) = %d, %v; want %d, internal error", b, i, got, err, i)
			}
			checks++
		}
	}
	// The rehashed last event is caught by whoever knows the head.
	bad := copyLog(log)
	last := &bad[len(bad)-1]
	last.Actor = "account:mallory"
	last.Hash = ComputeHash(*last)
	if bad[len(bad)-1].Hash == log[len(log)-1].Hash {
		t.Errorf("rehashing a changed event gave the same hash")
	}
	t.Logf("%d changed logs checked", checks)

	// Reordering and dropping events.
	swapped := copyLog(log)
	swapped[3], swapped[4] = swapped[4], swapped[3]
	if got, err := VerifyChain(0, "", swapped); got != 3 || err == nil {
		t.Errorf("VerifyChain(log with events 3 and 4 swapped) = %d, %v; want 3, error", got, err)
	}
	dropped := append(copyLog(log[:7]), copyLog(log[8:])...)
	if got, err := VerifyChain(0, "", dropped); got != 7 || err == nil {
		t.Errorf("VerifyChain(log without event 7) = %d, %v; want 7, error", got, err)
	}
	dup := append(copyLog(log[:7]), copyLog(log[6:])...)
	if got, err := VerifyChain(0, "", dup); got != 7 || err == nil {
		t.Errorf("VerifyChain(log with event 6 twice) = %d, %v; want 7, error", got, err)
	}
}

// flipHex changes the first hex digit of h (or makes h non-empty).
func flipHex(h string) string {
	if h == "" {
		return "0"
	}
	c := byte('0')
	if h[0] == '0' {
		c = '1'
	}
	return string(c) + h[1:]
}

func TestComputeHash(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 12, 15, 1, 30, 0, 123456789, time.UTC)
	e := Event{Meeting: "m1", Seq: 3, At: at, Actor: "account:thuky", Type: EventNoticeSent,
		Data: json.RawMessage(`{"id":"n3","text":"Giải lao"}`), Audience: Audience{Roles: []Role{RoleSecretary, RoleChair}, Participants: []string{"p6"}}, Prev: "abc"}
	h := ComputeHash(e)
	if len(h) != 64 {
		t.Errorf("ComputeHash = %q; want 64 hex digits (SHA-256)", h)
	}
	if h2 := ComputeHash(copyEvent(e)); h2 != h {
		t.Errorf("ComputeHash(e) twice = %s, %s; want the same", h, h2)
	}
	e.Hash = "whatever"
	if got := ComputeHash(e); got != h {
		t.Errorf("ComputeHash depends on Hash: %s vs %s", got, h)
	}

	// The same instant in another zone, or with a monotonic clock reading,
	// hashes the same: the log may be read back in any zone.
	same := []time.Time{at.In(hcm), at.In(time.FixedZone("ICT", 7*3600)), at.In(time.FixedZone("", -5*3600)), at.Local()}
	if got := at.In(hcm).Format(time.RFC3339); got != "2025-12-15T08:30:00+07:00" {
		t.Fatalf("time in Asia/Ho_Chi_Minh = %s; want 08:30 +07:00", got)
	}
	for _, tm := range same {
		c := e
		c.At = tm
		if got := ComputeHash(c); got != h {
			t.Errorf("ComputeHash with At = %v = %s; want %s (as with the same instant in UTC)", tm, got, h)
		}
	}
	now := time.Now() // has a monotonic reading
	a, b := e, e
	a.At, b.At = now, now.Round(0).In(hcm)
	if ComputeHash(a) != ComputeHash(b) {
		t.Errorf("ComputeHash differs with and without a monotonic clock reading")
	}

	// Different fields give different hashes, even when the concatenation
	// of the fields is the same (length prefixes).
	variants := map[string]Event{}
	add := func(name string, f func(*Event)) {
		c := copyEvent(e)
		f(&c)
		variants[name] = c
	}
	add("base", func(*Event) {})
	add("actor/type shifted", func(c *Event) { c.Actor, c.Type = "account:thuk", "y"+c.Type })
	add("meeting", func(c *Event) { c.Meeting = "m" })
	add("prev empty", func(c *Event) { c.Prev = "" })
	add("data nil", func(c *Event) { c.Data = nil })
	add("data empty object", func(c *Event) { c.Data = json.RawMessage(`{}`) })
	add("audience everyone", func(c *Event) { c.Audience = Audience{} })
	add("audience roles swapped", func(c *Event) { c.Audience.Roles = []Role{RoleChair, RoleSecretary} })
	add("seq 4", func(c *Event) { c.Seq = 4 })
	add("at +1ns", func(c *Event) { c.At = c.At.Add(1) })
	seen := map[string]string{}
	for name, v := range variants {
		h := ComputeHash(v)
		if other, ok := seen[h]; ok {
			t.Errorf("ComputeHash(%s) = ComputeHash(%s) = %s; want different hashes", name, other, h)
		}
		seen[h] = name
	}
}

func TestSeal(t *testing.T) {
	events := []Event{{Type: EventMeetingOpened}, {Type: EventMeetingPaused}, {Type: EventMeetingResumed}}
	Seal(41, "head41", events)
	prev := "head41"
	for i, e := range events {
		if e.Seq != int64(42+i) || e.Prev != prev || e.Hash != ComputeHash(e) {
			t.Errorf("Seal(41, head41): event %d = seq %d prev %q hash %q; want seq %d prev %q hash %q", i, e.Seq, e.Prev, e.Hash, 42+i, prev, ComputeHash(e))
		}
		prev = e.Hash
	}
	if i, err := VerifyChain(41, "head41", events); i != -1 || err != nil {
		t.Errorf("VerifyChain of sealed events = %d, %v; want -1, nil", i, err)
	}
	Seal(0, "", nil) // no events: nothing to do, no panic
}

func TestHashCoversEveryEncodedField(t *testing.T) {
	// Every field of Event but Hash is in the hash: changing any field's
	// JSON value changes the hash. This catches a field added to Event and
	// forgotten in ComputeHash.
	e := Event{Meeting: "m1", Seq: 2, At: t0, Actor: "a", Type: EventNoticeSent, Data: json.RawMessage(`{"id":"n2"}`), Prev: "p"}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	fields["audience"] = json.RawMessage(`{}`)
	alt := map[string]string{
		"meeting": `"m2"`, "seq": `3`, "at": `"2025-12-15T01:00:00.5Z"`, "actor": `"b"`, "type": `"x"`,
		"data": `{"id":"n3"}`, "audience": `{"roles":["chair"]}`, "prev": `"q"`, "hash": `"h"`,
	}
	for name := range fields {
		v, ok := alt[name]
		if !ok {
			t.Errorf("Event has a JSON field %q the test does not know; add it to ComputeHash and here", name)
			continue
		}
		m := map[string]json.RawMessage{}
		for k, x := range fields {
			m[k] = x
		}
		m[name] = json.RawMessage(v)
		b, _ := json.Marshal(m)
		var c Event
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("field %s: %v", name, err)
		}
		changed := ComputeHash(c) != ComputeHash(e)
		if want := name != "hash"; changed != want {
			t.Errorf("changing %s changes the hash: %v; want %v", name, changed, want)
		}
	}
	if len(fields) != len(alt) {
		t.Errorf("Event encodes %d fields; the test knows %d", len(fields), len(alt))
	}
}
