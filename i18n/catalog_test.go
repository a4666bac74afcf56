package i18n

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func load(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reportProblems fails the test once per problem of the given kinds; each
// line names the file and the key.
func reportProblems(t *testing.T, c *Catalog, kinds ...Kind) {
	t.Helper()
	for _, p := range c.Check() {
		if slices.Contains(kinds, p.Kind) {
			t.Error(p)
		}
	}
}

func TestShippedLanguages(t *testing.T) {
	c := load(t)
	want := map[string][2]string{ // code → native name, direction
		"nl": {"Nederlands", "ltr"}, "en": {"English", "ltr"}, "ar": {"العربية", "rtl"},
		"tr": {"Türkçe", "ltr"}, "pl": {"Polski", "ltr"}, "uk": {"Українська", "ltr"},
	}
	got := c.Languages()
	if len(got) != len(want) || got[0].Code != Source {
		t.Fatalf("languages %v, want Dutch first and %d languages", got, len(want))
	}
	for _, l := range got {
		w, ok := want[l.Code]
		if !ok {
			t.Errorf("unexpected language %s", l.Code)
			continue
		}
		if l.NativeName != w[0] || l.Dir != w[1] {
			t.Errorf("%s: native name %q, direction %q; want %q, %q", l.Code, l.NativeName, l.Dir, w[0], w[1])
		}
	}
}

// Every key of nl.toml exists and is non-empty in every language, and no
// language has keys that nl.toml lacks.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	reportProblems(t, load(t), KindMissing, KindEmpty, KindUnknown)
}

func TestPlaceholdersIdentical(t *testing.T) {
	reportProblems(t, load(t), KindPlaceholder, KindTemplate)
}

func TestPluralFormsComplete(t *testing.T) {
	c := load(t)
	if len(c.plural) == 0 {
		t.Fatal("nl.toml has no message with plural forms; the plural check would check nothing")
	}
	reportProblems(t, c, KindPlural)
}

func TestPluralCategoriesPerCLDR(t *testing.T) {
	c := load(t)
	want := map[string]string{
		"nl": "one other", "en": "one other", "tr": "one other",
		"ar": "zero one two few many other",
		"pl": "one few many other", "uk": "one few many other",
	}
	for _, l := range c.Languages() {
		if got := strings.Join(l.Plurals, " "); got != want[l.Code] {
			t.Errorf("%s: plural categories %q, want %q", l.Code, got, want[l.Code])
		}
	}
}

// The plural form chosen for a count is the one a reader expects. These
// pin the categories with their tell-tale word, so a form put under the
// wrong category shows.
func TestPluralRendering(t *testing.T) {
	c := load(t)
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"nl", 1, "1 buurt"}, {"nl", 2, "2 buurten"}, {"nl", 0, "0 buurten"},
		{"en", 1, "1 neighbourhood"}, {"en", 7, "7 neighbourhoods"},
		{"tr", 1, "1 mahalle"}, {"tr", 7, "7 mahalle"},
		{"pl", 1, "1 osiedle"}, {"pl", 3, "3 osiedla"}, {"pl", 5, "5 osiedli"}, {"pl", 22, "22 osiedla"}, {"pl", 12, "12 osiedli"},
		{"uk", 1, "1 частина міста"}, {"uk", 3, "3 частини міста"}, {"uk", 5, "5 частин міста"}, {"uk", 21, "21 частина міста"},
		{"ar", 0, "لا توجد أحياء"}, {"ar", 1, "حيّ واحد"}, {"ar", 2, "حيّان"}, {"ar", 3, "3 أحياء"}, {"ar", 11, "11 حيًّا"}, {"ar", 100, "100 حيّ"},
	}
	for _, tc := range cases {
		if got := c.Localizer(tc.lang).N("org.neighbourhood_count", tc.count); got != tc.want {
			t.Errorf("%s N(org.neighbourhood_count, %d) = %q, want %q", tc.lang, tc.count, got, tc.want)
		}
	}
}

