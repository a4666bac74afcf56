package resident

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// Withdrawer takes input its author deleted out of a live session
// (live.Hub.Withdraw).
type Withdrawer interface {
	Withdraw(ctx context.Context, s *model.Session, c *model.Contribution) error
}

// MineDelete deletes one of the device's own answers: POST
// /mine/{id}/delete, from "my input".
func (h *Handlers) MineDelete(c *fiber.Ctx) error {
	p, err := h.participant(c)
	if err != nil {
		return err
	}
	if err := h.withdraw(c.UserContext(), p, c.Params("id")); err != nil {
		return err
	}
	return c.Redirect("/mine?deleted=1", fiber.StatusSeeOther)
}

// ReceiptDelete deletes one answer of a receipt's participant: POST
// /r/{code}/{id}/delete, for a resident on a shared tablet or helped by
// someone at the community centre. Unknown codes spend the same guess
// budget as looking one up.
func (h *Handlers) ReceiptDelete(c *fiber.Ctx) error {
	code, participant, err := h.lookupReceipt(c)
	if err != nil || code == "" {
		return err
	}
	if err := h.withdraw(c.UserContext(), participant, c.Params("id")); err != nil {
		return err
	}
	return c.Redirect("/r/"+c.Params("code")+"?deleted=1", fiber.StatusSeeOther)
}

// withdraw deletes a participant's contribution for good: its voice note or
// photo, the contribution itself, and its place on a live session's wall
// and in its results. Anyone else's input, and input that does not exist,
// is the same "not found". The report counters keep it as a number (they
// hold no one's words), and the reviewer's inbox and topics skip it.
func (h *Handlers) withdraw(ctx context.Context, participant, id string) error {
	notFound := apperr.New(apperr.ErrNotFound, "resident.input_gone")
	if participant == "" || id == "" {
		return notFound
	}
	cn, err := h.store.Contribution(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && cn.ParticipantID != participant) {
		return notFound
	}
	if err != nil {
		return err
	}
	if m := cn.Answer.MediaID; m != "" && cn.MediaDeletedAt == nil {
		if err := h.store.DeleteMedia(ctx, m); err != nil {
			return err
		}
	}
	if err := h.store.DeleteContribution(ctx, id); err != nil {
		return err
	}
	if h.live == nil {
		return nil
	}
	s, err := h.store.SessionByID(ctx, cn.SessionID)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil
		}
		return err
	}
	if err := h.live.Withdraw(ctx, s, cn); err != nil {
		// Deleted all the same: the room drops it when it is next loaded.
		h.log.Warn("Telling a live session about withdrawn input failed.", "error", err.Error())
	}
	return nil
}
