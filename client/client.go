// Package client is the Go SDK of the phonghop server: REST calls for setting
// meetings up (login, pairing, meetings, participants, pairing codes) and a
// live WebSocket connection that keeps a local replica of a meeting, folded
// with the same meeting.Apply the server uses (see docs/protocol.md).
//
// It is used by the end-to-end tests (tens to hundreds of simulated tablets)
// and by the load tool (up to 10,000 connections in one process), so a live
// connection costs one goroutine and no timers while it is connected.
//
// Errors the server reports decode into *meeting.Error; REST errors are
// wrapped in *HTTPError, which keeps the HTTP status. meeting.KindOf works on
// every error this package returns.
package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/phonghop/phonghop/server/meeting"
)

// SessionCookie is the name of the session cookie set by login and pairing.
const SessionCookie = "phonghop_session"

// Client is one identity talking to a phonghop server: an HTTP client with its
// own cookie jar, so the session of Login or Pair is sent with every REST call
// and every WebSocket connection it opens. It is safe for concurrent use and
// starts no goroutine of its own (each Live it opens has one).
type Client struct {
	base   *url.URL // scheme, host and optional path prefix, no trailing slash
	hc     *http.Client
	origin string
	log    *slog.Logger
	dialer *websocket.Dialer
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client use a copy of hc for REST calls. If hc has
// no cookie jar the copy gets a fresh one; the jar is shared with the
// WebSocket dialer. When hc's Transport is an *http.Transport its proxy, TLS
// configuration and dialer are used for WebSocket connections too.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc == nil {
			return
		}
		cp := *hc
		c.hc = &cp
	}
}

// WithOrigin sets the Origin header sent when opening WebSocket connections.
// The default is the origin of the base URL; "" sends no Origin at all (as
// non-browser clients may).
func WithOrigin(origin string) Option {
	return func(c *Client) { c.origin = origin }
}

// WithLogger sets the logger for connection events (reconnects, resyncs,
// protocol anomalies). The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) { c.log = l }
}

// writeBufferPool is shared by every WebSocket connection of the process:
// commands are rare, so write buffers need not be held per connection.
var writeBufferPool = &sync.Pool{}

// handshakeTimeout bounds the WebSocket opening handshake.
const handshakeTimeout = 15 * time.Second

// New returns a Client for the server at baseURL (for example
// "https://phonghop.example.vn" or "http://127.0.0.1:8080/prefix").
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: bad base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q must be http:// or https:// with a host", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath, u.RawQuery, u.Fragment, u.User = "", "", "", nil
	c := &Client{
		base:   u,
		hc:     &http.Client{},
		origin: u.Scheme + "://" + u.Host,
		log:    slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(c)
	}
	if c.hc.Jar == nil {
		jar, _ := cookiejar.New(nil) // cannot fail with nil options
		c.hc.Jar = jar
	}
	c.dialer = &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: handshakeTimeout,
		WriteBufferPool:  writeBufferPool,
		Jar:              c.hc.Jar,
	}
	tr, _ := c.hc.Transport.(*http.Transport)
	if c.hc.Transport == nil {
		tr, _ = http.DefaultTransport.(*http.Transport)
	}
	if tr != nil {
		c.dialer.Proxy = tr.Proxy
		c.dialer.TLSClientConfig = tr.TLSClientConfig
		c.dialer.NetDialContext = tr.DialContext
	}
	return c, nil
}

// HTTPError is an error answer of the REST API: the HTTP status and the
// server's error. Unwrap returns Err, so errors.As(err, new(*meeting.Error))
// and meeting.KindOf(err) see the server's kind.
type HTTPError struct {
	Status int
	Err    *meeting.Error
}

// Error returns the status and the server's English message.
func (e *HTTPError) Error() string { return fmt.Sprintf("HTTP %d: %v", e.Status, e.Err) }

// Unwrap returns the server's error.
func (e *HTTPError) Unwrap() error { return e.Err }

// wireError is the JSON form of meeting.Error (which has no JSON tags).
type wireError struct {
	Kind      meeting.Kind      `json:"kind"`
	Message   string            `json:"message"`
	MessageEN string            `json:"message_en"`
	Problems  []meeting.Problem `json:"problems,omitempty"`
}

