package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/uploads"
)

// isMediaUpload reports whether a request is a resident's voice note or
// photo upload (POST /live/{session}/media): a raw file, with no form to
// carry a CSRF token. A cross-site page cannot send one with the resident's
// cookie: the csrf middleware has refused a foreign Origin and cross-site
// fetches already, the file's Content-Type (audio/… or image/…) is not one
// a page may send cross-origin without a CORS preflight (never granted),
// and the participant cookie is SameSite=Lax.
func isMediaUpload(c *fiber.Ctx) bool {
	if c.Method() != fiber.MethodPost {
		return false
	}
	rest, ok := strings.CutPrefix(c.Path(), "/live/")
	if !ok {
		return false
	}
	id, tail, ok := strings.Cut(rest, "/")
	return ok && id != "" && tail == "media"
}

// Uploads returns the media service; tests use it to move its clock and
// run the retention purge.
func (s *Server) Uploads() *uploads.Service { return s.uploads }
