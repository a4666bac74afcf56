// Package demo fills the store with a small demo municipality a newcomer can
// click through: neighbourhoods at every level, a community centre, and one
// account per role. It is idempotent: at every start in demo mode the data
// is made complete again and the demo accounts get fresh passwords, which
// are printed, so a restarted demo can always be logged into.
package demo

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

// Fixed ids make the seed idempotent and let tests and docs refer to them.
const (
	OrgID      = "demo-voorbeeldstad"
	DistrictID = "demo-district-noord"
	WijkID     = "demo-wijk-de-hoven"
	BuurtAID   = "demo-buurt-lindenplein"
	BuurtBID   = "demo-buurt-rozenhof"
	VenueID    = "demo-venue-de-linde"
)

// Account is a demo login.
type Account struct {
	ID       string
	Email    string
	Name     string
	Role     model.Role
	Password string
}

// Accounts are the demo logins; Seed fills in the passwords.
var Accounts = []Account{
	{ID: "demo-admin", Email: "beheer@voorbeeldstad.example", Name: "Anna Beheer", Role: model.RoleAdmin},
	{ID: "demo-reviewer", Email: "gemeente@voorbeeldstad.example", Name: "Ravi Gemeente", Role: model.RoleReviewer},
	{ID: "demo-intermediary", Email: "buurtwerker@voorbeeldstad.example", Name: "Ilham Buurtwerk", Role: model.RoleIntermediary},
}

// Seed creates what is missing of the demo data, gives the demo accounts
// new passwords and prints them to out. It returns the accounts with their
// passwords.
func Seed(ctx context.Context, s *store.Store, out io.Writer) ([]Account, error) {
	now := time.Now().UTC()
	if err := ignoreExists(s.InsertOrganisation(ctx, &model.Organisation{ID: OrgID, Name: "Gemeente Voorbeeldstad", CreatedAt: now})); err != nil {
		return nil, err
	}
	for _, n := range []model.Neighbourhood{
		{ID: DistrictID, Level: model.LevelDistrict, Name: "Noord", CBSCode: ""},
		{ID: WijkID, ParentID: DistrictID, Level: model.LevelWijk, Name: "De Hoven", CBSCode: "WK999901"},
		{ID: BuurtAID, ParentID: WijkID, Level: model.LevelBuurt, Name: "Lindenplein", CBSCode: "BU99990101"},
		{ID: BuurtBID, ParentID: WijkID, Level: model.LevelBuurt, Name: "Rozenhof", CBSCode: "BU99990102"},
	} {
		n.OrgID, n.CreatedAt = OrgID, now
		if err := ignoreExists(s.InsertNeighbourhood(ctx, &n)); err != nil {
			return nil, err
		}
	}
	if err := ignoreExists(s.InsertVenue(ctx, &model.Venue{
		ID: VenueID, OrgID: OrgID, NeighbourhoodID: BuurtAID, Name: "Buurthuis De Linde",
		Address: "Lindenplein 1", CreatedAt: now,
	})); err != nil {
		return nil, err
	}

	accounts := make([]Account, len(Accounts))
	fmt.Fprintf(out, "\nDemo mode: log in at the address below with one of these accounts.\n")
	for i, a := range Accounts {
		a.Password = auth.NewPassword()
		hash, err := auth.HashPassword(a.Password)
		if err != nil {
			return nil, err
		}
		err = ignoreExists(s.InsertStaff(ctx, &model.Staff{
			ID: a.ID, Email: a.Email, Name: a.Name, PasswordHash: hash,
			// The demo admin may also create organisations, to show that part.
			PlatformAdmin: a.Role == model.RoleAdmin,
			Memberships:   []model.Membership{{OrgID: OrgID, Role: a.Role}},
			CreatedAt:     now,
		}))
		if err != nil {
			return nil, err
		}
		if err := s.SetPassword(ctx, a.ID, hash, false); err != nil {
			return nil, err
		}
		accounts[i] = a
		fmt.Fprintf(out, "  %-13s %-36s password: %s\n", a.Role, a.Email, a.Password)
	}
	fmt.Fprintln(out)
	if err := seedSession(ctx, s, out); err != nil {
		return nil, err
	}
	return accounts, nil
}

func ignoreExists(err error) error {
	if errors.Is(err, apperr.ErrConflict) {
		return nil
	}
	return err
}
