package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// PromptAdd adds a prompt of the posted kind at the end.
func (h *SessionPages) PromptAdd(c *fiber.Ctx) error {
	kind := c.FormValue("kind")
	in := h.promptInput(c, kind)
	s, err := h.sessions.AddPrompt(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), formInt(c, "version"), in)
	return h.promptDone(c, s, err, "new:"+kind, in, "created")
}

// PromptSave saves the changes to one prompt.
func (h *SessionPages) PromptSave(c *fiber.Ctx) error {
	in := h.promptInput(c, c.FormValue("kind"))
	s, err := h.sessions.SavePrompt(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), formInt(c, "version"), in)
	return h.promptDone(c, s, err, "prompt:"+in.ID, in, "saved")
}

// PromptMove moves a prompt one place up or down.
func (h *SessionPages) PromptMove(c *fiber.Ctx) error {
	delta := 1
	if c.FormValue("direction") == "up" {
		delta = -1
	}
	id := c.FormValue("prompt")
	s, err := h.sessions.MovePrompt(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), formInt(c, "version"), id, delta)
	return h.promptDone(c, s, err, "prompt:"+id, sessions.PromptInput{ID: id}, "saved")
}

// PromptDelete removes a prompt.
func (h *SessionPages) PromptDelete(c *fiber.Ctx) error {
	id := c.FormValue("prompt")
	s, err := h.sessions.DeletePrompt(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), formInt(c, "version"), id)
	return h.promptDone(c, s, err, "prompt:"+id, sessions.PromptInput{ID: id}, "deleted")
}

// promptDone finishes a prompt edit: on success it tells live devices and
// goes back to the session page; on failure it shows the page again with
// the form's values and translated errors.
func (h *SessionPages) promptDone(c *fiber.Ctx, s *model.Session, err error, form string, in sessions.PromptInput, flash string) error {
	if err != nil {
		errs, err2 := promptErrors(c, err)
		if err2 != nil {
			return err2
		}
		if in.Text == nil {
			// Move and delete have no values to keep: the prompt's own
			// form shows the message.
			return h.sessionPage(c, formStatus(err), Form{Failed: form, Errors: errs}, nil, nil)
		}
		return h.sessionPage(c, formStatus(err), Form{Failed: form, Errors: errs}, nil, &in)
	}
	if err := h.publish(c, s); err != nil {
		return err
	}
	return h.redirect(c, sessionPath(s.OrgID, s.ID)+"#prompts", flash)
}
