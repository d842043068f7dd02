package room

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// memLog is an in-memory Log for the room's unit tests (the real SQLite log
// is tested in server/sqlite and end to end).
type memLog struct {
	mu      sync.Mutex
	events  map[string][]meeting.Event
	epoch   string
	fail    error         // if set, Append fails with it
	gate    chan struct{} // if set, Append waits for it
	appends int
	decided int // appends through AppendDecided
	// rival, if set, runs before each Append (not AppendDecided), without
	// the lock: another node appending first.
	rival func()
}

func newMemLog() *memLog { return &memLog{events: map[string][]meeting.Event{}, epoch: "e1"} }

func (l *memLog) Append(ctx context.Context, events []meeting.Event) error {
	if l.gate != nil {
		<-l.gate
	}
	if l.rival != nil {
		l.rival()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return l.fail
	}
	id := events[0].Meeting
	if n := int64(len(l.events[id])); events[0].Seq != n+1 {
		return meeting.Errorf(meeting.KindConflict, "xung đột", "conflict")
	}
	l.events[id] = append(l.events[id], events...)
	l.appends++
	return nil
}

// AppendDecided holds the log's lock while decide runs, so nothing else
// appends between what decide is shown and what it appends.
func (l *memLog) AppendDecided(ctx context.Context, id string, after int64, decide func([]meeting.Event) ([]meeting.Event, error)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return l.fail
	}
	all := l.events[id]
	if len(all) == 0 {
		return meeting.Errorf(meeting.KindNotFound, "không có", "not found")
	}
	var missed []meeting.Event
	if after < int64(len(all)) {
		missed = append(missed, all[after:]...)
	}
	events, err := decide(missed)
	if err != nil || len(events) == 0 {
		return err
	}
	if events[0].Seq != int64(len(all))+1 {
		return meeting.Errorf(meeting.KindConflict, "xung đột", "conflict")
	}
	l.events[id] = append(l.events[id], events...)
	l.appends++
	l.decided++
	return nil
}

func (l *memLog) Events(ctx context.Context, id string, after int64, limit int) ([]meeting.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	all := l.events[id]
	if after >= int64(len(all)) {
		return nil, nil
	}
	out := append([]meeting.Event(nil), all[after:]...)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (l *memLog) Head(ctx context.Context, id string) (int64, string, string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	all := l.events[id]
	if len(all) == 0 {
		return 0, "", "", meeting.Errorf(meeting.KindNotFound, "không có", "not found")
	}
	return all[len(all)-1].Seq, all[len(all)-1].Hash, l.epoch, nil
}

// sub is a recording Subscriber.
type sub struct {
	v      meeting.Viewer
	mu     sync.Mutex
	msgs   [][]byte
	refuse bool // Send returns false (queue full)
}

func (s *sub) Viewer() meeting.Viewer { return s.v }
func (s *sub) Send(b []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse {
		return false
	}
	s.msgs = append(s.msgs, b)
	return true
}

// lines splits everything received into messages.
func (s *sub) lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, b := range s.msgs {
		for _, line := range bytes.Split(b, []byte("\n")) {
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				panic(fmt.Sprintf("bad message %q: %v", line, err))
			}
			out = append(out, m)
		}
	}
	return out
}

// types returns the message types received, with event types as "event:T".
func (s *sub) types() []string {
	var out []string
	for _, m := range s.lines() {
		t := m["type"].(string)
		if t == "event" {
			t += ":" + m["event"].(map[string]any)["type"].(string)
		}
		out = append(out, t)
	}
	return out
}

var secretary = meeting.Actor{ID: "account:thuky", Role: meeting.RoleSecretary}

