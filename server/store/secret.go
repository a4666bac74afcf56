package store

import (
	"context"
	"crypto/rand"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/buurtstem/buurtstem/server/apperr"
)

const colSecrets = "secrets"

type secretDoc struct {
	ID    string `bson:"_id"`
	Value []byte `bson:"value"`
}

// Secret returns the named 256-bit server secret, creating it on first
// use. Every instance sharing the store gets the same value: the first
// insert wins and the others read it.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	for range 3 {
		d, err := findOne[secretDoc](ctx, s, colSecrets, bson.D{{Key: "_id", Value: name}})
		if err == nil {
			return d.Value, nil
		}
		if !isNotFound(err) {
			return nil, err
		}
		v := make([]byte, 32)
		if _, err := rand.Read(v); err != nil {
			return nil, err
		}
		_, err = s.db.Collection(colSecrets).InsertOne(ctx, secretDoc{ID: name, Value: v})
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return nil, mapErr(err)
		}
	}
	return nil, &apperr.Error{Kind: apperr.ErrConflict, MsgID: "error.conflict"}
}
