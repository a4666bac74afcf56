package review

import (
	"context"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
)

// Repaired says what Indexer.Repair found and wrote.
type Repaired struct {
	// Contributions is how many contributions it read.
	Contributions int
	// Indexed is how many were missing from the inbox index and added.
	Indexed int
	// Counted is how many were missing from the report counters and
	// added.
	Counted int
}

// Repair writes what the commit hook would have written for contributions
// stored before a moment but never indexed or counted: the live group
// commit stores a batch first and runs the hook after it, so a process
// that dies in between leaves those contributions out of the inbox and the
// reports. Repair is idempotent: a second run finds nothing to do.
//
// Call it when nothing else adds contributions from this process (at
// start-up, before serving, or from "buurtstem repair" with the server
// stopped): it reads every contribution of every organisation (about
// 15 s a million on the embedded engine).
//
// The inbox is repaired entry by entry: a contribution whose id no chunk
// holds gets an entry. The counters hold numbers, not ids, so they are
// repaired per session and day: when they count fewer contributions than
// the session has that day, the newest of that day are the ones counted
// now, because the hook counts batches in the order they were stored and
// a crash loses the last ones.
func (ix *Indexer) Repair(ctx context.Context, before time.Time) (Repaired, error) {
	var r Repaired
	orgs, err := ix.store.Organisations(ctx)
	if err != nil {
		return r, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, o := range orgs {
		if err := ix.repairOrg(ctx, o.ID, before, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// stamp is what Repair keeps of every contribution: a million fit in
// about 50 MB.
type stamp struct {
	id string
	at time.Time
}

func (ix *Indexer) repairOrg(ctx context.Context, orgID string, before time.Time, r *Repaired) error {
	indexed, err := ix.indexedIDs(ctx, orgID)
	if err != nil {
		return err
	}
	days, err := ix.store.ReportDays(ctx, orgID)
	if err != nil {
		return err
	}
	counted := map[string]int{} // session|day → contributions counted, every writer
	for _, d := range days {
		counted[d.SessionID+"|"+d.Day] += d.Contributions
	}
	perDay := map[string][]stamp{}
	var missing []*model.Contribution
	err = ix.store.EachContributionOf(ctx, orgID, before, func(c *model.Contribution) error {
		r.Contributions++
		key := c.SessionID + "|" + c.CreatedAt.In(ix.loc).Format(time.DateOnly)
		perDay[key] = append(perDay[key], stamp{id: c.ID, at: c.CreatedAt})
		var id [12]byte
		if len(c.ID) != 24 {
			return nil // not the live hub's: never indexed
		}
		if _, err := hex.Decode(id[:], []byte(c.ID)); err != nil {
			return nil
		}
		if _, ok := indexed[id]; !ok {
			missing = append(missing, c)
		}
		return nil
	})
	if err != nil {
		return err
	}

	// The inbox: add the missing entries, oldest first, per session.
	sort.SliceStable(missing, func(i, j int) bool { return missing[i].CreatedAt.Before(missing[j].CreatedAt) })
	bySession := map[string][]*model.Contribution{}
	var order []string
	for _, c := range missing {
		if _, ok := bySession[c.SessionID]; !ok {
			order = append(order, c.SessionID)
		}
		bySession[c.SessionID] = append(bySession[c.SessionID], c)
	}
	now := time.Now()
	for _, sid := range order {
		info, err := ix.session(ctx, sid)
		if err != nil {
			return err
		}
		if err := ix.addEntries(ctx, sid, info, bySession[sid], now); err != nil {
			return err
		}
		r.Indexed += len(bySession[sid])
	}

	// The counters: per session and day, count the newest that are not.
	var ids []string
	for key, ss := range perDay {
		short := len(ss) - counted[key]
		if short <= 0 {
			continue
		}
		sort.Slice(ss, func(i, j int) bool {
			if !ss[i].at.Equal(ss[j].at) {
				return ss[i].at.Before(ss[j].at)
			}
			return ss[i].id < ss[j].id
		})
		for _, s := range ss[len(ss)-short:] {
			ids = append(ids, s.id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	cs, err := ix.store.ContributionsByID(ctx, ids)
	if err != nil {
		return err
	}
	deltas := map[string]*model.ReportDay{}
	var dayOrder []string
	for i := range cs {
		c := &cs[i]
		info, err := ix.session(ctx, c.SessionID)
		if err != nil {
			return err
		}
		day := c.CreatedAt.In(ix.loc).Format(time.DateOnly)
		id := ix.store.ReportDayID(c.SessionID, day)
		d, ok := deltas[id]
		if !ok {
			d = &model.ReportDay{ID: id, OrgID: info.org, SessionID: c.SessionID, NeighbourhoodID: info.neighbourhood, Day: day,
				Kinds: map[string]int{}, Themes: map[string]int{}, Faces: map[string]int{}, Langs: map[string]int{},
				Participants: map[string]string{}}
			deltas[id] = d
			dayOrder = append(dayOrder, id)
		}
		count(d, c)
	}
	out := make([]*model.ReportDay, 0, len(dayOrder))
	for _, id := range dayOrder {
		out = append(out, deltas[id])
	}
	if err := ix.store.AddReportDays(ctx, out); err != nil {
		return err
	}
	r.Counted += len(cs)
	return nil
}

// indexedIDs returns the ids of every contribution an organisation's inbox
// chunks hold (the first Count entries of each: a chunk's data is written
// before its description, and readers see no more).
func (ix *Indexer) indexedIDs(ctx context.Context, orgID string) (map[[12]byte]struct{}, error) {
	chunks, err := ix.store.InboxChunks(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := map[[12]byte]struct{}{}
	for _, c := range chunks {
		// New chunks must not reuse a number this writer id has used
		// (another Indexer on the same store handle, as in tests).
		if c.Writer == ix.store.Writer() {
			if i := strings.LastIndexByte(c.ID, ':'); i >= 0 {
				if n, err := strconv.Atoi(c.ID[i+1:]); err == nil && n >= ix.next {
					ix.next = n + 1
				}
			}
		}
		data, err := ix.store.InboxChunkData(ctx, c.ID)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n := c.Count * entrySize; len(data) > n {
			data = data[:n]
		}
		for off := 0; off+entrySize <= len(data); off += entrySize {
			var id [12]byte
			copy(id[:], data[off:off+12])
			out[id] = struct{}{}
		}
	}
	return out, nil
}
