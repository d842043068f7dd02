package meeting

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func init() {
	// The specification of the live commands' permissions (see
	// expectedAllowed in decide_test.go).
	expectedAllowed["document.present"] = []Role{RoleSecretary, RoleChair}
	expectedAllowed["support.request"] = []Role{RoleSecretary, RoleChair, RoleDelegate, RoleObserver, RoleHall}
	expectedAllowed["support.resolve"] = []Role{RoleSecretary, RoleChair}
}

// sampleLiveCommand returns a command of each live name (see sampleCommand).
func sampleLiveCommand(name string) Command {
	switch name {
	case "document.present":
		return &PresentDocument{DocumentID: "d11", Version: 1, Page: 1}
	case "support.request":
		return &RequestSupport{Message: "Micro không hoạt động"}
	case "support.resolve":
		return &ResolveSupport{ID: "h11"}
	}
	if c := sampleRecordCommand(name); c != nil {
		return c
	}
	return samplePaperCommand(name)
}

// liveCases are the TestDecide cases of presentations and support requests.
// opened(): next seq 11.
func liveCases() []decideCase {
	staff := Audience{Roles: []Role{RoleSecretary, RoleChair}}
	readers := func(ids ...string) Audience { return Audience{Roles: staff.Roles, Participants: ids} }
	delegates := DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessDelegates}
	named := DocumentSpec{Title: "Báo cáo mật", Access: AccessNamed, Readers: []string{"p6"}}
	public := DocumentSpec{Title: "Chương trình", Access: AccessPublic}
	// withDocs: d11 (delegates), d12 (named, p6), d13 (public), d14 (draft);
	// next seq 15.
	withDocs := func(more ...Command) []Command {
		return cat(opened(), cmds(addDoc(delegates, true), addDoc(named, true), addDoc(public, true), addDoc(public, false)), more)
	}
	present := func(id string, version, page int) *PresentDocument {
		return &PresentDocument{DocumentID: id, Version: version, Page: page}
	}
	shown := func(id string, version, page int) Presentation {
		return Presentation{DocumentID: id, Version: version, Page: page}
	}
	stop := Presentation{}
	var cases []decideCase
	add := func(c ...decideCase) { cases = append(cases, c...) }

	// ---- document.present ----
	add(
		decideCase{name: "document.present/accepted, to the document's audience", given: withDocs(), when: present("d11", 1, 1),
			want: []wantEvent{{Type: EventDocumentPresented, Audience: delegatesAudience, Data: shown("d11", 1, 1)}}},
		decideCase{name: "document.present/accepted by chair, public: everyone", given: withDocs(), actor: asChair, when: present("d13", 1, 3),
			want: []wantEvent{{Type: EventDocumentPresented, Data: shown("d13", 1, 3)}}},
		decideCase{name: "document.present/accepted, confidential: staff and readers", given: withDocs(), when: present("d12", 1, 2),
			want: []wantEvent{{Type: EventDocumentPresented, Audience: readers("p6"), Data: shown("d12", 1, 2)}}},
		decideCase{name: "document.present/accepted, version 0 is the latest", given: withDocs(&AddVersion{ID: "d11", File: pdfV2}), when: present("d11", 0, 1),
			want: []wantEvent{{Type: EventDocumentPresented, Audience: delegatesAudience, Data: shown("d11", 2, 1)}}},
		decideCase{name: "document.present/accepted, an older version", given: withDocs(&AddVersion{ID: "d11", File: pdfV2}), when: present("d11", 1, 1),
			want: []wantEvent{{Type: EventDocumentPresented, Audience: delegatesAudience, Data: shown("d11", 1, 1)}}},
		decideCase{name: "document.present/accepted, a page flip is one event", given: withDocs(present("d11", 1, 1)), when: present("d11", 1, 2),
			want: []wantEvent{{Type: EventDocumentPresented, Audience: delegatesAudience, Data: shown("d11", 1, 2)}}},
		decideCase{name: "document.present/accepted, last page allowed", given: withDocs(), when: present("d11", 1, MaxPage),
			want: []wantEvent{{Type: EventDocumentPresented, Audience: delegatesAudience, Data: shown("d11", 1, MaxPage)}}},
		decideCase{name: "document.present/accepted, narrower document: stopped for the old audience first", given: withDocs(present("d13", 1, 4)), when: present("d12", 1, 1),
			want: []wantEvent{
				{Type: EventDocumentPresented, Data: stop},
				{Type: EventDocumentPresented, Audience: readers("p6"), Data: shown("d12", 1, 1)},
			}},
		decideCase{name: "document.present/accepted, wider document: no stop", given: withDocs(present("d12", 1, 4)), when: present("d13", 1, 1),
			want: []wantEvent{{Type: EventDocumentPresented, Data: shown("d13", 1, 1)}}},
		decideCase{name: "document.present/accepted, stop, to the audience that saw it", given: withDocs(present("d12", 1, 4)), when: present("", 0, 0),
			want: []wantEvent{{Type: EventDocumentPresented, Audience: readers("p6"), Data: stop}}},
		decideCase{name: "document.present/accepted while paused", given: withDocs(&PauseMeeting{}), when: present("d11", 1, 1),
			want: []wantEvent{{Type: EventDocumentPresented, Audience: delegatesAudience, Data: shown("d11", 1, 1)}}},

		decideCase{name: "document.present/unknown document", given: withDocs(), when: present("d99", 1, 1), err: KindNotFound},
		decideCase{name: "document.present/draft document", given: withDocs(), when: present("d14", 1, 1), err: KindConflict},
		decideCase{name: "document.present/withdrawn document", given: withDocs(&WithdrawDocument{ID: "d11"}), when: present("d11", 1, 1), err: KindConflict},
		decideCase{name: "document.present/unknown version", given: withDocs(), when: present("d11", 2, 1), err: KindNotFound, probs: []Problem{{Field: "version"}}},
		decideCase{name: "document.present/negative version", given: withDocs(), when: present("d11", -1, 1), err: KindNotFound, probs: []Problem{{Field: "version"}}},
		decideCase{name: "document.present/page 0", given: withDocs(), when: present("d11", 1, 0), err: KindInvalid, probs: []Problem{{Field: "page"}}},
		decideCase{name: "document.present/page negative", given: withDocs(), when: present("d11", 1, -3), err: KindInvalid, probs: []Problem{{Field: "page"}}},
		decideCase{name: "document.present/page too large", given: withDocs(), when: present("d11", 1, MaxPage+1), err: KindInvalid, probs: []Problem{{Field: "page"}}},
		decideCase{name: "document.present/same page again", given: withDocs(present("d11", 1, 2)), when: present("d11", 1, 2), err: KindConflict},
		decideCase{name: "document.present/stop when nothing is shown", given: withDocs(), when: present("", 0, 0), err: KindConflict},
		decideCase{name: "document.present/stop twice", given: withDocs(present("d11", 1, 2), present("", 0, 0)), when: present("", 0, 0), err: KindConflict},
	)

	// ---- changes of the presented document ---- (withDocs + present: next seq 16)
	add(
		decideCase{name: "document.withdraw/accepted, presented: stopped for the readers first", given: withDocs(present("d11", 1, 5)), when: &WithdrawDocument{ID: "d11"},
			want: []wantEvent{
				{Type: EventDocumentPresented, Audience: delegatesAudience, Data: stop},
				{Type: EventDocumentUpdated, Audience: staff, Data: docAt(func(d *Document) { d.Status, d.Rev = DocumentWithdrawn, 16 })},
				{Type: EventDocumentRevoked, Audience: delegatesAudience, Data: DocumentRevoked{ID: "d11", Rev: 16}},
			}},
		decideCase{name: "document.update/accepted, presented and widened: shown again to the new audience", given: withDocs(present("d11", 1, 5)),
			when: &UpdateDocument{ID: "d11", DocumentSpec: DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessPublic}},
			want: []wantEvent{
				{Type: EventDocumentUpdated, Data: docAt(func(d *Document) { d.Access, d.Rev = AccessPublic, 16 })},
				{Type: EventDocumentPresented, Data: shown("d11", 1, 5)},
			}},
		decideCase{name: "document.update/accepted, presented, audience unchanged: nothing more", given: withDocs(present("d11", 1, 5)),
			when: &UpdateDocument{ID: "d11", DocumentSpec: DocumentSpec{Title: "Báo cáo (sửa)", Access: AccessDelegates}},
			want: []wantEvent{{Type: EventDocumentUpdated, Audience: delegatesAudience, Data: docAt(func(d *Document) { d.Title, d.Rev = "Báo cáo (sửa)", 16 })}}},
		decideCase{name: "document.update/accepted, another document presented: nothing more", given: withDocs(present("d13", 1, 5)), when: &WithdrawDocument{ID: "d11"},
			want: []wantEvent{
				{Type: EventDocumentUpdated, Audience: staff, Data: docAt(func(d *Document) { d.Status, d.Rev = DocumentWithdrawn, 16 })},
				{Type: EventDocumentRevoked, Audience: delegatesAudience, Data: DocumentRevoked{ID: "d11", Rev: 16}},
			}},
	)

	// ---- support.request, support.resolve ---- (opened: next seq 11)
	req := func(p, msg string) SupportRequested { return SupportRequested{ID: "h11", Participant: p, Message: msg} }
	asp := func(id string, r Role) Actor { return Actor{ID: "participant:" + id, Role: r, Participant: id} }
	threeOpen := cat(opened(), cmds(
		by(asDelegate, &RequestSupport{Message: "Một"}), // h11
		by(asDelegate, &RequestSupport{Message: "Hai"}), // h12
		by(asDelegate, &RequestSupport{Message: "Ba"}),  // h13
		by(asObserver, &RequestSupport{Message: "Bốn"}), // h14
	))
	add(
		decideCase{name: "support.request/accepted from a delegate, staff and requester", given: opened(), actor: asDelegate, when: &RequestSupport{Message: "  Micro không hoạt động "},
			want: []wantEvent{{Type: EventSupportRequested, Audience: readers("p6"), Data: req("p6", "Micro không hoạt động")}}},
		decideCase{name: "support.request/accepted without a message, from an observer", given: opened(), actor: asObserver, when: &RequestSupport{},
			want: []wantEvent{{Type: EventSupportRequested, Audience: readers("p8"), Data: req("p8", "")}}},
		decideCase{name: "support.request/accepted from the hall screen", given: opened(), actor: asHall, when: &RequestSupport{Message: "Mất hình"},
			want: []wantEvent{{Type: EventSupportRequested, Audience: readers("p9"), Data: req("p9", "Mất hình")}}},
		decideCase{name: "support.request/accepted from the chair's tablet", given: opened(), actor: asChair, when: &RequestSupport{Message: strings.Repeat("ệ", MaxSupportMessage)},
			want: []wantEvent{{Type: EventSupportRequested, Audience: readers("p5"), Data: req("p5", strings.Repeat("ệ", MaxSupportMessage))}}},
		decideCase{name: "support.request/accepted from a secretary's tablet", given: cat(opened(), cmds(&AddParticipant{NewParticipant{Name: "Thư ký Hội nghị", Role: RoleSecretary}})),
			actor: asp("p11", RoleSecretary), when: &RequestSupport{Message: "Máy tính bảng chậm"},
			want: []wantEvent{{Type: EventSupportRequested, Audience: readers("p11"), Data: SupportRequested{ID: "h12", Participant: "p11", Message: "Máy tính bảng chậm"}}}},
		decideCase{name: "support.request/accepted in a draft meeting", given: base(), actor: asDelegate, when: &RequestSupport{Message: "Chưa đăng nhập được"},
			want: []wantEvent{{Type: EventSupportRequested, Audience: readers("p6"), Data: SupportRequested{ID: "h10", Participant: "p6", Message: "Chưa đăng nhập được"}}}},
		decideCase{name: "support.request/accepted again once one is resolved", given: cat(threeOpen, cmds(&ResolveSupport{ID: "h12"})), actor: asDelegate, when: &RequestSupport{},
			want: []wantEvent{{Type: EventSupportRequested, Audience: readers("p6"), Data: SupportRequested{ID: "h16", Participant: "p6"}}}},
		decideCase{name: "support.request/another participant is not limited by p6's", given: threeOpen, actor: asp("p7", RoleDelegate), when: &RequestSupport{},
			want: []wantEvent{{Type: EventSupportRequested, Audience: readers("p7"), Data: SupportRequested{ID: "h15", Participant: "p7"}}}},

		decideCase{name: "support.request/secretary account without a device", given: opened(), when: &RequestSupport{Message: "A"}, err: KindForbidden},
		decideCase{name: "support.request/removed participant", given: cat(opened(), cmds(&RemoveParticipant{ID: "p7"})), actor: asp("p7", RoleDelegate), when: &RequestSupport{}, err: KindNotFound},
		decideCase{name: "support.request/message too long", given: opened(), actor: asDelegate, when: &RequestSupport{Message: strings.Repeat("ệ", MaxSupportMessage+1)}, err: KindInvalid, probs: []Problem{{Field: "message"}}},
		decideCase{name: "support.request/message with a control character", given: opened(), actor: asDelegate, when: &RequestSupport{Message: "Lỗi\x1b[2J"}, err: KindInvalid, probs: []Problem{{Field: "message"}}},
		decideCase{name: "support.request/message not UTF-8", given: opened(), actor: asDelegate, when: &RequestSupport{Message: "Lỗi \xff"}, err: KindInvalid, probs: []Problem{{Field: "message"}}},
		decideCase{name: "support.request/too many open requests", given: threeOpen, actor: asDelegate, when: &RequestSupport{}, err: KindConflict},

		decideCase{name: "support.resolve/accepted, staff and requester", given: threeOpen, when: &ResolveSupport{ID: "h12"},
			want: []wantEvent{{Type: EventSupportResolved, Audience: readers("p6"), Data: SupportRef{ID: "h12"}}}},
		decideCase{name: "support.resolve/accepted by chair", given: threeOpen, actor: asChair, when: &ResolveSupport{ID: "h14"},
			want: []wantEvent{{Type: EventSupportResolved, Audience: readers("p8"), Data: SupportRef{ID: "h14"}}}},
		decideCase{name: "support.resolve/unknown request", given: threeOpen, when: &ResolveSupport{ID: "h99"}, err: KindNotFound},
		decideCase{name: "support.resolve/not a support request", given: threeOpen, when: &ResolveSupport{ID: "p6"}, err: KindNotFound},
		decideCase{name: "support.resolve/empty id", given: threeOpen, when: &ResolveSupport{}, err: KindNotFound},
		decideCase{name: "support.resolve/already resolved", given: cat(threeOpen, cmds(&ResolveSupport{ID: "h12"})), when: &ResolveSupport{ID: "h12"}, err: KindConflict},
	)
	return cases
}

