package auth

import (
	"context"
	"time"

	"github.com/phonghop/phonghop/server/meeting"
	"github.com/phonghop/phonghop/server/store"
)

// EnsureAdmin makes sure the secretary account username exists. If it does
// not, it is created with password, or with a random password when password
// is empty (generated is then true and the password returned). If it exists
// and password is not empty, its password is reset to password (the
// operator's way back in). Otherwise nothing changes.
func EnsureAdmin(ctx context.Context, db store.Auth, username, password string) (pw string, generated bool, err error) {
	_, err = db.Account(ctx, username)
	switch {
	case err == nil && password == "":
		return "", false, nil
	case err == nil:
		hash, err := HashPassword(password)
		if err != nil {
			return "", false, err
		}
		return password, false, db.SetPassword(ctx, username, hash)
	case meeting.KindOf(err) != meeting.KindNotFound:
		return "", false, err
	}
	if password == "" {
		password, generated = NewToken()[:16], true
	}
	hash, err := HashPassword(password)
	if err != nil {
		return "", false, err
	}
	acct := store.Account{Username: username, DisplayName: "Thư ký", PasswordHash: hash, CreatedAt: time.Now().UTC()}
	if err := db.CreateAccount(ctx, acct); err != nil {
		return "", false, err
	}
	return password, generated, nil
}
