package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
)

// castRequest is a ballot: the data of the "ballot.cast" command over the
// WebSocket, and the body of POST /api/meetings/:id/polls/:poll/ballots.
type castRequest struct {
	Poll   string         `json:"poll"`
	Key    string         `json:"key"`
	Ballot meeting.Ballot `json:"ballot"`
}

// Ballot statuses in answers.
const (
	statusRecorded   = "recorded"    // durably stored; it will be counted
	statusNotCounted = "not_counted" // arrived after the poll closed
)

// cast decodes and casts a ballot, returning its status for the answer.
func (s *API) cast(ctx context.Context, r *room.Room, a meeting.Actor, data json.RawMessage) (string, error) {
	var req castRequest
	if !decodeStrict(data, &req) {
		return "", invalid("Dữ liệu phiếu không hợp lệ.", "invalid ballot data")
	}
	err := r.Cast(ctx, a, req.Poll, req.Key, req.Ballot)
	switch {
	case err == nil:
		s.metrics.ballots.WithLabelValues(statusRecorded).Inc()
		return statusRecorded, nil
	case err == room.ErrNotCounted:
		s.metrics.ballots.WithLabelValues(statusNotCounted).Inc()
		return statusNotCounted, err
	}
	s.metrics.ballots.WithLabelValues(string(meeting.KindOf(err))).Inc()
	return "", err
}

type castResponse struct {
	Status string `json:"status"`
}

// handleCast takes a ballot over REST (the WebSocket's "ballot.cast" is the
// usual way).
func (s *API) handleCast(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	body := map[string]json.RawMessage{}
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	body["poll"], _ = json.Marshal(c.Param("poll"))
	data, _ := json.Marshal(body)
	status, err := s.cast(c.Request().Context(), r, a, data)
	if status == statusNotCounted {
		ae := toAPIError(err)
		return c.JSON(http.StatusConflict, map[string]any{"status": status, "kind": ae.Kind, "message": ae.Message, "message_en": ae.MessageEN})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, castResponse{Status: status})
}

// handleMyBallot tells a voter whether their ballot in a poll is stored (a
// tablet asks after reconnecting; a secret poll's replica does not say).
func (s *API) handleMyBallot(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if a.Participant == "" {
		return errForbidden
	}
	voters, err := s.db.Voters(c.Request().Context(), r.ID(), c.Param("poll"))
	if err != nil {
		return err
	}
	_, voted := voters[a.Participant]
	return c.JSON(http.StatusOK, map[string]any{"voted": voted})
}

// handleNotVoted lists the eligible participants who have not voted yet in
// an open poll (secretariat only; for a secret poll too: who voted is not
// secret, what they voted is).
func (s *API) handleNotVoted(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if !a.Role.Staff() {
		return errForbidden
	}
	st := r.State()
	p, ok := st.Poll(c.Param("poll"))
	if !ok {
		return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy cuộc biểu quyết.", "poll not found")
	}
	voters, err := s.db.Voters(c.Request().Context(), r.ID(), p.ID)
	if err != nil {
		return err
	}
	out := []meeting.Participant{}
	for _, id := range p.Eligible {
		if _, ok := voters[id]; ok {
			continue
		}
		q, _ := st.Participant(id)
		out = append(out, q)
	}
	return c.JSON(http.StatusOK, map[string]any{"poll": p.ID, "eligible": len(p.Eligible), "voted": len(voters), "not_voted": out})
}
