package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// colModerationLog is the audit log of moderation decisions (#6): one
// document per decision, inserted and never changed.
const colModerationLog = "moderation_log"

func init() {
	indexes[colModerationLog] = append(indexes[colModerationLog],
		mongo.IndexModel{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("org_at")},
		mongo.IndexModel{Keys: bson.D{{Key: "contribution_id", Value: 1}}, Options: options.Index().SetName("contribution")},
	)
}

// MaxLogPerContribution bounds one contribution's history: a moderator
// clicking back and forth cannot grow it without end (nor the _id reads
// that read it back).
const MaxLogPerContribution = 200

// SetModerationView records a moderation decision on a contribution (its
// state, hide reason, theme tag and merge) and marks the reviewer inbox.
// The caller has checked that the contribution belongs to the session and
// organisation: the update addresses the _id alone, the one filter the
// embedded engine answers from its index.
func (s *Store) SetModerationView(ctx context.Context, orgID, sessionID, id string, v model.ModerationView) error {
	set := bson.D{{Key: "moderation", Value: v.State}}
	var unset bson.D
	for _, f := range []struct{ key, val string }{{"hide_reason", v.HideReason}, {"theme", v.Theme}, {"duplicate_of", v.DuplicateOf}} {
		if f.val == "" {
			unset = append(unset, bson.E{Key: f.key, Value: ""})
		} else {
			set = append(set, bson.E{Key: f.key, Value: f.val})
		}
	}
	op := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		op = append(op, bson.E{Key: "$unset", Value: unset})
	}
	if err := s.updateOne(ctx, colContributions, bson.D{{Key: "_id", Value: id}}, op); err != nil {
		return err
	}
	return s.MarkInbox(ctx, orgID, sessionID, id, MarkModeration, string(v.State), time.Now().UTC())
}

// AppendModerationLog inserts a decision with the next free _id of its
// contribution ("<contribution>:<n>"). Two moderators deciding at once
// both get their own entry: the loser of a duplicate _id takes the next
// number.
func (s *Store) AppendModerationLog(ctx context.Context, e *model.ModerationEntry) error {
	n, err := s.logLength(ctx, e.ContributionID)
	if err != nil {
		return err
	}
	for n++; n <= MaxLogPerContribution; n++ {
		e.ID = logID(e.ContributionID, n)
		_, err := s.db.Collection(colModerationLog).InsertOne(ctx, e)
		if err == nil {
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return mapErr(err)
		}
	}
	return &apperr.Error{Kind: apperr.ErrConflict, MsgID: "decision.log_full"}
}

func logID(contribution string, n int) string { return fmt.Sprintf("%s:%04d", contribution, n) }

// logLength counts a contribution's entries by reading _ids 1, 2, … until
// one is missing: every read is an _id lookup.
func (s *Store) logLength(ctx context.Context, contribution string) (int, error) {
	n := 0
	for n < MaxLogPerContribution {
		err := s.db.Collection(colModerationLog).FindOne(ctx, bson.D{{Key: "_id", Value: logID(contribution, n+1)}},
			options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return n, nil
		}
		if err != nil {
			return 0, mapErr(err)
		}
		n++
	}
	return n, nil
}

// ModerationLogOf returns a contribution's decisions, oldest first, if it
// belongs to the organisation (else an empty list).
func (s *Store) ModerationLogOf(ctx context.Context, orgID, contribution string) ([]model.ModerationEntry, error) {
	out := []model.ModerationEntry{}
	for n := 1; n <= MaxLogPerContribution; n++ {
		e, err := findOne[model.ModerationEntry](ctx, s, colModerationLog, bson.D{{Key: "_id", Value: logID(contribution, n)}})
		if isNotFound(err) {
			break
		}
		if err != nil {
			return nil, err
		}
		if e.OrgID != orgID {
			return []model.ModerationEntry{}, nil
		}
		out = append(out, *e)
	}
	return out, nil
}

// ModerationEntry returns one decision of an organisation.
func (s *Store) ModerationEntry(ctx context.Context, orgID, id string) (*model.ModerationEntry, error) {
	e, err := findOne[model.ModerationEntry](ctx, s, colModerationLog, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return nil, err
	}
	if e.OrgID != orgID {
		return nil, notFound()
	}
	return e, nil
}

// ModerationLog lists an organisation's decisions, newest first, at most
// limit, optionally of one session. It scans the log, which holds
// decisions only (a small fraction of the input).
func (s *Store) ModerationLog(ctx context.Context, orgID, sessionID string, limit int) ([]model.ModerationEntry, error) {
	filter := bson.D{{Key: "org_id", Value: orgID}}
	if sessionID != "" {
		filter = append(filter, bson.E{Key: "session_id", Value: sessionID})
	}
	cur, err := s.db.Collection(colModerationLog).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, mapErr(err)
	}
	out := []model.ModerationEntry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}
