package meetingtest

import (
	"fmt"
	"slices"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// The generators of the congress floor's commands (docs/congress.md):
// drafts open for opinions, opinions, discussion groups (tổ) and their
// sittings, written contributions (tham luận). A meeting of the run is
// either a congress (drafts, opinions, tổ, tham luận) or, when
// sitting.link comes before any participant, a tổ's sitting (notes and
// summaries; the congress's commands are refused there).
//
// They join Kinds through withFloor, called where kindNames is built.

// floorKinds are the floor's entries of Kinds.
var floorKinds = map[string]Kind{
	"draft.open":       {2, genDraftOpen},
	"draft.update":     {1, genDraftUpdate},
	"draft.revise":     {1, genDraftRevise},
	"opinion.give":     {6, genOpinionGive},
	"opinion.withdraw": {1, genOpinionWithdraw},

	"group.define": {2, genGroupDefine},
	"group.remove": {1, genGroupRemove},
	"group.sit":    {1, genGroupSit},
	"group.rise":   {1, genGroupRise},

	"sitting.link":    {4, genSittingLink},
	"sitting.note":    {3, genSittingNote},
	"sitting.summary": {1, genSittingSummary},

	"contribution.register": {1, genContributionRegister},
	"contribution.schedule": {1, genContributionSchedule},
	"contribution.withdraw": {1, genContributionWithdraw},
}

// withFloor adds the floor's generators to k and returns it.
func withFloor(k map[string]Kind) map[string]Kind {
	for n, x := range floorKinds {
		k[n] = x
	}
	return k
}

// acceptedWithoutEvent reports whether c may be accepted with no event:
// an opinion given again with its key (a tablet that lost the
// acknowledgement) or unchanged is answered ok and records nothing
// (docs/congress.md §1). Every other command accepted has events.
func acceptedWithoutEvent(c meeting.Command) bool {
	_, ok := c.(*meeting.GiveOpinion)
	return ok
}

// CheckFloor checks the floor's invariant of the server's state: every
// public count of a draft equals the count of its opinions, section by
// section, and no opinion names a draft that does not exist.
func CheckFloor(s *meeting.State) error {
	if s.Floor == nil {
		return nil
	}
	for _, o := range s.Floor.Opinions {
		if _, ok := s.Draft(o.Draft); !ok {
			return fmt.Errorf("opinion %s is on draft %s, which does not exist", o.ID, o.Draft)
		}
	}
	for _, d := range s.Floor.Drafts {
		raw := map[string]meeting.SectionCount{}
		for _, o := range s.Opinions(d.Document) {
			c := raw[o.Section]
			c.Section = o.Section
			switch o.Kind {
			case meeting.OpinionAgree:
				c.Agree++
			case meeting.OpinionDisagree:
				c.Disagree++
			case meeting.OpinionPartial:
				c.Partial++
			}
			raw[o.Section] = c
		}
		for _, c := range d.Counts {
			r := raw[c.Section]
			r.Section = c.Section
			if c != r {
				return fmt.Errorf("draft %s section %q: public count %+v, the opinions count %+v", d.Document, c.Section, c, r)
			}
		}
		for sec, r := range raw {
			if d.Count(sec) != r {
				return fmt.Errorf("draft %s section %q: %d opinions, public count %+v", d.Document, sec, r.Total(), d.Count(sec))
			}
		}
	}
	return nil
}

// sitting reports whether the run's meeting is a tổ's sitting.
func (g *Gen) sitting() bool {
	_, ok := g.r.State.Linked()
	return ok
}

// drafts returns the drafts of the run's meeting.
func (g *Gen) drafts() []meeting.Draft {
	if f := g.r.State.Floor; f != nil {
		return f.Drafts
	}
	return nil
}

// groups returns the tổ of the run's meeting.
func (g *Gen) groups() []meeting.Group {
	if f := g.r.State.Floor; f != nil {
		return f.Groups
	}
	return nil
}

// sectionTitles are the headings of the generated drafts.
var sectionTitles = []string{"Phần thứ nhất: Đánh giá kết quả nhiệm kỳ", "Phần thứ hai: Phương hướng, mục tiêu", "Về phát triển kinh tế",
	"Về văn hóa, xã hội", "Về quốc phòng, an ninh", "Về xây dựng Đảng", "Nhiệm vụ và giải pháp", "Tổ chức thực hiện"}

// sections returns a random structure: the IDs s1…s9 (so that a revision
// keeps some and drops others), sometimes a bad one.
func (g *Gen) sections() []map[string]any {
	ids := g.rng.Perm(9)[:1+g.rng.IntN(5)]
	slices.Sort(ids)
	var out []map[string]any
	for _, i := range ids {
		s := map[string]any{"id": fmt.Sprintf("s%d", i+1), "title": sectionTitles[i%len(sectionTitles)], "level": 1 + g.rng.IntN(3)}
		if g.chance(0.5) {
			s["label"] = fmt.Sprintf("%d.", i+1)
		}
		out = append(out, s)
	}
	switch x := g.rng.IntN(100); {
	case x == 0:
		out = append(out, out[0]) // the same ID twice
	case x == 1:
		out[0]["level"] = 7
	case x == 2:
		out[0]["title"] = ""
	}
	return out
}

// deadline returns a deadline: mostly within the next hours, rarely past.
func (g *Gen) deadline() string {
	d := time.Duration(5+g.rng.IntN(240)) * time.Minute
	if g.chance(0.05) {
		d = -d
	}
	return g.r.now.Add(d).Format(time.RFC3339)
}

// someone returns the references of a few participants, delegates mostly.
func (g *Gen) someone(max int) []string {
	var out []string
	for _, p := range g.people(func(p meeting.Participant) bool { return p.Role != meeting.RoleHall || g.chance(0.1) }) {
		if len(out) < max && g.chance(0.3) {
			out = append(out, g.Ref(p.ID))
		}
	}
	return out
}

func genDraftOpen(g *Gen) (string, any, bool) {
	// Mostly a document the delegates may read (the others are refused).
	readable := slices.DeleteFunc(slices.Clone(g.r.State.Documents), func(d meeting.Document) bool {
		return (d.Status != meeting.DocumentPublished || d.Access == meeting.AccessNamed) && !g.chance(0.15)
	})
	doc, ok := one(g, readable)
	if !ok || g.sitting() {
		return "", nil, false
	}
	d := map[string]any{"document": g.Ref(doc.ID), "sections": g.sections(), "deadline": g.deadline()}
	if r := g.someone(3); len(r) > 0 && g.chance(0.6) {
		d["readers"] = r
	}
	if g.chance(0.2) {
		d["anonymous"] = true
	}
	if g.chance(0.1) {
		d["version"] = 1 + g.rng.IntN(3)
	}
	return g.staff(), d, true
}

func genDraftUpdate(g *Gen) (string, any, bool) {
	dr, ok := one(g, g.drafts())
	if !ok {
		return "", nil, false
	}
	d := map[string]any{"document": g.Ref(dr.Document)}
	switch x := g.rng.IntN(10); {
	case x < 4:
		d["deadline"] = g.deadline()
	case x < 5:
		d["close"] = true
	case x < 8:
		d["add_readers"] = g.someone(2)
	default:
		d["anonymous"] = g.chance(0.5)
	}
	return g.staff(), d, true
}

func genDraftRevise(g *Gen) (string, any, bool) {
	dr, ok := one(g, g.drafts())
	if !ok {
		return "", nil, false
	}
	d := map[string]any{"document": g.Ref(dr.Document), "sections": g.sections()}
	if g.chance(0.2) {
		d["version"] = 1 + g.rng.IntN(3)
	}
	return g.staff(), d, true
}

// opinionKinds are the kinds of opinion, and one that is not.
var opinionKinds = []string{"agree", "disagree", "partial", "agree", "disagree", "partial", "maybe"}

func genOpinionGive(g *Gen) (string, any, bool) {
	dr, ok := one(g, g.drafts())
	if !ok {
		return "", nil, false
	}
	p, ok := one(g, g.people(func(p meeting.Participant) bool {
		return p.Role == meeting.RoleDelegate || p.Role == meeting.RoleChair || p.Role == meeting.RoleSecretary || g.chance(0.05)
	}))
	if !ok {
		return "", nil, false
	}
	d := map[string]any{"draft": g.Ref(dr.Document), "kind": g.pick(opinionKinds), "key": fmt.Sprintf("k%d", g.rng.IntN(1<<30))}
	if sec, ok := one(g, dr.Sections); ok && g.chance(0.8) {
		d["section"] = sec.ID
	} else if g.chance(0.1) {
		d["section"] = "s99" // no such section
	}
	if d["kind"] != "agree" || g.chance(0.3) {
		if !g.chance(0.05) { // sometimes the required text is missing
			d["text"] = g.text()
		}
	}
	if g.chance(0.1) {
		// The same opinion sent again with its key (a tablet that lost
		// the acknowledgement), or the key with another opinion.
		for _, o := range g.r.State.Floor.Opinions {
			if o.Participant == p.ID && o.Draft == dr.Document {
				d["section"], d["kind"], d["text"], d["key"] = o.Section, string(o.Kind), o.Text, o.Key
				if g.chance(0.3) {
					d["text"] = o.Text + " (sửa)"
				}
				break
			}
		}
	}
	return g.Ref(p.ID), d, true
}

func genOpinionWithdraw(g *Gen) (string, any, bool) {
	f := g.r.State.Floor
	if f == nil {
		return "", nil, false
	}
	o, ok := one(g, f.Opinions)
	if !ok {
		return "", nil, false
	}
	actor := g.Ref(o.Participant)
	if g.chance(0.15) {
		actor = g.staff() // on nobody's behalf: refused unless the staff gave it
	}
	return actor, map[string]any{"draft": g.Ref(o.Draft), "section": o.Section}, true
}

func genGroupDefine(g *Gen) (string, any, bool) {
	if g.sitting() {
		return "", nil, false
	}
	d := map[string]any{"name": fmt.Sprintf("Tổ %d", 1+g.rng.IntN(6))}
	var old meeting.Group
	if o, ok := one(g, g.groups()); ok && g.chance(0.3) {
		old = o
		d["id"] = g.Ref(o.ID)
	}
	free := g.people(func(p meeting.Participant) bool {
		if p.Role == meeting.RoleHall || p.Role == meeting.RoleObserver {
			return g.chance(0.03)
		}
		x, in := g.r.State.GroupOf(p.ID)
		return !in || x.ID == old.ID || g.chance(0.05)
	})
	if len(free) < 2 {
		return "", nil, false
	}
	g.rng.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
	var members []string
	for _, p := range free[:2+g.rng.IntN(min(4, len(free)-1))] {
		members = append(members, g.Ref(p.ID))
	}
	d["members"], d["leader"], d["secretary"] = members, members[0], members[1]
	if len(members) > 2 && g.chance(0.5) {
		d["deputy"] = members[2]
	}
	if g.chance(0.03) {
		d["secretary"] = members[0] // the leader twice
	}
	return g.staff(), d, true
}

func genGroupRemove(g *Gen) (string, any, bool) {
	x, ok := one(g, g.groups())
	return g.staff(), map[string]any{"id": g.Ref(x.ID)}, ok && g.chance(0.5)
}

func genGroupSit(g *Gen) (string, any, bool) {
	x, ok := one(g, g.groups())
	return g.staff(), map[string]any{"group": g.Ref(x.ID)}, ok
}

func genGroupRise(g *Gen) (string, any, bool) {
	var sitting []meeting.Group
	for _, x := range g.groups() {
		if x.Sitting != "" || g.chance(0.1) {
			sitting = append(sitting, x)
		}
	}
	x, ok := one(g, sitting)
	return g.staff(), map[string]any{"group": g.Ref(x.ID)}, ok
}

// sittingMembers are the congress's participants a generated sitting
// holds (IDs of another meeting: never references).
var sittingMembers = []string{"p901", "p902", "p903", "p904", "p905", "p906"}

func genSittingLink(g *Gen) (string, any, bool) {
	s := g.r.State
	if len(s.Participants) > 0 || g.sitting() {
		return "", nil, false
	}
	n := 3 + g.rng.IntN(len(sittingMembers)-2)
	var members []map[string]any
	for _, id := range sittingMembers[:n] {
		m := map[string]any{"id": id, "name": g.name()}
		if g.chance(0.1) {
			m["non_voting"] = true
		}
		members = append(members, m)
	}
	l := map[string]any{"parent": "dai-hoi", "congress": "Đại hội đại biểu lần thứ XV", "group": "g7", "name": "Tổ 1",
		"number": 1 + g.rng.IntN(3), "leader": "p901", "secretary": "p902", "members": members}
	if g.chance(0.5) {
		l["deputy"] = "p903"
	}
	if g.chance(0.7) {
		l["drafts"] = []map[string]any{{"document": "d5", "title": "Dự thảo Báo cáo chính trị", "sections": g.sections()}}
	}
	if g.chance(0.03) {
		l["leader"] = "p999" // not a member
	}
	return ActorSystem, l, true
}

func genSittingNote(g *Gen) (string, any, bool) {
	l, ok := g.r.State.Linked()
	if !ok {
		return "", nil, false
	}
	actor := g.staff()
	if p, ok := g.r.State.Participant(g.pick([]string{l.Leader, l.Secretary})); ok && g.chance(0.6) {
		actor = g.Ref(p.ID)
	}
	d := map[string]any{"text": g.text()}
	if dr, ok := one(g, l.Drafts); ok && g.chance(0.6) {
		d["draft"] = dr.Document
		if sec, ok := one(g, dr.Sections); ok && g.chance(0.7) {
			d["section"] = sec.ID
		}
	}
	if p, ok := one(g, g.r.State.Participants); ok && g.chance(0.5) {
		d["speaker"] = g.Ref(p.ID)
	}
	if f := g.r.State.Floor; f != nil && len(f.Notes) > 0 && g.chance(0.2) {
		d["id"] = g.Ref(f.Notes[g.rng.IntN(len(f.Notes))].ID) // a correction
	}
	return actor, d, true
}

func genSittingSummary(g *Gen) (string, any, bool) {
	l, ok := g.r.State.Linked()
	if !ok {
		return "", nil, false
	}
	var drafts []map[string]any
	for _, dr := range l.Drafts {
		var counts []map[string]any
		total := 0
		for _, sec := range dr.Sections {
			if g.chance(0.5) {
				a, b, c := g.rng.IntN(4), g.rng.IntN(3), g.rng.IntN(3)
				total += a + b + c
				counts = append(counts, map[string]any{"section": sec.ID, "agree": a, "disagree": b, "partial": c})
			}
		}
		drafts = append(drafts, map[string]any{"document": dr.Document, "title": dr.Title, "sections": dr.Sections, "counts": counts, "opinions": total})
	}
	return ActorSystem, map[string]any{"drafts": drafts}, true
}

func genContributionRegister(g *Gen) (string, any, bool) {
	p, ok := one(g, g.people(func(p meeting.Participant) bool { return p.Role != meeting.RoleHall || g.chance(0.1) }))
	if !ok || g.sitting() || len(g.r.State.Documents) >= 8 {
		return "", nil, false
	}
	f := g.file()
	if g.chance(0.8) {
		f["content_type"] = g.pick([]string{"application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
		f["name"] = "tham-luan" + meeting.DocumentTypes[f["content_type"].(string)]
	}
	return ActorSystem, map[string]any{"participant": g.Ref(p.ID), "title": g.pick(topics), "file": f}, true
}

// contributions returns the run's contributions.
func (g *Gen) contributions() []meeting.Contribution {
	if f := g.r.State.Floor; f != nil {
		return f.Contributions
	}
	return nil
}

func genContributionSchedule(g *Gen) (string, any, bool) {
	c, ok := one(g, g.contributions())
	if !ok {
		return "", nil, false
	}
	actor := g.staff()
	if b, ok := g.r.State.Body(meeting.BodyPresidium); ok && len(b.Members) > 0 && g.chance(0.4) {
		actor = g.Ref(b.Members[g.rng.IntN(len(b.Members))].Participant)
	} else if g.chance(0.1) {
		actor = g.Ref(c.Participant) // the author: refused unless of the presidium
	}
	d := map[string]any{"id": g.Ref(c.ID)}
	if it := g.item(0.6); it != "" {
		d["item"] = it
	}
	if g.chance(0.3) {
		d["position"] = 1 + g.rng.IntN(3)
	}
	return actor, d, true
}

func genContributionWithdraw(g *Gen) (string, any, bool) {
	c, ok := one(g, g.contributions())
	if !ok {
		return "", nil, false
	}
	actor := g.Ref(c.Participant)
	if g.chance(0.3) {
		actor = g.staff()
	}
	return actor, map[string]any{"id": g.Ref(c.ID)}, g.chance(0.5)
}
