package review_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

// process opens another handle on the test's database, as another server
// process would: with its own writer id.
func process(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{URI: storetest.URI(t), Database: storetest.DatabaseName(t), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	return s
}

// inboxIDs walks an organisation's whole inbox for one session.
func inboxIDs(t *testing.T, st *store.Store, org, session string) map[string]int {
	t.Helper()
	rv := review.New(st, nil, 0)
	q := map[string]string{"limit": "200", "session": session}
	got := map[string]int{}
	for pages := 0; pages < 100; pages++ {
		f, err := review.ParseFilter(func(k string) string { return q[k] }, review.Location())
		if err != nil {
			t.Fatal(err)
		}
		p, err := rv.Inbox(context.Background(), admin, org, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			got[it.Contribution.ID]++
		}
		if p.Next == nil {
			return got
		}
		q["before"] = p.Next.String()
	}
	t.Fatal("too many pages")
	return nil
}

// reportTotals sums an organisation's report counters of a session.
func reportTotals(t *testing.T, st *store.Store, org, session string) (n int, kinds map[string]int, people int) {
	t.Helper()
	days, err := st.ReportDays(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	kinds = map[string]int{}
	ps := map[string]bool{}
	for _, d := range days {
		if d.SessionID != session {
			continue
		}
		n += d.Contributions
		for k, v := range d.Kinds {
			kinds[k] += v
		}
		for p := range d.Participants {
			ps[p] = true
		}
	}
	return n, kinds, len(ps)
}

// TestRepairAfterCrash: contributions stored without the commit hook (a
// crash before it ran) and ones indexed but not counted (a crash between
// its two writes) are added to the inbox and the report counters by
// Repair, each exactly once; a second Repair finds nothing to do, and the
// ones the hook handled are left alone.
func TestRepairAfterCrash(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)
	all := seed(t, st, "org", 2, 150, start) // through the hook
	seed(t, st, "other", 1, 40, start)

	mk := func(i int, day time.Time, kind model.PromptKind) *model.Contribution {
		c := &model.Contribution{ID: fmt.Sprintf("0a9%06x%015x", 1, i), SessionID: "org-s001", OrgID: "org", PromptID: "p",
			Kind: kind, ParticipantID: fmt.Sprintf("late%d", i%7), Lang: "tr", Moderation: model.ModApproved,
			CreatedAt: day.Add(time.Duration(i) * time.Second)}
		if kind == model.KindFaces {
			c.Answer.Face = 3
		} else {
			c.Answer.Text = "laat"
		}
		return c
	}
	// Crash 1, the next day: 30 stored, the hook never ran.
	var lost []*model.Contribution
	for i := range 30 {
		lost = append(lost, mk(i, start.Add(24*time.Hour), model.KindOpen))
	}
	// Crash 2, the day after: 20 stored and indexed, never counted.
	var uncounted []*model.Contribution
	for i := range 20 {
		uncounted = append(uncounted, mk(100+i, start.Add(48*time.Hour), model.KindFaces))
	}
	for _, b := range [][]*model.Contribution{lost, uncounted} {
		if _, err := st.InsertContributions(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := review.NewIndexer(st, review.Location()).IndexOnlyForTest(ctx, uncounted); err != nil {
		t.Fatal(err)
	}
	before := inboxIDs(t, st, "org", "org-s001")
	if len(before) != 150+20 {
		t.Fatalf("before the repair the inbox holds %d, want 170", len(before))
	}
	n0, _, _ := reportTotals(t, st, "org", "org-s001")
	if n0 != 150 {
		t.Fatalf("before the repair the counters hold %d, want 150", n0)
	}

	// A new process (its own store handle, so its own writer id) repairs.
	// Limited to what is younger than a crashed run's start, it reads
	// nothing older.
	ix := review.NewIndexer(process(t), review.Location())
	if r, err := ix.Repair(ctx, start.Add(72*time.Hour), time.Now(), nil); err != nil || r.Contributions != 0 || r.Indexed != 0 || r.Counted != 0 {
		t.Fatalf("repair of a later range: %+v %v", r, err)
	}
	if r, err := ix.Repair(ctx, start.Add(48*time.Hour+time.Hour), time.Now(), nil); err != nil || r.Contributions != 20 || r.Indexed != 0 || r.Counted != 20 {
		t.Fatalf("repair from the second crash's day (moved back to its start): %+v %v", r, err)
	}
	r, err := ix.Repair(ctx, time.Time{}, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Contributions != len(all)+40+50 || r.Indexed != 30 || r.Counted != 30 {
		t.Fatalf("repair: %+v", r)
	}
	got := inboxIDs(t, st, "org", "org-s001")
	if len(got) != 200 {
		t.Fatalf("after the repair the inbox holds %d, want 200", len(got))
	}
	for _, c := range append(lost, uncounted...) {
		if got[c.ID] != 1 {
			t.Errorf("%s is in the inbox %d times", c.ID, got[c.ID])
		}
	}
	n, kinds, people := reportTotals(t, st, "org", "org-s001")
	_, kinds0, people0 := reportTotals(t, st, "other", "other-s000")
	if n != 200 || kinds["open"] != 30+30 || kinds["faces"] != 120+20 || people != 50+7 || people0 != 40 || kinds0["open"] != 8 {
		t.Fatalf("after the repair: %d counted, kinds %v, %d people (other org: %v, %d)", n, kinds, people, kinds0, people0)
	}

	// Idempotent, in the same process and in yet another one.
	for _, again := range []*review.Indexer{ix, review.NewIndexer(process(t), review.Location())} {
		r, err := again.Repair(ctx, time.Time{}, time.Now(), nil)
		if err != nil || r.Indexed != 0 || r.Counted != 0 {
			t.Fatalf("a second repair: %+v %v", r, err)
		}
	}
	if n, _, _ := reportTotals(t, st, "org", "org-s001"); n != 200 || len(inboxIDs(t, st, "org", "org-s001")) != 200 {
		t.Fatalf("a second repair changed the figures: %d counted", n)
	}
}
