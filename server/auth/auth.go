// Package auth holds the server's credentials logic: argon2id password
// hashes, session tokens and pairing codes (only their SHA-256 is stored),
// the first secretary account, and the limiter of failed attempts.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

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

// NewToken returns a random session token (256 bits, URL-safe).
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is what the database stores of a token (or pairing code): its
// SHA-256. A stolen database gives no usable session.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// pairingAlphabet avoids look-alike characters (0/O, 1/I/L) so codes read
// aloud or typed on a tablet are unambiguous. 31 symbols, 12 of them: 59.4
// bits. That, not a lockout, is what makes guessing hopeless (a lockout
// would let anyone lock a hall's tablets out; see Guard and
// docs/security.md): with 1,600 live codes, which may live a week
// (httpapi.DefaultPairingCodeMax), an attacker answered 10,000 times a
// second needs on average about 500 years to hit one.
const pairingAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// PairingCodeLen is the number of symbols of a pairing code.
const PairingCodeLen = 12

// NewPairingCode returns a random code like "K7QM-3XTA-9PQR".
func NewPairingCode() string {
	var b [1]byte
	out := make([]byte, 0, PairingCodeLen+PairingCodeLen/4-1)
	for i := 0; i < PairingCodeLen; {
		if _, err := rand.Read(b[:]); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		// Rejection sampling keeps the distribution uniform.
		if int(b[0]) >= 256-256%len(pairingAlphabet) {
			continue
		}
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, pairingAlphabet[int(b[0])%len(pairingAlphabet)])
		i++
	}
	return string(out)
}

// NormalizeCode canonicalises a typed code: upper case, no spaces or
// dashes, then the dashes put back every four symbols, so
// "k7qm 3xta 9pqr" redeems "K7QM-3XTA-9PQR".
func NormalizeCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r == ' ' || r == '-' {
			continue
		}
		if b.Len() > 0 && b.Len()%5 == 4 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// RandomID returns a random lower-case identifier of n characters.
func RandomID(n int) string {
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

// KindRateLimited is the error kind of a request refused because too many
// attempts failed (HTTP 429).
const KindRateLimited meeting.Kind = "rate_limited"

// HexHash is a session token hash as a map key.
func HexHash(h []byte) string { return hex.EncodeToString(h) }