func TestSupportTooManyInMeeting(t *testing.T) {
	s := given(t, opened()...)
	// Fill the meeting with resolved requests directly (a state no test
	// needs to build through 10,000 commands).
	for i := range MaxSupportRequests {
		s.Support = append(s.Support, SupportRequest{ID: fmt.Sprintf("x%d", i), Participant: "p7", Resolved: true})
	}
	_, err := Decide(s, asDelegate, &RequestSupport{}, t0)
	if KindOf(err) != KindConflict {
		t.Errorf("Decide(support.request) on a full meeting = %v; want conflict", err)
	}
}

func TestApplySupportAndPresentation(t *testing.T) {
	s, log := givenLog(t, cat(opened(), cmds(
		addDoc(DocumentSpec{Title: "Báo cáo", Access: AccessDelegates}, true), // d11
		&PresentDocument{DocumentID: "d11", Version: 1, Page: 3},              // 12
		by(asDelegate, &RequestSupport{Message: "Micro"}),                     // h13
		&ResolveSupport{ID: "h13"},                                            // 14
	))...)
	if want := (&Presentation{DocumentID: "d11", Version: 1, Page: 3}); !reflect.DeepEqual(s.Presentation, want) {
		t.Errorf("Presentation = %+v; want %+v", s.Presentation, want)
	}
	want := []SupportRequest{{ID: "h13", Participant: "p6", Message: "Micro", At: log[12].At, Resolved: true, ResolvedAt: log[13].At, ResolvedBy: asSecretary.ID}}
	if diff := cmp.Diff(want, s.Support); diff != "" {
		t.Errorf("Support (-want +got):\n%s", diff)
	}
	if _, err := runOn(s, &PresentDocument{}); err != nil {
		t.Fatal(err)
	}
	if s.Presentation != nil {
		t.Errorf("after stopping, Presentation = %+v; want nil", s.Presentation)
	}
	c := s.Clone()
	c.Support[0].Message = "changed"
	if s.Support[0].Message != "Micro" {
		t.Errorf("Clone shares the support requests")
	}
}

