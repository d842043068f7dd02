package meeting

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The tests of the congress floor (issue 20, docs/congress.md): drafts and
// opinions, groups and their sittings, written contributions.

func init() {
	staff := []Role{RoleSecretary, RoleChair}
	for name, roles := range map[string][]Role{
		"draft.open": staff, "draft.update": staff, "draft.revise": staff,
		"opinion.give":     {RoleSecretary, RoleChair, RoleDelegate},
		"opinion.withdraw": {RoleSecretary, RoleChair, RoleDelegate},
		"group.define":     staff, "group.remove": staff, "group.sit": staff, "group.rise": staff,
		"sitting.link": {RoleSystem}, "sitting.note": staff, "sitting.summary": {RoleSystem},
		"contribution.register": {RoleSystem},
		"contribution.schedule": {RoleSecretary, RoleChair, RoleDelegate},
		"contribution.withdraw": {RoleSecretary, RoleChair, RoleDelegate},
	} {
		expectedAllowed[name] = roles
	}
}

// sampleFloorCommand returns a command of each name of the floor (see
// sampleCommand).
func sampleFloorCommand(name string) Command {
	switch name {
	case "draft.open":
		return &OpenDraft{Document: "d14", Sections: draftSections, Deadline: t0.Add(24 * time.Hour)}
	case "draft.update":
		return &UpdateDraft{Document: "d14", Close: true}
	case "draft.revise":
		return &ReviseDraft{Document: "d14", Sections: draftSections[:1]}
	case "opinion.give":
		return &GiveOpinion{Draft: "d14", Section: "m1", Kind: OpinionAgree, Key: "k1"}
	case "opinion.withdraw":
		return &WithdrawOpinion{Draft: "d14", Section: "m1"}
	case "group.define":
		return &DefineGroup{GroupName: "Tổ 1", Members: []string{"p6", "p7"}, Leader: "p6", Secretary: "p7"}
	case "group.remove":
		return &RemoveGroup{ID: "g16"}
	case "group.sit":
		return &SitGroup{Group: "g16"}
	case "group.rise":
		return &RiseGroup{Group: "g16"}
	case "sitting.link":
		return linkSitting()
	case "sitting.note":
		return &NoteSitting{Text: "Đồng chí Bình đề nghị bổ sung số liệu."}
	case "sitting.summary":
		return &SummarizeSitting{}
	case "contribution.register":
		return &RegisterContribution{Participant: "p6", Title: "Về chuyển đổi số", File: docx}
	case "contribution.schedule":
		return &ScheduleContribution{ID: "t17"}
	case "contribution.withdraw":
		return &WithdrawContribution{ID: "t17"}
	}
	return nil
}

// draftSections is the structure of the fixture draft.
var draftSections = []Section{
	{ID: "m1", Label: "Phần thứ nhất", Title: "Đánh giá kết quả thực hiện Nghị quyết", Level: 1},
	{ID: "m2", Label: "1.", Title: "Về phát triển kinh tế", Level: 2},
	{ID: "m3", Label: "2.", Title: "Về văn hóa, xã hội", Level: 2},
}

// asParticipant is the tablet of participant p with role r.
func asParticipant(p string, r Role) Actor {
	return Actor{ID: "participant:" + p, Role: r, Participant: p}
}

// The fixture congress, after opened():
//
//	11-13 participants p11 (Đỗ Thị Hoa), p12 (Vũ Văn Khoa), p13 (Bùi Thị Lan, another delegation)
//	14    d14, the draft political report (DOCX), published to the delegates
//	15    draft.opened: d14 with sections m1-m3, deadline t0+24h, read by p11 (the drafting team)
func congress() []Command {
	return cat(opened(), cmds(
		&ImportParticipants{Rows: []NewParticipant{
			{Name: "Đỗ Thị Hoa", Unit: "Đoàn Hà Đông"},
			{Name: "Vũ Văn Khoa", Unit: "Đoàn Hà Đông"},
			{Name: "Bùi Thị Lan", Unit: "Đoàn Sơn Tây"},
		}},
		&AddDocument{DocumentSpec: DocumentSpec{Title: "Dự thảo Báo cáo chính trị", Access: AccessDelegates}, Publish: true, File: docx},
		&OpenDraft{Document: "d14", Sections: draftSections, Deadline: t0.Add(24 * time.Hour), Readers: []string{"p11"}},
	))
}

// give is participant p's opinion on section sec of the fixture draft.
func give(p, sec string, k OpinionKind, text, key string) Command {
	return by(asParticipant(p, RoleDelegate), &GiveOpinion{Draft: "d14", Section: sec, Kind: k, Text: text, Key: key})
}

