package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const password = "een lang wachtwoord van mij"

// fixture is an auth service on a database of its own with one account and
// a clock the test moves.
type fixture struct {
	t     *testing.T
	store *store.Store
	svc   *auth.Service
	now   time.Time
	staff *model.Staff
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, store: storetest.New(t), now: time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.svc = auth.New(f.store, auth.Settings{})
	f.svc.SetClock(func() time.Time { return f.now })
	f.staff = f.addStaff("medewerker@example.org", password)
	return f
}

func (f *fixture) addStaff(email, pw string) *model.Staff {
	f.t.Helper()
	hash, err := auth.HashPassword(pw)
	if err != nil {
		f.t.Fatal(err)
	}
	st := &model.Staff{ID: store.NewID(), Email: email, Name: "Mede Werker", PasswordHash: hash,
		Memberships: []model.Membership{{OrgID: "org", Role: model.RoleReviewer}}, CreatedAt: f.now}
	if err := f.store.InsertStaff(context.Background(), st); err != nil {
		f.t.Fatal(err)
	}
	return st
}

func (f *fixture) login(email, pw string) (*auth.Login, error) {
	return f.svc.Login(context.Background(), email, pw)
}

func (f *fixture) mustLogin() *auth.Login {
	f.t.Helper()
	l, err := f.login(f.staff.Email, password)
	if err != nil {
		f.t.Fatalf("login: %v", err)
	}
	return l
}

// valid reports whether a session token still authenticates.
func (f *fixture) valid(token string) bool {
	f.t.Helper()
	_, _, err := f.svc.Authenticate(context.Background(), token)
	if err != nil && !errors.Is(err, apperr.ErrUnauthenticated) {
		f.t.Fatalf("authenticate: %v", err)
	}
	return err == nil
}

// stored reports whether the store holds a session for a token, looked up
// by the token's SHA-256 as documented.
func (f *fixture) stored(token string) bool {
	f.t.Helper()
	sum := sha256.Sum256([]byte(token))
	_, err := f.store.StaffSession(context.Background(), hex.EncodeToString(sum[:]))
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		f.t.Fatal(err)
	}
	return err == nil
}

func msgID(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.MsgID
	}
	return ""
}

func TestPasswordHash(t *testing.T) {
	h1, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := auth.HashPassword(password)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("not an argon2id PHC string with the documented parameters: %s", h1)
	}
	if h1 == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{{password, true}, {password + " ", false}, {strings.ToUpper(password), false}, {"", false}} {
		if ok, err := auth.CheckPassword(h1, c.pw); err != nil || ok != c.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", c.pw, ok, err, c.want)
		}
	}
	// A damaged hash is an error, never a match and never a panic.
	parts := strings.Split(h1, "$")
	for _, bad := range []string{
		"",
		"$argon2id$",
		strings.Replace(h1, "argon2id", "argon2i", 1),
		strings.Replace(h1, "v=19", "v=16", 1),
		strings.Replace(h1, "m=19456,t=2,p=1", "m=x", 1),
		strings.Join(append(parts[:4:4], "!!!", parts[5]), "$"),
		strings.Join(append(parts[:5:5], "!!!"), "$"),
		"$2a$10$abcdefghijklmnopqrstuu",
	} {
		if ok, err := auth.CheckPassword(bad, password); ok || err == nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestTokensAndPasswords(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := auth.NewToken()
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) < 16 {
			t.Fatalf("token %q: %d bytes, %v; want at least 128 bits", tok, len(b), err)
		}
		if seen[tok] {
			t.Fatalf("token %q came twice", tok)
		}
		seen[tok] = true
	}
	pw := auth.NewPassword()
	groups := strings.Split(pw, "-")
	if len(groups) != 4 {
		t.Errorf("one-time password %q: want four groups", pw)
	}
	for _, g := range groups {
		// Base32: capitals and 2–7, so no 0 or 1 to mistake for O or I.
		if len(g) != 5 || strings.Trim(g, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Errorf("one-time password %q: group %q is not five base32 characters", pw, g)
		}
	}
	if err := auth.ValidateNewPassword(pw, "x@example.org"); err != nil {
		t.Errorf("a one-time password breaks the password rules: %v", err)
	}
}

func TestValidateNewPassword(t *testing.T) {
	for _, c := range []struct {
		pw, email, msg string
	}{
		{"kort", "a@example.org", "password.too_short"},
		{"ééééééééé", "a@example.org", "password.too_short"}, // nine characters in 18 bytes
		{strings.Repeat("x", 201), "a@example.org", "password.too_long"},
		{"Lang.Adres@Example.org", "lang.adres@example.org", "password.is_email"},
		{"ééééééééééé", "a@example.org", ""},
		{"een goede zin", "a@example.org", ""},
	} {
		err := auth.ValidateNewPassword(c.pw, c.email)
		if msgID(err) != c.msg {
			t.Errorf("ValidateNewPassword(%q) = %v, want %q", c.pw, err, c.msg)
		}
		if err != nil && !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%q: not ErrInvalid: %v", c.pw, err)
		}
	}
}

