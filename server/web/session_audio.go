package web

import (
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/media"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
)

// PromptAudioSave stores a recording of a prompt read aloud in one
// language: a multipart form with the fields version, prompt, lang and the
// file "audio" (recorded in the browser or chosen from disk).
func (h *SessionPages) PromptAudioSave(c *fiber.Ctx) error {
	promptID := c.FormValue("prompt")
	var s *model.Session
	body, contentType, err := FormFile(c, "audio", media.DefaultLimits.PromptBytes)
	if err == nil {
		s, err = h.sessions.SetPromptAudio(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"),
			formInt(c, "version"), promptID, c.FormValue("lang"), contentType, body)
	}
	return h.audioDone(c, s, err, promptID)
}

// PromptAudioDelete removes the recording of a prompt in one language.
func (h *SessionPages) PromptAudioDelete(c *fiber.Ctx) error {
	promptID := c.FormValue("prompt")
	s, err := h.sessions.DeletePromptAudio(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"),
		formInt(c, "version"), promptID, c.FormValue("lang"))
	return h.audioDone(c, s, err, promptID)
}

// audioDone tells live devices (their prompts now list the recording) and
// goes back to the prompt, or shows the page again with the message under
// the prompt's recording form.
func (h *SessionPages) audioDone(c *fiber.Ctx, s *model.Session, err error, promptID string) error {
	if err != nil {
		errs, err2 := fieldErrors(request.Localizer(c), err)
		if err2 != nil {
			return err2
		}
		msg := ""
		for _, m := range errs {
			msg = m // these forms show one message
		}
		return h.sessionPage(c, formStatus(err), Form{Failed: "audio:" + promptID, Errors: map[string]string{"audio": msg}}, nil, nil)
	}
	if err := h.publish(c, s); err != nil {
		return err
	}
	return h.redirect(c, sessionPath(s.OrgID, s.ID)+"#prompt-"+promptID, "saved")
}

// FormFile reads an uploaded file of a multipart form, at most max bytes.
// A missing file is an empty body (the domain says what that means); a
// refusal names field, so the form shows it there.
func FormFile(c *fiber.Ctx, field string, max int) ([]byte, string, error) {
	fh, err := c.FormFile(field)
	if err != nil {
		return nil, "", nil
	}
	if fh.Size > int64(max) {
		e := media.TooLarge(max)
		e.Field = field
		return nil, "", e
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", apperr.Invalid(field, "answer.file_broken")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, "", apperr.Invalid(field, "answer.file_broken")
	}
	return b, fh.Header.Get(fiber.HeaderContentType), nil
}
