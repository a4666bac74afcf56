//go:build browser

package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/media/mediatest"
)

// TestBrowserFeedbackLoop is issue #7's "done means", tried as new users
// would, in three browsers: a resident answers in Arabic on a phone; a
// reviewer at the office finds the answer in the inbox, groups it into a
// topic and publishes a planned response through the staff pages (forms,
// CSRF tokens and all); the phone, still connected, is told at once; the
// resident sees the response on "my input"
// (right to left, in Arabic), someone else's browser sees it by typing the
// receipt code and on the neighbourhood's public board, and the phone sees
// it in the feedback round of the next session there. Every resident view
// with the response is audited with axe-core; no page writes an error to
// its console.
func TestBrowserFeedbackLoop(t *testing.T) {
	e := start(t)
	bg := context.Background()
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	org := "/orgs/" + demo.OrgID
	const said = "الإنارة عند الملعب ضعيفة"
	const answerNL, answerAR = "We zetten twee nieuwe lantaarns bij de speeltuin.", "سنضع مصباحين جديدين عند الملعب."

	// The resident answers on the phone, in Arabic.
	ph, phoneMsgs := phone(t)
	browserStep(t, ph, "join in Arabic",
		chromedp.Navigate(e.url+"/j/"+s.Code+"?lang=ar"),
		afterNavigation(`location.pathname === "/s/`+s.ID+`" && document.body.dataset.live === "live" && document.documentElement.dir === "rtl"`),
	)
	if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 3); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ph, "type an answer",
		poll(`document.body.dataset.screen === "prompt-open"`),
		click(`.modes .choice[data-value="text"]`),
		chromedp.WaitVisible(chromedp.CSS(`#answer-text`)),
		chromedp.SendKeys(chromedp.CSS(`#answer-text`), said),
		click(`.open button.act`),
		poll(`document.body.dataset.screen === "thanks" && !!document.querySelector('#queue li[data-state="sent"]')`),
	)
	cs, err := e.store.ContributionsOf(bg, s.ID)
	if err != nil || len(cs) != 1 || cs[0].Answer.Text != said {
		t.Fatalf("stored: %+v %v", cs, err)
	}
	cid := cs[0].ID

	// The reviewer, in a browser of their own.
	rv, reviewerMsgs := chromium(t)
	acc := e.accounts["reviewer"]
	inbox := org + "/inbox?session=" + s.ID
	browserStep(t, rv, "reviewer logs in", logIn(e, acc))
	browserStep(t, rv, "the answer reaches the inbox",
		// Indexed right after the group commit, in the background.
		poll(`(async () => { const r = await fetch("`+inbox+`"); return (await r.text()).includes("`+cid+`"); })()`),
		chromedp.Navigate(e.url+inbox),
		chromedp.WaitVisible(chromedp.CSS(`#pick-`+cid)),
	)
	// A transcript typed by hand: the note form inside an entry submits
	// itself, not the grouping form around the list.
	const transcript = "De verlichting bij de speeltuin is zwak."
	browserStep(t, rv, "add a transcript",
		click(`#c-`+cid+` details summary`),
		chromedp.SendKeys(chromedp.CSS(`#c-`+cid+` textarea[name="transcript"]`), transcript),
		// Clicked after the evaluation has returned: a click inside it
		// starts the navigation that destroys the context the evaluation
		// answers from ("Cannot find context with specified id").
		chromedp.Evaluate[chromedp.Void](`setTimeout(() => document.querySelector('#c-`+cid+` textarea[name="transcript"]').form.querySelector('button[type="submit"]').click(), 0)`),
		afterNavigation(`location.pathname === "`+org+`/inbox" && location.search.includes("saved=1")`),
		chromedp.Navigate(e.url+inbox),
		// afterNavigation, not poll: the page the form led to may still
		// be replacing its context, which fails a poll outright.
		afterNavigation(`location.search.includes("session=") && !!document.querySelector('#c-`+cid+`') &&
			document.querySelector('#c-`+cid+`').textContent.includes("`+transcript+`")`),
	)
	browserStep(t, rv, "group it into a topic",
		click(`#pick-`+cid),
		chromedp.SendKeys(chromedp.CSS(`#group input[name="title_nl"]`), "Licht bij de speeltuin"),
		chromedp.SetValue(chromedp.CSS(`#group select[name="theme"]`), "safety"),
		chromedp.SetValue(chromedp.CSS(`#group select[name="neighbourhood_id"]`), demo.BuurtAID),
		click(`#group button[type="submit"]`),
		afterNavigation(`location.pathname.startsWith("`+org+`/topics/") && !!document.querySelector('form[action$="/respond"]')`),
	)
	// With a photo of the place, straight from a phone (location and all).
	photo := filepath.Join(t.TempDir(), "speeltuin.jpg")
	if err := os.WriteFile(photo, mediatest.PhotoWithEXIF(640, 480, 6), 0o600); err != nil {
		t.Fatal(err)
	}
	browserStep(t, rv, "publish a planned response with a photo",
		click(`form[action$="/respond"] input[name="status"][value="planned"]`),
		chromedp.SetValue(chromedp.CSS(`form[action$="/respond"] input[name="expected_month"]`), "2026-09"),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/respond"] textarea[name="text_nl"]`), answerNL),
		chromedp.SetValue(chromedp.CSS(`form[action$="/respond"] textarea[name="text_ar"]`), answerAR),
		chromedp.SetUploadFiles(chromedp.CSS(`form[action$="/respond"] input[name="photo"]`), []string{photo}),
		click(`form[action$="/respond"] button[type="submit"]`),
		afterNavigation(`location.search.includes("saved=1") && document.body.textContent.includes("`+answerNL+`")`),
		// The reviewer sees the photo that is now public, turned upright
		// (the phone stored it on its side), with a way to take it off.
		poll(`(() => { const i = document.querySelector('img.result-photo');
			return !!i && i.complete && i.naturalWidth === 480 && i.naturalHeight === 640 &&
				!!document.querySelector('input[name="remove_photo"]'); })()`),
	)
	axeAudit(t, rv, "nl topic with a result photo")

	// The phone, still in the session, is told at once.
	browserStep(t, ph, "the response arrives live",
		poll(`(() => { const b = document.getElementById("answered");
			return !b.hidden && b.textContent.includes("`+answerAR+`") && !!b.querySelector('a[href="/mine"]') &&
				!!b.querySelector('img[src$="/status-planned.svg"]'); })()`),
	)
	axeAudit(t, ph, "ar response pushed live")

	// "My input" on the phone: the response beside the answer, in Arabic.
	browserStep(t, ph, "my input shows the response",
		chromedp.Navigate(e.url+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(`li[data-contribution="`+cid+`"] [data-response="planned"]`)),
		poll(`(() => { const r = document.querySelector('[data-response="planned"]');
			const txt = [...r.querySelectorAll('span[lang="ar"]')].find(s => s.textContent === "`+answerAR+`");
			return document.documentElement.dir === "rtl" && !!txt && txt.dir === "rtl" &&
				!!r.querySelector('img[src$="/status-planned.svg"]') && r.textContent.includes("2026"); })()`),
	)
	axeAudit(t, ph, "ar my input with a response")
	screenshot(t, ph, "feedback-mine-ar")
	code, err := chromedp.Run(ph, chromedp.Evaluate[string](`fetch("/api/v1/receipt", {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"})
		.then(r => r.json()).then(j => j.code)`, chromedp.EvalAwaitPromise))
	if err != nil || len(code) != 11 {
		t.Fatalf("receipt code %q: %v", code, err)
	}

	// Someone else's browser: the receipt code typed on the front door,
	// then the public board.
	ob, otherMsgs := phone(t)
	browserStep(t, ob, "look up the receipt",
		chromedp.Navigate(e.url+"/?lang=nl"),
		chromedp.WaitVisible(chromedp.CSS(`details.receipt-lookup summary`)),
		click(`details.receipt-lookup summary`),
		chromedp.SendKeys(chromedp.CSS(`#rcode`), code),
		click(`details.receipt-lookup button[type="submit"]`),
		afterNavigation(`location.pathname === "/r/`+strings.ReplaceAll(code, "-", "")+`" && !!document.querySelector('[data-response="planned"]')`),
		poll(`document.querySelector('[data-response="planned"]').textContent.includes("`+answerNL+`")`),
	)
	axeAudit(t, ob, "nl receipt with a response")
	browserStep(t, ob, "the public board",
		chromedp.Navigate(e.url+"/buurt/"+demo.BuurtAID),
		chromedp.WaitVisible(chromedp.CSS(`.board-item`)),
		poll(`[...document.querySelectorAll('.board-item')].some(li => li.textContent.includes("`+answerNL+`") &&
			!!li.querySelector('img[src$="/status-planned.svg"]') && !li.textContent.includes("`+said+`") &&
			[...li.querySelectorAll('img[src^="/photos/"]')].some(i => i.complete && i.naturalWidth > 0 && i.alt !== ""))`),
	)
	axeAudit(t, ob, "nl board")

	// The next session in the neighbourhood: its feedback round on the
	// phone carries the response.
	s2, err := staff.CreateSession(bg, demo.OrgID, apiclient.SessionInput{
		Title: "Terugkomavond", NeighbourhoodID: demo.BuurtAID, VenueID: demo.VenueID, Languages: []string{"nl", "ar"},
		Moderation: "post", Pace: "led",
		Prompts: []apiclient.Prompt{{Kind: "feedback", Text: map[string]string{"nl": "Wat is er gedaan?", "ar": "ماذا تم؟"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s2, err = staff.SessionAction(bg, demo.OrgID, s2.ID, "open"); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.MoveSession(bg, demo.OrgID, s2.ID, 0); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ph, "the feedback round of the next session",
		chromedp.Navigate(e.url+"/j/"+s2.Code),
		afterNavigation(`location.pathname === "/s/`+s2.ID+`" && document.body.dataset.screen === "prompt-feedback"`),
		poll(`[...document.querySelectorAll('[data-screen="prompt-feedback"] li')].some(li =>
			!!li.querySelector('img[src$="status-planned.svg"]') && li.textContent.includes("`+answerAR+`"))`),
	)
	axeAudit(t, ph, "ar feedback round")

	for who, msgs := range map[string][]chromedp.ConsoleMessage{"phone": phoneMsgs(), "reviewer": reviewerMsgs(), "other": otherMsgs()} {
		if errs := residentConsoleErrors(msgs); len(errs) > 0 {
			t.Errorf("the %s's pages wrote errors to the browser console:\n%s", who, strings.Join(errs, "\n"))
		}
	}
}
