package resident

import (
	"context"
	"log/slog"
	"slices"
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
// process is killed are added by the repair after the crash (InputRepair).
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

// listed reports whether a contribution belongs on a participant's list.
// Answers an intermediary entered for someone without a phone belong to
// nobody, unless that resident holds a printed slip (package receipts).
func listed(participantID string, assisted bool) bool {
	return participantID != "" && (!assisted || strings.HasPrefix(participantID, receipts.SlipPrefix)) &&
		!strings.HasPrefix(participantID, "assisted:")
}

// Record queues stored contributions; it never blocks on the store.
func (r *InputRecorder) Record(_ context.Context, cs []*model.Contribution) {
	r.mu.Lock()
	n := 0
	for _, c := range cs {
		if c == nil || !listed(c.ParticipantID, c.Assisted) {
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

// InputRepair adds contributions that a crashed process stored but never
// wrote to their participants' lists: its InputRecorder still held them.
// It is fed the contributions of the crashed runs by the inbox repair's
// scan (review.Indexer.Repair) and then reads only the lists of the
// participants among them, an _id read per list document.
type InputRepair struct {
	store *store.Store
	ids   map[string][]string // participant → contribution ids of the range
}

// NewInputRepair returns an empty repair.
func NewInputRepair(s *store.Store) *InputRepair {
	return &InputRepair{store: s, ids: map[string][]string{}}
}

// Add takes one contribution of the range.
func (r *InputRepair) Add(st store.Stamp) {
	if listed(st.ParticipantID, st.Assisted) {
		r.ids[st.ParticipantID] = append(r.ids[st.ParticipantID], st.ID)
	}
}

// Write adds what the lists lack and returns how many contributions it
// added. Idempotent: a second run adds nothing. A list full at
// store.MaxListedInputs is left as it is: "my input" would not show more.
func (r *InputRepair) Write(ctx context.Context) (int, error) {
	missing := map[string][]string{}
	added := 0
	for p, ids := range r.ids {
		have, err := r.store.ParticipantInputs(ctx, p)
		if err != nil {
			return 0, err
		}
		if len(have.Contributions) >= store.MaxListedInputs {
			continue
		}
		for _, id := range ids {
			if !slices.Contains(have.Contributions, id) {
				missing[p] = append(missing[p], id)
				added++
			}
		}
	}
	if err := r.store.AddInputs(ctx, missing, map[string]int{}); err != nil {
		return 0, err
	}
	return added, nil
}
