package minutes

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/phonghop/phonghop/server/meeting"
)

// words are the printed words of one language. The terms shared with the
// console, the tablets and the hall (counts, choices, levels, reasons,
// bases, bodies) come from meeting's table of terms (term); the phrases
// here are the record's own.
type words struct {
	lang string

	partyMotto, stateMotto1, stateMotto2 string
	title, countingTitle                 string
	draft, draftNote, countingDraftNote  string
	numberParty, numberState             string // "Số %s", "Số: %s"
	noNumberParty, noNumberState         string

	sec1, sec2, sec3, sec4, sec5, sec6 string

	startedAt, scheduledAt, notOpened, place string
	chairParty, chairState, secretary        string
	bodyLine, bodyProposed, bodyApprovedAt   string
	headOf                                   string

	// Attendance.
	partyTotal                          string // total, official, probationary
	partyPresent, partyProbationary     string
	delegates, nonVotingLine            string
	whereHall, whereSite, absentReasons string
	absentTitle, lateTitle, leftTitle   string
	colName, colPost, colReason         string
	colArrived, colLeft                 string
	probationaryMark, noReason          string
	notRecorded, guests                 string
	quorumRule, quorumMet, quorumNotMet string
	quorumFirstMet                      string
	baseEntitledQ, baseSummonedQ        string

	noDocuments, docLine, docNote, withdrawn, confidential string

	presenter, itemTime, itemFrom          string
	speechesN, colNo, colSpeaker, colTopic string
	colStart, colDuration                  string
	pointOfOrder, replyTo                  string
	noItem                                 string

	pollTitle                  map[meeting.PollKind]string
	ratingTitle                map[meeting.Scale]string
	method                     map[meeting.PollKind]string
	formMethod                 map[meeting.BallotForm]string
	bodyVote                   string
	baseLine                   map[meeting.Base]string // the base with the numbers it is made of
	thresholdLine, noThreshold string
	timesLine                  string
	countsLine, countsLineOpen string
	overrideQuorum, revoteOf   string
	cancelled, notPublished    string
	colChoice, colVoters       string
	outcomeLine                map[meeting.Outcome]string
	votersOf                   map[meeting.Choice]string
	votersSpoiled, nobody      string
	seatsLine, uncapped        string
	surplusNone                string
	elected, reached, notReach string
	electedOrd, electedRow     string
	tie, short, tieElder       string
	ratingTable, colValid      string
	colLevel, ratingResult     string // the rating table's level column; "Kết quả: %s" under a name
	lowHalf, lowTwoThirds      string
	none                       string
	capLine, capExceeded       string
	capOK, invalidFor          string
	seeCounting                string
	warning                    string
	conclusion, noConclusion   string
	ended, notEnded            string

	signParty, signRecorder, signState1, signState2 string
	correction                                      string

	// The counting record.
	cOpening, cCommittee, cNoCommittee, cCommitteeProposed string
	cMember                                                string
	cSec1, cSec2, cSec3                                    string
	cSummoned, cBallots, cInvalidTitle, cNoInvalid         string
	cColReason, cColCount                                  string
	cResultsOf, cClosing, cSignTitle, cHeadPost, cMemPost  string
	cHead, cMem                                            string
}

