package review

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// ChunkEntries is how many entries one inbox chunk holds (56 KB). Full
// chunks never change again, so readers cache them.
const ChunkEntries = 2000

// openIdle is how long this process keeps the bytes of a chunk it is
// still filling in memory after the session's last answer; a later answer
// then starts a new chunk.
const openIdle = time.Hour

// Indexer keeps what reviewers read fast up to date when contributions
// are stored: the inbox index (chunks of compact entries per session) and
// the report counters per session and day. The live group commit calls Add
// with every batch of newly stored contributions, from one goroutine; Add
// is also safe to call concurrently (seeding, tests).
//
// Every document it writes carries this process's writer id, so two server
// instances never update the same document: the embedded engine does not
// make concurrent updates of one document atomic.
type Indexer struct {
	store *store.Store
	loc   *time.Location
	// Chunk is how many entries a chunk holds; 0 means ChunkEntries.
	// Tests make it small to cross chunk boundaries with little data.
	Chunk int

	mu       sync.Mutex
	open     map[string]*openChunk // by session: the chunk this process fills
	next     int                   // number of this process's next chunk
	sessions map[string]sessionInfo
	// counted holds, per report day, the participants this process has
	// already passed to the store, so each write carries only new ones
	// (see store.AddReportDays). Forgetting it only costs repeats.
	counted     map[string]map[string]struct{}
	countedSize int
	// repairedCounts are the contributions Repair counted, by
	// "session|day": a later Repair in this process compares with them
	// (see repair.go).
	repairedCounts map[string]int
}

type openChunk struct {
	meta    model.InboxChunk
	data    []byte
	touched time.Time
}

type sessionInfo struct{ org, neighbourhood string }

// NewIndexer returns an Indexer; loc is the time zone of report days.
func NewIndexer(s *store.Store, loc *time.Location) *Indexer {
	return &Indexer{store: s, loc: loc, open: map[string]*openChunk{}, sessions: map[string]sessionInfo{},
		counted: map[string]map[string]struct{}{}}
}

