package moderation

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// corpusItem is one line of testdata/corpus.jsonl: a text as residents
// write it, with what a careful human moderator would decide.
type corpusItem struct {
	Lang  string   `json:"lang"`
	Cat   string   `json:"cat"` // criticism, clean, pii, abuse
	Text  string   `json:"text"`
	Codes []string `json:"codes"` // expected pii.* and abuse.* reasons
	Hide  []string `json:"hide"`  // strings that must not survive redaction
	Hard  bool     `json:"hard"`
}

func loadCorpus(t testing.TB) []corpusItem {
	t.Helper()
	f, err := os.Open("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var items []corpusItem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var it corpusItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("corpus line %d: %v", n, err)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return items
}

// Floors from issue #6.
const (
	floorPIIRecall       = 0.98
	floorAbusePrecision  = 0.95
	floorCriticismPassed = 0.99
)

type score struct{ tp, fp, fn int }

func (s score) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s score) recall() float64    { return ratio(s.tp, s.tp+s.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func scored(code string) bool {
	return strings.HasPrefix(code, "pii.") || strings.HasPrefix(code, "abuse.")
}

type langScore struct {
	pii, abuse          score // pii: per expected code; abuse: per item, any abuse code
	hidden, hideTotal   int
	critPassed, crit    int
	cleanPassed, clean  int
	verdictRight, items int
}

// TestCorpus scores the checker on the labelled corpus and fails below the
// floors of issue #6. Run with -v to see the table.
func TestCorpus(t *testing.T) {
	items := loadCorpus(t)
	if len(items) < 400 {
		t.Fatalf("corpus has %d items, want at least 400", len(items))
	}
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	perCode := map[string]*score{}
	per := map[string]*langScore{}
	all := &langScore{}
	var misses []string
	for i, it := range items {
		v := c.Check(it.Text, it.Lang)
		got := map[string]bool{}
		for _, code := range v.Codes() {
			if scored(code) {
				got[code] = true
			}
		}
		want := map[string]bool{}
		for _, code := range it.Codes {
			want[code] = true
		}
		ls := per[it.Lang]
		if ls == nil {
			ls = &langScore{}
			per[it.Lang] = ls
		}
		for _, s := range []*langScore{ls, all} {
			s.items++
			if v.Decision == expectedDecision(it) {
				s.verdictRight++
			}
		}
		wrong := false
		for code := range want {
			sc := perCode[code]
			if sc == nil {
				sc = &score{}
				perCode[code] = sc
			}
			if got[code] {
				sc.tp++
			} else {
				sc.fn++
				wrong = true
			}
			if strings.HasPrefix(code, "pii.") {
				for _, s := range []*langScore{ls, all} {
					if got[code] {
						s.pii.tp++
					} else {
						s.pii.fn++
					}
				}
			}
		}
		for code := range got {
			if !want[code] {
				sc := perCode[code]
				if sc == nil {
					sc = &score{}
					perCode[code] = sc
				}
				sc.fp++
				wrong = true
				if strings.HasPrefix(code, "pii.") {
					ls.pii.fp++
					all.pii.fp++
				}
			}
		}
		gotAbuse, wantAbuse := anyPrefix(got, "abuse."), anyPrefix(want, "abuse.")
		for _, s := range []*langScore{ls, all} {
			switch {
			case gotAbuse && wantAbuse:
				s.abuse.tp++
			case gotAbuse:
				s.abuse.fp++
			case wantAbuse:
				s.abuse.fn++
			}
			if anyPrefix(want, "pii.") {
				for _, h := range it.Hide {
					s.hideTotal++
					if !strings.Contains(v.Redacted, h) && v.Decision != Allow {
						s.hidden++
					}
				}
			}
			unchanged := v.Decision == Allow && v.Redacted == it.Text
			switch it.Cat {
			case "criticism":
				s.crit++
				if unchanged {
					s.critPassed++
				}
			case "clean":
				s.clean++
				if unchanged {
					s.cleanPassed++
				}
			}
		}
		if (it.Cat == "criticism" || it.Cat == "clean") && !(v.Decision == Allow && v.Redacted == it.Text) {
			wrong = true
		}
		if wrong {
			misses = append(misses, fmt.Sprintf("%3d %s %-9s want %v got %s %v → %q", i+1, it.Lang, it.Cat, it.Codes, v.Decision, v.Codes(), v.Redacted))
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "corpus: %d items\n\nper category (item level):\n", len(items))
	fmt.Fprintf(&b, "  %-17s %9s %6s %4s %4s %4s\n", "code", "precision", "recall", "tp", "fp", "fn")
	var codes []string
	for code := range perCode {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		s := perCode[code]
		fmt.Fprintf(&b, "  %-17s %9.3f %6.3f %4d %4d %4d\n", code, s.precision(), s.recall(), s.tp, s.fp, s.fn)
	}
	fmt.Fprintf(&b, "\nper language:\n  %-4s %5s %7s %7s %7s %7s %9s %7s %7s\n", "lang", "items", "pii-rec", "pii-pre", "hidden", "abu-pre", "abu-rec", "crit-ok", "clean")
	langs := []string{"nl", "en", "ar", "tr", "pl", "uk"}
	row := func(name string, s *langScore) {
		fmt.Fprintf(&b, "  %-4s %5d %7.3f %7.3f %7.3f %7.3f %9.3f %7.3f %7.3f\n", name, s.items, s.pii.recall(), s.pii.precision(),
			ratio(s.hidden, s.hideTotal), s.abuse.precision(), s.abuse.recall(), ratio(s.critPassed, s.crit), ratio(s.cleanPassed, s.clean))
	}
	for _, l := range langs {
		if s := per[l]; s != nil {
			row(l, s)
		}
	}
	row("all", all)
	fmt.Fprintf(&b, "\nverdict as expected: %d of %d (%.3f)\n", all.verdictRight, all.items, ratio(all.verdictRight, all.items))
	if testing.Verbose() {
		fmt.Fprintf(&b, "\nitems that differ from their label:\n  %s\n", strings.Join(misses, "\n  "))
	}
	t.Log("\n" + b.String())

	if r := all.pii.recall(); r < floorPIIRecall {
		t.Errorf("personal-data recall %.3f, floor %.2f", r, floorPIIRecall)
	}
	if r := ratio(all.hidden, all.hideTotal); r < floorPIIRecall {
		t.Errorf("personal data removed from the redacted text: %.3f, floor %.2f", r, floorPIIRecall)
	}
	if p := all.abuse.precision(); p < floorAbusePrecision {
		t.Errorf("abuse precision %.3f, floor %.2f", p, floorAbusePrecision)
	}
	if r := ratio(all.critPassed, all.crit); r < floorCriticismPassed {
		t.Errorf("criticism passed unchanged %.3f, floor %.2f", r, floorCriticismPassed)
	}
}

func anyPrefix(m map[string]bool, p string) bool {
	for k := range m {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// expectedDecision is the policy of issue #6 applied to the labels,
// written out here independently of the library's own table.
func expectedDecision(it corpusItem) Decision {
	d := Allow
	for _, c := range it.Codes {
		switch c {
		case "pii.person", "abuse.threat", "abuse.hate", "abuse.doxxing":
			d = Hold
		default:
			if d == Allow {
				d = Mask
			}
		}
	}
	return d
}
