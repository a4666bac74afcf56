// Package auth logs staff in and out: argon2id passwords, server-side
// sessions with inactivity and absolute timeouts, CSRF tokens bound to the
// session, and login throttling per account.
//
// Throttling is keyed on a hash of the e-mail address, never on the IP
// address: a whole community centre shares one address, and buurtstem does
// not record addresses at all. The throttle applies equally to addresses
// without an account, and a failed login costs the same time either way, so
// neither messages nor timing tell whether an account exists.
package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// Settings of the authentication service.
type Settings struct {
	Idle time.Duration // inactivity timeout
	Max  time.Duration // absolute timeout
	// FreeFailures is how many wrong passwords in a row are allowed before
	// an address is locked; every further failure doubles the lock.
	FreeFailures int
	FirstLock    time.Duration
	MaxLock      time.Duration
}

// DefaultSettings are used where a field of Settings is zero.
var DefaultSettings = Settings{
	Idle:         2 * time.Hour,
	Max:          12 * time.Hour,
	FreeFailures: 5,
	FirstLock:    time.Minute,
	MaxLock:      time.Hour,
}

// touchEvery limits writes of last-seen times: one per minute per session
// is precise enough for a two-hour inactivity timeout.
const touchEvery = time.Minute

// Service authenticates staff.
type Service struct {
	store *store.Store
	set   Settings
	now   func() time.Time
	// dummyHash is checked for unknown addresses so that they cost as much
	// time as known ones.
	dummyOnce sync.Once
	dummyHash string
	// attempts serialises the logins of one address (by a byte of its hash):
	// the throttle is read, the password checked and the failure written
	// back as one step. Without it, wrong passwords sent all at once each
	// read the same count, were all checked, and left the count at one: an
	// unlimited number of guesses, and no lock afterwards.
	//
	// TODO(#2): this holds within one process. Instances that share a store
	// can still each check one password at the same count; closing that
	// needs the attempt reserved atomically in the store first.
	attempts [64]sync.Mutex
}

// New returns a Service.
func New(s *store.Store, set Settings) *Service {
	if set.Idle == 0 {
		set.Idle = DefaultSettings.Idle
	}
	if set.Max == 0 {
		set.Max = DefaultSettings.Max
	}
	if set.FreeFailures == 0 {
		set.FreeFailures = DefaultSettings.FreeFailures
	}
	if set.FirstLock == 0 {
		set.FirstLock = DefaultSettings.FirstLock
	}
	if set.MaxLock == 0 {
		set.MaxLock = DefaultSettings.MaxLock
	}
	return &Service{store: s, set: set, now: time.Now}
}

// SetClock replaces the clock; tests use it to pass timeouts.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Login is a successful login: the cookie token (shown to the browser once,
// stored only hashed) and the session's CSRF token.
type Login struct {
	Token string
	CSRF  string
	Staff *model.Staff
}

// NormalizeEmail lower-cases and trims an address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Login checks a password and opens a session. Every failure returns the
// same error (apperr.ErrUnauthenticated with "login.failed"), or
// apperr.ErrTooMany while the address is locked.
func (s *Service) Login(ctx context.Context, email, password string) (*Login, error) {
	email = NormalizeEmail(email)
	var st *model.Staff
	ok, err := s.throttled(ctx, email, func() (bool, error) {
		var err error
		st, err = s.store.StaffByEmail(ctx, email)
		if errors.Is(err, apperr.ErrNotFound) {
			_, _ = CheckPassword(s.dummy(), password)
			return false, nil
		}
		if err != nil {
			return false, err
		}
		ok, err := CheckPassword(st.PasswordHash, password)
		return ok && !st.Disabled, err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.New(apperr.ErrUnauthenticated, "login.failed")
	}
	// A fresh token at every login: a token planted before login (session
	// fixation) is never promoted.
	now := s.now()
	l := &Login{Token: NewToken(), CSRF: NewToken(), Staff: st}
	err = s.store.InsertStaffSession(ctx, &model.StaffSession{
		ID: hashKey(l.Token), StaffID: st.ID, CSRFToken: l.CSRF, CreatedAt: now, LastSeenAt: now,
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// throttled runs check, a password comparison for a normalised address,
// under the address's throttle: refused with apperr.ErrTooMany while the
// address is locked, a false result counted as a failure (locking the
// address after the free ones), a true one clearing the count. The login
// and the current-password check of a password change share it, so the
// second is no way around the first.
func (s *Service) throttled(ctx context.Context, email string, check func() (bool, error)) (bool, error) {
	key := hashKey(email)
	mu := &s.attempts[int(key[0])%len(s.attempts)]
	mu.Lock()
	defer mu.Unlock()
	now := s.now()
	th, err := s.store.LoginThrottle(ctx, key)
	if err != nil {
		return false, err
	}
	if now.Before(th.LockedUntil) {
		return false, lockedError(th.LockedUntil.Sub(now))
	}
	ok, err := check()
	if err != nil {
		return false, err
	}
	if !ok {
		th.Failures++
		th.UpdatedAt = now
		if over := th.Failures - s.set.FreeFailures; over >= 0 {
			lock := s.set.FirstLock << min(over, 20)
			th.LockedUntil = now.Add(min(lock, s.set.MaxLock))
		}
		return false, s.store.SaveLoginThrottle(ctx, th)
	}
	if th.Failures > 0 {
		if err := s.store.ClearLoginThrottle(ctx, key); err != nil {
			return false, err
		}
	}
	return true, nil
}

func lockedError(wait time.Duration) error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	return &apperr.Error{Kind: apperr.ErrTooMany, MsgID: "login.locked", Data: map[string]any{"Minutes": minutes}}
}

func (s *Service) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash, _ = HashPassword(NewToken()) })
	return s.dummyHash
}

