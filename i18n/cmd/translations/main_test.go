package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/i18n/internal/localefile"
)

const nlSrc = `# Nederlands — bron.

"meta.native_name" = "Nederlands"
"meta.direction" = "ltr"

"login.title" = "Inloggen"
"login.failed" = "Het wachtwoord klopt niet."

"home.greeting" = "Welkom, {{.Name}}"
"org.count".one = "{{.Count}} buurt"
"org.count".other = "{{.Count}} buurten"
`

const enSrc = `"meta.native_name" = "English"
"meta.direction" = "ltr"
"login.title" = "Log in"
"login.failed" = "The password is wrong."
"home.greeting" = "Welcome, {{.Name}}"
"org.count".one = "{{.Count}} neighbourhood"
"org.count".other = "{{.Count}} neighbourhoods"
`

// A Polish file with one key missing (login.failed), one plural form
// missing (org.count.many) and one key nl.toml no longer has.
const plSrc = `# Polski — test.
"org.count".one = "{{.Count}} osiedle"
"org.count".few = "{{.Count}} osiedla"
"org.count".other = "{{.Count}} osiedla"
"home.greeting" = "Witaj, {{.Name}}"
"meta.direction" = "ltr"
"login.title" = "Logowanie"
"meta.native_name" = "Polski"
"old.key" = "stare"
`

