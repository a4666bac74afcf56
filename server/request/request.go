// Package request carries what middleware learns about a request (the
// person's language, the logged-in staff member and their session) to the
// handlers, through typed accessors instead of loose fiber.Locals keys.
package request

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/model"
)

type key int

const (
	keyLocalizer key = iota
	keyStaff
	keySession
	keySessionToken
	keyCSRF
)

// SetLocalizer records the request's language.
func SetLocalizer(c *fiber.Ctx, l *i18n.Localizer) { c.Locals(keyLocalizer, l) }

// Localizer returns the request's language; middleware always sets one.
func Localizer(c *fiber.Ctx) *i18n.Localizer {
	l, _ := c.Locals(keyLocalizer).(*i18n.Localizer)
	return l
}

// SetStaff records the logged-in staff member, their session and cookie
// token.
func SetStaff(c *fiber.Ctx, st *model.Staff, ss *model.StaffSession, token string) {
	c.Locals(keyStaff, st)
	c.Locals(keySession, ss)
	c.Locals(keySessionToken, token)
}

// Staff returns the logged-in staff member, or nil.
func Staff(c *fiber.Ctx) *model.Staff {
	st, _ := c.Locals(keyStaff).(*model.Staff)
	return st
}

// Session returns the logged-in session, or nil.
func Session(c *fiber.Ctx) *model.StaffSession {
	ss, _ := c.Locals(keySession).(*model.StaffSession)
	return ss
}

// SessionToken returns the cookie token of the session, or "".
func SessionToken(c *fiber.Ctx) string {
	t, _ := c.Locals(keySessionToken).(string)
	return t
}

// SetCSRF records the token forms on this page must send back.
func SetCSRF(c *fiber.Ctx, token string) { c.Locals(keyCSRF, token) }

// CSRF returns the token forms on this page must send back.
func CSRF(c *fiber.Ctx) string {
	t, _ := c.Locals(keyCSRF).(string)
	return t
}

// IsAPI reports whether the request is for the JSON API, whose errors are
// JSON rather than pages.
func IsAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return len(p) >= 5 && p[:5] == "/api/"
}
