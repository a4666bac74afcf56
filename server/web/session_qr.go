package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/qrsvg"
	"github.com/buurtstem/buurtstem/server/request"
)

// SessionQR returns the QR code of an open session's join link as SVG, to
// show, print or download. A session without a join code (a draft, or
// closed) has none.
func (h *SessionPages) SessionQR(c *fiber.Ctx) error {
	s, err := h.sessions.Get(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	if s.Code == "" {
		return apperr.New(apperr.ErrConflict, "session.not_open")
	}
	b, err := qrsvg.Encode(h.joinURL(s), request.Localizer(c).T("console.qr_title", "Code", s.Code))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="buurtstem-`+s.Code+`.svg"`)
	return c.Send(b)
}
