package live

import "github.com/gofiber/fiber/v2"

// ParticipantID returns the anonymous participant id of the device, from
// its participant cookie, if it carries a valid one. Other resident
// endpoints (voice note and photo uploads, playback) use it to know whose
// request it is without any account.
func (lh *Handler) ParticipantID(c *fiber.Ctx) (string, bool) {
	return lh.verify(c.Cookies(lh.participantCookie))
}
