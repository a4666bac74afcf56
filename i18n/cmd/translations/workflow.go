package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"

	"golang.org/x/text/language"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/i18n/internal/localefile"
)

// source is the language every key is written in first.
const source = i18n.Source

// reference is shown beside the Dutch in to-do files, for translators who
// read English better than Dutch.
const reference = "en"

// Why a key is in the to-do file.
const (
	reasonMissing    = "missing"
	reasonIncomplete = "incomplete" // a plural form is missing
	reasonOutdated   = "outdated"   // the Dutch changed since
)

// workspace is one language's file with its Dutch source and hashes.
type workspace struct {
	dir, lang string
	plurals   []string // the CLDR plural categories of lang
	srcBytes  []byte
	src       *localefile.File
	ref       *localefile.File // English, or nil
	dst       *localefile.File // empty for a new language
	hashes    localefile.Hashes
}

// item is one key the translator should (re)write.
type item struct {
	key     string
	reason  string
	src     localefile.Entry
	current *localefile.Entry // the translation there is, if any
}

func validLang(code string) error {
	tag, err := language.Parse(code)
	if err != nil || tag.String() != code || strings.ContainsAny(code, `/\.`) {
		return fmt.Errorf("%q is not a plain language code like tr or pt-BR", code)
	}
	return nil
}

func openWorkspace(dir, lang string) (*workspace, error) {
	w := &workspace{dir: dir, lang: lang, plurals: i18n.PluralCategories(language.Make(lang))}
	var err error
	if w.srcBytes, err = os.ReadFile(filepath.Join(dir, source+".toml")); err != nil {
		return nil, err
	}
	if w.src, err = localefile.Parse(source+".toml", w.srcBytes); err != nil {
		return nil, err
	}
	if w.dst, err = readLocale(dir, lang); err != nil {
		return nil, err
	}
	if lang != reference {
		if w.ref, err = readLocale(dir, reference); err != nil {
			return nil, err
		}
	}
	w.hashes, err = localefile.ReadHashes(os.DirFS(dir), filepath.ToSlash(filepath.Join(localefile.HashesDir, lang+".json")))
	if err != nil {
		return nil, err
	}
	return w, nil
}

// readLocale reads <dir>/<lang>.toml; a file that does not exist yet is an
// empty language.
func readLocale(dir, lang string) (*localefile.File, error) {
	b, err := os.ReadFile(filepath.Join(dir, lang+".toml"))
	if errors.Is(err, os.ErrNotExist) {
		return &localefile.File{}, nil
	}
	if err != nil {
		return nil, err
	}
	return localefile.Parse(lang+".toml", b)
}

func isPlural(e localefile.Entry) bool {
	for cat, text := range e.Forms {
		if cat != "other" && strings.TrimSpace(text) != "" {
			return true
		}
	}
	return false
}

func blank(e localefile.Entry) bool {
	for _, text := range e.Forms {
		if strings.TrimSpace(text) != "" {
			return false
		}
	}
	return true
}

// todo lists the keys that are missing, lack a plural form, or were
// translated from a Dutch text that has changed, in nl.toml's order.
func (w *workspace) todo() []item {
	cur := w.dst.Map()
	var items []item
	for _, s := range w.src.Entries {
		c, ok := cur[s.Key]
		switch {
		case !ok || blank(c):
			items = append(items, item{key: s.Key, reason: reasonMissing, src: s})
		case isPlural(s) && slices.ContainsFunc(w.plurals, func(cat string) bool { return strings.TrimSpace(c.Forms[cat]) == "" }):
			items = append(items, item{key: s.Key, reason: reasonIncomplete, src: s, current: &c})
		case w.hashes[s.Key] != localefile.Hash(s):
			items = append(items, item{key: s.Key, reason: reasonOutdated, src: s, current: &c})
		}
	}
	return items
}

