// Package ballotseal seals secret ballots while their poll is open, under a
// key per poll that the database never sees.
//
// Why: a database writes what it is given in order. A secret ballot stored
// in the same commit as its voter's "has voted" row sits beside it in the
// write-ahead log (SQLite's WAL, PostgreSQL's WAL and heap), and no store
// can promise to erase that order everywhere (PostgreSQL's WAL may be
// archived). So the room seals each secret ballot before the store sees it
// (AES-256-GCM, a fresh random nonce, the meeting and poll as associated
// data), and at the close it opens them, counts them, has the store rewrite
// them in plain text in a random order (store.BallotBox.ReplaceSecretBallots)
// and destroys the key. What the database kept of the open poll, in order,
// is then ciphertext under a key that no longer exists.
//
// The key lives in object storage (Vault over a docstorage.Store: the local
// documents folder on one node, the S3/MinIO bucket for many), created once
// per poll with an atomic create so every node seals under the same key,
// and deleted at the close. See docs/ballots.md for the threat model: while
// a poll is open, whoever copies both the database and the key can link
// ballots to voters as finely as the group commits; after the close, no one.
package ballotseal

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"strings"

	docstorage "github.com/phonghop/phonghop/docs-storage"
	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// Key seals the secret ballots of one poll.
type Key [32]byte

// The first byte of a sealed ballot. A plain ballot is JSON and starts with
// '{', so the two never look alike.
const (
	version1 = 0x01 // the plain ballot sealed as it is
	version  = 0x02 // the plain ballot, length-prefixed and padded (Seal)
)

// Sealed reports whether data is a sealed ballot (not a plain JSON one).
func Sealed(data []byte) bool { return len(data) > 0 && (data[0] == version || data[0] == version1) }

// padTo is the granularity of a padded ballot's length.
const padTo = 64

// aad binds a sealed ballot to its poll: it cannot be moved to another.
func aad(meetingID, poll string) []byte { return []byte(meetingID + "\x00" + poll) }

func (k *Key) aead() cipher.AEAD {
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return g
}

// Seal returns plain sealed for the poll: version, nonce, ciphertext. The
// ciphertext's length would give away the ballot's (a "đồng ý" is shorter
// than a "không đồng ý", an election ballot grows with the names kept), so
// plain is first prefixed with its length and padded with zeros to size
// bytes — the same size for every ballot of the poll (PadSize), which is
// then what every sealed ballot of the poll measures. (A ballot longer than
// size, which PadSize makes impossible, is padded to a multiple of 64.)
func (k *Key) Seal(meetingID, poll string, plain []byte, size int) []byte {
	g := k.aead()
	n := max(size, (4+len(plain)+padTo-1)/padTo*padTo)
	framed := make([]byte, n)
	binary.BigEndian.PutUint32(framed, uint32(len(plain)))
	copy(framed[4:], plain)
	out := make([]byte, 1+g.NonceSize(), 1+g.NonceSize()+n+g.Overhead())
	out[0] = version
	rand.Read(out[1:]) // never fails (crypto/rand since Go 1.24)
	return g.Seal(out, out[1:1+g.NonceSize()], framed, aad(meetingID, poll))
}

// PadSize returns the size every sealed ballot of a poll is padded to, given
// the IDs of the names on its ballot (candidates or people rated): room for
// the largest valid ballot of the poll (each name in a list or a map with a
// short value, plus the fixed fields), rounded up to 64 bytes.
func PadSize(names []string) int {
	n := 256
	for _, id := range names {
		n += len(id) + 40
	}
	return (n + padTo - 1) / padTo * padTo
}

