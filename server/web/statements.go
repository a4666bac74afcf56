package web

import "github.com/gofiber/fiber/v2"

// StatementPage is the data of privacy.html and accessibility.html.
type StatementPage struct {
	Page
}

// Privacy shows the privacy statement: what buurtstem keeps about
// residents, for how long, who sees it and how to have it deleted, in plain
// words and the resident's language. It needs no login: every page links
// to it. deploy/DPIA.md is the municipality's fuller version.
func (h *Handlers) Privacy(c *fiber.Ctx) error {
	return h.show(c, fiber.StatusOK, "privacy", &StatementPage{Page: h.page(c)})
}

// Accessibility shows the accessibility statement: what helps, how it is
// tested, what does not work well yet and whom to tell.
func (h *Handlers) Accessibility(c *fiber.Ctx) error {
	return h.show(c, fiber.StatusOK, "accessibility", &StatementPage{Page: h.page(c)})
}
