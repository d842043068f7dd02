package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

func TestCreatePairingCodesBatch(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	now := time.Now()
	var codes []store.PairingCode
	for i := 0; i < 300; i++ {
		codes = append(codes, store.PairingCode{CodeHash: h(fmt.Sprint("code", i)), Meeting: "m1", Participant: fmt.Sprint("p", i), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)})
	}
	if err := db.CreatePairingCodes(ctx, codes); err != nil {
		t.Fatal(err)
	}
	// A batch with a clash (a live code's hash) stores none of its codes and
	// keeps the earlier codes of its participants.
	clash := []store.PairingCode{
		{CodeHash: h("fresh-a"), Meeting: "m1", Participant: "p1", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)},
		{CodeHash: h("code5"), Meeting: "m1", Participant: "p2", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)},
	}
	if err := db.CreatePairingCodes(ctx, clash); meeting.KindOf(err) != meeting.KindConflict {
		t.Fatalf("CreatePairingCodes(clash) = %v; want conflict", err)
	}
	if _, err := db.RedeemPairingCode(ctx, h("fresh-a"), now); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("a code of the refused batch redeems: %v; want not_found", err)
	}
	for _, code := range []string{"code1", "code2", "code299"} {
		if _, err := db.RedeemPairingCode(ctx, h(code), now); err != nil {
			t.Errorf("Redeem(%s) after the refused batch = %v; want it still valid", code, err)
		}
	}
	bad := []store.PairingCode{{CodeHash: h("x"), Meeting: "m1", Participant: "p9"}} // no expiry
	if err := db.CreatePairingCodes(ctx, bad); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("CreatePairingCodes(no expiry) = %v; want invalid", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping = %v", err)
	}
}
