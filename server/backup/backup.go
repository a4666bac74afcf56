// Package backup writes every collection of a buurtstem store into one
// archive and loads such an archive into an empty store. It works the same
// on the embedded engine and on MongoDB, and knows no collection by name:
// whatever the store holds (GridFS buckets with voice notes and photos
// included) is in the archive.
//
// # Archive format
//
// A gzip-compressed tar file. Each collection is one or more parts
//
//	data/<collection>/<part>.bson      documents, raw BSON one after another
//	indexes/<collection>.bson          index specifications other than _id
//	manifest.json                      written last; see Manifest
//
// as mongodump writes them (a raw BSON stream is a sequence of
// length-prefixed documents), parts of at most 16 MiB so that neither side
// holds a whole collection in memory. The manifest, last because only then
// are the counts known, lists every collection with its number of
// documents, bytes and SHA-256 over its parts in order, and how consistent
// the copy is (store.Consistency). Restore first reads the whole archive and
// checks it against the manifest before it writes anything.
package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/version"
)

// Format names this archive layout; restore refuses others.
const Format = "buurtstem-backup/1"

// partSize bounds one data part, and so the memory backup and restore use.
const partSize = 16 << 20

// Manifest describes an archive.
type Manifest struct {
	Format      string    `json:"format"`
	CreatedAt   time.Time `json:"created_at"`
	Version     string    `json:"buurtstem_version"`
	Engine      string    `json:"engine"`
	Database    string    `json:"database"`
	Consistency string    `json:"consistency"`
	// Collections are sorted by name.
	Collections []Collection `json:"collections"`
}

// Collection is one collection in the archive.
type Collection struct {
	Name      string `json:"name"`
	Documents int64  `json:"documents"`
	Bytes     int64  `json:"bytes"`
	Parts     int    `json:"parts"`
	SHA256    string `json:"sha256"` // over all parts, in order
	Indexes   int    `json:"indexes"`
}

// Documents sums the documents of all collections.
func (m *Manifest) Documents() int64 {
	var n int64
	for _, c := range m.Collections {
		n += c.Documents
	}
	return n
}

func dataPart(col string, part int) string { return fmt.Sprintf("data/%s/%06d.bson", col, part) }
func indexFile(col string) string          { return "indexes/" + col + ".bson" }

const manifestFile = "manifest.json"

// Write reads the whole store and writes the archive to w. The archive is
// only complete when Write returns nil: write it to a temporary file and
// rename it afterwards (the command does).
func Write(ctx context.Context, st *store.Store, w io.Writer) (*Manifest, error) {
	sn, err := st.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("backup: start reading: %w", err)
	}
	defer sn.Close(context.WithoutCancel(ctx))
	m := &Manifest{
		Format: Format, CreatedAt: time.Now().UTC().Truncate(time.Second), Version: version.Version,
		Engine: sn.Engine(), Database: sn.Database(), Consistency: string(sn.Consistency()),
	}
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	cols, err := sn.Collections(ctx)
	if err != nil {
		return nil, fmt.Errorf("backup: list collections: %w", err)
	}
	for _, col := range cols {
		c, err := writeCollection(ctx, sn, tw, col, m.CreatedAt)
		if err != nil {
			return nil, err
		}
		m.Collections = append(m.Collections, c)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeEntry(tw, manifestFile, append(mb, '\n'), m.CreatedAt); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: finish archive: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("backup: finish archive: %w", err)
	}
	return m, nil
}

func writeCollection(ctx context.Context, sn *store.Snapshot, tw *tar.Writer, col string, at time.Time) (Collection, error) {
	c := Collection{Name: col}
	specs, err := sn.Indexes(ctx, col)
	if err != nil {
		return c, fmt.Errorf("backup: indexes of %s: %w", col, err)
	}
	c.Indexes = len(specs)
	if err := writeEntry(tw, indexFile(col), bytes.Join(specs, nil), at); err != nil {
		return c, err
	}
	sum := sha256.New()
	var buf bytes.Buffer
	flush := func() error {
		if buf.Len() == 0 && c.Parts > 0 {
			return nil
		}
		if err := writeEntry(tw, dataPart(col, c.Parts), buf.Bytes(), at); err != nil {
			return err
		}
		sum.Write(buf.Bytes())
		c.Parts++
		buf.Reset()
		return nil
	}
	err = sn.Documents(ctx, col, func(doc []byte) error {
		if buf.Len() > 0 && buf.Len()+len(doc) > partSize {
			if err := flush(); err != nil {
				return err
			}
		}
		buf.Write(doc)
		c.Documents++
		c.Bytes += int64(len(doc))
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("backup: read %s: %w", col, err)
	}
	if err := flush(); err != nil {
		return c, err
	}
	c.SHA256 = hex.EncodeToString(sum.Sum(nil))
	return c, nil
}

func writeEntry(tw *tar.Writer, name string, b []byte, at time.Time) error {
	h := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: at, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("backup: write %s: %w", name, err)
	}
	if _, err := tw.Write(b); err != nil {
		return fmt.Errorf("backup: write %s: %w", name, err)
	}
	return nil
}
