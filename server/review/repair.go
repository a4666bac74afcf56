package review

import (
	"context"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// Repaired says what Indexer.Repair found and wrote.
type Repaired struct {
	// Contributions is how many contributions of the range it checked.
	Contributions int
	// Indexed is how many were missing from the inbox index and added.
	Indexed int
	// Counted is how many were missing from the report counters and
	// added.
	Counted int
}

// Repair writes what the commit hook would have written for contributions
// stored in [since, before) but never indexed or counted: the live group
// commit stores a batch first and runs the hook after it, so a process
// that dies in between leaves those contributions out of the inbox and the
// reports. Repair is idempotent: a second run finds nothing to do.
//
// since is moved back to the start of its day, so that whole days of
// counters are compared; the zero time checks everything. The start-up
// check passes when the crashed process started (nothing older can be
// missing) and the moment this process started as before; "buurtstem
// repair" checks everything.
//
// also, when not nil, is given every contribution of the range, so that
// other data kept behind the commit hook (residents' "my input" lists,
// resident.InputRepair) is checked in the same scan.
//
// It reads the id, organisation, session and time of every contribution
// (a scan of the collection on the embedded engine), without holding up
// the commit hook: only its writes take the Indexer's lock. It may run
// while this process serves, provided before is no later than this
// process's first stored contribution: the counters this process writes
// itself are left out of the comparison, except what its own earlier
// repairs added.
//
// The inbox is repaired entry by entry: a contribution whose id no chunk
// holds gets an entry. The counters hold numbers, not ids, so they are
// repaired per session and day: when they count fewer contributions than
// the session has that day, the newest of that day are the ones counted
// now, because the hook counts batches in the order they were stored and
// a crash loses the last ones.
func (ix *Indexer) Repair(ctx context.Context, since, before time.Time, also func(store.Stamp)) (Repaired, error) {
	var r Repaired
	if !since.IsZero() {
		y, m, d := since.In(ix.loc).Date()
		since = time.Date(y, m, d, 0, 0, 0, 0, ix.loc)
	}
	byOrg := map[string]*orgStamps{}
	err := ix.store.ContributionStamps(ctx, before, func(st store.Stamp) error {
		if st.At.Before(since) {
			return nil
		}
		if also != nil {
			also(st)
		}
		o := byOrg[st.OrgID]
		if o == nil {
			o = &orgStamps{perDay: map[string][]stamp{}}
			byOrg[st.OrgID] = o
		}
		key := st.SessionID + "|" + st.At.In(ix.loc).Format(time.DateOnly)
		o.perDay[key] = append(o.perDay[key], stamp{id: st.ID, at: st.At})
		r.Contributions++
		return nil
	})
	if err != nil {
		return r, err
	}
	orgs := make([]string, 0, len(byOrg))
	for o := range byOrg {
		orgs = append(orgs, o)
	}
	sort.Strings(orgs)
	for _, o := range orgs {
		if err := ix.repairOrg(ctx, o, byOrg[o], &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// orgStamps are an organisation's contributions in the range, by session
// and day ("session|2006-01-02").
type orgStamps struct {
	perDay map[string][]stamp
}

// stamp is what Repair keeps of a contribution: a million fit in about
// 70 MB.
type stamp struct {
	id string
	at time.Time
}

func (ix *Indexer) repairOrg(ctx context.Context, orgID string, os *orgStamps, r *Repaired) error {
	indexed, err := ix.indexedIDs(ctx, orgID)
	if err != nil {
		return err
	}
	days, err := ix.store.ReportDays(ctx, orgID)
	if err != nil {
		return err
	}
	own := ":" + ix.store.Writer()
	counted := map[string]int{} // session|day → contributions counted by other writers, and by earlier repairs here
	for _, d := range days {
		if !strings.HasSuffix(d.ID, own) {
			counted[d.SessionID+"|"+d.Day] += d.Contributions
		}
	}
	ix.mu.Lock()
	for key, n := range ix.repairedCounts {
		counted[key] += n
	}
	ix.mu.Unlock()
	var missingIDs, uncountedIDs []string
	for key, ss := range os.perDay {
		for _, s := range ss {
			var b [12]byte
			if len(s.id) != 24 {
				continue // not the live hub's: never indexed
			}
			if _, err := hex.Decode(b[:], []byte(s.id)); err != nil {
				continue
			}
			if _, ok := indexed[b]; !ok {
				missingIDs = append(missingIDs, s.id)
			}
		}
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
			uncountedIDs = append(uncountedIDs, s.id)
		}
	}
	missing, err := ix.store.ContributionsByID(ctx, missingIDs)
	if err != nil {
		return err
	}
	uncounted, err := ix.store.ContributionsByID(ctx, uncountedIDs)
	if err != nil {
		return err
	}

	// Only the writes hold up the commit hook.
	ix.mu.Lock()
	defer ix.mu.Unlock()

	// The inbox: add the missing entries, oldest first, per session.
	sort.SliceStable(missing, func(i, j int) bool { return missing[i].CreatedAt.Before(missing[j].CreatedAt) })
	bySession := map[string][]*model.Contribution{}
	var order []string
	for i := range missing {
		c := &missing[i]
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

	// The counters: the newest of each short day.
	if len(uncounted) == 0 {
		return nil
	}
	deltas := map[string]*model.ReportDay{}
	var dayOrder []string
	for i := range uncounted {
		c := &uncounted[i]
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
	if ix.repairedCounts == nil {
		ix.repairedCounts = map[string]int{}
	}
	for _, d := range deltas {
		ix.repairedCounts[d.SessionID+"|"+d.Day] += d.Contributions
	}
	out := make([]*model.ReportDay, 0, len(dayOrder))
	for _, id := range dayOrder {
		out = append(out, deltas[id])
	}
	if err := ix.store.AddReportDays(ctx, out); err != nil {
		return err
	}
	r.Counted += len(uncounted)
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
				if n, err := strconv.Atoi(c.ID[i+1:]); err == nil {
					ix.mu.Lock()
					ix.next = max(ix.next, n+1)
					ix.mu.Unlock()
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
