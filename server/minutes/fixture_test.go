package minutes

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// A meeting log is built the way the server builds it: every command goes
// through meeting.Decide and every event through meeting.Apply, at fixed
// times. Secret ballots stay in a box, as in the server's ballot box.

// t0 is 08:00 in Hà Nội on 15 December 2025.
var t0 = time.Date(2025, 12, 15, 1, 0, 0, 0, time.UTC)

var (
	asSecretary = meeting.Actor{ID: "account:thuky", Role: meeting.RoleSecretary}
	asSystem    = meeting.Actor{ID: "system", Role: meeting.RoleSystem}
	asUploader  = meeting.Actor{ID: "account:thuky", Role: meeting.RoleSystem}
)

type fixture struct {
	tb    testing.TB
	s     *meeting.State
	log   []meeting.Event
	now   time.Time
	box   map[string][]meeting.Ballot // secret ballots by poll, with no voter
	ids   map[string]string           // participant name → ID
	chair meeting.Actor
}

func newFixture(tb testing.TB, id string) *fixture {
	return &fixture{tb: tb, s: &meeting.State{ID: id}, now: t0, box: map[string][]meeting.Ballot{}, ids: map[string]string{}}
}

// at sets the clock to t0 plus min minutes.
func (f *fixture) at(min float64) *fixture {
	f.now = t0.Add(time.Duration(min * float64(time.Minute)))
	return f
}

// do runs c as a and returns its events; a rejection fails the test.
func (f *fixture) do(a meeting.Actor, c meeting.Command) []meeting.Event {
	f.tb.Helper()
	events, err := meeting.Decide(f.s, a, c, f.now)
	if err != nil {
		f.tb.Fatalf("at %s: %s: %v", f.now.In(VN).Format("15:04"), c.Name(), err)
	}
	for _, e := range events {
		if err := meeting.Apply(f.s, e); err != nil {
			f.tb.Fatalf("Apply(%s): %v", e.Type, err)
		}
	}
	f.log = append(f.log, events...)
	return events
}

func (f *fixture) sec(c meeting.Command) []meeting.Event { f.tb.Helper(); return f.do(asSecretary, c) }

// id returns the "id" of the first event's payload (items, polls, documents).
func id(events []meeting.Event) string {
	var p struct {
		ID   string `json:"id"`
		Item struct {
			ID string `json:"id"`
		} `json:"item"`
	}
	_ = json.Unmarshal(events[0].Data, &p)
	if p.ID != "" {
		return p.ID
	}
	return p.Item.ID
}

func (f *fixture) item(title, presenter string) string {
	return id(f.sec(&meeting.AddItem{Title: title, Presenter: presenter}))
}

// people adds participants and records their IDs.
func (f *fixture) people(rows ...meeting.NewParticipant) {
	f.tb.Helper()
	for _, e := range f.sec(&meeting.ImportParticipants{Rows: rows}) {
		var p meeting.Participant
		_ = json.Unmarshal(e.Data, &p)
		f.ids[p.Name] = p.ID
	}
}

func (f *fixture) pid(name string) string {
	f.tb.Helper()
	id, ok := f.ids[name]
	if !ok {
		f.tb.Fatalf("no participant %q", name)
	}
	return id
}

func (f *fixture) actor(name string) meeting.Actor {
	p, _ := f.s.Participant(f.pid(name))
	return meeting.Actor{ID: "participant:" + p.ID, Role: p.Role, Participant: p.ID}
}

// speech gives the floor to name on the current item for d minutes.
func (f *fixture) speech(name, topic string, kind meeting.SpeechKind, minutes float64) {
	f.tb.Helper()
	f.sec(&meeting.AddSpeaker{Participant: f.pid(name), Topic: topic, Kind: kind})
	f.sec(&meeting.GiveFloor{})
	f.now = f.now.Add(time.Duration(minutes * float64(time.Minute)))
	f.sec(&meeting.EndSpeech{})
	f.now = f.now.Add(30 * time.Second)
}

