package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	// The SQLite driver FerretDB itself uses, for the one statement below
	// that FerretDB cannot be asked for.
	_ "modernc.org/sqlite"
)

// FerretDB v1.24.2 on SQLite answers a {_id: x} filter with
//
//	WHERE _ferretdb_sjson->'$._id' = ?
//
// but the unique index it creates for _id is on _ferretdb_sjson->"_id", an
// expression SQLite does not recognise as the same, so every _id lookup
// scans its table: measured here at 40,000 documents, a FindOne by _id
// took 250 ms and a miss 296 ms; with an index on the expression the
// queries use, 0.6 ms and 0.5 ms. indexIDs adds that index, straight in
// SQLite, to every table of a database. SQLite maintains it on every write;
// FerretDB neither knows nor minds (dropping a collection drops its table
// and the index with it). The lookups the design relies on — contributions,
// live events, heads, join codes by _id — depend on it.

// idIndexSuffix names the added indexes: "<table>_bst_id".
const idIndexSuffix = "_bst_id"

// indexIDs adds the _id expression index to every table of the database
// that lacks one and returns how many it added. A database with no
// collections yet has no file: nothing to do.
func (e *embedded) indexIDs(ctx context.Context, database string) (int, error) {
	file := filepath.Join(e.dbDir, database+".sqlite")
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	// The same busy timeout FerretDB uses: a statement waits for its
	// writers rather than failing.
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	tables, err := strings1(ctx, db, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return 0, fmt.Errorf("store: list tables of %s: %w", database, err)
	}
	existing, err := strings1(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'index'`)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, n := range existing {
		have[n] = true
	}
	added := 0
	for _, t := range tables {
		name := t + idIndexSuffix
		if have[name] {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, name, t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return added, fmt.Errorf("store: index _id of %s: %w", t, err)
		}
		added++
	}
	return added, nil
}

func strings1(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// IndexIDs gives every collection of the embedded engine's database (or of
// another database on the same engine) an index its _id lookups use; see
// above. Open calls it; the server calls it again now and then for
// collections created since. With MongoDB it does nothing: _id is indexed
// there.
func (s *Store) IndexIDs(ctx context.Context, database string) (int, error) {
	if s.embedded == nil {
		return 0, nil
	}
	if database == "" {
		database = s.db.Name()
	}
	return s.embedded.indexIDs(ctx, database)
}

// DatabaseName is the name of the database the store works in.
func (s *Store) DatabaseName() string { return s.db.Name() }