// TestViewLive checks what each viewer sees of a presentation and of the
// support requests.
func TestViewLive(t *testing.T) {
	s := given(t, cat(opened(), cmds(
		addDoc(DocumentSpec{Title: "Mật", Access: AccessNamed, Readers: []string{"p6"}}, true), // d11
		&PresentDocument{DocumentID: "d11", Version: 1, Page: 2},
		by(asDelegate, &RequestSupport{Message: "Micro"}),      // h13
		by(asHall, &RequestSupport{Message: "Mất hình"}),       // h14
		by(asObserver, &RequestSupport{Message: "Không nghe"}), // h15
	))...)
	support := func(st *State) []string {
		ids := []string{}
		for _, r := range st.Support {
			ids = append(ids, r.ID)
		}
		return ids
	}
	tests := []struct {
		v         Viewer
		presented bool
		support   []string
		personal  bool
	}{
		{viewSecretary, true, []string{"h13", "h14", "h15"}, false},
		{viewChair, true, []string{"h13", "h14", "h15"}, false},
		{viewDelegate, true, []string{"h13"}, true},
		{viewOther, false, []string{}, false},
		{viewObserver, false, []string{"h15"}, true},
		{viewHall, false, []string{"h14"}, true},
		{Viewer{Role: RoleDelegate}, false, []string{}, false},
	}
	before := s.Clone()
	for _, tt := range tests {
		got := View(s, tt.v)
		if (got.Presentation != nil) != tt.presented {
			t.Errorf("View(%+v).Presentation = %+v; want shown = %v", tt.v, got.Presentation, tt.presented)
		}
		if ids := support(got); !slices.Equal(ids, tt.support) {
			t.Errorf("View(%+v).Support = %v; want %v", tt.v, ids, tt.support)
		}
		if p := Personal(s, tt.v); p != (tt.personal || LeanViewer(tt.v)) {
			t.Errorf("Personal(%+v) = %v; want %v", tt.v, p, tt.personal)
		}
	}
	if diff := cmp.Diff(before, s); diff != "" {
		t.Errorf("View changed the state (-before +after):\n%s", diff)
	}
}