// Authenticate returns the staff member and session for a cookie token,
// enforcing both timeouts. An expired session is deleted.
func (s *Service) Authenticate(ctx context.Context, token string) (*model.Staff, *model.StaffSession, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, apperr.New(apperr.ErrUnauthenticated, "login.required")
	}
	id := hashKey(token)
	ss, err := s.store.StaffSession(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, apperr.New(apperr.ErrUnauthenticated, "login.required")
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if now.Sub(ss.LastSeenAt) > s.set.Idle || now.Sub(ss.CreatedAt) > s.set.Max {
		if err := s.store.DeleteStaffSession(ctx, id); err != nil {
			return nil, nil, err
		}
		return nil, nil, apperr.New(apperr.ErrUnauthenticated, "login.expired")
	}
	st, err := s.store.Staff(ctx, ss.StaffID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && st.Disabled) {
		_ = s.store.DeleteStaffSession(ctx, id)
		return nil, nil, apperr.New(apperr.ErrUnauthenticated, "login.required")
	}
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(ss.LastSeenAt) > touchEvery {
		if err := s.store.TouchStaffSession(ctx, id, now); err != nil {
			return nil, nil, err
		}
	}
	return st, ss, nil
}

// Logout ends the session of a cookie token.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteStaffSession(ctx, hashKey(token))
}

// ChangePassword sets a new password after checking the current one, and
// ends every other session of the account. The check counts against the
// login throttle: whoever finds a logged-in device must not be able to
// guess the password without limit and keep access after the session.
func (s *Service) ChangePassword(ctx context.Context, st *model.Staff, keep *model.StaffSession, current, next string) error {
	ok, err := s.throttled(ctx, st.Email, func() (bool, error) { return CheckPassword(st.PasswordHash, current) })
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("current", "password.current_wrong")
	}
	if err := ValidateNewPassword(next, st.Email); err != nil {
		return err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, st.ID, hash, false); err != nil {
		return err
	}
	keepID := ""
	if keep != nil {
		keepID = keep.ID
	}
	return s.store.DeleteStaffSessionsOf(ctx, st.ID, keepID)
}

// ValidateNewPassword applies the password rules: long enough, not the
// e-mail address.
func ValidateNewPassword(pw, email string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return &apperr.Error{Kind: apperr.ErrInvalid, Field: "new", MsgID: "password.too_short",
			Data: map[string]any{"Min": MinPasswordLength}}
	}
	if len(pw) > 200 {
		return apperr.Invalid("new", "password.too_long")
	}
	if strings.EqualFold(pw, email) {
		return apperr.Invalid("new", "password.is_email")
	}
	return nil
}

// Purge deletes expired sessions and stale throttles. The embedded store has
// no TTL indexes, so the server runs this periodically.
func (s *Service) Purge(ctx context.Context) error {
	now := s.now()
	if _, err := s.store.PurgeStaffSessions(ctx, now.Add(-s.set.Idle), now.Add(-s.set.Max)); err != nil {
		return err
	}
	_, err := s.store.PurgeLoginThrottles(ctx, now.Add(-24*time.Hour))
	return err
}
