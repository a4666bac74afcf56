package report

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Bar is one bar of a chart.
type Bar struct {
	Label      string
	Value      int
	Suppressed bool // drawn empty, with "<5"
}

// BarsSVG draws a horizontal bar chart as inline SVG, rendered on the
// server: no script, prints as vectors, and passes the strict content
// security policy (presentation attributes only, no style attributes).
// title labels the chart for screen readers; rtl mirrors it.
func BarsSVG(title string, bars []Bar, rtl bool) template.HTML {
	const (
		width  = 640
		labelW = 220
		barH   = 22
		gap    = 8
		numW   = 60
	)
	maxV := 0
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	h := len(bars)*(barH+gap) + gap
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="100%%" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(title), width, h)
	fmt.Fprintf(&sb, `<title>%s</title>`, html.EscapeString(title))
	for i, b := range bars {
		y := gap + i*(barH+gap)
		w := 0
		if maxV > 0 && !b.Suppressed {
			w = (width - labelW - numW) * b.Value / maxV
		}
		num := fmt.Sprint(b.Value)
		if b.Suppressed {
			num = fmt.Sprintf("<%d", MinGroup)
		}
		labelX, anchor, barX, numX, numAnchor := labelW-8, "end", labelW, labelW+w+6, "start"
		if rtl {
			labelX, anchor, barX, numX, numAnchor = width-labelW+8, "start", width-labelW-w, width-labelW-w-6, "end"
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="%s" font-size="14" fill="#222">%s</text>`,
			labelX, y+barH-6, anchor, html.EscapeString(b.Label))
		if b.Suppressed {
			fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="40" height="%d" fill="none" stroke="#666" stroke-dasharray="4 3"/>`, labelW, y, barH)
			if rtl {
				numX = width - labelW - 46
			} else {
				numX = labelW + 46
			}
		} else {
			fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="#1f5f8b"/>`, barX, y, w, barH)
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="%s" font-size="14" fill="#222">%s</text>`,
			numX, y+barH-6, numAnchor, html.EscapeString(num))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String()) // every piece of text above is escaped
}
