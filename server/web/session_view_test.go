package web

import (
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// Every theme, face and prompt kind has a label and a pictogram, so a new
// theme or kind cannot ship half done.
func TestLabelsAndPictogramsComplete(t *testing.T) {
	for _, id := range sessions.Themes {
		if themeLabels[id] == "" || !hasPictogram("theme-"+id) {
			t.Errorf("theme %q: label %q, pictogram %v", id, themeLabels[id], hasPictogram("theme-"+id))
		}
	}
	for n := 1; n <= 5; n++ {
		k := string(rune('0' + n))
		if faceLabels[k] == "" || !hasPictogram("face-"+k) {
			t.Errorf("face %s has no label or pictogram", k)
		}
	}
	for _, k := range model.PromptKinds {
		if kindLabels[k] == "" || kindHints[k] == "" || !hasPictogram("kind-"+string(k)) {
			t.Errorf("kind %q has no label, hint or pictogram", k)
		}
	}
	for _, s := range []model.SessionState{model.StateDraft, model.StateOpen, model.StateRunning, model.StateClosed} {
		if stateLabels[s] == "" {
			t.Errorf("state %q has no label", s)
		}
	}
}

// The session pages in the states and roles the main render test does not
// cover: a draft, a closed session, a reviewer.
func TestSessionPagesInEveryState(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	p := Page{L: cat.Localizer("ar"), Langs: cat.Languages(), CSRF: "tok"}
	org := &model.Organisation{ID: "o1", Name: "Org"}
	base := model.Session{ID: "s1", OrgID: "o1", Title: "T", Languages: []string{"nl"}, Current: -1,
		Prompts: []model.Prompt{{ID: "p1", Kind: model.KindFaces, Text: model.Text{"nl": "Vraag"}}}}
	for _, state := range []model.SessionState{model.StateDraft, model.StateOpen, model.StateClosed} {
		for _, canRun := range []bool{true, false} {
			s := base
			s.State = state
			if state == model.StateOpen {
				s.Code = "000042"
			}
			pages := map[string]any{
				"session":   &SessionPage{Page: p, Org: org, Session: &s, CanRun: canRun, Kinds: model.PromptKinds},
				"console":   &ConsolePage{Page: p, Org: org, Session: &s, CanRun: canRun},
				"projector": &ProjectorPage{Page: p, Session: &s},
			}
			for name, data := range pages {
				b, err := r.Render(name, data)
				if err != nil {
					t.Fatalf("%s %s canRun=%v: %v", name, state, canRun, err)
				}
				html := string(b)
				forms := strings.Contains(html, `action="/orgs/o1/sessions/s1/prompts"`)
				if name == "session" && forms != (canRun && state != model.StateClosed) {
					t.Errorf("session page %s canRun=%v: prompt forms shown %v", state, canRun, forms)
				}
				script := strings.Contains(html, "/static/console.js")
				if name == "console" && script != canRun {
					t.Errorf("console %s canRun=%v: script %v", state, canRun, script)
				}
				if name == "projector" && strings.Contains(html, `class="top"`) {
					t.Errorf("projector shows the staff header")
				}
			}
		}
	}
}

func TestPictureOptionRows(t *testing.T) {
	p := &SessionPage{Session: &model.Session{Prompts: []model.Prompt{{ID: "a", Kind: model.KindPicture,
		Options: []model.Option{{ID: "x", Label: model.Text{"nl": "X"}}}}}}, CanRun: true}
	f := p.EditForm(p.Session.Prompts[0])
	// One option and blank rows: at least two rows, at most the limit.
	if len(f.Options) != 1+blankOptions || f.Options[0].ID != "x" || f.Options[1].N != 2 {
		t.Fatalf("option rows: %+v", f.Options)
	}
	full := model.Prompt{ID: "b", Kind: model.KindPicture}
	for range sessions.MaxOptions {
		full.Options = append(full.Options, model.Option{ID: "o"})
	}
	if n := len(p.EditForm(full).Options); n != sessions.MaxOptions {
		t.Fatalf("a full picture prompt offers %d rows", n)
	}
}
