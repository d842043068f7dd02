package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"rsc.io/qr"

	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
	"github.com/phonghop/phonghop/server/store"
)

// bindJSON decodes the request body into v, strictly: unknown fields and
// trailing data are Invalid. An empty body decodes as {}.
func bindJSON(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return invalid("Không đọc được dữ liệu gửi lên.", "cannot read the request body")
	}
	if !decodeStrict(body, v) {
		return invalid("Dữ liệu gửi lên không phải JSON hợp lệ.", "the request body is not valid JSON for this call")
	}
	return nil
}

// decodeStrict decodes data (empty means {}) into v, refusing unknown
// fields and trailing data, and reports whether it could.
func decodeStrict(data []byte, v any) bool {
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	// Nothing but spaces after the value: dec.More() alone let a stray
	// "}" or "]" through ("{…}}").
	return dec.Decode(v) == nil && len(bytes.TrimSpace(data[dec.InputOffset():])) == 0
}

// meetingFor loads the meeting named in the path and the caller's actor in it.
func (s *API) meetingFor(c echo.Context) (*room.Room, meeting.Actor, error) {
	p, err := s.authenticate(c)
	if err != nil {
		return nil, meeting.Actor{}, err
	}
	r, err := s.rooms.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		if meeting.KindOf(err) == meeting.KindNotFound && !p.account() {
			return nil, meeting.Actor{}, errForbidden // devices learn nothing of other meetings
		}
		return nil, meeting.Actor{}, err
	}
	a, err := s.actor(c.Request().Context(), p, r)
	return r, a, err
}

// command parses and runs command name on room r for actor a, then ends the
// sessions or views its events invalidate. It returns the last seq. ctx may
// carry the command's origin (room.WithOrigin). poll.close goes through
// the poll's ballot box first (room.Submit).
func (s *API) command(ctx context.Context, r *room.Room, a meeting.Actor, name string, data json.RawMessage) (int64, error) {
	cmd, err := meeting.ParseCommand(name, data)
	if err != nil {
		s.metrics.commands.WithLabelValues(string(meeting.KindInvalid)).Inc()
		return 0, err
	}
	var events []meeting.Event
	if meeting.Batched(cmd) {
		events, err = r.Batch(ctx, a, cmd) // opinions: group-committed (room/batch.go)
	} else {
		events, err = r.Submit(ctx, a, cmd)
	}
	if err != nil {
		s.metrics.commands.WithLabelValues(string(meeting.KindOf(err))).Inc()
		return 0, err
	}
	s.metrics.commands.WithLabelValues("ok").Inc()
	if len(events) == 0 {
		return r.Seq(), nil // nothing to change: a retried opinion
	}
	for _, e := range events {
		if e.Type == meeting.EventParticipantRemoved {
			var ref meeting.ParticipantRef
			_ = json.Unmarshal(e.Data, &ref)
			s.endParticipant(ctx, r.ID(), ref.ID)
		}
	}
	return events[len(events)-1].Seq, nil
}

// endParticipant deletes a removed participant's sessions (their sockets,
// on every node, were closed by OnCommit) and closes the sockets of those
// sessions on this node.
func (s *API) endParticipant(ctx context.Context, meetingID, participant string) {
	hashes, err := s.db.DeleteParticipantSessions(ctx, meetingID, participant)
	if err != nil {
		s.log.Error("delete sessions of removed participant", "meeting", meetingID, "participant", participant, "err", err)
	}
	for _, h := range hashes {
		s.conns.closeSession(auth.HexHash(h), closeSessionEnded, "đã bị xóa khỏi cuộc họp / removed from the meeting")
	}
}

// OnCommit closes the connections a committed event invalidates, whichever
// node committed it (the rooms call it for their own commits and for those
// they catch up with): a removed participant's (4001), and those of a
// participant whose role changed (4002: they reconnect for the new view).
// It runs under the room's lock: it only closes, never blocks.
func (s *API) OnCommit(meetingID string, events []meeting.Event) {
	for _, e := range events {
		switch e.Type {
		case meeting.EventParticipantRemoved:
			var ref meeting.ParticipantRef
			_ = json.Unmarshal(e.Data, &ref)
			s.conns.closeWhere(func(c *wsConn) bool { return c.room.ID() == meetingID && c.actor.Participant == ref.ID },
				closeSessionEnded, "đã bị xóa khỏi cuộc họp / removed from the meeting")
		case meeting.EventParticipantUpdated:
			var p meeting.Participant
			_ = json.Unmarshal(e.Data, &p)
			s.conns.closeWhere(func(c *wsConn) bool {
				return c.room.ID() == meetingID && c.actor.Participant == p.ID && c.actor.Role != p.Role
			}, closeViewerChanged, "vai trò đã thay đổi / role changed")
		}
	}
}

