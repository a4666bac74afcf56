package live

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// StoreBus shares session events between server instances through the
// store, which needs nothing beyond MongoDB (or the embedded engine served
// on a loopback port). A publisher stores the event under "session:seq"
// with the next free seq — the unique _id decides between publishers that
// race — and every instance with connections in the session fetches the
// next seq by _id until there is none. The embedded engine has no change
// streams and no reliable tailable cursors, and _id reads are the one
// indexed query it has, hence this shape. Seqs are dense: a publisher
// either stored its event or has no seq.
type StoreBus struct {
	store    *store.Store
	poll     time.Duration
	log      *slog.Logger
	instance string // this process, in presence records

	mu      sync.Mutex
	streams map[string]*sharedStream
	hints   map[string]uint64 // last seq this instance published or saw
}

// NewStoreBus returns a bus over the store. poll is how often each
// instance looks for new events of the sessions it serves (50 ms adds at
// most that much latency across instances).
func NewStoreBus(s *store.Store, poll time.Duration, log *slog.Logger) *StoreBus {
	if poll == 0 {
		poll = 50 * time.Millisecond
	}
	return &StoreBus{store: s, poll: poll, log: log, instance: store.NewID()[:12],
		streams: map[string]*sharedStream{}, hints: map[string]uint64{}}
}

// presenceFresh is how long an instance's presence record counts: rooms
// refresh theirs every presenceEvery, so a killed instance's residents
// drop out of the count within this time (they reconnect elsewhere and are
// counted there).
const presenceFresh = 3 * presenceEvery

// SharePresence records n residents of the session on this instance and
// returns how many the other instances hold.
func (b *StoreBus) SharePresence(ctx context.Context, session string, n int) (int, error) {
	now := time.Now()
	if err := b.store.SetLivePresence(ctx, session, b.instance, n, now); err != nil {
		return 0, err
	}
	return b.store.LivePresence(ctx, session, b.instance, now.Add(-presenceFresh))
}

type sharedStream struct {
	bus     *StoreBus
	session string

	mu      sync.Mutex
	epoch   string
	next    uint64
	pending map[uint64]Event
	subs    map[int]func(Event)
	nextSub int
	stop    chan struct{}
}

// maxPublishTries bounds the search for a free seq.
const maxPublishTries = 1000

// Publish implements Bus.
func (b *StoreBus) Publish(ctx context.Context, session, typ string, data json.RawMessage) (Event, error) {
	epoch, hint, err := b.store.LiveStream(ctx, session)
	if err != nil {
		return Event{}, err
	}
	b.mu.Lock()
	if h := b.hints[session]; h > hint {
		hint = h
	}
	st := b.streams[session]
	b.mu.Unlock()
	if st != nil {
		st.mu.Lock()
		if st.next-1 > hint {
			hint = st.next - 1
		}
		st.mu.Unlock()
	}
	seq := hint + 1
	for tries := 0; ; tries++ {
		err = b.store.InsertLiveEvent(ctx, &model.LiveEvent{Session: session, Epoch: epoch, Seq: seq, Type: typ,
			Data: data, At: time.Now().UTC()})
		if err == nil {
			break
		}
		if !errors.Is(err, apperr.ErrConflict) || tries == maxPublishTries {
			return Event{}, err
		}
		seq++ // another instance took it
	}
	b.mu.Lock()
	if seq > b.hints[session] {
		b.hints[session] = seq
	}
	b.mu.Unlock()
	if err := b.store.RaiseLiveHint(ctx, session, seq); err != nil {
		b.log.Warn("Raising a live stream hint failed.", "session", session, "error", err.Error())
	}
	ev := Event{Session: session, Epoch: epoch, Seq: seq, Type: typ, Data: data}
	// Deliver here at once rather than at the next poll.
	if st != nil {
		st.mu.Lock()
		st.ingest(ev)
		st.mu.Unlock()
	}
	return ev, nil
}

// Subscribe implements Bus.
func (b *StoreBus) Subscribe(ctx context.Context, session string, deliver func(Event)) (string, uint64, func(), error) {
	b.mu.Lock()
	st, ok := b.streams[session]
	if !ok {
		epoch, head, err := b.store.LiveStream(ctx, session)
		if err != nil {
			b.mu.Unlock()
			return "", 0, nil, err
		}
		// The hint may lag: walk to the real end.
		for {
			if _, err := b.store.LiveEvent(ctx, session, head+1); err != nil {
				break
			}
			head++
		}
		st = &sharedStream{bus: b, session: session, epoch: epoch, next: head + 1,
			pending: map[uint64]Event{}, subs: map[int]func(Event){}, stop: make(chan struct{})}
		b.streams[session] = st
		go st.run()
	}
	b.mu.Unlock()

	st.mu.Lock()
	defer st.mu.Unlock()
	id := st.nextSub
	st.nextSub++
	st.subs[id] = deliver
	return st.epoch, st.next - 1, func() { b.unsubscribe(st, id) }, nil
}

func (b *StoreBus) unsubscribe(st *sharedStream, id int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.subs, id)
	if len(st.subs) == 0 && b.streams[st.session] == st {
		delete(b.streams, st.session)
		close(st.stop)
	}
}

// ingest takes an event in any order and delivers what is next in line.
// Called with st.mu held.
func (st *sharedStream) ingest(ev Event) {
	if ev.Seq < st.next || ev.Epoch != st.epoch {
		return
	}
	st.pending[ev.Seq] = ev
	st.deliverReady()
}

// deliverReady delivers the pending events that are next in line.
func (st *sharedStream) deliverReady() {
	for {
		e, ok := st.pending[st.next]
		if !ok {
			return
		}
		delete(st.pending, st.next)
		st.next++
		for _, fn := range st.subs {
			fn(e)
		}
	}
}

// run fetches the next events by _id until the last subscriber leaves.
func (st *sharedStream) run() {
	t := time.NewTicker(st.bus.poll)
	defer t.Stop()
	ctx := context.Background()
	for {
		select {
		case <-st.stop:
			return
		case <-t.C:
		}
		for {
			st.mu.Lock()
			next := st.next
			_, have := st.pending[next]
			st.mu.Unlock()
			if have {
				break
			}
			e, err := st.bus.store.LiveEvent(ctx, st.session, next)
			if err != nil {
				if !errors.Is(err, apperr.ErrNotFound) && !errors.Is(err, apperr.ErrUnavailable) {
					st.bus.log.Warn("Reading a live event failed.", "session", st.session, "error", err.Error())
				}
				break
			}
			st.mu.Lock()
			st.ingest(Event{Session: e.Session, Epoch: e.Epoch, Seq: e.Seq, Type: e.Type, Data: e.Data})
			st.mu.Unlock()
		}
	}
}
