//go:build browser

package app_test

// Voice answers end to end in headless Chromium with a fake microphone:
// Chromium's --use-fake-device-for-media-stream gives getUserMedia a
// device, --use-fake-ui-for-media-stream grants it without a prompt, and
// --use-file-for-fake-audio-capture feeds it a tone written by the test.
// The page records with MediaRecorder (WebM/Opus in Chromium), exactly as
// on a resident's phone.

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/model"
)

// toneWAV writes a mono 16-bit PCM WAV of a 440 Hz tone, the fake
// microphone's input.
func toneWAV(t *testing.T, d time.Duration) string {
	t.Helper()
	const rate = 48000
	n := int(d.Seconds() * rate)
	var pcm bytes.Buffer
	for i := range n {
		v := int16(8000 * math.Sin(2*math.Pi*440*float64(i)/rate))
		_ = binary.Write(&pcm, binary.LittleEndian, v)
	}
	var w bytes.Buffer
	w.WriteString("RIFF")
	_ = binary.Write(&w, binary.LittleEndian, uint32(36+pcm.Len()))
	w.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)} {
		_ = binary.Write(&w, binary.LittleEndian, v)
	}
	w.WriteString("data")
	_ = binary.Write(&w, binary.LittleEndian, uint32(pcm.Len()))
	w.Write(pcm.Bytes())
	path := filepath.Join(t.TempDir(), "tone.wav")
	if err := os.WriteFile(path, w.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeMicrophone are the allocator options of a Chromium whose microphone
// plays wav, granted without asking, and whose pages may start playback
// from a script (the test presses "play" through the media element).
func fakeMicrophone(wav string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", wav),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	}
}

// TestBrowserResidentVoice: in Dutch and in Arabic, on a phone, a resident
// answers the open prompt by voice: record, stop, play it back, send. The
// recording is uploaded as WebM/Opus, the answer acknowledged and stored
// once with its media id, and a reviewer of the organisation, logged in
// in another browser, finds it in the inbox and plays it.
func TestBrowserResidentVoice(t *testing.T) {
	e := start(t)
	wav := toneWAV(t, 3*time.Second)
	for _, lang := range []string{"nl", "ar"} {
		t.Run(lang, func(t *testing.T) { residentVoice(t, e, wav, lang) })
	}
}

func residentVoice(t *testing.T, e *env, wav, lang string) {
	ctx, msgs := phone(t, fakeMicrophone(wav)...)
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	bg := context.Background()
	open := s.Prompts[3].ID
	joinOnPhone(t, ctx, e, s.Code, lang)
	if lang == "ar" {
		browserStep(t, ctx, "right to left", poll(`document.documentElement.dir === "rtl"`))
	}
	if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 3); err != nil {
		t.Fatal(err)
	}
	browserStep(t, ctx, "voice mode", poll(`document.body.dataset.screen === "prompt-open"`),
		click(`.modes .choice[data-value="voice"]`), chromedp.WaitVisible(chromedp.CSS(`.open .rec-time`)))
	record, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".open .act span").textContent`))
	if err != nil || record != msg(t, lang, "resident.record") {
		t.Fatalf("record button says %q (%v), want the %s message", record, err, lang)
	}
	axeAudit(t, ctx, lang+" voice: ready to record")

	// Record about two seconds of the fake microphone, then stop.
	browserStep(t, ctx, "record", click(`.open .act`),
		poll(`document.querySelector(".open [aria-live]").textContent === document.getElementById("msgs").dataset.recording`),
		poll(`document.querySelector(".open .rec-time").textContent === "0:02"`))
	axeAudit(t, ctx, lang+" voice: recording")
	browserStep(t, ctx, "stop", click(`.open .act`), chromedp.WaitVisible(chromedp.CSS(`.open audio`)))
	axeAudit(t, ctx, lang+" voice: play back before sending")

	// Play it back: the element plays the recording from the device.
	browserStep(t, ctx, "play back",
		chromedp.Evaluate[chromedp.Void](`document.querySelector(".open audio").play()`),
		poll(`(() => { const a = document.querySelector(".open audio"); return !a.paused && a.currentTime > 0.5; })()`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(".open audio").pause()`))
	recorded, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".open audio").src`))
	if err != nil || !strings.HasPrefix(recorded, "blob:") {
		t.Fatalf("play-back source %q %v", recorded, err)
	}

	browserStep(t, ctx, "send", click(`.open .act-row .act:not(.secondary)`),
		poll(`document.body.dataset.screen === "thanks" && !!document.querySelector('#queue li[data-state="sent"]')`))
	screenshot(t, ctx, "resident-voice-"+lang+"-sent")
	time.Sleep(300 * time.Millisecond) // a resend, if any, would arrive now

	// Stored once, with its media id; the file is a WebM/Opus voice note of
	// about two seconds that the resident's own phone may play again.
	cs, err := e.store.ContributionsOf(bg, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].PromptID != open || cs[0].Answer.MediaID == "" || cs[0].Answer.MediaKind != model.MediaVoice || cs[0].Lang != lang {
		t.Fatalf("stored: %+v", cs)
	}
	id := cs[0].Answer.MediaID
	m, err := e.store.Media(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != model.MediaVoice || m.ContentType != "audio/webm" || m.DurationMS < 1500 || m.DurationMS > 5000 ||
		len(m.Contributions) != 1 || m.Contributions[0] != cs[0].ID {
		t.Fatalf("stored file: %+v", m)
	}
	if n := e.mediaCount(); n < 1 {
		t.Fatalf("voice notes in the store: %d", n)
	}
	own, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/media/`+id+`").then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || own != http.StatusOK {
		t.Fatalf("the resident's phone plays its own voice note: %d %v", own, err)
	}
	t.Logf("%s: a %.1f s voice note recorded by MediaRecorder, stored as media %s", lang, float64(m.DurationMS)/1000, id)

	// A reviewer in another browser finds it in the inbox and plays it.
	rctx, rmsgs := chromium(t, chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	acc := e.accounts["reviewer"]
	inbox := "/orgs/" + demo.OrgID + "/inbox"
	browserStep(t, rctx, "reviewer logs in",
		chromedp.Navigate(e.url+"/login?lang=nl"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), acc.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), acc.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		afterNavigation(`location.pathname !== "/login"`))
	var link string
	for deadline := time.Now().Add(15 * time.Second); ; {
		browserStep(t, rctx, "inbox", chromedp.Navigate(e.url+inbox+"?session="+s.ID), chromedp.WaitReady(chromedp.CSS("body")))
		link, _ = chromedp.Run(rctx, chromedp.Evaluate[string](`(document.querySelector('a[href="/media/`+id+`"]') || {}).href || ""`))
		if link != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond) // the inbox index is written behind the group commit
	}
	if link != e.url+"/media/"+id {
		t.Fatalf("the inbox has no link to the voice note: %q", link)
	}
	browserStep(t, rctx, "reviewer plays the voice note",
		chromedp.Evaluate[chromedp.Void](`window.voice = new Audio("`+link+`"); window.voice.play()`),
		poll(`!window.voice.paused && window.voice.currentTime > 0.5`))
	rp := e.staffBrowser("reviewer").get("/media/" + id)
	if rp.status != http.StatusOK || rp.header.Get("Content-Type") != "audio/webm" || !strings.HasPrefix(rp.body, "\x1a\x45\xdf\xa3") {
		t.Fatalf("reviewer GET /media/%s: %d %s", id, rp.status, rp.header.Get("Content-Type"))
	}
	for name, m := range map[string][]chromedp.ConsoleMessage{"resident": msgs(), "reviewer": rmsgs()} {
		if errs := residentConsoleErrors(m); len(errs) > 0 {
			t.Errorf("the %s's pages wrote errors to the browser console:\n%s", name, strings.Join(errs, "\n"))
		}
	}
}

// TestBrowserResidentOfflineVoice: the network is cut, the resident records
// a voice note and sends it; it waits on the phone (the file in IndexedDB,
// the answer in the queue). The tab then leaves the page, so nothing of it
// keeps running; the network comes back and the answer page is opened
// again: the file is uploaded from IndexedDB and the answer sent with its
// first id. One file and one answer are stored, and nothing is left
// waiting on the phone.
func TestBrowserResidentOfflineVoice(t *testing.T) {
	e := start(t)
	ctx, msgs := phone(t, fakeMicrophone(toneWAV(t, 3*time.Second))...)
	staff, s := e.residentSession("led", []string{"nl", "ar"})
	bg := context.Background()
	open := s.Prompts[3].ID
	joinOnPhone(t, ctx, e, s.Code, "nl")
	if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 3); err != nil {
		t.Fatal(err)
	}
	before := e.mediaCount()
	browserStep(t, ctx, "record", poll(`document.body.dataset.screen === "prompt-open"`),
		click(`.modes .choice[data-value="voice"]`), chromedp.WaitVisible(chromedp.CSS(`.open .rec-time`)),
		click(`.open .act`), poll(`document.querySelector(".open .rec-time").textContent === "0:01"`),
		click(`.open .act`), chromedp.WaitVisible(chromedp.CSS(`.open audio`)))
	pendingInDB := `new Promise(ok => { const r = indexedDB.open("bst_media", 1);
		r.onsuccess = () => { const g = r.result.transaction("media").objectStore("media").getAll();
			g.onsuccess = () => { ok(g.result.map(x => x.id + ":" + x.blob.size).join(",")); r.result.close(); }; }; })`
	browserStep(t, ctx, "send while offline", networkState(true, 0, 0), poll(`navigator.onLine === false`),
		click(`.open .act-row .act:not(.secondary)`),
		poll(`document.body.dataset.screen === "thanks" && !!document.querySelector('#queue li[data-state="uploading"]')`))
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.parse(localStorage.getItem("bst_queue")).find(i => i.prompt_id === "`+open+`").id`))
	if err != nil || id == "" {
		t.Fatalf("queued answer: %q %v", id, err)
	}
	waiting, err := chromedp.Run(ctx, chromedp.Evaluate[string](pendingInDB, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(waiting, id+":") || strings.HasSuffix(waiting, ":0") || strings.Contains(waiting, ",") {
		t.Fatalf("the recording waiting in IndexedDB: %q %v", waiting, err)
	}
	screenshot(t, ctx, "resident-voice-offline-queued")
	time.Sleep(time.Second)
	if n := e.storedFor(t, s.ID, open); n != 0 || e.mediaCount() != before {
		t.Fatalf("stored while offline: %d answers, %d files", n, e.mediaCount()-before)
	}

	// Leave the page (its timers die with it), get the network back, open
	// the answer page again.
	browserStep(t, ctx, "leave the page", chromedp.Navigate("about:blank"), networkState(false, 0, 0))
	browserStep(t, ctx, "open the answer page again", chromedp.Navigate(e.url+"/s/"+s.ID),
		afterNavigation(`document.body.dataset.live === "live"`),
		poll(`JSON.parse(localStorage.getItem("bst_queue")).find(i => i.id === "`+id+`").state === "sent"`))
	time.Sleep(500 * time.Millisecond)
	cs, err := e.store.ContributionsOf(bg, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].PromptID != open || cs[0].Answer.MediaKind != model.MediaVoice {
		t.Fatalf("stored answers: %+v", cs)
	}
	if n := e.mediaCount() - before; n != 1 {
		t.Fatalf("stored files: %d, want 1", n)
	}
	left, err := chromedp.Run(ctx, chromedp.Evaluate[string](pendingInDB, chromedp.EvalAwaitPromise))
	if err != nil || left != "" {
		t.Fatalf("still waiting in IndexedDB after sending: %q %v", left, err)
	}
	for _, m := range residentConsoleErrors(msgs()) {
		if !strings.Contains(m, "ERR_INTERNET_DISCONNECTED") && !strings.Contains(m, "WebSocket") {
			t.Errorf("console error: %s", m)
		}
	}
}