// TestLoginThrottle: five wrong passwords lock the address for a minute,
// every further failure doubles the lock; an address without an account
// is treated the same; spellings of one address share one count; a
// success clears the count; other accounts are not affected.
func TestLoginThrottle(t *testing.T) {
	f := newFixture(t)
	other := f.addStaff("collega@example.org", password)
	for _, email := range []string{f.staff.Email, "niemand@example.org"} {
		// Spellings of one address count together.
		spellings := []string{email, strings.ToUpper(email), " " + email, email + " ", strings.ToUpper(email[:1]) + email[1:]}
		for i := range 5 {
			_, err := f.login(spellings[i], "verkeerd wachtwoord")
			if !errors.Is(err, apperr.ErrUnauthenticated) || msgID(err) != "login.failed" {
				t.Fatalf("%s: failure %d: %v", email, i+1, err)
			}
		}
		_, err := f.login(email, password)
		e, _ := apperr.As(err)
		if !errors.Is(err, apperr.ErrTooMany) || e.MsgID != "login.locked" || e.Data["Minutes"] != 1 {
			t.Fatalf("%s: sixth attempt, with the right password: %v %+v", email, err, e)
		}
	}
	// Another account is not affected.
	if _, err := f.login(other.Email, password); err != nil {
		t.Fatalf("another account: %v", err)
	}

	f.now = f.now.Add(61 * time.Second)
	if _, err := f.login(f.staff.Email, "nog steeds verkeerd"); !errors.Is(err, apperr.ErrUnauthenticated) {
		t.Fatalf("after the lock: %v", err)
	}
	_, err := f.login(f.staff.Email, password)
	if e, _ := apperr.As(err); !errors.Is(err, apperr.ErrTooMany) || e.Data["Minutes"] != 2 {
		t.Fatalf("the next failure doubles the lock: %v", err)
	}
	f.now = f.now.Add(2*time.Minute + time.Second)
	f.mustLogin()
	// The success cleared the count: four failures do not lock.
	for range 4 {
		if _, err := f.login(f.staff.Email, "verkeerd"); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatalf("after a success: %v", err)
		}
	}
	f.mustLogin()
}

