package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/sqlite"
	"github.com/phonghop/phonghop/server/store"
)

// TestErrClosed: after Close, Append fails with an Internal error that
// wraps sqlite.ErrClosed (the suite checks the kind only).
func TestErrClosed(t *testing.T) {
	db, _ := openDB(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(context.Background(), chain("z", 0, "", 1)); !errors.Is(err, sqlite.ErrClosed) || kindOf(err) != meeting.KindInternal {
		t.Errorf("Append after Close = %v; want an internal error wrapping ErrClosed", err)
	}
	if err := db.StoreBallot(context.Background(), store.Ballot{Meeting: "m", Poll: "v", Participant: "p", Key: "k", Data: []byte("x")}); !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("StoreBallot after Close = %v; want ErrClosed", err)
	}
}

// TestCreatePairingCode: the one-code form (SQLite's own method) replaces
// the participant's earlier code like CreatePairingCodes.
func TestCreatePairingCode(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	now := time.Now()
	for _, code := range []string{"A1", "A2"} {
		if err := db.CreatePairingCode(ctx, store.PairingCode{CodeHash: []byte(code), Meeting: "m", Participant: "p1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.RedeemPairingCode(ctx, []byte("A1"), now); kindOf(err) != meeting.KindNotFound {
		t.Errorf("Redeem(replaced code) = %v; want NotFound", err)
	}
	if c, err := db.RedeemPairingCode(ctx, []byte("A2"), now); err != nil || c.Participant != "p1" {
		t.Errorf("Redeem(current code) = %+v, %v", c, err)
	}
}
