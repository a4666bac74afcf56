package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/request"
)

var venueFields = []string{"name", "address", "neighbourhood_id"}

func venueInput(c *fiber.Ctx) admin.VenueInput {
	return admin.VenueInput{Name: c.FormValue("name"), Address: c.FormValue("address"), NeighbourhoodID: c.FormValue("neighbourhood_id")}
}

// VenueCreate adds a venue.
func (h *Handlers) VenueCreate(c *fiber.Ctx) error {
	orgID := c.Params("org")
	if _, err := h.admin.CreateVenue(c.UserContext(), request.Staff(c), orgID, venueInput(c)); err != nil {
		return h.formFailed(c, "org", "venue", venueFields, err, nil)
	}
	return h.redirect(c, "/orgs/"+orgID, "created")
}

// VenueEdit shows the form to change or delete a venue.
func (h *Handlers) VenueEdit(c *fiber.Ctx) error {
	v, err := h.admin.Venue(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	data, err := h.orgPage(c, Form{Failed: "venue", Values: map[string]string{
		"name": v.Name, "address": v.Address, "neighbourhood_id": v.NeighbourhoodID}})
	if err != nil {
		return err
	}
	data.Venue = v
	return h.show(c, fiber.StatusOK, "venue_edit", data)
}

// VenueUpdate saves a changed venue.
func (h *Handlers) VenueUpdate(c *fiber.Ctx) error {
	ctx, st, orgID, id := c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")
	if _, err := h.admin.UpdateVenue(ctx, st, orgID, id, venueInput(c)); err != nil {
		return h.formFailed(c, "venue_edit", "venue", venueFields, err, func(p *OrgPage) (err error) {
			p.Venue, err = h.admin.Venue(ctx, st, orgID, id)
			return err
		})
	}
	return h.redirect(c, "/orgs/"+orgID, "saved")
}

// VenueDelete removes a venue.
func (h *Handlers) VenueDelete(c *fiber.Ctx) error {
	orgID := c.Params("org")
	if err := h.admin.DeleteVenue(c.UserContext(), request.Staff(c), orgID, c.Params("id")); err != nil {
		return err
	}
	return h.redirect(c, "/orgs/"+orgID, "deleted")
}