var vi = &words{
	lang:       "vi",
	partyMotto: "ĐẢNG CỘNG SẢN VIỆT NAM", stateMotto1: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", stateMotto2: "Độc lập - Tự do - Hạnh phúc",
	title: "BIÊN BẢN", countingTitle: "BIÊN BẢN KIỂM PHIẾU",
	draft: "DỰ THẢO", draftNote: "Bản dự thảo, chưa hoàn thành: nội dung có thể còn thay đổi.",
	countingDraftNote: "Kết quả chưa công bố: biên bản chưa hoàn thành.",
	numberParty:       "Số %s", numberState: "Số: %s", noNumberParty: "Số …", noNumberState: "Số: …",
	sec1: "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", sec2: "II. TÀI LIỆU SỬ DỤNG", sec3: "III. NỘI DUNG VÀ DIỄN BIẾN",
	sec4: "IV. THÔNG BÁO", sec5: "V. KẾT LUẬN CỦA CUỘC HỌP", sec6: "ĐÍNH CHÍNH",
	startedAt: "Thời gian: bắt đầu lúc %s.", scheduledAt: "Thời gian dự kiến: %s.", notOpened: "Cuộc họp chưa khai mạc.",
	place: "Địa điểm: %s.", chairParty: "Chủ trì: %s.", chairState: "Chủ tọa: %s.", secretary: "Thư ký (người ghi biên bản): %s.",
	bodyLine: "%s: %s%s.", bodyProposed: " (dự kiến, chưa được biểu quyết thông qua)", bodyApprovedAt: " (được biểu quyết thông qua lúc %s)",
	headOf:            "%s (%s)",
	partyTotal:        "Tổng số đảng viên của chi bộ: %s (đảng viên chính thức: %s; đảng viên dự bị: %s).",
	partyPresent:      "Đảng viên chính thức có mặt: %s (%s); vắng mặt: %s%s.",
	partyProbationary: "Đảng viên dự bị có mặt: %s; vắng mặt: %s.",
	delegates:         "Số đại biểu được triệu tập (có quyền biểu quyết): %s; có mặt: %s (%s); vắng mặt: %s%s.",
	nonVotingLine:     "Dự họp, không có quyền biểu quyết: %s được triệu tập, có mặt %s%s.",
	whereHall:         "tại hội trường: %s", whereSite: "tại điểm cầu %s: %s", absentReasons: " (có lý do: %s; không có lý do: %s)",
	absentTitle: "Vắng mặt:", lateTitle: "Đến muộn:", leftTitle: "Rời cuộc họp trước khi kết thúc:",
	colName: "Họ và tên", colPost: "Chức vụ, đơn vị", colReason: "Lý do", colArrived: "Đến lúc", colLeft: "Rời lúc",
	probationaryMark: " (dự bị)", noReason: "Không có lý do",
	notRecorded: "Không điểm danh", guests: "Khách mời: %s.",
	quorumRule:     "Số lượng cần thiết để tiến hành: %s %s, tức ít nhất %s người.",
	quorumMet:      "Khi khai mạc có mặt %s/%s: đủ số lượng theo quy định.",
	quorumNotMet:   "Khi khai mạc có mặt %s/%s: chưa đủ số lượng theo quy định.",
	quorumFirstMet: "Đủ số lượng từ %s.",
	baseEntitledQ:  "số được triệu tập (%s)", baseSummonedQ: "số được triệu tập (%s) trừ số vắng mặt có lý do được chấp thuận (%s), tức %s",
	noDocuments: "Không có tài liệu.", docLine: "– Phiên bản %d: tệp “%s” (%s byte), %s", docNote: "; ghi chú: %s", withdrawn: " (đã thu hồi)", confidential: " (mật)",
	presenter: "Người trình bày: %s.", itemTime: "Thời gian: từ %s đến %s.", itemFrom: "Thời gian: bắt đầu lúc %s.",
	speechesN: "Phát biểu (%d lượt):", colNo: "TT", colSpeaker: "Người phát biểu", colTopic: "Nội dung", colStart: "Bắt đầu", colDuration: "Thời lượng",
	pointOfOrder: "Kiến nghị về thủ tục", replyTo: "Tranh luận với %s", noItem: "Nội dung khác",
	pollTitle:   map[meeting.PollKind]string{meeting.PollOpen: "Biểu quyết công khai: %s", meeting.PollSecret: "Biểu quyết kín: %s", meeting.PollElection: "Bầu cử: %s"},
	ratingTitle: map[meeting.Scale]string{meeting.ScaleReview: "Đánh giá, xếp loại: %s", meeting.ScaleConfidence: "Lấy phiếu tín nhiệm: %s"},
	method: map[meeting.PollKind]string{meeting.PollOpen: "biểu quyết công khai (giơ tay hoặc bấm nút)", meeting.PollSecret: "bỏ phiếu kín",
		meeting.PollElection: "bỏ phiếu kín", meeting.PollRating: "bỏ phiếu kín"},
	formMethod: map[meeting.BallotForm]string{meeting.FormStrike: "bỏ phiếu kín, danh sách có số dư (gạch tên)",
		meeting.FormApprove: "bỏ phiếu kín, danh sách không có số dư (đánh dấu “Đồng ý” hoặc “Không đồng ý” từng người)",
		meeting.FormSingle:  "bỏ phiếu kín, phiếu một người (đánh dấu “Đồng ý” hoặc “Không đồng ý”)"},
	bodyVote: "Biểu quyết thông qua danh sách %s.",
	baseLine: map[meeting.Base]string{
		meeting.BaseSummoned: "Cơ sở tính tỷ lệ: số được triệu tập (%s) trừ số vắng mặt có lý do được chấp thuận (%s), tức %s.",
		meeting.BasePresent:  "Cơ sở tính tỷ lệ: số có quyền biểu quyết có mặt khi bắt đầu bỏ phiếu, tức %[3]s.",
		meeting.BaseCast:     "Cơ sở tính tỷ lệ: số phiếu thu vào, tức %[3]s.",
		meeting.BaseValid:    "Cơ sở tính tỷ lệ: số phiếu hợp lệ, tức %[3]s.",
	},
	thresholdLine: "Tỷ lệ cần đạt: %s, tức ít nhất %s phiếu.",
	noThreshold:   "Tỷ lệ của từng mức tính trên cơ sở trên; quy định về lấy phiếu tín nhiệm không đặt tỷ lệ “đạt”.",
	timesLine:     "Bắt đầu lúc %s, kết thúc lúc %s.",
	countsLine:    "Số phiếu phát ra: %s; số phiếu thu vào: %s; số phiếu hợp lệ: %s; số phiếu không hợp lệ: %s%s.",
	countsLineOpen: "Số người có quyền biểu quyết có mặt: %s; số người đã biểu quyết: %s; số biểu quyết hợp lệ: %s; " +
		"số biểu quyết không hợp lệ: %s%s.",
	overrideQuorum: "Biểu quyết khi chưa đủ số lượng, theo quyết định của chủ tọa.", revoteOf: "Biểu quyết lại (lần trước: %s).",
	cancelled: "Đã hủy. Lý do: %s.", notPublished: "(Kết quả chưa công bố.)",
	colChoice: "Phương án", colVoters: "Số người",
	outcomeLine: map[meeting.Outcome]string{meeting.OutcomePassed: "Kết quả: THÔNG QUA.", meeting.OutcomeRejected: "Kết quả: KHÔNG THÔNG QUA.",
		meeting.OutcomeElected: "Kết quả: bầu đủ số lượng.", meeting.OutcomeTie: "Kết quả: có người bằng phiếu ở vị trí cuối, phải bầu lại.",
		meeting.OutcomeShort: "Kết quả: chưa bầu đủ số lượng.", meeting.OutcomeRated: ""},
	votersOf:      map[meeting.Choice]string{meeting.ChoiceAgree: "Tán thành (%d): %s.", meeting.ChoiceDisagree: "Không tán thành (%d): %s.", meeting.ChoiceAbstain: "Không biểu quyết (%d): %s."},
	votersSpoiled: "Không hợp lệ (%d): %s.", nobody: "không có",
	seatsLine: "Số lượng cần bầu: %s; danh sách bầu cử: %s người%s.", surplusNone: "", uncapped: " (không áp dụng giới hạn số dư 30%)",
	elected: "Trúng cử", reached: "Đạt tỷ lệ", notReach: "Không đạt",
	electedOrd: "Trúng cử (theo thứ tự số phiếu từ cao xuống thấp): %s.", electedRow: "%s (%s phiếu, %s)",
	tie: "Bằng phiếu cho %d vị trí cuối: %s — phải bầu lại.", short: "Còn thiếu %d người.", tieElder: "Người bằng phiếu cao tuổi hơn trúng cử.",
	ratingTable: "Số phiếu và tỷ lệ của từng mức:", colValid: "Số phiếu hợp lệ",
	colLevel: "Mức", ratingResult: "Kết quả: %s",
	lowHalf: "Trên 1/2 tín nhiệm thấp", lowTwoThirds: "Từ 2/3 trở lên tín nhiệm thấp", none: "—",
	capLine: "Tỷ lệ hoàn thành xuất sắc nhiệm vụ không quá %d%% số hoàn thành tốt nhiệm vụ: %d/%d — %s.", capExceeded: "VƯỢT tỷ lệ khống chế", capOK: "trong tỷ lệ khống chế",
	invalidFor:  "%s: số phiếu không hợp lệ %d (%s).",
	seeCounting: "Chi tiết tại biên bản kiểm phiếu kèm theo.",
	warning:     "Lưu ý (bản dự thảo): %s",
	conclusion:  "Kết luận:", noConclusion: "Chưa có kết luận.",
	ended: "Cuộc họp kết thúc lúc %s.", notEnded: "Cuộc họp chưa kết thúc.",
	signParty: "T/M %s", signRecorder: "NGƯỜI GHI BIÊN BẢN", signState1: "THƯ KÝ", signState2: "CHỦ TỌA",
	correction: "Đính chính (bản %d, đính chính bản %d), %s: %s Lý do: %s",

	cOpening:           "Hôm nay, %s, tại %s, %s tiến hành %s: %s.",
	cCommittee:         "Ban Kiểm phiếu gồm các đồng chí (được biểu quyết thông qua lúc %s):",
	cCommitteeProposed: "Ban Kiểm phiếu (dự kiến, chưa được biểu quyết thông qua) gồm các đồng chí:",
	cNoCommittee:       "Hội nghị chưa bầu Ban Kiểm phiếu; chủ trì và thư ký ký biên bản này.",
	cMember:            "%d. Đồng chí %s — %s.",
	cSec1:              "I. SỐ LƯỢNG ĐẠI BIỂU VÀ SỐ PHIẾU", cSec2: "II. KẾT QUẢ KIỂM PHIẾU", cSec3: "III. KẾT QUẢ",
	cSummoned:     "Tổng số được triệu tập (có quyền biểu quyết): %s; có mặt khi bỏ phiếu: %s; vắng mặt: %s (trong đó vắng mặt có lý do được chấp thuận: %s).",
	cBallots:      "Số phiếu phát ra: %s. Số phiếu thu vào: %s. Số phiếu hợp lệ: %s. Số phiếu không hợp lệ: %s.",
	cInvalidTitle: "Phiếu không hợp lệ, theo lý do:", cNoInvalid: "Không có phiếu không hợp lệ.",
	cColReason: "Lý do", cColCount: "Số phiếu",
	cResultsOf: "Kết quả theo thứ tự trong phiếu (tỷ lệ tính trên cơ sở nêu trên):",
	cClosing:   "Biên bản lập xong lúc %s, căn cứ kết quả kiểm phiếu ghi trong nhật ký cuộc họp (sự kiện số %d, mã băm %s).",
	cSignTitle: "BAN KIỂM PHIẾU", cHeadPost: "TRƯỞNG BAN", cMemPost: "ỦY VIÊN", cHead: "Trưởng ban", cMem: "Ủy viên",
}

