package meeting

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// floorViewers are the viewers of the floor's property tests: the fixture's
// viewers, the drafting team's p11 (a reader of d14), p12 (made a reader
// along the way) and p13 (a delegate who is never a reader).
var floorViewers = append(slices.Clone(allViewers),
	Viewer{Participant: "p11", Role: RoleDelegate},
	Viewer{Participant: "p12", Role: RoleDelegate},
	Viewer{Participant: "p13", Role: RoleDelegate})

// countOpinions recounts the opinions of draft d of s by section, from the
// opinions themselves.
func countOpinions(s *State, d string) map[string]SectionCount {
	out := map[string]SectionCount{}
	for _, o := range s.Opinions(d) {
		c := out[o.Section]
		c.Section = o.Section
		c.add(o.Kind, 1)
		out[o.Section] = c
	}
	return out
}

// checkCounts fails unless every public count of every draft of s (the
// server's state) equals the count of the raw opinions, and every section
// with opinions has its count.
func checkCounts(t *testing.T, where string, s *State) {
	t.Helper()
	if s.Floor == nil {
		return
	}
	for _, d := range s.Floor.Drafts {
		raw := countOpinions(s, d.Document)
		for _, c := range d.Counts {
			r := raw[c.Section]
			r.Section = c.Section
			if c != r {
				t.Fatalf("%s: draft %s section %q: public count %+v; the opinions count %+v", where, d.Document, c.Section, c, r)
			}
		}
		for sec, r := range raw {
			if d.Count(sec) != r {
				t.Fatalf("%s: draft %s section %q: %d opinions but the public count is %+v", where, d.Document, sec, r.Total(), d.Count(sec))
			}
		}
	}
}

