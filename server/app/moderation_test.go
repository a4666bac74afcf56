package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
)

var barriers atomic.Int64

// seen returns every event a connection received before the server
// answered a ping sent now: with one writer per connection, nothing sent
// earlier can arrive later. Tests use it to show that something did not
// arrive.
func seen(t *testing.T, c *live.Conn) []protocol.Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Request(ctx, protocol.TypePing, fmt.Sprintf("barrier-%d", barriers.Add(1)), struct{}{}); err != nil {
		t.Fatal(err)
	}
	var out []protocol.Envelope
	for {
		select {
		case env := <-c.Events():
			out = append(out, env)
		default:
			return out
		}
	}
}

// rejected asserts a moderation_rejected error with a reason code and the
// translated explanation as message.
func rejected(t *testing.T, err error, lang, code string) {
	t.Helper()
	var se *live.ServerError
	if !errors.As(err, &se) || se.Code != protocol.ErrModerationRejected || se.Field != "text" {
		t.Fatalf("want moderation_rejected, got %v", err)
	}
	want := msg(t, lang, "moderation.reason."+strings.ReplaceAll(code, ".", "_"))
	if se.Message != want || !slices.ContainsFunc(se.Reasons, func(r protocol.Reason) bool { return r.Code == code && r.Message == want }) {
		t.Fatalf("rejection %+v, want %s %q", se.ErrorData, code, want)
	}
}

// written waits for the intermediary's contribution event of a written
// answer with this id.
func written(t *testing.T, im *live.Conn, id string) protocol.ContributionData {
	t.Helper()
	for {
		_, cd := next[protocol.ContributionData](t, im, protocol.TypeContribution)
		if cd.ContributionID == id {
			return cd
		}
	}
}

// wallOf waits for a wall event about this contribution.
func wallOf(t *testing.T, c *live.Conn, id string) protocol.WallData {
	t.Helper()
	for {
		_, w := next[protocol.WallData](t, c, protocol.TypeWall)
		for _, it := range w.All() { // answers that arrive together come in one message
			if it.ContributionID == id {
				return protocol.WallData{Op: w.Op, Item: it, Into: w.Into}
			}
		}
	}
}

// noticeOf waits for the author's notice about this contribution in this
// moderation state.
func noticeOf(t *testing.T, c *live.Conn, id, state string) protocol.ModerationNoticeData {
	t.Helper()
	for {
		_, n := next[protocol.ModerationNoticeData](t, c, protocol.TypeModeration)
		if n.ContributionID == id && n.State == state {
			return n
		}
	}
}

