package live

import (
	"context"
	"slices"
	"time"
	"unicode"

	"github.com/gorilla/websocket"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/moderation"
	"github.com/buurtstem/buurtstem/server/decisions"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
)

// Moderation in a live session (#6): every written answer passes the
// moderation library and the session's Guard before it is stored;
// moderators' decisions go through package decisions, which logs them,
// and reach every instance as busModeration events; authors hear why
// their input is not shown as written.

// checked is the verdict on a written answer that was let through, kept
// so that a resend of the same submission (a lost ack, a store that was
// briefly down) is judged the same and not taken for a duplicate of
// itself.
type checked struct {
	verdict moderation.Verdict
	similar []string
}

// checkText runs the moderation library and the session's Guard on a
// written answer. A refused answer is answered here (false): with
// moderation_rejected and the reasons, or, when the same submission was
// stored before, with a duplicate ack.
func (c *conn) checkText(ctx context.Context, clientID, id, participant, text, lang string) (checked, bool) {
	r := c.room
	r.mu.Lock()
	prev, ok := r.checked[id]
	r.mu.Unlock()
	if ok {
		return prev, true
	}
	v := c.check(text, lang)
	spam := r.guard.Observe(participant, id, text, time.Now())
	v = v.With(spam.Codes...)
	if v.Decision != moderation.Reject {
		ch := checked{verdict: v, similar: spam.Similar}
		r.mu.Lock()
		r.checked[id] = ch
		r.mu.Unlock()
		return ch, true
	}
	// Stored before by another instance or a previous process: ack again.
	if _, err := c.hub.store.Contribution(ctx, id); err == nil {
		c.repairPublish(ctx, id)
		c.enqueue(prepare(protocol.TypeAck, clientID, 0, protocol.AckData{ContributionID: id, Duplicate: true}))
		return checked{}, false
	}
	c.rejectText(clientID, v)
	return checked{}, false
}

// check runs the moderation library in the language the resident
// answered in and, for any other language, in Dutch too: residents write
// the room's language while their phone speaks another one. The second
// check reads the text the first redacted; the verdict is the strictest.
// Not every language of the session: on the corpus, checking criticism in
// all six languages masked "idiote regel" by the English lexicon (1 of 165
// criticism items changed), with Dutch alone none did. Text with nothing
// visible left (only joiners and other format characters, which the
// library keeps for the scripts that need them) is empty.
func (c *conn) check(text, lang string) moderation.Verdict {
	v := c.hub.checker.Check(text, lang)
	if lang != "nl" && v.Decision != moderation.Reject {
		next := c.hub.checker.Check(shown(v, text), "nl")
		for _, rs := range next.Reasons {
			v = v.With(rs.Code)
		}
		if v.Decision != moderation.Reject {
			v.Redacted = next.Redacted
		}
	}
	if v.Decision != moderation.Reject && !visible(shown(v, text)) {
		v = v.With(moderation.TextEmpty)
	}
	return v
}

// shown is the text a verdict leaves to show.
func shown(v moderation.Verdict, text string) string {
	if v.Redacted != "" {
		return v.Redacted
	}
	return text
}

// visible reports whether s has a character a person can see.
func visible(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// rejectText tells the author why their text was not taken. Message is
// the explanation of the reason that refused it, so a client that shows
// only the message says why; Reasons has them all.
func (c *conn) rejectText(clientID string, v moderation.Verdict) {
	d := protocol.ErrorData{Code: protocol.ErrModerationRejected, Field: "text"}
	for _, rs := range v.Reasons {
		msg := c.lang.T(rs.MessageID)
		d.Reasons = append(d.Reasons, protocol.Reason{Code: string(rs.Code), Message: msg})
		if d.Message == "" && rs.Code.Decision() == moderation.Reject {
			d.Message = msg
		}
	}
	if d.Message == "" {
		d.Message = c.lang.T("live.error." + protocol.ErrModerationRejected)
	}
	c.enqueue(prepare(protocol.TypeError, clientID, 0, d))
}

// applyVerdict sets what the verdict decides on a new contribution: held
// input waits for a person whatever the session's moderation; masked
// input keeps the original for staff and the author, and the room sees
// the redacted text.
func applyVerdict(contrib *model.Contribution, ch checked) {
	v := ch.verdict
	contrib.ModReasons = v.Codes()
	contrib.Similar = ch.similar
	if (v.Decision == moderation.Mask || v.Decision == moderation.Hold) && v.Redacted != contrib.Answer.Text {
		contrib.Redacted = v.Redacted
	}
	if v.Decision == moderation.Hold {
		contrib.Moderation = model.ModHeld
	}
}

// moderate applies a moderator's decision: checked and logged by package
// decisions, spread to every instance over the bus. Decisions of one room
// on this instance are taken one at a time, each against the state the
// previous one left.
func (c *conn) moderate(ctx context.Context, env protocol.Envelope, staff *model.Staff) {
	var d protocol.ModerateData
	if err := strictUnmarshal(env.Data, &d); err != nil {
		c.fail(env.ID, protocol.ErrBadData, "", nil)
		return
	}
	r := c.room
	r.decide.Lock()
	defer r.decide.Unlock()
	r.mu.Lock()
	sess := r.sess
	t, ok := r.texts[d.ContributionID]
	var target decisions.Target
	if ok {
		target = decisions.Target{Contribution: *t, Highlighted: r.highlight == t.ID}
	}
	r.mu.Unlock()
	if !ok {
		c.fail(env.ID, protocol.ErrNotFound, "contribution_id", nil)
		return
	}
	others := func(id string) (model.Contribution, bool) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if o, ok := r.texts[id]; ok {
			return *o, true
		}
		return model.Contribution{}, false
	}
	e, err := c.hub.decisions.Decide(ctx, staff, sess, target, others, decisions.Request{
		Action: d.Decision, Reason: d.Reason, Note: d.Note, Theme: d.Theme, Into: d.Into, LogID: d.LogID,
	})
	if err != nil {
		c.failErr(env.ID, err)
		return
	}
	ack := protocol.AckData{ContributionID: d.ContributionID}
	if e != nil {
		to := e.To
		if err := c.hub.publish(ctx, c.sessionID, busModeration, moderationEvent{
			ContributionID: d.ContributionID, State: to.State, View: &to, LogID: e.ID, By: e.StaffName,
		}); err != nil {
			c.failErr(env.ID, err)
			return
		}
		ack.LogID = e.ID
	}
	c.enqueue(prepare(protocol.TypeAck, env.ID, 0, ack))
}

