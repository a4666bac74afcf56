package live

import (
	"context"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// committer writes contributions in batches (group commit). Every caller
// waits for the batch that holds its contribution to be durable; while one
// batch is being written the next one fills up, so under a burst each
// write to the store carries many contributions and acknowledgements stay
// fast. The embedded store takes about 3,000 single inserts per second but
// some 55,000 documents per second in batches.
type committer struct {
	store *store.Store
	in    chan *pendingWrite
	max   int
	// after, if set, gets the newly written contributions once their
	// writers are answered: the reviewer inbox and report counters (#7)
	// are kept up to date on write without slowing acknowledgements. It
	// runs on a goroutine of its own, so a slow counter update never holds
	// up the next batch; batches that queue up meanwhile go to it together.
	after func(ctx context.Context, cs []*model.Contribution)
	// afterGap is the least time between two calls of after. What after
	// writes costs by the size of the documents it rewrites (a chunk of the
	// inbox index) and by the participants it records, not by the number
	// of new contributions, and it shares the embedded store's single
	// writer with the inserts that acknowledgements wait for. Called after
	// every batch at 2,000 answers a second it kept that writer busy nearly
	// all the time (acknowledgement p99 307 ms); every 500 ms it still held
	// inserts up for 100-400 ms at a time (p99 224-315 ms); every 2 s the
	// p99 was 155-185 ms. The price is that the inbox and "my input" lag by
	// up to 2 s.
	afterGap time.Duration
	done     chan struct{} // closed when run has ended and after has caught up
}

type pendingWrite struct {
	c    *model.Contribution
	done chan store.InsertOutcome
}

func newCommitter(s *store.Store) *committer {
	return &committer{store: s, in: make(chan *pendingWrite, 4096), max: 1000, afterGap: 2 * time.Second,
		done: make(chan struct{})}
}

// write queues a contribution and waits until it is durable (or failed).
// Duplicate reports a submission id that was stored before.
func (cm *committer) write(ctx context.Context, c *model.Contribution) store.InsertOutcome {
	w := &pendingWrite{c: c, done: make(chan store.InsertOutcome, 1)}
	select {
	case cm.in <- w:
	case <-ctx.Done():
		return store.InsertOutcome{Err: ctx.Err()}
	}
	select {
	case out := <-w.done:
		return out
	case <-ctx.Done():
		// The write may still land; the client resends the same id and
		// gets a duplicate acknowledgement then.
		return store.InsertOutcome{Err: ctx.Err()}
	}
}

// run writes batches until ctx ends.
func (cm *committer) run(ctx context.Context) {
	afterQ := make(chan []*model.Contribution, 256)
	afterDone := make(chan struct{})
	go cm.runAfter(afterQ, afterDone)
	defer func() {
		close(afterQ)
		<-afterDone
		close(cm.done)
	}()
	batch := make([]*pendingWrite, 0, cm.max)
	docs := make([]*model.Contribution, 0, cm.max)
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-cm.in:
			batch = append(batch[:0], w)
		}
	fill:
		for len(batch) < cm.max {
			select {
			case w := <-cm.in:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		docs = docs[:0]
		for _, w := range batch {
			docs = append(docs, w.c)
		}
		// Bounded by the store-timeout setting: while the store is away,
		// residents hear "unavailable, your answer is kept" after that long
		// and their phones resend, rather than waiting in silence.
		wctx, cancel := context.WithTimeout(context.Background(), cm.store.Timeout())
		outs, err := cm.store.InsertContributions(wctx, docs)
		cancel()
		for i, w := range batch {
			if err != nil {
				w.done <- store.InsertOutcome{Err: err}
			} else {
				w.done <- outs[i]
			}
		}
		// outs is set when the insert itself succeeded, whatever came after.
		if cm.after != nil && outs != nil {
			var fresh []*model.Contribution
			for i, d := range docs {
				if i < len(outs) && outs[i].Err == nil && !outs[i].Duplicate {
					fresh = append(fresh, d)
				}
			}
			if len(fresh) > 0 {
				afterQ <- fresh // waits only when 256 batches are behind
			}
		}
	}
}

// runAfter hands written contributions to after, at most once per
// afterGap, merging the batches that queue up meanwhile, until q is closed
// and drained (then without waiting: the process is stopping).
func (cm *committer) runAfter(q <-chan []*model.Contribution, done chan<- struct{}) {
	defer close(done)
	maxAfter := 20 * cm.max // bounds one call's memory when after falls behind
	var last time.Time
	closed := false
	for !closed {
		cs, ok := <-q
		if !ok {
			return
		}
		if wait := time.Until(last.Add(cm.afterGap)); wait > 0 {
			timer := time.NewTimer(wait)
		gap:
			for {
				select {
				case more, ok := <-q:
					if !ok {
						closed = true
						break gap
					}
					cs = append(cs, more...)
					if len(cs) >= maxAfter {
						break gap
					}
				case <-timer.C:
					break gap
				}
			}
			timer.Stop()
		}
	merge:
		for !closed && len(cs) < maxAfter {
			select {
			case more, ok := <-q:
				if !ok {
					closed = true
					break merge
				}
				cs = append(cs, more...)
			default:
				break merge
			}
		}
		last = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cm.after(ctx, cs)
		cancel()
	}
}
