package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"

	"github.com/phonghop/phonghop/server/meeting"
)

// maxCSV is the largest participant list accepted (about 30,000 rows).
const maxCSV = 5 << 20

// csvColumns maps accepted header names (Vietnamese with and without
// diacritics, and English) to fields.
var csvColumns = map[string]string{
	"name": "name", "họ và tên": "name", "họ tên": "name", "ho va ten": "name", "ho ten": "name",
	"position": "position", "chức vụ": "position", "chuc vu": "position",
	"unit": "unit", "đơn vị": "unit", "don vi": "unit",
	"role": "role", "vai trò": "role", "vai tro": "role",
}

// csvRoles maps role names in a CSV file to roles.
var csvRoles = map[string]meeting.Role{
	"": meeting.RoleDelegate, "delegate": meeting.RoleDelegate, "đại biểu": meeting.RoleDelegate, "dai bieu": meeting.RoleDelegate,
	"secretary": meeting.RoleSecretary, "thư ký": meeting.RoleSecretary, "thu ky": meeting.RoleSecretary,
	"chair": meeting.RoleChair, "chủ tọa": meeting.RoleChair, "chủ toạ": meeting.RoleChair, "chủ trì": meeting.RoleChair, "chu toa": meeting.RoleChair, "chu tri": meeting.RoleChair,
	"observer": meeting.RoleObserver, "khách mời": meeting.RoleObserver, "khach moi": meeting.RoleObserver,
	"hall": meeting.RoleHall, "màn hình": meeting.RoleHall, "man hinh": meeting.RoleHall,
	"technician": meeting.RoleTechnician, "kỹ thuật viên": meeting.RoleTechnician, "ky thuat vien": meeting.RoleTechnician,
}

// ParseParticipantsCSV reads a participant list: a header row naming the
// columns (name is required; position, unit, role optional; a column with
// an empty header is ignored if every row leaves it empty), then a row per
// participant, separated by commas, semicolons or tabs (whichever the
// header row uses most). The file is UTF-8, with or without a BOM, or
// UTF-16 with its BOM (Excel's "Unicode Text"); another encoding (TCVN3,
// VNI, Windows-1258) is refused with a clear message, never read as
// garbled names. Text is normalised to NFC: a list typed in decomposed
// Unicode (NFD, Unikey's "Unicode tổ hợp") gives exactly the names, column
// names and roles the same list in precomposed Unicode gives, so a name
// matches itself whatever keyboard typed it and prints as one glyph per
// letter. Every problem is reported with its row number (the header is
// row 1); any problem means no rows. lines gives the file row of each
// returned participant.
func ParseParticipantsCSV(data []byte) (rows []meeting.NewParticipant, lines []int, err error) {
	data, err = csvText(data)
	if err != nil {
		return nil, nil, err
	}
	r := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	for _, sep := range []rune{';', '\t'} {
		// Excel in a Vietnamese locale saves with semicolons; its
		// "Unicode Text" with tabs.
		if bytes.Count(first, []byte(string(sep))) > bytes.Count(first, []byte(string(r.Comma))) {
			r.Comma = sep
		}
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, csvError(err, "Tệp CSV trống hoặc không có dòng tiêu đề.", "the CSV file is empty or has no header row")
	}
	headerLine, _ := r.FieldPos(0)
	cols := map[string]int{}
	var unnamed []int // columns with an empty header
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			unnamed = append(unnamed, i)
			continue
		}
		f, ok := csvColumns[strings.ToLower(strings.TrimSpace(h))]
		if !ok {
			return nil, nil, &meeting.Error{Kind: meeting.KindInvalid, Message: fmt.Sprintf("Cột %q không được hỗ trợ (dùng: họ và tên, chức vụ, đơn vị, vai trò).", h),
				MessageEN: fmt.Sprintf("unknown column %q (use: name, position, unit, role)", h), Problems: []meeting.Problem{{Row: headerLine, Field: h, Message: "Cột không hợp lệ.", MessageEN: "unknown column"}}}
		}
		if _, twice := cols[f]; twice {
			return nil, nil, &meeting.Error{Kind: meeting.KindInvalid, Message: fmt.Sprintf("Cột %q bị trùng với một cột khác cùng nội dung.", h),
				MessageEN: fmt.Sprintf("column %q repeats another column of the same field", h), Problems: []meeting.Problem{{Row: headerLine, Field: h, Message: "Cột bị trùng.", MessageEN: "duplicate column"}}}
		}
		cols[f] = i
	}
	if _, ok := cols["name"]; !ok {
		return nil, nil, invalid("Thiếu cột “họ và tên”.", "the name column is missing")
	}
	var problems []meeting.Problem
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				problems = append(problems, meeting.Problem{Row: pe.Line, Message: "Dòng không đúng định dạng CSV.", MessageEN: "malformed CSV: " + pe.Err.Error()})
				break // the reader cannot resynchronise after a quoting error
			}
			return nil, nil, err
		}
		line, _ := r.FieldPos(0) // the file's own line: the reader skips empty lines
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		get := func(f string) string {
			if i, ok := cols[f]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if i := slices.IndexFunc(unnamed, func(i int) bool { return i < len(rec) && strings.TrimSpace(rec[i]) != "" }); i >= 0 {
			problems = append(problems, meeting.Problem{Row: line, Message: fmt.Sprintf("Cột %d có dữ liệu nhưng không có tên cột.", unnamed[i]+1),
				MessageEN: fmt.Sprintf("column %d holds data but has no header", unnamed[i]+1)})
			continue
		}
		role, ok := csvRoles[strings.ToLower(get("role"))]
		if !ok {
			problems = append(problems, meeting.Problem{Row: line, Field: "role", Message: fmt.Sprintf("Vai trò %q không hợp lệ.", get("role")), MessageEN: fmt.Sprintf("invalid role %q", get("role"))})
			continue
		}
		rows = append(rows, meeting.NewParticipant{Name: get("name"), Position: get("position"), Unit: get("unit"), Role: role})
		lines = append(lines, line)
	}
	if len(problems) > 0 {
		return nil, nil, &meeting.Error{Kind: meeting.KindInvalid, Message: fmt.Sprintf("Có %d lỗi trong tệp; chưa thêm ai.", len(problems)),
			MessageEN: fmt.Sprintf("%d problems in the file; nobody was added", len(problems)), Problems: problems}
	}
	if len(rows) == 0 {
		return nil, nil, invalid("Tệp CSV không có dòng dữ liệu nào.", "the CSV file has no data rows")
	}
	return rows, lines, nil
}

