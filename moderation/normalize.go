package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalisation makes the spellings people use to get a word past a filter
// compare equal to the word: case, diacritics, leetspeak (kl00tzak),
// repeated letters (KLOOOOTZAK), Arabic diacritics (harakat) and tatweel
// (حـــمـــار), Arabic letter variants (أ إ آ → ا, ى → ي, ة → ه), fullwidth
// letters, Latin letters inside Cyrillic words and the other way round
// (дeбiл), and zero-width characters. Turkish keeps dotted and dotless i
// apart (sık "often" is not sik), with Turkish case rules (I → ı, İ → i).
// Lexicon entries go through the same function, so they are written as
// people normally spell them.

// invisible reports characters that show nothing but can split a word for
// a filter or reorder text on screen: zero-width space and joiners'
// neighbours, word joiner, BOM, soft hyphen, and the bidirectional
// embedding, override and isolate controls. ZWJ and ZWNJ are not in the
// list: emoji sequences and Persian script need them (they are ignored
// inside words instead).
func invisible(r rune) bool {
	switch {
	case r == 0x200B || r == 0x2060 || r == 0xFEFF || r == 0x00AD || r == 0x180E:
		return true
	case r >= 0x200E && r <= 0x200F: // LRM, RLM
		return true
	case r >= 0x202A && r <= 0x202E: // LRE RLE PDF LRO RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI RLI FSI PDI
		return true
	case r == 0x061C: // Arabic letter mark
		return true
	}
	return false
}

// ignorable are dropped inside a word before matching.
func ignorable(r rune) bool {
	return r == 0x0640 || r == 0x200C || r == 0x200D || unicode.Is(unicode.Mn, r) || invisible(r)
}

// foldTable maps every rune below 0x0700 (Latin, Greek, Cyrillic, Arabic)
// to its lower-case base letter without diacritics; 0 means "drop".
var foldTable [0x700]rune

func init() {
	for r := rune(0); r < 0x700; r++ {
		lr := unicode.ToLower(r)
		base := lr
		if d := norm.NFD.String(string(lr)); d != "" {
			base, _ = utf8.DecodeRuneInString(d)
		}
		foldTable[r] = base
	}
	for from, to := range map[rune]rune{
		'ł': 'l', 'Ł': 'l', 'ø': 'o', 'Ø': 'o', 'đ': 'd', 'Đ': 'd', 'ı': 'i', 'İ': 'i',
		'ى': 'ي', 'ة': 'ه', 'ٱ': 'ا', 'ک': 'ك', 'ی': 'ي', 'ھ': 'ه', 'ۀ': 'ه',
		'ё': 'е', 'ї': 'і', 'ґ': 'г',
	} {
		foldTable[from] = to
	}
	for r := rune(0x064B); r <= 0x065F; r++ { // harakat, shadda, sukun, hamza marks
		foldTable[r] = 0
	}
	foldTable[0x0670] = 0 // superscript alef
	foldTable[0x0640] = 0 // tatweel
}

// fold maps one rune for matching. turkish selects Turkish case rules and
// keeps ı distinct from i.
func fold(r rune, turkish bool) rune {
	if turkish {
		switch r {
		case 'I', 'ı':
			return 'ı'
		case 'İ':
			return 'i'
		}
	}
	if r >= 0xFF01 && r <= 0xFF5E { // fullwidth ASCII
		r -= 0xFEE0
	}
	if r < 0x700 {
		return foldTable[r]
	}
	if unicode.Is(unicode.Mn, r) {
		return 0
	}
	return unicode.ToLower(r)
}

// leet maps digits and symbols used as letters. Only applied to words that
// also contain a letter, so numbers stay numbers.
func leet(r rune) rune {
	switch r {
	case '0':
		return 'o'
	case '1', '!':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	case '|':
		return 'l'
	}
	return r
}

func isLeetSymbol(r rune) bool { return r == '@' || r == '$' || r == '!' || r == '|' }

// Latin letters that look like Cyrillic ones, in lower case, both ways.
var latinToCyrillic = map[rune]rune{
	'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'x': 'х', 'y': 'у', 'i': 'і', 'k': 'к', 'm': 'м', 't': 'т', 'b': 'в', 'h': 'н',
}
var cyrillicToLatin = map[rune]rune{}

func init() {
	for l, c := range latinToCyrillic {
		cyrillicToLatin[c] = l
	}
}

// Normalize returns the matching form of a text: every word folded as
// described above, joined by single spaces. It is what the lexicons are
// compared with; exported for tests, tools and fuzzing.
func Normalize(text, lang string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	toks := tokenize(text, baseLang(lang), nil)
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.norm)
	}
	return b.String()
}

