package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/buurtstem/buurtstem/server/model"
)

// EachContributionOf calls fn with every contribution of an organisation
// stored before a moment, in no order, one at a time so a million need not
// fit in memory. It scans the collection (about 15 µs a document on the
// embedded engine): only the index repair after a crash uses it.
func (s *Store) EachContributionOf(ctx context.Context, orgID string, before time.Time, fn func(*model.Contribution) error) error {
	cur, err := s.db.Collection(colContributions).Find(ctx, bson.D{{Key: "org_id", Value: orgID},
		{Key: "created_at", Value: bson.D{{Key: "$lt", Value: before}}}}, options.Find().SetBatchSize(1000))
	if err != nil {
		return mapErr(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var c model.Contribution
		if err := cur.Decode(&c); err != nil {
			return mapErr(err)
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return mapErr(cur.Err())
}

// colRuns records each server process that opened the store: a process
// that never recorded its stop crashed, and what its commit hook had not
// written yet must be repaired (review.Indexer.Repair).
const colRuns = "runs"

type run struct {
	ID        string     `bson:"_id"` // the writer id
	StartedAt time.Time  `bson:"started_at"`
	StoppedAt *time.Time `bson:"stopped_at,omitempty"`
}

func init() {
	// Any index makes the collection exist at open, with the _id index
	// the embedded engine needs (see inbox.go).
	indexes[colRuns] = append(indexes[colRuns], mongo.IndexModel{
		Keys: bson.D{{Key: "started_at", Value: 1}}, Options: options.Index().SetName("started"),
	})
}

// RunStarted records that this process serves from now on. A running
// server calls it again now and then, so that its record comes back if
// another instance's repair forgot it.
func (s *Store) RunStarted(ctx context.Context) error {
	_, err := s.db.Collection(colRuns).ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.writer}},
		run{ID: s.writer, StartedAt: s.now().UTC()}, upsert())
	return mapErr(err)
}

// RunStopped records that this process stopped cleanly: its commit hook
// caught up before the store closed.
func (s *Store) RunStopped(ctx context.Context) error {
	now := s.now().UTC()
	_, err := s.db.Collection(colRuns).UpdateOne(ctx, bson.D{{Key: "_id", Value: s.writer}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "stopped_at", Value: now}}}})
	return mapErr(err)
}

// UnfinishedRuns returns the other processes that started and never
// recorded a stop: crashed ones, or, when several instances share the
// store, ones still running.
func (s *Store) UnfinishedRuns(ctx context.Context) ([]string, error) {
	rs, err := findAll[run](ctx, s, colRuns, bson.D{}, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		if r.StoppedAt == nil && r.ID != s.writer {
			out = append(out, r.ID)
		}
	}
	return out, nil
}

// ForgetRuns deletes the records of processes whose loose ends were
// repaired, and those that stopped cleanly.
func (s *Store) ForgetRuns(ctx context.Context, ids []string) error {
	col := s.db.Collection(colRuns)
	if _, err := col.DeleteMany(ctx, bson.D{{Key: "stopped_at", Value: bson.D{{Key: "$exists", Value: true}}}}); err != nil {
		return mapErr(err)
	}
	for _, id := range ids {
		if _, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return mapErr(err)
		}
	}
	return nil
}
