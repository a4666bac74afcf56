package report_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/report"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/resident"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// BenchmarkReview measures issue #7's targets on the embedded store: an
// organisation with BUURTSTEM_BENCH_CONTRIBUTIONS contributions (default
// 1,000,000) across 200 sessions, written through the Indexer in batches
// as the group commit does. It prints the seed rate, inbox pages with
// filters (p50, p95), the report, the export rate and the crash repair's
// full check. Run it alone:
//
//	go test ./server/report -run '^$' -bench BenchmarkReview -benchtime 1x -timeout 60m
func BenchmarkReview(b *testing.B) {
	total := 1_000_000
	if v := os.Getenv("BUURTSTEM_BENCH_CONTRIBUTIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 200 {
			b.Fatalf("BUURTSTEM_BENCH_CONTRIBUTIONS=%q", v)
		}
		total = n
	}
	const sessions = 200
	st := storetest.New(b)
	dbName := storetest.DatabaseName(b) // sub-benchmarks have other names
	ctx := context.Background()
	org := "bench"
	if err := st.InsertOrganisation(ctx, &model.Organisation{ID: org, Name: "Benchmarkstad"}); err != nil {
		b.Fatal(err)
	}
	hoods := []string{"bench-n0", "bench-n1", "bench-n2", "bench-n3"}
	for _, h := range hoods {
		if err := st.InsertNeighbourhood(ctx, &model.Neighbourhood{ID: h, OrgID: org, Level: model.LevelBuurt, Name: h}); err != nil {
			b.Fatal(err)
		}
	}
	ix := review.NewIndexer(st, review.Location())
	start := time.Date(2025, 1, 6, 18, 0, 0, 0, time.UTC)
	per := total / sessions
	langs := []string{"nl", "nl", "nl", "ar", "tr", "pl", "uk", "en"}
	t0 := time.Now()
	var someID string
	// Residents' "my input" lists, written per batch as the live recorder
	// does (resident.InputRecorder): participant → ids.
	next := map[string]int{}
	var participants []string
	for s := range sessions {
		sid := fmt.Sprintf("bench-s%03d", s)
		day := start.Add(time.Duration(s) * 36 * time.Hour)
		if err := st.InsertSession(ctx, &model.Session{ID: sid, OrgID: org, NeighbourhoodID: hoods[s%len(hoods)], Title: "Avond " + strconv.Itoa(s),
			State: model.StateClosed, CreatedAt: day, Languages: []string{"nl"},
			Prompts: []model.Prompt{{ID: "p", Kind: model.KindFaces, Text: model.Text{"nl": "Hoe vindt u het plein?"}}}}); err != nil {
			b.Fatal(err)
		}
		batch := make([]*model.Contribution, 0, 5000)
		for i := range per {
			c := &model.Contribution{ID: fmt.Sprintf("%012x%012x", s, i), SessionID: sid, OrgID: org, PromptID: "p",
				Kind: model.KindFaces, ParticipantID: fmt.Sprintf("%s-p%d", sid, i%400), Lang: langs[i%len(langs)],
				Moderation: model.ModApproved, CreatedAt: day.Add(time.Duration(i) * 500 * time.Millisecond), Answer: model.Answer{Face: 1 + i%5}}
			switch i % 10 {
			case 0, 1:
				c.Kind, c.Answer = model.KindOpen, model.Answer{Text: "Meer licht in de straat, nummer " + strconv.Itoa(i)}
				if i%20 == 0 {
					c.Moderation = model.ModPending
				}
			case 2:
				c.Kind, c.Answer = model.KindThemes, model.Answer{Options: []string{[]string{"welfare", "safety", "housing", "work"}[i%4]}}
			}
			batch = append(batch, c)
			if len(batch) == cap(batch) || i == per-1 {
				if _, err := st.InsertContributions(ctx, batch); err != nil {
					b.Fatal(err)
				}
				if err := ix.Add(ctx, batch); err != nil {
					b.Fatal(err)
				}
				lists := map[string][]string{}
				for _, c := range batch {
					lists[c.ParticipantID] = append(lists[c.ParticipantID], c.ID)
				}
				if err := st.AddInputs(ctx, lists, next); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		someID = fmt.Sprintf("%012x%012x", s, 0)
		participants = append(participants, fmt.Sprintf("%s-p%d", sid, s%min(400, per)))
	}
	seed := time.Since(t0)
	b.Logf("seeded %d contributions in %d sessions in %s (%.0f/s, insert and index)", per*sessions, sessions, seed.Round(time.Millisecond),
		float64(per*sessions)/seed.Seconds())
	rv := review.New(st, nil, 0)
	admin := &model.Staff{ID: "a", PlatformAdmin: true}
	// A few topics with responses, so feedback filters have work.
	for s := 0; s < 20; s++ {
		id := fmt.Sprintf("%012x%012x", s, 10)
		tp, err := rv.Group(ctx, admin, org, review.TopicInput{Title: model.Text{"nl": "Onderwerp " + strconv.Itoa(s)}, Theme: "safety",
			NeighbourhoodID: hoods[s%len(hoods)], Contributions: []string{id}})
		if err != nil {
			b.Fatal(err)
		}
		if s%2 == 0 {
			if _, err := rv.Respond(ctx, admin, org, tp.ID, review.ResponseInput{Status: "done", Text: model.Text{"nl": "Gedaan."}}); err != nil {
				b.Fatal(err)
			}
		}
	}
	_ = someID

	filters := []map[string]string{
		{},
		{"lang": "pl"},
		{"kind": "open", "moderation": "pending"},
		{"neighbourhood": "bench-n2", "kind": "open"},
		{"session": "bench-s150"},
		{"from": "2025-04-01", "to": "2025-04-30", "lang": "ar"},
		{"feedback": "done"},
		{"theme": "safety"},
	}
	b.Run("inbox", func(b *testing.B) {
		for round := range 2 { // the first round reads chunks from the store, the second from the cache
			var ds []time.Duration
			for range 5 {
				for _, q := range filters {
					f, err := review.ParseFilter(func(k string) string { return q[k] }, review.Location())
					if err != nil {
						b.Fatal(err)
					}
					t := time.Now()
					p, err := rv.Inbox(ctx, admin, org, f)
					if err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(t))
					_ = p
				}
			}
			slices.Sort(ds)
			b.Logf("inbox page (50, %d filter mixes x5), %s: p50 %s, p95 %s, max %s", len(filters),
				map[int]string{0: "cold cache", 1: "warm cache"}[round],
				ds[len(ds)/2].Round(time.Millisecond), ds[len(ds)*95/100].Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
			if round == 1 {
				b.ReportMetric(float64(ds[len(ds)*95/100].Milliseconds()), "p95-ms")
			}
		}
	})
	b.Run("mine", func(b *testing.B) { benchMine(b, st, rv, participants) })
	b.Run("report", func(b *testing.B) {
		rs := report.New(st, rv)
		for _, p := range []report.Params{{}, {NeighbourhoodID: "bench-n1"}, {Theme: "safety"}} {
			t := time.Now()
			r, err := rs.Build(ctx, admin, org, p)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("report %+v: %s (%d contributions, participants %d)", p, time.Since(t).Round(time.Millisecond), r.Contributions, r.Participants.Count)
		}
	})
	b.Run("export", func(b *testing.B) {
		w := bufio.NewWriterSize(io.Discard, 64<<10)
		t := time.Now()
		n, err := report.ContributionsCSV(w, func(fn func(*review.ExportRow) error) error {
			return rv.Export(ctx, admin, org, review.Filter{}, fn)
		})
		if err != nil {
			b.Fatal(err)
		}
		d := time.Since(t)
		b.Logf("CSV export: %d rows in %s (%.0f rows/s)", n, d.Round(time.Millisecond), float64(n)/d.Seconds())
		b.ReportMetric(float64(n)/d.Seconds(), "rows/s")
	})
	b.Run("repair", func(b *testing.B) {
		// The check after a crash reads every contribution; here nothing
		// is missing, so this is its whole cost. It runs in another
		// process than the one that wrote: its own store handle.
		other, err := store.Open(ctx, store.Options{URI: storetest.URI(b), Database: dbName, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		defer other.Close(ctx)
		t := time.Now()
		r, err := review.NewIndexer(other, review.Location()).Repair(ctx, time.Time{}, time.Now(), nil)
		if err != nil {
			b.Fatal(err)
		}
		d := time.Since(t)
		if r.Indexed != 0 || r.Counted != 0 {
			b.Fatalf("repair of a complete index: %+v", r)
		}
		b.Logf("crash repair check, everything (buurtstem repair): %d contributions in %s (%.0f/s)", r.Contributions, d.Round(time.Millisecond), float64(r.Contributions)/d.Seconds())
		// At start-up only what is younger than the crashed run's start:
		// here the last session's day.
		last := start.Add(time.Duration(sessions-1) * 36 * time.Hour)
		t = time.Now()
		if r, err = review.NewIndexer(other, review.Location()).Repair(ctx, last, time.Now(), nil); err != nil {
			b.Fatal(err)
		}
		b.Logf("crash repair check from the last session's day (start-up): %d contributions in %s", r.Contributions, time.Since(t).Round(time.Millisecond))
	})
	_ = store.NewID
}

// benchMine times "my input" (GET /mine) as a resident's phone asks for it:
// the resident handlers render the whole page (the participant's list,
// each contribution and session by _id, the municipality's responses)
// through Fiber, in the request's language. Only the participant cookie is
// stood in for: participantHeader says who asks.
func benchMine(b *testing.B, st *store.Store, rv *review.Service, participants []string) {
	catalog, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	h, err := resident.NewHandlers(resident.Config{Store: st, Join: participantHeader{}, Catalog: catalog,
		Logger: slog.New(slog.DiscardHandler), RetentionMonths: func(*model.Organisation) int { return 12 }})
	if err != nil {
		b.Fatal(err)
	}
	h.SetResponses(rv)
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		request.SetLocalizer(c, catalog.Localizer("nl"))
		return c.Next()
	})
	app.Get("/mine", h.Mine)
	var ds []time.Duration
	items := 0
	for round := range 2 { // the first round reads from the store's disk, the second from its cache
		for _, p := range participants {
			req := httptest.NewRequest("GET", "/mine", nil)
			req.Header.Set("X-Participant", p)
			t := time.Now()
			resp, err := app.Test(req, -1)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			d := time.Since(t)
			if resp.StatusCode != 200 {
				b.Fatalf("GET /mine: %d %s", resp.StatusCode, body)
			}
			if round == 1 {
				ds = append(ds, d)
				items += strings.Count(string(body), `class="input" data-contribution=`)
			}
		}
	}
	slices.Sort(ds)
	b.Logf(`"my input" page (%d participants, %.1f answers each shown): p50 %s, p95 %s, max %s`, len(ds), float64(items)/float64(len(ds)),
		ds[len(ds)/2].Round(100*time.Microsecond), ds[len(ds)*95/100].Round(100*time.Microsecond), ds[len(ds)-1].Round(100*time.Microsecond))
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
}

// participantHeader is the resident pages' Joiner for the benchmark: the
// participant comes from a header instead of the live handler's cookie.
type participantHeader struct{}

func (participantHeader) JoinCode(*fiber.Ctx, string) (*model.Session, error) {
	return nil, apperr.ErrNotFound
}
func (participantHeader) Participant(c *fiber.Ctx) (string, error) {
	return strings.Clone(c.Get("X-Participant")), nil
}
