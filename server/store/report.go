package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/buurtstem/buurtstem/server/model"
)

// ReportDayID is the _id of this process's counters of a session's day.
func (s *Store) ReportDayID(sessionID, day string) string {
	return sessionID + ":" + day + ":" + s.writer
}

// AddReportDays adds counts to report-day documents in one unordered bulk
// write: each delta's counts are $inc'ed, its participants $set. Only this
// process writes documents with its writer id, and it calls this from one
// goroutine (the group commit), because concurrent $inc on one document
// are not atomic on the embedded engine.
func (s *Store) AddReportDays(ctx context.Context, deltas []*model.ReportDay) error {
	if len(deltas) == 0 {
		return nil
	}
	models := make([]mongo.WriteModel, 0, len(deltas))
	for _, d := range deltas {
		inc := bson.D{{Key: "n", Value: d.Contributions}}
		for _, m := range []struct {
			field  string
			counts map[string]int
		}{{"kind", d.Kinds}, {"theme", d.Themes}, {"face", d.Faces}, {"lang", d.Langs}} {
			for k, v := range m.counts {
				inc = append(inc, bson.E{Key: m.field + "." + k, Value: v})
			}
		}
		set := bson.D{
			{Key: "org_id", Value: d.OrgID}, {Key: "session_id", Value: d.SessionID},
			{Key: "neighbourhood_id", Value: d.NeighbourhoodID}, {Key: "day", Value: d.Day},
		}
		for p, lang := range d.Participants {
			set = append(set, bson.E{Key: "p." + p, Value: lang})
		}
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: d.ID}}).
			SetUpdate(bson.D{{Key: "$inc", Value: inc}, {Key: "$set", Value: set}}).
			SetUpsert(true))
	}
	_, err := s.db.Collection(colReportDays).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return mapErr(err)
}

// ReportDays returns every report-day document of an organisation.
func (s *Store) ReportDays(ctx context.Context, orgID string) ([]model.ReportDay, error) {
	return findAll[model.ReportDay](ctx, s, colReportDays, bson.D{{Key: "org_id", Value: orgID}}, nil)
}

// colProfileSums is the collection where the resident client (#5) counts
// the voluntary profile answers of each session on write (_id = session
// id). Reports read it by _id; its shape is ProfileSums.
const colProfileSums = "profile_counts"

// ProfileSums are the counted profile answers of one session: how many
// profiles were given and, per question, how often each answer code was
// chosen.
type ProfileSums struct {
	Profiles  int            `bson:"profiles"`
	AgeBand   map[string]int `bson:"age_band"`
	HomeLang  map[string]int `bson:"home_lang"`
	School    map[string]int `bson:"school"`
	FirstTime map[string]int `bson:"first_time"`
}

// ProfileSums returns a session's profile counts; none are zero counts.
func (s *Store) ProfileSums(ctx context.Context, sessionID string) (*ProfileSums, error) {
	ps, err := findOne[ProfileSums](ctx, s, colProfileSums, bson.D{{Key: "_id", Value: sessionID}})
	if isNotFound(err) {
		return &ProfileSums{}, nil
	}
	return ps, err
}
