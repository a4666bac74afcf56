package app

import (
	"context"
	"time"

	"github.com/buurtstem/buurtstem/server/review"
)

// RepairAfterCrash checks, before the server takes requests, whether an
// earlier process of this store stopped without recording it; if so its
// commit hook may have missed the last contributions it stored, and they
// are added to the review inbox and the report counters
// (review.Indexer.Repair). Then it records this process's start. With
// several instances on one store a running one looks unfinished too; the
// repair is then a harmless (idempotent) full check.
func (s *Server) RepairAfterCrash(ctx context.Context) (*review.Repaired, error) {
	runs, err := s.store.UnfinishedRuns(ctx)
	if err != nil {
		return nil, err
	}
	var res *review.Repaired
	if len(runs) > 0 {
		s.log.Warn("An earlier server process did not stop cleanly; checking the review index and report counters.", "processes", len(runs))
		start := time.Now()
		r, err := s.indexer.Repair(ctx, start)
		if err != nil {
			return nil, err
		}
		res = &r
		s.log.Info("Review index and report counters checked.", "contributions", r.Contributions,
			"indexed", r.Indexed, "counted", r.Counted, "duration_ms", time.Since(start).Milliseconds())
	}
	if err := s.store.ForgetRuns(ctx, runs); err != nil {
		return res, err
	}
	return res, s.store.RunStarted(ctx)
}

// Stopped records that this process stopped cleanly, after Shutdown
// returned in time: its commit hook has caught up.
func (s *Server) Stopped(ctx context.Context) error { return s.store.RunStopped(ctx) }
