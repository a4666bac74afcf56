package api

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/media"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
	"github.com/buurtstem/buurtstem/server/uploads"
)

// MediaHandlers serve residents' voice notes and photos (upload and
// playback) and the prompt recordings residents listen to. The contract
// with the resident client is in server/media/doc.go.
type MediaHandlers struct {
	uploads  *uploads.Service
	sessions *sessions.Service
	// participant returns the device's anonymous participant id.
	participant func(*fiber.Ctx) (string, bool)
	photos      ResponsePhotos
}

// NewMediaHandlers returns the media handlers.
func NewMediaHandlers(u *uploads.Service, s *sessions.Service, participant func(*fiber.Ctx) (string, bool)) *MediaHandlers {
	return &MediaHandlers{uploads: u, sessions: s, participant: participant}
}

// UploadResponse answers an accepted upload.
type UploadResponse struct {
	MediaID string `json:"media_id"`
	Kind    string `json:"kind"`
	Bytes   int64  `json:"bytes"`
}

// Upload stores a voice note or photo: POST /live/{session}/media?kind=,
// the raw file as the body, with the participant cookie.
func (h *MediaHandlers) Upload(c *fiber.Ctx) error {
	kind := media.Kind(c.Query("kind"))
	if !kind.Valid() {
		return apperr.Invalid("kind", "answer.file_kind_invalid")
	}
	pid, ok := h.participant(c)
	if !ok {
		return apperr.New(apperr.ErrUnauthenticated, "join.required")
	}
	m, err := h.uploads.Upload(c.UserContext(), c.Params("session"), pid, kind, c.Get(fiber.HeaderContentType), c.Body())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(UploadResponse{MediaID: m.ID, Kind: m.Kind, Bytes: m.Size})
}

var mediaIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Play sends a voice note, photo or prompt recording to the participant
// who uploaded it or to staff of its organisation: GET /media/{id}. Anyone
// else gets the same 404 as for an id that does not exist.
func (h *MediaHandlers) Play(c *fiber.Ctx) error {
	id := c.Params("id")
	if !mediaIDPattern.MatchString(id) {
		return fiber.ErrNotFound
	}
	pid, _ := h.participant(c)
	m, data, err := h.uploads.Open(c.UserContext(), id, request.Staff(c), pid)
	if err != nil {
		return err
	}
	return sendMedia(c, m, data)
}

// ResponsePhotos opens the result photos of published responses
// (review.Service.ResponsePhoto); declared here so api needs not review.
type ResponsePhotos interface {
	ResponsePhoto(ctx context.Context, id string) (*model.Media, []byte, error)
}

// SetResponsePhotos lets ResponsePhoto serve result photos; set once at
// start-up.
func (h *MediaHandlers) SetResponsePhotos(p ResponsePhotos) { h.photos = p }

// ResponsePhoto sends the result photo of a published response to anyone:
// GET /photos/{id}, shown on the public board and on residents' pages. Any
// other file is the same 404 as an id that does not exist.
func (h *MediaHandlers) ResponsePhoto(c *fiber.Ctx) error {
	id := c.Params("id")
	if !mediaIDPattern.MatchString(id) || h.photos == nil {
		return fiber.ErrNotFound
	}
	m, data, err := h.photos.ResponsePhoto(c.UserContext(), id)
	if err != nil {
		return err
	}
	err = sendMedia(c, m, data)
	// Public, but only briefly cached: a reviewer may take the photo off.
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return err
}

// PromptAudio sends a prompt read aloud in a language, to anyone who knows
// the session id: GET /live/{session}/prompts/{prompt}/audio/{lang}.
func (h *MediaHandlers) PromptAudio(c *fiber.Ctx) error {
	m, data, err := h.sessions.PromptAudio(c.UserContext(), c.Params("session"), c.Params("prompt"), c.Params("lang"))
	if err != nil {
		return err
	}
	return sendMedia(c, m, data)
}

// sendMedia answers with a stored file as it must be served: its stored
// type (never sniffed), sandboxed so that even a file that slipped past
// the checks cannot run script in our origin, and cached by the browser
// only. A single byte range is honoured, because Safari plays audio only
// from servers that answer ranges.
func sendMedia(c *fiber.Ctx, m *model.Media, data []byte) error {
	c.Set(fiber.HeaderContentType, m.ContentType)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "sandbox")
	c.Set(fiber.HeaderCacheControl, "private")
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	if start, end, ok := byteRange(c.Get(fiber.HeaderRange), len(data)); ok {
		c.Set(fiber.HeaderContentRange, "bytes "+strconv.Itoa(start)+"-"+strconv.Itoa(end)+"/"+strconv.Itoa(len(data)))
		return c.Status(fiber.StatusPartialContent).Send(data[start : end+1])
	}
	return c.Send(data)
}

// byteRange parses a Range header of one range ("bytes=a-b", "bytes=a-",
// "bytes=-n") against a body of size n. Anything else means the whole body.
func byteRange(h string, n int) (start, end int, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || n == 0 || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false
	}
	switch {
	case a == "":
		k, err := strconv.Atoi(b)
		if err != nil || k <= 0 {
			return 0, 0, false
		}
		return max(0, n-k), n - 1, true
	default:
		s, err := strconv.Atoi(a)
		if err != nil || s < 0 || s >= n {
			return 0, 0, false
		}
		e := n - 1
		if b != "" {
			if e, err = strconv.Atoi(b); err != nil || e < s {
				return 0, 0, false
			}
			e = min(e, n-1)
		}
		return s, e, true
	}
}