// Open returns the plain ballot of sealed; an error if it was not sealed
// under this key for this poll, or was altered.
func (k *Key) Open(meetingID, poll string, sealed []byte) ([]byte, error) {
	g := k.aead()
	if !Sealed(sealed) || len(sealed) < 1+g.NonceSize()+g.Overhead() {
		return nil, errors.New("ballotseal: not a sealed ballot")
	}
	n := 1 + g.NonceSize()
	plain, err := g.Open(nil, sealed[1:n], sealed[n:], aad(meetingID, poll))
	if err != nil || sealed[0] == version1 {
		return plain, err
	}
	if len(plain) < 4 {
		return nil, errors.New("ballotseal: a padded ballot without its length")
	}
	l := binary.BigEndian.Uint32(plain)
	if uint64(l) > uint64(len(plain)-4) {
		return nil, errors.New("ballotseal: a padded ballot's length exceeds it")
	}
	return plain[4 : 4+l], nil
}

// prefix is where the keys live in the object store.
const prefix = "ballot-keys/"

// Vault keeps the keys in a docstorage.Store.
type Vault struct {
	objects docstorage.Store
}

// NewVault returns a Vault over objects.
func NewVault(objects docstorage.Store) *Vault { return &Vault{objects: objects} }

// objectKey returns the object key of a poll's key. Meeting and poll IDs
// are made by the server from [a-z0-9]; anything else is refused.
func objectKey(meetingID, poll string) (string, error) {
	k := prefix + meetingID + "/" + poll
	if meetingID == "" || poll == "" || strings.ContainsAny(meetingID+poll, "/") || docstorage.ValidKey(k) != nil {
		return "", meeting.Errorf(meeting.KindInvalid, "Mã cuộc họp hoặc biểu quyết không hợp lệ.", "invalid meeting or poll ID")
	}
	return k, nil
}

// Key returns the poll's key, creating it if it does not exist. Concurrent
// callers, on any node sharing the object store, get the same key.
func (v *Vault) Key(ctx context.Context, meetingID, poll string) (*Key, error) {
	k, err := v.Lookup(ctx, meetingID, poll)
	if err != nil || k != nil {
		return k, err
	}
	name, _ := objectKey(meetingID, poll)
	var fresh Key
	rand.Read(fresh[:])
	switch err := v.objects.Create(ctx, name, bytes.NewReader(fresh[:]), int64(len(fresh)), docstorage.Meta{}); docstorage.KindOf(err) {
	case "":
		return &fresh, nil
	case docstorage.Conflict: // another node created it first: use theirs
		k, err := v.Lookup(ctx, meetingID, poll)
		if err == nil && k == nil {
			err = errors.New("ballotseal: key vanished after a conflicting create")
		}
		return k, wrap(err)
	default:
		return nil, wrap(err)
	}
}

// Lookup returns the poll's key, or nil, nil if there is none.
func (v *Vault) Lookup(ctx context.Context, meetingID, poll string) (*Key, error) {
	name, err := objectKey(meetingID, poll)
	if err != nil {
		return nil, err
	}
	rc, err := v.objects.Open(ctx, name, 0, -1)
	if docstorage.KindOf(err) == docstorage.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	defer rc.Close()
	var k Key
	if _, err := io.ReadFull(rc, k[:]); err != nil {
		return nil, wrap(err)
	}
	return &k, nil
}

// Destroy deletes the poll's key for good (no error if there is none).
func (v *Vault) Destroy(ctx context.Context, meetingID, poll string) error {
	name, err := objectKey(meetingID, poll)
	if err != nil {
		return err
	}
	return wrap(v.objects.Delete(ctx, name))
}

// List returns the polls that have a key.
func (v *Vault) List(ctx context.Context) ([]store.PollRef, error) {
	infos, err := v.objects.List(ctx, prefix)
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]store.PollRef, 0, len(infos))
	for _, in := range infos {
		m, p, ok := strings.Cut(strings.TrimPrefix(in.Key, prefix), "/")
		if ok {
			out = append(out, store.PollRef{Meeting: m, Poll: p})
		}
	}
	return out, nil
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	var me *meeting.Error
	if errors.As(err, &me) {
		return err
	}
	return meeting.Internal(err)
}
