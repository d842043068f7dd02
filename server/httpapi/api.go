// Package httpapi is the web layer of the meeting server: the REST API, the
// WebSocket endpoint, health and metrics, sessions and authorisation, over
// the live rooms (package room) and a store (package store). Package server
// builds an API and wires it to the rest; routes.go lists every route.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archiver"
	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
	"github.com/phonghop/phonghop/server/store"
)

// Options tune the web layer. The zero value of each field means its
// documented default.
type Options struct {
	// AllowedOrigins are the origins (scheme://host[:port]) allowed to open
	// WebSockets besides the server's own. "*" allows any (development only).
	AllowedOrigins []string
	// PublicURL is the address tablets use to reach the server, used in
	// pairing links and QR codes; default: from the request.
	PublicURL string
	// CookieSecure marks session cookies Secure (set it behind HTTPS).
	CookieSecure bool
	// SendQueue is each connection's send queue length (default 64). A
	// commit takes one entry whatever its number of events, so 64 commits
	// can be pending for a connection before it is judged too slow.
	SendQueue int
	// PingInterval is how often connections are pinged (default 20 s); a
	// connection silent for twice that is closed.
	PingInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives structured logs (default slog.Default()).
	Logger *slog.Logger
	// Documents stores the bytes of documents (a local folder or S3); nil
	// refuses uploads and downloads.
	Documents docstorage.Store
	// MaxUpload is the largest document file accepted, in bytes (default
	// DefaultMaxUpload).
	MaxUpload int64
	// WorkDir holds uploads while they are checked and watermarked copies
	// while they are made (default os.TempDir()).
	WorkDir string
	// ArchiveKey is the key archives are signed with (nil: no archives).
	ArchiveKey *archive.Key
	// TrustedProxies are the addresses of reverse proxies (load balancers)
	// whose X-Forwarded-For is believed; empty: none, the client is the
	// connection's peer.
	TrustedProxies []netip.Prefix
	// MaxSocketsPerSession caps the live WebSockets of one session
	// (default 8); a further one is closed with 4009.
	MaxSocketsPerSession int
	// PairingCodeMax is the longest a pairing code may live (default
	// DefaultPairingCodeMax; see pairing.go).
	PairingCodeMax time.Duration
}

// Timing of sessions and pairing codes.
const (
	accountSessionTTL = 12 * time.Hour
	deviceSessionTTL  = 14 * 24 * time.Hour
	cookieName        = "phonghop_session"
)

// API is the web layer.
type API struct {
	cfg      Options
	db       store.Store
	rooms    *room.Registry
	archiver *archiver.Archiver // nil without archives
	echo     *echo.Echo
	log      *slog.Logger
	metrics  *metrics
	now      func() time.Time

	guard *auth.Guard // what failed codes and passwords cost

	// conns tracks live WebSocket connections so that logout, removal of a
	// participant and shutdown can close them, and shutdown can wait for
	// their goroutines (wg).
	conns *connSet
	wg    sync.WaitGroup

	docs *documents // uploads, downloads and watermarks (documents.go)

	pairings *pairingLog // batched participant.paired records (pairing_log.go)
}

// New builds the web layer over db and the live rooms; arch may be nil (no
// archives). Observe the rooms' commits with API.Observe (metrics).
func New(opts Options, db store.Store, rooms *room.Registry, arch *archiver.Archiver) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SendQueue <= 0 {
		opts.SendQueue = 64
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 20 * time.Second
	}
	if opts.MaxSocketsPerSession <= 0 {
		opts.MaxSocketsPerSession = DefaultMaxSocketsPerSession
	}
	s := &API{
		cfg:      opts,
		db:       db,
		rooms:    rooms,
		archiver: arch,
		log:      opts.Logger,
		now:      opts.Now,
		metrics:  newMetrics(),
		guard:    auth.NewGuard(db, opts.Now),
		conns:    newConnSet(),
		pairings: newPairingLog(),
	}
	s.docs = newDocuments(s, opts)
	s.metrics.gauges(func() int { return len(rooms.Loaded()) }, s.conns.devices, func() int {
		if arch == nil {
			return 0
		}
		return arch.Backlog()
	})
	s.echo = echo.New()
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.errorHandler
	s.echo.IPExtractor = ipExtractor(opts.TrustedProxies)
	s.routes()
	return s
}

// Handler returns the HTTP handler of the whole web layer.
func (s *API) Handler() http.Handler { return s.echo }

// Routes lists the routes as "METHOD /path" with echo's :param syntax.
func (s *API) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// ObserveWrite records a durable write's latency (the rooms' ObserveWrite
// hook).
func (s *API) ObserveWrite(what string, d time.Duration) {
	s.metrics.writes.WithLabelValues(what).Observe(d.Seconds())
}

// Observe counts a commit of events sent to sends connections (the rooms'
// Observe hook).
func (s *API) Observe(events, sends int) {
	s.metrics.events.Add(float64(events))
	s.metrics.sends.Add(float64(sends))
}

// Close closes every WebSocket with "going away" (1001) and waits for their
// goroutines, or for ctx. Call it after http.Server.Shutdown, which does not
// touch hijacked connections.
func (s *API) Close(ctx context.Context) error {
	s.conns.closeAll(websocketGoingAway, "máy chủ đang tắt / server shutting down")
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// principal is who is calling: a secretary account or a paired device.
type principal struct {
	session store.Session
	hash    string // hex of the token hash, to find the session's sockets
}

// account reports whether p is a secretary account (not a device).
func (p *principal) account() bool { return p.session.Kind == store.SessionAccount }

// authenticate returns the caller's principal from the session cookie, or
// Unauthorized.
func (s *API) authenticate(c echo.Context) (*principal, error) {
	ck, err := c.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return nil, errUnauthorized
	}
	h := auth.TokenHash(ck.Value)
	sess, err := s.db.Session(c.Request().Context(), h, s.now())
	if err != nil {
		if meeting.KindOf(err) == meeting.KindNotFound {
			return nil, errUnauthorized
		}
		return nil, err
	}
	return &principal{session: sess, hash: auth.HexHash(h)}, nil
}

// actor resolves the principal's role in room r: a secretary account is a
// secretary in every meeting; a device acts as its participant, in its own
// meeting only, with the participant's current role.
func (s *API) actor(ctx context.Context, p *principal, r *room.Room) (meeting.Actor, error) {
	if p.account() {
		return meeting.Actor{ID: "account:" + p.session.Account, Role: meeting.RoleSecretary, Station: stationID(p.hash)}, nil
	}
	if p.session.Meeting != r.ID() {
		a, err := s.sittingActor(p, r) // a tổ sitting of the device's congress (floor.go)
		if err != nil {
			return meeting.Actor{}, err
		}
		if err := s.deviceAllowed(p, a.Role, r); err != nil {
			return meeting.Actor{}, err
		}
		return a, nil
	}
	part, ok, err := r.FindParticipant(ctx, p.session.Participant)
	if err != nil {
		return meeting.Actor{}, err
	}
	if !ok {
		return meeting.Actor{}, errUnauthorized // removed from the meeting
	}
	if err := s.deviceAllowed(p, part.Role, r); err != nil {
		return meeting.Actor{}, err // read-only after the close, until archived
	}
	return meeting.Actor{ID: "participant:" + part.ID, Role: part.Role, Participant: part.ID, Station: stationID(p.hash)}, nil
}
