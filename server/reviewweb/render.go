// Package reviewweb serves the pages of closing the loop (#7): the
// reviewer inbox, topics with their responses and history, the
// accountability figures, reports with their exports, and the public
// neighbourhood board "you said, we did". Handlers are thin: they parse
// the request, call the review and report domains, and render a typed page.
// Templates live in clients/web/templates/review and share the staff
// layout and partials.
package reviewweb

import "github.com/buurtstem/buurtstem/server/web"

// newRenderer parses every page in templates/review with the staff layout
// and partials, as the staff pages are; a template that does not parse
// fails start-up.
func newRenderer() (*web.Renderer, error) { return web.NewRendererOf("review") }
