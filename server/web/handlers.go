package web

import (
	"errors"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
)

// Handlers serves the staff pages.
type Handlers struct {
	render  *Renderer
	catalog *i18n.Catalog
	auth    *auth.Service
	admin   *admin.Service
	cookies Cookies
	// retentionMonths returns how many months an organisation keeps voice
	// notes and photos (uploads.Service); see SetRetentionMonths.
	retentionMonths func(*model.Organisation) int
}

// NewHandlers returns the page handlers.
func NewHandlers(r *Renderer, c *i18n.Catalog, a *auth.Service, ad *admin.Service, ck Cookies) *Handlers {
	return &Handlers{render: r, catalog: c, auth: a, admin: ad, cookies: ck}
}

// Cookies names and flags the cookies. Over https they are Secure and the
// session cookie takes the __Host- prefix, which pins it to this host and
// path "/" so a sibling subdomain cannot overwrite it.
type Cookies struct{ Secure bool }

// Session is the name of the session cookie.
func (c Cookies) Session() string {
	if c.Secure {
		return "__Host-bst_session"
	}
	return "bst_session"
}

// PreSession is the name of the cookie that carries the CSRF token of
// forms sent before login.
func (c Cookies) PreSession() string {
	if c.Secure {
		return "__Host-bst_csrf"
	}
	return "bst_csrf"
}

// Participant is the name of a resident device's anonymous participant
// cookie (live.ParticipantCookie over http). Over https the __Host- prefix
// makes the browser refuse it unless it is Secure, for the exact host and
// path "/": a sibling subdomain or a plain-http page cannot plant one.
func (c Cookies) Participant() string {
	if c.Secure {
		return "__Host-bst_participant"
	}
	return "bst_participant"
}

// Language is the name of the cookie that remembers the chosen language.
func (c Cookies) Language() string { return "bst_lang" }

// Flash is the name of the cookie that carries a message id across a
// redirect.
func (c Cookies) Flash() string { return "bst_flash" }

// Set writes a cookie with the common flags: HttpOnly, SameSite=Lax, path
// "/", Secure over https. maxAge 0 is a browser-session cookie, negative
// deletes it.
func (c Cookies) Set(ctx *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{
		Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: c.Secure,
	}
	switch {
	case maxAge > 0:
		ck.MaxAge = int(maxAge / time.Second)
	case maxAge < 0:
		ck.MaxAge = -1
		ck.Expires = time.Unix(1, 0)
	}
	ctx.Cookie(ck)
}

func (h *Handlers) page(c *fiber.Ctx) Page {
	p := Page{
		L:     request.Localizer(c),
		Langs: h.catalog.Languages(),
		Staff: request.Staff(c),
		CSRF:  request.CSRF(c),
	}
	if id := c.Cookies(h.cookies.Flash()); id != "" {
		if msg, ok := flashes[id]; ok {
			p.Flash = p.L.T(msg)
		}
		h.cookies.Set(c, h.cookies.Flash(), "", -1)
	}
	return p
}

// flashes are the messages a redirect may carry, by short name. Only these
// can be shown, so the cookie cannot inject text.
var flashes = map[string]string{
	"saved":    "flash.saved",
	"created":  "flash.created",
	"deleted":  "flash.deleted",
	"password": "flash.password_changed",
	"removed":  "flash.removed",
	"copied":   "flash.session_copied",
	"opened":   "flash.session_opened",
	"closed":   "flash.session_closed",
}

// redirect sends the browser on after a successful POST, with a message.
func (h *Handlers) redirect(c *fiber.Ctx, to, flash string) error {
	if flash != "" {
		h.cookies.Set(c, h.cookies.Flash(), flash, time.Minute)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

func (h *Handlers) show(c *fiber.Ctx, status int, name string, data any) error {
	b, err := h.render.Render(name, data)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(b)
}

// fieldErrors turns a validation error into translated messages per field.
// Other errors are returned for the error handler.
//
// ErrForbidden is deliberately not a field error: shown again as a form it
// went out as 400, and to a reviewer or intermediary, whose page has no
// admin forms, as a page with no message at all. The error handler answers
// it with 403 and the translated reason, as the API does.
func fieldErrors(l *i18n.Localizer, err error) (map[string]string, error) {
	e, ok := apperr.As(err)
	if !ok || (!errors.Is(err, apperr.ErrInvalid) && !errors.Is(err, apperr.ErrConflict)) {
		return nil, err
	}
	field := e.Field
	if field == "" {
		field = "general"
	}
	return map[string]string{field: l.T(e.MsgID, apperr.Args(e.Data)...)}, nil
}

// formValues copies named fields of a posted form, to show them again.
func formValues(c *fiber.Ctx, fields ...string) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f] = c.FormValue(f)
	}
	return m
}

// RenderError shows the translated error page.
func (h *Handlers) RenderError(c *fiber.Ctx, status int, heading, message string, retryAfter int) error {
	p := h.page(c)
	return h.show(c, status, "error", &ErrorPage{Page: p, Heading: heading, Message: message, RetryAfter: retryAfter})
}

// safeNext accepts only local paths as a redirect target after login.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/staff"
	}
	return next
}
