// Package server wires the meeting server together: the live rooms (package
// room) over a store (package store: SQLite or PostgreSQL), the web layer
// (package httpapi), the background archiver (package archiver) and the
// keys that seal secret ballots (package ballotseal). It holds no handler
// and no rule of its own; cmd/phonghop builds a Config and calls New.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/archive"
	"github.com/phonghop/phonghop/server/archiver"
	"github.com/phonghop/phonghop/server/ballotseal"
	"github.com/phonghop/phonghop/server/demo"
	"github.com/phonghop/phonghop/server/httpapi"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/room"
	"github.com/phonghop/phonghop/server/store"
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
	// SendQueue is each connection's send queue length (default 64).
	SendQueue int
	// ReplayLimit is the largest gap replayed before a snapshot (default 1000).
	ReplayLimit int
	// PingInterval is how often connections are pinged (default 20 s).
	PingInterval time.Duration
	// Now is the clock (default time.Now); tests may replace it.
	Now func() time.Time
	// Logger receives structured logs (default slog.Default()).
	Logger *slog.Logger
	// Documents stores the bytes of documents (a local folder or S3); nil
	// refuses uploads and downloads.
	Documents docstorage.Store
	// MaxUpload is the largest document file accepted, in bytes (default
	// httpapi.DefaultMaxUpload).
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
	// RenderMinutes renders the minutes for an archive
	// (archiver.RenderMinutes).
	RenderMinutes archiver.Renderer
	// ManyNodes says that other nodes share the store (PostgreSQL): rooms
	// follow their commits (notifications, and a check every
	// FollowInterval), and one node at a time writes archives.
	ManyNodes bool
	// FollowInterval is how often, with ManyNodes, every loaded meeting is
	// checked against the store for commits whose notification was missed
	// (default 5 s).
	FollowInterval time.Duration
	// BallotKeys keeps the keys that seal secret ballots while their poll
	// is open, outside the database (default: a ballotseal.Vault over
	// Documents; without either, secret ballots are refused).
	BallotKeys room.Keys
	// TrustedProxies are the reverse proxies (load balancers) whose
	// X-Forwarded-For is believed; empty: none (the client is the peer).
	TrustedProxies []netip.Prefix
	// MaxSocketsPerSession caps one session's live WebSockets (default
	// httpapi.DefaultMaxSocketsPerSession).
	MaxSocketsPerSession int
	// PairingCodeMax is the longest a pairing code may live (default
	// httpapi.DefaultPairingCodeMax).
	PairingCodeMax time.Duration
}

// Server is the whole meeting server.
type Server struct {
	cfg      Config
	db       store.Store
	rooms    *room.Registry
	api      *httpapi.API
	archiver *archiver.Archiver // nil without archives
	log      *slog.Logger

	// bg is cancelled by Close: it ends the server's own goroutines (the
	// follower of other nodes' commits), waited for by wg.
	bg     context.Context
	stopBG context.CancelFunc
	wg     sync.WaitGroup
}

