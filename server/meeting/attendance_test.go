package meeting

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// chiBo is a meeting of eight entitled members (p3 chair, p4 secretary,
// p5-p10 delegates), a non-voting member (p11), an observer (p12) and the
// hall screen (p13), with two linked sites; opened at seq 14.
func chiBo(more ...Command) []Command {
	return cat(created(), cmds(
		&Configure{Sites: &[]string{siteHP, siteDN}},
		&ImportParticipants{Rows: []NewParticipant{
			{Name: "Nguyễn Văn An", Role: RoleChair}, {Name: "Trần Thị Bình", Role: RoleSecretary},
			{Name: "Lê Văn Cường"}, {Name: "Phạm Thị Dung"}, {Name: "Hoàng Văn Em"}, {Name: "Vũ Thị Giang"}, {Name: "Đỗ Văn Hùng"}, {Name: "Bùi Thị Lan"},
			{Name: "Ngô Văn Minh", Position: "Đảng viên dự bị", NonVoting: true},
			{Name: "Khách mời", Role: RoleObserver}, {Name: "Màn hình", Role: RoleHall},
		}},
		&OpenMeeting{},
	), more)
}

func present(ids ...string) []Command {
	var c []Command
	for _, id := range ids {
		c = append(c, &MarkAttendance{Participant: id, Status: AttendancePresent})
	}
	return c
}

