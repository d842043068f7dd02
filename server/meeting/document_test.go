package meeting

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// asUploader is how the server gives document.add and document.add_version:
// as the system, under the ID of the secretary who uploaded.
var asUploader = Actor{ID: "account:thuky", Role: RoleSystem}

func init() {
	// The specification of the document commands' permissions (see
	// expectedAllowed in decide_test.go).
	expectedAllowed["document.add"] = []Role{RoleSystem}
	expectedAllowed["document.add_version"] = []Role{RoleSystem}
	expectedAllowed["document.update"] = []Role{RoleSecretary, RoleChair}
	expectedAllowed["document.publish"] = []Role{RoleSecretary, RoleChair}
	expectedAllowed["document.withdraw"] = []Role{RoleSecretary, RoleChair}
	expectedAllowed["document.record_downloads"] = []Role{RoleSystem}
}

// Files as the server would describe uploads.
var (
	pdfV1 = File{SHA256: strings.Repeat("a1", 32), Size: 48213, ContentType: "application/pdf", Name: "Báo cáo kiểm điểm.pdf"}
	pdfV2 = File{SHA256: strings.Repeat("b2", 32), Size: 50110, ContentType: "application/pdf", Name: "Báo cáo kiểm điểm (sửa).pdf"}
	docx  = File{SHA256: strings.Repeat("c3", 32), Size: 9120, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Name: "Dự thảo nghị quyết.docx"}
)

// decideNow is the time TestDecide decides at, in UTC.
var decideNow = time.Date(2025, 12, 15, 2, 30, 0, 0, time.UTC)

// sampleDocumentCommand returns a command of each document name (see
// sampleCommand).
func sampleDocumentCommand(name string) Command {
	switch name {
	case "document.add":
		return &AddDocument{DocumentSpec: DocumentSpec{Title: "Báo cáo", Access: AccessDelegates}, Publish: true, File: pdfV1}
	case "document.add_version":
		return &AddVersion{ID: "d11", File: pdfV2}
	case "document.update":
		return &UpdateDocument{ID: "d11", DocumentSpec: DocumentSpec{Title: "Báo cáo (sửa)", Access: AccessPublic}}
	case "document.publish":
		return &PublishDocument{ID: "d11"}
	case "document.withdraw":
		return &WithdrawDocument{ID: "d11"}
	case "document.record_downloads":
		return &RecordDownloads{Downloads: []Download{{Document: "d11", Version: 1, By: "participant:p6", Participant: "p6"}}}
	}
	if c := sampleMinutesCommand(name); c != nil {
		return c
	}
	return sampleLiveCommand(name)
}

// docAt is the document d11 as added at seq 11 (at t0 + 10 minutes by the
// fixture's clock), changed by f.
func docAt(f func(*Document)) Document {
	at := t0.Add(10 * time.Minute)
	d := Document{ID: "d11", DocumentSpec: DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessDelegates}, Status: DocumentPublished, Rev: 11, CreatedAt: at,
		Versions: []DocumentVersion{{Number: 1, File: pdfV1, At: at, By: asUploader.ID}}}
	f(&d)
	return d
}

func addDoc(spec DocumentSpec, publish bool) Command {
	return &AddDocument{DocumentSpec: spec, Publish: publish, File: pdfV1}
}

var docsAlmostFull = sync.OnceValues(func() (*State, error) {
	c := opened()
	for i := range MaxDocuments - 1 {
		c = append(c, &AddDocument{DocumentSpec: DocumentSpec{Title: fmt.Sprintf("Tài liệu %d", i+1)}, File: pdfV1})
	}
	s, _, err := build(c...)
	return s, err
})

