package demo

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/phonghop/phonghop/server/minutes"
)

// The demo's sample documents: A4 PDFs in Vietnamese made at load time with
// fpdf and the Liberation Serif faces of the minutes, one section a page so
// that following the presenter page by page is visible. Every name, figure
// and unit in them is made up.

// demoDoc is a sample document: a title block and one section per page.
type demoDoc struct {
	file     string // file name of the upload
	title    string // document title in the meeting
	kind     string // the document's kind line, in capitals ("BÁO CÁO")
	subject  string // what it is about, under the kind
	number   string // its number ("25-BC/ĐU")
	sections []demoSection
}

type demoSection struct {
	heading string
	paras   []string
}

// demoDocs are the two sample documents, attached to agenda items 2 and 5.
var demoDocs = []demoDoc{
	{
		file: "bao-cao-kiem-diem-tap-the-2025.pdf", title: "Báo cáo kiểm điểm tập thể Ban Thường vụ năm 2025",
		kind: "BÁO CÁO", subject: "Kiểm điểm tập thể Ban Thường vụ Đảng ủy năm 2025", number: "25-BC/ĐU",
		sections: []demoSection{
			{"I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2025", []string{
				"1. Về lãnh đạo, chỉ đạo thực hiện nhiệm vụ chính trị. Ban Thường vụ đã cụ thể hóa kịp thời các nghị quyết, chỉ thị của cấp trên thành chương trình công tác toàn khóa và kế hoạch từng quý; phân công rõ người, rõ việc, rõ thời hạn hoàn thành. 18/20 chỉ tiêu chủ yếu đạt và vượt kế hoạch (số liệu mẫu).",
				"2. Về công tác xây dựng Đảng về chính trị, tư tưởng, đạo đức. Tổ chức quán triệt đầy đủ các văn bản mới của Trung ương; 100% cán bộ, đảng viên được học tập nghị quyết. Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với nhiệm vụ chuyên môn của từng cơ quan.",
				"3. Về công tác tổ chức, cán bộ. Rà soát, bổ sung quy hoạch cán bộ nhiệm kỳ 2025–2030; kết nạp 24 đảng viên mới; chuyển đảng chính thức đúng thời hạn cho 19 đồng chí (số liệu mẫu).",
			}},
			{"II. HẠN CHẾ, KHUYẾT ĐIỂM", []string{
				"1. Việc cụ thể hóa một số chủ trương còn chậm so với yêu cầu; có nội dung ban hành kế hoạch nhưng thiếu kiểm tra, đôn đốc thường xuyên.",
				"2. Chất lượng sinh hoạt chi bộ ở một số nơi chưa đều; nội dung sinh hoạt chuyên đề có lúc còn hình thức, tính chiến đấu trong tự phê bình và phê bình chưa cao.",
				"3. Công tác kiểm tra, giám sát ở một số lĩnh vực chưa thường xuyên; việc theo dõi khắc phục sau kiểm tra có nơi chưa triệt để.",
			}},
			{"III. NGUYÊN NHÂN CỦA HẠN CHẾ, KHUYẾT ĐIỂM", []string{
				"1. Nguyên nhân khách quan: khối lượng công việc lớn, nhiều nhiệm vụ đột xuất phát sinh trong năm; một số văn bản hướng dẫn của cấp trên ban hành chậm.",
				"2. Nguyên nhân chủ quan: một số đồng chí Ủy viên Ban Thường vụ chưa dành thời gian thỏa đáng cho việc theo dõi lĩnh vực được phân công; sự phối hợp giữa các ban tham mưu có lúc chưa chặt chẽ.",
				"3. Kết quả khắc phục hạn chế, khuyết điểm đã được chỉ ra ở kỳ kiểm điểm trước: cơ bản khắc phục 4/5 hạn chế; còn 1 hạn chế đang tiếp tục khắc phục.",
			}},
			{"IV. PHƯƠNG HƯỚNG, BIỆN PHÁP KHẮC PHỤC", []string{
				"1. Nâng cao chất lượng xây dựng và thực hiện chương trình công tác; tăng cường kiểm tra, đôn đốc, sơ kết định kỳ hằng quý.",
				"2. Đổi mới nội dung, phương thức sinh hoạt chi bộ; mỗi quý ít nhất một buổi sinh hoạt chuyên đề gắn với nhiệm vụ chính trị của cơ quan.",
				"3. Thực hiện nghiêm kế hoạch kiểm tra, giám sát năm 2026; theo dõi đến cùng việc khắc phục sau kiểm tra.",
				"Trên đây là báo cáo kiểm điểm tập thể Ban Thường vụ năm 2025, đề nghị hội nghị thảo luận, góp ý.",
			}},
		},
	},
	{
		file: "huong-dan-danh-gia-xep-loai-2025.pdf", title: "Hướng dẫn đánh giá, xếp loại chất lượng năm 2025 (tài liệu mật)",
		kind: "HƯỚNG DẪN", subject: "Đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm 2025", number: "07-HD/ĐU",
		sections: []demoSection{
			{"1. MỨC XẾP LOẠI VÀ TIÊU CHÍ", []string{
				"Tập thể và cá nhân được xếp vào một trong bốn mức: hoàn thành xuất sắc nhiệm vụ; hoàn thành tốt nhiệm vụ; hoàn thành nhiệm vụ; không hoàn thành nhiệm vụ.",
				"Số được xếp loại hoàn thành xuất sắc nhiệm vụ không vượt quá 20% số được xếp loại hoàn thành tốt nhiệm vụ (quy định mẫu dùng cho trình diễn).",
			}},
			{"2. QUY TRÌNH BỎ PHIẾU", []string{
				"Ban kiểm phiếu phát phiếu đánh giá cho các đại biểu có quyền biểu quyết; mỗi đại biểu đánh dấu một mức cho từng tập thể, cá nhân được đánh giá.",
				"Trên hệ thống phòng họp không giấy, phiếu được bỏ trên máy tính bảng; kết quả chỉ được công bố sau khi Ban kiểm phiếu kết thúc bỏ phiếu và đồng chí chủ trì cho phép.",
			}},
			{"3. TỔNG HỢP VÀ CÔNG BỐ KẾT QUẢ", []string{
				"Ban kiểm phiếu lập biên bản kiểm phiếu, ghi rõ số phiếu phát ra, số phiếu thu về, số phiếu hợp lệ và kết quả từng mức xếp loại.",
				"Kết quả được ghi vào biên bản hội nghị và báo cáo cấp trên theo quy định. Tài liệu này là tài liệu mật: không sao chụp, không chuyển cho người không có tên trong danh sách.",
			}},
		},
	},
}

