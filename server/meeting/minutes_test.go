package meeting

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func init() {
	// The specification of the minutes commands' permissions (see
	// expectedAllowed in decide_test.go).
	expectedAllowed["minutes.conclude"] = []Role{RoleSecretary, RoleChair}
	expectedAllowed["minutes.finalize"] = []Role{RoleSecretary, RoleChair}
	expectedAllowed["minutes.correct"] = []Role{RoleSecretary, RoleChair}
}

// sampleMinutesCommand returns a command of each minutes name (see
// sampleCommand).
func sampleMinutesCommand(name string) Command {
	switch name {
	case "minutes.conclude":
		return &Conclude{Item: "i3", Text: "Hội nghị thống nhất thông qua báo cáo kiểm điểm."}
	case "minutes.finalize":
		return &FinalizeMinutes{Number: "01-BB/CB", Layout: LayoutParty}
	case "minutes.correct":
		return &CorrectMinutes{Text: "Sửa tên người phát biểu thứ hai.", Reason: "Ghi nhầm họ tên."}
	}
	return nil
}

const conclusionI3 = "Hội nghị thống nhất thông qua báo cáo kiểm điểm."

// minutesCases are the TestDecide cases of the minutes commands.
func minutesCases() []decideCase {
	staff := Audience{Roles: []Role{RoleSecretary, RoleChair}}
	closed := cat(opened(), cmds(&CloseMeeting{}))                                           // closed at seq 11
	concluded := cat(closed, cmds(&Conclude{Item: "i3", Text: conclusionI3}))                // seq 12, at t0+11m
	final := cat(concluded, cmds(&FinalizeMinutes{Number: "01-BB/CB", Layout: LayoutParty})) // seq 13
	corrected := cat(final, cmds(&CorrectMinutes{Text: "Sửa lần 1.", Reason: "Ghi nhầm."}))  // seq 14
	long := strings.Repeat("ạ", MaxConclusion+1)
	return []decideCase{
		// ---- minutes.conclude ----
		{name: "minutes.conclude/accepted for an item while open", given: opened(), when: &Conclude{Item: "i3", Text: "  " + conclusionI3 + "\n"},
			want: []wantEvent{{Type: EventMinutesConcluded, Data: Conclusion{Item: "i3", Text: conclusionI3}, Audience: staff}}},
		{name: "minutes.conclude/accepted for the meeting after the close, by the chair", given: closed, actor: asChair, when: &Conclude{Text: "Hội nghị thành công tốt đẹp."},
			want: []wantEvent{{Type: EventMinutesConcluded, Data: Conclusion{Text: "Hội nghị thành công tốt đẹp."}, Audience: staff}}},
		{name: "minutes.conclude/accepted in draft", given: base(), when: &Conclude{Item: "i2", Text: "Dự kiến kết luận."},
			want: []wantEvent{{Type: EventMinutesConcluded, Data: Conclusion{Item: "i2", Text: "Dự kiến kết luận."}, Audience: staff}}},
		{name: "minutes.conclude/replaces the previous one", given: concluded, when: &Conclude{Item: "i3", Text: "Kết luận mới."},
			want: []wantEvent{{Type: EventMinutesConcluded, Data: Conclusion{Item: "i3", Text: "Kết luận mới."}, Audience: staff}}},
		{name: "minutes.conclude/unchanged", given: concluded, when: &Conclude{Item: "i3", Text: conclusionI3}, err: KindConflict},
		{name: "minutes.conclude/empty text", given: closed, when: &Conclude{Item: "i3"}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		{name: "minutes.conclude/blank text", given: closed, when: &Conclude{Text: " \n\t "}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		{name: "minutes.conclude/text too long", given: closed, when: &Conclude{Text: long}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		{name: "minutes.conclude/text control", given: closed, when: &Conclude{Text: "Kết luận\x00"}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		{name: "minutes.conclude/unknown item", given: closed, when: &Conclude{Item: "i99", Text: "Kết luận."}, err: KindNotFound},
		{name: "minutes.conclude/removed item", given: cat(opened(), cmds(&RemoveItem{ID: "i3"})), when: &Conclude{Item: "i3", Text: "Kết luận."}, err: KindNotFound},
		{name: "minutes.conclude/after finalisation", given: final, when: &Conclude{Item: "i3", Text: "Kết luận khác."}, err: KindConflict},
		{name: "minutes.conclude/after finalisation, by the chair", given: final, actor: asChair, when: &Conclude{Text: "Kết luận chung."}, err: KindConflict},
		{name: "minutes.conclude/delegate", given: closed, actor: asDelegate, when: &Conclude{Text: "Kết luận."}, err: KindForbidden},
		{name: "minutes.conclude/observer", given: opened(), actor: asObserver, when: &Conclude{Text: "Kết luận."}, err: KindForbidden},
		{name: "minutes.conclude/system", given: closed, actor: asSystem, when: &Conclude{Text: "Kết luận."}, err: KindForbidden},

		// ---- minutes.finalize ----
		{name: "minutes.finalize/accepted with the conclusions", given: concluded, when: &FinalizeMinutes{Number: " 01-BB/CB ", Superior: "Đảng bộ Khối"},
			want: []wantEvent{{Type: EventMinutesFinalized, Data: MinutesFinalized{Revision: 1, Number: "01-BB/CB", Layout: LayoutParty, Superior: "Đảng bộ Khối",
				Conclusions: []Conclusion{{Item: "i3", Text: conclusionI3, At: t0.Add(11 * time.Minute)}}}}}},
		{name: "minutes.finalize/accepted, state layout, by the chair", given: closed, actor: asChair,
			when: &FinalizeMinutes{Number: "05/BB-UBND", Layout: LayoutState, PlaceDate: "Hà Nội, ngày 15 tháng 12 năm 2025"},
			want: []wantEvent{{Type: EventMinutesFinalized, Data: MinutesFinalized{Revision: 1, Number: "05/BB-UBND", Layout: LayoutState, PlaceDate: "Hà Nội, ngày 15 tháng 12 năm 2025"}}}},
		{name: "minutes.finalize/before the close", given: opened(), when: &FinalizeMinutes{Number: "01-BB/CB"}, err: KindConflict},
		{name: "minutes.finalize/while paused", given: cat(opened(), cmds(&PauseMeeting{})), when: &FinalizeMinutes{Number: "01-BB/CB"}, err: KindConflict},
		{name: "minutes.finalize/in draft", given: base(), when: &FinalizeMinutes{Number: "01-BB/CB"}, err: KindConflict},
		{name: "minutes.finalize/twice", given: final, when: &FinalizeMinutes{Number: "02-BB/CB"}, err: KindConflict},
		{name: "minutes.finalize/no number", given: closed, when: &FinalizeMinutes{Layout: LayoutParty}, err: KindInvalid, probs: []Problem{{Field: "number"}}},
		{name: "minutes.finalize/number too long", given: closed, when: &FinalizeMinutes{Number: strings.Repeat("1", MaxMinutesNo+1)}, err: KindInvalid, probs: []Problem{{Field: "number"}}},
		{name: "minutes.finalize/unknown layout", given: closed, when: &FinalizeMinutes{Number: "01-BB/CB", Layout: "church"}, err: KindInvalid, probs: []Problem{{Field: "layout"}}},
		{name: "minutes.finalize/place-date control", given: closed, when: &FinalizeMinutes{Number: "01-BB/CB", PlaceDate: "Hà Nội\a"}, err: KindInvalid, probs: []Problem{{Field: "place_date"}}},
		{name: "minutes.finalize/delegate", given: closed, actor: asDelegate, when: &FinalizeMinutes{Number: "01-BB/CB"}, err: KindForbidden},
		{name: "minutes.finalize/hall", given: closed, actor: asHall, when: &FinalizeMinutes{Number: "01-BB/CB"}, err: KindForbidden},

		// ---- minutes.correct ----
		{name: "minutes.correct/accepted: revision 2 corrects 1", given: final, when: &CorrectMinutes{Text: "Sửa tên người phát biểu.", Reason: "Ghi nhầm họ tên."},
			want: []wantEvent{{Type: EventMinutesCorrected, Data: Correction{Revision: 2, Corrects: 1, Text: "Sửa tên người phát biểu.", Reason: "Ghi nhầm họ tên."}}}},
		{name: "minutes.correct/accepted: revision 3 corrects 2, by the chair", given: corrected, actor: asChair, when: &CorrectMinutes{Text: "Sửa lần 2.", Reason: "Thiếu số liệu."},
			want: []wantEvent{{Type: EventMinutesCorrected, Data: Correction{Revision: 3, Corrects: 2, Text: "Sửa lần 2.", Reason: "Thiếu số liệu."}}}},
		{name: "minutes.correct/before finalisation", given: concluded, when: &CorrectMinutes{Text: "Sửa.", Reason: "Nhầm."}, err: KindConflict},
		{name: "minutes.correct/while open", given: opened(), when: &CorrectMinutes{Text: "Sửa.", Reason: "Nhầm."}, err: KindConflict},
		{name: "minutes.correct/empty text", given: final, when: &CorrectMinutes{Reason: "Nhầm."}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		{name: "minutes.correct/empty reason", given: final, when: &CorrectMinutes{Text: "Sửa."}, err: KindInvalid, probs: []Problem{{Field: "reason"}}},
		{name: "minutes.correct/text too long", given: final, when: &CorrectMinutes{Text: long, Reason: "Nhầm."}, err: KindInvalid, probs: []Problem{{Field: "text"}}},
		{name: "minutes.correct/delegate", given: final, actor: asDelegate, when: &CorrectMinutes{Text: "Sửa.", Reason: "Nhầm."}, err: KindForbidden},
		{name: "minutes.correct/observer", given: final, actor: asObserver, when: &CorrectMinutes{Text: "Sửa.", Reason: "Nhầm."}, err: KindForbidden},
	}
}

// TestMinutesState follows the minutes through the fold: conclusions
// replaced in place and dropped with their item, hidden from delegates until
// finalisation, then frozen; corrections linked to the revision they correct.
func TestMinutesState(t *testing.T) {
	s := given(t, cat(opened(),
		cmds(&Conclude{Item: "i3", Text: "Cũ."}, &Conclude{Item: "i4", Text: "Bế mạc."}, &Conclude{Text: "Chung."},
			&Conclude{Item: "i3", Text: "Mới."}, &RemoveItem{ID: "i4"}, &CloseMeeting{}))...)
	want := []Conclusion{{Item: "i3", Text: "Mới.", At: t0.Add(13 * time.Minute)}, {Text: "Chung.", At: t0.Add(12 * time.Minute)}}
	if diff := cmp.Diff(want, s.Minutes.Conclusions); diff != "" {
		t.Errorf("conclusions (-want +got):\n%s", diff)
	}
	if s.Minutes.Final() || s.Minutes.Revision != 0 {
		t.Errorf("minutes final before finalisation: %+v", s.Minutes)
	}
	if v := View(s, viewDelegate); v.Minutes.Conclusions != nil {
		t.Errorf("a delegate sees draft conclusions %+v; want none", v.Minutes.Conclusions)
	}
	if v := View(s, viewSecretary); len(v.Minutes.Conclusions) != 2 {
		t.Errorf("the secretary sees %d conclusions; want 2", len(v.Minutes.Conclusions))
	}
	if _, err := runOn(s, &FinalizeMinutes{Number: "01-BB/CB"}, &CorrectMinutes{Text: "A", Reason: "B"}, &CorrectMinutes{Text: "C", Reason: "D"}); err != nil {
		t.Fatal(err)
	}
	m := s.Minutes
	if !m.Final() || m.Revision != 3 || m.Number != "01-BB/CB" || m.Layout != LayoutParty || m.FinalizedAt.IsZero() {
		t.Errorf("minutes after finalisation and two corrections = %+v; want revision 3, number, party layout", m)
	}
	if len(m.Corrections) != 2 || m.Corrections[0].Corrects != 1 || m.Corrections[1].Revision != 3 || m.Corrections[1].Corrects != 2 {
		t.Errorf("corrections = %+v; want 2 corrects 1, 3 corrects 2", m.Corrections)
	}
	if diff := cmp.Diff(want, View(s, viewDelegate).Minutes.Conclusions); diff != "" {
		t.Errorf("a delegate's conclusions after finalisation (-want +got):\n%s", diff)
	}
	_, err := Decide(s, asSecretary, &Conclude{Item: "i3", Text: "Khác."}, nowAt(s))
	if e, ok := err.(*Error); !ok || e.Kind != KindConflict || !strings.Contains(e.Message, "đã được hoàn thành") {
		t.Errorf("conclude after finalisation = %v; want a conflict saying the minutes are finalised", err)
	}
}
