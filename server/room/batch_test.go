package room

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// floorRoom creates meeting "m1" with n delegates (p3…), a published
// document d<n+3> and a draft of it with sections m1 and m2, open for a day.
func floorRoom(t *testing.T, log Log, n int) *Room {
	t.Helper()
	reg := NewRegistry(log, quiet())
	r, err := reg.Create(context.Background(), "m1", secretary, meeting.Details{Title: "Đại hội"})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]meeting.NewParticipant, n)
	for i := range rows {
		rows[i] = meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i+1)}
	}
	submit(t, r, &meeting.ImportParticipants{Rows: rows})
	f := meeting.File{SHA256: strings.Repeat("ab", 32), Size: 10, ContentType: "application/pdf", Name: "du-thao.pdf"}
	evs, err := r.Submit(context.Background(), meeting.Actor{ID: "account:thuky", Role: meeting.RoleSystem},
		&meeting.AddDocument{DocumentSpec: meeting.DocumentSpec{Title: "Dự thảo"}, Publish: true, File: f})
	if err != nil {
		t.Fatal(err)
	}
	doc := fmt.Sprintf("d%d", evs[0].Seq)
	submit(t, r, &meeting.OpenDraft{Document: doc, Deadline: time.Now().Add(24 * time.Hour),
		Sections: []meeting.Section{{ID: "m1", Title: "Phần một", Level: 1}, {ID: "m2", Title: "Phần hai", Level: 1}}})
	return r
}

func delegate(i int) meeting.Actor {
	p := fmt.Sprintf("p%d", i+2) // the import of floorRoom starts at seq 2
	return meeting.Actor{ID: "participant:" + p, Role: meeting.RoleDelegate, Participant: p}
}

func opinion(doc, sec string, k meeting.OpinionKind, key string) *meeting.GiveOpinion {
	text := ""
	if k != meeting.OpinionAgree {
		text = "Đề nghị sửa."
	}
	return &meeting.GiveOpinion{Draft: doc, Section: sec, Kind: k, Text: text, Key: key}
}

// TestBatchGroupsCommands: opinions that arrive while a write is under way
// are decided in turn, written in one append, published in one frame per
// subscriber, and each caller gets its own events.
func TestBatchGroupsCommands(t *testing.T) {
	log := newMemLog()
	r := floorRoom(t, log, 60)
	doc := r.State().Floor.Drafts[0].Document
	hall := &sub{v: meeting.Viewer{Role: meeting.RoleHall}}
	subscribe(t, r, hall, 0, "")
	before := log.appends

	log.gate = make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := r.Batch(context.Background(), delegate(1), opinion(doc, "m1", meeting.OpinionAgree, "k1"))
		first <- err
	}()
	// Wait until the first write waits at the gate (its batch taken).
	waitFor(t, func() bool {
		r.batch.mu.Lock()
		defer r.batch.mu.Unlock()
		return r.batch.running && len(r.batch.queue) == 0
	})
	time.Sleep(10 * time.Millisecond)
	const more = 50
	var wg sync.WaitGroup
	results := make([][]meeting.Event, more)
	errs := make([]error, more)
	for i := range more {
		wg.Go(func() {
			kind := []meeting.OpinionKind{meeting.OpinionAgree, meeting.OpinionDisagree, meeting.OpinionPartial}[i%3]
			results[i], errs[i] = r.Batch(context.Background(), delegate(i+2), opinion(doc, "m2", kind, fmt.Sprintf("k%d", i)))
		})
	}
	waitFor(t, func() bool { r.batch.mu.Lock(); defer r.batch.mu.Unlock(); return len(r.batch.queue) == more })
	close(log.gate)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatalf("first opinion: %v", err)
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("opinion %d: %v", i, err)
		}
		if len(results[i]) != 2 || results[i][0].Type != meeting.EventOpinionGiven || results[i][0].Actor != delegate(i+2).ID {
			t.Errorf("opinion %d returned %d events (%v); want its own opinion.given and opinion.tallied", i, len(results[i]), results[i])
		}
	}
	if got := log.appends - before; got != 2 {
		t.Errorf("%d appends for 51 opinions given while one write was under way; want 2 (the first, then the other 50 in one)", got)
	}
	s := r.State()
	d := s.Floor.Drafts[0]
	if c := d.Count("m2"); c.Total() != more || c.Agree != 17 || c.Disagree != 17 || c.Partial != 16 {
		t.Errorf("counts of m2 = %+v; want the 50 opinions (17, 17, 16)", c)
	}
	// The hall got the catch-up, then one frame per commit: 2 frames.
	if n := len(hall.msgs); n != 3+2 {
		t.Errorf("the hall screen got %d messages; want 3 for the catch-up and 2 frames for 2 commits", n)
	}
	for _, m := range hall.lines()[3:] {
		if e := m["event"].(map[string]any); e["type"] != meeting.EventHidden && e["type"] != meeting.EventOpinionTallied {
			t.Errorf("the hall screen got a %s event; want placeholders and counts only", e["type"])
		}
	}
}

