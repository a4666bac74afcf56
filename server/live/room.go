package live

import (
	"bytes"

	"context"
	"encoding/json"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"golang.org/x/time/rate"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/buurtstem/buurtstem/moderation"
	"github.com/buurtstem/buurtstem/server/model"
)

// ringSize is how many recent events a room keeps for replay. A client
// that missed more gets a snapshot instead.
const ringSize = 4096

// coalesce is the interval of live results and presence: at most ten
// updates per second per session, however many answers arrive, so fan-out
// grows with participants and not with answers times participants.
const coalesce = 100 * time.Millisecond

// presenceEvery is how often a room on a shared bus tells the other
// instances how many residents it holds and learns their counts.
const presenceEvery = 2 * time.Second

// room is one session on this server instance: its connections, the state
// they see and the recent events for replay. Every change arrives as a bus
// event, so all instances serving the session apply the same changes in
// the same order.
type room struct {
	hub *Hub
	id  string

	mu        sync.Mutex
	sess      *model.Session
	epoch     string
	seq       uint64
	ring      ring
	conns     map[*conn]struct{} // residents and projectors
	staff     map[*conn]struct{} // intermediaries, who also get contribution events
	residents int
	prompts   []byte // the prompts as last sent, to send them again only when edited
	// answers[prompt][participant] is the participant's latest answer;
	// tallies hold the counts derived from it, kept up to date on write.
	answers map[string]map[string]dated
	tallies map[string]*tally
	// known holds the ids of every contribution this room has recorded.
	known map[string]bool
	// texts are the written answers, for moderation and the wall.
	texts map[string]*model.Contribution
	wall  []protocol.WallItem
	// wallAdds are written answers that reached the wall since the last
	// tick, sent together (flushWall): 300 answers in 3 s as 300 messages
	// overfilled slow phones' queues, which were then cut off.
	wallAdds    []protocol.WallItem
	wallAddsSeq uint64 // the seq of the last of them
	dirty       map[string]bool
	// resDirty collects prompts whose results residents have not had yet;
	// they get them every residentTicks ticks (see flush).
	resDirty map[string]bool
	ticks    int
	present  bool // presence changed
	// others is how many residents other instances hold in the session
	// (shared bus only), refreshed every presenceEvery.
	others int
	// submits limits answers for the whole session on this instance
	// (sessionSubmitRate); never per address.
	submits *rate.Limiter
	idle    *time.Timer
	cancel  func()
	stop    chan struct{}
	// feedback are the published responses for a feedback round, newest
	// first, and feedbackScope the neighbourhoods they come from (#7).
	feedback      []protocol.FeedbackItem
	feedbackScope map[string]bool
	// guard finds floods and near-duplicates of this session on this
	// instance (#6); highlight is the contribution shown large on the
	// projector; merged counts the duplicates merged into each
	// contribution. decide serialises moderators' decisions on this
	// instance, so each is checked against the state the previous one left.
	guard     *moderation.Guard
	highlight string
	merged    map[string]int
	checked   map[string]checked
	decide    sync.Mutex
}

type ringEntry struct {
	seq   uint64
	all   *websocket.PreparedMessage // residents and projector; nil if none
	staff *websocket.PreparedMessage // intermediaries; nil if none
}

// dated is an answer with the time it was given: a participant's newest
// answer counts, whatever order the events arrive in. earlier holds the
// participant's older answers to the prompt, oldest first, so that when
// the newest is withdrawn the one before counts again; nil for the
// participant who answered once, nearly everyone.
type dated struct {
	model.Answer
	at      time.Time
	id      string
	earlier []dated
}

type tally struct {
	counts map[string]int
}

// withdrawnEvent: a contribution its author deleted (Hub.Withdraw).
type withdrawnEvent struct {
	ContributionID string `json:"contribution_id"`
	PromptID       string `json:"prompt_id"`
	Participant    string `json:"participant"`
}

// moderationEvent is the bus payload of a moderator's decision. View is
// the contribution's whole moderation after it (#6); an event without
// View changes only State. LogID and By name the audit log entry and the
// moderator, for the console's undo.
type moderationEvent struct {
	ContributionID string                `json:"contribution_id"`
	State          model.ModerationState `json:"state"`
	View           *model.ModerationView `json:"view,omitempty"`
	LogID          string                `json:"log_id,omitempty"`
	By             string                `json:"by,omitempty"`
}