// csvText returns the text of a CSV file as UTF-8 in NFC, without a BOM:
// UTF-16 (little or big endian, told by its BOM) is decoded. It refuses a
// file that is not text in one of these encodings: invalid UTF-8 (most
// often a legacy Vietnamese encoding), a NUL byte (UTF-16 without its BOM,
// or not text at all), UTF-16 cut in the middle of a character.
func csvText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		big := data[0] == 0xfe
		data = data[2:]
		if len(data)%2 != 0 {
			return nil, invalid("Tệp CSV dạng UTF-16 bị cắt dở (số byte lẻ).", "the UTF-16 CSV file is cut short (an odd number of bytes)")
		}
		units := make([]uint16, len(data)/2)
		for i := range units {
			if big {
				units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		var b strings.Builder
		for i := 0; i < len(units); i++ {
			c := rune(units[i])
			if utf16.IsSurrogate(c) {
				if i+1 >= len(units) {
					c = utf8.RuneError
				} else {
					c = utf16.DecodeRune(c, rune(units[i+1]))
					i++
				}
				if c == utf8.RuneError {
					return nil, invalid("Tệp CSV dạng UTF-16 có ký tự hỏng.", "the UTF-16 CSV file holds a broken character")
				}
			}
			b.WriteRune(c)
		}
		data = []byte(b.String())
	default:
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			return nil, invalid("Tệp CSV phải được lưu theo mã UTF-8 (trong Excel: “CSV UTF-8”); tệp này dùng bảng mã khác (có thể là TCVN3, VNI hoặc Windows-1258).",
				"the CSV file must be saved as UTF-8 (in Excel: \"CSV UTF-8\"); this one uses another encoding (perhaps TCVN3, VNI or Windows-1258)")
		}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, invalid("Tệp không phải văn bản CSV (có ký tự NUL); nếu là UTF-16, hãy lưu lại theo mã UTF-8.",
			"the file is not CSV text (it holds NUL characters); if it is UTF-16, save it as UTF-8")
	}
	return norm.NFC.Bytes(data), nil
}

func csvError(err error, vi, en string) error {
	return &meeting.Error{Kind: meeting.KindInvalid, Message: vi, MessageEN: en, Err: err}
}

// handleImportCSV imports a participant list from a CSV body, all or
// nothing, with every problem reported by row.
func (s *API) handleImportCSV(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(c.Request().Body, maxCSV+1))
	if err != nil {
		return invalid("Không đọc được tệp gửi lên.", "cannot read the upload")
	}
	if len(data) > maxCSV {
		return invalid("Tệp CSV quá lớn (tối đa 5 MB).", "the CSV file is too large (5 MB at most)")
	}
	rows, lines, err := ParseParticipantsCSV(data)
	if err != nil {
		return err
	}
	events, err := r.Submit(c.Request().Context(), a, &meeting.ImportParticipants{Rows: rows})
	if err != nil {
		var me *meeting.Error
		if errors.As(err, &me) {
			for i, p := range me.Problems { // the domain counts data rows; report file rows
				if p.Row >= 1 && p.Row <= len(lines) {
					me.Problems[i].Row = lines[p.Row-1]
				}
			}
		}
		return err
	}
	added := make([]meeting.Participant, 0, len(events))
	for _, e := range events {
		var p meeting.Participant
		if err := json.Unmarshal(e.Data, &p); err == nil {
			added = append(added, p)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"added": added, "seq": events[len(events)-1].Seq})
}
