package web

import (
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"testing"
)

// TestPictogramsAreWellFormed: every pictogram parses as XML with no
// attribute given twice on one element, and its root is an <svg> with a
// viewBox, a width and a height. A browser shows nothing at all for an SVG
// that is not well-formed: twenty pictograms once carried a second fill on
// one element and were broken images on every resident screen, the speaker
// button among them, while the pages' audits passed.
func TestPictogramsAreWellFormed(t *testing.T) {
	files, err := fs.Glob(Static, "static/pictograms/*.svg")
	if err != nil || len(files) < 40 {
		t.Fatalf("%d pictograms found (%v)", len(files), err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(Static, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkSVG(b); err != nil {
			t.Errorf("%s: %v", path.Base(f), err)
		}
	}
}

func TestCheckSVGFindsDuplicateAttributes(t *testing.T) {
	bad := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect fill="#fff" fill="none"/></svg>`
	if err := checkSVG([]byte(bad)); err == nil || !strings.Contains(err.Error(), "fill") {
		t.Fatalf("a doubled fill: %v", err)
	}
}

func checkSVG(b []byte) error {
	d := xml.NewDecoder(strings.NewReader(string(b)))
	d.Strict = true
	root := true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if root {
				return errors.New("empty")
			}
			return nil
		}
		if err != nil {
			return err
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		seen := map[xml.Name]bool{}
		for _, a := range el.Attr {
			if seen[a.Name] {
				return errors.New("<" + el.Name.Local + "> has " + a.Name.Local + " twice")
			}
			seen[a.Name] = true
		}
		if root {
			if el.Name.Local != "svg" {
				return errors.New("the root is <" + el.Name.Local + ">, not <svg>")
			}
			for _, want := range []string{"viewBox", "width", "height"} {
				if !seen[xml.Name{Local: want}] {
					return errors.New("<svg> has no " + want)
				}
			}
			root = false
		}
	}
}
