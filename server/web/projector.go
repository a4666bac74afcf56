package web

import (
	"html/template"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/qrsvg"
	"github.com/buurtstem/buurtstem/server/request"
)

// Projector is the view for the wall of the room: the join code and QR
// code large, the current prompt with its pictogram and the live results,
// in high contrast and large type. It needs no login; the key in its link
// is the permission (a wrong key gets a translated 403). Its script
// (projector.js) connects as a projector and updates the page without
// reloading.
func (h *SessionPages) Projector(c *fiber.Ctx) error {
	key := c.Query("key")
	s, err := h.sessions.ForProjector(c.UserContext(), c.Params("org"), c.Params("id"), key)
	if err != nil {
		return err
	}
	p := &ProjectorPage{Page: h.page(c), Session: s, Key: key, JoinURL: h.joinURL(s), JoinSite: h.baseURL}
	if u, err := url.Parse(h.baseURL); err == nil {
		p.JoinSite = strings.TrimSuffix(u.Host+u.Path, "/")
	}
	if p.JoinURL != "" {
		svg, err := qrsvg.Encode(p.JoinURL, request.Localizer(c).T("console.qr_title", "Code", s.Code))
		if err != nil {
			return err
		}
		p.QR = template.HTML(svg) // #nosec G203 -- made by qrsvg, which escapes its one text
	}
	// The link is a secret: keep the page out of caches and search engines.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	return h.show(c, fiber.StatusOK, "projector", p)
}
