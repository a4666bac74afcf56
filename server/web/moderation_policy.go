package web

import "github.com/gofiber/fiber/v2"

// ModerationPolicyPage is the data of moderation_policy.html.
type ModerationPolicyPage struct {
	Page
}

// ModerationPolicy shows the public moderation policy: what happens to
// what residents write and why, in their language. It needs no login:
// residents reach it from every screen, and it says what the moderation
// library (package moderation) does, in plain words.
func (h *Handlers) ModerationPolicy(c *fiber.Ctx) error {
	return h.show(c, fiber.StatusOK, "moderation_policy", &ModerationPolicyPage{Page: h.page(c)})
}
