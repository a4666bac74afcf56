package app

import (
	"context"
	"time"

	"github.com/buurtstem/buurtstem/server/resident"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store"
)

// Unfinished are earlier processes of this store that started and never
// recorded a clean stop: their commit hook may have missed the last
// contributions they stored.
type Unfinished struct {
	Runs []string
	// Since is when the earliest of them started.
	Since time.Time
}

// StartRun records that this process serves from now on and returns the
// earlier runs that did not stop cleanly, or nil. Run calls it before
// listening, and RepairAfterCrash in the background after.
func (s *Server) StartRun(ctx context.Context) (*Unfinished, error) {
	runs, since, err := s.store.UnfinishedRuns(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.store.RunStarted(ctx); err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, s.store.ForgetRuns(ctx, nil) // the clean stops
	}
	return &Unfinished{Runs: runs, Since: since}, nil
}

// RepairAfterCrash adds contributions that unfinished runs stored but
// never indexed or counted to the review inbox and the report counters
// (review.Indexer.Repair) and to their residents' "my input" lists
// (resident.InputRepair), then forgets those runs. before is when this
// process started: nothing it stores itself is touched, so it can run
// while the server serves (it reads every contribution: minutes at a
// million on the embedded store). If it fails or is cut short, the runs
// are not forgotten and the next start repairs again. With several
// instances on one store a running one looks unfinished too; the repair
// is then a harmless, idempotent check.
func (s *Server) RepairAfterCrash(ctx context.Context, u *Unfinished, before time.Time) (*Repaired, error) {
	if u == nil {
		return nil, nil
	}
	s.log.Warn("An earlier server process did not stop cleanly; checking the review index, report counters and residents' input lists.", "processes", len(u.Runs))
	start := time.Now()
	// A minute before its start, for the clocks of other instances.
	r, err := Repair(ctx, s.indexer, s.store, u.Since.Add(-time.Minute), before)
	if err != nil {
		return nil, err
	}
	s.log.Info("Review index, report counters and residents' input lists checked.", "contributions", r.Contributions,
		"indexed", r.Indexed, "counted", r.Counted, "listed", r.Listed, "duration_ms", time.Since(start).Milliseconds())
	return r, s.store.ForgetRuns(ctx, u.Runs)
}

// Repaired says what Repair found and wrote.
type Repaired struct {
	review.Repaired
	// Listed is how many contributions were missing from their
	// participants' "my input" lists and added.
	Listed int
}

// Repair writes what the commit hook would have written for the
// contributions stored in [since, before): the review inbox, the report
// counters and residents' "my input" lists, in one scan of the
// contributions. The start-up check and "buurtstem repair" use it; ix is
// the Indexer of the process's commit hook, if it has one, whose lock keeps
// their writes apart.
func Repair(ctx context.Context, ix *review.Indexer, st *store.Store, since, before time.Time) (*Repaired, error) {
	inputs := resident.NewInputRepair(st)
	r, err := ix.Repair(ctx, since, before, inputs.Add)
	if err != nil {
		return nil, err
	}
	listed, err := inputs.Write(ctx)
	if err != nil {
		return nil, err
	}
	return &Repaired{Repaired: r, Listed: listed}, nil
}

// Stopped records that this process stopped cleanly, after Shutdown
// returned in time: its commit hook has caught up.
func (s *Server) Stopped(ctx context.Context) error { return s.store.RunStopped(ctx) }
