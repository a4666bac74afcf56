package app_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	htmlstd "html"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// Injection, attacked over real HTTP and the live protocol: XSS payloads
// (testdata/xss-payloads.jsonl) go into every field a person can write, and
// every page, export and error answer that shows them is fetched and checked:
//
//   - the page's DOM, parsed, has no script element of its own, no event
//     handler attribute, no frame, object, base or meta refresh, and no
//     javascript:, vbscript: or data:text/html address: whatever a payload
//     holds stays text;
//   - a payload with markup characters never appears verbatim in the raw
//     body (only escaped);
//   - and it does appear, unescaped, in the page's text: so a page that
//     stops showing a field fails the test rather than passing it vacuously.
//
// CSV exports are checked for formula injection, JSON exports for
// validity. Text with bidirectional overrides, isolates or zero-width
// characters (a name that shows as something it is not) is refused in
// every field staff write, with a translated message.

// xssPayloads reads the payload list.
func xssPayloads(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/xss-payloads.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var p string
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("payload %q: %v", line, err)
		}
		out = append(out, p)
	}
	if len(out) < 20 {
		t.Fatalf("only %d payloads", len(out))
	}
	return out
}

// deceptive reports whether a text holds characters that change how other
// text shows or make two texts look the same: bidirectional embeddings,
// overrides and isolates, and zero-width spaces.
func deceptive(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200B || r == 0x2060 || r == 0xFEFF
	})
}

// markup reports whether a payload holds characters HTML escaping changes,
// so that finding it verbatim in a body proves it was not escaped.
func markup(s string) bool { return strings.ContainsAny(s, `<>"'&`) }

// unsafeURL matches addresses that run script or render attacker HTML.
var unsafeURL = regexp.MustCompile(`^(javascript|vbscript|data:text/html|data:image/svg)`)