// documentCases are the TestDecide cases of documents. opened(): next seq
// 11, so the first document added is d11.
func documentCases() []decideCase {
	staff := Audience{Roles: []Role{RoleSecretary, RoleChair}}
	readers := func(ids ...string) Audience { return Audience{Roles: staff.Roles, Participants: ids} }
	delegates := DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessDelegates}
	named := DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessNamed, Readers: []string{"p6", "p7"}}
	public := DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessPublic}
	withDoc := func(spec DocumentSpec, publish bool, more ...Command) []Command {
		return cat(opened(), cmds(addDoc(spec, publish)), more)
	}
	v1 := DocumentVersion{Number: 1, File: pdfV1, At: decideNow, By: asUploader.ID}
	var cases []decideCase
	add := func(c ...decideCase) { cases = append(cases, c...) }
	up := asUploader

	// ---- document.add ----
	add(
		decideCase{name: "document.add/accepted as a draft, default access delegates, staff only", given: opened(), actor: up,
			when: &AddDocument{DocumentSpec: DocumentSpec{Title: "  Báo cáo kiểm điểm "}, File: pdfV1},
			want: []wantEvent{{Type: EventDocumentAdded, Audience: staff, Data: Document{ID: "d11", DocumentSpec: delegates, Status: DocumentDraft, Rev: 11, CreatedAt: decideNow,
				Versions: []DocumentVersion{v1}}}}},
		decideCase{name: "document.add/accepted published to everyone", given: opened(), actor: up, when: addDoc(public, true),
			want: []wantEvent{{Type: EventDocumentAdded, Data: Document{ID: "d11", DocumentSpec: public, Status: DocumentPublished, Rev: 11, CreatedAt: decideNow,
				Versions: []DocumentVersion{v1}}}}},
		decideCase{name: "document.add/accepted published to delegates, on an item, with a note", given: opened(), actor: up,
			when: &AddDocument{DocumentSpec: DocumentSpec{Title: "Báo cáo kiểm điểm", Item: "i3", Access: AccessDelegates}, Publish: true, File: pdfV1, Note: " Bản trình hội nghị "},
			want: []wantEvent{{Type: EventDocumentAdded, Audience: delegatesAudience, Data: Document{ID: "d11", DocumentSpec: DocumentSpec{Title: "Báo cáo kiểm điểm", Item: "i3", Access: AccessDelegates},
				Status: DocumentPublished, Rev: 11, CreatedAt: decideNow, Versions: []DocumentVersion{{Number: 1, File: pdfV1, Note: "Bản trình hội nghị", At: decideNow, By: up.ID}}}}}},
		decideCase{name: "document.add/accepted confidential, readers deduplicated, staff and readers only", given: opened(), actor: up,
			when: addDoc(DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessNamed, Readers: []string{"p6", "p7", "p6"}}, true),
			want: []wantEvent{{Type: EventDocumentAdded, Audience: readers("p6", "p7"), Data: Document{ID: "d11", DocumentSpec: named, Status: DocumentPublished, Rev: 11, CreatedAt: decideNow,
				Versions: []DocumentVersion{v1}}}}},
		decideCase{name: "document.add/accepted in a draft meeting", given: base(), actor: up, when: addDoc(public, false),
			want: []wantEvent{{Type: EventDocumentAdded, Audience: staff, Data: Document{ID: "d10", DocumentSpec: public, Status: DocumentDraft, Rev: 10, CreatedAt: decideNow,
				Versions: []DocumentVersion{v1}}}}},
		decideCase{name: "document.add/accepted, last free slot", state: prepared(docsAlmostFull), actor: up, when: addDoc(public, false),
			want: []wantEvent{{Type: EventDocumentAdded, Audience: staff, Data: Document{ID: fmt.Sprintf("d%d", 10+MaxDocuments), DocumentSpec: public, Status: DocumentDraft,
				Rev: 10 + MaxDocuments, CreatedAt: decideNow, Versions: []DocumentVersion{v1}}}}},
		decideCase{name: "document.add/too many documents", state: prepared(docsAlmostFull, addDoc(public, false)), actor: up, when: addDoc(public, false), err: KindConflict},
		decideCase{name: "document.add/title empty", given: opened(), actor: up, when: addDoc(DocumentSpec{Title: " "}, false), err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "document.add/title too long", given: opened(), actor: up, when: addDoc(DocumentSpec{Title: titleTooLong}, false), err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "document.add/unknown item", given: opened(), actor: up, when: addDoc(DocumentSpec{Title: "A", Item: "i99"}, false), err: KindNotFound},
		decideCase{name: "document.add/bad access", given: opened(), actor: up, when: addDoc(DocumentSpec{Title: "A", Access: "secret"}, false), err: KindInvalid, probs: []Problem{{Field: "access"}}},
		decideCase{name: "document.add/readers of a public document", given: opened(), actor: up, when: addDoc(DocumentSpec{Title: "A", Access: AccessPublic, Readers: []string{"p6"}}, false), err: KindInvalid, probs: []Problem{{Field: "readers"}}},
		decideCase{name: "document.add/confidential without readers", given: opened(), actor: up, when: addDoc(DocumentSpec{Title: "A", Access: AccessNamed}, false), err: KindInvalid, probs: []Problem{{Field: "readers"}}},
		decideCase{name: "document.add/unknown reader", given: opened(), actor: up, when: addDoc(DocumentSpec{Title: "A", Access: AccessNamed, Readers: []string{"p6", "p99"}}, false), err: KindNotFound},
		decideCase{name: "document.add/hall screen as reader", given: opened(), actor: up, when: addDoc(DocumentSpec{Title: "A", Access: AccessNamed, Readers: []string{"p9"}}, false), err: KindInvalid, probs: []Problem{{Field: "readers"}}},
		decideCase{name: "document.add/bad digest", given: opened(), actor: up, when: &AddDocument{DocumentSpec: public, File: File{SHA256: "../../etc/passwd", Size: 1, ContentType: "application/pdf", Name: "a.pdf"}}, err: KindInvalid, probs: []Problem{{Field: "file.sha256"}}},
		decideCase{name: "document.add/upper-case digest", given: opened(), actor: up, when: &AddDocument{DocumentSpec: public, File: File{SHA256: strings.Repeat("A1", 32), Size: 1, ContentType: "application/pdf", Name: "a.pdf"}}, err: KindInvalid, probs: []Problem{{Field: "file.sha256"}}},
		decideCase{name: "document.add/empty file", given: opened(), actor: up, when: &AddDocument{DocumentSpec: public, File: File{SHA256: pdfV1.SHA256, ContentType: "application/pdf", Name: "a.pdf"}}, err: KindInvalid, probs: []Problem{{Field: "file.size"}}},
		decideCase{name: "document.add/type not allowed", given: opened(), actor: up, when: &AddDocument{DocumentSpec: public, File: File{SHA256: pdfV1.SHA256, Size: 10, ContentType: "application/x-msdownload", Name: "a.exe"}}, err: KindInvalid, probs: []Problem{{Field: "file.content_type"}}},
		decideCase{name: "document.add/no file name", given: opened(), actor: up, when: &AddDocument{DocumentSpec: public, File: File{SHA256: pdfV1.SHA256, Size: 10, ContentType: "application/pdf"}}, err: KindInvalid, probs: []Problem{{Field: "file.name"}}},
		decideCase{name: "document.add/note too long", given: opened(), actor: up, when: &AddDocument{DocumentSpec: public, File: pdfV1, Note: strings.Repeat("ệ", MaxNote+1)}, err: KindInvalid, probs: []Problem{{Field: "note"}}},
	)

	// ---- document.add_version ---- (withDoc: next seq 12)
	v2 := DocumentVersion{Number: 2, File: pdfV2, Note: "Sửa số liệu", At: decideNow, By: up.ID}
	add(
		decideCase{name: "document.add_version/accepted to the document's audience", given: withDoc(named, true), actor: up, when: &AddVersion{ID: "d11", File: pdfV2, Note: "Sửa số liệu"},
			want: []wantEvent{{Type: EventDocumentVersionAdded, Audience: readers("p6", "p7"), Data: VersionAdded{ID: "d11", Version: v2}}}},
		decideCase{name: "document.add_version/accepted on a draft, staff only", given: withDoc(public, false), actor: up, when: &AddVersion{ID: "d11", File: pdfV2, Note: "Sửa số liệu"},
			want: []wantEvent{{Type: EventDocumentVersionAdded, Audience: staff, Data: VersionAdded{ID: "d11", Version: v2}}}},
		decideCase{name: "document.add_version/accepted, another type", given: withDoc(public, true), actor: up, when: &AddVersion{ID: "d11", File: docx},
			want: []wantEvent{{Type: EventDocumentVersionAdded, Data: VersionAdded{ID: "d11", Version: DocumentVersion{Number: 2, File: docx, At: decideNow, By: up.ID}}}}},
		decideCase{name: "document.add_version/unknown document", given: withDoc(public, true), actor: up, when: &AddVersion{ID: "d99", File: pdfV2}, err: KindNotFound},
		decideCase{name: "document.add_version/identical to the current version", given: withDoc(public, true), actor: up, when: &AddVersion{ID: "d11", File: pdfV1}, err: KindConflict},
		decideCase{name: "document.add_version/withdrawn", given: withDoc(public, true, &WithdrawDocument{ID: "d11"}), actor: up, when: &AddVersion{ID: "d11", File: pdfV2}, err: KindConflict},
		decideCase{name: "document.add_version/bad file", given: withDoc(public, true), actor: up, when: &AddVersion{ID: "d11", File: File{SHA256: "x", Size: 1, ContentType: "application/pdf", Name: "a"}}, err: KindInvalid, probs: []Problem{{Field: "file.sha256"}}},
	)

	// ---- document.update ---- (withDoc: next seq 12)
	add(
		decideCase{name: "document.update/accepted, wider: no revocation", given: withDoc(delegates, true), when: &UpdateDocument{ID: "d11", DocumentSpec: public},
			want: []wantEvent{{Type: EventDocumentUpdated, Data: docAt(func(d *Document) { d.DocumentSpec, d.Rev = public, 12 })}}},
		decideCase{name: "document.update/accepted by chair, public to named: revoked for everyone", given: withDoc(public, true), actor: asChair, when: &UpdateDocument{ID: "d11", DocumentSpec: named},
			want: []wantEvent{
				{Type: EventDocumentUpdated, Audience: readers("p6", "p7"), Data: docAt(func(d *Document) { d.DocumentSpec, d.Rev = named, 12 })},
				{Type: EventDocumentRevoked, Data: DocumentRevoked{ID: "d11", Rev: 12}},
			}},
		decideCase{name: "document.update/accepted, a reader dropped: revoked for the old readers", given: withDoc(named, true),
			when: &UpdateDocument{ID: "d11", DocumentSpec: DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessNamed, Readers: []string{"p6"}}},
			want: []wantEvent{
				{Type: EventDocumentUpdated, Audience: readers("p6"), Data: docAt(func(d *Document) { d.Access, d.Readers, d.Rev = AccessNamed, []string{"p6"}, 12 })},
				{Type: EventDocumentRevoked, Audience: readers("p6", "p7"), Data: DocumentRevoked{ID: "d11", Rev: 12}},
			}},
		decideCase{name: "document.update/accepted, named delegates to delegates: covered, no revocation", given: withDoc(named, true), when: &UpdateDocument{ID: "d11", DocumentSpec: delegates},
			want: []wantEvent{{Type: EventDocumentUpdated, Audience: delegatesAudience, Data: docAt(func(d *Document) { d.Rev = 12 })}}},
		decideCase{name: "document.update/accepted, named observer to delegates: revoked", given: withDoc(DocumentSpec{Title: "Báo cáo kiểm điểm", Access: AccessNamed, Readers: []string{"p8"}}, true),
			when: &UpdateDocument{ID: "d11", DocumentSpec: delegates},
			want: []wantEvent{
				{Type: EventDocumentUpdated, Audience: delegatesAudience, Data: docAt(func(d *Document) { d.Rev = 12 })},
				{Type: EventDocumentRevoked, Audience: readers("p8"), Data: DocumentRevoked{ID: "d11", Rev: 12}},
			}},
		decideCase{name: "document.update/accepted on a draft: staff only, nothing to revoke", given: withDoc(public, false), when: &UpdateDocument{ID: "d11", DocumentSpec: DocumentSpec{Title: "Tên mới", Item: "i2"}},
			want: []wantEvent{{Type: EventDocumentUpdated, Audience: staff, Data: docAt(func(d *Document) {
				d.Title, d.Item, d.Status, d.Rev = "Tên mới", "i2", DocumentDraft, 12
			})}}},
		decideCase{name: "document.update/unchanged", given: withDoc(public, true), when: &UpdateDocument{ID: "d11", DocumentSpec: public}, err: KindConflict},
		decideCase{name: "document.update/unknown document", given: withDoc(public, true), when: &UpdateDocument{ID: "d99", DocumentSpec: public}, err: KindNotFound},
		decideCase{name: "document.update/invalid access", given: withDoc(public, true), when: &UpdateDocument{ID: "d11", DocumentSpec: DocumentSpec{Title: "A", Access: "all"}}, err: KindInvalid, probs: []Problem{{Field: "access"}}},
	)

	// ---- document.publish, document.withdraw ----
	add(
		decideCase{name: "document.publish/accepted, draft to readers", given: withDoc(named, false), when: &PublishDocument{ID: "d11"},
			want: []wantEvent{{Type: EventDocumentUpdated, Audience: readers("p6", "p7"), Data: docAt(func(d *Document) { d.DocumentSpec, d.Rev = named, 12 })}}},
		decideCase{name: "document.publish/accepted again after withdrawal, by chair", given: withDoc(public, true, &WithdrawDocument{ID: "d11"}), actor: asChair, when: &PublishDocument{ID: "d11"},
			want: []wantEvent{{Type: EventDocumentUpdated, Data: docAt(func(d *Document) { d.DocumentSpec, d.Rev = public, 14 })}}},
		decideCase{name: "document.publish/already published", given: withDoc(public, true), when: &PublishDocument{ID: "d11"}, err: KindConflict},
		decideCase{name: "document.publish/unknown document", given: withDoc(public, false), when: &PublishDocument{ID: "x"}, err: KindNotFound},
		decideCase{name: "document.withdraw/accepted: staff only, revoked for the readers", given: withDoc(delegates, true), when: &WithdrawDocument{ID: "d11"},
			want: []wantEvent{
				{Type: EventDocumentUpdated, Audience: staff, Data: docAt(func(d *Document) { d.Status, d.Rev = DocumentWithdrawn, 12 })},
				{Type: EventDocumentRevoked, Audience: delegatesAudience, Data: DocumentRevoked{ID: "d11", Rev: 12}},
			}},
		decideCase{name: "document.withdraw/accepted on a draft: nothing to revoke", given: withDoc(delegates, false), when: &WithdrawDocument{ID: "d11"},
			want: []wantEvent{{Type: EventDocumentUpdated, Audience: staff, Data: docAt(func(d *Document) { d.Status, d.Rev = DocumentWithdrawn, 12 })}}},
		decideCase{name: "document.withdraw/already withdrawn", given: withDoc(public, true, &WithdrawDocument{ID: "d11"}), when: &WithdrawDocument{ID: "d11"}, err: KindConflict},
		decideCase{name: "document.withdraw/unknown document", given: withDoc(public, true), when: &WithdrawDocument{ID: "d12"}, err: KindNotFound},
	)

	// ---- document.record_downloads ----
	dl := Download{Document: "d11", Version: 1, By: "participant:p6", Participant: "p6", Watermarked: true}
	add(
		decideCase{name: "document.record_downloads/accepted, staff only", given: withDoc(named, true), actor: asSystem,
			when: &RecordDownloads{Downloads: []Download{dl, {Document: "d11", Version: 1, By: "account:thuky"}}},
			want: []wantEvent{{Type: EventDocumentDownloaded, Audience: staff, Data: Downloads{Downloads: []Download{dl, {Document: "d11", Version: 1, By: "account:thuky"}}}}}},
		decideCase{name: "document.record_downloads/none", given: withDoc(named, true), actor: asSystem, when: &RecordDownloads{}, err: KindInvalid},
		decideCase{name: "document.record_downloads/too many", given: withDoc(named, true), actor: asSystem, when: &RecordDownloads{Downloads: slices.Repeat([]Download{dl}, MaxDownloads+1)}, err: KindInvalid},
		decideCase{name: "document.record_downloads/unknown document", given: withDoc(named, true), actor: asSystem, when: &RecordDownloads{Downloads: []Download{dl, {Document: "d1", Version: 1, By: "x"}}}, err: KindNotFound},
		decideCase{name: "document.record_downloads/unknown version", given: withDoc(named, true), actor: asSystem, when: &RecordDownloads{Downloads: []Download{{Document: "d11", Version: 2, By: "x"}}}, err: KindNotFound},
		decideCase{name: "document.record_downloads/no actor", given: withDoc(named, true), actor: asSystem, when: &RecordDownloads{Downloads: []Download{{Document: "d11", Version: 1}}}, err: KindInvalid},
	)
	return cases
}

