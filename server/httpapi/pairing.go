package httpapi

// The room on the day: how long a pairing code lives, who may still read a
// meeting after its close, and what the hall screen may learn of a
// presentation it cannot show.
//
// A code lives until a time the secretary sets; by default until the end of
// the meeting's day in the meeting's time zone (sheets are printed the day
// before), never longer than Options.PairingCodeMax. It stays single use;
// issuing a participant's code again revokes the unused earlier one.
//
// After the close (bế mạc) a meeting is read-only: codes can still be
// issued and redeemed and paired tablets still read the meeting and its
// documents (commands are refused by the domain), until the meeting is
// archived — the archive of its finalised minutes written (package archiver;
// without an archive store a meeting is never archived). From then on no
// code is issued or redeemed and paired tablets are refused, but for the
// staff's (a chair's tablet still lists its meeting's archives).

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/minutes"
	"github.com/phonghop/phonghop/server/room"
)

// DefaultPairingCodeMax is the longest a pairing code may live when
// Options.PairingCodeMax is zero: a week, enough to print the sheets a few
// days before a congress of several days.
const DefaultPairingCodeMax = 7 * 24 * time.Hour

// meetingZone is the meeting's time zone (its setting time_zone, default
// Asia/Ho_Chi_Minh): a code's default expiry is the end of the meeting's
// day there. A zone this machine cannot load falls back to Vietnam time.
func meetingZone(st *meeting.State) *time.Location {
	if z, err := time.LoadLocation(st.Settings.Zone()); err == nil {
		return z
	}
	return minutes.VN
}

// ParsePairingCodeMax parses the limit of a pairing code's life: a Go
// duration ("72h") or a number of days ("7d"), between one hour and a year.
func ParsePairingCodeMax(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q: want a duration such as 7d or 72h", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: want a duration such as 7d or 72h", s)
		}
	}
	if d < time.Hour || d > 366*24*time.Hour {
		return 0, fmt.Errorf("%q: want between 1h and 366d", s)
	}
	return d, nil
}

// pairingCodeMax is the configured limit of a code's life.
func (s *API) pairingCodeMax() time.Duration {
	if s.cfg.PairingCodeMax > 0 {
		return s.cfg.PairingCodeMax
	}
	return DefaultPairingCodeMax
}

// endOfDay is the first instant of the day after t's day in zone z: a code
// "valid until the end of 15/12" expires at 00:00 on 16/12.
func endOfDay(t time.Time, z *time.Location) time.Time {
	y, m, d := t.In(z).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, z)
}

// pairingExpiry returns when the codes issued at now for meeting st expire.
// requested is the secretary's time ("" for the default); it must be after
// now and at most max after now. The default is the end of the meeting's
// day (the day it starts, or today when it has no start or started on an
// earlier day), cut to max.
func pairingExpiry(st *meeting.State, now time.Time, requested string, max time.Duration) (time.Time, error) {
	limit := now.Add(max)
	if requested = strings.TrimSpace(requested); requested != "" {
		at, err := time.Parse(time.RFC3339, requested)
		if err != nil {
			return time.Time{}, &meeting.Error{Kind: meeting.KindInvalid,
				Message:   "Thời điểm hết hạn của mã ghép nối không hợp lệ.",
				MessageEN: "the pairing codes' expiry is not a valid time",
				Problems:  []meeting.Problem{{Field: "expires_at", Message: "Không phải thời điểm hợp lệ.", MessageEN: "not a valid time (RFC 3339)"}}}
		}
		if !at.After(now) {
			return time.Time{}, &meeting.Error{Kind: meeting.KindInvalid,
				Message:   "Thời điểm hết hạn của mã ghép nối phải sau thời điểm hiện tại.",
				MessageEN: "the pairing codes' expiry must be in the future",
				Problems:  []meeting.Problem{{Field: "expires_at", Message: "Phải sau thời điểm hiện tại.", MessageEN: "must be in the future"}}}
		}
		if at.After(limit) {
			vi, en := maxText(max)
			return time.Time{}, &meeting.Error{Kind: meeting.KindInvalid,
				Message:   "Mã ghép nối chỉ có hiệu lực tối đa " + vi + " kể từ khi cấp.",
				MessageEN: "a pairing code lives at most " + en + " from its issue",
				Problems:  []meeting.Problem{{Field: "expires_at", Message: "Quá thời hạn tối đa " + vi + ".", MessageEN: "beyond the limit of " + en}}}
		}
		return at, nil
	}
	day := now
	if start := st.Details.StartsAt; !start.IsZero() && start.After(now) {
		day = start
	}
	at := endOfDay(day, meetingZone(st))
	if at.After(limit) {
		at = limit
	}
	return at, nil
}

