package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/request"
)

// Login shows the login form.
func (h *Handlers) Login(c *fiber.Ctx) error {
	if request.Staff(c) != nil {
		return c.Redirect("/staff", fiber.StatusSeeOther)
	}
	return h.show(c, fiber.StatusOK, "login", &LoginPage{Page: h.page(c), Next: safeNext(c.Query("next"))})
}

// LoginPost checks the password and starts a session. Every failure shows
// the same message, so the form does not tell whether an account exists.
func (h *Handlers) LoginPost(c *fiber.Ctx) error {
	email := c.FormValue("email")
	login, err := h.auth.Login(c.UserContext(), email, c.FormValue("password"))
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || errors.Is(err, apperr.ErrUnavailable) {
			return err
		}
		status := fiber.StatusUnauthorized
		if errors.Is(err, apperr.ErrTooMany) {
			status = fiber.StatusTooManyRequests
		}
		p := h.page(c)
		return h.show(c, status, "login", &LoginPage{Page: p, Email: email, Next: safeNext(c.Query("next")), Error: p.L.T(e.MsgID, apperr.Args(e.Data)...)})
	}
	h.cookies.Set(c, h.cookies.Session(), login.Token, 0)
	h.cookies.Set(c, h.cookies.PreSession(), "", -1)
	if login.Staff.MustChangePassword {
		return c.Redirect("/account/password", fiber.StatusSeeOther)
	}
	return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
}

// Logout ends the session.
func (h *Handlers) Logout(c *fiber.Ctx) error {
	if err := h.auth.Logout(c.UserContext(), request.SessionToken(c)); err != nil {
		return err
	}
	h.cookies.Set(c, h.cookies.Session(), "", -1)
	return c.Redirect("/login", fiber.StatusSeeOther)
}