// TestFloorViewEqualsFilteredReplica is the invariant the tablets rely on,
// for the floor: a replica folding what a viewer receives (each event, or
// its placeholder outside the event's audience) equals the server's View
// for that viewer after every step, through random opinions, edits,
// withdrawals, new readers, anonymous drafts and new versions. After every
// step, too, the public counts equal the raw opinions.
func TestFloorViewEqualsFilteredReplica(t *testing.T) {
	people := []string{"p5", "p6", "p7", "p11", "p12", "p13", "p9", "p99"}
	sections := []string{"", "m1", "m2", "m3", "m4", "m5", "m9"}
	kinds := []OpinionKind{OpinionAgree, OpinionDisagree, OpinionPartial, "maybe"}
	texts := []string{"", "Nhất trí.", "Đề nghị bổ sung: “chuyển đổi số”.", "Chưa rõ."}
	seen := map[string]int{}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 2026))
			server := &State{ID: "m1"}
			replicas := make([]*State, len(floorViewers))
			for i := range replicas {
				replicas[i] = NewReplica(floorViewers[i])
			}
			hidden := 0
			step := func(k int, a Actor, c Command) {
				t.Helper()
				events, err := Decide(server, a, c, nowAt(server))
				if err != nil {
					seen["refused "+c.Name()]++
					return
				}
				for _, e := range events {
					seen[e.Type]++
					if err := Apply(server, e); err != nil {
						t.Fatalf("step %d: server Apply(%s) = %v", k, e.Type, err)
					}
					for i, v := range floorViewers {
						got := e.For(v, server)
						if !e.Audience.Includes(v) {
							hidden++
						}
						if err := Apply(replicas[i], got); err != nil {
							t.Fatalf("step %d: replica of %+v: Apply(%s) = %v", k, v, got.Type, err)
						}
					}
				}
				checkCounts(t, fmt.Sprintf("step %d (%s)", k, c.Name()), server)
				for i, v := range floorViewers {
					if view := View(server, v); !reflect.DeepEqual(view, replicas[i]) {
						t.Fatalf("step %d (%s %s): replica of %+v differs from View (-view +replica):\n%s", k, a.Role, c.Name(), v, cmp.Diff(view, replicas[i]))
					}
				}
			}
			for k, c := range congress() {
				step(k, defaultActor(c), c)
			}
			// A second document, opened later as an anonymous draft.
			step(-1, asUploader, &AddDocument{DocumentSpec: DocumentSpec{Title: "Dự thảo Điều lệ (sửa đổi)", Access: AccessPublic}, Publish: true, File: pdfV1})
			anon := server.Documents[len(server.Documents)-1].ID
			version := 1
			const steps = 800
			for k := range steps {
				p := people[r.IntN(len(people))]
				role := RoleDelegate
				switch p {
				case "p5":
					role = RoleChair
				case "p9":
					role = RoleHall
				}
				doc := "d14"
				if r.IntN(4) == 0 {
					doc = anon
				}
				switch n := r.IntN(100); {
				case n < 60:
					step(k, asParticipant(p, role), &GiveOpinion{Draft: doc, Section: sections[r.IntN(len(sections))], Kind: kinds[r.IntN(len(kinds))],
						Text: texts[r.IntN(len(texts))], Key: fmt.Sprintf("k%d", r.IntN(40))})
				case n < 75:
					step(k, asParticipant(p, role), &WithdrawOpinion{Draft: doc, Section: sections[r.IntN(len(sections))]})
				case n < 78:
					step(k, asSecretary, &UpdateDraft{Document: "d14", AddReaders: []string{people[r.IntN(len(people))]}})
				case n < 80 && server.draftIndex(anon) < 0:
					step(k, asSecretary, &OpenDraft{Document: anon, Sections: draftSections, Deadline: t0.Add(48 * time.Hour), Readers: []string{"p11"}, Anonymous: true})
				case n < 84:
					// A new version: sections dropped, added, brought back.
					version++
					step(k, asUploader, &AddVersion{ID: "d14", File: File{SHA256: strings.Repeat(fmt.Sprintf("%02x", version%256), 32), Size: int64(1000 + version), ContentType: docx.ContentType, Name: "v.docx"}})
					var next []Section
					for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
						if r.IntN(3) > 0 {
							next = append(next, Section{ID: id, Title: "Phần " + id, Level: 2})
						}
					}
					step(k, asSecretary, &ReviseDraft{Document: "d14", Sections: next})
				default:
					step(k, asParticipant(p, role), &GiveOpinion{Draft: doc, Section: "m1", Kind: OpinionAgree, Key: fmt.Sprintf("k%d", r.IntN(40))})
				}
			}
			step(-1, asSecretary, &UpdateDraft{Document: "d14", Close: true})
			if hidden == 0 {
				t.Errorf("no event was hidden from anyone; the property is not exercised")
			}
		})
	}
	for _, typ := range []string{EventOpinionGiven, EventOpinionWithdrawn, EventOpinionTallied, EventOpinionDisclosed, EventDraftRevised, EventDraftUpdated,
		"refused opinion.give", "refused opinion.withdraw"} {
		if seen[typ] == 0 {
			t.Errorf("no %s in the runs; want some", typ)
		}
	}
	t.Logf("events and refusals by type: %v", seen)
}

// TestFloorWhoSeesWhat checks the view of each kind of viewer by hand.
func TestFloorWhoSeesWhat(t *testing.T) {
	s := given(t, cat(congress(), cmds(
		give("p6", "m1", OpinionAgree, "", "a"),
		give("p7", "m1", OpinionDisagree, "Lý do.", "b"),
		give("p13", "", OpinionPartial, "Sửa tên.", "c"),
	))...)
	ids := func(v Viewer) []string {
		var out []string
		if f := View(s, v).Floor; f != nil {
			for _, o := range f.Opinions {
				out = append(out, o.Participant)
			}
		}
		return out
	}
	tests := []struct {
		v    Viewer
		want []string
	}{
		{viewSecretary, []string{"p6", "p7", "p13"}},
		{viewChair, []string{"p6", "p7", "p13"}},
		{Viewer{Participant: "p11", Role: RoleDelegate}, []string{"p6", "p7", "p13"}}, // the drafting team
		{viewDelegate, []string{"p6"}},
		{viewOther, []string{"p7"}},
		{Viewer{Participant: "p12", Role: RoleDelegate}, nil},
		{viewHall, nil},
		{viewObserver, nil},
	}
	for _, tt := range tests {
		if got := ids(tt.v); !slices.Equal(got, tt.want) {
			t.Errorf("View(s, %+v): opinions of %v; want %v", tt.v, got, tt.want)
		}
		d, _ := View(s, tt.v).Draft("d14")
		if c := d.Count("m1"); c.Agree != 1 || c.Disagree != 1 {
			t.Errorf("View(s, %+v): counts of m1 = %+v; want 1 agree, 1 disagree (counts are for everyone)", tt.v, c)
		}
	}
	// Every delegate's view is personal (the lean view lists them); the
	// floor's part is personal to an author and a reader, not to another.
	if !personalFloor(s, viewDelegate) || !personalFloor(s, Viewer{Participant: "p11", Role: RoleDelegate}) || personalFloor(s, Viewer{Participant: "p12", Role: RoleDelegate}) {
		t.Errorf("personalFloor: an author and a reader have personal views, another delegate not")
	}
}

