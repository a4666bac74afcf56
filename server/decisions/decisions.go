// Package decisions holds the moderators' side of moderation (#6): what an
// intermediary may decide about a written contribution in a live session
// (approve, hide with a reason, escalate to a reviewer, tag a theme, merge
// a duplicate, highlight on the projector, undo), how each decision
// changes the contribution, and the audit log that records every decision
// with who, when, what, why and the state before and after.
//
// The live hub calls Decide for each moderate message and spreads the
// result to every instance over its bus; the staff pages read the log.
// The moderation library (package moderation) is the machine's side.
package decisions

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/buurtstem/buurtstem/moderation"
	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
	"github.com/buurtstem/buurtstem/server/store"
)

// Actions of a decision. "reject" is the protocol's original name of
// "hide" (version 1 clients send it) and is logged as hide.
const (
	ActionApprove     = "approve"
	ActionHide        = "hide"
	ActionReject      = "reject"
	ActionEscalate    = "escalate"
	ActionTheme       = "theme"
	ActionMerge       = "merge"
	ActionHighlight   = "highlight"
	ActionUnhighlight = "unhighlight"
	ActionUndo        = "undo"
)

// Actions lists what a moderator may send.
var Actions = []string{ActionApprove, ActionHide, ActionReject, ActionEscalate, ActionTheme, ActionMerge,
	ActionHighlight, ActionUnhighlight, ActionUndo}

// MaxNote is the longest free-text note with a decision, in characters.
const MaxNote = 500

// Request is one decision as a moderator sends it.
type Request struct {
	Action string
	// Reason: one of model.HideReasons (hide).
	Reason string
	// Note: free text for the log (hide, escalate); staff only.
	Note string
	// Theme: one of sessions.Themes, or "" to remove the tag (theme).
	Theme string
	// Into: the contribution this one duplicates (merge); "" separates it
	// again.
	Into string
	// LogID: the decision to undo (undo).
	LogID string
}

// Target is the contribution a decision is about, as the live room holds
// it, and whether the room shows it highlighted.
type Target struct {
	Contribution model.Contribution
	Highlighted  bool
}

// Lookup finds another written contribution of the same session (merge).
type Lookup func(id string) (model.Contribution, bool)

// Service decides and logs.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// New returns a Service.
func New(s *store.Store) *Service { return &Service{store: s, now: time.Now} }

