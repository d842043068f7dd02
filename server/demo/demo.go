// Package demo loads a realistic demo meeting (fictional people, sample
// Vietnamese documents) through the same paths the web apps use. Nothing
// else depends on it.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/httpapi"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
)

// Meeting describes the demo meeting Load created.
type Meeting struct {
	ID        string
	Title     string
	Codes     []Code
	Documents []Document // none when the server has no document store
}

// HallCode returns the pairing code of the hall screen ("" if none).
func (d Meeting) HallCode() string {
	for _, c := range d.Codes {
		if c.Role == string(meeting.RoleHall) {
			return c.Code
		}
	}
	return ""
}

// Document is a sample document Load attached and published.
type Document struct {
	ID, Title, Item string
	Access          meeting.Access
}

// Code is a pairing code printed for a demo participant.
type Code struct {
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

// Load creates a realistic demo meeting — a year-end review conference
// with a Vietnamese agenda and n fictional delegates, a chair, a secretary,
// two guests and a hall screen — attaches and publishes two sample PDFs
// (the collective self-review report on item 2, open to delegates; the
// confidential rating guide on item 5, named readers: the delegates, so
// their downloads are watermarked) through the upload path, and issues
// pairing codes for everyone.
func Load(ctx context.Context, rooms *room.Registry, api API, account string, n int, now time.Time) (Meeting, error) {
	a := meeting.Actor{ID: "account:" + account, Role: meeting.RoleSecretary}
	chair, secretary := demoName(0), demoName(1)
	d := meeting.Details{
		Title:        "Hội nghị kiểm điểm, đánh giá, xếp loại Ban Thường vụ và tập thể, cá nhân năm 2025",
		Organization: "Đảng ủy Khối các cơ quan (dữ liệu mẫu)",
		Place:        "Hội trường tầng 3, trụ sở Đảng ủy",
		StartsAt:     time.Date(now.Year(), now.Month(), now.Day(), 8, 0, 0, 0, time.FixedZone("ICT", 7*3600)),
		Chair:        chair + ", Bí thư Đảng ủy",
		Secretary:    secretary + ", Chánh Văn phòng",
		ChairPost:    "Bí thư",
		Locality:     "Hà Nội",
	}
	r, err := rooms.Create(ctx, auth.RandomID(10), a, d)
	if err != nil {
		return Meeting{}, err
	}
	for _, it := range demoAgenda {
		if _, err := r.Submit(ctx, a, &meeting.AddItem{Title: it.title, Presenter: it.presenter}); err != nil {
			return Meeting{}, err
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
		return Meeting{}, err
	}
	if err := demoRecord(ctx, r, a); err != nil {
		return Meeting{}, err
	}
	out := Meeting{ID: r.ID(), Title: d.Title}
	if api.HasDocuments() {
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
			doc, err := addDocument(ctx, api, r, a, demoDocs[i], spec, d.StartsAt)
			if err != nil {
				return Meeting{}, fmt.Errorf("sample document %q: %w", spec.Title, err)
			}
			out.Documents = append(out.Documents, Document{ID: doc.ID, Title: doc.Title, Item: doc.Item, Access: doc.Access})
		}
	}
	codes, err := api.IssueCodes(ctx, r.ID(), r.State().Participants)
	if err != nil {
		return Meeting{}, err
	}
	for _, c := range codes {
		p, _ := r.Participant(c.Participant)
		out.Codes = append(out.Codes, Code{Participant: p.ID, Name: p.Name, Role: string(p.Role), Code: c.Code})
	}
	return out, nil
}

// API is what the demo needs of the web layer (*httpapi.API).
type API interface {
	HasDocuments() bool
	AddDocument(ctx context.Context, r *room.Room, a meeting.Actor, name string, content io.Reader, spec meeting.DocumentSpec, publish bool) (meeting.Document, error)
	IssueCodes(ctx context.Context, meetingID string, parts []meeting.Participant) ([]httpapi.IssuedCode, error)
}

// addDocument renders a sample document and adds it, published, through
// the upload path (spooled, checked by content, stored under its content
// key, then document.add).
func addDocument(ctx context.Context, api API, r *room.Room, a meeting.Actor, doc demoDoc, spec meeting.DocumentSpec, day time.Time) (meeting.Document, error) {
	b, err := doc.pdf("ĐẢNG ỦY KHỐI CÁC CƠ QUAN", "ĐẢNG BỘ THÀNH PHỐ (MẪU)", day)
	if err != nil {
		return meeting.Document{}, err
	}
	return api.AddDocument(ctx, r, a, doc.file, bytes.NewReader(b), spec, true)
}

// demoRecord prepares what the official record of the demo needs (issue
// 13): the vote-counting committee proposed (three delegates) with the
// show of hands that approves it on item 1, and the secret rating of item 5
// (the standing board as a collective and its first members), both drafts
// the secretariat opens during the meeting. Once run, the rating has a
// vote-counting record signed by that committee.
func demoRecord(ctx context.Context, r *room.Room, a meeting.Actor) error {
	st := r.State()
	var delegates []string
	for _, p := range st.Participants {
		if p.Role == meeting.RoleDelegate {
			delegates = append(delegates, p.ID)
		}
	}
	if len(delegates) == 0 {
		return nil
	}
	members := []meeting.BodyMember{{Participant: delegates[0], Post: "Trưởng ban"}}
	for _, id := range delegates[1:min(3, len(delegates))] {
		members = append(members, meeting.BodyMember{Participant: id, Post: "Ủy viên"})
	}
	subjects := []meeting.Candidate{{Name: "Tập thể Ban Thường vụ Đảng ủy"}}
	for _, p := range st.Participants {
		if p.Role == meeting.RoleChair || p.Role == meeting.RoleDelegate && len(subjects) < 5 && !slices.ContainsFunc(members, func(m meeting.BodyMember) bool { return m.Participant == p.ID }) {
			subjects = append(subjects, meeting.Candidate{Participant: p.ID})
		}
	}
	for _, c := range []meeting.Command{
		&meeting.ProposeBody{Kind: meeting.BodyCounting, Members: members},
		&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua danh sách Ban Kiểm phiếu", Kind: meeting.PollOpen, Item: st.Agenda[0].ID, Body: meeting.BodyCounting}},
		&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Đánh giá, xếp loại chất lượng tập thể và cá nhân Ban Thường vụ năm 2025", Kind: meeting.PollRating,
			Scale: meeting.ScaleReview, Item: st.Agenda[4].ID, Subjects: subjects}},
	} {
		if _, err := r.Submit(ctx, a, c); err != nil {
			return err
		}
	}
	return nil
}
