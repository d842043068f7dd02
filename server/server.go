// Package server wires the web layer of the meeting server: the echo app
// (REST API, WebSocket endpoint, health and metrics), sessions and
// authorisation, over the live rooms (package room) and the embedded store
// (package sqlite).
package server

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
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
	"github.com/phonghop/phonghop/server/sqlite"
)

// Config is the server's configuration, built by cmd/phonghop from flags and
// PHONGHOP_* environment variables. The zero value of each field means its
// documented default.
type Config struct {
	// AllowedOrigins are the origins (scheme://host[:port]) allowed to open
	// WebSockets besides the server's own. "*" allows any (development only).
	AllowedOrigins []string
	// PublicURL is the address tablets use to reach the server, used in
	// pairing links and QR codes; default: from the request.
	PublicURL string
	// CookieSecure marks session cookies Secure (set it behind HTTPS).
	CookieSecure bool
	// TrustedProxies are the reverse proxies (IPs and CIDR prefixes) whose
	// X-Forwarded-For is believed; a request from any other peer is
	// attributed to the peer's address. Empty: trust none.
	TrustedProxies []netip.Prefix
	// MaxSocketsPerSession is how many live WebSockets one session may
	// hold at once (default 8).
	MaxSocketsPerSession int
	// SendQueue is each connection's send queue length (default 64). A
	// commit takes one entry whatever its number of events, so 64 commits
	// can be pending for a connection before it is judged too slow.
	SendQueue int
	// ReplayLimit is the largest gap replayed before a snapshot (default 1000).
	ReplayLimit int
	// PingInterval is how often connections are pinged (default 20 s); a
	// connection silent for twice that is closed.
	PingInterval time.Duration
	// Now is the clock (default time.Now); tests may replace it.
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
	// while they are made (default os.TempDir()). Put it on a disk, not a
	// RAM file system, with room for a few uploads.
	WorkDir string
	// Archives stores the signed archives of finalised minutes; with
	// ArchiveKey and RenderMinutes set, every minutes.finalized and
	// minutes.corrected is archived in the background (nil: no archiving,
	// the archive routes answer not_found).
	Archives *archive.Store
	// ArchiveKey signs the archives.
	ArchiveKey *archive.Key
	// RenderMinutes renders the minutes for an archive.
	RenderMinutes MinutesRenderer
}

// Timing of sessions and pairing codes.
const (
	accountSessionTTL = 12 * time.Hour
	deviceSessionTTL  = 14 * 24 * time.Hour
	pairingCodeTTL    = 10 * time.Minute
	cookieName        = "phonghop_session"
)

// Server is the meeting server's web layer.
type Server struct {
	cfg     Config
	db      *sqlite.DB
	rooms   *room.Registry
	echo    *echo.Echo
	log     *slog.Logger
	metrics *metrics
	now     func() time.Time

	pairFails  *failLimiter
	loginFails *failLimiter

	// conns tracks live WebSocket connections so that logout, removal of a
	// participant and shutdown can close them, and shutdown can wait for
	// their goroutines (wg).
	conns *connSet
	wg    sync.WaitGroup

	docs *documents // uploads, downloads and watermarks (documents.go)

	archiver *archiver // nil without Config.Archives (archiver.go)
}

// New builds the server over db. It does not listen: serve Handler() with an
// http.Server, and call Close after that server's Shutdown.
func New(cfg Config, db *sqlite.DB) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SendQueue <= 0 {
		cfg.SendQueue = 64
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 20 * time.Second
	}
	s := &Server{
		cfg:        cfg,
		db:         db,
		log:        cfg.Logger,
		now:        cfg.Now,
		metrics:    newMetrics(),
		pairFails:  newFailLimiter(10, 300, 10*time.Minute),
		loginFails: newFailLimiter(10, 300, 10*time.Minute),
		conns:      newConnSet(),
	}
	s.rooms = room.NewRegistry(db, room.Options{
		ReplayLimit: cfg.ReplayLimit,
		Now:         cfg.Now,
		Logger:      cfg.Logger,
		Box:         sqliteBox{db},
		Observe: func(events, sends int) {
			s.metrics.events.Add(float64(events))
			s.metrics.sends.Add(float64(sends))
		},
		OnCommit: func(id string, events []meeting.Event) {
			if s.archiver != nil {
				s.archiver.onCommit(id, events)
			}
		},
	})
	if cfg.Archives != nil && cfg.ArchiveKey != nil && cfg.RenderMinutes != nil {
		s.archiver = newArchiver(s, cfg.Archives, cfg.ArchiveKey, cfg.RenderMinutes)
		s.archiver.start()
	}
	s.docs = newDocuments(s, cfg)
	s.echo = echo.New()
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.errorHandler
	s.routes()
	return s
}

// Handler returns the HTTP handler of the whole server.
func (s *Server) Handler() http.Handler { return s.echo }

// Rooms returns the live room registry (for the demo loader and tests).
func (s *Server) Rooms() *room.Registry { return s.rooms }

// Close closes every WebSocket with "going away" (1001) and waits for their
// goroutines, or for ctx. Call it after http.Server.Shutdown, which does not
// touch hijacked connections.
func (s *Server) Close(ctx context.Context) error {
	s.conns.closeAll(websocketGoingAway, "máy chủ đang tắt / server shutting down")
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.rooms.Stop(ctx) // record the last ballots in the log
	if s.archiver != nil {
		return s.archiver.close(ctx) // an unfinished archive is completed at the next start
	}
	return nil
}

// principal is who is calling: a secretary account or a paired device.
type principal struct {
	session sqlite.Session
	hash    string // hex of the token hash, to find the session's sockets
}

// account reports whether p is a secretary account (not a device).
func (p *principal) account() bool { return p.session.Kind == sqlite.SessionAccount }

// authenticate returns the caller's principal from the session cookie, or
// Unauthorized.
func (s *Server) authenticate(c echo.Context) (*principal, error) {
	ck, err := c.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return nil, errUnauthorized
	}
	h := tokenHash(ck.Value)
	sess, err := s.db.Session(c.Request().Context(), h, s.now())
	if err != nil {
		if meeting.KindOf(err) == meeting.KindNotFound {
			return nil, errUnauthorized
		}
		return nil, err
	}
	return &principal{session: sess, hash: hexHash(h)}, nil
}

// actor resolves the principal's role in room r: a secretary account is a
// secretary in every meeting; a device acts as its participant, in its own
// meeting only, with the participant's current role.
func (s *Server) actor(p *principal, r *room.Room) (meeting.Actor, error) {
	if p.account() {
		return meeting.Actor{ID: "account:" + p.session.Account, Role: meeting.RoleSecretary}, nil
	}
	if p.session.Meeting != r.ID() {
		return meeting.Actor{}, errForbidden
	}
	part, ok := r.Participant(p.session.Participant)
	if !ok {
		return meeting.Actor{}, errUnauthorized // removed from the meeting
	}
	return meeting.Actor{ID: "participant:" + part.ID, Role: part.Role, Participant: part.ID}, nil
}