// load subscribes to the session's events and then reads its state from
// the store, holding the room's lock so that events arriving meanwhile are
// applied after the state they follow.
func (r *room) load(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	epoch, head, cancel, err := r.hub.bus.Subscribe(ctx, r.id, r.deliver)
	if err != nil {
		return err
	}
	r.epoch, r.seq, r.cancel = epoch, head, cancel
	sess, err := r.hub.store.SessionByID(ctx, r.id)
	if err != nil {
		cancel()
		return err
	}
	r.sess = sess
	r.prompts, _ = json.Marshal(sess.Prompts)
	cs, err := r.hub.store.ContributionsOf(ctx, r.id)
	if err != nil {
		cancel()
		return err
	}
	for i := range cs {
		r.record(&cs[i])
	}
	r.dirty = map[string]bool{}
	if r.hub.feedback != nil {
		items, scope, err := r.hub.feedback(ctx, sess.OrgID, sess.NeighbourhoodID)
		if err != nil {
			cancel()
			return err
		}
		r.feedback, r.feedbackScope = items, map[string]bool{}
		for _, n := range scope {
			r.feedbackScope[n] = true
		}
	}
	go r.ticker()
	return nil
}

// deliver is the bus callback.
func (r *room) deliver(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.apply(ev)
}

// apply turns a bus event into state changes and protocol messages.
func (r *room) apply(ev Event) {
	if ev.Epoch != r.epoch {
		// The stream started over (shared bus reset): everyone resyncs.
		r.epoch, r.seq = ev.Epoch, ev.Seq
		r.ring.reset()
	} else if ev.Seq <= r.seq {
		return // seen already
	}
	r.seq = ev.Seq
	if ev.Type != busContribution {
		// Whatever comes next reaches residents after the answers already
		// on the wall (a removal of one of them, the session closing).
		r.flushWall()
	}
	var all, staff any
	allType, staffType := "", ""
	shared := false // the same message for every role
	// personal replaces all for some residents (a response on their input)
	var personal map[*conn]*websocket.PreparedMessage
	// notices go to an author's own connections after all (#6)
	var notices map[*conn]*websocket.PreparedMessage
	switch ev.Type {
	case busState:
		var s model.Session
		if json.Unmarshal(ev.Data, &s) != nil || s.Version < r.sess.Version {
			break
		}
		r.sess = &s
		d := protocol.StateData{State: string(s.State), Current: s.Current, Prompt: s.CurrentPrompt()}
		if p := s.CurrentPrompt(); p != nil && p.Kind == model.KindFeedback {
			d.Feedback = r.feedback
		}
		// A prompt switch carries only the new prompt; the whole session
		// goes out again only after an edit of the prompts.
		if p, _ := json.Marshal(s.Prompts); !bytes.Equal(p, r.prompts) {
			r.prompts = p
			d.Session = view(&s)
		}
		all, allType, shared = d, protocol.TypeState, true
	case busContribution:
		var ce contributionEvent
		if json.Unmarshal(ev.Data, &ce) != nil {
			break
		}
		c := fromBus(ce)
		r.record(&c)
		staff, staffType = r.contributionData(&c, "", ""), protocol.TypeContribution
		if c.OnWall() {
			r.wallAdds = append(r.wallAdds, r.wallItem(&c))
			r.wallAddsSeq = ev.Seq
		}
		if c.Answer.Text != "" && (c.Redacted != "" || c.Moderation == model.ModHeld) {
			notices = r.notices(&c, ev.Seq)
		}
	case busModeration:
		var m moderationEvent
		if json.Unmarshal(ev.Data, &m) != nil {
			break
		}
		c, ok := r.texts[m.ContributionID]
		if !ok {
			break
		}
		all, allType, notices = r.moderated(c, m, ev.Seq)
		staff, staffType = r.contributionData(c, m.LogID, m.By), protocol.TypeContribution
	case busWithdrawn:
		var w withdrawnEvent
		if json.Unmarshal(ev.Data, &w) != nil {
			break
		}
		if wall := r.withdraw(w); wall != nil {
			all, allType, shared = *wall, protocol.TypeWall, true
		}
	case busFeedback:
		var fe feedbackEvent
		if json.Unmarshal(ev.Data, &fe) != nil || fe.Org != r.sess.OrgID {
			break
		}
		if r.feedbackScope[fe.Item.NeighbourhoodID] {
			r.feedback = slices.DeleteFunc(r.feedback, func(f protocol.FeedbackItem) bool { return f.TopicID == fe.Item.TopicID })
			r.feedback = append([]protocol.FeedbackItem{fe.Item}, r.feedback...)
			all, allType, shared = protocol.FeedbackData{FeedbackItem: fe.Item}, protocol.TypeFeedback, true
		}
		for c := range r.conns {
			if ids := fe.Mine[c.participant]; c.role == protocol.RoleResident && len(ids) > 0 {
				if personal == nil {
					personal = map[*conn]*websocket.PreparedMessage{}
				}
				personal[c] = prepare(protocol.TypeFeedback, "", ev.Seq, protocol.FeedbackData{FeedbackItem: fe.Item, Mine: ids})
			}
		}
	}
	e := ringEntry{seq: ev.Seq}
	if all != nil {
		e.all = prepare(allType, "", ev.Seq, all)
	}
	if shared {
		e.staff = e.all
	} else if staff != nil {
		e.staff = prepare(staffType, "", ev.Seq, staff)
	}
	r.ring.push(e)
	if e.all != nil || personal != nil {
		for c := range r.conns {
			if m := personal[c]; m != nil {
				c.enqueue(m)
			} else if e.all != nil {
				c.enqueue(e.all)
			}
		}
	}
	if e.staff != nil {
		for c := range r.staff {
			c.enqueue(e.staff)
		}
	}
	for c, m := range notices {
		c.enqueue(m)
	}
	if ev.Type == busState && r.sess.State == model.StateClosed {
		for c := range r.conns {
			c.closeAfterFlush(protocol.CloseSessionClosed, "session closed")
		}
		for c := range r.staff {
			c.closeAfterFlush(protocol.CloseSessionClosed, "session closed")
		}
	}
}

