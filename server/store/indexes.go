package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Collection names.
const (
	colOrganisations  = "organisations"
	colNeighbourhoods = "neighbourhoods"
	colVenues         = "venues"
	colStaff          = "staff"
	colStaffSessions  = "staff_sessions"
	colLoginThrottle  = "login_throttle"
	colSessions       = "sessions"
	colJoinCodes      = "join_codes"
	colContributions  = "contributions"
	colLiveHeads      = "live_heads"
	colLiveEvents     = "live_events"
	colLivePresence   = "live_presence"
)

// indexes lists every collection and its secondary indexes. The embedded
// engine does not use them for queries (only _id lookups are indexed there)
// but enforces uniqueness; MongoDB uses them for both. Names are fixed so
// that creating them again at every start is a no-op. A collection with no
// index of its own is listed all the same (nil): EnsureIndexes creates it,
// so that it exists when the _id expression index is made at Open
// (idindex.go); one created later scanned its table on every _id read
// until the next maintenance pass. TestNoAddressAfterFullJourney checks
// that every collection a journey writes is here.
var indexes = map[string][]mongo.IndexModel{
	colOrganisations:     nil,
	colJoinCodes:         nil,
	colLiveHeads:         nil,
	colLoginThrottle:     nil,
	colParticipantInputs: nil,
	colProfileCounts:     nil,
	colProfiles:          nil,
	colReceipts:          nil,
	colSecrets:           nil,
	colNeighbourhoods: {
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "name", Value: 1}}, Options: options.Index().SetName("org_name")},
	},
	colVenues: {
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "name", Value: 1}}, Options: options.Index().SetName("org_name")},
	},
	colStaff: {
		{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetName("email_unique").SetUnique(true)},
		{Keys: bson.D{{Key: "memberships.org_id", Value: 1}}, Options: options.Index().SetName("membership_org")},
	},
	colSessions: {
		{Keys: bson.D{{Key: "org_id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("org_created")},
	},
	colContributions: {
		{Keys: bson.D{{Key: "session_id", Value: 1}, {Key: "created_at", Value: 1}}, Options: options.Index().SetName("session_created")},
		{Keys: bson.D{{Key: "participant_id", Value: 1}}, Options: options.Index().SetName("participant")},
	},
	colLiveEvents: {
		{Keys: bson.D{{Key: "at", Value: 1}}, Options: options.Index().SetName("at")},
	},
	colLivePresence: {
		{Keys: bson.D{{Key: "session", Value: 1}}, Options: options.Index().SetName("session")},
	},
	colStaffSessions: {
		{Keys: bson.D{{Key: "staff_id", Value: 1}}, Options: options.Index().SetName("staff")},
	},
	colMediaFiles: {
		{Keys: bson.D{{Key: "metadata.org_id", Value: 1}, {Key: "uploadDate", Value: 1}}, Options: options.Index().SetName("org_uploaded")},
	},
	colMediaChunks: {
		// The index every GridFS reader expects.
		{Keys: bson.D{{Key: "files_id", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetName("files_id_1_n_1").SetUnique(true)},
	},
}

// EnsureIndexes creates every index that does not exist yet. Open calls it
// at every start; it is safe to call again.
//
// It lists the existing indexes and creates only the missing ones, because
// FerretDB v1.24.2 drops the connection (an internal "slice bounds out of
// range" panic) on a createIndexes whose indexes all exist already.
//
// On FerretDB (the embedded engine, also when reached over -store-listen)
// only unique indexes are made, and other ones left from earlier versions
// are dropped: its SQLite backend filters on _id alone and evaluates every
// other condition in Go after reading the rows, so a secondary index is
// never read, but every insert pays for it. The two on contributions made
// an insert 117 µs instead of 86 µs a document. The collection is still
// created, so that it exists when the _id expression index (idindex.go) is
// made.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	engine, _, err := s.engineInfo(ctx)
	if err != nil {
		return err
	}
	ferret := engine == "ferretdb"
	for col, models := range indexes {
		have, err := s.indexNames(ctx, col)
		if err != nil {
			return err
		}
		var missing []mongo.IndexModel
		for _, m := range models {
			unused := ferret && (m.Options.Unique == nil || !*m.Options.Unique)
			switch {
			case unused && have[*m.Options.Name]:
				if _, err := s.db.Collection(col).Indexes().DropOne(ctx, *m.Options.Name); err != nil {
					return mapErr(err)
				}
			case !unused && !have[*m.Options.Name]:
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 {
			if len(have) == 0 {
				if err := s.db.CreateCollection(ctx, col); err != nil && !isNamespaceExists(err) {
					return mapErr(err)
				}
			}
			continue
		}
		if _, err := s.db.Collection(col).Indexes().CreateMany(ctx, missing); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// isNamespaceExists reports a CreateCollection of a collection that exists.
func isNamespaceExists(err error) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(48)
}

func (s *Store) indexNames(ctx context.Context, col string) (map[string]bool, error) {
	cur, err := s.db.Collection(col).Indexes().List(ctx)
	if err != nil {
		// A collection that does not exist yet has no indexes; MongoDB says
		// so with NamespaceNotFound (26), FerretDB with an empty list.
		var se mongo.ServerError
		if errors.As(err, &se) && se.HasErrorCode(26) {
			return map[string]bool{}, nil
		}
		return nil, mapErr(err)
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, mapErr(err)
	}
	have := make(map[string]bool, len(specs))
	for _, sp := range specs {
		have[sp.Name] = true
	}
	return have, nil
}
