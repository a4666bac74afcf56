// Package web holds the web clients' templates and static assets, embedded
// in the binary. The server parses the templates at start (see
// server/web); nothing here is read from disk at run time, so a single
// binary is the whole deployment.
package web

import "embed"

// Templates holds layout.html, the partials in partials/ and one file per
// page in pages/.
//
//go:embed templates
var Templates embed.FS

// Static holds CSS, scripts and pictograms, served under /static/.
//
//go:embed static
var Static embed.FS