func setup(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{"nl.toml": nlSrc, "en.toml": enSrc, "pl.toml": plSrc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func open(t *testing.T, dir, lang string) *workspace {
	t.Helper()
	w, err := openWorkspace(dir, lang)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func reasons(items []item) string {
	var s []string
	for _, it := range items {
		s = append(s, it.key+"="+it.reason)
	}
	return strings.Join(s, " ")
}

func TestTodoListsMissingIncompleteAndUnstamped(t *testing.T) {
	dir := setup(t)
	w := open(t, dir, "pl")
	// Nothing is stamped yet, so every present translation is outdated
	// (its Dutch source is unknown).
	want := "meta.native_name=outdated meta.direction=outdated login.title=outdated login.failed=missing " +
		"home.greeting=outdated org.count=incomplete"
	if got := reasons(w.todo()); got != want {
		t.Fatalf("todo:\n got %s\nwant %s", got, want)
	}
	w.stamp()
	if got := reasons(w.todo()); got != "login.failed=missing org.count=incomplete" {
		t.Fatalf("after stamp: %s", got)
	}
}

func TestChangedDutchMarksTranslationOutdated(t *testing.T) {
	dir := setup(t)
	w := open(t, dir, "pl")
	w.stamp()
	if err := w.saveHashes(); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(nlSrc, `"Inloggen"`, `"Log in bij buurtstem"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "nl.toml"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	w = open(t, dir, "pl")
	if got := reasons(w.todo()); got != "login.title=outdated login.failed=missing org.count=incomplete" {
		t.Fatalf("todo after a Dutch change: %s", got)
	}
}

func TestTodoFileShowsSourceAndParses(t *testing.T) {
	dir := setup(t)
	w := open(t, dir, "pl")
	w.stamp()
	out := string(w.todoFile(w.todo()))
	for _, want := range []string{
		"# To translate into Polski (pl): 2 missing, 0 outdated.",
		"# nl: Het wachtwoord klopt niet.",
		"# en: The password is wrong.",
		`"login.failed" = ""`,
		"# incomplete: a plural form is missing",
		"# nl (one): {{.Count}} buurt",
		"# now (few): {{.Count}} osiedla",
		"# Polski (pl) needs the forms one, few, many, other.",
		`"org.count".many = ""`,
		"-lang pl -merge pl.todo.toml",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("to-do file lacks %q:\n%s", want, out)
		}
	}
	f, err := localefile.Parse("pl.todo.toml", []byte(out))
	if err != nil {
		t.Fatalf("the to-do file does not parse: %v", err)
	}
	if got := strings.Join(f.Keys(), " "); got != "login.failed org.count" {
		t.Errorf("keys %s", got)
	}
}

// fill sets the texts of a to-do file.
func fill(t *testing.T, todo []byte, texts map[string]map[string]string) []byte {
	t.Helper()
	f, err := localefile.Parse("todo.toml", todo)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range f.Entries {
		if forms, ok := texts[e.Key]; ok {
			for cat, text := range forms {
				f.Entries[i].Forms[cat] = text
			}
		}
	}
	return localefile.Format(f.Header, f.Entries)
}

func TestMergeKeepsTheFileTidy(t *testing.T) {
	dir := setup(t)
	w := open(t, dir, "pl")
	w.stamp()
	filled := fill(t, w.todoFile(w.todo()), map[string]map[string]string{
		"login.failed": {"other": "Hasło jest błędne."},
		"org.count":    {"one": "{{.Count}} osiedle", "few": "{{.Count}} osiedla", "many": "{{.Count}} osiedli", "other": "{{.Count}} osiedla"},
	})
	rep, err := w.merge("pl.todo.toml", filled)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep, "merged 2 translations") || !strings.Contains(rep, "old.key") {
		t.Errorf("report: %s", rep)
	}
	if err := w.save(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "pl.toml"))
	if err != nil {
		t.Fatal(err)
	}
	want := `# Polski — test.

"meta.native_name" = "Polski"
"meta.direction" = "ltr"

"login.title" = "Logowanie"
"login.failed" = "Hasło jest błędne."

"home.greeting" = "Witaj, {{.Name}}"

"org.count".one = "{{.Count}} osiedle"
"org.count".few = "{{.Count}} osiedla"
"org.count".many = "{{.Count}} osiedli"
"org.count".other = "{{.Count}} osiedla"
`
	if string(got) != want {
		t.Errorf("pl.toml after merge:\n%s\nwant:\n%s", got, want)
	}
	// Everything is done and recorded.
	w = open(t, dir, "pl")
	if items := w.todo(); len(items) != 0 {
		t.Errorf("still to do: %s", reasons(items))
	}
	if len(w.hashes) != 6 {
		t.Errorf("hashes: %v", w.hashes)
	}
	// The merged file loads and is complete.
	c, err := i18n.LoadFS(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Check() {
		if p.File == "pl.toml" {
			t.Error(p)
		}
	}
}

func TestMergeRefusesBadTexts(t *testing.T) {
	cases := []struct {
		name  string
		texts map[string]map[string]string
		extra string
		want  []string
	}{
		{"placeholder lost", map[string]map[string]string{"home.greeting": {"other": "Witaj"}},
			"", []string{"pl.toml", "home.greeting", "{{.Name}}"}},
		{"placeholder misspelt", map[string]map[string]string{"home.greeting": {"other": "Witaj, {{.Nmae}}"}},
			"", []string{"home.greeting", "{{.Nmae}}"}},
		{"template broken", map[string]map[string]string{"home.greeting": {"other": "Witaj, {{.Name}"}},
			"", []string{"home.greeting"}},
		{"plural form empty", map[string]map[string]string{"org.count": {"one": "{{.Count}} osiedle", "few": "x {{.Count}}", "other": "{{.Count}} osiedla"}},
			"", []string{"todo.toml", "org.count", `"many"`}},
		{"unknown key", nil, "\"no.such\" = \"x\"\n", []string{"todo.toml", "no.such", "not in nl.toml"}},
		{"plural for a plain text", nil, "\"login.title\".one = \"x\"\n\"login.title\".other = \"y\"\n",
			[]string{"login.title", "no plural forms"}},
		{"a form Polish does not have", nil,
			"\"org.count\".one = \"a {{.Count}}\"\n\"org.count\".two = \"b {{.Count}}\"\n\"org.count\".few = \"c {{.Count}}\"\n\"org.count\".many = \"d {{.Count}}\"\n\"org.count\".other = \"e {{.Count}}\"\n",
			[]string{"org.count", `"two"`}},
		{"syntax error", nil, "\"login.title\" = \"x\n", []string{"todo.toml", "login.title"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := setup(t)
			w := open(t, dir, "pl")
			todo := []byte("")
			if tc.texts != nil {
				var b bytes.Buffer
				for key, forms := range tc.texts {
					e := localefile.Entry{Key: key, Forms: forms, Plural: len(forms) > 1}
					localefile.WriteEntry(&b, e, "")
				}
				todo = b.Bytes()
			}
			todo = append(todo, tc.extra...)
			_, err := w.merge("todo.toml", todo)
			if err == nil {
				t.Fatal("merge accepted it")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			// Nothing was written.
			if b, _ := os.ReadFile(filepath.Join(dir, "pl.toml")); string(b) != plSrc {
				t.Error("pl.toml changed")
			}
		})
	}
}

func TestEmptyTextsAreSkipped(t *testing.T) {
	dir := setup(t)
	w := open(t, dir, "pl")
	w.stamp()
	rep, err := w.merge("pl.todo.toml", w.todoFile(w.todo()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep, "merged 0 translations, skipped 2 empty ones") {
		t.Errorf("report: %s", rep)
	}
}

// The whole workflow through the command line, for a new language: one new
// file, and the language is in the picker.
func TestCommandAddsANewLanguage(t *testing.T) {
	dir := setup(t)
	todo := filepath.Join(t.TempDir(), "fr.todo.toml")
	var out, errOut bytes.Buffer
	if err := run([]string{"-dir", dir, "-lang", "fr", "-out", todo}, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	if !strings.Contains(out.String(), "fr: 6 missing, 0 outdated") {
		t.Errorf("output: %s", out.String())
	}
	b, err := os.ReadFile(todo)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "The name of your language") {
		t.Error("the to-do file does not explain meta.native_name")
	}
	filled := fill(t, b, map[string]map[string]string{
		"meta.native_name": {"other": "Français"},
		"meta.direction":   {"other": "ltr"},
		"login.title":      {"other": "Connexion"},
		"login.failed":     {"other": "Le mot de passe est faux."},
		"home.greeting":    {"other": "Bienvenue, {{.Name}}"},
		"org.count":        {"one": "{{.Count}} quartier", "other": "{{.Count}} quartiers"},
	})
	if err := os.WriteFile(todo, filled, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run([]string{"-dir", dir, "-lang", "fr", "-merge", todo}, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	c, err := i18n.LoadFS(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range c.Languages() {
		names = append(names, l.NativeName)
	}
	if got := strings.Join(names, " "); got != "Nederlands English Français Polski" {
		t.Errorf("picker: %s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, ".source-hashes", "fr.json")); err != nil {
		t.Errorf("no hashes written: %v", err)
	}
	out.Reset()
	if err := run([]string{"-dir", dir, "-status"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "fr      0 missing    0 outdated") {
		t.Errorf("status:\n%s", out.String())
	}
}

func TestCommandRefusesBadInput(t *testing.T) {
	dir := setup(t)
	for _, args := range [][]string{
		{"-dir", dir},
		{"-dir", dir, "-lang", "../etc"},
		{"-dir", dir, "-lang", "nl"},
		{"-dir", dir, "-lang", "pl", "-merge", "x", "-stamp"},
		{"-dir", dir, "-lang", "pl", "extra"},
	} {
		var out, errOut bytes.Buffer
		if err := run(args, &out, &errOut); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