// T on a message with plural forms takes the form from its one
// whole-number argument, as the error handler passes apperr data.
func TestTPicksPluralFormFromNumber(t *testing.T) {
	c := load(t)
	nl, pl := c.Localizer("nl"), c.Localizer("pl")
	if got := nl.T("login.locked", "Minutes", 1); !strings.Contains(got, "1 minuut") {
		t.Errorf("nl one: %q", got)
	}
	if got := nl.T("login.locked", "Minutes", 15); !strings.Contains(got, "15 minuten") {
		t.Errorf("nl other: %q", got)
	}
	if got := pl.T("error.retry_hint", "Seconds", 5); !strings.Contains(got, "5 sekund.") {
		t.Errorf("pl many: %q", got)
	}
	if got := pl.T("error.retry_hint", "Seconds", int64(2)); !strings.Contains(got, "2 sekundy") {
		t.Errorf("pl few: %q", got)
	}
	// No number: the "other" form, never a message id.
	if got := nl.T("login.locked"); got == "login.locked" || !strings.Contains(got, "minuten") {
		t.Errorf("nl without count: %q", got)
	}
}

func TestNumbersAndDates(t *testing.T) {
	c := load(t)
	day := time.Date(2026, time.November, 27, 14, 5, 0, 0, time.UTC)
	cases := []struct{ lang, number, date string }{
		{"nl", "12.345", "27 november 2026 om 14:05"},
		{"en", "12,345", "27 November 2026 at 14:05"},
		{"ar", "12,345", "27 نوفمبر 2026، الساعة 14:05"},
		{"tr", "12.345", "27 Kasım 2026, saat 14:05"},
		{"pl", "12\u00a0345", "27 listopada 2026 o 14:05"},
		{"uk", "12\u00a0345", "27 листопада 2026 о 14:05"},
	}
	for _, tc := range cases {
		l := c.Localizer(tc.lang)
		if got := l.Number(12345); got != tc.number {
			t.Errorf("%s Number: %q, want %q", tc.lang, got, tc.number)
		}
		if got := l.DateTime(day); got != tc.date {
			t.Errorf("%s DateTime: %q, want %q", tc.lang, got, tc.date)
		}
	}
}

// nlFile is a minimal Dutch source for LoadFS tests.
const nlFile = `"meta.native_name" = "Nederlands"
"meta.direction" = "ltr"
"home.greeting" = "Welkom, {{.Name}}"
"org.count".one = "{{.Count}} buurt"
"org.count".other = "{{.Count}} buurten"
`

// Adding one locale file and nothing else makes the language appear in
// the picker and reachable by negotiation.
func TestNewLocaleFileAppearsInPicker(t *testing.T) {
	fsys := fstest.MapFS{
		"nl.toml": {Data: []byte(nlFile)},
		"fr.toml": {Data: []byte(`"meta.native_name" = "Français"
"meta.direction" = "ltr"
"home.greeting" = "Bienvenue, {{.Name}}"
"org.count".one = "{{.Count}} quartier"
"org.count".other = "{{.Count}} quartiers"
`)},
	}
	c, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, l := range c.Languages() {
		codes = append(codes, l.Code+"="+l.NativeName)
	}
	if got := strings.Join(codes, " "); got != "nl=Nederlands fr=Français" {
		t.Fatalf("picker shows %q", got)
	}
	if l := c.Negotiate("", nil, "fr-BE, fr;q=0.9"); l.Code != "fr" {
		t.Errorf("Accept-Language fr-BE gave %s", l.Code)
	}
	if got := c.Localizer("fr").T("home.greeting", "Name", "Amal"); got != "Bienvenue, Amal" {
		t.Errorf("fr greeting: %q", got)
	}
	if got := c.Localizer("fr").N("org.count", 2); got != "2 quartiers" {
		t.Errorf("fr plural: %q", got)
	}
	if p := c.Check(); len(p) != 0 {
		t.Errorf("a complete new file has problems: %v", p)
	}
}

