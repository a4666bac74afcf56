package moderation

import "strings"

// Names of private persons cannot be found with a list: residents name
// neighbours, caretakers and shopkeepers. The heuristics look for the
// ways people point at a person, per language, from the lexicon files:
//
//   - a title before a name: "mevrouw Jansen", "Mr Hendriks", "pani
//     Kowalska", "пан Коваленко", "السيد حسن", "buurman Kees";
//   - a title after a name (Turkish): "Ayşe Hanım", "Mehmet Bey";
//   - a name followed by where the person lives: "Ahmed van hiernaast",
//     "Tom from number 9", "Jan de Vries woont op …";
//   - the writer's own name: "mijn naam is Sandra Pieters", "اسمي …".
//
// A name is one to three capitalised words (with particles such as "de",
// "van", "el" between them); in Arabic script, which has no capitals, the
// word after the title, plus a following al- family name. Known limits:
// names without such a cue ("Ahmed draait harde muziek") are not found; a
// capitalised common word after a title is taken for a name; public
// figures named with a title ("mevrouw Halsema") are held too, which costs
// a moderator a tap, not the resident their say; in Arabic "أم" is both
// "mother of" and "or", so "حديقة أم ملعب" is held.

var nameParticles = map[string]bool{
	"de": true, "van": true, "der": true, "den": true, "el": true, "al": true, "ter": true, "ten": true,
	"la": true, "le": true, "da": true, "di": true, "von": true, "bin": true, "ben": true, "op": false,
}

// findNames returns name token ranges [start, end).
func findNames(lx *lexicon, toks []token, masked []bool, cues [numCategories][]match) [][2]int {
	var out [][2]int
	add := func(a, b int) {
		if a < 0 || a >= b {
			return
		}
		for _, n := range out {
			if a < n[1] && n[0] < b {
				return
			}
		}
		out = append(out, [2]int{a, b})
	}
	ok := func(k int) bool {
		t := &toks[k]
		return t.norm != "" && !masked[k] && !lx.notName[t.norm]
	}
	forward := func(j int, kunya bool) (int, int) {
		if j >= len(toks) || !ok(j) {
			return -1, -1
		}
		if toks[j].arabic {
			if kunya && strings.HasPrefix(toks[j].norm, "ال") {
				return -1, -1
			}
			end := j + 1
			if end < len(toks) && toks[end].arabic && strings.HasPrefix(toks[end].norm, "ال") && ok(end) {
				end++
			}
			return j, end
		}
		k := j
		for k < len(toks) && k-j < 4 {
			if nameParticles[toks[k].norm] && k+1 < len(toks) && toks[k+1].upper {
				k++
				continue
			}
			if toks[k].upper && ok(k) {
				k++
				continue
			}
			break
		}
		// a name ends with a capitalised word, not a particle
		for k > j && nameParticles[toks[k-1].norm] && !toks[k-1].upper {
			k--
		}
		if k == j || !toks[j].upper && !nameParticles[toks[j].norm] {
			return -1, -1
		}
		return j, k
	}
	backward := func(i, most int) (int, int) {
		start, n := -1, 0
		for k := i; k >= 0 && n < most; k-- {
			if toks[k].sent != toks[i].sent {
				break
			}
			if toks[k].upper && ok(k) {
				start = k
				n++
				continue
			}
			if nameParticles[toks[k].norm] && start >= 0 && k > 0 && toks[k-1].upper {
				continue
			}
			break
		}
		if start < 0 {
			return -1, -1
		}
		return start, i + 1
	}
	last := func(m match) int { return m.tokens[len(m.tokens)-1] }
	for _, m := range cues[catTitle] {
		t := toks[m.tokens[0]].norm
		add(forward(last(m)+1, t == "ابو" || t == "ام"))
	}
	for _, m := range cues[catSelfName] {
		add(forward(last(m)+1, false))
	}
	for _, m := range cues[catTitleAfter] {
		if i := m.tokens[0] - 1; i >= 0 {
			add(backward(i, 2))
		}
	}
	for _, m := range cues[catNameAfter] {
		if i := m.tokens[0] - 1; i >= 0 {
			add(backward(i, 3))
		}
	}
	return out
}
