package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/buurtstem/buurtstem/server/demo"
)

// fakeTranslator is a LibreTranslate-compatible service: POST /translate
// answers "NL: " and the text, or 500 while failing is set.
type fakeTranslator struct {
	*httptest.Server
	failing atomic.Bool
	mu      sync.Mutex
	asked   []map[string]string // q, source, target of each request
}

func newFakeTranslator(t *testing.T, answer func(q string) string) *fakeTranslator {
	f := &fakeTranslator{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]string
		if r.URL.Path != "/translate" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.asked = append(f.asked, req)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if f.failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"model not loaded"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"translatedText": answer(req["q"])})
	}))
	t.Cleanup(f.Close)
	return f
}

// TestMachineTranslation: with a translation service configured, a
// reviewer has a resident's Arabic answer translated into Dutch with one
// button; the service gets it with the phone number in it masked. The translation is stored beside the original, marked as made by
// that service, and shown escaped (the service's answer is another party's
// text). A failing service changes nothing and says so, translated; an
// answer without text, a translation into its own language and a server
// without a service get clear refusals.
func TestMachineTranslation(t *testing.T) {
	const said = "الإنارة في شارع الكنال مطفأة منذ أسبوعين، اتصلوا بي على 06-12345678"
	const injected = `<img src=x onerror=alert(1)>`
	svc := newFakeTranslator(t, func(q string) string { return "NL: de verlichting is uit " + injected })
	e := start(t, "BUURTSTEM_TRANSLATE_URL", svc.URL)
	ctx := context.Background()

	g := e.faceAndText("ar", said)
	face, text, rev, inbox, p := g.face, g.text, g.rev, g.inbox, g.page
	action := "/orgs/" + demo.OrgID + "/contributions/" + text.ContributionID + "/translate"
	if !strings.Contains(p.body, `action="`+action+`"`) {
		t.Fatal("the inbox offers no machine translation of the written answer")
	}
	if strings.Contains(p.body, `action="/orgs/`+demo.OrgID+`/contributions/`+face.ContributionID+`/translate"`) {
		t.Error("the inbox offers to translate a face answer, which has no text")
	}
	translate := func(id, lang string) *page {
		return rev.post("/orgs/"+demo.OrgID+"/contributions/"+id+"/translate", url.Values{"csrf": {p.csrf(t)}, "lang": {lang}, "back": {inbox}})
	}

	if q := translate(text.ContributionID, "nl"); q.status != http.StatusSeeOther || !strings.HasPrefix(q.location, inbox) {
		t.Fatalf("translate: %d %q %.300s", q.status, q.location, q.body)
	}
	svc.mu.Lock()
	asked := svc.asked
	svc.mu.Unlock()
	// The service gets the text with the phone number masked, as the
	// room saw it; the stored answer keeps what the resident wrote.
	if len(asked) != 1 || asked[0]["source"] != "ar" || asked[0]["target"] != "nl" ||
		strings.Contains(asked[0]["q"], "12345678") || !strings.Contains(asked[0]["q"], "الإنارة في شارع الكنال") {
		t.Fatalf("the service was asked %v", asked)
	}
	c, err := e.store.Contribution(ctx, text.ContributionID)
	host := strings.TrimPrefix(svc.URL, "http://")
	if err != nil || c.Answer.Text != said || c.Notes == nil || c.Notes.Translations["nl"].Machine != host ||
		!strings.HasPrefix(c.Notes.Translations["nl"].Text, "NL: de verlichting is uit") {
		t.Fatalf("stored: %+v %v", c, err)
	}
	p = rev.get(inbox)
	if !shows(p, said) || !shows(p, "NL: de verlichting is uit") || !shows(p, msg(t, "nl", "review.machine_made", "Service", host)) {
		t.Errorf("the inbox does not show the original, the translation and who made it: %.2000s", p.body)
	}
	if strings.Contains(p.body, injected) {
		t.Error("the service's answer reached the page unescaped")
	}

	// The service fails: the page says so, the stored translation stays.
	svc.failing.Store(true)
	if q := translate(text.ContributionID, "en"); q.status != http.StatusServiceUnavailable || !shows(q, msg(t, "nl", "review.translate_failed")) {
		t.Errorf("a failing service: %d %.500s", q.status, q.body)
	}
	if c, _ := e.store.Contribution(ctx, text.ContributionID); len(c.Notes.Translations) != 1 {
		t.Errorf("a failed translation was stored: %+v", c.Notes)
	}
	svc.failing.Store(false)

	for _, bad := range []struct{ id, lang, msgID string }{
		{face.ContributionID, "nl", "review.translate_nothing"},
		{text.ContributionID, "ar", "review.translate_same"},
		{text.ContributionID, "xx-<b>", "note.lang_invalid"},
	} {
		if q := translate(bad.id, bad.lang); q.status != http.StatusBadRequest || !shows(q, msg(t, "nl", bad.msgID)) {
			t.Errorf("translate %s into %q: %d, want 400 with %q", bad.id, bad.lang, q.status, bad.msgID)
		}
	}

	// Without a service: no button, and the route says it is off.
	off := start(t)
	offRev := off.staffBrowser("reviewer")
	op := offRev.get("/orgs/" + demo.OrgID + "/inbox")
	if strings.Contains(op.body, "/translate\"") {
		t.Error("a server without a translation service offers machine translation")
	}
	if q := offRev.post("/orgs/"+demo.OrgID+"/contributions/"+text.ContributionID+"/translate",
		url.Values{"csrf": {op.csrf(t)}, "lang": {"nl"}}); q.status != http.StatusNotFound || !shows(q, msg(t, "nl", "review.translate_off")) {
		t.Errorf("translate without a service: %d", q.status)
	}
}