var en = &words{
	lang:       "en",
	partyMotto: "COMMUNIST PARTY OF VIET NAM", stateMotto1: "SOCIALIST REPUBLIC OF VIET NAM", stateMotto2: "Independence - Freedom - Happiness",
	title: "MINUTES", countingTitle: "VOTE-COUNTING RECORD",
	draft: "DRAFT", draftNote: "Draft, not finalised: the content may still change.",
	countingDraftNote: "Results not yet announced: the record is not final.",
	numberParty:       "No. %s", numberState: "No.: %s", noNumberParty: "No. …", noNumberState: "No.: …",
	sec1: "I. TIME, PLACE AND ATTENDANCE", sec2: "II. DOCUMENTS USED", sec3: "III. PROCEEDINGS",
	sec4: "IV. NOTICES", sec5: "V. CONCLUSIONS OF THE MEETING", sec6: "CORRECTIONS",
	startedAt: "Time: opened at %s.", scheduledAt: "Scheduled time: %s.", notOpened: "The meeting has not been opened.",
	place: "Place: %s.", chairParty: "Presided by: %s.", chairState: "Chaired by: %s.", secretary: "Secretary (minutes taken by): %s.",
	bodyLine: "%s: %s%s.", bodyProposed: " (proposed, not yet approved by vote)", bodyApprovedAt: " (approved by vote at %s)",
	headOf:            "%s (%s)",
	partyTotal:        "Party members of the cell: %s (full members: %s; probationary members: %s).",
	partyPresent:      "Full members present: %s (%s); absent: %s%s.",
	partyProbationary: "Probationary members present: %s; absent: %s.",
	delegates:         "Members summoned (with a vote): %s; present: %s (%s); absent: %s%s.",
	nonVotingLine:     "Attending without a vote: %s summoned, %s present%s.",
	whereHall:         "in the hall: %s", whereSite: "at the %s site: %s", absentReasons: " (excused: %s; without a reason: %s)",
	absentTitle: "Absent:", lateTitle: "Arrived late:", leftTitle: "Left before the end:",
	colName: "Name", colPost: "Position, unit", colReason: "Reason", colArrived: "Arrived", colLeft: "Left",
	probationaryMark: " (probationary)", noReason: "No reason given",
	notRecorded: "Not recorded", guests: "Guests: %s.",
	quorumRule:     "Quorum: %s %s, i.e. at least %s.",
	quorumMet:      "At the opening %s/%s were present: the quorum was reached.",
	quorumNotMet:   "At the opening %s/%s were present: the quorum was not reached.",
	quorumFirstMet: "The quorum was reached at %s.",
	baseEntitledQ:  "of the members summoned (%s)", baseSummonedQ: "of the members summoned (%s) less those excused (%s), that is %s",
	noDocuments: "No documents.", docLine: "– Version %d: file “%s” (%s bytes), %s", docNote: "; note: %s", withdrawn: " (withdrawn)", confidential: " (confidential)",
	presenter: "Presented by: %s.", itemTime: "Time: from %s to %s.", itemFrom: "Time: started at %s.",
	speechesN: "Speeches (%d):", colNo: "No.", colSpeaker: "Speaker", colTopic: "Topic", colStart: "Start", colDuration: "Duration",
	pointOfOrder: "Point of order", replyTo: "Reply to %s", noItem: "Other business",
	pollTitle:   map[meeting.PollKind]string{meeting.PollOpen: "Open vote: %s", meeting.PollSecret: "Secret vote: %s", meeting.PollElection: "Election: %s"},
	ratingTitle: map[meeting.Scale]string{meeting.ScaleReview: "Review and rating: %s", meeting.ScaleConfidence: "Confidence vote: %s"},
	method: map[meeting.PollKind]string{meeting.PollOpen: "open vote (show of hands or buttons)", meeting.PollSecret: "secret ballot",
		meeting.PollElection: "secret ballot", meeting.PollRating: "secret ballot"},
	formMethod: map[meeting.BallotForm]string{meeting.FormStrike: "secret ballot, list with surplus (striking names)",
		meeting.FormApprove: "secret ballot, list without surplus (“Agree” or “Disagree” for each name)",
		meeting.FormSingle:  "secret ballot, single name (“Agree” or “Disagree”)"},
	bodyVote: "Vote approving the members of the %s.",
	baseLine: map[meeting.Base]string{
		meeting.BaseSummoned: "Base: members summoned (%s) less those excused (%s), that is %s.",
		meeting.BasePresent:  "Base: eligible voters present when voting began, that is %[3]s.",
		meeting.BaseCast:     "Base: ballots returned, that is %[3]s.",
		meeting.BaseValid:    "Base: valid ballots, that is %[3]s.",
	},
	thresholdLine:  "Threshold: %s, i.e. at least %s votes.",
	noThreshold:    "Each level's share is of the base above; the rules on confidence votes set no pass mark.",
	timesLine:      "Opened at %s, closed at %s.",
	countsLine:     "Ballots issued: %s; ballots returned: %s; valid ballots: %s; invalid ballots: %s%s.",
	countsLineOpen: "Eligible voters present: %s; voted: %s; valid votes: %s; invalid votes: %s%s.",
	overrideQuorum: "Voted without a quorum, by decision of the chair.", revoteOf: "Re-vote (previous vote: %s).",
	cancelled: "Cancelled. Reason: %s.", notPublished: "(Results not yet announced.)",
	colChoice: "Choice", colVoters: "Voters",
	outcomeLine: map[meeting.Outcome]string{meeting.OutcomePassed: "Result: PASSED.", meeting.OutcomeRejected: "Result: NOT PASSED.",
		meeting.OutcomeElected: "Result: every seat filled.", meeting.OutcomeTie: "Result: a tie for the last seat(s); a re-vote is needed.",
		meeting.OutcomeShort: "Result: not every seat filled.", meeting.OutcomeRated: ""},
	votersOf:      map[meeting.Choice]string{meeting.ChoiceAgree: "In favour (%d): %s.", meeting.ChoiceDisagree: "Against (%d): %s.", meeting.ChoiceAbstain: "Abstaining (%d): %s."},
	votersSpoiled: "Invalid (%d): %s.", nobody: "none",
	seatsLine: "Seats to fill: %s; names on the list: %s%s.", surplusNone: "", uncapped: " (the 30% surplus cap does not apply)",
	elected: "Elected", reached: "Reached the threshold", notReach: "Below the threshold",
	electedOrd: "Elected (most votes first): %s.", electedRow: "%s (%s votes, %s)",
	tie: "Tie for the last %d seat(s): %s — a re-vote is needed.", short: "%d seat(s) left unfilled.", tieElder: "The elder of the tied candidates is elected.",
	ratingTable: "Votes and share for each level:", colValid: "Valid ballots",
	colLevel: "Level", ratingResult: "Result: %s",
	lowHalf: "Over 1/2 low confidence", lowTwoThirds: "2/3 or more low confidence", none: "—",
	capLine: "Excellent ratings capped at %d%% of good ratings: %d/%d — %s.", capExceeded: "cap EXCEEDED", capOK: "within the cap",
	invalidFor:  "%s: %d invalid ballots (%s).",
	seeCounting: "Details in the attached vote-counting record.",
	warning:     "Note (draft): %s",
	conclusion:  "Conclusion:", noConclusion: "No conclusion recorded.",
	ended: "The meeting closed at %s.", notEnded: "The meeting has not closed.",
	signParty: "ON BEHALF OF %s", signRecorder: "RECORDED BY", signState1: "SECRETARY", signState2: "CHAIR",
	correction: "Correction (revision %d, correcting revision %d), %s: %s Reason: %s",

	cOpening:           "On %s, at %s, %s held a %s: %s.",
	cCommittee:         "The vote-counting committee (approved by vote at %s):",
	cCommitteeProposed: "The vote-counting committee (proposed, not yet approved by vote):",
	cNoCommittee:       "The meeting has not elected a vote-counting committee; the chair and the secretary sign this record.",
	cMember:            "%d. %s — %s.",
	cSec1:              "I. MEMBERS AND BALLOTS", cSec2: "II. THE COUNT", cSec3: "III. RESULT",
	cSummoned:     "Members summoned (with a vote): %s; present at the vote: %s; absent: %s (of whom excused: %s).",
	cBallots:      "Ballots issued: %s. Ballots returned: %s. Valid ballots: %s. Invalid ballots: %s.",
	cInvalidTitle: "Invalid ballots, by reason:", cNoInvalid: "No invalid ballots.",
	cColReason: "Reason", cColCount: "Ballots",
	cResultsOf: "Results in ballot order (shares of the base above):",
	cClosing:   "Record completed at %s, from the count recorded in the meeting's log (event %d, hash %s).",
	cSignTitle: "VOTE-COUNTING COMMITTEE", cHeadPost: "HEAD", cMemPost: "MEMBER", cHead: "head", cMem: "member",
}

