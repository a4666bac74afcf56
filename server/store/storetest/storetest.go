// Package storetest gives each test its own database on one embedded engine
// per test binary, the way FerretDB's own integration setup does: real
// storage, no mocks, no cross-test leftovers.
package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"testing"

	"github.com/buurtstem/buurtstem/server/store"
)

var (
	once    sync.Once
	engine  *store.Store
	dir     string
	initErr error
)

// Main runs a package's tests and then stops the shared engine. Call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if engine != nil {
		_ = engine.Close(context.Background())
	}
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}

// URI returns the address of the shared engine, starting it if needed. With
// BUURTSTEM_TEST_MONGODB_URI set, tests run against that MongoDB instead.
func URI(t testing.TB) string {
	if uri := os.Getenv("BUURTSTEM_TEST_MONGODB_URI"); uri != "" {
		return uri
	}
	once.Do(func() {
		dir, initErr = os.MkdirTemp("", "bst")
		if initErr != nil {
			return
		}
		engine, initErr = store.Open(context.Background(), store.Options{
			DataDir: dir,
			Logger:  slog.New(slog.DiscardHandler),
		})
	})
	if initErr != nil {
		t.Fatalf("start embedded engine: %v", initErr)
	}
	return engine.EmbeddedSocketURI()
}

var unsafe = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// DatabaseName returns a database name derived from the test's name.
func DatabaseName(t testing.TB) string {
	name := unsafe.ReplaceAllString(t.Name(), "_")
	if len(name) > 50 {
		name = fmt.Sprintf("%s_%x", name[:40], len(t.Name()))
	}
	return "t_" + name
}

// New opens a store on a fresh database named after the test; leftovers of
// an earlier run are dropped first and the database is dropped at the end.
func New(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{
		URI:      URI(t),
		Database: DatabaseName(t),
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	if err := s.DropDatabase(ctx); err != nil {
		t.Fatalf("drop leftovers: %v", err)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatalf("indexes: %v", err)
	}
	IndexIDs(t, s)
	t.Cleanup(func() {
		_ = s.DropDatabase(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// IndexIDs gives the collections of a test's database the _id index the
// embedded engine lacks (see store.IndexIDs). New calls it; call it again
// after creating collections whose _id lookups a test or benchmark times.
func IndexIDs(t testing.TB, s *store.Store) {
	t.Helper()
	if engine == nil {
		return // a real MongoDB
	}
	if _, err := engine.IndexIDs(context.Background(), s.DatabaseName()); err != nil {
		t.Fatalf("index _id: %v", err)
	}
}
