package live

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/receipts"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// Connection limits.
const (
	maxMessage   = 16 << 10 // bytes per client message
	sendQueue    = 64       // messages waiting for a slow client before it is dropped
	writeTimeout = 10 * time.Second
	pingEvery    = 25 * time.Second
	readTimeout  = 60 * time.Second // no message and no pong for this long: gone
	helloTimeout = 10 * time.Second
	// Per connection: 10 messages a second, bursts of 30. After 50 refused
	// messages the connection is closed with protocol.ClosePolicy.
	msgRate    = 10
	msgBurst   = 30
	maxStrikes = 50
)

var submissionID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// conn is one WebSocket connection. A reader goroutine (serve) handles the
// client's messages in order; a writer goroutine owns all writes, fed by a
// bounded queue that nobody waits on.
type conn struct {
	hub         *Hub
	ws          *websocket.Conn
	role        string
	sessionID   string
	orgID       string
	participant string // residents: hash of the participant token
	staffToken  string // intermediaries: re-checked on every message
	lang        *i18n.Localizer
	room        *room
	await       *readWaiter // nil: block in gorilla's reader

	send      chan *websocket.PreparedMessage
	quit      chan struct{}
	written   chan struct{} // closed when the writer has finished
	closeOnce sync.Once
	closing   atomic.Bool // a close is queued behind the pending messages
	// readerDone: the reader has stopped (see awaitReader).
	readerDone atomic.Bool
	dropped    atomic.Bool // counted in the hub's drops
	pingSlot   uint8       // the second of pingEvery in which it is pinged
	flushCode  int         // the code of that close; written before the marker is queued
	flushText  string
	closeCode  int
	closeText  string
	// writing is the hub's clock when the current write began; 0: no
	// write under way (see Hub.watchWrites).
	writing atomic.Int64
	limiter *rate.Limiter
	strikes int
	// warned is when the client was last told it is rate limited: once a
	// second is enough, and more would fill its queue.
	warned time.Time
}

// closeMarker in a send queue means: close with flushCode once everything
// before it was written. Queues hold bare pointers to keep idle
// connections small.
var closeMarker = new(websocket.PreparedMessage)

// pingMarker in a send queue means: send a ping. The hub queues one for
// every connection once per pingEvery (watchWrites): a ticker per
// connection was 10,000 runtime timers and a third case in every
// writer's select.
var pingMarker = new(websocket.PreparedMessage)

func newConn(h *Hub, ws *websocket.Conn, id identity) *conn {
	return &conn{
		hub: h, ws: ws, role: id.role, sessionID: id.sessionID, orgID: id.orgID,
		participant: id.participant, staffToken: id.staffToken, lang: id.lang,
		send: make(chan *websocket.PreparedMessage, sendQueue), quit: make(chan struct{}), written: make(chan struct{}),
		limiter: rate.NewLimiter(msgRate, msgBurst), pingSlot: uint8(h.nextSlot.Add(1) % pingSlots),
	}
}

// enqueue queues a message without blocking. A client whose queue is full
// has fallen behind: it is disconnected with protocol.CloseSlowConsumer and resumes
// by replay when it reconnects. Nobody waits for it.
func (c *conn) enqueue(m *websocket.PreparedMessage) {
	select {
	case c.send <- m:
	default:
		if !c.dropped.Swap(true) {
			c.hub.slowDrops.Add(1)
		}
		c.kill(protocol.CloseSlowConsumer, "too slow")
		// The writer is most likely blocked on a full socket: cut it off
		// now rather than after the write timeout. No close frame could
		// get through anyway; the client sees the connection end and
		// resumes by replay.
		_ = c.ws.NetConn().SetWriteDeadline(time.Now())
	}
}

// closeAfterFlush closes once the queued messages are written.
func (c *conn) closeAfterFlush(code int, text string) {
	if c.closing.Swap(true) {
		return // one close is enough
	}
	c.flushCode, c.flushText = code, text
	select {
	case c.send <- closeMarker:
	default:
		c.kill(code, text)
	}
}

