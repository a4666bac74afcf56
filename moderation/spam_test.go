package moderation

import (
	"math/bits"
	"slices"
	"testing"
	"time"
)

func TestSimhashDistances(t *testing.T) {
	base := "De stoep voor de school is al maanden kapot en niemand doet er iets aan."
	near := []string{
		"De stoep voor de school is al maanden kapot en niemand doet er iets aan!!!",
		"de stoep voor de school is al maanden kapot, en niemand doet er iets aan",
		"De stoep voor de school is al maanden kapot en niemand doet er wat aan.",
		"De stoep voor de school is al maanden kapot en niemand doet iets aan.",
		"DE STOEP VOOR DE SCHOOL IS AL MAANDEN KAPOT EN NIEMAND DOET ER IETS AAN",
	}
	far := []string{
		"Meer bankjes in het park graag, dan kunnen ouderen even zitten.",
		"De bus rijdt niet meer door de wijk en oude mensen zitten thuis.",
		"De stoep bij de bibliotheek is prima, maar de verlichting is kapot.",
		"Er zijn te weinig plekken bij de kinderopvang in onze buurt.",
	}
	h := simhash(Normalize(base, "nl"))
	for _, s := range near {
		d := bits.OnesCount64(h ^ simhash(Normalize(s, "nl")))
		t.Logf("near %2d  %s", d, s)
		if d > nearDistance {
			t.Errorf("near-duplicate at distance %d > %d: %q", d, nearDistance, s)
		}
	}
	for _, s := range far {
		d := bits.OnesCount64(h ^ simhash(Normalize(s, "nl")))
		t.Logf("far  %2d  %s", d, s)
		if d <= nearDistance {
			t.Errorf("different text at distance %d ≤ %d: %q", d, nearDistance, s)
		}
	}
}

func TestGuardDuplicates(t *testing.T) {
	g := NewGuard(GuardOptions{})
	t0 := time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	text := "De stoep voor de school is al maanden kapot en niemand doet er iets aan."
	if r := g.Observe("p1", "c1", text, t0); len(r.Codes) != 0 {
		t.Fatalf("first contribution: %v", r.Codes)
	}
	r := g.Observe("p1", "c2", text+"!!", t0.Add(time.Minute))
	if !slices.Contains(r.Codes, SpamDuplicate) {
		t.Fatalf("same participant, same text: %v", r.Codes)
	}
	// another participant saying the same is not spam, but similar
	r = g.Observe("p2", "c3", "de stoep voor de school is al maanden kapot, niemand doet er iets aan", t0.Add(2*time.Minute))
	if len(r.Codes) != 0 || !slices.Equal(r.Similar, []string{"c1"}) {
		t.Fatalf("other participant: %+v", r)
	}
	// after the window the same text is fine again
	if r := g.Observe("p1", "c4", text, t0.Add(11*time.Minute)); len(r.Codes) != 0 {
		t.Fatalf("after the window: %v", r.Codes)
	}
	// short answers are never duplicates
	for i := range 3 {
		if r := g.Observe("p3", "s", "ja", t0.Add(time.Duration(i)*time.Minute)); len(r.Codes) != 0 {
			t.Fatalf("short answer %d: %v", i, r.Codes)
		}
	}
}

func TestGuardFlood(t *testing.T) {
	g := NewGuard(GuardOptions{FloodCount: 3, FloodWindow: 10 * time.Second})
	t0 := time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	texts := []string{"een", "twee", "drie", "vier", "vijf"}
	var flooded []int
	for i, s := range texts {
		r := g.Observe("p1", s, s, t0.Add(time.Duration(i)*time.Second))
		if slices.Contains(r.Codes, SpamFlood) {
			flooded = append(flooded, i)
		}
	}
	if !slices.Equal(flooded, []int{3, 4}) {
		t.Fatalf("flooded attempts %v, want [3 4]", flooded)
	}
	// another participant is not affected
	if r := g.Observe("p2", "x", "hallo", t0.Add(4*time.Second)); len(r.Codes) != 0 {
		t.Fatalf("p2: %v", r.Codes)
	}
	// after a pause p1 may send again
	if r := g.Observe("p1", "z", "zes", t0.Add(30*time.Second)); len(r.Codes) != 0 {
		t.Fatalf("after a pause: %v", r.Codes)
	}
	v := Check("vier", "nl").With(SpamFlood)
	if v.Decision != Reject || v.Redacted != "" || !v.Has(SpamFlood) {
		t.Fatalf("verdict with flood: %+v", v)
	}
}

func TestGuardForgetsOldest(t *testing.T) {
	g := NewGuard(GuardOptions{MaxParticipants: 3})
	t0 := time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	for i, p := range []string{"a", "b", "c", "d", "e"} {
		g.Observe(p, p, "hallo", t0.Add(time.Duration(i)*time.Second))
	}
	if n := g.Participants(); n != 3 {
		t.Fatalf("remembers %d participants, want 3", n)
	}
}