func TestQuorumOf(t *testing.T) {
	twoThirds := QuorumRule{Threshold: Threshold{Num: 2, Den: 3, AtLeast: true}, Base: QuorumOfEntitled}
	sites := func(hp, dn int) []SiteCount { return []SiteCount{{siteHP, hp}, {siteDN, dn}} }
	tests := []struct {
		name  string
		given []Command
		want  Quorum
	}{
		{"nobody recorded", chiBo(),
			Quorum{Rule: twoThirds, Entitled: 8, Sites: sites(0, 0), NotRecorded: 8, Base: 8, Required: 6}},
		{"six of eight in the hall: at least 2/3", chiBo(present("p3", "p4", "p5", "p6", "p7", "p8")...),
			Quorum{Rule: twoThirds, Entitled: 8, Present: 6, InHall: 6, Sites: sites(0, 0), NotRecorded: 2, Base: 8, Required: 6, Met: true}},
		{"five in the hall: no quorum", chiBo(present("p3", "p4", "p5", "p6", "p7")...),
			Quorum{Rule: twoThirds, Entitled: 8, Present: 5, InHall: 5, Sites: sites(0, 0), NotRecorded: 3, Base: 8, Required: 6}},
		{"linked sites count; observers and non-voting members do not", chiBo(cat(present("p3", "p4", "p5", "p6", "p11", "p12"), cmds(
			&MarkAttendance{Participant: "p7", Status: AttendanceRemote, Site: siteHP},
			&MarkAttendance{Participant: "p8", Status: AttendanceRemote, Site: siteHP},
			&MarkAttendance{Participant: "p9", Status: AttendanceRemote, Site: siteDN},
		))...),
			Quorum{Rule: twoThirds, Entitled: 8, Present: 7, InHall: 4, Remote: 3, Sites: sites(2, 1), NotRecorded: 1, Base: 8, Required: 6, Met: true}},
		{"excused, absent, left and not recorded", chiBo(cat(present("p3", "p4", "p5", "p6", "p9"), cmds(
			&MarkAttendance{Participant: "p7", Status: AttendanceExcused, Reason: "Ốm"},
			&MarkAttendance{Participant: "p8", Status: AttendanceAbsent},
			&CheckOut{Participant: "p9"},
		))...),
			Quorum{Rule: twoThirds, Entitled: 8, Present: 4, InHall: 4, Sites: sites(0, 0), Excused: 1, Absent: 1, Left: 1, NotRecorded: 1, Base: 8, Required: 6}},
		{"counted on the summoned minus the excused", chiBo(cat(cmds(&Configure{Quorum: &QuorumRule{Threshold: twoThirds.Threshold, Base: QuorumOfSummoned}}), present("p3", "p4", "p5", "p6"), cmds(
			&MarkAttendance{Participant: "p7", Status: AttendanceExcused, Reason: "Công tác"},
			&MarkAttendance{Participant: "p8", Status: AttendanceExcused, Reason: "Ốm"},
		))...),
			Quorum{Rule: QuorumRule{Threshold: twoThirds.Threshold, Base: QuorumOfSummoned}, Entitled: 8, Present: 4, InHall: 4, Sites: sites(0, 0), Excused: 2, NotRecorded: 2, Base: 6, Required: 4, Met: true}},
		{"more than half: four of eight is not enough", chiBo(cat(cmds(&Configure{Quorum: &QuorumRule{Threshold: MoreThanHalf}}), present("p3", "p4", "p5", "p6"))...),
			Quorum{Rule: QuorumRule{Threshold: MoreThanHalf, Base: QuorumOfEntitled}, Entitled: 8, Present: 4, InHall: 4, Sites: sites(0, 0), NotRecorded: 4, Base: 8, Required: 5}},
		{"more than half: five of eight", chiBo(cat(cmds(&Configure{Quorum: &QuorumRule{Threshold: MoreThanHalf}}), present("p3", "p4", "p5", "p6", "p7"))...),
			Quorum{Rule: QuorumRule{Threshold: MoreThanHalf, Base: QuorumOfEntitled}, Entitled: 8, Present: 5, InHall: 5, Sites: sites(0, 0), NotRecorded: 3, Base: 8, Required: 5, Met: true}},
		{"a member made non-voting stops counting", chiBo(cat(present("p3", "p4", "p5", "p6", "p7", "p8"), cmds(
			&UpdateParticipant{ID: "p8", NewParticipant: NewParticipant{Name: "Bùi Thị Lan", NonVoting: true}},
		))...),
			Quorum{Rule: twoThirds, Entitled: 7, Present: 5, InHall: 5, Sites: sites(0, 0), NotRecorded: 2, Base: 7, Required: 5, Met: true}},
		{"nobody entitled: no quorum", cat(created(), cmds(&AddParticipant{NewParticipant{Name: "Khách", Role: RoleObserver}}, &OpenMeeting{}, &MarkAttendance{Participant: "p2", Status: AttendancePresent})),
			Quorum{Rule: twoThirds, Sites: []SiteCount{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := given(t, tt.given...)
			got := QuorumOf(s)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("QuorumOf (-want +got):\n%s", diff)
			}
			if sum := got.Present + got.Excused + got.Absent + got.Left + got.NotRecorded; sum != got.Entitled {
				t.Errorf("the categories add up to %d; want the %d entitled", sum, got.Entitled)
			}
			// A replica of any viewer computes the same.
			for _, v := range []Viewer{{Role: RoleDelegate, Participant: "p5"}, {Role: RoleHall}} {
				if diff := cmp.Diff(got, QuorumOf(View(s, v))); diff != "" {
					t.Errorf("QuorumOf(View(%+v)) differs:\n%s", v, diff)
				}
			}
		})
	}
}

