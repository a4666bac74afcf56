package resident

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// profileRequest is the voluntary profile; every field may be empty.
type profileRequest struct {
	SessionID string `json:"session_id"`
	AgeBand   string `json:"age_band"`
	HomeLang  string `json:"home_lang"`
	School    string `json:"school"`
	FirstTime string `json:"first_time"`
}

// ProfileSave stores the voluntary profile of the device's participant for
// a session: POST /api/v1/profile. It is never required and never linked
// to a name; see model.Profile for its shape.
func (h *Handlers) ProfileSave(c *fiber.Ctx) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	p, err := h.join.Participant(c)
	if err != nil {
		return err
	}
	var in profileRequest
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return apperr.Invalid("", "error.json_malformed")
	}
	s, err := h.store.SessionByID(c.UserContext(), in.SessionID)
	if errors.Is(err, apperr.ErrNotFound) {
		return apperr.Invalid("session_id", "profile.session_invalid")
	}
	if err != nil {
		return err
	}
	if !sessionOpen(s) {
		return apperr.New(apperr.ErrConflict, "join.closed")
	}
	pr, err := h.checkProfile(in)
	if err != nil {
		return err
	}
	pr.ID, pr.SessionID, pr.OrgID = ProfileID(s.ID, p), s.ID, s.OrgID
	if err := h.store.SaveProfile(c.UserContext(), pr); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// checkProfile accepts only the fixed answer codes.
func (h *Handlers) checkProfile(in profileRequest) (*model.Profile, error) {
	pr := &model.Profile{}
	if in.AgeBand != "" && !slices.Contains(model.ProfileAgeBands, in.AgeBand) {
		return nil, apperr.Invalid("age_band", "profile.answer_invalid")
	}
	if in.School != "" && !slices.Contains(model.ProfileSchools, in.School) {
		return nil, apperr.Invalid("school", "profile.answer_invalid")
	}
	if in.FirstTime != "" && !slices.Contains(model.ProfileFirstTime, in.FirstTime) {
		return nil, apperr.Invalid("first_time", "profile.answer_invalid")
	}
	if in.HomeLang != "" && in.HomeLang != "other" && in.HomeLang != model.ProfileRatherNot {
		l, ok := h.catalog.Lookup(in.HomeLang)
		if !ok {
			return nil, apperr.Invalid("home_lang", "profile.answer_invalid")
		}
		in.HomeLang = l.Code
	}
	if in.AgeBand == "" && in.School == "" && in.FirstTime == "" && in.HomeLang == "" {
		return nil, apperr.Invalid("", "profile.empty")
	}
	pr.AgeBand, pr.HomeLang, pr.School, pr.FirstTime = in.AgeBand, in.HomeLang, in.School, in.FirstTime
	return pr, nil
}

// ProfileID is the _id of a participant's profile for a session: the
// session id and a hash of session and participant, so profiles of
// different sessions cannot be joined to each other.
func ProfileID(sessionID, participant string) string {
	h := sha256.Sum256([]byte("profile\x00" + sessionID + "\x00" + participant))
	return sessionID + ":" + hex.EncodeToString(h[:12])
}

// Leave is the kiosk reset on a shared tablet: POST /api/v1/leave forgets
// the participant and the chosen language on this device, so the next
// resident starts with a fresh participant token at the language screen.
// What was given stays stored (and findable by its receipt code).
func (h *Handlers) Leave(c *fiber.Ctx) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	h.cookies.Set(c, h.cookies.Participant(), "", -1)
	h.cookies.Set(c, h.cookies.Language(), "", -1)
	return c.SendStatus(fiber.StatusNoContent)
}
