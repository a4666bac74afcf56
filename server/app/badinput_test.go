package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/store"
)

// Every bad input gets a clear, translated message and loses nothing that
// was already accepted. The tests aim bad requests at routes that change
// stored records, and compare the demo organisation in the store before
// and after.

var (
	catalogOnce sync.Once
	catalog     *i18n.Catalog
)

// msg returns a message as the server must show it in a language.
func msg(t *testing.T, lang, id string, args ...any) string {
	t.Helper()
	catalogOnce.Do(func() {
		var err error
		if catalog, err = i18n.Load(); err != nil {
			t.Fatal(err)
		}
	})
	m := catalog.Localizer(lang).T(id, args...)
	if m == "" || m == id {
		t.Fatalf("message %s has no %s text", id, lang)
	}
	return m
}

// apiError is the error body of the API.
type apiError struct {
	Code, Message, Field string
}

func apiErrorOf(t *testing.T, p *page) apiError {
	t.Helper()
	var eb struct{ Error apiError }
	if err := json.Unmarshal([]byte(p.body), &eb); err != nil {
		t.Fatalf("not an API error body (status %d): %.200q", p.status, p.body)
	}
	return eb.Error
}

// shows reports whether a page shows a text (the page escapes it as HTML).
func shows(p *page, text string) bool {
	return strings.Contains(html.UnescapeString(p.body), text)
}

// raw sends a request with exactly this body and these headers through a
// client, which may carry a session.
func raw(t *testing.T, c *http.Client, method, u string, body []byte, header ...string) *page {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return doRequest(t, c, req)
}

// TestBadJSON: each kind of broken JSON gets its own translated message in
// Dutch (the default) and English, the field named where there is one, and
// the neighbourhood it was aimed at stays as it was.
func TestBadJSON(t *testing.T) {
	e := start(t)
	a := e.apiLogin(e.accounts["admin"].Email, e.accounts["admin"].Password)
	path := e.url + "/api/v1/orgs/" + demo.OrgID + "/neighbourhoods/" + demo.BuurtAID
	const ct = "application/json"
	cases := []struct {
		name, contentType, body string
		msgID, field            string
	}{
		{"malformed", ct, `{"name": "Kapot",`, "error.json_malformed", ""},
		{"not an object", ct, `["Kapot"]`, "error.json_malformed", ""},
		{"two values", ct, `{"name": "Een"} {"name": "Twee"}`, "error.json_malformed", ""},
		{"stray brace", ct, `{"name": "Een"}}`, "error.json_malformed", ""},
		{"empty body", ct, ``, "error.json_empty", ""},
		{"only spaces", ct, "  \n ", "error.json_empty", ""},
		{"wrong content type", "text/plain", `{"name": "Tekst"}`, "error.json_content_type", ""},
		{"form content type", "application/x-www-form-urlencoded", `name=Formulier`, "error.json_content_type", ""},
		{"no content type", "", `{"name": "Niets"}`, "error.json_content_type", ""},
		{"unknown field", ct, `{"name": "Nieuw", "org_id": "andere-org"}`, "error.json_unknown_field", "org_id"},
		{"wrong type", ct, `{"name": 42}`, "error.json_field_type", "name"},
		{"wrong type in a list", ct, `{"name": ["a", "b"]}`, "error.json_field_type", "name"},
	}
	before := snapshot(t, e.store, demo.OrgID)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []string{"", "en"} {
				h := []string{"X-CSRF-Token", a.csrf}
				if c.contentType != "" {
					h = append(h, "Content-Type", c.contentType)
				}
				if lang != "" {
					h = append(h, "Accept-Language", lang)
				}
				p := raw(t, a.c, http.MethodPut, path, []byte(c.body), h...)
				if p.status != http.StatusBadRequest {
					t.Fatalf("lang %q: status %d, want 400: %s", lang, p.status, p.body)
				}
				ae := apiErrorOf(t, p)
				want := msg(t, "nl", c.msgID, "Field", c.field)
				if lang == "en" {
					want = msg(t, "en", c.msgID, "Field", c.field)
				}
				if ae.Code != "invalid" || ae.Message != want || ae.Field != c.field {
					t.Errorf("lang %q: got %+v, want message %q and field %q", lang, ae, want, c.field)
				}
			}
		})
	}
	if msg(t, "nl", "error.json_malformed") == msg(t, "en", "error.json_malformed") {
		t.Error("the Dutch and English messages are the same: the language is not tested")
	}
	if after := snapshot(t, e.store, demo.OrgID); after != before {
		t.Fatalf("bad JSON changed the store:\nbefore %s\nafter  %s", before, after)
	}
	// The same route takes good JSON: the refusals above were about the body.
	good := raw(t, a.c, http.MethodPut, path, []byte(`{"name": "Lindenplein-Oost"}`),
		"X-CSRF-Token", a.csrf, "Content-Type", ct)
	if good.status != http.StatusOK || !strings.Contains(good.body, "Lindenplein-Oost") {
		t.Fatalf("good JSON: %d %s", good.status, good.body)
	}
}

