package room

import (
	"bytes"
	"slices"

	"github.com/phonghop/phonghop/server/meeting"
)

// The lean snapshots of a congress's connect.
//
// Every delegate's snapshot is its own (meeting.LeanViewer: it names its
// viewer), so 10,000 tablets connecting would be 10,000 views built and
// encoded. Most of them differ only by the viewer's participant, attendance
// and Lean.Self, and by the open polls listing them as eligible
// (meeting.Views.Shape): the room encodes the view of meeting.Nobody of the
// role and shape once per commit (meeting.Views.ShapeView) and fills those
// in.

var (
	nobodysParticipants = []byte(`"participants":[]`)
	nobodysAttendance   = []byte(`"attendance":{}`)
	nobodysLean         = []byte(`"lean":{"self":"` + meeting.Nobody + `"`)
	nobodysEligible     = []byte(`"eligible":["` + meeting.Nobody + `"]`)
)

// maxSnaps is how many snapshots a room keeps per commit (r.snaps: the
// roles' and the shapes' templates); a viewer of a shape not kept once it
// is full gets its view encoded in full.
const maxSnaps = 64

// leanSnapshot returns lean viewer v's snapshot filled into Nobody's when
// v's view is Nobody's but for its own entries; ok is false otherwise (the
// caller encodes v's view in full). r.mu must be held.
func (r *Room) leanSnapshot(v meeting.Viewer) (b []byte, ok bool) {
	w := r.viewsNow()
	eligible, ok := w.Shape(v)
	if !ok {
		return nil, false
	}
	tmpl := r.shapeTemplate(v.Role, eligible)
	if tmpl == nil {
		return nil, false
	}
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
	id := mustJSON(v.Participant)
	buf.WriteString(`"lean":{"self":`)
	buf.Write(id)
	buf.Write(tmpl[k+len(nobodysLean):])
	if eligible == nil {
		return buf.Bytes(), true
	}
	// The polls listing v: Nobody stands in their eligible lists, and
	// nowhere else (no participant is Nobody; a string's quotes are
	// escaped).
	n := 0
	for _, e := range eligible {
		if e {
			n++
		}
	}
	b = buf.Bytes()
	if bytes.Count(b, nobodysEligible) != n {
		return nil, false
	}
	return bytes.ReplaceAll(b, nobodysEligible, slices.Concat([]byte(`"eligible":[`), id, []byte(`]`))), true
}

// shapeTemplate returns the snapshot of Nobody of role as if listed in the
// polls eligible marks (meeting.Views.ShapeView), cached until the next
// commit; nil when maxSnaps snapshots are already kept. r.mu must be
// held.
func (r *Room) shapeTemplate(role meeting.Role, eligible []bool) []byte {
	if eligible == nil {
		return r.snapshot(meeting.Viewer{Participant: meeting.Nobody, Role: role})
	}
	shape := make([]byte, len(eligible))
	for i, e := range eligible {
		shape[i] = '0'
		if e {
			shape[i] = '1'
		}
	}
	key := snapKey{seq: r.state.Seq, role: role, participant: meeting.Nobody, shape: string(shape)}
	if b, ok := r.snaps[key]; ok {
		return b
	}
	if len(r.snaps) >= maxSnaps {
		return nil
	}
	b := mustJSON(snapshotMsg{Type: "snapshot", Epoch: r.epoch, Seq: r.state.Seq, Hash: r.state.Head, State: r.viewsNow().ShapeView(role, eligible)})
	r.snaps[key] = b
	return b
}
