package i18n

import (
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Text is content written by people rather than by us — a prompt, an
// option label, a municipality's response — with one variant per language
// code: {"nl": "Hoe is het om hier te wonen?", "ar": "…"}. Writers rarely
// provide every language, so reading it goes through a fallback chain, and
// the caller learns which language it got: the page marks a fallback
// (message "content.fallback") and read-aloud picks the voice of the
// language actually shown, never the one the resident asked for.
type Text map[string]string

// In returns the text for lang and the language it is really in. It tries,
// in order: lang itself (a region or script is ignored: "ar-MA" reads
// "ar"), each fallback in turn (e.g. the languages a session offers),
// Dutch, and then any language there is (the smallest code, so the choice
// is stable). Blank variants do not count. An empty Text gives "", "".
func (t Text) In(lang string, fallback ...string) (text, usedLang string) {
	for _, code := range append(append([]string{lang}, fallback...), Source) {
		if code = baseCode(code); code == "" {
			continue
		}
		if s := t[code]; strings.TrimSpace(s) != "" {
			return s, code
		}
	}
	codes := make([]string, 0, len(t))
	for code, s := range t {
		if strings.TrimSpace(s) != "" {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return "", ""
	}
	sort.Strings(codes)
	return t[codes[0]], codes[0]
}

// baseCode returns the base language of a tag ("ar" for "ar-MA"), or ""
// for a malformed tag.
func baseCode(code string) string {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 35 {
		return ""
	}
	tag, err := language.Parse(code)
	if err != nil {
		return ""
	}
	base, conf := tag.Base()
	if conf != language.Exact {
		return ""
	}
	return base.String()
}