type commandRequest struct {
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

type seqResponse struct {
	Seq int64 `json:"seq"`
}

// handleCommand runs any command by name (the same commands as over the
// WebSocket).
func (s *API) handleCommand(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	var req commandRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	seq, err := s.command(c.Request().Context(), r, a, req.Name, req.Data)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, seqResponse{Seq: seq})
}

// pathID returns a body transformer that sets "id" from path parameter p.
func pathID(p string) func(echo.Context, map[string]json.RawMessage) {
	return func(c echo.Context, body map[string]json.RawMessage) {
		body["id"], _ = json.Marshal(c.Param(p))
	}
}

// commandRoute returns a handler that runs command name with the JSON body
// as its data, after patch (if any) adds path parameters to it.
func (s *API) commandRoute(name string, patch func(echo.Context, map[string]json.RawMessage)) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, a, err := s.meetingFor(c)
		if err != nil {
			return err
		}
		body := map[string]json.RawMessage{}
		if err := bindJSON(c, &body); err != nil {
			return err
		}
		if patch != nil {
			patch(c, body)
		}
		data, _ := json.Marshal(body)
		seq, err := s.command(c.Request().Context(), r, a, name, data)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, seqResponse{Seq: seq})
	}
}

type meetingSummary struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	Organization string         `json:"organization,omitempty"`
	Status       meeting.Status `json:"status"`
	StartsAt     time.Time      `json:"starts_at,omitzero"`
}

// handleListMeetings lists the meetings the caller may see: all of them for
// a secretary account, its own for a device.
func (s *API) handleListMeetings(c echo.Context) error {
	p, err := s.authenticate(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ids := []string{p.session.Meeting}
	if p.account() {
		if ids, err = s.db.MeetingIDs(ctx); err != nil {
			return err
		}
	}
	out := make([]meetingSummary, 0, len(ids))
	for _, id := range ids {
		r, err := s.rooms.Get(ctx, id)
		if err != nil {
			return err
		}
		d, st := r.Summary()
		out = append(out, meetingSummary{ID: id, Title: d.Title, Organization: d.Organization, Status: st, StartsAt: d.StartsAt})
	}
	return c.JSON(http.StatusOK, map[string]any{"meetings": out})
}

type createResponse struct {
	ID    string         `json:"id"`
	State *meeting.State `json:"state"`
}

// handleCreateMeeting creates a meeting (secretary accounts only).
func (s *API) handleCreateMeeting(c echo.Context) error {
	p, err := s.authenticate(c)
	if err != nil {
		return err
	}
	if !p.account() {
		return errForbidden
	}
	var d meeting.Details
	if err := bindJSON(c, &d); err != nil {
		return err
	}
	a := meeting.Actor{ID: "account:" + p.session.Account, Role: meeting.RoleSecretary}
	r, err := s.rooms.Create(c.Request().Context(), auth.RandomID(10), a, d)
	if err != nil {
		return err
	}
	s.metrics.commands.WithLabelValues("ok").Inc()
	return c.JSON(http.StatusCreated, createResponse{ID: r.ID(), State: r.State()})
}

// handleGetMeeting returns the meeting as the caller may see it.
func (s *API) handleGetMeeting(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r.View(a.Viewer()))
}

// handleEvents returns a page of the meeting's log as the caller may see it
// (events outside its audience as placeholders).
func (s *API) handleEvents(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	after, err1 := strconv.ParseInt(cmp.Or(c.QueryParam("after"), "0"), 10, 64)
	limit, err2 := strconv.Atoi(cmp.Or(c.QueryParam("limit"), "1000"))
	if err1 != nil || err2 != nil || after < 0 || limit < 1 || limit > 1000 {
		return invalid("Tham số after/limit không hợp lệ (limit từ 1 đến 1000).", "invalid after/limit (limit 1..1000)")
	}
	events, err := s.db.Events(c.Request().Context(), r.ID(), after, limit)
	if err != nil {
		return err
	}
	v := a.Viewer()
	for i, e := range events {
		if !e.Audience.Includes(v) {
			events[i] = e.Hidden()
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"events": events})
}

// handleVerify checks the meeting's hash chain (secretaries only).
func (s *API) handleVerify(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if a.Role != meeting.RoleSecretary {
		return errForbidden
	}
	if err := s.db.Verify(c.Request().Context(), r.ID()); err != nil {
		ae := toAPIError(err)
		if me, ok := err.(*meeting.Error); ok {
			ae = apiError{Kind: me.Kind, Message: me.Message, MessageEN: me.MessageEN}
		}
		return c.JSON(http.StatusOK, map[string]any{"ok": false, "error": ae})
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true})
}

