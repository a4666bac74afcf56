package resident

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// LanguagePage is the data of resident/language.html: every shipped
// language by its own name, each with a speaker button.
type LanguagePage struct {
	Page
	Next string // where a choice leads, a local path
}

// JoinPage is the data of resident/join.html: the keypad.
type JoinPage struct {
	Page
	Code  string
	Error string
}

// Join is the front door, "/": a device that has not chosen a language
// gets the languages first; then the keypad for the 6-digit code. The form
// works without script (GET /j?code=…); resident.js makes the keypad.
func (h *Handlers) Join(c *fiber.Ctx) error {
	if !h.chosenLanguage(c) {
		return h.show(c, fiber.StatusOK, "language", &LanguagePage{Page: h.page(c), Next: "/"})
	}
	return h.show(c, fiber.StatusOK, "join", &JoinPage{Page: h.page(c)})
}

// Language shows the language screen again (the globe on every page); a
// choice returns to ?next=, a local path.
func (h *Handlers) Language(c *fiber.Ctx) error {
	return h.show(c, fiber.StatusOK, "language", &LanguagePage{Page: h.page(c), Next: localPath(c.Query("next"))})
}

// JoinForm answers the keypad form sent without script: /j?code=123456.
func (h *Handlers) JoinForm(c *fiber.Ctx) error {
	code := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, c.Query("code"))
	if code == "" {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return c.Redirect("/j/"+code, fiber.StatusSeeOther)
}

// JoinLink is where the QR code leads: /j/{code}. It joins the session
// (the participant cookie is made here if the device has none) and opens
// its answer page; a device without a language chooses one first. A wrong
// or expired code gets a friendly screen with the keypad.
func (h *Handlers) JoinLink(c *fiber.Ctx) error {
	code := strings.Clone(c.Params("code"))
	if !h.chosenLanguage(c) {
		return h.show(c, fiber.StatusOK, "language", &LanguagePage{Page: h.page(c), Next: "/j/" + url.PathEscape(code)})
	}
	s, err := h.join.JoinCode(c, code)
	if err != nil {
		return h.joinFailed(c, code, err)
	}
	return c.Redirect("/s/"+s.ID, fiber.StatusSeeOther)
}

// joinFailed shows the keypad again with what went wrong, translated.
func (h *Handlers) joinFailed(c *fiber.Ctx, code string, err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return err
	}
	status := fiber.StatusNotFound
	switch {
	case errors.Is(err, apperr.ErrTooMany):
		status = fiber.StatusTooManyRequests
	case errors.Is(err, apperr.ErrInvalid):
		if e.MsgID == "join.code_invalid" {
			status = fiber.StatusBadRequest
		}
	default:
		return err
	}
	l := h.page(c)
	// The keypad shows the code only, not the session id a QR link adds.
	code, _, _ = strings.Cut(code, ".")
	return h.show(c, status, "join", &JoinPage{Page: l, Code: code, Error: l.T(e.MsgID)})
}

// localPath accepts only a path of this site ("/…", not "//…").
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "?#\r\n") {
		return "/"
	}
	return p
}

// sessionOpen reports whether residents may still answer.
func sessionOpen(s *model.Session) bool {
	return s.State == model.StateOpen || s.State == model.StateRunning
}