func quiet() Options {
	return Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// newRoom creates meeting "m1" with a delegate p2 and another delegate p3.
func newTestRoom(t *testing.T, log Log, opts Options) *Room {
	t.Helper()
	reg := NewRegistry(log, opts)
	r, err := reg.Create(context.Background(), "m1", secretary, meeting.Details{Title: "Họp thử"})
	if err != nil {
		t.Fatal(err)
	}
	submit(t, r, &meeting.ImportParticipants{Rows: []meeting.NewParticipant{{Name: "Đại biểu A"}, {Name: "Đại biểu B"}}})
	return r
}

func submit(t *testing.T, r *Room, c meeting.Command) []meeting.Event {
	t.Helper()
	evs, err := r.Submit(context.Background(), secretary, c)
	if err != nil {
		t.Fatalf("Submit(%s) = %v", c.Name(), err)
	}
	return evs
}

func subscribe(t *testing.T, r *Room, s *sub, since int64, epoch string) {
	t.Helper()
	ok, err := r.Subscribe(context.Background(), s, since, epoch)
	if err != nil || !ok {
		t.Fatalf("Subscribe = %v, %v; want true, nil", ok, err)
	}
}

func TestFanOutEncodesOnceInOrder(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet())
	subs := []*sub{{v: meeting.Viewer{Role: meeting.RoleSecretary}}, {v: meeting.Viewer{Participant: "p2", Role: meeting.RoleDelegate}}, {v: meeting.Viewer{Participant: "p3", Role: meeting.RoleDelegate}}, {v: meeting.Viewer{Role: meeting.RoleHall}},
		{v: meeting.Viewer{Role: meeting.RoleHall}}}
	for _, s := range subs {
		subscribe(t, r, s, 0, "")
	}
	submit(t, r, &meeting.AddItem{Title: "Khai mạc"})
	submit(t, r, &meeting.AddItem{Title: "Bế mạc"})
	submit(t, r, &meeting.SendNotice{Text: "Riêng cho A", To: "p2"})
	for _, s := range subs {
		got := strings.Join(s.types(), " ")
		want := "welcome snapshot synced event:agenda.item_added event:agenda.item_added event:"
		if s.v.Participant == "p2" || s.v.Role == meeting.RoleSecretary {
			want += "notice.sent"
		} else {
			want += "hidden"
		}
		if got != want {
			t.Errorf("%+v received %q; want %q", s.v, got, want)
		}
	}
	// Encoded once: every subscriber got the very same bytes for a public
	// event, and the excluded ones share the placeholder's bytes.
	for i := 1; i < len(subs); i++ {
		if &subs[i].msgs[3][0] != &subs[0].msgs[3][0] {
			t.Errorf("subscriber %d got a different copy of the first event's bytes", i)
		}
	}
	if &subs[2].msgs[5][0] != &subs[3].msgs[5][0] {
		t.Error("the two excluded subscribers got different copies of the placeholder")
	}
	if &subs[0].msgs[5][0] != &subs[1].msgs[5][0] {
		t.Error("the two included subscribers got different copies of the private event")
	}
	// The snapshot (entry 1 of the catch-up) is shared by viewers of one
	// class: the two hall screens. A delegate's is the lean view, which
	// names its viewer (meeting.LeanViewer).
	if &subs[3].msgs[1][0] != &subs[4].msgs[1][0] {
		t.Error("two hall screens got different copies of the same snapshot")
	}
	for _, s := range subs[1:3] {
		if want := `"lean":{"self":"` + s.v.Participant + `"`; !strings.Contains(string(s.msgs[1]), want) {
			t.Errorf("%+v's snapshot has no %s: %.200s", s.v, want, s.msgs[1])
		}
	}
}

func TestSlowSubscriberIsDroppedNotSkipped(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet())
	fast := &sub{v: meeting.Viewer{Role: meeting.RoleSecretary}}
	slow := &sub{v: meeting.Viewer{Role: meeting.RoleHall}}
	subscribe(t, r, fast, 0, "")
	subscribe(t, r, slow, 0, "")
	slow.refuse = true
	submit(t, r, &meeting.AddItem{Title: "Một"})
	slow.refuse = false
	submit(t, r, &meeting.AddItem{Title: "Hai"})
	if n := r.Subscribers(); n != 1 {
		t.Errorf("Subscribers() = %d; want 1 (the slow one removed)", n)
	}
	// The slow subscriber never receives a later event with a hole before
	// it: it got nothing after the refusal.
	if got := slow.types(); len(got) != 3 {
		t.Errorf("slow subscriber received %v after refusing; want nothing more", got)
	}
	if got := fast.types(); len(got) != 5 {
		t.Errorf("fast subscriber received %v; want both events", got)
	}
}

