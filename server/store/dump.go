package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// This file holds the primitives of backup and restore (server/backup): read
// every collection of the database as raw BSON, whatever its name, and load
// such documents into an empty database. They are generic on purpose: a
// collection added later (GridFS's fs.files and fs.chunks for voice notes
// and photos, say) is part of the next backup without a change here.

// ErrInUse means another process holds the embedded store's data directory
// (its lock file). Backup and restore tell the operator to stop the server.
var ErrInUse = errors.New("in use by another buurtstem process")

// Consistency says how far a Snapshot is a copy of one moment.
type Consistency string

const (
	// Exclusive: the embedded engine runs inside this process and this
	// process holds the data directory's lock, so nothing else can write
	// while the snapshot is read.
	Exclusive Consistency = "exclusive"
	// PointInTime: MongoDB snapshot reads (a replica set, MongoDB 5.0 or
	// newer): every collection is read as of one cluster time.
	PointInTime Consistency = "snapshot"
	// PerDocument: each document is whole, but writes made while the
	// backup ran may be partly in it (a shared embedded engine, which has
	// no snapshots, or a MongoDB without snapshot reads).
	PerDocument Consistency = "per-document"
)

// Snapshot reads the whole database for a backup.
type Snapshot struct {
	s           *Store
	sess        mongo.Session // snapshot session on MongoDB, else nil
	consistency Consistency
	engine      string
}

// Snapshot starts reading the database. Close it when done.
func (s *Store) Snapshot(ctx context.Context) (*Snapshot, error) {
	sn := &Snapshot{s: s, consistency: PerDocument, engine: "embedded"}
	if s.embedded != nil {
		if s.embedded.tcpURI == "" {
			sn.consistency = Exclusive
		}
		return sn, nil
	}
	eng, snapshots, err := s.engineInfo(ctx)
	if err != nil {
		return nil, err
	}
	sn.engine = eng
	if snapshots {
		sess, err := s.client.StartSession(options.Session().SetSnapshot(true))
		if err != nil {
			return nil, mapErr(err)
		}
		sn.sess, sn.consistency = sess, PointInTime
	}
	return sn, nil
}

// engineInfo tells which engine is behind a URI ("mongodb" or "ferretdb")
// and whether it serves snapshot reads: a replica set member of MongoDB 5.0
// or newer. FerretDB speaks the wire protocol but has no snapshots.
func (s *Store) engineInfo(ctx context.Context) (string, bool, error) {
	var bi bson.M
	if err := s.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&bi); err != nil {
		return "", false, mapErr(err)
	}
	if _, ok := bi["ferretdb"]; ok {
		return "ferretdb", false, nil
	}
	if _, ok := bi["ferretdbVersion"]; ok {
		return "ferretdb", false, nil
	}
	var hello bson.M
	if err := s.db.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return "mongodb", false, mapErr(err)
	}
	_, replSet := hello["setName"]
	_, sharded := hello["msg"] // "isdbgrid" from mongos
	v, _ := bi["version"].(string)
	major, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	return "mongodb", (replSet || sharded) && major >= 5, nil
}

// Consistency says how far the snapshot is one moment's copy.
func (sn *Snapshot) Consistency() Consistency { return sn.consistency }

// Engine names the engine: "embedded", "ferretdb" (an embedded engine of
// another process) or "mongodb".
func (sn *Snapshot) Engine() string { return sn.engine }

// Database is the name of the database read.
func (sn *Snapshot) Database() string { return sn.s.db.Name() }

// Close ends the snapshot.
func (sn *Snapshot) Close(ctx context.Context) {
	if sn.sess != nil {
		sn.sess.EndSession(ctx)
	}
}

func (sn *Snapshot) ctx(ctx context.Context) context.Context {
	if sn.sess == nil {
		return ctx
	}
	return mongo.NewSessionContext(ctx, sn.sess)
}

// Collections lists every collection of the database except MongoDB's own
// system.* collections, sorted by name.
func (sn *Snapshot) Collections(ctx context.Context) ([]string, error) {
	return sn.s.collectionNames(ctx)
}