// kill closes at once with a code.
func (c *conn) kill(code int, text string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.quit)
	})
}

// killed reports whether the connection has been told to end.
func (c *conn) killed() bool {
	select {
	case <-c.quit:
		return true
	default:
		return false
	}
}

// writer owns the socket's write side.
func (c *conn) writer() {
	defer close(c.written)
	defer c.ws.Close()
	for {
		select {
		case m := <-c.send:
			if m == closeMarker {
				c.kill(c.flushCode, c.flushText)
				c.writeClose()
				c.awaitReader()
				return
			}
			select {
			case <-c.quit: // killed: what is queued is not wanted any more
				c.writeClose()
				return
			default:
			}
			c.writing.Store(c.hub.clock.Load())
			var err error
			if m == pingMarker {
				err = c.ws.WriteControl(websocket.PingMessage, nil, time.Time{})
			} else {
				err = c.ws.WritePreparedMessage(m)
			}
			c.writing.Store(0)
			if err != nil {
				c.kill(1006, "")
			}
		case <-c.quit:
			c.writeClose()
			return
		}
	}
}

// watchWrites cuts off connections whose write has taken longer than
// writeTimeout, once a second, until the hub stops. Writes carry no
// deadline of their own: gorilla/websocket sets the socket's deadline
// before every write, and any deadline but none moves a runtime timer, a
// cost per connection per broadcast that showed in profiles of a prompt
// switch to 10,000 phones. A stuck write is cut off 10 to 12 s after it
// began. The same round queues each connection's ping once per pingEvery.
func (h *Hub) watchWrites() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		h.cutStuckWrites(h.clock.Add(1))
	}
}

// pingSlots spreads the pings over pingEvery: a connection is pinged in
// the second whose clock matches its slot.
const pingSlots = int64(pingEvery / time.Second)

// cutStuckWrites cuts off the connections whose write began more than
// writeTimeout before the clock's now, and queues the pings due now.
func (h *Hub) cutStuckWrites(now int64) {
	slot := uint8(now % pingSlots)
	h.all.Range(func(k, _ any) bool {
		c := k.(*conn)
		if c.pingSlot == slot {
			select {
			case c.send <- pingMarker:
			default: // a full queue: the connection is cut off anyway
			}
		}
		since := c.writing.Load()
		if since == 0 {
			return true
		}
		if now-since > int64(writeTimeout/time.Second) {
			if !c.dropped.Swap(true) {
				h.stuckDrops.Add(1)
			}
			c.kill(1006, "")
		} else if !c.killed() {
			return true
		}
		// Repeated every second until the write gives up: the library
		// resets the deadline when a write begins, so a cut made just
		// then (enqueue's, on a full queue) is undone.
		_ = c.ws.NetConn().SetWriteDeadline(time.Now())
		return true
	})
}