// Add indexes and counts newly stored contributions (not duplicates). A
// failure leaves the contributions stored but missing from the inbox and
// the counts; it is returned for the log.
func (ix *Indexer) Add(ctx context.Context, cs []*model.Contribution) error {
	if len(cs) == 0 {
		return nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	now := time.Now()
	for s, oc := range ix.open {
		if now.Sub(oc.touched) > openIdle {
			delete(ix.open, s)
		}
	}
	var order []string
	bySession := map[string][]*model.Contribution{}
	for _, c := range cs {
		if _, ok := bySession[c.SessionID]; !ok {
			order = append(order, c.SessionID)
		}
		bySession[c.SessionID] = append(bySession[c.SessionID], c)
	}
	days := map[string]*model.ReportDay{}
	var dayOrder []string
	var firstErr error
	for _, sid := range order {
		info, err := ix.session(ctx, sid)
		if err != nil {
			firstErr = err
			continue
		}
		if err := ix.addEntries(ctx, sid, info, bySession[sid], now); err != nil && firstErr == nil {
			firstErr = err
		}
		for _, c := range bySession[sid] {
			day := c.CreatedAt.In(ix.loc).Format(time.DateOnly)
			id := ix.store.ReportDayID(sid, day)
			d, ok := days[id]
			if !ok {
				d = &model.ReportDay{ID: id, OrgID: info.org, SessionID: sid, NeighbourhoodID: info.neighbourhood, Day: day,
					Kinds: map[string]int{}, Themes: map[string]int{}, Faces: map[string]int{}, Langs: map[string]int{},
					Participants: map[string]string{}}
				days[id] = d
				dayOrder = append(dayOrder, id)
			}
			count(d, c)
		}
	}
	deltas := make([]*model.ReportDay, 0, len(dayOrder))
	for _, id := range dayOrder {
		ix.dropCounted(days[id])
		deltas = append(deltas, days[id])
	}
	if err := ix.store.AddReportDays(ctx, deltas); err != nil {
		if firstErr == nil {
			firstErr = err
		}
	} else {
		for _, d := range deltas {
			ix.markCounted(d)
		}
	}
	return firstErr
}

// dropCounted removes from a delta the participants this process already
// recorded for its day.
func (ix *Indexer) dropCounted(d *model.ReportDay) {
	seen := ix.counted[d.ID]
	for p := range d.Participants {
		if _, ok := seen[p]; ok {
			delete(d.Participants, p)
		}
	}
}

// markCounted remembers a written delta's participants.
func (ix *Indexer) markCounted(d *model.ReportDay) {
	if len(d.Participants) == 0 {
		return
	}
	seen := ix.counted[d.ID]
	if seen == nil {
		if ix.countedSize > 200_000 {
			clear(ix.counted)
			ix.countedSize = 0
		}
		seen = map[string]struct{}{}
		ix.counted[d.ID] = seen
	}
	for p := range d.Participants {
		seen[p] = struct{}{}
	}
	ix.countedSize += len(d.Participants)
}

// count adds one contribution to a day's counters.
func count(d *model.ReportDay, c *model.Contribution) {
	d.Contributions++
	d.Kinds[string(c.Kind)]++
	for _, t := range themesOf(themeBits(c.Answer.Options)) {
		d.Themes[t]++
	}
	if c.Answer.Face >= 1 && c.Answer.Face <= 5 {
		d.Faces[strconv.Itoa(c.Answer.Face)]++
	}
	if c.Lang != "" {
		d.Langs[c.Lang]++
	}
	if c.ParticipantID != "" {
		d.Participants[c.ParticipantID] = c.Lang
	}
}

// addEntries appends a session's contributions to the chunk this process
// fills, starting new chunks as they fill up, and writes each touched
// chunk once.
func (ix *Indexer) addEntries(ctx context.Context, sid string, info sessionInfo, cs []*model.Contribution, now time.Time) error {
	size := ix.Chunk
	if size <= 0 {
		size = ChunkEntries
	}
	oc := ix.open[sid]
	var touched []*openChunk
	for _, c := range cs {
		if oc == nil || oc.meta.Count >= size {
			oc = &openChunk{meta: model.InboxChunk{
				ID:    sid + ":" + ix.store.Writer() + ":" + strconv.Itoa(ix.next),
				OrgID: info.org, SessionID: sid, NeighbourhoodID: info.neighbourhood, Writer: ix.store.Writer(),
			}, data: make([]byte, 0, 64*entrySize)}
			ix.next++
			ix.open[sid] = oc
		}
		var ok bool
		if oc.data, ok = encodeEntry(oc.data, c); !ok {
			continue
		}
		at := c.CreatedAt.UTC().Truncate(time.Second)
		if oc.meta.Count == 0 || at.Before(oc.meta.First) {
			oc.meta.First = at
		}
		if at.After(oc.meta.Last) {
			oc.meta.Last = at
		}
		oc.meta.Count++
		oc.meta.Full = oc.meta.Count >= size
		oc.touched = now
		if len(touched) == 0 || touched[len(touched)-1] != oc {
			touched = append(touched, oc)
		}
	}
	for _, t := range touched {
		if err := ix.store.SaveInboxChunk(ctx, &t.meta, t.data); err != nil {
			// Start afresh next time: the stored chunk and this one's
			// bytes may disagree now.
			delete(ix.open, sid)
			return err
		}
	}
	return nil
}

func (ix *Indexer) session(ctx context.Context, id string) (sessionInfo, error) {
	if si, ok := ix.sessions[id]; ok {
		return si, nil
	}
	ls, err := ix.store.SessionByID(ctx, id)
	if err != nil {
		return sessionInfo{}, err
	}
	si := sessionInfo{org: ls.OrgID, neighbourhood: ls.NeighbourhoodID}
	if len(ix.sessions) > 10000 {
		clear(ix.sessions)
	}
	ix.sessions[id] = si
	return si, nil
}