func TestDocumentAudience(t *testing.T) {
	named := Document{DocumentSpec: DocumentSpec{Access: AccessNamed, Readers: []string{"p6"}}, Status: DocumentPublished}
	cases := []struct {
		d    Document
		want []Viewer // who may read, among allViewers
	}{
		{Document{DocumentSpec: DocumentSpec{Access: AccessPublic}, Status: DocumentPublished}, allViewers},
		{Document{DocumentSpec: DocumentSpec{Access: AccessDelegates}, Status: DocumentPublished}, []Viewer{viewSecretary, viewChair, viewDelegate, viewOther}},
		{named, []Viewer{viewSecretary, viewChair, viewDelegate}},
		{Document{DocumentSpec: DocumentSpec{Access: AccessPublic}, Status: DocumentDraft}, []Viewer{viewSecretary, viewChair}},
		{Document{DocumentSpec: DocumentSpec{Access: AccessPublic}, Status: DocumentWithdrawn}, []Viewer{viewSecretary, viewChair}},
	}
	for _, tc := range cases {
		for _, v := range allViewers {
			if got, want := tc.d.CanRead(v), slices.Contains(tc.want, v); got != want {
				t.Errorf("%s %s document: CanRead(%+v) = %v; want %v", tc.d.Status, tc.d.Access, v, got, want)
			}
		}
	}
	if !named.Confidential() || (&Document{DocumentSpec: DocumentSpec{Access: AccessDelegates}}).Confidential() {
		t.Errorf("Confidential() wrong")
	}
	for _, r := range allRoles {
		if got, want := CanManageDocuments(r), r == RoleSecretary || r == RoleChair; got != want {
			t.Errorf("CanManageDocuments(%s) = %v; want %v", r, got, want)
		}
	}
	var d Document
	if _, ok := d.Version(1); ok || d.Latest().Number != 0 {
		t.Errorf("a document without versions has a version")
	}
}

