package receipts

import (
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	for in, want := range map[string]string{
		"ABCDE-FGHJK":    "ABCDEFGHJK",
		"abcde fghjk":    "ABCDEFGHJK",
		" abcde-\tfghjk": "ABCDEFGHJK",
		"ABCDE-FGHJ":     "", // too short
		"ABCDE-FGHJKM":   "", // too long
		"ABCDE-FGHJ0":    "", // 0 looks like O: not in the alphabet
		"ABCDE-FGHJI":    "",
		"<script>":       "",
		"":               "",
	} {
		if got := Normalise(in); got != want {
			t.Errorf("Normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewCode()
		if Normalise(c) != c || Normalise(Format(c)) != c || len(Format(c)) != Len+1 || Format(c)[5] != '-' {
			t.Fatalf("code %q does not round-trip", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice in 1000", c)
		}
		seen[c] = true
	}
	// Every character of the alphabet turns up: the draw is not biased
	// towards a part of it.
	all := strings.Join(keys(seen), "")
	for _, r := range Alphabet {
		if !strings.ContainsRune(all, r) {
			t.Errorf("%c never drawn in 10,000 characters", r)
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLinksSignCodes(t *testing.T) {
	l := NewLinks([]byte("0123456789abcdef0123456789abcdef"))
	code := NewCode()
	p := l.Path(code)
	if !strings.HasPrefix(p, "/r/"+code+".") || len(p) != len("/r/")+Len+1+16 {
		t.Fatalf("signed path %q", p)
	}
	param := strings.TrimPrefix(p, "/r/")
	if got, signed := l.Split(param); got != code || !signed {
		t.Fatalf("Split(%q) = %q, %v", param, got, signed)
	}
	// Typed forms still read, unsigned.
	if got, signed := l.Split(Format(code)); got != code || signed {
		t.Fatalf("typed code: %q, %v", got, signed)
	}
	// A wrong tag, another secret, or no secret: not signed.
	if _, signed := l.Split(param[:len(param)-1] + "0"); signed && param[len(param)-1] != '0' {
		t.Fatal("a wrong tag is accepted")
	}
	if _, signed := NewLinks([]byte("another secret of thirty-two b..")).Split(param); signed {
		t.Fatal("a tag under another secret is accepted")
	}
	var zero Links
	if zero.Path(code) != "/r/"+code {
		t.Fatalf("zero Links signs: %q", zero.Path(code))
	}
	if _, signed := zero.Split(param); signed {
		t.Fatal("zero Links accepts a tag")
	}
}
