package moderation

import (
	"math/bits"
	"strings"
	"sync"
	"time"
)

// GuardOptions tune a Guard. The zero value is the default.
type GuardOptions struct {
	// FloodCount contributions per participant within FloodWindow are
	// allowed; the next one is rejected as SpamFlood. Default 5 in 30 s:
	// a resident typing answers takes longer than that, a script does not.
	FloodCount  int
	FloodWindow time.Duration
	// A near-duplicate of one of the participant's own contributions from
	// the last DuplicateWindow is rejected as SpamDuplicate. Default 10 min.
	DuplicateWindow time.Duration
	// MinDuplicateRunes: shorter texts ("ja", "meer bankjes") are never
	// duplicates, because residents legitimately give the same short
	// answer to several prompts. Default 20.
	MinDuplicateRunes int
	// MaxParticipants bounds memory; the least recently active
	// participant is forgotten first. Default 20,000.
	MaxParticipants int
	// SimilarKeep is how many recent contributions of the whole session
	// are kept to find similar ones from other participants. Default 500.
	SimilarKeep int
}

// Guard holds the spam state of one live session: per participant the
// times of recent contributions and fingerprints of recent texts. The
// server keeps one Guard per session in memory and passes the clock in, so
// the Guard does no I/O and tests control time. Safe for concurrent use.
type Guard struct {
	opts GuardOptions
	mu   sync.Mutex
	who  map[string]*participantHistory
	// recent contributions of everyone, for Similar
	ring []fingerprint
	next int
}

type participantHistory struct {
	times []time.Time // most recent last, at most FloodCount
	texts []fingerprint
	last  time.Time
}

type fingerprint struct {
	hash uint64
	at   time.Time
	id   string
	who  string
}

// NewGuard returns an empty Guard for one session.
func NewGuard(opts GuardOptions) *Guard {
	if opts.FloodCount <= 0 {
		opts.FloodCount = 5
	}
	if opts.FloodWindow <= 0 {
		opts.FloodWindow = 30 * time.Second
	}
	if opts.DuplicateWindow <= 0 {
		opts.DuplicateWindow = 10 * time.Minute
	}
	if opts.MinDuplicateRunes <= 0 {
		opts.MinDuplicateRunes = 20
	}
	if opts.MaxParticipants <= 0 {
		opts.MaxParticipants = 20_000
	}
	if opts.SimilarKeep <= 0 {
		opts.SimilarKeep = 500
	}
	return &Guard{opts: opts, who: map[string]*participantHistory{}, ring: make([]fingerprint, 0, opts.SimilarKeep)}
}

// nearDistance is the largest Hamming distance between two simhashes
// taken for the same text with small edits (a word added, a typo, other
// punctuation or case). In TestSimhashDistances edits land at 0–6 bits and
// different answers on the same theme at 19 or more.
const nearDistance = 10

// SpamResult is what a Guard found about one contribution.
type SpamResult struct {
	// Codes are SpamFlood and/or SpamDuplicate; add them with
	// Verdict.With.
	Codes []Code
	// Similar are the ids of earlier contributions by other participants
	// that say nearly the same: not spam (neighbours agree), but the
	// console can offer to merge them.
	Similar []string
}

// Observe records a contribution (id is the server's id for it) and
// reports flooding and duplicates. Every attempt counts towards flooding,
// also a rejected one; only contributions that are not rejected become
// duplicates to compare with, so a resident whose text was refused for
// flooding can send it again later.
func (g *Guard) Observe(participant, id, text string, now time.Time) SpamResult {
	g.mu.Lock()
	defer g.mu.Unlock()
	var res SpamResult
	h := g.who[participant]
	if h == nil {
		if len(g.who) >= g.opts.MaxParticipants {
			g.forgetOldest()
		}
		h = &participantHistory{}
		g.who[participant] = h
	}
	h.last = now
	// flooding: the FloodCount-th previous attempt is within the window
	if len(h.times) >= g.opts.FloodCount && now.Sub(h.times[0]) < g.opts.FloodWindow {
		res.Codes = append(res.Codes, SpamFlood)
	}
	h.times = append(h.times, now)
	if len(h.times) > g.opts.FloodCount {
		h.times = h.times[1:]
	}

	norm := Normalize(text, "")
	if len([]rune(norm)) < g.opts.MinDuplicateRunes {
		return res
	}
	fp := fingerprint{hash: simhash(norm), at: now, id: id, who: participant}
	kept := h.texts[:0]
	dup := false
	for _, old := range h.texts {
		if now.Sub(old.at) > g.opts.DuplicateWindow {
			continue
		}
		kept = append(kept, old)
		if bits.OnesCount64(old.hash^fp.hash) <= nearDistance {
			dup = true
		}
	}
	h.texts = kept
	if dup {
		res.Codes = append(res.Codes, SpamDuplicate)
	}
	for _, old := range g.ring {
		if old.who != participant && bits.OnesCount64(old.hash^fp.hash) <= nearDistance && now.Sub(old.at) <= g.opts.DuplicateWindow {
			res.Similar = append(res.Similar, old.id)
		}
	}
	if len(res.Codes) == 0 {
		if len(h.texts) >= 32 {
			h.texts = h.texts[1:]
		}
		h.texts = append(h.texts, fp)
		if len(g.ring) < g.opts.SimilarKeep {
			g.ring = append(g.ring, fp)
		} else {
			g.ring[g.next] = fp
			g.next = (g.next + 1) % g.opts.SimilarKeep
		}
	}
	return res
}

// Participants reports how many participants the Guard remembers.
func (g *Guard) Participants() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.who)
}

func (g *Guard) forgetOldest() {
	var oldest string
	var at time.Time
	for k, h := range g.who {
		if oldest == "" || h.last.Before(at) {
			oldest, at = k, h.last
		}
	}
	delete(g.who, oldest)
}

// simhash is a 64-bit SimHash of the character 4-grams of a normalised
// text (spaces included, so word order counts): small edits change few
// features and so few bits.
func simhash(s string) uint64 {
	var v [64]int
	r := []rune(" " + strings.TrimSpace(s) + " ")
	const n = 4
	if len(r) < n {
		return fnv64(string(r))
	}
	for i := 0; i+n <= len(r); i++ {
		h := fnv64(string(r[i : i+n]))
		for b := 0; b < 64; b++ {
			if h&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
