// Package archivetest builds realistic meeting logs for the archive's tests
// and benchmarks: every event comes from the domain's Decide and Apply, as
// on the server. All names are fictional.
package archivetest

import (
	"fmt"
	"time"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/minutes"
)

// Spec sizes a fixture meeting: Polls open votes, then Secret secret
// votes (each with a vote-counting record).
type Spec struct {
	Delegates, Items, Polls, Secret int
}

var (
	secretary = meeting.Actor{ID: "account:thuky", Role: meeting.RoleSecretary}
	system    = meeting.Actor{ID: "system", Role: meeting.RoleSystem}
)

var family = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"}
var middle = []string{"Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc"}
var given = []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khánh", "Lâm", "Mai", "Nam", "Oanh", "Phúc"}

func name(i int) string {
	return fmt.Sprintf("%s %s %s", family[i%len(family)], middle[(i/3)%len(middle)], given[(i*7)%len(given)])
}

// Start is the fixture's first event time (08:00 in Hà Nội).
var Start = time.Date(2026, 3, 16, 1, 0, 0, 0, time.UTC)

// Log builds a closed meeting "id": agenda, delegates (all checked in),
// open polls with every delegate voting and published results, two
// documents; then closes it. It returns the final state and the whole log.
func Log(id string, sp Spec) (*meeting.State, []meeting.Event, error) {
	s := &meeting.State{ID: id}
	var log []meeting.Event
	now := Start
	run := func(a meeting.Actor, c meeting.Command) error {
		now = now.Add(time.Second)
		evs, err := meeting.Decide(s, a, c, now)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name(), err)
		}
		for _, e := range evs {
			if err := meeting.Apply(s, e); err != nil {
				return err
			}
		}
		log = append(log, evs...)
		return nil
	}
	steps := []struct {
		a meeting.Actor
		c meeting.Command
	}{
		{secretary, &meeting.CreateMeeting{Details: meeting.Details{
			Title: "Hội nghị Ban Chấp hành Đảng bộ lần thứ 12 (dữ liệu mẫu) — kỳ họp <thường lệ> & tổng kết", Organization: "Đảng ủy Khối (dữ liệu mẫu)",
			Place: "Hội trường lớn", StartsAt: Start, Chair: name(0) + ", Bí thư", Secretary: name(1)}}},
	}
	for _, st := range steps {
		if err := run(st.a, st.c); err != nil {
			return nil, nil, err
		}
	}
	for i := range sp.Items {
		if err := run(secretary, &meeting.AddItem{Title: fmt.Sprintf("Mục %d: Thảo luận, cho ý kiến về báo cáo số %d/BC-ĐU", i+1, 100+i)}); err != nil {
			return nil, nil, err
		}
	}
	rows := []meeting.NewParticipant{{Name: name(0), Position: "Bí thư", Role: meeting.RoleChair}}
	for i := 1; i <= sp.Delegates; i++ {
		rows = append(rows, meeting.NewParticipant{Name: name(i), Position: "Ủy viên", Unit: fmt.Sprintf("Chi bộ số %d", i%40+1), Role: meeting.RoleDelegate})
	}
	for start := 0; start < len(rows); start += 500 {
		if err := run(secretary, &meeting.ImportParticipants{Rows: rows[start:min(start+500, len(rows))]}); err != nil {
			return nil, nil, err
		}
	}
	for d := range 2 {
		body := fmt.Sprintf("tài liệu %d", d)
		if err := run(meeting.Actor{ID: "account:thuky", Role: meeting.RoleSystem}, &meeting.AddDocument{
			DocumentSpec: meeting.DocumentSpec{Title: fmt.Sprintf("Dự thảo nghị quyết %d", d+1), Access: meeting.Access("delegates")}, Publish: true,
			File: meeting.File{SHA256: fmt.Sprintf("%064x", len(body)+d), Size: int64(len(body)), ContentType: "application/pdf", Name: fmt.Sprintf("du-thao-%d.pdf", d+1)}}); err != nil {
			return nil, nil, err
		}
	}
	if err := run(secretary, &meeting.OpenMeeting{}); err != nil {
		return nil, nil, err
	}
	for _, p := range s.Participants {
		if err := run(secretary, &meeting.MarkAttendance{Participant: p.ID, Status: meeting.AttendancePresent}); err != nil {
			return nil, nil, err
		}
	}
	for k := range sp.Polls {
		if err := run(secretary, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: fmt.Sprintf("Biểu quyết thông qua nội dung %d", k+1), Kind: meeting.PollOpen}}); err != nil {
			return nil, nil, err
		}
		pid := s.Polls[len(s.Polls)-1].ID
		if err := run(secretary, &meeting.OpenPoll{ID: pid}); err != nil {
			return nil, nil, err
		}
		var votes []meeting.VoteRecord
		for j, p := range s.Participants {
			c := meeting.ChoiceAgree
			if (j+k)%11 == 0 {
				c = meeting.ChoiceDisagree
			}
			votes = append(votes, meeting.VoteRecord{Participant: p.ID, Ballot: &meeting.Ballot{Choice: c}})
		}
		for start := 0; start < len(votes); start += 400 {
			if err := run(system, &meeting.RecordVotes{Poll: pid, Votes: votes[start:min(start+400, len(votes))]}); err != nil {
				return nil, nil, err
			}
		}
		if err := run(secretary, &meeting.ClosePoll{ID: pid}); err != nil {
			return nil, nil, err
		}
		if err := run(secretary, &meeting.PublishPoll{ID: pid}); err != nil {
			return nil, nil, err
		}
	}
	for k := range sp.Secret {
		if err := run(secretary, &meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: fmt.Sprintf("Biểu quyết kín nội dung %d", k+1), Kind: meeting.PollSecret}}); err != nil {
			return nil, nil, err
		}
		pid := s.Polls[len(s.Polls)-1].ID
		if err := run(secretary, &meeting.OpenPoll{ID: pid}); err != nil {
			return nil, nil, err
		}
		var votes []meeting.VoteRecord
		var box []meeting.Ballot
		for j, p := range s.Participants {
			votes = append(votes, meeting.VoteRecord{Participant: p.ID})
			c := meeting.ChoiceAgree
			if (j+k)%7 == 0 {
				c = meeting.ChoiceAbstain
			}
			box = append(box, meeting.Ballot{Choice: c})
		}
		for start := 0; start < len(votes); start += 400 {
			if err := run(system, &meeting.RecordVotes{Poll: pid, Votes: votes[start:min(start+400, len(votes))]}); err != nil {
				return nil, nil, err
			}
		}
		if err := run(secretary, &meeting.ClosePoll{ID: pid, Ballots: box}); err != nil {
			return nil, nil, err
		}
		if err := run(secretary, &meeting.PublishPoll{ID: pid}); err != nil {
			return nil, nil, err
		}
	}
	if err := run(secretary, &meeting.CloseMeeting{}); err != nil {
		return nil, nil, err
	}
	if err := run(secretary, &meeting.Conclude{Text: "Hội nghị thống nhất thông qua các nội dung đã biểu quyết; giao Văn phòng hoàn thiện văn bản."}); err != nil {
		return nil, nil, err
	}
	if err := run(secretary, &meeting.FinalizeMinutes{Number: "01-BB/ĐU", PlaceDate: "Hà Nội, ngày 16 tháng 3 năm 2026"}); err != nil {
		return nil, nil, err
	}
	return s, log, nil
}

