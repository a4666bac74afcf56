// Package live runs live sessions: the WebSocket endpoint, one room per
// session with its connections, replay of missed events, live results, and
// durable, idempotent submissions. The protocol is described in
// PROTOCOL.md beside this file and declared in protocol.go and codes.go.
//
// The hub does not depend on Fiber: transport.go adapts Fiber's fasthttp
// to gorilla/websocket and hands the hub finished connections. Events of a
// session travel over a Bus, so that several server instances can serve one
// session.
package live

import (
	"context"

	"encoding/json"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"golang.org/x/time/rate"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/moderation"
	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/decisions"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
	"github.com/buurtstem/buurtstem/server/store"
)

// Per-session limit on answers, across all its connections on this
// instance: far above what a room of people produces (the load target is
// 2,000 a second), low enough that one session cannot starve the others.
const (
	sessionSubmitRate  = 5000
	sessionSubmitBurst = 10000
)

// Config of the hub.
type Config struct {
	// MaxConns caps open WebSocket connections on this instance: fasthttp's
	// own limits do not apply to hijacked connections.
	MaxConns int
	// Origins allowed to open connections (browsers always send Origin).
	Origins []string
	// RoomIdle is how long a room without connections is kept for quick
	// reconnects. Zero means a minute.
	RoomIdle time.Duration
	// Checker checks every written answer before it is stored (#6); nil
	// means the moderation library's defaults. Built once at start: it
	// compiles the lexicons.
	Checker *moderation.Checker
	// Guard tunes the flood and near-duplicate checks, one Guard per
	// session; the zero value is the library's default.
	Guard moderation.GuardOptions
}

// Hub holds the rooms of this instance.
type Hub struct {
	store    *store.Store
	sessions *sessions.Service
	auth     *auth.Service
	catalog  *i18n.Catalog
	bus      Bus
	log      *slog.Logger
	commit   *committer
	origins  map[string]bool
	maxConns int64
	roomIdle time.Duration
	// checker and guardOpts are the moderation library (#6); decisions
	// stores and logs moderators' decisions.
	checker   *moderation.Checker
	guardOpts moderation.GuardOptions
	decisions *decisions.Service

	mu    sync.Mutex
	rooms map[string]*roomSlot
	conns atomic.Int64
	live  sync.WaitGroup // serving connections
	all   sync.Map       // *conn → struct{}, for shutdown and watchWrites
	// clock counts seconds from 1 for watchWrites; connections read it
	// when a write begins instead of the time.
	clock    atomic.Int64
	nextSlot atomic.Int64 // ping slots, given out in turn
	// Connections cut off for a full queue (slowDrops) or a write stuck
	// for over writeTimeout (stuckDrops), since start.
	slowDrops, stuckDrops atomic.Int64
	ctx                   context.Context
	stop                  context.CancelFunc

	// feedback returns the published responses for a feedback round and
	// the neighbourhoods they may come from (#7); nil: none.
	feedback FeedbackSource
}

// FeedbackSource returns the published responses that concern the
// residents of a neighbourhood, and the neighbourhoods whose responses do.
type FeedbackSource func(ctx context.Context, orgID, neighbourhoodID string) ([]protocol.FeedbackItem, []string, error)

// SetFeedbackSource connects the review domain: rooms load the responses
// of their neighbourhood for feedback rounds. Call it before serving.
func (h *Hub) SetFeedbackSource(f FeedbackSource) { h.feedback = f }

// SetCommitHook has fn called with every batch of newly stored
// contributions, after their writers were answered (the reviewer inbox and
// report counters, #7). Call it before serving.
func (h *Hub) SetCommitHook(fn func(ctx context.Context, cs []*model.Contribution)) {
	h.commit.after = fn
}

// PublishFeedback sends a published response to every open session of the
// organisation: residents whose input is in the topic (mine) see it
// wherever they are connected, and feedback rounds in the topic's
// neighbourhood show it.
func (h *Hub) PublishFeedback(ctx context.Context, orgID string, item protocol.FeedbackItem, mine map[string][]string) error {
	ss, err := h.store.Sessions(ctx, orgID)
	if err != nil {
		return err
	}
	ev := feedbackEvent{Org: orgID, Item: item, Mine: mine}
	for _, s := range ss {
		if s.State != model.StateOpen && s.State != model.StateRunning {
			continue
		}
		if err := h.publish(ctx, s.ID, busFeedback, ev); err != nil {
			return err
		}
	}
	return nil
}

type roomSlot struct {
	ready chan struct{}
	room  *room
	err   error
}