// awaitReader gives the reader up to 2.5 s to finish after a close frame
// went out behind the queued messages: it drains what the client still
// sends until the client's answering close frame (see drain). Closing the
// socket with the client's messages unread would make the kernel reset
// the connection, and the client lose the messages queued before the
// close. A rare path, so a poll rather than a channel per connection.
func (c *conn) awaitReader() {
	for range 250 {
		if c.readerDone.Load() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writeClose sends the close frame; 1006 means the peer is gone already.
func (c *conn) writeClose() {
	if c.closeCode != 1006 {
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(c.closeCode, c.closeText), time.Now().Add(time.Second))
	}
}

// serve runs the connection until it ends. It returns only after the
// writer has finished: the hijacked connection is released when it
// returns.
//
// Between messages the reader goroutine waits in await.wait with nothing
// deeper than serve below it: hello, join and every message are handled
// in calls that have returned by then. Stacks shrink only when less than
// a quarter is in use, so this is what lets 10,000 idle residents cost
// 4 KB of stack each instead of 8.
func (c *conn) serve(ctx context.Context) {
	defer c.finish()
	go c.writer()
	if !c.start(ctx) {
		return
	}
	for {
		c.await.wait()
		if !c.next(ctx) {
			return
		}
	}
}

// finish ends the connection: leave the room, let the writer end.
func (c *conn) finish() {
	c.readerDone.Store(true)
	if !c.closing.Load() {
		c.kill(1006, "")
	}
	if c.room != nil {
		c.room.leave(c)
	}
	<-c.written
}

// start reads the hello and joins the session's room.
func (c *conn) start(ctx context.Context) bool {
	c.ws.SetReadLimit(maxMessage)
	_ = c.ws.SetReadDeadline(time.Now().Add(readTimeout))
	helloTimer := time.AfterFunc(helloTimeout, func() { c.kill(protocol.CloseHelloTimeout, "hello expected") })
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(readTimeout))
	})

	env, ok := c.read()
	helloTimer.Stop()
	if !ok {
		return false
	}
	if env.Type != protocol.TypeHello {
		c.kill(protocol.CloseHelloRequired, "hello first")
		return false
	}
	var h protocol.HelloData
	if json.Unmarshal(env.Data, &h) != nil {
		c.kill(protocol.CloseHelloRequired, "bad hello")
		return false
	}
	if h.Protocol != protocol.Version {
		c.kill(protocol.CloseUnsupported, "protocol version")
		return false
	}
	if l, ok := c.hub.catalog.Lookup(h.Lang); ok {
		c.lang = c.hub.catalog.Localizer(l.Code)
	}
	r, err := c.hub.room(ctx, c.sessionID)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			c.kill(protocol.CloseNotFound, "no such session")
		} else {
			c.kill(protocol.CloseStoreDown, "store unavailable")
		}
		return false
	}
	c.room = r
	r.join(c, h)
	return true
}

// next reads and handles one message; false ends the connection. Not
// inlined: its locals would otherwise stay in serve's frame, below the
// idle wait (see serve).
//
//go:noinline
func (c *conn) next(ctx context.Context) bool {
	env, ok := c.read()
	if !ok {
		return false
	}
	if !c.limiter.Allow() {
		c.strikes++
		if c.strikes > maxStrikes {
			c.closeAfterFlush(protocol.ClosePolicy, "flood")
			c.drain()
			return false
		}
		if time.Since(c.warned) > time.Second {
			c.warned = time.Now()
			c.fail(env.ID, protocol.ErrRateLimited, "", nil)
		}
		return true
	}
	c.handle(ctx, env)
	return true
}

// drain reads and drops what the client still sends until it answers our
// close frame (or 2 s pass). Closing a socket with unread data would reset
// the connection and destroy the messages queued before the close frame.
func (c *conn) drain() {
	_ = c.ws.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		if _, _, err := c.ws.ReadMessage(); err != nil {
			return
		}
	}
}

// read returns the next envelope. Protocol violations that make further
// reading pointless end the connection; a malformed envelope is answered
// with an error event and reading goes on.
func (c *conn) read() (protocol.Envelope, bool) {
	for {
		typ, b, err := c.ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.kill(websocket.CloseMessageTooBig, "message too big")
			}
			return protocol.Envelope{}, false
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(readTimeout))
		if typ != websocket.TextMessage {
			c.kill(websocket.CloseUnsupportedData, "text frames only")
			return protocol.Envelope{}, false
		}
		env, err := decodeEnvelope(b)
		if err != nil {
			c.strikes++
			if c.strikes > maxStrikes {
				c.closeAfterFlush(protocol.ClosePolicy, "flood")
				c.drain()
				return protocol.Envelope{}, false
			}
			c.fail("", protocol.ErrInvalidJSON, "", nil)
			continue
		}
		return env, true
	}
}

