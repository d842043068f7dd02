package minutes

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// Generated meetings for the layout and cross-check tests: n members (a
// chair, a secretary, delegates, a few probationary members), two guests
// and the hall screen; absences with and without reasons, never recorded,
// at a linked site, late, leaving early; the counting committee approved
// by show of hands; every kind of poll and ballot form (open, secret,
// elections with and without surplus and with one name, review, confidence)
// with invalid ballots, a tie and its re-vote, a cancelled poll; the close,
// conclusions and finalisation in the given layout. Every event comes from
// Decide and Apply; secret ballots stay in the fixture's box, which is the
// ground truth the tests count by hand.

// genSpec describes a generated meeting.
type genSpec struct {
	n      int                   // members (with a vote and without)
	layout meeting.MinutesLayout // the meeting's rules and the minutes' layout
	seed   uint64
	zone   string // time zone setting ("" the default)
}

// generated is a generated meeting: its fixture (log, state, secret ballot
// box) and its members' IDs.
type generated struct {
	*fixture
	spec    genSpec
	members []string // participant IDs of the members, chair first
}

var genFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"}
var genGiven = []string{"Văn An", "Thị Bình", "Minh Cường", "Thị Dung", "Quốc Đức", "Thị Hà", "Văn Hùng", "Thị Lan", "Văn Minh", "Thị Nga", "Văn Phúc", "Thị Quỳnh"}

func genName(i int) string {
	return fmt.Sprintf("%s %s %d", genFamily[i%len(genFamily)], genGiven[(i/len(genFamily))%len(genGiven)], i+1)
}

