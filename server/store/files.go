package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// Voice notes, photos and prompt recordings are stored in the GridFS layout
// (bucket "media": a media.files document per file with its metadata, and
// media.chunks of 255 KiB), so MongoDB's own tools (mongofiles, mongodump)
// and any GridFS driver read them. The driver's gridfs package is not used,
// for one reason: it finds a file's chunks with a query on files_id, which
// the embedded engine answers by scanning every chunk of every file. Here
// each chunk's _id is the file id and the chunk number, so a download is
// one _id read per chunk on both engines. The files document is written
// last: a file is visible only once all its chunks are stored.
const (
	colMediaFiles  = "media.files"
	colMediaChunks = "media.chunks"
	mediaChunkSize = 255 << 10
)

type mediaFile struct {
	ID         string      `bson:"_id"`
	Length     int64       `bson:"length"`
	ChunkSize  int32       `bson:"chunkSize"`
	UploadDate time.Time   `bson:"uploadDate"`
	Filename   string      `bson:"filename"`
	Metadata   model.Media `bson:"metadata"`
}

type mediaChunk struct {
	ID      string `bson:"_id"`
	FilesID string `bson:"files_id"`
	N       int32  `bson:"n"`
	Data    []byte `bson:"data"`
}

func chunkID(fileID string, n int) string { return fmt.Sprintf("%s.%05d", fileID, n) }

// PutMedia stores a file and its metadata under m.ID. m.Size is set from
// data.
func (s *Store) PutMedia(ctx context.Context, m *model.Media, data []byte) error {
	m.Size = int64(len(data))
	var chunks []any
	for n, off := 0, 0; off < len(data); n, off = n+1, off+mediaChunkSize {
		end := min(off+mediaChunkSize, len(data))
		chunks = append(chunks, mediaChunk{ID: chunkID(m.ID, n), FilesID: m.ID, N: int32(n), Data: data[off:end]})
	}
	if len(chunks) > 0 {
		if _, err := s.db.Collection(colMediaChunks).InsertMany(ctx, chunks); err != nil {
			return mapErr(err)
		}
	}
	_, err := s.db.Collection(colMediaFiles).InsertOne(ctx, mediaFile{
		ID: m.ID, Length: m.Size, ChunkSize: mediaChunkSize, UploadDate: m.CreatedAt,
		Filename: m.Kind, Metadata: *m,
	})
	if err != nil {
		s.deleteChunks(ctx, m.ID, len(chunks))
		return mapErr(err)
	}
	return nil
}

// Media returns a file's metadata: one _id read.
func (s *Store) Media(ctx context.Context, id string) (*model.Media, error) {
	f, err := findOne[mediaFile](ctx, s, colMediaFiles, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return nil, err
	}
	m := f.Metadata
	m.ID, m.Size = f.ID, f.Length
	return &m, nil
}

// MediaData returns a file's bytes.
func (s *Store) MediaData(ctx context.Context, id string) ([]byte, error) {
	f, err := findOne[mediaFile](ctx, s, colMediaFiles, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, f.Length)
	for n := 0; int64(len(out)) < f.Length; n++ {
		c, err := findOne[mediaChunk](ctx, s, colMediaChunks, bson.D{{Key: "_id", Value: chunkID(id, n)}})
		if err != nil {
			return nil, apperr.Wrap(err, "media %s chunk %d", id, n)
		}
		out = append(out, c.Data...)
	}
	if int64(len(out)) != f.Length {
		return nil, fmt.Errorf("media %s: %d bytes stored, %d expected", id, len(out), f.Length)
	}
	return out, nil
}

// DeleteMedia removes a file: its files document first (so it is gone at
// once), then its chunks. Deleting a file that is gone is not an error.
func (s *Store) DeleteMedia(ctx context.Context, id string) error {
	f, err := findOne[mediaFile](ctx, s, colMediaFiles, bson.D{{Key: "_id", Value: id}})
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.db.Collection(colMediaFiles).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return mapErr(err)
	}
	return s.deleteChunks(ctx, id, int((f.Length+mediaChunkSize-1)/mediaChunkSize))
}

