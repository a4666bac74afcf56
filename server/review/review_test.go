package review_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var admin = &model.Staff{ID: "a", PlatformAdmin: true}

// seed makes an organisation with a neighbourhood and n sessions and
// stores perSession contributions in each, through the Indexer as the
// group commit does. Contribution i of a session is given i seconds after
// start, every 3rd in Arabic, every 5th an open text, the rest faces.
func seed(t testing.TB, st *store.Store, org string, sessions, perSession int, start time.Time) []*model.Contribution {
	t.Helper()
	ctx := context.Background()
	if err := st.InsertOrganisation(ctx, &model.Organisation{ID: org, Name: org}); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertNeighbourhood(ctx, &model.Neighbourhood{ID: org + "-n", OrgID: org, Level: model.LevelBuurt, Name: "Buurt"}); err != nil {
		t.Fatal(err)
	}
	ix := review.NewIndexer(st, review.Location())
	ix.Chunk = 100 // many chunks from little data
	var all []*model.Contribution
	for s := range sessions {
		sid := fmt.Sprintf("%s-s%03d", org, s)
		if err := st.InsertSession(ctx, &model.Session{ID: sid, OrgID: org, NeighbourhoodID: org + "-n", Title: sid,
			State: model.StateClosed, CreatedAt: start}); err != nil {
			t.Fatal(err)
		}
		batch := make([]*model.Contribution, 0, 70)
		flush := func() {
			if _, err := st.InsertContributions(ctx, batch); err != nil {
				t.Fatal(err)
			}
			if err := ix.Add(ctx, batch); err != nil {
				t.Fatal(err)
			}
			all = append(all, batch...)
			batch = make([]*model.Contribution, 0, 70)
		}
		for i := range perSession {
			c := &model.Contribution{ID: fmt.Sprintf("%x%06x%012x", org[:3], s, i), SessionID: sid, OrgID: org,
				PromptID: "p", Kind: model.KindFaces, ParticipantID: "p" + strconv.Itoa(i%50), Lang: "nl",
				Moderation: model.ModApproved, CreatedAt: start.Add(time.Duration(s*perSession+i) * time.Second),
				Answer: model.Answer{Face: 1 + i%5}}
			if i%3 == 0 {
				c.Lang = "ar"
			}
			if i%5 == 0 {
				c.Kind, c.Answer = model.KindOpen, model.Answer{Text: "tekst " + strconv.Itoa(i)}
			}
			batch = append(batch, c)
			if len(batch) == cap(batch) {
				flush()
			}
		}
		if len(batch) > 0 {
			flush()
		}
	}
	return all
}

// TestInboxPagesAndFilters walks the whole inbox page by page across
// chunk boundaries, with and without filters, against the contributions
// written: every match exactly once, newest first.
func TestInboxPagesAndFilters(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)
	all := seed(t, st, "org", 2, 460, start)
	seed(t, st, "other", 1, 100, start) // another organisation's input never shows
	rv := review.New(st, nil, 1<<20)
	for name, c := range map[string]struct {
		q     map[string]string
		want  func(*model.Contribution) bool
		pages int // walk only this many pages (0: to the end)
	}{
		"all, first pages": {nil, func(*model.Contribution) bool { return true }, 3},
		"arabic open":      {map[string]string{"lang": "ar", "kind": "open"}, func(c *model.Contribution) bool { return c.Lang == "ar" && c.Kind == model.KindOpen }, 0},
		"one session open": {map[string]string{"session": "org-s001", "kind": "open"}, func(c *model.Contribution) bool { return c.SessionID == "org-s001" && c.Kind == model.KindOpen }, 0},
		"no feedback":      {map[string]string{"feedback": "none", "kind": "open", "lang": "ar"}, func(c *model.Contribution) bool { return c.Kind == model.KindOpen && c.Lang == "ar" }, 0},
		"another day":      {map[string]string{"from": "2026-03-02"}, func(c *model.Contribution) bool { return false }, 0},
		"time window": {map[string]string{"from": "2026-03-01", "to": "2026-03-01", "kind": "open", "lang": "ar"},
			func(c *model.Contribution) bool { return c.Kind == model.KindOpen && c.Lang == "ar" }, 0},
	} {
		t.Run(name, func(t *testing.T) {
			var want []string
			for _, x := range all {
				if c.want(x) {
					want = append(want, x.ID)
				}
			}
			sort.Slice(want, func(i, j int) bool { return want[i] > want[j] }) // ids increase with time here
			q := map[string]string{"limit": "50"}
			for k, v := range c.q {
				q[k] = v
			}
			var got []string
			for pages := 0; ; pages++ {
				if pages > 200 {
					t.Fatal("too many pages")
				}
				f, err := review.ParseFilter(func(k string) string { return q[k] }, review.Location())
				if err != nil {
					t.Fatal(err)
				}
				p, err := rv.Inbox(ctx, admin, "org", f)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range p.Items {
					got = append(got, it.Contribution.ID)
				}
				if p.Next == nil || c.pages > 0 && pages+1 == c.pages {
					break
				}
				q["before"] = p.Next.String()
			}
			if c.pages > 0 {
				want = want[:min(len(want), 50*c.pages)]
			}
			if len(got) != len(want) {
				t.Fatalf("got %d contributions, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("item %d: %s, want %s", i, got[i], want[i])
				}
			}
		})
	}
}

