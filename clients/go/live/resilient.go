package live

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// Backoff of reconnects: exponential from Min to Max, each wait drawn
// uniformly from [0, current] ("full jitter"), so that thousands of
// devices dropped at once by a restart do not return at once.
type Backoff struct {
	Min, Max time.Duration
}

// DefaultBackoff starts at 250 ms and stops growing at 4 s: a restarted
// server has every device back within about 5 s.
var DefaultBackoff = Backoff{Min: 250 * time.Millisecond, Max: 4 * time.Second}

// Wait returns how long to wait before reconnect attempt number attempt
// (0 for the first).
func (b Backoff) Wait(attempt int) time.Duration {
	d := b.Min << min(attempt, 16)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// Resilient keeps a connection to a session alive: after a drop it
// reconnects with backoff and jitter, resumes from the last event it saw,
// and resends submissions that had no acknowledgement, with their ids, so
// nothing is lost or stored twice. It stops on a terminal close code
// (4500–4999) or Close.
type Resilient struct {
	opts    Options
	backoff Backoff
	events  chan protocol.Envelope

	mu      sync.Mutex
	conn    *Conn
	ready   chan struct{} // closed when conn is usable; replaced on drop
	err     error         // terminal error, once stopped
	stopped chan struct{}
	cancel  context.CancelFunc
}

// Connect dials and keeps the connection up until ctx ends, Close is called
// or the server ends the session for good. The first dial must succeed.
func Connect(ctx context.Context, o Options, b Backoff) (*Resilient, error) {
	if b.Min == 0 {
		b = DefaultBackoff
	}
	c, err := Dial(ctx, o)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Resilient{opts: o, backoff: b, events: make(chan protocol.Envelope, max(o.Buffer, 1024)),
		conn: c, ready: make(chan struct{}), stopped: make(chan struct{}), cancel: cancel}
	close(r.ready)
	go r.run(ctx)
	return r, nil
}

// Events delivers every event of every connection in turn, including the
// welcome-time snapshot after a reconnect. It is closed when r stops.
func (r *Resilient) Events() <-chan protocol.Envelope { return r.events }

// Err returns why r stopped, or nil while it runs.
func (r *Resilient) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close stops r.
func (r *Resilient) Close() {
	r.cancel()
	<-r.stopped
}

func (r *Resilient) run(ctx context.Context) {
	defer close(r.stopped)
	defer close(r.events)
	for {
		r.mu.Lock()
		c := r.conn
		r.mu.Unlock()
		r.forward(ctx, c)
		err := c.Err()
		if ctx.Err() != nil {
			c.Close()
			r.stop(ctx.Err())
			return
		}
		if !Reconnectable(err) {
			r.stop(err)
			return
		}
		r.mu.Lock()
		r.ready = make(chan struct{})
		r.mu.Unlock()
		epoch, seq := c.Position()
		for attempt := 0; ; attempt++ {
			select {
			case <-time.After(r.backoff.Wait(attempt)):
			case <-ctx.Done():
				r.stop(ctx.Err())
				return
			}
			o := r.opts
			o.Epoch, o.LastSeq = epoch, seq
			nc, err := Dial(ctx, o)
			if err == nil {
				r.mu.Lock()
				r.conn = nc
				close(r.ready)
				r.mu.Unlock()
				break
			}
			var he *HTTPError
			if errors.As(err, &he) && he.Status >= 400 && he.Status < 500 && he.Status != 429 {
				r.stop(err) // refused for good: closed session, no rights
				return
			}
			if !Reconnectable(err) {
				r.stop(err)
				return
			}
		}
	}
}

func (r *Resilient) forward(ctx context.Context, c *Conn) {
	for {
		select {
		case env, ok := <-c.Events():
			if !ok {
				return
			}
			select {
			case r.events <- env:
			case <-ctx.Done():
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

func (r *Resilient) stop(err error) {
	r.mu.Lock()
	r.err = err
	if r.ready != nil {
		select {
		case <-r.ready:
		default:
			close(r.ready)
		}
	}
	r.mu.Unlock()
}

// current waits for a usable connection.
func (r *Resilient) current(ctx context.Context) (*Conn, error) {
	for {
		r.mu.Lock()
		ready, c, err := r.ready, r.conn, r.err
		r.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-ready:
			r.mu.Lock()
			c, err = r.conn, r.err
			r.mu.Unlock()
			if err != nil {
				return nil, err
			}
			select {
			case <-c.Done():
				// Dropped since: wait for the next connection.
				time.Sleep(10 * time.Millisecond)
				continue
			default:
				return c, nil
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Submit sends an answer and returns its acknowledgement, resending it with
// the same id over later connections until one arrives, ctx ends or r
// stops. An error event from the server (the answer breaks a rule) is
// returned as *ServerError, except "unavailable", which is retried.
func (r *Resilient) Submit(ctx context.Context, id string, d protocol.SubmitData) (protocol.AckData, error) {
	for attempt := 0; ; attempt++ {
		c, err := r.current(ctx)
		if err != nil {
			return protocol.AckData{}, err
		}
		ack, err := c.Submit(ctx, id, d)
		var se *ServerError
		switch {
		case err == nil:
			return ack, nil
		case errors.As(err, &se) && se.Code != protocol.ErrUnavailable && se.Code != protocol.ErrRateLimited:
			return ack, err
		case ctx.Err() != nil:
			return ack, ctx.Err()
		}
		if errors.As(err, &se) {
			// The server asked us to wait: back off before the resend.
			select {
			case <-time.After(r.backoff.Wait(attempt)):
			case <-ctx.Done():
				return ack, ctx.Err()
			}
		}
	}
}

// Conn returns the current connection (for Control, Moderate, …).
func (r *Resilient) Conn(ctx context.Context) (*Conn, error) { return r.current(ctx) }
