package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/request"
)

var neighbourhoodFields = []string{"name", "level", "parent_id", "cbs_code"}

func neighbourhoodInput(c *fiber.Ctx) admin.NeighbourhoodInput {
	return admin.NeighbourhoodInput{
		Name: c.FormValue("name"), Level: c.FormValue("level"),
		ParentID: c.FormValue("parent_id"), CBSCode: c.FormValue("cbs_code"),
	}
}

// NeighbourhoodCreate adds a neighbourhood.
func (h *Handlers) NeighbourhoodCreate(c *fiber.Ctx) error {
	orgID := c.Params("org")
	_, err := h.admin.CreateNeighbourhood(c.UserContext(), request.Staff(c), orgID, neighbourhoodInput(c))
	if err != nil {
		return h.formFailed(c, "org", "neighbourhood", neighbourhoodFields, err, nil)
	}
	return h.redirect(c, "/orgs/"+orgID, "created")
}

// NeighbourhoodEdit shows the form to change or delete a neighbourhood.
func (h *Handlers) NeighbourhoodEdit(c *fiber.Ctx) error {
	n, err := h.admin.Neighbourhood(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	data, err := h.orgPage(c, Form{Failed: "neighbourhood", Values: map[string]string{"name": n.Name, "cbs_code": n.CBSCode}})
	if err != nil {
		return err
	}
	data.Neighbourhood = n
	return h.show(c, fiber.StatusOK, "neighbourhood_edit", data)
}

// NeighbourhoodUpdate saves a changed neighbourhood.
func (h *Handlers) NeighbourhoodUpdate(c *fiber.Ctx) error {
	ctx, st, orgID, id := c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")
	if _, err := h.admin.UpdateNeighbourhood(ctx, st, orgID, id, neighbourhoodInput(c)); err != nil {
		return h.formFailed(c, "neighbourhood_edit", "neighbourhood", neighbourhoodFields, err, func(p *OrgPage) (err error) {
			p.Neighbourhood, err = h.admin.Neighbourhood(ctx, st, orgID, id)
			return err
		})
	}
	return h.redirect(c, "/orgs/"+orgID, "saved")
}

// NeighbourhoodDelete removes an empty neighbourhood.
func (h *Handlers) NeighbourhoodDelete(c *fiber.Ctx) error {
	ctx, st, orgID, id := c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")
	if err := h.admin.DeleteNeighbourhood(ctx, st, orgID, id); err != nil {
		return h.formFailed(c, "neighbourhood_edit", "neighbourhood", nil, err, func(p *OrgPage) (err error) {
			p.Neighbourhood, err = h.admin.Neighbourhood(ctx, st, orgID, id)
			if err == nil {
				p.Values = map[string]string{"name": p.Neighbourhood.Name, "cbs_code": p.Neighbourhood.CBSCode}
				p.Errors = map[string]string{"delete": p.Errors["general"]}
			}
			return err
		})
	}
	return h.redirect(c, "/orgs/"+orgID, "deleted")
}
