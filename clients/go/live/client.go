// Package live is a Go client for buurtstem's live protocol (see
// server/live/protocol/PROTOCOL.md). Tests, the load generator and
// integrators use it to join a session, follow it, submit answers with
// idempotent ids, and resume after a disconnect without losing anything.
//
//	jar, _ := cookiejar.New(nil)
//	j, _ := live.Join(ctx, base, "123456", jar)
//	c, _ := live.Dial(ctx, live.Options{Base: base, Session: j.SessionID, Jar: jar})
//	ack, _ := c.Submit(ctx, "my-id-1", protocol.SubmitData{PromptID: p, Answer: protocol.AnswerData{Face: 4}})
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// JoinResult is what a join code opens.
type JoinResult struct {
	SessionID string   `json:"session_id"`
	Title     string   `json:"title"`
	Languages []string `json:"languages"`
	State     string   `json:"state"`
}

// Join exchanges a join code for a session id; the participant cookie
// lands in jar.
func Join(ctx context.Context, base, code string, jar http.CookieJar) (*JoinResult, error) {
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	b, _ := json.Marshal(map[string]string{"code": code})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/api/v1/join", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb struct {
			Error protocol.ErrorData `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&eb)
		return nil, &HTTPError{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message}
	}
	var j JoinResult
	return &j, json.NewDecoder(resp.Body).Decode(&j)
}

// HTTPError is a refused join or upgrade.
type HTTPError struct {
	Status  int
	Code    string
	Message string
}

func (e *HTTPError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Options of a connection.
type Options struct {
	Base    string // http(s) address of the server
	Session string
	Role    string // protocol.RoleResident (default), RoleIntermediary, RoleProjector
	Key     string // projector key
	Jar     http.CookieJar
	Lang    string
	Origin  string // sent as Origin if set (browsers always send one)
	// Resume from an earlier connection: the epoch and seq it saw.
	Epoch   string
	LastSeq uint64
	// Buffer is the capacity of the event channel (default 1024). A client
	// that does not read its events is eventually dropped by the server,
	// as any slow consumer.
	Buffer int
	// OnEvent, if set, receives the events instead of the Events channel,
	// on the connection's read goroutine, as soon as each is decoded. It
	// must return quickly: nothing else is read meanwhile. It saves a
	// goroutine hand-off per message, which counts when one process
	// simulates thousands of phones (the load generator). Next does not
	// work on such a connection.
	OnEvent func(protocol.Envelope)
}

// Conn is one connection. Replies (ack, error with an id, pong) go to the
// caller that sent the request; everything else arrives on Events.
type Conn struct {
	ws      *websocket.Conn
	Welcome protocol.WelcomeData
	events  chan protocol.Envelope
	onEvent func(protocol.Envelope)

	mu      sync.Mutex
	waiting map[string]chan protocol.Envelope
	epoch   string
	lastSeq uint64
	closed  chan struct{}
	err     error
	// CloseCode is the code the server closed with (0 if not closed).
	closeCode int
	writeMu   sync.Mutex
}

// Dial connects, says hello and waits for the welcome.
func Dial(ctx context.Context, o Options) (*Conn, error) {
	u, err := url.Parse(strings.TrimSuffix(o.Base, "/") + "/live/" + url.PathEscape(o.Session) + "/ws")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if o.Role != "" {
		q.Set("role", o.Role)
	}
	if o.Key != "" {
		q.Set("key", o.Key)
	}
	u.RawQuery = q.Encode()
	httpURL := *u
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	d := websocket.Dialer{HandshakeTimeout: 15 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	h := http.Header{}
	if o.Jar != nil {
		for _, ck := range o.Jar.Cookies(&httpURL) {
			h.Add("Cookie", ck.Name+"="+ck.Value)
		}
	}
	if o.Origin != "" {
		h.Set("Origin", o.Origin)
	}
	if o.Lang != "" {
		h.Set("Accept-Language", o.Lang)
	}
	ws, resp, err := d.DialContext(ctx, u.String(), h)
	if err != nil {
		if resp != nil {
			defer resp.Body.Close()
			var eb struct {
				Error protocol.ErrorData `json:"error"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&eb)
			return nil, &HTTPError{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message}
		}
		return nil, err
	}
	if o.Buffer == 0 {
		o.Buffer = 1024
	}
	c := &Conn{ws: ws, events: make(chan protocol.Envelope, o.Buffer), waiting: map[string]chan protocol.Envelope{},
		closed: make(chan struct{}), epoch: o.Epoch, lastSeq: o.LastSeq, onEvent: o.OnEvent}
	hello, _ := json.Marshal(protocol.HelloData{Protocol: protocol.Version, Epoch: o.Epoch, LastSeq: o.LastSeq, Lang: o.Lang})
	if err := c.write(protocol.Envelope{Type: protocol.TypeHello, Data: hello}); err != nil {
		ws.Close()
		return nil, err
	}
	_ = ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	var env protocol.Envelope
	if err := ws.ReadJSON(&env); err != nil {
		ws.Close()
		return nil, closeErr(err)
	}
	if env.Type != protocol.TypeWelcome || json.Unmarshal(env.Data, &c.Welcome) != nil {
		ws.Close()
		return nil, fmt.Errorf("live: expected welcome, got %q", env.Type)
	}
	_ = ws.SetReadDeadline(time.Time{})
	c.epoch = c.Welcome.Epoch
	go c.readLoop()
	return c, nil
}

// CloseError is the server closing the connection with a code.
type CloseError struct {
	Code int
	Text string
}

func (e *CloseError) Error() string { return fmt.Sprintf("live: closed %d %s", e.Code, e.Text) }

