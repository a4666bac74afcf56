package web

import (
	"regexp"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/decisions"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/request"
)

// ModerationLog shows the audit log of moderation decisions (#6) to the
// organisation's staff: every decision with who, when, what, why and the
// state before and after; the whole history of one contribution
// (?contribution=), or the newest decisions of a session (?session=) or of
// the organisation. Escalated input is found in the inbox
// (?moderation=escalated).
type ModerationLog struct {
	*Handlers
	decisions *decisions.Service
}

// NewModerationLog returns the handler.
func NewModerationLog(h *Handlers, d *decisions.Service) *ModerationLog {
	return &ModerationLog{Handlers: h, decisions: d}
}

// ModerationLogPage is the data of moderation_log.html.
type ModerationLogPage struct {
	Page
	Org          *model.Organisation
	SessionID    string
	Contribution string
	Entries      []LogRow
}

// LogRow is one decision as the page shows it.
type LogRow struct {
	model.ModerationEntry
	When string
	// UndoneBy is the id of the later entry that undid this one.
	UndoneBy string
}

// logLimit is how many of the newest decisions the page lists.
const logLimit = 300

var logParam = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Show renders the log.
func (h *ModerationLog) Show(c *fiber.Ctx) error {
	ctx, st, orgID := c.UserContext(), request.Staff(c), c.Params("org")
	sessionID, contribution := c.Query("session"), c.Query("contribution")
	if sessionID != "" && !logParam.MatchString(sessionID) {
		return apperr.Invalid("session", "review.filter_invalid")
	}
	if contribution != "" && !logParam.MatchString(contribution) {
		return apperr.Invalid("contribution", "review.filter_invalid")
	}
	o, err := h.admin.Organisation(ctx, st, orgID)
	if err != nil {
		return err
	}
	es, err := h.decisions.Log(ctx, st, orgID, sessionID, contribution, logLimit)
	if err != nil {
		return err
	}
	p := &ModerationLogPage{Page: h.page(c), Org: o, SessionID: sessionID, Contribution: contribution}
	undone := map[string]string{}
	for _, e := range es {
		if e.Undoes != "" {
			undone[e.Undoes] = e.ID
		}
	}
	for _, e := range es {
		p.Entries = append(p.Entries, LogRow{ModerationEntry: e, When: p.L.DateTime(e.At.Local()), UndoneBy: undone[e.ID]})
	}
	return h.show(c, fiber.StatusOK, "moderation_log", p)
}

// ActionLabel is the translated name of a decision.
func (p *ModerationLogPage) ActionLabel(a string) string { return p.L.T("decision.action." + a) }

// ModState is the translated name of a moderation state.
func (p *ModerationLogPage) ModState(s model.ModerationState) string {
	return p.L.T("decision.state." + string(s))
}

// ViewLabel lists a state as labels: the state, the theme tag, merged,
// highlighted.
func (p *ModerationLogPage) ViewLabel(v model.ModerationView) string {
	out := p.ModState(v.State)
	if v.Theme != "" {
		out += " · " + p.ThemeLabel(v.Theme)
	}
	if v.DuplicateOf != "" {
		out += " · " + p.L.T("modlog.merged")
	}
	if v.Highlighted {
		out += " · " + p.L.T("modlog.highlighted")
	}
	return out
}