func (w *wireError) toError() *meeting.Error {
	return &meeting.Error{Kind: w.Kind, Message: w.Message, MessageEN: w.MessageEN, Problems: w.Problems}
}

// kindRateLimited is in the protocol's list of kinds but not (yet) in package meeting.
const kindRateLimited meeting.Kind = "rate_limited"

// kindForStatus guesses the kind of an error answer that carried no JSON error.
func kindForStatus(status int) meeting.Kind {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return meeting.KindInvalid
	case http.StatusUnauthorized:
		return meeting.KindUnauthorized
	case http.StatusForbidden:
		return meeting.KindForbidden
	case http.StatusNotFound:
		return meeting.KindNotFound
	case http.StatusConflict:
		return meeting.KindConflict
	case http.StatusTooManyRequests:
		return kindRateLimited
	}
	return meeting.KindInternal
}

// responseError turns an error response into an *HTTPError. It reads at
// most 1 MiB of body.
func responseError(resp *http.Response) *HTTPError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var w wireError
	if err := json.Unmarshal(body, &w); err == nil && w.Kind != "" {
		return &HTTPError{Status: resp.StatusCode, Err: w.toError()}
	}
	text := strings.TrimSpace(string(body))
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	if text == "" {
		text = http.StatusText(resp.StatusCode)
	}
	return &HTTPError{Status: resp.StatusCode, Err: &meeting.Error{
		Kind:      kindForStatus(resp.StatusCode),
		Message:   fmt.Sprintf("Máy chủ trả lời %d: %s", resp.StatusCode, text),
		MessageEN: fmt.Sprintf("server answered %d: %s", resp.StatusCode, text),
	}}
}

// url returns the URL of the API path made of elems (each already escaped).
func (c *Client) url(elems ...string) string {
	return c.base.JoinPath(elems...).String()
}

// do sends a request and decodes a 2xx JSON answer into out (if not nil).
func (c *Client) do(ctx context.Context, method, u string, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return responseError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("client: %s %s: bad answer: %w", method, req.URL.Path, err)
	}
	return nil
}

// doJSON sends in (if not nil) as JSON and decodes the answer into out.
func (c *Client) doJSON(ctx context.Context, method, u string, in, out any) error {
	var body io.Reader
	ct := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("client: encode request: %w", err)
		}
		body, ct = bytes.NewReader(b), "application/json"
	}
	return c.do(ctx, method, u, body, ct, out)
}

// Login opens an account session (a secretary's console); the session
// cookie is kept in the Client's jar.
func (c *Client) Login(ctx context.Context, username, password string) error {
	return c.doJSON(ctx, http.MethodPost, c.url("api", "login"),
		map[string]string{"username": username, "password": password}, nil)
}

// PairResult is what a tablet learns when it pairs: for whom and where.
type PairResult struct {
	Meeting     string       `json:"meeting"`
	Participant string       `json:"participant"`
	Role        meeting.Role `json:"role"`
	Name        string       `json:"name"`
}

// Pair redeems a pairing code, giving the Client a tablet's device session
// for one participant of one meeting.
func (c *Client) Pair(ctx context.Context, code string) (PairResult, error) {
	var r PairResult
	err := c.doJSON(ctx, http.MethodPost, c.url("api", "pair"), map[string]string{"code": code}, &r)
	return r, err
}

// Logout ends the Client's session. Live connections of that session are
// then closed by the server with code 4001 and end with ErrSessionEnded.
func (c *Client) Logout(ctx context.Context) error {
	return c.doJSON(ctx, http.MethodPost, c.url("api", "logout"), nil, nil)
}

// CreateMeeting creates a meeting and returns its ID.
func (c *Client) CreateMeeting(ctx context.Context, d meeting.Details) (string, error) {
	var r struct {
		ID string `json:"id"`
	}
	if err := c.doJSON(ctx, http.MethodPost, c.url("api", "meetings"), d, &r); err != nil {
		return "", err
	}
	return r.ID, nil
}