func (s *Store) collectionNames(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{{Key: "type", Value: "collection"}})
	if err != nil {
		return nil, mapErr(err)
	}
	out := names[:0]
	for _, n := range names {
		if !strings.HasPrefix(n, "system.") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Indexes returns the specifications of a collection's indexes other than
// the one on _id, as raw BSON documents (key, name, unique, …), so that
// restore can create them again; listIndexes' "v" and "ns" are left out.
func (sn *Snapshot) Indexes(ctx context.Context, col string) ([][]byte, error) {
	cur, err := sn.s.db.Collection(col).Indexes().List(ctx)
	if err != nil {
		var se mongo.ServerError
		if errors.As(err, &se) && se.HasErrorCode(26) {
			return nil, nil
		}
		return nil, mapErr(err)
	}
	defer cur.Close(ctx)
	var specs [][]byte
	for cur.Next(ctx) {
		var d bson.D
		if err := bson.Unmarshal(cur.Current, &d); err != nil {
			return nil, err
		}
		var keep bson.D
		name := ""
		for _, e := range d {
			switch e.Key {
			case "v", "ns":
				continue
			case "name":
				name, _ = e.Value.(string)
			}
			keep = append(keep, e)
		}
		if name == "_id_" {
			continue
		}
		b, err := bson.Marshal(keep)
		if err != nil {
			return nil, err
		}
		specs = append(specs, b)
	}
	if err := cur.Err(); err != nil {
		return nil, mapErr(err)
	}
	sort.Slice(specs, func(i, j int) bool { return indexName(specs[i]) < indexName(specs[j]) })
	return specs, nil
}

func indexName(spec []byte) string {
	v, err := bson.Raw(spec).LookupErr("name")
	if err != nil {
		return ""
	}
	s, _ := v.StringValueOK()
	return s
}

// Documents calls fn with every document of a collection, as raw BSON, in
// the engine's natural order. The slice is only valid during the call.
//
// No sort on purpose: the embedded engine sorts in memory, which for the
// GridFS chunks of a year's voice notes would mean loading them all at
// once; without a sort it streams from SQLite.
func (sn *Snapshot) Documents(ctx context.Context, col string, fn func(doc []byte) error) error {
	ctx = sn.ctx(ctx)
	cur, err := sn.s.db.Collection(col).Find(ctx, bson.D{}, options.Find().SetBatchSize(64))
	if err != nil {
		return mapErr(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if err := fn(cur.Current); err != nil {
			return err
		}
	}
	return mapErr(cur.Err())
}

// NonEmpty returns the first collection that holds a document and how many
// it holds, or "" if every collection is empty. Restore refuses a store
// that is not empty: merging two databases' documents would silently mix
// organisations, logins and secrets.
func (s *Store) NonEmpty(ctx context.Context) (string, int64, error) {
	names, err := s.collectionNames(ctx)
	if err != nil {
		return "", 0, err
	}
	for _, n := range names {
		c := s.db.Collection(n)
		err := c.FindOne(ctx, bson.D{}).Err()
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return "", 0, mapErr(err)
		}
		count, err := c.CountDocuments(ctx, bson.D{})
		if err != nil {
			return "", 0, mapErr(err)
		}
		return n, count, nil
	}
	return "", 0, nil
}

// InsertRaw inserts raw BSON documents into a collection in one ordered
// batch, keeping every byte (types, field order) as it was backed up.
func (s *Store) InsertRaw(ctx context.Context, col string, docs [][]byte) error {
	if len(docs) == 0 {
		return nil
	}
	batch := make([]any, len(docs))
	for i, d := range docs {
		if err := bson.Raw(d).Validate(); err != nil {
			return fmt.Errorf("store: document %d for %s is not valid BSON: %w", i, col, err)
		}
		batch[i] = bson.Raw(d)
	}
	_, err := s.db.Collection(col).InsertMany(ctx, batch, options.InsertMany().SetOrdered(true))
	return mapErr(err)
}

// CreateCollection creates an empty collection (a restored collection
// without documents still exists afterwards). An existing one is kept.
func (s *Store) CreateCollection(ctx context.Context, col string) error {
	names, err := s.collectionNames(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		if n == col {
			return nil
		}
	}
	return mapErr(s.db.CreateCollection(ctx, col))
}

// CreateIndexSpecs creates indexes from specifications as Snapshot.Indexes
// returns them, skipping names that exist already (Open created the
// application's own; FerretDB v1 fails on a createIndexes of existing
// indexes, see EnsureIndexes).
func (s *Store) CreateIndexSpecs(ctx context.Context, col string, specs [][]byte) error {
	have, err := s.indexNames(ctx, col)
	if err != nil {
		return err
	}
	var missing bson.A
	for _, sp := range specs {
		if err := bson.Raw(sp).Validate(); err != nil {
			return fmt.Errorf("store: index of %s is not valid BSON: %w", col, err)
		}
		if name := indexName(sp); name != "" && !have[name] {
			missing = append(missing, bson.Raw(sp))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	err = s.db.RunCommand(ctx, bson.D{{Key: "createIndexes", Value: col}, {Key: "indexes", Value: missing}}).Err()
	return mapErr(err)
}

// CountDocuments counts a collection's documents; restore compares the
// counts with the archive's manifest.
func (s *Store) CountDocuments(ctx context.Context, col string) (int64, error) {
	n, err := s.db.Collection(col).CountDocuments(ctx, bson.D{})
	return n, mapErr(err)
}
