package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

var authTests = []test{
	{name: "Accounts", f: testAccounts},
	{name: "Sessions", f: testSessions},
	{name: "PairingCodes", f: testPairingCodes},
	{name: "PairingCodesBatch", f: testPairingCodesBatch},
	{name: "RedeemPairingCodeConcurrent", f: testRedeemPairingCodeConcurrent},
	{name: "PairDevice", f: testPairDevice},
	{name: "PairDeviceConcurrent", f: testPairDeviceConcurrent},
	{name: "AuthWritesDuringAppends", f: testAuthWritesDuringAppends},
}

// h returns a token or code hash.
func h(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

var t0 = time.Date(2026, 5, 19, 8, 0, 0, 0, time.UTC)

// createCode stores one pairing code.
func createCode(ctx context.Context, s store.Auth, c store.PairingCode) error {
	return s.CreatePairingCodes(ctx, []store.PairingCode{c})
}

func testAccounts(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	if n, err := s.CountAccounts(ctx); err != nil || n != 0 {
		t.Fatalf("CountAccounts(empty) = %d, %v; want 0, nil", n, err)
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("ICT", 7*3600))
	admin := store.Account{Username: "Admin", DisplayName: "Nguyễn Văn Quản Trị", PasswordHash: "$argon2id$x", CreatedAt: created}
	duc := store.Account{Username: "đức.trần", DisplayName: "Trần Đức", PasswordHash: "$argon2id$y", CreatedAt: created}
	for _, a := range []store.Account{admin, duc} {
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatalf("CreateAccount(%q): %v", a.Username, err)
		}
	}

	creates := []struct {
		username, hash string
		kind           meeting.Kind
	}{
		{"admin", "h", meeting.KindConflict},
		{"ADMIN", "h", meeting.KindConflict},
		{"aDmIn", "h", meeting.KindConflict},
		{"ĐỨC.TRẦN", "h", meeting.KindConflict},
		{"Đức.Trần", "h", meeting.KindConflict},
		{"", "h", meeting.KindInvalid},
		{"  ", "h", meeting.KindInvalid},
		{"newbie", "", meeting.KindInvalid},
		{"admin2", "h", ""},
	}
	for _, tt := range creates {
		err := s.CreateAccount(ctx, store.Account{Username: tt.username, PasswordHash: tt.hash})
		if KindOf(err) != tt.kind {
			t.Errorf("CreateAccount(%q, %q) = %v; want kind %q", tt.username, tt.hash, err, tt.kind)
		}
	}
	if n, err := s.CountAccounts(ctx); err != nil || n != 3 {
		t.Errorf("CountAccounts = %d, %v; want 3, nil", n, err)
	}

	lookups := []struct {
		username string
		want     store.Account
		kind     meeting.Kind
	}{
		{"Admin", admin, ""},
		{"admin", admin, ""},
		{"ADMIN", admin, ""},
		{"ĐỨC.TRẦN", duc, ""},
		{"duc.tran", store.Account{}, meeting.KindNotFound},
		{"nobody", store.Account{}, meeting.KindNotFound},
		{"", store.Account{}, meeting.KindNotFound},
	}
	for _, tt := range lookups {
		got, err := s.Account(ctx, tt.username)
		if KindOf(err) != tt.kind {
			t.Errorf("Account(%q) error = %v; want kind %q", tt.username, err, tt.kind)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Account(%q) (-want +got):\n%s", tt.username, diff)
		}
		if err == nil && got.CreatedAt.Location() != time.UTC {
			t.Errorf("Account(%q).CreatedAt location = %v; want UTC", tt.username, got.CreatedAt.Location())
		}
	}

	if err := s.SetPassword(ctx, "ADMIN", "$argon2id$new"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx, "admin"); got.PasswordHash != "$argon2id$new" {
		t.Errorf("PasswordHash after SetPassword = %q; want %q", got.PasswordHash, "$argon2id$new")
	}
	if got, _ := s.Account(ctx, "đức.trần"); got.PasswordHash != duc.PasswordHash {
		t.Errorf("SetPassword(admin) changed another account's hash to %q", got.PasswordHash)
	}
	if err := s.SetPassword(ctx, "nobody", "x"); KindOf(err) != meeting.KindNotFound {
		t.Errorf("SetPassword(nobody) = %v; want NotFound", err)
	}
	if err := s.SetPassword(ctx, "admin", ""); KindOf(err) != meeting.KindInvalid {
		t.Errorf("SetPassword(admin, \"\") = %v; want Invalid", err)
	}

	// A zero CreatedAt becomes now.
	before := time.Now()
	if err := s.CreateAccount(ctx, store.Account{Username: "late", PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx, "late"); got.CreatedAt.Before(before.Add(-time.Second)) || got.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("CreatedAt of an account created without one = %v; want about now", got.CreatedAt)
	}
}

