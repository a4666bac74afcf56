package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/request"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// LoginResponse answers a successful login. CSRFToken goes into the
// X-CSRF-Token header of every state-changing request of this session.
type LoginResponse struct {
	Staff     StaffView `json:"staff"`
	CSRFToken string    `json:"csrf_token"`
}

// Login checks a password and starts a session (cookie).
func (h *Handlers) Login(c *fiber.Ctx) error {
	var in loginRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	login, err := h.auth.Login(c.UserContext(), in.Email, in.Password)
	if err != nil {
		return err
	}
	h.setSession(c, login.Token)
	return c.JSON(LoginResponse{Staff: staffView(login.Staff), CSRFToken: login.CSRF})
}

// Logout ends the session.
func (h *Handlers) Logout(c *fiber.Ctx) error {
	if err := h.auth.Logout(c.UserContext(), request.SessionToken(c)); err != nil {
		return err
	}
	h.setSession(c, "")
	return c.SendStatus(fiber.StatusNoContent)
}

// MeResponse describes the logged-in staff member.
type MeResponse struct {
	Staff     StaffView `json:"staff"`
	CSRFToken string    `json:"csrf_token"`
}

// Me returns the logged-in staff member and the session's CSRF token.
func (h *Handlers) Me(c *fiber.Ctx) error {
	return c.JSON(MeResponse{Staff: staffView(request.Staff(c)), CSRFToken: request.Session(c).CSRFToken})
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// Password changes the caller's password and ends their other sessions.
func (h *Handlers) Password(c *fiber.Ctx) error {
	var in passwordRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := h.auth.ChangePassword(c.UserContext(), request.Staff(c), request.Session(c), in.Current, in.New); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
