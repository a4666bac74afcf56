package web

import (
	"html/template"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/qrsvg"
	"github.com/buurtstem/buurtstem/server/receipts"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// SlipsPage is the data of slips.html: the form that makes a sheet of
// receipt slips, and the sheet itself once made.
type SlipsPage struct {
	Page
	Form
	Session *model.Session
	// Languages the slips can be printed in: the session's.
	SlipLangs []i18n.Lang
	Count     int
	Max       int
	CanRun    bool // reviewers see sheets but make none
	// Sheet is set on the printable sheet.
	Sheet *SlipSheet
}

// SlipSheet is one printed batch: every slip's text is in the batch's
// language, whatever the console's.
type SlipSheet struct {
	Lang  i18n.Lang
	L     *i18n.Localizer
	Slips []Slip
}

// Slip is one cut-out slip: its code, the QR code of /r/{code} as an
// inline SVG made here (no request per slip) and the address to type.
type Slip struct {
	Code string // formatted "ABCDE-FGHJK"
	URL  string
	QR   template.HTML
}

// SetSlips gives the console the receipt slips service (package receipts).
func (h *SessionPages) SetSlips(r *receipts.Service) { h.slips = r }

// defaultSlips fills two A4 pages.
const defaultSlips = 16

// Slips shows the form that makes a sheet of receipt slips for residents
// without a phone, from the console of a session; with ?sheet={id} it
// shows that printed sheet again (A4, cut lines). Every role of the
// organisation may look; making slips is for those who run sessions.
func (h *SessionPages) Slips(c *fiber.Ctx) error {
	st, orgID := request.Staff(c), c.Params("org")
	s, err := h.sessions.Get(c.UserContext(), st, orgID, c.Params("id"))
	if err != nil {
		return err
	}
	if id := c.Query("sheet"); id != "" {
		return h.slipSheet(c, s, id)
	}
	return h.showSlips(c, fiber.StatusOK, s, Form{}, nil)
}

// SlipsCreate makes the slips and sends the browser to the sheet's own
// address, so a reload prints the same codes instead of making new ones.
func (h *SessionPages) SlipsCreate(c *fiber.Ctx) error {
	st, orgID := request.Staff(c), c.Params("org")
	// Rights before the lookup: a refusal says nothing about the session.
	if !admin.CanView(st, orgID) {
		return apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	if !sessions.CanRun(st, orgID) {
		return apperr.New(apperr.ErrForbidden, "error.forbidden")
	}
	s, err := h.sessions.Get(c.UserContext(), st, orgID, c.Params("id"))
	if err != nil {
		return err
	}
	lang := c.FormValue("lang")
	if !slices.Contains(s.Languages, lang) {
		lang = s.Languages[0]
	}
	n, convErr := strconv.Atoi(c.FormValue("count"))
	if convErr != nil {
		n = 0
	}
	b, err := h.slips.MakeSlips(c.UserContext(), s.OrgID, s.ID, lang, n)
	if err != nil {
		errs, err := fieldErrors(request.Localizer(c), err)
		if err != nil {
			return err
		}
		return h.showSlips(c, fiber.StatusBadRequest, s, Form{Failed: "slips", Values: formValues(c, "count", "lang"), Errors: errs}, nil)
	}
	return c.Redirect(sessionPath(s.OrgID, s.ID)+"/slips?sheet="+b.ID, fiber.StatusSeeOther)
}

// slipSheet renders a printed batch of the session's slips.
func (h *SessionPages) slipSheet(c *fiber.Ctx, s *model.Session, id string) error {
	b, err := h.slips.Sheet(c.UserContext(), s.OrgID, s.ID, id)
	if err != nil {
		return err
	}
	lang, ok := h.catalog.Lookup(b.Lang)
	if !ok {
		lang, _ = h.catalog.Lookup(i18n.Source)
	}
	sheet := &SlipSheet{Lang: lang, L: h.catalog.Localizer(lang.Code)}
	for _, code := range b.Codes {
		// The QR code holds the signed link (no guess budget needed to
		// open it); the printed address stays short enough to type.
		u := h.baseURL + "/r/" + code
		qr, err := qrsvg.Encode(h.baseURL+h.slips.Path(code), sheet.L.T("receipt.qr_title", "Code", receipts.Format(code)))
		if err != nil {
			return err
		}
		// qrsvg escapes the title and writes nothing else from input.
		sheet.Slips = append(sheet.Slips, Slip{Code: receipts.Format(code), URL: u, QR: template.HTML(qr)}) //nolint:gosec
	}
	// The codes are the residents' keys to their input: not for a cache.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.showSlips(c, fiber.StatusOK, s, Form{}, sheet)
}

func (h *SessionPages) showSlips(c *fiber.Ctx, status int, s *model.Session, f Form, sheet *SlipSheet) error {
	p := &SlipsPage{Page: h.page(c), Form: f, Session: s, Count: defaultSlips, Max: receipts.MaxSlips, Sheet: sheet,
		CanRun: sessions.CanRun(request.Staff(c), s.OrgID)}
	for _, code := range s.Languages {
		if l, ok := h.catalog.Lookup(code); ok {
			p.SlipLangs = append(p.SlipLangs, l)
		}
	}
	return h.show(c, status, "slips", p)
}
