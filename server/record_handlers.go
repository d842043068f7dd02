package server

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/minutes"
)

// The official record beyond the minutes (issue 13): the vote-counting
// record (biên bản kiểm phiếu) of each secret poll, previewed here and
// archived with the minutes (RenderMinutes).

// registerRecordRoutes registers the record's routes on the /api group.
func (s *Server) registerRecordRoutes(api *echo.Group) {
	api.GET("/meetings/:id/polls/:poll/counting-record", s.handleCountingRecord)
}

// handleCountingRecord renders the counting record of a secret poll from
// the meeting's full log, for the secretariat (secretary and chair), as
// JSON (default), HTML or PDF, in Vietnamese (default) or English. A poll
// not yet counted is a conflict; an open (show-of-hands) vote has none. A
// record whose results are not published says it is a draft.
func (s *Server) handleCountingRecord(c echo.Context) error {
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
	log, err := s.fullLog(c, r.ID())
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

// fullLog reads the whole, unfiltered log of meeting id.
func (s *Server) fullLog(c echo.Context, id string) ([]meeting.Event, error) {
	ctx := c.Request().Context()
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

// renderCountings renders the counting record of every secret poll of the
// log (JSON, HTML and PDF, Vietnamese and English) for an archive.
func renderCountings(events []meeting.Event) ([]archive.Counting, error) {
	cs, err := minutes.BuildCountings(events)
	if err != nil {
		return nil, err
	}
	var out []archive.Counting
	for _, c := range cs {
		x := archive.Counting{Poll: c.Record().Poll.ID}
		if x.JSON, err = c.JSON(); err != nil {
			return nil, err
		}
		if x.HTMLVI, err = c.HTML("vi"); err != nil {
			return nil, err
		}
		if x.HTMLEN, err = c.HTML("en"); err != nil {
			return nil, err
		}
		if x.PDFVI, err = c.PDF("vi"); err != nil {
			return nil, err
		}
		if x.PDFEN, err = c.PDF("en"); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}