// domProblems parses a page and lists what a payload could have injected.
func domProblems(body string) []string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return []string{"does not parse: " + err.Error()}
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attrs := map[string]string{}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				attrs[key] = a.Val
				if strings.HasPrefix(key, "on") {
					out = append(out, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
				}
				switch key {
				case "href", "src", "action", "formaction", "xlink:href", "poster", "background", "data":
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, a.Val))
					if unsafeURL.MatchString(v) {
						out = append(out, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
					}
				}
			}
			switch n.Data {
			case "script":
				if !strings.HasPrefix(attrs["src"], "/static/") || n.FirstChild != nil {
					out = append(out, fmt.Sprintf("inline or foreign script %v", n.Attr))
				}
			case "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "math":
				out = append(out, "<"+n.Data+"> element")
			case "meta":
				if _, ok := attrs["http-equiv"]; ok {
					out = append(out, "<meta http-equiv>")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// checkPage fails the test if a page lets any payload through, or does not
// show the payloads it must show.
func checkPage(t *testing.T, name string, p *page, payloads, mustShow []string) {
	t.Helper()
	if p.status != http.StatusOK {
		t.Errorf("%s: status %d: %.300s", name, p.status, p.body)
		return
	}
	for _, prob := range domProblems(p.body) {
		t.Errorf("%s: injected: %s", name, prob)
	}
	for _, pl := range payloads {
		if markup(pl) && strings.Contains(p.body, pl) {
			t.Errorf("%s: payload %q appears unescaped", name, pl)
		}
	}
	text := htmlstd.UnescapeString(p.body)
	for _, pl := range mustShow {
		if !strings.Contains(text, pl) {
			t.Errorf("%s: does not show %q (the field is not rendered, so the test would prove nothing)", name, pl)
		}
	}
}

// xssField is what the attack wrote into one kind of field: the payloads
// the server accepted, and the ids of the records written.
type xssField struct {
	accepted []string
	ids      []string
}

// TestInjectionEveryField writes every payload into every field a person can
// write — organisation, neighbourhood, venue, staff names and addresses,
// session titles, prompt texts and options, residents' answers through the
// live protocol, topic titles, responses and transcripts — then fetches every
// page that shows them as the people who see them: staff pages, console,
// projector, resident pages, "my input", receipts, the public board, inbox,
// topics, reports and their CSV and JSON exports, and error answers that
// repeat what was asked.
func TestInjectionEveryField(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	payloads := xssPayloads(t)
	adm := e.apiLogin(e.accounts["admin"].Email, e.accounts["admin"].Password)
	fields := map[string]*xssField{}
	field := func(name string) *xssField {
		if fields[name] == nil {
			fields[name] = &xssField{}
		}
		return fields[name]
	}
	// write sends one record; a payload may be refused only as deceptive
	// text, with a translated message naming the field.
	write := func(name, path, fieldName string, p string, body map[string]any) string {
		t.Helper()
		r := adm.do(http.MethodPost, path, body)
		var out struct {
			ID    string
			Staff struct{ ID string }
		}
		if r.status == http.StatusCreated || r.status == http.StatusOK {
			_ = json.Unmarshal([]byte(r.body), &out)
			id := out.ID
			if id == "" {
				id = out.Staff.ID
			}
			if deceptive(p) {
				t.Errorf("%s: deceptive text %q accepted", name, p)
			}
			f := field(name)
			f.accepted, f.ids = append(f.accepted, p), append(f.ids, id)
			return id
		}
		ae := apiErrorOf(t, r)
		if !deceptive(p) || r.status != http.StatusBadRequest || ae.Field != fieldName || ae.Message != msg(t, "nl", "form.invalid_text") {
			t.Errorf("%s %q: %d %+v", name, p, r.status, ae)
		}
		return ""
	}

	org := "/api/v1/orgs/" + demo.OrgID
	for i, p := range payloads {
		write("organisation", "/api/v1/orgs", "name", p, map[string]any{"name": p})
		write("neighbourhood", org+"/neighbourhoods", "name", p,
			map[string]any{"name": p, "level": "buurt", "parent_id": demo.WijkID})
		write("venue", org+"/venues", "name", p, map[string]any{"name": p, "address": "Plein 1", "neighbourhood_id": demo.BuurtAID})
		write("address", org+"/venues", "address", p, map[string]any{"name": fmt.Sprintf("Huis %d", i), "address": p, "neighbourhood_id": demo.BuurtAID})
		write("staff", org+"/staff", "name", p, map[string]any{"email": fmt.Sprintf("xss%d@example.org", i), "name": p, "role": "reviewer"})
		// One session per payload: its title, its first prompt's text and a
		// picture option all carry it.
		write("session", org+"/sessions", "title", p, map[string]any{"title": p, "neighbourhood_id": demo.BuurtAID,
			"languages": []string{"nl", "ar"}, "pace": "self", "moderation": "post",
			"prompts": []map[string]any{
				{"kind": "open", "text": map[string]string{"nl": p, "ar": "ما الذي يمكن تحسينه؟"}, "allow": []string{"text"}},
				{"kind": "picture", "text": map[string]string{"nl": "Kies", "ar": "اختر"}, "options": []map[string]any{
					{"label": map[string]string{"nl": "Optie " + p, "ar": "خيار"}}, {"label": map[string]string{"nl": "Twee", "ar": "اثنان"}}}}}})
	}
	// Deceptive text is refused in the title first; prompt texts and
	// options go through the same admin.CleanText.
	if r := adm.do(http.MethodPost, org+"/sessions", map[string]any{"title": "Avond", "neighbourhood_id": demo.BuurtAID,
		"languages": []string{"nl"}, "prompts": []map[string]any{{"kind": "open", "text": map[string]string{"nl": "Wat \u202ekan beter?"}, "allow": []string{"text"}}}}); r.status != http.StatusBadRequest || apiErrorOf(t, r).Field != "prompts.0.text" {
		t.Errorf("a prompt text with a right-to-left override: %d %s", r.status, r.body)
	}

	// Open every session with a payload prompt; one resident answers each
	// open prompt with every payload, through the live protocol.
	sessions := field("session").ids
	type opened struct{ id, code, projector string }
	var open []opened
	for _, id := range sessions {
		r := adm.do(http.MethodPost, org+"/sessions/"+id+"/open", nil)
		var s struct {
			ID, Code     string
			ProjectorURL string `json:"projector_url"`
		}
		if err := json.Unmarshal([]byte(r.body), &s); err != nil || r.status != http.StatusOK || s.Code == "" {
			t.Fatalf("open session: %d %s", r.status, r.body)
		}
		// A self-paced session runs once it is started.
		if r := adm.do(http.MethodPost, org+"/sessions/"+id+"/move", map[string]int{"index": 0}); r.status != http.StatusOK {
			t.Fatalf("start session: %d %s", r.status, r.body)
		}
		open = append(open, opened{s.ID, s.Code, s.ProjectorURL})
	}
	res, first := e.joined(t, open[0].code, "nl")
	if first != open[0].id {
		t.Fatalf("joined %s, not %s", first, open[0].id)
	}
	answers := field("answer")
	for i, p := range payloads {
		s := open[i%len(open)]
		if res.get("/j/"+s.code).status != http.StatusSeeOther {
			t.Fatalf("join %s", s.code)
		}
		c, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.id, Jar: res.c.Jar, Lang: "nl"})
		if err != nil {
			t.Fatal(err)
		}
		sd, err := c.NextSnapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ack, err := c.Submit(ctx, fmt.Sprintf("x%d", i), protocol.SubmitData{PromptID: sd.Session.Prompts[0].ID, Answer: protocol.AnswerData{Text: p}})
		c.Close()
		if err != nil {
			t.Fatalf("answer %q: %v", p, err)
		}
		answers.accepted, answers.ids = append(answers.accepted, p), append(answers.ids, ack.ContributionID)
	}
	rc := res.postJSON("/api/v1/receipt", "{}")
	var receipt struct{ Code string }
	if err := json.Unmarshal([]byte(rc.body), &receipt); err != nil || rc.status != http.StatusCreated {
		t.Fatalf("receipt: %d %s", rc.status, rc.body)
	}

	// A reviewer groups each answer into a topic titled with a payload,
	// responds with a payload and types a payload as its transcript.
	rev := e.staffBrowser("reviewer")
	base := "/orgs/" + demo.OrgID
	waitIndexed(t, rev, base+"/inbox", answers.ids)
	csrf := rev.get(base + "/inbox").csrf(t)
	formField := func(name, path, fieldName, p string, form url.Values) string {
		t.Helper()
		form.Set("csrf", csrf)
		r := rev.post(path, form)
		if r.status == http.StatusSeeOther {
			if deceptive(p) {
				t.Errorf("%s: deceptive text %q accepted", name, p)
			}
			f := field(name)
			f.accepted = append(f.accepted, p)
			return r.location
		}
		if !deceptive(p) || r.status != http.StatusBadRequest ||
			!shows(r, msg(t, "nl", "form.invalid_text")) {
			t.Errorf("%s %q: %d %.100s", name, p, r.status, r.body)
		}
		// The refusal page repeats what was typed: it is a page too.
		checkPage(t, name+" refused", &page{status: http.StatusOK, body: r.body}, payloads, nil)
		return ""
	}
	var topics []string
	for i, p := range payloads {
		cid := answers.ids[i]
		loc := formField("topic title", base+"/topics", "title_nl", p, url.Values{"contribution": {cid},
			"title_nl": {p}, "theme": {"housing"}, "neighbourhood_id": {demo.BuurtAID}})
		if loc == "" {
			loc = formField("topic", base+"/topics", "title_nl", "", url.Values{"contribution": {cid},
				"title_nl": {fmt.Sprintf("Onderwerp %d", i)}, "theme": {"housing"}, "neighbourhood_id": {demo.BuurtAID}})
		}
		m := topicLocation.FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("grouping %d: %q", i, loc)
		}
		topics = append(topics, m[1])
		formField("response", base+"/topics/"+m[1]+"/respond", "text_nl", p, url.Values{"status": {"looking"}, "text_nl": {p}})
		formField("transcript", base+"/contributions/"+cid+"/notes", "transcript", p, url.Values{"transcript": {p}})
	}

	// The demo organisation itself gets the most hostile name.
	if r := adm.do(http.MethodPut, org, map[string]string{"name": payloads[1]}); r.status != http.StatusOK {
		t.Fatalf("rename: %d %s", r.status, r.body)
	}

	admin := e.staffBrowser("admin")
	acc := func(name string) []string { return field(name).accepted }
	all := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, acc(n)...)
		}
		return out
	}
	type check struct {
		b        *browser
		path     string
		mustShow []string
	}
	checks := map[string]check{
		"home":         {admin, "/staff", acc("organisation")},
		"organisation": {admin, base, all("neighbourhood", "venue", "address", "staff")},
		"sessions":     {admin, base + "/sessions", acc("session")},
		"inbox":        {rev, base + "/inbox", all("answer", "transcript")},
		"topics":       {rev, base + "/topics", acc("topic title")},
		"report":       {rev, base + "/reports", nil},
		"board":        {e.browser(), "/buurt/" + demo.BuurtAID, all("topic title", "response")},
		"my input":     {res, "/mine", acc("answer")},
		"receipt":      {e.browser(), "/r/" + receipt.Code, acc("answer")},
	}
	for i, id := range field("neighbourhood").ids {
		checks[fmt.Sprint("neighbourhood ", i)] = check{admin, base + "/neighbourhoods/" + id, acc("neighbourhood")[i : i+1]}
		checks[fmt.Sprint("board of neighbourhood ", i)] = check{e.browser(), "/buurt/" + id, acc("neighbourhood")[i : i+1]}
	}
	for i, id := range field("venue").ids {
		checks[fmt.Sprint("venue ", i)] = check{admin, base + "/venues/" + id, acc("venue")[i : i+1]}
	}
	for i, id := range field("staff").ids {
		checks[fmt.Sprint("staff member ", i)] = check{admin, base + "/staff/" + id, acc("staff")[i : i+1]}
	}
	for i, id := range field("organisation").ids {
		checks[fmt.Sprint("organisation ", i)] = check{admin, "/orgs/" + id, acc("organisation")[i : i+1]}
	}
	for i, s := range open {
		p := acc("session")[i]
		checks[fmt.Sprint("session ", i)] = check{admin, base + "/sessions/" + s.id, []string{p, "Optie " + p}}
		checks[fmt.Sprint("console ", i)] = check{admin, base + "/sessions/" + s.id + "/console", []string{p}}
		checks[fmt.Sprint("resident session ", i)] = check{res, "/s/" + s.id, []string{p}}
		u, _ := url.Parse(s.projector)
		checks[fmt.Sprint("projector ", i)] = check{e.browser(), u.RequestURI(), []string{p}}
	}
	for i, id := range topics {
		want := []string{}
		if i < len(acc("response")) {
			want = append(want, acc("response")[i])
		}
		checks[fmt.Sprint("topic ", i)] = check{rev, base + "/topics/" + id, want}
	}
	for name, c := range checks {
		checkPage(t, name, c.b.get(c.path), payloads, c.mustShow)
	}

	// Pages that repeat what was asked for: the login's return address,
	// unknown codes, filters and languages.
	for i, p := range payloads {
		q := url.QueryEscape(p)
		for name, path := range map[string]string{
			"login next": "/login?next=" + q, "language": "/?lang=" + q, "receipt form": "/r?code=" + q,
			"inbox filter":  base + "/inbox?from=" + q + "&theme=" + q + "&lang=" + q,
			"report filter": base + "/reports?neighbourhood=" + q, "board": "/buurt/" + url.PathEscape(p),
			"receipt": "/r/" + url.PathEscape(p), "join": "/j/" + url.PathEscape(p), "unknown page": "/" + url.PathEscape(p),
		} {
			r := rev.get(path)
			if r.status >= 300 && r.status < 400 {
				if strings.ContainsAny(r.location, "\r\n") || strings.HasPrefix(r.location, "//") || strings.Contains(r.location, "://") {
					t.Errorf("reflected %s %d: redirect to %q", name, i, r.location)
				}
				continue
			}
			if strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				r.status = http.StatusOK // an error page is a page like any other
				checkPage(t, fmt.Sprint("reflected ", name, " ", i), r, payloads, nil)
			}
		}
	}

	// Exports: formula injection in CSV, valid JSON.
	for _, ex := range []string{"/reports/contributions.csv", "/reports/report.csv"} {
		r := rev.get(base + ex)
		rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil || r.status != http.StatusOK || len(rows) < 2 {
			t.Fatalf("%s: %d %v", ex, r.status, err)
		}
		titles := 0
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: a cell a spreadsheet runs as a formula: %q", ex, cell)
				}
				for _, p := range acc("session") {
					if strings.TrimPrefix(cell, "'") == p {
						titles++
					}
				}
			}
		}
		if ex == "/reports/contributions.csv" && titles == 0 {
			t.Errorf("%s: no session title in the export, so formula injection was not tried", ex)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("%s: Content-Type %q", ex, ct)
		}
	}
	for _, ex := range []string{"/reports/contributions.json", "/reports/report.json"} {
		r := rev.get(base + ex)
		if !json.Valid([]byte(r.body)) || r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %q, valid %v", ex, r.status, r.header.Get("Content-Type"), json.Valid([]byte(r.body)))
		}
	}
	n := 0
	for _, f := range fields {
		n += len(f.accepted)
	}
	t.Logf("%d payloads, %d fields, %d values written, %d pages and %d reflections checked",
		len(payloads), len(fields), n, len(checks), 9*len(payloads))
}

