// Package api is the JSON API for staff: the same administration as the
// pages, for the Go client, integrators and tests. Requests and responses
// are JSON; errors have the shape {"error": {"code", "message", "field"}}
// with a message translated into the caller's language (see app's error
// handler). State-changing requests of a logged-in caller carry the
// session's CSRF token in the X-CSRF-Token header.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/model"
)

// Handlers serves the JSON API.
type Handlers struct {
	auth       *auth.Service
	admin      *admin.Service
	setSession func(c *fiber.Ctx, token string)
}

// New returns the API handlers. setSession writes or (with "") deletes the
// session cookie.
func New(a *auth.Service, ad *admin.Service, setSession func(c *fiber.Ctx, token string)) *Handlers {
	return &Handlers{auth: a, admin: ad, setSession: setSession}
}

// decode reads a JSON body into v strictly: the right content type, one
// value, no unknown fields. Each failure has its own translated message.
func decode(c *fiber.Ctx, v any) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return apperr.Invalid("", "error.json_content_type")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return &apperr.Error{Kind: apperr.ErrInvalid, Field: typeErr.Field, MsgID: "error.json_field_type",
				Data: map[string]any{"Field": typeErr.Field}, Cause: err}
		case errors.Is(err, io.EOF):
			return apperr.Invalid("", "error.json_empty")
		}
		// encoding/json has no error type for an unknown field; its message
		// is the documented `json: unknown field "name"`. Without this case
		// the caller was told to check brackets and commas, and not which
		// field was wrong.
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			if field, uerr := strconv.Unquote(name); uerr == nil {
				return &apperr.Error{Kind: apperr.ErrInvalid, Field: field, MsgID: "error.json_unknown_field",
					Data: map[string]any{"Field": field}, Cause: err}
			}
		}
		// Also a whole value of the wrong kind (an array where an object
		// belongs), which has no field to name.
		return &apperr.Error{Kind: apperr.ErrInvalid, MsgID: "error.json_malformed", Cause: err}
	}
	// Anything after the one value is an error, a stray "}" included
	// (dec.More reported only the start of a further value).
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		return apperr.Invalid("", "error.json_malformed")
	}
	return nil
}

// StaffView is a staff account as the API shows it: never the hash.
type StaffView struct {
	ID                 string             `json:"id"`
	Email              string             `json:"email"`
	Name               string             `json:"name"`
	PlatformAdmin      bool               `json:"platform_admin,omitempty"`
	Memberships        []model.Membership `json:"memberships"`
	MustChangePassword bool               `json:"must_change_password,omitempty"`
	Disabled           bool               `json:"disabled,omitempty"`
}

func staffView(s *model.Staff) StaffView {
	return StaffView{ID: s.ID, Email: s.Email, Name: s.Name, PlatformAdmin: s.PlatformAdmin,
		Memberships: s.Memberships, MustChangePassword: s.MustChangePassword, Disabled: s.Disabled}
}

func orgPath(c *fiber.Ctx, rest string) string {
	return "/api/v1/orgs/" + c.Params("org") + "/" + rest
}
