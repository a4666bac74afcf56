// Package i18n holds every word buurtstem shows a person, in every language
// it ships, and decides which language a person sees.
//
// Locale files live in locales/, one TOML file per language named by its
// code (nl.toml, ar.toml, …), embedded in the binary. Dutch (nl) is the
// source: every key exists there first. Each file carries its own native
// name and writing direction under "meta.*" keys, so adding a language is
// adding one file and nothing else. Keys are flat and quoted; a message
// with plural forms has one dotted key per CLDR category:
//
//	"login.title" = "Inloggen"
//	"org.neighbourhood_count".one = "{{.Count}} buurt"
//	"org.neighbourhood_count".other = "{{.Count}} buurten"
//
// The tests in this package are the checks that keep every language
// complete and correct (see Check); cmd/translations is the translators'
// tool; Text holds content written by people, with a fallback chain; the
// machine package translates residents' input for reviewers.
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
	"sync"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/buurtstem/buurtstem/i18n/internal/localefile"
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
	// Plurals are the CLDR plural categories this language uses, e.g.
	// one, few, many, other for Polish. A message with plural forms needs
	// every one of them.
	Plurals []string
}

// Catalog is the loaded set of languages. It is safe for concurrent use.
type Catalog struct {
	bundle  *goi18n.Bundle
	langs   []Lang
	byCode  map[string]Lang
	matcher language.Matcher
	// messages[code][id] is the message as parsed, for the checks.
	messages map[string]map[string]*goi18n.Message
	// order[code] lists the keys in file order, for stable reports.
	order map[string][]string
	// plural holds the ids whose Dutch source has plural forms.
	plural map[string]bool
	// localizers caches one Localizer per language: they are read-only
	// and safe for concurrent use (TestSharedLocalizerIsSafe), and a live
	// server asks for one per connection.
	localizers sync.Map
}