// TestFloorRevisionMovesAndFlags: a new version keeps the opinions on the
// sections that remain (under their IDs, wherever they moved), flags those
// on sections dropped, and unflags them when a later version brings the
// section back; the counts follow the opinions.
func TestFloorRevisionMovesAndFlags(t *testing.T) {
	v2 := File{SHA256: strings.Repeat("d4", 32), Size: 9300, ContentType: docx.ContentType, Name: "v2.docx"}
	v3 := File{SHA256: strings.Repeat("e5", 32), Size: 9400, ContentType: docx.ContentType, Name: "v3.docx"}
	s := given(t, cat(congress(), cmds(
		give("p6", "m1", OpinionAgree, "", "a"),
		give("p6", "m3", OpinionPartial, "Thêm “du lịch”.", "b"),
		give("p7", "m3", OpinionDisagree, "Trùng lặp.", "c"),
		give("p7", "", OpinionAgree, "", "d"),
		by(asUploader, &AddVersion{ID: "d14", File: v2}),
		// m3 is dropped; m2 moves to the end; a new m4 comes first.
		&ReviseDraft{Document: "d14", Sections: []Section{{ID: "m4", Title: "Về khoa học", Level: 2}, draftSections[0], draftSections[1]}},
	))...)
	flagged := func(s *State) map[string]int {
		out := map[string]int{}
		for _, o := range s.Opinions("d14") {
			out[o.Participant+"/"+o.Section] = o.Flagged
		}
		return out
	}
	want := map[string]int{"p6/m1": 0, "p6/m3": 2, "p7/m3": 2, "p7/": 0}
	if got := flagged(s); !cmp.Equal(got, want) {
		t.Errorf("after version 2: flags %v; want %v", got, want)
	}
	d, _ := s.Draft("d14")
	if d.Version != 2 || len(d.Versions) != 1 || d.Count("m3").Total() != 2 || d.Count("m1").Agree != 1 {
		t.Errorf("after version 2: draft version %d, revisions %v, m3 %+v, m1 %+v; want 2, one revision, 2 flagged opinions kept, m1 kept", d.Version, d.Versions, d.Count("m3"), d.Count("m1"))
	}
	checkCounts(t, "version 2", s)
	// A flagged opinion cannot be edited (its section is gone) but can be withdrawn.
	if _, err := Decide(s, asParticipant("p6", RoleDelegate), &GiveOpinion{Draft: "d14", Section: "m3", Kind: OpinionAgree, Key: "x"}, nowAt(s)); KindOf(err) != KindNotFound {
		t.Errorf("editing an opinion on a dropped section = %v; want not_found", err)
	}
	if _, err := runOn(s, by(asParticipant("p7", RoleDelegate), &WithdrawOpinion{Draft: "d14", Section: "m3"})); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, "withdrawn", s)
	// Version 3 brings m3 back.
	if _, err := runOn(s, by(asUploader, &AddVersion{ID: "d14", File: v3}), &ReviseDraft{Document: "d14", Sections: draftSections}); err != nil {
		t.Fatal(err)
	}
	want = map[string]int{"p6/m1": 0, "p6/m3": 0, "p7/": 0}
	if got := flagged(s); !cmp.Equal(got, want) {
		t.Errorf("after version 3: flags %v; want %v", got, want)
	}
	checkCounts(t, "version 3", s)
}

