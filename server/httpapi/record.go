package httpapi

import (
	"cmp"
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/minutes"
)

// The official record beyond the minutes (issue 13): the vote-counting
// record (biên bản kiểm phiếu) of each secret poll, previewed here and
// archived with the minutes (RenderMinutes).

// registerRecordRoutes registers the record's routes on the /api group.
func (s *API) registerRecordRoutes(api *echo.Group) {
	api.GET("/meetings/:id/polls/:poll/counting-record", s.handleCountingRecord)
}

// handleCountingRecord renders the counting record of a secret poll from
// the meeting's full log, for the secretariat (secretary and chair), as
// JSON (default), HTML or PDF, in Vietnamese (default) or English. A poll
// not yet counted is a conflict; an open (show-of-hands) vote has none. A
// record whose results are not published says it is a draft.
func (s *API) handleCountingRecord(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if !a.Role.Staff() {
		return errForbidden
	}
	format, lang := cmp.Or(c.QueryParam("format"), "json"), cmp.Or(c.QueryParam("lang"), "vi")
	if format != "json" && format != "html" && format != "pdf" {
		return invalid("Định dạng biên bản kiểm phiếu phải là json, html hoặc pdf.", "format must be json, html or pdf")
	}
	if lang != "vi" && lang != "en" {
		return invalid("Ngôn ngữ biên bản kiểm phiếu phải là vi hoặc en.", "lang must be vi or en")
	}
	log, err := s.fullLog(c.Request().Context(), r.ID())
	if err != nil {
		return err
	}
	rec, err := minutes.BuildCounting(log, c.Param("poll"))
	if err != nil {
		return err
	}
	var body []byte
	switch format {
	case "json":
		body, err = rec.JSON()
	case "html":
		body, err = rec.HTML(lang)
	case "pdf":
		body, err = rec.PDF(lang)
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Record-Final", fmt.Sprint(rec.Final()))
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=\"bien-ban-kiem-phieu-%s-%s.%s\"", r.ID(), rec.Record().Poll.ID, format))
	ctype := map[string]string{"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}[format]
	return c.Blob(http.StatusOK, ctype, body)
}

// fullLog reads the whole, unfiltered log of meeting id (the minutes and
// the counting records are built from it).
func (s *API) fullLog(ctx context.Context, id string) ([]meeting.Event, error) {
	var log []meeting.Event
	for {
		page, err := s.db.Events(ctx, id, int64(len(log)), 1000)
		if err != nil {
			return nil, err
		}
		log = append(log, page...)
		if len(page) < 1000 {
			return log, nil
		}
	}
}