// vote records the ballots of voters (by name) in poll: with the choice for
// an open poll, into the box for a secret one.
func (f *fixture) vote(poll string, voters []string, ballots []meeting.Ballot) {
	f.tb.Helper()
	p, _ := f.s.Poll(poll)
	c := &meeting.RecordVotes{Poll: poll}
	for i, name := range voters {
		v := meeting.VoteRecord{Participant: f.pid(name)}
		if p.Kind.Secret() {
			f.box[poll] = append(f.box[poll], ballots[i])
		} else {
			b := ballots[i]
			v.Ballot = &b
		}
		c.Votes = append(c.Votes, v)
	}
	f.do(asSystem, c)
}

// closePoll closes poll with the box's ballots and publishes the results.
func (f *fixture) closePoll(poll string, publish bool) {
	f.tb.Helper()
	c := &meeting.ClosePoll{ID: poll}
	if p, _ := f.s.Poll(poll); p.Kind.Secret() {
		c.Ballots = f.box[poll]
	}
	f.sec(c)
	if publish {
		f.now = f.now.Add(time.Minute)
		f.sec(&meeting.PublishPoll{ID: poll})
	}
}

func choices(cs ...meeting.Choice) []meeting.Ballot {
	out := make([]meeting.Ballot, len(cs))
	for i, c := range cs {
		out[i] = meeting.Ballot{Choice: c}
	}
	return out
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// Names in the fixture. Kiều Văn Xuân attends and votes only in secret
// polls: his name must appear nowhere in the minutes.
const (
	secretVoter   = "Kiều Văn Xuân"
	privateNotice = "Đồng chí Minh chuẩn bị ý kiến về công tác tài chính."
)

// annualReview builds the log of a Party cell's annual review conference:
// agenda, roll call (absences with reasons, a linked site, a late arrival,
// an early departure, a probationary member, a guest), speeches, an open
// vote, a secret vote, an election with struck names, a review rating, a
// confidence vote, a document with two versions, notices, conclusions,
// finalisation and one correction.
func annualReview(tb testing.TB) *fixture {
	f := newFixture(tb, "m-2025-12-15")
	f.at(-600).sec(&meeting.CreateMeeting{Details: meeting.Details{
		Title:        "Hội nghị kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm 2025",
		Organization: "Chi bộ Phòng Kế hoạch - Tài chính",
		Place:        "Phòng họp tầng 3, trụ sở Sở Tài chính thành phố",
		StartsAt:     t0,
		Chair:        "Nguyễn Văn An, Bí thư Chi bộ",
		Secretary:    "Trần Thị Bình, Phó Bí thư Chi bộ",
		ChairPost:    "Bí thư",
		Locality:     "Hà Nội",
	}})
	f.sec(&meeting.Configure{Sites: &[]string{"Chi nhánh Hải Phòng"}})
	opening := f.item("Khai mạc, giới thiệu đại biểu, thông qua chương trình", "Đồng chí Trần Thị Bình")
	report := f.item("Báo cáo kiểm điểm tập thể Chi ủy năm 2025", "Đồng chí Nguyễn Văn An")
	discussion := f.item("Thảo luận, góp ý báo cáo kiểm điểm", "")
	resolution := f.item("Biểu quyết thông qua Nghị quyết hội nghị", "")
	election := f.item("Bầu bổ sung Chi ủy viên", "")
	rating := f.item("Đánh giá, xếp loại chất lượng đảng viên; lấy phiếu tín nhiệm", "")
	closing := f.item("Bế mạc", "Đồng chí Nguyễn Văn An")
	f.people(
		meeting.NewParticipant{Name: "Nguyễn Văn An", Position: "Bí thư Chi bộ", Unit: "Phòng Kế hoạch - Tài chính", Role: meeting.RoleChair},
		meeting.NewParticipant{Name: "Trần Thị Bình", Position: "Phó Bí thư Chi bộ", Role: meeting.RoleSecretary},
		meeting.NewParticipant{Name: "Lê Văn Cường", Position: "Chi ủy viên", Unit: "Tổ Ngân sách"},
		meeting.NewParticipant{Name: "Phạm Thị Dung", Position: "Đảng viên", Unit: "Tổ Đầu tư"},
		meeting.NewParticipant{Name: "Hoàng Minh Đức", Position: "Đảng viên", Unit: "Chi nhánh Hải Phòng"},
		meeting.NewParticipant{Name: "Vũ Thị Hà", Position: "Đảng viên", Unit: "Chi nhánh Hải Phòng"},
		meeting.NewParticipant{Name: "Đặng Quốc Hùng", Position: "Đảng viên", Unit: "Tổ Ngân sách"},
		meeting.NewParticipant{Name: "Bùi Thị Lan", Position: "Đảng viên", Unit: "Tổ Tổng hợp"},
		meeting.NewParticipant{Name: "Đỗ Văn Minh", Position: "Đảng viên", Unit: "Tổ Đầu tư"},
		meeting.NewParticipant{Name: "Ngô Thị Nga", Position: "Đảng viên", Unit: "Tổ Tổng hợp"},
		meeting.NewParticipant{Name: secretVoter, Position: "Đảng viên", Unit: "Tổ Ngân sách"},
		meeting.NewParticipant{Name: "Dương Văn Phúc", Position: "Đảng viên", Unit: "Tổ Đầu tư"},
		meeting.NewParticipant{Name: "Lý Thị Quỳnh", Position: "Đảng viên", Unit: "Tổ Tổng hợp"},
		meeting.NewParticipant{Name: "Mai Văn Sơn", Position: "Đảng viên", Unit: "Tổ Ngân sách"},
		meeting.NewParticipant{Name: "Trịnh Thị Thu", Position: "Đảng viên dự bị", Unit: "Tổ Tổng hợp", NonVoting: true},
		meeting.NewParticipant{Name: "Phan Văn Tài", Position: "Phó Bí thư Đảng ủy Sở", Role: meeting.RoleObserver},
		meeting.NewParticipant{Name: "Màn hình hội trường", Role: meeting.RoleHall},
	)
	f.chair = f.actor("Nguyễn Văn An")

	// Documents: the report in two versions, the draft resolution.
	pdf1 := meeting.File{SHA256: strings.Repeat("3f9a", 16), Size: 182_344, ContentType: "application/pdf", Name: "Bao-cao-kiem-diem-Chi-uy-2025.pdf"}
	pdf2 := meeting.File{SHA256: strings.Repeat("b7c1", 16), Size: 190_112, ContentType: "application/pdf", Name: "Bao-cao-kiem-diem-Chi-uy-2025-v2.pdf"}
	docx := meeting.File{SHA256: strings.Repeat("0e4d", 16), Size: 31_877, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Name: "Du-thao-Nghi-quyet.docx"}
	f.at(-120)
	reportDoc := id(f.do(asUploader, &meeting.AddDocument{DocumentSpec: meeting.DocumentSpec{Title: "Báo cáo kiểm điểm tập thể Chi ủy năm 2025", Item: report, Access: meeting.AccessDelegates}, Publish: true, File: pdf1}))
	f.do(asUploader, &meeting.AddDocument{DocumentSpec: meeting.DocumentSpec{Title: "Dự thảo Nghị quyết hội nghị", Item: resolution, Access: meeting.AccessPublic}, Publish: true, File: docx})
	f.do(asUploader, &meeting.AddDocument{DocumentSpec: meeting.DocumentSpec{Title: "Nháp chưa phát hành"}, File: pdf1})

	// Roll call, prepared before the opening.
	f.at(-10)
	for _, n := range []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Đặng Quốc Hùng", "Bùi Thị Lan", "Đỗ Văn Minh", secretVoter, "Trịnh Thị Thu", "Phan Văn Tài"} {
		f.sec(&meeting.MarkAttendance{Participant: f.pid(n), Status: meeting.AttendancePresent})
	}
	for _, n := range []string{"Hoàng Minh Đức", "Vũ Thị Hà"} {
		f.sec(&meeting.MarkAttendance{Participant: f.pid(n), Status: meeting.AttendanceRemote, Site: "Chi nhánh Hải Phòng"})
	}
	f.sec(&meeting.MarkAttendance{Participant: f.pid("Dương Văn Phúc"), Status: meeting.AttendanceExcused, Reason: "Đi công tác tại Đà Nẵng theo quyết định của Giám đốc Sở"})
	f.sec(&meeting.MarkAttendance{Participant: f.pid("Lý Thị Quỳnh"), Status: meeting.AttendanceAbsent, Reason: "Nghỉ ốm, chưa có giấy xác nhận"})

	// Opening.
	f.at(0).do(f.chair, &meeting.OpenMeeting{})
	f.at(1).sec(&meeting.SetCurrentItem{ID: opening})
	f.at(2).sec(&meeting.SendNotice{Text: "Đề nghị các đồng chí để điện thoại ở chế độ im lặng."})
	f.sec(&meeting.SendNotice{Text: privateNotice, To: f.pid("Đỗ Văn Minh")})
	agenda := id(f.at(4).sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua chương trình hội nghị", Kind: meeting.PollOpen, Item: opening}}))
	f.sec(&meeting.OpenPoll{ID: agenda})
	f.at(5).vote(agenda, []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Minh Đức", "Vũ Thị Hà", "Đặng Quốc Hùng", "Bùi Thị Lan", "Đỗ Văn Minh"},
		choices(meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAbstain, meeting.ChoiceAgree))
	f.at(6).closePoll(agenda, true)
	// The counting committee, approved by show of hands.
	f.sec(&meeting.ProposeBody{Kind: meeting.BodyCounting, Members: []meeting.BodyMember{{Participant: f.pid("Bùi Thị Lan"), Post: "Trưởng ban"},
		{Participant: f.pid("Hoàng Minh Đức"), Post: "Ủy viên"}, {Participant: f.pid("Vũ Thị Hà"), Post: "Ủy viên"}}})
	committee := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua danh sách Ban Kiểm phiếu", Kind: meeting.PollOpen, Item: opening, Body: meeting.BodyCounting}}))
	f.sec(&meeting.OpenPoll{ID: committee})
	f.at(7).vote(committee, []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Minh Đức", "Vũ Thị Hà", "Đặng Quốc Hùng", "Bùi Thị Lan", "Đỗ Văn Minh"},
		choices(meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAbstain, meeting.ChoiceAgree))
	f.at(8).closePoll(committee, true)
	// A late arrival checks in from her tablet.
	f.at(16).do(f.actor("Ngô Thị Nga"), &meeting.CheckIn{})

	// The report, read by the chair.
	f.at(17).sec(&meeting.AdvanceAgenda{})
	f.speech("Nguyễn Văn An", "Trình bày báo cáo kiểm điểm tập thể Chi ủy", meeting.SpeechNormal, 24.5)
	f.at(43).do(asUploader, &meeting.AddVersion{ID: reportDoc, File: pdf2, Note: "Bổ sung số liệu giải ngân vốn đầu tư công"})

	// Discussion.
	f.at(45).sec(&meeting.AdvanceAgenda{})
	f.speech("Lê Văn Cường", "Góp ý về tiến độ giải ngân vốn đầu tư công", meeting.SpeechNormal, 6)
	f.speech("Phạm Thị Dung", "Đề nghị bổ sung kết quả thực hành tiết kiệm", meeting.SpeechNormal, 4.25)
	f.sec(&meeting.AddSpeaker{Participant: f.pid("Đặng Quốc Hùng"), Kind: meeting.SpeechReply})
	f.sec(&meeting.GiveFloor{})
	f.now = f.now.Add(2 * time.Minute)
	f.sec(&meeting.EndSpeech{})
	f.speech("Vũ Thị Hà", "Ý kiến từ điểm cầu Chi nhánh Hải Phòng", meeting.SpeechNormal, 3)
	f.sec(&meeting.Conclude{Item: discussion, Text: "Chi bộ tiếp thu các ý kiến góp ý; giao đồng chí Bí thư hoàn thiện báo cáo trước ngày 20/12/2025."})

	// The resolution: a secret vote.
	f.at(65).sec(&meeting.AdvanceAgenda{})
	res := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Thông qua Nghị quyết hội nghị kiểm điểm năm 2025", Kind: meeting.PollSecret}}))
	f.sec(&meeting.OpenPoll{ID: res})
	voters := []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Minh Đức", "Vũ Thị Hà", "Đặng Quốc Hùng", "Bùi Thị Lan", "Đỗ Văn Minh", "Ngô Thị Nga", secretVoter}
	resBallots := choices(meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceAgree, meeting.ChoiceDisagree, meeting.ChoiceAgree, meeting.ChoiceAgree)
	resBallots[7] = meeting.Ballot{Spoiled: true}
	f.at(67).vote(res, voters[:6], resBallots[:6])
	f.at(68).vote(res, voters[6:], resBallots[6:])
	f.at(70).closePoll(res, true)
	f.sec(&meeting.Conclude{Item: resolution, Text: "Nghị quyết hội nghị được thông qua với 9/13 phiếu tán thành (69,23%)."})

	// The election of the Chi ủy: five names for four seats (a surplus of
	// 1, 25%), names struck out. By hand, on the base 14 − 1 = 13 (more
	// than half: 7): Cường 8, Dung 8, Hùng 7, Nga 7, Minh 3; ballot 8 is
	// left untouched (5 kept for 4 seats: invalid), ballot 10 spoiled.
	f.at(75).sec(&meeting.AdvanceAgenda{})
	el := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Bầu Chi ủy nhiệm kỳ 2025-2027 (04 Chi ủy viên)", Kind: meeting.PollElection, Seats: 4,
		Candidates: []meeting.Candidate{{Participant: f.pid("Lê Văn Cường")}, {Participant: f.pid("Phạm Thị Dung")}, {Participant: f.pid("Đặng Quốc Hùng")},
			{Participant: f.pid("Ngô Thị Nga")}, {Participant: f.pid("Đỗ Văn Minh")}}}}))
	f.sec(&meeting.OpenPoll{ID: el})
	kept := func(ids ...string) meeting.Ballot { return meeting.Ballot{Kept: ids} }
	f.at(77).vote(el, voters, []meeting.Ballot{kept("c1", "c2", "c3", "c4"), kept("c1", "c2", "c3", "c5"), kept("c1", "c2", "c4", "c5"), kept("c1", "c2", "c3", "c4"),
		kept("c2", "c3", "c4", "c5"), kept("c1", "c2", "c3", "c4"), kept("c1", "c3"), kept("c1", "c2", "c3", "c4", "c5"), kept("c1", "c2", "c4"),
		meeting.Ballot{Spoiled: true}, kept("c1", "c2", "c3", "c4")})
	f.at(80).closePoll(el, true)
	// The secretary: one name, "Đồng ý" or "Không đồng ý". By hand: 9
	// Đồng ý, 1 Không đồng ý, 1 untouched (invalid: no box marked); 9 of 13.
	bt := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Bầu Bí thư Chi bộ nhiệm kỳ 2025-2027", Kind: meeting.PollElection, Seats: 1,
		Candidates: []meeting.Candidate{{Participant: f.pid("Lê Văn Cường")}}}}))
	f.sec(&meeting.OpenPoll{ID: bt})
	yes, no := meeting.Ballot{Agree: []string{"c1"}}, meeting.Ballot{Disagree: []string{"c1"}}
	f.at(81).vote(bt, voters, []meeting.Ballot{yes, yes, yes, no, yes, yes, yes, {}, yes, yes, yes})
	f.at(83).closePoll(bt, true)
	f.sec(&meeting.Conclude{Item: election, Text: "Các đồng chí Lê Văn Cường, Phạm Thị Dung, Đặng Quốc Hùng, Ngô Thị Nga trúng cử Chi ủy viên; đồng chí Lê Văn Cường trúng cử Bí thư Chi bộ."})

	// Ratings: the review, then the confidence vote.
	f.at(85).sec(&meeting.AdvanceAgenda{})
	rv := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Đánh giá, xếp loại chất lượng đảng viên năm 2025", Kind: meeting.PollRating, Scale: meeting.ScaleReview,
		Subjects: []meeting.Candidate{{Participant: f.pid("Nguyễn Văn An")}, {Participant: f.pid("Trần Thị Bình")}, {Participant: f.pid("Lê Văn Cường")}}}}))
	f.sec(&meeting.OpenPoll{ID: rv})
	rate := func(a, b, c meeting.Level) meeting.Ballot {
		return meeting.Ballot{Ratings: map[string]meeting.Level{"c1": a, "c2": b, "c3": c}}
	}
	X, G, D := meeting.LevelExcellent, meeting.LevelGood, meeting.LevelDone
	f.at(87).vote(rv, voters, []meeting.Ballot{rate(X, G, G), rate(X, G, G), rate(X, X, G), rate(X, G, D), rate(G, G, G), rate(X, G, G),
		rate(X, G, G), rate(X, G, ""), rate(G, G, D), rate(X, X, G), rate(X, G, G)})
	f.at(90).closePoll(rv, true)
	cf := id(f.sec(&meeting.CreatePoll{PollSpec: meeting.PollSpec{Question: "Lấy phiếu tín nhiệm đối với Bí thư, Phó Bí thư Chi bộ", Kind: meeting.PollRating, Scale: meeting.ScaleConfidence,
		Subjects: []meeting.Candidate{{Participant: f.pid("Nguyễn Văn An")}, {Participant: f.pid("Trần Thị Bình")}}}}))
	f.at(92).sec(&meeting.OpenPoll{ID: cf})
	H, M, L := meeting.LevelHigh, meeting.LevelMedium, meeting.LevelLow
	conf := func(a, b meeting.Level) meeting.Ballot {
		return meeting.Ballot{Ratings: map[string]meeting.Level{"c1": a, "c2": b}}
	}
	// Đỗ Văn Minh leaves before this vote.
	f.at(92.5).sec(&meeting.CheckOut{Participant: f.pid("Đỗ Văn Minh")})
	f.at(94).vote(cf, voters[:8], []meeting.Ballot{conf(H, H), conf(H, M), conf(H, H), conf(M, L), conf(H, H), conf(H, M), conf(H, H), conf(M, H)})
	f.at(96).closePoll(cf, true)
	f.sec(&meeting.Conclude{Item: rating, Text: "Đồng chí Nguyễn Văn An được đề nghị xếp loại hoàn thành xuất sắc nhiệm vụ; các đồng chí còn lại hoàn thành tốt nhiệm vụ."})

	// Closing.
	f.at(100).sec(&meeting.SetItemDone{ID: rating, Done: true})
	f.sec(&meeting.SetCurrentItem{ID: closing})
	f.speech("Nguyễn Văn An", "Phát biểu bế mạc hội nghị", meeting.SpeechNormal, 5)
	f.sec(&meeting.SendNotice{Text: "Hội nghị kết thúc. Đề nghị các đồng chí nộp lại phiếu đánh giá giấy (nếu có) cho Thư ký."})
	f.at(107).do(f.chair, &meeting.CloseMeeting{})

	// After the meeting: the conclusions, finalisation, one correction.
	f.at(130).sec(&meeting.Conclude{Item: opening, Text: "Hội nghị thống nhất thông qua chương trình hội nghị."})
	f.sec(&meeting.Conclude{Item: report, Text: "Hội nghị cơ bản thống nhất với báo cáo kiểm điểm tập thể Chi ủy năm 2025."})
	f.sec(&meeting.Conclude{Text: "Hội nghị kiểm điểm, đánh giá, xếp loại năm 2025 của Chi bộ đã hoàn thành toàn bộ chương trình đề ra.\nChi ủy có trách nhiệm hoàn thiện hồ sơ, báo cáo Đảng ủy Sở trước ngày 25/12/2025."})
	f.at(140).do(f.chair, &meeting.FinalizeMinutes{Number: "01-BB/CB", Layout: meeting.LayoutParty, Superior: "Đảng bộ Sở Tài chính",
		PlaceDate: "Hà Nội, ngày 15 tháng 12 năm 2025"})
	f.at(60*24 + 30).sec(&meeting.CorrectMinutes{Text: "Tại mục 3, ý kiến của đồng chí Phạm Thị Dung là về kết quả thực hành tiết kiệm, chống lãng phí.", Reason: "Ghi thiếu nội dung ý kiến."})
	return f
}

// fmtPoll is for messages.
func fmtPoll(p Poll) string { return fmt.Sprintf("%s %q", p.ID, p.Question) }
