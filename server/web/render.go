// Package web renders the server-side HTML pages of the staff area: login,
// password, the home page and the administration of an organisation. Each
// page has one handler file named after it and one typed data struct;
// templates come from clients/web and are parsed once at start.
package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"

	clientweb "github.com/buurtstem/buurtstem/clients/web"
	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/model"
)

// Renderer holds one parsed template set per page.
type Renderer struct {
	pages map[string]*template.Template
}

// NewRenderer parses every page with the layout and partials. A template
// that does not parse fails start-up, not a request.
func NewRenderer() (*Renderer, error) { return NewRendererOf("pages") }

// NewRendererOf parses the pages in templates/<dir> with the layout and
// partials: each area of the site (the staff pages, the resident pages)
// names its own pages.
func NewRendererOf(dir string) (*Renderer, error) {
	tfs := clientweb.Templates
	shared := []string{"templates/layout.html"}
	partials, err := fs.Glob(tfs, "templates/partials*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	files, err := fs.Glob(tfs, "templates/"+dir+"/*.html")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		// A misspelt directory would otherwise start a server whose every
		// page fails.
		return nil, fmt.Errorf("web: no templates in templates/%s", dir)
	}
	r := &Renderer{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := template.New("layout").ParseFS(tfs, append(append([]string{}, shared...), f)...)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

// Render executes a page into a buffer, so that a failing template never
// sends half a page.
func (r *Renderer) Render(page string, data any) ([]byte, error) {
	t, ok := r.pages[page]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}

// Pages lists the names of all parsed pages.
func (r *Renderer) Pages() []string {
	out := make([]string, 0, len(r.pages))
	for k := range r.pages {
		out = append(out, k)
	}
	return out
}

// Page is what every page's data embeds: the language, the language picker,
// the logged-in staff member and the CSRF token for its forms.
type Page struct {
	L     *i18n.Localizer
	Langs []i18n.Lang
	Staff *model.Staff
	CSRF  string
	Flash string
}

// T translates a message for the template: {{.T "key" "Name" value}}.
func (p *Page) T(id string, args ...any) string { return p.L.T(id, args...) }

// N translates a message with plural forms.
func (p *Page) N(id string, n int, args ...any) string { return p.L.N(id, n, args...) }

// Form carries the values and translated errors of the form that failed,
// so the page can show it again without losing what was typed.
type Form struct {
	Failed string            // which form on the page the values belong to
	Values map[string]string // field → value
	Errors map[string]string // field → translated message
}

// FormValue returns a field of the named form if that form is the one being
// shown again.
func (f *Form) FormValue(form, field string) string {
	if f.Failed != form {
		return ""
	}
	return f.Values[field]
}
