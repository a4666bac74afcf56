package live

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/guess"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// ParticipantCookie holds a resident's anonymous participant token, no
// account, remembered on the device so "my input" works. The token is 128
// random bits followed by a 128-bit HMAC of them under a server secret: the
// server recognises its own tokens without storing anything at join, which
// would cost a synchronous disk write per resident. This is its name over
// plain http (development); over https it is "__Host-bst_participant"
// (NewHandler's participantCookie, web.Cookies.Participant).
const ParticipantCookie = "bst_participant"

// readBuffer is the per-connection read buffer: client messages are small.
const readBuffer = 1024

// sendBuffer is the kernel's send buffer per live connection.
const sendBuffer = 32 << 10

// identity is who a connection is, decided at the upgrade.
type identity struct {
	role        string
	sessionID   string
	orgID       string
	participant string
	staffToken  string
	lang        *i18n.Localizer
}

// Handler serves the HTTP side of live sessions: joining with a code and
// the WebSocket upgrade.
type Handler struct {
	hub    *Hub
	secret []byte // signs participant tokens
	// SetCookie writes a cookie with the server's cookie policy.
	setCookie         func(c *fiber.Ctx, name, value string, maxAge time.Duration)
	sessionCookie     string
	participantCookie string // ParticipantCookie, __Host- prefixed over https
	// joinGuesses limits wrong join codes, never per address: a budget for
	// fresh devices, one for each device that joined before and one for
	// all of those, so that a flood of wrong codes cannot lock out
	// residents (package guess has the figures). A link with the session
	// id (the QR code) needs no budget.
	joinGuesses *guess.Guard
	upgrader    websocket.Upgrader
}

// NewHandler returns the HTTP handlers of the hub.
// secret signs participant tokens; every instance sharing the store must
// use the same one (store.Secret). participantCookie is the participant
// cookie's name ("" for ParticipantCookie).
func NewHandler(h *Hub, secret []byte, setCookie func(*fiber.Ctx, string, string, time.Duration), sessionCookie, participantCookie string) *Handler {
	if participantCookie == "" {
		participantCookie = ParticipantCookie
	}
	lh := &Handler{hub: h, secret: secret, setCookie: setCookie, sessionCookie: sessionCookie, participantCookie: participantCookie,
		joinGuesses: guess.New(guess.JoinCodes)}
	lh.upgrader = websocket.Upgrader{
		// No read buffer size: gorilla then reads through the reader
		// hijackWriter.Hijack hands it (of readBuffer bytes) instead of
		// allocating a second one, and readWaiter can see what it holds.
		WriteBufferSize: 1024,
		// Shared write buffers: idle connections then hold none.
		WriteBufferPool: &syncPool{},
		CheckOrigin:     h.checkOrigin,
	}
	return lh
}

func (h *Hub) checkOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || h.origins[o] // non-browser clients send none
}

type joinRequest struct {
	Code string `json:"code"`
}

// JoinResponse tells a resident which session the code opened.
type JoinResponse struct {
	SessionID string   `json:"session_id"`
	Title     string   `json:"title"`
	Languages []string `json:"languages"`
	State     string   `json:"state"`
}

// Join turns a join code into a session and gives the device an anonymous
// participant token (cookie) if it has none.
func (lh *Handler) Join(c *fiber.Ctx) error {
	// JSON only: a cross-site form cannot send it, so no CSRF token is
	// needed before the device has any session.
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return apperr.Invalid("", "error.json_content_type")
	}
	var in joinRequest
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return apperr.Invalid("", "error.json_malformed")
	}
	s, err := lh.JoinCode(c, in.Code)
	if err != nil {
		return err
	}
	return c.JSON(JoinResponse{SessionID: s.ID, Title: s.Title, Languages: s.Languages, State: string(s.State)})
}