// ring holds the last ringSize events in a circular buffer.
type ring struct {
	buf   []ringEntry
	start int
}

func (g *ring) push(e ringEntry) {
	if len(g.buf) < ringSize {
		g.buf = append(g.buf, e)
		return
	}
	g.buf[g.start] = e
	g.start = (g.start + 1) % ringSize
}

func (g *ring) reset() { g.buf, g.start = g.buf[:0], 0 }

// oldest returns the seq of the oldest event held, or 0.
func (g *ring) oldest() uint64 {
	if len(g.buf) == 0 {
		return 0
	}
	return g.buf[g.start].seq
}

// each visits the events in order.
func (g *ring) each(fn func(ringEntry)) {
	for i := range g.buf {
		fn(g.buf[(g.start+i)%len(g.buf)])
	}
}

func (e ringEntry) forRole(role string) *websocket.PreparedMessage {
	if role == protocol.RoleIntermediary {
		return e.staff
	}
	return e.all
}

// record adds a contribution to answers, tallies and the wall.
func (r *room) record(c *model.Contribution) {
	if r.known[c.ID] {
		return
	}
	r.known[c.ID] = true
	if c.Answer.Text != "" {
		if _, seen := r.texts[c.ID]; !seen {
			r.texts[c.ID] = c
			if c.DuplicateOf != "" {
				r.merged[c.DuplicateOf]++
				r.refreshWall(c.DuplicateOf)
			}
			if c.OnWall() {
				r.wall = append(r.wall, r.wallItem(c))
			}
		}
		return
	}
	byP := r.answers[c.PromptID]
	if byP == nil {
		byP = map[string]dated{}
		r.answers[c.PromptID] = byP
	}
	t := r.tallies[c.PromptID]
	if t == nil {
		t = &tally{counts: map[string]int{}}
		r.tallies[c.PromptID] = t
	}
	cur := dated{Answer: c.Answer, at: c.CreatedAt, id: c.ID}
	if old, ok := byP[c.ParticipantID]; ok {
		if old.at.After(c.CreatedAt) {
			// A late event of an older answer: it does not count, but it
			// would again if the newer one were withdrawn.
			i, _ := slices.BinarySearchFunc(old.earlier, cur.at, func(d dated, at time.Time) int { return d.at.Compare(at) })
			old.earlier = slices.Insert(old.earlier, i, cur)
			byP[c.ParticipantID] = old
			return
		}
		t.add(old.Answer, -1)
		cur.earlier, old.earlier = append(old.earlier, old), nil
		cur.earlier[len(cur.earlier)-1].earlier = nil
	}
	byP[c.ParticipantID] = cur
	t.add(c.Answer, 1)
	r.dirty[c.PromptID] = true
}

