package minutes

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden file at line %d:\n got: %s\nwant: %s\n(run go test -update if the change is intended)", name, i+1, g, w)
			}
		}
	}
}

func build(t *testing.T) (*fixture, *Minutes) {
	t.Helper()
	f := annualReview(t)
	m, err := Build(f.log)
	if err != nil {
		t.Fatal(err)
	}
	return f, m
}

func TestGolden(t *testing.T) {
	_, m := build(t)
	j, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "annual_review.json.golden", j)
	for _, lang := range []string{"vi", "en"} {
		h, err := m.HTML(lang)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "annual_review."+lang+".html.golden", h)
	}
}

// pdfText extracts the text of a PDF with pdftotext -layout, whitespace
// collapsed. Without pdftotext the test is skipped, or fails under CI=true.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdftotext (poppler-utils) is required under CI=true: %v", err)
		}
		t.Skipf("pdftotext not installed (poppler-utils): %v", err)
	}
	path := filepath.Join(t.TempDir(), "minutes.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// checkFonts checks that every font of the PDF is embedded, with a
// ToUnicode map: by parsing, and with pdffonts when installed.
func checkFonts(t *testing.T, pdf []byte) {
	t.Helper()
	fonts := bytes.Count(pdf, []byte("/Type /Font\n/Subtype /Type0"))
	files := bytes.Count(pdf, []byte("/FontFile2 "))
	maps := bytes.Count(pdf, []byte("/ToUnicode "))
	if fonts == 0 || files != fonts || maps != fonts || bytes.Contains(pdf, []byte("/Subtype /Type1")) {
		t.Errorf("PDF has %d Type0 fonts, %d embedded font files and %d ToUnicode maps (and Type1: %v); want every font embedded with a ToUnicode map",
			fonts, files, maps, bytes.Contains(pdf, []byte("/Subtype /Type1")))
	}
	bin, err := exec.LookPath("pdffonts")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdffonts (poppler-utils) is required under CI=true: %v", err)
		}
		return
	}
	path := filepath.Join(t.TempDir(), "fonts.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")[2:]
	if len(lines) != fonts {
		t.Errorf("pdffonts lists %d fonts; want %d:\n%s", len(lines), fonts, out)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		// name type… encoding emb sub uni object ID
		if len(f) < 7 || f[len(f)-5] != "yes" || f[len(f)-3] != "yes" {
			t.Errorf("pdffonts: font not embedded or without a Unicode map: %s", l)
		}
	}
}

