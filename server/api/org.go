package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/request"
)

// Orgs lists the organisations the caller may see.
func (h *Handlers) Orgs(c *fiber.Ctx) error {
	orgs, err := h.admin.Organisations(c.UserContext(), request.Staff(c))
	if err != nil {
		return err
	}
	return c.JSON(orgs)
}

// Org returns one organisation.
func (h *Handlers) Org(c *fiber.Ctx) error {
	o, err := h.admin.Organisation(c.UserContext(), request.Staff(c), c.Params("org"))
	if err != nil {
		return err
	}
	return c.JSON(o)
}

// OrgCreate adds an organisation (platform admins only).
func (h *Handlers) OrgCreate(c *fiber.Ctx) error {
	var in admin.OrganisationInput
	if err := decode(c, &in); err != nil {
		return err
	}
	o, err := h.admin.CreateOrganisation(c.UserContext(), request.Staff(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/orgs/" + o.ID)
	return c.Status(fiber.StatusCreated).JSON(o)
}

// OrgUpdate renames an organisation.
func (h *Handlers) OrgUpdate(c *fiber.Ctx) error {
	var in admin.OrganisationInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := h.admin.RenameOrganisation(c.UserContext(), request.Staff(c), c.Params("org"), in); err != nil {
		return err
	}
	return h.Org(c)
}

// Neighbourhoods lists an organisation's neighbourhoods.
func (h *Handlers) Neighbourhoods(c *fiber.Ctx) error {
	ns, err := h.admin.Neighbourhoods(c.UserContext(), request.Staff(c), c.Params("org"))
	if err != nil {
		return err
	}
	return c.JSON(ns)
}

// Neighbourhood returns one neighbourhood.
func (h *Handlers) Neighbourhood(c *fiber.Ctx) error {
	n, err := h.admin.Neighbourhood(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(n)
}

// NeighbourhoodCreate adds a neighbourhood.
func (h *Handlers) NeighbourhoodCreate(c *fiber.Ctx) error {
	var in admin.NeighbourhoodInput
	if err := decode(c, &in); err != nil {
		return err
	}
	n, err := h.admin.CreateNeighbourhood(c.UserContext(), request.Staff(c), c.Params("org"), in)
	if err != nil {
		return err
	}
	c.Location(orgPath(c, "neighbourhoods/"+n.ID))
	return c.Status(fiber.StatusCreated).JSON(n)
}

// NeighbourhoodUpdate changes a neighbourhood's name and CBS code.
func (h *Handlers) NeighbourhoodUpdate(c *fiber.Ctx) error {
	var in admin.NeighbourhoodInput
	if err := decode(c, &in); err != nil {
		return err
	}
	n, err := h.admin.UpdateNeighbourhood(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(n)
}

// NeighbourhoodDelete removes an empty neighbourhood.
func (h *Handlers) NeighbourhoodDelete(c *fiber.Ctx) error {
	if err := h.admin.DeleteNeighbourhood(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// Venues lists an organisation's venues.
func (h *Handlers) Venues(c *fiber.Ctx) error {
	vs, err := h.admin.Venues(c.UserContext(), request.Staff(c), c.Params("org"))
	if err != nil {
		return err
	}
	return c.JSON(vs)
}

// Venue returns one venue.
func (h *Handlers) Venue(c *fiber.Ctx) error {
	v, err := h.admin.Venue(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// VenueCreate adds a venue.
func (h *Handlers) VenueCreate(c *fiber.Ctx) error {
	var in admin.VenueInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := h.admin.CreateVenue(c.UserContext(), request.Staff(c), c.Params("org"), in)
	if err != nil {
		return err
	}
	c.Location(orgPath(c, "venues/"+v.ID))
	return c.Status(fiber.StatusCreated).JSON(v)
}

// VenueUpdate changes a venue.
func (h *Handlers) VenueUpdate(c *fiber.Ctx) error {
	var in admin.VenueInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := h.admin.UpdateVenue(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// VenueDelete removes a venue.
func (h *Handlers) VenueDelete(c *fiber.Ctx) error {
	if err := h.admin.DeleteVenue(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
