package i18n

import (
	"strings"
	"testing"
)

// Language tags come from a cookie, a query string (?lang=) and the
// Accept-Language header: anything at all. Bad ones fall back cleanly.
func TestBadLanguageTags(t *testing.T) {
	c := load(t)
	long := strings.Repeat("a", 10_000)
	lookups := []struct {
		in   string
		want string // "" means not found
	}{
		{"", ""},
		{"   ", ""},
		{"xx", ""},
		{"zz-ZZ", ""},
		{"und", ""},
		{"mul", ""},
		{"*", ""},
		{"../../etc/passwd", ""},
		{"nl\x00", ""},
		{"<script>", ""},
		{"ar;q=0.9", ""},
		{long, ""},
		{"en-" + long, ""},
		{"ar-MA", "ar"},
		{"AR", "ar"},
		{" uk ", "uk"},
		{"en-US-x-private", "en"},
		{"tr-Latn-TR", "tr"},
		{"pl-PL-u-nu-arab", "pl"},
		{"nl-BE", "nl"},
	}
	for _, tc := range lookups {
		l, ok := c.Lookup(tc.in)
		if got := map[bool]string{true: l.Code, false: ""}[ok]; got != tc.want {
			t.Errorf("Lookup(%.40q) = %q, want %q", tc.in, got, tc.want)
		}
		// Localizer and Negotiate never fail: unknown means Dutch.
		want := tc.want
		if want == "" {
			want = Source
		}
		if got := c.Localizer(tc.in).Lang.Code; got != want {
			t.Errorf("Localizer(%.40q) is %s, want %s", tc.in, got, want)
		}
		if got := c.Negotiate(tc.in, nil, "").Code; got != want {
			t.Errorf("Negotiate(explicit %.40q) = %s, want %s", tc.in, got, want)
		}
	}

	headers := []struct{ header, want string }{
		{"", "nl"},
		{"*", "nl"},
		{"xx", "nl"},
		{"xx;q=abc", "nl"},
		{";;;,,,", "nl"},
		{"../../etc", "nl"},
		{long, "nl"},
		{"zh-CN,zh;q=0.9", "nl"},
		{"ar-MA,ar;q=0.9,fr;q=0.8", "ar"},
		{"fr-FR, tr;q=0.5", "tr"},
		{"xx, ar", "ar"},                  // one bad entry does not spoil the rest
		{"pl;q=abc, uk;q=0.4", "uk"},      // nor does a bad weight
		{"en;q=0.1, uk;q=0.9", "uk"},      // weights count, not order
		{"de-DE,de;q=0.9,en;q=0.8", "en"}, // a German browser with English as second
		{"en-US-x-private, nl;q=0.1", "en"},
		{strings.Repeat("xx, ", 500) + "ar", "nl"}, // cut off before the good entry
	}
	for _, tc := range headers {
		if got := c.Negotiate("", nil, tc.header).Code; got != tc.want {
			t.Errorf("Negotiate(Accept-Language %.50q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func TestNegotiateOrder(t *testing.T) {
	c := load(t)
	cases := []struct {
		name     string
		explicit string
		offered  []string
		accept   string
		want     string
	}{
		{"explicit wins over everything", "uk", []string{"ar", "tr"}, "tr", "uk"},
		{"bad explicit is ignored", "klingon", nil, "pl", "pl"},
		{"offered language the browser accepts", "", []string{"ar", "tr", "pl"}, "tr-TR,en;q=0.5", "tr"},
		{"first offered when the browser accepts none", "", []string{"ar", "tr"}, "de", "ar"},
		{"bad offered codes are skipped", "", []string{"../x", "", "uk"}, "", "uk"},
		{"only bad offered codes: browser decides", "", []string{"xx"}, "pl", "pl"},
		{"nothing: Dutch", "", nil, "", "nl"},
	}
	for _, tc := range cases {
		if got := c.Negotiate(tc.explicit, tc.offered, tc.accept).Code; got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

// FuzzNegotiate: whatever arrives, negotiation returns a shipped language
// and never panics.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "nl", "ar-MA", "xx;q=abc", "en-US-x-private", "../../etc", "*", "tr, pl;q=0.5"} {
		f.Add(s, s)
	}
	c := load(f)
	f.Fuzz(func(t *testing.T, explicit, accept string) {
		l := c.Negotiate(explicit, []string{explicit, accept}, accept)
		if _, ok := c.byCode[l.Code]; !ok {
			t.Fatalf("Negotiate(%q, %q) = %q, not a shipped language", explicit, accept, l.Code)
		}
		if c.Localizer(explicit).Lang.Code == "" {
			t.Fatal("Localizer without a language")
		}
		Text{"nl": "a", "ar": "b"}.In(explicit, accept)
	})
}
