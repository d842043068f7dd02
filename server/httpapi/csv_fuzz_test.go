package httpapi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/phonghop/phonghop/server/meeting"
)

// The participant list a secretariat uploads (POST
// /api/meetings/{id}/participants/import) comes from Excel, LibreOffice,
// Google Sheets or a text editor, in whatever encoding, separator, quoting
// and Unicode form they save. Two fuzz targets check ParseParticipantsCSV:
// FuzzParticipantsCSV on any bytes (a verdict that makes sense, and the
// same names whatever the Unicode form), FuzzParticipantsCSVRoundTrip on
// lists written by encoding/csv in every dialect we accept (exactly the
// names written come back).

// csvLines returns the number of lines of data as the parser numbers them
// (after decoding UTF-16).
func csvLines(data []byte) int {
	if text, err := csvText(data); err == nil {
		data = text
	}
	return bytes.Count(data, []byte("\n")) + 1
}

// checkCSVError fails unless err is an invalid error a user can read, its
// problems on rows of the file.
func checkCSVError(t *testing.T, data []byte, err error) {
	t.Helper()
	var me *meeting.Error
	if !errors.As(err, &me) || me.Kind != meeting.KindInvalid {
		t.Fatalf("ParseParticipantsCSV = %T %v; want an invalid error", err, err)
	}
	if strings.TrimSpace(me.Message) == "" || strings.TrimSpace(me.MessageEN) == "" || !utf8.ValidString(me.Message) || !utf8.ValidString(me.MessageEN) {
		t.Fatalf("ParseParticipantsCSV: messages %q / %q; want both, valid UTF-8", me.Message, me.MessageEN)
	}
	n := csvLines(data)
	for _, p := range me.Problems {
		if p.Row < 1 || p.Row > n || !utf8.ValidString(p.Message+p.MessageEN+p.Field) || p.Message == "" || p.MessageEN == "" {
			t.Fatalf("problem %+v: want a row of the file's %d and messages", p, n)
		}
	}
}

// FuzzParticipantsCSV parses any bytes as a participant list. It must
// refuse with an invalid error whose problems name rows of the file, or
// return rows on lines of the file, in order, each field trimmed, valid
// UTF-8 and in NFC, with a role; the file in NFD (or in NFC) must give
// exactly what the file in NFC gives; and the domain's import of the rows
// must be all or nothing, its problems mapping to rows of the file.
func FuzzParticipantsCSV(f *testing.F) {
	for _, s := range []string{
		"Họ và tên,Chức vụ,Đơn vị,Vai trò\nNguyễn Văn An,Bí thư,Văn phòng,chủ tọa\nTrần Thị Bình,,,đại biểu\n",
		"\xef\xbb\xbfname;position;unit;role\r\nLê Văn Cường;\"Ủy viên; thư ký\";\"Ban \"\"Tổ chức\"\"\";secretary\r\n",
		"ho ten\tchuc vu\nPhạm Thu Dung\tChuyên viên\n",
		norm.NFD.String("Họ và tên,Vai trò\nHoàng Minh Em,khách mời\nVũ Thị Giang,màn hình\n"),
		"Họ và tên,Chức vụ,,\nĐỗ Quang Hải,Kế toán trưởng,,\n",
		"name,name\nA,B\n",
		"name\n\"unterminated\n",
		"name\n\n\n  \nBùi Ngọc Khánh\n",
		"name,role\nĐinh Văn Phúc,speaker\n",
		"name\n" + strings.Repeat("x", 70000) + "\n",
		"\xff\xfen\x00a\x00m\x00e\x00\n\x00A\x00n\x00\n\x00",
		"\xfe\xff\x00n\x00a\x00m\x00e\x00\n\x00B\x00\n",
		"n\x00a\x00m\x00e\x00\n\x00",
		"Ho va ten\nNguy\xeanx V\xe3n An\n", // Windows-1258 bytes
		"name\nMai Th\xcb Quy\xean\n",       // TCVN3 (ABC)
		"", "\n", "\xef\xbb\xbf", ",,,\n,,,", "name\n\x00\n", "name\nA\rB\n", "name,\"role\"\"\nA,B",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, lines, err := ParseParticipantsCSV(data)
		if err != nil {
			checkCSVError(t, data, err)
		} else {
			checkCSVRows(t, data, rows, lines)
		}
		if !utf8.Valid(data) {
			return
		}
		// The same list in another Unicode form is the same list.
		for _, form := range []norm.Form{norm.NFC, norm.NFD} {
			r2, l2, err2 := ParseParticipantsCSV(form.Bytes(data))
			if (err == nil) != (err2 == nil) || !slices.Equal(rows, r2) || !slices.Equal(lines, l2) || (err != nil && err.Error() != err2.Error()) {
				t.Fatalf("the list in %v parses to %v %v %v; as given to %v %v %v", form, r2, l2, err2, rows, lines, err)
			}
		}
	})
}