// TestBadForms: a urlencoded body that does not decode, a multipart body
// with a broken or missing boundary, and a body of an unknown type are
// refused with a translated page; the record stays as it was, and the same
// route takes a good form of either kind.
func TestBadForms(t *testing.T) {
	e := start(t)
	br := e.browser()
	a := e.accounts["admin"]
	if p := br.login(a.Email, a.Password); p.status != http.StatusSeeOther {
		t.Fatalf("login: %d", p.status)
	}
	token := br.get("/orgs/" + demo.OrgID).csrf(t)
	path := br.base + "/orgs/" + demo.OrgID + "/neighbourhoods/" + demo.BuurtAID
	origin := []string{"Origin", br.base}

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("csrf", token)
	_ = mw.WriteField("name", "Via multipart")
	_ = mw.Close()

	cases := []struct {
		name, contentType, body, msgID string
	}{
		{"bad percent escape", "application/x-www-form-urlencoded", "csrf=" + token + "&name=%zz", "error.form_malformed"},
		{"cut percent escape", "application/x-www-form-urlencoded", "csrf=" + token + "&name=Linden%2", "error.form_malformed"},
		{"broken boundary", "multipart/form-data; boundary=nietdeze", mp.String(), "error.form_malformed"},
		{"no boundary", "multipart/form-data", mp.String(), "error.form_malformed"},
		{"cut multipart", "multipart/form-data; boundary=" + mw.Boundary(), mp.String()[:mp.Len()/2], "error.form_malformed"},
		{"json to a page", "application/json", `{"csrf": "` + token + `", "name": "JSON"}`, "error.form_content_type"},
		{"no content type", "", "csrf=" + token + "&name=Niets", "error.form_content_type"},
	}
	before := snapshot(t, e.store, demo.OrgID)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []string{"nl", "en"} {
				h := append([]string{"Accept-Language", lang}, origin...)
				if c.contentType != "" {
					h = append(h, "Content-Type", c.contentType)
				}
				p := raw(t, br.c, http.MethodPost, path, []byte(c.body), h...)
				if p.status != http.StatusBadRequest {
					t.Fatalf("%s: status %d, want 400", lang, p.status)
				}
				if !shows(p, msg(t, lang, c.msgID)) || !shows(p, msg(t, lang, "error.heading.400")) {
					t.Errorf("%s: the page does not show %s: %.300q", lang, c.msgID, p.body)
				}
				if !strings.Contains(p.body, `<html lang="`+lang+`"`) {
					t.Errorf("%s: the page is not in the asked language", lang)
				}
			}
		})
	}
	if after := snapshot(t, e.store, demo.OrgID); after != before {
		t.Fatalf("a bad form changed the store:\nbefore %s\nafter  %s", before, after)
	}
	// Good forms of both kinds go through.
	ok := raw(t, br.c, http.MethodPost, path, mp.Bytes(), append(origin, "Content-Type", mw.FormDataContentType())...)
	if ok.status != http.StatusSeeOther {
		t.Fatalf("good multipart form: %d", ok.status)
	}
	n, err := e.store.Neighbourhood(context.Background(), demo.OrgID, demo.BuurtAID)
	if err != nil || n.Name != "Via multipart" {
		t.Fatalf("multipart form not saved: %+v %v", n, err)
	}
	ok = raw(t, br.c, http.MethodPost, path, []byte(url.Values{"csrf": {token}, "name": {"Lindenplein"}}.Encode()),
		append(origin, "Content-Type", "application/x-www-form-urlencoded")...)
	if ok.status != http.StatusSeeOther {
		t.Fatalf("good urlencoded form: %d", ok.status)
	}
}