func TestPDF(t *testing.T) {
	_, m := build(t)
	vi, err := m.PDF("vi")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(vi, []byte("%PDF-")) || !bytes.Contains(vi, []byte("/MediaBox [0 0 595.28 841.89]")) {
		t.Errorf("not an A4 PDF: %.40q…", vi)
	}
	checkFonts(t, vi)
	text := pdfText(t, vi)
	for _, want := range []string{
		"ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ SỞ TÀI CHÍNH", "Số 01-BB/CB", "Hà Nội, ngày 15 tháng 12 năm 2025", "BIÊN BẢN",
		"Hội nghị kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng",
		"I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", "bắt đầu lúc 08 giờ 00 phút, ngày 15 tháng 12 năm 2025",
		"Dương Văn Phúc", "Vắng mặt có lý do: Đi công tác", "Không điểm danh", "Ngô Thị Nga", "08:16",
		"Tổng số đảng viên của chi bộ: 15 (đảng viên chính thức: 14; đảng viên dự bị: 1).",
		"Đảng viên chính thức có mặt: 11 (tại hội trường: 9; tại điểm cầu Chi nhánh Hải Phòng: 2); vắng mặt: 3 (có lý do: 1; không có lý do: 2).",
		"Đảng viên dự bị có mặt: 1; vắng mặt: 0.",
		"Ban Kiểm phiếu: Bùi Thị Lan (Trưởng ban), Hoàng Minh Đức (Ủy viên), Vũ Thị Hà (Ủy viên) (được biểu quyết thông qua lúc 08:09).",
		"Khi khai mạc có mặt 10/14: đủ số lượng theo quy định.",
		"SHA-256: b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1b7c1",
		"Biểu quyết công khai: Thông qua chương trình hội nghị", "Không tán thành (1): Đặng Quốc Hùng.",
		"Biểu quyết kín: Thông qua Nghị quyết hội nghị kiểm điểm năm 2025", "Nghị quyết", "69,23%", "53,85%", "Kết quả: THÔNG QUA.",
		"Bầu cử: Bầu Chi ủy nhiệm kỳ 2025-2027 (04 Chi ủy viên)", "danh sách có số dư (gạch tên)",
		"Trúng cử (theo thứ tự số phiếu từ cao xuống thấp): Lê Văn Cường (8 phiếu, 61,54%); Phạm Thị Dung (8 phiếu, 61,54%); Đặng Quốc Hùng (7 phiếu, 53,85%); Ngô Thị Nga (7 phiếu, 53,85%).",
		"số phiếu không hợp lệ: 2 (phiếu trắng hoặc phiếu hỏng: 1; bầu quá số lượng đã quyết định: 1).",
		"Bầu cử: Bầu Bí thư Chi bộ nhiệm kỳ 2025-2027", "phiếu một người", "không đánh dấu ô nào: 1",
		"Cơ sở tính tỷ lệ: số được triệu tập (14) trừ số vắng mặt có lý do được chấp thuận (1), tức 13. Tỷ lệ cần đạt: trên 1/2, tức ít nhất 7 phiếu.",
		"Đánh giá, xếp loại: Đánh giá, xếp loại chất lượng đảng viên năm 2025", "hoàn thành xuất sắc nhiệm vụ",
		"Lấy phiếu tín nhiệm", "Tín nhiệm cao 6 75,00%",
		"Tranh luận với", "24 phút 30 giây",
		"Đề nghị các đồng chí để điện thoại ở chế độ im lặng.",
		"Chi ủy có trách nhiệm hoàn thiện hồ sơ", "Cuộc họp kết thúc lúc 09 giờ 47 phút, ngày 15 tháng 12 năm 2025.",
		"NGƯỜI GHI BIÊN BẢN", "T/M CHI BỘ BÍ THƯ", "Trần Thị Bình, Phó Bí thư Chi bộ", "Nguyễn Văn An, Bí thư Chi bộ",
		"ĐÍNH CHÍNH", "Đính chính (bản 2, đính chính bản 1)", "Ghi thiếu nội dung ý kiến.",
		"quy định về lấy phiếu tín nhiệm không đặt tỷ lệ “đạt”",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF text lacks %q", want)
		}
	}
	for _, never := range []string{secretVoter, privateNotice, "Nháp chưa phát hành", "Màn hình hội trường", "DỰ THẢO", "Bản 2", "Trang ", "CHỦ TRÌ", "Lưu ý"} {
		if strings.Contains(text, never) {
			t.Errorf("the PDF text contains %q", never)
		}
	}

	en, err := m.PDF("en")
	if err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, en)
	for _, want := range []string{"COMMUNIST PARTY OF VIET NAM", "MINUTES", "No. 01-BB/CB", "Open vote: Thông qua chương trình hội nghị",
		"Result: PASSED.", "69.23%", "RECORDED BY", "ON BEHALF OF CHI BỘ"} {
		if !strings.Contains(text, want) {
			t.Errorf("the English PDF text lacks %q", want)
		}
	}
}

// TestSecrecy: the names of voters are printed for open votes only. Kiều
// Văn Xuân voted in every secret poll (the log records it, for the
// secretariat) and in no open one: his name must appear nowhere in the
// minutes, in any format or language; nor must a private notice or a
// document never published.
func TestSecrecy(t *testing.T) {
	f, m := build(t)
	// The log does hold what must not be printed.
	xuan := f.pid(secretVoter)
	secret := 0
	for _, p := range f.s.Polls {
		if p.Kind.Secret() && p.HasVoted(xuan) {
			secret++
		}
		if !p.Kind.Secret() && p.HasVoted(xuan) {
			t.Fatalf("fixture: %s voted in open poll %s", secretVoter, p.ID)
		}
	}
	if secret != 4 {
		t.Fatalf("fixture: %s voted in %d secret polls; want 4", secretVoter, secret)
	}
	logJSON, _ := json.Marshal(f.log)
	for _, s := range []string{privateNotice, "Nháp chưa phát hành"} {
		if !bytes.Contains(logJSON, []byte(s)) {
			t.Fatalf("fixture: the log lacks %q", s)
		}
	}

	outputs := map[string][]byte{}
	outputs["json"], _ = m.JSON()
	outputs["html vi"], _ = m.HTML("vi")
	outputs["html en"], _ = m.HTML("en")
	for _, lang := range []string{"vi", "en"} {
		pdf, err := m.PDF(lang)
		if err != nil {
			t.Fatal(err)
		}
		outputs["pdf "+lang] = []byte(pdfText(t, pdf))
	}
	for name, out := range outputs {
		for _, never := range []string{secretVoter, xuan, privateNotice, "Nháp chưa phát hành"} {
			if bytes.Contains(out, []byte(never)) {
				t.Errorf("%s contains %q", name, never)
			}
		}
	}
	// Open votes do list their voters; secret ones have no voter list.
	for _, p := range allPolls(m.Record()) {
		if (p.Voters != nil) != (p.Kind == meeting.PollOpen) {
			t.Errorf("poll %s (%s): voters listed = %v; want listed for open votes only", fmtPoll(p), p.Kind, p.Voters != nil)
		}
		if p.Kind == meeting.PollOpen && p.Body == "" && (len(p.Voters.Agree) != 7 || p.Voters.Disagree[0] != "Đặng Quốc Hùng") {
			t.Errorf("open poll voters = %+v; want 7 in favour, Đặng Quốc Hùng against", p.Voters)
		}
		if p.Kind == meeting.PollOpen && p.Body != "" && (len(p.Voters.Agree) != 8 || p.Voters.Abstain[0] != "Bùi Thị Lan") {
			t.Errorf("body vote voters = %+v; want 8 in favour, Bùi Thị Lan abstaining", p.Voters)
		}
	}
	var generic map[string]any
	if err := json.Unmarshal(outputs["json"], &generic); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(outputs["json"]), `"voters"`); n != 2 {
		t.Errorf("JSON has %d voter lists; want 2 (the open votes)", n)
	}
}

