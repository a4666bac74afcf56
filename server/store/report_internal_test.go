package store

import (
	"context"
	"log/slog"
	"maps"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/buurtstem/buurtstem/server/model"
)

// TestReportDaysMergeParticipants: participants are written apart from the
// counters, a batch at a time; reading a day gives every participant once,
// including those an older version kept inside the counters document.
func TestReportDaysMergeParticipants(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{DataDir: t.TempDir(), Database: "days", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	id := s.ReportDayID("s1", "2026-11-27")
	// As written before participants moved out of the counters document.
	if _, err := s.db.Collection(colReportDays).InsertOne(ctx, bson.D{
		{Key: "_id", Value: id}, {Key: "org_id", Value: "o"}, {Key: "session_id", Value: "s1"}, {Key: "day", Value: "2026-11-27"},
		{Key: "n", Value: 2}, {Key: "p", Value: bson.D{{Key: "old1", Value: "nl"}, {Key: "old2", Value: "ar"}}},
	}); err != nil {
		t.Fatal(err)
	}
	delta := func(n int, people map[string]string) *model.ReportDay {
		return &model.ReportDay{ID: id, OrgID: "o", SessionID: "s1", Day: "2026-11-27", Contributions: n,
			Kinds: map[string]int{"faces": n}, Participants: people}
	}
	for _, d := range []*model.ReportDay{
		delta(3, map[string]string{"a": "nl", "b": "tr"}),
		delta(1, nil), // nobody new
		delta(2, map[string]string{"b": "tr", "old1": "nl", "c": "uk"}),
	} {
		if err := s.AddReportDays(ctx, []*model.ReportDay{d}); err != nil {
			t.Fatal(err)
		}
	}
	// Another organisation's day stays out.
	if err := s.AddReportDays(ctx, []*model.ReportDay{{ID: s.ReportDayID("s2", "2026-11-27"), OrgID: "other",
		SessionID: "s2", Day: "2026-11-27", Contributions: 1, Participants: map[string]string{"x": "nl"}}}); err != nil {
		t.Fatal(err)
	}
	days, err := s.ReportDays(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 1 {
		t.Fatalf("got %d days, want 1", len(days))
	}
	want := map[string]string{"old1": "nl", "old2": "ar", "a": "nl", "b": "tr", "c": "uk"}
	if !maps.Equal(days[0].Participants, want) || days[0].Contributions != 8 || days[0].Kinds["faces"] != 6 {
		t.Fatalf("day = n %d kinds %v people %v, want n 8, 6 faces, people %v",
			days[0].Contributions, days[0].Kinds, days[0].Participants, want)
	}
	// The counters document no longer grows with every participant.
	n, err := s.db.Collection(colReportPeople).CountDocuments(ctx, bson.D{{Key: "org_id", Value: "o"}})
	if err != nil || n != 2 {
		t.Fatalf("%d participant documents (%v), want one per delta with participants: 2", n, err)
	}
}

// TestEmbeddedKeepsOnlyUniqueIndexes: on the embedded engine secondary
// indexes cost every insert and serve no query, so none are made and one
// left by an earlier version is dropped; unique indexes stay (they keep
// e-mail addresses unique), and every collection exists after Open.
func TestEmbeddedKeepsOnlyUniqueIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{DataDir: t.TempDir(), Database: "idx2", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	// As an earlier version made it.
	if _, err := s.db.Collection(colContributions).Indexes().CreateOne(ctx, indexes[colContributions][0]); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	for col := range indexes {
		have, err := s.indexNames(ctx, col)
		if err != nil {
			t.Fatal(err)
		}
		if !have["_id_"] {
			t.Errorf("%s does not exist after EnsureIndexes: %v", col, have)
		}
		for _, m := range indexes[col] {
			unique := m.Options.Unique != nil && *m.Options.Unique
			if have[*m.Options.Name] != unique {
				t.Errorf("%s index %s: present %v, want %v (unique %v)", col, *m.Options.Name, have[*m.Options.Name], unique, unique)
			}
		}
	}
}
