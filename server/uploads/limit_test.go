package uploads

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/buurtstem/buurtstem/server/apperr"
)

// TestLimiterSweepKeepsSpentBudgets: when the table is full, the budgets
// that have refilled are forgotten (a full budget is the same as none)
// and a device that spent its budget stays refused.
func TestLimiterSweepKeepsSpentBudgets(t *testing.T) {
	l := newLimiter(Budget{Burst: 2, Every: time.Minute})
	now := time.Unix(1_000_000, 0)
	for range 2 {
		if err := l.allow("spent", now); err != nil {
			t.Fatal(err)
		}
	}
	// Fill the table with devices that uploaded an hour ago: refilled since.
	for i := range maxTracked - 1 {
		lim := rate.NewLimiter(rate.Every(l.budget.Every), l.budget.Burst)
		lim.AllowN(now.Add(-time.Hour), 1)
		l.left[fmt.Sprint("old", i)] = lim
	}
	if err := l.allow("new", now); err != nil {
		t.Fatal(err)
	}
	if len(l.left) != 2 {
		t.Fatalf("%d budgets kept after the sweep, want the spent one and the new one", len(l.left))
	}
	if err := l.allow("spent", now); !errors.Is(err, apperr.ErrTooMany) {
		t.Fatalf("the spent budget was forgotten: %v", err)
	}
}