func (s *Store) deleteChunks(ctx context.Context, id string, n int) error {
	for i := range n {
		if _, err := s.db.Collection(colMediaChunks).DeleteOne(ctx, bson.D{{Key: "_id", Value: chunkID(id, i)}}); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// LinkMediaContribution records that a contribution uses a file, so the
// retention purge can mark it (see model.Media.Contributions).
func (s *Store) LinkMediaContribution(ctx context.Context, mediaID, contributionID string) error {
	return s.updateOne(ctx, colMediaFiles, bson.D{{Key: "_id", Value: mediaID}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "metadata.contributions", Value: contributionID}}}})
}

// ExpiredMedia returns up to limit files of an organisation of the given
// kinds stored before before, oldest first. It scans media.files on the
// embedded engine (one small document per file); the purge job is its only
// caller.
func (s *Store) ExpiredMedia(ctx context.Context, orgID string, kinds []string, before time.Time, limit int) ([]model.Media, error) {
	cur, err := s.db.Collection(colMediaFiles).Find(ctx, bson.D{
		{Key: "metadata.org_id", Value: orgID},
		{Key: "metadata.kind", Value: bson.D{{Key: "$in", Value: kinds}}},
		{Key: "uploadDate", Value: bson.D{{Key: "$lt", Value: before}}},
	}, options.Find().SetSort(bson.D{{Key: "uploadDate", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, mapErr(err)
	}
	var files []mediaFile
	if err := cur.All(ctx, &files); err != nil {
		return nil, mapErr(err)
	}
	out := make([]model.Media, len(files))
	for i, f := range files {
		out[i] = f.Metadata
		out[i].ID, out[i].Size = f.ID, f.Length
	}
	return out, nil
}

// MarkMediaDeleted records on contributions that their file was deleted.
// Contributions that do not exist (a submission that never landed) are
// skipped. Each is an _id update.
func (s *Store) MarkMediaDeleted(ctx context.Context, contributionIDs []string, at time.Time) error {
	for _, id := range contributionIDs {
		_, err := s.db.Collection(colContributions).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "media_deleted_at", Value: at}}}})
		if err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// DeleteContribution deletes a contribution for good (its author withdrew
// it). Its file is DeleteMedia's. An _id delete; one that is gone already
// is no error.
func (s *Store) DeleteContribution(ctx context.Context, id string) error {
	_, err := s.db.Collection(colContributions).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return mapErr(err)
}

// SetAnswerRetention sets how many months an organisation keeps the text
// of residents' answers (0: for good).
func (s *Store) SetAnswerRetention(ctx context.Context, orgID string, months int) error {
	return s.updateOne(ctx, colOrganisations, bson.D{{Key: "_id", Value: orgID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "answer_retention_months", Value: months}}}})
}

// SetTextsClearedBefore records how far the answer retention job got.
func (s *Store) SetTextsClearedBefore(ctx context.Context, orgID string, t time.Time) error {
	return s.updateOne(ctx, colOrganisations, bson.D{{Key: "_id", Value: orgID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "texts_cleared_before", Value: t}}}})
}

// ClearContributionText removes what a resident wrote from a contribution
// (the text, its masked copy for the room) and staff's transcripts and
// translations, and records when. The rest (kind, faces, themes, choice,
// dots, times, moderation, topic) stays. A contribution that does not
// exist is skipped. An _id update.
func (s *Store) ClearContributionText(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.Collection(colContributions).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{
			{Key: "$unset", Value: bson.D{{Key: "answer.text", Value: ""}, {Key: "redacted", Value: ""}, {Key: "notes", Value: ""}}},
			{Key: "$set", Value: bson.D{{Key: "text_removed_at", Value: at}}},
		})
	return mapErr(err)
}

// SetMediaRetention sets how many months an organisation keeps residents'
// voice notes and photos (0: the server's default).
func (s *Store) SetMediaRetention(ctx context.Context, orgID string, months int) error {
	return s.updateOne(ctx, colOrganisations, bson.D{{Key: "_id", Value: orgID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "media_retention_months", Value: months}}}})
}
