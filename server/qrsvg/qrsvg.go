// Package qrsvg draws QR codes as SVG: the join link of a live session,
// for the projector and the printed poster. github.com/skip2/go-qrcode does
// the encoding (a solved problem, with its own tests); this package only
// turns its bitmap into a small, crisp, scalable image, without rasterising
// and without any third-party request.
package qrsvg

import (
	"bytes"
	"encoding/xml"
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// Encode returns an SVG image of text as a QR code at error-correction level
// Medium (15% of the code may be hidden or damaged: a projector with a
// smudge, a crumpled poster). The image is square, one user unit per module,
// with the standard quiet zone of four light modules on every side, and
// scales to any size. The dark modules are a single path, so a large code
// stays a few kilobytes. The same text always gives the same bytes.
//
// title is the image's accessible name (e.g. the translated "QR code to
// join the session"); it is escaped here.
func Encode(text, title string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qrsvg: %w", err)
	}
	bm := q.Bitmap() // includes the quiet zone
	n := len(bm)
	var path bytes.Buffer
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			// One horizontal run of dark modules becomes one rectangle.
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" role="img">`, n, n, n*8, n*8)
	b.WriteString(`<title>`)
	if err := xml.EscapeText(&b, []byte(title)); err != nil {
		return nil, fmt.Errorf("qrsvg: %w", err)
	}
	b.WriteString(`</title>`)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`, n, n)
	fmt.Fprintf(&b, `<path fill="#000" d="%s"/>`, path.String())
	b.WriteString(`</svg>`)
	return b.Bytes(), nil
}
