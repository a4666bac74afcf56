package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
)

var staffFields = []string{"name", "email", "role", "disabled"}

func staffInput(c *fiber.Ctx) admin.StaffInput {
	disabled, _ := strconv.ParseBool(c.FormValue("disabled"))
	return admin.StaffInput{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: c.FormValue("role"), Disabled: disabled}
}

// StaffCreate adds an account and shows its one-time password once.
func (h *Handlers) StaffCreate(c *fiber.Ctx) error {
	orgID := c.Params("org")
	ns, err := h.admin.CreateStaff(c.UserContext(), request.Staff(c), orgID, staffInput(c))
	if err != nil {
		return h.formFailed(c, "org", "staff", staffFields, err, nil)
	}
	return h.showPassword(c, ns)
}

func (h *Handlers) showPassword(c *fiber.Ctx, ns *admin.NewStaff) error {
	data, err := h.orgPage(c, Form{})
	if err != nil {
		return err
	}
	data.Member, data.Password = ns.Staff, ns.Password
	// The password must not linger in a cache or the browser's history.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.show(c, fiber.StatusOK, "staff_password", data)
}

// StaffEdit shows the form to change a staff member's role or account.
func (h *Handlers) StaffEdit(c *fiber.Ctx) error {
	m, err := h.admin.StaffMember(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	data, err := h.orgPage(c, Form{Failed: "staff", Values: staffValues(m, c.Params("org"))})
	if err != nil {
		return err
	}
	data.Member = m
	return h.show(c, fiber.StatusOK, "staff_edit", data)
}

func staffValues(m *model.Staff, orgID string) map[string]string {
	return map[string]string{"name": m.Name, "email": m.Email, "role": string(m.RoleIn(orgID)), "disabled": strconv.FormatBool(m.Disabled)}
}

// StaffUpdate saves a changed role, name or disabled state.
func (h *Handlers) StaffUpdate(c *fiber.Ctx) error {
	ctx, st, orgID, id := c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")
	if _, err := h.admin.UpdateStaff(ctx, st, orgID, id, staffInput(c)); err != nil {
		return h.formFailed(c, "staff_edit", "staff", staffFields, err, func(p *OrgPage) (err error) {
			p.Member, err = h.admin.StaffMember(ctx, st, orgID, id)
			return err
		})
	}
	return h.redirect(c, "/orgs/"+orgID, "saved")
}

// StaffRemove takes the staff member's role in this organisation away.
func (h *Handlers) StaffRemove(c *fiber.Ctx) error {
	ctx, st, orgID, id := c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id")
	if err := h.admin.RemoveStaff(ctx, st, orgID, id); err != nil {
		return h.formFailed(c, "staff_edit", "staff", nil, err, func(p *OrgPage) (err error) {
			p.Member, err = h.admin.StaffMember(ctx, st, orgID, id)
			if err == nil {
				p.Values = staffValues(p.Member, orgID)
			}
			return err
		})
	}
	return h.redirect(c, "/orgs/"+orgID, "removed")
}

// StaffResetPassword gives the staff member a new one-time password.
func (h *Handlers) StaffResetPassword(c *fiber.Ctx) error {
	ns, err := h.admin.ResetPassword(c.UserContext(), request.Staff(c), c.Params("org"), c.Params("id"))
	if err != nil {
		return err
	}
	return h.showPassword(c, ns)
}