func (c *conn) handle(ctx context.Context, env protocol.Envelope) {
	switch env.Type {
	case protocol.TypePing:
		c.enqueue(prepare(protocol.TypePong, env.ID, 0, struct{}{}))
	case protocol.TypeHello:
		c.fail(env.ID, protocol.ErrHelloTwice, "", nil)
	case protocol.TypeSubmit:
		if c.role != protocol.RoleResident {
			c.fail(env.ID, protocol.ErrForbidden, "", nil)
			return
		}
		c.submit(ctx, env, false)
	case protocol.TypeAssist, protocol.TypeControl, protocol.TypeModerate:
		staff, ok := c.intermediary(ctx, env.ID)
		if !ok {
			return
		}
		switch env.Type {
		case protocol.TypeAssist:
			c.submit(ctx, env, true)
		case protocol.TypeControl:
			c.control(ctx, env, staff)
		case protocol.TypeModerate:
			c.moderate(ctx, env, staff)
		}
	default:
		c.fail(env.ID, protocol.ErrUnknownType, "", nil)
	}
}

// intermediary re-checks the staff session on every message: a logout or a
// removed role ends the connection's rights at once.
func (c *conn) intermediary(ctx context.Context, id string) (*model.Staff, bool) {
	if c.role != protocol.RoleIntermediary {
		c.fail(id, protocol.ErrForbidden, "", nil)
		return nil, false
	}
	st, _, err := c.hub.auth.Authenticate(ctx, c.staffToken)
	if err != nil || !sessions.CanRun(st, c.orgID) {
		if errors.Is(err, apperr.ErrUnavailable) {
			c.fail(id, protocol.ErrUnavailable, "", nil)
			return nil, false
		}
		c.fail(id, protocol.ErrForbidden, "", nil)
		c.closeAfterFlush(protocol.CloseUnauthorized, "not allowed")
		return nil, false
	}
	return st, true
}

// contributionID derives the stored id from session, participant and the
// client's submission id: a resent submission maps to the same document.
func contributionID(session, participant, clientID string) string {
	h := sha256.Sum256([]byte(session + "\x00" + participant + "\x00" + clientID))
	return hex.EncodeToString(h[:12])
}

