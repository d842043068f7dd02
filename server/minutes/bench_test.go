package minutes

import (
	"fmt"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// largeMeeting builds the log of a congress: n delegates (a few absent, some
// at three linked sites, some late), 30 agenda items with three speeches
// each, and 20 polls of every kind, every eligible delegate voting.
func largeMeeting(tb testing.TB, n int) *fixture {
	f := newFixture(tb, "m-dai-hoi")
	f.at(-600).sec(&meeting.CreateMeeting{Details: meeting.Details{Title: "Đại hội đại biểu Đảng bộ nhiệm kỳ 2025-2030", Organization: "Đảng bộ Khối cơ quan",
		Place: "Hội trường lớn", Chair: "Đoàn Chủ tịch Đại hội", Secretary: "Đoàn Thư ký Đại hội"}})
	sites := []string{"Điểm cầu Hải Phòng", "Điểm cầu Đà Nẵng", "Điểm cầu Cần Thơ"}
	f.sec(&meeting.Configure{Sites: &sites})
	items := make([]string, 30)
	for i := range items {
		items[i] = f.item(fmt.Sprintf("Nội dung %d của Đại hội", i+1), "")
	}
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"}
	given := []string{"Văn An", "Thị Bình", "Minh Cường", "Thị Dung", "Quốc Đức", "Thị Hà", "Văn Hùng", "Thị Lan", "Văn Minh", "Thị Nga"}
	rows := make([]meeting.NewParticipant, n)
	names := make([]string, n)
	for i := range rows {
		names[i] = fmt.Sprintf("%s %s %d", family[i%10], given[(i/10)%10], i+1)
		rows[i] = meeting.NewParticipant{Name: names[i], Position: "Đại biểu", Unit: fmt.Sprintf("Đoàn đại biểu số %d", i%40+1)}
	}
	rows[0].Role = meeting.RoleChair
	f.people(rows...)
	f.chair = f.actor(names[0])
	f.at(-30)
	absent := map[int]bool{}
	for i := range names {
		switch {
		case i%97 == 5:
			absent[i] = true
			f.sec(&meeting.MarkAttendance{Participant: f.pid(names[i]), Status: meeting.AttendanceExcused, Reason: "Đi công tác nước ngoài"})
		case i%53 == 7:
			continue // checks in late
		case i%50 == 3:
			f.sec(&meeting.MarkAttendance{Participant: f.pid(names[i]), Status: meeting.AttendanceRemote, Site: sites[i%3]})
		default:
			f.sec(&meeting.MarkAttendance{Participant: f.pid(names[i]), Status: meeting.AttendancePresent})
		}
	}
	f.at(0).do(f.chair, &meeting.OpenMeeting{})
	f.at(20)
	for i := range names {
		if i%53 == 7 && !absent[i] {
			f.do(f.actor(names[i]), &meeting.CheckIn{})
		}
	}
	var voters []string
	for i := range names {
		if !absent[i] {
			voters = append(voters, names[i])
		}
	}
	minute := 30.0
	polls := 0
	for k, it := range items {
		f.at(minute).sec(&meeting.SetCurrentItem{ID: it})
		for s := range 3 {
			f.speech(names[(k*7+s*13)%n], fmt.Sprintf("Tham luận số %d", k*3+s+1), meeting.SpeechNormal, 4)
		}
		if k%3 == 0 || k%3 == 1 && polls < 20 {
			if polls < 20 {
				f.largePoll(polls, it, voters)
				polls++
			}
		}
		f.sec(&meeting.Conclude{Item: it, Text: fmt.Sprintf("Đại hội thống nhất nội dung %d.", k+1)})
		minute = f.now.Sub(t0).Minutes() + 1
	}
	for polls < 20 {
		f.largePoll(polls, "", voters)
		polls++
	}
	f.sec(&meeting.SendNotice{Text: "Đại hội kết thúc."})
	f.do(f.chair, &meeting.CloseMeeting{})
	f.sec(&meeting.Conclude{Text: "Đại hội đã hoàn thành toàn bộ chương trình."})
	f.do(f.chair, &meeting.FinalizeMinutes{Number: "01-BB/ĐH"})
	return f
}

// largePoll runs poll k (kinds in turn) on item with every voter voting, in
// batches of 200 as the ballot box commits them.
func (f *fixture) largePoll(k int, item string, voters []string) {
	f.tb.Helper()
	spec := meeting.PollSpec{Question: fmt.Sprintf("Biểu quyết số %d", k+1), Item: item}
	var ballot func(i int) meeting.Ballot
	switch k % 5 {
	case 0:
		spec.Kind = meeting.PollOpen
		ballot = func(i int) meeting.Ballot { return meeting.Ballot{Choice: meeting.Choices[i%7%3]} }
	case 1:
		spec.Kind = meeting.PollSecret
		ballot = func(i int) meeting.Ballot { return meeting.Ballot{Choice: meeting.Choices[i%5%3]} }
	case 2:
		spec.Kind, spec.Seats = meeting.PollElection, 9
		for c := range 11 {
			spec.Candidates = append(spec.Candidates, meeting.Candidate{Participant: f.pid(voters[c*3])})
		}
		ballot = func(i int) meeting.Ballot {
			var kept []string
			for c := range 11 {
				if (i+c)%11 >= 2 {
					kept = append(kept, fmt.Sprintf("c%d", c+1))
				}
			}
			return meeting.Ballot{Kept: kept}
		}
	case 3, 4:
		spec.Kind, spec.Scale = meeting.PollRating, meeting.ScaleReview
		levels := meeting.ScaleReview.Levels()
		if k%5 == 4 {
			spec.Scale = meeting.ScaleConfidence
			levels = meeting.ScaleConfidence.Levels()
		}
		for c := range 15 {
			spec.Subjects = append(spec.Subjects, meeting.Candidate{Participant: f.pid(voters[c*5+1])})
		}
		ballot = func(i int) meeting.Ballot {
			r := map[string]meeting.Level{}
			for c := range 15 {
				r[fmt.Sprintf("c%d", c+1)] = levels[(i+c)%len(levels)]
			}
			return meeting.Ballot{Ratings: r}
		}
	}
	p := id(f.sec(&meeting.CreatePoll{PollSpec: spec}))
	f.sec(&meeting.OpenPoll{ID: p})
	ballots := make([]meeting.Ballot, len(voters))
	for i := range ballots {
		ballots[i] = ballot(i)
	}
	for i := 0; i < len(voters); i += 200 {
		j := min(i+200, len(voters))
		f.now = f.now.Add(5 * time.Second)
		f.vote(p, voters[i:j], ballots[i:j])
	}
	f.now = f.now.Add(time.Minute)
	f.closePoll(p, true)
}

// BenchmarkMinutes1600 measures building and rendering the minutes of a
// 1,600-delegate meeting (30 items, 20 polls): Build, JSON, HTML (vi) and
// PDF (vi) per iteration.
func BenchmarkMinutes1600(b *testing.B) {
	f := largeMeeting(b, 1600)
	var pdfBytes, htmlBytes int
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m, err := Build(f.log)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.JSON(); err != nil {
			b.Fatal(err)
		}
		h, err := m.HTML("vi")
		if err != nil {
			b.Fatal(err)
		}
		p, err := m.PDF("vi")
		if err != nil {
			b.Fatal(err)
		}
		pdfBytes, htmlBytes = len(p), len(h)
	}
	b.ReportMetric(float64(len(f.log)), "events")
	b.ReportMetric(float64(pdfBytes), "pdf-bytes")
	b.ReportMetric(float64(htmlBytes), "html-bytes")
}