// TestDocumentRevokedDropsOnlyStaleCopies folds document.revoked into a copy
// of the revision it names (kept) and of an older one (dropped).
func TestDocumentRevokedDropsOnlyStaleCopies(t *testing.T) {
	s, log := givenLog(t, cat(opened(), cmds(
		addDoc(DocumentSpec{Title: "Mật", Access: AccessNamed, Readers: []string{"p6", "p7"}}, true),
		&UpdateDocument{ID: "d11", DocumentSpec: DocumentSpec{Title: "Mật", Access: AccessNamed, Readers: []string{"p6"}}},
	))...)
	if len(s.Documents) != 1 || s.Documents[0].Rev != 12 {
		t.Fatalf("server documents = %+v; want d11 at revision 12", s.Documents)
	}
	// p7's replica: it saw d11 added but not the update (hidden).
	p7, err := ReplayFor(log, viewOther)
	if err != nil {
		t.Fatal(err)
	}
	if len(p7.Documents) != 0 {
		t.Errorf("p7's replica keeps %+v after being dropped from the readers; want none", p7.Documents)
	}
	if got := View(s, viewOther).Documents; !reflect.DeepEqual(got, p7.Documents) {
		t.Errorf("View for p7 = %+v; replica %+v", got, p7.Documents)
	}
}

