package web

import (
	"strconv"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// Helpers for the pages about live sessions: labels of kinds, states,
// faces and themes in the page's language, and person-written text picked
// by the fallback chain.

// The message ids of labels. Literal ids, so the i18n tests see each one.
var (
	kindLabels = map[model.PromptKind]string{
		model.KindFaces: "prompt_kind.faces", model.KindThemes: "prompt_kind.themes",
		model.KindPicture: "prompt_kind.picture", model.KindOpen: "prompt_kind.open",
		model.KindDots: "prompt_kind.dots", model.KindFeedback: "prompt_kind.feedback",
	}
	stateLabels = map[model.SessionState]string{
		model.StateDraft: "session_state.draft", model.StateOpen: "session_state.open",
		model.StateRunning: "session_state.running", model.StateClosed: "session_state.closed",
	}
	faceLabels = map[string]string{
		"1": "face.1", "2": "face.2", "3": "face.3", "4": "face.4", "5": "face.5",
	}
	themeLabels = map[string]string{
		"welfare": "theme.welfare", "education": "theme.education", "safety": "theme.safety",
		"housing": "theme.housing", "work": "theme.work", "democracy": "theme.democracy", "other": "theme.other",
	}
	kindHints = map[model.PromptKind]string{
		model.KindFaces: "prompt_kind.faces_hint", model.KindThemes: "prompt_kind.themes_hint",
		model.KindPicture: "prompt_kind.picture_hint", model.KindOpen: "prompt_kind.open_hint",
		model.KindDots: "prompt_kind.dots_hint", model.KindFeedback: "prompt_kind.feedback_hint",
	}
	allowLabels = map[string]string{
		"voice": "sessions.allow_voice", "photo": "sessions.allow_photo", "text": "sessions.allow_text",
	}
)

// KindLabel names a prompt kind.
func (p *Page) KindLabel(k model.PromptKind) string { return p.L.T(kindLabels[k]) }

// KindHint says in a sentence what a prompt kind asks residents.
func (p *Page) KindHint(k model.PromptKind) string { return p.L.T(kindHints[k]) }

// StateLabel names a session state.
func (p *Page) StateLabel(s model.SessionState) string { return p.L.T(stateLabels[s]) }

// AllowLabel names a kind of open answer: voice, photo or text.
func (p *Page) AllowLabel(a string) string { return p.L.T(allowLabels[a]) }

// ThemeLabel names a theme.
func (p *Page) ThemeLabel(id string) string { return p.L.T(themeLabels[id]) }

// LangOf returns a shipped language by code (Dutch for an unknown code).
func (p *Page) LangOf(code string) i18n.Lang {
	for _, l := range p.Langs {
		if l.Code == code {
			return l
		}
	}
	return p.L.Lang
}

// Shown is person-written text as a page shows it: in the language it
// really is in, so the element can carry lang and dir.
type Shown struct {
	Text string
	Lang string
	Dir  string
}

// Pick returns person-written text in the page's language, else in the
// first of langs that has it (a session's languages).
func (p *Page) Pick(t model.Text, langs []string) Shown {
	text, lang := i18n.Text(t).In(p.L.Lang.Code, langs...)
	return Shown{Text: text, Lang: lang, Dir: p.LangOf(lang).Dir}
}

// Others returns the variants of t in langs other than the one Pick shows:
// the projector shows them smaller below, for a room of several languages.
func (p *Page) Others(t model.Text, langs []string) []Shown {
	shown := p.Pick(t, langs)
	var out []Shown
	for _, l := range langs {
		if v := t[l]; v != "" && l != shown.Lang {
			out = append(out, Shown{Text: v, Lang: l, Dir: p.LangOf(l).Dir})
		}
	}
	return out
}

// ResultRow is one bar of a prompt's live results: a face, a theme or a
// picture option.
type ResultRow struct {
	Key       string // the key of protocol.ResultsData.Counts
	Label     Shown
	Pictogram string // a file in static/pictograms, or ""
}

// Rows returns the bars of a prompt's results, in the order residents see
// the choices. Open, dots and feedback prompts have none: their results
// are the wall and the ranking, which the page builds live.
func (p *Page) Rows(pr model.Prompt, langs []string) []ResultRow {
	var out []ResultRow
	own := func(s string) Shown { return Shown{Text: s, Lang: p.L.Lang.Code, Dir: p.L.Lang.Dir} }
	switch pr.Kind {
	case model.KindFaces:
		for n := 5; n >= 1; n-- {
			k := strconv.Itoa(n)
			out = append(out, ResultRow{Key: k, Label: own(p.L.T(faceLabels[k])), Pictogram: "face-" + k})
		}
	case model.KindThemes:
		for _, id := range sessions.Themes {
			out = append(out, ResultRow{Key: id, Label: own(p.ThemeLabel(id)), Pictogram: "theme-" + id})
		}
	case model.KindPicture:
		for _, o := range pr.Options {
			r := ResultRow{Key: o.ID, Label: p.Pick(o.Label, langs)}
			if hasPictogram(o.Pictogram) {
				r.Pictogram = o.Pictogram
			}
			out = append(out, r)
		}
	}
	return out
}
