package config

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMediaRetentionDefault: residents' voice notes and photos are kept 12
// months unless set otherwise (issue #7), and the README's settings table
// says so.
func TestMediaRetentionDefault(t *testing.T) {
	c, err := Parse(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.MediaRetention != 8760*time.Hour {
		t.Errorf("default retention %v, want 8760h", c.MediaRetention)
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `-media-retention`") {
			if !strings.Contains(line, "`8760h`") {
				t.Errorf("README row does not give the default 8760h: %s", line)
			}
			return
		}
	}
	t.Error("README has no row for -media-retention")
}
