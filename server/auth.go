package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/phonghop/phonghop/server/meeting"
)

// argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes, 1
// lane), which keeps a login well under 100 ms on a small server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id hash of password in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash (from HashPassword),
// in constant time.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// newToken returns a random session token (256 bits, URL-safe).
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is what the database stores of a token (or pairing code): its
// SHA-256. A stolen database gives no usable session.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// pairingAlphabet avoids look-alike characters (0/O, 1/I/L) so codes read
// aloud or typed on a tablet are unambiguous. 31 symbols, 8 of them: ~39.6
// bits; with single use, a life of a day by default (at most
// Config.PairingCodeMax, a week by default) and failures rate limited to
// 300 per 10 minutes overall, a guess hits one of 1,600 live codes with
// odds of about 1 in 1,700 over a whole week.
const pairingAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// newPairingCode returns a random code like "K7QM-3XTA".
func newPairingCode() string {
	var b [8]byte
	out := make([]byte, 0, 9)
	for i := 0; i < 8; {
		if _, err := rand.Read(b[:1]); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		// Rejection sampling keeps the distribution uniform.
		if int(b[0]) >= 256-256%len(pairingAlphabet) {
			continue
		}
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, pairingAlphabet[int(b[0])%len(pairingAlphabet)])
		i++
	}
	return string(out)
}

// normalizeCode canonicalises a typed code: upper case, no spaces or dashes,
// then the dash put back, so "k7qm 3xta" redeems "K7QM-3XTA".
func normalizeCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r == ' ' || r == '-' {
			continue
		}
		b.WriteRune(r)
	}
	s := b.String()
	if len(s) == 8 {
		return s[:4] + "-" + s[4:]
	}
	return s
}

// randomID returns a random lower-case identifier of n characters.
func randomID(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)] // 256 % 32 == 0: uniform
	}
	return string(b)
}

// failLimiter limits failed attempts (wrong pairing codes, wrong passwords)
// per client address and overall, in fixed windows. Successes are not
// counted, so a hall of 1,600 tablets behind one address can pair at once,
// while guessing is slowed to a handful of tries a window.
type failLimiter struct {
	perKey int           // failures allowed per key per window
	global int           // failures allowed in total per window
	window time.Duration // window length

	// mu guards the fields below.
	mu    sync.Mutex
	start time.Time
	byKey map[string]int
	total int
}

func newFailLimiter(perKey, global int, window time.Duration) *failLimiter {
	return &failLimiter{perKey: perKey, global: global, window: window, byKey: map[string]int{}}
}

// allow reports whether key may try now.
func (l *failLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(now)
	return l.byKey[key] < l.perKey && l.total < l.global
}

// fail records a failed attempt by key.
func (l *failLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(now)
	l.byKey[key]++
	l.total++
}

// roll starts a new window when the current one is over. l.mu must be held.
func (l *failLimiter) roll(now time.Time) {
	if d := now.Sub(l.start); d >= l.window || d < 0 { // also if the clock went back
		l.start = now
		clear(l.byKey)
		l.total = 0
	}
}

var errRateLimited = &meeting.Error{Kind: KindRateLimited, Message: "Đồng chí đã thử sai quá nhiều lần; xin đợi vài phút rồi thử lại.", MessageEN: "too many failed attempts; wait a few minutes and try again"}

// hexHash is a session token hash as a map key.
func hexHash(h []byte) string { return hex.EncodeToString(h) }