// Minutes renders the minutes of a log with package server/minutes: JSON,
// HTML and PDF in Vietnamese and English.
func Minutes(events []meeting.Event) (archive.Minutes, error) {
	m, err := minutes.Build(events)
	if err != nil {
		return archive.Minutes{}, err
	}
	var out archive.Minutes
	for _, f := range []struct {
		dst *[]byte
		fn  func() ([]byte, error)
	}{
		{&out.JSON, m.JSON},
		{&out.HTMLVI, func() ([]byte, error) { return m.HTML("vi") }},
		{&out.HTMLEN, func() ([]byte, error) { return m.HTML("en") }},
		{&out.PDFVI, func() ([]byte, error) { return m.PDF("vi") }},
		{&out.PDFEN, func() ([]byte, error) { return m.PDF("en") }},
	} {
		if *f.dst, err = f.fn(); err != nil {
			return archive.Minutes{}, err
		}
	}
	cs, err := minutes.BuildCountings(events)
	if err != nil {
		return archive.Minutes{}, err
	}
	for _, c := range cs {
		x := archive.Counting{Poll: c.Record().Poll.ID}
		for _, f := range []struct {
			dst *[]byte
			fn  func() ([]byte, error)
		}{
			{&x.JSON, c.JSON},
			{&x.HTMLVI, func() ([]byte, error) { return c.HTML("vi") }},
			{&x.HTMLEN, func() ([]byte, error) { return c.HTML("en") }},
			{&x.PDFVI, func() ([]byte, error) { return c.PDF("vi") }},
			{&x.PDFEN, func() ([]byte, error) { return c.PDF("en") }},
		} {
			if *f.dst, err = f.fn(); err != nil {
				return archive.Minutes{}, err
			}
		}
		out.Counting = append(out.Counting, x)
	}
	return out, nil
}

// Input returns the archive input of a fixture meeting, revision 1.
func Input(id string, sp Spec) (archive.Input, error) {
	s, log, err := Log(id, sp)
	if err != nil {
		return archive.Input{}, err
	}
	m, err := Minutes(log)
	if err != nil {
		return archive.Input{}, err
	}
	return archive.Input{Meeting: archive.MeetingInfo{ID: id, Title: s.Details.Title, Epoch: "e1", StartsAt: s.Details.StartsAt},
		Revision: s.Minutes.Revision, Minutes: m, Events: log, Documents: archive.DocumentsOf(s), Created: Start.Add(3 * time.Hour)}, nil
}

// Correct adds a correction of the finalised minutes to the meeting (state
// s, whose log is log), returning the longer log; s is updated.
func Correct(s *meeting.State, log []meeting.Event, text string) ([]meeting.Event, error) {
	now := log[len(log)-1].At.Add(time.Minute)
	evs, err := meeting.Decide(s, secretary, &meeting.CorrectMinutes{Text: text, Reason: "Ghi nhầm"}, now)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		if err := meeting.Apply(s, e); err != nil {
			return nil, err
		}
	}
	return append(log[:len(log):len(log)], evs...), nil
}
