package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/buurtstem/buurtstem/server/model"
)

// The reviewer inbox (#7) cannot scan contributions: at a million of them
// a scan takes 15 s on the embedded engine. So the live group commit also
// writes a compact index: chunks of fixed-size entries per session, each
// chunk written by one process only (its writer id in the _id), plus marks
// for what changes later (moderation, grouping into a topic). Reading the
// inbox lists the small chunk descriptions of an organisation and reads
// chunk entries by _id; full chunks never change, so readers may cache
// them.
const (
	colInboxMeta   = "inbox_meta"
	colInboxData   = "inbox_data"
	colInboxMarks  = "inbox_marks"
	colReportDays  = "report_days"
	colTopics      = "topics"
	colReviewConfs = "review_settings"
)

func init() {
	// Every collection gets an index, so that it exists when the store
	// opens: only the tables that exist then get the _id expression index
	// the embedded engine's lookups need (idindex.go). Without it each
	// chunk read scanned every chunk (minutes for an inbox page at a
	// million contributions).
	for _, col := range []string{colInboxMeta, colInboxMarks, colReportDays, colTopics, colInboxData} {
		indexes[col] = append(indexes[col], mongo.IndexModel{
			Keys: bson.D{{Key: "org_id", Value: 1}}, Options: options.Index().SetName("org"),
		})
	}
	indexes[colReviewConfs] = append(indexes[colReviewConfs], mongo.IndexModel{
		Keys: bson.D{{Key: "updated_at", Value: 1}}, Options: options.Index().SetName("updated"),
	})
}

// Writer returns this process's writer id (see Store.writer).
func (s *Store) Writer() string { return s.writer }

// inboxData is the document holding a chunk's entries.
type inboxData struct {
	ID    string `bson:"_id"`
	OrgID string `bson:"org_id"`
	Data  []byte `bson:"data"`
}

// SaveInboxChunk writes a chunk's entries and then its description. Only
// the process named in the chunk's Writer calls it for that chunk.
func (s *Store) SaveInboxChunk(ctx context.Context, meta *model.InboxChunk, data []byte) error {
	if _, err := s.db.Collection(colInboxData).ReplaceOne(ctx, bson.D{{Key: "_id", Value: meta.ID}},
		inboxData{ID: meta.ID, OrgID: meta.OrgID, Data: data}, upsert()); err != nil {
		return mapErr(err)
	}
	_, err := s.db.Collection(colInboxMeta).ReplaceOne(ctx, bson.D{{Key: "_id", Value: meta.ID}}, meta, upsert())
	return mapErr(err)
}

// InboxChunks lists the chunk descriptions of an organisation.
func (s *Store) InboxChunks(ctx context.Context, orgID string) ([]model.InboxChunk, error) {
	return findAll[model.InboxChunk](ctx, s, colInboxMeta, bson.D{{Key: "org_id", Value: orgID}}, nil)
}

// InboxChunkData returns a chunk's entries.
func (s *Store) InboxChunkData(ctx context.Context, id string) ([]byte, error) {
	d, err := findOne[inboxData](ctx, s, colInboxData, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return nil, err
	}
	return d.Data, nil
}

// Mark kinds of MarkInbox.
const (
	MarkModeration = "m"
	MarkTopic      = "t"
)

// MarkInbox records a later change of an inbox entry in this process's
// marks document of the session.
func (s *Store) MarkInbox(ctx context.Context, orgID, sessionID, contributionID, kind, value string, at time.Time) error {
	s.markMu.Lock()
	defer s.markMu.Unlock()
	_, err := s.db.Collection(colInboxMarks).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: sessionID + ":" + s.writer}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "org_id", Value: orgID},
			{Key: "session_id", Value: sessionID},
			{Key: kind + "." + contributionID, Value: model.InboxMark{Value: value, At: at}},
		}}},
		options.Update().SetUpsert(true))
	return mapErr(err)
}

// InboxMarks returns every marks document of an organisation.
func (s *Store) InboxMarks(ctx context.Context, orgID string) ([]model.InboxMarks, error) {
	return findAll[model.InboxMarks](ctx, s, colInboxMarks, bson.D{{Key: "org_id", Value: orgID}}, nil)
}