// TestBatchOneRefusalDoesNotStopTheOthers: a refused opinion in a batch is
// refused alone; a retry with the same key is acknowledged without a new
// event.
func TestBatchOneRefusalDoesNotStopTheOthers(t *testing.T) {
	log := newMemLog()
	r := floorRoom(t, log, 10)
	doc := r.State().Floor.Drafts[0].Document
	log.gate = make(chan struct{})
	go r.Batch(context.Background(), delegate(1), opinion(doc, "m1", meeting.OpinionAgree, "a"))
	waitFor(t, func() bool {
		r.batch.mu.Lock()
		defer r.batch.mu.Unlock()
		return r.batch.running && len(r.batch.queue) == 0
	})
	type res struct {
		events []meeting.Event
		err    error
	}
	out := make([]chan res, 4)
	cmds := []meeting.Command{
		opinion(doc, "m1", meeting.OpinionAgree, "b"),
		&meeting.GiveOpinion{Draft: doc, Section: "m1", Kind: meeting.OpinionDisagree, Key: "c"}, // no reason
		opinion(doc, "m9", meeting.OpinionAgree, "d"),                                            // no such section
		opinion(doc, "m2", meeting.OpinionPartial, "e"),
	}
	for i, c := range cmds {
		out[i] = make(chan res, 1)
		go func() { evs, err := r.Batch(context.Background(), delegate(i+2), c); out[i] <- res{evs, err} }()
		waitFor(t, func() bool { r.batch.mu.Lock(); defer r.batch.mu.Unlock(); return len(r.batch.queue) == i+1 })
	}
	close(log.gate)
	want := []meeting.Kind{"", meeting.KindInvalid, meeting.KindNotFound, ""}
	for i := range cmds {
		got := <-out[i]
		if meeting.KindOf(got.err) != want[i] {
			t.Errorf("command %d: error %v; want kind %q", i, got.err, want[i])
		}
	}
	s := r.State()
	if n := len(s.Floor.Opinions); n != 3 {
		t.Errorf("%d opinions stored; want 3", n)
	}
	seq := r.Seq()
	evs, err := r.Batch(context.Background(), delegate(2), opinion(doc, "m1", meeting.OpinionAgree, "b"))
	if err != nil || len(evs) != 0 || r.Seq() != seq {
		t.Errorf("a retry with the same key = %d events, %v, seq %d → %d; want no event, no error", len(evs), err, seq, r.Seq())
	}
}

// TestBatchFailedWriteStoresNothing: when the log refuses the write, every
// caller of the batch gets the error, nothing is published, and the
// state is the log's; the same opinions sent again are stored once.
func TestBatchFailedWriteStoresNothing(t *testing.T) {
	log := newMemLog()
	r := floorRoom(t, log, 5)
	doc := r.State().Floor.Drafts[0].Document
	hall := &sub{v: meeting.Viewer{Role: meeting.RoleHall}}
	subscribe(t, r, hall, 0, "")
	seq := r.Seq()
	log.fail = meeting.Internal(fmt.Errorf("disk full"))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range 4 {
		wg.Go(func() {
			_, errs[i] = r.Batch(context.Background(), delegate(i+1), opinion(doc, "m1", meeting.OpinionAgree, fmt.Sprint("k", i)))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if meeting.KindOf(err) != meeting.KindInternal {
			t.Errorf("opinion %d: %v; want the write's internal error", i, err)
		}
	}
	if r.Seq() != seq || len(hall.msgs) != 3 {
		t.Errorf("after a failed write: seq %d (was %d), hall got %d messages; want nothing committed, nothing published", r.Seq(), seq, len(hall.msgs))
	}
	log.fail = nil
	for i := range 4 {
		wg.Go(func() {
			_, errs[i] = r.Batch(context.Background(), delegate(i+1), opinion(doc, "m1", meeting.OpinionAgree, fmt.Sprint("k", i)))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("opinion %d sent again: %v", i, err)
		}
	}
	if c := r.State().Floor.Drafts[0].Count("m1"); c.Agree != 4 {
		t.Errorf("counts of m1 = %+v; want 4", c)
	}
}

// TestBatchAfterAnotherNode: when another node appended first, the batch
// is decided again on what it did, and node a's subscribers get that
// node's event before the opinion, their sequence without a gap.
func TestBatchAfterAnotherNode(t *testing.T) {
	log := newMemLog()
	a := floorRoom(t, log, 5)
	b, err := Load(context.Background(), log, "m1", quiet())
	if err != nil {
		t.Fatal(err)
	}
	doc := a.State().Floor.Drafts[0].Document
	hall := &sub{v: meeting.Viewer{Role: meeting.RoleHall}}
	from := a.Seq()
	subscribe(t, a, hall, from, a.Epoch())
	submit(t, b, &meeting.SendNotice{Text: "Từ nút khác"})
	defer func() {
		var seqs []int64
		for _, m := range hall.lines() {
			if m["type"] == "event" {
				seqs = append(seqs, int64(m["event"].(map[string]any)["seq"].(float64)))
			}
		}
		for i, s := range seqs {
			if s != from+1+int64(i) {
				t.Fatalf("node a's hall got events %v; want %d, %d, … without a gap (the other node's notice, then the opinion)", seqs, from+1, from+2)
			}
		}
		if len(seqs) == 0 || seqs[len(seqs)-1] != a.Seq() {
			t.Errorf("node a's hall got events %v; want up to %d", seqs, a.Seq())
		}
	}()
	evs, err := a.Batch(context.Background(), delegate(1), opinion(doc, "m2", meeting.OpinionAgree, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Seq != b.Seq()+1 {
		t.Errorf("the opinion got seq %d; want %d, after the other node's notice", evs[0].Seq, b.Seq()+1)
	}
	if got := len(a.State().Notices); got != 1 {
		t.Errorf("node a has %d notices; want the other node's one", got)
	}
}

// TestBatchAfterStop: a stopped room refuses batched commands.
func TestBatchAfterStop(t *testing.T) {
	r := floorRoom(t, newMemLog(), 2)
	doc := r.State().Floor.Drafts[0].Document
	r.Stop(context.Background())
	if _, err := r.Batch(context.Background(), delegate(1), opinion(doc, "m1", meeting.OpinionAgree, "k")); meeting.KindOf(err) != meeting.KindInternal {
		t.Errorf("Batch after Stop = %v; want an internal error", err)
	}
}

// waitFor polls cond until it is true or a few seconds passed.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
}