func TestFilterRefusesMalformedValues(t *testing.T) {
	for _, q := range []map[string]string{
		{"from": "2026-02-30"}, {"to": "gisteren"}, {"kind": "essay"}, {"moderation": "maybe"}, {"feedback": "soon"},
		{"theme": "weather"}, {"lang": "Nederlands!"}, {"before": "123"}, {"limit": "0"}, {"limit": "9999"},
		{"from": "2026-03-02", "to": "2026-03-01"}, {"session": "a b"},
	} {
		if _, err := review.ParseFilter(func(k string) string { return q[k] }, review.Location()); err == nil {
			t.Errorf("%v was accepted", q)
		}
	}
}

// TestTopicsAndResponses: grouping, the rules of a response, history, the
// topic id on the contribution, other organisations' input refused, and
// the feedback figures.
func TestTopicsAndResponses(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	start := time.Now().Add(-40 * 24 * time.Hour).UTC()
	all := seed(t, st, "org", 1, 20, start)
	other := seed(t, st, "oth", 1, 5, start)
	rv := review.New(st, nil, 0)
	reviewer := &model.Staff{ID: "r", Memberships: []model.Membership{{OrgID: "org", Role: model.RoleReviewer}}}
	mediator := &model.Staff{ID: "i", Memberships: []model.Membership{{OrgID: "org", Role: model.RoleIntermediary}}}
	in := review.TopicInput{Title: model.Text{"nl": "Bankjes"}, Theme: "housing", NeighbourhoodID: "org-n", Contributions: []string{all[0].ID, all[5].ID}}
	if _, err := rv.Group(ctx, mediator, "org", in); err == nil {
		t.Fatal("an intermediary grouped input")
	}
	foreign := in
	foreign.Contributions = []string{other[0].ID}
	if _, err := rv.Group(ctx, reviewer, "org", foreign); err == nil {
		t.Fatal("another organisation's input was grouped")
	}
	tp, err := rv.Group(ctx, reviewer, "org", in)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := st.ContributionOf(ctx, "org", all[0].ID); c.TopicID != tp.ID {
		t.Fatalf("the contribution does not name its topic: %q", c.TopicID)
	}
	if _, err := rv.Group(ctx, reviewer, "org", review.TopicInput{Title: model.Text{"nl": "Dubbel"}, Theme: "housing",
		NeighbourhoodID: "org-n", Contributions: []string{all[0].ID}}); err == nil {
		t.Fatal("input was put in two topics")
	}
	acc, err := rv.Accountability(ctx, reviewer, "org")
	if err != nil {
		t.Fatal(err)
	}
	// 4 open answers of 20 (i%5==0), one non-open grouped (all[5] is
	// open too: 0 and 5 are both open); the topic waits 40 days: overdue.
	if acc.Org.Answerable != 4 || acc.Org.Answered != 0 || acc.Org.Overdue != 1 {
		t.Fatalf("figures before a response: %+v", acc.Org)
	}
	for _, bad := range []review.ResponseInput{
		{Status: "done"},
		{Status: "done", Text: model.Text{"en": "Done"}},
		{Status: "planned", Text: model.Text{"nl": "Komt"}},
		{Status: "not_possible", Text: model.Text{"nl": "Kan niet"}},
		{Status: "maybe", Text: model.Text{"nl": "Misschien"}},
	} {
		if _, err := rv.Respond(ctx, reviewer, "org", tp.ID, bad); err == nil {
			t.Errorf("response %+v was accepted", bad)
		}
	}
	if _, err := rv.Respond(ctx, reviewer, "org", tp.ID, review.ResponseInput{Status: "looking", Text: model.Text{"nl": "We kijken."}}); err != nil {
		t.Fatal(err)
	}
	got, err := rv.Respond(ctx, reviewer, "org", tp.ID, review.ResponseInput{Status: "done", Text: model.Text{"nl": "Klaar."}, Version: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.History) != 3 || got.History[1].Response.Status != "looking" || got.Response.Status != "done" || got.FirstResponseAt == nil {
		t.Fatalf("history: %+v", got.History)
	}
	if _, err := rv.Respond(ctx, reviewer, "org", tp.ID, review.ResponseInput{Status: "done", Text: model.Text{"nl": "Oud."}, Version: 1}); err == nil {
		t.Fatal("a response based on an old version was accepted")
	}
	acc, _ = rv.Accountability(ctx, reviewer, "org")
	if share, ok := acc.Org.Share(); !ok || share != 50 || acc.Org.Overdue != 0 || !acc.Org.HasMedian || acc.Org.MedianDays < 39 {
		t.Fatalf("figures after a response: %+v", acc.Org)
	}
	// "My input": the response by contribution.
	cs := []model.Contribution{}
	for _, id := range []string{all[0].ID, all[1].ID} {
		c, _ := st.ContributionOf(ctx, "org", id)
		cs = append(cs, *c)
	}
	rs, err := rv.ResponsesFor(ctx, cs)
	if err != nil || len(rs) != 1 || rs[all[0].ID].Status != "done" {
		t.Fatalf("responses for my input: %+v %v", rs, err)
	}
	// Transcripts: intermediaries may, the original stays.
	if _, err := rv.Annotate(ctx, mediator, "org", all[0].ID, "", "uitgeschreven"); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.ContributionOf(ctx, "org", all[0].ID); c.Notes.Transcript.Text != "uitgeschreven" || c.Answer.Text != all[0].Answer.Text {
		t.Fatalf("note: %+v", c)
	}
}
