package i18n

import (
	"os"
	"path"
	"testing"

	"github.com/buurtstem/buurtstem/i18n/internal/localefile"
)

// Every translation records the hash of the Dutch text it was made from
// (locales/.source-hashes/<lang>.json), so that a change to the Dutch
// marks it outdated. The translator command writes the hashes; this test
// fails when a translation was added or removed by hand without them.
// Outdated translations (the Dutch changed since) are listed, not failed:
// an older translation is better than none, and translators catch up with
// go run ./i18n/cmd/translations -lang <code>.
func TestSourceHashesRecorded(t *testing.T) {
	c := load(t)
	fsys := os.DirFS("locales")
	src := map[string]string{}
	nl, err := os.ReadFile(path.Join("locales", Source+".toml"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := localefile.Parse(Source+".toml", nl)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Entries {
		src[e.Key] = localefile.Hash(e)
	}
	for _, lang := range c.Languages() {
		if lang.Code == Source {
			continue
		}
		file := path.Join(localefile.HashesDir, lang.Code+".json")
		hashes, err := localefile.ReadHashes(fsys, file)
		if err != nil {
			t.Fatal(err)
		}
		fix := "go run ./i18n/cmd/translations -lang " + lang.Code + " -stamp"
		var outdated []string
		for _, id := range c.order[lang.Code] {
			want, inSource := src[id]
			if !inSource {
				continue // TestEveryKeyInEveryLanguage reports it
			}
			got, ok := hashes[id]
			switch {
			case !ok:
				t.Errorf("%s.toml: key %q has no source hash in %s; after editing by hand run: %s", lang.Code, id, file, fix)
			case got != want:
				outdated = append(outdated, id)
			}
		}
		for id := range hashes {
			if _, ok := c.messages[lang.Code][id]; !ok {
				t.Errorf("%s: key %q is not in %s.toml any more; run: %s", file, id, lang.Code, fix)
			}
		}
		if len(outdated) > 0 {
			t.Logf("%s.toml: %d translations are older than the Dutch: %v", lang.Code, len(outdated), outdated)
		}
	}
}
