package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
)

// MediaChunksForTest counts the stored chunks of a file.
func (s *Store) MediaChunksForTest(ctx context.Context, id string) (int64, error) {
	return s.db.Collection(colMediaChunks).CountDocuments(ctx, bson.D{{Key: "files_id", Value: id}})
}
