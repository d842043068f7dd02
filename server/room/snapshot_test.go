package room

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestLeanSnapshotsFilledIn: every delegate's and observer's snapshot, filled
// into Nobody's or encoded in full, decodes to exactly its view — at each
// stage of a meeting with linked sites, marks, a private notice, a support
// request, open polls some may vote in (filled into their shape's), and
// votes.
func TestLeanSnapshotsFilledIn(t *testing.T) {
	r := newTestRoom(t, newMemLog(), quiet()) // p2, p3: delegates
	rows := []meeting.NewParticipant{{Name: "Đại biểu Dự Bị", NonVoting: true}, {Name: "Khách Mời", Role: meeting.RoleObserver}}
	for i := range 12 {
		rows = append(rows, meeting.NewParticipant{Name: fmt.Sprintf("Đại biểu %d", i+1), Unit: "Đoàn Hà Nội", Position: `Phó "trưởng" đoàn <b>`})
	}
	submit(t, r, &meeting.ImportParticipants{Rows: rows}) // p5 …
	sites := []string{"Điểm cầu Lào Cai"}
	submit(t, r, &meeting.Configure{Sites: &sites})
	var lean []meeting.Viewer
	for _, p := range r.State().Participants {
		if v := (meeting.Viewer{Participant: p.ID, Role: p.Role}); meeting.LeanViewer(v) {
			lean = append(lean, v)
		}
	}
	filled, shaped, full := 0, 0, 0
	check := func(stage string) {
		t.Helper()
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, v := range lean {
			eligible, ok := r.viewsNow().Shape(v)
			switch {
			case ok && eligible == nil:
				filled++
			case ok:
				shaped++
			default:
				full++
			}
			if _, filledIn := r.leanSnapshot(v); filledIn != ok {
				t.Fatalf("%s: %+v's snapshot filled in: %v; its shape: %v", stage, v, filledIn, ok)
			}
			var m snapshotMsg
			if err := json.Unmarshal(r.snapshot(v), &m); err != nil {
				t.Fatalf("%s: %+v's snapshot does not decode: %v", stage, v, err)
			}
			if want := meeting.View(r.state, v); !reflect.DeepEqual(want, m.State) {
				t.Fatalf("%s: %+v's snapshot differs from its view (-view +snapshot):\n%s", stage, v, cmp.Diff(want, m.State))
			}
		}
	}
	check("draft")
	submit(t, r, &meeting.OpenMeeting{})
	for i, p := range lean {
		switch i % 4 {
		case 0:
			submit(t, r, &meeting.MarkAttendance{Participant: p.Participant, Status: meeting.AttendancePresent})
		case 1:
			submit(t, r, &meeting.MarkAttendance{Participant: p.Participant, Status: meeting.AttendanceRemote, Site: sites[0]})
		case 2:
			submit(t, r, &meeting.MarkAttendance{Participant: p.Participant, Status: meeting.AttendanceExcused, Reason: "Đi công tác"})
		}
	}
	submit(t, r, &meeting.SendNotice{Text: "Riêng đồng chí", To: "p3"})
	if _, err := r.Submit(context.Background(), meeting.Actor{ID: "participant:p9", Role: meeting.RoleDelegate, Participant: "p9"}, &meeting.RequestSupport{Message: "Máy không sáng"}); err != nil {
		t.Fatal(err)
	}
	check("open, marked")
	submit(t, r, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua chương trình", Kind: meeting.PollOpen}})
	poll := r.State().Polls[0].ID
	submit(t, r, &meeting.OpenPoll{ID: poll, OverrideQuorum: true})
	check("poll open")
	submit(t, r, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Bầu \"Ban kiểm phiếu\"", Kind: meeting.PollSecret}})
	submit(t, r, &meeting.OpenPoll{ID: r.State().Polls[1].ID, OverrideQuorum: true})
	check("two polls open")
	if _, err := r.Submit(context.Background(), meeting.Actor{ID: "system", Role: meeting.RoleSystem}, &meeting.RecordVotes{Poll: poll, Votes: []meeting.VoteRecord{{Participant: lean[0].Participant, Ballot: &meeting.Ballot{Choice: meeting.ChoiceAgree}}}}); err != nil {
		t.Fatal(err)
	}
	check("voted")
	if filled == 0 || shaped == 0 || full == 0 {
		t.Errorf("%d snapshots filled in, %d filled into a poll's shape, %d encoded in full; want every way exercised", filled, shaped, full)
	}
	t.Logf("%d snapshots filled into Nobody's, %d into a shape's, %d encoded in full", filled, shaped, full)
}
