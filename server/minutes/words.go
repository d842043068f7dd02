package minutes

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

// words are the printed words of one language.
type words struct {
	lang string

	partyMotto, stateMotto1, stateMotto2 string
	title, draft, draftNote, number      string
	revision                             string // "Bản %d"

	sec1, sec2, sec3, sec4, sec5, sec6 string

	startedAt, scheduledAt, notOpened, place, chair, secretary string
	composition                                                string // summoned, attended, hall …
	inHall, atSite                                             string
	absentTitle, lateTitle, leftTitle                          string
	colName, colPost, colReason, colArrived, colLeft           string
	excused, noReason, notRecorded                             string
	nonVoting, guests                                          string
	quorumRule, quorumMet, quorumNotMet, quorumFirstMet        string
	baseEntitled, baseSummoned                                 string

	noDocuments, docLine, docNote, withdrawn, confidential string

	presenter, itemTime, itemFrom          string
	speechesN, colNo, colSpeaker, colTopic string
	colStart, colDuration                  string
	pointOfOrder, replyTo                  string
	noItem                                 string

	pollTitle                    map[meeting.PollKind]string
	ratingTitle                  map[meeting.Scale]string
	kind                         map[meeting.PollKind]string
	base                         map[meeting.Base]string
	rule, timesLine, countsLine  string
	countsLineOpen               string
	overrideQuorum, revoteOf     string
	cancelled, notPublished      string
	colChoice, colVotes, colPct  string
	choice                       map[meeting.Choice]string
	outcome                      map[meeting.Outcome]string
	votersOf                     map[meeting.Choice]string
	votersSpoiled, nobody        string
	seats, colCandidate, colRes  string
	elected, reached, electedOrd string
	tie, short, tieElder         string
	level                        map[meeting.Level]string
	colValid                     string
	lowHalf, lowTwoThirds, none  string
	capLine, capExceeded, capOK  string
	invalidFor                   string
	conclusion, noConclusion     string
	ended, notEnded              string

	signParty, signRecorder, signChair, signState1, signState2, signHint string
	correction                                                           string
	page                                                                 string
}

