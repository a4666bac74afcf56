package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// FirstAdminEmail is the login of the account made at first start.
const FirstAdminEmail = "admin@buurtstem.local"

// Bootstrap creates the first platform admin when there are no accounts at
// all, and prints its one-time password to out. It must be changed at the
// first login. On later starts it does nothing.
func Bootstrap(ctx context.Context, s *store.Store, out io.Writer) error {
	n, err := s.CountStaff(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := auth.NewPassword()
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	st := &model.Staff{
		ID: store.NewID(), Email: FirstAdminEmail, Name: "Admin", PasswordHash: hash,
		PlatformAdmin: true, Memberships: []model.Membership{}, MustChangePassword: true,
		CreatedAt: time.Now().UTC(),
	}
	if err := s.InsertStaff(ctx, st); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			// Two instances started at once on an empty store (a new
			// deployment with two replicas): the other one created the
			// administrator and printed its password.
			fmt.Fprintf(out, "\nFirst start: another instance created the administrator account at the same moment; its password is in that instance's output.\n\n")
			return nil
		}
		return err
	}
	fmt.Fprintf(out, "\nFirst start: an administrator account was created.\n"+
		"  login:    %s\n  password: %s   (shown only now; you must change it at first login)\n\n",
		FirstAdminEmail, pw)
	return nil
}