// New builds the server over the store db. It does not listen: call Start,
// serve Handler() with an http.Server, and call Close after that server's
// Shutdown.
func New(cfg Config, db store.Store) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BallotKeys == nil && cfg.Documents != nil {
		cfg.BallotKeys = ballotseal.NewVault(cfg.Documents)
	}
	if cfg.ManyNodes && cfg.FollowInterval <= 0 {
		cfg.FollowInterval = 5 * time.Second
	}
	if !cfg.ManyNodes {
		cfg.FollowInterval = 0 // one node: every commit is its own
	}
	s := &Server{cfg: cfg, db: db, log: cfg.Logger}
	s.bg, s.stopBG = context.WithCancel(context.Background())
	if cfg.Archives != nil && cfg.ArchiveKey != nil && cfg.RenderMinutes != nil {
		ac := archiver.Config{Log: db, Store: cfg.Archives, Key: cfg.ArchiveKey,
			Render: cfg.RenderMinutes, Logger: cfg.Logger, Now: cfg.Now}
		if cfg.ManyNodes {
			ac.Leases = db
		}
		s.archiver = archiver.New(ac)
	}
	s.rooms = room.NewRegistry(db, room.Options{
		ReplayLimit: cfg.ReplayLimit,
		Now:         cfg.Now,
		Logger:      cfg.Logger,
		Box:         db,
		Keys:        cfg.BallotKeys,
		Observe: func(events, sends int) {
			if s.api != nil {
				s.api.Observe(events, sends)
			}
		},
		ObserveWrite: func(what string, d time.Duration) {
			if s.api != nil {
				s.api.ObserveWrite(what, d)
			}
		},
		OnCommit: func(id string, events []meeting.Event) {
			if s.api != nil {
				s.api.OnCommit(id, events)
			}
			if s.archiver != nil {
				s.archiver.OnCommit(id, events)
			}
		},
	})
	s.api = httpapi.New(httpapi.Options{
		AllowedOrigins: cfg.AllowedOrigins,
		PublicURL:      cfg.PublicURL,
		CookieSecure:   cfg.CookieSecure,
		SendQueue:      cfg.SendQueue,
		PingInterval:   cfg.PingInterval,
		Now:            cfg.Now,
		Logger:         cfg.Logger,
		Documents:      cfg.Documents,
		MaxUpload:      cfg.MaxUpload,
		WorkDir:        cfg.WorkDir,
		ArchiveKey:     cfg.ArchiveKey,
		TrustedProxies: cfg.TrustedProxies,

		MaxSocketsPerSession: cfg.MaxSocketsPerSession,
		PairingCodeMax:       cfg.PairingCodeMax,
	}, db, s.rooms, s.archiver)
	return s
}

// Handler returns the HTTP handler of the whole server.
func (s *Server) Handler() http.Handler { return s.api.Handler() }

// Rooms returns the live room registry (for tests).
func (s *Server) Rooms() *room.Registry { return s.rooms }

// Routes lists the server's routes as "METHOD /path" (for the OpenAPI test).
func (s *Server) Routes() []string { return s.api.Routes() }

// Start does what must be done before the server serves anything: it
// finishes closing the secret polls a crash interrupted (their ballots
// rewritten, their keys destroyed: see room.Registry.FinaliseSecretPolls),
// starts following the commits of other nodes sharing the store, and starts
// the archiver. Failures to finalise a poll are logged and retried by the
// room; only an unreachable store fails Start.
func (s *Server) Start(ctx context.Context) error {
	if err := s.db.Ping(ctx); err != nil {
		return err
	}
	if err := s.rooms.FinaliseSecretPolls(ctx); err != nil {
		s.log.Error("finishing the close of secret polls at start", "err", err)
	}
	notes, err := s.db.Listen(s.bg)
	if err != nil {
		return err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.rooms.Follow(s.bg, notes, s.cfg.FollowInterval)
	}()
	if s.archiver != nil {
		s.archiver.Start()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.sweep(s.bg, time.Hour)
	}()
	if s.cfg.ManyNodes {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.api.Revalidate(s.bg, time.Minute)
		}()
	}
	return nil
}

// sweep deletes expired sessions, pairing codes and failure counts every
// interval until ctx is done (they are already ignored once expired: this
// only reclaims space). Every node may run it; the deletes are idempotent.
func (s *Server) sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		now := s.cfg.Now()
		_, err1 := s.db.DeleteExpiredSessions(ctx, now)
		_, err2 := s.db.DeleteExpiredPairingCodes(ctx, now)
		_, err3 := s.db.DeleteExpiredFailures(ctx, now, 48*time.Hour)
		if err := errors.Join(err1, err2, err3); err != nil && ctx.Err() == nil {
			s.log.Warn("sweeping expired sessions, codes and counts", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close closes every WebSocket with "going away" (1001) and waits for their
// goroutines, records the last ballots in the log and stops the archiver,
// or gives up when ctx is done. Call it after http.Server.Shutdown, which
// does not touch hijacked connections.
func (s *Server) Close(ctx context.Context) error {
	s.stopBG()
	err := s.api.Close(ctx)
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return errors.Join(err, ctx.Err())
	}
	s.rooms.Stop(ctx) // record the last ballots in the log
	if s.archiver != nil {
		err = errors.Join(err, s.archiver.Close(ctx)) // an unfinished archive is completed at the next start
	}
	return err
}

// LoadDemo creates the demo meeting (see package demo) as account.
func (s *Server) LoadDemo(ctx context.Context, account string, n int) (demo.Meeting, error) {
	return demo.Load(ctx, s.rooms, s.api, account, n, s.cfg.Now())
}