// TestDOMCheckFindsInjection proves the page check can fail: each payload
// pasted raw into a page is caught.
func TestDOMCheckFindsInjection(t *testing.T) {
	for _, p := range xssPayloads(t) {
		if !markup(p) {
			continue
		}
		body := "<!doctype html><html><head><title>x</title></head><body><p>" + p + "</p></body></html>"
		if len(domProblems(body)) == 0 && !strings.Contains(body, p) {
			t.Errorf("payload %q pasted raw is not caught", p)
		}
	}
	for _, bad := range []string{
		`<p>ok</p><script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `<a href=" javascript:alert(1)">x</a>`,
		`<svg><a xlink:href="javascript:alert(1)">x</a></svg>`, `<iframe src=//evil.example></iframe>`,
		`<base href=//evil.example/>`, `<meta http-equiv=refresh content="0;url=//evil.example">`, `<script src="//evil.example/x.js"></script>`,
	} {
		if len(domProblems("<!doctype html><html><body>"+bad+"</body></html>")) == 0 {
			t.Errorf("not caught: %s", bad)
		}
	}
	if p := domProblems(`<!doctype html><html><body><script src="/static/live.js" defer></script><a href="/staff">x</a></body></html>`); len(p) != 0 {
		t.Errorf("a clean page is flagged: %v", p)
	}
}