func TestSubscribeCatchUp(t *testing.T) {
	log := newMemLog()
	opts := quiet()
	opts.RingSize, opts.ReplayLimit = 4, 6
	r := newTestRoom(t, log, opts) // seq 3
	for i := 0; i < 6; i++ {
		submit(t, r, &meeting.AddItem{Title: fmt.Sprintf("Mục %d", i)})
	} // head 9; ring holds 6..9
	v := meeting.Viewer{Role: meeting.RoleSecretary}
	for _, tc := range []struct {
		name  string
		since int64
		epoch string
		want  string
	}{
		{"fresh", 0, "", "welcome snapshot synced"},
		{"up to date", 9, "e1", "welcome synced"},
		{"from the ring", 7, "e1", "welcome event event synced"},
		{"from the log", 4, "e1", "welcome event event event event event synced"},
		{"gap too large", 2, "e1", "welcome snapshot synced"},
		{"other epoch", 7, "e0", "welcome snapshot synced"},
		{"ahead of the log", 12, "e1", "welcome snapshot synced"},
	} {
		s := &sub{v: v}
		subscribe(t, r, s, tc.since, tc.epoch)
		var got []string
		for _, m := range s.lines() {
			got = append(got, m["type"].(string))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: Subscribe(since=%d, epoch=%s) sent %v; want %s", tc.name, tc.since, tc.epoch, got, tc.want)
		}
		// Replayed events are exactly since+1..head.
		seq := tc.since
		for _, m := range s.lines() {
			if m["type"] == "event" {
				seq++
				if got := int64(m["event"].(map[string]any)["seq"].(float64)); got != seq {
					t.Errorf("%s: replayed seq %d; want %d", tc.name, got, seq)
				}
			}
		}
		r.Unsubscribe(s)
	}
}

func TestNothingPublishedBeforeCommit(t *testing.T) {
	log := newMemLog()
	r := newTestRoom(t, log, quiet())
	s := &sub{v: meeting.Viewer{Role: meeting.RoleSecretary}}
	subscribe(t, r, s, 0, "")
	log.gate = make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Submit(context.Background(), secretary, &meeting.AddItem{Title: "Chờ ghi"})
	}()
	time.Sleep(50 * time.Millisecond)
	if n := len(s.types()); n != 3 {
		t.Errorf("received %d messages while the append was in flight; want 3 (no event yet)", n)
	}
	close(log.gate)
	<-done
	if n := len(s.types()); n != 4 {
		t.Errorf("received %d messages after the commit; want 4", n)
	}
}

func TestFailedAppendChangesNothing(t *testing.T) {
	log := newMemLog()
	r := newTestRoom(t, log, quiet())
	s := &sub{v: meeting.Viewer{Role: meeting.RoleSecretary}}
	subscribe(t, r, s, 0, "")
	before := r.State()
	log.fail = errors.New("disk full")
	if _, err := r.Submit(context.Background(), secretary, &meeting.AddItem{Title: "Không lưu được"}); err == nil {
		t.Fatal("Submit succeeded with a failing log")
	}
	if after := r.State(); after.Seq != before.Seq || len(after.Agenda) != len(before.Agenda) {
		t.Errorf("state changed after a failed append: seq %d → %d", before.Seq, after.Seq)
	}
	if n := len(s.types()); n != 3 {
		t.Errorf("subscriber received %d messages; want 3 (nothing published)", n)
	}
	// The log recovers: the room reloads from it and goes on.
	log.fail = nil
	submit(t, r, &meeting.AddItem{Title: "Lưu được"})
	if got := r.State().Seq; got != before.Seq+1 {
		t.Errorf("seq after recovery = %d; want %d", got, before.Seq+1)
	}
}

func TestRegistryLoadsFromLog(t *testing.T) {
	log := newMemLog()
	r := newTestRoom(t, log, quiet())
	submit(t, r, &meeting.AddItem{Title: "Khai mạc"})
	want := r.State()
	reg := NewRegistry(log, quiet()) // a restarted server
	got, err := reg.Get(context.Background(), "m1")
	if err != nil {
		t.Fatal(err)
	}
	if g := got.State(); g.Seq != want.Seq || g.Head != want.Head || len(g.Agenda) != 1 {
		t.Errorf("reloaded state seq %d head %s; want %d %s", g.Seq, g.Head, want.Seq, want.Head)
	}
	if _, err := reg.Get(context.Background(), "m404"); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("Get(unknown) = %v; want not_found", err)
	}
}

