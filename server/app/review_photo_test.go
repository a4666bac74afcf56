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
	"github.com/buurtstem/buurtstem/server/media/mediatest"
)

// TestResponsePhotoIsPublic: a result photo published with a response is
// served to anyone at /photos/{id} with the media headers and shown, with
// alt text, on the board and on the resident's "my input"; no other file
// (another photo, a voice note) is served there, a voice note is refused
// as a result photo, and /media stays closed to the public.
func TestResponsePhotoIsPublic(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.mediaSession("voice", "photo")
	conn, jar := e.resident(s.Code, live.Options{})
	me := &participant{t: t, e: e, jar: jar, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	_, snap := next[protocol.SnapshotData](t, conn, protocol.TypeSnapshot)
	photo := mediatest.JPEG(mediatest.Image(240, 160))
	photoID := me.uploadOK(s.ID, "photo", "image/jpeg", photo)
	otherID := me.uploadOK(s.ID, "photo", "image/jpeg", mediatest.JPEG(mediatest.Image(120, 80)))
	voiceID := me.uploadOK(s.ID, "voice", "audio/webm", mediatest.WebM(2*time.Second, mediatest.WebMOptions{}))
	ack, err := conn.Submit(ctx, "p1", protocol.SubmitData{PromptID: snap.Session.Prompts[0].ID,
		Answer: protocol.AnswerData{MediaID: otherID, Text: "De stoep is kapot"}})
	if err != nil {
		t.Fatal(err)
	}

	rev := e.staffBrowser("reviewer")
	var p *page
	for deadline := time.Now().Add(10 * time.Second); ; {
		p = rev.get("/orgs/" + demo.OrgID + "/inbox?session=" + s.ID)
		if strings.Contains(p.body, ack.ContributionID) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	csrf := p.csrf(t)
	g := rev.post("/orgs/"+demo.OrgID+"/topics", url.Values{"csrf": {csrf}, "contribution": {ack.ContributionID},
		"title_nl": {"Stoep"}, "theme": {"housing"}, "neighbourhood_id": {demo.BuurtAID}})
	m := topicLocation.FindStringSubmatch(g.location)
	if m == nil {
		t.Fatalf("grouping: %d %q", g.status, g.location)
	}
	respond := "/orgs/" + demo.OrgID + "/topics/" + m[1] + "/respond"
	for _, bad := range []string{voiceID, strings.Repeat("0", 32)} {
		q := rev.post(respond, url.Values{"csrf": {csrf}, "status": {"done"}, "text_nl": {"De stoep is gemaakt."}, "photo_id": {bad}})
		if q.status != http.StatusBadRequest || !shows(q, msg(t, "nl", "response.photo_invalid")) {
			t.Fatalf("result photo %s: %d", bad, q.status)
		}
	}
	// Before publishing, the photo is not public.
	pub := e.browser()
	if q := pub.get("/photos/" + photoID); q.status != http.StatusNotFound {
		t.Fatalf("an unpublished photo: %d", q.status)
	}
	if q := rev.post(respond, url.Values{"csrf": {csrf}, "status": {"done"}, "text_nl": {"De stoep is gemaakt."}, "photo_id": {photoID}}); q.status != http.StatusSeeOther {
		t.Fatalf("respond with photo: %d %.300s", q.status, q.body)
	}

	q := pub.get("/photos/" + photoID)
	if stored := me.get("/media/" + photoID); q.status != http.StatusOK || q.body != stored.body || len(q.body) == 0 || q.header.Get("Content-Type") != "image/jpeg" ||
		q.header.Get("X-Content-Type-Options") != "nosniff" || q.header.Get("Content-Security-Policy") != "sandbox" {
		t.Fatalf("published photo: %d %v (%d bytes)", q.status, q.header, len(q.body))
	}
	for _, id := range []string{otherID, voiceID, strings.Repeat("a", 32), "../etc"} {
		if q := pub.get("/photos/" + id); q.status != http.StatusNotFound {
			t.Errorf("/photos/%s: %d, want 404", id, q.status)
		}
	}
	if q := pub.get("/media/" + photoID); q.status != http.StatusNotFound {
		t.Errorf("/media of a published photo for the public: %d", q.status)
	}
	alt := msg(t, "nl", "feedback.photo_alt", "Title", "Stoep")
	board := pub.get("/buurt/" + demo.BuurtAID)
	if !strings.Contains(board.body, `src="/photos/`+photoID+`"`) || !shows(board, alt) {
		t.Errorf("the board lacks the photo with its alt text")
	}
	if mine := me.get("/mine"); !strings.Contains(mine.body, `src="/photos/`+photoID+`"`) || !shows(mine, alt) {
		t.Errorf("'my input' lacks the photo with its alt text: %.3000s", mine.body)
	}
}
