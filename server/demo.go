package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
)

// DemoMeeting describes the demo meeting LoadDemo created.
type DemoMeeting struct {
	ID        string
	Title     string
	Codes     []DemoCode
	Documents []DemoDocument // none when the server has no document store
}

// HallCode returns the pairing code of the hall screen ("" if none).
func (d DemoMeeting) HallCode() string {
	for _, c := range d.Codes {
		if c.Role == string(meeting.RoleHall) {
			return c.Code
		}
	}
	return ""
}

// DemoDocument is a sample document LoadDemo attached and published.
type DemoDocument struct {
	ID, Title, Item string
	Access          meeting.Access
}

// DemoCode is a pairing code printed for a demo participant.
type DemoCode struct {
	Participant, Name, Role, Code string
}

// demoAgenda is the agenda of a year-end review conference of a Party
// committee's standing board (hội nghị kiểm điểm, đánh giá, xếp loại).
var demoAgenda = []struct{ title, presenter string }{
	{"Tuyên bố lý do, giới thiệu đại biểu", "Văn phòng Đảng ủy"},
	{"Báo cáo kiểm điểm tập thể Ban Thường vụ năm 2025", "Đồng chí Bí thư"},
	{"Thảo luận, góp ý kiểm điểm tập thể", ""},
	{"Kiểm điểm cá nhân các đồng chí Ủy viên Ban Thường vụ", ""},
	{"Bỏ phiếu đánh giá, xếp loại chất lượng tập thể và cá nhân", "Ban kiểm phiếu"},
	{"Công bố kết quả xếp loại", "Ban kiểm phiếu"},
	{"Phát biểu chỉ đạo của đồng chí đại diện cấp trên", ""},
	{"Thông qua biên bản hội nghị và bế mạc", "Thư ký hội nghị"},
}

// demoPeople is a fictional standing board and its invited guests: every
// name is made up.
var demoFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"}
var demoMiddle = []string{"Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Ngọc", "Hữu"}
var demoGiven = []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khánh", "Lâm", "Mai", "Nam", "Oanh", "Phúc", "Quân", "Sơn", "Thảo", "Uyên", "Vinh", "Yến"}
var demoPosts = []string{"Ủy viên Ban Thường vụ", "Phó Bí thư Đảng ủy", "Trưởng Ban Tổ chức", "Chủ nhiệm Ủy ban Kiểm tra", "Trưởng Ban Tuyên giáo", "Chánh Văn phòng", "Bí thư Chi bộ"}
var demoUnits = []string{"Văn phòng Đảng ủy", "Ban Tổ chức", "Ủy ban Kiểm tra", "Ban Tuyên giáo", "Đảng ủy Khối", "Chi bộ Vụ Tổng hợp"}

// demoName returns the i-th fictional name.
func demoName(i int) string {
	return fmt.Sprintf("%s %s %s", demoFamily[i%len(demoFamily)], demoMiddle[(i/3)%len(demoMiddle)], demoGiven[(i*7)%len(demoGiven)])
}

