package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/buurtstem/buurtstem/server/model"
)

// InsertOrganisation stores a new organisation.
func (s *Store) InsertOrganisation(ctx context.Context, o *model.Organisation) error {
	_, err := s.db.Collection(colOrganisations).InsertOne(ctx, o)
	return mapErr(err)
}

// Organisation returns one organisation by id.
func (s *Store) Organisation(ctx context.Context, id string) (*model.Organisation, error) {
	return findOne[model.Organisation](ctx, s, colOrganisations, bson.D{{Key: "_id", Value: id}})
}

// Organisations returns every organisation sorted by name.
func (s *Store) Organisations(ctx context.Context) ([]model.Organisation, error) {
	return findAll[model.Organisation](ctx, s, colOrganisations, bson.D{}, bson.D{{Key: "name", Value: 1}})
}

// RenameOrganisation changes an organisation's name.
func (s *Store) RenameOrganisation(ctx context.Context, id, name string) error {
	return s.updateOne(ctx, colOrganisations, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: name}}}})
}

// findAll runs a query and decodes every result.
func findAll[T any](ctx context.Context, s *Store, col string, filter, sort bson.D) ([]T, error) {
	opts := options.Find()
	if len(sort) > 0 {
		opts.SetSort(sort)
	}
	cur, err := s.db.Collection(col).Find(ctx, filter, opts)
	if err != nil {
		return nil, mapErr(err)
	}
	out := []T{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// findOne decodes the first match of filter into a new T.
func findOne[T any](ctx context.Context, s *Store, col string, filter bson.D) (*T, error) {
	var v T
	if err := s.db.Collection(col).FindOne(ctx, filter).Decode(&v); err != nil {
		return nil, mapErr(err)
	}
	return &v, nil
}

// updateOne applies update to the match of filter and reports
// apperr.ErrNotFound if there is none.
func (s *Store) updateOne(ctx context.Context, col string, filter, update bson.D) error {
	res, err := s.db.Collection(col).UpdateOne(ctx, filter, update)
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return notFound()
	}
	return nil
}

// deleteOne deletes the match of filter and reports apperr.ErrNotFound if
// there is none.
func (s *Store) deleteOne(ctx context.Context, col string, filter bson.D) error {
	res, err := s.db.Collection(col).DeleteOne(ctx, filter)
	if err != nil {
		return mapErr(err)
	}
	if res.DeletedCount == 0 {
		return notFound()
	}
	return nil
}
