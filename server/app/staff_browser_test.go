//go:build browser

package app_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/review"
)

// TestBrowserStaffPages: every page staff work on passes the axe audit
// (WCAG 2.2 AA tags), in Dutch and in Arabic (right to left), on a desktop
// browser: the organisation and its neighbourhoods, venues and staff, the
// sessions, a session's editor, console and projector, moderation log,
// inbox, topics, a topic, reports and the account page. Municipal staff
// are users too, and a Dutch public body's web applications must meet the
// standard. No page writes an error to its console.
func TestBrowserStaffPages(t *testing.T) {
	e := start(t)
	bg := context.Background()
	staff, s := e.liveSession("post")
	r, _ := e.resident(s.Code, live.Options{})
	next[protocol.SnapshotData](t, r, protocol.TypeSnapshot)
	if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	ack, err := r.Submit(bg, "a1", protocol.SubmitData{PromptID: s.Prompts[2].ID, Answer: protocol.AnswerData{Text: "Meer licht in het park"}})
	if err != nil {
		t.Fatal(err)
	}
	adminAcc := e.accounts["admin"]
	actor, err := e.store.StaffByEmail(bg, adminAcc.Email)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := review.New(e.store, nil, 0).Group(bg, actor, demo.OrgID, review.TopicInput{Title: map[string]string{"nl": "Licht in het park"},
		Theme: "safety", NeighbourhoodID: demo.BuurtAID, Contributions: []string{ack.ContributionID}})
	if err != nil {
		t.Fatal(err)
	}
	org := "/orgs/" + demo.OrgID
	pages := []string{
		"/staff", org, org + "/neighbourhoods/" + demo.BuurtAID, org + "/venues/" + demo.VenueID,
		org + "/staff/" + actor.ID, org + "/sessions", org + "/sessions/" + s.ID, org + "/sessions/" + s.ID + "/console",
		org + "/moderation-log", org + "/inbox", org + "/topics", org + "/topics/" + tp.ID, org + "/reports", "/account/password",
	}
	ctx, consoleMsgs := chromium(t)
	browserStep(t, ctx, "log in", logIn(e, adminAcc))
	audits, passed := 0, 0
	for _, lang := range []string{"nl", "ar"} {
		for _, p := range pages {
			browserStep(t, ctx, lang+" "+p,
				chromedp.Navigate(e.url+p+"?lang="+lang),
				chromedp.WaitVisible(chromedp.CSS("h1")),
				poll(`document.documentElement.lang === "`+lang+`"`),
			)
			audits, passed = audits+1, passed+axeAudit(t, ctx, lang+" "+p)
		}
	}
	// The projector, as the console opens it.
	projector := s.ProjectorURL
	if !strings.HasPrefix(projector, "http") {
		projector = e.url + projector
	}
	browserStep(t, ctx, "projector",
		chromedp.Navigate(projector),
		chromedp.WaitVisible(chromedp.CSS("main")),
	)
	audits, passed = audits+1, passed+axeAudit(t, ctx, "projector")
	t.Logf("%d staff pages audited, %d axe rule passes in all", audits, passed)
	if errs := consoleErrors(consoleMsgs()); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestBrowserConsoleWithdrawn: an answer its author deletes on "my input"
// leaves the console's incoming list (and its wall) while the console is
// open, without a reload.
func TestBrowserConsoleWithdrawn(t *testing.T) {
	e := start(t)
	bg := context.Background()
	staff, s := e.liveSession("post")
	ctx, consoleMsgs := chromium(t)
	browserStep(t, ctx, "log in", logIn(e, e.accounts["intermediary"]))
	if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "open the console",
		chromedp.Navigate(e.url+"/orgs/"+demo.OrgID+"/sessions/"+s.ID+"/console"),
		poll(`document.body.dataset.live === "live" || !!document.querySelector('#conn')`),
	)
	phone := e.browser()
	conn, _ := e.resident(s.Code, live.Options{Jar: phone.c.Jar.(*cookiejar.Jar)})
	ack, err := conn.Submit(bg, "w1", protocol.SubmitData{PromptID: s.Prompts[2].ID, Answer: protocol.AnswerData{Text: "Graag een bankje bij de bushalte"}})
	if err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "the answer arrives",
		poll(`!!document.querySelector('#incoming li[data-id="`+ack.ContributionID+`"]')`),
	)
	var mine *page
	waitFor(t, func() bool {
		mine = phone.get("/mine")
		return strings.Contains(mine.body, ack.ContributionID+"/delete")
	})
	if p := phone.post("/mine/"+ack.ContributionID+"/delete", url.Values{"csrf": {mine.csrf(t)}}); p.status != http.StatusSeeOther {
		t.Fatalf("deleting: %d", p.status)
	}
	browserStep(t, ctx, "the answer leaves the console",
		poll(`!document.querySelector('#incoming li[data-id="`+ack.ContributionID+`"]')`),
	)
	if errs := consoleErrors(consoleMsgs()); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
