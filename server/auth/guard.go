package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// Guard decides what failed pairing codes and failed logins cost, with
// counters shared by every node (store.Limits). Its rules, and why they
// cannot be turned against a meeting, are in docs/security.md:
//
//   - A pairing code is never refused when it is valid: whatever anyone
//     else has tried, from wherever, a tablet with a valid code pairs. The
//     defence against guessing is the code's entropy (12 symbols of 31,
//     59 bits, single use, with an expiry); the counters only tell a
//     source that keeps failing to wait (429 with Retry-After), and slow
//     every wrong answer while the whole server sees a flood.
//   - A password is low-entropy, so a source that keeps failing on an
//     account is refused for that account (a backoff that grows from a
//     10-minute window to a day); a source failing on many accounts is
//     refused; an account attacked from many sources is never locked:
//     the attempts of sources that already failed on it are slowed to one
//     a second per node, and a source that has not failed on it (its
//     owner, most likely) is not queued behind them.
type Guard struct {
	limits store.Limits
	now    func() time.Time

	// slowSem bounds the wrong answers being held back at once during a
	// flood, so holding them costs a bounded number of goroutines.
	slowSem chan struct{}

	// mu guards accountLocks.
	mu           sync.Mutex
	accountLocks map[string]*accountLock
}

// accountLock serialises the login attempts on one account on this node
// while it is under attack.
type accountLock struct {
	mu    sync.Mutex // held by the attempt whose turn it is
	last  time.Time  // when the last attempt started; guarded by Guard.mu
	users int        // attempts holding or waiting for mu; guarded by Guard.mu
}

// The policy. Windows are fixed (store.Limits).
const (
	shortWindow = 10 * time.Minute
	longWindow  = 24 * time.Hour

	pairPerSource      = 10  // wrong codes per source per short window before 429s
	pairPerSourceDay   = 100 // per day: then the Retry-After is the day's end
	pairFlood          = 300 // wrong codes from everywhere per short window: slow every wrong answer
	floodDelay         = time.Second
	loginPerPair       = 5  // wrong passwords per (source, account) per short window
	loginPerPairDay    = 20 // per day
	loginPerSource     = 30 // wrong passwords per source (all accounts) per short window
	loginAccountAttack = 20 // wrong passwords on one account per short window: slow its attempts
	loginSpacing       = time.Second
	maxSlowed          = 64 // wrong answers held back at once
)

// NewGuard returns a Guard over limits.
func NewGuard(limits store.Limits, now func() time.Time) *Guard {
	if now == nil {
		now = time.Now
	}
	return &Guard{limits: limits, now: now, slowSem: make(chan struct{}, maxSlowed), accountLocks: map[string]*accountLock{}}
}

// RateLimited is the error of an attempt refused for now; RetryAfter says
// for how long.
type RateLimited struct {
	Err        *meeting.Error
	RetryAfter time.Duration
}

func (e *RateLimited) Error() string { return e.Err.Error() }

// Unwrap lets errors.As find the *meeting.Error.
func (e *RateLimited) Unwrap() error { return e.Err }

func rateLimited(retry time.Duration, what string) *RateLimited {
	secs := int((retry + time.Second - 1) / time.Second)
	return &RateLimited{RetryAfter: retry, Err: &meeting.Error{Kind: KindRateLimited,
		Message:   fmt.Sprintf("Đồng chí đã %s sai quá nhiều lần; vui lòng kiểm tra lại và thử lại sau %s.", what, viDuration(secs)),
		MessageEN: fmt.Sprintf("too many failed attempts; check and try again in %s", enDuration(secs))}}
}

func viDuration(secs int) string {
	if secs >= 3600 {
		return fmt.Sprintf("%d giờ", (secs+3599)/3600)
	}
	if secs >= 60 {
		return fmt.Sprintf("%d phút", (secs+59)/60)
	}
	return fmt.Sprintf("%d giây", secs)
}

func enDuration(secs int) string {
	if secs >= 3600 {
		return fmt.Sprintf("%d h", (secs+3599)/3600)
	}
	if secs >= 60 {
		return fmt.Sprintf("%d min", (secs+59)/60)
	}
	return fmt.Sprintf("%d s", secs)
}

// untilWindowEnd returns how long until the window of length w containing
// now ends.
func untilWindowEnd(now time.Time, w time.Duration) time.Duration {
	n := now.UnixNano()
	return time.Duration(int64(w) - n%int64(w))
}

