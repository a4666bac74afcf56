package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// When several instances serve one session, each counts only the residents
// connected to it. Each instance therefore keeps one document per session
// it serves, {_id: "session:instance", session, n, at}, rewritten every few
// seconds, and adds up the fresh documents of the others. One document per
// instance, not a field per instance in a shared one: FerretDB v1 loses
// concurrent updates of one document (see liveevents.go). Reading them is a
// scan of a collection that holds a handful of documents per live session.

type livePresence struct {
	ID      string    `bson:"_id"`
	Session string    `bson:"session"`
	N       int       `bson:"n"`
	At      time.Time `bson:"at"`
}

// SetLivePresence records how many residents this instance holds in a
// session; n == 0 removes the record.
func (s *Store) SetLivePresence(ctx context.Context, session, instance string, n int, at time.Time) error {
	id := session + ":" + instance
	col := s.db.Collection(colLivePresence)
	if n == 0 {
		_, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
		return mapErr(err)
	}
	_, err := col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
		livePresence{ID: id, Session: session, N: n, At: at.UTC()}, options.Replace().SetUpsert(true))
	return mapErr(err)
}

// LivePresence adds up the residents other instances reported for a
// session since the given time.
func (s *Store) LivePresence(ctx context.Context, session, instance string, since time.Time) (int, error) {
	cur, err := s.db.Collection(colLivePresence).Find(ctx, bson.D{
		{Key: "session", Value: session},
		{Key: "at", Value: bson.D{{Key: "$gte", Value: since.UTC()}}},
	})
	if err != nil {
		return 0, mapErr(err)
	}
	defer cur.Close(ctx)
	total := 0
	for cur.Next(ctx) {
		var p livePresence
		if err := cur.Decode(&p); err != nil {
			return 0, mapErr(err)
		}
		if p.ID != session+":"+instance {
			total += p.N
		}
	}
	return total, mapErr(cur.Err())
}

// PurgeLivePresence deletes records not refreshed since before: an
// instance that was killed leaves its last one behind.
func (s *Store) PurgeLivePresence(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Collection(colLivePresence).DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return res.DeletedCount, nil
}
