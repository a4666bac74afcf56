package i18n

import "testing"

func TestTextFallbackChain(t *testing.T) {
	prompt := Text{
		"nl": "Hoe is het om hier te wonen?",
		"ar": "كيف الحياة هنا؟",
		"tr": "  ", // blank: as good as missing
		"pl": "Jak się tu mieszka?",
	}
	cases := []struct {
		name     string
		text     Text
		lang     string
		fallback []string
		want     string // the language of the text In should return
	}{
		{name: "own language", text: prompt, lang: "ar", want: "ar"},
		{name: "region ignored", text: prompt, lang: "ar-MA", want: "ar"},
		{name: "upper case", text: prompt, lang: "PL", want: "pl"},
		{name: "blank variant skipped, Dutch next", text: prompt, lang: "tr", want: "nl"},
		{name: "given fallback before Dutch", text: prompt, lang: "uk", fallback: []string{"pl"}, want: "pl"},
		{name: "fallbacks in order", text: prompt, lang: "uk", fallback: []string{"en", "ar", "pl"}, want: "ar"},
		{name: "bad fallback skipped", text: prompt, lang: "uk", fallback: []string{"../x", ""}, want: "nl"},
		{name: "bad tag", text: prompt, lang: "\x00", want: "nl"},
		{name: "no Dutch: any, smallest code", text: Text{"uk": "Як вам тут живеться?", "en": "How is it to live here?"}, lang: "tr", want: "en"},
		{name: "empty", text: Text{}, lang: "nl", want: ""},
		{name: "nil", text: nil, lang: "nl", want: ""},
		{name: "only blanks", text: Text{"nl": " ", "ar": ""}, lang: "nl", want: ""},
	}
	for _, tc := range cases {
		s, used := tc.text.In(tc.lang, tc.fallback...)
		if used != tc.want {
			t.Errorf("%s: In(%q, %q) used %q, want %q", tc.name, tc.lang, tc.fallback, used, tc.want)
			continue
		}
		if s != tc.text[tc.want] {
			t.Errorf("%s: text %q is not the %s variant", tc.name, s, used)
		}
	}
}

// A page marks a fallback with content.fallback, naming the language the
// resident sees in that language's own name.
func TestTextFallbackNotice(t *testing.T) {
	c := load(t)
	l := c.Localizer("uk")
	_, used := Text{"nl": "Hoe is het om hier te wonen?"}.In(l.Lang.Code)
	if used == l.Lang.Code {
		t.Fatal("expected a fallback")
	}
	shown, _ := c.Lookup(used)
	got := l.T("content.fallback", "Language", shown.NativeName)
	if want := "Цього тексту немає вашою мовою. Ви бачите його іншою мовою: Nederlands."; got != want {
		t.Errorf("notice %q, want %q", got, want)
	}
}
