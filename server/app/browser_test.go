//go:build browser

package app_test

// The browser test drives the console and the projector in a real headless
// Chromium, with their scripts, their WebSocket connections and the
// content security policy the server sends. It needs Chromium and runs
// with the build tag "browser":
//
//	go test -race -tags browser -run TestBrowser ./server/app/
//
// Without Chromium it fails rather than skips: a run that asked for the
// browser tests must not pass without them. github.com/chromedp/chromedp
// speaks the DevTools protocol directly from Go (no driver binary, no
// Node); only this file, behind the tag, imports it.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

const chromiumPath = "/usr/bin/chromium"

// chromium starts a headless Chromium with a fresh profile and returns a
// context for its first tab. Messages the pages write to the console are
// collected; the test fails on errors among them (a script error, or a
// CSP violation, which Chromium reports there).
// extra allocator options are added to the defaults (the voice tests give
// Chromium a fake microphone).
func chromium(t *testing.T, extra ...chromedp.ExecAllocatorOption) (context.Context, func() []chromedp.ConsoleMessage) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need Chromium at %s (apt-get install -y chromium): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx, watchConsole(ctx)
}

// watchConsole collects a tab's console messages until its context ends.
func watchConsole(ctx context.Context) func() []chromedp.ConsoleMessage {
	var mu sync.Mutex
	var got []chromedp.ConsoleMessage
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			mu.Lock()
			got = append(got, m)
			mu.Unlock()
		}
	}()
	return func() []chromedp.ConsoleMessage {
		mu.Lock()
		defer mu.Unlock()
		return append([]chromedp.ConsoleMessage(nil), got...)
	}
}

// consoleErrors returns the messages that mean something is broken. A
// missing favicon is not.
func consoleErrors(msgs []chromedp.ConsoleMessage) []string {
	var out []string
	for _, m := range msgs {
		bad := m.IsException() || m.Type == "error" || m.Type == "assert" || m.Source == "security"
		if bad && !strings.Contains(m.Text+m.URL, "favicon.ico") {
			out = append(out, m.String())
		}
	}
	return out
}

// browserStep runs actions in a tab with a time limit; on failure it saves
// a screenshot when BUURTSTEM_SCREENSHOTS names a directory.
func browserStep(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		screenshot(t, ctx, "failed-"+what)
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshot saves the tab as PNG into $BUURTSTEM_SCREENSHOTS, if set.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("BUURTSTEM_SCREENSHOTS")
	if dir == "" {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	name = strings.NewReplacer(" ", "-", "/", "-").Replace(name)
	_ = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
}

// logIn logs a staff member in through the login form, in Dutch, and
// waits for the page the login leads to.
func logIn(e *env, acc demo.Account) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(e.url+"/login?lang=nl"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), acc.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), acc.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		afterNavigation(`location.pathname !== "/login" && !!document.querySelector("h1")`),
	)
}

// poll waits until a JavaScript expression is true in the tab.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))
}

