package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestTenancyFilter(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	n := &model.Neighbourhood{ID: store.NewID(), OrgID: "org-a", Level: model.LevelDistrict, Name: "Noord", CreatedAt: now}
	if err := s.InsertNeighbourhood(ctx, n); err != nil {
		t.Fatal(err)
	}
	got, err := s.Neighbourhood(ctx, "org-a", n.ID)
	if err != nil || got.Name != "Noord" || !got.CreatedAt.Equal(now) {
		t.Fatalf("own org: got %+v, %v", got, err)
	}
	if _, err := s.Neighbourhood(ctx, "org-b", n.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("other org read: want ErrNotFound, got %v", err)
	}
	n2 := *n
	n2.OrgID, n2.Name = "org-b", "Gekaapt"
	if err := s.UpdateNeighbourhood(ctx, &n2); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("other org update: want ErrNotFound, got %v", err)
	}
	if err := s.DeleteNeighbourhood(ctx, "org-b", n.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("other org delete: want ErrNotFound, got %v", err)
	}
	if got, _ := s.Neighbourhood(ctx, "org-a", n.ID); got.Name != "Noord" {
		t.Fatalf("neighbourhood changed by another org: %+v", got)
	}
}

func TestDuplicateEmailIsConflict(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	a := &model.Staff{ID: store.NewID(), Email: "a@example.org", Memberships: []model.Membership{}}
	if err := s.InsertStaff(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := &model.Staff{ID: store.NewID(), Email: "a@example.org", Memberships: []model.Membership{}}
	if err := s.InsertStaff(ctx, b); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("want ErrConflict, got %v", err)
	}
}

func TestIndexesAreIdempotent(t *testing.T) {
	s := storetest.New(t)
	for range 3 {
		if err := s.EnsureIndexes(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMembershipsAndSessions(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	st := &model.Staff{ID: store.NewID(), Email: "m@example.org", Memberships: []model.Membership{}}
	if err := s.InsertStaff(ctx, st); err != nil {
		t.Fatal(err)
	}
	ms := []model.Membership{{OrgID: "o1", Role: model.RoleAdmin}, {OrgID: "o2", Role: model.RoleReviewer}}
	if err := s.SetMemberships(ctx, st.ID, ms); err != nil {
		t.Fatal(err)
	}
	list, err := s.StaffOf(ctx, "o2")
	if err != nil || len(list) != 1 || list[0].RoleIn("o2") != model.RoleReviewer {
		t.Fatalf("StaffOf o2: %+v %v", list, err)
	}
	old := time.Now().Add(-time.Hour)
	for i, created := range []time.Time{old, time.Now()} {
		ss := &model.StaffSession{ID: store.NewID(), StaffID: st.ID, CreatedAt: created, LastSeenAt: created}
		if err := s.InsertStaffSession(ctx, ss); err != nil {
			t.Fatal(i, err)
		}
	}
	n, err := s.PurgeStaffSessions(ctx, time.Now().Add(-30*time.Minute), time.Now().Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
}

func TestUnavailableWhenEngineStops(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{DataDir: dir, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	s.StopEmbeddedForTest()
	if err := s.Ping(ctx); !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
}

func TestDataDirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if _, err := store.Open(ctx, store.Options{DataDir: dir}); err == nil {
		t.Fatal("second process on the same data directory was allowed")
	}
}

// TestReplaceSessionIsConditional: of many concurrent edits based on the
// same version exactly one wins; the embedded engine alone would let
// several through.
func TestReplaceSessionIsConditional(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	ls := &model.Session{ID: "s1", OrgID: "o", Title: "x"}
	if err := s.InsertSession(ctx, ls); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := *ls
			if s.ReplaceSession(ctx, &c) == nil {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	got, err := s.Session(ctx, "o", "s1")
	if err != nil || ok.Load() != 1 || got.Version != 1 {
		t.Fatalf("%d edits won, version %d (%v); want exactly 1", ok.Load(), got.Version, err)
	}
}
