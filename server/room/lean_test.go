package room

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
)

// fold folds what s received (snapshots and events, as a client would) into
// a replica and returns it.
func fold(t *testing.T, s *sub) *meeting.State {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var st *meeting.State
	for _, b := range s.msgs {
		for _, line := range bytes.Split(b, []byte("\n")) {
			var m struct {
				Type  string         `json:"type"`
				State *meeting.State `json:"state"`
				Event meeting.Event  `json:"event"`
			}
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatal(err)
			}
			switch m.Type {
			case "snapshot":
				st = m.State
			case "event":
				if err := meeting.Apply(st, m.Event); err != nil {
					t.Fatalf("Apply(%d %s) = %v", m.Event.Seq, m.Event.Type, err)
				}
			}
		}
	}
	return st
}

// TestLeanViewThroughTheRoom: a delegate's connection gets the lean view,
// and what the room sends it after (check-ins, an import, a removal) keeps
// its replica equal to the view, roll call included; a reconnect across a
// change of the roll call gets a snapshot, not a replay.
func TestLeanViewThroughTheRoom(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet())
	me := meeting.Viewer{Participant: "p2", Role: meeting.RoleDelegate}
	d := &sub{v: me}
	subscribe(t, r, d, 0, "")
	submit(t, r, &meeting.OpenMeeting{})
	rows := make([]meeting.NewParticipant, 50)
	for i := range rows {
		rows[i] = meeting.NewParticipant{Name: "Đại biểu Mới"}
	}
	submit(t, r, &meeting.ImportParticipants{Rows: rows})
	for _, p := range []string{"p2", "p3", "p5", "p6"} {
		submit(t, r, &meeting.MarkAttendance{Participant: p, Status: meeting.AttendancePresent})
	}
	submit(t, r, &meeting.MarkAttendance{Participant: "p7", Status: meeting.AttendanceExcused, Reason: "Công tác"})
	submit(t, r, &meeting.RemoveParticipant{ID: "p8"})
	replica := fold(t, d)
	view := meeting.View(r.State(), me) // not the room's cached Views
	if !reflect.DeepEqual(view, replica) {
		t.Fatalf("the delegate's replica differs from its view (-view +replica):\n%s", cmp.Diff(view, replica))
	}
	if len(replica.Participants) != 1 || replica.Lean == nil || replica.Lean.Roll.Members.Listed != 51 || replica.Lean.Roll.Members.Present != 4 {
		t.Errorf("replica: %d participants, lean %+v; want itself only, 51 members listed, 4 present", len(replica.Participants), replica.Lean)
	}
	if q := meeting.QuorumOf(replica); !reflect.DeepEqual(q, meeting.QuorumOf(r.State())) {
		t.Errorf("the replica's quorum %+v; want the room's %+v", q, meeting.QuorumOf(r.State()))
	}

	// Reconnecting from the seq it had, across a check-in: a snapshot.
	since := replica.Seq
	submit(t, r, &meeting.MarkAttendance{Participant: "p9", Status: meeting.AttendancePresent})
	again := &sub{v: me}
	subscribe(t, r, again, since, r.epoch)
	if got := again.types(); len(got) != 3 || got[1] != "snapshot" {
		t.Errorf("a delegate reconnecting across a check-in received %v; want welcome, snapshot, synced", got)
	}
	// … and across a change that leaves the roll alone: a replay.
	since = r.State().Seq
	submit(t, r, &meeting.AddItem{Title: "Thảo luận"})
	again = &sub{v: me}
	subscribe(t, r, again, since, r.epoch)
	if got := again.types(); len(got) != 3 || got[1] != "event:agenda.item_added" {
		t.Errorf("a delegate reconnecting across an agenda change received %v; want welcome, the event, synced", got)
	}
}
