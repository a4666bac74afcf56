package model

import "time"

// Moderation states beyond pending, approved and rejected (#6).
const (
	// ModHeld: the moderation library found something a person must judge
	// (a threat, hate, doxxing, a named neighbour). Never published
	// automatically, also not in a post-moderated session.
	ModHeld ModerationState = "held"
	// ModEscalated: the intermediary passed the decision to a reviewer of
	// the municipality. Not shown while it waits; the reviewer inbox
	// filters on it.
	ModEscalated ModerationState = "escalated"
)

// ModerationStates lists every state, for filters and checks.
var ModerationStates = []ModerationState{ModPending, ModApproved, ModRejected, ModHeld, ModEscalated}

// Valid reports whether m is a known state.
func (m ModerationState) Valid() bool {
	for _, v := range ModerationStates {
		if m == v {
			return true
		}
	}
	return false
}

// Reasons a moderator picks when hiding input. Each has a label
// "decision.reason.<reason>" for staff and an explanation
// "moderation.why.<reason>" that the author reads and hears; a free-text
// note stays with staff.
const (
	HidePersonal  = "personal"
	HideAbuse     = "abuse"
	HideOffTopic  = "off_topic"
	HideDuplicate = "duplicate"
	HideOther     = "other"
)

// HideReasons lists the reasons in the order the console offers them.
var HideReasons = []string{HidePersonal, HideAbuse, HideOffTopic, HideDuplicate, HideOther}

// ModerationView is what a moderation decision can change on a
// contribution, as one value: the audit log keeps it before and after
// each decision, and undoing a decision puts the "before" back.
type ModerationView struct {
	State      ModerationState `bson:"state" json:"state"`
	HideReason string          `bson:"hide_reason,omitempty" json:"hide_reason,omitempty"`
	Theme      string          `bson:"theme,omitempty" json:"theme,omitempty"`
	// DuplicateOf is the contribution this one was merged into: both are
	// kept, the wall shows only the other one.
	DuplicateOf string `bson:"duplicate_of,omitempty" json:"duplicate_of,omitempty"`
	// Highlighted: shown large on the projector. Only the room keeps it
	// (one at a time); the log records it.
	Highlighted bool `bson:"highlighted,omitempty" json:"highlighted,omitempty"`
}

// ModerationEntry is one decision in the audit log: who (staff id and
// name at the time), when, what, why, and the state before and after.
// Entries are only ever inserted, each with its own _id
// ("<contribution id>:<n>", n from 1): the embedded engine loses
// concurrent updates of one document, and a contribution's history reads
// back by _id. An undo is an entry of its own that names the entry it
// undoes.
type ModerationEntry struct {
	ID             string         `bson:"_id" json:"id"`
	OrgID          string         `bson:"org_id" json:"-"`
	SessionID      string         `bson:"session_id" json:"session_id"`
	ContributionID string         `bson:"contribution_id" json:"contribution_id"`
	StaffID        string         `bson:"staff_id" json:"staff_id"`
	StaffName      string         `bson:"staff_name" json:"staff_name"`
	At             time.Time      `bson:"at" json:"at"`
	Action         string         `bson:"action" json:"action"`
	Reason         string         `bson:"reason,omitempty" json:"reason,omitempty"`
	Note           string         `bson:"note,omitempty" json:"note,omitempty"`
	From           ModerationView `bson:"from" json:"from"`
	To             ModerationView `bson:"to" json:"to"`
	// Undoes is the id of the entry this one reverses (Action "undo").
	Undoes string `bson:"undoes,omitempty" json:"undoes,omitempty"`
}

// ModView returns what moderation decided about c (without the room's
// highlight).
func (c *Contribution) ModView() ModerationView {
	return ModerationView{State: c.Moderation, HideReason: c.HideReason, Theme: c.Theme, DuplicateOf: c.DuplicateOf}
}

// SetModView applies a decision's result to c.
func (c *Contribution) SetModView(v ModerationView) {
	c.Moderation, c.HideReason, c.Theme, c.DuplicateOf = v.State, v.HideReason, v.Theme, v.DuplicateOf
}

// ShownText is the written answer as the room may see it: the redacted
// text when something was masked.
func (c *Contribution) ShownText() string {
	if c.Redacted != "" {
		return c.Redacted
	}
	return c.Answer.Text
}

// OnWall reports whether a written answer is shown to the room: approved
// and not merged into another one.
func (c *Contribution) OnWall() bool {
	return c.Answer.Text != "" && c.Moderation == ModApproved && c.DuplicateOf == ""
}
