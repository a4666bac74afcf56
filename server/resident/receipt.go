package resident

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/qrsvg"
	"github.com/buurtstem/buurtstem/server/receipts"
	"github.com/buurtstem/buurtstem/server/request"
)

// ReceiptResponse answers POST /api/v1/receipt.
type ReceiptResponse struct {
	Code string `json:"code"` // formatted, "ABCDE-FGHJK"
	URL  string `json:"url"`
	QR   string `json:"qr"` // path of the QR slip's SVG
}

// ReceiptCreate gives the device's participant a receipt code (the same
// one on every call): on a shared tablet the resident takes it along, as a
// code, a QR code or a printed slip.
func (h *Handlers) ReceiptCreate(c *fiber.Ctx) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	p, err := h.join.Participant(c)
	if err != nil {
		return err
	}
	code, err := h.store.ReceiptFor(c.UserContext(), p, receipts.NewCode)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(ReceiptResponse{Code: receipts.Format(code), URL: h.baseURL + "/r/" + code, QR: h.receiptLinks.Path(code) + "/qr.svg"})
}

// ReceiptForm answers the "look up a receipt" form: /r?code=….
func (h *Handlers) ReceiptForm(c *fiber.Ctx) error {
	code := receipts.Normalise(c.Query("code"))
	if code == "" {
		return h.receiptUnknown(c)
	}
	return c.Redirect("/r/"+code, fiber.StatusSeeOther)
}

// Receipt shows what the receipt's participant gave: /r/{code}. Media do
// not play here (they are the participant's own); everything else is as
// on "my input".
func (h *Handlers) Receipt(c *fiber.Ctx) error {
	code, participant, err := h.lookupReceipt(c)
	if err != nil || code == "" {
		return err
	}
	pg := &InputsPage{Page: h.page(c), Receipt: receipts.Format(code), DeleteBase: "/r/" + c.Params("code"), Deleted: c.Query("deleted") == "1"}
	if pg.Items, err = h.inputs(c.UserContext(), &pg.Page, participant); err != nil {
		return err
	}
	// A receipt page is the resident's: keep it out of search engines.
	c.Set("X-Robots-Tag", "noindex")
	return h.show(c, fiber.StatusOK, "receipt", pg)
}

// ReceiptQR is the QR code of a receipt's address, for the slip.
func (h *Handlers) ReceiptQR(c *fiber.Ctx) error {
	code, _, err := h.lookupReceipt(c)
	if err != nil || code == "" {
		return err
	}
	b, err := qrsvg.Encode(h.baseURL+h.receiptLinks.Path(code), request.Localizer(c).T("receipt.qr_title", "Code", receipts.Format(code)))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	return c.Send(b)
}

// lookupReceipt finds the receipt of :code. Unknown codes are limited for
// the whole instance; it has answered (code "") when the code is unknown.
func (h *Handlers) lookupReceipt(c *fiber.Ctx) (code, participant string, err error) {
	code, signed := h.receiptLinks.Split(c.Params("code"))
	if code == "" {
		return "", "", h.receiptUnknown(c)
	}
	if signed { // the QR code's link: not a guess
		r, err := h.store.Receipt(c.UserContext(), code)
		if err != nil {
			return "", "", err
		}
		return code, r.ParticipantID, nil
	}
	// A device that joined a session before guesses on a budget of its
	// own; "" (no participant cookie) shares the fresh devices' budget.
	device, _ := h.join.Participant(c)
	if !h.receiptGuesses.Allowed(device) {
		pg := h.page(c)
		c.Set(fiber.HeaderRetryAfter, "60")
		return "", "", h.message(c, fiber.StatusTooManyRequests, "ui-question", pg.T("receipt.unknown_title"), pg.T("guess.too_many"), "/", pg.T("resident.to_keypad"))
	}
	r, err := h.store.Receipt(c.UserContext(), code)
	if errors.Is(err, apperr.ErrNotFound) {
		h.receiptGuesses.Failed(device)
		return "", "", h.receiptUnknown(c)
	}
	if err != nil {
		return "", "", err
	}
	return code, r.ParticipantID, nil
}

func (h *Handlers) receiptUnknown(c *fiber.Ctx) error {
	pg := h.page(c)
	return h.message(c, fiber.StatusNotFound, "ui-question", pg.T("receipt.unknown_title"), pg.T("receipt.unknown"), "/", pg.T("resident.to_keypad"))
}
