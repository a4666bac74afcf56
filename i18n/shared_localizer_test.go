package i18n

import (
	"sync"
	"testing"
)

// TestSharedLocalizerIsSafe: the catalogue hands out one Localizer per
// language; many goroutines use the same one at once (run with -race).
func TestSharedLocalizerIsSafe(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Localizer("ar") != c.Localizer("ar-MA") {
		t.Fatal("the Arabic localizer is not shared")
	}
	want := map[string]string{}
	for _, l := range c.Languages() {
		want[l.Code] = c.Localizer(l.Code).N("login.locked", 3, "Minutes", 3)
	}
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				l := c.Languages()[(g+i)%len(c.Languages())]
				if got := c.Localizer(l.Code).N("login.locked", 3, "Minutes", 3); got != want[l.Code] {
					t.Errorf("%s: %q, want %q", l.Code, got, want[l.Code])
					return
				}
				_ = c.Localizer(l.Code).Number(1234567)
			}
		}()
	}
	wg.Wait()
}
