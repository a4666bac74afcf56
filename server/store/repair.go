package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Stamp is what the repair after a crash reads of a contribution: enough
// to place it in the inbox, the report counters and its participant's
// "my input" list.
type Stamp struct {
	OrgID, ID, SessionID, ParticipantID string
	Assisted                            bool
	At                                  time.Time
}

// ContributionStamps calls fn with the Stamp of every contribution stored
// before a moment, in no order, one at a time so a million need not fit in
// memory. Only the repair after a crash uses it. It scans the collection,
// and on the embedded engine it must not narrow the filter or add a
// projection: a filter that matches few documents makes one batch scan
// most of the collection, and a projection made the first batch wait for
// the whole collection, both longer than an operation may take (measured
// at 200,000 contributions); a filter that matches nearly everything keeps
// batches coming steadily.
func (s *Store) ContributionStamps(ctx context.Context, before time.Time, fn func(Stamp) error) error {
	cur, err := s.db.Collection(colContributions).Find(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: before}}}},
		options.Find().SetBatchSize(1000))
	if err != nil {
		return mapErr(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		// Decoding six fields is cheaper than the whole contribution.
		var c struct {
			ID            string    `bson:"_id"`
			OrgID         string    `bson:"org_id"`
			SessionID     string    `bson:"session_id"`
			ParticipantID string    `bson:"participant_id"`
			Assisted      bool      `bson:"assisted"`
			CreatedAt     time.Time `bson:"created_at"`
		}
		if err := cur.Decode(&c); err != nil {
			return mapErr(err)
		}
		if err := fn(Stamp{OrgID: c.OrgID, ID: c.ID, SessionID: c.SessionID, ParticipantID: c.ParticipantID,
			Assisted: c.Assisted, At: c.CreatedAt}); err != nil {
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
// recorded a stop (crashed ones or, when several instances share the
// store, ones still running), and when the earliest of them started: what
// they left undone is younger than that.
func (s *Store) UnfinishedRuns(ctx context.Context) ([]string, time.Time, error) {
	rs, err := findAll[run](ctx, s, colRuns, bson.D{}, nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []string
	var earliest time.Time
	for _, r := range rs {
		if r.StoppedAt == nil && r.ID != s.writer {
			out = append(out, r.ID)
			if earliest.IsZero() || r.StartedAt.Before(earliest) {
				earliest = r.StartedAt
			}
		}
	}
	return out, earliest, nil
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