// maxText renders the limit in days (or hours), Vietnamese and English.
func maxText(max time.Duration) (vi, en string) {
	if max%(24*time.Hour) == 0 {
		n := int(max / (24 * time.Hour))
		return fmt.Sprintf("%d ngày", n), fmt.Sprintf("%d day(s)", n)
	}
	h := int(max.Round(time.Hour) / time.Hour)
	return fmt.Sprintf("%d giờ", h), fmt.Sprintf("%d hour(s)", h)
}

// archived reports whether the meeting of room r is archived: closed, and
// an archive of its finalised minutes written. Read-only access ends there.
// The archive index is searched only once the meeting is closed.
func (s *API) archived(r *room.Room) bool {
	if _, status := r.Summary(); status != meeting.StatusClosed || s.archiver == nil {
		return false
	}
	return len(s.archiver.Search("", time.Time{}, time.Time{}, []string{r.ID()})) > 0
}

var (
	// errArchivedCodes refuses pairing codes for an archived meeting.
	errArchivedCodes = &meeting.Error{Kind: meeting.KindConflict,
		Message:   "Cuộc họp đã được lưu trữ (biên bản đã hoàn thành); không cấp hoặc dùng mã ghép nối nữa.",
		MessageEN: "the meeting is archived (its minutes are final): pairing codes are no longer issued or redeemed"}
	// errArchivedDevice refuses a paired tablet once its meeting is archived.
	errArchivedDevice = &meeting.Error{Kind: meeting.KindForbidden,
		Message:   "Cuộc họp đã được lưu trữ; máy tính bảng không còn xem được cuộc họp này. Đồng chí cần tài liệu xin liên hệ thư ký.",
		MessageEN: "the meeting is archived: tablets can no longer read it; ask the secretariat for the documents"}
)

// deviceAllowed refuses a paired tablet of role once its meeting is
// archived, unless it is the staff's (secretary accounts are never refused).
func (s *API) deviceAllowed(p *principal, role meeting.Role, r *room.Room) error {
	if p.account() || role.Staff() || !s.archived(r) {
		return nil
	}
	return errArchivedDevice
}

// presentationStatus is what GET /api/meetings/{id}/presentation answers.
type presentationStatus struct {
	// Presenting: a document is being presented to some screens.
	Presenting bool `json:"presenting"`
	// Readable: the caller may read the presented document (it then has it
	// in its own view of the meeting).
	Readable bool `json:"readable"`
}

// handlePresentation tells the caller whether a document is being presented
// and whether it may read it, without naming the document. The hall screen
// asks when it receives an event hidden from it, so that it shows "a
// document for the delegates is being presented" instead of nothing; the
// domain's view leaves the presentation out for whoever may not read it.
func (s *API) handlePresentation(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	st := r.State()
	out := presentationStatus{}
	if p := st.Presentation; p != nil && p.DocumentID != "" && st.Status != meeting.StatusClosed {
		out.Presenting = true
		if d, ok := st.Document(p.DocumentID); ok {
			out.Readable = d.CanRead(a.Viewer())
		}
	}
	return c.JSON(http.StatusOK, out)
}
