package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/request"
)

// Staff lists an organisation's staff (admins only).
func (h *Handlers) Staff(c *fiber.Ctx) error {
	list, err := h.admin.Staff(c.UserContext(), request.Staff(c), c.Params("org"))
	if err != nil {
		return err
	}
	out := make([]StaffView, len(list))
	for i := range list {
		out[i] = staffView(&list[i])
	}
	return c.JSON(out)
}

// StaffMember returns one staff member of an organisation.
func (h *Handlers) StaffMember(c *fiber.Ctx) error {
	m, err := h.admin.StaffMember(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(staffView(m))
}

// NewStaffResponse carries the one-time password of a new or reset account.
type NewStaffResponse struct {
	Staff    StaffView `json:"staff"`
	Password string    `json:"password"`
}

// StaffCreate adds an account with a one-time password.
func (h *Handlers) StaffCreate(c *fiber.Ctx) error {
	var in admin.StaffInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ns, err := h.admin.CreateStaff(c.UserContext(), request.Staff(c), c.Params("org"), in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Location(orgPath(c, "staff/"+ns.Staff.ID))
	return c.Status(fiber.StatusCreated).JSON(NewStaffResponse{Staff: staffView(ns.Staff), Password: ns.Password})
}

// StaffUpdate changes name, role or disabled state.
func (h *Handlers) StaffUpdate(c *fiber.Ctx) error {
	var in admin.StaffInput
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := h.admin.UpdateStaff(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(staffView(m))
}

// StaffRemove takes the member's role in the organisation away.
func (h *Handlers) StaffRemove(c *fiber.Ctx) error {
	if err := h.admin.RemoveStaff(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// StaffResetPassword gives the member a new one-time password.
func (h *Handlers) StaffResetPassword(c *fiber.Ctx) error {
	ns, err := h.admin.ResetPassword(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(NewStaffResponse{Staff: staffView(ns.Staff), Password: ns.Password})
}
