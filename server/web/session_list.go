package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// SessionList shows an organisation's live sessions and, to those who run
// sessions, the form to create one.
func (h *SessionPages) SessionList(c *fiber.Ctx) error {
	in := sessions.Input{Moderation: string(model.ModerationPre), Pace: string(model.PaceLed),
		Languages: []string{request.Localizer(c).Lang.Code}}
	return h.sessionList(c, fiber.StatusOK, Form{}, in)
}

func (h *SessionPages) sessionList(c *fiber.Ctx, status int, f Form, in sessions.Input) error {
	ctx, st, orgID := c.UserContext(), request.Staff(c), c.Params("org")
	o, err := h.admin.Organisation(ctx, st, orgID)
	if err != nil {
		return err
	}
	list, err := h.sessions.List(ctx, st, orgID)
	if err != nil {
		return err
	}
	sf, err := h.choices(ctx, st, orgID, in)
	if err != nil {
		return err
	}
	return h.show(c, status, "sessions", &SessionListPage{Page: h.page(c), Form: f, SessionForm: sf,
		Org: o, CanRun: sessions.CanRun(st, orgID), Sessions: list})
}

// SessionCreate prepares a new draft session and goes on to its prompts.
func (h *SessionPages) SessionCreate(c *fiber.Ctx) error {
	orgID, in := c.Params("org"), detailsInput(c)
	s, err := h.sessions.Create(c.UserContext(), request.Staff(c), orgID, in)
	if err != nil {
		errs, err2 := detailsErrors(c, err)
		if err2 != nil {
			return err2
		}
		return h.sessionList(c, formStatus(err), Form{Failed: "create", Errors: errs}, in)
	}
	return h.redirect(c, sessionPath(orgID, s.ID), "created")
}
