package review

import (
	"context"
	"errors"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
)

// ClearOldTexts applies each organisation's answer retention
// (model.Organisation.AnswerRetentionMonths): what residents wrote, and
// staff's transcripts and translations of it, is removed from answers
// older than the period. What was chosen, rated or counted stays, and so
// do the report counters, topics and responses: reports over any period
// keep their figures. It returns how many answers it cleared.
//
// It finds the answers in the inbox index, not by scanning contributions
// (on the embedded engine every filter but _id is a scan): entries carry
// their time and whether the answer has text or a file (which may have a
// transcript). Each organisation records how far it got
// (TextsClearedBefore), so a run reads the index but updates only answers
// that crossed the line since the last run. Answers the live hub did not
// store (none in normal use) are not in the index and are not cleared.
func (s *Service) ClearOldTexts(ctx context.Context) (int, error) {
	orgs, err := s.store.Organisations(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	cleared := 0
	var errs []error
	for i := range orgs {
		o := &orgs[i]
		if o.AnswerRetentionMonths <= 0 {
			continue
		}
		cutoff := now.Add(-time.Duration(o.AnswerRetentionMonths) * model.RetentionMonth).Truncate(time.Second)
		if !cutoff.After(o.TextsClearedBefore) {
			continue
		}
		n, err := s.clearTexts(ctx, o.ID, o.TextsClearedBefore, cutoff, now)
		cleared += n
		if err != nil {
			errs = append(errs, err)
			continue // the line is not moved: the next run tries again
		}
		if err := s.store.SetTextsClearedBefore(ctx, o.ID, cutoff); err != nil {
			errs = append(errs, err)
		}
	}
	return cleared, errors.Join(errs...)
}

// clearTexts clears the answers of an organisation stored in [from, to)
// that have text or a file.
func (s *Service) clearTexts(ctx context.Context, orgID string, from, to, now time.Time) (int, error) {
	chunks, err := s.store.InboxChunks(ctx, orgID)
	if err != nil {
		return 0, err
	}
	lo, hi := from.Unix(), to.Unix()
	n := 0
	for _, c := range chunks {
		data, err := s.chunkData(ctx, c)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return n, err
		}
		for off := 0; off+entrySize <= len(data); off += entrySize {
			e := decodeEntry(data[off:off+entrySize], c.SessionID)
			if int64(e.unixSecs) < lo || int64(e.unixSecs) >= hi || e.flags&(flagText|flagMedia) == 0 {
				continue
			}
			if err := s.store.ClearContributionText(ctx, e.id, now); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