// generate builds a meeting to spec.
func generate(tb testing.TB, sp genSpec) *generated {
	tb.Helper()
	f := newFixture(tb, fmt.Sprintf("m-gen-%d-%s-%d", sp.n, sp.layout, sp.seed))
	g := &generated{fixture: f, spec: sp}
	rng := rand.New(rand.NewPCG(sp.seed, uint64(sp.n)))
	org, superior := "Chi bộ Phòng Kế hoạch - Tài chính", "Đảng bộ Sở Tài chính thành phố Hà Nội"
	if sp.layout == meeting.LayoutState {
		org, superior = "Phòng Tài chính - Kế hoạch quận Hoàn Kiếm", "Sở Tài chính thành phố Hà Nội"
	}
	f.at(-600).sec(&meeting.CreateMeeting{Details: meeting.Details{
		Title: fmt.Sprintf("Hội nghị tổng kết công tác năm 2025 (%d thành viên)", sp.n), Organization: org,
		Place: "Hội trường tầng 2", StartsAt: t0, Chair: genName(0) + ", Bí thư Chi bộ", ChairPost: "Bí thư",
		Secretary: genName(1) + ", Văn phòng", Locality: "Hà Nội"}})
	layout := sp.layout
	cfg := &meeting.Configure{Sites: &[]string{"Điểm cầu Hải Phòng"}, Layout: &layout}
	if sp.seed%2 == 1 {
		cfg.Quorum = &meeting.QuorumRule{Threshold: meeting.MoreThanHalf, Base: meeting.QuorumOfSummoned}
	}
	if sp.zone != "" {
		cfg.TimeZone = &sp.zone
	}
	f.sec(cfg)
	items := []string{f.item("Khai mạc, bầu Ban Kiểm phiếu", ""), f.item("Báo cáo tổng kết", "Đồng chí Bí thư"), f.item("Biểu quyết, bầu cử", ""),
		f.item("Đánh giá, xếp loại; lấy phiếu tín nhiệm", ""), f.item("Bế mạc", "")}

	rows := make([]meeting.NewParticipant, sp.n)
	for i := range rows {
		rows[i] = meeting.NewParticipant{Name: genName(i), Position: "Đảng viên", Unit: fmt.Sprintf("Tổ %d", i%7+1)}
		switch {
		case i == 0:
			rows[i].Role, rows[i].Position = meeting.RoleChair, "Bí thư Chi bộ"
		case i == 1:
			rows[i].Role = meeting.RoleSecretary
		case i >= 4 && i%23 == 4:
			rows[i].NonVoting, rows[i].Position = true, "Đảng viên dự bị"
		}
	}
	rows = append(rows, meeting.NewParticipant{Name: "Khách mời Thứ Nhất", Position: "Đại diện cấp trên", Role: meeting.RoleObserver},
		meeting.NewParticipant{Name: "Khách mời Thứ Hai", Position: "Phóng viên", Role: meeting.RoleObserver},
		meeting.NewParticipant{Name: "Màn hình hội trường", Role: meeting.RoleHall})
	for start := 0; start < len(rows); start += 500 {
		f.people(rows[start:min(start+500, len(rows))]...)
	}
	for i := range sp.n {
		g.members = append(g.members, f.pid(genName(i)))
	}
	f.chair = f.actor(genName(0))

	// The roll call before the opening: exceptions first, then the bulk
	// roll call marks everyone else present (never touching them).
	f.at(-10)
	late := map[string]bool{}
	for i, id := range g.members {
		if i < 2 {
			continue
		}
		switch r := rng.IntN(100); {
		case r < 7:
			f.sec(&meeting.MarkAttendance{Participant: id, Status: meeting.AttendanceExcused, Reason: "Đi công tác theo quyết định"})
		case r < 12:
			f.sec(&meeting.MarkAttendance{Participant: id, Status: meeting.AttendanceAbsent, Reason: map[bool]string{true: "Ốm", false: ""}[r%2 == 0]})
		case r < 17:
			late[id] = true // no record until they check in, late
		case r < 27:
			f.sec(&meeting.MarkAttendance{Participant: id, Status: meeting.AttendanceRemote, Site: "Điểm cầu Hải Phòng"})
		}
	}
	if len(late) > 0 {
		// The late ones must stay unrecorded through the bulk roll call:
		// mark them after it (they check in themselves).
		for id := range late {
			f.sec(&meeting.MarkAttendance{Participant: id, Status: meeting.AttendanceAbsent})
		}
	}
	f.sec(&meeting.MarkAllPresent{})
	f.at(0).do(f.chair, &meeting.OpenMeeting{})
	f.at(1).sec(&meeting.SetCurrentItem{ID: items[0]})
	f.at(20)
	for _, id := range g.members {
		if late[id] {
			p, _ := f.s.Participant(id)
			f.do(meeting.Actor{ID: "participant:" + id, Role: p.Role, Participant: id}, &meeting.CheckIn{})
		}
	}
	f.sec(&meeting.SendNotice{Text: "Đề nghị các đồng chí giữ trật tự."})

	// The counting committee: up to three members present, by show of hands.
	var committee []meeting.BodyMember
	for _, id := range g.present() {
		if p, _ := f.s.Participant(id); p.Entitled() && len(committee) < 3 {
			committee = append(committee, meeting.BodyMember{Participant: id})
		}
	}
	if len(committee) > 0 {
		committee[0].Post = "Trưởng ban"
		f.sec(&meeting.ProposeBody{Kind: meeting.BodyCounting, Members: committee})
		bv := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua danh sách Ban Kiểm phiếu", Kind: meeting.PollOpen, Body: meeting.BodyCounting}}))
		g.runPoll(bv, rng, func(int) meeting.Ballot { return meeting.Ballot{Choice: meeting.ChoiceAgree} })
	}

	f.sec(&meeting.AdvanceAgenda{})
	f.speech(genName(0), "Trình bày báo cáo tổng kết", meeting.SpeechNormal, 10)
	f.sec(&meeting.AdvanceAgenda{})

	// An open vote, a secret vote (with invalid ballots), a cancelled poll.
	choice := func(i int) meeting.Ballot {
		switch r := rng.IntN(20); {
		case r == 0:
			return meeting.Ballot{Spoiled: true}
		case r < 3:
			return meeting.Ballot{Choice: meeting.ChoiceDisagree}
		case r < 4:
			return meeting.Ballot{Choice: meeting.ChoiceAbstain}
		}
		return meeting.Ballot{Choice: meeting.ChoiceAgree}
	}
	// Every base in turn (docs/rules.md §2).
	bases := []meeting.Base{meeting.BaseSummoned, meeting.BasePresent, meeting.BaseCast, meeting.BaseValid}
	open := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua chương trình công tác năm 2026", Kind: meeting.PollOpen,
		Base: bases[(sp.seed+1)%4]}}))
	g.runPoll(open, rng, choice)
	secret := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua Nghị quyết hội nghị", Kind: meeting.PollSecret,
		Base: bases[sp.seed%4], Threshold: meeting.Threshold{Num: 1, Den: 2, AtLeast: sp.seed%3 == 0}}}))
	g.runPoll(secret, rng, choice)
	cancelled := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Biểu quyết bị hủy", Kind: meeting.PollSecret}}))
	f.sec(&meeting.OpenPoll{ID: cancelled, OverrideQuorum: true})
	f.sec(&meeting.CancelPoll{ID: cancelled, Reason: "Nhầm nội dung"})

	// Someone leaves.
	if pres := g.present(); len(pres) > 3 {
		f.sec(&meeting.CheckOut{Participant: pres[len(pres)-1]})
	}

	// Elections: a list with surplus (4 names, 3 seats would be 33%: 5 for
	// 4 is 25%), its tie re-voted; a list without surplus; one name.
	names := func(k int, prefix string) []meeting.Candidate {
		var out []meeting.Candidate
		for i := range k {
			out = append(out, meeting.Candidate{Name: fmt.Sprintf("%s %d", prefix, i+1)})
		}
		return out
	}
	strike := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Bầu Chi ủy (04 người)", Kind: meeting.PollElection, Seats: 4, Candidates: names(5, "Ứng viên")}}))
	g.runPoll(strike, rng, func(i int) meeting.Ballot {
		switch r := rng.IntN(20); {
		case r == 0:
			return meeting.Ballot{Kept: []string{"c1", "c2", "c3", "c4", "c5"}} // untouched: invalid
		case r == 1:
			return meeting.Ballot{} // every name struck: invalid
		case r == 2:
			return meeting.Ballot{Spoiled: true}
		}
		// Strike c5 or one other at random; c3 and c4 often struck, so
		// ties for the last seat come up.
		out := []string{}
		skip := []string{"c5", "c3", "c4", "c2"}[rng.IntN(4)]
		for _, c := range []string{"c1", "c2", "c3", "c4", "c5"} {
			if c != skip && len(out) < 4 {
				out = append(out, c)
			}
		}
		return meeting.Ballot{Kept: out}
	})
	if p, _ := f.s.Poll(strike); p.Result != nil && p.Result.Outcome == meeting.OutcomeTie {
		re := id(f.sec(&meeting.RevotePoll{ID: strike}))
		g.runPoll(re, rng, func(i int) meeting.Ballot {
			rp, _ := f.s.Poll(re)
			if rp.Form() == meeting.FormStrike {
				return meeting.Ballot{Kept: []string{rp.Candidates[i%len(rp.Candidates)].ID}}
			}
			return meeting.Ballot{Agree: []string{rp.Candidates[0].ID}}
		})
	}
	approve := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Bầu Ban Kiểm tra (03 người)", Kind: meeting.PollElection, Seats: 3, Candidates: names(3, "Đồng chí")}}))
	g.runPoll(approve, rng, func(i int) meeting.Ballot {
		b := meeting.Ballot{}
		for _, c := range []string{"c1", "c2", "c3"} {
			switch rng.IntN(10) {
			case 0: // neither box
			case 1:
				b.Agree, b.Disagree = append(b.Agree, c), append(b.Disagree, c) // both: no vote
			case 2, 3:
				b.Disagree = append(b.Disagree, c)
			default:
				b.Agree = append(b.Agree, c)
			}
		}
		if rng.IntN(25) == 0 {
			b.Agree = append(b.Agree, "c9") // a name added: invalid
		}
		return b
	})
	single := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Bầu Bí thư", Kind: meeting.PollElection, Seats: 1, Candidates: names(1, "Đồng chí Bí thư")}}))
	g.runPoll(single, rng, func(i int) meeting.Ballot {
		switch rng.IntN(12) {
		case 0:
			return meeting.Ballot{} // no box: invalid
		case 1:
			return meeting.Ballot{Agree: []string{"c1"}, Disagree: []string{"c1"}} // both: invalid
		case 2:
			return meeting.Ballot{Disagree: []string{"c1"}}
		}
		return meeting.Ballot{Agree: []string{"c1"}}
	})

	// Ratings.
	f.sec(&meeting.AdvanceAgenda{})
	subjects := func(k int) []meeting.Candidate {
		var out []meeting.Candidate
		for i := range min(k, len(g.members)) {
			out = append(out, meeting.Candidate{Participant: g.members[i]})
		}
		return out
	}
	rate := func(levels []meeting.Level, subs int) func(int) meeting.Ballot {
		return func(i int) meeting.Ballot {
			if rng.IntN(30) == 0 {
				return meeting.Ballot{} // rates nobody: invalid
			}
			r := map[string]meeting.Level{}
			for c := range subs {
				if rng.IntN(15) == 0 {
					continue // a row without a level
				}
				r[fmt.Sprintf("c%d", c+1)] = levels[rng.IntN(len(levels))]
			}
			if len(r) == 0 {
				r["c1"] = levels[0]
			}
			return meeting.Ballot{Ratings: r}
		}
	}
	review := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Đánh giá, xếp loại đảng viên", Kind: meeting.PollRating, Scale: meeting.ScaleReview, Subjects: subjects(3)}}))
	g.runPoll(review, rng, rate(meeting.ScaleReview.Levels(), min(3, len(g.members))))
	conf := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Lấy phiếu tín nhiệm", Kind: meeting.PollRating, Scale: meeting.ScaleConfidence, Subjects: subjects(2)}}))
	g.runPoll(conf, rng, rate(meeting.ScaleConfidence.Levels(), min(2, len(g.members))))

	f.sec(&meeting.AdvanceAgenda{})
	f.at(f.now.Sub(t0).Minutes()+5).do(f.chair, &meeting.CloseMeeting{})
	f.sec(&meeting.Conclude{Text: "Hội nghị đã hoàn thành chương trình đề ra."})
	f.sec(&meeting.FinalizeMinutes{Number: map[meeting.MinutesLayout]string{meeting.LayoutParty: "05-BB/CB", meeting.LayoutState: "05/BB-UBND"}[sp.layout], Superior: superior})
	return g
}

