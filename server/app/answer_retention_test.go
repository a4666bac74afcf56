package app_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
)

// TestAnswerRetention: an admin sets how long the text of answers is kept
// (a value off the list is refused, translated). Past that period the
// retention job removes what the resident wrote and the reviewer's
// transcript, and nothing else: the face answer, the report counters and
// the topic stay. The reviewer's inbox and the resident's "my input" say
// the text was removed. A run before the period clears nothing, and a
// second run after it finds nothing left to do.
func TestAnswerRetention(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	var offset atomic.Int64
	e.srv.Review().SetClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })

	adm := e.staffBrowser("admin")
	orgPage := adm.get("/orgs/" + demo.OrgID)
	if !strings.Contains(orgPage.body, `name="answer_retention_months"`) {
		t.Fatal("the organisation page has no answer retention setting")
	}
	save := func(months string) *page {
		return adm.post("/orgs/"+demo.OrgID+"/retention", url.Values{"csrf": {orgPage.csrf(t)},
			"media_retention_months": {"12"}, "answer_retention_months": {months}})
	}
	for _, bad := range []string{"7", "-1", "veel"} {
		if p := save(bad); p.status != http.StatusBadRequest || !shows(p, msg(t, "nl", "org.answer_retention_invalid")) {
			t.Errorf("answer retention %q: %d", bad, p.status)
		}
	}
	if p := save("12"); p.status != http.StatusSeeOther {
		t.Fatalf("saving 12 months: %d %.300s", p.status, p.body)
	}
	if o, _ := e.store.Organisation(ctx, demo.OrgID); o.AnswerRetentionMonths != 12 {
		t.Fatalf("answer retention %d, want 12", o.AnswerRetentionMonths)
	}

	const said = "Bij Kaaipad 12 staat het water in de kelder"
	g := e.faceAndText("nl", said)
	s, face, text, rev, inbox, p := g.session, g.face, g.text, g.rev, g.inbox, g.page
	jar := g.jar
	const transcript = "Water in de kelder bij nummer 12"
	if q := rev.post("/orgs/"+demo.OrgID+"/contributions/"+text.ContributionID+"/notes", url.Values{"csrf": {p.csrf(t)},
		"transcript": {transcript}, "back": {inbox}}); q.status != http.StatusSeeOther {
		t.Fatalf("transcript: %d", q.status)
	}
	before := e.counted(s.ID)

	// Eleven months on: nothing is due.
	offset.Store(int64(11 * model.RetentionMonth))
	if n, err := e.srv.Review().ClearOldTexts(ctx); err != nil || n != 0 {
		t.Fatalf("after 11 months: %d cleared, %v", n, err)
	}
	if c, _ := e.store.Contribution(ctx, text.ContributionID); c.Answer.Text != said {
		t.Fatalf("the text went before its time: %+v", c)
	}
	// Thirteen: the text and the transcript go, the rest stays.
	offset.Store(int64(13 * model.RetentionMonth))
	if n, err := e.srv.Review().ClearOldTexts(ctx); err != nil || n != 1 {
		t.Fatalf("after 13 months: %d cleared, %v", n, err)
	}
	c, err := e.store.Contribution(ctx, text.ContributionID)
	if err != nil || c.Answer.Text != "" || c.Notes != nil || c.Redacted != "" || c.TextRemovedAt == nil ||
		c.Kind != model.KindOpen || c.SessionID != s.ID || c.Moderation == "" {
		t.Fatalf("after the retention job: %+v %v", c, err)
	}
	if f, err := e.store.Contribution(ctx, face.ContributionID); err != nil || f.Answer.Face != 2 || f.TextRemovedAt != nil {
		t.Fatalf("the face answer: %+v %v", f, err)
	}
	if n := e.counted(s.ID); n != before {
		t.Errorf("the report counts %d answers of the session, %d before", n, before)
	}
	removed := msg(t, "nl", "answer.text_removed")
	if q := rev.get(inbox); strings.Contains(q.body, said) || strings.Contains(q.body, transcript) || !shows(q, removed) {
		t.Errorf("the inbox after the retention job: text shown %v, removal said %v", strings.Contains(q.body, said), shows(q, removed))
	}
	me := &participant{t: t, e: e, jar: jar, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	if q := me.get("/mine"); strings.Contains(q.body, said) || !shows(q, removed) {
		t.Errorf("'my input' after the retention job: text shown %v, removal said %v", strings.Contains(q.body, said), shows(q, removed))
	}
	// Done: the next run has nothing to clear.
	if n, err := e.srv.Review().ClearOldTexts(ctx); err != nil || n != 0 {
		t.Fatalf("a second run: %d cleared, %v", n, err)
	}
	// The API takes the same setting, with the same refusal.
	api := e.api("admin")
	var o model.Organisation
	if err := api.Do(ctx, http.MethodPut, "/api/v1/orgs/"+demo.OrgID, map[string]any{"name": "Gemeente Voorbeeldstad", "answer_retention_months": 7}, nil); statusOf(err) != http.StatusBadRequest {
		t.Errorf("API: answer retention 7: %v", err)
	}
	if err := api.Do(ctx, http.MethodGet, "/api/v1/orgs/"+demo.OrgID, nil, &o); err != nil || o.AnswerRetentionMonths != 12 {
		t.Errorf("API: the organisation says %d months, %v", o.AnswerRetentionMonths, err)
	}
	// Switched off again: nothing more is cleared.
	if p := save("0"); p.status != http.StatusSeeOther {
		t.Fatalf("keeping answers: %d", p.status)
	}
	offset.Store(int64(40 * model.RetentionMonth))
	if n, err := e.srv.Review().ClearOldTexts(ctx); err != nil || n != 0 {
		t.Fatalf("with retention off: %d cleared, %v", n, err)
	}
}

// given is a session in which a resident gave a face (2) and a written
// answer, as the reviewer finds them in the inbox.
type given struct {
	session    *apiclient.LiveSession
	jar        *cookiejar.Jar // the resident's
	face, text protocol.AckData
	rev        *browser
	inbox      string // the inbox filtered on the session
	page       *page  // the inbox showing both
}

// faceAndText has a resident whose device speaks lang give a face and the
// written answer said in a post-moderated session, and waits until the
// reviewer's inbox shows both.
func (e *env) faceAndText(lang, said string) given {
	t := e.t
	t.Helper()
	ctx := context.Background()
	staff, s := e.liveSession("post")
	conn, jar := e.resident(s.Code, live.Options{Lang: lang})
	next[protocol.SnapshotData](t, conn, protocol.TypeSnapshot)
	g := given{session: s, jar: jar, rev: e.staffBrowser("reviewer"), inbox: "/orgs/" + demo.OrgID + "/inbox?session=" + s.ID}
	var err error
	if _, err = staff.MoveSession(ctx, demo.OrgID, s.ID, 0); err != nil {
		t.Fatal(err)
	}
	if g.face, err = conn.Submit(ctx, "f1", protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Face: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err = staff.MoveSession(ctx, demo.OrgID, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	if g.text, err = conn.Submit(ctx, "t1", protocol.SubmitData{PromptID: s.Prompts[2].ID, Answer: protocol.AnswerData{Text: said}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		g.page = g.rev.get(g.inbox)
		return strings.Contains(g.page.body, g.face.ContributionID) && strings.Contains(g.page.body, g.text.ContributionID)
	})
	return g
}