// checkCSVRows checks the rows returned for data, and their import.
func checkCSVRows(t *testing.T, data []byte, rows []meeting.NewParticipant, lines []int) {
	t.Helper()
	n := csvLines(data)
	if len(rows) == 0 || len(rows) != len(lines) {
		t.Fatalf("%d rows on %d lines", len(rows), len(lines))
	}
	for i, r := range rows {
		if lines[i] < 2 || lines[i] > n || (i > 0 && lines[i] <= lines[i-1]) {
			t.Fatalf("row %d on line %d (lines %v, %d in the file)", i, lines[i], lines, n)
		}
		for _, s := range []string{r.Name, r.Position, r.Unit} {
			if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) || s != strings.TrimSpace(s) {
				t.Fatalf("row %d: field %q is not trimmed, valid NFC text", i, s)
			}
		}
		if !r.Role.Valid() {
			t.Fatalf("row %d: role %q", i, r.Role)
		}
	}
	s := &meeting.State{ID: "m1"}
	a := meeting.Actor{ID: "account:thuky", Role: meeting.RoleSecretary}
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	events, err := meeting.Decide(s, a, &meeting.CreateMeeting{Details: meeting.Details{Title: "Hội nghị"}}, now)
	if err != nil || meeting.Apply(s, events[0]) != nil {
		t.Fatal(err)
	}
	events, err = meeting.Decide(s, a, &meeting.ImportParticipants{Rows: rows}, now)
	switch {
	case err == nil && len(events) != len(rows):
		t.Fatalf("%d rows imported as %d participants", len(rows), len(events))
	case err != nil:
		var me *meeting.Error
		if !errors.As(err, &me) || me.Kind != meeting.KindInvalid && me.Kind != meeting.KindConflict {
			t.Fatalf("import = %v; want invalid or conflict", err)
		}
		for _, p := range me.Problems {
			if p.Row < 1 || p.Row > len(rows) {
				t.Fatalf("import problem %+v: want a row of the %d given", p, len(rows))
			}
		}
	}
}

// csvDialect is how a list is saved.
type csvDialect struct {
	comma   rune // ',', ';' or '\t'
	crlf    bool
	bom     bool // a UTF-8 BOM
	utf16   int  // 0: UTF-8; 1: UTF-16LE, 2: UTF-16BE, with their BOM
	nfd     bool // decomposed Unicode ("Unicode tổ hợp")
	header  int  // Vietnamese, without diacritics, English
	blank   bool // blank lines between rows
	columns int  // 1 (the name only) to 4
}

func dialectOf(b uint16) csvDialect {
	return csvDialect{comma: []rune{',', ';', '\t'}[b%3], crlf: b&4 != 0, bom: b&8 != 0, utf16: int(b>>4) % 3, nfd: b&64 != 0,
		header: int(b>>7) % 3, blank: b&512 != 0, columns: 1 + int(b>>10)%4}
}

var csvHeaders = [][]string{{"Họ và tên", "Chức vụ", "Đơn vị", "Vai trò"}, {"Ho va ten", "Chuc vu", "Don vi", "Vai tro"}, {"Name", "Position", "Unit", "Role"}}

// roleSpellings are the ways a role may be written, with the role.
var roleSpellings = []struct {
	text string
	role meeting.Role
}{{"", meeting.RoleDelegate}, {"đại biểu", meeting.RoleDelegate}, {"Chủ tọa", meeting.RoleChair}, {"chủ toạ", meeting.RoleChair}, {"thu ky", meeting.RoleSecretary},
	{"Khách mời", meeting.RoleObserver}, {" observer ", meeting.RoleObserver}, {"màn hình", meeting.RoleHall}, {"CHAIR", meeting.RoleChair}}

