package room

import (
	"bytes"

	"github.com/phonghop/phonghop/server/meeting"
)

// The lean snapshots of a congress's connect.
//
// Every delegate's snapshot is its own (meeting.LeanViewer: it names its
// viewer), so 10,000 tablets connecting would be 10,000 views built and
// encoded. Most of them differ only by the viewer's participant, attendance
// and Lean.Self (meeting.Views.OwnOnly): the room encodes the view of
// meeting.Nobody of the role once per commit and fills those three in.

var (
	nobodysParticipants = []byte(`"participants":[]`)
	nobodysAttendance   = []byte(`"attendance":{}`)
	nobodysLean         = []byte(`"lean":{"self":"` + meeting.Nobody + `"`)
)

// leanSnapshot returns lean viewer v's snapshot filled into Nobody's when
// v's view is Nobody's but for its own entries; ok is false otherwise (the
// caller encodes v's view in full). r.mu must be held.
func (r *Room) leanSnapshot(v meeting.Viewer) (b []byte, ok bool) {
	w := r.viewsNow()
	if !w.OwnOnly(v) {
		return nil, false
	}
	tmpl := r.snapshot(meeting.Viewer{Participant: meeting.Nobody, Role: v.Role})
	// Nobody's state lists no participant and no attendance; its top-level
	// keys come in this order (meeting.State), and the first occurrence of
	// each is the top-level one (nothing before holds such a key, and a
	// string's quotes are escaped).
	i := bytes.Index(tmpl, nobodysParticipants)
	j := bytes.Index(tmpl, nobodysAttendance)
	k := bytes.Index(tmpl, nobodysLean)
	if i < 0 || j < i || k < j {
		return nil, false // not the layout expected: encode in full
	}
	var buf bytes.Buffer
	buf.Grow(len(tmpl) + 512)
	buf.Write(tmpl[:i])
	buf.WriteString(`"participants":[`)
	if p, found := w.Participant(v.Participant); found {
		p.Paired = false // pairing is the secretariat's (meeting.View)
		buf.Write(mustJSON(p))
	}
	buf.WriteString(`]`)
	buf.Write(tmpl[i+len(nobodysParticipants) : j])
	buf.WriteString(`"attendance":{`)
	if a, recorded := r.state.Attendance[v.Participant]; recorded {
		buf.Write(mustJSON(v.Participant))
		buf.WriteByte(':')
		buf.Write(mustJSON(a))
	}
	buf.WriteString(`}`)
	buf.Write(tmpl[j+len(nobodysAttendance) : k])
	buf.WriteString(`"lean":{"self":`)
	buf.Write(mustJSON(v.Participant))
	buf.Write(tmpl[k+len(nobodysLean):])
	return buf.Bytes(), true
}
