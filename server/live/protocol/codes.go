package protocol

// Close codes of the live protocol. Ranges follow centrifuge: the client
// reconnects (with backoff and jitter) after a code in 4000–4499 and stops
// after a code in 4500–4999. Standard codes: 1000 normal, 1001 going away
// (server shutdown: reconnect), 1009 message too big (terminal for that
// message; the client may reconnect), 1003 unsupported data (binary frame).
const (
	// Reconnect: 4000–4499.
	CloseShutdown     = 4000 // the server is stopping; another instance or a restart takes over
	CloseSlowConsumer = 4001 // the client fell behind; reconnect and resume by replay
	CloseStoreDown    = 4002 // the store is unavailable; retry later

	// Terminal: 4500–4999.
	CloseUnauthorized   = 4500 // not allowed in this session (role, token, key)
	CloseSessionClosed  = 4501 // the session ended
	CloseNotFound       = 4502 // no such session
	CloseUnsupported    = 4503 // protocol version not supported
	ClosePolicy         = 4504 // flood or repeated abuse of the protocol
	CloseHelloRequired  = 4505 // the first message was not hello
	CloseHelloTimeout   = 4506 // no hello within the time limit
	closeReconnectFirst = 4000
	closeTerminalFirst  = 4500
)

// Reconnectable reports whether a client should reconnect after a close
// code.
func Reconnectable(code int) bool {
	return code == 1001 || code == 1006 || (code >= closeReconnectFirst && code < closeTerminalFirst)
}

// Error codes in ErrorData.Code. Each has a translated message
// "live.error.<code>" in the i18n catalogue.
const (
	ErrInvalidJSON  = "invalid_json" // the message is not a JSON envelope
	ErrUnknownType  = "unknown_type" // no such message type
	ErrBadData      = "bad_data"     // data does not fit the type
	ErrBadID        = "bad_id"       // missing or malformed submission id
	ErrInvalid      = "invalid"      // the answer breaks a rule (Field, Message say which)
	ErrNotCurrent   = "not_current"  // led session: that prompt is not the current one
	ErrNotRunning   = "not_running"  // the session is not running
	ErrForbidden    = "forbidden"    // the role may not do this
	ErrRateLimited  = "rate_limited" // too many messages; slow down
	ErrUnavailable  = "unavailable"  // the store is unavailable; resend later (same id)
	ErrNotFound     = "not_found"    // no such contribution or prompt
	ErrConflict     = "conflict"     // the session changed meanwhile; try again
	ErrHelloTwice   = "hello_twice"  // hello was already sent
	ErrInternalFail = "internal"     // unexpected; nothing was stored
	// ErrModerationRejected: the moderation library refused a written
	// answer (empty, too long, sent again, flooding); nothing was stored.
	// ErrorData.Reasons say why, Field is "text".
	ErrModerationRejected = "moderation_rejected"
)
