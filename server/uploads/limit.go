package uploads

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/buurtstem/buurtstem/server/apperr"
)

// Budget is how many uploads one participant may make: Burst at once, then
// one every Every. It is kept per participant (the anonymous token of the
// device), never per address: a whole community centre shares one.
type Budget struct {
	Burst int
	Every time.Duration
}

// DefaultBudget: a resident answers an open prompt with one voice note or
// photo and may record it again a few times; 20 at once and then one every
// 15 s covers a whole evening of open prompts, while one device can no
// longer keep the server decoding photos or fill the file storage: after
// the burst, four files a minute. The budget is per instance: behind a load
// balancer a device may spend it on each instance it reaches.
var DefaultBudget = Budget{Burst: 20, Every: 15 * time.Second}

// maxTracked bounds the budgets kept in memory. A full budget is the same
// as none, so the sweep forgets those first and loses nothing.
const maxTracked = 100_000

// limiter keeps the upload budget of every participant seen lately.
type limiter struct {
	mu     sync.Mutex
	budget Budget
	left   map[string]*rate.Limiter // participant → budget
}

func newLimiter(b Budget) *limiter {
	return &limiter{budget: b, left: map[string]*rate.Limiter{}}
}

// allow spends one upload of the participant's budget at now, or refuses
// with apperr.ErrTooMany (429, translated) while it is empty. A refused
// upload spends nothing, so a device that retries every few seconds gets
// through as soon as its budget has refilled.
func (l *limiter) allow(participant string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.left[participant]
	if !ok {
		if len(l.left) >= maxTracked {
			l.sweep(now)
		}
		lim = rate.NewLimiter(rate.Every(l.budget.Every), l.budget.Burst)
		l.left[participant] = lim
	}
	if !lim.AllowN(now, 1) {
		return apperr.New(apperr.ErrTooMany, "answer.upload_too_many")
	}
	return nil
}

// sweep forgets the budgets that have refilled. If every budget is in use
// (a flood of fresh participants), it forgets them all: each device then
// gets a full budget again, which bounds memory at the cost of one burst.
func (l *limiter) sweep(now time.Time) {
	for p, lim := range l.left {
		if lim.TokensAt(now) >= float64(l.budget.Burst) {
			delete(l.left, p)
		}
	}
	if len(l.left) >= maxTracked {
		clear(l.left)
	}
}

// SetBudget replaces the per-participant upload budget and forgets what was
// spent; tests that send many files from one device use it.
func (s *Service) SetBudget(b Budget) { s.perDevice.Store(newLimiter(b)) }
