package minutes

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/phonghop/phonghop/server/meeting"
)

// Paper ballots, printed (docs/paper.md, docs/rules.md §4, §6, §8): one
// ballot per sheet of A4 (a long list continues on the next sheets), the
// header of the body, the title of the form, the question, the form's
// instruction, every name numbered as the entry stations key it, the boxes
// of the form, and an empty frame for the counting committee's stamp — the
// stamp is what makes a ballot genuine.
//
// Nothing on a ballot differs between two copies: no serial number, no
// code, no time of printing, so a ballot cannot be traced to the person it
// was handed to. The PDF's dates are the poll's creation.

// MaxBallotCopies bounds one print of ballots.
const MaxBallotCopies = 3000

// ballotWords are the words of the printed ballots.
type ballotWords struct {
	election, vote, review, confidence string
	strike, approve, single, voteHow   string
	ratingHow, seats, stamp, no, name  string
	agree, disagree                    string
	choices                            []string
	levels                             map[meeting.Level]string
	cont                               string
}

var ballotVI = ballotWords{
	election: "PHIẾU BẦU CỬ", vote: "PHIẾU BIỂU QUYẾT", review: "PHIẾU ĐÁNH GIÁ, XẾP LOẠI", confidence: "PHIẾU LẤY PHIẾU TÍN NHIỆM",
	strike:    "Đồng chí không bầu ai thì gạch ngang cả họ và tên người đó. Số người được bầu không quá %d.",
	approve:   "Đánh dấu (X) vào ô “Đồng ý” hoặc ô “Không đồng ý” ở từng dòng.",
	single:    "Đánh dấu (X) vào một trong hai ô “Đồng ý” hoặc “Không đồng ý”.",
	voteHow:   "Đánh dấu (X) vào một ô.",
	ratingHow: "Đánh dấu (X) vào một ô ở mỗi dòng.",
	seats:     "Số lượng cần bầu: %d. Số người trong danh sách: %d.",
	stamp:     "Dấu của Ban Kiểm phiếu", no: "STT", name: "Họ và tên", agree: "Đồng ý", disagree: "Không đồng ý",
	choices: []string{"Tán thành", "Không tán thành", "Không biểu quyết"},
	cont:    "(tiếp theo)",
}

var ballotEN = ballotWords{
	election: "ELECTION BALLOT", vote: "BALLOT", review: "REVIEW AND RATING BALLOT", confidence: "CONFIDENCE VOTE BALLOT",
	strike:    "Strike out the whole name of each person you do not elect. Elect no more than %d.",
	approve:   "Mark (X) “Agree” or “Disagree” on each row.",
	single:    "Mark (X) one of the two boxes, “Agree” or “Disagree”.",
	voteHow:   "Mark (X) one box.",
	ratingHow: "Mark (X) one box on each row.",
	seats:     "Seats: %d. Names on the list: %d.",
	stamp:     "Stamp of the counting committee", no: "No.", name: "Name", agree: "Agree", disagree: "Disagree",
	choices: []string{"In favour", "Against", "Abstaining"},
	cont:    "(continued)",
}