// JoinCode turns a join code into an open or running session and gives the
// device an anonymous participant token (cookie) if it has none. The API
// join above and the resident pages (the QR code's link) share it, and with
// it the limit on wrong codes.
//
// The code may carry the session id, "123456.{id}" (JoinLink: what the QR
// code holds). The id is 128 random bits, so such a code cannot be
// guessed and is looked up by _id without spending or needing a guess
// budget: a device that scans the QR code joins even while a flood of
// wrong codes has emptied the budgets. A wrong id is ignored and the code
// is tried as typed.
func (lh *Handler) JoinCode(c *fiber.Ctx, code string) (*model.Session, error) {
	code, sessionID, _ := strings.Cut(strings.TrimSpace(code), ".")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return nil, apperr.Invalid("code", "join.code_invalid")
	}
	ctx := c.UserContext()
	if sessionID != "" {
		s, err := lh.hub.store.SessionByID(ctx, sessionID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
		if err == nil && s.Code == code && (s.State == model.StateOpen || s.State == model.StateRunning) {
			if _, err := lh.participant(c, true); err != nil {
				return nil, err
			}
			return s, nil
		}
	}
	device, _ := lh.verify(c.Cookies(lh.participantCookie))
	if !lh.joinGuesses.Allowed(device) {
		return nil, apperr.New(apperr.ErrTooMany, "guess.too_many")
	}
	id, err := lh.hub.store.SessionIDByCode(ctx, code)
	if errors.Is(err, apperr.ErrNotFound) {
		lh.joinGuesses.Failed(device)
		return nil, apperr.Invalid("code", "join.code_unknown")
	}
	if err != nil {
		return nil, err
	}
	s, err := lh.hub.store.SessionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.State != model.StateOpen && s.State != model.StateRunning {
		lh.joinGuesses.Failed(device)
		return nil, apperr.Invalid("code", "join.code_unknown")
	}
	if _, err := lh.participant(c, true); err != nil {
		return nil, err
	}
	return s, nil
}

// JoinLink is the address a session's QR code holds: the code and the
// session id, so that scanning it never waits for a guess budget.
func JoinLink(baseURL string, s *model.Session) string {
	if s.Code == "" {
		return ""
	}
	return strings.TrimSuffix(baseURL, "/") + "/j/" + s.Code + "." + s.ID
}

// Participant returns the device's participant id from its cookie, or
// ErrUnauthenticated when it has none of ours. The resident pages use it
// for "my input", receipts and the profile.
func (lh *Handler) Participant(c *fiber.Ctx) (string, error) { return lh.participant(c, false) }

// participant returns the device's participant id, creating a token if
// create is set and there is none (or it is not one of ours).
func (lh *Handler) participant(c *fiber.Ctx, create bool) (string, error) {
	if id, ok := lh.verify(c.Cookies(lh.participantCookie)); ok {
		return id, nil
	}
	if !create {
		return "", apperr.New(apperr.ErrUnauthenticated, "join.required")
	}
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(append(random, lh.mac(random)...))
	lh.setCookie(c, lh.participantCookie, token, 365*24*time.Hour)
	return participantID(random), nil
}

// verify checks a participant token and returns its participant id.
func (lh *Handler) verify(token string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32 {
		return "", false
	}
	if !hmac.Equal(b[16:], lh.mac(b[:16])) {
		return "", false
	}
	return participantID(b[:16]), true
}

func (lh *Handler) mac(random []byte) []byte {
	m := hmac.New(sha256.New, lh.secret)
	m.Write([]byte("participant\x00"))
	m.Write(random)
	return m.Sum(nil)[:16]
}

func participantID(random []byte) string {
	h := sha256.Sum256(append([]byte("participant-id\x00"), random...))
	return hex.EncodeToString(h[:16])
}