// TestTooLarge: with a 1 MB limit, a 2 MB body is refused with 413 and a
// translated message naming the limit, as a page and as JSON, and nothing
// is stored; a body under the limit is read as usual.
func TestTooLarge(t *testing.T) {
	e := start(t, "BUURTSTEM_MAX_BODY_MB", "1")
	a := e.accounts["admin"]
	api := e.apiLogin(a.Email, a.Password)
	br := e.browser()
	if p := br.login(a.Email, a.Password); p.status != http.StatusSeeOther {
		t.Fatalf("login: %d", p.status)
	}
	token := br.get("/orgs/" + demo.OrgID).csrf(t)
	before := snapshot(t, e.store, demo.OrgID)
	big := strings.Repeat("x", 2<<20)

	for _, lang := range []string{"nl", "en"} {
		want := msg(t, lang, "error.too_large", "Max", 1)
		if !strings.Contains(want, "1") {
			t.Fatalf("the %s message does not name the limit: %q", lang, want)
		}
		form := "csrf=" + token + "&name=" + big
		p := sendLarge(t, e.url, "POST", "/orgs/"+demo.OrgID+"/neighbourhoods/"+demo.BuurtAID, lang,
			"application/x-www-form-urlencoded", form, br.cookieHeader())
		if p.status != http.StatusRequestEntityTooLarge || !shows(p, want) {
			t.Errorf("%s: page: %d %.300q", lang, p.status, p.body)
		}
		j := `{"name": "` + big + `"}`
		p = sendLarge(t, e.url, "PUT", "/api/v1/orgs/"+demo.OrgID+"/neighbourhoods/"+demo.BuurtAID, lang,
			"application/json", j, api.cookieHeader(), "X-CSRF-Token", api.csrf)
		if p.status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: API: %d %.300q", lang, p.status, p.body)
			continue
		}
		if ae := apiErrorOf(t, p); ae.Code != "too_large" || ae.Message != want {
			t.Errorf("%s: API error %+v, want %q", lang, ae, want)
		}
	}
	if after := snapshot(t, e.store, demo.OrgID); after != before {
		t.Fatalf("a body over the limit changed the store:\nbefore %s\nafter  %s", before, after)
	}
	// Just under the limit the body is read: the name is too long (400
	// naming the field), not the body.
	under := strings.Repeat("y", 900<<10)
	p := api.do(http.MethodPut, "/api/v1/orgs/"+demo.OrgID+"/neighbourhoods/"+demo.BuurtAID, map[string]string{"name": under})
	if ae := apiErrorOf(t, p); p.status != http.StatusBadRequest || ae.Field != "name" {
		t.Errorf("body under the limit: %d %+v", p.status, ae)
	}
	// The server still serves after refusing big bodies.
	if p := api.do(http.MethodGet, "/api/v1/orgs/"+demo.OrgID, nil); p.status != http.StatusOK {
		t.Errorf("after the big bodies: %d", p.status)
	}
}

// sendLarge sends a request with a body over a connection of its own; see
// rawHTTP.
func sendLarge(t *testing.T, base, method, path, lang, contentType, body, cookie string, header ...string) *page {
	t.Helper()
	u, _ := url.Parse(base)
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nAccept-Language: %s\r\nOrigin: %s\r\n",
		method, path, u.Host, contentType, len(body), lang, base)
	if cookie != "" {
		fmt.Fprintf(&head, "Cookie: %s\r\n", cookie)
	}
	for i := 0; i+1 < len(header); i += 2 {
		fmt.Fprintf(&head, "%s: %s\r\n", header[i], header[i+1])
	}
	head.WriteString("\r\n")
	return rawHTTP(t, base, head.String(), body)
}