// A broken locale file fails LoadFS, and the error names the file and the
// key.
func TestLoadFSNamesFileAndKey(t *testing.T) {
	cases := []struct {
		name, file, data string
		want             []string
	}{
		{"toml syntax error", "tr.toml", "\"meta.native_name\" = \"Türkçe\"\n\"home.greeting\" = \"Hoş geldiniz\n",
			[]string{"tr.toml", "home.greeting"}},
		{"missing placeholder", "tr.toml", "\"meta.native_name\" = \"Türkçe\"\n\"meta.direction\" = \"ltr\"\n\"home.greeting\" = \"Hoş geldiniz\"\n",
			[]string{"tr.toml", "home.greeting", "{{.Name}}"}},
		{"misspelt placeholder", "tr.toml", "\"meta.native_name\" = \"Türkçe\"\n\"meta.direction\" = \"ltr\"\n\"home.greeting\" = \"Hoş geldiniz, {{.Nmae}}\"\n",
			[]string{"tr.toml", "home.greeting", "{{.Nmae}}"}},
		{"template does not parse", "tr.toml", "\"meta.native_name\" = \"Türkçe\"\n\"meta.direction\" = \"ltr\"\n\"home.greeting\" = \"Hoş geldiniz, {{.Name}\"\n",
			[]string{"tr.toml", "home.greeting"}},
		{"plural form with a placeholder the Dutch lacks", "pl.toml", "\"meta.native_name\" = \"Polski\"\n\"meta.direction\" = \"ltr\"\n\"org.count\".one = \"{{.Name}} osiedle\"\n\"org.count\".other = \"{{.Count}} osiedla\"\n",
			[]string{"pl.toml", "org.count", "{{.Name}}"}},
		{"unquoted dotted key", "tr.toml", "\"meta.native_name\" = \"Türkçe\"\nhome.greeting = \"Hoş geldiniz, {{.Name}}\"\n",
			[]string{"tr.toml", "home", "quotes"}},
		{"not a string", "tr.toml", "\"meta.native_name\" = \"Türkçe\"\n\"home.greeting\" = 5\n",
			[]string{"tr.toml", "home.greeting"}},
		{"bad direction", "tr.toml", "\"meta.native_name\" = \"Türkçe\"\n\"meta.direction\" = \"up\"\n",
			[]string{"tr.toml", "meta.direction"}},
		{"no native name", "tr.toml", "\"meta.direction\" = \"ltr\"\n",
			[]string{"tr.toml", "meta.native_name"}},
		{"file name not a language", "turkish.toml", "\"meta.native_name\" = \"Türkçe\"\n\"meta.direction\" = \"ltr\"\n",
			[]string{"turkish.toml"}},
		{"broken source", "nl.toml", "\"meta.native_name\" = \"Nederlands\"\n\"meta.direction\" = \"ltr\"\n\"home.greeting\" = \"Welkom {{.Name\"\n",
			[]string{"nl.toml", "home.greeting"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"nl.toml": {Data: []byte(nlFile)}}
			fsys[tc.file] = &fstest.MapFile{Data: []byte(tc.data)}
			_, err := LoadFS(fsys)
			if err == nil {
				t.Fatal("LoadFS accepted the broken file")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestLoadFSWithoutSource(t *testing.T) {
	_, err := LoadFS(fstest.MapFS{"en.toml": {Data: []byte("\"meta.native_name\" = \"English\"\n\"meta.direction\" = \"ltr\"\n")}})
	if err == nil || !strings.Contains(err.Error(), "nl.toml") {
		t.Fatalf("LoadFS without nl.toml: %v", err)
	}
}

// Check reports what LoadFS lets through (a missing key falls back to
// Dutch at run time), each with file and key.
func TestCheckReportsIncompleteFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"nl.toml": {Data: []byte(nlFile)},
		"pl.toml": {Data: []byte(`"meta.native_name" = "Polski"
"meta.direction" = "ltr"
"org.count".one = "{{.Count}} osiedle"
"org.count".few = "{{.Count}} osiedla"
"org.count".two = "{{.Count}} osiedla"
"org.count".other = "{{.Count}} osiedla"
"old.key" = "stare"
`)},
	}
	c, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Check() {
		got = append(got, string(p.Kind)+" "+p.File+" "+p.Key)
		if !strings.Contains(p.Error(), p.File) || !strings.Contains(p.Error(), p.Key) {
			t.Errorf("problem text %q lacks file or key", p.Error())
		}
	}
	want := []string{
		"missing pl.toml home.greeting",
		"plural pl.toml org.count", // "many" is missing
		"plural pl.toml org.count", // "two" is not Polish
		"unknown pl.toml old.key",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// At run time the missing key falls back to Dutch, not to its id.
	if s := c.Localizer("pl").T("home.greeting", "Name", "Ola"); s != "Welkom, Ola" {
		t.Errorf("fallback: %q", s)
	}
}
