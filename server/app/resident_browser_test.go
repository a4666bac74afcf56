//go:build browser

package app_test

// Browser tests of the resident client on a phone (360 × 640): the whole
// journey in every shipped language with an axe-core audit of every screen,
// the offline queue when the network drops mid-send, the kiosk reset, and
// the page-weight and throttled-load budgets. Run them with
//
//	go test -tags browser -run TestBrowserResident -v ./server/app/
//
// -v prints the measured page weights, load times and audit counts.

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/uploads"
)

//go:embed testdata/axe/axe.min.js
var axeSource string

// residentSession creates and opens a session with every prompt kind.
func (e *env) residentSession(pace string, langs []string) (*apiclient.Client, *apiclient.LiveSession) {
	e.t.Helper()
	ctx := context.Background()
	staff := e.api("intermediary")
	s, err := staff.CreateSession(ctx, demo.OrgID, apiclient.SessionInput{
		Title: "Avond in De Linde", NeighbourhoodID: demo.BuurtAID, VenueID: demo.VenueID,
		Languages: langs, Moderation: "post", Pace: pace,
		Prompts: []apiclient.Prompt{
			{Kind: "faces", Text: map[string]string{"nl": "Hoe is het om hier te wonen?", "ar": "كيف هي الحياة هنا؟"}},
			{Kind: "themes", Multiple: true, Text: map[string]string{"nl": "Waar gaat het over?", "ar": "عن ماذا يدور الأمر؟"}},
			{Kind: "picture", Text: map[string]string{"nl": "Wat wilt u op het plein?"}, Options: []apiclient.Option{
				{Label: map[string]string{"nl": "Bankjes", "ar": "مقاعد"}, Pictogram: "theme-housing"},
				{Label: map[string]string{"nl": "Bomen"}, Pictogram: "theme-welfare"}}},
			{Kind: "open", Allow: []string{"text", "voice", "photo"}, Text: map[string]string{"nl": "Wat kan beter op de Lindenstraat?", "ar": "ما الذي يمكن تحسينه في Lindenstraat؟"}},
			{Kind: "dots", Dots: 3, Text: map[string]string{"nl": "Wat is het belangrijkst?"}},
			{Kind: "feedback", Text: map[string]string{"nl": "Wat is er gedaan?"}},
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if s, err = staff.SessionAction(ctx, demo.OrgID, s.ID, "open"); err != nil {
		e.t.Fatal(err)
	}
	return staff, s
}

// phone starts Chromium with a phone-sized, touch viewport.
func phone(t *testing.T, extra ...chromedp.ExecAllocatorOption) (context.Context, func() []chromedp.ConsoleMessage) {
	t.Helper()
	ctx, msgs := chromium(t, extra...)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 640, chromedp.EmulatePortrait, chromedp.EmulateMobile,
		chromedp.EmulateTouch, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	return ctx, msgs
}

// axeAudit runs axe-core on the page and fails the test on any violation of
// WCAG 2.0–2.2 A and AA. It returns the number of rules that passed.
func axeAudit(t *testing.T, ctx context.Context, what string) int {
	t.Helper()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe !== "undefined"`))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			t.Fatalf("%s: inject axe: %v", what, err)
		}
	}
	var res struct {
		Violations []struct {
			ID    string `json:"id"`
			Help  string `json:"help"`
			Nodes []struct {
				Target []any  `json:"target"`
				HTML   string `json:"html"`
			} `json:"nodes"`
		} `json:"violations"`
		Passes int `json:"passes"`
	}
	js := `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}})
		.then(r => JSON.stringify({violations: r.violations, passes: r.passes.length}))`
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := chromedp.Run(tctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", what, err)
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%s: axe result: %v", what, err)
	}
	for _, v := range res.Violations {
		for _, n := range v.Nodes {
			t.Errorf("%s: axe %s (%s): %v %s", what, v.ID, v.Help, n.Target, n.HTML)
		}
	}
	// A pictogram that does not show is lost on those who do not read,
	// and axe does not see it: an image whose file failed (or is not a
	// valid SVG) has loaded with no width.
	broken, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Promise.all([...document.images].map(i => i.complete ? null :
		new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 5000); })))
		.then(() => [...new Set([...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.getAttribute('src')))])`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: images: %v", what, err)
	}
	for _, src := range broken {
		t.Errorf("%s: the image %s does not show", what, src)
	}
	// Reflow (WCAG 1.4.10), which axe does not measure: nothing wider than
	// the screen, and no button whose label is cut off.
	var layout struct {
		Page, Screen int
		Clipped      []string
	}
	// (A phone widens its layout viewport to fit a page that is too wide:
	// the screen's own width is the measure there; on a desktop, the
	// window's.)
	out, err = chromedp.Run(tctx, chromedp.Evaluate[string](`JSON.stringify({Page: document.documentElement.scrollWidth,
		Screen: navigator.maxTouchPoints > 0 ? screen.width : window.innerWidth,
		Clipped: [...document.querySelectorAll('button, a.big')].filter(b => b.offsetParent && b.scrollWidth > b.clientWidth + 1).map(b => b.textContent.trim())})`))
	if err != nil || json.Unmarshal([]byte(out), &layout) != nil {
		t.Fatalf("%s: layout: %q %v", what, out, err)
	}
	if layout.Page > layout.Screen {
		t.Errorf("%s: the page is %d px wide on a screen of %d", what, layout.Page, layout.Screen)
	}
	for _, label := range layout.Clipped {
		t.Errorf("%s: the label of %q does not fit its button", what, label)
	}
	return res.Passes
}

