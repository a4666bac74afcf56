package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/app"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

// TestRepairAfterCrashAtStart: another process of the same store started,
// stored contributions and died before its commit hook ran. The start-up
// check of the next server notices the unfinished run and adds them to
// the reviewer's inbox and the report counters, once; a start after that
// finds nothing to check.
func TestRepairAfterCrashAtStart(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.liveSession("post")
	dead, err := store.Open(ctx, store.Options{URI: storetest.URI(t), Database: storetest.DatabaseName(t), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close(ctx)
	if err := dead.RunStarted(ctx); err != nil {
		t.Fatal(err)
	}
	var cs []*model.Contribution
	for i := range 12 {
		cs = append(cs, &model.Contribution{ID: fmt.Sprintf("%024x", 0xc0ffee00+i), SessionID: s.ID, OrgID: demo.OrgID,
			PromptID: s.Prompts[2].ID, Kind: model.KindOpen, ParticipantID: fmt.Sprintf("crash%d", i%4), Lang: "nl",
			Moderation: model.ModApproved, CreatedAt: time.Now().UTC(), Answer: model.Answer{Text: fmt.Sprintf("Verloren antwoord %d", i)}})
	}
	if _, err := dead.InsertContributions(ctx, cs); err != nil {
		t.Fatal(err)
	}
	rev := e.staffBrowser("reviewer")
	inbox := "/orgs/" + demo.OrgID + "/inbox?limit=100&session=" + s.ID
	if p := rev.get(inbox); strings.Contains(p.body, cs[0].ID) {
		t.Fatal("the inbox shows input its hook never indexed: the test proves nothing")
	}

	before := time.Now()
	u, err := e.srv.StartRun(ctx)
	if err != nil || u == nil || len(u.Runs) != 1 {
		t.Fatalf("start-up check: %+v %v", u, err)
	}
	// One of them already made it to its participant's list (the
	// recorder runs apart from the inbox hook).
	if err := dead.AddInputs(ctx, map[string][]string{"crash0": {cs[0].ID}}, map[string]int{}); err != nil {
		t.Fatal(err)
	}
	r, err := e.srv.RepairAfterCrash(ctx, u, before)
	if err != nil || r == nil || r.Indexed != 12 || r.Counted != 12 || r.Listed != 11 {
		t.Fatalf("start-up repair: %+v %v", r, err)
	}
	// Each resident's "my input" lists their answers, each once.
	for p := range 4 {
		in, err := e.store.ParticipantInputs(ctx, fmt.Sprintf("crash%d", p))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i, c := range cs {
			if i%4 == p {
				want = append(want, c.ID)
			}
		}
		slices.Sort(want)
		got := slices.Sorted(slices.Values(in.Contributions))
		if !slices.Equal(got, want) {
			t.Errorf("crash%d lists %v, want %v", p, got, want)
		}
	}
	p := rev.get(inbox)
	if p.status != http.StatusOK {
		t.Fatalf("inbox: %d", p.status)
	}
	for _, c := range cs {
		if strings.Count(p.body, `value="`+c.ID+`"`) != 1 {
			t.Errorf("after the repair the inbox does not list %s once", c.ID)
		}
	}
	if n := e.counted(s.ID); n != 12 {
		t.Errorf("the report counts %d contributions of the session, want 12", n)
	}
	// A second repair ("buurtstem repair", another process: another
	// connection to the store) finds nothing to do.
	if again, err := app.Repair(ctx, review.NewIndexer(dead, review.Location()), dead, time.Time{}, before); err != nil ||
		again.Contributions < 12 || again.Indexed != 0 || again.Counted != 0 || again.Listed != 0 {
		t.Fatalf("second repair: %+v %v", again, err)
	}
	// The dead run is forgotten: the next start does not check again.
	if u, err := e.srv.StartRun(ctx); err != nil || u != nil {
		t.Fatalf("second start: %+v %v", u, err)
	}
}

// counted is how many contributions of a session the report counters of
// the demo organisation hold.
func (e *env) counted(sessionID string) int {
	e.t.Helper()
	days, err := e.store.ReportDays(context.Background(), demo.OrgID)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, d := range days {
		if d.SessionID == sessionID {
			n += d.Contributions
		}
	}
	return n
}