// writeCSV saves rows (name, position, unit, role spelling) in dialect d
// and returns the file and the line each row starts on.
func writeCSV(t *testing.T, d csvDialect, rows [][]string) ([]byte, []int) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = d.comma, d.crlf
	lines := []int{}
	if err := w.Write(csvHeaders[d.header][:d.columns]); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		w.Flush()
		if d.blank {
			buf.WriteString("\n")
		}
		lines = append(lines, bytes.Count(buf.Bytes(), []byte("\n"))+1)
		if err := w.Write(r[:d.columns]); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	text := buf.Bytes()
	if d.nfd {
		text = norm.NFD.Bytes(text)
	}
	switch d.utf16 {
	case 0:
		if d.bom {
			text = append([]byte("\xef\xbb\xbf"), text...)
		}
		return text, lines
	}
	u := utf16.Encode([]rune(string(text)))
	out := []byte{0xff, 0xfe}
	if d.utf16 == 2 {
		out = []byte{0xfe, 0xff}
	}
	for _, c := range u {
		if d.utf16 == 1 {
			out = append(out, byte(c), byte(c>>8))
		} else {
			out = append(out, byte(c>>8), byte(c))
		}
	}
	return out, lines
}

// FuzzParticipantsCSVRoundTrip writes a list of participants — cells cut
// from the fuzzer's text, any characters but NUL and invalid UTF-8 — with
// encoding/csv in a dialect drawn from the fuzzer's number (separator,
// line ends, BOM, UTF-8 or UTF-16, NFC or NFD, header language, blank
// lines, columns), and checks that parsing it gives back exactly those
// participants: each cell trimmed and in NFC, the role of its spelling, on
// the line it was written.
func FuzzParticipantsCSVRoundTrip(f *testing.F) {
	f.Add("Nguyễn Văn An|Bí thư|Văn phòng|2|Trần Thị Bình|Chuyên viên, kế toán|Phòng \"Tổ chức\"|0", uint16(0))
	f.Add("Lê Văn Cường|Ủy viên; thư ký|Ban\nTuyên giáo|5|  Phạm Thu Dung  |||1", uint16(0b1111_0101_1101))
	f.Add("Hoàng Minh Em|\tTrưởng ban|Đơn vị \r\n mới|7", uint16(0b0101_1010_0110))
	f.Add(strings.Repeat("Tôn Nữ ", 40)+"|x|y|3", uint16(77))
	f.Add("a|b|c|4|\u0301e\u0302|\ufeffBOM|\"|8", uint16(0b1100_0011_0001))
	f.Fuzz(func(t *testing.T, text string, dialect uint16) {
		if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
			return // not text: FuzzParticipantsCSV
		}
		d := dialectOf(dialect)
		cells := strings.Split(text, "|")
		var rows [][]string
		var want []meeting.NewParticipant
		for i := 0; i+3 < len(cells); i += 4 {
			spelling := roleSpellings[len(cells[i+3])%len(roleSpellings)]
			row := []string{cells[i], cells[i+1], cells[i+2], spelling.text}
			rows = append(rows, row)
			clean := func(c int) string {
				if c >= d.columns {
					return ""
				}
				return strings.TrimSpace(norm.NFC.String(strings.ReplaceAll(row[c], "\r\n", "\n")))
			}
			role := spelling.role
			if d.columns < 4 {
				role = meeting.RoleDelegate
			}
			want = append(want, meeting.NewParticipant{Name: clean(0), Position: clean(1), Unit: clean(2), Role: role})
		}
		if len(rows) == 0 {
			return
		}
		// A row whose only cell is blank is a blank line, not a row.
		var keep [][]string
		var keepWant []meeting.NewParticipant
		for i, r := range rows {
			if d.columns == 1 && strings.TrimSpace(r[0]) == "" {
				continue
			}
			keep, keepWant = append(keep, r), append(keepWant, want[i])
		}
		rows, want = keep, keepWant
		if len(rows) == 0 {
			return
		}
		data, lines := writeCSV(t, d, rows)
		got, gotLines, err := ParseParticipantsCSV(data)
		if err != nil {
			t.Fatalf("dialect %+v: %v\nfile: %q", d, err, data)
		}
		if !slices.Equal(got, want) || !slices.Equal(gotLines, lines) {
			t.Fatalf("dialect %+v:\ngot  %+v on lines %v\nwant %+v on lines %v\nfile: %q", d, got, gotLines, want, lines, data)
		}
	})
}