// afterNavigation waits until expr is true on the page a click led to;
// evaluations during the navigation itself fail and are retried.
func afterNavigation(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		deadline := time.Now().Add(15 * time.Second)
		for {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not true after navigation: %s (%v)", expr, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// residentConsoleErrors is consoleErrors without the 404 of the page that
// answers a wrong join code (the friendly keypad page is a 404).
func residentConsoleErrors(msgs []chromedp.ConsoleMessage) []string {
	var out []string
	for _, m := range consoleErrors(msgs) {
		if !strings.Contains(m, "status of 404") {
			out = append(out, m)
		}
	}
	return out
}

func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

// TestBrowserResidentJourney: in every shipped language a resident opens
// the front door on a phone, picks the language, types the code on the
// keypad and answers every prompt kind by tapping (and typing), led by the
// intermediary; skips the profile once; sees "my input". Every screen is
// audited with axe-core; the answers are in the store once each.
func TestBrowserResidentJourney(t *testing.T) {
	e := start(t)
	for _, lang := range []string{"nl", "ar", "en", "tr", "pl", "uk"} {
		t.Run(lang, func(t *testing.T) { residentJourney(t, e, lang) })
	}
}

func residentJourney(t *testing.T, e *env, lang string) {
	ctx, msgs := phone(t)
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	bg := context.Background()
	audits := 0
	audit := func(what string) { audits++; axeAudit(t, ctx, lang+" "+what) }

	browserStep(t, ctx, "language screen",
		chromedp.Navigate(e.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`a.lang-choice[hreflang="`+lang+`"]`)),
	)
	audit("language")
	browserStep(t, ctx, "keypad",
		click(`a.lang-choice[hreflang="`+lang+`"]`),
		chromedp.WaitVisible(chromedp.CSS(`#join .keypad`)),
		poll(`document.documentElement.lang === "`+lang+`"`),
	)
	if lang == "ar" {
		browserStep(t, ctx, "right to left", poll(`document.documentElement.dir === "rtl" && getComputedStyle(document.body).direction === "rtl"`))
	}
	audit("keypad")
	// A wrong code first: a friendly message, the keypad stays.
	wrong := "000000"
	if s.Code == wrong {
		wrong = "000001"
	}
	var keys []chromedp.Action[chromedp.Void]
	for _, d := range wrong {
		keys = append(keys, click(`#join button[data-key="`+string(d)+`"]`))
	}
	keys = append(keys, click(`#join button[type="submit"]`), chromedp.WaitVisible(chromedp.CSS(`#join-error`)))
	browserStep(t, ctx, "wrong code", keys...)
	audit("wrong code")
	keys = nil
	for range 6 {
		keys = append(keys, click(`#join button[data-key="del"]`))
	}
	keys = append(keys, poll(`document.getElementById("code").value === ""`))
	for _, d := range s.Code {
		keys = append(keys, click(`#join button[data-key="`+string(d)+`"]`))
	}
	keys = append(keys, poll(`document.getElementById("code").value === "`+s.Code+`"`),
		click(`#join button[type="submit"]`),
		afterNavigation(`location.pathname === "/s/`+s.ID+`" && document.body.dataset.screen === "waiting" && document.body.dataset.live === "live"`))
	browserStep(t, ctx, "join with the code", keys...)
	audit("waiting")

	move := func(i int, screen string) {
		t.Helper()
		if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, i); err != nil {
			t.Fatal(err)
		}
		browserStep(t, ctx, "prompt "+screen, poll(`document.body.dataset.screen === "`+screen+`"`))
	}
	thanks := poll(`document.body.dataset.screen === "thanks" && !!document.querySelector('#queue li[data-state="sent"]') &&
		!!document.querySelector('.confirm-state[data-state="sent"] img.check')`)

	move(0, "prompt-faces")
	audit("faces")
	browserStep(t, ctx, "tap a face", click(`.choice[data-value="4"]`), thanks, chromedp.WaitVisible(chromedp.CSS(`form.profile`)))
	audit("thanks and profile")
	browserStep(t, ctx, "skip the profile", click(`form.profile button.act.secondary`), poll(`!document.querySelector("form.profile")`))

	move(1, "prompt-themes")
	audit("themes")
	browserStep(t, ctx, "tap two themes", click(`.choice[data-value="safety"]`), click(`.choice[data-value="housing"]`),
		click(`[data-screen="prompt-themes"] > button.act`), thanks)

	move(2, "prompt-picture")
	audit("picture")
	browserStep(t, ctx, "tap a picture", click(`.choices .choice`), thanks)

	move(3, "prompt-open")
	audit("open")
	browserStep(t, ctx, "type an answer",
		click(`.modes .choice[data-value="text"]`),
		chromedp.WaitVisible(chromedp.CSS(`#answer-text`)),
		chromedp.SendKeys(chromedp.CSS(`#answer-text`), "Meer licht bij de Lindenstraat"),
		click(`.open button.act`), thanks)

	move(4, "prompt-dots")
	audit("dots")
	browserStep(t, ctx, "give dots", chromedp.WaitVisible(chromedp.CSS(`.dots-item`)),
		click(`.dots-item button:not(.secondary)`), click(`.dots-item button:not(.secondary)`),
		click(`[data-screen="prompt-dots"] .act`), thanks)

	move(5, "prompt-feedback")
	audit("feedback")

	// Five answers, each stored once.
	cs, err := e.store.ContributionsOf(bg, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[model.PromptKind]int{}
	for _, c := range cs {
		kinds[c.Kind]++
		if c.Lang != lang {
			t.Errorf("contribution %s stored with language %q, want %q", c.ID, c.Lang, lang)
		}
	}
	if len(cs) != 5 || kinds[model.KindFaces] != 1 || kinds[model.KindThemes] != 1 || kinds[model.KindOpen] != 1 || kinds[model.KindDots] != 1 {
		t.Fatalf("stored contributions: %v", kinds)
	}

	// "My input" lists all five (the list is written in the background).
	browserStep(t, ctx, "my input",
		poll(`(async () => { const r = await fetch("/mine"); const t = await r.text(); return (t.match(/class="input"/g) || []).length === 5; })()`),
		chromedp.Navigate(e.url+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(`ol.inputs`)),
	)
	audit("my input")

	// Closing: the phone says so and links to "my input".
	if _, err := staff.SessionAction(bg, demo.OrgID, s.ID, "close"); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "ended page", chromedp.Navigate(e.url+"/s/"+s.ID), chromedp.WaitVisible(chromedp.CSS(`.message a[href="/mine"]`)))
	audit("ended")
	screenshot(t, ctx, "resident-"+lang+"-ended")
	t.Logf("%s: %d screens audited with axe-core (violations, if any, are listed above as errors)", lang, audits)
	if errs := residentConsoleErrors(msgs()); len(errs) > 0 {
		t.Errorf("the resident pages wrote errors to the browser console:\n%s", strings.Join(errs, "\n"))
	}
}

