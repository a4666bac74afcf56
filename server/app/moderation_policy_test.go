package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestModerationPolicyInEveryLanguage: the public moderation policy needs
// no login, is translated into every shipped language, and every page of
// the layout links to it.
func TestModerationPolicyInEveryLanguage(t *testing.T) {
	e := start(t)
	br := e.browser()
	for _, tc := range []struct{ lang, dir, title, criticism string }{
		{"nl", "ltr", "Regels voor berichten", "Kritiek mag"},
		{"en", "ltr", "Rules for messages", "Criticism is welcome"},
		{"ar", "rtl", "قواعد الرسائل", "النقد مسموح"},
		{"tr", "ltr", "Mesaj kuralları", "Eleştiri serbest"},
		{"pl", "ltr", "Zasady dla wiadomości", "Krytyka jest w porządku"},
		{"uk", "ltr", "Правила для повідомлень", "Критикувати можна"},
	} {
		p := br.get("/moderation-policy?lang=" + tc.lang)
		if p.status != http.StatusOK {
			t.Fatalf("%s: status %d", tc.lang, p.status)
		}
		for _, want := range []string{
			`lang="` + tc.lang + `" dir="` + tc.dir + `"`,
			"<h1>" + tc.title + "</h1>",
			"<h2>" + tc.criticism + "</h2>",
			`href="/moderation-policy"`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s: page lacks %q", tc.lang, want)
			}
		}
		if strings.Contains(p.body, "moderation.policy.") || strings.Contains(p.body, "layout.moderation_policy") {
			t.Errorf("%s: untranslated message id on the page", tc.lang)
		}
	}
	// the login page links to it too
	if p := br.get("/login?lang=nl"); !strings.Contains(p.body, `<a href="/moderation-policy">Regels voor berichten</a>`) {
		t.Errorf("login page has no link to the policy")
	}
}
