package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/server/demo"
)

// TestDemoFeedback: the demo's answered input, as a newcomer finds it
// after "go run ./server/cmd/buurtstem -demo": the board shows responses
// in every state, the printed receipt shows the demo resident's input
// with the responses, the reviewer sees the topics and the input in the
// inbox; seeding again adds nothing.
func TestDemoFeedback(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	code, err := demo.SeedFeedback(ctx, e.store, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	again, err := demo.SeedFeedback(ctx, e.store, io.Discard)
	if err != nil || again != code {
		t.Fatalf("seeding again: %q %v, want the same code %q", again, err, code)
	}
	if ts, err := e.store.Topics(ctx, demo.OrgID); err != nil || len(ts) != 5 {
		t.Fatalf("topics after two seeds: %d %v", len(ts), err)
	}

	board := e.browser().get("/buurt/" + demo.BuurtAID)
	for _, st := range []string{"planned", "done", "looking", "not_possible", "received"} {
		if !strings.Contains(board.body, "/static/pictograms/status-"+st+".svg") {
			t.Errorf("the board lacks a %s response", st)
		}
	}
	contains(t, board, "Er staan nu vier nieuwe bankjes op het plein.", "De straat is van de provincie.")

	r := e.browser().get("/r/" + code)
	if r.status != http.StatusOK || strings.Count(r.body, `class="input"`) != 3 || strings.Count(r.body, `data-response=`) != 3 {
		t.Fatalf("the demo receipt: %d, %d inputs, %d responses", r.status, strings.Count(r.body, `class="input"`), strings.Count(r.body, `data-response=`))
	}
	contains(t, r, `data-response="planned"`, `data-response="done"`, `data-response="received"`, "Bij de speeltuin is het")

	rev := e.staffBrowser("reviewer")
	contains(t, rev.get("/orgs/"+demo.OrgID+"/topics"), "Meer licht bij de speeltuin", "Moestuin bij het buurthuis")
	contains(t, rev.get("/orgs/"+demo.OrgID+"/inbox?session="+demo.PastSessionID), "Veel hondenpoep op de stoep bij de school.")
}