var vi = &words{
	lang:       "vi",
	partyMotto: "ĐẢNG CỘNG SẢN VIỆT NAM", stateMotto1: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", stateMotto2: "Độc lập - Tự do - Hạnh phúc",
	title: "BIÊN BẢN", draft: "DỰ THẢO", draftNote: "Bản dự thảo, chưa hoàn thành: nội dung có thể còn thay đổi.", number: "Số %s",
	revision: "Bản %d",
	sec1:     "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", sec2: "II. TÀI LIỆU SỬ DỤNG", sec3: "III. NỘI DUNG VÀ DIỄN BIẾN",
	sec4: "IV. THÔNG BÁO", sec5: "V. KẾT LUẬN CỦA CUỘC HỌP", sec6: "ĐÍNH CHÍNH",
	startedAt: "Thời gian: bắt đầu lúc %s.", scheduledAt: "Thời gian dự kiến: %s.", notOpened: "Cuộc họp chưa khai mạc.",
	place: "Địa điểm: %s.", chair: "Chủ trì: %s.", secretary: "Thư ký (người ghi biên bản): %s.",
	composition: "Thành phần: số đại biểu được triệu tập (có quyền biểu quyết): %s; có mặt: %s (%s); vắng mặt: %s.",
	inHall:      "tại hội trường: %s", atSite: "tại điểm cầu %s: %s",
	absentTitle: "Vắng mặt:", lateTitle: "Đến muộn:", leftTitle: "Rời cuộc họp trước khi kết thúc:",
	colName: "Họ và tên", colPost: "Chức vụ, đơn vị", colReason: "Lý do", colArrived: "Đến lúc", colLeft: "Rời lúc",
	excused: "Vắng có lý do: %s", noReason: "Không có lý do", notRecorded: "Không điểm danh",
	nonVoting: "Dự họp, không có quyền biểu quyết: %s.", guests: "Khách mời: %s.",
	quorumRule:     "Số lượng cần thiết: %s số đại biểu %s (%s), tức ít nhất %s người.",
	quorumMet:      "Khi khai mạc có mặt %s/%s: đủ số lượng theo quy định.",
	quorumNotMet:   "Khi khai mạc có mặt %s/%s: chưa đủ số lượng theo quy định.",
	quorumFirstMet: "Đủ số lượng từ %s.",
	baseEntitled:   "được triệu tập", baseSummoned: "được triệu tập trừ số vắng có lý do",
	noDocuments: "Không có tài liệu.", docLine: "– Phiên bản %d: tệp “%s” (%s byte), %s", docNote: "; ghi chú: %s", withdrawn: " (đã thu hồi)", confidential: " (mật)",
	presenter: "Người trình bày: %s.", itemTime: "Thời gian: từ %s đến %s.", itemFrom: "Thời gian: bắt đầu lúc %s.",
	speechesN: "Phát biểu (%d lượt):", colNo: "TT", colSpeaker: "Người phát biểu", colTopic: "Nội dung", colStart: "Bắt đầu", colDuration: "Thời lượng",
	pointOfOrder: "Kiến nghị về thủ tục", replyTo: "Tranh luận với %s", noItem: "Nội dung khác",
	pollTitle:   map[meeting.PollKind]string{meeting.PollOpen: "Biểu quyết công khai: %s", meeting.PollSecret: "Biểu quyết kín: %s", meeting.PollElection: "Bầu cử: %s"},
	ratingTitle: map[meeting.Scale]string{meeting.ScaleReview: "Đánh giá, xếp loại: %s", meeting.ScaleConfidence: "Lấy phiếu tín nhiệm: %s"},
	kind: map[meeting.PollKind]string{meeting.PollOpen: "biểu quyết công khai (giơ tay/bấm nút)", meeting.PollSecret: "bỏ phiếu kín",
		meeting.PollElection: "bỏ phiếu kín (gạch tên)", meeting.PollRating: "bỏ phiếu kín"},
	base: map[meeting.Base]string{meeting.BaseCast: "số phiếu thu về", meeting.BaseValid: "số phiếu hợp lệ",
		meeting.BasePresent: "số người có quyền biểu quyết có mặt", meeting.BaseSummoned: "số được triệu tập trừ số vắng có lý do"},
	rule:           "Hình thức: %s. Cơ sở tính tỷ lệ: %s. Tỷ lệ cần đạt: %s (ít nhất %s trên %s).",
	timesLine:      "Bắt đầu lúc %s, kết thúc lúc %s.",
	countsLine:     "Số phiếu phát ra: %s; số phiếu thu về: %s; hợp lệ: %s; không hợp lệ: %s%s.",
	countsLineOpen: "Số người có quyền biểu quyết có mặt: %s; số người đã biểu quyết: %s; hợp lệ: %s; không hợp lệ: %s%s.",
	overrideQuorum: "Biểu quyết khi chưa đủ số lượng, theo quyết định của chủ tọa.", revoteOf: "Biểu quyết lại (lần trước: %s).",
	cancelled: "Đã hủy. Lý do: %s.", notPublished: "(Kết quả chưa công bố.)",
	colChoice: "Phương án", colVotes: "Số phiếu", colPct: "Tỷ lệ",
	choice:        map[meeting.Choice]string{meeting.ChoiceAgree: "Tán thành", meeting.ChoiceDisagree: "Không tán thành", meeting.ChoiceAbstain: "Không biểu quyết"},
	outcome:       map[meeting.Outcome]string{meeting.OutcomePassed: "Kết quả: THÔNG QUA.", meeting.OutcomeRejected: "Kết quả: KHÔNG THÔNG QUA.", meeting.OutcomeElected: "Kết quả: bầu đủ số lượng.", meeting.OutcomeTie: "Kết quả: có người bằng phiếu ở vị trí cuối.", meeting.OutcomeShort: "Kết quả: chưa bầu đủ số lượng.", meeting.OutcomeRated: ""},
	votersOf:      map[meeting.Choice]string{meeting.ChoiceAgree: "Tán thành (%d): %s.", meeting.ChoiceDisagree: "Không tán thành (%d): %s.", meeting.ChoiceAbstain: "Không biểu quyết (%d): %s."},
	votersSpoiled: "Không hợp lệ (%d): %s.", nobody: "không có",
	seats: "Số lượng cần bầu: %d.", colCandidate: "Họ và tên", colRes: "Kết quả",
	elected: "Trúng cử", reached: "Đạt tỷ lệ", electedOrd: "Trúng cử (theo thứ tự số phiếu): %s.",
	tie: "Bằng phiếu cho %d vị trí cuối: %s — cần bầu lại.", short: "Còn thiếu %d người.", tieElder: "Người bằng phiếu cao tuổi hơn trúng cử.",
	level: map[meeting.Level]string{meeting.LevelExcellent: "Hoàn thành xuất sắc nhiệm vụ", meeting.LevelGood: "Hoàn thành tốt nhiệm vụ", meeting.LevelDone: "Hoàn thành nhiệm vụ",
		meeting.LevelFailed: "Không hoàn thành nhiệm vụ", meeting.LevelHigh: "Tín nhiệm cao", meeting.LevelMedium: "Tín nhiệm", meeting.LevelLow: "Tín nhiệm thấp"},
	colValid: "Hợp lệ",
	lowHalf:  "Trên 1/2 tín nhiệm thấp", lowTwoThirds: "Từ 2/3 trở lên tín nhiệm thấp", none: "—",
	capLine: "Tỷ lệ hoàn thành xuất sắc nhiệm vụ không quá %d%% số hoàn thành tốt nhiệm vụ: %d/%d — %s.", capExceeded: "VƯỢT tỷ lệ khống chế", capOK: "trong tỷ lệ khống chế",
	invalidFor: "%s: không hợp lệ %d (%s).",
	conclusion: "Kết luận:", noConclusion: "Chưa có kết luận.",
	ended: "Cuộc họp kết thúc lúc %s.", notEnded: "Cuộc họp chưa kết thúc.",
	signParty: "T/M %s", signRecorder: "NGƯỜI GHI BIÊN BẢN", signChair: "CHỦ TRÌ", signState1: "THƯ KÝ", signState2: "CHỦ TỌA", signHint: "(Ký, ghi rõ họ tên)",
	correction: "Đính chính (bản %d, đính chính bản %d), %s: %s Lý do: %s",
	page:       "Trang %d/%s",
}

