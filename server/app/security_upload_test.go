package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/media/mediatest"
)

// script is what every polyglot below carries: markup a browser would run
// if it ever treated the file as HTML or SVG.
const script = `<html><body><script>alert(document.cookie)</script><svg onload=alert(1)></svg></body></html>`

// TestUploadPolyglots: files that are two things at once — a real photo or
// recording that is also HTML — are either refused or stored and served
// inertly: a photo is stored as a new JPEG of its pixels (the markup is
// gone), a recording that is accepted keeps its bytes but is served with
// its stored audio type, nosniff and a sandbox policy, so no browser runs
// it as a page. Markup with an image's or a recording's magic bytes in
// front, or a GIF/HTML polyglot declared as PNG, is refused.
func TestUploadPolyglots(t *testing.T) {
	e := start(t)
	_, s := e.mediaSession("voice", "photo", "text")
	me := e.participant(s.Code)

	// A JPEG with the markup in a comment segment and after its end.
	jpeg := mediatest.JPEG(mediatest.Image(64, 48))
	com := append([]byte{0xFF, 0xFE, 0, byte(len(script) + 2)}, script...)
	poly := append(append(append(append([]byte{}, jpeg[:2]...), com...), jpeg[2:]...), script...)
	id := me.uploadOK(s.ID, "photo", "image/jpeg", poly)
	r := me.get("/media/" + id)
	if r.status != http.StatusOK {
		t.Fatalf("own polyglot photo: %d", r.status)
	}
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, "onload") {
		t.Error("the stored photo still holds the markup: it was not re-encoded")
	}
	checkInert(t, "photo", r, "image/jpeg")

	// A recording with the markup after its last cluster.
	voice := append(mediatest.WebM(2*time.Second, mediatest.WebMOptions{}), script...)
	up := me.upload(s.ID, "voice", "audio/webm", voice, "")
	switch up.status {
	case http.StatusCreated:
		var out struct {
			MediaID string `json:"media_id"`
		}
		if err := json.Unmarshal([]byte(up.body), &out); err != nil {
			t.Fatal(err)
		}
		r := me.get("/media/" + out.MediaID)
		checkInert(t, "voice", r, "audio/webm")
		t.Logf("a WebM with HTML appended is stored as sent (%d bytes) and served inertly", len(r.body))
	case http.StatusBadRequest:
		t.Log("a WebM with HTML appended is refused")
	default:
		t.Errorf("polyglot voice note: %d %s", up.status, up.body)
	}

	// Refused outright: markup behind an image's magic bytes, a GIF that is
	// also HTML, declared as PNG, and a JPEG header followed by markup.
	for name, body := range map[string][]byte{
		"gif/html as png":     append([]byte("GIF89a/*"), script+"*/"...),
		"jpeg magic + html":   append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, script...),
		"png magic + html":    append([]byte("\x89PNG\r\n\x1a\n"), script...),
		"svg with png header": append([]byte("\x89PNG\r\n\x1a\n"), `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`...),
	} {
		up := me.upload(s.ID, "photo", "image/png", body, "")
		if up.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, up.status, up.body)
		}
	}
	if up := me.upload(s.ID, "voice", "audio/webm", append([]byte{0x1A, 0x45, 0xDF, 0xA3}, script...), ""); up.status != http.StatusBadRequest {
		t.Errorf("EBML magic + html as a voice note: %d, want 400", up.status)
	}
}

// checkInert: a stored file is served as its stored type, never sniffed,
// sandboxed, and not as HTML.
func checkInert(t *testing.T, what string, r *page, wantType string) {
	t.Helper()
	for h, want := range map[string]string{"Content-Type": wantType, "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s: %s %q, want %q", what, h, got, want)
		}
	}
	if bytes.Contains([]byte(strings.ToLower(r.header.Get("Content-Type"))), []byte("html")) {
		t.Errorf("%s served as %s", what, r.header.Get("Content-Type"))
	}
}
