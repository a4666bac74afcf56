// Package uploads decides what happens to residents' voice notes and
// photos: who may upload one (a participant of an open session), who may
// play it back (that participant, and staff of the organisation, nobody
// else), and when it is deleted (the retention purge, per organisation).
// Checking the bytes is server/media's job; storing them the store's.
package uploads

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/media"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// Month is the unit of the per-organisation retention setting: a twelfth
// of a year, so that 12 months is the -media-retention maximum of 8760h.
const Month = model.RetentionMonth

// photoWorkers bounds how many photos are decoded at once: a photo of 40
// megapixels takes about 60 MB while it is scaled down.
const photoWorkers = 2

// Service handles uploads, playback and the retention purge.
type Service struct {
	store  *store.Store
	limits media.Limits
	// retention is the server's default (-media-retention).
	retention time.Duration
	now       func() time.Time
	photos    chan struct{}
	perDevice atomic.Pointer[limiter] // upload budgets per participant; SetBudget swaps it
	log       *slog.Logger
}

// New returns a Service. retention is the default for organisations that
// set none.
func New(st *store.Store, retention time.Duration, log *slog.Logger) *Service {
	s := &Service{store: st, limits: media.DefaultLimits, retention: retention, now: time.Now,
		photos: make(chan struct{}, photoWorkers), log: log}
	s.perDevice.Store(newLimiter(DefaultBudget))
	return s
}

// SetClock replaces the clock; tests use it to pass the retention period.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Limits returns the limits uploads are checked against.
func (s *Service) Limits() media.Limits { return s.limits }

// Upload checks and stores a resident's voice note or photo for a session
// that is open or running. participant is the device's anonymous id.
func (s *Service) Upload(ctx context.Context, sessionID, participant string, kind media.Kind, contentType string, body []byte) (*model.Media, error) {
	if !kind.Valid() {
		return nil, apperr.Invalid("kind", "answer.file_kind_invalid")
	}
	if participant == "" {
		return nil, apperr.New(apperr.ErrUnauthenticated, "join.required")
	}
	// Before any work: a refused upload costs no store read and no photo
	// decoding.
	if err := s.perDevice.Load().allow(participant, s.now()); err != nil {
		return nil, err
	}
	ls, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	switch ls.State {
	case model.StateDraft:
		return nil, &apperr.Error{Kind: apperr.ErrConflict, Field: "session", MsgID: "live.error.not_running"}
	case model.StateClosed:
		return nil, &apperr.Error{Kind: apperr.ErrConflict, Field: "session", MsgID: "join.closed"}
	}
	if kind == media.Photo && len(body) <= s.limits.PhotoBytes {
		select {
		case s.photos <- struct{}{}:
			defer func() { <-s.photos }()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f, err := media.Check(kind, contentType, body, s.limits)
	if err != nil {
		return nil, err
	}
	m := &model.Media{ID: store.NewID(), OrgID: ls.OrgID, SessionID: ls.ID, Participant: participant,
		Kind: string(kind), ContentType: f.ContentType, DurationMS: f.Duration.Milliseconds(), CreatedAt: s.now().UTC()}
	if err := s.store.PutMedia(ctx, m, f.Data); err != nil {
		return nil, err
	}
	return m, nil
}

// Open returns a file for playback to the participant who uploaded it or to
// staff of its organisation (any role). Everyone else gets
// apperr.ErrNotFound, the same as for an id that does not exist.
func (s *Service) Open(ctx context.Context, id string, staff *model.Staff, participant string) (*model.Media, []byte, error) {
	m, err := s.store.Media(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	byStaff := staff != nil && admin.CanView(staff, m.OrgID)
	byOwner := participant != "" && m.Participant == participant
	if !byStaff && !byOwner {
		return nil, nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	data, err := s.store.MediaData(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return m, data, nil
}

// RetentionMonths returns how many months an organisation keeps voice
// notes and photos: its own setting, else the server's default rounded to
// whole months.
func (s *Service) RetentionMonths(o *model.Organisation) int {
	if o.MediaRetentionMonths > 0 {
		return o.MediaRetentionMonths
	}
	return max(1, int((s.retention+Month/2)/Month))
}

func (s *Service) retentionOf(o *model.Organisation) time.Duration {
	if o.MediaRetentionMonths > 0 {
		return time.Duration(o.MediaRetentionMonths) * Month
	}
	return s.retention
}

// purgeBatch is how many files one store query of the purge returns.
const purgeBatch = 200

// Purge deletes voice notes and photos older than their organisation's
// retention period and marks the contributions that used them. Prompt
// recordings are staff's and stay with their session. It returns how many
// files it deleted.
func (s *Service) Purge(ctx context.Context) (int, error) {
	orgs, err := s.store.Organisations(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	deleted := 0
	var errs []error
	for i := range orgs {
		cutoff := now.Add(-s.retentionOf(&orgs[i]))
		for {
			batch, err := s.store.ExpiredMedia(ctx, orgs[i].ID, []string{model.MediaVoice, model.MediaPhoto}, cutoff, purgeBatch)
			if err != nil {
				errs = append(errs, err)
				break
			}
			for _, m := range batch {
				// Mark first: after a crash in between, the next run
				// deletes the file and marks again, which is harmless.
				if err := s.store.MarkMediaDeleted(ctx, m.Contributions, now); err != nil {
					return deleted, err
				}
				if err := s.store.DeleteMedia(ctx, m.ID); err != nil {
					return deleted, err
				}
				deleted++
			}
			if len(batch) < purgeBatch {
				break
			}
		}
	}
	if deleted > 0 {
		s.log.Info("Expired voice notes and photos deleted.", "files", deleted)
	}
	return deleted, errors.Join(errs...)
}
