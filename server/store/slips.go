package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// colSlipBatches holds the printed sheets of receipt slips, by _id.
const colSlipBatches = "receipt_slips"

// InsertReceipt stores a receipt under a new code from newCode, drawing
// again on the (astronomically rare) clash with an existing code; r.ID is
// set to the code used.
func (s *Store) InsertReceipt(ctx context.Context, r *model.Receipt, newCode func() string) error {
	for range 5 {
		r.ID = newCode()
		_, err := s.db.Collection(colReceipts).InsertOne(ctx, r)
		if mongo.IsDuplicateKeyError(err) {
			continue
		}
		return mapErr(err)
	}
	return &apperr.Error{Kind: apperr.ErrConflict, MsgID: "error.conflict"}
}

// InsertSlipBatch stores a printed sheet of slips.
func (s *Store) InsertSlipBatch(ctx context.Context, b *model.SlipBatch) error {
	_, err := s.db.Collection(colSlipBatches).InsertOne(ctx, b)
	return mapErr(err)
}

// SlipBatch returns a sheet of slips of an organisation; another
// organisation's sheet is not found. It reads by _id alone (the one filter
// the embedded engine serves from an index) and checks the organisation
// here.
func (s *Store) SlipBatch(ctx context.Context, orgID, id string) (*model.SlipBatch, error) {
	b, err := findOne[model.SlipBatch](ctx, s, colSlipBatches, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return nil, err
	}
	if b.OrgID != orgID {
		return nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	return b, nil
}
