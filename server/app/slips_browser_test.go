//go:build browser

package app_test

import (
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/buurtstem/buurtstem/server/demo"
)

// pdfPage matches a page object of a PDF (not the /Pages tree).
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestBrowserReceiptSlips: an intermediary opens the slips form from the
// console, makes a sheet of eight slips in Arabic and one of nine in
// Dutch. The form and both sheets pass the axe audit; the sheet's slips
// run right to left in Arabic; printed (Chromium's own PDF, A4 from the
// page's CSS) eight slips fill exactly one page and nine take two, and
// the form, the header and the footer are not printed.
func TestBrowserReceiptSlips(t *testing.T) {
	e := start(t)
	ctx, consoleMsgs := chromium(t)
	_, s := e.liveSession("post") // nl and ar
	path := "/orgs/" + demo.OrgID + "/sessions/" + s.ID

	browserStep(t, ctx, "open the slips form from the console",
		logIn(e, e.accounts["intermediary"]),
		chromedp.Navigate(e.url+path+"/console"),
		chromedp.Click(chromedp.CSS(`a[href="`+path+`/slips"]`)),
		chromedp.WaitVisible(chromedp.CSS("#slips-count")),
	)
	t.Logf("nl slips form: %d axe rules passed", axeAudit(t, ctx, "nl slips form"))

	sheet := func(lang, count string) {
		t.Helper()
		browserStep(t, ctx, "make "+count+" slips in "+lang,
			chromedp.Navigate(e.url+path+"/slips"),
			chromedp.WaitVisible(chromedp.CSS("#slips-count")),
			chromedp.SetValue(chromedp.CSS("#slips-count"), count),
			chromedp.SetValue(chromedp.CSS("#slips-lang"), lang),
			chromedp.Click(chromedp.CSS(`.slips-form button[type="submit"]`)),
			afterNavigation(`document.querySelectorAll(".slips .slip").length === `+count+
				` && document.querySelectorAll(".slips .slip svg").length === `+count),
		)
		t.Logf("%s sheet of %s slips: %d axe rules passed", lang, count, axeAudit(t, ctx, lang+" sheet of "+count+" slips"))
	}
	printedPages := func() int {
		t.Helper()
		prefer := true
		pdf, err := chromedp.Call(ctx, cdppage.PrintToPDF, cdppage.PrintToPDFParams{PreferCSSPageSize: &prefer})
		if err != nil {
			t.Fatal(err)
		}
		n := len(pdfPage.FindAll(pdf.Data, -1))
		t.Logf("printed: %d pages, %d bytes of PDF", n, len(pdf.Data))
		return n
	}

	sheet("ar", "8")
	dir, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".slips .slip")).direction`))
	if err != nil || dir != "rtl" {
		t.Errorf("an Arabic slip runs %q: %v", dir, err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`["header.top", ".no-print", "footer.site"].every(function (s) {
		var el = document.querySelector(s); return !el || getComputedStyle(el).display === "none"; })`))
	if err != nil || !hidden {
		t.Errorf("the header, the form or the footer is printed: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	if n := printedPages(); n != 1 {
		t.Errorf("eight slips print on %d pages, want 1", n)
	}

	sheet("nl", "9")
	if n := printedPages(); n != 2 {
		t.Errorf("nine slips print on %d pages, want 2", n)
	}
	if errs := consoleErrors(consoleMsgs()); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestBrowserPublicPages: the statements and the credits page pass the
// axe audit on a phone in every shipped language.
func TestBrowserPublicPages(t *testing.T) {
	e := start(t)
	ctx, consoleMsgs := phone(t)
	audits, passed := 0, 0
	for _, lang := range []string{"nl", "en", "ar", "tr", "pl", "uk"} {
		for _, p := range []string{"/privacy", "/accessibility", "/credits"} {
			browserStep(t, ctx, lang+" "+p,
				chromedp.Navigate(e.url+p+"?lang="+lang),
				chromedp.WaitVisible(chromedp.CSS("h1")),
			)
			audits, passed = audits+1, passed+axeAudit(t, ctx, lang+" "+p)
		}
	}
	t.Logf("%d pages audited on a phone, %d axe rule passes in all, no violations", audits, passed)
	if errs := consoleErrors(consoleMsgs()); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
