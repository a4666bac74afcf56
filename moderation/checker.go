package moderation

import (
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Options tune a Checker. The zero value is the default.
type Options struct {
	// MaxBytes is the longest text checked; longer texts are rejected
	// unread (TextTooLong), which bounds the time a check takes. Default
	// 10,000 bytes: a written answer, not an essay.
	MaxBytes int
}

// Checker checks contributions. Build one with New at start (it compiles
// the lexicons) and share it: Check is safe for concurrent use and keeps
// no state between calls. Spam needs state; see Guard.
type Checker struct {
	maxBytes int
	lex      map[string]*lexicon
}

// New compiles the embedded lexicons. An error means a lexicon file is
// malformed, which the tests catch.
func New(opts Options) (*Checker, error) {
	lex, err := loadLexicons()
	if err != nil {
		return nil, err
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 10_000
	}
	return &Checker{maxBytes: opts.MaxBytes, lex: lex}, nil
}

var defaultChecker = sync.OnceValues(func() (*Checker, error) { return New(Options{}) })

// Check checks a text with the default Checker. lang is the language the
// resident writes in (a BCP 47 tag; "nl-BE" counts as "nl"): it selects
// the lexicon, the case rules and the language of the redaction marks.
// Words that are abusive in every language (marked @all in the lexicons)
// are found whatever lang says, so mixed-language messages are covered.
func Check(text, lang string) Verdict {
	c, err := defaultChecker()
	if err != nil {
		panic("moderation: embedded lexicon: " + err.Error()) // caught by the tests
	}
	return c.Check(text, lang)
}

// Languages lists the languages with a lexicon of their own. Other
// languages are checked with the Dutch lexicon plus the @all entries, and
// get Dutch redaction marks.
func (c *Checker) Languages() []string {
	out := make([]string, 0, len(c.lex))
	for l := range c.lex {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

func (c *Checker) lexicon(lang string) *lexicon {
	if lx, ok := c.lex[lang]; ok {
		return lx
	}
	return c.lex["nl"]
}

// Check returns the verdict on one text. It never panics and always
// returns valid UTF-8 in Redacted, whatever the input.
func (c *Checker) Check(text, lang string) Verdict {
	lang = baseLang(lang)
	if _, ok := c.lex[lang]; !ok {
		lang = "nl"
	}
	v := Verdict{Decision: Allow}
	if len(text) > c.maxBytes {
		v.add(TextTooLong, 1)
		return v
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
		v.add(TextInvalidUTF8, 1)
	}
	if cleaned, n := stripInvisible(text); n > 0 {
		text = cleaned
		v.add(TextHidden, n)
	}
	if strings.TrimSpace(text) == "" {
		v.Reasons = v.Reasons[:0]
		v.Decision = Allow
		v.add(TextEmpty, 1)
		return v
	}

	ss := findPII(text)
	counts := map[Code]int{}
	for _, s := range ss {
		counts[s.code]++
	}

	lx := c.lexicon(lang)
	toks := tokenize(text, lang, make([]token, 0, 48))
	// words inside personal data take no part in the word checks
	for i := range toks {
		if !ss.free(toks[i].start, toks[i].end) {
			toks[i].norm, toks[i].variants, toks[i].upper = "", nil, false
		}
	}
	var (
		masked    = make([]bool, len(toks))
		cues      [numCategories][]match
		locator   bool
		call      bool
		abuseSeen = map[Code]int{}
	)
	onMatch := func(m match) {
		switch m.p.cat {
		case catInsult, catProfanity:
			for k, ti := range m.tokens {
				if m.masked[k] {
					masked[ti] = true
				}
			}
			abuseSeen[codeOf[m.p.cat]]++
		case catThreat, catHate:
			abuseSeen[codeOf[m.p.cat]]++
		case catLocator:
			locator = true
		case catCall:
			call = true
		default:
			cues[m.p.cat] = append(cues[m.p.cat], m)
		}
	}
	// A word listed exactly in one category and matched by a * entry of
	// another ("kanker" profanity, "kanker*" insult) counts once, as listed.
	exactWord := map[int]bool{}
	var wildWords []match
	lx.find(toks, func(m match) {
		if len(m.tokens) == 1 && (m.p.cat == catInsult || m.p.cat == catProfanity) {
			if m.p.wild {
				wildWords = append(wildWords, m)
				return
			}
			exactWord[m.tokens[0]] = true
		}
		onMatch(m)
	})
	for _, m := range wildWords {
		if !exactWord[m.tokens[0]] {
			onMatch(m)
		}
	}
	c.spacedWords(lx, toks, masked, abuseSeen)

	// mask abusive words, word by word
	for i, t := range toks {
		if masked[i] {
			ss = append(ss, span{start: t.start, end: t.end, code: AbuseInsult, repl: maskWord})
		}
	}
	// names of private persons
	for _, n := range findNames(lx, toks, masked, cues) {
		s, e := toks[n[0]].start, toks[n[1]-1].end
		if ss.free(s, e) {
			ss = append(ss, span{start: s, end: e, code: PIIPerson})
			counts[PIIPerson]++
		}
	}
	// doxxing: a call to go after someone together with where to find them
	if call && (locator || counts[PIIPhone]+counts[PIIAddress]+counts[PIIEmail] > 0) {
		abuseSeen[AbuseDoxxing]++
	}

	for _, code := range Codes() {
		if n := counts[code] + abuseSeen[code]; n > 0 {
			v.add(code, n)
		}
	}
	v.Redacted = redact(text, ss, lang)
	return v
}

// stripInvisible removes the characters of invisible and reports how many.
func stripInvisible(text string) (string, int) {
	n := 0
	for _, r := range text {
		if invisible(r) {
			n++
		}
	}
	if n == 0 {
		return text, 0
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		if !invisible(r) {
			b.WriteRune(r)
		}
	}
	return b.String(), n
}

// spacedWords finds words spelled with spaces or dots between the letters
// ("k u t", "f.u.c.k"): runs of at least three one-letter words, joined and
// looked up as one word.
func (c *Checker) spacedWords(lx *lexicon, toks []token, masked []bool, seen map[Code]int) {
	for i := 0; i < len(toks); {
		if !toks[i].single {
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j].single && toks[j].start-toks[j-1].end <= 2 {
			j++
		}
		if j-i >= 3 {
			// the longest sub-run that is a word
		outer:
			for l := j - i; l >= 3; l-- {
				for a := i; a+l <= j; a++ {
					var b strings.Builder
					for k := a; k < a+l; k++ {
						b.WriteString(toks[k].norm)
					}
					w := b.String()
					vt := []token{{norm: collapse(w), arabic: toks[a].arabic}}
					if vt[0].arabic {
						vt[0].variants = arabicVariants(vt[0].norm)
					}
					found := false
					lx.find(vt, func(m match) {
						if len(m.p.elems) <= 1 && (m.p.cat == catInsult || m.p.cat == catProfanity || m.p.cat == catHate) {
							found = true
							seen[codeOf[m.p.cat]]++
						}
					})
					if found {
						for k := a; k < a+l; k++ {
							masked[k] = true
						}
						// one mask for the whole spaced word
						break outer
					}
				}
			}
		}
		i = j
	}
}

// collapse removes repeated letters, as tokenize does within a word.
func collapse(w string) string {
	var b strings.Builder
	last := rune(-1)
	for _, r := range w {
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}

// redact builds the redacted text: spans replaced by their mark. Masks
// separated only by a space or a dot are merged, so a spaced word
// ("k u t") becomes one mask, not three.
func redact(text string, ss spans, lang string) string {
	if len(ss) == 0 {
		return text
	}
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].start != ss[j].start {
			return ss[i].start < ss[j].start
		}
		return ss[i].end > ss[j].end
	})
	var b strings.Builder
	b.Grow(len(text))
	pos, prevMaskEnd := 0, -1
	for _, s := range ss {
		if s.start < pos {
			continue // overlaps an earlier span
		}
		repl := s.repl
		if repl == "" {
			repl = Mark(s.code, lang)
		}
		between := text[pos:s.start]
		if repl == maskWord && prevMaskEnd == pos && len(between) <= 2 && strings.Trim(between, " .-_*") == "" {
			pos, prevMaskEnd = s.end, s.end
			continue
		}
		b.WriteString(between)
		b.WriteString(repl)
		pos = s.end
		prevMaskEnd = -1
		if repl == maskWord {
			prevMaskEnd = pos
		}
	}
	b.WriteString(text[pos:])
	return b.String()
}
