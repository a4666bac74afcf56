package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/buurtstem/buurtstem/server/model"
)

// InsertVenue stores a new venue.
func (s *Store) InsertVenue(ctx context.Context, v *model.Venue) error {
	_, err := s.db.Collection(colVenues).InsertOne(ctx, v)
	return mapErr(err)
}

// Venue returns one venue of an organisation.
func (s *Store) Venue(ctx context.Context, orgID, id string) (*model.Venue, error) {
	return findOne[model.Venue](ctx, s, colVenues, orgFilter(orgID, id))
}

// Venues returns all venues of an organisation by name.
func (s *Store) Venues(ctx context.Context, orgID string) ([]model.Venue, error) {
	return findAll[model.Venue](ctx, s, colVenues,
		bson.D{{Key: "org_id", Value: orgID}}, bson.D{{Key: "name", Value: 1}})
}

// UpdateVenue replaces the editable fields of a venue.
func (s *Store) UpdateVenue(ctx context.Context, v *model.Venue) error {
	return s.updateOne(ctx, colVenues, orgFilter(v.OrgID, v.ID),
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: v.Name},
			{Key: "address", Value: v.Address},
			{Key: "neighbourhood_id", Value: v.NeighbourhoodID},
		}}})
}

// DeleteVenue removes a venue.
func (s *Store) DeleteVenue(ctx context.Context, orgID, id string) error {
	return s.deleteOne(ctx, colVenues, orgFilter(orgID, id))
}

// CountVenuesIn counts the venues in a neighbourhood.
func (s *Store) CountVenuesIn(ctx context.Context, orgID, neighbourhoodID string) (int64, error) {
	n, err := s.db.Collection(colVenues).CountDocuments(ctx,
		bson.D{{Key: "org_id", Value: orgID}, {Key: "neighbourhood_id", Value: neighbourhoodID}})
	return n, mapErr(err)
}