// TestLiveViewEqualsFilteredReplica is TestViewEqualsFilteredReplica for
// the live features mixed with document changes: after every step, every
// viewer's replica (folding its events or their placeholders) equals
// View(server).
func TestLiveViewEqualsFilteredReplica(t *testing.T) {
	seen := map[string]int{}
	shownTo := map[bool]int{} // steps after which a non-staff viewer sees (true) or does not see (false) a presentation the server has
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		r := rand.New(rand.NewPCG(seed, 7))
		f := newFleet()
		server := f.server
		step := func(k int, a Actor, c Command) {
			t.Helper()
			events, err := Decide(server, a, c, nowAt(server))
			if err != nil {
				return
			}
			where := fmt.Sprintf("seed %d step %d (%s %s)", seed, k, a.Role, c.Name())
			for _, e := range events {
				seen[e.Type]++
				f.apply(t, where, e)
			}
			f.check(t, where, func(v Viewer, view *State) {
				if server.Presentation != nil && !v.Role.Staff() {
					shownTo[view.Presentation != nil]++
				}
			})
		}
		for k, c := range opened() {
			step(k, defaultActor(c), c)
		}
		for k := range 1000 {
			var a Actor
			var c Command
			if r.IntN(2) == 0 {
				a, c = randomDocumentCommand(r, server)
			} else {
				a, c = randomLiveCommand(r, server)
			}
			step(k, a, c)
		}
	}
	for _, typ := range []string{EventDocumentPresented, EventSupportRequested, EventSupportResolved, EventDocumentRevoked} {
		if seen[typ] < 5 {
			t.Errorf("%d %s events in the run; want more", seen[typ], typ)
		}
	}
	if shownTo[true] == 0 || shownTo[false] == 0 {
		t.Errorf("presentations seen %d times and hidden %d times from non-staff viewers; want some of each", shownTo[true], shownTo[false])
	}
	t.Logf("events: %v; presentation shown/hidden to non-staff: %v", seen, shownTo)
}

func randomLiveCommand(r *rand.Rand, s *State) (Actor, Command) {
	actors := []Actor{asSecretary, asChair, asDelegate, {ID: "participant:p7", Role: RoleDelegate, Participant: "p7"}, asObserver, asHall}
	a := actors[r.IntN(len(actors))]
	switch k := r.IntN(100); {
	case k < 45:
		id := "d999"
		if len(s.Documents) > 0 && r.IntN(10) > 0 {
			id = s.Documents[r.IntN(len(s.Documents))].ID
		}
		if r.IntN(8) == 0 {
			id = ""
		}
		return []Actor{asSecretary, asChair}[r.IntN(2)], &PresentDocument{DocumentID: id, Version: r.IntN(3), Page: 1 + r.IntN(4)}
	case k < 75:
		return a, &RequestSupport{Message: []string{"", "Micro", "Mất mạng"}[r.IntN(3)]}
	default:
		id := "h999"
		if len(s.Support) > 0 {
			id = s.Support[r.IntN(len(s.Support))].ID
		}
		return []Actor{asSecretary, asChair, asDelegate}[r.IntN(3)], &ResolveSupport{ID: id}
	}
}