// LoadDemo creates a realistic demo meeting — a year-end review conference
// with a Vietnamese agenda and n fictional delegates, a chair, a secretary,
// two guests and a hall screen — attaches and publishes two sample PDFs
// (the collective self-review report on item 2, open to delegates; the
// confidential rating guide on item 5, named readers: the delegates, so
// their downloads are watermarked) through the upload path, and issues
// pairing codes for everyone.
func (s *Server) LoadDemo(ctx context.Context, account string, n int) (DemoMeeting, error) {
	now := s.now()
	a := meeting.Actor{ID: "account:" + account, Role: meeting.RoleSecretary}
	chair, secretary := demoName(0), demoName(1)
	d := meeting.Details{
		Title:        "Hội nghị kiểm điểm, đánh giá, xếp loại Ban Thường vụ và tập thể, cá nhân năm 2025",
		Organization: "Đảng ủy Khối các cơ quan (dữ liệu mẫu)",
		Place:        "Hội trường tầng 3, trụ sở Đảng ủy",
		StartsAt:     time.Date(now.Year(), now.Month(), now.Day(), 8, 0, 0, 0, time.FixedZone("ICT", 7*3600)),
		Chair:        chair + ", Bí thư Đảng ủy",
		Secretary:    secretary + ", Chánh Văn phòng",
	}
	r, err := s.rooms.Create(ctx, randomID(10), a, d)
	if err != nil {
		return DemoMeeting{}, err
	}
	for _, it := range demoAgenda {
		if _, err := r.Submit(ctx, a, &meeting.AddItem{Title: it.title, Presenter: it.presenter}); err != nil {
			return DemoMeeting{}, err
		}
	}
	rows := []meeting.NewParticipant{
		{Name: chair, Position: "Bí thư Đảng ủy", Unit: "Đảng ủy Khối", Role: meeting.RoleChair},
		{Name: secretary, Position: "Chánh Văn phòng", Unit: "Văn phòng Đảng ủy", Role: meeting.RoleSecretary},
	}
	for i := 2; i < n+2; i++ {
		rows = append(rows, meeting.NewParticipant{Name: demoName(i), Position: demoPosts[i%len(demoPosts)], Unit: demoUnits[i%len(demoUnits)], Role: meeting.RoleDelegate})
	}
	rows = append(rows,
		meeting.NewParticipant{Name: demoName(n + 2), Position: "Đại diện Ban Tổ chức cấp trên", Role: meeting.RoleObserver},
		meeting.NewParticipant{Name: demoName(n + 3), Position: "Phóng viên", Role: meeting.RoleObserver},
		meeting.NewParticipant{Name: "Màn hình hội trường", Role: meeting.RoleHall},
	)
	if _, err := r.Submit(ctx, a, &meeting.ImportParticipants{Rows: rows}); err != nil {
		return DemoMeeting{}, err
	}
	out := DemoMeeting{ID: r.ID(), Title: d.Title}
	if s.docs.store != nil {
		st := r.State()
		var delegates []string
		for _, p := range st.Participants {
			if p.Role == meeting.RoleDelegate {
				delegates = append(delegates, p.ID)
			}
		}
		specs := []meeting.DocumentSpec{
			{Title: demoDocs[0].title, Item: st.Agenda[1].ID, Access: meeting.AccessDelegates},
			{Title: demoDocs[1].title, Item: st.Agenda[4].ID, Access: meeting.AccessNamed, Readers: delegates},
		}
		for i, spec := range specs {
			doc, err := s.addDemoDocument(ctx, r, a, demoDocs[i], spec, d.StartsAt)
			if err != nil {
				return DemoMeeting{}, fmt.Errorf("sample document %q: %w", spec.Title, err)
			}
			out.Documents = append(out.Documents, DemoDocument{ID: doc.ID, Title: doc.Title, Item: doc.Item, Access: doc.Access})
		}
	}
	expires, err := pairingExpiry(r.State(), s.now(), "", s.pairingCodeMax())
	if err != nil {
		return DemoMeeting{}, err
	}
	codes, err := s.issueCodes(ctx, r.ID(), r.State().Participants, expires)
	if err != nil {
		return DemoMeeting{}, err
	}
	for _, c := range codes {
		p, _ := r.Participant(c.Participant)
		out.Codes = append(out.Codes, DemoCode{Participant: p.ID, Name: p.Name, Role: string(p.Role), Code: c.Code})
	}
	return out, nil
}

// addDemoDocument renders a sample document and adds it, published, through
// the upload path (spooled, checked by content, stored under its content
// key, then document.add).
func (s *Server) addDemoDocument(ctx context.Context, r *room.Room, a meeting.Actor, doc demoDoc, spec meeting.DocumentSpec, day time.Time) (meeting.Document, error) {
	b, err := doc.pdf("ĐẢNG ỦY KHỐI CÁC CƠ QUAN", "ĐẢNG BỘ THÀNH PHỐ (MẪU)", day)
	if err != nil {
		return meeting.Document{}, err
	}
	u, err := s.docs.spool(bytes.NewReader(b), doc.file)
	if err != nil {
		return meeting.Document{}, err
	}
	defer u.remove()
	file, err := fileOf(u)
	if err != nil {
		return meeting.Document{}, err
	}
	events, err := s.submitUpload(ctx, r, a, u, file, &meeting.AddDocument{DocumentSpec: spec, Publish: true, File: file})
	if err != nil {
		return meeting.Document{}, err
	}
	var added meeting.Document
	if err := json.Unmarshal(events[0].Data, &added); err != nil {
		return meeting.Document{}, err
	}
	d, _, ok := r.Document(added.ID)
	if !ok {
		return meeting.Document{}, fmt.Errorf("document %s not in the meeting after document.add", added.ID)
	}
	return d, nil
}