// TestDocumentLateReaderSeesItInOrder publishes an older draft after a
// newer document: the delegate's replica inserts it where the server has it.
func TestDocumentLateReaderSeesItInOrder(t *testing.T) {
	s, log := givenLog(t, cat(opened(), cmds(
		addDoc(DocumentSpec{Title: "Dự thảo"}, false),
		addDoc(DocumentSpec{Title: "Chương trình", Access: AccessPublic}, true),
		&AddVersion{ID: "d11", File: pdfV2},
		&PublishDocument{ID: "d11"},
		&RemoveItem{ID: "i4"},
	))...)
	r, err := ReplayFor(log, viewDelegate)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range r.Documents {
		ids = append(ids, fmt.Sprintf("%s:v%d", d.ID, len(d.Versions)))
	}
	if want := []string{"d11:v2", "d12:v1"}; !slices.Equal(ids, want) {
		t.Errorf("delegate's documents = %v; want %v", ids, want)
	}
	if diff := cmp.Diff(View(s, viewDelegate), r); diff != "" {
		t.Errorf("replica differs from the view (-view +replica):\n%s", diff)
	}
}

func TestDocumentDetachedFromRemovedItem(t *testing.T) {
	s := given(t, cat(opened(), cmds(
		addDoc(DocumentSpec{Title: "Tờ trình", Item: "i3", Access: AccessPublic}, true),
		&RemoveItem{ID: "i3"},
	))...)
	if d, _ := s.Document("d11"); d.Item != "" {
		t.Errorf("document of a removed item: Item = %q; want the whole meeting", d.Item)
	}
}

