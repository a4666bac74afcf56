package review

import (
	"context"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// ExportRow is one contribution in an export: what the index holds, no
// written text (read it in the inbox; free text can hold personal data).
type ExportRow struct {
	ID              string
	SessionID       string
	Session         string // title
	NeighbourhoodID string
	At              time.Time
	Kind            model.PromptKind
	Lang            string
	Themes          string // space-separated theme ids
	Face            int
	Moderation      model.ModerationState
	TopicID         string
	Feedback        string // FeedbackStates
	Assisted        bool
}

// Export calls fn with every contribution of an organisation that passes
// the filter, chunk by chunk (not sorted), straight from the index: an
// export of a million rows never holds them all. fn's error stops it.
func (s *Service) Export(ctx context.Context, actor *model.Staff, orgID string, f Filter, fn func(*ExportRow) error) error {
	if err := may(actor, orgID, nil); err != nil {
		return err
	}
	sc, err := s.scope(ctx, orgID)
	if err != nil {
		return err
	}
	hoods, err := s.subtree(ctx, orgID, f.NeighbourhoodID)
	if err != nil {
		return err
	}
	chunks, err := s.store.InboxChunks(ctx, orgID)
	if err != nil {
		return err
	}
	var row ExportRow
	for _, c := range chunks {
		if c.OrgID != orgID || f.SessionID != "" && c.SessionID != f.SessionID || hoods != nil && !hoods[c.NeighbourhoodID] {
			continue
		}
		if !f.From.IsZero() && c.Last.Before(f.From) || !f.To.IsZero() && !c.First.Before(f.To) {
			continue
		}
		data, err := s.chunkData(ctx, c)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		title := ""
		if ls := sc.sessions[c.SessionID]; ls != nil {
			title = ls.Title
		}
		for off := 0; off+entrySize <= len(data); off += entrySize {
			e := decodeEntry(data[off:off+entrySize], c.SessionID)
			if !f.From.IsZero() && e.at.Before(f.From) || !f.To.IsZero() && !e.at.Before(f.To) {
				continue
			}
			if !sc.match(&e, &f) {
				continue
			}
			row = ExportRow{ID: e.id, SessionID: c.SessionID, Session: title, NeighbourhoodID: c.NeighbourhoodID,
				At: e.at, Kind: e.kind, Lang: e.lang, Themes: strings.Join(themesOf(e.themes), " "), Face: e.face,
				Moderation: e.mod, Feedback: FeedbackNone, Assisted: e.flags&flagAssisted != 0}
			if mk, ok := sc.mod[e.id]; ok {
				row.Moderation = model.ModerationState(mk.Value)
			}
			if mk, ok := sc.topicOf[e.id]; ok && mk.Value != "" {
				row.TopicID = mk.Value
				row.Feedback = FeedbackWaiting
				if t := sc.topics[mk.Value]; t != nil && t.Response != nil {
					row.Feedback = string(t.Response.Status)
				}
			}
			if err := fn(&row); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckFilter refuses a filter that names a neighbourhood or session the
// organisation does not have, before an export starts streaming.
func (s *Service) CheckFilter(ctx context.Context, actor *model.Staff, orgID string, f Filter) error {
	if err := may(actor, orgID, nil); err != nil {
		return err
	}
	if _, err := s.subtree(ctx, orgID, f.NeighbourhoodID); err != nil {
		return err
	}
	if f.SessionID != "" {
		if _, err := s.store.Session(ctx, orgID, f.SessionID); isNotFound(err) {
			return apperr.Invalid("session", "review.filter_unknown")
		} else if err != nil {
			return err
		}
	}
	return nil
}