// TestDeterministic: equal logs give equal bytes, whatever the machine's
// time zone.
func TestDeterministic(t *testing.T) {
	_, a := build(t)
	local := time.Local
	time.Local = time.FixedZone("EST", -5*3600)
	defer func() { time.Local = local }()
	_, b := build(t)
	for _, lang := range []string{"vi", "en"} {
		for name, render := range map[string]func(*Minutes) ([]byte, error){
			"JSON": func(m *Minutes) ([]byte, error) { return m.JSON() },
			"HTML": func(m *Minutes) ([]byte, error) { return m.HTML(lang) },
			"PDF":  func(m *Minutes) ([]byte, error) { return m.PDF(lang) },
		} {
			x, err := render(a)
			if err != nil {
				t.Fatal(err)
			}
			y, err := render(b)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(x, y) {
				t.Errorf("%s (%s) differs between two builds of the same log", name, lang)
			}
		}
	}
}

// TestRevisions builds the minutes at each revision of the log: a draft
// before finalisation, revision 1 at it, revision 2 after the correction.
func TestRevisions(t *testing.T) {
	f, full := build(t)
	at := func(typ string) int {
		for i, e := range f.log {
			if e.Type == typ {
				return i
			}
		}
		t.Fatalf("no %s in the log", typ)
		return 0
	}
	fin := at(meeting.EventMinutesFinalized)
	draft, err := Build(f.log[:fin])
	if err != nil {
		t.Fatal(err)
	}
	first, err := Build(f.log[:fin+1])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m     *Minutes
		rev   int
		final bool
		html  []string
		not   []string
	}{
		{draft, 0, false, []string{"DỰ THẢO", "Bản dự thảo, chưa hoàn thành"}, []string{"Số 01-BB/CB", "ĐÍNH CHÍNH"}},
		{first, 1, true, []string{"Số 01-BB/CB", "Chi ủy có trách nhiệm hoàn thiện hồ sơ"}, []string{"DỰ THẢO", "ĐÍNH CHÍNH"}},
		{full, 2, true, []string{"Số 01-BB/CB", "ĐÍNH CHÍNH", "Đính chính (bản 2, đính chính bản 1), 08 giờ 30 phút, ngày 16 tháng 12 năm 2025"}, []string{"DỰ THẢO"}},
	} {
		if c.m.Revision() != c.rev || c.m.Final() != c.final {
			t.Errorf("revision %d: Revision() = %d, Final() = %v; want %d, %v", c.rev, c.m.Revision(), c.m.Final(), c.rev, c.final)
		}
		h, err := c.m.HTML("vi")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range c.html {
			if !bytes.Contains(h, []byte(s)) {
				t.Errorf("revision %d: HTML lacks %q", c.rev, s)
			}
		}
		for _, s := range c.not {
			if bytes.Contains(h, []byte(s)) {
				t.Errorf("revision %d: HTML contains %q", c.rev, s)
			}
		}
	}
	// The draft already holds the conclusions (the secretariat's view).
	if r := draft.Record(); r.Conclusion == "" || r.Items[2].Conclusion == "" {
		t.Errorf("draft conclusions missing: %q, %q", r.Conclusion, r.Items[2].Conclusion)
	}
}

