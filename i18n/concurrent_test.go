package i18n

import (
	"bytes"
	"fmt"
	"html/template"
	"sync"
	"testing"
)

// page stands in for the server's page data: the template calls T and N
// on it, as the real templates do.
type page struct {
	L    *Localizer
	Name string
	N    int
}

func (p page) T(id string, args ...any) string            { return p.L.T(id, args...) }
func (p page) Count(id string, n int, args ...any) string { return p.L.N(id, n, args...) }

var renderTmpl = template.Must(template.New("p").Parse(
	`<html lang="{{.L.Lang.Code}}" dir="{{.L.Lang.Dir}}"><h1>{{.T "home.greeting" "Name" .Name}}</h1>` +
		`<p>{{.T "login.intro"}}</p><p>{{.Count "org.neighbourhood_count" .N}}</p>` +
		`<p>{{.T "error.retry_hint" "Seconds" .N}}</p><p>{{.T "error.internal"}}</p></html>`))

func render(l *Localizer, name string, n int) (string, error) {
	var b bytes.Buffer
	err := renderTmpl.Execute(&b, page{L: l, Name: name, N: n})
	return b.String(), err
}

// Many requests in different languages render at the same time; each
// must get exactly its own language. Run with -race (CI does).
func TestConcurrentRenderKeepsLanguages(t *testing.T) {
	c := load(t)
	langs := c.Languages()
	// Expected output per language and count, rendered one at a time.
	want := map[string]string{}
	for _, l := range langs {
		for n := 0; n < 4; n++ {
			s, err := render(c.Localizer(l.Code), "Noor", n)
			if err != nil {
				t.Fatal(err)
			}
			want[fmt.Sprint(l.Code, n)] = s
		}
	}
	// The outputs must differ between languages, or the test proves nothing.
	seen := map[string]string{}
	for k, s := range want {
		if other, dup := seen[s]; dup && other[:2] != k[:2] {
			t.Fatalf("%s and %s render the same text", other, k)
		}
		seen[s] = k
	}

	const workers, rounds = 48, 200
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				lang := langs[(w+r)%len(langs)].Code
				n := (w * r) % 4
				// A fresh localizer per request, as the middleware does.
				got, err := render(c.Localizer(lang), "Noor", n)
				if err != nil {
					errs <- err.Error()
					return
				}
				if got != want[fmt.Sprint(lang, n)] {
					errs <- fmt.Sprintf("worker %d round %d asked for %s (n=%d) and got:\n%s", w, r, lang, n, got)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