// Reconnectable reports whether a client should reconnect after err.
func Reconnectable(err error) bool {
	var ce *CloseError
	if errors.As(err, &ce) {
		return protocol.Reconnectable(ce.Code)
	}
	return true // network errors
}

func closeErr(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: ce.Code, Text: ce.Text}
	}
	return err
}

func (c *Conn) readLoop() {
	defer close(c.events)
	// One buffer for every message: Unmarshal copies what it keeps.
	var buf bytes.Buffer
	for {
		var env protocol.Envelope
		_, r, err := c.ws.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err == nil {
			err = json.Unmarshal(buf.Bytes(), &env)
		}
		if buf.Cap() > 16<<10 {
			buf = bytes.Buffer{} // a snapshot: do not keep its size per connection
		}
		if err != nil {
			c.mu.Lock()
			c.err = closeErr(err)
			if ce, ok := c.err.(*CloseError); ok {
				c.closeCode = ce.Code
			}
			for _, ch := range c.waiting {
				close(ch)
			}
			c.waiting = map[string]chan protocol.Envelope{}
			c.mu.Unlock()
			close(c.closed)
			return
		}
		if env.Seq > 0 {
			c.mu.Lock()
			c.lastSeq = env.Seq
			c.mu.Unlock()
		}
		if env.ID != "" && (env.Type == protocol.TypeAck || env.Type == protocol.TypeError || env.Type == protocol.TypePong) {
			c.mu.Lock()
			ch, ok := c.waiting[env.ID]
			delete(c.waiting, env.ID)
			c.mu.Unlock()
			if ok {
				ch <- env
				continue
			}
		}
		if c.onEvent != nil {
			c.onEvent(env)
			continue
		}
		c.events <- env
	}
}

// Events delivers snapshots, session events, results, presence and
// errors without an id. It is closed when the connection ends.
func (c *Conn) Events() <-chan protocol.Envelope { return c.events }

// Err returns why the connection ended (a *CloseError for a close frame).
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done is closed when the connection ends.
func (c *Conn) Done() <-chan struct{} { return c.closed }

// Position returns the epoch and last seq seen, for resuming.
func (c *Conn) Position() (string, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch, c.lastSeq
}

func (c *Conn) write(env protocol.Envelope) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteJSON(env)
}

// Send writes a raw message without waiting for a reply.
func (c *Conn) Send(env protocol.Envelope) error { return c.write(env) }

// ServerError is an error event answering a request.
type ServerError struct{ protocol.ErrorData }

func (e *ServerError) Error() string { return "live: " + e.Code + ": " + e.Message }

// Request sends a message with an id and waits for its ack, error or pong.
func (c *Conn) Request(ctx context.Context, typ, id string, data any) (protocol.Envelope, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return protocol.Envelope{}, err
	}
	ch := make(chan protocol.Envelope, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return protocol.Envelope{}, c.err
	}
	c.waiting[id] = ch
	c.mu.Unlock()
	if err := c.write(protocol.Envelope{Type: typ, ID: id, Data: raw}); err != nil {
		return protocol.Envelope{}, err
	}
	select {
	case env, ok := <-ch:
		if !ok {
			return protocol.Envelope{}, c.Err()
		}
		if env.Type == protocol.TypeError {
			var e protocol.ErrorData
			_ = json.Unmarshal(env.Data, &e)
			return env, &ServerError{e}
		}
		return env, nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.waiting, id)
		c.mu.Unlock()
		return protocol.Envelope{}, ctx.Err()
	}
}

// Submit sends an answer and waits until the server has stored it.
func (c *Conn) Submit(ctx context.Context, id string, d protocol.SubmitData) (protocol.AckData, error) {
	return c.ack(c.Request(ctx, protocol.TypeSubmit, id, d))
}

// Assist sends an answer on behalf of a resident (intermediaries).
func (c *Conn) Assist(ctx context.Context, id string, d protocol.SubmitData) (protocol.AckData, error) {
	return c.ack(c.Request(ctx, protocol.TypeAssist, id, d))
}

// Control moves the session (intermediaries).
func (c *Conn) Control(ctx context.Context, id string, d protocol.ControlData) error {
	_, err := c.Request(ctx, protocol.TypeControl, id, d)
	return err
}

// Moderate approves or rejects a contribution (intermediaries).
func (c *Conn) Moderate(ctx context.Context, id string, d protocol.ModerateData) error {
	_, err := c.Request(ctx, protocol.TypeModerate, id, d)
	return err
}

func (c *Conn) ack(env protocol.Envelope, err error) (protocol.AckData, error) {
	var a protocol.AckData
	if err != nil {
		return a, err
	}
	return a, json.Unmarshal(env.Data, &a)
}

// Close ends the connection normally.
func (c *Conn) Close() error {
	c.writeMu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.writeMu.Unlock()
	return c.ws.Close()
}

// NextSnapshot waits for the next snapshot (the first event after the
// hello, and the answer to a resume from too far back) and decodes it.
func (c *Conn) NextSnapshot(ctx context.Context) (protocol.SnapshotData, error) {
	var snap protocol.SnapshotData
	env, err := c.Next(ctx, protocol.TypeSnapshot)
	if err == nil {
		err = json.Unmarshal(env.Data, &snap)
	}
	return snap, err
}

// Next waits for the next event of one of the given types (any type if
// none), skipping others.
func (c *Conn) Next(ctx context.Context, types ...string) (protocol.Envelope, error) {
	for {
		select {
		case env, ok := <-c.events:
			if !ok {
				return protocol.Envelope{}, c.Err()
			}
			if len(types) == 0 {
				return env, nil
			}
			for _, t := range types {
				if env.Type == t {
					return env, nil
				}
			}
		case <-ctx.Done():
			return protocol.Envelope{}, ctx.Err()
		}
	}
}