// present returns the members at the meeting now, in roll order.
func (g *generated) present() []string {
	var out []string
	for _, id := range g.members {
		if g.s.Attendance[id].In() {
			out = append(out, id)
		}
	}
	return out
}

// runPoll opens poll (overriding the quorum when it is not met), has every
// eligible voter but about one in twelve vote with ballot(i), closes it
// and publishes the results.
func (g *generated) runPoll(poll string, rng *rand.Rand, ballot func(i int) meeting.Ballot) {
	f := g.fixture
	f.now = f.now.Add(time.Minute)
	f.sec(&meeting.OpenPoll{ID: poll, OverrideQuorum: !meeting.QuorumOf(f.s).Met})
	p, _ := f.s.Poll(poll)
	var voters []string
	var ballots []meeting.Ballot
	for i, id := range p.Eligible {
		if len(p.Eligible) > 2 && rng.IntN(12) == 0 {
			continue // did not vote
		}
		q, _ := f.s.Participant(id)
		voters = append(voters, q.Name)
		ballots = append(ballots, ballot(i))
	}
	for i := 0; i < len(voters); i += 200 {
		j := min(i+200, len(voters))
		f.now = f.now.Add(5 * time.Second)
		f.vote(poll, voters[i:j], ballots[i:j])
	}
	f.now = f.now.Add(time.Minute)
	f.closePoll(poll, true)
}
