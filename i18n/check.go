package i18n

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/buurtstem/buurtstem/i18n/internal/localefile"
)

// PluralCategories returns the CLDR plural categories a language uses for
// cardinal numbers, in CLDR order: "one", "other" for Dutch; "zero", "one",
// "two", "few", "many", "other" for Arabic; "one", "few", "many", "other"
// for Polish and Ukrainian ("other" is for fractions there, but CLDR and
// go-i18n still want it).
func PluralCategories(tag language.Tag) []string {
	seen := map[plural.Form]bool{}
	for i := 0; i <= 1200; i++ {
		seen[plural.Cardinal.MatchPlural(tag, i, 0, 0, 0, 0)] = true
	}
	// One decimal place, 0.0 … 20.9, reaches the categories that only
	// fractions use.
	for i := 0; i <= 20; i++ {
		for f := 0; f <= 9; f++ {
			w := 1
			if f == 0 {
				w = 0
			}
			seen[plural.Cardinal.MatchPlural(tag, i, 1, w, f, f)] = true
		}
	}
	names := map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two",
		plural.Few: "few", plural.Many: "many", plural.Other: "other"}
	var out []string
	for _, cat := range localefile.Categories {
		for f, name := range names {
			if name == cat && seen[f] {
				out = append(out, cat)
			}
		}
	}
	return out
}

// Problem is one defect of a locale file, named by file and key.
type Problem struct {
	File string // e.g. "pl.toml"
	Key  string
	Kind Kind
	Msg  string
}

// Kind sorts problems, so each test can report its own.
type Kind string

// Kinds of problems. LoadFS refuses KindPlaceholder and KindTemplate: they
// would show a person a broken text.
const (
	KindMissing     Kind = "missing"     // a key of nl.toml is not in the file
	KindEmpty       Kind = "empty"       // the text is empty
	KindUnknown     Kind = "unknown"     // the key is not in nl.toml
	KindPlural      Kind = "plural"      // plural forms missing, extra or unexpected
	KindPlaceholder Kind = "placeholder" // placeholders differ from the Dutch
	KindTemplate    Kind = "template"    // the text does not parse as a template
)

func (p Problem) Error() string { return fmt.Sprintf("%s: key %q: %s", p.File, p.Key, p.Msg) }

// forms returns the non-blank plural forms of a message by category.
func forms(m *goi18n.Message) map[string]string {
	out := map[string]string{}
	for cat, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two,
		"few": m.Few, "many": m.Many, "other": m.Other} {
		if strings.TrimSpace(text) != "" {
			out[cat] = text
		}
	}
	return out
}

// Check lists every defect of the loaded locale files, in language and
// file order: a key of nl.toml missing or empty in a translation, a key
// that nl.toml does not have, placeholders that differ from the Dutch, and
// plural forms that are missing or not used by the language. The tests
// require it to be empty; the translator command prints it.
func (c *Catalog) Check() []Problem {
	var out []Problem
	src := c.messages[Source]
	for _, lang := range c.langs {
		file := lang.Code + ".toml"
		msgs := c.messages[lang.Code]
		for _, id := range c.order[Source] {
			sm := src[id]
			m, ok := msgs[id]
			if !ok {
				out = append(out, Problem{File: file, Key: id, Kind: KindMissing, Msg: "missing; nl.toml has it"})
				continue
			}
			out = append(out, c.checkMessage(lang, file, sm, m)...)
		}
		for _, id := range c.order[lang.Code] {
			if _, ok := src[id]; !ok {
				out = append(out, Problem{File: file, Key: id, Kind: KindUnknown, Msg: "not in nl.toml; remove it, or add it to nl.toml first"})
			}
		}
	}
	return out
}

// checkMessage checks one message of a language against its Dutch source
// (for Dutch itself, against itself).
func (c *Catalog) checkMessage(lang Lang, file string, src, m *goi18n.Message) []Problem {
	var out []Problem
	sf, mf := forms(src), forms(m)
	if len(mf) == 0 {
		return []Problem{{File: file, Key: m.ID, Kind: KindEmpty, Msg: "empty"}}
	}
	if !c.plural[m.ID] {
		if len(mf) > 1 || mf["other"] == "" {
			out = append(out, Problem{File: file, Key: m.ID, Kind: KindPlural, Msg: "has plural forms, but the Dutch source has none; write one plain text"})
		}
	} else {
		for _, cat := range lang.Plurals {
			if mf[cat] == "" {
				out = append(out, Problem{File: file, Key: m.ID, Kind: KindPlural, Msg: fmt.Sprintf("plural form %q is missing (%s needs %s)",
					cat, lang.NativeName, strings.Join(lang.Plurals, ", "))})
			}
		}
		for cat := range mf {
			if !slices.Contains(lang.Plurals, cat) {
				out = append(out, Problem{File: file, Key: m.ID, Kind: KindPlural, Msg: fmt.Sprintf("plural form %q is not used in %s (it has %s)",
					cat, lang.NativeName, strings.Join(lang.Plurals, ", "))})
			}
		}
	}
	for _, p := range placeholderProblems(sf, mf) {
		out = append(out, Problem{File: file, Key: m.ID, Kind: KindPlaceholder, Msg: p})
	}
	for _, cat := range localefile.Categories {
		if text, ok := mf[cat]; ok {
			if _, err := template.New(m.ID).Parse(text); err != nil {
				out = append(out, Problem{File: file, Key: m.ID, Kind: KindTemplate, Msg: fmt.Sprintf("form %q does not parse: %v", cat, err)})
			}
		}
	}
	return out
}

// placeholderProblems compares the placeholders of a translation with its
// Dutch source. The "other" form must have exactly the placeholders of the
// Dutch "other" form; the other plural forms may leave some out (Arabic
// writes "حيّ واحد", "one neighbourhood", without the number) but may not
// add any.
func placeholderProblems(src, tr map[string]string) []string {
	var out []string
	want := localefile.Placeholders(src["other"])
	if got := localefile.Placeholders(tr["other"]); !slices.Equal(got, want) {
		out = append(out, fmt.Sprintf("placeholders %s, but the Dutch has %s", show(got), show(want)))
	}
	allowed := map[string]bool{}
	for _, text := range src {
		for _, p := range localefile.Placeholders(text) {
			allowed[p] = true
		}
	}
	for _, cat := range localefile.Categories {
		if cat == "other" {
			continue
		}
		for _, p := range localefile.Placeholders(tr[cat]) {
			if !allowed[p] {
				out = append(out, fmt.Sprintf("form %q has placeholder {{%s}}, which the Dutch does not have", cat, p))
			}
		}
	}
	return out
}

func show(ps []string) string {
	if len(ps) == 0 {
		return "none"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = "{{" + p + "}}"
	}
	return strings.Join(s, " ")
}

// loadErrors is the part of Check that LoadFS enforces: problems that would
// show a person a broken text (a template that does not parse, a
// placeholder the code does not fill, "<no value>").
func (c *Catalog) loadErrors() error {
	var errs []error
	for _, p := range c.Check() {
		if p.Kind == KindPlaceholder || p.Kind == KindTemplate {
			errs = append(errs, fmt.Errorf("i18n: %w", p))
		}
	}
	return errors.Join(errs...)
}
