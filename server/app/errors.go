package app

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/request"
)

// retryAfter is what a 503 tells clients to wait, in seconds.
const retryAfter = 5

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the error for programs (Code, Field) and explains it
// to people (Message, translated).
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// handleError is the one place where error categories become status codes
// and translated messages. People never see a driver error or a stack
// trace; the log gets the detail of anything unexpected.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	s.setSecurityHeaders(c)
	l := request.Localizer(c)
	if l == nil {
		// The error came before the language middleware (e.g. a body over
		// the limit, rejected while reading): negotiate here.
		lang := s.catalog.Negotiate(c.Cookies(s.cookies.Language()), nil, c.Get(fiber.HeaderAcceptLanguage))
		l = s.catalog.Localizer(lang.Code)
		request.SetLocalizer(c, l)
	}
	status, code, msgID, field, data := classify(err)
	if status >= 500 && status != fiber.StatusServiceUnavailable {
		s.log.Error("Request failed.", "route", c.Route().Path, "error", err.Error())
	} else if msgID == "error.storage_full" {
		// The operator must act (free space); nothing was written.
		s.log.Error("The store's disk is full: nothing new is saved until space is freed.", "route", c.Route().Path, "error", err.Error())
	} else if status == fiber.StatusServiceUnavailable {
		s.log.Warn("Store unavailable.", "route", c.Route().Path, "error", err.Error())
	}
	if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retryAfter))
	}
	if status == fiber.StatusRequestEntityTooLarge {
		data = map[string]any{"Max": s.cfg.MaxBodyBytes >> 20}
	}
	msg := l.T(msgID, apperr.Args(data)...)

	if request.IsAPI(c) || strings.HasPrefix(c.Path(), "/live/") {
		return c.Status(status).JSON(ErrorBody{Error: ErrorDetail{Code: code, Message: msg, Field: field}})
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+c.OriginalURL(), fiber.StatusSeeOther)
	}
	retry := 0
	if status == fiber.StatusServiceUnavailable {
		retry = retryAfter
	}
	heading := l.T("error.heading." + strconv.Itoa(status))
	if err := s.web.RenderError(c, status, heading, msg, retry); err != nil {
		s.log.Error("Rendering the error page failed.", "error", err.Error())
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(status).SendString(msg)
	}
	return nil
}

// classify maps an error to status, stable code, message id, field and
// placeholder data.
func classify(err error) (status int, code, msgID, field string, data map[string]any) {
	if e, ok := apperr.As(err); ok {
		status, code = kindStatus(e.Kind)
		return status, code, e.MsgID, e.Field, e.Data
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return fe.Code, "not_found", "error.page_not_found", "", nil
		case fiber.StatusMethodNotAllowed:
			return fe.Code, "method_not_allowed", "error.method_not_allowed", "", nil
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, "too_large", "error.too_large", "", nil
		case fiber.StatusRequestHeaderFieldsTooLarge:
			return fe.Code, "headers_too_large", "error.bad_request", "", nil
		case fiber.StatusRequestTimeout:
			return fe.Code, "timeout", "error.timeout", "", nil
		}
		if fe.Code >= 400 && fe.Code < 500 {
			return fiber.StatusBadRequest, "bad_request", "error.bad_request", "", nil
		}
	}
	return fiber.StatusInternalServerError, "internal", "error.internal", "", nil
}

func kindStatus(kind error) (int, string) {
	switch kind {
	case apperr.ErrInvalid:
		return fiber.StatusBadRequest, "invalid"
	case apperr.ErrNotFound:
		return fiber.StatusNotFound, "not_found"
	case apperr.ErrConflict:
		return fiber.StatusConflict, "conflict"
	case apperr.ErrUnauthenticated:
		return fiber.StatusUnauthorized, "unauthenticated"
	case apperr.ErrForbidden:
		return fiber.StatusForbidden, "forbidden"
	case apperr.ErrTooMany:
		return fiber.StatusTooManyRequests, "too_many"
	case apperr.ErrUnavailable:
		return fiber.StatusServiceUnavailable, "unavailable"
	}
	return fiber.StatusInternalServerError, "internal"
}

func slogLevel(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
