package app_test

import (
	"html"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"testing"

	clientweb "github.com/buurtstem/buurtstem/clients/web"
	"github.com/buurtstem/buurtstem/server/web"
)

// TestCreditsPage: in every shipped language the credits page lists every
// pictogram file with its author (translated) and its licence, every piece
// of other people's software with its licence, and buurtstem's own
// licence; the pictograms it shows load. What it says of fonts and scripts
// holds: no stylesheet declares a web font and no template loads a script,
// stylesheet or font from another site.
func TestCreditsPage(t *testing.T) {
	e := start(t)
	br := e.browser()
	files, err := fs.Glob(clientweb.Static, "static/pictograms/*.svg")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d pictograms: %v", len(files), err)
	}
	row := regexp.MustCompile(`(?s)<tr data-pictogram="([^"]+)"><td><img src="([^"]+)" alt="" width="32" height="32"></td><td>.*?</td><td>([^<]*)</td><td><a [^>]*>([^<]*)</a></td></tr>`)
	for _, lang := range []string{"nl", "en", "ar", "tr", "pl", "uk"} {
		p := br.get("/credits?lang=" + lang)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", lang, p.status)
		}
		author := msg(t, lang, "credits.author_buurtstem")
		rows := row.FindAllStringSubmatch(p.body, -1)
		if len(rows) != len(files) {
			t.Fatalf("%s: %d pictogram rows, %d files", lang, len(rows), len(files))
		}
		for i, r := range rows {
			name := strings.TrimSuffix(path.Base(files[i]), ".svg")
			if r[1] != name || r[2] != "/static/pictograms/"+name+".svg" || html.UnescapeString(r[3]) != author || r[4] != "CC0-1.0" {
				t.Errorf("%s: pictogram row %q %q %q %q, want %s by %q under CC0-1.0", lang, r[1], r[2], r[3], r[4], name, author)
			}
		}
		for _, l := range web.Libraries {
			if !strings.Contains(p.body, `<tr data-module="`+l.Module+`"><td><bdi dir="ltr">`+html.EscapeString(l.Name)+`</bdi></td><td><bdi dir="ltr">`+l.Licence+`</bdi></td></tr>`) {
				t.Errorf("%s: no row for %s (%s)", lang, l.Module, l.Licence)
			}
		}
		if !strings.Contains(p.body, `data-licence>`+web.Licence+`</a>`) {
			t.Errorf("%s: buurtstem's own licence %s is not shown", lang, web.Licence)
		}
		for _, id := range []string{"credits.pictograms", "credits.fonts", "credits.code", "credits.voices", "credits.software", "credits.libraries"} {
			if !shows(p, msg(t, lang, id)) {
				t.Errorf("%s: lacks %s", lang, id)
			}
		}
	}
	for _, f := range files[:3] {
		if p := br.get("/" + f); p.status != http.StatusOK || !strings.Contains(p.body, "<svg") {
			t.Errorf("%s: %d", f, p.status)
		}
	}

	// The page's claims about fonts and scripts.
	css, _ := fs.Glob(clientweb.Static, "static/*.css")
	for _, f := range css {
		b, _ := fs.ReadFile(clientweb.Static, f)
		if strings.Contains(string(b), "@font-face") || strings.Contains(string(b), "@import") {
			t.Errorf("%s loads a font or another stylesheet", f)
		}
	}
	foreign := regexp.MustCompile(`(?i)<(script|link|img|audio|source)[^>]+(src|href)="(https?:)?//`)
	err = fs.WalkDir(clientweb.Templates, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(clientweb.Templates, p)
		if err != nil {
			return err
		}
		if m := foreign.FindString(string(b)); m != "" {
			t.Errorf("%s loads from another site: %s", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