// TestBrowserConsoleAndProjector: the demo intermediary logs in, finds the
// session through the pages and opens its console; a projector tab opens
// the link the console offers. Start and next move a resident's phone (the
// Go client); the resident's answers appear in the console and in the
// projector's bars; a written answer reaches the projector's wall once
// approved; an answer entered for a resident without a phone is counted;
// closing ends the session everywhere. No page writes an error to its
// console, so nothing was refused by the content security policy.
func TestBrowserConsoleAndProjector(t *testing.T) {
	e := start(t)
	ctx, consoleMsgs := chromium(t)
	_, s := e.liveSession("pre") // faces, themes (several), open (text); nl and ar; led
	faces, themes, open := s.Prompts[0].ID, s.Prompts[1].ID, s.Prompts[2].ID
	org := "/orgs/" + demo.OrgID
	path := org + "/sessions/" + s.ID
	acc := e.accounts["intermediary"]

	browserStep(t, ctx, "log in", logIn(e, acc))
	browserStep(t, ctx, "open the console",
		chromedp.Click(chromedp.CSS(`a[href="`+org+`/sessions"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+path+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="`+path+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+path+`/console"]`)),
		chromedp.Func(func(context.Context, *chromedp.Target) error { screenshot(t, ctx, "session-page"); return nil }),
		chromedp.Click(chromedp.CSS(`a[href="`+path+`/console"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-control="start"]`)),
		poll(`document.body.dataset.live === "live"`),
	)
	projectorLink, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href*="/projector?key="]').href`))
	if err != nil || !strings.HasPrefix(projectorLink, e.url+path+"/projector?key=") {
		t.Fatalf("projector link %q: %v", projectorLink, err)
	}

	// The projector in a second tab of the same browser.
	pctx, cancelProj := chromedp.NewContext(ctx)
	defer cancelProj()
	projectorMsgs := watchConsole(pctx)
	browserStep(t, pctx, "open the projector",
		chromedp.Navigate(projectorLink),
		chromedp.WaitVisible(chromedp.CSS(".proj-code")),
		poll(`document.body.dataset.live === "live"`),
	)

	// A resident joins with the code, on the Go client.
	r, _ := e.resident(s.Code, live.Options{Lang: "ar"})
	next[protocol.SnapshotData](t, r, protocol.TypeSnapshot)
	browserStep(t, pctx, "the projector counts the resident", poll(`document.getElementById("participants").textContent === "1"`))
	browserStep(t, ctx, "the console counts the resident", poll(`document.getElementById("participants").textContent === "1"`))

	// Start: the phone shows the faces prompt.
	browserStep(t, ctx, "start",
		chromedp.Click(chromedp.CSS(`[data-control="start"]`)),
		poll(`document.querySelector('#prompt-list li[data-index="0"]').getAttribute("aria-current") === "step"`),
		poll(`!document.querySelector('[data-control="next"]').hidden && document.querySelector('[data-control="start"]').hidden`),
	)
	if _, st := next[protocol.StateData](t, r, protocol.TypeState); st.Current != 0 || st.Prompt == nil || st.Prompt.ID != faces {
		t.Fatalf("the phone after start: %+v", st)
	}
	ctxSubmit := context.Background()
	if _, err := r.Submit(ctxSubmit, "face-1", protocol.SubmitData{PromptID: faces, Answer: protocol.AnswerData{Face: 4}}); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "the answer appears in the console",
		poll(`(() => { const img = document.querySelector('#incoming li [data-answer] img');
			return !!img && img.getAttribute("src").endsWith("/face-4.svg") && document.getElementById("incoming-empty").hidden; })()`),
		poll(`document.querySelector('.result[data-prompt="`+faces+`"] li[data-key="4"] [data-count]').textContent === "1"`),
	)
	browserStep(t, pctx, "the projector's faces bars follow",
		poll(`(() => { const sec = document.querySelector('.result[data-prompt="`+faces+`"]');
			const li = sec.querySelector('li[data-key="4"]');
			return !sec.hidden && li.querySelector('[data-count]').textContent === "1" &&
				li.querySelector('.bar-fill').getAttribute("width") === "100" &&
				sec.querySelector('li[data-key="2"] .bar-fill').getAttribute("width") === "0" &&
				sec.querySelector('[data-answered]').textContent === "1"; })()`),
	)
	screenshot(t, ctx, "console-faces")
	screenshot(t, pctx, "projector-faces")

	// Next: the themes prompt, on the phone and on the projector.
	browserStep(t, ctx, "next",
		chromedp.Click(chromedp.CSS(`[data-control="next"]`)),
		poll(`document.querySelector('#prompt-list li[data-index="1"]').getAttribute("aria-current") === "step"`),
	)
	if _, st := next[protocol.StateData](t, r, protocol.TypeState); st.Current != 1 || st.Prompt == nil || st.Prompt.ID != themes {
		t.Fatalf("the phone after next: %+v", st)
	}
	if _, err := r.Submit(ctxSubmit, "themes-1", protocol.SubmitData{PromptID: themes, Answer: protocol.AnswerData{Options: []string{"safety", "housing"}}}); err != nil {
		t.Fatal(err)
	}
	browserStep(t, pctx, "the projector shows the themes bars",
		poll(`(() => { const sec = document.querySelector('.result[data-prompt="`+themes+`"]');
			return !sec.hidden && document.querySelector('.result[data-prompt="`+faces+`"]').hidden &&
				sec.querySelector('li[data-key="safety"] [data-count]').textContent === "1" &&
				sec.querySelector('li[data-key="housing"] .bar-fill').getAttribute("width") === "100"; })()`),
	)

	// A written answer waits for approval, then reaches the wall.
	browserStep(t, ctx, "next to the open prompt",
		chromedp.Click(chromedp.CSS(`[data-control="next"]`)),
		poll(`document.querySelector('#prompt-list li[data-index="2"]').getAttribute("aria-current") === "step"`),
	)
	next[protocol.StateData](t, r, protocol.TypeState)
	const idea = "Meer licht in het park"
	if _, err := r.Submit(ctxSubmit, "open-1", protocol.SubmitData{PromptID: open, Answer: protocol.AnswerData{Text: idea}}); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "approve the written answer",
		chromedp.WaitVisible(chromedp.CSS(`#incoming li.pending [data-decision="approve"]`)),
		chromedp.Click(chromedp.CSS(`#incoming li.pending [data-decision="approve"]`)),
		poll(`!document.querySelector('#incoming li.pending')`),
	)
	browserStep(t, ctx, "the approved answer is on the console's wall",
		poll(`document.querySelector('.result[data-prompt="`+open+`"] [data-wall]').textContent.includes("`+idea+`")`),
	)
	browserStep(t, pctx, "the approved answer is on the projector's wall",
		poll(`(() => { const w = document.querySelector('.result[data-prompt="`+open+`"] [data-wall]');
			return !!w && w.textContent.includes("`+idea+`"); })()`),
	)
	screenshot(t, ctx, "console-open")
	screenshot(t, pctx, "projector-wall")

	// An answer entered for a resident without a phone: face 2.
	browserStep(t, ctx, "assist",
		chromedp.WaitVisible(chromedp.CSS("#assist-form")),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("assist-prompt");
			s.value = "`+faces+`"; s.dispatchEvent(new Event("change")); })()`),
		chromedp.Click(chromedp.CSS(`label[for="assist-`+faces+`-2"]`)),
		chromedp.Click(chromedp.CSS(`#assist-form button[type="submit"]`)),
		poll(`document.getElementById("assist-status").textContent === document.getElementById("console").dataset.msgSent`),
	)
	browserStep(t, pctx, "the assisted answer is counted",
		poll(`document.querySelector('.result[data-prompt="`+faces+`"] li[data-key="2"] [data-count]').textContent === "1"`),
	)

	// Previous, then close: the phone and the projector learn it ended.
	browserStep(t, ctx, "previous",
		chromedp.Click(chromedp.CSS(`[data-control="prev"]`)),
		poll(`document.querySelector('#prompt-list li[data-index="1"]').getAttribute("aria-current") === "step"`),
	)
	browserStep(t, ctx, "close",
		chromedp.Click(chromedp.CSS(`.close-session summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#close-form button`)),
		chromedp.Click(chromedp.CSS(`#close-form button`)),
		poll(`!document.getElementById("closed-notice").hidden && document.body.dataset.live === "ended"`),
	)
	browserStep(t, pctx, "the projector shows the end",
		poll(`!document.querySelector('[data-closed]').hidden && document.body.dataset.live === "ended"`),
	)
	screenshot(t, pctx, "projector-closed")
	if st, _ := e.store.Session(context.Background(), demo.OrgID, s.ID); st == nil || st.State != "closed" {
		t.Fatalf("stored state after close: %+v", st)
	}

	for name, msgs := range map[string][]chromedp.ConsoleMessage{"console": consoleMsgs(), "projector": projectorMsgs()} {
		if errs := consoleErrors(msgs); len(errs) > 0 {
			t.Errorf("the %s page wrote errors to the browser console:\n%s", name, strings.Join(errs, "\n"))
		}
	}
}