// waitIndexed waits until the inbox shows every contribution (the index is
// written right after the group commit).
func waitIndexed(t *testing.T, b *browser, inbox string, ids []string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		p := b.get(inbox + "?kind=open")
		missing := 0
		for _, id := range ids {
			if !strings.Contains(p.body, id) {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox never showed %d of %d answers", missing, len(ids))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// trustedConversion finds the html/template conversions that mark a string
// as safe: template.HTML, HTMLAttr, JS, JSStr, URL, CSS and Srcset.
var trustedConversion = regexp.MustCompile(`\btemplate\.(HTML|HTMLAttr|JS|JSStr|URL|CSS|Srcset)\(`)

// trustedAllowed are the conversions that take no person's text unescaped,
// each with the reason; a new one fails TestNoTrustedTemplateConversions
// until someone has checked it and added it here.
var trustedAllowed = map[string]string{
	"server/web/projector.go":     "the join QR code: an SVG made by qrsvg from the join URL",
	"server/web/session_slips.go": "receipt slips' QR codes: SVGs made by qrsvg from server-made codes; qrsvg escapes the title",
	"server/report/svg.go":        "bar charts: every label and number is passed through html.EscapeString",
}

// TestNoTrustedTemplateConversions: no Go code outside the reviewed list
// marks a string as safe HTML, JS, URL or CSS, and no template uses a
// function that could (safeHTML and the like) or the text/template package.
func TestNoTrustedTemplateConversions(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "deploy" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go"):
			if trustedConversion.Match(b) {
				seen[rel] = true
				if _, ok := trustedAllowed[rel]; !ok {
					t.Errorf("%s marks a string as safe for templates (%s): check that no person's text reaches it unescaped, then add it to trustedAllowed",
						rel, trustedConversion.Find(b))
				}
			}
			if strings.Contains(string(b), `"text/template"`) && strings.HasPrefix(rel, "server/") {
				t.Errorf("%s imports text/template, which escapes nothing", rel)
			}
		case strings.HasSuffix(rel, ".html") && strings.HasPrefix(rel, "clients/web/templates/"):
			for _, bad := range []string{"safeHTML", "safeJS", "safeURL", "noescape", "html_safe", "| html", "|html", "<script>", " on"} {
				if bad == " on" {
					if m := regexp.MustCompile(`<[^>]*\son[a-z]+=`).Find(b); m != nil {
						t.Errorf("%s: an event handler attribute %q (the content security policy blocks it)", rel, m)
					}
					continue
				}
				if strings.Contains(string(b), bad) {
					t.Errorf("%s uses %q", rel, bad)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range trustedAllowed {
		if !seen[f] {
			t.Errorf("trustedAllowed lists %s, which no longer converts: remove it", f)
		}
	}
}