// TestBigCommitIsOneQueueEntry: a commit of many events (an import of a
// congress's delegates) takes one slot of a subscriber's queue, not one per
// event, so it cannot overflow a healthy connection; each distinct view is
// joined once and shared.
func TestBigCommitIsOneQueueEntry(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet())
	a := &sub{v: meeting.Viewer{Role: meeting.RoleSecretary}}
	b := &sub{v: meeting.Viewer{Participant: "p2", Role: meeting.RoleDelegate}}
	c := &sub{v: meeting.Viewer{Participant: "p3", Role: meeting.RoleDelegate}}
	for _, s := range []*sub{a, b, c} {
		subscribe(t, r, s, 0, "")
	}
	rows := make([]meeting.NewParticipant, 1000)
	for i := range rows {
		rows[i] = meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i)}
	}
	submit(t, r, &meeting.ImportParticipants{Rows: rows})
	for _, s := range []*sub{a, b, c} {
		if n := len(s.msgs); n != 4 { // the catch-up (3), then the whole import
			t.Fatalf("%+v got %d queue entries; want 4", s.v, n)
		}
		if got := strings.Count(string(s.msgs[3]), "\n") + 1; got != 1000 {
			t.Errorf("%+v got %d messages in the entry; want 1000", s.v, got)
		}
	}
	// The two delegates share one copy; it differs from the secretary's
	// by the roll call its last event carries to lean viewers.
	if &b.msgs[3][0] != &c.msgs[3][0] {
		t.Error("subscribers with the same view got different copies")
	}
	if last := string(b.msgs[3][bytes.LastIndexByte(b.msgs[3], '\n')+1:]); !strings.Contains(last, `"roll":{"members":{"listed":100`) {
		t.Errorf("the import's last event, as a delegate gets it, carries no roll of the 1,000 and more: %s", last[len(last)-300:])
	}
	if bytes.Contains(a.msgs[3], []byte(`"roll":`)) {
		t.Error("the secretary's copy carries a roll call (only lean viewers get one)")
	}
	// A commit with a private event: two views, each joined once.
	submit(t, r, &meeting.ImportParticipants{Rows: rows[:1]})
	evs, err := r.Submit(context.Background(), secretary, &meeting.SendNotice{Text: "Riêng", To: "p2"})
	if err != nil || len(evs) != 1 {
		t.Fatal(err)
	}
	if string(b.msgs[5]) == string(c.msgs[5]) {
		t.Error("the addressee and another delegate got the same bytes for a private notice")
	}
}

// TestFanOutShardedInOrder: a hall large enough for the fan-out to be
// shared among goroutines (fanOutShard) still gets every commit, in seq
// order, each subscriber its own view of it, exactly once; the refusing
// ones are dropped and get nothing after.
func TestFanOutShardedInOrder(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet())
	n := 3*fanOutShard + 17
	subs := make([]*sub, n)
	for i := range subs {
		v := meeting.Viewer{Role: meeting.RoleHall}
		if i%3 == 1 {
			v = meeting.Viewer{Participant: "p2", Role: meeting.RoleDelegate}
		}
		subs[i] = &sub{v: v}
		subscribe(t, r, subs[i], 0, "")
	}
	for i := 0; i < n; i += 7 {
		subs[i].mu.Lock()
		subs[i].refuse = true
		subs[i].mu.Unlock()
	}
	submit(t, r, &meeting.AddItem{Title: "Khai mạc"})
	submit(t, r, &meeting.SendNotice{Text: "Riêng cho A", To: "p2"})
	submit(t, r, &meeting.AddItem{Title: "Bế mạc"})
	if got, want := r.Subscribers(), n-(n+6)/7; got != want {
		t.Errorf("Subscribers() = %d; want %d (the refusing ones dropped)", got, want)
	}
	for i, s := range subs {
		got := strings.Join(s.types(), " ")
		want := "welcome snapshot synced"
		if i%7 != 0 {
			notice := "hidden"
			if s.v.Participant == "p2" {
				notice = "notice.sent"
			}
			want += " event:agenda.item_added event:" + notice + " event:agenda.item_added"
		}
		if got != want {
			t.Fatalf("subscriber %d (%+v) received %q; want %q", i, s.v, got, want)
		}
		var last float64
		for _, m := range s.lines() {
			if m["type"] != "event" {
				continue
			}
			seq := m["event"].(map[string]any)["seq"].(float64)
			if last != 0 && seq != last+1 {
				t.Fatalf("subscriber %d got seq %v after %v", i, seq, last)
			}
			last = seq
		}
	}
}