// withdraw takes a contribution its author deleted out of the room: off
// the wall (returning the removal to send, if it was on it) or out of its
// prompt's results. Only the participant's latest answer to a prompt is
// counted: if an earlier one is withdrawn the counts stay, and if the
// latest is, the one before it counts again (or none, if it was the only).
func (r *room) withdraw(w withdrawnEvent) *protocol.WallData {
	if c, ok := r.texts[w.ContributionID]; ok {
		delete(r.texts, c.ID)
		if r.highlight == c.ID {
			r.highlight = ""
		}
		var into *protocol.WallItem
		if t := c.DuplicateOf; t != "" {
			if r.merged[t]--; r.merged[t] <= 0 {
				delete(r.merged, t)
			}
			into = r.refreshWall(t)
		}
		i := slices.IndexFunc(r.wall, func(it protocol.WallItem) bool { return it.ContributionID == c.ID })
		if i < 0 {
			if into != nil {
				return &protocol.WallData{Op: "add", Item: *into}
			}
			return nil
		}
		item := r.wall[i]
		r.wall = slices.Delete(r.wall, i, i+1)
		return &protocol.WallData{Op: "remove", Item: item, Into: into}
	}
	byP := r.answers[w.PromptID]
	cur, ok := byP[w.Participant]
	switch {
	case !ok:
	case cur.id != w.ContributionID:
		cur.earlier = slices.DeleteFunc(cur.earlier, func(d dated) bool { return d.id == w.ContributionID })
		byP[w.Participant] = cur
	default:
		t := r.tallies[w.PromptID]
		t.add(cur.Answer, -1)
		if n := len(cur.earlier); n > 0 {
			prev := cur.earlier[n-1]
			prev.earlier = cur.earlier[:n-1]
			byP[w.Participant] = prev
			t.add(prev.Answer, 1)
		} else {
			delete(byP, w.Participant)
		}
		r.dirty[w.PromptID] = true
	}
	return nil
}

func (t *tally) add(a model.Answer, sign int) {
	if a.Face != 0 {
		t.counts[strconv.Itoa(a.Face)] += sign
	}
	for _, o := range a.Options {
		t.counts[o] += sign
	}
	for item, n := range a.Dots {
		t.counts[item] += sign * n
	}
}

func (r *room) results(promptID string) protocol.ResultsData {
	d := protocol.ResultsData{PromptID: promptID, Counts: map[string]int{}}
	if p := r.sess.PromptByID(promptID); p != nil {
		d.Kind = string(p.Kind)
	}
	if t := r.tallies[promptID]; t != nil {
		for k, v := range t.counts {
			if v != 0 {
				d.Counts[k] = v
			}
		}
	}
	d.Answered = len(r.answers[promptID])
	d.SentAt = time.Now().UnixMilli()
	return d
}

// ticker sends coalesced results and presence.
func (r *room) ticker() {
	t := time.NewTicker(coalesce)
	defer t.Stop()
	sharer, _ := r.hub.bus.(presenceSharer)
	shared := -1 // the count last shared; -1: none yet
	var sharedAt time.Time
	for {
		select {
		case <-r.stop:
			if sharer != nil && shared > 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, _ = sharer.SharePresence(ctx, r.id, 0)
				cancel()
			}
			return
		case <-t.C:
			r.mu.Lock()
			r.flush()
			n := r.residents
			r.mu.Unlock()
			// Outside the lock: a store round trip must not hold up the
			// room's connections.
			since := time.Since(sharedAt)
			if sharer != nil && (since >= presenceEvery || (n != shared && since >= presenceEvery/4)) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				others, err := sharer.SharePresence(ctx, r.id, n)
				cancel()
				if err == nil {
					shared, sharedAt = n, time.Now()
					r.mu.Lock()
					if others != r.others {
						r.others, r.present = others, true
					}
					r.mu.Unlock()
				}
			}
		}
	}
}