// Upgrade authorises a connection and hands it to the hub. Roles: resident
// (participant cookie), intermediary (?role=intermediary and a staff
// session that may run this session) and projector (?key= the session's
// projector key). Every refusal is an HTTP status before the upgrade.
func (lh *Handler) Upgrade(c *fiber.Ctx) error {
	req := copyRequest(c)
	if !websocket.IsWebSocketUpgrade(req) {
		return fiber.NewError(fiber.StatusUpgradeRequired, "websocket only")
	}
	if o := c.Get(fiber.HeaderOrigin); o != "" && !lh.hub.origins[o] {
		return apperr.New(apperr.ErrForbidden, "error.csrf")
	}
	ctx := c.UserContext()
	s, err := lh.hub.store.SessionByID(ctx, c.Params("session"))
	if err != nil {
		return err
	}
	id := identity{sessionID: s.ID, orgID: s.OrgID, lang: request.Localizer(c)}
	switch c.Query("role", protocol.RoleResident) {
	case protocol.RoleProjector:
		if subtle.ConstantTimeCompare([]byte(c.Query("key")), []byte(s.ProjectorKey)) != 1 {
			return apperr.New(apperr.ErrForbidden, "error.forbidden")
		}
		id.role = protocol.RoleProjector
	case protocol.RoleIntermediary:
		// A copy: Fiber's strings point into buffers that fasthttp reuses
		// once the connection is hijacked.
		token := strings.Clone(c.Cookies(lh.sessionCookie))
		st, _, err := lh.hub.auth.Authenticate(ctx, token)
		if err != nil {
			return err
		}
		if !sessions.CanRun(st, s.OrgID) {
			return apperr.New(apperr.ErrNotFound, "error.not_found")
		}
		id.role, id.staffToken = protocol.RoleIntermediary, token
	case protocol.RoleResident:
		if s.State != model.StateOpen && s.State != model.StateRunning {
			return apperr.New(apperr.ErrConflict, "join.closed")
		}
		if id.participant, err = lh.participant(c, false); err != nil {
			return err
		}
		id.role = protocol.RoleResident
	default:
		return apperr.Invalid("role", "error.bad_request")
	}
	if lh.hub.conns.Add(1) > lh.hub.maxConns {
		lh.hub.conns.Add(-1)
		c.Set(fiber.HeaderRetryAfter, "5")
		return apperr.New(apperr.ErrUnavailable, "live.full")
	}
	// fiber.Ctx is recycled after this handler returns: everything the
	// connection needs was copied above. Upgrading inside the hijack
	// callback avoids a deadline race in fiber's adaptor.
	lh.hub.live.Add(1)
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(nc net.Conn) {
		// The server runs with KeepHijackedConns: fasthttp then frees its
		// request context and read buffer as soon as this callback
		// returns, instead of holding them for the life of the connection,
		// and leaves the connection to us. We continue on the raw
		// connection; a WebSocket client sends nothing before the 101
		// answer, so fasthttp's buffer holds no bytes of ours.
		raw := nc
		if u, ok := nc.(interface{ UnsafeConn() net.Conn }); ok {
			raw = u.UnsafeConn()
		}
		// A fixed, modest kernel send buffer: the kernel would otherwise
		// grow it to megabytes for a device that stopped reading, hiding
		// the slow consumer from the send queue, and 10,000 connections
		// would pin that much kernel memory.
		if tc, ok := raw.(*net.TCPConn); ok {
			_ = tc.SetWriteBuffer(sendBuffer)
		}
		go func() {
			defer lh.hub.live.Done()
			defer lh.hub.conns.Add(-1)
			_ = raw.SetDeadline(time.Time{})
			hw := newHijackWriter(raw)
			ws, err := lh.upgrader.Upgrade(hw, req, nil)
			if err != nil {
				raw.Close()
				return
			}
			cn := newConn(lh.hub, ws, id)
			cn.await = newReadWaiter(raw, hw.br)
			lh.hub.all.Store(cn, struct{}{})
			defer lh.hub.all.Delete(cn)
			cn.serve(lh.hub.ctx)
		}()
	})
	return nil
}

// copyRequest copies what gorilla's Upgrader reads into an *http.Request.
// fasthttp's own adaptor converts without copying (its strings alias
// buffers that are reused after the hijack) and would carry the client's
// address, which buurtstem never keeps.
func copyRequest(c *fiber.Ctx) *http.Request {
	r := &http.Request{
		Method: string(c.Request().Header.Method()), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Host: string(c.Request().Host()), URL: &url.URL{Path: string(c.Request().URI().Path())},
		Header: http.Header{},
	}
	c.Request().Header.VisitAll(func(k, v []byte) { r.Header.Add(string(k), string(v)) })
	return r
}

// hijackWriter is the http.ResponseWriter gorilla's Upgrader needs: it
// hands over the hijacked connection, and writes a plain HTTP error if the
// upgrade fails.
type hijackWriter struct {
	conn   net.Conn
	header http.Header
	status int
	br     *bufio.Reader // handed to gorilla, which reads through it
}

func newHijackWriter(c net.Conn) *hijackWriter { return &hijackWriter{conn: c, header: http.Header{}} }

func (w *hijackWriter) Header() http.Header { return w.header }

func (w *hijackWriter) WriteHeader(status int) { w.status = status }

func (w *hijackWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	fmt.Fprintf(w.conn, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		w.status, http.StatusText(w.status), len(b))
	return w.conn.Write(b)
}

func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	// Over 256 bytes and with the upgrader's ReadBufferSize left at zero,
	// gorilla keeps this reader as the connection's own
	// (TestLivePipelinedMessages notices if that ever changes).
	w.br = bufio.NewReaderSize(w.conn, readBuffer)
	return w.conn, bufio.NewReadWriter(w.br, bufio.NewWriterSize(w.conn, 512)), nil
}