// TestLoginThrottleConcurrent: wrong passwords sent all at once are
// counted like wrong passwords sent one by one: at most the five free ones
// are checked, the rest are refused as locked.
func TestLoginThrottleConcurrent(t *testing.T) {
	f := newFixture(t)
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = f.login(f.staff.Email, "raden maar") })
	}
	wg.Wait()
	checked, locked := 0, 0
	for _, err := range errs {
		switch {
		case errors.Is(err, apperr.ErrUnauthenticated):
			checked++
		case errors.Is(err, apperr.ErrTooMany):
			locked++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if checked > 5 || checked+locked != n {
		t.Errorf("%d concurrent wrong passwords: %d checked, %d locked; want at most 5 checked", n, checked, locked)
	}
	if _, err := f.login(f.staff.Email, password); !errors.Is(err, apperr.ErrTooMany) {
		t.Errorf("after the burst the account must be locked: %v", err)
	}
}

// TestDisabledAccount: the right password of a disabled account fails like
// a wrong one, and its open sessions end.
func TestDisabledAccount(t *testing.T) {
	f := newFixture(t)
	l := f.mustLogin()
	if err := f.store.SetStaffDetails(context.Background(), f.staff.ID, f.staff.Name, true); err != nil {
		t.Fatal(err)
	}
	if f.valid(l.Token) {
		t.Error("a disabled account's session still works")
	}
	if f.stored(l.Token) {
		t.Error("a disabled account's session is still stored")
	}
	_, err := f.login(f.staff.Email, password)
	if !errors.Is(err, apperr.ErrUnauthenticated) || msgID(err) != "login.failed" {
		t.Errorf("disabled account logs in: %v", err)
	}
}

// TestSessionTimeouts: a session ends after two hours without activity,
// and after twelve hours however active it is; an ended session is deleted.
func TestSessionTimeouts(t *testing.T) {
	f := newFixture(t)
	l := f.mustLogin()
	if len(l.Token) < 22 || l.Token == l.CSRF {
		t.Fatalf("tokens: %q %q", l.Token, l.CSRF)
	}
	if f.stored(l.Token) == false {
		t.Fatal("the session is not stored under the hash of its token")
	}
	if _, err := f.store.StaffSession(context.Background(), l.Token); !errors.Is(err, apperr.ErrNotFound) {
		t.Error("the session is stored under its plain token")
	}
	f.now = f.now.Add(2*time.Hour - time.Minute)
	if !f.valid(l.Token) {
		t.Fatal("ended before the inactivity timeout")
	}
	f.now = f.now.Add(2*time.Hour - time.Minute) // active a minute ago counts from the last use
	if !f.valid(l.Token) {
		t.Fatal("activity did not extend the session")
	}
	f.now = f.now.Add(2*time.Hour + time.Minute)
	if f.valid(l.Token) || f.stored(l.Token) {
		t.Fatal("an idle session still works or is still stored")
	}

	// Absolute timeout: used every hour, it still ends after twelve hours.
	l = f.mustLogin()
	for h := 1; h <= 11; h++ {
		f.now = f.now.Add(time.Hour)
		if !f.valid(l.Token) {
			t.Fatalf("ended after %d active hours", h)
		}
	}
	f.now = f.now.Add(time.Hour + time.Minute)
	if f.valid(l.Token) || f.stored(l.Token) {
		t.Fatal("a session older than twelve hours still works or is still stored")
	}
	if f.valid("") || f.valid(strings.Repeat("x", 43)) || f.valid(strings.Repeat("x", 5000)) {
		t.Fatal("a made-up token works")
	}
}

// TestLogoutAndPasswordChange: logout ends exactly its session; a password
// change ends every other session of the account and keeps the current.
func TestLogoutAndPasswordChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b, c := f.mustLogin(), f.mustLogin(), f.mustLogin()
	if a.Token == b.Token || a.CSRF == b.CSRF {
		t.Fatal("two logins share a token")
	}
	if err := f.svc.Logout(ctx, c.Token); err != nil {
		t.Fatal(err)
	}
	if f.valid(c.Token) || !f.valid(a.Token) || !f.valid(b.Token) {
		t.Fatal("logout ended the wrong sessions")
	}
	st, ss, err := f.svc.Authenticate(ctx, a.Token)
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.ChangePassword(ctx, st, ss, "verkeerd huidig wachtwoord", "een nieuw lang wachtwoord")
	if !errors.Is(err, apperr.ErrInvalid) || msgID(err) != "password.current_wrong" {
		t.Fatalf("wrong current password: %v", err)
	}
	if !f.valid(b.Token) {
		t.Fatal("a refused change ended sessions")
	}
	if err := f.svc.ChangePassword(ctx, st, ss, password, "een nieuw lang wachtwoord"); err != nil {
		t.Fatal(err)
	}
	if !f.valid(a.Token) || f.valid(b.Token) || f.stored(b.Token) {
		t.Fatal("after a password change the current session must stay and the others end")
	}
	if _, err := f.login(f.staff.Email, password); err == nil {
		t.Fatal("the old password still works")
	}
	if _, err := f.login(f.staff.Email, "een nieuw lang wachtwoord"); err != nil {
		t.Fatal(err)
	}
}

// TestPurge deletes what has expired and nothing else.
func TestPurge(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.mustLogin()
	_, _ = f.login("niemand@example.org", "x")
	f.now = f.now.Add(90 * time.Minute)
	fresh := f.mustLogin()
	f.now = f.now.Add(40 * time.Minute) // old: idle 130 min; fresh: 40 min
	if err := f.svc.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if f.stored(old.Token) || !f.stored(fresh.Token) {
		t.Fatal("purge removed the wrong sessions")
	}
	f.now = f.now.Add(25 * time.Hour)
	if err := f.svc.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if f.stored(fresh.Token) {
		t.Fatal("purge kept an expired session")
	}
	sum := sha256.Sum256([]byte("niemand@example.org"))
	if th, err := f.store.LoginThrottle(ctx, hex.EncodeToString(sum[:])); err != nil || th.Failures != 0 {
		t.Fatalf("purge kept a day-old throttle: %+v %v", th, err)
	}
}

// TestChangePasswordThrottled: wrong current passwords count against the
// login throttle, so a logged-in session is no way to guess the password
// without limit.
func TestChangePasswordThrottled(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l := f.mustLogin()
	st, ss, err := f.svc.Authenticate(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := f.svc.ChangePassword(ctx, st, ss, "geraden", "een nieuw lang wachtwoord"); msgID(err) != "password.current_wrong" {
			t.Fatalf("wrong current password %d: %v", i+1, err)
		}
	}
	if err := f.svc.ChangePassword(ctx, st, ss, password, "een nieuw lang wachtwoord"); !errors.Is(err, apperr.ErrTooMany) {
		t.Fatalf("after five wrong current passwords: %v", err)
	}
	if _, err := f.login(f.staff.Email, password); !errors.Is(err, apperr.ErrTooMany) {
		t.Fatalf("the login shares the lock: %v", err)
	}
	f.now = f.now.Add(time.Hour)
	if err := f.svc.ChangePassword(ctx, st, ss, password, "een nieuw lang wachtwoord"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}