// residentResultsPerSecond caps the result messages a session sends to
// residents: with more than 1,000 residents they get results less often
// than 10 times a second (every 2nd tick from 2,000, every 10th at
// 10,000). The projector and intermediaries always get 10 a second.
const residentResultsPerSecond = 10000

// flushWall sends the wall's new items since the last tick in one
// message, kept in the ring under the seq of the last of them for replay.
func (r *room) flushWall() {
	if len(r.wallAdds) == 0 {
		return
	}
	d := protocol.WallData{Op: "add", Item: r.wallAdds[0]}
	if len(r.wallAdds) > 1 {
		d.Items = r.wallAdds
	}
	m := prepare(protocol.TypeWall, "", r.wallAddsSeq, d)
	r.ring.push(ringEntry{seq: r.wallAddsSeq, all: m})
	for c := range r.conns {
		c.enqueue(m)
	}
	r.wallAdds = nil
}

func (r *room) flush() {
	r.flushWall()
	r.ticks++
	every := max(1, r.residents*10/residentResultsPerSecond)
	toResidents := r.ticks%every == 0
	for id := range r.dirty {
		r.resDirty[id] = true
	}
	for id := range r.dirty {
		m := prepare(protocol.TypeResults, "", 0, r.results(id))
		for c := range r.staff {
			c.enqueue(m)
		}
		for c := range r.conns {
			if c.role != protocol.RoleResident {
				c.enqueue(m)
			}
		}
		if toResidents {
			delete(r.resDirty, id)
			for c := range r.conns {
				if c.role == protocol.RoleResident {
					c.enqueue(m)
				}
			}
		}
	}
	if toResidents {
		// Prompts that changed in earlier ticks but not in this one.
		for id := range r.resDirty {
			m := prepare(protocol.TypeResults, "", 0, r.results(id))
			for c := range r.conns {
				if c.role == protocol.RoleResident {
					c.enqueue(m)
				}
			}
		}
		clear(r.resDirty)
	}
	clear(r.dirty)
	if r.present {
		r.present = false
		m := prepare(protocol.TypePresence, "", 0, protocol.PresenceData{Participants: r.residents + r.others})
		for c := range r.conns {
			if c.role != protocol.RoleResident {
				c.enqueue(m)
			}
		}
		for c := range r.staff {
			c.enqueue(m)
		}
	}
}

// join adds a connection and brings it up to date: by replaying what it
// missed when its epoch and seq are still in the ring, otherwise by a
// snapshot. Holding the lock keeps live events from overtaking the catch-up.
func (r *room) join(c *conn, h protocol.HelloData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idle != nil {
		r.idle.Stop()
		r.idle = nil
	}
	r.set(c)[c] = struct{}{}
	if c.role == protocol.RoleResident {
		r.residents++
		r.present = true
	}
	// Replay only what fits in the connection's queue with room to spare;
	// for more, a snapshot is both smaller and faster.
	replay := h.Epoch == r.epoch && h.LastSeq <= r.seq && r.seq-h.LastSeq <= sendQueue/2 &&
		(h.LastSeq == r.seq || (r.ring.oldest() > 0 && h.LastSeq+1 >= r.ring.oldest()))
	c.enqueue(prepare(protocol.TypeWelcome, "", 0, protocol.WelcomeData{
		Protocol: protocol.Version, Role: c.role, Epoch: r.epoch, Seq: r.seq, Replay: replay, Lang: c.lang.Lang.Code,
	}))
	if replay {
		r.ring.each(func(e ringEntry) {
			if e.seq > h.LastSeq {
				if m := e.forRole(c.role); m != nil {
					c.enqueue(m)
				}
			}
		})
		for id := range r.tallies {
			c.enqueue(prepare(protocol.TypeResults, "", 0, r.results(id)))
		}
		return
	}
	c.enqueue(prepare(protocol.TypeSnapshot, "", r.seq, r.snapshot(c)))
}

