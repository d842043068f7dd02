package meeting

import "slices"

// The vocabulary: one table of the terms people read on the console, the
// tablets, the hall screen, the minutes and the counting records, so that a
// count is called the same thing everywhere ("số phiếu thu vào", never "thu
// về" on one screen and "thu vào" on another).
//
// server/minutes prints these terms; the web apps load the same table as
// client/web/assets/js/terms.js, generated from Terms (a test in client/web
// fails when the file is stale). Keys are "group.name"; the web apps use the
// same keys with their i18n function.

// Term is one term in Vietnamese and English.
type Term struct {
	Key string `json:"key"`
	VI  string `json:"vi"`
	EN  string `json:"en"`
}

// terms is the vocabulary. Vietnamese wording follows the forms of the
// Party and state bodies (docs/rules.md §4, §6, §7): "Số phiếu phát ra", "Số
// phiếu thu vào", "Số phiếu hợp lệ", "Số phiếu không hợp lệ" as on the
// counting committee's record.
var terms = []Term{
	// Choices of a vote (open or secret).
	{"choice.agree", "Tán thành", "In favour"},
	{"choice.disagree", "Không tán thành", "Against"},
	{"choice.abstain", "Không biểu quyết", "Abstaining"},

	// The boxes of a row of an election list without surplus (docs/rules.md §4).
	{"mark.agree", "Đồng ý", "Agree"},
	{"mark.disagree", "Không đồng ý", "Disagree"},

	// Ballot forms of an election (docs/rules.md §4).
	{"form.strike", "Danh sách có số dư: gạch tên người không bầu", "List with surplus: strike the names you do not elect"},
	{"form.approve", "Danh sách không có số dư: đánh dấu “Đồng ý” hoặc “Không đồng ý” cho từng người", "List without surplus: mark “Agree” or “Disagree” for each name"},
	{"form.single", "Phiếu một người: đánh dấu một trong hai ô “Đồng ý” hoặc “Không đồng ý”", "Single name: mark one of the two boxes, “Agree” or “Disagree”"},

	// Levels of the rating scales (docs/rules.md §5, §6).
	{"level.excellent", "Hoàn thành xuất sắc nhiệm vụ", "Excellent"},
	{"level.good", "Hoàn thành tốt nhiệm vụ", "Good"},
	{"level.done", "Hoàn thành nhiệm vụ", "Satisfactory"},
	{"level.failed", "Không hoàn thành nhiệm vụ", "Unsatisfactory"},
	{"level.high", "Tín nhiệm cao", "High confidence"},
	{"level.medium", "Tín nhiệm", "Confidence"},
	{"level.low", "Tín nhiệm thấp", "Low confidence"},

	// Kinds of poll.
	{"polls.kind.open", "Biểu quyết công khai", "Open vote"},
	{"polls.kind.secret", "Biểu quyết kín", "Secret vote"},
	{"polls.kind.election", "Bầu cử", "Election"},
	{"polls.kind.rating", "Đánh giá, xếp loại", "Review and rating"},
	{"polls.kind.confidence", "Lấy phiếu tín nhiệm", "Confidence vote"},

	// The counts of a ballot (the counting committee's record).
	{"count.issued", "Số phiếu phát ra", "Ballots issued"},
	{"count.cast", "Số phiếu thu vào", "Ballots returned"},
	{"count.valid", "Số phiếu hợp lệ", "Valid ballots"},
	{"count.invalid", "Số phiếu không hợp lệ", "Invalid ballots"},
	{"count.votes", "Số phiếu", "Votes"},
	{"count.percent", "Tỷ lệ", "Share"},
	{"count.method", "Hình thức", "Method"},
	{"count.result", "Kết quả", "Result"},

	// Majority bases (docs/rules.md §2), as labels; the minutes print the
	// numbers they are made of beside them.
	{"base.summoned", "Số được triệu tập (trừ số vắng mặt có lý do được chấp thuận)", "Members summoned (less those excused)"},
	{"base.present", "Số có quyền biểu quyết có mặt khi bắt đầu bỏ phiếu", "Eligible voters present when voting began"},
	{"base.cast", "Số phiếu thu vào", "Ballots returned"},
	{"base.valid", "Số phiếu hợp lệ", "Valid ballots"},

	// Why a ballot (or one row of a rating ballot) is invalid.
	{"reason.spoiled", "Phiếu trắng hoặc phiếu hỏng", "Blank or spoiled ballot"},
	{"reason.no_choice", "Không chọn phương án nào", "No choice made"},
	{"reason.unknown_choice", "Phương án không có trên phiếu", "A choice not on the ballot"},
	{"reason.unknown_candidate", "Ghi thêm tên ngoài danh sách", "A name not on the list"},
	{"reason.duplicate", "Một tên được đánh dấu hai lần", "A name marked twice"},
	{"reason.too_many", "Bầu quá số lượng đã quyết định", "Elects more than the number decided"},
	{"reason.none_kept", "Gạch hết tên trong danh sách có số dư", "Every name struck on a list with surplus"},
	{"reason.both_marked", "Đánh dấu cả hai ô", "Both boxes marked"},
	{"reason.no_mark", "Không đánh dấu ô nào", "No box marked"},
	{"reason.empty", "Không đánh giá ai", "Nobody rated"},
	{"reason.unknown_subject", "Đánh giá người ngoài danh sách", "A person not on the list rated"},
	{"reason.missing_level", "Không đánh dấu mức nào", "No level marked"},
	{"reason.unknown_level", "Mức không có trên phiếu", "A level not on the scale"},
	{"reason.unstamped", "Phiếu không có dấu của Ban Kiểm phiếu", "Not stamped by the counting committee"},
	{"reason.writing", "Viết thêm nội dung khác trên phiếu", "Other writing on the ballot"},
	{"reason.many_marks", "Đánh dấu nhiều hơn một ô", "More than one box marked"},
	{"reason.name_struck", "Gạch tên người được lấy phiếu", "The printed name struck out"},

	// Outcomes.
	{"outcome.passed", "Thông qua", "Passed"},
	{"outcome.rejected", "Không thông qua", "Not passed"},
	{"outcome.elected", "Trúng cử", "Elected"},
	{"outcome.tie", "Bằng phiếu ở vị trí cuối, phải bầu lại", "A tie for the last seat: a re-vote is needed"},
	{"outcome.short", "Chưa bầu đủ số lượng", "Not every seat filled"},

	// Attendance.
	{"attendance.present", "Có mặt", "Present"},
	{"attendance.remote", "Dự tại điểm cầu", "At a linked site"},
	{"attendance.absent", "Vắng mặt", "Absent"},
	{"attendance.excused", "Vắng mặt có lý do", "Excused"},
	{"attendance.not_recorded", "Chưa điểm danh", "Not recorded"},
	{"attendance.members", "Đảng viên chính thức", "Full Party members"},
	{"attendance.probationary", "Đảng viên dự bị", "Probationary Party members"},
	{"attendance.delegates", "Đại biểu", "Delegates"},
	{"attendance.non_voting", "Dự họp, không có quyền biểu quyết", "Attending without a vote"},
	{"attendance.guests", "Khách mời", "Guests"},

	// The congress's own bodies (docs/rules.md §3).
	{"body.presidium", "Đoàn Chủ tịch", "Presidium"},
	{"body.secretariat", "Đoàn Thư ký", "Secretariat"},
	{"body.counting", "Ban Kiểm phiếu", "Vote-counting committee"},
	{"body.head.presidium", "Chủ tịch", "Chair of the presidium"},
	{"body.head.secretariat", "Trưởng Đoàn Thư ký", "Head of the secretariat"},
	{"body.head.counting", "Trưởng Ban Kiểm phiếu", "Head of the counting committee"},
	{"body.member", "Thành viên", "Member"},
	{"body.proposed", "Dự kiến, chưa được biểu quyết thông qua", "Proposed, not yet approved by vote"},
	{"body.approved", "Đã được biểu quyết thông qua", "Approved by vote"},

	// Paper ballots counted by the counting committee (docs/rules.md §8).
	{"paper.method", "Bỏ phiếu kín bằng phiếu giấy", "Secret ballot on paper"},
	{"paper.times", "Số lần nhập độc lập mỗi phiếu", "Independent entries per ballot"},
	{"paper.bundle", "Tệp phiếu", "Bundle"},
	{"paper.position", "Phiếu số", "Ballot no."},
	{"paper.station", "Máy nhập", "Station"},
	{"paper.operator", "Người nhập", "Operator"},
	{"paper.entered", "Số phiếu đã nhập", "Ballots entered"},
	{"paper.flagged", "Số phiếu có khác biệt giữa các lần nhập", "Ballots whose entries differ"},
	{"paper.decided", "Số phiếu do Ban Kiểm phiếu quyết định", "Ballots decided by the counting committee"},
	{"paper.unresolved", "Số phiếu có khác biệt chưa quyết định", "Differences not yet decided"},
	{"paper.absent", "Không có phiếu", "No ballot"},
	{"paper.log", "Nhật ký nhập phiếu", "Entry log"},
	{"paper.log_hash", "Mã băm SHA-256 của nhật ký nhập phiếu", "SHA-256 of the entry log"},
	{"paper.stamp", "Dấu của Ban Kiểm phiếu", "Stamp of the counting committee"},
	{"paper.tablet", "Bỏ phiếu bằng phiếu giấy do Ban Kiểm phiếu phát; không bỏ phiếu này trên máy tính bảng.", "Cast on the paper ballot the counting committee hands out; not on the tablet."},
	{"role.technician", "Kỹ thuật viên nhập phiếu", "Counting technician"},

	// Records.
	{"record.minutes", "Biên bản", "Minutes"},
	{"record.counting", "Biên bản kiểm phiếu", "Vote-counting record"},

	// The congress floor (docs/congress.md): opinions on drafts, discussion
	// groups and their officers, written contributions.
	{"opinion.agree", "Tán thành", "Agree"},
	{"opinion.disagree", "Không tán thành", "Disagree"},
	{"opinion.partial", "Đồng ý một phần", "Partly agree"},
	{"opinion.general", "Ý kiến chung về toàn văn dự thảo", "General opinions on the whole draft"},
	{"opinion.specific", "Ý kiến về từng phần", "Opinions on each section"},
	{"opinion.flagged", "Ý kiến về phần không còn trong bản mới", "Opinions on sections no longer in the new version"},
	{"group.leader", "Tổ trưởng", "Group leader"},
	{"group.deputy", "Tổ phó", "Deputy group leader"},
	{"group.secretary", "Thư ký tổ", "Group secretary"},
	{"group.report", "Biên bản thảo luận tổ", "Minutes of the group discussion"},
	{"contribution.sent", "Tham luận gửi đại hội", "Written contributions submitted to the congress"},
	{"contribution.read", "Tham luận trình bày tại đại hội", "Written contributions read at the congress"},

	// Warnings.
	{"warn.party_half", "Quy định của Đảng là “quá 1/2” (trên một nửa), không phải “từ 1/2 trở lên”.", "Party rules require “more than 1/2”, not “at least 1/2”."},
}

// Terms returns the vocabulary, in table order.
func Terms() []Term { return slices.Clone(terms) }

// T returns the term key in lang ("en", or Vietnamese for anything else);
// the key itself when there is no such term.
func T(key, lang string) string { return termOr(key, lang, key) }

// termOr returns the term key in lang, or def when there is none.
func termOr(key, lang, def string) string {
	for _, t := range terms {
		if t.Key == key {
			if lang == "en" {
				return t.EN
			}
			return t.VI
		}
	}
	return def
}