// token is one word of the text, with its byte span in the text.
type token struct {
	start, end int
	norm       string
	upper      bool // first letter is upper case (a name candidate)
	single     bool // one letter only (spacing tricks: "k u t")
	star       bool // contains '*' between letters (self-censored: "c*nt")
	arabic     bool
	sent       int      // sentence number: phrases do not cross a sentence end
	variants   []string // Arabic: the word without a clitic prefix (و ال ب ل ف يا)
}

// arabicPrefixes are clitics written together with the next word, longest
// first: "والكلب" is "و" + "ال" + "كلب".
var arabicPrefixes = []string{"وال", "بال", "فال", "كال", "لل", "ال", "يا", "و", "ف", "ب", "ل"}

func arabicVariants(w string) []string {
	var out []string
	for _, p := range arabicPrefixes {
		if rest, ok := strings.CutPrefix(w, p); ok && utf8.RuneCountInString(rest) >= 2 {
			out = append(out, rest)
		}
	}
	return out
}

func sentenceEnd(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '\n' || r == '؟' || r == '۔' || r == ';'
}

// tokenize splits text into words and normalises each. Words are runs of
// letters, digits and marks, with invisible characters skipped, leet
// symbols and '*' inside a word, and apostrophes inside a word for
// Ukrainian (п'ятий); elsewhere an apostrophe separates (Turkish suffixes:
// Bey'in, 8'de). buf is reused if given.
func tokenize(text, lang string, buf []token) []token {
	toks := buf[:0]
	turkish := lang == "tr"
	keepApostrophe := lang == "uk"
	i := 0
	var nb []rune
	sent := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !wordStart(r) {
			if sentenceEnd(r) {
				sent++
			}
			i += size
			continue
		}
		start := i
		end := i
		nb = nb[:0]
		var letters, latin, cyr, arab int
		hasLeet, star, upper := false, false, false
		first := true
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				if first && unicode.IsUpper(r) {
					upper = true
				}
				first = false
				if unicode.IsLetter(r) {
					letters++
					switch {
					case unicode.Is(unicode.Latin, r):
						latin++
					case unicode.Is(unicode.Cyrillic, r):
						cyr++
					case unicode.Is(unicode.Arabic, r):
						arab++
					}
				} else if r < 0x80 {
					hasLeet = true
				}
				nb = append(nb, r)
				i += size
				end = i
				continue
			case ignorable(r):
				i += size
				continue
			case (isLeetSymbol(r) || r == '*' || ((r == '\'' || r == '’' || r == 'ʼ') && keepApostrophe)) && len(nb) > 0:
				// only inside a word: the next rune must be a letter or digit
				nr, _ := utf8.DecodeRuneInString(text[i+size:])
				if !(unicode.IsLetter(nr) || unicode.IsDigit(nr)) {
					break
				}
				switch r {
				case '*':
					star = true
					nb = append(nb, '*')
				case '\'', '’', 'ʼ':
				default:
					hasLeet = true
					nb = append(nb, r)
				}
				i += size
				continue
			}
			break
		}
		if len(nb) == 0 {
			continue
		}
		// fold, map look-alikes to the word's main script, undo leetspeak,
		// collapse repeated letters
		toScript := rune(0)
		if latin > 0 && cyr > 0 {
			if cyr >= latin {
				toScript = 'c'
			} else {
				toScript = 'l'
			}
		}
		var sb strings.Builder
		sb.Grow(len(text[start:end]))
		var last rune = -1
		n := 0
		for _, r := range nb {
			if hasLeet && letters > 0 {
				r = leet(r)
			}
			f := fold(r, turkish)
			if f == 0 {
				continue
			}
			switch toScript {
			case 'c':
				if m, ok := latinToCyrillic[f]; ok {
					f = m
				}
			case 'l':
				if m, ok := cyrillicToLatin[f]; ok {
					f = m
				}
			}
			if f == last {
				continue
			}
			last = f
			sb.WriteRune(f)
			n++
		}
		if n == 0 {
			continue
		}
		t := token{
			start: start, end: end, norm: sb.String(), upper: upper,
			single: len(nb) == 1 && letters == 1, star: star, arabic: arab > 0, sent: sent,
		}
		if t.arabic {
			t.variants = arabicVariants(t.norm)
		}
		toks = append(toks, t)
	}
	return toks
}

func wordStart(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// baseLang reduces a language tag to its lower-case base ("nl-BE" → "nl").
func baseLang(lang string) string {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if len(lang) > 8 {
		return ""
	}
	return strings.ToLower(lang)
}
