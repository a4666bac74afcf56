// Package reviewweb serves the pages of closing the loop (#7): the
// reviewer inbox, topics with their responses and history, the
// accountability figures, reports with their exports, and the public
// neighbourhood board "you said, we did". Handlers are thin: they parse
// the request, call the review and report domains, and render a typed page.
// Templates live in clients/web/templates/review and share the staff
// layout and partials.
package reviewweb

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"

	clientweb "github.com/buurtstem/buurtstem/clients/web"
)

// renderer holds one parsed template set per page of this package.
type renderer struct {
	pages map[string]*template.Template
}

// newRenderer parses every page in templates/review with the layout and
// partials; a template that does not parse fails start-up.
func newRenderer() (*renderer, error) {
	tfs := clientweb.Templates
	shared := []string{"templates/layout.html"}
	partials, err := fs.Glob(tfs, "templates/partials*.html")
	if err != nil {
		return nil, err
	}
	shared = append(shared, partials...)
	files, err := fs.Glob(tfs, "templates/review/*.html")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("reviewweb: no templates")
	}
	r := &renderer{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := template.New("layout").ParseFS(tfs, append(append([]string{}, shared...), f)...)
		if err != nil {
			return nil, fmt.Errorf("reviewweb: template %s: %w", name, err)
		}
		r.pages[name] = t
	}
	return r, nil
}

func (r *renderer) render(page string, data any) ([]byte, error) {
	t, ok := r.pages[page]
	if !ok {
		return nil, fmt.Errorf("reviewweb: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("reviewweb: render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}
