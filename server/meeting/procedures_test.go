package meeting

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Fixtures of the meeting procedures, continuing base() and opened():
//
//	11      meeting.configured: linked sites siteHP and siteDN (configured)
//	12-14   p5 (chair) marked present, p6 checks in, p7 marked remote at siteHP (quorate)
//	15      agenda.current i3 (onItem)
//	16-17   p6 asks for the floor (r16), p7 added by the secretary (r17) (queued)
//	18      the floor to r16: speech s18 of p6 (speaking)
//
// Events are a minute apart from t0 (see nowAt): the meeting opens at
// t0+9m; with the default grace of 15 minutes, a first check-in is late
// from t0+24m on. TestDecide decides at t0+90m (09:30 in Hà Nội).
const (
	siteHP = "Điểm cầu Hải Phòng"
	siteDN = "Điểm cầu Đà Nẵng"
)

// asOther is the tablet of p7, the other delegate.
var asOther = Actor{ID: "participant:p7", Role: RoleDelegate, Participant: "p7"}

func ptr[T any](v T) *T { return &v }

func configured() []Command {
	return cat(opened(), cmds(&Configure{Sites: &[]string{siteHP, siteDN}}))
}

func quorate() []Command {
	return cat(configured(), cmds(
		&MarkAttendance{Participant: "p5", Status: AttendancePresent},
		by(asDelegate, &CheckIn{}),
		&MarkAttendance{Participant: "p7", Status: AttendanceRemote, Site: siteHP},
	))
}

func onItem() []Command { return cat(quorate(), cmds(&SetCurrentItem{ID: "i3"})) }

func queued() []Command {
	return cat(onItem(), cmds(by(asDelegate, &RequestFloor{Topic: "Về báo cáo"}), &AddSpeaker{Participant: "p7"}))
}

func speaking() []Command { return cat(queued(), cmds(&GiveFloor{})) }

// Polls, created at seq 15 (v15) on the quorate meeting.
func voteSpec() PollSpec { return PollSpec{Question: "Thông qua nghị quyết", Kind: PollOpen} }

func openVoteDraft() []Command { return cat(quorate(), cmds(&CreatePoll{voteSpec()})) }

func openVoteOpen() []Command { return cat(openVoteDraft(), cmds(&OpenPoll{ID: "v15"})) }

func secretOpen() []Command {
	return cat(quorate(), cmds(&CreatePoll{PollSpec{Question: "Kết nạp đảng viên", Kind: PollSecret}}, &OpenPoll{ID: "v15"}))
}

// votes returns the record of participants voting in poll with ballots
// (nil ballots: a secret poll).
func votes(poll string, ps []string, ballots ...Ballot) *RecordVotes {
	c := &RecordVotes{Poll: poll}
	for i, p := range ps {
		v := VoteRecord{Participant: p}
		if ballots != nil {
			b := ballots[i]
			v.Ballot = &b
		}
		c.Votes = append(c.Votes, v)
	}
	return c
}

var roll = []string{"p5", "p6", "p7"}

// electionTie: four candidates for two seats, counted on the ballots cast
// with "at least 1/3"; c1 is elected and c2, c3, c4 tie for the last seat.
// Seqs: v15 created, 16 opened, 17-20 voted, 21 closed, 22 counted.
func electionTie() []Command {
	return cat(quorate(), cmds(
		&CreatePoll{PollSpec{Question: "Bầu Ban Chấp hành", Kind: PollElection, Seats: 2, Base: BaseCast, Threshold: Threshold{Num: 1, Den: 3, AtLeast: true}, Uncapped: true,
			Candidates: []Candidate{{Name: "Ứng viên A"}, {Name: "Ứng viên B"}, {Name: "Ứng viên C"}, {Name: "Ứng viên D"}}}},
		&OpenPoll{ID: "v15"},
		votes("v15", roll),
		&ClosePoll{ID: "v15", Ballots: []Ballot{{Kept: []string{"c1", "c2"}}, {Kept: []string{"c1", "c3"}}, {Kept: []string{"c4"}}}},
	))
}

// ratingClosed: p6 and p7 rated; v15 created, 16 opened, 17-18 voted, 19
// closed, 20 counted.
func ratingClosed() []Command {
	return cat(quorate(), cmds(
		&CreatePoll{PollSpec{Question: "Xếp loại đảng viên", Kind: PollRating, Scale: ScaleReview, Subjects: []Candidate{{Participant: "p6"}, {Participant: "p7"}}}},
		&OpenPoll{ID: "v15"},
		votes("v15", []string{"p5"}),
		&ClosePoll{ID: "v15", Ballots: []Ballot{{Ratings: map[string]Level{"c1": LevelGood, "c2": LevelGood}}}},
	))
}

func settingsWith(f func(*Settings)) Settings {
	s := DefaultSettings()
	f(&s)
	return s
}

// spec returns the normalised spec of voteSpec changed by f.
func specWith(base PollSpec, f func(*PollSpec)) PollSpec {
	if base.Base == "" {
		base.Base = BaseSummoned
	}
	if base.Threshold == (Threshold{}) {
		base.Threshold = MoreThanHalf
	}
	f(&base)
	return base
}

func same(*PollSpec) {}

var (
	pollsAlmostFull = sync.OnceValues(func() (*State, error) {
		c := opened()
		for i := range MaxPolls - 1 {
			c = append(c, &CreatePoll{PollSpec{Question: fmt.Sprintf("Biểu quyết %d", i+1), Kind: PollOpen}})
		}
		s, _, err := build(c...)
		return s, err
	})
)

// repeat returns n copies of the commands.
func repeat(n int, c ...Command) []Command {
	var out []Command
	for range n {
		out = append(out, c...)
	}
	return out
}

// sampleProcedure returns a command of each new name (see sampleCommand).
func sampleProcedure(name string) Command {
	switch name {
	case "meeting.configure":
		return &Configure{Sites: &[]string{siteHP}}
	case "attendance.check_in":
		return &CheckIn{}
	case "attendance.mark":
		return &MarkAttendance{Participant: "p6", Status: AttendancePresent}
	case "attendance.check_out":
		return &CheckOut{Participant: "p6"}
	case "speaker.request":
		return &RequestFloor{}
	case "speaker.withdraw":
		return &WithdrawRequest{ID: "r16"}
	case "speaker.reorder":
		return &ReorderRequest{ID: "r17", Position: 1}
	case "speaker.add":
		return &AddSpeaker{Participant: "p6"}
	case "speaker.give_floor":
		return &GiveFloor{}
	case "speaker.end":
		return &EndSpeech{}
	case "speaker.close_list":
		return &CloseList{}
	case "speaker.reopen_list":
		return &ReopenList{}
	case "speaker.timer":
		return &SpeakerTimer{Action: TimerPause}
	case "speaker.set_limit":
		return &SetSpeakingLimit{Seconds: 60}
	case "poll.create":
		return &CreatePoll{voteSpec()}
	case "poll.update":
		return &UpdatePoll{ID: "v15", PollSpec: voteSpec()}
	case "poll.open":
		return &OpenPoll{ID: "v15"}
	case "poll.close":
		return &ClosePoll{ID: "v15"}
	case "poll.publish":
		return &PublishPoll{ID: "v15"}
	case "poll.cancel":
		return &CancelPoll{ID: "v15", Reason: "Sai"}
	case "poll.revote":
		return &RevotePoll{ID: "v15"}
	case "poll.record_votes":
		return votes("v15", []string{"p6"}, Ballot{Choice: ChoiceAgree})
	}
	return sampleDocumentCommand(name)
}

