package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"sort"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/gridfs"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// dumpAll reads a whole database through a Snapshot: per collection, its
// documents sorted by their raw _id and its index specifications.
func dumpAll(t *testing.T, s *Store) (map[string][][]byte, map[string][][]byte, Consistency) {
	t.Helper()
	ctx := context.Background()
	sn, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close(ctx)
	cols, err := sn.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	docs, idx := map[string][][]byte{}, map[string][][]byte{}
	for _, c := range cols {
		specs, err := sn.Indexes(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		idx[c] = specs
		docs[c] = [][]byte{}
		err = sn.Documents(ctx, c, func(d []byte) error {
			docs[c] = append(docs[c], bytes.Clone(d))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(docs[c], func(i, j int) bool {
			return bytes.Compare(bson.Raw(docs[c][i]).Lookup("_id").Value, bson.Raw(docs[c][j]).Lookup("_id").Value) < 0
		})
	}
	if s.embedded == nil && sn.Engine() != "ferretdb" && os.Getenv("BUURTSTEM_TEST_MONGODB_URI") == "" {
		t.Errorf("engine behind the URI: %q, want ferretdb", sn.Engine())
	}
	return docs, idx, sn.Consistency()
}

// TestDumpAndLoadEveryCollection: documents of every BSON type buurtstem
// uses, a GridFS file of several chunks and the indexes are read by a
// Snapshot, loaded into an empty database with InsertRaw and
// CreateIndexSpecs, and come back byte for byte; the file downloads equal.
func TestDumpAndLoadEveryCollection(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	// Not t.TempDir: the driver lower-cases socket paths in a URI, and the
	// second store below reaches this engine through one.
	dir, err := os.MkdirTemp("", "bstdump")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	src, err := Open(ctx, Options{DataDir: dir, Database: "src", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close(ctx)

	now := time.Now().UTC().Truncate(time.Millisecond)
	_, err = src.db.Collection("types").InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: "a"}, {Key: "i32", Value: int32(7)}, {Key: "i64", Value: int64(1) << 40},
			{Key: "f", Value: 2.5}, {Key: "t", Value: now}, {Key: "b", Value: primitive.Binary{Data: []byte{0, 1, 2, 255}}},
			{Key: "nested", Value: bson.D{{Key: "z", Value: 1}, {Key: "a", Value: bson.A{"x", true, nil}}}}},
		bson.D{{Key: "_id", Value: primitive.NewObjectID()}, {Key: "text", Value: "Wat kan beter in uw buurt? تحسين"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.db.Collection("types").Indexes().CreateOne(ctx, mongoIndex("text", true)); err != nil {
		t.Fatal(err)
	}
	bucket, err := gridfs.NewBucket(src.db, options.GridFSBucket().SetName("media"))
	if err != nil {
		t.Fatal(err)
	}
	file := make([]byte, 600<<10) // three chunks of 255 KiB
	_, _ = rand.Read(file)
	fileID, err := bucket.UploadFromStream("stem.webm", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if err := src.db.CreateCollection(ctx, "empty"); err != nil {
		t.Fatal(err)
	}

	docs, idx, cons := dumpAll(t, src)
	if cons != Exclusive {
		t.Errorf("own embedded engine: consistency %q, want %q", cons, Exclusive)
	}
	for _, c := range []string{"types", "media.files", "media.chunks", "empty", colStaff} {
		if _, ok := docs[c]; !ok {
			t.Fatalf("collection %s not in the snapshot: %v", c, keys(docs))
		}
	}
	if len(docs["media.chunks"]) != 3 || len(docs["types"]) != 2 {
		t.Fatalf("documents: %d chunks, %d types", len(docs["media.chunks"]), len(docs["types"]))
	}

	// A second database on the same engine, reached through its URI as a
	// second process would: a shared engine gives no point-in-time copy.
	dst, err := Open(ctx, Options{URI: src.EmbeddedSocketURI(), Database: "dst", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close(ctx)
	if col, _, err := dst.NonEmpty(ctx); err != nil || col != "" {
		t.Fatalf("fresh store: NonEmpty = %q, %v", col, err)
	}
	for c, ds := range docs {
		if err := dst.CreateCollection(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := dst.InsertRaw(ctx, c, ds); err != nil {
			t.Fatal(err)
		}
		if err := dst.CreateIndexSpecs(ctx, c, idx[c]); err != nil {
			t.Fatal(err)
		}
	}
	if col, n, err := dst.NonEmpty(ctx); err != nil || col == "" || n == 0 {
		t.Fatalf("filled store: NonEmpty = %q, %d, %v", col, n, err)
	}
	got, gotIdx, cons := dumpAll(t, dst)
	if cons != PerDocument {
		t.Errorf("engine behind a URI: consistency %q, want %q", cons, PerDocument)
	}
	if len(got) != len(docs) {
		t.Fatalf("collections: got %v, want %v", keys(got), keys(docs))
	}
	for c, want := range docs {
		if len(got[c]) != len(want) {
			t.Fatalf("%s: %d documents, want %d", c, len(got[c]), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[c][i], want[i]) {
				t.Fatalf("%s document %d differs:\n got %s\nwant %s", c, i, bson.Raw(got[c][i]), bson.Raw(want[i]))
			}
		}
		if len(gotIdx[c]) != len(idx[c]) {
			t.Fatalf("%s: indexes %d, want %d", c, len(gotIdx[c]), len(idx[c]))
		}
		for i := range idx[c] {
			if !bytes.Equal(gotIdx[c][i], idx[c][i]) {
				t.Fatalf("%s index %d: got %s, want %s", c, i, bson.Raw(gotIdx[c][i]), bson.Raw(idx[c][i]))
			}
		}
	}
	dstBucket, err := gridfs.NewBucket(dst.db, options.GridFSBucket().SetName("media"))
	if err != nil {
		t.Fatal(err)
	}
	var back bytes.Buffer
	if _, err := dstBucket.DownloadToStream(fileID, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Bytes(), file) {
		t.Fatalf("GridFS file: %d bytes back, differ from the %d written", back.Len(), len(file))
	}
	t.Logf("%d collections, GridFS file of %d bytes in %d chunks, round trip byte-equal", len(docs), len(file), len(docs["media.chunks"]))
}

func keys(m map[string][][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mongoIndex(field string, unique bool) mongo.IndexModel {
	return mongo.IndexModel{Keys: bson.D{{Key: field, Value: 1}}, Options: options.Index().SetName(field + "_idx").SetUnique(unique)}
}
