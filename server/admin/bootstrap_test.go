package admin_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestBootstrapRace: several instances starting at once on an empty store
// (a new deployment with replicas) all start; exactly one administrator
// exists afterwards.
func TestBootstrapRace(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			errs[i] = admin.Bootstrap(ctx, st, &out)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	if n, err := st.CountStaff(ctx); err != nil || n != 1 {
		t.Fatalf("%d staff accounts (%v), want the one administrator", n, err)
	}
}
