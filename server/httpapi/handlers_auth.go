package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phonghop/phonghop/server/auth"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// dummyHash is checked against when an account does not exist, so a wrong
// user name takes as long as a wrong password.
var dummyHash, _ = auth.HashPassword("phonghop-dummy-password")

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type accountView struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// handleLogin checks a secretary's password and starts an account session.
func (s *API) handleLogin(c echo.Context) error {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	now := s.now()
	ip := clientIP(c)
	ctx := c.Request().Context()
	release, err := s.guard.LoginAllowed(ctx, ip, req.Username)
	if err != nil {
		return err
	}
	defer release()
	acct, err := s.db.Account(ctx, strings.TrimSpace(req.Username))
	hash := acct.PasswordHash
	if err != nil {
		if meeting.KindOf(err) != meeting.KindNotFound {
			return err
		}
		hash = dummyHash
	}
	if !auth.CheckPassword(hash, req.Password) || err != nil {
		if err := s.guard.LoginFailed(ctx, ip, req.Username); err != nil {
			return err
		}
		return &meeting.Error{Kind: meeting.KindUnauthorized, Message: "Sai tên đăng nhập hoặc mật khẩu.", MessageEN: "wrong user name or password"}
	}
	token := auth.NewToken()
	sess := store.Session{TokenHash: auth.TokenHash(token), Kind: store.SessionAccount, Account: acct.Username, CreatedAt: now, ExpiresAt: now.Add(accountSessionTTL)}
	if err := s.db.CreateSession(ctx, sess); err != nil {
		return err
	}
	s.setCookie(c, token, accountSessionTTL)
	s.log.Info("login", "account", acct.Username)
	return c.JSON(http.StatusOK, map[string]any{"account": accountView{Username: acct.Username, DisplayName: acct.DisplayName}})
}

// setCookie sets the session cookie: HttpOnly (scripts cannot read it) and
// SameSite=Strict (no cross-site request carries it).
func (s *API) setCookie(c echo.Context, token string, ttl time.Duration) {
	c.SetCookie(&http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.CookieSecure, MaxAge: int(ttl.Seconds())})
}

// handleLogout ends the caller's session and closes its WebSockets.
func (s *API) handleLogout(c echo.Context) error {
	p, err := s.authenticate(c)
	if err != nil {
		return err
	}
	if err := s.db.DeleteSession(c.Request().Context(), p.session.TokenHash); err != nil {
		return err
	}
	s.conns.closeSession(p.hash, closeSessionEnded, "đã đăng xuất / logged out")
	c.SetCookie(&http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.cfg.CookieSecure, MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}

type meView struct {
	Kind        string       `json:"kind"` // "account" or "device"
	Account     *accountView `json:"account,omitempty"`
	Meeting     string       `json:"meeting,omitempty"`
	Participant string       `json:"participant,omitempty"`
	Role        meeting.Role `json:"role"`
	Name        string       `json:"name,omitempty"`
}

// handleMe tells the caller who they are.
func (s *API) handleMe(c echo.Context) error {
	p, err := s.authenticate(c)
	if err != nil {
		return err
	}
	if p.account() {
		acct, err := s.db.Account(c.Request().Context(), p.session.Account)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, meView{Kind: "account", Role: meeting.RoleSecretary, Account: &accountView{Username: acct.Username, DisplayName: acct.DisplayName}})
	}
	r, err := s.rooms.Get(c.Request().Context(), p.session.Meeting)
	if err != nil {
		return err
	}
	part, ok, err := r.FindParticipant(c.Request().Context(), p.session.Participant)
	if err != nil {
		return err
	}
	if !ok {
		return errUnauthorized
	}
	if err := s.deviceAllowed(p, part.Role, r); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, meView{Kind: "device", Meeting: r.ID(), Participant: part.ID, Role: part.Role, Name: part.Name})
}

type pairRequest struct {
	Code string `json:"code"`
}

type pairResponse struct {
	Meeting     string       `json:"meeting"`
	Participant string       `json:"participant"`
	Role        meeting.Role `json:"role"`
	Name        string       `json:"name"`
}

// handlePair redeems a one-time pairing code: the tablet gets a device
// session bound to one participant of one meeting.
func (s *API) handlePair(c echo.Context) error {
	var req pairRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	now := s.now()
	ctx := c.Request().Context()
	code := auth.NormalizeCode(req.Code)
	// The code is redeemed and the device session stored in one durable
	// write, shared with the concurrent pairings (see store.PairDevice).
	token := auth.NewToken()
	pc, err := s.db.PairDevice(ctx, auth.TokenHash(code), now, store.Session{TokenHash: auth.TokenHash(token), Kind: store.SessionDevice, CreatedAt: now, ExpiresAt: now.Add(deviceSessionTTL)})
	if err != nil {
		if meeting.KindOf(err) == meeting.KindNotFound {
			// A valid code never gets here: limits apply to wrong ones only.
			return s.guard.PairFailed(ctx, clientIP(c), &meeting.Error{Kind: meeting.KindUnauthorized,
				Message: "Mã ghép nối không đúng, đã dùng hoặc đã hết hạn.", MessageEN: "the pairing code is wrong, used or expired"})
		}
		return err
	}
	part, err := s.pairedParticipant(ctx, pc)
	if err != nil {
		// The code is spent and its session must not outlive the refusal.
		if err2 := s.db.DeleteSession(context.WithoutCancel(ctx), auth.TokenHash(token)); err2 != nil {
			s.log.Warn("delete refused pairing's session", "meeting", pc.Meeting, "participant", pc.Participant, "err", err2)
		}
		return err
	}
	r, err := s.rooms.Get(ctx, pc.Meeting)
	if err != nil {
		return err
	}
	if _, st := r.Summary(); st != meeting.StatusClosed {
		// Batched with the pairings of the same moment (see pairingLog).
		if err := s.pairings.record(ctx, r, part.ID); err != nil {
			s.log.Warn("record pairing", "meeting", r.ID(), "participant", part.ID, "err", err)
		}
	}
	s.setCookie(c, token, deviceSessionTTL)
	s.log.Info("paired", "meeting", r.ID(), "participant", part.ID)
	return c.JSON(http.StatusOK, pairResponse{Meeting: r.ID(), Participant: part.ID, Role: part.Role, Name: part.Name})
}

// pairedParticipant returns the participant a redeemed code pairs, or why
// the pairing is refused (an archived meeting, a removed participant).
func (s *API) pairedParticipant(ctx context.Context, pc store.PairingCode) (meeting.Participant, error) {
	r, err := s.rooms.Get(ctx, pc.Meeting)
	if err != nil {
		return meeting.Participant{}, err
	}
	if s.archived(r) {
		return meeting.Participant{}, errArchivedCodes
	}
	part, ok, err := r.FindParticipant(ctx, pc.Participant)
	if err != nil {
		return meeting.Participant{}, err
	}
	if !ok {
		return meeting.Participant{}, &meeting.Error{Kind: meeting.KindUnauthorized, Message: "Người tham dự không còn trong cuộc họp.", MessageEN: "the participant is no longer in the meeting"}
	}
	return part, nil
}
