package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Personal data is found by small hand-written scanners rather than
// regular expressions: each needs a check a pattern cannot express (IBAN
// mod-97, BSN eleven-test, phone number lengths per country prefix, which
// letter pairs a postcode can have), and together they stay well inside
// the time budget of a check (see BenchmarkCheck).

// span is a piece of the text to replace in the redacted text.
type span struct {
	start, end int
	code       Code
	repl       string
}

type spans []span

// free reports whether [start,end) overlaps no span yet.
func (ss spans) free(start, end int) bool {
	for _, s := range ss {
		if start < s.end && s.start < end {
			return false
		}
	}
	return true
}

// findPII returns the personal data in text, in the order the scanners
// run: links and e-mail addresses, IBANs, licence plates, postcodes with
// house numbers, then phone numbers and BSNs among the remaining digits.
func findPII(text string) spans {
	var ss spans
	if strings.ContainsAny(text, "@./:") {
		ss = findURLsAndEmails(text, ss)
	}
	ss = findIBANs(text, ss)
	if strings.IndexByte(text, '-') >= 0 || hasUpperRun(text) {
		ss = findPlates(text, ss)
	}
	ss = findDigits(text, ss)
	return ss
}

func hasUpperRun(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			n++
			if n >= 6 {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}

// fields calls fn for every whitespace-separated word with its offsets.
func fields(text string, fn func(start, end int)) {
	start := -1
	for i, r := range text {
		if unicode.IsSpace(r) {
			if start >= 0 {
				fn(start, i)
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		fn(start, len(text))
	}
}

// trimPunct narrows a word to exclude surrounding punctuation.
func trimPunct(text string, start, end int) (int, int) {
	for start < end && strings.IndexByte("([{<\"'«“‘", text[start]) >= 0 {
		start++
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if strings.ContainsRune(".,;:!?)]}>\"'»”’،؟", r) {
			end -= size
			continue
		}
		break
	}
	return start, end
}

func findURLsAndEmails(text string, ss spans) spans {
	fields(text, func(start, end int) {
		start, end = trimPunct(text, start, end)
		w := text[start:end]
		if len(w) < 4 {
			return
		}
		if at := strings.IndexByte(w, '@'); at > 0 && !hasScheme(w) {
			if s, e, ok := email(w, at); ok && ss.free(start+s, start+e) {
				ss = append(ss, span{start: start + s, end: start + e, code: PIIEmail})
			}
			return
		}
		if isURL(w) && ss.free(start, end) {
			ss = append(ss, span{start: start, end: end, code: PIIURL})
		}
	})
	return ss
}

func hasScheme(w string) bool {
	l := strings.ToLower(w[:min(len(w), 8)])
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

func emailLocal(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._%+-", c) >= 0
}

// email finds local@domain.tld around the '@' at position at of w.
func email(w string, at int) (int, int, bool) {
	s := at
	for s > 0 && emailLocal(w[s-1]) {
		s--
	}
	e := at + 1
	for e < len(w) && (emailLocal(w[e]) && w[e] != '_' && w[e] != '%' && w[e] != '+') {
		e++
	}
	for e > at+1 && (w[e-1] == '.' || w[e-1] == '-') {
		e--
	}
	if s == at || !isDomain(w[at+1:e]) {
		return 0, 0, false
	}
	return s, e, true
}

// isDomain accepts host names with at least two labels and a top-level
// domain of 2 to 24 letters.
func isDomain(h string) bool {
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 || len(tld) > 24 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if c := tld[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isURL accepts http(s):// and www. links, and host/path without a
// scheme (facebook.com/jan, t.me/groep). A bare host ("amsterdam.nl")
// is not redacted: residents name public websites that way, and without a
// path it points at no one in particular.
func isURL(w string) bool {
	l := strings.ToLower(w)
	for _, p := range []string{"http://", "https://", "www."} {
		if strings.HasPrefix(l, p) {
			rest := l[len(p):]
			if p == "www." {
				host, _, _ := strings.Cut(rest, "/")
				return isDomain("www." + host)
			}
			return len(rest) >= 3
		}
	}
	host, path, ok := strings.Cut(w, "/")
	return ok && len(path) > 0 && isDomain(host)
}

// ibanLength is the length of an IBAN per country for the countries
// residents most often bank in; others are tried at every length.
var ibanLength = map[string]int{
	"NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "PL": 28, "TR": 26, "UA": 29, "ES": 24, "IT": 27,
	"LU": 20, "AT": 20, "CH": 21, "IE": 22, "PT": 25, "MA": 28, "SY": 0, "BG": 22, "RO": 24, "LT": 20, "LV": 21,
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }

func findIBANs(text string, ss spans) spans {
	for i := 0; i+4 <= len(text); i++ {
		if !isASCIILetter(text[i]) || (i > 0 && wordByteBefore(text, i)) {
			continue
		}
		if !isASCIILetter(text[i+1]) || !isASCIIDigit(text[i+2]) || !isASCIIDigit(text[i+3]) {
			continue
		}
		// collect up to 34 letters and digits, single spaces between groups
		var chars [34]byte
		var ends [34]int
		n, j := 0, i
		for j < len(text) && n < 34 {
			c := text[j]
			if isASCIILetter(c) || isASCIIDigit(c) {
				if isASCIILetter(c) {
					c &^= 0x20 // upper case
				}
				chars[n] = c
				ends[n] = j + 1
				n++
				j++
				continue
			}
			if c == ' ' && j+1 < len(text) && (isASCIILetter(text[j+1]) || isASCIIDigit(text[j+1])) && n >= 4 {
				j++
				continue
			}
			break
		}
		cc := string(chars[:2])
		try := func(l int) bool {
			if l > n || l < 12 {
				return false
			}
			end := ends[l-1]
			if end < len(text) && (isASCIILetter(text[end]) || isASCIIDigit(text[end])) {
				return false
			}
			if !mod97(chars[:l]) || !ss.free(i, end) {
				return false
			}
			ss = append(ss, span{start: i, end: end, code: PIIIBAN})
			i = end - 1
			return true
		}
		if l, ok := ibanLength[cc]; ok && l > 0 {
			try(l)
			continue
		}
		for l := n; l >= 15; l-- {
			if try(l) {
				break
			}
		}
	}
	return ss
}

// wordByteBefore reports whether the rune before byte i is a letter or digit.
func wordByteBefore(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// mod97 checks an IBAN (upper-case letters and digits): moved the first
// four characters to the end, read as a number, it leaves 1 divided by 97.
func mod97(iban []byte) bool {
	rem := 0
	add := func(c byte) {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	for _, c := range iban[4:] {
		add(c)
	}
	for _, c := range iban[:4] {
		add(c)
	}
	return rem == 1
}

// plateShapes are the Dutch licence-plate side codes 1 to 14, as letter
// (L) and digit (D) groups.
var plateShapes = map[string]bool{
	"L2D2D2": true, "D2D2L2": true, "D2L2D2": true, "L2D2L2": true, "L2L2D2": true, "D2L2L2": true,
	"D2L3D1": true, "D1L3D2": true, "L2D3L1": true, "L1D3L2": true, "L3D2L1": true, "L1D2L3": true,
	"D1L2D3": true, "D3L2D1": true,
}

func findPlates(text string, ss spans) spans {
	fields(text, func(start, end int) {
		start, end = trimPunct(text, start, end)
		w := text[start:end]
		if len(w) < 6 || len(w) > 8 {
			return
		}
		shape, upper, lower := plateShape(w)
		if shape == "" || (!upper && !lower) {
			return
		}
		if strings.Count(w, "-") == 0 && (!upper || strings.Count(shape, "L") != 2) {
			// without dashes only the unambiguous three-group shapes, in
			// capitals ("GV123B")
			return
		}
		if plateShapes[shape] && ss.free(start, end) {
			ss = append(ss, span{start: start, end: end, code: PIIPlate})
		}
	})
	return ss
}

// plateShape describes w as groups: "D2L3D1" for 12-ABC-3 (or 12ABC3).
// With dashes the groups are what the dashes separate and must each be
// letters or digits; without, they are runs of the same kind.
func plateShape(w string) (shape string, upper, lower bool) {
	upper, lower = true, true
	var b strings.Builder
	groups := 0
	if strings.Contains(w, "-") {
		parts := strings.Split(w, "-")
		if len(parts) != 3 {
			return "", false, false
		}
		for _, p := range parts {
			k := groupKind(p)
			if k == 0 || len(p) > 3 {
				return "", false, false
			}
			b.WriteByte(k)
			b.WriteByte(byte('0' + len(p)))
		}
		groups = 3
	} else {
		for i := 0; i < len(w); {
			j := i
			k := groupKind(w[i : i+1])
			if k == 0 {
				return "", false, false
			}
			for j < len(w) && groupKind(w[j:j+1]) == k {
				j++
			}
			b.WriteByte(k)
			b.WriteByte(byte('0' + j - i))
			groups++
			i = j
		}
		if groups != 3 {
			return "", false, false
		}
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'a' && c <= 'z' {
			upper = false
		}
		if c >= 'A' && c <= 'Z' {
			lower = false
		}
	}
	return b.String(), upper, lower
}

func groupKind(p string) byte {
	if p == "" {
		return 0
	}
	var k byte
	for i := 0; i < len(p); i++ {
		var c byte
		switch {
		case isASCIILetter(p[i]):
			c = 'L'
		case isASCIIDigit(p[i]):
			c = 'D'
		default:
			return 0
		}
		if k != 0 && c != k {
			return 0
		}
		k = c
	}
	return k
}

// digitValue reads ASCII, Arabic-Indic, Eastern Arabic-Indic and fullwidth
// digits: residents type phone numbers on Arabic keyboards too.
func digitValue(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 0x0660 && r <= 0x0669:
		return int(r - 0x0660)
	case r >= 0x06F0 && r <= 0x06F9:
		return int(r - 0x06F0)
	case r >= 0xFF10 && r <= 0xFF19:
		return int(r - 0xFF10)
	}
	return -1
}

type digitGroup struct {
	start, end int
	digits     string
}

// findDigits finds postcodes with house numbers, then phone numbers and
// BSNs, in chains of digit groups ("06 12 34 56 78", "+31 (0)6-1234",
// "1234.56.782").
func findDigits(text string, ss spans) spans {
	var groups []digitGroup
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if digitValue(r) < 0 || (i > 0 && letterBefore(text, i)) {
			i += size
			continue
		}
		// a chain of groups
		groups = groups[:0]
		plus := i > 0 && text[i-1] == '+'
		j := i
		for {
			g, next := readGroup(text, j)
			groups = append(groups, g)
			k := next
			seps := 0
			for k < len(text) && seps < 3 && strings.IndexByte(" -./()", text[k]) >= 0 {
				if seps > 0 && text[k] == text[k-1] && (text[k] == ' ' || text[k] == '.') {
					seps = 9
					break
				}
				k++
				seps++
			}
			if seps == 0 || seps > 3 || k >= len(text) {
				j = next
				break
			}
			r2, _ := utf8.DecodeRuneInString(text[k:])
			if digitValue(r2) < 0 {
				j = next
				break
			}
			j = k
		}
		ss = postcodes(text, groups, ss)
		ss = phones(text, groups, plus, ss)
		ss = bsns(text, groups, ss)
		i = j
		if i < len(text) {
			_, size = utf8.DecodeRuneInString(text[i:])
			i += size
		}
	}
	return ss
}

func letterBefore(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsLetter(r) || digitValue(r) >= 0
}

func readGroup(text string, i int) (digitGroup, int) {
	var b strings.Builder
	j := i
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		v := digitValue(r)
		if v < 0 {
			break
		}
		b.WriteByte(byte('0' + v))
		j += size
	}
	return digitGroup{start: i, end: j, digits: b.String()}, j
}

// postcodes finds "1234 AB" followed by a house number ("1234 AB 12",
// "1234AB, nr 12") or preceded by street and number ("Kerkstraat 12,
// 1234 AB"). A postcode alone is not redacted: it names a street, not a
// home.
func postcodes(text string, groups []digitGroup, ss spans) spans {
	for _, g := range groups {
		if len(g.digits) != 4 || g.digits[0] == '0' {
			continue
		}
		k := g.end
		space := k < len(text) && text[k] == ' '
		if space {
			k++
		}
		if k+2 > len(text) || !isASCIILetter(text[k]) || !isASCIILetter(text[k+1]) {
			continue
		}
		if k+2 < len(text) {
			if r, _ := utf8.DecodeRuneInString(text[k+2:]); unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		l := text[k : k+2]
		up := l[0] >= 'A' && l[0] <= 'Z' && l[1] >= 'A' && l[1] <= 'Z'
		low := l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z'
		if !(up || (low && !space)) {
			continue
		}
		if u := strings.ToUpper(l); u == "SA" || u == "SD" || u == "SS" {
			continue
		}
		pcStart, pcEnd := g.start, k+2
		// house number after
		if e, ok := houseNumberAfter(text, pcEnd); ok && ss.free(pcStart, e) {
			ss = append(ss, span{start: pcStart, end: e, code: PIIAddress})
			continue
		}
		// street and number before
		if s, ok := streetBefore(text, pcStart); ok && ss.free(s, pcEnd) {
			ss = append(ss, span{start: s, end: pcEnd, code: PIIAddress})
			continue
		}
	}
	return ss
}

var houseWords = []string{"huisnummer ", "nummer ", "nr. ", "nr ", "no. ", "no "}

func houseNumberAfter(text string, i int) (int, bool) {
	k := i
	for n := 0; k < len(text) && n < 2 && (text[k] == ' ' || text[k] == ','); n++ {
		k++
	}
	if k == i {
		return 0, false
	}
	low := strings.ToLower(text[k:min(len(text), k+11)])
	for _, w := range houseWords {
		if strings.HasPrefix(low, w) {
			k += len(w)
			break
		}
	}
	e := k
	for e < len(text) && isASCIIDigit(text[e]) && e-k < 5 {
		e++
	}
	if e == k || text[k] == '0' {
		return 0, false
	}
	if e < len(text) && isASCIILetter(text[e]) && (e+1 == len(text) || !isASCIILetter(text[e+1])) {
		e++ // 12a
	}
	if e < len(text) && (isASCIIDigit(text[e]) || isASCIILetter(text[e])) {
		return 0, false
	}
	return e, true
}

// streetBefore finds "Street 12," or "Street 12a " right before position i.
func streetBefore(text string, i int) (int, bool) {
	k := i
	for n := 0; k > 0 && n < 2 && (text[k-1] == ' ' || text[k-1] == ','); n++ {
		k--
	}
	if k == i {
		return 0, false
	}
	if k > 1 && isASCIILetter(text[k-1]) && isASCIIDigit(text[k-2]) {
		k-- // 12a
	}
	d := k
	for d > 0 && isASCIIDigit(text[d-1]) && k-d < 5 {
		d--
	}
	if d == k || d == 0 || text[d-1] != ' ' {
		return 0, false
	}
	// the street: the word before the number, starting with a letter
	w := d - 1
	ws := w
	for ws > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:ws])
		if !unicode.IsLetter(r) && r != '-' && r != '\'' {
			break
		}
		ws -= size
	}
	if ws == w {
		return 0, false
	}
	return ws, true
}

// phones finds phone numbers in a chain: Dutch numbers of ten digits
// starting with 0 (not 0800/090x service numbers), the same with +31 or
// 0031, and international numbers after + or 00 with 8 to 15 digits.
func phones(text string, groups []digitGroup, plus bool, ss spans) spans {
	for s0 := 0; s0 < len(groups); s0++ {
		p := plus && s0 == 0
		if !p && groups[s0].digits[0] != '0' {
			continue
		}
		acc := ""
		best := -1
		for e := s0; e < len(groups) && len(acc) <= 16; e++ {
			acc += groups[e].digits
			if validPhone(acc, p) {
				best = e
			}
		}
		if best < 0 {
			continue
		}
		start := groups[s0].start
		if p {
			start--
		}
		end := groups[best].end
		if ss.free(start, end) {
			ss = append(ss, span{start: start, end: end, code: PIIPhone})
		}
		s0 = best
	}
	return ss
}

func validPhone(d string, plus bool) bool {
	if !plus && strings.HasPrefix(d, "00") {
		d, plus = d[2:], true
	}
	if plus {
		if d == "" || d[0] == '0' {
			return false
		}
		if rest, ok := strings.CutPrefix(d, "31"); ok {
			rest = strings.TrimPrefix(rest, "0") // +31 (0)6 …
			return len(rest) == 9 && rest[0] != '0'
		}
		return len(d) >= 8 && len(d) <= 15
	}
	if len(d) != 10 || d[0] != '0' || d[1] == '0' {
		return false
	}
	for _, p := range []string{"0800", "0900", "0906", "0909"} {
		if strings.HasPrefix(d, p) {
			return false
		}
	}
	return true
}

// bsns finds nine digits that pass the eleven-test, not amounts of money.
func bsns(text string, groups []digitGroup, ss spans) spans {
	for s0 := range groups {
		acc := ""
		for e := s0; e < len(groups) && len(acc) < 9; e++ {
			acc += groups[e].digits
			if len(acc) != 9 || !elevenTest(acc) {
				continue
			}
			start, end := groups[s0].start, groups[e].end
			if money(text, start, end) || !ss.free(start, end) {
				continue
			}
			ss = append(ss, span{start: start, end: end, code: PIIBSN})
		}
	}
	return ss
}

// elevenTest is the BSN check: 9×d1 + 8×d2 + … + 2×d8 − d9 is a multiple
// of 11 (and the number is not all zeros).
func elevenTest(d string) bool {
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(d[i]-'0') * (9 - i)
	}
	sum -= int(d[8] - '0')
	return sum%11 == 0 && d != "000000000"
}

func money(text string, start, end int) bool {
	before := strings.TrimRight(text[max(0, start-4):start], " ")
	if strings.HasSuffix(before, "€") || strings.HasSuffix(before, "$") || strings.HasSuffix(before, "£") {
		return true
	}
	after := strings.ToLower(strings.TrimLeft(text[end:min(len(text), end+6)], " "))
	return strings.HasPrefix(after, "eur") || strings.HasPrefix(after, "€") || strings.HasPrefix(after, "%")
}