// pdf renders the document for org (the issuing body, in capitals), dated
// on day (the demo's day: the bytes depend only on the inputs).
func (d demoDoc) pdf(org, superior string, day time.Time) ([]byte, error) {
	const family, left, right, top = "serif", 30.0, 20.0, 20.0
	p := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	for _, style := range []string{"", "B", "I", "BI"} {
		p.AddUTF8FontFromBytes(family, style, minutes.Font(style))
	}
	p.SetMargins(left, top, right)
	p.SetAutoPageBreak(true, 20)
	p.SetCatalogSort(true)
	p.SetCreationDate(day)
	p.SetModificationDate(day)
	p.SetTitle(d.title, true)
	p.SetCreator("phonghop (dữ liệu mẫu)", true)
	p.SetProducer("phonghop (go-pdf/fpdf)", true)
	p.SetLang("vi-VN")
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(-14)
		p.SetFont(family, "I", 10)
		p.CellFormat(0, 5, fmt.Sprintf("Trang %d/{nb} — tài liệu mẫu, mọi tên và số liệu đều giả định", p.PageNo()), "", 0, "C", false, 0, "")
	})
	const w = 210 - left - right
	for i, s := range d.sections {
		p.AddPage()
		if i == 0 {
			// The Party heading: the body on the left, the motto on the right.
			half := w / 2
			y := p.GetY()
			p.SetFont(family, "", 12)
			p.MultiCell(half, 5.5, superior, "", "C", false)
			p.SetX(left)
			p.SetFont(family, "B", 12)
			p.MultiCell(half, 5.5, org, "", "C", false)
			p.SetX(left)
			p.CellFormat(half, 5.5, "*", "", 1, "C", false, 0, "")
			p.SetX(left)
			p.SetFont(family, "", 12)
			p.CellFormat(half, 5.5, "Số "+d.number, "", 1, "C", false, 0, "")
			p.SetXY(left+half, y)
			p.SetFont(family, "B", 12)
			p.CellFormat(half, 5.5, "ĐẢNG CỘNG SẢN VIỆT NAM", "B", 1, "C", false, 0, "")
			p.SetXY(left+half, p.GetY()+2)
			p.SetFont(family, "I", 12)
			p.CellFormat(half, 5.5, fmt.Sprintf("Hà Nội, ngày %d tháng %d năm %d", day.Day(), day.Month(), day.Year()), "", 1, "C", false, 0, "")
			p.SetY(p.GetY() + 14)
			p.SetFont(family, "B", 16)
			p.CellFormat(w, 8, d.kind, "", 1, "C", false, 0, "")
			p.SetFont(family, "B", 13)
			p.MultiCell(w, 6.5, d.subject, "", "C", false)
			p.Ln(2)
			p.SetFont(family, "", 12)
			p.CellFormat(w, 5, "-----", "", 1, "C", false, 0, "")
			p.Ln(6)
		}
		p.SetFont(family, "B", 14)
		p.MultiCell(w, 7, s.heading, "", "L", false)
		p.Ln(3)
		p.SetFont(family, "", 13)
		for _, para := range s.paras {
			p.SetX(left)
			p.MultiCell(w, 6.5, "      "+para, "", "J", false)
			p.Ln(2.5)
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
