package meeting

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// congressOf returns a meeting of n participants (a chair, then delegates),
// opened, everyone but the last ten checked in, an open vote open in which
// half have voted, and a speaker on the floor with another in the queue;
// and its log.
func congressOf(t testing.TB, n int) (*State, []Event) {
	t.Helper()
	rows := make([]NewParticipant, n)
	rows[0] = NewParticipant{Name: "Nguyễn Văn An", Position: "Chủ tịch đoàn", Role: RoleChair}
	for i := 1; i < n; i++ {
		rows[i] = NewParticipant{Name: fmt.Sprintf("Đại biểu Số %d", i), Unit: fmt.Sprintf("Đoàn %d", i%63+1), Role: RoleDelegate}
	}
	c := cat(created(), cmds(&AddItem{Title: "Khai mạc"}, &AddItem{Title: "Thảo luận báo cáo chính trị"}, &ImportParticipants{Rows: rows}, &OpenMeeting{}))
	// The participants are p4 … p(n+3).
	id := func(i int) string { return fmt.Sprintf("p%d", i+4) }
	for i := range n - 10 {
		c = append(c, &MarkAttendance{Participant: id(i), Status: AttendancePresent})
	}
	c = append(c, &SetCurrentItem{ID: "i3"}, by(Actor{ID: "participant:" + id(7), Role: RoleDelegate, Participant: id(7)}, &RequestFloor{Topic: "Về văn kiện"}),
		&AddSpeaker{Participant: id(8)}, &GiveFloor{}, &CreatePoll{PollSpec{Question: "Thông qua chương trình", Kind: PollOpen}})
	s := given(t, c...)
	poll := s.Polls[0].ID
	c = append(c, &OpenPoll{ID: poll})
	rv := &RecordVotes{Poll: poll}
	for i := range (n - 10) / 2 {
		rv.Votes = append(rv.Votes, VoteRecord{Participant: id(i), Ballot: &Ballot{Choice: ChoiceAgree}})
	}
	c = append(c, rv)
	return givenLog(t, c...)
}

// TestLeanViewAtCongressScale: a delegate's snapshot at 10,000 participants
// is at most 16 KB (the full view is megabytes), counts and quorum agree with
// the full state's, and a replica that starts from it and folds what the
// room sends stays equal to the view (check-ins, a removal, votes).
func TestLeanViewAtCongressScale(t *testing.T) {
	s, _ := congressOf(t, MaxParticipants)
	me := Viewer{Participant: "p4000", Role: RoleDelegate}
	size := func(v Viewer) int {
		b, err := json.Marshal(View(s, v))
		if err != nil {
			t.Fatal(err)
		}
		return len(b)
	}
	lean, full := size(me), size(Viewer{Role: RoleSecretary})
	t.Logf("snapshot at %d participants: a delegate's %d bytes, the secretariat's %d bytes", len(s.Participants), lean, full)
	if lean > 16<<10 {
		t.Errorf("a delegate's snapshot is %d bytes; want ≤ 16 KB", lean)
	}
	if full < 1<<20 {
		t.Errorf("the secretariat's snapshot is %d bytes; want the whole roster (> 1 MB)", full)
	}
	view := View(s, me)
	if got, want := QuorumOf(view), QuorumOf(s); !reflect.DeepEqual(got, want) {
		t.Errorf("QuorumOf(lean view) = %+v; want the full state's %+v", got, want)
	}
	p := view.Polls[0]
	if p.Issued != MaxParticipants-10 || p.Voted != (MaxParticipants-10)/2 || !p.IsEligible(me.Participant) || !p.HasVoted(me.Participant) || len(p.Eligible) != 1 || len(p.Voters) != 1 {
		t.Errorf("the lean view's poll: issued %d, voted %d, eligible %v, voters %d; want %d, %d, [%s], 1 (own vote)",
			p.Issued, p.Voted, p.Eligible, len(p.Voters), MaxParticipants-10, (MaxParticipants-10)/2, me.Participant)
	}
	if sp, ok := view.Speaking(); !ok || sp.Participant == "" || len(view.Queue("i3")) != 1 {
		t.Errorf("the lean view keeps the speaker and the queue; got speaking %v, queue %v", ok, view.Queue("i3"))
	}

	// A replica from the snapshot, folding what follows as the room sends it.
	replica := View(s, me)
	late := func(i int) string { return fmt.Sprintf("p%d", MaxParticipants-10+i+4) }
	for k, c := range []struct {
		a Actor
		c Command
	}{
		{asSecretary, &MarkAttendance{Participant: late(0), Status: AttendancePresent}},
		{asSecretary, &MarkAttendance{Participant: late(1), Status: AttendanceExcused, Reason: "Ốm"}},
		{asSecretary, &MarkAttendance{Participant: me.Participant, Status: AttendanceAbsent}},
		{asSecretary, &RemoveParticipant{ID: late(5)}},
		{asSecretary, &UpdateParticipant{ID: "p13", NewParticipant: NewParticipant{Name: "Đại biểu Đổi Tên", Role: RoleObserver}}},
		{asSystem, &RecordVotes{Poll: p.ID, Votes: []VoteRecord{{Participant: "p9000", Ballot: &Ballot{Choice: ChoiceDisagree}}}}},
	} {
		events, err := Decide(s, c.a, c.c, nowAt(s))
		if err != nil {
			t.Fatalf("step %d: Decide(%s) = %v", k, c.c.Name(), err)
		}
		for _, e := range events {
			if err := Apply(s, e); err != nil {
				t.Fatal(err)
			}
			if err := Apply(replica, e.For(me, s)); err != nil {
				t.Fatalf("step %d: replica Apply(%s) = %v", k, e.Type, err)
			}
		}
		if want := View(s, me); !reflect.DeepEqual(want, replica) {
			t.Fatalf("step %d (%s): the replica differs from the view (-view +replica):\n%s", k, c.c.Name(), cmp.Diff(want, replica))
		}
	}
	if r := RollOf(replica); r.Members.Excused != 1 || r.Members.Absent != 1 {
		t.Errorf("the replica's roll after the marks = %+v; want 1 excused, 1 absent", r.Members)
	}
}

// TestLeanViewers: who gets the lean view.
func TestLeanViewers(t *testing.T) {
	for _, tt := range []struct {
		v    Viewer
		lean bool
	}{
		{viewDelegate, true}, {viewObserver, true}, {viewSecretary, false}, {viewChair, false}, {viewHall, false},
		{Viewer{Role: RoleDelegate}, false}, {Viewer{Participant: "p99", Role: RoleTechnician}, false},
	} {
		if got := LeanViewer(tt.v); got != tt.lean {
			t.Errorf("LeanViewer(%+v) = %v; want %v", tt.v, got, tt.lean)
		}
		if got := View(given(t, opened()...), tt.v).Lean != nil; got != tt.lean {
			t.Errorf("View(%+v).Lean set = %v; want %v", tt.v, got, tt.lean)
		}
	}
}
