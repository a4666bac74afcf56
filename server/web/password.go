package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/request"
)

// Password shows the form to change one's own password.
func (h *Handlers) Password(c *fiber.Ctx) error {
	return h.show(c, fiber.StatusOK, "password", &PasswordPage{Page: h.page(c), MinLength: auth.MinPasswordLength})
}

// PasswordPost changes the password and ends the account's other sessions.
func (h *Handlers) PasswordPost(c *fiber.Ctx) error {
	p := h.page(c)
	data := &PasswordPage{Page: p, MinLength: auth.MinPasswordLength, Form: Form{Failed: "password"}}
	next := c.FormValue("new")
	if next != c.FormValue("repeat") {
		data.Errors = map[string]string{"repeat": p.L.T("password.mismatch")}
		return h.show(c, fiber.StatusBadRequest, "password", data)
	}
	err := h.auth.ChangePassword(c.UserContext(), request.Staff(c), request.Session(c), c.FormValue("current"), next)
	if err != nil {
		if data.Errors, err = fieldErrors(p.L, err); err != nil {
			return err
		}
		return h.show(c, fiber.StatusBadRequest, "password", data)
	}
	return h.redirect(c, "/staff", "password")
}
