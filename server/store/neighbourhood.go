package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/buurtstem/buurtstem/server/model"
)

// Every query on organisation-owned data filters on org_id as well as _id:
// an id from another organisation finds nothing, whatever the layer above
// forgot to check.

// InsertNeighbourhood stores a new neighbourhood.
func (s *Store) InsertNeighbourhood(ctx context.Context, n *model.Neighbourhood) error {
	_, err := s.db.Collection(colNeighbourhoods).InsertOne(ctx, n)
	return mapErr(err)
}

// Neighbourhood returns one neighbourhood of an organisation.
func (s *Store) Neighbourhood(ctx context.Context, orgID, id string) (*model.Neighbourhood, error) {
	return findOne[model.Neighbourhood](ctx, s, colNeighbourhoods, orgFilter(orgID, id))
}

// Neighbourhoods returns all neighbourhoods of an organisation by name.
func (s *Store) Neighbourhoods(ctx context.Context, orgID string) ([]model.Neighbourhood, error) {
	return findAll[model.Neighbourhood](ctx, s, colNeighbourhoods,
		bson.D{{Key: "org_id", Value: orgID}}, bson.D{{Key: "name", Value: 1}})
}

// UpdateNeighbourhood replaces the editable fields of a neighbourhood.
func (s *Store) UpdateNeighbourhood(ctx context.Context, n *model.Neighbourhood) error {
	return s.updateOne(ctx, colNeighbourhoods, orgFilter(n.OrgID, n.ID),
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: n.Name},
			{Key: "cbs_code", Value: n.CBSCode},
		}}})
}

// DeleteNeighbourhood removes a neighbourhood. The caller checks that nothing
// refers to it.
func (s *Store) DeleteNeighbourhood(ctx context.Context, orgID, id string) error {
	return s.deleteOne(ctx, colNeighbourhoods, orgFilter(orgID, id))
}

// CountNeighbourhoodChildren counts the neighbourhoods directly inside id.
func (s *Store) CountNeighbourhoodChildren(ctx context.Context, orgID, id string) (int64, error) {
	n, err := s.db.Collection(colNeighbourhoods).CountDocuments(ctx,
		bson.D{{Key: "org_id", Value: orgID}, {Key: "parent_id", Value: id}})
	return n, mapErr(err)
}

// NeighbourhoodByCBSCode finds a neighbourhood of an organisation by its CBS
// code. Uniqueness of the optional code is checked here rather than by a
// partial index, which the embedded engine lacks.
func (s *Store) NeighbourhoodByCBSCode(ctx context.Context, orgID, code string) (*model.Neighbourhood, error) {
	return findOne[model.Neighbourhood](ctx, s, colNeighbourhoods,
		bson.D{{Key: "org_id", Value: orgID}, {Key: "cbs_code", Value: code}})
}

func orgFilter(orgID, id string) bson.D {
	return bson.D{{Key: "_id", Value: id}, {Key: "org_id", Value: orgID}}
}