// moderated applies a decision to the room (under its lock) and returns
// the message for residents and the projector, if the wall changed, and
// the author's notices.
func (r *room) moderated(c *model.Contribution, m moderationEvent, seq uint64) (any, string, map[*conn]*websocket.PreparedMessage) {
	before := c.ModView()
	wasOn, wasHigh := c.OnWall(), r.highlight == c.ID
	v := before
	if m.View != nil {
		v = *m.View
	} else {
		v.State, v.Highlighted = m.State, wasHigh
	}
	c.SetModView(v)
	var into *protocol.WallItem
	if before.DuplicateOf != v.DuplicateOf {
		if t := before.DuplicateOf; t != "" {
			if r.merged[t]--; r.merged[t] <= 0 {
				delete(r.merged, t)
			}
			into = r.refreshWall(t)
		}
		if t := v.DuplicateOf; t != "" {
			r.merged[t]++
			into = r.refreshWall(t)
		}
	}
	on := c.OnWall()
	high := v.Highlighted && on
	if high {
		r.highlight = c.ID
	} else if wasHigh {
		r.highlight = ""
	}
	var all any
	switch {
	case on:
		item := r.wallItem(c)
		if i := slices.IndexFunc(r.wall, func(w protocol.WallItem) bool { return w.ContributionID == c.ID }); i >= 0 {
			r.wall[i] = item
		} else {
			r.wall = append(r.wall, item)
		}
		if !wasOn || high != wasHigh || before.Theme != v.Theme || into != nil {
			all = protocol.WallData{Op: "add", Item: item, Into: into}
		}
	case wasOn:
		r.wall = slices.DeleteFunc(r.wall, func(w protocol.WallItem) bool { return w.ContributionID == c.ID })
		all = protocol.WallData{Op: "remove", Item: r.wallItem(c), Into: into}
	case into != nil:
		all = protocol.WallData{Op: "add", Item: *into}
	}
	var personal map[*conn]*websocket.PreparedMessage
	if before.State != v.State || before.HideReason != v.HideReason {
		personal = r.notices(c, seq)
	}
	if all == nil {
		return nil, "", personal
	}
	return all, protocol.TypeWall, personal
}

// refreshWall updates a wall item after its merged count changed and
// returns it; nil if it is not on the wall.
func (r *room) refreshWall(id string) *protocol.WallItem {
	t := r.texts[id]
	if t == nil || !t.OnWall() {
		return nil
	}
	item := r.wallItem(t)
	if i := slices.IndexFunc(r.wall, func(w protocol.WallItem) bool { return w.ContributionID == id }); i >= 0 {
		r.wall[i] = item
	}
	return &item
}

// notices are the messages to the author's own connections saying what
// happened to their input and why, each in that connection's language.
// Nobody else gets them: they are matched on the participant.
func (r *room) notices(c *model.Contribution, seq uint64) map[*conn]*websocket.PreparedMessage {
	var out map[*conn]*websocket.PreparedMessage
	for cn := range r.conns {
		if cn.role != protocol.RoleResident || cn.participant == "" || cn.participant != c.ParticipantID {
			continue
		}
		if out == nil {
			out = map[*conn]*websocket.PreparedMessage{}
		}
		out[cn] = prepare(protocol.TypeModeration, "", seq, Notice(cn.lang, c))
	}
	return out
}

// Notice explains to the author, in l's language, what happened to their
// written input and why. The "my input" page shows the same reasons.
func Notice(l *i18n.Localizer, c *model.Contribution) protocol.ModerationNoticeData {
	d := protocol.ModerationNoticeData{ContributionID: c.ID, PromptID: c.PromptID, State: string(c.Moderation),
		Masked: c.Redacted != "", Message: l.T(decisions.StatusMessage(c))}
	if d.Masked {
		d.Shown = c.Redacted
	}
	for _, e := range decisions.Explain(c) {
		d.Reasons = append(d.Reasons, protocol.Reason{Code: e.Code, Message: l.T(e.MessageID)})
	}
	return d
}
