package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
)

// Org shows an organisation: its neighbourhoods, venues and, to its admins,
// its staff with the forms to manage all three.
func (h *Handlers) Org(c *fiber.Ctx) error {
	data, err := h.orgPage(c, Form{})
	if err != nil {
		return err
	}
	return h.show(c, fiber.StatusOK, "org", data)
}

// orgPage loads everything the organisation pages show.
func (h *Handlers) orgPage(c *fiber.Ctx, f Form) (*OrgPage, error) {
	ctx := c.UserContext()
	st := request.Staff(c)
	orgID := c.Params("org")
	o, err := h.admin.Organisation(ctx, st, orgID)
	if err != nil {
		return nil, err
	}
	p := &OrgPage{
		Page: h.page(c), Form: f, Org: o, CanManage: admin.CanManage(st, orgID),
		Levels: model.Levels, Roles: model.Roles, RetentionMonths: h.retentionMonthsOf(o),
	}
	if err := h.loadOrg(ctx, st, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (h *Handlers) loadOrg(ctx context.Context, st *model.Staff, p *OrgPage) error {
	ns, err := h.admin.Neighbourhoods(ctx, st, p.Org.ID)
	if err != nil {
		return err
	}
	p.Tree = buildTree(ns)
	for _, n := range ns {
		if n.Level != model.LevelBuurt {
			p.Parents = append(p.Parents, n)
		}
	}
	if p.Venues, err = h.admin.Venues(ctx, st, p.Org.ID); err != nil {
		return err
	}
	if p.CanManage {
		if p.StaffList, err = h.admin.Staff(ctx, st, p.Org.ID); err != nil {
			return err
		}
	}
	return nil
}

// formFailed shows the organisation page again with the failed form open,
// its values kept and its errors translated.
func (h *Handlers) formFailed(c *fiber.Ctx, page, form string, fields []string, err error, fill func(*OrgPage) error) error {
	f := Form{Failed: form, Values: formValues(c, fields...)}
	var ferr error
	if f.Errors, ferr = fieldErrors(request.Localizer(c), err); ferr != nil {
		return ferr
	}
	data, err := h.orgPage(c, f)
	if err != nil {
		return err
	}
	if fill != nil {
		if err := fill(data); err != nil {
			return err
		}
	}
	return h.show(c, fiber.StatusBadRequest, page, data)
}

// OrgRename changes the organisation's name.
func (h *Handlers) OrgRename(c *fiber.Ctx) error {
	err := h.admin.RenameOrganisation(c.UserContext(), request.Staff(c), c.Params("org"), admin.OrganisationInput{Name: c.FormValue("name")})
	if err != nil {
		return h.formFailed(c, "org", "rename", []string{"name"}, err, nil)
	}
	return h.redirect(c, "/orgs/"+c.Params("org"), "saved")
}
