// Package apperr holds the error categories shared by every layer of the
// server. Domain code and the store wrap their failures in one of these
// sentinels; the HTTP error handler maps each category to a status code and a
// translated message in exactly one place, so a resident or staff member never
// sees a driver error or a stack trace.
package apperr

import (
	"errors"
	"fmt"
)

// Categories. Match them with errors.Is.
var (
	ErrInvalid         = errors.New("invalid input")
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrUnauthenticated = errors.New("not logged in")
	ErrForbidden       = errors.New("forbidden")
	ErrTooMany         = errors.New("too many attempts")
	ErrUnavailable     = errors.New("store unavailable")
)

// Error is a failure a person should read. MsgID names a message in the
// i18n bundle, Data fills its placeholders and Field names the form field it
// belongs to, if any. Kind is one of the sentinels above.
type Error struct {
	Kind  error
	MsgID string
	Field string
	Data  map[string]any
	// Cause is kept for the log, never shown.
	Cause error
}

func (e *Error) Error() string {
	s := e.Kind.Error() + ": " + e.MsgID
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap lets errors.Is see both the category and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

// Invalid reports a bad value in a named field.
func Invalid(field, msgID string) *Error {
	return &Error{Kind: ErrInvalid, Field: field, MsgID: msgID}
}

// New returns an Error of the given kind with a message id.
func New(kind error, msgID string) *Error {
	return &Error{Kind: kind, MsgID: msgID}
}

// Wrap adds context to err while keeping its category.
func Wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Args flattens placeholder data into the alternating name, value list that
// i18n's Localizer.T takes.
func Args(d map[string]any) []any {
	args := make([]any, 0, 2*len(d))
	for k, v := range d {
		args = append(args, k, v)
	}
	return args
}
