package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/live"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// SessionPublisher tells connected devices that a session changed; the
// live hub implements it.
type SessionPublisher interface {
	PublishSession(ctx context.Context, s *model.Session) error
}

// SessionHandlers serves the sessions part of the API.
type SessionHandlers struct {
	sessions *sessions.Service
	pub      SessionPublisher
	baseURL  string
}

// NewSessionHandlers returns the session API handlers.
func NewSessionHandlers(s *sessions.Service, pub SessionPublisher, baseURL string) *SessionHandlers {
	return &SessionHandlers{sessions: s, pub: pub, baseURL: baseURL}
}

// SessionDetail is a session as staff see it, with its links.
type SessionDetail struct {
	*model.Session
	JoinURL      string `json:"join_url,omitempty"`
	ProjectorURL string `json:"projector_url"`
}

func (h *SessionHandlers) detail(s *model.Session) SessionDetail {
	d := SessionDetail{Session: s,
		ProjectorURL: h.baseURL + "/orgs/" + s.OrgID + "/sessions/" + s.ID + "/projector?key=" + s.ProjectorKey}
	d.JoinURL = live.JoinLink(h.baseURL, s)
	return d
}

// List returns an organisation's sessions.
func (h *SessionHandlers) List(c *fiber.Ctx) error {
	list, err := h.sessions.List(c.UserContext(), request.Staff(c), c.Params("org"))
	if err != nil {
		return err
	}
	out := make([]SessionDetail, len(list))
	for i := range list {
		out[i] = h.detail(&list[i])
	}
	return c.JSON(out)
}

// Get returns one session.
func (h *SessionHandlers) Get(c *fiber.Ctx) error {
	s, err := h.sessions.Get(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(h.detail(s))
}

// Create prepares a draft session.
func (h *SessionHandlers) Create(c *fiber.Ctx) error {
	var in sessions.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	s, err := h.sessions.Create(c.UserContext(), request.Staff(c), c.Params("org"), in)
	if err != nil {
		return err
	}
	c.Location(orgPath(c, "sessions/"+s.ID))
	return c.Status(fiber.StatusCreated).JSON(h.detail(s))
}

// Update edits a session (with the version it is based on).
func (h *SessionHandlers) Update(c *fiber.Ctx) error {
	var in sessions.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.changed(c)(h.sessions.Update(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), in))
}

// Copy makes a new draft from a session.
func (h *SessionHandlers) Copy(c *fiber.Ctx) error {
	s, err := h.sessions.Copy(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	c.Location(orgPath(c, "sessions/"+s.ID))
	return c.Status(fiber.StatusCreated).JSON(h.detail(s))
}

// Open makes a session joinable with a code.
func (h *SessionHandlers) Open(c *fiber.Ctx) error {
	return h.changed(c)(h.sessions.Open(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")))
}

type moveRequest struct {
	Index int `json:"index"`
}

// Move sets the current prompt.
func (h *SessionHandlers) Move(c *fiber.Ctx) error {
	var in moveRequest
	if err := decode(c, &in); err != nil {
		return err
	}
	return h.changed(c)(h.sessions.Move(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), in.Index))
}

// Close ends a session.
func (h *SessionHandlers) Close(c *fiber.Ctx) error {
	return h.changed(c)(h.sessions.Close(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")))
}

// changed publishes a stored change to live devices and answers with the
// session.
func (h *SessionHandlers) changed(c *fiber.Ctx) func(*model.Session, error) error {
	return func(s *model.Session, err error) error {
		if err != nil {
			return err
		}
		if err := h.pub.PublishSession(c.UserContext(), s); err != nil {
			return err
		}
		return c.JSON(h.detail(s))
	}
}
