//go:build browser

package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/demo"
)

// TestBrowserResidentPromptPassed: in a led session, in Dutch and Arabic, a
// resident answers while offline; the intermediary moves on before the
// network is back. The answer is not stored, and the phone says so in the
// resident's language, with a speaker button (shown where the device has a
// voice), instead of a bare "failed".
func TestBrowserResidentPromptPassed(t *testing.T) {
	e := start(t)
	for _, lang := range []string{"nl", "ar"} {
		t.Run(lang, func(t *testing.T) {
			ctx, _ := phone(t)
			staff, s := e.residentSession("led", []string{"nl", "ar"})
			bg := context.Background()
			joinOnPhone(t, ctx, e, s.Code, lang)
			if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 0); err != nil {
				t.Fatal(err)
			}
			browserStep(t, ctx, "offline answer", poll(`document.body.dataset.screen === "prompt-faces"`),
				networkState(true, 0, 0), poll(`navigator.onLine === false && document.body.dataset.live !== "live"`),
				click(`.choice[data-value="2"]`), poll(`!!document.querySelector('#queue li[data-state="sending"]')`))
			if _, err := staff.MoveSession(bg, demo.OrgID, s.ID, 1); err != nil {
				t.Fatal(err)
			}
			want := msg(t, lang, "resident.prompt_passed")
			browserStep(t, ctx, "back online", networkState(false, 0, 0),
				poll(`!!document.querySelector('#queue li[data-state="failed"][data-code="not_current"]')`),
				poll(`document.querySelector('#queue li[data-state="failed"] span').textContent === `+jsString(want)),
				poll(`document.querySelector('#queue li[data-state="failed"] button.speak').getAttribute("data-say") === `+jsString(want)))
			axeAudit(t, ctx, lang+" answer for a prompt that moved on")
			screenshot(t, ctx, "resident-prompt-passed-"+lang)
			time.Sleep(300 * time.Millisecond)
			if n := e.storedFor(t, s.ID, s.Prompts[0].ID); n != 0 {
				t.Fatalf("stored for the passed prompt: %d", n)
			}
		})
	}
}