// MeetingSummary is one line of the list of meetings.
type MeetingSummary struct {
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	Status   meeting.Status `json:"status"`
	StartsAt time.Time      `json:"starts_at,omitzero"`
}

// Meetings lists the meetings the session may see.
func (c *Client) Meetings(ctx context.Context) ([]MeetingSummary, error) {
	var r struct {
		Meetings []MeetingSummary `json:"meetings"`
	}
	err := c.doJSON(ctx, http.MethodGet, c.url("api", "meetings"), nil, &r)
	return r.Meetings, err
}

// Meeting returns meeting id as the session's viewer may see it.
func (c *Client) Meeting(ctx context.Context, id string) (*meeting.State, error) {
	var s meeting.State
	if err := c.doJSON(ctx, http.MethodGet, c.url("api", "meetings", url.PathEscape(id)), nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Roster returns the meeting's participants as the caller may see them: the
// roster a delegate's or an observer's state leaves out (its lean view lists
// only itself; meeting.LeanViewer). With ids, only those participants (at
// most 500; unknown ones left out); without, all of them.
func (c *Client) Roster(ctx context.Context, meetingID string, ids ...string) ([]meeting.Participant, error) {
	u := c.url("api", "meetings", url.PathEscape(meetingID), "participants")
	if len(ids) > 0 {
		u += "?ids=" + url.QueryEscape(strings.Join(ids, ","))
	}
	var page struct {
		Participants []meeting.Participant `json:"participants"`
	}
	if err := c.doJSON(ctx, http.MethodGet, u, nil, &page); err != nil {
		return nil, err
	}
	return page.Participants, nil
}

// commandRequest is the body of the REST command endpoint.
type commandRequest struct {
	Name string `json:"name"`
	Data any    `json:"data,omitempty"`
}

// Command gives command name (a wire name of docs/protocol.md, such as
// "agenda.add") with data (a JSON-encodable value, or nil) over REST, and
// returns the last seq after it.
func (c *Client) Command(ctx context.Context, meetingID, name string, data any) (int64, error) {
	var r struct {
		Seq int64 `json:"seq"`
	}
	err := c.doJSON(ctx, http.MethodPost, c.url("api", "meetings", url.PathEscape(meetingID), "commands"),
		commandRequest{Name: name, Data: data}, &r)
	return r.Seq, err
}

// ImportParticipantsCSV imports participants from a UTF-8 CSV file with the
// header row name,position,unit,role and returns those added. The import is
// all or nothing; a bad file yields an error whose Problems name each bad row.
func (c *Client) ImportParticipantsCSV(ctx context.Context, meetingID string, csv io.Reader) ([]meeting.Participant, error) {
	var r struct {
		Added []meeting.Participant `json:"added"`
		Seq   int64                 `json:"seq"`
	}
	err := c.do(ctx, http.MethodPost, c.url("api", "meetings", url.PathEscape(meetingID), "participants", "import"),
		csv, "text/csv", &r)
	return r.Added, err
}

// PairingCode is a one-time code with which a tablet pairs for a participant.
type PairingCode struct {
	Participant string    `json:"participant"`
	Name        string    `json:"name"`
	Code        string    `json:"code"`
	ExpiresAt   time.Time `json:"expires_at"`
	PairURL     string    `json:"pair_url"`
	// QRPNG is a PNG image of a QR code of PairURL. On the wire it is
	// base64 (a "data:image/png;base64," prefix is accepted too); it is
	// nil if the server sent none or something unreadable.
	QRPNG []byte `json:"qr_png"`
}

// UnmarshalJSON decodes a pairing code, tolerating either form of qr_png.
func (p *PairingCode) UnmarshalJSON(b []byte) error {
	type plain PairingCode
	var w struct {
		plain
		QRPNG string `json:"qr_png"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = PairingCode(w.plain)
	s := w.QRPNG
	if i := strings.Index(s, ";base64,"); strings.HasPrefix(s, "data:") && i >= 0 {
		s = s[i+len(";base64,"):]
	}
	p.QRPNG, _ = base64.StdEncoding.DecodeString(s)
	if len(p.QRPNG) == 0 {
		p.QRPNG = nil
	}
	return nil
}

// PairingOption configures PairingCodes.
type PairingOption func(*pairingRequest)

// pairingRequest is the body of POST /api/meetings/{id}/pairing-codes.
type pairingRequest struct {
	Participants []string `json:"participants"`
	QR           *bool    `json:"qr,omitempty"` // absent: the server renders QR images
}

// WithoutQR asks the server not to render a QR image of each code's pairing
// link (PairingCode.QRPNG stays nil): the codes come back several times
// faster, which matters when thousands are issued at once and only the codes
// are needed (a load tool, an import into another system). A printed
// pairing sheet needs the images.
func WithoutQR() PairingOption {
	return func(r *pairingRequest) {
		no := false
		r.QR = &no
	}
}

// PairingCodes issues pairing codes for the given participants (IDs such as
// "p3"); an empty list means every participant who is not a secretary. Each
// code comes with a QR image of its link unless WithoutQR is given.
func (c *Client) PairingCodes(ctx context.Context, meetingID string, participants []string, opts ...PairingOption) ([]PairingCode, error) {
	req := pairingRequest{Participants: participants}
	if req.Participants == nil {
		req.Participants = []string{}
	}
	for _, o := range opts {
		o(&req)
	}
	var r struct {
		Codes []PairingCode `json:"codes"`
	}
	err := c.doJSON(ctx, http.MethodPost, c.url("api", "meetings", url.PathEscape(meetingID), "pairing-codes"), req, &r)
	return r.Codes, err
}

// wsURL returns the WebSocket URL of meeting id, with since and epoch when
// since > 0.
func (c *Client) wsURL(id string, since int64, epoch string) string {
	u := c.base.JoinPath("ws")
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	q := url.Values{"meeting": {id}}
	if since > 0 {
		q.Set("since", fmt.Sprint(since))
		if epoch != "" {
			q.Set("epoch", epoch)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// sentinel builds a bilingual sentinel error.
func sentinel(kind meeting.Kind, vi, en string) *meeting.Error {
	return &meeting.Error{Kind: kind, Message: vi, MessageEN: en}
}

// Errors of live connections. Compare with errors.Is; each is a
// *meeting.Error, so meeting.KindOf classifies them too.
var (
	// ErrUnknownOutcome: the connection dropped (or ctx ended) after a
	// command was sent and before its result arrived. The command may or
	// may not have been carried out; look at the replica before retrying.
	ErrUnknownOutcome = sentinel(meeting.KindInternal, "Mất kết nối trước khi biết kết quả của lệnh.", "the connection dropped before the command's result arrived; its outcome is unknown")
	// ErrSessionEnded: the server closed the connection with code 4001
	// (logout, participant removed). The Live does not reconnect.
	ErrSessionEnded = sentinel(meeting.KindUnauthorized, "Phiên làm việc đã kết thúc; hãy ghép nối hoặc đăng nhập lại.", "the session ended; pair or log in again")
	// ErrOpenedElsewhere: the server closed the connection with code 4009:
	// the same session (login or paired tablet) opened more live
	// connections than the server allows (PHONGHOP_MAX_SOCKETS_PER_SESSION),
	// for example the meeting in another tab, and this was its oldest. The
	// Live does not reconnect, which would close the newer connection in
	// turn; Connect again to take the meeting back.
	ErrOpenedElsewhere = sentinel(meeting.KindConflict, "Cuộc họp đã được mở ở thẻ hoặc thiết bị khác với cùng phiên làm việc; kết nối này đã đóng.", "the meeting was opened in another tab or device with the same session; this connection was closed")
	// ErrServerClosed: the server closed the connection normally (code
	// 1000). The Live does not reconnect.
	ErrServerClosed = sentinel(meeting.KindConflict, "Máy chủ đã đóng kết nối.", "the server closed the connection")
	// ErrClosed: Live.Close was called.
	ErrClosed = sentinel(meeting.KindConflict, "Kết nối đã đóng.", "the live connection is closed")
	// ErrOffline: Send was called while the Live is paused.
	ErrOffline = sentinel(meeting.KindConflict, "Thiết bị đang ngoại tuyến.", "the live connection is paused (offline)")
)
