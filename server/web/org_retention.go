package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
)

// SetRetentionMonths tells the pages how to read an organisation's
// retention of voice notes and photos (its own setting or the server's
// default); the app wires uploads.Service.RetentionMonths in.
func (h *Handlers) SetRetentionMonths(f func(*model.Organisation) int) { h.retentionMonths = f }

func (h *Handlers) retentionMonthsOf(o *model.Organisation) int {
	if h.retentionMonths == nil {
		return o.MediaRetentionMonths
	}
	return h.retentionMonths(o)
}

// RetentionChoices are the months an admin can choose from.
func (p *OrgPage) RetentionChoices() []int {
	out := make([]int, admin.MaxRetentionMonths)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// AnswerRetentionChoices are the periods an admin can choose for the text
// of answers; 0 keeps it.
func (p *OrgPage) AnswerRetentionChoices() []int { return admin.AnswerRetentionChoices }

// OrgRetention saves how long residents' voice notes and photos are kept,
// and how long the text of their answers is (a form without that field
// leaves it as it is).
func (h *Handlers) OrgRetention(c *fiber.Ctx) error {
	fields := []string{"media_retention_months", "answer_retention_months"}
	ctx, actor, org := c.UserContext(), request.Staff(c), c.Params("org")
	if err := h.admin.SetMediaRetention(ctx, actor, org, formMonths(c, "media_retention_months")); err != nil {
		return h.formFailed(c, "org", "retention", fields, err, nil)
	}
	if c.FormValue("answer_retention_months") != "" {
		if err := h.admin.SetAnswerRetention(ctx, actor, org, formMonths(c, "answer_retention_months")); err != nil {
			return h.formFailed(c, "org", "retention", fields, err, nil)
		}
	}
	return h.redirect(c, "/orgs/"+org, "saved")
}

// formMonths reads a number of months; anything else is -1, which every
// setting refuses with its own message.
func formMonths(c *fiber.Ctx, field string) int {
	months, err := strconv.Atoi(strings.TrimSpace(c.FormValue(field)))
	if err != nil {
		return -1
	}
	return months
}