func TestAttendanceRecord(t *testing.T) {
	// seq 15 p5 checks in (t0+14m), 16 leaves, 17 back at siteHP, 18 moves
	// to the hall, 19 marked excused, 20 present again.
	p5 := Actor{ID: "participant:p5", Role: RoleDelegate, Participant: "p5"}
	s, log := givenLog(t, chiBo(
		by(p5, &CheckIn{}),
		by(p5, &CheckOut{}),
		by(p5, &CheckIn{Status: AttendanceRemote, Site: siteHP}),
		by(p5, &CheckIn{}),
		&MarkAttendance{Participant: "p5", Status: AttendanceExcused, Reason: "Về sớm, có phép"},
		&MarkAttendance{Participant: "p5", Status: AttendancePresent},
	)...)
	at := func(seq int) time.Time { return log[seq-1].At }
	want := Attendance{Status: AttendancePresent, CheckedIn: at(15), Visits: []Visit{
		{In: at(15), Out: at(16)},
		{In: at(17), Out: at(18), Site: siteHP},
		{In: at(18), Out: at(19)},
		{In: at(20)},
	}}
	if diff := cmp.Diff(want, s.Attendance["p5"]); diff != "" {
		t.Errorf("attendance of p5 (-want +got):\n%s", diff)
	}
	if !s.Attendance["p5"].In() {
		t.Errorf("p5 not in after being marked present")
	}
	// Checking out records the departure.
	runOn(s, &CheckOut{Participant: "p5"})
	if a := s.Attendance["p5"]; a.In() || !a.CheckedOut.Equal(s.Attendance["p5"].Visits[3].Out) || a.CheckedOut.IsZero() {
		t.Errorf("after checking out: %+v; want out, with the time", a)
	}
	// Events about unknown participants change nothing.
	before := s.Clone()
	applyAll(t, s, newEvent(EventCheckedIn, AttendanceChanged{Participant: "p99", Status: AttendancePresent}), newEvent(EventCheckedOut, ParticipantRef{ID: "p99"}))
	before.Seq, before.Head = s.Seq, s.Head
	if diff := cmp.Diff(before, s); diff != "" {
		t.Errorf("events about an unknown participant changed the state:\n%s", diff)
	}
	// Removing a participant removes their record.
	runOn(s, &RemoveParticipant{ID: "p5"})
	if _, ok := s.Attendance["p5"]; ok {
		t.Errorf("a removed participant keeps an attendance record")
	}
}

func TestLate(t *testing.T) {
	// Opened at t0+13m (seq 14); the grace is 15 minutes by default.
	s := given(t, chiBo()...)
	opening := s.OpenedAt
	p5 := Actor{ID: "participant:p5", Role: RoleDelegate, Participant: "p5"}
	tests := []struct {
		name  string
		more  []Command
		now   time.Time
		actor Actor
		cmd   Command
		late  bool
	}{
		{"at the opening", nil, opening, p5, &CheckIn{}, false},
		{"at the end of the grace", nil, opening.Add(15 * time.Minute), p5, &CheckIn{}, false},
		{"a second after the grace", nil, opening.Add(15*time.Minute + time.Second), p5, &CheckIn{}, true},
		{"marked by the secretary after the grace", nil, opening.Add(time.Hour), asSecretary, &MarkAttendance{Participant: "p5", Status: AttendancePresent}, true},
		{"no grace", cmds(&Configure{LateGraceSeconds: ptr(0)}), opening.Add(time.Second), p5, &CheckIn{}, true},
		{"a longer grace", cmds(&Configure{LateGraceSeconds: ptr(3600)}), opening.Add(59 * time.Minute), p5, &CheckIn{}, false},
	}
	for _, tt := range tests {
		s := given(t, chiBo(tt.more...)...)
		events, err := Decide(s, tt.actor, tt.cmd, tt.now)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		p, _ := payloadOf(events[0].Type, events[0].Data)
		if got := p.(AttendanceChanged).Late; got != tt.late {
			t.Errorf("%s: late = %v; want %v", tt.name, got, tt.late)
		}
		if err := Apply(s, events[0]); err != nil || s.Attendance["p5"].Late != tt.late {
			t.Errorf("%s: after Apply late = %v (%v); want %v", tt.name, s.Attendance["p5"].Late, err, tt.late)
		}
	}
	// Marked before the opening: never late, even when it opens much later.
	s = given(t, cat(created(), cmds(&AddParticipant{NewParticipant{Name: "An"}}, &MarkAttendance{Participant: "p2", Status: AttendancePresent}, &OpenMeeting{}))...)
	if s.Attendance["p2"].Late {
		t.Errorf("marked present before the opening: late")
	}
}