// TestStateLayout: the state bodies' layout has the national motto and
// signatures of the secretary and the chair.
func TestStateLayout(t *testing.T) {
	f := annualReview(t)
	fin := -1
	for i, e := range f.log {
		if e.Type == meeting.EventMinutesFinalized {
			fin = i
		}
	}
	s, err := meeting.Replay(f.log[:fin])
	if err != nil {
		t.Fatal(err)
	}
	events, err := meeting.Decide(s, asSecretary, &meeting.FinalizeMinutes{Number: "12/BB-UBND", Layout: meeting.LayoutState}, f.log[fin].At)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(append(f.log[:fin:fin], events...))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := m.HTML("vi")
	pdf, err := m.PDF("vi")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 12/BB-UBND", "THƯ KÝ", "CHỦ TỌA",
		"Chủ tọa: Nguyễn Văn An", "Hà Nội, ngày 15 tháng 12 năm 2025"} {
		if !bytes.Contains(h, []byte(want)) {
			t.Errorf("state layout HTML lacks %q", want)
		}
		if !strings.Contains(text, want) {
			t.Errorf("state layout PDF lacks %q", want)
		}
	}
	for _, never := range []string{"ĐẢNG CỘNG SẢN VIỆT NAM", "T/M ", "NGƯỜI GHI BIÊN BẢN", "Chủ trì:"} {
		if bytes.Contains(h, []byte(never)) || strings.Contains(text, never) {
			t.Errorf("state layout contains %q", never)
		}
	}
}

func TestBuildRefusesBadLogs(t *testing.T) {
	f := annualReview(t)
	if _, err := Build(nil); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("Build(nil) = %v; want invalid", err)
	}
	altered := append([]meeting.Event(nil), f.log...)
	altered[40].Data = []byte(strings.Replace(string(altered[40].Data), "a", "b", 1))
	if _, err := Build(altered); err == nil {
		t.Errorf("Build(altered log) = nil error; want the chain to fail")
	}
	hidden := append([]meeting.Event(nil), f.log...)
	hidden[40] = hidden[40].Hidden()
	hidden[40].Hash = meeting.ComputeHash(hidden[40])
	if _, err := Build(hidden[:41]); err == nil {
		t.Errorf("Build(log with a hidden event) = nil error; want refused")
	}
	if _, err := Build(f.log[5:]); err == nil {
		t.Errorf("Build(log without its start) = nil error; want refused")
	}
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		w    *words
		n    int
		want string
	}{{vi, 0, "0"}, {vi, 999, "999"}, {vi, 1600, "1.600"}, {en, 1600, "1,600"}, {vi, 1234567, "1.234.567"}, {en, -1000, "-1,000"}} {
		if got := c.w.n(c.n); got != c.want {
			t.Errorf("%s n(%d) = %q; want %q", c.w.lang, c.n, got, c.want)
		}
	}
	if got := vi.pct(meeting.PercentOf(2, 3)); got != "66,67%" {
		t.Errorf("vi pct(2/3) = %q; want 66,67%%", got)
	}
	if got := en.pct(meeting.PercentOf(1, 8)); got != "12.50%" {
		t.Errorf("en pct(1/8) = %q; want 12.50%%", got)
	}
	at := time.Date(2025, 12, 31, 17, 5, 0, 0, time.UTC).In(VN) // 00:05 on 1 January 2026 in Hà Nội
	if got := vi.long(at); got != "00 giờ 05 phút, ngày 01 tháng 01 năm 2026" {
		t.Errorf("vi long = %q", got)
	}
	if got := en.long(at); got != "00:05 on 1 January 2026" {
		t.Errorf("en long = %q", got)
	}
	// NĐ 30 and HD 36: a day below 10 and the months January and February
	// take a leading zero ("ngày 03 tháng 4 năm 2018").
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 3, 5, 9, 0, 0, 0, VN), "ngày 05 tháng 3 năm 2026"},
		{time.Date(2026, 1, 15, 9, 0, 0, 0, VN), "ngày 15 tháng 01 năm 2026"},
		{time.Date(2026, 2, 9, 9, 0, 0, 0, VN), "ngày 09 tháng 02 năm 2026"},
		{time.Date(2025, 12, 15, 9, 0, 0, 0, VN), "ngày 15 tháng 12 năm 2025"},
	} {
		if got := vi.date(c.t); got != c.want {
			t.Errorf("vi date(%v) = %q; want %q", c.t, got, c.want)
		}
	}
	if got := vi.placeDate("Hà Nội", time.Date(2026, 3, 5, 9, 0, 0, 0, VN)); got != "Hà Nội, ngày 05 tháng 3 năm 2026" {
		t.Errorf("vi placeDate = %q", got)
	}
	if got := vi.duration(125); got != "2 phút 5 giây" {
		t.Errorf("vi duration(125) = %q", got)
	}
}

// TestConcurrentRendering: the minutes render from several goroutines at
// once (the server may archive and preview together) with equal results.
func TestConcurrentRendering(t *testing.T) {
	_, m := build(t)
	want, err := m.PDF("vi")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := m.PDF("vi")
			if err == nil && !bytes.Equal(got, want) {
				err = errors.New("a concurrent PDF differs")
			}
			if err == nil {
				_, err = m.HTML("en")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
