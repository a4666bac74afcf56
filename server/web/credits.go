package web

import (
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	clientweb "github.com/buurtstem/buurtstem/clients/web"
)

// Licence is the SPDX identifier of buurtstem's own licence, shown on the
// credits page: the EUPL, the licence the Dutch government recommends for
// public code.
//
// TODO(#5): the repository has no LICENSE file yet; the project's owner
// confirms this choice and adds the file (this constant is the one place
// that names the licence).
const Licence = "EUPL-1.2"

// LicenceURL is where the licence's text can be read in every EU language.
const LicenceURL = "https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12"

// PictogramLicence is that of every pictogram in
// clients/web/static/pictograms: original drawings by buurtstem's makers,
// dedicated to the public domain (see the README there).
const PictogramLicence = "CC0-1.0"

// Library is a piece of other people's free software compiled into the
// binary.
type Library struct {
	Name    string
	Module  string // Go module path, as in go.mod
	Licence string // SPDX identifier
}

// Libraries lists every direct dependency of go.mod that ships in the
// binary (test-only ones, such as chromedp, do not), with its licence as
// its LICENSE file states it; a test checks both against go.mod and the
// module cache. The Go standard library is compiled in too.
var Libraries = []Library{
	{Name: "Go", Module: "std", Licence: "BSD-3-Clause"},
	{Name: "Fiber", Module: "github.com/gofiber/fiber/v2", Licence: "MIT"},
	{Name: "FerretDB", Module: "github.com/FerretDB/FerretDB", Licence: "Apache-2.0"},
	{Name: "MongoDB Go Driver", Module: "go.mongodb.org/mongo-driver", Licence: "Apache-2.0"},
	{Name: "SQLite (modernc.org)", Module: "modernc.org/sqlite", Licence: "BSD-3-Clause"},
	{Name: "Gorilla WebSocket", Module: "github.com/gorilla/websocket", Licence: "BSD-2-Clause"},
	{Name: "go-i18n", Module: "github.com/nicksnyder/go-i18n/v2", Licence: "MIT"},
	{Name: "TOML", Module: "github.com/BurntSushi/toml", Licence: "MIT"},
	{Name: "imaging", Module: "github.com/disintegration/imaging", Licence: "MIT"},
	{Name: "go-qrcode", Module: "github.com/skip2/go-qrcode", Licence: "MIT"},
	{Name: "Prometheus Go client", Module: "github.com/prometheus/client_golang", Licence: "Apache-2.0"},
	{Name: "Go crypto", Module: "golang.org/x/crypto", Licence: "BSD-3-Clause"},
	{Name: "Go image", Module: "golang.org/x/image", Licence: "BSD-3-Clause"},
	{Name: "Go net", Module: "golang.org/x/net", Licence: "BSD-3-Clause"},
	{Name: "Go text", Module: "golang.org/x/text", Licence: "BSD-3-Clause"},
	{Name: "Go time", Module: "golang.org/x/time", Licence: "BSD-3-Clause"},
}

// Pictogram is one file of the pictogram set.
type Pictogram struct {
	Name string // file name without .svg, as picture options name it
	Src  string
}

// creditedPictograms lists the set from the embedded files, so a pictogram added
// later is credited without anyone remembering to.
var creditedPictograms = sync.OnceValue(func() []Pictogram {
	files, _ := fs.Glob(clientweb.Static, "static/pictograms/*.svg")
	out := make([]Pictogram, 0, len(files))
	for _, f := range files {
		out = append(out, Pictogram{Name: strings.TrimSuffix(path.Base(f), ".svg"), Src: "/" + f})
	}
	return out
})

// CreditsPage is the data of credits.html.
type CreditsPage struct {
	Page
	Pictograms       []Pictogram
	PictogramLicence string
	Licence          string
	LicenceURL       string
	Libraries        []Library
}

// Credits shows who made what buurtstem shows and ships, and under which
// licence: the pictograms, the fonts, scripts and voices (none are
// someone else's), the free software it is built on and its own licence.
// Public, like the statements; every page links to it.
func (h *Handlers) Credits(c *fiber.Ctx) error {
	return h.show(c, fiber.StatusOK, "credits", &CreditsPage{Page: h.page(c), Pictograms: creditedPictograms(),
		PictogramLicence: PictogramLicence, Licence: Licence, LicenceURL: LicenceURL, Libraries: Libraries})
}