// procedureCases are the TestDecide cases of attendance, the speaker list
// and polls.
func procedureCases() []decideCase {
	staff := Audience{Roles: []Role{RoleSecretary, RoleChair}}
	var cases []decideCase
	add := func(c ...decideCase) { cases = append(cases, c...) }
	paused := cat(opened(), cmds(&PauseMeeting{}))
	tooLong := strings.Repeat("ệ", MaxTitle+1)

	// ---- meeting.configure ---- (opened: next seq 11)
	add(
		decideCase{name: "configure/accepted, sites trimmed", given: opened(), when: &Configure{Sites: &[]string{" " + siteHP + " ", siteDN}},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.Sites = []string{siteHP, siteDN} })}}},
		decideCase{name: "configure/accepted, quorum more than half of the summoned", given: opened(), when: &Configure{Quorum: &QuorumRule{Threshold: MoreThanHalf, Base: QuorumOfSummoned}},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.Quorum = QuorumRule{Threshold: MoreThanHalf, Base: QuorumOfSummoned} })}}},
		decideCase{name: "configure/accepted, quorum base defaults to entitled", given: opened(), when: &Configure{Quorum: &QuorumRule{Threshold: Threshold{Num: 3, Den: 4, AtLeast: true}}},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) {
				s.Quorum = QuorumRule{Threshold: Threshold{Num: 3, Den: 4, AtLeast: true}, Base: QuorumOfEntitled}
			})}}},
		decideCase{name: "configure/accepted, grace and speaking time in seconds", given: opened(), when: &Configure{LateGraceSeconds: ptr(600), SpeakingSeconds: ptr(0)},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.LateGrace, s.SpeakingTime = 10*time.Minute, 0 })}}},
		decideCase{name: "configure/accepted, tie rule elder", given: opened(), when: &Configure{TieRule: ptr(TieElder)},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.Polls.TieRule = TieElder })}}},
		decideCase{name: "configure/accepted, cap off keeps its percent", given: opened(), when: &Configure{ExcellentCap: &ExcellentCap{}},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.Polls.ExcellentCap.Enabled = false })}}},
		decideCase{name: "configure/accepted, cap 30 percent", given: opened(), actor: asSecretary, when: &Configure{ExcellentCap: &ExcellentCap{Enabled: true, Percent: 30}},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.Polls.ExcellentCap.Percent = 30 })}}},
		decideCase{name: "configure/accepted, empty election ballots valid", given: opened(), when: &Configure{EmptyElectionBallotInvalid: ptr(false)},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.Polls.EmptyElectionBallotInvalid = false })}}},
		decideCase{name: "configure/accepted in draft", given: base(), when: &Configure{Sites: &[]string{siteDN}},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.Sites = []string{siteDN} })}}},
		decideCase{name: "configure/accepted while paused", given: paused, when: &Configure{LateGraceSeconds: ptr(0)},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.LateGrace = 0 })}}},
		decideCase{name: "configure/accepted, removing a site nobody attends at", given: quorate(), when: &Configure{Sites: &[]string{siteHP}},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: settingsWith(func(s *Settings) { s.Sites = []string{siteHP} })}}},
		decideCase{name: "configure/accepted, sites cleared", given: configured(), when: &Configure{Sites: &[]string{}},
			want: []wantEvent{{Type: EventMeetingConfigured, Data: DefaultSettings()}}},
		decideCase{name: "configure/nothing given", given: opened(), when: &Configure{}, err: KindInvalid},
		decideCase{name: "configure/too many sites", given: opened(), when: &Configure{Sites: ptr(make([]string, MaxSites+1))}, err: KindInvalid, probs: []Problem{{Field: "sites"}}},
		decideCase{name: "configure/site empty", given: opened(), when: &Configure{Sites: &[]string{siteHP, " "}}, err: KindInvalid, probs: []Problem{{Row: 2, Field: "sites"}}},
		decideCase{name: "configure/site too long", given: opened(), when: &Configure{Sites: &[]string{nameTooLong}}, err: KindInvalid, probs: []Problem{{Row: 1, Field: "sites"}}},
		decideCase{name: "configure/site control", given: opened(), when: &Configure{Sites: &[]string{"Điểm\x00cầu"}}, err: KindInvalid, probs: []Problem{{Row: 1, Field: "sites"}}},
		decideCase{name: "configure/site twice, any case", given: opened(), when: &Configure{Sites: &[]string{siteDN, "điểm cầu đà nẵng"}}, err: KindInvalid, probs: []Problem{{Row: 2, Field: "sites"}}},
		decideCase{name: "configure/removing a site in use", given: quorate(), when: &Configure{Sites: &[]string{siteDN}}, err: KindConflict},
		decideCase{name: "configure/quorum base unknown", given: opened(), when: &Configure{Quorum: &QuorumRule{Threshold: MoreThanHalf, Base: "all"}}, err: KindInvalid, probs: []Problem{{Field: "quorum.base"}}},
		decideCase{name: "configure/quorum denominator 0", given: opened(), when: &Configure{Quorum: &QuorumRule{Threshold: Threshold{Num: 1}}}, err: KindInvalid, probs: []Problem{{Field: "quorum"}}},
		decideCase{name: "configure/quorum denominator too big", given: opened(), when: &Configure{Quorum: &QuorumRule{Threshold: Threshold{Num: 1, Den: MaxDen + 1}}}, err: KindInvalid, probs: []Problem{{Field: "quorum"}}},
		decideCase{name: "configure/quorum numerator 0", given: opened(), when: &Configure{Quorum: &QuorumRule{Threshold: Threshold{Den: 2}}}, err: KindInvalid, probs: []Problem{{Field: "quorum"}}},
		decideCase{name: "configure/quorum numerator over denominator", given: opened(), when: &Configure{Quorum: &QuorumRule{Threshold: Threshold{Num: 4, Den: 3, AtLeast: true}}}, err: KindInvalid, probs: []Problem{{Field: "quorum"}}},
		decideCase{name: "configure/quorum more than all", given: opened(), when: &Configure{Quorum: &QuorumRule{Threshold: Threshold{Num: 1, Den: 1}}}, err: KindInvalid, probs: []Problem{{Field: "quorum"}}},
		decideCase{name: "configure/late grace negative", given: opened(), when: &Configure{LateGraceSeconds: ptr(-1)}, err: KindInvalid, probs: []Problem{{Field: "late_grace_seconds"}}},
		decideCase{name: "configure/late grace too long", given: opened(), when: &Configure{LateGraceSeconds: ptr(4*3600 + 1)}, err: KindInvalid, probs: []Problem{{Field: "late_grace_seconds"}}},
		decideCase{name: "configure/speaking time too long", given: opened(), when: &Configure{SpeakingSeconds: ptr(4*3600 + 1)}, err: KindInvalid, probs: []Problem{{Field: "speaking_seconds"}}},
		decideCase{name: "configure/speaking time negative", given: opened(), when: &Configure{SpeakingSeconds: ptr(-60)}, err: KindInvalid, probs: []Problem{{Field: "speaking_seconds"}}},
		decideCase{name: "configure/tie rule unknown", given: opened(), when: &Configure{TieRule: ptr(TieRule("lottery"))}, err: KindInvalid, probs: []Problem{{Field: "tie_rule"}}},
		decideCase{name: "configure/cap over 100", given: opened(), when: &Configure{ExcellentCap: &ExcellentCap{Enabled: true, Percent: 101}}, err: KindInvalid, probs: []Problem{{Field: "excellent_cap.percent"}}},
		decideCase{name: "configure/cap negative", given: opened(), when: &Configure{ExcellentCap: &ExcellentCap{Enabled: true, Percent: -5}}, err: KindInvalid, probs: []Problem{{Field: "excellent_cap.percent"}}},
		decideCase{name: "configure/unchanged sites", given: configured(), when: &Configure{Sites: &[]string{siteHP, " " + siteDN}}, err: KindConflict},
		decideCase{name: "configure/unchanged default", given: opened(), when: &Configure{TieRule: ptr(TieRevote), LateGraceSeconds: ptr(900)}, err: KindConflict},
	)

	// ---- attendance.check_in ---- (configured: next seq 12; late at 09:30)
	tooManyVisits := cat(configured(), repeat(MaxVisits, by(asDelegate, &CheckIn{}), by(asDelegate, &CheckOut{})))
	add(
		decideCase{name: "check_in/accepted, delegate present, late", given: configured(), actor: asDelegate, when: &CheckIn{},
			want: []wantEvent{{Type: EventCheckedIn, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent, Late: true}}}},
		decideCase{name: "check_in/accepted, chair at a site", given: configured(), actor: asChair, when: &CheckIn{Status: AttendanceRemote, Site: siteDN},
			want: []wantEvent{{Type: EventCheckedIn, Data: AttendanceChanged{Participant: "p5", Status: AttendanceRemote, Site: siteDN, Late: true}}}},
		decideCase{name: "check_in/accepted, not late within a long grace", given: cat(configured(), cmds(&Configure{LateGraceSeconds: ptr(4 * 3600)})), actor: asDelegate, when: &CheckIn{Status: AttendancePresent},
			want: []wantEvent{{Type: EventCheckedIn, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent}}}},
		decideCase{name: "check_in/accepted while paused", given: cat(configured(), cmds(&PauseMeeting{})), actor: asOther, when: &CheckIn{},
			want: []wantEvent{{Type: EventCheckedIn, Data: AttendanceChanged{Participant: "p7", Status: AttendancePresent, Late: true}}}},
		decideCase{name: "check_in/accepted again after leaving, first arrival decides lateness", given: cat(quorate(), cmds(by(asDelegate, &CheckOut{}))), actor: asDelegate, when: &CheckIn{},
			want: []wantEvent{{Type: EventCheckedIn, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent}}}},
		decideCase{name: "check_in/accepted, moving from the hall to a site", given: quorate(), actor: asDelegate, when: &CheckIn{Status: AttendanceRemote, Site: siteDN},
			want: []wantEvent{{Type: EventCheckedIn, Data: AttendanceChanged{Participant: "p6", Status: AttendanceRemote, Site: siteDN}}}},
		decideCase{name: "check_in/accepted, last visit allowed", given: cat(configured(), repeat(MaxVisits-1, by(asDelegate, &CheckIn{}), by(asDelegate, &CheckOut{}))), actor: asDelegate, when: &CheckIn{},
			want: []wantEvent{{Type: EventCheckedIn, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent}}}},
		decideCase{name: "check_in/secretary account", given: configured(), when: &CheckIn{}, err: KindForbidden},
		decideCase{name: "check_in/unknown participant", given: configured(), actor: Actor{ID: "participant:p99", Role: RoleDelegate, Participant: "p99"}, when: &CheckIn{}, err: KindNotFound},
		decideCase{name: "check_in/draft", given: base(), actor: asDelegate, when: &CheckIn{}, err: KindConflict},
		decideCase{name: "check_in/status absent", given: configured(), actor: asDelegate, when: &CheckIn{Status: AttendanceAbsent}, err: KindInvalid, probs: []Problem{{Field: "status"}}},
		decideCase{name: "check_in/status unknown", given: configured(), actor: asDelegate, when: &CheckIn{Status: "here"}, err: KindInvalid, probs: []Problem{{Field: "status"}}},
		decideCase{name: "check_in/remote without site", given: configured(), actor: asDelegate, when: &CheckIn{Status: AttendanceRemote}, err: KindInvalid, probs: []Problem{{Field: "site"}}},
		decideCase{name: "check_in/unknown site", given: configured(), actor: asDelegate, when: &CheckIn{Status: AttendanceRemote, Site: "Điểm cầu Huế"}, err: KindNotFound, probs: []Problem{{Field: "site"}}},
		decideCase{name: "check_in/present with a site", given: configured(), actor: asDelegate, when: &CheckIn{Site: siteHP}, err: KindInvalid, probs: []Problem{{Field: "site"}}},
		decideCase{name: "check_in/already in the hall", given: quorate(), actor: asDelegate, when: &CheckIn{}, err: KindConflict},
		decideCase{name: "check_in/already at that site", given: quorate(), actor: asOther, when: &CheckIn{Status: AttendanceRemote, Site: siteHP}, err: KindConflict},
		decideCase{name: "check_in/too many visits", given: tooManyVisits, actor: asDelegate, when: &CheckIn{}, err: KindConflict},
	)

	// ---- attendance.mark ---- (configured: next seq 12)
	add(
		decideCase{name: "mark/accepted, present, late", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendancePresent},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent, Late: true}}}},
		decideCase{name: "mark/accepted, remote", given: configured(), actor: asChair, when: &MarkAttendance{Participant: "p7", Status: AttendanceRemote, Site: siteHP},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p7", Status: AttendanceRemote, Site: siteHP, Late: true}}}},
		decideCase{name: "mark/accepted, absent without reason", given: configured(), when: &MarkAttendance{Participant: "p7", Status: AttendanceAbsent},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p7", Status: AttendanceAbsent}}}},
		decideCase{name: "mark/accepted, absent with reason trimmed", given: configured(), when: &MarkAttendance{Participant: "p7", Status: AttendanceAbsent, Reason: " Đi công tác "},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p7", Status: AttendanceAbsent, Reason: "Đi công tác"}}}},
		decideCase{name: "mark/accepted, excused", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendanceExcused, Reason: "Ốm, có giấy xin phép"},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p6", Status: AttendanceExcused, Reason: "Ốm, có giấy xin phép"}}}},
		decideCase{name: "mark/accepted, excused someone in", given: quorate(), when: &MarkAttendance{Participant: "p6", Status: AttendanceExcused, Reason: "Về sớm, có phép"},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p6", Status: AttendanceExcused, Reason: "Về sớm, có phép"}}}},
		decideCase{name: "mark/accepted in draft, never late", given: base(), when: &MarkAttendance{Participant: "p6", Status: AttendancePresent},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent}}}},
		decideCase{name: "mark/accepted, late overridden", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendancePresent, Late: ptr(false)},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent}}}},
		decideCase{name: "mark/accepted, only the late flag of someone in", given: quorate(), when: &MarkAttendance{Participant: "p6", Status: AttendancePresent, Late: ptr(true)},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent, Late: true}}}},
		decideCase{name: "mark/accepted, back after leaving", given: cat(quorate(), cmds(&CheckOut{Participant: "p6"})), when: &MarkAttendance{Participant: "p6", Status: AttendancePresent},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p6", Status: AttendancePresent}}}},
		decideCase{name: "mark/accepted, observer", given: configured(), when: &MarkAttendance{Participant: "p8", Status: AttendancePresent},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p8", Status: AttendancePresent, Late: true}}}},
		decideCase{name: "mark/accepted, reason changed", given: cat(configured(), cmds(&MarkAttendance{Participant: "p7", Status: AttendanceAbsent, Reason: "Chưa rõ"})),
			when: &MarkAttendance{Participant: "p7", Status: AttendanceAbsent, Reason: "Đi công tác"},
			want: []wantEvent{{Type: EventAttendanceMarked, Data: AttendanceChanged{Participant: "p7", Status: AttendanceAbsent, Reason: "Đi công tác"}}}},
		decideCase{name: "mark/unknown participant", given: configured(), when: &MarkAttendance{Participant: "p99", Status: AttendancePresent}, err: KindNotFound},
		decideCase{name: "mark/hall screen", given: configured(), when: &MarkAttendance{Participant: "p9", Status: AttendancePresent}, err: KindInvalid, probs: []Problem{{Field: "participant"}}},
		decideCase{name: "mark/status unknown", given: configured(), when: &MarkAttendance{Participant: "p6", Status: "sick"}, err: KindInvalid, probs: []Problem{{Field: "status"}}},
		decideCase{name: "mark/status empty", given: configured(), when: &MarkAttendance{Participant: "p6"}, err: KindInvalid, probs: []Problem{{Field: "status"}}},
		decideCase{name: "mark/remote without site", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendanceRemote}, err: KindInvalid, probs: []Problem{{Field: "site"}}},
		decideCase{name: "mark/remote unknown site", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendanceRemote, Site: "Hà Giang"}, err: KindNotFound, probs: []Problem{{Field: "site"}}},
		decideCase{name: "mark/absent with a site", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendanceAbsent, Site: siteHP}, err: KindInvalid, probs: []Problem{{Field: "site"}}},
		decideCase{name: "mark/excused without reason", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendanceExcused, Reason: " "}, err: KindInvalid, probs: []Problem{{Field: "reason"}}},
		decideCase{name: "mark/reason too long", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendanceAbsent, Reason: tooLong}, err: KindInvalid, probs: []Problem{{Field: "reason"}}},
		decideCase{name: "mark/present with a reason", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendancePresent, Reason: "Đến muộn"}, err: KindInvalid, probs: []Problem{{Field: "reason"}}},
		decideCase{name: "mark/late on an absence", given: configured(), when: &MarkAttendance{Participant: "p6", Status: AttendanceAbsent, Late: ptr(true)}, err: KindInvalid, probs: []Problem{{Field: "late"}}},
		decideCase{name: "mark/unchanged absence", given: cat(configured(), cmds(&MarkAttendance{Participant: "p7", Status: AttendanceAbsent, Reason: "Ốm"})),
			when: &MarkAttendance{Participant: "p7", Status: AttendanceAbsent, Reason: " Ốm "}, err: KindConflict},
		decideCase{name: "mark/unchanged presence", given: quorate(), when: &MarkAttendance{Participant: "p6", Status: AttendancePresent}, err: KindConflict},
		decideCase{name: "mark/too many visits", given: cat(configured(), repeat(MaxVisits, &MarkAttendance{Participant: "p6", Status: AttendancePresent}, &CheckOut{Participant: "p6"})),
			when: &MarkAttendance{Participant: "p6", Status: AttendancePresent}, err: KindConflict},
	)

	// ---- attendance.check_out ---- (quorate: next seq 15)
	add(
		decideCase{name: "check_out/accepted, self", given: quorate(), actor: asDelegate, when: &CheckOut{},
			want: []wantEvent{{Type: EventCheckedOut, Data: ParticipantRef{ID: "p6"}}}},
		decideCase{name: "check_out/accepted, self named", given: quorate(), actor: asDelegate, when: &CheckOut{Participant: "p6"},
			want: []wantEvent{{Type: EventCheckedOut, Data: ParticipantRef{ID: "p6"}}}},
		decideCase{name: "check_out/accepted, by the secretary", given: quorate(), when: &CheckOut{Participant: "p7"},
			want: []wantEvent{{Type: EventCheckedOut, Data: ParticipantRef{ID: "p7"}}}},
		decideCase{name: "check_out/accepted, chair self", given: quorate(), actor: asChair, when: &CheckOut{},
			want: []wantEvent{{Type: EventCheckedOut, Data: ParticipantRef{ID: "p5"}}}},
		decideCase{name: "check_out/secretary account for itself", given: quorate(), when: &CheckOut{}, err: KindForbidden},
		decideCase{name: "check_out/delegate for another", given: quorate(), actor: asDelegate, when: &CheckOut{Participant: "p7"}, err: KindForbidden},
		decideCase{name: "check_out/unknown participant", given: quorate(), when: &CheckOut{Participant: "p99"}, err: KindNotFound},
		decideCase{name: "check_out/not checked in", given: configured(), when: &CheckOut{Participant: "p6"}, err: KindConflict},
		decideCase{name: "check_out/already left", given: cat(quorate(), cmds(&CheckOut{Participant: "p6"})), actor: asDelegate, when: &CheckOut{}, err: KindConflict},
		decideCase{name: "check_out/absent", given: cat(configured(), cmds(&MarkAttendance{Participant: "p7", Status: AttendanceAbsent})), when: &CheckOut{Participant: "p7"}, err: KindConflict},
	)

	// ---- speaker.request ---- (onItem: next seq 16)
	req := func(id, p string, k SpeechKind, topic, replyTo string, pos int) wantEvent {
		return wantEvent{Type: EventSpeakerRequested, Data: SpeakerRequested{Request: SpeakerRequest{ID: id, Item: "i3", Participant: p, Kind: k, Topic: topic, ReplyTo: replyTo}, Position: pos}}
	}
	add(
		decideCase{name: "speaker.request/accepted, first", given: onItem(), actor: asDelegate, when: &RequestFloor{Topic: " Về báo cáo "}, want: []wantEvent{req("r16", "p6", SpeechNormal, "Về báo cáo", "", 1)}},
		decideCase{name: "speaker.request/accepted, behind the others", given: queued(), actor: asChair, when: &RequestFloor{}, want: []wantEvent{req("r18", "p5", SpeechNormal, "", "", 3)}},
		decideCase{name: "speaker.request/accepted, point of order first", given: queued(), actor: asChair, when: &RequestFloor{Kind: SpeechPointOfOrder}, want: []wantEvent{req("r18", "p5", SpeechPointOfOrder, "", "", 1)}},
		decideCase{name: "speaker.request/accepted, point of order behind an earlier one", given: cat(queued(), cmds(&AddSpeaker{Participant: "p8", Kind: SpeechPointOfOrder})), actor: asChair,
			when: &RequestFloor{Kind: SpeechPointOfOrder}, want: []wantEvent{req("r19", "p5", SpeechPointOfOrder, "", "", 2)}},
		decideCase{name: "speaker.request/accepted, reply to the last speaker", given: speaking(), actor: asChair, when: &RequestFloor{Kind: SpeechReply, Topic: "Tranh luận"},
			want: []wantEvent{req("r19", "p5", SpeechReply, "Tranh luận", "p6", 1)}},
		decideCase{name: "speaker.request/accepted, reply to a finished speech", given: cat(speaking(), cmds(&EndSpeech{})), actor: asChair, when: &RequestFloor{Kind: SpeechReply},
			want: []wantEvent{req("r20", "p5", SpeechReply, "", "p6", 1)}},
		decideCase{name: "speaker.request/secretary account", given: onItem(), when: &RequestFloor{}, err: KindForbidden},
		decideCase{name: "speaker.request/unknown participant", given: onItem(), actor: Actor{ID: "participant:p99", Role: RoleDelegate, Participant: "p99"}, when: &RequestFloor{}, err: KindNotFound},
		decideCase{name: "speaker.request/draft", given: base(), actor: asDelegate, when: &RequestFloor{}, err: KindConflict},
		decideCase{name: "speaker.request/paused", given: cat(onItem(), cmds(&PauseMeeting{})), actor: asDelegate, when: &RequestFloor{}, err: KindConflict},
		decideCase{name: "speaker.request/no current item", given: quorate(), actor: asDelegate, when: &RequestFloor{}, err: KindConflict},
		decideCase{name: "speaker.request/list closed", given: cat(onItem(), cmds(&CloseList{})), actor: asDelegate, when: &RequestFloor{}, err: KindConflict},
		decideCase{name: "speaker.request/kind unknown", given: onItem(), actor: asDelegate, when: &RequestFloor{Kind: "question"}, err: KindInvalid, probs: []Problem{{Field: "kind"}}},
		decideCase{name: "speaker.request/topic too long", given: onItem(), actor: asDelegate, when: &RequestFloor{Topic: tooLong}, err: KindInvalid, probs: []Problem{{Field: "topic"}}},
		decideCase{name: "speaker.request/already asked", given: queued(), actor: asDelegate, when: &RequestFloor{Kind: SpeechPointOfOrder}, err: KindConflict},
		decideCase{name: "speaker.request/reply with nobody to reply to", given: onItem(), actor: asDelegate, when: &RequestFloor{Kind: SpeechReply}, err: KindConflict},
		decideCase{name: "speaker.request/reply to oneself", given: speaking(), actor: asDelegate, when: &RequestFloor{Kind: SpeechReply}, err: KindConflict},
	)

	// ---- speaker.add ----
	add(
		decideCase{name: "speaker.add/accepted, observer", given: onItem(), when: &AddSpeaker{Participant: "p8", Topic: "Ý kiến khách mời"}, want: []wantEvent{req("r16", "p8", SpeechNormal, "Ý kiến khách mời", "", 1)}},
		decideCase{name: "speaker.add/accepted to a closed list", given: cat(onItem(), cmds(&CloseList{})), actor: asChair, when: &AddSpeaker{Participant: "p8"}, want: []wantEvent{req("r17", "p8", SpeechNormal, "", "", 1)}},
		decideCase{name: "speaker.add/accepted at a position", given: queued(), when: &AddSpeaker{Participant: "p8", Position: 1}, want: []wantEvent{req("r18", "p8", SpeechNormal, "", "", 1)}},
		decideCase{name: "speaker.add/accepted at the end explicitly", given: queued(), when: &AddSpeaker{Participant: "p8", Kind: SpeechPointOfOrder, Position: 3}, want: []wantEvent{req("r18", "p8", SpeechPointOfOrder, "", "", 3)}},
		decideCase{name: "speaker.add/accepted, point of order by priority", given: queued(), when: &AddSpeaker{Participant: "p8", Kind: SpeechPointOfOrder}, want: []wantEvent{req("r18", "p8", SpeechPointOfOrder, "", "", 1)}},
		decideCase{name: "speaker.add/accepted, reply", given: speaking(), when: &AddSpeaker{Participant: "p5", Kind: SpeechReply}, want: []wantEvent{req("r19", "p5", SpeechReply, "", "p6", 1)}},
		decideCase{name: "speaker.add/accepted, another item", given: quorate(), when: &AddSpeaker{Participant: "p6", Item: "i4"},
			want: []wantEvent{{Type: EventSpeakerRequested, Data: SpeakerRequested{Request: SpeakerRequest{ID: "r15", Item: "i4", Participant: "p6", Kind: SpeechNormal}, Position: 1}}}},
		decideCase{name: "speaker.add/accepted while paused", given: cat(onItem(), cmds(&PauseMeeting{})), when: &AddSpeaker{Participant: "p6"}, want: []wantEvent{req("r17", "p6", SpeechNormal, "", "", 1)}},
		decideCase{name: "speaker.add/draft", given: base(), when: &AddSpeaker{Participant: "p6", Item: "i2"}, err: KindConflict},
		decideCase{name: "speaker.add/unknown participant", given: onItem(), when: &AddSpeaker{Participant: "p99"}, err: KindNotFound},
		decideCase{name: "speaker.add/hall screen", given: onItem(), when: &AddSpeaker{Participant: "p9"}, err: KindInvalid, probs: []Problem{{Field: "participant"}}},
		decideCase{name: "speaker.add/no current item", given: quorate(), when: &AddSpeaker{Participant: "p6"}, err: KindConflict},
		decideCase{name: "speaker.add/unknown item", given: onItem(), when: &AddSpeaker{Participant: "p6", Item: "i99"}, err: KindNotFound},
		decideCase{name: "speaker.add/already on the list", given: queued(), when: &AddSpeaker{Participant: "p6", Kind: SpeechPointOfOrder}, err: KindConflict},
		decideCase{name: "speaker.add/position past the end", given: queued(), when: &AddSpeaker{Participant: "p8", Position: 4}, err: KindInvalid, probs: []Problem{{Field: "position"}}},
		decideCase{name: "speaker.add/position negative", given: queued(), when: &AddSpeaker{Participant: "p8", Position: -1}, err: KindInvalid, probs: []Problem{{Field: "position"}}},
		decideCase{name: "speaker.add/kind unknown", given: onItem(), when: &AddSpeaker{Participant: "p8", Kind: "speech"}, err: KindInvalid, probs: []Problem{{Field: "kind"}}},
		decideCase{name: "speaker.add/reply with nobody to reply to", given: onItem(), when: &AddSpeaker{Participant: "p8", Kind: SpeechReply}, err: KindConflict},
	)

	// ---- speaker.withdraw / speaker.reorder ---- (queued: r16 p6, r17 p7)
	add(
		decideCase{name: "speaker.withdraw/accepted, own", given: queued(), actor: asDelegate, when: &WithdrawRequest{ID: "r16"}, want: []wantEvent{{Type: EventSpeakerWithdrawn, Data: RequestRef{ID: "r16"}}}},
		decideCase{name: "speaker.withdraw/accepted, by the chair", given: queued(), actor: asChair, when: &WithdrawRequest{ID: "r17"}, want: []wantEvent{{Type: EventSpeakerWithdrawn, Data: RequestRef{ID: "r17"}}}},
		decideCase{name: "speaker.withdraw/accepted while paused", given: cat(queued(), cmds(&PauseMeeting{})), when: &WithdrawRequest{ID: "r17"}, want: []wantEvent{{Type: EventSpeakerWithdrawn, Data: RequestRef{ID: "r17"}}}},
		decideCase{name: "speaker.withdraw/unknown request", given: queued(), when: &WithdrawRequest{ID: "r99"}, err: KindNotFound},
		decideCase{name: "speaker.withdraw/request already granted", given: speaking(), actor: asDelegate, when: &WithdrawRequest{ID: "r16"}, err: KindNotFound},
		decideCase{name: "speaker.withdraw/another's request", given: queued(), actor: asDelegate, when: &WithdrawRequest{ID: "r17"}, err: KindForbidden},

		decideCase{name: "speaker.reorder/accepted, last to first", given: queued(), when: &ReorderRequest{ID: "r17", Position: 1}, want: []wantEvent{{Type: EventSpeakerMoved, Data: RequestMoved{ID: "r17", Position: 1}}}},
		decideCase{name: "speaker.reorder/accepted, first to last", given: queued(), actor: asChair, when: &ReorderRequest{ID: "r16", Position: 2}, want: []wantEvent{{Type: EventSpeakerMoved, Data: RequestMoved{ID: "r16", Position: 2}}}},
		decideCase{name: "speaker.reorder/accepted while paused", given: cat(queued(), cmds(&PauseMeeting{})), when: &ReorderRequest{ID: "r16", Position: 2}, want: []wantEvent{{Type: EventSpeakerMoved, Data: RequestMoved{ID: "r16", Position: 2}}}},
		decideCase{name: "speaker.reorder/unknown request", given: queued(), when: &ReorderRequest{ID: "r99", Position: 1}, err: KindNotFound},
		decideCase{name: "speaker.reorder/position 0", given: queued(), when: &ReorderRequest{ID: "r16", Position: 0}, err: KindInvalid},
		decideCase{name: "speaker.reorder/position past the end", given: queued(), when: &ReorderRequest{ID: "r16", Position: 3}, err: KindInvalid},
		decideCase{name: "speaker.reorder/same position", given: queued(), when: &ReorderRequest{ID: "r17", Position: 2}, err: KindConflict},
	)

	// ---- speaker.give_floor / speaker.end ---- (queued: next seq 18)
	sp := func(id, p, req, topic string, limit time.Duration) wantEvent {
		return wantEvent{Type: EventFloorGiven, Data: Speech{ID: id, Item: "i3", Participant: p, Kind: SpeechNormal, Topic: topic, Request: req, Limit: limit}}
	}
	// s18 starts at t0+17m; at 09:30 (t0+90m) it has lasted 73 minutes.
	ended18 := wantEvent{Type: EventSpeechEnded, Data: SpeechClock{ID: "s18", Elapsed: 73 * time.Minute}}
	add(
		decideCase{name: "speaker.give_floor/accepted, head of the queue", given: queued(), when: &GiveFloor{}, want: []wantEvent{sp("s18", "p6", "r16", "Về báo cáo", DefaultSpeakingTime)}},
		decideCase{name: "speaker.give_floor/accepted, a given request", given: queued(), actor: asChair, when: &GiveFloor{ID: "r17"}, want: []wantEvent{sp("s18", "p7", "r17", "", DefaultSpeakingTime)}},
		decideCase{name: "speaker.give_floor/accepted, the current speech ends first", given: speaking(), when: &GiveFloor{}, want: []wantEvent{ended18, sp("s20", "p7", "r17", "", DefaultSpeakingTime)}},
		decideCase{name: "speaker.give_floor/accepted, the item's limit", given: cat(queued(), cmds(&SetSpeakingLimit{Seconds: 120})), when: &GiveFloor{}, want: []wantEvent{sp("s19", "p6", "r16", "Về báo cáo", 2*time.Minute)}},
		decideCase{name: "speaker.give_floor/accepted, no limit", given: cat(queued(), cmds(&Configure{SpeakingSeconds: ptr(0)})), when: &GiveFloor{}, want: []wantEvent{sp("s19", "p6", "r16", "Về báo cáo", 0)}},
		decideCase{name: "speaker.give_floor/paused", given: cat(queued(), cmds(&PauseMeeting{})), when: &GiveFloor{}, err: KindConflict},
		decideCase{name: "speaker.give_floor/draft", given: base(), when: &GiveFloor{}, err: KindConflict},
		decideCase{name: "speaker.give_floor/no current item", given: quorate(), when: &GiveFloor{}, err: KindConflict},
		decideCase{name: "speaker.give_floor/empty queue", given: onItem(), when: &GiveFloor{}, err: KindConflict},
		decideCase{name: "speaker.give_floor/unknown request", given: queued(), when: &GiveFloor{ID: "r99"}, err: KindNotFound},

		decideCase{name: "speaker.end/accepted by the secretary", given: speaking(), when: &EndSpeech{}, want: []wantEvent{ended18}},
		decideCase{name: "speaker.end/accepted by the speaker", given: speaking(), actor: asDelegate, when: &EndSpeech{}, want: []wantEvent{ended18}},
		// Paused with the meeting at t0+18m: one minute spoken.
		decideCase{name: "speaker.end/accepted while paused, the clock stopped", given: cat(speaking(), cmds(&PauseMeeting{})), when: &EndSpeech{},
			want: []wantEvent{{Type: EventSpeechEnded, Data: SpeechClock{ID: "s18", Elapsed: time.Minute}}}},
		decideCase{name: "speaker.end/nobody speaking", given: queued(), when: &EndSpeech{}, err: KindConflict},
		decideCase{name: "speaker.end/speech already ended", given: cat(speaking(), cmds(&EndSpeech{})), actor: asDelegate, when: &EndSpeech{}, err: KindConflict},
		decideCase{name: "speaker.end/delegate not speaking", given: speaking(), actor: asOther, when: &EndSpeech{}, err: KindForbidden},
	)

	// ---- speaker.close_list / speaker.reopen_list ----
	add(
		decideCase{name: "speaker.close_list/accepted, current item", given: onItem(), when: &CloseList{}, want: []wantEvent{{Type: EventListClosed, Data: ItemRef{ID: "i3"}}}},
		decideCase{name: "speaker.close_list/accepted, another item", given: onItem(), actor: asChair, when: &CloseList{Item: "i4"}, want: []wantEvent{{Type: EventListClosed, Data: ItemRef{ID: "i4"}}}},
		decideCase{name: "speaker.close_list/accepted while paused", given: cat(onItem(), cmds(&PauseMeeting{})), when: &CloseList{}, want: []wantEvent{{Type: EventListClosed, Data: ItemRef{ID: "i3"}}}},
		decideCase{name: "speaker.close_list/draft", given: base(), when: &CloseList{Item: "i2"}, err: KindConflict},
		decideCase{name: "speaker.close_list/no current item", given: quorate(), when: &CloseList{}, err: KindConflict},
		decideCase{name: "speaker.close_list/unknown item", given: onItem(), when: &CloseList{Item: "i99"}, err: KindNotFound},
		decideCase{name: "speaker.close_list/already closed", given: cat(onItem(), cmds(&CloseList{})), when: &CloseList{Item: "i3"}, err: KindConflict},

		decideCase{name: "speaker.reopen_list/accepted", given: cat(onItem(), cmds(&CloseList{})), when: &ReopenList{}, want: []wantEvent{{Type: EventListReopened, Data: ItemRef{ID: "i3"}}}},
		decideCase{name: "speaker.reopen_list/accepted, another item, by the chair", given: cat(onItem(), cmds(&CloseList{Item: "i2"})), actor: asChair, when: &ReopenList{Item: "i2"},
			want: []wantEvent{{Type: EventListReopened, Data: ItemRef{ID: "i2"}}}},
		decideCase{name: "speaker.reopen_list/already open", given: onItem(), when: &ReopenList{}, err: KindConflict},
		decideCase{name: "speaker.reopen_list/unknown item", given: onItem(), when: &ReopenList{Item: "i99"}, err: KindNotFound},
		decideCase{name: "speaker.reopen_list/no current item", given: quorate(), when: &ReopenList{}, err: KindConflict},
		decideCase{name: "speaker.reopen_list/draft", given: base(), when: &ReopenList{Item: "i2"}, err: KindConflict},
	)

	// ---- speaker.timer ---- (speaking: s18 since t0+17m, limit 5 minutes)
	pausedClock := cat(speaking(), cmds(&SpeakerTimer{Action: TimerPause})) // at t0+18m
	add(
		decideCase{name: "speaker.timer/accepted, pause", given: speaking(), when: &SpeakerTimer{Action: TimerPause},
			want: []wantEvent{{Type: EventTimerPaused, Data: SpeechClock{ID: "s18", Elapsed: 73 * time.Minute}}}},
		decideCase{name: "speaker.timer/accepted, resume", given: pausedClock, actor: asChair, when: &SpeakerTimer{Action: TimerResume},
			want: []wantEvent{{Type: EventTimerResumed, Data: SpeechRef{ID: "s18"}}}},
		decideCase{name: "speaker.timer/accepted, add time", given: speaking(), when: &SpeakerTimer{Action: TimerAdd, Seconds: 60},
			want: []wantEvent{{Type: EventSpeechLimitSet, Data: SpeechLimit{ID: "s18", Limit: 6 * time.Minute}}}},
		decideCase{name: "speaker.timer/accepted, add time while the meeting is paused", given: cat(speaking(), cmds(&PauseMeeting{})), when: &SpeakerTimer{Action: TimerAdd, Seconds: 30},
			want: []wantEvent{{Type: EventSpeechLimitSet, Data: SpeechLimit{ID: "s18", Limit: 5*time.Minute + 30*time.Second}}}},
		decideCase{name: "speaker.timer/action unknown", given: speaking(), when: &SpeakerTimer{Action: "stop"}, err: KindInvalid, probs: []Problem{{Field: "action"}}},
		decideCase{name: "speaker.timer/draft", given: base(), when: &SpeakerTimer{Action: TimerPause}, err: KindConflict},
		decideCase{name: "speaker.timer/nobody speaking", given: queued(), when: &SpeakerTimer{Action: TimerPause}, err: KindConflict},
		decideCase{name: "speaker.timer/pause when paused", given: pausedClock, when: &SpeakerTimer{Action: TimerPause}, err: KindConflict},
		decideCase{name: "speaker.timer/resume when running", given: speaking(), when: &SpeakerTimer{Action: TimerResume}, err: KindConflict},
		decideCase{name: "speaker.timer/resume while the meeting is paused", given: cat(speaking(), cmds(&PauseMeeting{})), when: &SpeakerTimer{Action: TimerResume}, err: KindConflict},
		decideCase{name: "speaker.timer/add nothing", given: speaking(), when: &SpeakerTimer{Action: TimerAdd}, err: KindInvalid, probs: []Problem{{Field: "seconds"}}},
		decideCase{name: "speaker.timer/add too much", given: speaking(), when: &SpeakerTimer{Action: TimerAdd, Seconds: 3601}, err: KindInvalid, probs: []Problem{{Field: "seconds"}}},
		decideCase{name: "speaker.timer/add to a speech without limit", given: cat(queued(), cmds(&Configure{SpeakingSeconds: ptr(0)}, &GiveFloor{})), when: &SpeakerTimer{Action: TimerAdd, Seconds: 60}, err: KindConflict},
		decideCase{name: "speaker.timer/add past the maximum", given: cat(speaking(), cmds(&SetSpeakingLimit{Current: true, Seconds: 4 * 3600})), when: &SpeakerTimer{Action: TimerAdd, Seconds: 1},
			err: KindInvalid, probs: []Problem{{Field: "seconds"}}},
	)

	// ---- speaker.set_limit ----
	add(
		decideCase{name: "speaker.set_limit/accepted, current item", given: onItem(), when: &SetSpeakingLimit{Seconds: 180}, want: []wantEvent{{Type: EventItemLimitSet, Data: ItemLimit{Item: "i3", Limit: 3 * time.Minute}}}},
		decideCase{name: "speaker.set_limit/accepted, an item in draft", given: base(), actor: asChair, when: &SetSpeakingLimit{Item: "i4", Seconds: 60}, want: []wantEvent{{Type: EventItemLimitSet, Data: ItemLimit{Item: "i4", Limit: time.Minute}}}},
		decideCase{name: "speaker.set_limit/accepted, back to the default", given: cat(onItem(), cmds(&SetSpeakingLimit{Seconds: 180})), when: &SetSpeakingLimit{}, want: []wantEvent{{Type: EventItemLimitSet, Data: ItemLimit{Item: "i3"}}}},
		decideCase{name: "speaker.set_limit/accepted, current speech", given: speaking(), when: &SetSpeakingLimit{Current: true, Seconds: 600}, want: []wantEvent{{Type: EventSpeechLimitSet, Data: SpeechLimit{ID: "s18", Limit: 10 * time.Minute}}}},
		decideCase{name: "speaker.set_limit/accepted, current speech unlimited", given: speaking(), when: &SetSpeakingLimit{Current: true}, want: []wantEvent{{Type: EventSpeechLimitSet, Data: SpeechLimit{ID: "s18"}}}},
		decideCase{name: "speaker.set_limit/negative", given: onItem(), when: &SetSpeakingLimit{Seconds: -1}, err: KindInvalid, probs: []Problem{{Field: "seconds"}}},
		decideCase{name: "speaker.set_limit/too long", given: onItem(), when: &SetSpeakingLimit{Seconds: 4*3600 + 1}, err: KindInvalid, probs: []Problem{{Field: "seconds"}}},
		decideCase{name: "speaker.set_limit/current and an item", given: speaking(), when: &SetSpeakingLimit{Current: true, Item: "i3", Seconds: 60}, err: KindInvalid, probs: []Problem{{Field: "item"}}},
		decideCase{name: "speaker.set_limit/current, nobody speaking", given: queued(), when: &SetSpeakingLimit{Current: true, Seconds: 60}, err: KindConflict},
		decideCase{name: "speaker.set_limit/current unchanged", given: speaking(), when: &SetSpeakingLimit{Current: true, Seconds: 300}, err: KindConflict},
		decideCase{name: "speaker.set_limit/no current item", given: quorate(), when: &SetSpeakingLimit{Seconds: 60}, err: KindConflict},
		decideCase{name: "speaker.set_limit/unknown item", given: onItem(), when: &SetSpeakingLimit{Item: "i99", Seconds: 60}, err: KindNotFound},
		decideCase{name: "speaker.set_limit/item unchanged", given: onItem(), when: &SetSpeakingLimit{}, err: KindConflict},
	)

	// ---- changes to earlier commands ----
	add(
		decideCase{name: "pause/accepted, the speaker's clock pauses first", given: speaking(), when: &PauseMeeting{},
			want: []wantEvent{{Type: EventTimerPaused, Data: SpeechClock{ID: "s18", Elapsed: 73 * time.Minute}}, {Type: EventMeetingPaused}}},
		decideCase{name: "pause/accepted, the speaker's clock already paused", given: pausedClock, when: &PauseMeeting{}, want: []wantEvent{{Type: EventMeetingPaused}}},
		decideCase{name: "close/accepted, the current speech ends first", given: speaking(), when: &CloseMeeting{}, want: []wantEvent{ended18, {Type: EventMeetingClosed}}},
		decideCase{name: "close/accepted with a closed poll", given: cat(openVoteOpen(), cmds(&ClosePoll{ID: "v15"})), when: &CloseMeeting{}, want: []wantEvent{{Type: EventMeetingClosed}}},
		decideCase{name: "close/a poll still open", given: openVoteOpen(), when: &CloseMeeting{}, err: KindConflict},
		decideCase{name: "participant.remove/accepted, with a request and attendance", given: queued(), when: &RemoveParticipant{ID: "p7"},
			want: []wantEvent{{Type: EventParticipantRemoved, Data: ParticipantRef{ID: "p7"}}}},
		decideCase{name: "participant.remove/accepted after a closed poll", given: cat(openVoteOpen(), cmds(&ClosePoll{ID: "v15"})), when: &RemoveParticipant{ID: "p7"},
			want: []wantEvent{{Type: EventParticipantRemoved, Data: ParticipantRef{ID: "p7"}}}},
		decideCase{name: "participant.remove/speaking", given: speaking(), when: &RemoveParticipant{ID: "p6"}, err: KindConflict},
		decideCase{name: "participant.remove/voter of an open poll", given: openVoteOpen(), when: &RemoveParticipant{ID: "p7"}, err: KindConflict},
		decideCase{name: "agenda.remove/accepted, its requests go", given: cat(quorate(), cmds(&AddSpeaker{Participant: "p6", Item: "i4"})), when: &RemoveItem{ID: "i4"},
			want: []wantEvent{{Type: EventItemRemoved, Data: ItemRef{ID: "i4"}}}},
		decideCase{name: "agenda.remove/item with a speech", given: cat(speaking(), cmds(&SetCurrentItem{ID: "i4"})), when: &RemoveItem{ID: "i3"}, err: KindConflict},
		decideCase{name: "agenda.remove/item with a poll", given: cat(quorate(), cmds(&CreatePoll{PollSpec{Question: "Thông qua", Kind: PollOpen, Item: "i4"}})), when: &RemoveItem{ID: "i4"}, err: KindConflict},
		decideCase{name: "participant.add/accepted, non-voting", given: base(), when: &AddParticipant{NewParticipant{Name: "Vũ Văn Giang", Position: "Đảng viên dự bị", NonVoting: true}},
			want: []wantEvent{{Type: EventParticipantAdded, Data: Participant{ID: "p10", Name: "Vũ Văn Giang", Position: "Đảng viên dự bị", Role: RoleDelegate, NonVoting: true}}}},
		decideCase{name: "participant.update/accepted, non-voting", given: base(), when: &UpdateParticipant{ID: "p7", NewParticipant: NewParticipant{Name: "Lê Văn Cường", NonVoting: true}},
			want: []wantEvent{{Type: EventParticipantUpdated, Data: Participant{ID: "p7", Name: "Lê Văn Cường", Role: RoleDelegate, NonVoting: true}}}},
	)

	add(pollCases(staff)...)
	return cases
}