// PaperBallots prints copies of the ballot of paper poll pollID of s as
// one PDF. NotFound for an unknown poll, Invalid for a poll not on paper or
// a number of copies outside 1..MaxBallotCopies.
func PaperBallots(s *meeting.State, pollID string, copies int, lang string) ([]byte, error) {
	p, ok := s.Poll(pollID)
	switch {
	case !ok:
		return nil, meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc biểu quyết %q.", "poll %q not found", pollID)
	case !p.Paper:
		return nil, meeting.Errorf(meeting.KindInvalid, "Cuộc biểu quyết này không dùng phiếu giấy.", "this poll has no paper ballots")
	case copies < 1 || copies > MaxBallotCopies:
		return nil, meeting.Errorf(meeting.KindInvalid, "Số bản in phải từ 1 đến %d.", "copies must be between 1 and %d", MaxBallotCopies)
	}
	bw := &ballotVI
	if lang == "en" {
		bw = &ballotEN
	}
	w := wordsFor(lang)
	stamp := p.CreatedAt
	if stamp.IsZero() {
		stamp = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	stamp = stamp.In(Location(s.Settings.Zone()))
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	pdf.AddUTF8FontFromBytes(family, "", fontRegular)
	pdf.AddUTF8FontFromBytes(family, "B", fontBold)
	pdf.AddUTF8FontFromBytes(family, "I", fontItalic)
	pdf.SetMargins(20, 15, 20)
	pdf.SetAutoPageBreak(false, 15)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	pdf.SetTitle(titleOf(bw, p)+" — "+p.Question, true)
	pdf.SetCreator("phonghop", true)
	pdf.SetProducer("phonghop (go-pdf/fpdf)", true)
	b := &ballotPrinter{p: pdf, w: w, bw: bw, poll: p, s: s}
	for range copies {
		b.ballot()
	}
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return zoneDates(buf.Bytes(), stamp)
}

func titleOf(bw *ballotWords, p meeting.Poll) string {
	switch {
	case p.Kind == meeting.PollElection:
		return bw.election
	case p.Kind == meeting.PollRating && p.Scale == meeting.ScaleConfidence:
		return bw.confidence
	case p.Kind == meeting.PollRating:
		return bw.review
	}
	return bw.vote
}

type ballotPrinter struct {
	p    *fpdf.Fpdf
	w    *words
	bw   *ballotWords
	poll meeting.Poll
	s    *meeting.State
}

const (
	bX, bW  = 20.0, 170.0 // text column
	bBottom = 282.0       // last line of a page
	boxSide = 5.0
)

// text writes wrapped text across the column, centred or left.
func (b *ballotPrinter) text(s, style string, pt float64, align string) {
	b.p.SetFont(family, style, pt)
	b.p.SetX(bX)
	b.p.MultiCell(bW, lineH(pt), s, "", align, false)
}

// box draws an empty tick box with its top-left corner at x, y.
func (b *ballotPrinter) box(x, y float64) { b.p.Rect(x, y, boxSide, boxSide, "D") }

// head prints the top of a ballot's first page.
func (b *ballotPrinter) head() {
	p := b.p
	p.AddPage()
	p.SetLineWidth(0.3)
	org := strings.ToUpper(b.s.Details.Organization)
	right := b.w.partyMotto
	if b.s.Settings.Rules() == meeting.LayoutState {
		right = b.w.stateMotto1
	}
	p.SetFont(family, "B", 12)
	p.SetXY(bX, 15)
	p.MultiCell(80, lineH(12), org, "", "C", false)
	p.SetXY(110, 15)
	p.MultiCell(80, lineH(12), right, "", "C", false)
	// The stamp's frame: top right, under the motto.
	p.SetDashPattern([]float64{1.2, 1}, 0)
	p.Rect(145, 27, 45, 28, "D")
	p.SetDashPattern([]float64{}, 0)
	p.SetFont(family, "I", 10)
	p.SetXY(145, 50)
	p.CellFormat(45, 4, b.bw.stamp, "", 0, "C", false, 0, "")
	p.SetY(58)
	b.text(titleOf(b.bw, b.poll), "B", 16, "C")
	p.Ln(1)
	b.text(b.poll.Question, "B", 13, "C")
	p.Ln(2)
	switch b.poll.PaperForm() {
	case string(meeting.FormStrike):
		b.text(fmt.Sprintf(b.bw.seats, b.poll.Seats, len(b.poll.Candidates)), "", 12, "C")
		b.text(fmt.Sprintf(b.bw.strike, b.poll.Seats), "I", 12, "C")
	case string(meeting.FormApprove):
		b.text(fmt.Sprintf(b.bw.seats, b.poll.Seats, len(b.poll.Candidates)), "", 12, "C")
		b.text(b.bw.approve, "I", 12, "C")
	case string(meeting.FormSingle):
		b.text(b.bw.single, "I", 12, "C")
	case "vote":
		b.text(b.bw.voteHow, "I", 12, "C")
	case "rating":
		b.text(b.bw.ratingHow, "I", 12, "C")
	}
	p.Ln(3)
}

// ballot prints one ballot, starting on a new page.
func (b *ballotPrinter) ballot() {
	b.head()
	p := b.p
	names := b.poll.Names()
	switch b.poll.PaperForm() {
	case string(meeting.FormStrike):
		b.strikeList(names)
	case string(meeting.FormApprove), string(meeting.FormSingle):
		b.columns(names, []string{b.bw.agree, b.bw.disagree})
	case "rating":
		var heads []string
		for _, l := range b.poll.Scale.Levels() {
			heads = append(heads, b.w.term("level."+string(l)))
		}
		b.columns(names, heads)
	case "vote":
		y := p.GetY() + 4
		for i, c := range b.bw.choices {
			x := bX + float64(i)*bW/3
			p.SetFont(family, "", 13)
			p.SetXY(x, y)
			p.CellFormat(bW/3, 6, fmt.Sprintf("%d. %s", i+1, c), "", 0, "C", false, 0, "")
			b.box(x+bW/6-boxSide/2, y+8)
		}
	}
}

// newPage continues a ballot on the next sheet.
func (b *ballotPrinter) newPage() {
	b.p.AddPage()
	b.p.SetY(15)
	b.text(titleOf(b.bw, b.poll)+" "+b.bw.cont, "I", 11, "C")
	b.p.Ln(2)
}

// strikeList prints a list with surplus: numbered names, in two columns
// when long.
func (b *ballotPrinter) strikeList(names []meeting.Candidate) {
	p := b.p
	cols, pt, rowH := 1, 13.0, 7.5
	if len(names) > 20 {
		cols, pt, rowH = 2, 11.0, 6.0
	}
	colW := bW / float64(cols)
	i := 0
	for i < len(names) {
		top := p.GetY()
		rows := int((bBottom - top) / rowH)
		if rows < 1 {
			b.newPage()
			continue
		}
		for c := 0; c < cols && i < len(names); c++ {
			for r := 0; r < rows && i < len(names); r++ {
				x, y := bX+float64(c)*colW, top+float64(r)*rowH
				p.SetFont(family, "", pt)
				p.SetXY(x, y)
				p.CellFormat(12, rowH, fmt.Sprintf("%d.", i+1), "", 0, "R", false, 0, "")
				p.CellFormat(colW-14, rowH, names[i].Name, "", 0, "L", false, 0, "")
				i++
			}
		}
		if i < len(names) {
			b.newPage()
		}
	}
}

// columns prints numbered names with a box per column heading on each row.
func (b *ballotPrinter) columns(names []meeting.Candidate, heads []string) {
	p := b.p
	boxW := 26.0
	if len(heads) > 2 {
		boxW = 22
	}
	nameW := bW - 12 - boxW*float64(len(heads))
	rowH := 8.0
	header := func() {
		y := p.GetY()
		p.SetFont(family, "B", 10)
		p.SetXY(bX, y)
		p.CellFormat(12, 10, b.bw.no, "1", 0, "C", false, 0, "")
		p.CellFormat(nameW, 10, b.bw.name, "1", 0, "C", false, 0, "")
		for _, h := range heads {
			x := p.GetX()
			p.MultiCell(boxW, 5, h, "", "C", false)
			p.Rect(x, y, boxW, 10, "D")
			p.SetXY(x+boxW, y)
		}
		p.SetY(y + 10)
	}
	header()
	for i, n := range names {
		if p.GetY()+rowH > bBottom {
			b.newPage()
			header()
		}
		y := p.GetY()
		p.SetFont(family, "", 12)
		p.SetXY(bX, y)
		p.CellFormat(12, rowH, fmt.Sprint(i+1), "1", 0, "C", false, 0, "")
		p.CellFormat(nameW, rowH, n.Name, "1", 0, "L", false, 0, "")
		for range heads {
			x := p.GetX()
			p.CellFormat(boxW, rowH, "", "1", 0, "C", false, 0, "")
			b.box(x+boxW/2-boxSide/2, y+(rowH-boxSide)/2)
		}
		p.SetY(y + rowH)
	}
}