// TestFloorSittingHasTheCongressIDs: a sitting's participants are the tổ's
// members under the congress's IDs, with the officers' roles, and its
// membership cannot change there.
func TestFloorSittingHasTheCongressIDs(t *testing.T) {
	s := given(t, sittingLog()...)
	var got []string
	for _, p := range s.Participants {
		got = append(got, p.ID+":"+string(p.Role))
	}
	if want := []string{"p6:chair", "p7:secretary", "p11:delegate"}; !slices.Equal(got, want) {
		t.Errorf("participants of the sitting = %v; want %v", got, want)
	}
	l, ok := s.Linked()
	if !ok || l.Parent != "c1" || l.Group != "g16" || l.Name != "Tổ 1" {
		t.Errorf("Linked() = %+v, %v; want the congress c1, tổ g16", l, ok)
	}
	for _, c := range []Command{
		&AddParticipant{NewParticipant{Name: "Người ngoài"}},
		&ImportParticipants{Rows: []NewParticipant{{Name: "Người ngoài"}}},
		&UpdateParticipant{ID: "p11", NewParticipant: NewParticipant{Name: "Đỗ Thị Hoa", Role: RoleChair}},
		&RemoveParticipant{ID: "p11"},
	} {
		if _, err := Decide(s, asSecretary, c, nowAt(s)); KindOf(err) != KindConflict {
			t.Errorf("Decide(%s) in a sitting = %v; want conflict", c.Name(), err)
		}
	}
	// A speaker list of its own works as in any meeting.
	if _, err := runOn(s, &AddItem{Title: "Thảo luận các dự thảo"}, &OpenMeeting{}, &AdvanceAgenda{},
		by(asParticipant("p11", RoleDelegate), &RequestFloor{}), by(asParticipant("p6", RoleChair), &GiveFloor{})); err != nil {
		t.Fatal(err)
	}
	if sp, ok := s.Speaking(); !ok || sp.Participant != "p11" {
		t.Errorf("speaking in the sitting = %+v, %v; want p11", sp, ok)
	}
}

// TestFloorContributionStatus follows a contribution from registered to
// spoken, and another that stays registered.
func TestFloorContributionStatus(t *testing.T) {
	s := given(t, cat(congress(), cmds(
		by(asUploaderP6, &RegisterContribution{Participant: "p6", Title: "Về chuyển đổi số", File: docx}),                                                                                                                      // d16 t17
		by(asParticipant("p7", RoleSystem), &RegisterContribution{Participant: "p7", Title: "Về cải cách hành chính", File: File{SHA256: strings.Repeat("f6", 32), Size: 10, ContentType: "application/pdf", Name: "tl.pdf"}}), // d18 t19
		&AdvanceAgenda{},
	))...)
	status := func(id string) ContributionState {
		c, _ := s.Contribution(id)
		st, _ := s.ContributionStatus(c)
		return st
	}
	if status("t17") != ContributionStateRegistered {
		t.Fatalf("t17 = %s; want registered", status("t17"))
	}
	if _, err := runOn(s, &ScheduleContribution{ID: "t17"}); err != nil {
		t.Fatal(err)
	}
	if status("t17") != ContributionStateScheduled {
		t.Errorf("t17 = %s; want scheduled", status("t17"))
	}
	c, _ := s.Contribution("t17")
	if _, err := runOn(s, &GiveFloor{ID: c.Request}, &EndSpeech{}); err != nil {
		t.Fatal(err)
	}
	st, sp := s.ContributionStatus(c)
	if st != ContributionStateSpoken || sp.Participant != "p6" || sp.End.IsZero() || sp.Topic != "Tham luận: Về chuyển đổi số" {
		t.Errorf("t17 = %s, speech %+v; want spoken by p6 with its time and title", st, sp)
	}
	if status("t19") != ContributionStateRegistered {
		t.Errorf("t19 = %s; want registered (sent to the congress, not read)", status("t19"))
	}
	// A request taken off the list brings the contribution back to registered.
	if _, err := runOn(s, &ScheduleContribution{ID: "t19"}); err != nil {
		t.Fatal(err)
	}
	c19, _ := s.Contribution("t19")
	if _, err := runOn(s, &WithdrawRequest{ID: c19.Request}); err != nil {
		t.Fatal(err)
	}
	if status("t19") != ContributionStateRegistered {
		t.Errorf("t19 after its request was withdrawn = %s; want registered", status("t19"))
	}
	// Its text is a confidential document of the author (and the secretariat).
	d, _ := s.Document(c19.Document)
	if !d.CanRead(Viewer{Participant: "p7", Role: RoleDelegate}) || d.CanRead(Viewer{Participant: "p6", Role: RoleDelegate}) || !d.CanRead(viewSecretary) {
		t.Errorf("the text of t19 is readable by %v; want its author and the secretariat only", d.Readers)
	}
}
