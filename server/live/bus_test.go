package live_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/live"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type recorder struct {
	mu   sync.Mutex
	seqs []uint64
}

func (r *recorder) deliver(ev live.Event) {
	r.mu.Lock()
	r.seqs = append(r.seqs, ev.Seq)
	r.mu.Unlock()
}

func (r *recorder) wait(t *testing.T, n int) []uint64 {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		got := append([]uint64(nil), r.seqs...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("only %v delivered, want %d", r.seqs, n)
	return nil
}

// TestStoreBusTwoInstances: two buses on one store stand for two server
// instances. Events published on either reach both subscribers, once each,
// in one order.
func TestStoreBusTwoInstances(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := live.NewStoreBus(s, 10*time.Millisecond, log)
	b := live.NewStoreBus(s, 10*time.Millisecond, log)
	var ra, rb recorder
	ea, ha, cancelA, err := a.Subscribe(ctx, "sess", ra.deliver)
	if err != nil {
		t.Fatal(err)
	}
	defer cancelA()
	eb, hb, cancelB, err := b.Subscribe(ctx, "sess", rb.deliver)
	if err != nil {
		t.Fatal(err)
	}
	defer cancelB()
	if ea != eb || ha != 0 || hb != 0 {
		t.Fatalf("epochs %q %q heads %d %d", ea, eb, ha, hb)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bus := a
			if i%2 == 1 {
				bus = b
			}
			if _, err := bus.Publish(ctx, "sess", "state", json.RawMessage(`{}`)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for name, r := range map[string]*recorder{"a": &ra, "b": &rb} {
		got := r.wait(t, 20)
		for i, seq := range got {
			if seq != uint64(i+1) {
				t.Fatalf("%s delivered %v: not 1..20 in order", name, got)
			}
		}
	}
}

// TestStoreBusPresence: instances sharing a store learn how many residents
// the others hold in a session, and an instance that stopped reporting
// drops out.
func TestStoreBusPresence(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := live.NewStoreBus(st, 0, log)
	b := live.NewStoreBus(st, 0, log)
	if n, err := a.SharePresence(ctx, "s1", 3); err != nil || n != 0 {
		t.Fatalf("a alone: %d %v", n, err)
	}
	if n, err := b.SharePresence(ctx, "s1", 5); err != nil || n != 3 {
		t.Fatalf("b sees a: %d %v", n, err)
	}
	if n, err := a.SharePresence(ctx, "s1", 4); err != nil || n != 5 {
		t.Fatalf("a sees b: %d %v", n, err)
	}
	if n, err := a.SharePresence(ctx, "s2", 1); err != nil || n != 0 {
		t.Fatalf("another session: %d %v", n, err)
	}
	if n, err := b.SharePresence(ctx, "s1", 0); err != nil || n != 4 {
		t.Fatalf("b leaves: %d %v", n, err)
	}
	if n, err := a.SharePresence(ctx, "s1", 4); err != nil || n != 0 {
		t.Fatalf("after b left: %d %v", n, err)
	}
	// A record nobody refreshes (a killed instance) stops counting.
	if err := st.SetLivePresence(ctx, "s1", "gone", 7, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := a.SharePresence(ctx, "s1", 4); err != nil || n != 0 {
		t.Fatalf("stale record counted: %d %v", n, err)
	}
	if n, err := st.PurgeLivePresence(ctx, time.Now().Add(-30*time.Second)); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
}
