package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/meeting/meetingtest"
	"github.com/phonghop/phonghop/server/room"
	"github.com/phonghop/phonghop/server/sqlite"
)

// FuzzClientFrame sends a WebSocket frame, as a client would, to the
// connection handler (wsConn.handle) of a live meeting over a real SQLite
// store and ballot box: any bytes, from any participant's device or the
// secretariat's console. Whatever the frame, the connection answers it
// with exactly one message — "pong" to a ping, "result" to a command,
// "error" to anything else (bad JSON, more than one message, an unknown
// type, a field of the wrong type) — that carries the frame's id when it
// could be read; a refusal is a client error kind (never internal) with a
// message in Vietnamese and English and changes nothing; an accepted
// command or ballot is in the log, and the log, replayed, is the live
// state (docs/protocol.md).
func FuzzClientFrame(f *testing.F) {
	fx := newWSFixture(f)
	ids := fx.ids
	for _, s := range []string{
		`{"type":"ping","id":"1"}`,
		`{"type":"ping"}`,
		`{"type":"command","id":"c1","name":"notice.send","data":{"text":"Đề nghị các đồng chí về chỗ ngồi."}}`,
		`{"type":"command","id":"c2","name":"attendance.check_in","data":{}}`,
		`{"type":"command","id":"c3","name":"speaker.request","data":{"topic":"Về báo cáo"}}`,
		`{"type":"command","id":"c4","name":"ballot.cast","data":{"poll":"{open}","key":"k1","ballot":{"choice":"agree"}}}`,
		`{"type":"command","id":"c5","name":"ballot.cast","data":{"poll":"{secret}","key":"k2","ballot":{"choice":"disagree"}}}`,
		`{"type":"command","id":"c6","name":"ballot.cast","data":{"poll":"{election}","key":"k3","ballot":{"kept":["c1"]}}}`,
		`{"type":"command","id":"c7","name":"ballot.cast","data":{"poll":"{rating}","key":"k4","ballot":{"ratings":{"c1":"good"}}}}`,
		`{"type":"command","id":"c8","name":"poll.close","data":{"id":"{secret}"}}`,
		`{"type":"command","id":"c9","name":"support.request","data":{"message":"Micro không hoạt động"}}`,
		`{"type":"command","id":"c10","name":"agenda.add","data":{"title":"Mục mới"}}`,
		`{"type":"command","id":"c11","name":"ballot.cast","data":{"poll":"{open}","key":"k1","ballot":{"choice":"agree"}}}}`,
		`{"type":"command","id":"c12","name":"ballot.cast","data":{"poll":"{open}","key":"k5","ballot":{"choice":"agree"},"extra":1}}`,
		`{"type":"ping","id":"2"}{"type":"command","name":"meeting.close","data":{}}`,
		`{"type":"ping","id":"3"} garbage`,
		`{"type":"ping","id":4}`,
		`{"type":"command","id":"c13","name":"meeting.close"}`,
		`{"type":"command","id":"c14","name":"poll.record_votes","data":{"poll":"{open}","votes":[{"participant":"{d1}","ballot":{"choice":"agree"}}]}}`,
		`{"type":"command","id":"c15","name":"unknown.command","data":null}`,
		`{"type":"pong","id":"5"}`,
		`{"TYPE":"ping","Id":"6"}`,
		`{"type":"ping","id":"7","type":"command"}`,
		"{\"type\":\"ping\",\"id\":\"\xff\xfe\"}",
		`[]`, `null`, `"ping"`, `5`, ``, ` `, `{`, `{"type":`, `{"type":"command","data":{"a":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}}`,
	} {
		for k, v := range ids {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		for a := range fx.actors {
			f.Add([]byte(s), uint8(a))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, actor uint8) {
		fx.check(t, data, fx.actors[int(actor)%len(fx.actors)])
	})
}

// wsFixture is a live meeting over a real store, reached as by a client.
type wsFixture struct {
	api    *API
	db     *sqlite.DB
	rooms  *room.Registry
	room   *room.Room
	made   int
	actors []meeting.Actor
	ids    map[string]string // fixture names → IDs of the current meeting
}

func newWSFixture(tb testing.TB) *wsFixture {
	dir := tb.TempDir()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "phonghop.db"))
	if err != nil {
		tb.Fatal(err)
	}
	docs, err := docstorage.NewFS(filepath.Join(dir, "documents"))
	if err != nil {
		tb.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Ballots are recorded in the log at the close only (no background
	// flush): between two frames nothing changes but what they did.
	rooms := room.NewRegistry(db, room.Options{Logger: quiet, Box: db, Keys: ballotseal.NewVault(docs), FlushInterval: time.Hour})
	fx := &wsFixture{db: db, rooms: rooms, api: New(Options{Logger: quiet, Documents: docs, WorkDir: dir}, db, rooms, nil)}
	tb.Cleanup(func() {
		rooms.Stop(context.Background())
		db.Close()
	})
	fx.newMeeting(tb)
	return fx
}

var fixtureSecretary = meeting.Actor{ID: "account:thuky", Role: meeting.RoleSecretary}

// newMeeting starts a new meeting in session: participants of every role
// (some at the meeting), an item current, a poll of each kind open.
func (fx *wsFixture) newMeeting(tb testing.TB) {
	ctx := context.Background()
	fx.made++
	r, err := fx.rooms.Create(ctx, fmt.Sprintf("m%d", fx.made), fixtureSecretary, meeting.Details{Title: "Hội nghị Ban Chấp hành"})
	if err != nil {
		tb.Fatal(err)
	}
	fx.room, fx.ids = r, map[string]string{}
	run := func(c meeting.Command) []meeting.Event {
		events, err := r.Submit(ctx, fixtureSecretary, c)
		if err != nil {
			tb.Fatalf("fixture %s: %v", c.Name(), err)
		}
		return events
	}
	events := run(&meeting.ImportParticipants{Rows: []meeting.NewParticipant{{Name: "Nguyễn Văn An", Role: meeting.RoleChair},
		{Name: "Trần Thị Bình"}, {Name: "Lê Văn Cường"}, {Name: "Phạm Thu Dung"}, {Name: "Vũ Thị Giang", NonVoting: true},
		{Name: "Đỗ Quang Hải", Role: meeting.RoleObserver}, {Name: "Màn hình", Role: meeting.RoleHall}}})
	keys := []string{"chair", "d1", "d2", "d3", "nonvoting", "observer", "hall"}
	for i, e := range events {
		fx.ids[keys[i]] = fmt.Sprintf("p%d", e.Seq)
	}
	fx.ids["item"] = fmt.Sprintf("i%d", run(&meeting.AddItem{Title: "Báo cáo"})[0].Seq)
	run(&meeting.OpenMeeting{})
	for _, k := range []string{"chair", "d1", "d2", "nonvoting", "observer"} {
		run(&meeting.MarkAttendance{Participant: fx.ids[k], Status: meeting.AttendancePresent})
	}
	run(&meeting.SetCurrentItem{ID: fx.ids["item"]})
	for _, p := range []struct {
		key  string
		spec meeting.PollSpec
	}{
		{"open", meeting.PollSpec{Question: "Thông qua báo cáo", Kind: meeting.PollOpen}},
		{"secret", meeting.PollSpec{Question: "Kết nạp đảng viên", Kind: meeting.PollSecret}},
		{"election", meeting.PollSpec{Question: "Bầu Bí thư", Kind: meeting.PollElection, Seats: 1, Uncapped: true,
			Candidates: []meeting.Candidate{{Participant: fx.ids["d1"]}, {Name: "Bùi Ngọc Khánh"}}}},
		{"rating", meeting.PollSpec{Question: "Xếp loại", Kind: meeting.PollRating, Scale: meeting.ScaleReview, Subjects: []meeting.Candidate{{Participant: fx.ids["d2"]}}}},
	} {
		fx.ids[p.key] = fmt.Sprintf("v%d", run(&meeting.CreatePoll{PollSpec: p.spec})[0].Seq)
		run(&meeting.OpenPoll{ID: fx.ids[p.key]})
	}
	fx.actors = []meeting.Actor{fixtureSecretary}
	for _, k := range keys {
		p, _ := r.Participant(fx.ids[k])
		fx.actors = append(fx.actors, meeting.Actor{ID: "participant:" + p.ID, Role: p.Role, Participant: p.ID})
	}
	fx.actors = append(fx.actors, meeting.Actor{ID: "participant:p999", Role: meeting.RoleDelegate, Participant: "p999"}) // not in the meeting
}

// reply is a message the server sends in answer to a frame.
type reply struct {
	Type   string    `json:"type"`
	ID     *string   `json:"id"`
	OK     bool      `json:"ok"`
	Seq    int64     `json:"seq"`
	Status string    `json:"status"`
	Error  *apiError `json:"error"`
}

// expect returns the type of the answer the protocol gives to data, and
// the id it must carry ("" when none can be read).
func expect(data []byte) (typ, id string) {
	if !json.Valid(data) || !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return "error", ""
	}
	var m struct {
		Type *string         `json:"type"`
		ID   *string         `json:"id"`
		Name *string         `json:"name"`
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(data, &m) != nil {
		return "error", ""
	}
	if m.ID != nil {
		id = *m.ID
	}
	switch {
	case m.Type != nil && *m.Type == "ping":
		return "pong", id
	case m.Type != nil && *m.Type == "command":
		return "result", id
	}
	return "error", id
}

// check sends data as actor a and checks the answer and the meeting.
func (fx *wsFixture) check(t *testing.T, data []byte, a meeting.Actor) {
	ctx := context.Background()
	before := fx.room.State()
	// writing: true stands for a writer that never runs, so what the
	// handler sends stays in the queue to be read here (there is no socket).
	c := &wsConn{srv: fx.api, room: fx.room, actor: a, writing: true}
	c.handle(data)
	c.mu.Lock()
	replies := c.queue
	c.mu.Unlock()
	if len(replies) != 1 {
		t.Fatalf("frame %q: %d answers; want one: %q", data, len(replies), replies)
	}
	var r reply
	dec := json.NewDecoder(bytes.NewReader(replies[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || dec.More() {
		t.Fatalf("frame %q: answer %q is not one message: %v", data, replies[0], err)
	}
	typ, id := expect(data)
	gotID := ""
	if r.ID != nil {
		gotID = *r.ID
	}
	if r.Type != typ || gotID != strings.ToValidUTF8(id, "\uFFFD") {
		t.Fatalf("frame %q: answer %s; want a %q with id %q", data, replies[0], typ, id)
	}
	accepted := r.Type == "result" && r.OK
	if r.Type == "error" || (r.Type == "result" && !r.OK) {
		e := r.Error
		if e == nil || e.Kind == meeting.KindInternal || !slices.Contains([]meeting.Kind{meeting.KindInvalid, meeting.KindNotFound, meeting.KindConflict, meeting.KindForbidden}, e.Kind) ||
			strings.TrimSpace(e.Message) == "" || strings.TrimSpace(e.MessageEN) == "" || !utf8.ValidString(e.Message+e.MessageEN) {
			t.Fatalf("frame %q by %s: answer %s; want a client error in Vietnamese and English", data, a.ID, replies[0])
		}
	}
	after := fx.room.State()
	if !accepted {
		if d := meetingtest.Diff(before, after); d != "" {
			t.Fatalf("frame %q by %s was refused (%s) but changed the meeting at %s", data, a.ID, replies[0], d)
		}
		return
	}
	if r.Status == "" && r.Seq != after.Seq || r.Status != "" && r.Status != statusRecorded {
		t.Fatalf("frame %q by %s: answer %s; the meeting is at %d", data, a.ID, replies[0], after.Seq)
	}
	// Accepted: the log as stored is the live state.
	events, err := fx.db.Events(ctx, fx.room.ID(), 0, int(after.Seq))
	if err != nil {
		t.Fatal(err)
	}
	if i, err := meeting.VerifyChain(0, "", events); err != nil {
		t.Fatalf("after frame %q: the log's chain breaks at event %d: %v", data, i, err)
	}
	replayed, err := meeting.Replay(events)
	if err != nil {
		t.Fatalf("after frame %q: Replay = %v", data, err)
	}
	if d := meetingtest.Diff(replayed, after); d != "" {
		t.Fatalf("after frame %q: the log replays to another state than the room's, at %s", data, d)
	}
	if after.Seq > 300 || after.Status == meeting.StatusClosed {
		fx.newMeeting(t) // keep replays short, and the meeting open
	}
}

// TestDecodeStrictTrailing: a body or a command's data with anything after
// its JSON value is refused, a stray closing bracket included (dec.More()
// let "{…}}" through).
func TestDecodeStrictTrailing(t *testing.T) {
	var v struct {
		A int `json:"a"`
	}
	for _, s := range []string{`{"a":1}}`, `{"a":1}]`, `{"a":1}{"a":2}`, `{"a":1} x`, `{"a":1,"b":2}`, `[]`} {
		if decodeStrict([]byte(s), &v) {
			t.Errorf("decodeStrict(%s) accepted", s)
		}
	}
	for _, s := range []string{`{"a":1}`, " {\"a\":1} \n", ``} {
		if !decodeStrict([]byte(s), &v) {
			t.Errorf("decodeStrict(%q) refused", s)
		}
	}
}
