package moderation

import (
	"bufio"
	"embed"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexicons are plain text files, one per language, in lexicon/. See
// README.md for the format; in short:
//
//	[insult]                  section: what the lines below are
//	klootzak                  a word (normalised, so KL00TZAK matches)
//	klootzak*  *klootzak      this word, or a word starting or ending with it
//	!kankeronderzoek*         never matched by a * entry (Scunthorpe)
//	+jij idioot               phrase; '+' words give context and are not masked
//	ik ~ weet waar je woont   '~' skips up to 3 words, '~6' up to 6
//	{maak|sla} _              alternatives; '_' is any one word
//	bitch @all                also used for texts in every other language
//
// Phrases do not cross a sentence end.
//
//go:embed lexicon/*.txt
var lexiconFS embed.FS

type category uint8

const (
	catInsult category = iota
	catProfanity
	catThreat
	catHate
	catLocator    // doxxing: "woont op", "private number"
	catCall       // doxxing: "ga hem opzoeken", "everyone call him"
	catTitle      // the word before a name: mevrouw, Mr, pani, السيد
	catTitleAfter // the word after a name: Bey, Hanım
	catNameAfter  // what follows a name and points at a home: "van hiernaast"
	catSelfName   // "mijn naam is", "my name is"
	catNotName    // capitalised words that are not names
	numCategories
)

var sections = map[string]category{
	"insult": catInsult, "profanity": catProfanity, "threat": catThreat, "hate": catHate,
	"locator": catLocator, "call": catCall, "title": catTitle, "title-after": catTitleAfter,
	"name-after": catNameAfter, "self-name": catSelfName, "not-name": catNotName,
}

// codeOf maps the categories that are reasons to their code.
var codeOf = map[category]Code{
	catInsult: AbuseInsult, catProfanity: AbuseProfanity, catThreat: AbuseThreat, catHate: AbuseHate,
}

type altKind uint8

const (
	exact altKind = iota
	prefix
	suffix
	anyWord
)

type alt struct {
	word string
	kind altKind
}

type elem struct {
	alts []alt
	gap  int  // words that may be skipped before this element
	keep bool // context only: not masked
}

type pattern struct {
	elems []elem
	cat   category
	src   string
	wild  bool // the first element is not an exact word
}

// lexicon is the compiled matcher of one language.
type lexicon struct {
	byFirst map[string][]*pattern // patterns whose first element has this exact word
	// patterns whose first element has a word* (by its first rune), a
	// *word (by its last rune) or _: tried only on words that can match
	byPrefix map[rune][]*pattern
	bySuffix map[rune][]*pattern
	anyFirst []*pattern
	wild     []*pattern // all of the above, for counting
	except   map[string]bool
	except2  []string // exception prefixes
	// starWords are single-word insult and profanity entries, for
	// self-censored words ("c*nt"), by rune length.
	starWords map[int][]starWord
	notName   map[string]bool
}

type starWord struct {
	word []rune
	cat  category
}

type rawEntry struct {
	lang string
	line string
	cat  category
	all  bool
	file string
	no   int
}

// loadLexicons parses every file and compiles one lexicon per language:
// its own entries plus the @all entries of the others.
func loadLexicons() (map[string]*lexicon, error) {
	files, err := lexiconFS.ReadDir("lexicon")
	if err != nil {
		return nil, err
	}
	var entries []rawEntry
	var langs []string
	for _, f := range files {
		lang := strings.TrimSuffix(f.Name(), ".txt")
		langs = append(langs, lang)
		b, err := lexiconFS.ReadFile(path.Join("lexicon", f.Name()))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		cat, have := category(0), false
		no := 0
		for sc.Scan() {
			no++
			line := strings.TrimSpace(sc.Text())
			if i := strings.Index(line, " #"); i >= 0 {
				line = strings.TrimSpace(line[:i])
			}
			if line == "" || line[0] == '#' {
				continue
			}
			if line[0] == '[' && line[len(line)-1] == ']' {
				c, ok := sections[line[1:len(line)-1]]
				if !ok {
					return nil, fmt.Errorf("lexicon %s:%d: unknown section %s", f.Name(), no, line)
				}
				cat, have = c, true
				continue
			}
			if !have && line[0] != '!' {
				return nil, fmt.Errorf("lexicon %s:%d: entry before the first section", f.Name(), no)
			}
			all := false
			if strings.HasSuffix(line, " @all") {
				all = true
				line = strings.TrimSpace(strings.TrimSuffix(line, " @all"))
			}
			entries = append(entries, rawEntry{lang: lang, line: line, cat: cat, all: all, file: f.Name(), no: no})
		}
	}
	out := map[string]*lexicon{}
	for _, lang := range langs {
		lx := &lexicon{byFirst: map[string][]*pattern{}, byPrefix: map[rune][]*pattern{}, bySuffix: map[rune][]*pattern{}, except: map[string]bool{}, starWords: map[int][]starWord{}, notName: map[string]bool{}}
		for _, e := range entries {
			if e.lang != lang && !e.all {
				continue
			}
			if err := lx.add(e, lang); err != nil {
				return nil, fmt.Errorf("lexicon %s:%d: %w", e.file, e.no, err)
			}
		}
		out[lang] = lx
	}
	return out, nil
}

// normWord normalises one lexicon word like a word of a text.
func normWord(w, lang string) string {
	toks := tokenize(w, lang, nil)
	if len(toks) != 1 {
		return ""
	}
	return toks[0].norm
}

func (lx *lexicon) add(e rawEntry, lang string) error {
	// An entry is normalised with its own file's language rules (Turkish
	// ı) even when it serves another language.
	nlang := e.lang
	line := e.line
	if line[0] == '!' {
		w := strings.TrimSuffix(line[1:], "*")
		n := normWord(w, nlang)
		if n == "" {
			return fmt.Errorf("bad exception %q", line)
		}
		if strings.HasSuffix(line, "*") {
			lx.except2 = append(lx.except2, n)
		} else {
			lx.except[n] = true
		}
		return nil
	}
	if e.cat == catNotName {
		for _, w := range strings.Fields(line) {
			if n := normWord(w, nlang); n != "" {
				lx.notName[n] = true
			}
		}
		return nil
	}
	p := &pattern{cat: e.cat, src: line}
	gap := 0
	for _, f := range strings.Fields(line) {
		if f[0] == '~' {
			gap = 3
			if len(f) > 1 {
				n, err := strconv.Atoi(f[1:])
				if err != nil || n < 1 || n > 8 {
					return fmt.Errorf("bad gap %q", f)
				}
				gap = n
			}
			continue
		}
		el := elem{gap: gap}
		gap = 0
		if f[0] == '+' {
			el.keep = true
			f = f[1:]
		}
		words := []string{f}
		if strings.HasPrefix(f, "{") && strings.HasSuffix(f, "}") {
			words = strings.Split(f[1:len(f)-1], "|")
		}
		for _, w := range words {
			a, err := parseAlt(w, nlang)
			if err != nil {
				return err
			}
			el.alts = append(el.alts, a)
			// Turkish entries also match when typed without Turkish
			// letters (aptalsin for aptalsın).
			if nlang == "tr" && strings.ContainsRune(a.word, 'ı') {
				el.alts = append(el.alts, alt{word: strings.ReplaceAll(a.word, "ı", "i"), kind: a.kind})
			}
		}
		p.elems = append(p.elems, el)
	}
	if len(p.elems) == 0 {
		return fmt.Errorf("empty entry")
	}
	first := p.elems[0]
	wild := false
	for _, a := range first.alts {
		if a.kind != exact {
			wild = true
		}
	}
	p.wild = wild
	if wild {
		lx.wild = append(lx.wild, p)
	}
	for _, a := range first.alts {
		switch a.kind {
		case exact:
			lx.byFirst[a.word] = appendOnce(lx.byFirst[a.word], p)
		case prefix:
			r, _ := utf8.DecodeRuneInString(a.word)
			lx.byPrefix[r] = appendOnce(lx.byPrefix[r], p)
		case suffix:
			r, _ := utf8.DecodeLastRuneInString(a.word)
			lx.bySuffix[r] = appendOnce(lx.bySuffix[r], p)
		case anyWord:
			lx.anyFirst = appendOnce(lx.anyFirst, p)
		}
	}
	if len(p.elems) == 1 && (e.cat == catInsult || e.cat == catProfanity) && !first.keep {
		for _, a := range first.alts {
			if a.kind == exact {
				r := []rune(a.word)
				lx.starWords[len(r)] = append(lx.starWords[len(r)], starWord{word: r, cat: e.cat})
			}
		}
	}
	return nil
}

func appendOnce(ps []*pattern, p *pattern) []*pattern {
	for _, q := range ps {
		if q == p {
			return ps
		}
	}
	return append(ps, p)
}

func parseAlt(w, lang string) (alt, error) {
	if w == "_" {
		return alt{kind: anyWord}, nil
	}
	a := alt{kind: exact}
	switch {
	case strings.HasSuffix(w, "*") && strings.HasPrefix(w, "*"):
		return a, fmt.Errorf("word %q: use * on one side only", w)
	case strings.HasSuffix(w, "*"):
		a.kind, w = prefix, strings.TrimSuffix(w, "*")
	case strings.HasPrefix(w, "*"):
		a.kind, w = suffix, strings.TrimPrefix(w, "*")
	}
	a.word = normWord(w, lang)
	if a.word == "" {
		return a, fmt.Errorf("word %q is not one word", w)
	}
	return a, nil
}

// excepted reports words that * entries must not match.
func (lx *lexicon) excepted(w string) bool {
	if lx.except[w] {
		return true
	}
	for _, p := range lx.except2 {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

func (lx *lexicon) altMatches(a alt, t *token) bool {
	if a.kind == anyWord {
		return true
	}
	if a.kind == exact {
		if t.norm == a.word {
			return true
		}
		for _, v := range t.variants {
			if v == a.word {
				return true
			}
		}
		return false
	}
	try := func(w string) bool {
		if len(w) < len(a.word) {
			return false
		}
		if a.kind == prefix && !strings.HasPrefix(w, a.word) {
			return false
		}
		if a.kind == suffix && !strings.HasSuffix(w, a.word) {
			return false
		}
		return !lx.excepted(w)
	}
	if try(t.norm) {
		return true
	}
	for _, v := range t.variants {
		if try(v) {
			return true
		}
	}
	return false
}

func (lx *lexicon) elemMatches(e *elem, t *token) bool {
	for _, a := range e.alts {
		if lx.altMatches(a, t) {
			return true
		}
	}
	return false
}

// match is one pattern found in the text: which tokens it covered and
// which of those are to be masked.
type match struct {
	p      *pattern
	tokens []int // indices of matched (not skipped) tokens
	masked []bool
}

// matchAt tries p with its first element on token i.
func (lx *lexicon) matchAt(toks []token, i int, p *pattern) (match, bool) {
	m := match{p: p}
	var rec func(ei, ti int) bool
	rec = func(ei, ti int) bool {
		if ei == len(p.elems) {
			return true
		}
		e := &p.elems[ei]
		maxSkip := e.gap
		for skip := 0; skip <= maxSkip; skip++ {
			j := ti + skip
			if j >= len(toks) || toks[j].sent != toks[i].sent {
				return false
			}
			if lx.elemMatches(e, &toks[j]) {
				m.tokens = append(m.tokens, j)
				m.masked = append(m.masked, !e.keep)
				if rec(ei+1, j+1) {
					return true
				}
				m.tokens = m.tokens[:len(m.tokens)-1]
				m.masked = m.masked[:len(m.masked)-1]
			}
		}
		return false
	}
	if !lx.elemMatches(&p.elems[0], &toks[i]) {
		return m, false
	}
	m.tokens = append(m.tokens, i)
	m.masked = append(m.masked, !p.elems[0].keep)
	if rec(1, i+1) {
		return m, true
	}
	return m, false
}

// find calls fn for every pattern that matches starting at some token.
func (lx *lexicon) find(toks []token, fn func(match)) {
	var tried []*pattern
	for i := range toks {
		t := &toks[i]
		if t.norm == "" {
			continue
		}
		tried = tried[:0]
		try := func(ps []*pattern) {
		next:
			for _, p := range ps {
				for _, q := range tried {
					if q == p {
						continue next
					}
				}
				tried = append(tried, p)
				if m, ok := lx.matchAt(toks, i, p); ok {
					fn(m)
				}
			}
		}
		words := append([]string{t.norm}, t.variants...)
		for _, w := range words {
			try(lx.byFirst[w])
			r, _ := utf8.DecodeRuneInString(w)
			try(lx.byPrefix[r])
			r, _ = utf8.DecodeLastRuneInString(w)
			try(lx.bySuffix[r])
		}
		try(lx.anyFirst)
		if t.star {
			lx.findStar(t, i, fn)
		}
	}
}

// findStar matches a self-censored word ("c*nt", "f*ck") against the
// single-word entries of the same length: every letter that is not '*'
// must agree, and at least two must be letters.
func (lx *lexicon) findStar(t *token, i int, fn func(match)) {
	r := []rune(t.norm)
	letters := 0
	for _, c := range r {
		if c != '*' {
			letters++
		}
	}
	if letters < 2 || letters == len(r) {
		return
	}
	for _, sw := range lx.starWords[len(r)] {
		ok := true
		for k, c := range r {
			if c != '*' && c != sw.word[k] {
				ok = false
				break
			}
		}
		if ok {
			fn(match{p: &pattern{cat: sw.cat}, tokens: []int{i}, masked: []bool{true}})
			return
		}
	}
}
