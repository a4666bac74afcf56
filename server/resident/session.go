package resident

import (
	"encoding/json"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// SessionPage is the data of resident/session.html: the shell that
// resident.js fills with the session's screens.
type SessionPage struct {
	Page
	Session *model.Session
	// Langs of the session as JSON {code: native name}, and the
	// "not in your language" notice per language the text may fall back
	// to, filled in server-side so the script never glues sentences.
	LangNames string
	Fallback  string
	Themes    []string
}

// Session is the answer page of a session: /s/{id}. It needs the
// participant cookie that joining gives; a device without one goes to the
// keypad. A closed session says so and links to "my input".
func (h *Handlers) Session(c *fiber.Ctx) error {
	p, err := h.participant(c)
	if err != nil {
		return err
	}
	if p == "" {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	s, err := h.store.SessionByID(c.UserContext(), c.Params("id"))
	if errors.Is(err, apperr.ErrNotFound) {
		pg := h.page(c)
		return h.message(c, fiber.StatusNotFound, "ui-question", pg.T("resident.not_found_title"), pg.T("resident.not_found"), "/", pg.T("resident.to_keypad"))
	}
	if err != nil {
		return err
	}
	if !sessionOpen(s) {
		return h.ended(c)
	}
	pg := &SessionPage{Page: h.page(c), Session: s, Themes: sessions.Themes}
	names, notes := map[string]string{}, map[string]string{}
	for _, code := range append([]string{i18n.Source}, s.Languages...) {
		if l, ok := h.catalog.Lookup(code); ok {
			names[l.Code] = l.NativeName
			notes[l.Code] = pg.T("content.fallback", "Language", l.NativeName)
		}
	}
	b, _ := json.Marshal(names)
	pg.LangNames = string(b)
	b, _ = json.Marshal(notes)
	pg.Fallback = string(b)
	return h.show(c, fiber.StatusOK, "session", pg)
}

// ended is the screen of a closed session: what happened with the input
// is on "my input".
func (h *Handlers) ended(c *fiber.Ctx) error {
	pg := h.page(c)
	return h.message(c, fiber.StatusOK, "kind-feedback", pg.T("resident.ended_title"), pg.T("resident.ended"), "/mine", pg.T("resident.to_mine"))
}
