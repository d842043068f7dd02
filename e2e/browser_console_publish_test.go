package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// TestBrowserConsoleClosePublish: beside "Kết thúc" (close), an open poll's
// row in the console has "Kết thúc và công bố" (close and publish), which
// asks first and then closes, counts and publishes the poll in one command
// (poll.close with publish): the row goes from open to published with no
// publish step, the hall screen shows the result, every tablet has it, and
// the log holds poll.closed, poll.counted and poll.published of one
// command (consecutive, one time stamp). The real binary, Chromium, the
// tablets through the Go SDK.
func TestBrowserConsoleClosePublish(t *testing.T) {
	b := newBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	m := newRoomMeeting(t, ctx, 3)
	m.open()
	voters := m.voters()
	hall := m.openHall(b, 1280, 720)
	con := m.openConsole(b, 1280, 800, "live")

	poll := fmt.Sprintf("v%d", m.cmd("poll.create", map[string]any{"question": "Thông qua Nghị quyết Hội nghị", "kind": "secret"}))
	m.cmd("poll.open", map[string]any{"id": poll})
	row := wmPollRow(poll)
	for i, choice := range []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree} {
		if _, err := voters[i].Cast(ctx, poll, fmt.Sprintf("cp-%d", i), meeting.Ballot{Choice: choice}); err != nil {
			t.Fatal(err)
		}
	}
	con.waitJS(`(document.querySelector(` + wmQ(row+` [data-testid="poll-progress"]`) + `)||{dataset:{}}).dataset.voted === "3"`)
	// (3 of the 4 summoned: passed.) The plain close stays, beside the new
	// action.
	for _, id := range []string{"poll-close", "poll-close-publish"} {
		if !con.exists(row + ` [data-testid="` + id + `"]`) {
			t.Fatalf("the open poll's row has no %s", id)
		}
	}
	if got := con.text("poll-close-publish"); got != "Kết thúc và công bố" {
		t.Errorf("the button says %q; want Kết thúc và công bố", got)
	}
	evalJS[bool](con, `document.querySelector(`+wmQ(row)+`).scrollIntoView({block: "center"}); true`)
	con.shot("close-publish-open")
	con.clickSel(row + ` [data-testid="poll-close-publish"]`)
	con.waitJS(`!!document.querySelector(` + wmQ(confirmSel("poll.close")) + `)`)
	if msg := con.text("confirm-message"); msg == "" {
		t.Error("the confirmation says nothing")
	}
	con.shot("close-publish-confirm")
	con.confirm("poll.close")
	con.waitJS(`document.querySelector(` + wmQ(row) + `).dataset.status === "published"`)
	if con.exists(row+` [data-testid="poll-publish"]`) || con.exists(row+` [data-testid="poll-close-publish"]`) {
		t.Error("the published poll's row still offers to publish")
	}
	hall.waitTestID("result-" + poll)
	hall.waitJS(wmHallResult(poll, "Thông qua", map[string]int{"agree": 3, "disagree": 0, "abstain": 0}))
	con.shot("close-publish-published")

	st := m.state()
	p, _ := st.Poll(poll)
	if p.Status != meeting.PollStatusPublished || p.Result == nil || p.Result.Cast != 3 || !p.Result.Passed {
		t.Fatalf("on the server: poll %s, result %+v; want published, 3 cast, passed", p.Status, p.Result)
	}
	for i, v := range voters {
		if err := v.WaitSeq(ctx, st.Seq); err != nil {
			t.Fatal(err)
		}
		if q, _ := v.State().Poll(poll); q.Status != meeting.PollStatusPublished || q.Result == nil || q.Result.Cast != 3 {
			t.Errorf("tablet %d: poll %s, result %+v; want published with 3 ballots", i, q.Status, q.Result)
		}
	}
	var page struct {
		Events []meeting.Event `json:"events"`
	}
	if err := getJSON(ctx, m.hc, m.srv.URL+"/api/meetings/"+m.id+"/events?after=0", &page); err != nil {
		t.Fatal(err)
	}
	var closed *meeting.Event
	for i, e := range page.Events {
		if e.Type == meeting.EventPollClosed {
			closed = &page.Events[i]
			rest := page.Events[i+1:]
			if len(rest) < 2 || rest[0].Type != meeting.EventPollCounted || rest[1].Type != meeting.EventPollPublished ||
				!rest[0].At.Equal(e.At) || !rest[1].At.Equal(e.At) || rest[1].Seq != e.Seq+2 {
				t.Errorf("after poll.closed (seq %d): %+v; want poll.counted and poll.published of the same command", e.Seq, rest[:min(2, len(rest))])
			}
		}
	}
	if closed == nil {
		t.Error("the log has no poll.closed")
	}
}
