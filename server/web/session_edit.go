package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// SessionEdit shows a session: its details, its prompts in order and, to
// those who run sessions, the forms to change them, open it and copy it.
// Reviewers see the same page without forms.
func (h *SessionPages) SessionEdit(c *fiber.Ctx) error {
	return h.sessionPage(c, fiber.StatusOK, Form{}, nil, nil)
}

// sessionPage renders session.html. details and prompt, if not nil, are
// the values of the form that failed (f.Failed says which).
func (h *SessionPages) sessionPage(c *fiber.Ctx, status int, f Form, details *sessions.Input, prompt *sessions.PromptInput) error {
	ctx, st, orgID := c.UserContext(), request.Staff(c), c.Params("org")
	s, err := h.sessions.Get(ctx, st, orgID, c.Params("id"))
	if err != nil {
		return err
	}
	o, err := h.admin.Organisation(ctx, st, orgID)
	if err != nil {
		return err
	}
	in := sessions.InputOf(s)
	if details != nil {
		in = *details
	}
	sf, err := h.choices(ctx, st, orgID, in)
	if err != nil {
		return err
	}
	p := &SessionPage{Page: h.page(c), Form: f, SessionForm: sf, Org: o, Session: s,
		CanRun: sessions.CanRun(st, orgID), JoinURL: h.joinURL(s), ProjectorURL: h.projectorURL(s),
		Kinds: model.PromptKinds, Pictograms: pictograms}
	if prompt != nil {
		p.PromptDraft = *prompt
	}
	return h.show(c, status, "session", p)
}

// SessionUpdate saves the details form: title, place, languages,
// moderation and pace. The prompts stay as they are.
func (h *SessionPages) SessionUpdate(c *fiber.Ctx) error {
	in := detailsInput(c)
	s, err := h.sessions.UpdateDetails(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), in)
	if err != nil {
		errs, err2 := detailsErrors(c, err)
		if err2 != nil {
			return err2
		}
		return h.sessionPage(c, formStatus(err), Form{Failed: "details", Errors: errs}, &in, nil)
	}
	if err := h.publish(c, s); err != nil {
		return err
	}
	return h.redirect(c, sessionPath(s.OrgID, s.ID), "saved")
}
