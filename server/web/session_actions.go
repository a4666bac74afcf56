package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/request"
)

// SessionCopy makes a new draft from a session, as a template, and shows
// it.
func (h *SessionPages) SessionCopy(c *fiber.Ctx) error {
	s, err := h.sessions.Copy(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	return h.redirect(c, sessionPath(s.OrgID, s.ID), "copied")
}

// SessionOpen makes a session joinable and goes to its console, which
// shows the join code large.
func (h *SessionPages) SessionOpen(c *fiber.Ctx) error {
	s, err := h.sessions.Open(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		errs, err2 := fieldErrors(request.Localizer(c), err)
		if err2 != nil {
			return err2
		}
		return h.sessionPage(c, formStatus(err), Form{Failed: "actions", Errors: map[string]string{"general": firstOf(errs)}}, nil, nil)
	}
	if err := h.publish(c, s); err != nil {
		return err
	}
	return h.redirect(c, sessionPath(s.OrgID, s.ID)+"/console", "opened")
}

// SessionMove is the console's buttons without JavaScript: start, next,
// previous and go to a prompt (the default when only an index is posted).
// With JavaScript the console sends the same over its live connection.
func (h *SessionPages) SessionMove(c *fiber.Ctx) error {
	action := c.FormValue("action", "goto")
	s, err := h.sessions.Control(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"),
		action, formInt(c, "index"))
	if err != nil {
		return err
	}
	if err := h.publish(c, s); err != nil {
		return err
	}
	return h.redirect(c, sessionPath(s.OrgID, s.ID)+"/console", "")
}

// SessionClose ends a session: residents' phones show that it ended and
// its join code is free again.
func (h *SessionPages) SessionClose(c *fiber.Ctx) error {
	s, err := h.sessions.Close(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	if err := h.publish(c, s); err != nil {
		return err
	}
	return h.redirect(c, sessionPath(s.OrgID, s.ID), "closed")
}

func firstOf(m map[string]string) string {
	for _, v := range m {
		return v
	}
	return ""
}