func testSessions(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	sessions := []store.Session{
		{TokenHash: h("admin"), Kind: store.SessionAccount, Account: "admin", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{TokenHash: h("p1-a"), Kind: store.SessionDevice, Meeting: "m1", Participant: "p1", CreatedAt: t0, ExpiresAt: t0.Add(2 * time.Hour)},
		{TokenHash: h("p1-b"), Kind: store.SessionDevice, Meeting: "m1", Participant: "p1", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)},
		{TokenHash: h("p2"), Kind: store.SessionDevice, Meeting: "m1", Participant: "p2", CreatedAt: t0, ExpiresAt: t0.Add(2 * time.Hour)},
		{TokenHash: h("p1-m2"), Kind: store.SessionDevice, Meeting: "m2", Participant: "p1", CreatedAt: t0, ExpiresAt: t0.Add(2 * time.Hour)},
		{TokenHash: h("forever"), Kind: store.SessionAccount, Account: "admin", CreatedAt: t0, ExpiresAt: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, ss := range sessions {
		if err := s.CreateSession(ctx, ss); err != nil {
			t.Fatalf("CreateSession(%x): %v", ss.TokenHash[:4], err)
		}
	}
	invalid := []store.Session{
		{Kind: store.SessionAccount, ExpiresAt: t0},
		{TokenHash: h("x"), Kind: "robot", ExpiresAt: t0},
		{TokenHash: h("x"), Kind: store.SessionDevice},
	}
	for _, ss := range invalid {
		if err := s.CreateSession(ctx, ss); KindOf(err) != meeting.KindInvalid {
			t.Errorf("CreateSession(%+v) = %v; want Invalid", ss, err)
		}
	}
	if err := s.CreateSession(ctx, sessions[0]); KindOf(err) != meeting.KindConflict {
		t.Errorf("CreateSession(duplicate) = %v; want Conflict", err)
	}

	lookups := []struct {
		name  string
		token []byte
		now   time.Time
		want  *store.Session
	}{
		{"valid", h("admin"), t0.Add(time.Minute), &sessions[0]},
		{"just before expiry", h("admin"), t0.Add(time.Hour - time.Nanosecond), &sessions[0]},
		{"at expiry", h("admin"), t0.Add(time.Hour), nil},
		{"after expiry", h("admin"), t0.Add(2 * time.Hour), nil},
		{"device", h("p1-a"), t0, &sessions[1]},
		{"missing", h("nope"), t0, nil},
		{"empty hash", nil, t0, nil},
		{"far future", h("forever"), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), &sessions[5]},
	}
	for _, tt := range lookups {
		got, err := s.Session(ctx, tt.token, tt.now)
		if tt.want == nil {
			if KindOf(err) != meeting.KindNotFound {
				t.Errorf("%s: Session = %+v, %v; want NotFound", tt.name, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Session: %v", tt.name, err)
			continue
		}
		want := *tt.want
		if want.ExpiresAt.Year() == 9999 && got.ExpiresAt.Equal(time.Unix(0, 1<<63-1)) {
			// A store may clamp "never" to the end of int64 nanoseconds
			// (year 2262); the session is found until then.
			want.ExpiresAt = got.ExpiresAt
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: Session (-want +got):\n%s", tt.name, diff)
		}
	}

	deleted, err := s.DeleteParticipantSessions(ctx, "m1", "p1")
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(deleted, bytes.Compare)
	wantDeleted := [][]byte{h("p1-a"), h("p1-b")}
	slices.SortFunc(wantDeleted, bytes.Compare)
	if diff := cmp.Diff(wantDeleted, deleted); diff != "" {
		t.Errorf("DeleteParticipantSessions(m1, p1) (-want +got):\n%s", diff)
	}
	for _, tok := range []string{"p1-a", "p1-b"} {
		if _, err := s.Session(ctx, h(tok), t0); KindOf(err) != meeting.KindNotFound {
			t.Errorf("Session(%s) after DeleteParticipantSessions = %v; want NotFound", tok, err)
		}
	}
	for _, tok := range []string{"admin", "p2", "p1-m2"} {
		if _, err := s.Session(ctx, h(tok), t0); err != nil {
			t.Errorf("Session(%s) after deleting p1's sessions of m1 = %v; want it kept", tok, err)
		}
	}
	if again, err := s.DeleteParticipantSessions(ctx, "m1", "p1"); err != nil || len(again) != 0 {
		t.Errorf("DeleteParticipantSessions again = %d, %v; want 0, nil", len(again), err)
	}
	if _, err := s.DeleteParticipantSessions(ctx, "", ""); KindOf(err) != meeting.KindInvalid {
		t.Errorf("DeleteParticipantSessions(empty participant) = %v; want Invalid", err)
	}

	if err := s.DeleteSession(ctx, h("p2")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, h("p2"), t0); KindOf(err) != meeting.KindNotFound {
		t.Errorf("Session(p2) after DeleteSession = %v; want NotFound", err)
	}
	if err := s.DeleteSession(ctx, h("p2")); err != nil {
		t.Errorf("DeleteSession(already deleted) = %v; want nil", err)
	}

	// Left: admin (t0+1h), p1-m2 (t0+2h), forever.
	n, err := s.DeleteExpiredSessions(ctx, t0.Add(90*time.Minute))
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions(t0+90m) = %d, %v; want 1, nil", n, err)
	}
	if _, err := s.Session(ctx, h("p1-m2"), t0); err != nil {
		t.Errorf("unexpired session deleted: %v", err)
	}
	if _, err := s.Session(ctx, h("admin"), t0); KindOf(err) != meeting.KindNotFound {
		t.Errorf("expired session still there (looked up as of t0): %v", err)
	}
}

func testPairingCodes(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	code := func(c string, participant string, ttl time.Duration) store.PairingCode {
		return store.PairingCode{CodeHash: h(c), Meeting: "m1", Participant: participant, CreatedAt: t0, ExpiresAt: t0.Add(ttl)}
	}
	for _, c := range []store.PairingCode{
		code("A1", "p1", time.Hour), code("B1", "p2", time.Hour), code("C1", "p3", time.Minute),
	} {
		if err := createCode(ctx, s, c); err != nil {
			t.Fatalf("CreatePairingCode: %v", err)
		}
	}
	// p1 gets a new code: A1 stops working, B1 (p2) is unaffected.
	if err := createCode(ctx, s, code("A2", "p1", time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Same participant in another meeting is someone else.
	other := code("X1", "p1", time.Hour)
	other.Meeting = "m2"
	if err := createCode(ctx, s, other); err != nil {
		t.Fatal(err)
	}
	// A code hash in use by a live code is a conflict, and changes nothing.
	if err := createCode(ctx, s, code("B1", "p4", time.Hour)); KindOf(err) != meeting.KindConflict {
		t.Errorf("CreatePairingCode(hash of a live code) = %v; want Conflict", err)
	}
	if err := createCode(ctx, s, store.PairingCode{CodeHash: h("Z"), Participant: "p9"}); KindOf(err) != meeting.KindInvalid {
		t.Errorf("CreatePairingCode(no expiry) = %v; want Invalid", err)
	}

	redeems := []struct {
		name string
		code string
		now  time.Time
		want *store.PairingCode
	}{
		{"replaced", "A1", t0, nil},
		{"current", "A2", t0.Add(time.Minute), ptr(code("A2", "p1", time.Hour))},
		{"used", "A2", t0.Add(time.Minute), nil},
		{"other participant", "B1", t0, ptr(code("B1", "p2", time.Hour))},
		{"expired", "C1", t0.Add(time.Minute), nil},
		{"other meeting", "X1", t0, ptr(other)},
		{"unknown", "nope", t0, nil},
	}
	for _, tt := range redeems {
		got, err := s.RedeemPairingCode(ctx, h(tt.code), tt.now)
		if tt.want == nil {
			if KindOf(err) != meeting.KindNotFound {
				t.Errorf("%s: RedeemPairingCode = %+v, %v; want NotFound", tt.name, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: RedeemPairingCode: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(*tt.want, got); diff != "" {
			t.Errorf("%s: RedeemPairingCode (-want +got):\n%s", tt.name, diff)
		}
	}

	// An expired code's hash can be issued again.
	if err := createCode(ctx, s, code("E1", "p5", time.Minute)); err != nil {
		t.Fatal(err)
	}
	reuse := code("E1", "p6", 2*time.Hour)
	reuse.CreatedAt = t0.Add(time.Hour)
	if err := createCode(ctx, s, reuse); err != nil {
		t.Errorf("CreatePairingCode(hash of an expired code) = %v; want nil", err)
	}

	if err := createCode(ctx, s, code("F1", "p7", time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := createCode(ctx, s, code("G1", "p8", 3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Stored now: C1 (expired at t0+1m, never redeemed), E1 (p6, until
	// t0+3h), F1 (until t0+1m), G1 (until t0+3h).
	n, err := s.DeleteExpiredPairingCodes(ctx, t0.Add(2*time.Minute))
	if err != nil || n != 2 {
		t.Errorf("DeleteExpiredPairingCodes = %d, %v; want 2 (C1, F1), nil", n, err)
	}
	if _, err := s.RedeemPairingCode(ctx, h("G1"), t0); err != nil {
		t.Errorf("RedeemPairingCode(G1) after cleanup = %v; want it kept", err)
	}
}

func ptr[T any](v T) *T { return &v }

func testRedeemPairingCodeConcurrent(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	const codes, racers = 10, 20
	for i := range codes {
		c := store.PairingCode{CodeHash: h(fmt.Sprint("code", i)), Meeting: "m", Participant: fmt.Sprint("p", i), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := createCode(ctx, s, c); err != nil {
			t.Fatal(err)
		}
	}
	var wins [codes]atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range codes {
		for range racers {
			wg.Go(func() {
				<-start
				got, err := s.RedeemPairingCode(ctx, h(fmt.Sprint("code", i)), t0)
				switch KindOf(err) {
				case "":
					if got.Participant != fmt.Sprint("p", i) {
						t.Errorf("redeemed code %d for %q", i, got.Participant)
					}
					wins[i].Add(1)
				case meeting.KindNotFound:
				default:
					t.Errorf("RedeemPairingCode: %v", err)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	for i := range wins {
		if n := wins[i].Load(); n != 1 {
			t.Errorf("code %d redeemed %d times; want exactly 1", i, n)
		}
	}
}

// TestAuthWritesDuringAppends mixes group-committed appends with auth
// writes on the same write connection: nothing may deadlock or fail.
func testAuthWritesDuringAppends(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			id := fmt.Sprint("m", g)
			seq, head := int64(0), ""
			for range 40 {
				events := Chain(id, seq, head, 1)
				if err := s.Append(ctx, events); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				seq, head = events[0].Seq, events[0].Hash
			}
		})
		wg.Go(func() {
			for i := range 40 {
				tok := h(fmt.Sprint("s", g, "-", i))
				p := fmt.Sprint("p", g)
				if err := s.CreateSession(ctx, store.Session{TokenHash: tok, Kind: store.SessionDevice, Meeting: "m", Participant: p, ExpiresAt: t0.Add(time.Hour)}); err != nil {
					t.Errorf("CreateSession: %v", err)
					return
				}
				if err := createCode(ctx, s, store.PairingCode{CodeHash: tok, Meeting: "m", Participant: p, ExpiresAt: t0.Add(time.Hour)}); err != nil {
					t.Errorf("CreatePairingCode: %v", err)
					return
				}
				if _, err := s.RedeemPairingCode(ctx, tok, t0); err != nil {
					t.Errorf("RedeemPairingCode: %v", err)
					return
				}
				if i%10 == 9 {
					if _, err := s.DeleteParticipantSessions(ctx, "m", p); err != nil {
						t.Errorf("DeleteParticipantSessions: %v", err)
						return
					}
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("appends and auth writes did not finish in 60 s (deadlock?)")
	}
	for g := range 8 {
		if err := s.Verify(ctx, fmt.Sprint("m", g)); err != nil {
			t.Errorf("Verify: %v", err)
		}
		if got := len(MustEvents(t, s, fmt.Sprint("m", g))); got != 40 {
			t.Errorf("meeting m%d has %d events; want 40", g, got)
		}
	}
}

func testPairingCodesBatch(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	now := time.Now()
	var codes []store.PairingCode
	for i := 0; i < 300; i++ {
		codes = append(codes, store.PairingCode{CodeHash: h(fmt.Sprint("code", i)), Meeting: "m1", Participant: fmt.Sprint("p", i), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)})
	}
	if err := s.CreatePairingCodes(ctx, codes); err != nil {
		t.Fatal(err)
	}
	// A batch with a clash (a live code's hash) stores none of its codes and
	// keeps the earlier codes of its participants.
	clash := []store.PairingCode{
		{CodeHash: h("fresh-a"), Meeting: "m1", Participant: "p1", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)},
		{CodeHash: h("code5"), Meeting: "m1", Participant: "p2", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)},
	}
	if err := s.CreatePairingCodes(ctx, clash); meeting.KindOf(err) != meeting.KindConflict {
		t.Fatalf("CreatePairingCodes(clash) = %v; want conflict", err)
	}
	if _, err := s.RedeemPairingCode(ctx, h("fresh-a"), now); meeting.KindOf(err) != meeting.KindNotFound {
		t.Errorf("a code of the refused batch redeems: %v; want not_found", err)
	}
	for _, code := range []string{"code1", "code2", "code299"} {
		if _, err := s.RedeemPairingCode(ctx, h(code), now); err != nil {
			t.Errorf("Redeem(%s) after the refused batch = %v; want it still valid", code, err)
		}
	}
	bad := []store.PairingCode{{CodeHash: h("x"), Meeting: "m1", Participant: "p9"}} // no expiry
	if err := s.CreatePairingCodes(ctx, bad); meeting.KindOf(err) != meeting.KindInvalid {
		t.Errorf("CreatePairingCodes(no expiry) = %v; want invalid", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping = %v", err)
	}
}

// testPairDevice: the code is consumed and the session stored together,
// for the code's participant whatever the caller says; a refused pairing
// stores nothing and consumes nothing.
func testPairDevice(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	for i, exp := range []time.Duration{time.Hour, time.Hour, time.Hour, time.Minute} {
		c := store.PairingCode{CodeHash: h(fmt.Sprint("pd", i)), Meeting: "m", Participant: fmt.Sprint("p", i), CreatedAt: t0, ExpiresAt: t0.Add(exp)}
		if err := createCode(ctx, s, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(ctx, store.Session{TokenHash: h("taken"), Kind: store.SessionAccount, Account: "admin", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(2 * time.Minute)
	sess := func(tok string) store.Session {
		// Meeting, Participant and Kind are the attacker's wishes: ignored.
		return store.Session{TokenHash: h(tok), Kind: store.SessionAccount, Account: "", Meeting: "other", Participant: "admin", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}

	got, err := s.PairDevice(ctx, h("pd0"), now, sess("tok0"))
	if err != nil {
		t.Fatalf("PairDevice(pd0): %v", err)
	}
	if got.Meeting != "m" || got.Participant != "p0" || !bytes.Equal(got.CodeHash, h("pd0")) || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("PairDevice(pd0) = %+v; want the code of m/p0", got)
	}
	ss, err := s.Session(ctx, h("tok0"), now)
	if err != nil {
		t.Fatalf("Session(tok0) after PairDevice: %v", err)
	}
	if ss.Kind != store.SessionDevice || ss.Meeting != "m" || ss.Participant != "p0" || ss.Account != "" {
		t.Errorf("Session(tok0) = %+v; want a device session of m/p0", ss)
	}

	// Used, unknown, expired: NotFound and no session.
	for _, tt := range []struct{ code, tok string }{{"pd0", "tok-again"}, {"nope", "tok-nope"}, {"pd3", "tok-expired"}} {
		if _, err := s.PairDevice(ctx, h(tt.code), now, sess(tt.tok)); KindOf(err) != meeting.KindNotFound {
			t.Errorf("PairDevice(%s) = %v; want NotFound", tt.code, err)
		}
		if _, err := s.Session(ctx, h(tt.tok), now); KindOf(err) != meeting.KindNotFound {
			t.Errorf("Session(%s) after a refused PairDevice = %v; want NotFound", tt.tok, err)
		}
	}

	// A taken token hash: Conflict, and the code still works.
	if _, err := s.PairDevice(ctx, h("pd1"), now, sess("taken")); KindOf(err) != meeting.KindConflict {
		t.Errorf("PairDevice(taken token) = %v; want Conflict", err)
	}
	if ss, err := s.Session(ctx, h("taken"), now); err != nil || ss.Kind != store.SessionAccount || ss.Account != "admin" {
		t.Errorf("Session(taken) = %+v, %v; want the account session unchanged", ss, err)
	}
	if got, err := s.PairDevice(ctx, h("pd1"), now, sess("tok1")); err != nil || got.Participant != "p1" {
		t.Errorf("PairDevice(pd1) after the conflict = %+v, %v; want p1 (the code not consumed)", got, err)
	}

	// Invalid sessions: nothing consumed.
	for _, bad := range []store.Session{{ExpiresAt: now.Add(time.Hour)}, {TokenHash: h("tok-noexp")}} {
		if _, err := s.PairDevice(ctx, h("pd2"), now, bad); KindOf(err) != meeting.KindInvalid {
			t.Errorf("PairDevice(%+v) = %v; want Invalid", bad, err)
		}
	}
	if _, err := s.RedeemPairingCode(ctx, h("pd2"), now); err != nil {
		t.Errorf("RedeemPairingCode(pd2) after invalid PairDevice calls = %v; want it unused", err)
	}
}

// testPairDeviceConcurrent: racers on each code, each with its own token;
// exactly one wins per code and only the winner's session exists.
func testPairDeviceConcurrent(t *testing.T, env *env) {
	s := env.open(t)
	ctx := context.Background()
	const codes, racers = 10, 20
	for i := range codes {
		c := store.PairingCode{CodeHash: h(fmt.Sprint("pc", i)), Meeting: "m", Participant: fmt.Sprint("p", i), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := createCode(ctx, s, c); err != nil {
			t.Fatal(err)
		}
	}
	var won [codes][racers]atomic.Bool
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range codes {
		for j := range racers {
			wg.Go(func() {
				<-start
				tok := h(fmt.Sprint("tok", i, "-", j))
				got, err := s.PairDevice(ctx, h(fmt.Sprint("pc", i)), t0, store.Session{TokenHash: tok, ExpiresAt: t0.Add(time.Hour)})
				switch KindOf(err) {
				case "":
					if got.Participant != fmt.Sprint("p", i) {
						t.Errorf("paired code %d for %q", i, got.Participant)
					}
					won[i][j].Store(true)
				case meeting.KindNotFound:
				default:
					t.Errorf("PairDevice: %v", err)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	for i := range codes {
		wins := 0
		for j := range racers {
			ss, err := s.Session(ctx, h(fmt.Sprint("tok", i, "-", j)), t0)
			if won[i][j].Load() {
				wins++
				if err != nil || ss.Participant != fmt.Sprint("p", i) {
					t.Errorf("winner %d/%d: Session = %+v, %v", i, j, ss, err)
				}
			} else if KindOf(err) != meeting.KindNotFound {
				t.Errorf("loser %d/%d: Session = %+v, %v; want NotFound", i, j, ss, err)
			}
		}
		if wins != 1 {
			t.Errorf("code %d paired %d times; want exactly 1", i, wins)
		}
	}
}
