package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestStatementsInEveryLanguage: the privacy and accessibility statements
// and the credits need no login, are translated into every shipped language
// (Arabic right to left), and the footer of every kind of page links to all
// three: staff pages, the login, resident pages, the public board and error
// pages.
func TestStatementsInEveryLanguage(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("post")
	br := e.browser()
	for _, path := range []string{"/privacy", "/accessibility", "/credits"} {
		seen := map[string]string{}
		for _, lang := range []string{"nl", "en", "ar", "tr", "pl", "uk"} {
			p := br.get(path + "?lang=" + lang)
			dir := "ltr"
			if lang == "ar" {
				dir = "rtl"
			}
			if p.status != http.StatusOK || !strings.Contains(p.body, `lang="`+lang+`" dir="`+dir+`"`) {
				t.Fatalf("%s in %s: %d", path, lang, p.status)
			}
			title := strings.TrimPrefix(path, "/") + ".title"
			h1 := msg(t, lang, title)
			if !shows(p, "<h1>"+h1+"</h1>") && !strings.Contains(p.body, "<h1>") {
				t.Errorf("%s in %s: no heading", path, lang)
			}
			if !shows(p, h1) {
				t.Errorf("%s in %s: lacks its title %q", path, lang, h1)
			}
			if other, dup := seen[h1]; dup && lang != "nl" && other != "nl" {
				t.Errorf("%s: %s and %s have the same title %q", path, lang, other, h1)
			}
			seen[h1] = lang
			for _, id := range []string{"privacy.", "accessibility.", "credits.", "layout."} {
				if strings.Contains(p.body, ">"+id) {
					t.Errorf("%s in %s: an untranslated message id", path, lang)
				}
			}
		}
	}
	staff := e.staffBrowser("admin")
	res, sid := e.joined(t, s.Code, "nl")
	for name, p := range map[string]*page{
		"login":            br.get("/login"),
		"staff page":       staff.get("/orgs/" + s.OrgID),
		"resident start":   e.browser().get("/?lang=nl"),
		"resident session": res.get("/s/" + sid),
		"my input":         res.get("/mine"),
		"receipt form":     res.get("/r"),
		"board":            br.get("/buurt/" + s.OrgID),
		"not found":        br.get("/bestaat-niet"),
		"statement itself": br.get("/privacy"),
	} {
		for _, link := range []string{`href="/privacy"`, `href="/accessibility"`, `href="/credits"`} {
			if !strings.Contains(p.body, link) {
				t.Errorf("%s (%d): no footer link %s", name, p.status, link)
			}
		}
	}
}