// linkSitting links a new meeting as sitting 1 of tổ g16 (p6 leader, p7
// secretary, p11 member).
func linkSitting() *LinkSitting {
	return &LinkSitting{SittingLink: SittingLink{Parent: "c1", Congress: "Đại hội đại biểu Đảng bộ", Group: "g16", Name: "Tổ 1", Number: 1,
		Leader: "p6", Secretary: "p7", Drafts: []LinkedDraft{{Document: "d14", Title: "Dự thảo Báo cáo chính trị", Sections: draftSections}}},
		Members: []Participant{{ID: "p6", Name: "Trần Thị Bình"}, {ID: "p7", Name: "Lê Văn Cường"}, {ID: "p11", Name: "Đỗ Thị Hoa", Unit: "Đoàn Hà Đông"}}}
}

// sittingLog is a tổ sitting: created (1), linked (2), members p6, p7, p11 (3-5).
func sittingLog() []Command {
	return cmds(&CreateMeeting{Details{Title: "Thảo luận Tổ 1"}}, by(asSystem, linkSitting()))
}

// tổ 1 of the fixture congress: g16.
func groupOne() Command {
	return &DefineGroup{GroupName: "Tổ 1", Members: []string{"p6", "p7", "p11"}, Leader: "p6", Secretary: "p7"}
}

// pastDeadline returns a function giving the state after cmds with the
// fixture draft's deadline an hour before t0.
func pastDeadline(cmds []Command) func() *State {
	return func() *State {
		s, _, err := build(cmds...)
		if err != nil {
			panic(err)
		}
		s.Floor.Drafts[0].Deadline = t0.Add(-time.Hour)
		return s
	}
}

var asUploaderP6 = Actor{ID: "participant:p6", Role: RoleSystem}

