package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
)

// TestIDIndexServesFerretDBsLookups: every table gets an index on the very
// expression FerretDB's _id lookups filter on (metadata.IDColumn in
// FerretDB v1.24.2: _ferretdb_sjson->'$._id'), and SQLite's planner uses it
// for that filter instead of scanning.
func TestIDIndexServesFerretDBsLookups(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{DataDir: t.TempDir(), Database: "idx", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	// A collection created after Open, as many are (at their first write).
	if _, err := s.db.Collection("later").InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	n, err := s.IndexIDs(ctx, "")
	if err != nil || n != 1 {
		t.Fatalf("IndexIDs added %d (%v), want 1 for the new collection", n, err)
	}
	if n, err := s.IndexIDs(ctx, ""); err != nil || n != 0 {
		t.Fatalf("second IndexIDs added %d (%v), want 0", n, err)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.embedded.dbDir, "idx.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := strings1(ctx, db, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil || len(tables) < 2 {
		t.Fatalf("tables %v: %v", tables, err)
	}
	for _, tbl := range tables {
		rows, err := db.QueryContext(ctx, fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, tbl), `"a"`)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "USING INDEX "+tbl+idIndexSuffix) {
			t.Errorf("table %s: plan %q does not use the _id index", tbl, p)
		}
	}
}