// TestDocumentViewEqualsFilteredReplica is TestViewEqualsFilteredReplica for
// documents: random document commands, and after each step every viewer's
// replica (folding its events or their placeholders) equals View(server).
func TestDocumentViewEqualsFilteredReplica(t *testing.T) {
	seen := map[string]int{}
	dropped, personal := 0, 0
	for _, seed := range []uint64{1, 2, 3, 4} {
		r := rand.New(rand.NewPCG(seed, 4))
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
				before := make([]int, len(f.replicas))
				for i, rep := range f.replicas {
					before[i] = len(rep.Documents)
				}
				f.apply(t, where, e)
				for i, v := range allViewers {
					if e.Type == EventDocumentRevoked && e.Audience.Includes(v) && len(f.replicas[i].Documents) < before[i] {
						dropped++
					}
				}
			}
			f.check(t, where, func(v Viewer, _ *State) {
				if Personal(server, v) {
					personal++
				}
			})
		}
		for k, c := range opened() {
			step(k, defaultActor(c), c)
		}
		for k := range 800 {
			a, c := randomDocumentCommand(r, server)
			step(k, a, c)
		}
	}
	for _, typ := range []string{EventDocumentAdded, EventDocumentVersionAdded, EventDocumentUpdated, EventDocumentRevoked, EventDocumentDownloaded} {
		if seen[typ] == 0 {
			t.Errorf("no %s event in the run; want some", typ)
		}
	}
	if dropped == 0 || personal == 0 {
		t.Errorf("%d documents dropped by document.revoked, %d personal views; want some of each", dropped, personal)
	}
	t.Logf("events: %v; %d copies dropped by revocation; %d personal views", seen, dropped, personal)
}

