// Package store persists buurtstem's data in MongoDB or in an embedded
// FerretDB on SQLite. It is the only package that imports the MongoDB driver:
// everything above it sees model types and apperr categories.
//
// # Backends
//
// By default Open starts FerretDB v1 inside the process, on a SQLite directory
// under the data directory, and connects the driver to it over a unix socket
// in that directory (no TCP port, directory mode 0700). With a URI it connects
// to a real MongoDB instead and nothing else changes.
//
// The embedded engine supports less than MongoDB, so the code here uses only
// the common part. The differences that shape it, measured with FerretDB
// v1.24.2 and kept in this one package:
//
//   - Only an exact {_id: …} filter uses an index; every other filter scans
//     the collection. Hot data is therefore addressed by _id (session tokens
//     are hashed into _id, throttles are keyed by a hash of the address).
//     Secondary indexes are still created, because MongoDB uses them.
//   - No TTL indexes: expiry (staff sessions, later media) is enforced by
//     the application on read and by Purge.
//   - No partial or sparse indexes: uniqueness of optional fields (a CBS
//     code) is checked by the application.
//   - No transactions or change streams, and — measured here — concurrent
//     updates of one document are not atomic: 20 concurrent $inc left a
//     counter at 1, and 4 of 20 concurrent version-conditional replaces
//     all "succeeded". Duplicate _id inserts are always refused, though.
//     So: read-modify-write operations are serialised inside this process
//     (Store.condMu), and what several processes must agree on is decided
//     by inserting a unique _id (join codes, live event seqs). On MongoDB
//     both hold anyway.
//   - A $group with more than one $sum silently returns zeros for all but
//     the first; capped collections are never trimmed. Neither is used.
//   - FerretDB logs every error reply with a wire dump at warning level, so
//     it gets a logger that passes errors only.
package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/writeconcern"

	"github.com/buurtstem/buurtstem/server/apperr"
)

// Options configures Open.
type Options struct {
	// URI of a MongoDB deployment. Empty starts the embedded engine.
	URI string
	// DataDir holds the embedded engine's files and socket.
	DataDir string
	// Database is the name of the database to use.
	Database string
	// EmbeddedTCP, if set, also serves the embedded engine on this loopback
	// address, so a second buurtstem process can share it through a URI.
	EmbeddedTCP string
	// Timeout bounds how long one operation waits for an unreachable server
	// before it fails with apperr.ErrUnavailable. Zero means 5 s.
	Timeout time.Duration
	// Observe, if set, is called after every command with its name, duration
	// and outcome; the metrics package turns it into a histogram.
	Observe func(command string, d time.Duration, ok bool)
	Logger  *slog.Logger
}

// Store is an open connection to the database.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	embedded *embedded
	log      *slog.Logger
	now      func() time.Time
	// condMu serialises conditional read-modify-write updates, which the
	// embedded engine does not make atomic (see the package doc).
	condMu sync.Mutex
	// writer names this process in documents only it writes (inbox index,
	// report counters, marks), so two processes never update one document
	// at the same time; markMu serialises this process's own mark updates.
	writer string
	// timeout is Options.Timeout: how long one operation waits for an
	// unreachable server.
	timeout time.Duration
	markMu  sync.Mutex
}

// Timeout is how long one operation should wait for an unreachable store
// (the store-timeout setting). The driver applies it only to calls whose
// context has no deadline of its own; callers that set one use this.
func (s *Store) Timeout() time.Duration { return s.timeout }

