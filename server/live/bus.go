package live

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// Event is one entry of a session's event stream. Seq increases by one per
// event within an epoch; a new epoch starts the count again (a restarted
// single instance), and clients that resume across epochs get a snapshot.
type Event struct {
	Session string
	Epoch   string
	Seq     uint64
	Type    string // a bus event type: busState, busContribution, busModeration
	Data    json.RawMessage
}

// Bus event types: what happened, in the hub's internal form. Rooms turn
// them into protocol messages per role.
const (
	busState        = "state"        // a changed session: model.Session
	busContribution = "contribution" // a new durable contribution: model.Contribution
	busModeration   = "moderation"   // a decision: moderationEvent
	busFeedback     = "feedback"     // a published response: feedbackEvent
	busWithdrawn    = "withdrawn"    // its author deleted a contribution: withdrawnEvent
)

// feedbackEvent is a published response on the bus: the item and, for
// each resident whose input is in the topic, the ids of that input.
type feedbackEvent struct {
	Org  string                `json:"org"`
	Item protocol.FeedbackItem `json:"item"`
	Mine map[string][]string   `json:"mine,omitempty"`
}

// Bus carries session events to every server instance that has
// connections in the session, in one order for all. One instance uses
// MemoryBus; several instances share a session through a bus over the
// store.
type Bus interface {
	// Publish appends an event to a session's stream and returns it with
	// its epoch and seq. Subscribers of every instance receive it.
	Publish(ctx context.Context, session, typ string, data json.RawMessage) (Event, error)
	// Subscribe calls deliver with each later event of the session, in seq
	// order and never concurrently for one subscription. It returns the
	// stream's epoch and the seq of its last event at the time of
	// subscribing.
	Subscribe(ctx context.Context, session string, deliver func(Event)) (epoch string, head uint64, cancel func(), err error)
}

// presenceSharer is a bus that spans instances: each tells it how many
// residents it holds in a session and learns how many the others hold.
type presenceSharer interface {
	SharePresence(ctx context.Context, session string, n int) (others int, err error)
}

// MemoryBus is the bus of a single instance. Delivery is synchronous, under
// the stream's lock, which gives every subscriber the same order.
type MemoryBus struct {
	mu      sync.Mutex
	streams map[string]*memStream
}

type memStream struct {
	mu    sync.Mutex
	epoch string
	seq   uint64
	next  int
	subs  map[int]func(Event)
}

// NewMemoryBus returns an in-process bus.
func NewMemoryBus() *MemoryBus { return &MemoryBus{streams: map[string]*memStream{}} }

func (b *MemoryBus) stream(session string) *memStream {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.streams[session]
	if !ok {
		// A fresh epoch per process: after a restart clients resume from a
		// snapshot, because the old sequence is gone with the old process.
		s = &memStream{epoch: store.NewID()[:12], subs: map[int]func(Event){}}
		b.streams[session] = s
	}
	return s
}

// Publish implements Bus.
func (b *MemoryBus) Publish(_ context.Context, session, typ string, data json.RawMessage) (Event, error) {
	s := b.stream(session)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	ev := Event{Session: session, Epoch: s.epoch, Seq: s.seq, Type: typ, Data: data}
	for _, fn := range s.subs {
		fn(ev)
	}
	return ev, nil
}

// Subscribe implements Bus.
func (b *MemoryBus) Subscribe(_ context.Context, session string, deliver func(Event)) (string, uint64, func(), error) {
	s := b.stream(session)
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.next
	s.next++
	s.subs[id] = deliver
	return s.epoch, s.seq, func() {
		s.mu.Lock()
		delete(s.subs, id)
		s.mu.Unlock()
	}, nil
}

// contributionEvent is a contribution as it travels on the bus: with the
// fields its JSON form leaves out for clients, which the rooms need to keep
// one answer per participant.
type contributionEvent struct {
	model.Contribution
	Participant string `json:"participant"`
	Org         string `json:"org"`
}

func toBus(c *model.Contribution) contributionEvent {
	return contributionEvent{Contribution: *c, Participant: c.ParticipantID, Org: c.OrgID}
}

func fromBus(e contributionEvent) model.Contribution {
	c := e.Contribution
	c.ParticipantID, c.OrgID = e.Participant, e.Org
	return c
}