// Decide checks a decision of actor on t in session sess, stores its
// result and logs it. It returns the log entry, whose To is the new state
// the caller spreads to the room; nil (and no error) when the decision
// changes nothing, which is not logged.
func (s *Service) Decide(ctx context.Context, actor *model.Staff, sess *model.Session, t Target, others Lookup, req Request) (*model.ModerationEntry, error) {
	if actor == nil || !sessions.CanRun(actor, sess.OrgID) {
		return nil, apperr.New(apperr.ErrForbidden, "error.forbidden")
	}
	c := t.Contribution
	if c.OrgID != sess.OrgID || c.SessionID != sess.ID || c.Answer.Text == "" {
		return nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	from := c.ModView()
	from.Highlighted = t.Highlighted
	to := from
	e := &model.ModerationEntry{OrgID: sess.OrgID, SessionID: sess.ID, ContributionID: c.ID,
		StaffID: actor.ID, StaffName: actor.Name, Action: req.Action}
	var err error
	if e.Note, err = note(req.Note); err != nil {
		return nil, err
	}
	switch req.Action {
	case ActionApprove:
		to.State, to.HideReason = model.ModApproved, ""
	case ActionHide, ActionReject:
		e.Action = ActionHide
		reason := req.Reason
		if reason == "" && req.Action == ActionReject {
			reason = model.HideOther
		}
		if !slices.Contains(model.HideReasons, reason) {
			return nil, apperr.Invalid("reason", "decision.reason_invalid")
		}
		e.Reason = reason
		to.State, to.HideReason, to.Highlighted = model.ModRejected, reason, false
	case ActionEscalate:
		to.State, to.Highlighted = model.ModEscalated, false
	case ActionTheme:
		if req.Theme != "" && !slices.Contains(sessions.Themes, req.Theme) {
			return nil, apperr.Invalid("theme", "decision.theme_invalid")
		}
		to.Theme = req.Theme
	case ActionMerge:
		if req.Into != "" {
			into, ok := others(req.Into)
			switch {
			case !ok || into.ID == c.ID || into.Answer.Text == "":
				return nil, apperr.Invalid("into", "decision.merge_invalid")
			case into.DuplicateOf != "":
				// One level only: the wall shows the one all others point to.
				return nil, apperr.Invalid("into", "decision.merge_chain")
			}
		}
		to.DuplicateOf = req.Into
		if req.Into != "" {
			to.Highlighted = false
		}
	case ActionHighlight:
		if !(to.State == model.ModApproved && to.DuplicateOf == "") {
			return nil, apperr.Invalid("contribution_id", "decision.highlight_hidden")
		}
		to.Highlighted = true
	case ActionUnhighlight:
		to.Highlighted = false
	case ActionUndo:
		if to, err = s.undoable(ctx, sess.OrgID, c.ID, from, req.LogID); err != nil {
			return nil, err
		}
		e.Undoes = req.LogID
	default:
		return nil, apperr.Invalid("decision", "decision.unknown")
	}
	if to == from && req.Action != ActionUndo {
		return nil, nil
	}
	// Merging into a contribution that is itself merged away by a
	// concurrent decision is caught above on this instance; the room
	// shows a duplicate whose target is gone as a normal item.
	persist := from
	persist.Highlighted = to.Highlighted
	if persist != to {
		if err := s.store.SetModerationView(ctx, sess.OrgID, sess.ID, c.ID, to); err != nil {
			return nil, err
		}
	}
	e.From, e.To, e.At = from, to, s.now().UTC()
	if err := s.store.AppendModerationLog(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// undoable returns the state to go back to when undoing entry id: its
// From, if the entry is about this contribution, has not been undone yet,
// and nothing it changed was changed again since.
func (s *Service) undoable(ctx context.Context, orgID, contribution string, now model.ModerationView, id string) (model.ModerationView, error) {
	if id == "" {
		return now, apperr.Invalid("log_id", "decision.undo_unknown")
	}
	log, err := s.store.ModerationLogOf(ctx, orgID, contribution)
	if err != nil {
		return now, err
	}
	var target *model.ModerationEntry
	for i := range log {
		if log[i].ID == id {
			target = &log[i]
		}
		if log[i].Undoes == id {
			return now, apperr.New(apperr.ErrConflict, "decision.undo_done")
		}
	}
	if target == nil {
		return now, apperr.Invalid("log_id", "decision.undo_unknown")
	}
	if target.To != now {
		return now, apperr.New(apperr.ErrConflict, "decision.undo_changed")
	}
	back := target.From
	if back.Highlighted && !(back.State == model.ModApproved && back.DuplicateOf == "") {
		back.Highlighted = false
	}
	return back, nil
}

// note cleans a moderator's note: one line or a few, at most MaxNote
// characters, no control characters.
func note(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxNote {
		return "", &apperr.Error{Kind: apperr.ErrInvalid, Field: "note", MsgID: "decision.note_invalid",
			Data: map[string]any{"Max": MaxNote}}
	}
	return admin.CleanText("note", v, MaxNote, true)
}

// CanRead reports whether actor may read an organisation's moderation
// log: its reviewers and admins, and the intermediaries who moderate.
func CanRead(actor *model.Staff, orgID string) bool {
	return actor != nil && (actor.PlatformAdmin || actor.RoleIn(orgID) != "")
}

// Log returns decisions of an organisation, newest first: of one
// contribution when contribution is set (its whole history, oldest
// first), else of one session or all, at most limit.
func (s *Service) Log(ctx context.Context, actor *model.Staff, orgID, sessionID, contribution string, limit int) ([]model.ModerationEntry, error) {
	if !CanRead(actor, orgID) {
		return nil, apperr.New(apperr.ErrForbidden, "error.forbidden")
	}
	if contribution != "" {
		return s.store.ModerationLogOf(ctx, orgID, contribution)
	}
	return s.store.ModerationLog(ctx, orgID, sessionID, limit)
}

// Explanation is one reason why input is not shown as written: a stable
// code and the message that explains it to the author.
type Explanation struct {
	Code      string
	MessageID string
}

// Explain lists why c is not shown as written: the moderator's reason for
// hiding it, then the moderation library's reasons. The author sees them
// live and on "my input".
func Explain(c *model.Contribution) []Explanation {
	var out []Explanation
	if c.Moderation == model.ModRejected && c.HideReason != "" {
		out = append(out, Explanation{Code: "hide." + c.HideReason, MessageID: "moderation.why." + c.HideReason})
	}
	for _, code := range c.ModReasons {
		out = append(out, Explanation{Code: code, MessageID: moderation.Code(code).MessageID()})
	}
	return out
}

// statusMessages say in one sentence what happened to input in each state.
var statusMessages = map[model.ModerationState]string{
	model.ModPending: "moderation.notice.pending", model.ModApproved: "moderation.notice.approved",
	model.ModRejected: "moderation.notice.hidden", model.ModHeld: "moderation.notice.held",
	model.ModEscalated: "moderation.notice.escalated",
}

// StatusMessage is the message that tells the author, in one sentence,
// what happened to their written input.
func StatusMessage(c *model.Contribution) string {
	if c.Moderation == model.ModApproved && c.Redacted != "" {
		return "moderation.notice.masked"
	}
	if id := statusMessages[c.Moderation]; id != "" {
		return id
	}
	return "moderation.notice.pending"
}