// Open connects to the configured backend, starting the embedded engine if
// no URI is given, and creates indexes.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Database == "" {
		opts.Database = "buurtstem"
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	s := &Store{log: opts.Logger, now: time.Now, writer: NewID()[:12], timeout: opts.Timeout}

	uri := opts.URI
	if uri == "" {
		e, err := startEmbedded(ctx, opts.DataDir, opts.EmbeddedTCP, opts.Logger)
		if err != nil {
			return nil, err
		}
		s.embedded = e
		uri = e.uri
	}

	co := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(opts.Timeout).
		SetConnectTimeout(opts.Timeout).
		SetTimeout(2 * opts.Timeout).
		SetAppName("buurtstem")
	// An acknowledged write must survive a crash: ask for the journal unless
	// the operator set a write concern in the URI.
	if !strings.Contains(strings.ToLower(uri), "w=") {
		co.SetWriteConcern(writeconcern.Majority())
	}
	if s.embedded != nil {
		co.SetDialer(socketDialer{path: s.embedded.socket})
	}
	if opts.Observe != nil {
		co.SetMonitor(commandMonitor(opts.Observe))
	}
	client, err := mongo.Connect(ctx, co)
	if err != nil {
		s.closeEmbedded()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s.client = client
	s.db = client.Database(opts.Database)

	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		s.closeEmbedded()
		return nil, fmt.Errorf("store: first ping: %w", err)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		s.closeEmbedded()
		return nil, fmt.Errorf("store: indexes: %w", err)
	}
	if _, err := s.IndexIDs(ctx, ""); err != nil {
		_ = client.Disconnect(context.Background())
		s.closeEmbedded()
		return nil, err
	}
	return s, nil
}

// Embedded reports whether the store runs the embedded engine.
func (s *Store) Embedded() bool { return s.embedded != nil }

// EmbeddedURI returns the URI of the embedded engine's TCP listener, or "".
func (s *Store) EmbeddedURI() string {
	if s.embedded == nil {
		return ""
	}
	return s.embedded.tcpURI
}

// EmbeddedSocketURI returns the URI of the embedded engine's unix socket, or
// "". Tests use it to open further stores on the same engine.
func (s *Store) EmbeddedSocketURI() string {
	if s.embedded == nil {
		return ""
	}
	return s.embedded.uri
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	err := s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
	return mapErr(err)
}

// Close disconnects and stops the embedded engine, if any. It waits for the
// engine to close its SQLite files so that nothing is left half-written.
func (s *Store) Close(ctx context.Context) error {
	err := s.client.Disconnect(ctx)
	s.closeEmbedded()
	return err
}

// DropDatabase removes the whole database. Tests use it to start clean.
func (s *Store) DropDatabase(ctx context.Context) error {
	return mapErr(s.db.Drop(ctx))
}

func (s *Store) closeEmbedded() {
	if s.embedded != nil {
		s.embedded.stop()
	}
}

// StopEmbeddedForTest stops the embedded engine while the client stays
// connected, so tests can see how the server behaves when the store is gone.
func (s *Store) StopEmbeddedForTest() { s.closeEmbedded() }

// NewID returns a random identifier of 128 bits in hex. Random ids leak
// nothing about order or count and cannot be enumerated.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b[:])
}

// mapErr turns driver errors into apperr categories.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return &apperr.Error{Kind: apperr.ErrNotFound, MsgID: "error.not_found", Cause: err}
	case mongo.IsDuplicateKeyError(err):
		return &apperr.Error{Kind: apperr.ErrConflict, MsgID: "error.conflict", Cause: err}
	case storageFull(err):
		// Unavailable, not internal: nothing was written, and the write
		// succeeds unchanged once the operator frees space (503 with a
		// retry hint; live submissions are resent with the same id).
		return &apperr.Error{Kind: apperr.ErrUnavailable, MsgID: "error.storage_full", Cause: err}
	case unavailable(err):
		return &apperr.Error{Kind: apperr.ErrUnavailable, MsgID: "error.unavailable", Cause: err}
	}
	return err
}

// storageFull recognises a full disk: SQLite's SQLITE_FULL through the
// embedded engine, MongoDB's OutOfDiskSpace (14031) or ENOSPC.
func storageFull(err error) bool {
	var se mongo.ServerError
	if errors.As(err, &se) && se.HasErrorCode(14031) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "no space left on device")
}

func unavailable(err error) bool {
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) ||
		errors.Is(err, mongo.ErrClientDisconnected) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var sse mongo.ServerError
	if errors.As(err, &sse) {
		return false
	}
	// Server selection failures have no exported sentinel in driver v1.
	return strings.Contains(err.Error(), "server selection error")
}

func commandMonitor(observe func(string, time.Duration, bool)) *event.CommandMonitor {
	return &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			observe(e.CommandName, e.Duration, true)
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			observe(e.CommandName, e.Duration, false)
		},
	}
}

func notFound() error {
	return &apperr.Error{Kind: apperr.ErrNotFound, MsgID: "error.not_found"}
}

func isNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }

func upsert() *options.ReplaceOptions { return options.Replace().SetUpsert(true) }