var en = &words{
	lang:       "en",
	partyMotto: "COMMUNIST PARTY OF VIET NAM", stateMotto1: "SOCIALIST REPUBLIC OF VIET NAM", stateMotto2: "Independence - Freedom - Happiness",
	title: "MINUTES", draft: "DRAFT", draftNote: "Draft, not finalised: the content may still change.", number: "No. %s",
	revision: "Revision %d",
	sec1:     "I. TIME, PLACE AND ATTENDANCE", sec2: "II. DOCUMENTS USED", sec3: "III. PROCEEDINGS",
	sec4: "IV. NOTICES", sec5: "V. CONCLUSIONS OF THE MEETING", sec6: "CORRECTIONS",
	startedAt: "Time: opened at %s.", scheduledAt: "Scheduled time: %s.", notOpened: "The meeting has not been opened.",
	place: "Place: %s.", chair: "Chaired by: %s.", secretary: "Secretary (minutes taken by): %s.",
	composition: "Attendance: members summoned (with a vote): %s; present: %s (%s); absent: %s.",
	inHall:      "in the hall: %s", atSite: "at the %s site: %s",
	absentTitle: "Absent:", lateTitle: "Arrived late:", leftTitle: "Left before the end:",
	colName: "Name", colPost: "Position, unit", colReason: "Reason", colArrived: "Arrived", colLeft: "Left",
	excused: "Excused: %s", noReason: "No reason given", notRecorded: "Not recorded",
	nonVoting: "Attending without a vote: %s.", guests: "Guests: %s.",
	quorumRule:     "Quorum: %s of the members %s (%s), i.e. at least %s.",
	quorumMet:      "At the opening %s/%s were present: the quorum was reached.",
	quorumNotMet:   "At the opening %s/%s were present: the quorum was not reached.",
	quorumFirstMet: "The quorum was reached at %s.",
	baseEntitled:   "summoned", baseSummoned: "summoned, less those excused",
	noDocuments: "No documents.", docLine: "– Version %d: file “%s” (%s bytes), %s", docNote: "; note: %s", withdrawn: " (withdrawn)", confidential: " (confidential)",
	presenter: "Presented by: %s.", itemTime: "Time: from %s to %s.", itemFrom: "Time: started at %s.",
	speechesN: "Speeches (%d):", colNo: "No.", colSpeaker: "Speaker", colTopic: "Topic", colStart: "Start", colDuration: "Duration",
	pointOfOrder: "Point of order", replyTo: "Reply to %s", noItem: "Other business",
	pollTitle:   map[meeting.PollKind]string{meeting.PollOpen: "Open vote: %s", meeting.PollSecret: "Secret vote: %s", meeting.PollElection: "Election: %s"},
	ratingTitle: map[meeting.Scale]string{meeting.ScaleReview: "Review and rating: %s", meeting.ScaleConfidence: "Confidence vote: %s"},
	kind: map[meeting.PollKind]string{meeting.PollOpen: "open vote (show of hands / buttons)", meeting.PollSecret: "secret ballot",
		meeting.PollElection: "secret ballot (striking names)", meeting.PollRating: "secret ballot"},
	base: map[meeting.Base]string{meeting.BaseCast: "ballots returned", meeting.BaseValid: "valid ballots",
		meeting.BasePresent: "eligible voters present", meeting.BaseSummoned: "members summoned, less those excused"},
	rule:           "Method: %s. Base: %s. Threshold: %s (at least %s of %s).",
	timesLine:      "Opened at %s, closed at %s.",
	countsLine:     "Ballots issued: %s; returned: %s; valid: %s; invalid: %s%s.",
	countsLineOpen: "Eligible voters present: %s; voted: %s; valid: %s; invalid: %s%s.",
	overrideQuorum: "Voted without a quorum, by decision of the chair.", revoteOf: "Re-vote (previous vote: %s).",
	cancelled: "Cancelled. Reason: %s.", notPublished: "(Results not yet announced.)",
	colChoice: "Choice", colVotes: "Votes", colPct: "Share",
	choice:        map[meeting.Choice]string{meeting.ChoiceAgree: "In favour", meeting.ChoiceDisagree: "Against", meeting.ChoiceAbstain: "Abstaining"},
	outcome:       map[meeting.Outcome]string{meeting.OutcomePassed: "Result: PASSED.", meeting.OutcomeRejected: "Result: NOT PASSED.", meeting.OutcomeElected: "Result: every seat filled.", meeting.OutcomeTie: "Result: a tie for the last seat(s).", meeting.OutcomeShort: "Result: not every seat filled.", meeting.OutcomeRated: ""},
	votersOf:      map[meeting.Choice]string{meeting.ChoiceAgree: "In favour (%d): %s.", meeting.ChoiceDisagree: "Against (%d): %s.", meeting.ChoiceAbstain: "Abstaining (%d): %s."},
	votersSpoiled: "Invalid (%d): %s.", nobody: "none",
	seats: "Seats to fill: %d.", colCandidate: "Name", colRes: "Result",
	elected: "Elected", reached: "Reached the threshold", electedOrd: "Elected (most votes first): %s.",
	tie: "Tie for the last %d seat(s): %s — a re-vote is needed.", short: "%d seat(s) left unfilled.", tieElder: "The elder of the tied candidates is elected.",
	level: map[meeting.Level]string{meeting.LevelExcellent: "Excellent", meeting.LevelGood: "Good", meeting.LevelDone: "Satisfactory",
		meeting.LevelFailed: "Unsatisfactory", meeting.LevelHigh: "High confidence", meeting.LevelMedium: "Confidence", meeting.LevelLow: "Low confidence"},
	colValid: "Valid",
	lowHalf:  "Over 1/2 low confidence", lowTwoThirds: "2/3 or more low confidence", none: "—",
	capLine: "Excellent ratings capped at %d%% of good ratings: %d/%d — %s.", capExceeded: "cap EXCEEDED", capOK: "within the cap",
	invalidFor: "%s: %d invalid (%s).",
	conclusion: "Conclusion:", noConclusion: "No conclusion recorded.",
	ended: "The meeting closed at %s.", notEnded: "The meeting has not closed.",
	signParty: "ON BEHALF OF %s", signRecorder: "RECORDED BY", signChair: "CHAIR", signState1: "SECRETARY", signState2: "CHAIR", signHint: "(Signature and full name)",
	correction: "Correction (revision %d, correcting revision %d), %s: %s Reason: %s",
	page:       "Page %d/%s",
}