// network sets the tab's network: offline, or throttled (latency in ms,
// bytes per second both ways), or free (all zero). navigator.onLine and
// the online/offline events follow, as on a phone that loses its wifi.
func networkState(offline bool, latency, throughput float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		dl := throughput
		if dl == 0 {
			dl = -1
		}
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: offline, Latency: latency, DownloadThroughput: dl, UploadThroughput: dl}},
		}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, Latency: latency, DownloadThroughput: dl, UploadThroughput: dl})
		return err
	})
}

// stored counts a session's contributions to one prompt.
func (e *env) storedFor(t *testing.T, sessionID, promptID string) int {
	t.Helper()
	cs, err := e.store.ContributionsOf(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cs {
		if c.PromptID == promptID {
			n++
		}
	}
	return n
}

// joinOnPhone opens the QR code's link in the tab, in a language.
func joinOnPhone(t *testing.T, ctx context.Context, e *env, code, lang string) {
	t.Helper()
	browserStep(t, ctx, "join", chromedp.Navigate(e.url+"/j/"+code+"?lang="+lang),
		afterNavigation(`location.pathname.startsWith("/s/") && document.body.dataset.live === "live"`))
}

// TestBrowserResidentOfflineQueue: the network drops before an answer is
// sent and again in the middle of sending one. The answers wait on the
// phone (visible as "sending"), survive a reload of the page, and arrive
// exactly once when the network is back.
func TestBrowserResidentOfflineQueue(t *testing.T) {
	e := start(t)
	ctx, msgs := phone(t)
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	bg := context.Background()
	faces, themes := s.Prompts[0].ID, s.Prompts[1].ID
	joinOnPhone(t, ctx, e, s.Code, "nl")
	if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 0); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "faces", poll(`document.body.dataset.screen === "prompt-faces"`))

	// 1. Offline first, then tap: the answer waits on the phone.
	browserStep(t, ctx, "go offline", networkState(true, 0, 0), poll(`navigator.onLine === false && document.body.dataset.live !== "live"`))
	browserStep(t, ctx, "answer while offline", click(`.choice[data-value="3"]`),
		poll(`!!document.querySelector('#queue li[data-state="sending"]')`),
		poll(`JSON.parse(localStorage.getItem("bst_queue")).some(i => i.state === "sending")`))
	time.Sleep(time.Second)
	if n := e.storedFor(t, s.ID, faces); n != 0 {
		t.Fatalf("stored while offline: %d", n)
	}
	screenshot(t, ctx, "resident-offline-queued")
	browserStep(t, ctx, "back online", networkState(false, 0, 0),
		poll(`document.body.dataset.live === "live" && !!document.querySelector('#queue li[data-state="sent"]')`))
	if n := e.storedFor(t, s.ID, faces); n != 1 {
		t.Fatalf("faces answers stored after reconnecting: %d, want 1", n)
	}

	// 2. The network drops in the middle of sending; the page is even
	// reloaded before it comes back. The queue in localStorage resends the
	// same id: stored once.
	if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 1); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "themes", poll(`document.body.dataset.screen === "prompt-themes"`))
	browserStep(t, ctx, "send and lose the network at once",
		click(`.choice[data-value="work"]`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-screen="prompt-themes"] > button.act').click()`),
		networkState(true, 0, 0),
		poll(`JSON.parse(localStorage.getItem("bst_queue")).some(i => i.prompt_id === "`+themes+`")`),
	)
	browserStep(t, ctx, "back online and reload", networkState(false, 0, 0), chromedp.Reload(),
		afterNavigation(`document.body.dataset.live === "live"`),
		poll(`JSON.parse(localStorage.getItem("bst_queue")).filter(i => i.prompt_id === "`+themes+`").every(i => i.state === "sent")`))
	time.Sleep(500 * time.Millisecond)
	if n := e.storedFor(t, s.ID, themes); n != 1 {
		t.Fatalf("themes answers stored: %d, want exactly 1", n)
	}
	if errs := residentConsoleErrors(msgs()); len(errs) > 0 {
		for _, m := range errs {
			if !strings.Contains(m, "ERR_INTERNET_DISCONNECTED") && !strings.Contains(m, "WebSocket") {
				t.Errorf("console error: %s", m)
			}
		}
	}
}

