package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// Console runs a session live: the join code, the buttons that move
// through the prompts, the live participant count and results, incoming
// input with approve and reject, and a form to answer for a resident
// without a phone. Its script (console.js) keeps a WebSocket connection as
// an intermediary. Reviewers see the page read-only, without the script.
func (h *SessionPages) Console(c *fiber.Ctx) error {
	ctx, st, orgID := c.UserContext(), request.Staff(c), c.Params("org")
	s, err := h.sessions.Get(ctx, st, orgID, c.Params("id"))
	if err != nil {
		return err
	}
	o, err := h.admin.Organisation(ctx, st, orgID)
	if err != nil {
		return err
	}
	// Reviewers may follow a session read-only through the projector view.
	p := &ConsolePage{Page: h.page(c), Org: o, Session: s, CanRun: sessions.CanRun(st, orgID),
		JoinURL: h.joinURL(s), ProjectorURL: h.projectorURL(s)}
	return h.show(c, fiber.StatusOK, "console", p)
}
