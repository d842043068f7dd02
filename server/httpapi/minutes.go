package httpapi

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/minutes"
)

// handleMinutes renders the minutes of a meeting from its full, unfiltered
// log: a preview for the secretariat (secretary and chair only), as JSON
// (default), HTML or PDF, in Vietnamese (default) or English. Draft
// minutes (not finalised) say so on the page.
func (s *API) handleMinutes(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if !a.Role.Staff() {
		return errForbidden
	}
	format, lang := cmp.Or(c.QueryParam("format"), "json"), cmp.Or(c.QueryParam("lang"), "vi")
	if format != "json" && format != "html" && format != "pdf" {
		return invalid("Định dạng biên bản phải là json, html hoặc pdf.", "format must be json, html or pdf")
	}
	if lang != "vi" && lang != "en" {
		return invalid("Ngôn ngữ biên bản phải là vi hoặc en.", "lang must be vi or en")
	}
	log, err := s.fullLog(c.Request().Context(), r.ID())
	if err != nil {
		return err
	}
	m, err := minutes.Build(log)
	if err != nil {
		return err
	}
	var body []byte
	ctype := map[string]string{"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}[format]
	switch format {
	case "json":
		body, err = m.JSON()
	case "html":
		body, err = m.HTML(lang)
	case "pdf":
		body, err = m.PDF(lang)
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Minutes-Revision", fmt.Sprint(m.Revision()))
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=\"bien-ban-%s-ban-%d.%s\"", r.ID(), m.Revision(), format))
	return c.Blob(http.StatusOK, ctype, body)
}
