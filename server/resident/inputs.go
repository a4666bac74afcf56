package resident

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/receipts"
	"github.com/buurtstem/buurtstem/server/store"
)

// InputRecorder keeps each participant's list of contributions (what "my
// input" and receipts read) up to date, behind the live group commit. It
// gathers the ids of stored answers and writes them in the background, many
// participants per call, so that acknowledgements never wait for it: on the
// embedded engine an update costs far more than the insert it follows (see
// store.AddInputs). A failed write is retried; ids still waiting when the
// process is killed are missing from the list until the resident's device
// resends them (a resend of a stored answer is recorded again).
type InputRecorder struct {
	store *store.Store
	log   *slog.Logger

	mu      sync.Mutex
	pending map[string][]string // participant → contribution ids
	next    map[string]int      // participant → the next list document to write (flush only)
	wake    chan struct{}
}

// NewInputRecorder returns a recorder; start it with Run.
func NewInputRecorder(s *store.Store, log *slog.Logger) *InputRecorder {
	return &InputRecorder{store: s, log: log, pending: map[string][]string{}, next: map[string]int{}, wake: make(chan struct{}, 1)}
}

// Record queues stored contributions; it never blocks on the store. Answers
// an intermediary entered for someone without a phone belong to nobody,
// unless that resident holds a printed slip (package receipts).
func (r *InputRecorder) Record(_ context.Context, cs []*model.Contribution) {
	r.mu.Lock()
	n := 0
	for _, c := range cs {
		if c == nil || c.ParticipantID == "" || (c.Assisted && !strings.HasPrefix(c.ParticipantID, receipts.SlipPrefix)) ||
			strings.HasPrefix(c.ParticipantID, "assisted:") {
			continue
		}
		r.pending[c.ParticipantID] = append(r.pending[c.ParticipantID], c.ID)
		n++
	}
	r.mu.Unlock()
	if n > 0 {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// Run writes what was queued until ctx ends, then makes a last attempt.
func (r *InputRecorder) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			r.flush(fctx)
			cancel()
			return
		case <-r.wake:
		}
		if !r.flush(ctx) {
			// The store is away: try again in a second, keeping the ids.
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			select {
			case r.wake <- struct{}{}:
			default:
			}
		}
	}
}

// flush writes everything pending; on failure it puts it back.
func (r *InputRecorder) flush(ctx context.Context) bool {
	r.mu.Lock()
	batch := r.pending
	r.pending = map[string][]string{}
	r.mu.Unlock()
	if len(batch) == 0 {
		return true
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	if len(r.next) > 100_000 {
		r.next = map[string]int{} // only hints: AddInputs finds the free n
	}
	err := r.store.AddInputs(wctx, batch, r.next)
	cancel()
	if err != nil {
		r.log.Warn("Recording residents' input lists failed; retrying.", "participants", len(batch), "error", err.Error())
		r.mu.Lock()
		for p, ids := range r.pending {
			batch[p] = append(batch[p], ids...)
		}
		r.pending = batch
		r.mu.Unlock()
		return false
	}
	return true
}
