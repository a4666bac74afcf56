package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// InsertSession stores a new live session.
func (s *Store) InsertSession(ctx context.Context, ls *model.Session) error {
	_, err := s.db.Collection(colSessions).InsertOne(ctx, ls)
	return mapErr(err)
}

// Session returns a live session of an organisation.
func (s *Store) Session(ctx context.Context, orgID, id string) (*model.Session, error) {
	return findOne[model.Session](ctx, s, colSessions, orgFilter(orgID, id))
}

// SessionByID returns a live session by id alone. Only the live hub uses
// it, after it has authorised the connection against the session's org.
func (s *Store) SessionByID(ctx context.Context, id string) (*model.Session, error) {
	return findOne[model.Session](ctx, s, colSessions, bson.D{{Key: "_id", Value: id}})
}

// Sessions lists an organisation's sessions, newest first.
func (s *Store) Sessions(ctx context.Context, orgID string) ([]model.Session, error) {
	return findAll[model.Session](ctx, s, colSessions,
		bson.D{{Key: "org_id", Value: orgID}}, bson.D{{Key: "created_at", Value: -1}})
}

// ReplaceSession writes a changed session if nobody changed it since it was
// read (its Version), and increments the version. A lost race gives
// apperr.ErrConflict; the caller reads again.
func (s *Store) ReplaceSession(ctx context.Context, ls *model.Session) error {
	s.condMu.Lock()
	defer s.condMu.Unlock()
	old := ls.Version
	ls.Version++
	ls.UpdatedAt = time.Now().UTC()
	res, err := s.db.Collection(colSessions).ReplaceOne(ctx,
		bson.D{{Key: "_id", Value: ls.ID}, {Key: "org_id", Value: ls.OrgID}, {Key: "version", Value: old}}, ls)
	if err != nil {
		ls.Version = old
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		ls.Version = old
		return &apperr.Error{Kind: apperr.ErrConflict, MsgID: "session.changed_meanwhile"}
	}
	return nil
}

// ClaimJoinCode reserves a join code for a session. The code is the _id, so
// uniqueness among open sessions is the store's primary key and a lookup is
// an _id read. A taken code gives apperr.ErrConflict.
func (s *Store) ClaimJoinCode(ctx context.Context, code, sessionID string) error {
	_, err := s.db.Collection(colJoinCodes).InsertOne(ctx, bson.D{
		{Key: "_id", Value: code}, {Key: "session_id", Value: sessionID}, {Key: "created_at", Value: time.Now().UTC()},
	})
	return mapErr(err)
}

// ReleaseJoinCode frees a code when its session closes.
func (s *Store) ReleaseJoinCode(ctx context.Context, code string) error {
	_, err := s.db.Collection(colJoinCodes).DeleteOne(ctx, bson.D{{Key: "_id", Value: code}})
	return mapErr(err)
}

// SessionIDByCode returns the session holding a join code.
func (s *Store) SessionIDByCode(ctx context.Context, code string) (string, error) {
	var doc struct {
		SessionID string `bson:"session_id"`
	}
	err := s.db.Collection(colJoinCodes).FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&doc)
	return doc.SessionID, mapErr(err)
}

// InsertOutcome is what happened to one document of a batch.
type InsertOutcome struct {
	// Duplicate: a document with this _id existed (a repeated submission);
	// nothing new was written, and that is a success.
	Duplicate bool
	Err       error
}

// InsertContributions writes a batch in one unordered insert: the group
// commit of the live hub. It reports per document whether it was written,
// already there, or failed. A failure of the whole call returns err.
func (s *Store) InsertContributions(ctx context.Context, cs []*model.Contribution) ([]InsertOutcome, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	docs := make([]any, len(cs))
	for i, c := range cs {
		docs[i] = c
	}
	out := make([]InsertOutcome, len(cs))
	_, err := s.db.Collection(colContributions).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return out, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, mapErr(err)
	}
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(cs) {
			return nil, mapErr(err)
		}
		if we.Code == 11000 {
			out[we.Index].Duplicate = true
			continue
		}
		out[we.Index].Err = mapErr(we)
	}
	return out, nil
}

// Contribution returns one contribution.
func (s *Store) Contribution(ctx context.Context, id string) (*model.Contribution, error) {
	return findOne[model.Contribution](ctx, s, colContributions, bson.D{{Key: "_id", Value: id}})
}

// ContributionsOf returns all contributions of a session, oldest first. The
// hub reads them once when a session's room is loaded.
func (s *Store) ContributionsOf(ctx context.Context, sessionID string) ([]model.Contribution, error) {
	return findAll[model.Contribution](ctx, s, colContributions,
		bson.D{{Key: "session_id", Value: sessionID}}, bson.D{{Key: "created_at", Value: 1}})
}

// SetModeration records a moderator's decision on a contribution of a
// session.
func (s *Store) SetModeration(ctx context.Context, sessionID, id string, state model.ModerationState) error {
	if err := s.updateOne(ctx, colContributions,
		bson.D{{Key: "_id", Value: id}, {Key: "session_id", Value: sessionID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "moderation", Value: state}}}}); err != nil {
		return err
	}
	// The reviewer inbox filters on moderation without reading
	// contributions (see inbox.go): it gets a mark. A failure is returned,
	// so the moderator repeats the (idempotent) decision.
	ls, err := s.SessionByID(ctx, sessionID)
	if err != nil {
		return err
	}
	return s.MarkInbox(ctx, ls.OrgID, sessionID, id, MarkModeration, string(state), time.Now().UTC())
}
