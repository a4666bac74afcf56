package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/buurtstem/buurtstem/server/apperr"

	"github.com/buurtstem/buurtstem/server/model"
)

// The shared live bus keeps, per session, a head document {_id: session,
// epoch, seq} and one document per event with _id "session:seq". Both are
// read by _id only, the one query the embedded engine serves from an index;
// FerretDB has no change streams and no reliable tailable cursors, so other
// instances poll.
//
// The event's unique _id, not an $inc on the head, decides who gets a seq:
// measured here, FerretDB v1 loses concurrent $inc updates (20 concurrent
// increments of one document left it at 1), while a duplicate _id is always
// refused. The head's seq is only a hint of where the stream ends.

type liveHead struct {
	ID    string `bson:"_id"`
	Epoch string `bson:"epoch"`
	Seq   uint64 `bson:"seq"`
}

// LiveEventID is the _id of a session's event.
func LiveEventID(session string, seq uint64) string {
	return fmt.Sprintf("%s:%020d", session, seq)
}

// LiveStream returns a session stream's epoch and the hint of its last
// seq, creating the stream (a new epoch) if it does not exist.
func (s *Store) LiveStream(ctx context.Context, session string) (string, uint64, error) {
	for range 3 {
		h, err := findOne[liveHead](ctx, s, colLiveHeads, bson.D{{Key: "_id", Value: session}})
		if err == nil {
			return h.Epoch, h.Seq, nil
		}
		if !isNotFound(err) {
			return "", 0, err
		}
		_, err = s.db.Collection(colLiveHeads).InsertOne(ctx, liveHead{ID: session, Epoch: NewID()[:12]})
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return "", 0, mapErr(err)
		}
	}
	return "", 0, &apperr.Error{Kind: apperr.ErrConflict, MsgID: "error.conflict"}
}

// RaiseLiveHint moves a stream's head hint up to seq. Lost or reordered
// updates only make the next publisher try a few taken seqs first.
func (s *Store) RaiseLiveHint(ctx context.Context, session string, seq uint64) error {
	_, err := s.db.Collection(colLiveHeads).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: session}, {Key: "seq", Value: bson.D{{Key: "$lt", Value: seq}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: seq}}}})
	return mapErr(err)
}

// InsertLiveEvent stores an event. A taken seq gives apperr.ErrConflict.
func (s *Store) InsertLiveEvent(ctx context.Context, e *model.LiveEvent) error {
	e.ID = LiveEventID(e.Session, e.Seq)
	_, err := s.db.Collection(colLiveEvents).InsertOne(ctx, e)
	return mapErr(err)
}

// LiveEvent returns one event of a session's stream.
func (s *Store) LiveEvent(ctx context.Context, session string, seq uint64) (*model.LiveEvent, error) {
	return findOne[model.LiveEvent](ctx, s, colLiveEvents, bson.D{{Key: "_id", Value: LiveEventID(session, seq)}})
}

// PurgeLiveEvents deletes events older than before: they only serve
// replay, which needs minutes, not days.
func (s *Store) PurgeLiveEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Collection(colLiveEvents).DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return res.DeletedCount, nil
}