// NewHub returns a hub; call Run to start its background work.
func NewHub(cfg Config, st *store.Store, ss *sessions.Service, a *auth.Service, cat *i18n.Catalog, bus Bus, log *slog.Logger) *Hub {
	if cfg.RoomIdle == 0 {
		cfg.RoomIdle = time.Minute
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = 15000
	}
	h := &Hub{
		store: st, sessions: ss, auth: a, catalog: cat, bus: bus, log: log,
		commit: newCommitter(st), origins: map[string]bool{}, maxConns: int64(cfg.MaxConns),
		roomIdle: cfg.RoomIdle, rooms: map[string]*roomSlot{},
		checker: cfg.Checker, guardOpts: cfg.Guard, decisions: decisions.New(st),
	}
	if h.checker == nil {
		c, err := moderation.New(moderation.Options{})
		if err != nil {
			panic(err) // the embedded lexicons always compile (moderation's tests)
		}
		h.checker = c
	}
	for _, o := range cfg.Origins {
		h.origins[o] = true
	}
	h.ctx, h.stop = context.WithCancel(context.Background())
	h.clock.Store(1)
	go h.commit.run(h.ctx)
	go h.watchWrites()
	return h
}

// Shutdown tells every client to reconnect (to another instance or after
// the restart), waits for the connections to end within ctx, and stops the
// group commit. Acknowledged submissions are already durable.
func (h *Hub) Shutdown(ctx context.Context) {
	h.all.Range(func(k, _ any) bool {
		k.(*conn).kill(protocol.CloseShutdown, "server restarting")
		return true
	})
	done := make(chan struct{})
	go func() { h.live.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	h.stop()
	// The group commit's last batch and the commit hook's catching up.
	select {
	case <-h.commit.done:
	case <-ctx.Done():
	}
}

// Drops returns how many connections this instance cut off since it
// started: for a full send queue (the client fell behind) and for a write
// stuck longer than the write timeout.
func (h *Hub) Drops() (slow, stuck int64) { return h.slowDrops.Load(), h.stuckDrops.Load() }

// Conns returns the number of open connections on this instance.
func (h *Hub) Conns() int { return int(h.conns.Load()) }

// room returns the session's room, loading it on first use. Concurrent
// first connections wait for one load.
func (h *Hub) room(ctx context.Context, id string) (*room, error) {
	h.mu.Lock()
	slot, ok := h.rooms[id]
	if !ok {
		slot = &roomSlot{ready: make(chan struct{})}
		h.rooms[id] = slot
		h.mu.Unlock()
		r := &room{
			hub: h, id: id, conns: map[*conn]struct{}{}, staff: map[*conn]struct{}{},
			answers: map[string]map[string]dated{}, tallies: map[string]*tally{}, known: map[string]bool{},
			texts: map[string]*model.Contribution{}, dirty: map[string]bool{}, resDirty: map[string]bool{},
			stop: make(chan struct{}), submits: rate.NewLimiter(sessionSubmitRate, sessionSubmitBurst),
			guard: moderation.NewGuard(h.guardOpts), merged: map[string]int{}, checked: map[string]checked{},
		}
		slot.err = r.load(ctx)
		if slot.err == nil {
			slot.room = r
		} else {
			h.mu.Lock()
			delete(h.rooms, id)
			h.mu.Unlock()
		}
		close(slot.ready)
	} else {
		h.mu.Unlock()
	}
	select {
	case <-slot.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return slot.room, slot.err
}

// dropIfIdle removes a room that has had no connections for RoomIdle.
func (h *Hub) dropIfIdle(r *room) {
	h.mu.Lock()
	r.mu.Lock()
	if len(r.conns)+len(r.staff) > 0 {
		r.mu.Unlock()
		h.mu.Unlock()
		return
	}
	if slot, ok := h.rooms[r.id]; ok && slot.room == r {
		delete(h.rooms, r.id)
	}
	close(r.stop)
	r.mu.Unlock()
	h.mu.Unlock()
	// Outside the room's lock: the bus may be delivering to this room and
	// waiting for that lock while holding its own.
	r.cancel()
}

// publish sends an event about a session over the bus.
func (h *Hub) publish(ctx context.Context, session, typ string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = h.bus.Publish(ctx, session, typ, b)
	return err
}

// Withdraw tells a session's rooms on every instance that a contribution
// was deleted by its author (the store no longer has it): it leaves the
// wall and the results. A closed session has no room and needs nothing.
func (h *Hub) Withdraw(ctx context.Context, s *model.Session, c *model.Contribution) error {
	if s.State != model.StateOpen && s.State != model.StateRunning {
		return nil
	}
	return h.publish(ctx, c.SessionID, busWithdrawn, withdrawnEvent{
		ContributionID: c.ID, PromptID: c.PromptID, Participant: c.ParticipantID})
}

// PublishSession tells every device in a session that the session changed
// (state, current prompt, prompts). The console's HTTP handlers call it
// after every change they store.
func (h *Hub) PublishSession(ctx context.Context, s *model.Session) error {
	return h.publish(ctx, s.ID, busState, s)
}
