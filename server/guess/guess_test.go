package guess

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestFreshFloodLeavesKnownDevices(t *testing.T) {
	g := New(Policy{Fresh: Budget{Burst: 3, Rate: rate.Every(time.Hour)}, Known: Budget{Burst: 10, Rate: rate.Every(time.Hour)},
		Device: Budget{Burst: 2, Rate: rate.Every(time.Hour)}, MaxDevices: 10})
	for range 3 {
		if !g.Allowed("") {
			t.Fatal("fresh budget empty too early")
		}
		g.Failed("")
	}
	if g.Allowed("") {
		t.Fatal("fresh budget not spent after 3 wrong guesses")
	}
	if !g.Allowed("resident") {
		t.Fatal("a known device is locked out by fresh devices' wrong guesses")
	}
	g.Failed("guesser")
	g.Failed("guesser")
	if g.Allowed("guesser") {
		t.Fatal("a device's own budget does not end")
	}
	if !g.Allowed("resident") {
		t.Fatal("one device's wrong guesses spent another's budget")
	}
}

func TestKnownClassBoundsManyDevices(t *testing.T) {
	g := New(Policy{Fresh: Budget{Burst: 3, Rate: rate.Every(time.Hour)}, Known: Budget{Burst: 10, Rate: rate.Every(time.Hour)},
		Device: Budget{Burst: 2, Rate: rate.Every(time.Hour)}, MaxDevices: 4})
	wrong := 0
	for i := range 100 { // a guesser with many participant tokens
		d := fmt.Sprint("token", i)
		for g.Allowed(d) {
			g.Failed(d)
			wrong++
		}
	}
	if wrong != 10 {
		t.Fatalf("%d wrong guesses through 100 tokens, want the class burst of 10", wrong)
	}
	if !g.Allowed("") {
		t.Fatal("known devices' guesses spent the fresh budget")
	}
	if len(g.devices) > 4 {
		t.Fatalf("%d device budgets kept, at most 4", len(g.devices))
	}
}
