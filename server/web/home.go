package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/request"
)

// Home lists the organisations the staff member works for. With a single
// organisation and no platform role it goes straight there.
func (h *Handlers) Home(c *fiber.Ctx) error {
	return h.home(c, fiber.StatusOK, Form{})
}

func (h *Handlers) home(c *fiber.Ctx, status int, f Form) error {
	st := request.Staff(c)
	orgs, err := h.admin.Organisations(c.UserContext(), st)
	if err != nil {
		return err
	}
	if len(orgs) == 1 && !st.PlatformAdmin && status == fiber.StatusOK {
		return c.Redirect("/orgs/"+orgs[0].ID, fiber.StatusSeeOther)
	}
	return h.show(c, status, "home", &HomePage{Page: h.page(c), Form: f, Orgs: orgs})
}

// OrgCreate adds an organisation (platform admins only).
func (h *Handlers) OrgCreate(c *fiber.Ctx) error {
	o, err := h.admin.CreateOrganisation(c.UserContext(), request.Staff(c), admin.OrganisationInput{Name: c.FormValue("name")})
	if err != nil {
		f := Form{Failed: "org", Values: formValues(c, "name")}
		if f.Errors, err = fieldErrors(request.Localizer(c), err); err != nil {
			return err
		}
		return h.home(c, fiber.StatusBadRequest, f)
	}
	return h.redirect(c, "/orgs/"+o.ID, "created")
}