type pairingCodesRequest struct {
	Participants []string `json:"participants"`
	QR           *bool    `json:"qr,omitempty"`         // default true
	ExpiresAt    string   `json:"expires_at,omitempty"` // RFC 3339; default: the end of the meeting's day (pairing_policy.go)
}

type pairingCodeView struct {
	Participant string    `json:"participant"`
	Name        string    `json:"name"`
	Code        string    `json:"code"`
	ExpiresAt   time.Time `json:"expires_at"`
	PairURL     string    `json:"pair_url"`
	QRPNG       string    `json:"qr_png,omitempty"` // base64 PNG of PairURL
}

// handlePairingCodes issues one-time pairing codes (secretaries only). Each
// new code replaces the participant's earlier unused one.
func (s *API) handlePairingCodes(c echo.Context) error {
	r, a, err := s.meetingFor(c)
	if err != nil {
		return err
	}
	if a.Role != meeting.RoleSecretary {
		return errForbidden
	}
	var req pairingCodesRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	st := r.State()
	if s.archived(r) {
		return errArchivedCodes // after the close, codes still serve to read, until archived
	}
	expires, err := pairingExpiry(st, s.now(), req.ExpiresAt, s.pairingCodeMax())
	if err != nil {
		return err
	}
	var parts []meeting.Participant
	if len(req.Participants) == 0 {
		for _, p := range st.Participants {
			if p.Role != meeting.RoleSecretary {
				parts = append(parts, p)
			}
		}
	} else {
		for _, id := range req.Participants {
			p, ok := st.Participant(id)
			if !ok {
				return meeting.Errorf(meeting.KindNotFound, "Không tìm thấy người tham dự %q.", "participant %q not found", id)
			}
			parts = append(parts, p)
		}
	}
	codes, err := s.issueCodes(c.Request().Context(), r.ID(), parts, expires)
	if err != nil {
		return err
	}
	base := s.publicURL(c)
	out := make([]pairingCodeView, 0, len(codes))
	for _, v := range codes {
		v.PairURL = base + "/tablet#code=" + v.Code
		if q, _ := st.Participant(v.Participant); q.Role == meeting.RoleTechnician {
			v.PairURL = base + "/count#code=" + v.Code // an entry station (docs/paper.md)
		}
		if req.QR == nil || *req.QR {
			q, err := qr.Encode(v.PairURL, qr.M)
			if err != nil {
				return err
			}
			v.QRPNG = base64.StdEncoding.EncodeToString(q.PNG())
		}
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"codes": out})
}

// issueCodes creates and stores a new pairing code for each participant,
// valid until expires (replacing their unused earlier codes), in one
// transaction.
func (s *API) issueCodes(ctx context.Context, meetingID string, parts []meeting.Participant, expires time.Time) ([]pairingCodeView, error) {
	now := s.now()
	out := make([]pairingCodeView, 0, len(parts))
	records := make([]store.PairingCode, 0, len(parts))
	for _, p := range parts {
		code := auth.NewPairingCode()
		out = append(out, pairingCodeView{Participant: p.ID, Name: p.Name, Code: code, ExpiresAt: expires.UTC()})
		records = append(records, store.PairingCode{CodeHash: auth.TokenHash(code), Meeting: meetingID, Participant: p.ID, CreatedAt: now, ExpiresAt: expires})
	}
	if err := s.db.CreatePairingCodes(ctx, records); err != nil {
		return nil, err
	}
	return out, nil
}

// publicURL is the base URL tablets reach the server at.
func (s *API) publicURL(c echo.Context) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

// handleReady reports whether the server can serve: the database answers.
func (s *API) handleReady(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		return c.JSON(http.StatusServiceUnavailable, apiError{Kind: meeting.KindInternal, Message: "Chưa sẵn sàng.", MessageEN: "not ready"})
	}
	return c.String(http.StatusOK, "ready\n")
}

// IssuedCode is a pairing code issued by IssueCodes.
type IssuedCode struct {
	Participant, Code string
	ExpiresAt         time.Time
}

// IssueCodes issues a pairing code to each participant of the meeting, as
// the pairing-codes route does with the default expiry (for the demo
// loader).
func (s *API) IssueCodes(ctx context.Context, meetingID string, parts []meeting.Participant) ([]IssuedCode, error) {
	r, err := s.rooms.Get(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	expires, err := pairingExpiry(r.State(), s.now(), "", s.pairingCodeMax())
	if err != nil {
		return nil, err
	}
	codes, err := s.issueCodes(ctx, meetingID, parts, expires)
	if err != nil {
		return nil, err
	}
	out := make([]IssuedCode, len(codes))
	for i, c := range codes {
		out[i] = IssuedCode{Participant: c.Participant, Code: c.Code, ExpiresAt: c.ExpiresAt}
	}
	return out, nil
}