func (c *conn) submit(ctx context.Context, env protocol.Envelope, assisted bool) {
	if !submissionID.MatchString(env.ID) {
		c.fail(env.ID, protocol.ErrBadID, "", nil)
		return
	}
	var d protocol.SubmitData
	if err := strictUnmarshal(env.Data, &d); err != nil {
		c.fail(env.ID, protocol.ErrBadData, "", nil)
		return
	}
	participant := c.participant
	switch {
	case assisted && d.Receipt != "":
		// The resident holds a printed slip of this organisation: the
		// answer is theirs, shown on /r/{code} (package receipts).
		p, err := receipts.New(c.hub.store).SlipParticipant(ctx, c.orgID, d.Receipt)
		if err != nil {
			c.failErr(env.ID, err)
			return
		}
		participant = p
	case assisted:
		// Each assisted answer stands for a different resident.
		participant = "assisted:" + contributionID(c.sessionID, c.staffToken, env.ID)
	case d.Receipt != "":
		// A resident's device answers for its own participant only.
		c.fail(env.ID, protocol.ErrBadData, "", nil)
		return
	}
	r := c.room
	if !r.submits.Allow() {
		c.fail(env.ID, protocol.ErrRateLimited, "", nil)
		return
	}
	id := contributionID(c.sessionID, participant, env.ID)
	r.mu.Lock()
	sess := r.sess
	p := sess.PromptByID(d.PromptID)
	var dotItems []string
	if p != nil && p.Kind == model.KindDots {
		dotItems = r.dotItems()
	}
	known := r.known[id]
	r.mu.Unlock()
	if known {
		// A resend of an answer the room has recorded, so stored (the ack
		// was lost with a connection or a server): acknowledged again
		// without a write. On the embedded engine one duplicate in a batch
		// makes it insert that batch one document per transaction, which
		// after a restart, with every phone resending, held up everyone.
		c.enqueue(prepare(protocol.TypeAck, env.ID, 0, protocol.AckData{ContributionID: id, Duplicate: true}))
		return
	}
	refuse := ""
	switch {
	case sess.State != model.StateRunning:
		refuse = protocol.ErrNotRunning
	case p == nil:
		refuse = protocol.ErrNotFound
	case sess.Pace == model.PaceLed && sess.CurrentPrompt().ID != p.ID && !assisted:
		refuse = protocol.ErrNotCurrent
	}
	if refuse != "" {
		// A resend of an answer stored before (the ack was lost with a
		// connection) is acknowledged again, even if the session moved on.
		if _, err := c.hub.store.Contribution(ctx, id); err == nil {
			c.repairPublish(ctx, id)
			c.enqueue(prepare(protocol.TypeAck, env.ID, 0, protocol.AckData{ContributionID: id, Duplicate: true}))
			return
		}
		field := ""
		if refuse != protocol.ErrNotRunning {
			field = "prompt_id"
		}
		c.fail(env.ID, refuse, field, nil)
		return
	}
	answer, err := sessions.CheckAnswer(p, model.Answer{
		Face: d.Answer.Face, Options: d.Answer.Options, Text: d.Answer.Text, MediaID: d.Answer.MediaID, Dots: d.Answer.Dots,
	}, dotItems)
	if err != nil {
		c.failErr(env.ID, err)
		return
	}
	if answer.MediaID != "" {
		// Only the participant's own upload to this session, of a kind
		// the prompt allows (one _id read).
		if answer.MediaKind, err = c.hub.sessions.CheckMediaAnswer(ctx, p, c.sessionID, participant, answer.MediaID, id); err != nil {
			c.failErr(env.ID, err)
			return
		}
	}
	lang := c.lang.Lang.Code
	if l, ok := c.hub.catalog.Lookup(d.Lang); ok {
		lang = l.Code
	}
	// Written answers (and captions) pass the moderation library and the
	// session's flood and duplicate checks before anything is stored (#6).
	var verdict checked
	if answer.Text != "" {
		var ok bool
		if verdict, ok = c.checkText(ctx, env.ID, id, participant, answer.Text, lang); !ok {
			return
		}
	}
	mod := model.ModApproved
	if answer.Text != "" && sess.Moderation == model.ModerationPre {
		mod = model.ModPending
	}
	contrib := &model.Contribution{
		ID: id, SessionID: c.sessionID, OrgID: sess.OrgID,
		PromptID: p.ID, Kind: p.Kind, ParticipantID: participant, Answer: answer, Lang: lang,
		Assisted: assisted, Moderation: mod, CreatedAt: time.Now().UTC(),
	}
	if answer.Text != "" {
		applyVerdict(contrib, verdict)
	}
	out := c.hub.commit.write(ctx, contrib)
	if out.Err != nil {
		c.hub.log.Warn("Storing a contribution failed.", "session", c.sessionID, "error", out.Err.Error())
		c.fail(env.ID, protocol.ErrUnavailable, "", nil)
		return
	}
	if out.Duplicate {
		c.repairPublish(ctx, contrib.ID)
	} else if err := c.hub.publish(ctx, c.sessionID, busContribution, toBus(contrib)); err != nil {
		c.hub.log.Warn("Publishing a contribution failed; it is stored.", "session", c.sessionID, "error", err.Error())
	}
	c.enqueue(prepare(protocol.TypeAck, env.ID, 0, protocol.AckData{ContributionID: contrib.ID, Duplicate: out.Duplicate}))
}

// repairPublish publishes a stored contribution the room has never seen:
// its writer crashed (or lost the store) between the durable write and the
// publish. Rooms keep a participant's newest answer, so a late event never
// overrides a newer one.
func (c *conn) repairPublish(ctx context.Context, id string) {
	if c.room.knows(id) {
		return
	}
	stored, err := c.hub.store.Contribution(ctx, id)
	if err != nil {
		return
	}
	if err := c.hub.publish(ctx, c.sessionID, busContribution, toBus(stored)); err != nil {
		c.hub.log.Warn("Republishing a contribution failed.", "session", c.sessionID, "error", err.Error())
	}
}

