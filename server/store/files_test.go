package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

// TestMediaRoundTrip: a file over several chunks comes back byte-equal with
// its metadata, and is gone after a delete, chunks included.
func TestMediaRoundTrip(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	data := make([]byte, 600<<10+17) // three chunks, the last one short
	_, _ = rand.Read(data)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m := &model.Media{ID: store.NewID(), OrgID: "org1", SessionID: "s1", Participant: "p1",
		Kind: model.MediaVoice, ContentType: "audio/webm", DurationMS: 5000, CreatedAt: at}
	if err := s.PutMedia(ctx, m, data); err != nil {
		t.Fatal(err)
	}
	got, err := s.Media(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.OrgID != "org1" || got.SessionID != "s1" || got.Participant != "p1" ||
		got.Kind != "voice" || got.ContentType != "audio/webm" || got.Size != int64(len(data)) ||
		got.DurationMS != 5000 || !got.CreatedAt.Equal(at) {
		t.Fatalf("metadata: %+v", got)
	}
	if n, err := s.MediaChunksForTest(ctx, m.ID); err != nil || n != 3 {
		t.Fatalf("%d chunks stored (%v), want 3", n, err)
	}
	back, err := s.MediaData(ctx, m.ID)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("data differs (%d bytes, %v)", len(back), err)
	}
	if err := s.DeleteMedia(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Media(ctx, m.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if _, err := s.MediaData(ctx, m.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("data after delete: %v", err)
	}
	if err := s.DeleteMedia(ctx, m.ID); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if n, err := s.MediaChunksForTest(ctx, m.ID); err != nil || n != 0 {
		t.Fatalf("%d chunks left after delete (%v)", n, err)
	}
}

// TestExpiredMedia: only the organisation's files of the asked kinds from
// before the cut-off, oldest first; the link to a contribution survives.
func TestExpiredMedia(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	put := func(org, kind string, day int) string {
		m := &model.Media{ID: store.NewID(), OrgID: org, SessionID: "s", Kind: kind, ContentType: "image/jpeg",
			CreatedAt: base.AddDate(0, 0, day)}
		if err := s.PutMedia(ctx, m, []byte("x")); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	old2 := put("a", model.MediaPhoto, 2)
	old1 := put("a", model.MediaVoice, 1)
	put("a", model.MediaVoice, 20) // too new
	put("a", model.MediaPrompt, 0) // prompt recordings are not residents' input
	put("b", model.MediaVoice, 0)  // another organisation
	if err := s.LinkMediaContribution(ctx, old1, "c1"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ExpiredMedia(ctx, "a", []string{model.MediaVoice, model.MediaPhoto}, base.AddDate(0, 0, 10), 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []string{old1, old2}) {
		t.Fatalf("expired %v, want %v", ids, []string{old1, old2})
	}
	if !slices.Equal(got[0].Contributions, []string{"c1"}) {
		t.Errorf("contributions %v", got[0].Contributions)
	}
	if got, _ := s.ExpiredMedia(ctx, "a", []string{model.MediaVoice, model.MediaPhoto}, base.AddDate(0, 0, 10), 1); len(got) != 1 {
		t.Errorf("limit: %d", len(got))
	}
}
