package review_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

// TestReportDayParticipants: a participant who answers in many batches,
// and a second indexer of the same process after a restart, still make one
// participant of the day each; counts add up over all batches.
func TestReportDayParticipants(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, review.Location())
	all := seed(t, st, "orgp", 2, 300, start) // 50 participants a session, 70 answers a batch
	// Index the same answers again with a fresh indexer: counters double,
	// participants do not.
	if err := review.NewIndexer(st, review.Location()).Add(ctx, all); err != nil {
		t.Fatal(err)
	}
	days, err := st.ReportDays(ctx, "orgp")
	if err != nil {
		t.Fatal(err)
	}
	perSession := map[string]int{}
	n := 0
	for _, d := range days {
		n += d.Contributions
		for p := range d.Participants {
			perSession[d.SessionID]++
			if p == "" {
				t.Fatalf("empty participant in %s", d.ID)
			}
		}
	}
	if n != 2*len(all) {
		t.Fatalf("counted %d contributions, want %d", n, 2*len(all))
	}
	for s := range 2 {
		sid := fmt.Sprintf("orgp-s%03d", s)
		if perSession[sid] != 50 {
			t.Fatalf("session %s: %d participants, want 50 (%v)", sid, perSession[sid], perSession)
		}
	}
}