func randomDocumentCommand(r *rand.Rand, s *State) (Actor, Command) {
	var ids []string
	for _, d := range s.Documents {
		ids = append(ids, d.ID)
	}
	pick := func() string {
		if len(ids) == 0 || r.IntN(12) == 0 {
			return "d999"
		}
		return ids[r.IntN(len(ids))]
	}
	people := []string{"p5", "p6", "p7", "p8", "p9", "p99"}
	spec := func() DocumentSpec {
		d := DocumentSpec{Title: []string{"Báo cáo", "Tờ trình", "Dự thảo", ""}[r.IntN(4)], Item: []string{"", "", "i2", "i3", "i4"}[r.IntN(5)]}
		d.Access = []Access{AccessPublic, AccessDelegates, AccessNamed, AccessNamed, ""}[r.IntN(5)]
		if d.Access == AccessNamed || r.IntN(20) == 0 {
			for range 1 + r.IntN(3) {
				d.Readers = append(d.Readers, people[r.IntN(len(people))])
			}
		}
		return d
	}
	file := func() File {
		f := pdfV1
		f.SHA256 = fmt.Sprintf("%064x", r.IntN(1000))
		return f
	}
	staffActor := []Actor{asSecretary, asChair, asDelegate}[r.IntN(3)]
	switch k := r.IntN(100); {
	case k < 20:
		return asUploader, &AddDocument{DocumentSpec: spec(), Publish: r.IntN(2) == 0, File: file()}
	case k < 35:
		return asUploader, &AddVersion{ID: pick(), File: file()}
	case k < 55:
		return staffActor, &UpdateDocument{ID: pick(), DocumentSpec: spec()}
	case k < 70:
		return staffActor, &PublishDocument{ID: pick()}
	case k < 82:
		return staffActor, &WithdrawDocument{ID: pick()}
	case k < 92:
		d := pick()
		return asSystem, &RecordDownloads{Downloads: []Download{{Document: d, Version: 1, By: "participant:p6", Participant: "p6"}}}
	case k < 94:
		return asSecretary, &RemoveItem{ID: []string{"i2", "i3", "i4"}[r.IntN(3)]}
	default:
		return asSecretary, &AddItem{Title: "Mục mới"}
	}
}
