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

// OrgRetention saves how long residents' voice notes and photos are kept.
func (h *Handlers) OrgRetention(c *fiber.Ctx) error {
	months, err := strconv.Atoi(strings.TrimSpace(c.FormValue("media_retention_months")))
	if err != nil {
		months = 0 // refused below with the form's message
	}
	if err := h.admin.SetMediaRetention(c.UserContext(), request.Staff(c), c.Params("org"), months); err != nil {
		return h.formFailed(c, "org", "retention", []string{"media_retention_months"}, err, nil)
	}
	return h.redirect(c, "/orgs/"+c.Params("org"), "saved")
}