// floorCases are the TestDecide cases of the floor.
func floorCases() []decideCase {
	staff := Audience{Roles: []Role{RoleSecretary, RoleChair}}
	p6, p7, p12 := asParticipant("p6", RoleDelegate), asParticipant("p7", RoleDelegate), asParticipant("p12", RoleDelegate)
	aud := func(ps ...string) Audience { return Audience{Roles: staff.Roles, Participants: ps} }
	// closed: the fixture draft with its deadline passed (an hour before
	// t0, so that it has passed whenever the cases are decided).
	closed := pastDeadline(congress())
	given6 := cat(congress(), cmds(give("p6", "m1", OpinionAgree, "", "k1"))) // o16, at t0+15m
	at16 := t0.Add(15 * time.Minute)
	v2 := cat(congress(), cmds(by(asUploader, &AddVersion{ID: "d14", File: File{SHA256: strings.Repeat("d4", 32), Size: 9300, ContentType: docx.ContentType, Name: "Dự thảo (sửa).docx"}})))
	grouped := cat(congress(), cmds(groupOne()))
	sitting := cat(grouped, cmds(&SitGroup{Group: "g16"}))
	registered := cat(congress(), cmds(by(asUploaderP6, &RegisterContribution{Participant: "p6", Title: "Về chuyển đổi số", File: docx}))) // d16, t17
	scheduled := cat(registered, cmds(&SetCurrentItem{ID: "i2"}, &ScheduleContribution{ID: "t17"}))                                        // r19
	var cases []decideCase
	add := func(c ...decideCase) { cases = append(cases, c...) }

	// ---- draft.open ----
	add(
		decideCase{name: "draft.open/accepted", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Sections: draftSections, Deadline: t0.Add(48 * time.Hour), Readers: []string{"p11", "p11", "p5"}, Anonymous: true},
			want: []wantEvent{{Type: EventDraftOpened, Data: Draft{Document: "d14", Version: 1, Sections: draftSections, Deadline: t0.Add(48 * time.Hour),
				Readers: []string{"p11", "p5"}, Anonymous: true, OpenedAt: decideNow}}}},
		decideCase{name: "draft.open/no structure yet: general opinions only", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Deadline: t0.Add(48 * time.Hour)},
			want: []wantEvent{{Type: EventDraftOpened, Data: Draft{Document: "d14", Version: 1, Sections: []Section{}, Deadline: t0.Add(48 * time.Hour), OpenedAt: decideNow}}}},
		decideCase{name: "draft.open/twice", given: congress(), when: sampleFloorCommand("draft.open"), err: KindConflict},
		decideCase{name: "draft.open/draft document", given: cat(opened(), cmds(&AddDocument{DocumentSpec: DocumentSpec{Title: "Nháp"}, File: docx})),
			when: &OpenDraft{Document: "d11", Deadline: t0.Add(24 * time.Hour)}, err: KindConflict},
		decideCase{name: "draft.open/confidential document", given: cat(opened(), cmds(&AddDocument{DocumentSpec: DocumentSpec{Title: "Mật", Access: AccessNamed, Readers: []string{"p6"}}, Publish: true, File: docx})),
			when: &OpenDraft{Document: "d11", Deadline: t0.Add(24 * time.Hour)}, err: KindConflict},
		decideCase{name: "draft.open/unknown document", given: opened(), when: &OpenDraft{Document: "d99", Deadline: t0.Add(24 * time.Hour)}, err: KindNotFound},
		decideCase{name: "draft.open/unknown version", given: congress()[:len(congress())-1], when: &OpenDraft{Document: "d14", Version: 2, Deadline: t0.Add(24 * time.Hour)},
			err: KindNotFound, probs: []Problem{{Field: "version"}}},
		decideCase{name: "draft.open/bad section ID", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Sections: []Section{{ID: "m 1", Title: "A", Level: 1}}, Deadline: t0.Add(24 * time.Hour)}, err: KindInvalid, probs: []Problem{{Row: 1, Field: "sections"}}},
		decideCase{name: "draft.open/section ID twice", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Sections: []Section{{ID: "m1", Title: "A", Level: 1}, {ID: "m1", Title: "B", Level: 2}}, Deadline: t0.Add(24 * time.Hour)},
			err:  KindInvalid, probs: []Problem{{Row: 2, Field: "sections"}}},
		decideCase{name: "draft.open/section level", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Sections: []Section{{ID: "m1", Title: "A", Level: 5}}, Deadline: t0.Add(24 * time.Hour)}, err: KindInvalid, probs: []Problem{{Row: 1, Field: "sections"}}},
		decideCase{name: "draft.open/section without title", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Sections: []Section{{ID: "m1", Level: 1}}, Deadline: t0.Add(24 * time.Hour)}, err: KindInvalid, probs: []Problem{{Row: 1, Field: "sections"}}},
		decideCase{name: "draft.open/deadline passed", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Deadline: t0.Add(-time.Minute)}, err: KindInvalid, probs: []Problem{{Field: "deadline"}}},
		decideCase{name: "draft.open/no deadline", given: congress()[:len(congress())-1], when: &OpenDraft{Document: "d14"}, err: KindInvalid, probs: []Problem{{Field: "deadline"}}},
		decideCase{name: "draft.open/hall screen as reader", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Deadline: t0.Add(24 * time.Hour), Readers: []string{"p11", "p9"}}, err: KindInvalid, probs: []Problem{{Row: 2, Field: "readers"}}},
		decideCase{name: "draft.open/unknown reader", given: congress()[:len(congress())-1],
			when: &OpenDraft{Document: "d14", Deadline: t0.Add(24 * time.Hour), Readers: []string{"p99"}}, err: KindNotFound, probs: []Problem{{Row: 1, Field: "readers"}}},
	)

	// ---- draft.update ----
	add(
		decideCase{name: "draft.update/new deadline", given: congress(), when: &UpdateDraft{Document: "d14", Deadline: ptr(t0.Add(72 * time.Hour))},
			want: []wantEvent{{Type: EventDraftUpdated, Data: DraftUpdated{Document: "d14", Deadline: t0.Add(72 * time.Hour), Readers: []string{"p11"}}}}},
		decideCase{name: "draft.update/close now", given: congress(), when: &UpdateDraft{Document: "d14", Close: true},
			want: []wantEvent{{Type: EventDraftUpdated, Data: DraftUpdated{Document: "d14", Deadline: decideNow, Readers: []string{"p11"}}}}},
		decideCase{name: "draft.update/readers added see the opinions so far", given: cat(given6, cmds(give("p7", "", OpinionPartial, "Sửa tên gọi.", "k2"))),
			when: &UpdateDraft{Document: "d14", AddReaders: []string{"p12", "p11"}},
			want: []wantEvent{
				{Type: EventDraftUpdated, Data: DraftUpdated{Document: "d14", Deadline: t0.Add(24 * time.Hour), Readers: []string{"p11", "p12"}}},
				{Type: EventOpinionDisclosed, Data: OpinionsDisclosed{Draft: "d14", Opinions: []Opinion{
					{ID: "o16", Draft: "d14", Section: "m1", Participant: "p6", Kind: OpinionAgree, Key: "k1", Version: 1, Created: at16, At: at16},
					{ID: "o18", Draft: "d14", Participant: "p7", Kind: OpinionPartial, Text: "Sửa tên gọi.", Key: "k2", Version: 1, Created: t0.Add(17 * time.Minute), At: t0.Add(17 * time.Minute)},
				}}, Audience: Audience{Participants: []string{"p12"}}},
			}},
		decideCase{name: "draft.update/anonymous before any opinion", given: congress(), when: &UpdateDraft{Document: "d14", Anonymous: ptr(true)},
			want: []wantEvent{{Type: EventDraftUpdated, Data: DraftUpdated{Document: "d14", Deadline: t0.Add(24 * time.Hour), Readers: []string{"p11"}, Anonymous: true}}}},
		decideCase{name: "draft.update/anonymous once opinions exist", given: given6, when: &UpdateDraft{Document: "d14", Anonymous: ptr(true)}, err: KindConflict},
		decideCase{name: "draft.update/unchanged", given: congress(), when: &UpdateDraft{Document: "d14", AddReaders: []string{"p11"}}, err: KindConflict},
		decideCase{name: "draft.update/close twice", state: closed, when: &UpdateDraft{Document: "d14", Close: true}, err: KindConflict},
		decideCase{name: "draft.update/close and deadline", given: congress(), when: &UpdateDraft{Document: "d14", Close: true, Deadline: ptr(t0.Add(72 * time.Hour))},
			err: KindInvalid, probs: []Problem{{Field: "deadline"}}},
		decideCase{name: "draft.update/unknown draft", given: congress(), when: &UpdateDraft{Document: "d99", Close: true}, err: KindNotFound, probs: []Problem{{Field: "draft"}}},
	)

	// ---- draft.revise ----
	revised := []Section{draftSections[0], {ID: "m4", Label: "1.", Title: "Về khoa học, công nghệ", Level: 2}, {ID: "m2", Label: "2.", Title: "Về phát triển kinh tế", Level: 2}}
	add(
		decideCase{name: "draft.revise/new version", given: v2, when: &ReviseDraft{Document: "d14", Sections: revised},
			want: []wantEvent{{Type: EventDraftRevised, Data: DraftRevised{Document: "d14", Version: 2, Sections: revised}}}},
		decideCase{name: "draft.revise/same version corrected by hand", given: congress(), when: &ReviseDraft{Document: "d14", Version: 1, Sections: draftSections[:2]},
			want: []wantEvent{{Type: EventDraftRevised, Data: DraftRevised{Document: "d14", Version: 1, Sections: draftSections[:2]}}}},
		decideCase{name: "draft.revise/unchanged", given: congress(), when: &ReviseDraft{Document: "d14", Sections: draftSections}, err: KindConflict},
		decideCase{name: "draft.revise/back to an older version", given: cat(v2, cmds(&ReviseDraft{Document: "d14", Sections: revised})),
			when: &ReviseDraft{Document: "d14", Version: 1, Sections: draftSections}, err: KindInvalid, probs: []Problem{{Field: "version"}}},
		decideCase{name: "draft.revise/unknown draft", given: congress(), when: &ReviseDraft{Document: "d99"}, err: KindNotFound, probs: []Problem{{Field: "draft"}}},
	)

	// ---- opinion.give ----
	long := strings.Repeat("ệ", MaxOpinionText+1)
	add(
		decideCase{name: "opinion.give/agree on a section", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d14", Section: "m1", Kind: OpinionAgree, Key: "k1"},
			want: []wantEvent{
				{Type: EventOpinionGiven, Data: Opinion{ID: "o16", Draft: "d14", Section: "m1", Participant: "p6", Kind: OpinionAgree, Key: "k1", Version: 1, Created: decideNow, At: decideNow},
					Audience: aud("p11", "p6")},
				{Type: EventOpinionTallied, Data: OpinionTally{Draft: "d14", Counts: []SectionCount{{Section: "m1", Agree: 1}}}},
			}},
		decideCase{name: "opinion.give/general, partial, text at the limit", given: congress(), actor: p7,
			when: &GiveOpinion{Draft: "d14", Kind: OpinionPartial, Text: strings.Repeat("ệ", MaxOpinionText), Key: "k7"},
			want: []wantEvent{
				{Type: EventOpinionGiven, Data: Opinion{ID: "o16", Draft: "d14", Participant: "p7", Kind: OpinionPartial, Text: strings.Repeat("ệ", MaxOpinionText), Key: "k7", Version: 1, Created: decideNow, At: decideNow},
					Audience: aud("p11", "p7")},
				{Type: EventOpinionTallied, Data: OpinionTally{Draft: "d14", Counts: []SectionCount{{Section: "", Partial: 1}}}},
			}},
		decideCase{name: "opinion.give/edited: another kind moves the count", given: given6, actor: p6,
			when: &GiveOpinion{Draft: "d14", Section: "m1", Kind: OpinionDisagree, Text: " Chưa đánh giá đúng hạn chế. ", Key: "k2"},
			want: []wantEvent{
				{Type: EventOpinionGiven, Data: Opinion{ID: "o16", Draft: "d14", Section: "m1", Participant: "p6", Kind: OpinionDisagree, Text: "Chưa đánh giá đúng hạn chế.", Key: "k2", Version: 1, Created: at16, At: decideNow},
					Audience: aud("p11", "p6")},
				{Type: EventOpinionTallied, Data: OpinionTally{Draft: "d14", Counts: []SectionCount{{Section: "m1", Disagree: 1}}}},
			}},
		decideCase{name: "opinion.give/edited: the same kind keeps the count", given: given6, actor: p6,
			when: &GiveOpinion{Draft: "d14", Section: "m1", Kind: OpinionAgree, Text: "Nhất trí.", Key: "k2"},
			want: []wantEvent{{Type: EventOpinionGiven, Data: Opinion{ID: "o16", Draft: "d14", Section: "m1", Participant: "p6", Kind: OpinionAgree, Text: "Nhất trí.", Key: "k2", Version: 1, Created: at16, At: decideNow},
				Audience: aud("p11", "p6")}}},
		decideCase{name: "opinion.give/a retry with the same key changes nothing", given: given6, actor: p6,
			when: &GiveOpinion{Draft: "d14", Section: "m1", Kind: OpinionAgree, Key: "k1"},
			check: func(t *testing.T, events []Event) {
				if len(events) != 0 {
					t.Errorf("a retry gave %d events; want none", len(events))
				}
			}},
		// Found by the property test (testdata/prop/floor-opinion-key-1297.txt):
		// the key of the recorded opinion with other words was taken for a
		// retry, answered ok, and the new words were dropped.
		decideCase{name: "opinion.give/a key reused for other words is refused", given: given6, actor: p6,
			when: &GiveOpinion{Draft: "d14", Section: "m1", Kind: OpinionDisagree, Text: "Chưa rõ.", Key: "k1"}, err: KindConflict, probs: []Problem{{Field: "key"}}},
		decideCase{name: "opinion.give/anonymous draft: to the author only", given: cat(congress()[:len(congress())-1], cmds(&OpenDraft{Document: "d14", Sections: draftSections, Deadline: t0.Add(time.Hour * 24), Readers: []string{"p11"}, Anonymous: true})),
			actor: p6, when: &GiveOpinion{Draft: "d14", Section: "m2", Kind: OpinionAgree, Key: "k1"},
			want: []wantEvent{
				{Type: EventOpinionGiven, Data: Opinion{ID: "o16", Draft: "d14", Section: "m2", Participant: "p6", Kind: OpinionAgree, Key: "k1", Version: 1, Created: decideNow, At: decideNow},
					Audience: Audience{Participants: []string{"p6"}}},
				{Type: EventOpinionTallied, Data: OpinionTally{Draft: "d14", Counts: []SectionCount{{Section: "m2", Agree: 1}}}},
			}},
		decideCase{name: "opinion.give/after the deadline", state: closed, actor: p6, when: &GiveOpinion{Draft: "d14", Section: "m1", Kind: OpinionAgree, Key: "k1"}, err: KindConflict},
		decideCase{name: "opinion.give/a section that does not exist", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d14", Section: "m99", Kind: OpinionAgree, Key: "k1"},
			err: KindNotFound, probs: []Problem{{Field: "section"}}},
		decideCase{name: "opinion.give/against without a reason", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d14", Section: "m1", Kind: OpinionDisagree, Text: "  ", Key: "k1"},
			err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "opinion.give/partial without the text", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d14", Kind: OpinionPartial, Key: "k1"},
			err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "opinion.give/a huge text", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d14", Kind: OpinionPartial, Text: long, Key: "k1"},
			err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "opinion.give/a control character", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d14", Kind: OpinionAgree, Text: "a\x00b", Key: "k1"},
			err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "opinion.give/unknown kind", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d14", Kind: "maybe", Key: "k1"},
			err: KindInvalid, probs: []Problem{{Field: "kind"}}},
		decideCase{name: "opinion.give/no key", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d14", Kind: OpinionAgree},
			err: KindInvalid, probs: []Problem{{Field: "key"}}},
		decideCase{name: "opinion.give/unknown draft", given: congress(), actor: p6, when: &GiveOpinion{Draft: "d99", Kind: OpinionAgree, Key: "k1"},
			err: KindNotFound, probs: []Problem{{Field: "draft"}}},
		decideCase{name: "opinion.give/not a participant's tablet", given: congress(), when: &GiveOpinion{Draft: "d14", Kind: OpinionAgree, Key: "k1"}, err: KindForbidden},
		decideCase{name: "opinion.give/in a tổ sitting", given: sittingLog(), actor: p7, when: &GiveOpinion{Draft: "d14", Kind: OpinionAgree, Key: "k1"}, err: KindConflict},
	)

	// ---- opinion.withdraw ----
	add(
		decideCase{name: "opinion.withdraw/accepted", given: given6, actor: p6, when: &WithdrawOpinion{Draft: "d14", Section: "m1"},
			want: []wantEvent{
				{Type: EventOpinionWithdrawn, Data: OpinionRef{ID: "o16", Draft: "d14"}, Audience: aud("p11", "p6")},
				{Type: EventOpinionTallied, Data: OpinionTally{Draft: "d14", Counts: []SectionCount{{Section: "m1"}}}},
			}},
		decideCase{name: "opinion.withdraw/someone else's", given: given6, actor: p7, when: &WithdrawOpinion{Draft: "d14", Section: "m1"}, err: KindNotFound},
		decideCase{name: "opinion.withdraw/after the deadline", state: pastDeadline(given6), actor: p6,
			when: &WithdrawOpinion{Draft: "d14", Section: "m1"}, err: KindConflict},
	)

	// ---- groups ----
	add(
		decideCase{name: "group.define/accepted", given: congress(),
			when: &DefineGroup{GroupName: " Tổ 1 ", Members: []string{"p6", "p7", "p11", "p12"}, Leader: "p6", Deputy: "p12", Secretary: "p7"},
			want: []wantEvent{{Type: EventGroupDefined, Data: Group{ID: "g16", Name: "Tổ 1", Members: []string{"p6", "p7", "p11", "p12"}, Leader: "p6", Deputy: "p12", Secretary: "p7"}}}},
		decideCase{name: "group.define/replaced", given: grouped,
			when: &DefineGroup{ID: "g16", GroupName: "Tổ 1", Members: []string{"p6", "p7"}, Leader: "p6", Secretary: "p7"},
			want: []wantEvent{{Type: EventGroupDefined, Data: Group{ID: "g16", Name: "Tổ 1", Members: []string{"p6", "p7"}, Leader: "p6", Secretary: "p7"}}}},
		decideCase{name: "group.define/a member of another tổ", given: grouped,
			when: &DefineGroup{GroupName: "Tổ 2", Members: []string{"p12", "p11"}, Leader: "p12", Secretary: "p11"}, err: KindInvalid, probs: []Problem{{Row: 2, Field: "members"}}},
		decideCase{name: "group.define/the hall screen", given: congress(),
			when: &DefineGroup{GroupName: "Tổ 2", Members: []string{"p12", "p9"}, Leader: "p12", Secretary: "p9"}, err: KindInvalid, probs: []Problem{{Row: 2, Field: "members"}}},
		decideCase{name: "group.define/leader not a member", given: congress(),
			when: &DefineGroup{GroupName: "Tổ 2", Members: []string{"p12", "p13"}, Leader: "p6", Secretary: "p13"}, err: KindInvalid, probs: []Problem{{Field: "leader"}}},
		decideCase{name: "group.define/no secretary", given: congress(),
			when: &DefineGroup{GroupName: "Tổ 2", Members: []string{"p12", "p13"}, Leader: "p12"}, err: KindInvalid, probs: []Problem{{Field: "secretary"}}},
		decideCase{name: "group.define/one person two offices", given: congress(),
			when: &DefineGroup{GroupName: "Tổ 2", Members: []string{"p12", "p13"}, Leader: "p12", Secretary: "p12"}, err: KindInvalid, probs: []Problem{{Field: "secretary"}}},
		decideCase{name: "group.define/same name", given: grouped,
			when: &DefineGroup{GroupName: "tổ 1", Members: []string{"p12", "p13"}, Leader: "p12", Secretary: "p13"}, err: KindInvalid, probs: []Problem{{Field: "name"}}},
		decideCase{name: "group.define/no members", given: congress(), when: &DefineGroup{GroupName: "Tổ 2"}, err: KindInvalid, probs: []Problem{{Field: "members"}}},
		decideCase{name: "group.define/while sitting", given: sitting, when: &DefineGroup{ID: "g16", GroupName: "Tổ 1", Members: []string{"p6", "p7"}, Leader: "p6", Secretary: "p7"}, err: KindConflict},
		decideCase{name: "group.remove/accepted", given: grouped, when: &RemoveGroup{ID: "g16"}, want: []wantEvent{{Type: EventGroupRemoved, Data: GroupRef{ID: "g16"}}}},
		decideCase{name: "group.remove/while sitting", given: sitting, when: &RemoveGroup{ID: "g16"}, err: KindConflict},
		decideCase{name: "group.remove/unknown", given: congress(), when: &RemoveGroup{ID: "g99"}, err: KindNotFound},
		decideCase{name: "group.sit/accepted", given: grouped, when: &SitGroup{Group: "g16"},
			want: []wantEvent{{Type: EventGroupSat, Data: GroupSat{Group: "g16", Meeting: "m1-g16-1", Number: 1}}}},
		decideCase{name: "group.sit/the second sitting", given: cat(sitting, cmds(&RiseGroup{Group: "g16"})), when: &SitGroup{Group: "g16"},
			want: []wantEvent{{Type: EventGroupSat, Data: GroupSat{Group: "g16", Meeting: "m1-g16-2", Number: 2}}}},
		decideCase{name: "group.sit/already sitting", given: sitting, when: &SitGroup{Group: "g16"}, err: KindConflict},
		decideCase{name: "group.sit/before the opening", given: cat(base(), cmds(&DefineGroup{GroupName: "Tổ 1", Members: []string{"p6", "p7"}, Leader: "p6", Secretary: "p7"})),
			when: &SitGroup{Group: "g10"}, err: KindConflict},
		decideCase{name: "group.rise/accepted", given: sitting, when: &RiseGroup{Group: "g16"}, want: []wantEvent{{Type: EventGroupRose, Data: GroupRef{ID: "g16"}}}},
		decideCase{name: "group.rise/after the congress closed", given: cat(sitting, cmds(&CloseMeeting{})), when: &RiseGroup{Group: "g16"},
			want: []wantEvent{{Type: EventGroupRose, Data: GroupRef{ID: "g16"}}}},
		decideCase{name: "group.rise/not sitting", given: grouped, when: &RiseGroup{Group: "g16"}, err: KindConflict},
	)

	// ---- a sitting ----
	chairP6 := asParticipant("p6", RoleChair)
	add(
		decideCase{name: "sitting.link/accepted", given: created(), actor: asSystem, when: linkSitting(),
			want: []wantEvent{
				{Type: EventSittingLinked, Data: linkSitting().SittingLink},
				{Type: EventParticipantAdded, Data: Participant{ID: "p6", Name: "Trần Thị Bình", Role: RoleChair}},
				{Type: EventParticipantAdded, Data: Participant{ID: "p7", Name: "Lê Văn Cường", Role: RoleSecretary}},
				{Type: EventParticipantAdded, Data: Participant{ID: "p11", Name: "Đỗ Thị Hoa", Unit: "Đoàn Hà Đông", Role: RoleDelegate}},
			}},
		decideCase{name: "sitting.link/a meeting with participants", given: base(), actor: asSystem, when: linkSitting(), err: KindConflict},
		decideCase{name: "sitting.link/twice", given: sittingLog(), actor: asSystem, when: linkSitting(), err: KindConflict},
		decideCase{name: "sitting.note/accepted, about a section", given: sittingLog(), actor: chairP6,
			when: &NoteSitting{Text: "Đồng chí Cường đề nghị bổ sung chỉ tiêu.", Draft: "d14", Section: "m2", Speaker: "p7"},
			want: []wantEvent{{Type: EventSittingNoted, Data: Note{ID: "k6", Text: "Đồng chí Cường đề nghị bổ sung chỉ tiêu.", Draft: "d14", Section: "m2", Speaker: "p7", At: decideNow, By: chairP6.ID}}}},
		decideCase{name: "sitting.note/edited", given: cat(sittingLog(), cmds(&NoteSitting{Text: "Ý kiến 1"})), when: &NoteSitting{ID: "k6", Text: "Ý kiến 1 (sửa)"},
			want: []wantEvent{{Type: EventSittingNoted, Data: Note{ID: "k6", Text: "Ý kiến 1 (sửa)", At: decideNow, By: asSecretary.ID}}}},
		decideCase{name: "sitting.note/not a sitting", given: opened(), when: &NoteSitting{Text: "Ý kiến"}, err: KindConflict},
		decideCase{name: "sitting.note/unknown section", given: sittingLog(), when: &NoteSitting{Text: "Ý kiến", Draft: "d14", Section: "m9"}, err: KindNotFound},
		decideCase{name: "sitting.note/empty", given: sittingLog(), when: &NoteSitting{Text: " "}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		decideCase{name: "sitting.note/a participant added in the sitting", given: sittingLog(), when: &AddParticipant{NewParticipant{Name: "Người ngoài tổ"}}, err: KindConflict},
		decideCase{name: "sitting.summary/accepted", given: sittingLog(), actor: asSystem,
			when: &SummarizeSitting{Drafts: []DraftSummary{{Document: "d14", Title: "Dự thảo", Sections: draftSections, Counts: []SectionCount{{Section: "m1", Agree: 2}}, Opinions: 2}}},
			want: []wantEvent{{Type: EventSittingSummarized, Data: SittingSummary{Drafts: []DraftSummary{{Document: "d14", Title: "Dự thảo", Sections: draftSections, Counts: []SectionCount{{Section: "m1", Agree: 2}}, Opinions: 2}}}}}},
		decideCase{name: "sitting.summary/not a sitting", given: opened(), actor: asSystem, when: &SummarizeSitting{}, err: KindConflict},
	)

	// ---- contributions ----
	xlsx := File{SHA256: strings.Repeat("e5", 32), Size: 100, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Name: "bang.xlsx"}
	add(
		decideCase{name: "contribution.register/accepted", given: cat(congress(), cmds(&ProposeBody{Kind: BodyPresidium, Members: []BodyMember{{Participant: "p5"}, {Participant: "p12"}}})),
			actor: asUploaderP6, when: &RegisterContribution{Participant: "p6", Title: " Về chuyển đổi số ", File: docx},
			want: []wantEvent{
				{Type: EventDocumentAdded, Data: Document{ID: "d17", DocumentSpec: DocumentSpec{Title: "Tham luận: Về chuyển đổi số", Access: AccessNamed, Readers: []string{"p6", "p5", "p12"}},
					Status: DocumentPublished, Rev: 17, CreatedAt: decideNow, Versions: []DocumentVersion{{Number: 1, File: docx, At: decideNow, By: asUploaderP6.ID}}},
					Audience: aud("p6", "p5", "p12")},
				{Type: EventContributionRegistered, Data: ContributionRegistered{ID: "t18", Participant: "p6", Title: "Về chuyển đổi số", Document: "d17"}},
			}},
		decideCase{name: "contribution.register/the hall screen", given: congress(), actor: asSystem, when: &RegisterContribution{Participant: "p9", Title: "X", File: docx},
			err: KindInvalid, probs: []Problem{{Field: "participant"}}},
		decideCase{name: "contribution.register/a spreadsheet", given: congress(), actor: asSystem, when: &RegisterContribution{Participant: "p6", Title: "X", File: xlsx},
			err: KindInvalid, probs: []Problem{{Field: "file"}}},
		decideCase{name: "contribution.register/no title", given: congress(), actor: asSystem, when: &RegisterContribution{Participant: "p6", File: docx},
			err: KindInvalid, probs: []Problem{{Field: "title"}}},
		decideCase{name: "contribution.register/unknown participant", given: congress(), actor: asSystem, when: &RegisterContribution{Participant: "p99", Title: "X", File: docx}, err: KindNotFound},
		decideCase{name: "contribution.schedule/by the secretariat, on the current item", given: cat(registered, cmds(&SetCurrentItem{ID: "i3"})),
			when: &ScheduleContribution{ID: "t17"},
			want: []wantEvent{
				{Type: EventSpeakerRequested, Data: SpeakerRequested{Request: SpeakerRequest{ID: "r19", Item: "i3", Participant: "p6", Kind: SpeechNormal, Topic: "Tham luận: Về chuyển đổi số"}, Position: 1}},
				{Type: EventContributionScheduled, Data: ContributionScheduled{ID: "t17", Request: "r19", Item: "i3"}},
			}},
		decideCase{name: "contribution.schedule/by a member of the presidium", given: cat(registered, cmds(&ProposeBody{Kind: BodyPresidium, Members: []BodyMember{{Participant: "p7"}}})),
			actor: p7, when: &ScheduleContribution{ID: "t17", Item: "i2"},
			want: []wantEvent{
				{Type: EventSpeakerRequested, Data: SpeakerRequested{Request: SpeakerRequest{ID: "r19", Item: "i2", Participant: "p6", Kind: SpeechNormal, Topic: "Tham luận: Về chuyển đổi số"}, Position: 1}},
				{Type: EventContributionScheduled, Data: ContributionScheduled{ID: "t17", Request: "r19", Item: "i2"}},
			}},
		decideCase{name: "contribution.schedule/a delegate outside the presidium", given: registered, actor: p12, when: &ScheduleContribution{ID: "t17", Item: "i2"}, err: KindForbidden},
		decideCase{name: "contribution.schedule/already on the list", given: scheduled, when: &ScheduleContribution{ID: "t17"}, err: KindConflict},
		decideCase{name: "contribution.schedule/already read", given: cat(scheduled, cmds(&GiveFloor{ID: "r19"}, &EndSpeech{})), when: &ScheduleContribution{ID: "t17"}, err: KindConflict},
		decideCase{name: "contribution.schedule/no current item", given: registered, when: &ScheduleContribution{ID: "t17"}, err: KindConflict},
		decideCase{name: "contribution.withdraw/by the author, off the list", given: scheduled, actor: p6, when: &WithdrawContribution{ID: "t17"},
			want: []wantEvent{
				{Type: EventSpeakerWithdrawn, Data: RequestRef{ID: "r19"}},
				{Type: EventContributionWithdrawn, Data: ContributionRef{ID: "t17"}},
			}},
		decideCase{name: "contribution.withdraw/someone else's", given: scheduled, actor: p7, when: &WithdrawContribution{ID: "t17"}, err: KindForbidden},
		decideCase{name: "contribution.withdraw/already read", given: cat(scheduled, cmds(&GiveFloor{ID: "r19"})), actor: p6, when: &WithdrawContribution{ID: "t17"}, err: KindConflict},
	)
	return cases
}