// TestBrowserResidentStoreDown: the store stops answering while a
// resident in Arabic taps a face. The server refuses the answer as
// unavailable (after the store timeout) instead of acknowledging it; the
// phone says in Arabic, on the thank-you screen (without the check mark
// and "we have your answer"), on the answer and through the live region,
// that saving is delayed and the answer kept, keeps it in its queue under
// the same id and keeps trying. No error page, no blank screen, no console
// error but the refused connection. (That it is stored once when the store
// is back is TestStoreStoppedMidSession, in another process.)
func TestBrowserResidentStoreDown(t *testing.T) {
	e := startWith(t, envOptions{ownEngine: true}, "BUURTSTEM_STORE_TIMEOUT", "300ms")
	ctx, msgs := phone(t)
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	joinOnPhone(t, ctx, e, s.Code, "ar")
	if _, err := staff.MoveSession(context.Background(), demo.OrgID, s.ID, 0); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "faces", poll(`document.body.dataset.screen === "prompt-faces"`))

	e.store.StopEmbeddedForTest()
	delayed := msg(t, "ar", "live.error.unavailable")
	q := strconv.Quote(delayed)
	browserStep(t, ctx, "answer while the store is down", click(`.choice[data-value="4"]`),
		poll(`(document.querySelector('#queue li[data-state="sending"]') || {}).textContent === `+q),
		poll(`document.getElementById("announce").textContent === `+q),
		// The thank-you screen does not claim what is not true yet.
		poll(`document.body.dataset.screen === "thanks" && (document.querySelector('.confirm-state[data-state="pending"] h1') || {}).textContent === `+q+
			` && !document.querySelector('img.check')`))
	axeAudit(t, ctx, "ar: saving delayed")
	type queued struct {
		ID    string `json:"id"`
		State string `json:"state"`
		Slow  bool   `json:"slow"`
	}
	readQueue := func() []queued {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`localStorage.getItem("bst_queue")`))
		var q []queued
		if err != nil || json.Unmarshal([]byte(raw), &q) != nil {
			t.Fatalf("the phone's queue: %q %v", raw, err)
		}
		return q
	}
	first := readQueue()
	if len(first) != 1 || first[0].State != "sending" || !first[0].Slow {
		t.Fatalf("the phone's queue: %+v, want the one answer kept as sending and delayed", first)
	}
	screenshot(t, ctx, "resident-store-down")
	// It keeps trying (every 3 s) and still says the same after a retry.
	time.Sleep(4 * time.Second)
	browserStep(t, ctx, "still queued", poll(`(document.querySelector('#queue li[data-state="sending"]') || {}).textContent === `+q))
	if still := readQueue(); len(still) != 1 || still[0].ID != first[0].ID || still[0].State != "sending" {
		t.Errorf("after retrying: %+v, want the same answer still queued", still)
	}
	screen, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.screen`))
	if err != nil || screen != "thanks" {
		t.Errorf("screen %q (%v) while the store is down, want the thank-you screen saying the answer is kept", screen, err)
	}
	for _, m := range residentConsoleErrors(msgs()) {
		t.Errorf("console error: %s", m)
	}
}

// TestBrowserResidentKiosk: on a shared tablet (?kiosk=5: 5 s idle for the
// test; 60 s by default) the resident answers and takes a receipt; after
// the idle time the tablet is back at the language screen with nothing of
// that resident left (storage, participant, language), and the next
// resident is a new participant. The receipt still shows the first
// resident's answer.
func TestBrowserResidentKiosk(t *testing.T) {
	e := start(t)
	ctx, _ := phone(t)
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	bg := context.Background()
	if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 0); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "kiosk on", chromedp.Navigate(e.url+"/?kiosk=5"), chromedp.WaitVisible(chromedp.CSS(`a.lang-choice[hreflang="ar"]`)),
		poll(`JSON.parse(localStorage.getItem("bst_kiosk")).idle === 5`))
	browserStep(t, ctx, "pick Arabic", click(`a.lang-choice[hreflang="ar"]`), chromedp.WaitVisible(chromedp.CSS(`#join .keypad`)))
	var keys []chromedp.Action[chromedp.Void]
	for _, d := range s.Code {
		keys = append(keys, click(`#join button[data-key="`+string(d)+`"]`))
	}
	keys = append(keys, click(`#join button[type="submit"]`), afterNavigation(`document.body.dataset.screen === "prompt-faces"`))
	browserStep(t, ctx, "join", keys...)
	browserStep(t, ctx, "answer", click(`.choice[data-value="5"]`),
		poll(`!!document.querySelector('#queue li[data-state="sent"]')`))
	browserStep(t, ctx, "receipt", click(`.done button.act:last-child`), poll(`document.body.dataset.screen === "receipt"`),
		poll(`document.querySelector(".receipt-slip img.qr").complete && document.querySelector(".receipt-slip img.qr").naturalWidth > 0`))
	axeAudit(t, ctx, "ar kiosk receipt")
	code, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".receipt-code").textContent`))
	if err != nil || !receiptCode.MatchString(code) {
		t.Fatalf("receipt code on the tablet: %q %v", code, err)
	}
	screenshot(t, ctx, "resident-kiosk-receipt")
	first, _ := e.store.ContributionsOf(bg, s.ID)

	// Nobody touches the tablet: back to the language screen, clean.
	start := time.Now()
	browserStep(t, ctx, "idle reset", afterNavigation(`location.pathname === "/" && !!document.querySelector("a.lang-choice")`))
	idle := time.Since(start)
	left, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Object.keys(localStorage).filter(k => k.startsWith("bst_")).sort().join(",")`))
	if err != nil || left != "bst_kiosk" {
		t.Fatalf("storage after the reset: %q %v", left, err)
	}
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{e.url}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies.Cookies {
		if c.Name == "bst_participant" || c.Name == "bst_lang" {
			t.Fatalf("cookie %s survived the reset", c.Name)
		}
	}
	t.Logf("kiosk reset after %v of idle time (setting 5 s)", idle.Round(100*time.Millisecond))

	// The next resident is someone else.
	joinOnPhone(t, ctx, e, s.Code, "nl")
	browserStep(t, ctx, "next resident answers", poll(`document.body.dataset.screen === "prompt-faces"`), click(`.choice[data-value="1"]`),
		poll(`!!document.querySelector('#queue li[data-state="sent"]')`))
	all, _ := e.store.ContributionsOf(bg, s.ID)
	if len(first) != 1 || len(all) != 2 || all[0].ParticipantID == all[1].ParticipantID {
		t.Fatalf("contributions: first resident %d, now %d, participants %v", len(first), len(all), all)
	}
	// The first resident's receipt still shows their answer only.
	p := e.browser().get("/r/" + strings.ReplaceAll(code, "-", ""))
	for deadline := time.Now().Add(10 * time.Second); strings.Count(p.body, `class="input"`) != 1 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		p = e.browser().get("/r/" + strings.ReplaceAll(code, "-", ""))
	}
	if strings.Count(p.body, `class="input"`) != 1 || !strings.Contains(p.body, "face-5.svg") {
		t.Fatalf("receipt page after the reset: %d\n%.500s", p.status, p.body)
	}
}

