package httpapi

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/meeting"
)

// maxRosterIDs is how many participants one ?ids= lookup may name.
const maxRosterIDs = 500

// rosterPage is the body of GET /api/meetings/{id}/participants.
type rosterPage struct {
	// Version changes whenever the roster does (it is also the ETag).
	Version      string                `json:"version"`
	Total        int                   `json:"total"` // participants in the meeting
	Participants []meeting.Participant `json:"participants"`
}

// handleRoster returns the meeting's participants as the caller may see them:
// the roster a tablet's lean view leaves out (meeting.LeanViewer). The whole
// list, a page of it (?offset=&limit=), or the named ones (?ids=p4,p9; at
// most maxRosterIDs, unknown IDs left out). The ETag is the roster's version:
// a tablet revalidating an unchanged roster gets 304 Not Modified.
func (s *API) handleRoster(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	version, list := r.Roster(a.Viewer())
	q := c.QueryParams()
	var ids []string
	if q.Has("ids") {
		ids = strings.Split(q.Get("ids"), ",")
		if len(ids) > maxRosterIDs {
			return invalid("Tra cứu quá nhiều người tham dự một lần (tối đa 500).", "too many ids in one lookup (at most 500)")
		}
	}
	offset, err1 := strconv.Atoi(cmp.Or(q.Get("offset"), "0"))
	limit, err2 := strconv.Atoi(cmp.Or(q.Get("limit"), strconv.Itoa(meeting.MaxParticipants)))
	if err1 != nil || err2 != nil || offset < 0 || limit < 1 || limit > meeting.MaxParticipants {
		return invalid("Tham số offset/limit không hợp lệ (limit từ 1 đến 10000).", "invalid offset/limit (limit 1..10000)")
	}
	etag := `"` + version + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache") // revalidate each time: cheap with the ETag
	if match := c.Request().Header.Get("If-None-Match"); match != "" && (match == etag || match == "W/"+etag) {
		return c.NoContent(http.StatusNotModified)
	}
	page := rosterPage{Version: version, Total: len(list), Participants: []meeting.Participant{}}
	switch {
	case ids != nil:
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		for _, p := range list {
			if want[p.ID] {
				page.Participants = append(page.Participants, p)
			}
		}
	case offset < len(list):
		page.Participants = list[offset:min(len(list), offset+limit)]
	}
	return c.JSON(http.StatusOK, page)
}
