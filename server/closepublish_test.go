package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/server/meeting"
)

// eventType returns the type of an event message (empty for others).
func eventType(m wsMsg) string {
	if m.Type != "event" {
		return ""
	}
	var e struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
	}
	_ = json.Unmarshal(m.Event, &e)
	return e.Type
}

// eventSeq returns the seq of an event message.
func eventSeq(m wsMsg) int64 {
	var e struct {
		Seq int64 `json:"seq"`
	}
	_ = json.Unmarshal(m.Event, &e)
	return e.Seq
}

// TestClosePublishOverTheWire: poll.close with "publish": true over the
// WebSocket (the console) and over REST, for a secret and an open poll, on
// the real server: the console gets closed, counted and published and then
// its result, whose seq is the publication's; a tablet gets closed, a
// placeholder for the count and the published result, in one frame; a
// tablet that asks is refused and nothing changes; the REST command does
// the same.
func TestClosePublishOverTheWire(t *testing.T) {
	ts := newTestServer(t)
	sec := ts.secretary(t)
	id := setupMeeting(t, sec, "Nguyễn Văn An,đại biểu", "Trần Thị Bình,đại biểu", "Lê Văn Cường,đại biểu")
	var st meeting.State
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	cmd := func(name string, data any) {
		t.Helper()
		if code, body := sec.do("POST", "/api/meetings/"+id+"/commands", map[string]any{"name": name, "data": data}); code != 200 {
			t.Fatalf("command %s = %d %s", name, code, body)
		}
	}
	cmd("meeting.open", nil)
	cmd("attendance.mark_all_present", nil)
	dial := func(u *user) *websocket.Conn {
		t.Helper()
		c, _, err := u.dialWS(id, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		readMsgs(t, c, func(m wsMsg) bool { return m.Type == "synced" })
		return c
	}
	var tabs []*websocket.Conn
	for _, p := range st.Participants {
		tabs = append(tabs, dial(ts.pair(t, sec, id, p.ID)))
	}
	console := dial(sec)
	send := func(c *websocket.Conn, cid, name string, data any) wsMsg {
		t.Helper()
		if err := c.WriteJSON(map[string]any{"type": "command", "id": cid, "name": name, "data": data}); err != nil {
			t.Fatal(err)
		}
		msgs := readMsgs(t, c, func(m wsMsg) bool { return m.Type == "result" && m.ID == cid })
		return msgs[len(msgs)-1]
	}
	newPoll := func(kind meeting.PollKind) string {
		t.Helper()
		cmd("poll.create", map[string]any{"question": "Thông qua nghị quyết (" + string(kind) + ")", "kind": kind})
		var s meeting.State
		sec.must(200, "GET", "/api/meetings/"+id, nil, &s)
		p := s.Polls[len(s.Polls)-1].ID
		cmd("poll.open", map[string]any{"id": p})
		return p
	}

	for _, kind := range []meeting.PollKind{meeting.PollSecret, meeting.PollOpen} {
		poll := newPoll(kind)
		choices := []meeting.Choice{meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceDisagree}
		for i, tab := range tabs {
			r := send(tab, fmt.Sprint("b", i), "ballot.cast", map[string]any{"poll": poll, "key": fmt.Sprint(kind, i), "ballot": meeting.Ballot{Choice: choices[i]}})
			if !r.OK {
				t.Fatalf("%s: ballot %d: %+v", kind, i, r.Error)
			}
		}
		// A tablet may not close and publish: refused, the poll stays open.
		if r := send(tabs[0], "x", "poll.close", map[string]any{"id": poll, "publish": true}); r.OK || r.Error == nil || r.Error.Kind != string(meeting.KindForbidden) {
			t.Errorf("%s: a tablet closes and publishes: %+v; want forbidden", kind, r)
		}
		if err := console.WriteJSON(map[string]any{"type": "command", "id": "c-" + string(kind), "name": "poll.close", "data": map[string]any{"id": poll, "publish": true}}); err != nil {
			t.Fatal(err)
		}
		msgs := readMsgs(t, console, func(m wsMsg) bool { return m.Type == "result" && m.ID == "c-"+string(kind) })
		var got []string
		var published int64
		for _, m := range msgs {
			if et := eventType(m); et == "poll.closed" || et == "poll.counted" || et == "poll.published" {
				got = append(got, et)
				if et == meeting.EventPollPublished {
					published = eventSeq(m)
				}
			}
		}
		res := msgs[len(msgs)-1]
		if strings.Join(got, " ") != "poll.closed poll.counted poll.published" || !res.OK || res.Seq != published {
			t.Errorf("%s: the console got %v then result ok=%v seq %d; want closed, counted, published, then ok with seq %d", kind, got, res.OK, res.Seq, published)
		}
		for i, tab := range tabs {
			msgs := readMsgs(t, tab, func(m wsMsg) bool { return eventType(m) == meeting.EventPollPublished })
			var seen []string
			for _, m := range msgs {
				if et := eventType(m); et == "poll.closed" || len(seen) > 0 && (et == "hidden" || et == "poll.published") {
					seen = append(seen, et)
				}
			}
			if strings.Join(seen, " ") != "poll.closed hidden poll.published" {
				t.Errorf("%s: tablet %d got %v; want poll.closed, a placeholder for the count, poll.published", kind, i, seen)
			}
		}
		var s meeting.State
		sec.must(200, "GET", "/api/meetings/"+id, nil, &s)
		p, _ := s.Poll(poll)
		if p.Status != meeting.PollStatusPublished || p.Result == nil || p.Result.Cast != 3 || !p.Result.Passed {
			t.Errorf("%s: poll %s, result %+v; want published, 3 cast, passed", kind, p.Status, p.Result)
		}
	}

	// Over REST: the same command.
	poll := newPoll(meeting.PollSecret)
	cmd("poll.close", map[string]any{"id": poll, "publish": true})
	sec.must(200, "GET", "/api/meetings/"+id, nil, &st)
	if p, _ := st.Poll(poll); p.Status != meeting.PollStatusPublished || p.Result == nil {
		t.Errorf("REST close with publish: poll %s, result %+v; want published", p.Status, p.Result)
	}
}
