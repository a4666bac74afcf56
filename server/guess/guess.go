// Package guess limits how fast codes can be guessed — the 6-digit join
// codes of live sessions and the 10-character receipt codes — without
// keying anything on an address (a whole community centre shares one, and
// buurtstem stores and logs no addresses) and without letting a guesser
// lock real residents out.
//
// Only wrong guesses spend a budget, and a guesser spends the budget of its
// own class only:
//
//   - devices without a participant token (the cookie made at a successful
//     join) share one budget per instance: a flood of wrong codes from
//     fresh devices empties it, and while it is empty fresh devices that
//     type a code are refused ("scan the QR code or ask for help");
//   - a device with a participant token has a small budget of its own,
//     and all such devices together a class budget: a resident who joined
//     before (last week's session, this evening's first prompt) keeps
//     typing codes while fresh devices flood;
//   - a link that carries something unguessable needs no budget at all:
//     the join QR code holds the session id besides the code (/j/{code}.{id},
//     128 random bits), so a fresh device that scans it joins at once,
//     whatever a flood did.
//
// A guesser can make participant tokens only by joining a session, and
// every token's guesses also spend the class budget, so the class budgets
// bound the total: per instance at most Fresh.Rate + Known.Rate wrong
// guesses a second after the bursts. The enumeration figures for the
// policies below are in Policy's comments and in the README's security
// section.
package guess

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Budget is a token bucket: Burst wrong guesses at once, then Rate a second.
type Budget struct {
	Burst int
	Rate  rate.Limit
}

// Policy is the budgets of one kind of code.
type Policy struct {
	Fresh  Budget // every device without a participant token, together
	Known  Budget // every device with a participant token, together
	Device Budget // one device with a participant token
	// MaxDevices bounds the per-device budgets kept in memory. When it is
	// reached they are forgotten, which gives each device a full budget
	// again: harmless, since the Known budget still bounds their sum.
	MaxDevices int
}

// JoinCodes: 10^6 codes. After the bursts at most 2 wrong guesses a second
// per instance (1 fresh + 1 known). With 100 sessions open at once a guess
// hits one with probability 10^-4, so a guesser needs 10^4 guesses, about
// 83 minutes at 2 a second, to land in some session; its code then only
// admits to that session, as reading it off the projector would. A wrong
// code costs a resident who joined before one of 5 guesses (one back every
// 30 s), never another resident's.
var JoinCodes = Policy{
	Fresh:      Budget{Burst: 60, Rate: 1},
	Known:      Budget{Burst: 60, Rate: 1},
	Device:     Budget{Burst: 5, Rate: rate.Every(30 * time.Second)},
	MaxDevices: 100_000,
}

// ReceiptCodes: 31^10 ≈ 8.2·10^14 codes. After the bursts at most 1 wrong
// guess a second per instance (0.5 fresh + 0.5 known); with a million
// receipts out, a guess hits one with probability 1.2·10^-9, so finding any
// one takes 8.2·10^8 guesses: about 26 years per instance.
var ReceiptCodes = Policy{
	Fresh:      Budget{Burst: 30, Rate: 0.5},
	Known:      Budget{Burst: 30, Rate: 0.5},
	Device:     Budget{Burst: 5, Rate: rate.Every(30 * time.Second)},
	MaxDevices: 100_000,
}

// Guard keeps the budgets of one kind of code in one instance.
type Guard struct {
	policy Policy
	fresh  *rate.Limiter
	known  *rate.Limiter

	mu      sync.Mutex
	devices map[string]*rate.Limiter
}

// New returns a Guard with full budgets.
func New(p Policy) *Guard {
	return &Guard{policy: p,
		fresh:   rate.NewLimiter(p.Fresh.Rate, p.Fresh.Burst),
		known:   rate.NewLimiter(p.Known.Rate, p.Known.Burst),
		devices: map[string]*rate.Limiter{}}
}

// Allowed reports whether device (a participant id, "" for a device
// without one) may try a code now. It spends nothing: a right code costs
// no budget.
func (g *Guard) Allowed(device string) bool {
	if device == "" {
		return g.fresh.Tokens() >= 1
	}
	if g.known.Tokens() < 1 {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	d := g.devices[device]
	return d == nil || d.Tokens() >= 1
}

// Failed spends one wrong guess from device's budgets.
func (g *Guard) Failed(device string) {
	if device == "" {
		g.fresh.Allow()
		return
	}
	g.known.Allow()
	g.mu.Lock()
	defer g.mu.Unlock()
	d := g.devices[device]
	if d == nil {
		if len(g.devices) >= g.policy.MaxDevices {
			clear(g.devices)
		}
		d = rate.NewLimiter(g.policy.Device.Rate, g.policy.Device.Burst)
		g.devices[device] = d
	}
	d.Allow()
}
