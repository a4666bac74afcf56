package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// What residents keep: the list of their input per participant, receipt
// codes and the voluntary profile. Every read here is an _id lookup, the
// one query the embedded engine serves from an index.
const (
	colParticipantInputs = "participant_inputs"
	colReceipts          = "receipts"
	colProfiles          = "profiles"
	colProfileCounts     = "profile_counts"
)

// MaxListedInputs caps how many contributions "my input" reads for one
// participant: a resident gives a few answers per session, and every one
// listed costs an _id read.
const MaxListedInputs = 200

// A participant's "my input" list is a head document {_id: participant}
// (the receipt code) plus one document per batch of answers,
// {_id: "participant#n"}, n = 1, 2, … Appending is then an insert: one
// InsertMany for every participant of a batch, which the embedded engine
// writes in one transaction. An update per participant — the first
// design — cost the engine a transaction and a disk flush each, and at
// 1,000 residents answering it held up the live group commit (ack p99
// 440 ms instead of under 100). Reading costs an _id lookup per document,
// and a resident gives a handful of answers per session.

// InputsID is the _id of a participant's n-th list document.
func InputsID(participantID string, n int) string { return participantID + "#" + strconv.Itoa(n) }

// maxInputRounds bounds the search for a free n (after a restart the
// recorder does not know how many documents a participant has).
const maxInputRounds = 1000

// AddInputs appends contribution ids to their participants' lists
// (participant id → ids). next holds, per participant, the n to try first;
// AddInputs moves it past what it wrote, so a caller that keeps the map
// needs no lookups.
func (s *Store) AddInputs(ctx context.Context, lists map[string][]string, next map[string]int) error {
	if len(lists) == 0 {
		return nil
	}
	now := time.Now().UTC()
	pending := make([]string, 0, len(lists))
	for p := range lists {
		pending = append(pending, p)
		if next[p] < 1 {
			next[p] = 1
		}
	}
	for round := 0; len(pending) > 0; round++ {
		if round == maxInputRounds {
			return &apperr.Error{Kind: apperr.ErrConflict, MsgID: "error.conflict"}
		}
		docs := make([]any, len(pending))
		for i, p := range pending {
			docs[i] = model.ParticipantInputs{ID: InputsID(p, next[p]), Contributions: dedupe(lists[p]), UpdatedAt: now}
		}
		_, err := s.db.Collection(colParticipantInputs).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err == nil {
			for _, p := range pending {
				next[p]++
			}
			return nil
		}
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
			return mapErr(err)
		}
		taken := map[int]bool{}
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 || we.Index < 0 || we.Index >= len(pending) {
				// Not written for another reason: keep next where it is,
				// so that a retry leaves no gap (a gap would end the list).
				return mapErr(err)
			}
			taken[we.Index] = true
		}
		var again []string
		for i, p := range pending {
			next[p]++
			if taken[i] {
				again = append(again, p)
			}
		}
		pending = again
	}
	return nil
}

