package archive

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	docstorage "github.com/phonghop/phonghop/docs-storage"
)

// KeyFile is the name of the server's signing key in the data directory.
const KeyFile = "archive-signing.key"

// ShortFingerprintLen is the number of hex digits of the short fingerprint.
const ShortFingerprintLen = 16

// Key is the server's Ed25519 archive signing key.
type Key struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
}

// LoadOrCreateKey loads <dir>/archive-signing.key, creating it (mode 0600)
// on first use. The file is a PEM block "PRIVATE KEY" holding the key in
// PKCS #8 form, as `openssl genpkey -algorithm ed25519` writes it. created
// reports whether the key was made now.
func LoadOrCreateKey(dir string) (k *Key, created bool, err error) {
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, err := NewKey()
		if err != nil {
			return nil, false, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			return nil, false, err
		}
		data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		// O_EXCL: two processes starting at once must not end up with
		// different keys on disk and in memory.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateKey(dir)
		}
		if err != nil {
			return nil, false, fmt.Errorf("create %s: %w", path, err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			os.Remove(path)
			return nil, false, fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(path)
			return nil, false, err
		}
		if err := f.Close(); err != nil {
			return nil, false, err
		}
		return k, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	k, err = ParsePrivateKey(b)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	return k, false, nil
}

// NewKey makes a fresh random key.
func NewKey() (*Key, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Key{priv: priv, pub: pub}, nil
}

// ParsePrivateKey reads a PEM "PRIVATE KEY" (PKCS #8) Ed25519 key.
func ParsePrivateKey(b []byte) (*Key, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM \"PRIVATE KEY\" block")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("not an Ed25519 key (%T)", k)
	}
	return &Key{priv: priv, pub: priv.Public().(ed25519.PublicKey)}, nil
}

// Sign signs msg.
func (k *Key) Sign(msg []byte) []byte { return ed25519.Sign(k.priv, msg) }

// Public returns the public key.
func (k *Key) Public() ed25519.PublicKey { return k.pub }

// PublicPEM returns the public key as a PEM "PUBLIC KEY" block (PKIX), the
// form of public-key.pem in an archive.
func (k *Key) PublicPEM() []byte { return PublicPEM(k.pub) }

// Fingerprint returns the key's fingerprint (see Fingerprint).
func (k *Key) Fingerprint() string { return Fingerprint(k.pub) }

// PublicPEM encodes pub as a PEM "PUBLIC KEY" block (PKIX).
func PublicPEM(pub ed25519.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub) // cannot fail for Ed25519
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Fingerprint returns the lower-case hex SHA-256 of the DER (PKIX) encoding
// of pub, the same as
//
//	openssl pkey -pubin -in public-key.pem -outform DER | sha256sum
func Fingerprint(pub ed25519.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// Short returns the first ShortFingerprintLen hex digits of a fingerprint,
// grouped by four ("1a2b-3c4d-5e6f-7a8b"), for people to compare by eye.
func Short(fingerprint string) string {
	if len(fingerprint) < ShortFingerprintLen {
		return fingerprint
	}
	f := fingerprint[:ShortFingerprintLen]
	return f[0:4] + "-" + f[4:8] + "-" + f[8:12] + "-" + f[12:16]
}

// ParsePublicKey reads an Ed25519 public key given as a PEM "PUBLIC KEY"
// block, as base64 of its PKIX DER, or as base64 of the raw 32 bytes.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	der := b
	if blk, _ := pem.Decode(b); blk != nil {
		if blk.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("PEM block %q, want \"PUBLIC KEY\"", blk.Type)
		}
		der = blk.Bytes
	} else {
		d, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, errors.New("neither PEM nor base64")
		}
		if len(d) == ed25519.PublicKeySize {
			return ed25519.PublicKey(d), nil
		}
		der = d
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("not an Ed25519 key (%T)", k)
	}
	return pub, nil
}

