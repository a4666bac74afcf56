// Package review is the domain logic of closing the loop (#7): the
// reviewer inbox over an organisation's contributions, topics that group
// them, the municipality's responses with their history, transcripts and
// translations typed by staff, the feedback residents get to see, and the
// accountability figures (how much input got a response, how fast).
//
// Nothing here scans the contributions collection: the inbox reads a
// compact index and reports read counters, both kept up to date on write
// by the Indexer (see index.go and store/inbox.go).
package review

import (
	"context"
	"errors"
	"log/slog"
	"time"
	_ "time/tzdata" // report days are Dutch days, also where no zone database is installed

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// Notifier pushes a published response to residents' live connections.
// The live hub implements it; participants maps each resident whose input
// is in the topic to the ids of that input.
type Notifier interface {
	PublishFeedback(ctx context.Context, orgID string, item protocol.FeedbackItem, participants map[string][]string) error
}

// Service is the review domain.
type Service struct {
	store  *store.Store
	loc    *time.Location
	now    func() time.Time
	cache  *chunkCache
	notify Notifier
	log    *slog.Logger
	// translator is the machine translation service (SetTranslator).
	translator Translator
}

// Location returns the time zone of report days and date filters: the
// Netherlands, where buurtstem's municipalities are.
func Location() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}

// New returns a Service. cacheBytes bounds the cache of full inbox chunks
// (0: 64 MB).
func New(s *store.Store, log *slog.Logger, cacheBytes int) *Service {
	if cacheBytes <= 0 {
		cacheBytes = 64 << 20
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: s, loc: Location(), now: time.Now, cache: newChunkCache(cacheBytes), log: log}
}

// SetClock replaces the clock; tests use it to pass a retention period.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetNotifier connects the live push. Until it is set, responses reach
// residents on their pages only.
func (s *Service) SetNotifier(n Notifier) { s.notify = n }

// CanReview reports whether actor may group input and respond for an
// organisation: its reviewers and admins.
func CanReview(actor *model.Staff, orgID string) bool {
	r := actor.RoleIn(orgID)
	return actor.PlatformAdmin || r == model.RoleAdmin || r == model.RoleReviewer
}

// CanAnnotate reports whether actor may add transcripts and translations:
// reviewers, admins and the intermediaries who heard the residents.
func CanAnnotate(actor *model.Staff, orgID string) bool {
	return CanReview(actor, orgID) || actor.RoleIn(orgID) == model.RoleIntermediary
}

func notFound() error { return apperr.New(apperr.ErrNotFound, "error.not_found") }

func forbidden() error { return apperr.New(apperr.ErrForbidden, "error.forbidden") }

// may checks rights before any lookup, so a refusal says nothing about
// whether a record exists: no role in the organisation looks like no
// organisation (404), a role without the right is 403.
func may(actor *model.Staff, orgID string, allowed func(*model.Staff, string) bool) error {
	if !admin.CanView(actor, orgID) {
		return notFound()
	}
	if allowed != nil && !allowed(actor, orgID) {
		return forbidden()
	}
	return nil
}

// Settings returns an organisation's review settings.
func (s *Service) Settings(ctx context.Context, actor *model.Staff, orgID string) (*model.ReviewSettings, error) {
	if err := may(actor, orgID, nil); err != nil {
		return nil, err
	}
	return s.store.ReviewSettings(ctx, orgID)
}

// Limits of the overdue period.
const (
	MinOverdueDays = 7
	MaxOverdueDays = 365
)

// SetOverdueDays changes after how many days a topic without a response
// counts as overdue. Only admins may.
func (s *Service) SetOverdueDays(ctx context.Context, actor *model.Staff, orgID string, days int) error {
	if err := may(actor, orgID, admin.CanManage); err != nil {
		return err
	}
	if days < MinOverdueDays || days > MaxOverdueDays {
		return &apperr.Error{Kind: apperr.ErrInvalid, Field: "overdue_days", MsgID: "review.overdue_days_range",
			Data: map[string]any{"Min": MinOverdueDays, "Max": MaxOverdueDays}}
	}
	return s.store.SaveReviewSettings(ctx, &model.ReviewSettings{ID: orgID, OverdueDays: days})
}

func isNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