// todoFile writes the file a translator fills in: every key with an empty
// text, and above it, as comments, the Dutch (and English) text and the
// translation there is now.
func (w *workspace) todoFile(items []item) []byte {
	var b bytes.Buffer
	missing, outdated := countReasons(items)
	fmt.Fprintf(&b, "# To translate into %s: %d missing, %d outdated.\n", w.langName(), missing, outdated)
	b.WriteString("# Write each text as a neighbour would say it: plain words, short sentences.\n")
	b.WriteString("# Many readers read poorly. Do not translate word for word.\n")
	b.WriteString("# Keep placeholders such as {{.Name}} exactly as they are.\n")
	b.WriteString("# An empty text is skipped. When you are done, run:\n")
	fmt.Fprintf(&b, "#   go run ./i18n/cmd/translations -lang %s -merge %s.todo.toml\n", w.lang, w.lang)
	var ref map[string]localefile.Entry
	if w.ref != nil {
		ref = w.ref.Map()
	}
	for _, it := range items {
		b.WriteByte('\n')
		switch it.reason {
		case reasonOutdated:
			b.WriteString("# outdated: the Dutch text changed after this was translated\n")
		case reasonIncomplete:
			b.WriteString("# incomplete: a plural form is missing\n")
		default:
			b.WriteString("# missing\n")
		}
		if note := metaNotes[it.key]; note != "" {
			b.WriteString("# " + note + "\n")
		}
		writeComment(&b, source, it.src)
		if r, ok := ref[it.key]; ok {
			writeComment(&b, reference, r)
		}
		if it.current != nil {
			writeComment(&b, "now", *it.current)
		}
		e := localefile.Entry{Key: it.key, Forms: map[string]string{}, Plural: isPlural(it.src)}
		if e.Plural {
			fmt.Fprintf(&b, "# %s needs the forms %s.\n", w.langName(), strings.Join(w.plurals, ", "))
			for _, cat := range w.plurals {
				e.Forms[cat] = ""
			}
		} else {
			e.Forms["other"] = ""
		}
		localefile.WriteEntry(&b, e, "")
	}
	return b.Bytes()
}

var metaNotes = map[string]string{
	"meta.native_name": "The name of your language, written in your language (it appears in the language list).",
	"meta.direction":   "ltr for left to right, rtl for right to left (Arabic, Persian, Hebrew, …).",
}

func writeComment(b *bytes.Buffer, label string, e localefile.Entry) {
	oneLine := func(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }
	if !e.Plural {
		fmt.Fprintf(b, "# %s: %s\n", label, oneLine(e.Text()))
		return
	}
	for _, cat := range localefile.Categories {
		if text, ok := e.Forms[cat]; ok {
			fmt.Fprintf(b, "# %s (%s): %s\n", label, cat, oneLine(text))
		}
	}
}

func (w *workspace) langName() string {
	if e, ok := w.dst.Map()["meta.native_name"]; ok && e.Text() != "" {
		return e.Text() + " (" + w.lang + ")"
	}
	return w.lang
}