// TestLargeMeeting checks the generated congress: every poll is in the
// minutes with its count, and the PDF renders.
func TestLargeMeeting(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds a 1,600-delegate log")
	}
	f := largeMeeting(t, 1600)
	m, err := Build(f.log)
	if err != nil {
		t.Fatal(err)
	}
	r := m.Record()
	if got := len(allPolls(r)); got != 20 {
		t.Errorf("%d polls in the minutes; want 20", got)
	}
	for _, p := range allPolls(r) {
		if p.Result == nil || p.Result.Cast != r.Attendance.Members.Attended {
			t.Errorf("poll %s: result %+v; want every one of the %d attending voting", fmtPoll(p), p.Result, r.Attendance.Members.Attended)
		}
	}
	if r.Attendance.Members.Summoned != 1600 || len(r.Attendance.Absent) == 0 || len(r.Attendance.Late) == 0 {
		t.Errorf("attendance = %d summoned, %d absent, %d late", r.Attendance.Members.Summoned, len(r.Attendance.Absent), len(r.Attendance.Late))
	}
	if _, err := m.PDF("vi"); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkMinutes1600Parts splits BenchmarkMinutes1600 into its steps.
func BenchmarkMinutes1600Parts(b *testing.B) {
	f := largeMeeting(b, 1600)
	m, err := Build(f.log)
	if err != nil {
		b.Fatal(err)
	}
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"Build", func() error { _, err := Build(f.log); return err }},
		{"JSON", func() error { _, err := m.JSON(); return err }},
		{"HTML", func() error { _, err := m.HTML("vi"); return err }},
		{"PDF", func() error { _, err := m.PDF("vi"); return err }},
	} {
		b.Run(step.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := step.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
