package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

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

// ParseParticipantsCSV reads a participant list: UTF-8 (a BOM is allowed),
// comma or semicolon separated, a header row naming the columns (name is
// required; position, unit, role optional). Every problem is reported with
// its row number (the header is row 1); any problem means no rows. lines
// gives the file row of each returned participant.
func ParseParticipantsCSV(data []byte) (rows []meeting.NewParticipant, lines []int, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, nil, invalid("Tệp CSV phải được lưu theo mã UTF-8.", "the CSV file must be UTF-8")
	}
	r := csv.NewReader(bytes.NewReader(data))
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';' // Excel in a Vietnamese locale saves with semicolons
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, csvError(err, "Tệp CSV trống hoặc không có dòng tiêu đề.", "the CSV file is empty or has no header row")
	}
	cols := map[string]int{}
	for i, h := range header {
		f, ok := csvColumns[strings.ToLower(strings.TrimSpace(h))]
		if !ok {
			return nil, nil, &meeting.Error{Kind: meeting.KindInvalid, Message: fmt.Sprintf("Cột %q không được hỗ trợ (dùng: họ và tên, chức vụ, đơn vị, vai trò).", h),
				MessageEN: fmt.Sprintf("unknown column %q (use: name, position, unit, role)", h), Problems: []meeting.Problem{{Row: 1, Field: h, Message: "Cột không hợp lệ.", MessageEN: "unknown column"}}}
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
