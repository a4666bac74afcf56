// Package resident serves what residents see: the join page (language
// first, then a keypad for the code), the landing of the QR code's link,
// the answer page that runs a live session on the phone or a shared
// tablet, "my input" on the resident's own phone, receipts for shared
// devices (a short code, a QR slip and /r/{code}), the voluntary profile,
// and the kiosk reset. Residents have no account: the anonymous
// participant cookie of the live package is who they are.
//
// Handlers stay thin: the live handler owns join codes and participant
// tokens, the store owns the lists; this package picks what a page shows.
// The scripts are clients/web/static/resident.js (screens, queue, kiosk)
// on top of live.js (the connection).
package resident

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/guess"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/receipts"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/web"
)

// Joiner is what the pages need of the live handler: turning a join code
// into a session (with its limit on wrong codes and the participant
// cookie) and reading the participant cookie.
type Joiner interface {
	JoinCode(c *fiber.Ctx, code string) (*model.Session, error)
	Participant(c *fiber.Ctx) (string, error)
}

// Handlers serves the resident pages.
type Handlers struct {
	store   *store.Store
	join    Joiner
	render  *web.Renderer
	catalog *i18n.Catalog
	cookies web.Cookies
	baseURL string
	log     *slog.Logger
	// receiptGuesses limits lookups of receipt codes that do not exist,
	// never per address (a community centre shares one): fresh devices
	// share a budget, a device that joined before has its own, so a flood
	// of wrong codes cannot lock residents out (package guess has the
	// figures: finding one of a million receipts takes decades).
	receiptGuesses *guess.Guard
	receiptLinks   receipts.Links
	// retention gives an organisation's retention period for voice notes
	// and photos in months (uploads.Service.RetentionMonths).
	retention func(*model.Organisation) int
	// responses gives the municipality's responses (SetResponses).
	responses Responses
	// live takes withdrawn input out of live sessions (Config.Live).
	live Withdrawer
}

// Config is what NewHandlers needs.
type Config struct {
	Store   *store.Store
	Join    Joiner
	Catalog *i18n.Catalog
	Cookies web.Cookies
	BaseURL string
	Logger  *slog.Logger
	// RetentionMonths is uploads.Service.RetentionMonths: "my input" and
	// receipts say after how many months a purged file was deleted.
	RetentionMonths func(*model.Organisation) int
	// ReceiptLinks signs the receipts' QR links (receipts.Links).
	ReceiptLinks receipts.Links
	// Live takes input its author deleted out of a session that is still
	// live (live.Hub); nil: no live sessions to tell.
	Live Withdrawer
}

// NewHandlers returns the resident handlers.
// Its templates are clients/web/templates/resident/*.html with the shared
// layout and partials; one that does not parse fails start-up.
func NewHandlers(cfg Config) (*Handlers, error) {
	r, err := web.NewRendererOf("resident")
	if err != nil {
		return nil, err
	}
	if cfg.RetentionMonths == nil {
		return nil, errors.New("resident: Config.RetentionMonths is required")
	}
	return &Handlers{store: cfg.Store, join: cfg.Join, live: cfg.Live, render: r, catalog: cfg.Catalog, cookies: cfg.Cookies,
		baseURL: strings.TrimSuffix(cfg.BaseURL, "/"), log: cfg.Logger, receiptGuesses: guess.New(guess.ReceiptCodes), receiptLinks: cfg.ReceiptLinks,
		retention: cfg.RetentionMonths}, nil
}

// Page is what every resident page's data embeds.
type Page struct {
	web.Page
	// Back is where the page's "back" pictogram leads.
	Back string
	// Here is the page's own path, for the language switch to return to.
	Here string
}

func (h *Handlers) page(c *fiber.Ctx) Page {
	return Page{Page: web.Page{L: request.Localizer(c), Langs: h.catalog.Languages(), Staff: request.Staff(c), CSRF: request.CSRF(c)},
		Here: strings.Clone(c.Path())}
}

func (h *Handlers) show(c *fiber.Ctx, status int, name string, data any) error {
	b, err := h.render.Render(name, data)
	if err != nil {
		return err
	}
	// Resident pages may show what a person gave: never from a cache, and
	// a shared tablet's back button must not bring the last resident back.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(b)
}

// MessagePage is the data of resident/message.html: a friendly screen with
// a pictogram, one message and a way on.
type MessagePage struct {
	Page
	Pictogram string // a file in static/pictograms, without .svg
	Heading   string
	Message   string
	LinkHref  string
	LinkText  string
}

// message shows a friendly screen instead of the staff error page.
func (h *Handlers) message(c *fiber.Ctx, status int, pictogram, heading, msg, href, link string) error {
	return h.show(c, status, "message", &MessagePage{Page: h.page(c), Pictogram: pictogram,
		Heading: heading, Message: msg, LinkHref: href, LinkText: link})
}

// participant returns the device's participant id, or "" when it has
// none. Other errors (the store) are returned.
func (h *Handlers) participant(c *fiber.Ctx) (string, error) {
	p, err := h.join.Participant(c)
	if errors.Is(err, apperr.ErrUnauthenticated) {
		return "", nil
	}
	return p, err
}

// chosenLanguage reports whether the device has picked a language: the
// cookie, or ?lang= on this very request (its cookie arrives next time).
func (h *Handlers) chosenLanguage(c *fiber.Ctx) bool {
	if _, ok := h.catalog.Lookup(c.Cookies(h.cookies.Language())); ok {
		return true
	}
	_, ok := h.catalog.Lookup(c.Query("lang"))
	return ok
}

// requireJSON refuses a state-changing API call that is not JSON: a
// cross-site form cannot send JSON, so residents' calls need no CSRF token
// (the middleware has refused a foreign Origin already).
func requireJSON(c *fiber.Ctx) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return apperr.Invalid("", "error.json_content_type")
	}
	return nil
}

// Spoken is what a speaker button reads aloud, in which language, and its
// label for screen readers.
type Spoken struct {
	Text, Lang, Label string
}

// Say returns a speaker button's data for a text in the page's language:
// {{template "speak" (.Say (.T "key"))}}.
func (p *Page) Say(text string) Spoken {
	return Spoken{Text: text, Lang: p.L.Lang.Code, Label: p.T("resident.read_aloud")}
}
