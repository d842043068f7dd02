package httpapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/meeting"
)

var errNoArchive = &meeting.Error{Kind: meeting.KindNotFound, Message: "Máy chủ chưa cấu hình lưu trữ biên bản.", MessageEN: "archiving is not configured on this server"}

// handleArchivePublicKey returns the archive signing key (public: anyone
// may verify an archive).
func (s *API) handleArchivePublicKey(c echo.Context) error {
	k := s.cfg.ArchiveKey
	if k == nil {
		return errNoArchive
	}
	return c.JSON(http.StatusOK, map[string]any{
		"algorithm":         "Ed25519",
		"fingerprint":       k.Fingerprint(),
		"fingerprint_short": archive.Short(k.Fingerprint()),
		"public_key_pem":    string(k.PublicPEM()),
		"public_key_base64": base64.StdEncoding.EncodeToString(k.Public()),
	})
}

// archiveScope returns the meetings whose archives the caller may see: nil
// for a secretary account (all), else the device's own meeting if its
// participant is chair or secretary; Forbidden otherwise.
func (s *API) archiveScope(c echo.Context) ([]string, error) {
	p, err := s.authenticate(c)
	if err != nil {
		return nil, err
	}
	if p.account() {
		return nil, nil
	}
	r, err := s.rooms.Get(c.Request().Context(), p.session.Meeting)
	if err != nil {
		return nil, err
	}
	a, err := s.actor(c.Request().Context(), p, r)
	if err != nil {
		return nil, err
	}
	if !a.Role.Staff() {
		return nil, errForbidden
	}
	return []string{r.ID()}, nil
}

// parseDay reads a query date: YYYY-MM-DD (a day in Việt Nam time, UTC+7)
// or RFC 3339. end moves a bare day to the start of the next day, so that
// to=2026-03-16 includes that whole day.
func parseDay(name, v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, vietnam)
	if err != nil {
		return time.Time{}, invalid(fmt.Sprintf("Tham số %s %q không phải ngày (YYYY-MM-DD).", name, v), fmt.Sprintf("parameter %s %q is not a date (YYYY-MM-DD)", name, v))
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// vietnam is the time zone of dates given without one.
var vietnam = time.FixedZone("ICT", 7*3600)

type archiveView struct {
	archive.Entry
	ZipURL string `json:"zip_url"`
}

// handleListArchives lists and searches archived minutes (staff only).
func (s *API) handleListArchives(c echo.Context) error {
	scope, err := s.archiveScope(c)
	if err != nil {
		return err
	}
	if s.archiver == nil {
		return errNoArchive
	}
	q := c.QueryParam("q")
	if utf8.RuneCountInString(q) > 200 || !utf8.ValidString(q) {
		return invalid("Từ khóa tìm kiếm quá dài (tối đa 200 ký tự).", "search text too long (at most 200 characters)")
	}
	from, err := parseDay("from", c.QueryParam("from"), false)
	if err != nil {
		return err
	}
	to, err := parseDay("to", c.QueryParam("to"), true)
	if err != nil {
		return err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return invalid("Ngày kết thúc trước ngày bắt đầu.", "to is before from")
	}
	out := []archiveView{}
	for _, e := range s.archiver.Search(q, from, to, scope) {
		out = append(out, archiveView{Entry: e, ZipURL: fmt.Sprintf("/api/archives/%s/%d/zip", e.Meeting.ID, e.Revision)})
	}
	return c.JSON(http.StatusOK, map[string]any{"archives": out, "key_fingerprint": s.archiver.Key().Fingerprint()})
}

// handleArchiveZip streams a stored archive as a zip file (staff only).
func (s *API) handleArchiveZip(c echo.Context) error {
	scope, err := s.archiveScope(c)
	if err != nil {
		return err
	}
	if s.archiver == nil {
		return errNoArchive
	}
	id := c.Param("meeting")
	rev, err := strconv.Atoi(c.Param("revision"))
	if err != nil || rev < 1 || rev > 1000 {
		return invalid("Số phiên bản biên bản không hợp lệ.", "invalid minutes revision")
	}
	if docstorage.ValidKey(id) != nil {
		return invalid("Mã cuộc họp không hợp lệ.", "invalid meeting id")
	}
	if scope != nil && scope[0] != id {
		return errForbidden
	}
	ctx := c.Request().Context()
	e, err := s.archiver.Store().Entry(ctx, id, rev)
	if docstorage.KindOf(err) == docstorage.NotFound {
		return meeting.Errorf(meeting.KindNotFound, "Không có bản lưu trữ phiên bản %d của biên bản cuộc họp %s.", "no archive of revision %d of the minutes of meeting %s", rev, id)
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="bien-ban-%s-r%d.zip"`, id, rev))
	h.Set("X-Archive-Key-Fingerprint", e.Key)
	c.Response().WriteHeader(http.StatusOK)
	if err := s.archiver.Store().WriteZip(ctx, c.Response(), id, rev, e.Created); err != nil {
		// The status is sent: the client sees a truncated zip, which
		// fails to open (and `phonghop verify` says so).
		s.log.Error("archive zip: streaming failed", "meeting", id, "revision", rev, "err", err)
	}
	return nil
}