func dedupe(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// ParticipantInputs returns a participant's list (at most MaxListedInputs
// ids, oldest first, each once) and receipt code; a participant who gave
// nothing yet has an empty one.
func (s *Store) ParticipantInputs(ctx context.Context, participantID string) (*model.ParticipantInputs, error) {
	p, err := findOne[model.ParticipantInputs](ctx, s, colParticipantInputs, bson.D{{Key: "_id", Value: participantID}})
	if isNotFound(err) {
		p, err = &model.ParticipantInputs{ID: participantID}, nil
	}
	if err != nil {
		return nil, err
	}
	for n := 1; len(p.Contributions) < MaxListedInputs; n++ {
		d, err := findOne[model.ParticipantInputs](ctx, s, colParticipantInputs, bson.D{{Key: "_id", Value: InputsID(participantID, n)}})
		if isNotFound(err) {
			break
		}
		if err != nil {
			return nil, err
		}
		p.Contributions = append(p.Contributions, d.Contributions...)
		if d.UpdatedAt.After(p.UpdatedAt) {
			p.UpdatedAt = d.UpdatedAt
		}
	}
	// A batch written again after a failed attempt repeats its ids.
	p.Contributions = dedupe(p.Contributions)
	if len(p.Contributions) > MaxListedInputs {
		p.Contributions = p.Contributions[:MaxListedInputs]
	}
	return p, nil
}

// ContributionsByID reads contributions one _id at a time (an $in filter
// would scan on the embedded engine), in the order given, skipping ids
// that are gone.
func (s *Store) ContributionsByID(ctx context.Context, ids []string) ([]model.Contribution, error) {
	out := make([]model.Contribution, 0, len(ids))
	for _, id := range ids {
		c, err := findOne[model.Contribution](ctx, s, colContributions, bson.D{{Key: "_id", Value: id}})
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// ReceiptFor returns the participant's receipt code, making one with
// newCode if there is none yet. A code that is taken already is drawn
// again; the code is the _id of the receipts collection, so uniqueness is
// the store's primary key.
func (s *Store) ReceiptFor(ctx context.Context, participantID string, newCode func() string) (string, error) {
	s.condMu.Lock()
	defer s.condMu.Unlock()
	p, err := s.ParticipantInputs(ctx, participantID)
	if err != nil {
		return "", err
	}
	if p.Receipt != "" {
		return p.Receipt, nil
	}
	now := time.Now().UTC()
	for range 5 {
		code := newCode()
		_, err := s.db.Collection(colReceipts).InsertOne(ctx, model.Receipt{ID: code, ParticipantID: participantID, CreatedAt: now})
		if mongo.IsDuplicateKeyError(err) {
			continue
		}
		if err != nil {
			return "", mapErr(err)
		}
		_, err = s.db.Collection(colParticipantInputs).UpdateOne(ctx, bson.D{{Key: "_id", Value: participantID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "receipt", Value: code}, {Key: "updated_at", Value: now}}}},
			options.Update().SetUpsert(true))
		return code, mapErr(err)
	}
	return "", &apperr.Error{Kind: apperr.ErrConflict, MsgID: "error.conflict"}
}

// Receipt returns the receipt with this code.
func (s *Store) Receipt(ctx context.Context, code string) (*model.Receipt, error) {
	return findOne[model.Receipt](ctx, s, colReceipts, bson.D{{Key: "_id", Value: code}})
}

// Profile returns a stored profile by its id.
func (s *Store) Profile(ctx context.Context, id string) (*model.Profile, error) {
	return findOne[model.Profile](ctx, s, colProfiles, bson.D{{Key: "_id", Value: id}})
}

// SaveProfile stores a profile (replacing the participant's earlier one for
// the session) and keeps the session's ProfileCounts in step: the new
// answers are counted and the replaced ones uncounted. Updates are
// serialised in this process because the embedded engine does not make
// concurrent $inc on one document atomic (see the package doc).
func (s *Store) SaveProfile(ctx context.Context, p *model.Profile) error {
	s.condMu.Lock()
	defer s.condMu.Unlock()
	now := time.Now().UTC()
	p.UpdatedAt = now
	old, err := s.Profile(ctx, p.ID)
	switch {
	case isNotFound(err):
		old = nil
		p.CreatedAt = now
	case err != nil:
		return err
	default:
		p.CreatedAt = old.CreatedAt
	}
	if _, err := s.db.Collection(colProfiles).ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.ID}}, p, upsert()); err != nil {
		return mapErr(err)
	}
	inc := bson.D{}
	add := func(field, oldV, newV string) {
		if oldV == newV {
			return
		}
		if oldV != "" {
			inc = append(inc, bson.E{Key: field + "." + oldV, Value: -1})
		}
		if newV != "" {
			inc = append(inc, bson.E{Key: field + "." + newV, Value: 1})
		}
	}
	var o model.Profile
	if old != nil {
		o = *old
	} else {
		inc = append(inc, bson.E{Key: "profiles", Value: 1})
	}
	add("age_band", o.AgeBand, p.AgeBand)
	add("home_lang", o.HomeLang, p.HomeLang)
	add("school", o.School, p.School)
	add("first_time", o.FirstTime, p.FirstTime)
	if len(inc) == 0 {
		return nil
	}
	_, err = s.db.Collection(colProfileCounts).UpdateOne(ctx, bson.D{{Key: "_id", Value: p.SessionID}},
		bson.D{{Key: "$inc", Value: inc}, {Key: "$set", Value: bson.D{{Key: "org_id", Value: p.OrgID}, {Key: "updated_at", Value: now}}}},
		options.Update().SetUpsert(true))
	return mapErr(err)
}

// ProfileCounts returns the counted profile answers of a session; a session
// without profiles has zero counts.
func (s *Store) ProfileCounts(ctx context.Context, sessionID string) (*model.ProfileCounts, error) {
	pc, err := findOne[model.ProfileCounts](ctx, s, colProfileCounts, bson.D{{Key: "_id", Value: sessionID}})
	if isNotFound(err) {
		return &model.ProfileCounts{ID: sessionID}, nil
	}
	return pc, err
}