// wordsFor returns the words of lang: "en", or Vietnamese for anything else.
func wordsFor(lang string) *words {
	if lang == "en" {
		return en
	}
	return vi
}

// term returns a term of the shared vocabulary in w's language.
func (w *words) term(key string) string { return meeting.T(key, w.lang) }

// lower returns a term to be used inside a sentence: its first letter in
// lower case.
func (w *words) lower(key string) string { return lowerFirst(w.term(key)) }

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// long prints a moment: "08 giờ 05 phút, ngày 15 tháng 12 năm 2025" or
// "08:05 on 15 December 2025". Times are already in the meeting's zone.
func (w *words) long(t time.Time) string {
	if w.lang == "en" {
		return fmt.Sprintf("%02d:%02d on %s", t.Hour(), t.Minute(), w.date(t))
	}
	return fmt.Sprintf("%02d giờ %02d phút, %s", t.Hour(), t.Minute(), w.date(t))
}

// date prints a day: "ngày 05 tháng 3 năm 2026" or "5 March 2026". The
// day takes a leading zero below 10, the month only for January and
// February (NĐ 30/2020 and HD 36: "ngày 03 tháng 4 năm 2018", "ngày 15
// tháng 01 năm 2026").
func (w *words) date(t time.Time) string {
	if w.lang == "en" {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsEN[t.Month()-1], t.Year())
	}
	month := strconv.Itoa(int(t.Month()))
	if t.Month() < 3 {
		month = "0" + month
	}
	return fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), month, t.Year())
}

// placeDate prints the place and date line: "Hà Nội, ngày 15 tháng 12 năm
// 2025" (without a place: the date alone, upper-cased first letter).
func (w *words) placeDate(place string, t time.Time) string {
	d := w.date(t)
	if place == "" {
		r, n := utf8.DecodeRuneInString(d)
		return string(unicode.ToUpper(r)) + d[n:]
	}
	return place + ", " + d
}

// clock prints a time of day, "08:05".
func (w *words) clock(t time.Time) string {
	if t.IsZero() {
		return w.none
	}
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

// pct prints a percentage: "66,67%" or "66.67%".
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

// reason prints why ballots were invalid, inside a sentence.
func (w *words) reason(r meeting.Reason) string {
	if w.lang == "en" {
		return lowerFirst(r.EN())
	}
	return lowerFirst(r.VI())
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
