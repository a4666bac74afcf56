package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/media"
	"github.com/buurtstem/buurtstem/server/media/mediatest"
)

// TestResponsePhotoIsPublic: a reviewer uploads a photo of the result with
// a response. It is stored cleaned (no location or other metadata), served
// to anyone at /photos/{id} with the media headers and shown, with alt
// text, on the board and on the resident's "my input". Publishing again
// keeps it, a new photo replaces it, and it can be taken off; a replaced
// or removed photo is no longer public. A form cannot publish a file it
// did not upload (a resident's photo, a voice note, an unknown id), and a
// file that is not a photo is refused with a translated message that keeps
// what was typed. /media stays closed to the public.
func TestResponsePhotoIsPublic(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.mediaSession("voice", "photo")
	conn, jar := e.resident(s.Code, live.Options{})
	me := &participant{t: t, e: e, jar: jar, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	_, snap := next[protocol.SnapshotData](t, conn, protocol.TypeSnapshot)
	residentPhoto := me.uploadOK(s.ID, "photo", "image/jpeg", mediatest.JPEG(mediatest.Image(120, 80)))
	voiceID := me.uploadOK(s.ID, "voice", "audio/webm", mediatest.WebM(2*time.Second, mediatest.WebMOptions{}))
	ack, err := conn.Submit(ctx, "p1", protocol.SubmitData{PromptID: snap.Session.Prompts[0].ID,
		Answer: protocol.AnswerData{MediaID: residentPhoto, Text: "De stoep is kapot"}})
	if err != nil {
		t.Fatal(err)
	}

	rev := e.staffBrowser("reviewer")
	var p *page
	waitFor(t, func() bool {
		p = rev.get("/orgs/" + demo.OrgID + "/inbox?session=" + s.ID)
		return strings.Contains(p.body, ack.ContributionID)
	})
	csrf := p.csrf(t)
	g := rev.post("/orgs/"+demo.OrgID+"/topics", url.Values{"csrf": {csrf}, "contribution": {ack.ContributionID},
		"title_nl": {"Stoep"}, "theme": {"housing"}, "neighbourhood_id": {demo.BuurtAID}})
	m := topicLocation.FindStringSubmatch(g.location)
	if m == nil {
		t.Fatalf("grouping: %d %q", g.status, g.location)
	}
	topicPath := "/orgs/" + demo.OrgID + "/topics/" + m[1]
	respond := topicPath + "/respond"
	form := func(text string, extra ...string) url.Values {
		v := url.Values{"csrf": {csrf}, "status": {"done"}, "text_nl": {text}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	photoOf := func() string {
		tp, err := e.store.Topic(ctx, demo.OrgID, m[1])
		if err != nil || tp.Response == nil {
			t.Fatalf("topic: %+v %v", tp, err)
		}
		return tp.Response.PhotoID
	}
	pub := e.browser()
	public := func(id string) int { return pub.get("/photos/" + id).status }

	// No file the form did not upload: not the resident's photo, not a
	// voice note, not an unknown id.
	for _, bad := range []string{residentPhoto, voiceID, strings.Repeat("0", 32)} {
		q := rev.postFile(respond, form("De stoep is gemaakt.", "photo_id", bad), formFile{})
		if q.status != http.StatusBadRequest || !shows(q, msg(t, "nl", "response.photo_invalid")) {
			t.Fatalf("publishing the file %s: %d", bad, q.status)
		}
	}
	// A file that is not a photo: a translated message under the field,
	// the typed text kept, nothing stored.
	before := e.mediaCount()
	for _, bad := range []struct {
		file formFile
		msg  string
	}{
		{formFile{field: "photo", name: "stoep.jpg", contentType: "image/jpeg", data: []byte("<html><script>alert(1)</script></html>")}, "answer.file_not_photo"},
		{formFile{field: "photo", name: "stoep.jpg", contentType: "image/jpeg", data: mediatest.JPEG(mediatest.Image(64, 64))[:200]}, "answer.file_broken"},
		{formFile{field: "photo", name: "stoep.webm", contentType: "audio/webm", data: mediatest.WebM(time.Second, mediatest.WebMOptions{})}, "answer.file_not_photo"},
		{formFile{field: "photo", name: "groot.jpg", contentType: "image/jpeg", data: make([]byte, media.DefaultLimits.PhotoBytes+1)}, "answer.file_too_large"},
	} {
		q := rev.postFile(respond, form("Wij hebben de stoep gemaakt."), bad.file)
		if q.status != http.StatusBadRequest || !strings.Contains(q.body, `role="alert"`) || !strings.Contains(q.body, "Wij hebben de stoep gemaakt.") {
			t.Fatalf("%s as a result photo: %d %.400s", bad.file.name, q.status, q.body)
		}
		if want := msg(t, "nl", bad.msg, "Max", media.DefaultLimits.PhotoBytes>>20); !shows(q, want) {
			t.Errorf("%s as a result photo: the page does not say %q", bad.file.name, want)
		}
	}
	if e.mediaCount() != before {
		t.Fatalf("refused photos were stored: %d files, had %d", e.mediaCount(), before)
	}

	// Published with a phone's photo, location and all.
	if q := rev.postFile(respond, form("De stoep is gemaakt."), formFile{field: "photo", name: "IMG_0001.jpg", contentType: "image/jpeg",
		data: mediatest.PhotoWithEXIF(320, 240, 1)}); q.status != http.StatusSeeOther {
		t.Fatalf("respond with a photo: %d %.300s", q.status, q.body)
	}
	first := photoOf()
	if first == "" || first == residentPhoto {
		t.Fatalf("the response's photo is %q", first)
	}
	q := pub.get("/photos/" + first)
	if q.status != http.StatusOK || len(q.body) == 0 || q.header.Get("Content-Type") != "image/jpeg" ||
		q.header.Get("X-Content-Type-Options") != "nosniff" || q.header.Get("Content-Security-Policy") != "sandbox" {
		t.Fatalf("published photo: %d %v (%d bytes)", q.status, q.header, len(q.body))
	}
	if strings.Contains(q.body, "GPS-SECRET") || strings.Contains(q.body, "Exif") {
		t.Fatal("the published photo still carries its metadata")
	}
	alt := msg(t, "nl", "feedback.photo_alt", "Title", "Stoep")
	board := pub.get("/buurt/" + demo.BuurtAID)
	if !strings.Contains(board.body, `src="/photos/`+first+`"`) || !shows(board, alt) {
		t.Errorf("the board lacks the photo with its alt text")
	}
	if mine := me.get("/mine"); !strings.Contains(mine.body, `src="/photos/`+first+`"`) || !shows(mine, alt) {
		t.Errorf("'my input' lacks the photo with its alt text: %.3000s", mine.body)
	}
	// The reviewer's page shows it, with a way to take it off.
	if tp := rev.get(topicPath); !strings.Contains(tp.body, `src="/photos/`+first+`"`) || !strings.Contains(tp.body, `name="remove_photo"`) {
		t.Errorf("the topic page lacks the current photo: %.2000s", tp.body)
	}

	// Publishing again without a file keeps it (the form sends it back).
	if q := rev.postFile(respond, form("De stoep is gemaakt en geveegd.", "photo_id", first), formFile{field: "photo", name: "", contentType: "application/octet-stream", data: []byte{}}); q.status != http.StatusSeeOther {
		t.Fatalf("publishing again: %d %.300s", q.status, q.body)
	}
	if got := photoOf(); got != first {
		t.Fatalf("publishing again changed the photo to %q", got)
	}
	// A new photo replaces it; the old one is no longer public.
	if q := rev.postFile(respond, form("De stoep is gemaakt.", "photo_id", first), formFile{field: "photo", name: "na.png", contentType: "image/png",
		data: mediatest.PNG(mediatest.Image(200, 100))}); q.status != http.StatusSeeOther {
		t.Fatalf("a new photo: %d %.300s", q.status, q.body)
	}
	second := photoOf()
	if second == first || second == "" || public(second) != http.StatusOK || public(first) != http.StatusNotFound {
		t.Fatalf("replacing the photo: %q → %q, public %d and %d", first, second, public(first), public(second))
	}
	// Taken off.
	if q := rev.postFile(respond, form("De stoep is gemaakt.", "photo_id", second, "remove_photo", "1"), formFile{}); q.status != http.StatusSeeOther {
		t.Fatalf("taking the photo off: %d", q.status)
	}
	if got := photoOf(); got != "" || public(second) != http.StatusNotFound {
		t.Fatalf("after taking it off: photo %q, public %d", got, public(second))
	}

	for _, id := range []string{residentPhoto, voiceID, strings.Repeat("a", 32), "../etc"} {
		if q := pub.get("/photos/" + id); q.status != http.StatusNotFound {
			t.Errorf("/photos/%s: %d, want 404", id, q.status)
		}
	}
	if q := pub.get("/media/" + first); q.status != http.StatusNotFound {
		t.Errorf("/media of a result photo for the public: %d", q.status)
	}
}