func TestMatchSections(t *testing.T) {
	old := []Section{
		{ID: "m1", Label: "Phần thứ nhất", Title: "ĐÁNH GIÁ KẾT QUẢ", Level: 1},
		{ID: "m2", Label: "1.", Title: "Về kinh tế", Level: 2},
		{ID: "m3", Label: "2.", Title: "Về văn hóa", Level: 2},
		{ID: "m7", Label: "3.", Title: "Về quốc phòng", Level: 2},
	}
	next := []Section{
		{ID: "x", Label: "Phần thứ nhất", Title: "Đánh giá kết quả.", Level: 1},
		{Label: "1.", Title: "Về khoa học, công nghệ", Level: 2},
		{Label: "2.", Title: "Về  kinh tế", Level: 2},
		{Label: "3.", Title: "Về văn hóa", Level: 2},
		{Label: "4.", Title: "Về văn hóa", Level: 2}, // a second one of the same title is new
	}
	got := MatchSections(old, next)
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if want := []string{"m1", "m8", "m2", "m3", "m9"}; !slices.Equal(ids, want) {
		t.Errorf("MatchSections IDs = %v; want %v", ids, want)
	}
	if got[1].Title != "Về khoa học, công nghệ" || got[2].Label != "2." {
		t.Errorf("MatchSections changed more than the IDs: %+v", got)
	}
	if first := MatchSections(nil, next[:2]); first[0].ID != "m1" || first[1].ID != "m2" {
		t.Errorf("MatchSections(nil, …) = %+v; want m1, m2", first)
	}
}