// Trust is the key an archive is expected to be signed with: a full public
// key, or only a fingerprint (full, or a prefix of at least
// ShortFingerprintLen hex digits, as Short prints it).
type Trust struct {
	// Key is the trusted public key, if known.
	Key ed25519.PublicKey
	// Fingerprint is the lower-case hex fingerprint or prefix of it.
	Fingerprint string
}

// ParseTrust reads a trusted key given as a fingerprint (hex, separators
// "-", ":" and spaces ignored, at least ShortFingerprintLen digits), a PEM
// or base64 public key, or the path of a file holding a PEM public key.
func ParseTrust(s string) (Trust, error) {
	s = strings.TrimSpace(s)
	hexs := strings.ToLower(strings.NewReplacer("-", "", ":", "", " ", "").Replace(s))
	if len(hexs) >= ShortFingerprintLen && len(hexs) <= 64 {
		if _, err := hex.DecodeString(hexs[:len(hexs)&^1]); err == nil && strings.Trim(hexs, "0123456789abcdef") == "" {
			return Trust{Fingerprint: hexs}, nil
		}
	}
	b := []byte(s)
	if !strings.Contains(s, "-----BEGIN") {
		if data, err := os.ReadFile(s); err == nil {
			b = data
		}
	}
	pub, err := ParsePublicKey(b)
	if err != nil {
		return Trust{}, fmt.Errorf("trusted key %q: want a fingerprint (≥%d hex digits), a PEM or base64 public key, or a PEM file: %w", abbreviate(s), ShortFingerprintLen, err)
	}
	return Trust{Key: pub, Fingerprint: Fingerprint(pub)}, nil
}

// Matches reports whether pub is the trusted key.
func (t Trust) Matches(pub ed25519.PublicKey) bool {
	if t.Key != nil {
		return t.Key.Equal(pub)
	}
	return t.Fingerprint != "" && strings.HasPrefix(Fingerprint(pub), t.Fingerprint)
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// ObjectKeyName is where nodes sharing object storage keep the signing key
// (LoadOrCreateKeyIn).
const ObjectKeyName = "keys/" + KeyFile

// Objects is the part of a docstorage.Store the shared signing key needs.
type Objects interface {
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	Create(ctx context.Context, key string, r io.Reader, size int64, meta docstorage.Meta) error
}

// LoadOrCreateKeyIn is LoadOrCreateKey for many nodes: the key is the
// object ObjectKeyName of objects (the documents bucket), created on first
// use with an atomic create, so nodes starting at once all end up with the
// one key that was stored. Whoever can read that bucket can read the key:
// give the nodes' bucket credentials to no one else.
func LoadOrCreateKeyIn(ctx context.Context, objects Objects) (k *Key, created bool, err error) {
	for range 3 {
		rc, err := objects.Open(ctx, ObjectKeyName, 0, -1)
		if err == nil {
			b, err := io.ReadAll(io.LimitReader(rc, 1<<16))
			rc.Close()
			if err != nil {
				return nil, false, fmt.Errorf("read %s: %w", ObjectKeyName, err)
			}
			k, err := ParsePrivateKey(b)
			if err != nil {
				return nil, false, fmt.Errorf("%s: %w", ObjectKeyName, err)
			}
			return k, false, nil
		}
		if docstorage.KindOf(err) != docstorage.NotFound {
			return nil, false, fmt.Errorf("read %s: %w", ObjectKeyName, err)
		}
		k, err := NewKey()
		if err != nil {
			return nil, false, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			return nil, false, err
		}
		data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		switch err := objects.Create(ctx, ObjectKeyName, bytes.NewReader(data), int64(len(data)), docstorage.Meta{ContentType: "application/x-pem-file"}); docstorage.KindOf(err) {
		case "":
			return k, true, nil
		case docstorage.Conflict: // another node stored one first: use it
		default:
			return nil, false, fmt.Errorf("store %s: %w", ObjectKeyName, err)
		}
	}
	return nil, false, fmt.Errorf("%s: could not be read or created", ObjectKeyName)
}
