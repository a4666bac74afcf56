package app_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/media/mediatest"
)

// TestResidentMediaRemovedNotice: a resident's voice note is purged after
// the organisation's retention (moved clock, as in TestMediaRetentionPurge);
// "my input" and the receipt page then say, in the resident's language,
// that it was removed after N months, with a speaker button, instead of
// offering the recording.
func TestResidentMediaRemovedNotice(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	var offset time.Duration
	e.srv.Uploads().SetClock(func() time.Time { return time.Now().Add(offset) })
	if err := e.store.SetMediaRetention(ctx, demo.OrgID, 2); err != nil {
		t.Fatal(err)
	}

	_, s := e.mediaSession("voice")
	conn, jar := e.resident(s.Code, live.Options{})
	_, snap := next[protocol.SnapshotData](t, conn, protocol.TypeSnapshot)
	me := &participant{t: t, e: e, jar: jar, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	voice := me.uploadOK(s.ID, "voice", "audio/webm", mediatest.WebM(2*time.Second, mediatest.WebMOptions{}))
	if _, err := conn.Submit(ctx, "v1", protocol.SubmitData{PromptID: snap.Session.Prompts[0].ID, Answer: protocol.AnswerData{MediaID: voice}}); err != nil {
		t.Fatal(err)
	}
	phone := &browser{t: t, base: e.url, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	rc := phone.postJSON("/api/v1/receipt", "{}")
	m := regexp.MustCompile(`"code":"([2-9A-Z]{5})-([2-9A-Z]{5})"`).FindStringSubmatch(rc.body)
	if m == nil {
		t.Fatalf("receipt: %d %s", rc.status, rc.body)
	}
	receipt := "/r/" + m[1] + m[2]

	pages := func(lang string) map[string]*page {
		out := map[string]*page{}
		for _, path := range []string{"/mine", receipt} {
			req, _ := http.NewRequest(http.MethodGet, e.url+path+"?lang="+lang, nil)
			out[path] = phone.do(req)
		}
		return out
	}
	// Before the purge: the answer shows as a voice answer, no notice.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(pages("nl")["/mine"].body, `class="input"`); {
		if time.Now().After(deadline) {
			t.Fatal("my input never listed the answer")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for path, p := range pages("nl") {
		if p.status != http.StatusOK || !shows(p, msg(t, "nl", "resident.media_answer")) || strings.Contains(p.body, "media-deleted") {
			t.Errorf("%s before the purge: %d", path, p.status)
		}
	}

	offset = 61 * 24 * time.Hour
	if n, err := e.srv.Uploads().Purge(ctx); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	for _, lang := range []string{"nl", "ar", "en", "tr", "pl", "uk"} {
		want := html.EscapeString(msg(t, lang, "answer.media_deleted", "Months", 2))
		for path, p := range pages(lang) {
			if p.status != http.StatusOK || !strings.Contains(p.body, `class="say-row media-deleted"><span>`+want+`</span>`) ||
				!strings.Contains(p.body, `data-say="`+want+`"`) {
				t.Errorf("%s in %s after the purge: %d, no notice %q", path, lang, p.status, want)
			}
			if strings.Contains(p.body, html.EscapeString(msg(t, lang, "resident.media_answer"))) {
				t.Errorf("%s in %s still offers the removed recording", path, lang)
			}
		}
	}
}
