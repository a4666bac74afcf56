package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/buurtstem/buurtstem/server/model"
)

// InsertStaffSession stores a new login.
func (s *Store) InsertStaffSession(ctx context.Context, ss *model.StaffSession) error {
	_, err := s.db.Collection(colStaffSessions).InsertOne(ctx, ss)
	return mapErr(err)
}

// StaffSession returns a login by the hash of its token: an _id lookup, the
// one query the embedded engine serves from an index.
func (s *Store) StaffSession(ctx context.Context, id string) (*model.StaffSession, error) {
	return findOne[model.StaffSession](ctx, s, colStaffSessions, bson.D{{Key: "_id", Value: id}})
}

// TouchStaffSession records activity on a login.
func (s *Store) TouchStaffSession(ctx context.Context, id string, at time.Time) error {
	return s.updateOne(ctx, colStaffSessions, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_seen_at", Value: at}}}})
}

// DeleteStaffSession ends a login. Ending one that is gone is not an error.
func (s *Store) DeleteStaffSession(ctx context.Context, id string) error {
	_, err := s.db.Collection(colStaffSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return mapErr(err)
}

// DeleteStaffSessionsOf ends every login of an account but the one with
// id except (none if empty), e.g. after a password change or when the
// account is disabled.
func (s *Store) DeleteStaffSessionsOf(ctx context.Context, staffID, except string) error {
	filter := bson.D{{Key: "staff_id", Value: staffID}}
	if except != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: except}}})
	}
	_, err := s.db.Collection(colStaffSessions).DeleteMany(ctx, filter)
	return mapErr(err)
}

// PurgeStaffSessions deletes logins idle since before idleBefore or created
// before createdBefore. The embedded engine has no TTL indexes, so this runs
// from the application's purge job.
func (s *Store) PurgeStaffSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := s.db.Collection(colStaffSessions).DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "last_seen_at", Value: bson.D{{Key: "$lt", Value: idleBefore}}}},
		bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: createdBefore}}}},
	}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return res.DeletedCount, nil
}

// LoginThrottle returns the failure count for a hashed address; a fresh
// zero value if there is none.
func (s *Store) LoginThrottle(ctx context.Context, id string) (*model.LoginThrottle, error) {
	t, err := findOne[model.LoginThrottle](ctx, s, colLoginThrottle, bson.D{{Key: "_id", Value: id}})
	if isNotFound(err) {
		return &model.LoginThrottle{ID: id}, nil
	}
	return t, err
}

// SaveLoginThrottle writes a throttle record.
func (s *Store) SaveLoginThrottle(ctx context.Context, t *model.LoginThrottle) error {
	_, err := s.db.Collection(colLoginThrottle).ReplaceOne(ctx, bson.D{{Key: "_id", Value: t.ID}}, t,
		upsert())
	return mapErr(err)
}

// ClearLoginThrottle forgets the failures for a hashed address.
func (s *Store) ClearLoginThrottle(ctx context.Context, id string) error {
	_, err := s.db.Collection(colLoginThrottle).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return mapErr(err)
}

// PurgeLoginThrottles forgets failures older than before.
func (s *Store) PurgeLoginThrottles(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Collection(colLoginThrottle).DeleteMany(ctx,
		bson.D{{Key: "updated_at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	return res.DeletedCount, nil
}
