// Package i18n holds every word buurtstem shows a person, in every language
// it ships, and decides which language a person sees.
//
// Locale files live in locales/, one TOML file per language named by its
// code (nl.toml, ar.toml, …), embedded in the binary. Dutch (nl) is the
// source: every key exists there first. Each file carries its own native
// name and writing direction under "meta.*" keys, so adding a language is
// adding one file and nothing else.
//
// The package imports neither Fiber nor the store: it is pure and is used by
// the server, the templates and the live protocol alike.
package i18n

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed locales/*.toml
var localeFS embed.FS

// Source is the language every key is written in first and the last
// fallback.
const Source = "nl"

// Lang describes one shipped language.
type Lang struct {
	Code       string // base language code, e.g. "ar"
	Tag        language.Tag
	NativeName string // the language's name in itself, e.g. "العربية"
	Dir        string // "ltr" or "rtl"
}

// Catalog is the loaded set of languages. It is safe for concurrent use.
type Catalog struct {
	bundle  *goi18n.Bundle
	langs   []Lang
	byCode  map[string]Lang
	matcher language.Matcher
	// messages[code][id] is the message as parsed, for the checks.
	messages map[string]map[string]*goi18n.Message
}

// Load reads the embedded locale files.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(localeFS, "locales")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads every *.toml file at the root of fsys. Tests use it to load
// broken files; a syntax error names the file.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	bundle := goi18n.NewBundle(language.Dutch)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	c := &Catalog{
		bundle:   bundle,
		byCode:   map[string]Lang{},
		messages: map[string]map[string]*goi18n.Message{},
	}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		mf, err := bundle.ParseMessageFileBytes(b, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		code := strings.TrimSuffix(path.Base(name), ".toml")
		tag, err := language.Parse(code)
		if err != nil || tag.String() != code {
			return nil, fmt.Errorf("i18n: %s: file name is not a plain language code", name)
		}
		msgs := map[string]*goi18n.Message{}
		for _, m := range mf.Messages {
			msgs[m.ID] = m
		}
		c.messages[code] = msgs
		lang := Lang{Code: code, Tag: tag, NativeName: text(msgs["meta.native_name"]), Dir: text(msgs["meta.direction"])}
		if lang.NativeName == "" {
			return nil, fmt.Errorf("i18n: %s: key meta.native_name is missing", name)
		}
		if lang.Dir != "ltr" && lang.Dir != "rtl" {
			return nil, fmt.Errorf("i18n: %s: key meta.direction must be ltr or rtl, not %q", name, lang.Dir)
		}
		c.langs = append(c.langs, lang)
		c.byCode[code] = lang
	}
	if _, ok := c.byCode[Source]; !ok {
		return nil, errors.New("i18n: the source language file nl.toml is missing")
	}
	// Source first, then by code: the matcher prefers earlier entries on ties.
	sort.Slice(c.langs, func(i, j int) bool {
		if (c.langs[i].Code == Source) != (c.langs[j].Code == Source) {
			return c.langs[i].Code == Source
		}
		return c.langs[i].Code < c.langs[j].Code
	})
	tags := make([]language.Tag, len(c.langs))
	for i, l := range c.langs {
		tags[i] = l.Tag
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

func text(m *goi18n.Message) string {
	if m == nil {
		return ""
	}
	return m.Other
}

// Languages returns the shipped languages, Dutch first.
func (c *Catalog) Languages() []Lang { return c.langs }

// Lookup returns a shipped language by code. Malformed or unknown codes
// return false; region and script parts are ignored ("ar-MA" is "ar").
func (c *Catalog) Lookup(code string) (Lang, bool) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 35 {
		return Lang{}, false
	}
	tag, err := language.Parse(code)
	if err != nil {
		return Lang{}, false
	}
	base, _ := tag.Base()
	l, ok := c.byCode[base.String()]
	return l, ok
}

// Negotiate picks the language a person sees, in this order: their explicit
// choice (remembered on the device), then — if a session offers a set of
// languages — the first offered language that their browser accepts, then
// the browser's Accept-Language, then Dutch. Bad tags anywhere are ignored.
func (c *Catalog) Negotiate(explicit string, offered []string, acceptLanguage string) Lang {
	if l, ok := c.Lookup(explicit); ok {
		return l
	}
	accepted, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	if len(offered) > 0 {
		var offer []Lang
		for _, o := range offered {
			if l, ok := c.Lookup(o); ok {
				offer = append(offer, l)
			}
		}
		if len(offer) > 0 {
			tags := make([]language.Tag, len(offer))
			for i, l := range offer {
				tags[i] = l.Tag
			}
			if len(accepted) > 0 {
				// The matcher returns an extended tag ("nl-u-rg-…"), so use
				// the index it matched, never the tag itself.
				_, idx, conf := language.NewMatcher(tags).Match(accepted...)
				if conf != language.No {
					return offer[idx]
				}
			}
			return offer[0]
		}
	}
	if len(accepted) > 0 {
		_, idx, conf := c.matcher.Match(accepted...)
		if conf != language.No {
			return c.langs[idx]
		}
	}
	return c.byCode[Source]
}

// Localizer translates into one language. Make one per request; never
// share one between requests of different people.
type Localizer struct {
	Lang    Lang
	l       *goi18n.Localizer
	printer *message.Printer
}

// Localizer returns a localizer for a language code; unknown codes get
// Dutch.
func (c *Catalog) Localizer(code string) *Localizer {
	lang, ok := c.Lookup(code)
	if !ok {
		lang = c.byCode[Source]
	}
	return &Localizer{
		Lang:    lang,
		l:       goi18n.NewLocalizer(c.bundle, lang.Code, Source),
		printer: message.NewPrinter(lang.Tag),
	}
}

// T translates a message. Arguments are alternating placeholder names and
// values: T("login.welcome", "Name", name). A message missing in this
// language falls back to Dutch (go-i18n returns the fallback text together
// with an error, which is expected here and ignored); a message missing
// everywhere returns its id, which the completeness tests forbid.
func (l *Localizer) T(id string, args ...any) string {
	return l.localize(id, nil, args)
}

// N translates a message with plural forms for count, which is also
// available to the message as {{.Count}}.
func (l *Localizer) N(id string, count int, args ...any) string {
	return l.localize(id, count, append(args, "Count", l.Number(count)))
}

func (l *Localizer) localize(id string, count any, args []any) string {
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			if k, ok := args[i].(string); ok {
				data[k] = args[i+1]
			}
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if s == "" && err != nil {
		return id
	}
	return s
}

// Number formats an integer with this language's digit grouping.
func (l *Localizer) Number(n int) string { return l.printer.Sprintf("%d", n) }

// Date formats a day as "27 november 2026" in this language, with month
// names from the locale file (x/text has no CLDR date patterns).
func (l *Localizer) Date(t time.Time) string {
	return l.T("date.day_month_year",
		"Day", t.Day(), "Month", l.T(fmt.Sprintf("month.%d", int(t.Month()))), "Year", t.Year())
}

// DateTime formats a moment as the date plus 24-hour time.
func (l *Localizer) DateTime(t time.Time) string {
	return l.T("date.date_time", "Date", l.Date(t), "Time", t.Format("15:04"))
}