// rawHTTP writes a request exactly as given over a connection of its own
// and reads the answer while the body is still being written: the server
// answers a body over the limit as soon as it has read the headers and
// closes the connection, so a client that first writes everything may see
// the connection reset instead of the answer.
func rawHTTP(t *testing.T, base, head, body string) *page {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	go func() {
		// Write errors are expected once the server has answered.
		if _, err := conn.Write([]byte(head)); err == nil && body != "" {
			_, _ = conn.Write([]byte(body))
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%.40q: reading the answer: %v", head, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return &page{status: resp.StatusCode, body: b.String(), header: resp.Header}
}

// cookieHeader returns the Cookie header the browser would send.
func (b *browser) cookieHeader() string {
	u, _ := url.Parse(b.base)
	var parts []string
	for _, c := range b.c.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

func (a *apiSession) cookieHeader() string {
	u, _ := url.Parse(a.base)
	var parts []string
	for _, c := range a.c.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// TestUnknownRoute: a path no route matches gets a translated 404 page, or
// a JSON error under /api/.
func TestUnknownRoute(t *testing.T) {
	e := start(t)
	br := e.browser()
	api := e.apiLogin(e.accounts["reviewer"].Email, e.accounts["reviewer"].Password)
	for _, lang := range []string{"nl", "en"} {
		br.lang = lang
		for _, path := range []string{"/bestaat-niet", "/orgs", "/orgs/" + demo.OrgID + "/onbekend", "/static/bestaat-niet.css"} {
			p := br.get(path)
			if p.status != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", lang, path, p.status)
				continue
			}
			if !shows(p, msg(t, lang, "error.page_not_found")) || !shows(p, msg(t, lang, "error.heading.404")) ||
				!strings.Contains(p.body, `<html lang="`+lang+`"`) {
				t.Errorf("%s %s: not the translated 404 page: %.300q", lang, path, p.body)
			}
			if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s %s: content type %q", lang, path, ct)
			}
		}
		api.lang = lang
		for _, path := range []string{"/api/v1/bestaat-niet", "/api/bestaat-niet"} {
			p := api.do(http.MethodGet, path, nil)
			if p.status != http.StatusNotFound {
				t.Fatalf("API %s: %d", path, p.status)
			}
			if ae := apiErrorOf(t, p); ae.Code != "not_found" || ae.Message != msg(t, lang, "error.page_not_found") {
				t.Errorf("%s API %s: %+v", lang, path, ae)
			}
		}
	}
	// Without a session every path under /api/v1/ but the login asks for
	// one first (the group's middleware runs before the router knows the
	// path is unknown); that tells nothing about which paths exist.
	anon := raw(t, br.c, http.MethodGet, br.base+"/api/v1/bestaat-niet", nil)
	if ae := apiErrorOf(t, anon); anon.status != http.StatusUnauthorized || ae.Code != "unauthenticated" {
		t.Errorf("API without a session: %d %+v", anon.status, ae)
	}
	// A change sent to a path or method no route has is checked for its
	// CSRF token first, like every change, and then is not found either.
	token := br.get("/login").csrf(t)
	for _, m := range []string{http.MethodPost, http.MethodDelete, http.MethodPut} {
		for _, path := range []string{"/bestaat-niet", "/login/extra", "/staff"} {
			p := br.send(m, path, url.Values{"csrf": {token}})
			if p.status != http.StatusNotFound || !shows(p, msg(t, "en", "error.page_not_found")) {
				t.Errorf("%s %s: %d", m, path, p.status)
			}
			if p := br.send(m, path, url.Values{}); p.status != http.StatusForbidden {
				t.Errorf("%s %s without a token: %d", m, path, p.status)
			}
		}
	}
}

// TestStoreUnreachable: with the store gone, pages and the API answer 503
// with Retry-After and a translated message, logins too; the process does
// not panic and keeps answering; and what was stored before is intact when
// the data directory is opened again.
func TestStoreUnreachable(t *testing.T) {
	e := startWith(t, envOptions{ownEngine: true})
	a := e.accounts["admin"]
	br := e.staffBrowser("admin")
	token := br.get("/orgs/" + demo.OrgID).csrf(t)
	api := e.apiLogin(a.Email, a.Password)
	before := snapshot(t, e.store, demo.OrgID)

	e.store.StopEmbeddedForTest()

	for _, lang := range []string{"nl", "en"} {
		br.lang, api.lang = lang, lang
		want := msg(t, lang, "error.unavailable")
		pages := map[string]*page{
			"GET organisation page": br.get("/orgs/" + demo.OrgID),
			"POST form": br.post("/orgs/"+demo.OrgID+"/neighbourhoods/"+demo.BuurtAID,
				url.Values{"csrf": {token}, "name": {"Verloren?"}}),
		}
		lb := e.browser()
		lb.lang = lang
		lp := lb.get("/login")
		pages["POST login"] = lb.post("/login", url.Values{"csrf": {lp.csrf(t)}, "email": {a.Email}, "password": {a.Password}})
		for name, p := range pages {
			if p.status != http.StatusServiceUnavailable || p.header.Get("Retry-After") == "" {
				t.Errorf("%s %s: %d, Retry-After %q", lang, name, p.status, p.header.Get("Retry-After"))
				continue
			}
			if !shows(p, want) || !shows(p, msg(t, lang, "error.retry_hint", "Seconds", 5)) {
				t.Errorf("%s %s: no translated message and retry hint: %.400q", lang, name, p.body)
			}
		}
		calls := map[string]*page{
			"GET":   api.do(http.MethodGet, "/api/v1/orgs/"+demo.OrgID+"/neighbourhoods", nil),
			"PUT":   api.do(http.MethodPut, "/api/v1/orgs/"+demo.OrgID, map[string]string{"name": "Verloren?"}),
			"login": (&apiSession{t: t, base: e.url, c: e.browser().c, lang: lang}).do(http.MethodPost, "/api/v1/login", map[string]string{"email": a.Email, "password": a.Password}),
		}
		for name, p := range calls {
			if p.status != http.StatusServiceUnavailable || p.header.Get("Retry-After") != "5" {
				t.Errorf("%s API %s: %d, Retry-After %q: %s", lang, name, p.status, p.header.Get("Retry-After"), p.body)
				continue
			}
			if ae := apiErrorOf(t, p); ae.Code != "unavailable" || ae.Message != want {
				t.Errorf("%s API %s: %+v", lang, name, ae)
			}
		}
	}
	// The process lives on and says it is not ready.
	if p := br.get("/healthz"); p.status != http.StatusOK {
		t.Errorf("healthz: %d", p.status)
	}
	if p := br.get("/readyz"); p.status != http.StatusServiceUnavailable || p.header.Get("Retry-After") == "" {
		t.Errorf("readyz: %d", p.status)
	}

	// Open the data directory again: everything is there as before.
	st, err := store.Open(context.Background(), store.Options{DataDir: e.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	if after := snapshot(t, st, demo.OrgID); after != before {
		t.Fatalf("the store changed while unreachable:\nbefore %s\nafter  %s", before, after)
	}
}

// TestCSRF: a form post without the token, with a wrong one, from a
// foreign origin or marked cross-site is refused with 403 and a translated
// message; so is an API call of a session without X-CSRF-Token. Nothing
// changes, and the same requests with the token go through.
func TestCSRF(t *testing.T) {
	e := start(t)
	a := e.accounts["admin"]
	br := e.staffBrowser("admin")
	token := br.get("/orgs/" + demo.OrgID).csrf(t)
	api := e.apiLogin(a.Email, a.Password)
	other := e.apiLogin(e.accounts["reviewer"].Email, e.accounts["reviewer"].Password)
	path := "/orgs/" + demo.OrgID
	form := func(tok string) []byte {
		v := url.Values{"name": {"Gekaapt"}}
		if tok != "" {
			v.Set("csrf", tok)
		}
		return []byte(v.Encode())
	}
	ctForm := []string{"Content-Type", "application/x-www-form-urlencoded"}
	own := []string{"Origin", br.base}
	before := snapshot(t, e.store, demo.OrgID)

	pages := []struct {
		name   string
		body   []byte
		header []string
	}{
		{"no token", form(""), append(own, ctForm...)},
		{"wrong token", form(strings.Repeat("A", 43)), append(own, ctForm...)},
		{"the API session's token", form(api.csrf), append(own, ctForm...)},
		{"foreign origin", form(token), append([]string{"Origin", "https://kwaadwillend.example"}, ctForm...)},
		{"null origin", form(token), append([]string{"Origin", "null"}, ctForm...)},
		{"cross-site fetch", form(token), append([]string{"Sec-Fetch-Site", "cross-site"}, ctForm...)},
	}
	for _, c := range pages {
		for _, lang := range []string{"nl", "en"} {
			p := raw(t, br.c, http.MethodPost, br.base+path, c.body, append(c.header, "Accept-Language", lang)...)
			if p.status != http.StatusForbidden || !shows(p, msg(t, lang, "error.csrf")) {
				t.Errorf("page, %s, %s: %d %.200q", c.name, lang, p.status, p.body)
			}
		}
	}
	// Before login the form token is the pre-session cookie's.
	anon := e.browser()
	if p := anon.post("/login", url.Values{"email": {a.Email}, "password": {a.Password}}); p.status != http.StatusForbidden {
		t.Errorf("login form without token: %d", p.status)
	}
	if p := anon.post("/login", url.Values{"csrf": {token}, "email": {a.Email}, "password": {a.Password}}); p.status != http.StatusForbidden {
		t.Errorf("login form with another session's token: %d", p.status)
	}

	calls := []struct {
		name   string
		header []string
	}{
		{"no token", nil},
		{"wrong token", []string{"X-CSRF-Token", strings.Repeat("A", 43)}},
		{"another session's token", []string{"X-CSRF-Token", other.csrf}},
		{"token of the page session", []string{"X-CSRF-Token", token}},
		{"foreign origin", []string{"X-CSRF-Token", api.csrf, "Origin", "https://kwaadwillend.example"}},
	}
	for _, c := range calls {
		for _, lang := range []string{"nl", "en"} {
			h := append([]string{"Content-Type", "application/json", "Accept-Language", lang}, c.header...)
			for _, m := range []string{http.MethodPut, http.MethodPost, http.MethodDelete} {
				p := raw(t, api.c, m, e.url+"/api/v1/orgs/"+demo.OrgID+"/venues/"+demo.VenueID, []byte(`{"name": "Gekaapt", "neighbourhood_id": "`+demo.BuurtAID+`"}`), h...)
				if m == http.MethodPost {
					p = raw(t, api.c, m, e.url+"/api/v1/orgs/"+demo.OrgID+"/staff", []byte(`{"email": "gekaapt@example.org", "name": "Gekaapt", "role": "admin"}`), h...)
				}
				if p.status != http.StatusForbidden {
					t.Errorf("API %s, %s %s: %d %s", c.name, lang, m, p.status, p.body)
					continue
				}
				if ae := apiErrorOf(t, p); ae.Code != "forbidden" || ae.Message != msg(t, lang, "error.csrf") {
					t.Errorf("API %s, %s: %+v", c.name, lang, ae)
				}
			}
		}
	}
	if after := snapshot(t, e.store, demo.OrgID); after != before {
		t.Fatalf("a refused request changed the store:\nbefore %s\nafter  %s", before, after)
	}

	// With the token, from the server's own origin, both go through.
	if p := raw(t, br.c, http.MethodPost, br.base+path, form(token), append(own, ctForm...)...); p.status != http.StatusSeeOther {
		t.Errorf("page with token: %d", p.status)
	}
	if p := api.do(http.MethodPut, "/api/v1/orgs/"+demo.OrgID, map[string]string{"name": "Gemeente Voorbeeldstad"}); p.status != http.StatusOK {
		t.Errorf("API with token: %d %s", p.status, p.body)
	}
}
