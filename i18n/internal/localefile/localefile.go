// Package localefile reads and writes buurtstem's locale files and the
// source-hash sidecars beside them. Both the i18n package (when it loads the
// files) and the translator command (when it rewrites them) use it, so there
// is exactly one idea of what a locale file may contain.
//
// A locale file is TOML with flat, quoted keys:
//
//	"login.title" = "Inloggen"
//	"org.neighbourhood_count".one = "{{.Count}} buurt"
//	"org.neighbourhood_count".other = "{{.Count}} buurten"
//
// A plain message is a string. A message with plural forms is a set of
// dotted keys, one per CLDR plural category (zero, one, two, few, many,
// other). Nothing else is allowed.
package localefile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Categories are the CLDR plural categories in their usual order.
var Categories = []string{"zero", "one", "two", "few", "many", "other"}

func isCategory(s string) bool {
	for _, c := range Categories {
		if c == s {
			return true
		}
	}
	return false
}

// Entry is one message of a locale file.
type Entry struct {
	Key string
	// Forms maps a plural category to its text. A plain message has only
	// "other".
	Forms map[string]string
	// Plural is true when the file wrote the message as plural forms.
	Plural bool
}

// Text returns the plain text of the message (its "other" form).
func (e Entry) Text() string { return e.Forms["other"] }

// File is a parsed locale file.
type File struct {
	// Header holds the comment lines at the top of the file (with their
	// "#"), which a rewrite keeps.
	Header []string
	// Entries are the messages in the order of the file.
	Entries []Entry
}

// Map returns the entries by key.
func (f *File) Map() map[string]Entry {
	m := make(map[string]Entry, len(f.Entries))
	for _, e := range f.Entries {
		m[e.Key] = e
	}
	return m
}

// Keys returns the keys in file order.
func (f *File) Keys() []string {
	keys := make([]string, len(f.Entries))
	for i, e := range f.Entries {
		keys[i] = e.Key
	}
	return keys
}

// Parse reads a locale file. Every error names the file, and the key where
// there is one: a TOML syntax error as "tr.toml: toml: line 5 (last key
// "login.title"): …".
func Parse(name string, b []byte) (*File, error) {
	var raw map[string]any
	md, err := toml.Decode(string(b), &raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{Header: header(b)}
	seen := map[string]int{}
	for _, k := range md.Keys() {
		key := k[0]
		if _, ok := seen[key]; ok {
			continue
		}
		seen[key] = len(f.Entries)
		e := Entry{Key: key, Forms: map[string]string{}}
		switch v := raw[key].(type) {
		case string:
			e.Forms["other"] = v
		case map[string]any:
			e.Plural = true
			for cat, text := range v {
				s, ok := text.(string)
				if !ok || !isCategory(cat) {
					return nil, fmt.Errorf("%s: key %q: %q is not a plural form (zero, one, two, few, many, other) with a string; write each key whole and in quotes, like \"login.title\" = \"…\"", name, key, cat)
				}
				e.Forms[cat] = s
			}
		default:
			return nil, fmt.Errorf("%s: key %q: the value must be a string", name, key)
		}
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

// header returns the comment lines before the first blank or key line.
func header(b []byte) []string {
	var h []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			break
		}
		h = append(h, strings.TrimSpace(line))
	}
	return h
}

// Format writes a locale file in its one tidy form: the header, then the
// entries in the given order, a blank line between groups (the part of the
// key before the first dot), plural forms in CLDR order. Parse(Format(f))
// gives f back.
func Format(hdr []string, entries []Entry) []byte {
	var b bytes.Buffer
	for _, line := range hdr {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	group := ""
	for i, e := range entries {
		g, _, _ := strings.Cut(e.Key, ".")
		if (i == 0 && len(hdr) > 0) || (i > 0 && g != group) {
			b.WriteByte('\n')
		}
		group = g
		writeEntry(&b, e, "")
	}
	return b.Bytes()
}

func writeEntry(b *bytes.Buffer, e Entry, prefix string) {
	if !e.Plural {
		fmt.Fprintf(b, "%s%s = %s\n", prefix, Quote(e.Key), Quote(e.Forms["other"]))
		return
	}
	for _, cat := range Categories {
		if text, ok := e.Forms[cat]; ok {
			fmt.Fprintf(b, "%s%s.%s = %s\n", prefix, Quote(e.Key), cat, Quote(text))
		}
	}
}

// WriteEntry writes one entry as Format would, each line starting with
// prefix (e.g. "# " to show it as a comment).
func WriteEntry(b *bytes.Buffer, e Entry, prefix string) { writeEntry(b, e, prefix) }

// Quote writes s as a TOML basic string. Letters of every script stay
// as they are, so translators can read the file.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var placeholderRE = regexp.MustCompile(`{{-?\s*(.*?)\s*-?}}`)

// Placeholders returns the template actions of a text ("{{.Name}}" gives
// ".Name"), sorted and without duplicates.
func Placeholders(s string) []string {
	set := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		set[strings.Join(strings.Fields(m[1]), " ")] = true
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Hash identifies the Dutch source text of a message. A translation
// records the hash of the text it was made from; when the Dutch text
// changes, the hashes differ and the translation is outdated.
func Hash(e Entry) string {
	h := sha256.New()
	if !e.Plural {
		h.Write([]byte(e.Forms["other"]))
	} else {
		for _, cat := range Categories {
			if text, ok := e.Forms[cat]; ok {
				fmt.Fprintf(h, "%s\x00%s\x00", cat, text)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Hashes maps a key of a translation to the Hash of the Dutch text it was
// translated from.
type Hashes map[string]string

// HashesDir is the directory beside the locale files that holds one
// hashes file per translated language.
const HashesDir = ".source-hashes"

// HashesPath is where the hashes of a language live, given the locales
// directory.
func HashesPath(localesDir, lang string) string {
	return filepath.Join(localesDir, HashesDir, lang+".json")
}

// ReadHashes reads a hashes file from fsys. A file that does not exist
// gives empty hashes.
func ReadHashes(fsys fs.FS, name string) (Hashes, error) {
	b, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return Hashes{}, nil
	}
	if err != nil {
		return nil, err
	}
	h := Hashes{}
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return h, nil
}

// WriteHashes writes a hashes file with sorted keys, one per line, so that
// diffs stay small.
func WriteHashes(path string, h Hashes) error {
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