// wordsFor returns the words of lang: "en", or Vietnamese for anything else.
func wordsFor(lang string) *words {
	if lang == "en" {
		return en
	}
	return vi
}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// long prints a moment: "08 giờ 05 phút, ngày 15 tháng 12 năm 2025" or "08:05 on 15 December 2025".
func (w *words) long(t time.Time) string {
	t = t.In(VN)
	if w.lang == "en" {
		return fmt.Sprintf("%02d:%02d on %s", t.Hour(), t.Minute(), w.date(t))
	}
	return fmt.Sprintf("%02d giờ %02d phút, %s", t.Hour(), t.Minute(), w.date(t))
}

// date prints a day: "ngày 15 tháng 12 năm 2025" or "15 December 2025".
func (w *words) date(t time.Time) string {
	t = t.In(VN)
	if w.lang == "en" {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsEN[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("ngày %02d tháng %02d năm %d", t.Day(), t.Month(), t.Year())
}

// clock prints a time of day, "08:05"; with the date when day differs.
func (w *words) clock(t time.Time) string {
	if t.IsZero() {
		return w.none
	}
	t = t.In(VN)
	return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute())
}

// duration prints seconds: "3 phút 20 giây" or "3 min 20 s".
func (w *words) duration(sec int64) string {
	m, s := sec/60, sec%60
	if w.lang == "en" {
		if m == 0 {
			return fmt.Sprintf("%d s", s)
		}
		return fmt.Sprintf("%d min %d s", m, s)
	}
	if m == 0 {
		return fmt.Sprintf("%d giây", s)
	}
	return fmt.Sprintf("%d phút %d giây", m, s)
}

// n prints an integer with thousands separators: "1.600" or "1,600".
func (w *words) n(v int) string {
	s := strconv.Itoa(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := "."
	if w.lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// pct prints a percentage as the tally rounded it: "66,67%" or "66.67%".
func (w *words) pct(p meeting.Percent) string {
	if w.lang == "en" {
		return p.String()
	}
	return p.VI()
}

// threshold prints a threshold: "trên 1/2" or "more than 1/2".
func (w *words) threshold(t meeting.Threshold) string {
	if w.lang == "en" {
		return t.String()
	}
	return t.VI()
}

// reason prints why ballots were invalid.
func (w *words) reason(r meeting.Reason) string {
	if w.lang == "en" {
		return r.EN()
	}
	return r.VI()
}

// reasons prints reason counts: " (phiếu trắng hoặc phiếu hỏng: 1; …)".
func (w *words) reasons(rs []meeting.ReasonCount) string {
	if len(rs) == 0 {
		return ""
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s: %s", w.reason(r.Reason), w.n(r.Count))
	}
	return " (" + strings.Join(parts, "; ") + ")"
}