// Load reads the embedded locale files.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(localeFS, "locales")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads every *.toml file at the root of fsys. It refuses files that
// would show a person something broken, naming the file and the key: a TOML
// syntax error, a message whose template does not parse, or a translation
// whose placeholders differ from the Dutch source. A key missing from a
// translation is not an error here (Dutch shows instead); Check and the
// tests report it.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	bundle := goi18n.NewBundle(language.Dutch)
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	c := &Catalog{
		bundle:   bundle,
		byCode:   map[string]Lang{},
		messages: map[string]map[string]*goi18n.Message{},
		order:    map[string][]string{},
		plural:   map[string]bool{},
	}
	for _, name := range names {
		code := strings.TrimSuffix(path.Base(name), ".toml")
		tag, err := language.Parse(code)
		if err != nil || tag.String() != code {
			return nil, fmt.Errorf("i18n: %s: file name is not a plain language code", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f, err := localefile.Parse(name, b)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		msgs := map[string]*goi18n.Message{}
		list := make([]*goi18n.Message, 0, len(f.Entries))
		for _, e := range f.Entries {
			m := &goi18n.Message{ID: e.Key, Zero: e.Forms["zero"], One: e.Forms["one"], Two: e.Forms["two"],
				Few: e.Forms["few"], Many: e.Forms["many"], Other: e.Forms["other"]}
			msgs[e.Key] = m
			list = append(list, m)
		}
		if err := bundle.AddMessages(tag, list...); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		c.messages[code] = msgs
		c.order[code] = f.Keys()
		lang := Lang{Code: code, Tag: tag, NativeName: text(msgs["meta.native_name"]), Dir: text(msgs["meta.direction"]),
			Plurals: PluralCategories(tag)}
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
	for id, m := range c.messages[Source] {
		if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
			c.plural[id] = true
		}
	}
	if err := c.loadErrors(); err != nil {
		return nil, err
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
	// Only a base language the tag really names: for "und" or "und-SA"
	// Base guesses ("en", "ar") with low confidence.
	base, conf := tag.Base()
	if conf != language.Exact {
		return Lang{}, false
	}
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
	accepted := parseAcceptLanguage(acceptLanguage)
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

// Limits on an Accept-Language header: real browsers send a few hundred
// bytes at most; anything longer is cut, not parsed at length.
const (
	maxAcceptLanguage = 1024
	maxAcceptEntries  = 16
)

// parseAcceptLanguage reads an Accept-Language header, most wanted first.
// Unlike language.ParseAcceptLanguage it keeps the good entries when one
// entry is bad: "xx, ar" still means Arabic.
func parseAcceptLanguage(h string) []language.Tag {
	if len(h) > maxAcceptLanguage {
		h = h[:maxAcceptLanguage]
	}
	if tags, _, err := language.ParseAcceptLanguage(h); err == nil {
		return tags
	}
	type weighted struct {
		tag language.Tag
		q   float32
	}
	var list []weighted
	for i, part := range strings.Split(h, ",") {
		if i == maxAcceptEntries {
			break
		}
		tags, qs, err := language.ParseAcceptLanguage(part)
		if err != nil || len(tags) != 1 {
			continue
		}
		list = append(list, weighted{tags[0], qs[0]})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].q > list[j].q })
	out := make([]language.Tag, len(list))
	for i, w := range list {
		out[i] = w.tag
	}
	return out
}

// Localizer translates into one language. Make one per request; never
// share one between requests of different people.
type Localizer struct {
	Lang    Lang
	l       *goi18n.Localizer
	printer *message.Printer
	plural  map[string]bool // read-only, shared with the catalog
}

// Localizer returns a localizer for a language code; unknown codes get
// Dutch.
func (c *Catalog) Localizer(code string) *Localizer {
	lang, ok := c.Lookup(code)
	if !ok {
		lang = c.byCode[Source]
	}
	if l, ok := c.localizers.Load(lang.Code); ok {
		return l.(*Localizer)
	}
	l, _ := c.localizers.LoadOrStore(lang.Code, c.newLocalizer(lang))
	return l.(*Localizer)
}

func (c *Catalog) newLocalizer(lang Lang) *Localizer {
	return &Localizer{
		Lang:    lang,
		l:       goi18n.NewLocalizer(c.bundle, lang.Code, Source),
		printer: message.NewPrinter(numberTag(lang.Tag)),
		plural:  c.plural,
	}
}

// numberTag asks for the digits 0–9 in every language. Join codes, receipt
// codes and times on the same page use them, and most Arabic-speaking
// residents in the Netherlands (Moroccan Arabic readers above all) read
// them; x/text would otherwise write Arabic-Indic digits (١٢٣) for "ar".
func numberTag(t language.Tag) language.Tag {
	if u, err := t.SetTypeForKey("nu", "latn"); err == nil {
		return u
	}
	return t
}

// T translates a message. Arguments are alternating placeholder names and
// values: T("login.welcome", "Name", name). A message missing in this
// language falls back to Dutch (go-i18n returns the fallback text together
// with an error, which is expected here and ignored); a message missing
// everywhere returns its id, which the completeness tests forbid.
//
// A message with plural forms takes its form from its one whole-number
// argument: T("login.locked", "Minutes", 1) says "1 minute", with 5 it says
// "5 minutes", and in Polish or Arabic the right one of their forms. So
// code that only carries data (apperr.Error.Data) needs no plural logic.
func (l *Localizer) T(id string, args ...any) string {
	var count any
	if l.plural[id] {
		count = pluralCount(args)
	}
	return l.localize(id, count, args)
}

// N translates a message with plural forms for count, which is also
// available to the message as {{.Count}}, written with this language's
// digit grouping.
func (l *Localizer) N(id string, count int, args ...any) string {
	return l.localize(id, count, append(args, "Count", l.Number(count)))
}

// pluralCount returns the one whole-number argument value, or nil (the
// "other" form) when there is none or more than one.
func pluralCount(args []any) any {
	var found any
	for i := 1; i < len(args); i += 2 {
		switch args[i].(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			if found != nil {
				return nil
			}
			found = args[i]
		}
	}
	return found
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
