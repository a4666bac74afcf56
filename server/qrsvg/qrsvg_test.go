package qrsvg

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

const joinURL = "https://buurtstem.example/j/123456"

// svgDoc is the part of the image the tests read back.
type svgDoc struct {
	ViewBox string `xml:"viewBox,attr"`
	Title   string `xml:"title"`
	Rect    struct {
		Width string `xml:"width,attr"`
		Fill  string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		D    string `xml:"d,attr"`
		Fill string `xml:"fill,attr"`
	} `xml:"path"`
}

var run = regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// modules draws the path back onto a grid of n×n modules.
func modules(t *testing.T, d string, n int) [][]bool {
	t.Helper()
	g := make([][]bool, n)
	for i := range g {
		g[i] = make([]bool, n)
	}
	for d != "" {
		m := run.FindStringSubmatch(d)
		if m == nil {
			t.Fatalf("unexpected path data at %.40q", d)
		}
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		if m[3] != m[4] || w < 1 || y >= n || x+w > n {
			t.Fatalf("bad run %q in a %d×%d code", m[0], n, n)
		}
		for i := x; i < x+w; i++ {
			if g[y][i] {
				t.Fatalf("module %d,%d drawn twice", i, y)
			}
			g[y][i] = true
		}
		d = d[len(m[0]):]
	}
	return g
}

func parse(t *testing.T, b []byte) (svgDoc, int) {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, b)
	}
	var n, m int
	if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d %d", &n, &m); err != nil || n != m {
		t.Fatalf("viewBox %q is not square", doc.ViewBox)
	}
	return doc, n
}

func TestEncodeDrawsTheCodeWithItsQuietZone(t *testing.T) {
	b, err := Encode(joinURL, "QR-code")
	if err != nil {
		t.Fatal(err)
	}
	doc, n := parse(t, b)
	q, err := qrcode.New(joinURL, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	// Version v has 17+4v modules, plus four quiet modules on each side.
	if want := 17 + 4*q.VersionNumber + 8; n != want {
		t.Fatalf("size %d modules, want %d for version %d", n, want, q.VersionNumber)
	}
	if len(doc.Paths) != 1 || doc.Paths[0].Fill != "#000" {
		t.Fatalf("want one dark path, got %d", len(doc.Paths))
	}
	if doc.Rect.Fill != "#fff" || doc.Rect.Width != strconv.Itoa(n) {
		t.Fatalf("light background %+v, want #fff over %d modules", doc.Rect, n)
	}
	g := modules(t, doc.Paths[0].D, n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			quiet := x < 4 || y < 4 || x >= n-4 || y >= n-4
			if quiet && g[y][x] {
				t.Fatalf("dark module %d,%d inside the quiet zone", x, y)
			}
		}
	}
	// Every module matches the encoder's bitmap: the drawing loses nothing.
	want := q.Bitmap()
	for y := range want {
		for x := range want[y] {
			if want[y][x] != g[y][x] {
				t.Fatalf("module %d,%d: drawn %v, encoded %v", x, y, g[y][x], want[y][x])
			}
		}
	}
	// The three finder patterns: 7×7 dark borders at three corners.
	for _, c := range [][2]int{{4, 4}, {n - 11, 4}, {4, n - 11}} {
		for i := 0; i < 7; i++ {
			if !g[c[1]][c[0]+i] || !g[c[1]+6][c[0]+i] || !g[c[1]+i][c[0]] || !g[c[1]+i][c[0]+6] {
				t.Fatalf("no finder pattern at %v", c)
			}
		}
	}
}

func TestEncodeIsDeterministic(t *testing.T) {
	a, err := Encode(joinURL, "QR")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Encode(joinURL, "QR")
	if !bytes.Equal(a, b) {
		t.Fatal("the same link gave two different images")
	}
	c, _ := Encode(strings.Replace(joinURL, "123456", "654321", 1), "QR")
	if bytes.Equal(a, c) {
		t.Fatal("two links gave the same image")
	}
}

func TestEncodeEscapesTitle(t *testing.T) {
	b, err := Encode(joinURL, `Code <"&'>`)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := parse(t, b)
	if doc.Title != `Code <"&'>` {
		t.Fatalf("title %q", doc.Title)
	}
	if bytes.Contains(b, []byte(`<"&'>`)) {
		t.Fatal("title not escaped")
	}
}

func TestEncodeRefusesTooMuch(t *testing.T) {
	if _, err := Encode(strings.Repeat("x", 3000), ""); err == nil {
		t.Fatal("3000 bytes do not fit in a QR code at level Medium")
	}
}
