package i18n

// Readability of what residents read, in the Dutch source (B1: short
// sentences, common words). Run it with
//
//	go test ./i18n -run TestReadability -v
//
// to see the figures.
//
// Which strings count. Keys under the prefixes in residentFacing: what a
// resident can see on the join and answer pages, in live sessions (live.*), on
// the projector in the room (projector.*, the labels of faces and themes), on
// receipts and feedback pages, and every error, form and flash message
// (residents meet those too). Not counted: error.json_* (read by
// programmers using the API) and everything for staff only (login.*,
// staff.*, org.*, …), which is plain but may name things like "CBS-code".
// Only texts with at least one full stop, question or exclamation mark are
// counted: headings, labels and buttons ("Opslaan") are not sentences and
// would flatter the figures.
//
// How it counts. A placeholder counts as one short word ("vijf"). Sentences
// end at . ! or ? followed by a space or the end. Words are the
// whitespace-separated pieces that contain a letter or digit. Syllables are
// Dutch vowel groups (a e i o u y and their accented forms; "ij" is one
// group because j is not a vowel; a letter with a diaeresis, as in
// "ideeën", starts a new group); a word without vowels ("CBS", "15")
// counts as one syllable.
//
// Flesch-Douma (the Dutch adaptation of Flesch Reading Ease):
// 206.835 − 0.93 × (words / sentences) − 77 × (syllables / words).
// 60–70 is "easy", above 70 "very easy"; B1 texts score around 70–80.

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
)

var residentFacing = []string{
	"resident.", "join.", "answer.", "prompt.", "receipt.", "feedback.", "board.", "live.", "moderation.",
	"privacy.", "accessibility.", "credits.",
	"content.", "error.", "form.", "flash.", "projector.", "face.", "theme.",
}

var notResidentFacing = []string{"error.json_"}

const (
	maxAvgSentenceWords = 12
	minFleschDouma      = 70
)

func isResidentFacing(key string) bool {
	for _, p := range notResidentFacing {
		if strings.HasPrefix(key, p) {
			return false
		}
	}
	for _, p := range residentFacing {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

var (
	placeholderText = regexp.MustCompile(`{{[^}]*}}`)
	sentenceEnd     = regexp.MustCompile(`[.!?]+(\s+|$)`)
)

// readability holds the counts over a set of texts.
type readability struct {
	sentences, words, syllables int
}

func (r readability) avgSentence() float64  { return float64(r.words) / float64(r.sentences) }
func (r readability) avgSyllables() float64 { return float64(r.syllables) / float64(r.words) }
func (r readability) fleschDouma() float64 {
	return 206.835 - 0.93*r.avgSentence() - 77*r.avgSyllables()
}

// measure adds a text's sentences; texts without a sentence end are
// skipped (and reported as false).
func (r *readability) measure(text string) bool {
	text = placeholderText.ReplaceAllString(text, "vijf")
	if !sentenceEnd.MatchString(text) {
		return false
	}
	for _, s := range sentenceEnd.Split(text, -1) {
		words := sentenceWords(s)
		if len(words) == 0 {
			continue
		}
		r.sentences++
		r.words += len(words)
		for _, w := range words {
			r.syllables += dutchSyllables(w)
		}
	}
	return true
}

func sentenceWords(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			out = append(out, f)
		}
	}
	return out
}

// dutchSyllables counts vowel groups.
func dutchSyllables(word string) int {
	n, inVowels := 0, false
	for _, r := range strings.ToLower(word) {
		switch {
		case strings.ContainsRune("ëïöüä", r): // a diaeresis starts a new syllable
			n++
			inVowels = true
		case strings.ContainsRune("aeiouyáéíóúàèìòùâêîôû", r):
			if !inVowels {
				n++
			}
			inVowels = true
		default:
			inVowels = false
		}
	}
	if n == 0 {
		return 1
	}
	return n
}

func TestDutchSyllables(t *testing.T) {
	for word, want := range map[string]int{
		"buurt": 1, "wachtwoord": 2, "organisatie": 5, "ideeën": 3, "bijeenkomsten": 4,
		"opnieuw": 2, "CBS": 1, "15": 1, "beheerder": 3, "e-mailadres": 4, "ruïne": 3,
	} {
		if got := dutchSyllables(word); got != want {
			t.Errorf("dutchSyllables(%q) = %d, want %d", word, got, want)
		}
	}
}

func TestReadability(t *testing.T) {
	c := load(t)
	var all readability
	type scored struct {
		key   string
		words float64
		score float64
	}
	var per []scored
	keys := 0
	for _, id := range c.order[Source] {
		if !isResidentFacing(id) {
			continue
		}
		m := c.messages[Source][id]
		var one readability
		if !one.measure(m.Other) {
			continue
		}
		keys++
		all.measure(m.Other)
		if one.words >= 5 { // a score of one or two words means little
			per = append(per, scored{id, one.avgSentence(), one.fleschDouma()})
		}
	}
	if all.sentences == 0 {
		t.Fatal("no resident-facing sentences found")
	}
	t.Logf("resident-facing Dutch: %d messages, %d sentences, %d words, %d syllables",
		keys, all.sentences, all.words, all.syllables)
	t.Logf("average sentence length: %.1f words (limit %d)", all.avgSentence(), maxAvgSentenceWords)
	t.Logf("average syllables per word: %.2f", all.avgSyllables())
	t.Logf("Flesch-Douma: %.1f (minimum %d)", all.fleschDouma(), minFleschDouma)
	sort.Slice(per, func(i, j int) bool { return per[i].score < per[j].score })
	for i := 0; i < len(per) && i < 5; i++ {
		t.Logf("hardest: %-32s %.1f words/sentence, Flesch-Douma %.0f", per[i].key, per[i].words, per[i].score)
	}
	if all.avgSentence() > maxAvgSentenceWords {
		t.Errorf("average sentence is %.1f words; keep it at %d or below", all.avgSentence(), maxAvgSentenceWords)
	}
	if all.fleschDouma() < minFleschDouma {
		t.Errorf("Flesch-Douma is %.1f; it must be at least %d (shorter sentences, shorter words)", all.fleschDouma(), minFleschDouma)
	}
}