// pageWeight loads a page in a fresh tab state and returns the bytes that
// crossed the network for it (every HTTP response, headers included, as
// Chromium counts them), how many requests, and the milliseconds until the
// page was ready to use (body[data-ready], set by resident.js).
func pageWeight(t *testing.T, ctx context.Context, url, ready string) (bytes float64, requests int, readyMS float64) {
	t.Helper()
	var mu sync.Mutex
	sizes := map[network.RequestID]float64{}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := chromedp.Listen(lctx, func(ev any) {
		if f, ok := ev.(*network.EventLoadingFinished); ok {
			mu.Lock()
			sizes[f.RequestID] = f.EncodedDataLength
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "blank", chromedp.Navigate("about:blank"))
	mu.Lock()
	clear(sizes) // nothing of the page before
	mu.Unlock()
	browserStep(t, ctx, "load "+url, chromedp.Navigate(url), afterNavigation(ready))
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Number(document.body.dataset.readyAt || 0)`))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // late pictograms
	mu.Lock()
	defer mu.Unlock()
	for _, n := range sizes {
		bytes += n
	}
	return bytes, len(sizes), ms
}

// TestBrowserResidentBudgets: the join page and an answer screen each
// transfer at most 60 KB (compressed, everything included) and are usable
// within 5 s on a 400 kbit/s, 400 ms connection. Prints the figures.
func TestBrowserResidentBudgets(t *testing.T) {
	e := start(t)
	ctx, _ := phone(t)
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	if _, err := staff.MoveSession(context.Background(), demo.OrgID, s.ID, 1); err != nil { // themes: the most pictograms
		t.Fatal(err)
	}
	const budget = 60 * 1024
	for _, lang := range []string{"nl", "ar"} {
		joinOnPhone(t, ctx, e, s.Code, lang)
		pages := []struct{ name, url, ready string }{
			{"join page", e.url + "/?lang=" + lang, `document.body.dataset.ready === "1"`},
			{"answer screen (themes)", e.url + "/s/" + s.ID, `document.body.dataset.screen === "prompt-themes" && [...document.querySelectorAll("img")].every(i => i.complete)`},
		}
		for _, p := range pages {
			b, n, _ := pageWeight(t, ctx, p.url, p.ready)
			t.Logf("%s %s: %.1f KB transferred in %d requests (budget 60 KB)", lang, p.name, b/1024, n)
			if b > budget {
				t.Errorf("%s %s: %.1f KB is over the 60 KB budget", lang, p.name, b/1024)
			}
			browserStep(t, ctx, "throttle", networkState(false, 400, 400*1000/8))
			_, _, ms := pageWeight(t, ctx, p.url, p.ready)
			browserStep(t, ctx, "unthrottle", networkState(false, 0, 0))
			t.Logf("%s %s: usable after %.0f ms at 400 kbit/s and 400 ms latency (budget 5000 ms)", lang, p.name, ms)
			if ms <= 0 || ms > 5000 {
				t.Errorf("%s %s: usable after %.0f ms, budget 5000 ms", lang, p.name, ms)
			}
		}
	}
}

// TestBrowserResidentPhoto: an open answer by photo, end to end: the phone
// scales a large picture down to a JPEG of at most 1600 px before upload
// (the media contract), uploads it, submits the media id over the live
// connection, and the contribution is stored with it. A file that is not an
// image is refused on the phone with a clear message.
func TestBrowserResidentPhoto(t *testing.T) {
	e := start(t)
	ctx, _ := phone(t)
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	open := s.Prompts[3].ID
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 3000, 2000))
	for y := range 2000 {
		for x := range 3000 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	photo, notPhoto := filepath.Join(dir, "plein.png"), filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(photo, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notPhoto, []byte("geen foto"), 0o644); err != nil {
		t.Fatal(err)
	}
	joinOnPhone(t, ctx, e, s.Code, "nl")
	if _, err := staff.MoveSession(context.Background(), demo.OrgID, s.ID, 3); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "photo mode", poll(`document.body.dataset.screen === "prompt-open"`),
		click(`.modes .choice[data-value="photo"]`), chromedp.WaitReady(chromedp.CSS(`#answer-photo`)))
	browserStep(t, ctx, "not a photo", chromedp.SetUploadFiles(chromedp.CSS(`#answer-photo`), []string{notPhoto}),
		poll(`!!document.querySelector('.open [role="alert"]')`))
	browserStep(t, ctx, "a photo", chromedp.SetUploadFiles(chromedp.CSS(`#answer-photo`), []string{photo}),
		poll(`(() => { const i = document.querySelector(".photo-preview"); return !!i && i.complete && i.naturalWidth === 1600 && i.naturalHeight === 1067; })()`))
	axeAudit(t, ctx, "nl photo preview")
	// The device has sent too many files lately: the photo is kept, the
	// queue says why it waits (translated, with read-aloud), and it goes
	// out by itself once the budget allows.
	e.srv.Uploads().SetBudget(uploads.Budget{Burst: 0, Every: time.Hour})
	browserStep(t, ctx, "send the photo, too many files", click(`.open .act:last-child`),
		poll(`!!document.querySelector('#queue li[data-state="uploading"] .speak')`))
	waiting, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#queue li[data-state="uploading"] span').textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if want := msg(t, "nl", "answer.upload_too_many"); waiting != want {
		t.Fatalf("the waiting photo says %q, want %q", waiting, want)
	}
	axeAudit(t, ctx, "nl photo waiting for the upload budget")
	e.srv.Uploads().SetBudget(uploads.DefaultBudget)
	browserStep(t, ctx, "the photo goes out by itself",
		poll(`!!document.querySelector('#queue li[data-state="sent"]')`))
	cs, err := e.store.ContributionsOf(context.Background(), s.ID)
	if err != nil || len(cs) != 1 || cs[0].PromptID != open || cs[0].Answer.MediaID == "" {
		t.Fatalf("stored: %+v %v", cs, err)
	}
	t.Logf("a %d KB PNG of 3000 × 2000 was uploaded as a 1600 × 1067 JPEG (media %s)", buf.Len()/1024, cs[0].Answer.MediaID)
}