// merge takes the texts of a filled-in to-do file into the language and
// records the hash of the Dutch each was translated from. Nothing changes
// unless every text is acceptable: a key nl.toml lacks, a missing plural
// form or a placeholder that differs from the Dutch is an error naming the
// key. The language file comes out tidy: in nl.toml's order, grouped, and
// without keys nl.toml no longer has.
func (w *workspace) merge(name string, b []byte) (string, error) {
	filled, err := localefile.Parse(name, b)
	if err != nil {
		return "", err
	}
	src, cur := w.src.Map(), w.dst.Map()
	hashes := localefile.Hashes{}
	for k, v := range w.hashes {
		hashes[k] = v
	}
	var errs []error
	merged, skipped := 0, 0
	for _, e := range filled.Entries {
		s, ok := src[e.Key]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: key %q is not in nl.toml", name, e.Key))
			continue
		}
		if blank(e) {
			skipped++
			continue
		}
		entry, err := w.accept(name, s, e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cur[e.Key] = entry
		hashes[e.Key] = localefile.Hash(s)
		merged++
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	dst, dropped := w.tidy(cur)
	dst.Header = w.header(filled)
	out := localefile.Format(dst.Header, dst.Entries)
	// Load the result exactly as the server will, so a broken placeholder
	// or template is refused here, with the file and key named.
	if _, err := i18n.LoadFS(fstest.MapFS{
		source + ".toml": {Data: w.srcBytes},
		w.lang + ".toml": {Data: out},
	}); err != nil {
		return "", err
	}
	w.dst, w.hashes = dst, hashes
	var rep strings.Builder
	fmt.Fprintf(&rep, "%s: merged %d translations", w.lang, merged)
	if skipped > 0 {
		fmt.Fprintf(&rep, ", skipped %d empty ones", skipped)
	}
	rep.WriteString(".\n")
	if len(dropped) > 0 {
		fmt.Fprintf(&rep, "%s: removed keys that nl.toml no longer has: %s\n", w.lang, strings.Join(dropped, ", "))
	}
	if left := len(w.todo()); left > 0 {
		fmt.Fprintf(&rep, "%s: %d keys still to do.\n", w.lang, left)
	}
	return rep.String(), nil
}

// accept checks one filled-in text against its Dutch source.
func (w *workspace) accept(name string, s, e localefile.Entry) (localefile.Entry, error) {
	if !isPlural(s) {
		if isPlural(e) {
			return e, fmt.Errorf("%s: key %q: the Dutch has no plural forms; write one text", name, e.Key)
		}
		return localefile.Entry{Key: e.Key, Forms: map[string]string{"other": e.Text()}}, nil
	}
	out := localefile.Entry{Key: e.Key, Forms: map[string]string{}, Plural: true}
	for cat, text := range e.Forms {
		if strings.TrimSpace(text) == "" {
			continue
		}
		if !slices.Contains(w.plurals, cat) {
			return e, fmt.Errorf("%s: key %q: %s has no plural form %q (it has %s)", name, e.Key, w.lang, cat, strings.Join(w.plurals, ", "))
		}
		out.Forms[cat] = text
	}
	for _, cat := range w.plurals {
		if out.Forms[cat] == "" {
			return e, fmt.Errorf("%s: key %q: fill in every plural form; %q is empty", name, e.Key, cat)
		}
	}
	return out, nil
}

// tidy orders the translations as nl.toml and drops keys it no longer has.
func (w *workspace) tidy(cur map[string]localefile.Entry) (*localefile.File, []string) {
	out := &localefile.File{Header: w.dst.Header}
	known := map[string]bool{}
	for _, s := range w.src.Entries {
		known[s.Key] = true
		if e, ok := cur[s.Key]; ok && !blank(e) {
			out.Entries = append(out.Entries, e)
		}
	}
	var dropped []string
	for k := range cur {
		if !known[k] {
			dropped = append(dropped, k)
		}
	}
	slices.Sort(dropped)
	return out, dropped
}

// header keeps the language file's own header, or writes one for a new
// language.
func (w *workspace) header(filled *localefile.File) []string {
	if len(w.dst.Header) > 0 {
		return w.dst.Header
	}
	name := w.lang
	if e, ok := filled.Map()["meta.native_name"]; ok && e.Text() != "" {
		name = e.Text()
	}
	return []string{
		"# " + name + ". Plain words, short sentences, as a neighbour would say it.",
		"# Keep placeholders like {{.Name}}. Made with go run ./i18n/cmd/translations.",
	}
}

// stamp records that every current translation matches the current Dutch,
// after someone edited the language file by hand. It returns how many
// translations it stamped.
func (w *workspace) stamp() int {
	src := w.src.Map()
	w.hashes = localefile.Hashes{}
	for _, e := range w.dst.Entries {
		if s, ok := src[e.Key]; ok && !blank(e) {
			w.hashes[e.Key] = localefile.Hash(s)
		}
	}
	return len(w.hashes)
}

func (w *workspace) save() error {
	out := localefile.Format(w.dst.Header, w.dst.Entries)
	if err := os.WriteFile(filepath.Join(w.dir, w.lang+".toml"), out, 0o644); err != nil {
		return err
	}
	return w.saveHashes()
}

// saveHashes writes the hashes of the keys the language has.
func (w *workspace) saveHashes() error {
	has := w.dst.Map()
	for k := range w.hashes {
		if _, ok := has[k]; !ok {
			delete(w.hashes, k)
		}
	}
	return localefile.WriteHashes(localefile.HashesPath(w.dir, w.lang), w.hashes)
}