// PairFailed records a wrong pairing code from source and returns the error
// to answer with: the plain "wrong code" error, or a RateLimited when the
// source keeps failing. During a flood (many wrong codes from everywhere)
// it first holds the answer back for a second. It never affects a valid
// code: the caller checks the code first and calls PairFailed only when it
// was wrong.
func (g *Guard) PairFailed(ctx context.Context, source string, wrong error) error {
	now := g.now()
	nAll, err := g.limits.AddFailure(ctx, "pair:all", now, shortWindow)
	if err != nil {
		return err
	}
	nSrc, err := g.limits.AddFailure(ctx, "pair:src:"+source, now, shortWindow)
	if err != nil {
		return err
	}
	nDay, err := g.limits.AddFailure(ctx, "pair:src-day:"+source, now, longWindow)
	if err != nil {
		return err
	}
	if nAll > pairFlood {
		g.slow(ctx)
	}
	switch {
	case nDay > pairPerSourceDay:
		return rateLimited(untilWindowEnd(now, longWindow), "nhập mã ghép nối")
	case nSrc > pairPerSource:
		return rateLimited(untilWindowEnd(now, shortWindow), "nhập mã ghép nối")
	}
	return wrong
}

// slow holds a wrong answer back for floodDelay, unless maxSlowed are held
// already (then it returns at once: holding more would cost the server,
// not the attacker).
func (g *Guard) slow(ctx context.Context) {
	select {
	case g.slowSem <- struct{}{}:
	default:
		return
	}
	defer func() { <-g.slowSem }()
	t := time.NewTimer(floodDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// accountKey is the counter key of a user name as typed (case-folded, so
// "ThuKy" and "thuky" share it).
func accountKey(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

// LoginAllowed reports whether source may try a password for username now:
// a RateLimited error if that source failed too often on that account, or
// on accounts in general. If the account is under attack from many
// sources, the attempt is not refused but waits its turn (one a second on
// this node); call the returned release when the attempt is over.
func (g *Guard) LoginAllowed(ctx context.Context, source, username string) (release func(), err error) {
	now := g.now()
	acct := accountKey(username)
	check := []struct {
		key   string
		w     time.Duration
		limit int
	}{
		{"login:pair-day:" + source + "|" + acct, longWindow, loginPerPairDay},
		{"login:pair:" + source + "|" + acct, shortWindow, loginPerPair},
		{"login:src:" + source, shortWindow, loginPerSource},
	}
	var pairFailures int
	for i, c := range check {
		n, err := g.limits.Failures(ctx, c.key, now, c.w)
		if err != nil {
			return nil, err
		}
		if n >= c.limit {
			return nil, rateLimited(untilWindowEnd(now, c.w), "nhập mật khẩu")
		}
		if i == 1 {
			pairFailures = n
		}
	}
	n, err := g.limits.Failures(ctx, "login:acct:"+acct, now, shortWindow)
	if err != nil {
		return nil, err
	}
	// Under attack, a source that already failed on this account waits its
	// turn; a source that has not (the owner, most likely) goes straight
	// through, so queued attackers cannot starve it.
	if n < loginAccountAttack || pairFailures == 0 {
		return func() {}, nil
	}
	return g.takeTurn(ctx, acct)
}

// takeTurn waits until this node's previous attempt on the account is over
// and at least loginSpacing has passed since it started.
func (g *Guard) takeTurn(ctx context.Context, acct string) (func(), error) {
	g.mu.Lock()
	now := time.Now()
	for k, l := range g.accountLocks { // forget accounts quiet for a minute
		if l.users == 0 && now.Sub(l.last) > time.Minute {
			delete(g.accountLocks, k)
		}
	}
	l := g.accountLocks[acct]
	if l == nil {
		l = &accountLock{}
		g.accountLocks[acct] = l
	}
	l.users++
	g.mu.Unlock()
	leave := func() {
		g.mu.Lock()
		l.users--
		g.mu.Unlock()
	}
	l.mu.Lock()
	g.mu.Lock()
	wait := loginSpacing - time.Since(l.last)
	g.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			l.mu.Unlock()
			leave()
			return nil, ctx.Err()
		}
	}
	g.mu.Lock()
	l.last = time.Now()
	g.mu.Unlock()
	return func() { l.mu.Unlock(); leave() }, nil
}

// LoginFailed records a wrong password from source for username.
func (g *Guard) LoginFailed(ctx context.Context, source, username string) error {
	now := g.now()
	acct := accountKey(username)
	for _, c := range []struct {
		key string
		w   time.Duration
	}{
		{"login:pair-day:" + source + "|" + acct, longWindow},
		{"login:pair:" + source + "|" + acct, shortWindow},
		{"login:src:" + source, shortWindow},
		{"login:acct:" + acct, shortWindow},
	} {
		if _, err := g.limits.AddFailure(ctx, c.key, now, c.w); err != nil {
			return err
		}
	}
	return nil
}