func (c *conn) control(ctx context.Context, env protocol.Envelope, staff *model.Staff) {
	var d protocol.ControlData
	if err := strictUnmarshal(env.Data, &d); err != nil {
		c.fail(env.ID, protocol.ErrBadData, "", nil)
		return
	}
	c.room.mu.Lock()
	cur, n := c.room.sess.Current, len(c.room.sess.Prompts)
	c.room.mu.Unlock()
	var (
		s   *model.Session
		err error
	)
	switch d.Action {
	case "goto":
		s, err = c.hub.sessions.Move(ctx, staff, c.orgID, c.sessionID, d.Index)
	case "next":
		s, err = c.hub.sessions.Move(ctx, staff, c.orgID, c.sessionID, min(cur+1, n-1))
	case "prev":
		s, err = c.hub.sessions.Move(ctx, staff, c.orgID, c.sessionID, max(cur-1, -1))
	case "close":
		s, err = c.hub.sessions.Close(ctx, staff, c.orgID, c.sessionID)
	default:
		c.fail(env.ID, protocol.ErrBadData, "action", nil)
		return
	}
	if err != nil {
		c.failErr(env.ID, err)
		return
	}
	if err := c.hub.PublishSession(ctx, s); err != nil {
		c.failErr(env.ID, err)
		return
	}
	c.enqueue(prepare(protocol.TypeAck, env.ID, 0, protocol.AckData{}))
}

// fail sends an error event with a translated message.
func (c *conn) fail(id, code, field string, data map[string]any) {
	c.enqueue(prepare(protocol.TypeError, id, 0, protocol.ErrorData{Code: code, Message: c.lang.T("live.error."+code, apperr.Args(data)...), Field: field}))
}

// failErr maps a domain error to an error event.
func (c *conn) failErr(id string, err error) {
	e, ok := apperr.As(err)
	switch {
	case errors.Is(err, apperr.ErrUnavailable):
		c.fail(id, protocol.ErrUnavailable, "", nil)
	case ok && errors.Is(err, apperr.ErrInvalid):
		c.enqueue(prepare(protocol.TypeError, id, 0, protocol.ErrorData{Code: protocol.ErrInvalid, Message: c.lang.T(e.MsgID, apperr.Args(e.Data)...), Field: e.Field}))
	case errors.Is(err, apperr.ErrNotFound):
		c.fail(id, protocol.ErrNotFound, "", nil)
	case errors.Is(err, apperr.ErrForbidden):
		c.fail(id, protocol.ErrForbidden, "", nil)
	case ok && errors.Is(err, apperr.ErrConflict):
		// Say which conflict (an undo of a decision changed since, #6).
		c.enqueue(prepare(protocol.TypeError, id, 0, protocol.ErrorData{Code: protocol.ErrConflict, Message: c.lang.T(e.MsgID, apperr.Args(e.Data)...)}))
	case errors.Is(err, apperr.ErrConflict):
		c.fail(id, protocol.ErrConflict, "", nil)
	default:
		c.hub.log.Error("Live message failed.", "session", c.sessionID, "error", err.Error())
		c.fail(id, protocol.ErrInternalFail, "", nil)
	}
}

// strictUnmarshal refuses unknown fields, so a typo in a client is seen.
func strictUnmarshal(b []byte, v any) error {
	if len(b) == 0 {
		return errors.New("no data")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// decodeEnvelope parses one client message. It is the first thing that
// touches untrusted bytes, so it is fuzzed (FuzzDecode).
func decodeEnvelope(b []byte) (protocol.Envelope, error) {
	var env protocol.Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return env, err
	}
	if env.Type == "" {
		return env, errors.New("no type")
	}
	return env, nil
}