// TestModerationVerdicts: every written answer passes the moderation
// library before it is stored, in a post-moderated session. Angry
// criticism reaches the wall as written; personal data is masked for the
// room while the intermediary sees the original; a threat is held until a
// person approves it; empty, duplicate and flooding input is refused with
// a translated reason and nothing is stored; only the author hears why.
func TestModerationVerdicts(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	staff, s := e.liveSession("post")
	open := s.Prompts[2].ID
	author, _ := e.resident(s.Code, live.Options{Lang: "nl"})
	other, _ := e.resident(s.Code, live.Options{Lang: "ar"})
	third, _ := e.resident(s.Code, live.Options{Lang: "nl"})
	proj, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "projector", Key: s.ProjectorKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer proj.Close()
	im, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: staff.Jar()})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	for _, c := range []*live.Conn{author, other, third, proj, im} {
		next[protocol.SnapshotData](t, c, protocol.TypeSnapshot)
	}
	if err := im.Control(ctx, "go", protocol.ControlData{Action: "goto", Index: 2}); err != nil {
		t.Fatal(err)
	}
	submit := func(c *live.Conn, id, text string) (protocol.AckData, error) {
		return c.Submit(ctx, id, protocol.SubmitData{PromptID: open, Answer: protocol.AnswerData{Text: text}})
	}
	stored := func() int {
		cs, err := e.store.ContributionsOf(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}

	// Allow: an angry but clean complaint appears on the wall as written.
	angry := "De gemeente doet al jaren helemaal niets aan de stank bij de vuilcontainers. Belachelijk en een schande!"
	ack, err := submit(author, "angry", angry)
	if err != nil {
		t.Fatal(err)
	}
	if w := wallOf(t, proj, ack.ContributionID); w.Op != "add" || w.Item.Text != angry {
		t.Fatalf("criticism on the wall: %+v", w)
	}
	if cd := written(t, im, ack.ContributionID); cd.Moderation != "approved" || cd.Redacted != "" || len(cd.Reasons) != 0 {
		t.Fatalf("criticism for the intermediary: %+v", cd)
	}

	// Mask: the room sees the redacted text, the intermediary the original
	// too, the author is told why in their language, nobody else is.
	phone := "Bel me gerust op 06-12345678 over de kapotte lantaarnpaal"
	ack, err = submit(author, "phone", phone)
	if err != nil {
		t.Fatal(err)
	}
	masked := "Bel me gerust op [telefoonnummer] over de kapotte lantaarnpaal"
	for _, c := range []*live.Conn{proj, other} {
		if w := wallOf(t, c, ack.ContributionID); w.Item.Text != masked {
			t.Fatalf("masked text on the wall: %+v", w)
		}
	}
	if cd := written(t, im, ack.ContributionID); cd.Answer.Text != phone || cd.Redacted != masked || !slices.Equal(cd.Reasons, []string{"pii.phone"}) {
		t.Fatalf("masked input for the intermediary: %+v", cd)
	}
	n := noticeOf(t, author, ack.ContributionID, "approved")
	if !n.Masked || n.Shown != masked || n.State != "approved" || n.Message != msg(t, "nl", "moderation.notice.masked") ||
		len(n.Reasons) != 1 || n.Reasons[0].Message != msg(t, "nl", "moderation.reason.pii_phone") {
		t.Fatalf("notice to the author: %+v", n)
	}
	for _, env := range seen(t, other) {
		if env.Type == protocol.TypeModeration {
			t.Fatalf("another resident got the author's notice: %s", env.Data)
		}
	}
	if c, err := e.store.Contribution(ctx, ack.ContributionID); err != nil || c.Answer.Text != phone || c.Redacted != masked ||
		!slices.Equal(c.ModReasons, []string{"pii.phone"}) {
		t.Fatalf("stored masked contribution: %+v %v", c, err)
	}

	// Hold: a threat never reaches the wall by itself, also in a
	// post-moderated session; approved by a person, it does.
	threat := "Ik sla hem dood als hij weer zo hard door de straat rijdt"
	ack, err = submit(other, "threat", threat)
	if err != nil {
		t.Fatal(err)
	}
	cd := written(t, im, ack.ContributionID)
	if cd.Moderation != "held" || !slices.Equal(cd.Reasons, []string{"abuse.threat"}) {
		t.Fatalf("held input: %+v", cd)
	}
	if n := noticeOf(t, other, ack.ContributionID, "held"); n.State != "held" || n.Message != msg(t, "ar", "moderation.notice.held") ||
		n.Reasons[0].Message != msg(t, "ar", "moderation.reason.abuse_threat") {
		t.Fatalf("held notice in Arabic: %+v", n)
	}
	for _, env := range seen(t, proj) {
		if env.Type == protocol.TypeWall && strings.Contains(string(env.Data), ack.ContributionID) {
			t.Fatalf("held input reached the projector: %s", env.Data)
		}
	}
	if err := im.Moderate(ctx, "ok-threat", protocol.ModerateData{ContributionID: ack.ContributionID, Decision: "approve"}); err != nil {
		t.Fatal(err)
	}
	if w := wallOf(t, proj, ack.ContributionID); w.Op != "add" || w.Item.Text != threat {
		t.Fatalf("approved held input: %+v", w)
	}

	// Near-identical input of someone else is a merge candidate.
	ack2, err := submit(other, "same", angry+"!")
	if err != nil {
		t.Fatal(err)
	}
	if cd := written(t, im, ack2.ContributionID); !slices.Contains(cd.Similar, findText(t, e, angry)) {
		t.Fatalf("similar input not offered for merging: %+v", cd)
	}

	// Reject: nothing stored, the reason in the author's language.
	before := stored()
	_, err = submit(third, "zw", "\u200b\u200b")
	rejected(t, err, "nl", "text.empty")
	// Right-to-left override: removed, the rest published.
	ack, err = submit(third, "rlo", "Meer licht\u202e in het park graag")
	if err != nil {
		t.Fatal(err)
	}
	if w := wallOf(t, proj, ack.ContributionID); w.Item.Text != "Meer licht in het park graag" {
		t.Fatalf("bidi override on the wall: %q", w.Item.Text)
	}
	// The same text again from the same resident: a duplicate.
	_, err = submit(third, "again", "Meer licht in het park graag")
	rejected(t, err, "nl", "spam.duplicate")
	// Resending the same submission id is no duplicate: acknowledged again.
	if again, err := submit(third, "rlo", "Meer licht\u202e in het park graag"); err != nil || !again.Duplicate || again.ContributionID != ack.ContributionID {
		t.Fatalf("resent submission: %+v %v", again, err)
	}
	if got := stored(); got != before+1 {
		t.Fatalf("stored %d contributions, want %d: refused input was stored", got, before+1)
	}

	// Flooding: the sixth answer within 30 seconds is refused, in Turkish.
	fast, _ := e.resident(s.Code, live.Options{Lang: "tr"})
	for i := range 5 {
		if _, err := submit(fast, fmt.Sprintf("f%d", i), fmt.Sprintf("Idee nummer %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = submit(fast, "f5", "Nog een idee")
	rejected(t, err, "tr", "spam.flood")
}

// findText returns the id of a stored written answer of the demo
// organisation.
func findText(t *testing.T, e *env, text string) string {
	t.Helper()
	ss, err := e.store.Sessions(context.Background(), demo.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		cs, err := e.store.ContributionsOf(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Answer.Text == text {
				return c.ID
			}
		}
	}
	t.Fatalf("no stored answer %q", text)
	return ""
}

// TestModerationBadInput: text the issue lists as bad input gets a defined
// answer and never breaks the connection or the server.
func TestModerationBadInput(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.liveSession("pre")
	staff := e.api("intermediary")
	im, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: staff.Jar()})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if err := im.Control(ctx, "go", protocol.ControlData{Action: "goto", Index: 2}); err != nil {
		t.Fatal(err)
	}
	open := s.Prompts[2].ID
	for i, tc := range []struct {
		name, text string
		code       string // error code; "" means stored
		msgID      string
	}{
		{"empty", "", protocol.ErrInvalid, "answer.empty"},
		{"whitespace", " \t\n ", protocol.ErrInvalid, "answer.empty"},
		{"zero-width only", "\u200b\u200c\u200d\ufeff", protocol.ErrModerationRejected, "moderation.reason.text_empty"},
		{"zero-width inside a word", "Die klo\u200botzak van hiernaast", "", ""},
		{"right-to-left override", "\u202eMeer groen\u202c in de straat", "", ""},
		{"too long", strings.Repeat("lang verhaal ", 1000), protocol.ErrInvalid, "answer.text_too_long"},
		{"replacement characters", "Meer \ufffd\ufffd licht", "", ""},
	} {
		r, _ := e.resident(s.Code, live.Options{})
		ack, err := r.Submit(ctx, fmt.Sprintf("b%d", i), protocol.SubmitData{PromptID: open, Answer: protocol.AnswerData{Text: tc.text}})
		if tc.code == "" {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			c, err := e.store.Contribution(ctx, ack.ContributionID)
			if err != nil {
				t.Fatal(err)
			}
			shown := c.ShownText()
			if strings.ContainsAny(shown, "\u200b\u202e\u202c") || strings.Contains(shown, "klootzak") || !slices.Contains(c.ModReasons, "text.hidden_characters") && tc.name != "replacement characters" {
				t.Fatalf("%s: shown %q, reasons %v", tc.name, shown, c.ModReasons)
			}
			continue
		}
		var se *live.ServerError
		if !errors.As(err, &se) || se.Code != tc.code {
			t.Fatalf("%s: want %s, got %v", tc.name, tc.code, err)
		}
		if want := msg(t, "nl", tc.msgID, "Max", 1000); se.Message != want {
			t.Fatalf("%s: message %q, want %q", tc.name, se.Message, want)
		}
	}
	// 100 KB in one message: the connection's limit (1009), not a crash;
	// the next connection works.
	r, _ := e.resident(s.Code, live.Options{})
	big := fmt.Sprintf(`{"prompt_id":%q,"answer":{"text":%q}}`, open, strings.Repeat("x", 100<<10))
	// The server may close while the client is still writing (a reset).
	_ = r.Send(protocol.Envelope{Type: protocol.TypeSubmit, ID: "big", Data: []byte(big)})
	select {
	case <-r.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("100 KB message: the connection stayed open")
	}
	if ce := (*live.CloseError)(nil); errors.As(r.Err(), &ce) && ce.Code != 1009 {
		t.Fatalf("100 KB message: %v", r.Err())
	}
	r2, _ := e.resident(s.Code, live.Options{})
	if _, err := r2.Submit(ctx, "after", protocol.SubmitData{PromptID: open, Answer: protocol.AnswerData{Text: "Gewoon een idee"}}); err != nil {
		t.Fatal(err)
	}
}

// TestModerationConsole: every console action over the protocol — approve,
// theme, highlight, merge, hide with a reason, undo, escalate — reaches
// the projector, is logged with who, when, what, why and the state before
// and after, reaches the author (and only the author), and shows in the
// reviewer area: the log, the escalated filter of the inbox, and the
// author's "my input".
func TestModerationConsole(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	staff, s := e.liveSession("pre")
	open := s.Prompts[2].ID
	author, jar := e.resident(s.Code, live.Options{Lang: "ar"})
	other, _ := e.resident(s.Code, live.Options{})
	proj, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "projector", Key: s.ProjectorKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer proj.Close()
	im, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: staff.Jar()})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	for _, c := range []*live.Conn{author, other, proj, im} {
		next[protocol.SnapshotData](t, c, protocol.TypeSnapshot)
	}
	if err := im.Control(ctx, "go", protocol.ControlData{Action: "goto", Index: 2}); err != nil {
		t.Fatal(err)
	}
	text := "Meer bankjes bij de speeltuin aan de Lindelaan"
	a, err := author.Submit(ctx, "a", protocol.SubmitData{PromptID: open, Answer: protocol.AnswerData{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := other.Submit(ctx, "b", protocol.SubmitData{PromptID: open, Answer: protocol.AnswerData{Text: text + " graag"}})
	if err != nil {
		t.Fatal(err)
	}
	A, B := a.ContributionID, b.ContributionID
	if cd := written(t, im, B); cd.Moderation != "pending" || !slices.Contains(cd.Similar, A) {
		t.Fatalf("pending duplicate: %+v", cd)
	}
	n := 0
	decide := func(d protocol.ModerateData) (protocol.AckData, error) {
		n++
		env, err := im.Request(ctx, protocol.TypeModerate, fmt.Sprintf("m%d", n), d)
		var ack protocol.AckData
		if err == nil {
			err = jsonInto(env.Data, &ack)
		}
		return ack, err
	}
	must := func(d protocol.ModerateData) protocol.AckData {
		t.Helper()
		ack, err := decide(d)
		if err != nil {
			t.Fatalf("%+v: %v", d, err)
		}
		if ack.LogID == "" {
			t.Fatalf("%+v: no log id", d)
		}
		return ack
	}

	must(protocol.ModerateData{ContributionID: A, Decision: "approve"})
	if w := wallOf(t, proj, A); w.Op != "add" || w.Item.Text != text {
		t.Fatalf("approve: %+v", w)
	}
	must(protocol.ModerateData{ContributionID: A, Decision: "theme", Theme: "housing"})
	if w := wallOf(t, proj, A); w.Op != "add" || w.Item.Theme != "housing" {
		t.Fatalf("theme: %+v", w)
	}
	must(protocol.ModerateData{ContributionID: A, Decision: "highlight"})
	if w := wallOf(t, proj, A); !w.Item.Highlighted {
		t.Fatalf("highlight: %+v", w)
	}
	must(protocol.ModerateData{ContributionID: B, Decision: "approve"})
	wallOf(t, proj, B)
	must(protocol.ModerateData{ContributionID: B, Decision: "merge", Into: A})
	if w := wallOf(t, proj, B); w.Op != "remove" || w.Into == nil || w.Into.ContributionID != A || w.Into.Merged != 1 {
		t.Fatalf("merge: %+v", w)
	}
	hide := must(protocol.ModerateData{ContributionID: A, Decision: "hide", Reason: "abuse", Note: "Grof tegen de buurman"})
	if w := wallOf(t, proj, A); w.Op != "remove" {
		t.Fatalf("hide: %+v", w)
	}
	nt := noticeOf(t, author, A, "rejected")
	if nt.State != "rejected" || nt.Message != msg(t, "ar", "moderation.notice.hidden") || len(nt.Reasons) != 1 ||
		nt.Reasons[0].Code != "hide.abuse" || nt.Reasons[0].Message != msg(t, "ar", "moderation.why.abuse") {
		t.Fatalf("author's notice: %+v", nt)
	}
	for _, env := range seen(t, other) {
		if env.Type == protocol.TypeModeration && strings.Contains(string(env.Data), A) {
			t.Fatalf("another resident heard why the author's input was hidden: %s", env.Data)
		}
	}
	undo := must(protocol.ModerateData{ContributionID: A, Decision: "undo", LogID: hide.LogID})
	if w := wallOf(t, proj, A); w.Op != "add" || !w.Item.Highlighted || w.Item.Theme != "housing" || w.Item.Merged != 1 {
		t.Fatalf("undo of hide: %+v", w)
	}
	if _, err := decide(protocol.ModerateData{ContributionID: A, Decision: "undo", LogID: hide.LogID}); !isCode(err, protocol.ErrConflict, msg(t, "nl", "decision.undo_done")) {
		t.Fatalf("second undo: %v", err)
	}
	must(protocol.ModerateData{ContributionID: A, Decision: "escalate", Note: "Graag bekijken"})
	if w := wallOf(t, proj, A); w.Op != "remove" {
		t.Fatalf("escalate: %+v", w)
	}
	if nt := noticeOf(t, author, A, "escalated"); nt.Message != msg(t, "ar", "moderation.notice.escalated") {
		t.Fatalf("escalated notice: %+v", nt)
	}

	// Bad decisions are refused with a message naming the field.
	for _, tc := range []struct {
		d     protocol.ModerateData
		code  string
		field string
	}{
		{protocol.ModerateData{ContributionID: A, Decision: "explode"}, protocol.ErrInvalid, "decision"},
		{protocol.ModerateData{ContributionID: A, Decision: "hide", Reason: "ugly"}, protocol.ErrInvalid, "reason"},
		{protocol.ModerateData{ContributionID: A, Decision: "theme", Theme: "weather"}, protocol.ErrInvalid, "theme"},
		{protocol.ModerateData{ContributionID: A, Decision: "merge", Into: A}, protocol.ErrInvalid, "into"},
		{protocol.ModerateData{ContributionID: A, Decision: "merge", Into: "nope"}, protocol.ErrInvalid, "into"},
		{protocol.ModerateData{ContributionID: A, Decision: "highlight"}, protocol.ErrInvalid, "contribution_id"},
		{protocol.ModerateData{ContributionID: A, Decision: "hide", Reason: "other", Note: strings.Repeat("n", 501)}, protocol.ErrInvalid, "note"},
		{protocol.ModerateData{ContributionID: A, Decision: "undo", LogID: "nope"}, protocol.ErrInvalid, "log_id"},
		{protocol.ModerateData{ContributionID: "nope", Decision: "approve"}, protocol.ErrNotFound, "contribution_id"},
	} {
		_, err := decide(tc.d)
		var se *live.ServerError
		if !errors.As(err, &se) || se.Code != tc.code || se.Field != tc.field || se.Message == "" {
			t.Fatalf("%+v: %v", tc.d, err)
		}
	}
	must(protocol.ModerateData{ContributionID: A, Decision: "hide", Reason: "personal"})

	// The audit log, append-only.
	log, err := e.store.ModerationLogOf(ctx, demo.OrgID, A)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, le := range log {
		actions = append(actions, le.Action)
		if le.StaffID == "" || le.StaffName == "" || le.At.IsZero() || le.SessionID != s.ID || le.OrgID != demo.OrgID {
			t.Fatalf("log entry without who, when or where: %+v", le)
		}
	}
	if want := []string{"approve", "theme", "highlight", "hide", "undo", "escalate", "hide"}; !slices.Equal(actions, want) {
		t.Fatalf("log of A: %v, want %v", actions, want)
	}
	h := log[3]
	if h.Reason != "abuse" || h.Note != "Grof tegen de buurman" || h.From.State != model.ModApproved || !h.From.Highlighted ||
		h.To.State != model.ModRejected || h.To.HideReason != "abuse" {
		t.Fatalf("hide entry: %+v", h)
	}
	if log[4].ID != undo.LogID || log[4].Undoes != hide.LogID || log[4].To != h.From {
		t.Fatalf("undo entry: %+v", log[4])
	}
	if other, err := e.store.ModerationLogOf(ctx, "another-org", A); err != nil || len(other) != 0 {
		t.Fatalf("another organisation read the log: %v %v", other, err)
	}

	// Reviewers see the log and the escalation.
	rev := e.staffBrowser("reviewer")
	p := rev.get("/orgs/" + demo.OrgID + "/moderation-log?contribution=" + A)
	if p.status != http.StatusOK || !shows(p, msg(t, "nl", "decision.action.hide")) || !shows(p, msg(t, "nl", "decision.reason.abuse")) ||
		!shows(p, "Grof tegen de buurman") || !shows(p, msg(t, "nl", "modlog.undone")) || !shows(p, h.StaffName) {
		t.Fatalf("log page: %d %s", p.status, p.body)
	}
	if p := rev.get("/orgs/" + demo.OrgID + "/moderation-log?session=" + s.ID); p.status != http.StatusOK || !strings.Contains(p.body, B) {
		t.Fatalf("session log page: %d", p.status)
	}
	if p := rev.get("/orgs/" + demo.OrgID + "/moderation-log?session=%3Cx%3E"); p.status != http.StatusBadRequest {
		t.Fatalf("bad session filter: %d", p.status)
	}
	must(protocol.ModerateData{ContributionID: B, Decision: "merge"}) // separate B again …
	must(protocol.ModerateData{ContributionID: B, Decision: "escalate"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		p := rev.get("/orgs/" + demo.OrgID + "/inbox?moderation=escalated")
		if p.status == http.StatusOK && strings.Contains(p.body, `id="c-`+B+`"`) && !strings.Contains(p.body, `id="c-`+A+`"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("escalated input not in the reviewer inbox: %d", p.status)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The author sees why on "my input", in Arabic, with the policy link.
	rb := e.browser()
	rb.c.Jar = jar
	for deadline := time.Now().Add(10 * time.Second); ; {
		p := rb.get("/mine?lang=ar")
		if p.status == http.StatusOK && shows(p, msg(t, "ar", "moderation.notice.hidden")) && shows(p, msg(t, "ar", "moderation.why.personal")) &&
			strings.Contains(p.body, `href="/moderation-policy"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("my input does not say why: %d %s", p.status, p.body)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Tenancy: another organisation's staff can neither moderate nor read.
	foreign := e.foreignStaff()
	if p := foreign.get("/orgs/" + demo.OrgID + "/moderation-log?contribution=" + A); p.status == http.StatusOK || strings.Contains(p.body, "Grof") {
		t.Fatalf("foreign staff read the log: %d", p.status)
	}
	if _, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: foreign.c.Jar}); err == nil {
		t.Fatal("foreign staff connected as intermediary")
	}
	// A reviewer of the organisation reads the log but does not moderate.
	if _, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: rev.c.Jar}); err == nil {
		t.Fatal("a reviewer connected as intermediary")
	}
}

func jsonInto(b []byte, v any) error { return json.Unmarshal(b, v) }

func isCode(err error, code, message string) bool {
	var se *live.ServerError
	return errors.As(err, &se) && se.Code == code && se.Message == message
}
