//go:build browser

package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// TestBrowserModerationQueue: the intermediary moderates with the
// keyboard alone in the console's queue (#6): J selects, A approves, P
// highlights on the projector, H hides, U undoes. The projector follows
// each step; a masked answer shows the original to the intermediary and
// the redacted text on the projector. No page writes an error to its
// console.
func TestBrowserModerationQueue(t *testing.T) {
	e := start(t)
	ctx, consoleMsgs := chromium(t)
	staff, s := e.liveSession("pre")
	open := s.Prompts[2].ID
	path := "/orgs/" + demo.OrgID + "/sessions/" + s.ID
	acc := e.accounts["intermediary"]
	if _, err := staff.MoveSession(context.Background(), demo.OrgID, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "log in and open the console",
		logIn(e, acc),
		chromedp.Navigate(e.url+path+"/console"),
		poll(`document.body.dataset.live === "live"`),
		poll(`!!document.querySelector('#shortcuts kbd')`),
	)
	pctx, cancelProj := chromedp.NewContext(ctx)
	defer cancelProj()
	projectorMsgs := watchConsole(pctx)
	browserStep(t, pctx, "open the projector",
		chromedp.Navigate(e.url+path+"/projector?key="+s.ProjectorKey()),
		poll(`document.body.dataset.live === "live"`),
	)

	r, _ := e.resident(s.Code, live.Options{})
	bg := context.Background()
	phone := "Bel me op 06-12345678 over de kapotte lantaarnpaal"
	if _, err := r.Submit(bg, "t1", protocol.SubmitData{PromptID: open, Answer: protocol.AnswerData{Text: phone}}); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "the masked answer in the queue",
		poll(`(() => { const li = document.querySelector('#incoming li');
			return !!li && li.querySelector('[data-answer]').textContent === `+jsString(phone)+` &&
				li.querySelector('[data-redacted-text]').textContent.includes("[telefoonnummer]") &&
				li.querySelector('[data-reasons] li').dataset.code === "pii.phone"; })()`),
	)
	wallHas := func(text string) string {
		return `Array.from(document.querySelectorAll('[data-wall] li')).some(li => li.textContent.includes(` + jsString(text) + `))`
	}
	browserStep(t, ctx, "J selects, A approves",
		chromedp.KeyEvent("j"),
		poll(`document.querySelector('#incoming li').classList.contains("selected")`),
		chromedp.KeyEvent("a"),
		poll(`document.querySelector('#incoming li [data-mod]').textContent === `+jsString(msg(t, "nl", "console.mod_approved"))),
	)
	browserStep(t, pctx, "the projector shows the masked text",
		poll(wallHas("[telefoonnummer]")),
		poll(`!`+wallHas("12345678")),
	)
	browserStep(t, ctx, "P highlights", chromedp.KeyEvent("p"), poll(`!document.querySelector('#incoming li [data-highlighted]').hidden`))
	browserStep(t, pctx, "the projector shows it large",
		poll(`(() => { const h = document.querySelector('[data-highlight]');
			return !h.hidden && h.textContent.includes("[telefoonnummer]"); })()`),
	)
	browserStep(t, ctx, "H hides with the chosen reason", chromedp.KeyEvent("h"),
		poll(`document.querySelector('#incoming li [data-mod]').textContent === `+jsString(msg(t, "nl", "console.mod_rejected"))))
	browserStep(t, pctx, "gone from the projector", poll(`!`+wallHas("[telefoonnummer]")), poll(`document.querySelector('[data-highlight]').hidden`))
	browserStep(t, ctx, "U undoes", chromedp.KeyEvent("u"),
		poll(`document.querySelector('#incoming li [data-mod]').textContent === `+jsString(msg(t, "nl", "console.mod_approved"))))
	browserStep(t, pctx, "back on the projector, large again", poll(wallHas("[telefoonnummer]")), poll(`!document.querySelector('[data-highlight]').hidden`))

	log, err := e.store.ModerationLog(bg, demo.OrgID, s.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(log) - 1; i >= 0; i-- {
		actions = append(actions, log[i].Action)
	}
	if strings.Join(actions, " ") != "approve highlight hide undo" {
		t.Fatalf("logged: %v", actions)
	}
	for name, msgs := range map[string][]chromedp.ConsoleMessage{"console": consoleMsgs(), "projector": projectorMsgs()} {
		if errs := consoleErrors(msgs); len(errs) > 0 {
			t.Errorf("the %s page wrote errors to the browser console:\n%s", name, strings.Join(errs, "\n"))
		}
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
