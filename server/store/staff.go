package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/buurtstem/buurtstem/server/model"
)

// InsertStaff stores a new staff account. A taken e-mail address gives
// apperr.ErrConflict.
func (s *Store) InsertStaff(ctx context.Context, st *model.Staff) error {
	_, err := s.db.Collection(colStaff).InsertOne(ctx, st)
	return mapErr(err)
}

// Staff returns one account by id.
func (s *Store) Staff(ctx context.Context, id string) (*model.Staff, error) {
	return findOne[model.Staff](ctx, s, colStaff, bson.D{{Key: "_id", Value: id}})
}

// StaffByEmail returns the account with this (lower-cased) address.
func (s *Store) StaffByEmail(ctx context.Context, email string) (*model.Staff, error) {
	return findOne[model.Staff](ctx, s, colStaff, bson.D{{Key: "email", Value: email}})
}

// StaffOf returns the accounts with a role in an organisation, by name.
func (s *Store) StaffOf(ctx context.Context, orgID string) ([]model.Staff, error) {
	return findAll[model.Staff](ctx, s, colStaff,
		bson.D{{Key: "memberships.org_id", Value: orgID}}, bson.D{{Key: "name", Value: 1}})
}

// CountStaff counts all accounts; zero means a first start.
func (s *Store) CountStaff(ctx context.Context) (int64, error) {
	n, err := s.db.Collection(colStaff).CountDocuments(ctx, bson.D{})
	return n, mapErr(err)
}

// SetPassword stores a new password hash and whether it must be changed at
// the next login.
func (s *Store) SetPassword(ctx context.Context, staffID, hash string, mustChange bool) error {
	return s.updateOne(ctx, colStaff, bson.D{{Key: "_id", Value: staffID}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "password_hash", Value: hash},
			{Key: "must_change_password", Value: mustChange},
		}}})
}

// SetStaffDetails changes name and disabled state of an account.
func (s *Store) SetStaffDetails(ctx context.Context, staffID, name string, disabled bool) error {
	return s.updateOne(ctx, colStaff, bson.D{{Key: "_id", Value: staffID}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: name},
			{Key: "disabled", Value: disabled},
		}}})
}

// SetMemberships replaces an account's roles in one single-document write.
// Callers read the account, change the list and write it back; two admins
// editing the same account at once is rare enough for last-writer-wins.
func (s *Store) SetMemberships(ctx context.Context, staffID string, ms []model.Membership) error {
	if ms == nil {
		ms = []model.Membership{}
	}
	return s.updateOne(ctx, colStaff, bson.D{{Key: "_id", Value: staffID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "memberships", Value: ms}}}})
}
