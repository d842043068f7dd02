// Package archivetest builds realistic meeting logs for the archive's tests
// and benchmarks: every event comes from the domain's Decide and Apply, as
// on the server. All names are fictional.
package archivetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"time"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/meeting"
)

// Spec sizes a fixture meeting.
type Spec struct {
	Delegates, Items, Polls int
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

// Minutes renders stand-in minutes from the state (until the real renderer
// is wired): JSON of the state, a small HTML page per language and a
// one-page PDF per language. They are only bytes to archive.
func Minutes(s *meeting.State) (archive.Minutes, error) {
	j, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return archive.Minutes{}, err
	}
	page := func(lang, heading string) []byte {
		var b bytes.Buffer
		fmt.Fprintf(&b, "<!doctype html><html lang=%q><meta charset=utf-8><h1>%s</h1><h2>%s</h2><ol>", lang, heading, html.EscapeString(s.Details.Title))
		for _, it := range s.Agenda {
			fmt.Fprintf(&b, "<li>%s</li>", html.EscapeString(it.Title))
		}
		b.WriteString("</ol><table>")
		for _, p := range s.Participants {
			fmt.Fprintf(&b, "<tr><td>%s<td>%s<td>%s</tr>", p.ID, html.EscapeString(p.Name), html.EscapeString(p.Unit))
		}
		b.WriteString("</table></html>\n")
		return b.Bytes()
	}
	return archive.Minutes{JSON: append(j, '\n'), HTMLVI: page("vi", "BIÊN BẢN"), HTMLEN: page("en", "MINUTES"),
		PDFVI: pdf("BIEN BAN " + s.ID), PDFEN: pdf("MINUTES " + s.ID)}, nil
}

// pdf returns a minimal one-page PDF showing text (ASCII).
func pdf(text string) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	b.WriteString("%PDF-1.4\n")
	content := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", text)
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// Input returns the archive input of a fixture meeting, revision 1.
func Input(id string, sp Spec) (archive.Input, error) {
	s, log, err := Log(id, sp)
	if err != nil {
		return archive.Input{}, err
	}
	m, err := Minutes(s)
	if err != nil {
		return archive.Input{}, err
	}
	return archive.Input{Meeting: archive.MeetingInfo{ID: id, Title: s.Details.Title, Epoch: "e1", StartsAt: s.Details.StartsAt},
		Revision: s.Minutes.Revision, Minutes: m, Events: log, Documents: archive.DocumentsOf(s), Created: Start.Add(3 * time.Hour)}, nil
}