func (r *room) snapshot(c *conn) protocol.SnapshotData {
	d := protocol.SnapshotData{Session: *view(r.sess), Wall: slices.Clone(r.wall), Participants: r.residents + r.others,
		Results: make([]protocol.ResultsData, 0, len(r.sess.Prompts))}
	if d.Wall == nil {
		d.Wall = []protocol.WallItem{}
	}
	for _, p := range r.sess.Prompts {
		d.Results = append(d.Results, r.results(p.ID))
		if p.Kind == model.KindFeedback && d.Feedback == nil {
			d.Feedback = slices.Clone(r.feedback)
		}
	}
	for i := range d.Wall {
		d.Wall[i].Highlighted = d.Wall[i].ContributionID == r.highlight
	}
	switch c.role {
	case protocol.RoleIntermediary:
		for _, t := range r.texts {
			if t.Moderation == model.ModPending || t.Moderation == model.ModHeld || t.Moderation == model.ModEscalated {
				d.Pending = append(d.Pending, r.contributionData(t, "", ""))
			}
		}
		slices.SortFunc(d.Pending, func(a, b protocol.ContributionData) int { return a.CreatedAt.Compare(b.CreatedAt) })
	case protocol.RoleResident:
		for _, p := range r.sess.Prompts {
			if _, ok := r.answers[p.ID][c.participant]; ok {
				d.Answered = append(d.Answered, p.ID)
			}
		}
		for _, t := range r.texts {
			if t.ParticipantID == c.participant && !slices.Contains(d.Answered, t.PromptID) {
				d.Answered = append(d.Answered, t.PromptID)
			}
		}
	}
	return d
}

// leave removes a connection. A room without connections is dropped after
// a minute, so a quick reconnect finds its replay ring.
func (r *room) leave(c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	set := r.set(c)
	if _, ok := set[c]; !ok {
		return
	}
	delete(set, c)
	if c.role == protocol.RoleResident {
		r.residents--
		r.present = true
	}
	if len(r.conns)+len(r.staff) == 0 && r.idle == nil {
		r.idle = time.AfterFunc(r.hub.roomIdle, func() { r.hub.dropIfIdle(r) })
	}
}

// set returns the connection set of c's role.
func (r *room) set(c *conn) map[*conn]struct{} {
	if c.role == protocol.RoleIntermediary {
		return r.staff
	}
	return r.conns
}

// knows reports whether the room has recorded a contribution.
func (r *room) knows(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.known[id]
}

// dotItems are the ids a dots prompt may receive dots on: the written
// answers approved so far.
func (r *room) dotItems() []string {
	out := make([]string, len(r.wall))
	for i, w := range r.wall {
		out[i] = w.ContributionID
	}
	return out
}

func view(s *model.Session) *protocol.SessionView {
	return &protocol.SessionView{ID: s.ID, Title: s.Title, State: string(s.State), Pace: string(s.Pace),
		Moderation: string(s.Moderation), Languages: s.Languages, Current: s.Current, Prompts: s.Prompts}
}

// contributionData is input as intermediaries see it: what the resident
// wrote and, when masked, what the room sees.
func (r *room) contributionData(c *model.Contribution, logID, by string) protocol.ContributionData {
	return protocol.ContributionData{ContributionID: c.ID, PromptID: c.PromptID, Kind: string(c.Kind), Answer: c.Answer,
		Lang: c.Lang, Assisted: c.Assisted, Moderation: string(c.Moderation), CreatedAt: c.CreatedAt,
		Redacted: c.Redacted, Reasons: c.ModReasons, HideReason: c.HideReason, Theme: c.Theme, DuplicateOf: c.DuplicateOf,
		Similar: c.Similar, Highlighted: r.highlight == c.ID, LogID: logID, By: by}
}

// wallItem is a written answer as the room sees it: masked where the
// moderation library masked it.
func (r *room) wallItem(c *model.Contribution) protocol.WallItem {
	return protocol.WallItem{ContributionID: c.ID, PromptID: c.PromptID, Text: c.ShownText(), Lang: c.Lang,
		Theme: c.Theme, Merged: r.merged[c.ID], Highlighted: r.highlight == c.ID}
}

// prepare encodes a message once for any number of connections.
func prepare(typ, id string, seq uint64, data any) *websocket.PreparedMessage {
	raw, err := json.Marshal(data)
	if err != nil {
		panic(err) // our own types always marshal
	}
	b, _ := json.Marshal(protocol.Envelope{Type: typ, ID: id, Seq: seq, Data: raw})
	m, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		panic(err)
	}
	return m
}
