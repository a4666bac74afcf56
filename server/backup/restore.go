package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"

	"github.com/buurtstem/buurtstem/server/store"
)

// ErrNotEmpty is returned by Restore when the target store holds data.
var ErrNotEmpty = errors.New("backup: the store is not empty")

// ErrDamaged is returned when an archive does not match its manifest, is
// cut short, or is no buurtstem backup at all.
var ErrDamaged = errors.New("backup: the archive is damaged or not a buurtstem backup")

// maxDocument is MongoDB's largest document; anything bigger in an archive
// is damage, not data.
const maxDocument = 16 << 20

// Verify reads a whole archive and checks every collection against the
// manifest: the number of documents, their bytes and the SHA-256. It
// writes nothing.
func Verify(r io.Reader) (*Manifest, error) {
	return scan(r, nil)
}

// Restore loads an archive into st, which must be empty. It first verifies
// the whole archive (so a damaged one changes nothing), then inserts every
// document exactly as it was read, creates the indexes and finally checks
// the number of documents per collection in the store. r is read twice.
func Restore(ctx context.Context, st *store.Store, r io.ReadSeeker) (*Manifest, error) {
	m, err := Verify(r)
	if err != nil {
		return nil, err
	}
	col, n, err := st.NonEmpty(ctx)
	if err != nil {
		return nil, fmt.Errorf("backup: check the store is empty: %w", err)
	}
	if col != "" {
		return nil, fmt.Errorf("%w: collection %q holds %d documents; restore only into an empty store (a new data directory, or an empty MongoDB database)", ErrNotEmpty, col, n)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := scan(r, &loader{ctx: ctx, st: st, manifest: m}); err != nil {
		return nil, err
	}
	for _, c := range m.Collections {
		got, err := st.CountDocuments(ctx, c.Name)
		if err != nil {
			return nil, fmt.Errorf("backup: count %s after restore: %w", c.Name, err)
		}
		if got != c.Documents {
			return nil, fmt.Errorf("backup: %s holds %d documents after restore, the archive %d", c.Name, got, c.Documents)
		}
	}
	return m, nil
}

// loader writes what scan reads into a store.
type loader struct {
	ctx      context.Context
	st       *store.Store
	manifest *Manifest
	batch    [][]byte
	size     int
}

// insert batches documents: InsertMany of up to 8 MiB or 1,000 documents
// is fast on both engines and stays under MongoDB's 48 MB message limit.
func (l *loader) add(col string, doc []byte) error {
	l.batch = append(l.batch, doc)
	l.size += len(doc)
	if l.size >= 8<<20 || len(l.batch) >= 1000 {
		return l.flush(col)
	}
	return nil
}

func (l *loader) flush(col string) error {
	if len(l.batch) == 0 {
		return nil
	}
	if err := l.st.InsertRaw(l.ctx, col, l.batch); err != nil {
		return fmt.Errorf("backup: insert into %s: %w", col, err)
	}
	l.batch, l.size = l.batch[:0], 0
	return nil
}

// collectionState follows one collection while the archive is read.
type collectionState struct {
	docs  int64
	bytes int64
	parts int
	sum   hash.Hash
	specs [][]byte
	seen  bool // index file read
}

// scan reads the archive; with a loader it also writes into the store.
// Parts of a collection must come in order and the manifest last, as Write
// produces them.
func scan(r io.Reader, l *loader) (*Manifest, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	tr := tar.NewReader(zr)
	cols := map[string]*collectionState{}
	state := func(name string) *collectionState {
		c := cols[name]
		if c == nil {
			c = &collectionState{sum: sha256.New()}
			cols[name] = c
		}
		return c
	}
	var m *Manifest
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		if m != nil {
			return nil, fmt.Errorf("%w: %s after the manifest", ErrDamaged, h.Name)
		}
		switch {
		case h.Name == manifestFile:
			m = &Manifest{}
			dec := json.NewDecoder(io.LimitReader(tr, 16<<20))
			if err := dec.Decode(m); err != nil {
				return nil, fmt.Errorf("%w: manifest: %v", ErrDamaged, err)
			}
		case strings.HasPrefix(h.Name, "indexes/") && strings.HasSuffix(h.Name, ".bson"):
			col := strings.TrimSuffix(strings.TrimPrefix(h.Name, "indexes/"), ".bson")
			c := state(col)
			if c.seen || c.parts > 0 {
				return nil, fmt.Errorf("%w: %s out of order", ErrDamaged, h.Name)
			}
			c.seen = true
			err := eachDocument(tr, func(doc []byte) error {
				c.specs = append(c.specs, append([]byte(nil), doc...))
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, h.Name, err)
			}
			if l != nil {
				if err := l.st.CreateCollection(l.ctx, col); err != nil {
					return nil, fmt.Errorf("backup: create %s: %w", col, err)
				}
			}
		case strings.HasPrefix(h.Name, "data/") && strings.HasSuffix(h.Name, ".bson"):
			rest := strings.TrimSuffix(strings.TrimPrefix(h.Name, "data/"), ".bson")
			i := strings.LastIndexByte(rest, '/')
			if i < 0 {
				return nil, fmt.Errorf("%w: unexpected entry %s", ErrDamaged, h.Name)
			}
			col := rest[:i]
			part, err := strconv.Atoi(rest[i+1:])
			c := state(col)
			if err != nil || part != c.parts || !c.seen {
				return nil, fmt.Errorf("%w: %s out of order", ErrDamaged, h.Name)
			}
			c.parts++
			err = eachDocument(io.TeeReader(tr, c.sum), func(doc []byte) error {
				c.docs++
				c.bytes += int64(len(doc))
				if l != nil {
					return l.add(col, doc)
				}
				return nil
			})
			if err != nil {
				if errors.Is(err, errBadDocument) {
					return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, h.Name, err)
				}
				return nil, err
			}
			if l != nil {
				if err := l.flush(col); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("%w: unexpected entry %s", ErrDamaged, h.Name)
		}
	}
	if m == nil {
		return nil, fmt.Errorf("%w: no manifest (the archive is cut short?)", ErrDamaged)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%w: format %q, this buurtstem reads %q", ErrDamaged, m.Format, Format)
	}
	if len(cols) != len(m.Collections) {
		return nil, fmt.Errorf("%w: %d collections in the archive, %d in the manifest", ErrDamaged, len(cols), len(m.Collections))
	}
	for _, want := range m.Collections {
		c := cols[want.Name]
		switch {
		case c == nil:
			return nil, fmt.Errorf("%w: collection %s is missing", ErrDamaged, want.Name)
		case c.docs != want.Documents || c.bytes != want.Bytes || c.parts != want.Parts || len(c.specs) != want.Indexes:
			return nil, fmt.Errorf("%w: collection %s has %d documents (%d bytes, %d parts, %d indexes), the manifest says %d (%d, %d, %d)",
				ErrDamaged, want.Name, c.docs, c.bytes, c.parts, len(c.specs), want.Documents, want.Bytes, want.Parts, want.Indexes)
		case hex.EncodeToString(c.sum.Sum(nil)) != want.SHA256:
			return nil, fmt.Errorf("%w: collection %s does not match its checksum", ErrDamaged, want.Name)
		}
		if l != nil {
			if err := l.st.CreateIndexSpecs(l.ctx, want.Name, c.specs); err != nil {
				return nil, fmt.Errorf("backup: indexes of %s: %w", want.Name, err)
			}
		}
	}
	return m, nil
}

var errBadDocument = errors.New("not a BSON document stream")

// eachDocument splits a raw BSON stream into documents by their length
// prefix.
func eachDocument(r io.Reader, fn func(doc []byte) error) error {
	var head [4]byte
	for {
		_, err := io.ReadFull(r, head[:])
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", errBadDocument, err)
		}
		n := int(binary.LittleEndian.Uint32(head[:]))
		if n < 5 || n > maxDocument {
			return fmt.Errorf("%w: a document of %d bytes", errBadDocument, n)
		}
		doc := make([]byte, n)
		copy(doc, head[:])
		if _, err := io.ReadFull(r, doc[4:]); err != nil {
			return fmt.Errorf("%w: %v", errBadDocument, err)
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
}
