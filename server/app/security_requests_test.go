package app_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// Sessions and requests, attacked over real HTTP, with the routes taken from
// the router itself (like the tenancy test): a new state-changing route is
// attacked without anyone adding it here, and a GET route with a parameter
// this file cannot fill fails the test until it is added to routeParams.

// tokenFree are the state-changing routes that take no CSRF token, and why
// a cross-site page still cannot use them. Each is attacked the way a
// cross-site page could reach it: a foreign Origin, a cross-site fetch, and
// a "simple" request (a text/plain body, which a cross-site form may send
// without a CORS preflight and without Origin in old browsers).
var tokenFree = map[string]string{
	"POST /api/v1/login":        "JSON only; the answer sets a new session, a planted one is never used",
	"POST /api/v1/join":         "JSON only",
	"POST /api/v1/receipt":      "JSON only",
	"POST /api/v1/profile":      "JSON only",
	"POST /api/v1/leave":        "JSON only",
	"POST /live/:session/media": "audio/… or image/… bodies only",
}

// stateChanging lists the router's routes that change state.
func stateChanging(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, r := range e.srv.Fiber().GetRoutes(true) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			k := r.Method + " " + r.Path
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	if len(out) < 50 {
		t.Fatalf("only %d state-changing routes: the router is read wrongly", len(out))
	}
	return out
}

// fill puts v into every :parameter of a route path.
func fill(path, v string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = v
		}
	}
	return strings.Join(segs, "/")
}

// TestCSRFEveryRoute: every POST, PUT, PATCH and DELETE route of the router,
// sent by a logged-in admin (browser and API session) without its CSRF token,
// is refused with 403 and the translated message, in Dutch and English;
// the same request with the token is not refused for CSRF (so it is the
// check that refused, not something else). Every route, token or not, is
// refused from a foreign Origin and as a cross-site fetch. The routes that
// take no token refuse the bodies a cross-site form can send.
func TestCSRFEveryRoute(t *testing.T) {
	e := start(t)
	a := e.accounts["admin"]
	br := e.staffBrowser("admin")
	formToken := br.get("/orgs/" + demo.OrgID).csrf(t)
	api := e.apiLogin(a.Email, a.Password)
	before := snapshot(t, e.store, demo.OrgID)
	csrfMsg := map[string]string{"nl": msg(t, "nl", "error.csrf"), "en": msg(t, "en", "error.csrf")}
	refusedForCSRF := func(p *page, lang string) bool {
		return p.status == http.StatusForbidden && shows(p, csrfMsg[lang])
	}

	tried := 0
	for _, route := range stateChanging(t, e) {
		method, path, _ := strings.Cut(route, " ")
		u := e.url + fill(path, "x")
		isAPI := strings.HasPrefix(path, "/api/")
		_, free := tokenFree[route]
		for _, lang := range []string{"nl", "en"} {
			// Cross-site, whatever else the request carries.
			for name, h := range map[string][]string{
				"foreign origin":   {"Origin", "https://kwaadwillend.example"},
				"null origin":      {"Origin", "null"},
				"cross-site fetch": {"Sec-Fetch-Site", "cross-site"},
			} {
				c := br.c
				token := []string{"Content-Type", "application/x-www-form-urlencoded"}
				body := []byte("csrf=" + url.QueryEscape(formToken))
				if isAPI {
					c, token, body = api.c, []string{"Content-Type", "application/json", "X-CSRF-Token", api.csrf}, []byte(`{}`)
				}
				p := raw(t, c, method, u, body, append(append(h, token...), "Accept-Language", lang)...)
				if !refusedForCSRF(p, lang) {
					t.Errorf("%s, %s, %s: %d %.200q", route, name, lang, p.status, p.body)
				}
				tried++
			}
			if free {
				continue
			}
			// Same origin, logged in, without the token.
			var p *page
			if isAPI {
				p = raw(t, api.c, method, u, []byte(`{}`), "Content-Type", "application/json", "Origin", e.url, "Accept-Language", lang)
			} else {
				p = raw(t, br.c, method, u, []byte("name=Gekaapt"), "Content-Type", "application/x-www-form-urlencoded", "Origin", e.url, "Accept-Language", lang)
			}
			if !refusedForCSRF(p, lang) {
				t.Errorf("%s without token, %s: %d %.200q", route, lang, p.status, p.body)
			}
			tried++
		}
		if free || strings.HasSuffix(path, "/logout") {
			continue // the control would end the session the others use
		}
		// The control: with the token the CSRF check lets it through.
		var p *page
		if isAPI {
			p = raw(t, api.c, method, u, []byte(`{}`), "Content-Type", "application/json", "X-CSRF-Token", api.csrf, "Origin", e.url)
		} else {
			p = raw(t, br.c, method, u, []byte("csrf="+url.QueryEscape(formToken)), "Content-Type", "application/x-www-form-urlencoded", "Origin", e.url)
		}
		if refusedForCSRF(p, "nl") {
			t.Errorf("%s with the token is refused as CSRF: the test proves nothing for it", route)
		}
	}
	if after := snapshot(t, e.store, demo.OrgID); after != before {
		t.Fatalf("a refused request changed the store:\nbefore %s\nafter  %s", before, after)
	}
	for route := range tokenFree {
		found := false
		for _, r := range stateChanging(t, e) {
			found = found || r == route
		}
		if !found {
			t.Errorf("tokenFree lists %s, which the router no longer has", route)
		}
	}
	t.Logf("%d state-changing routes, %d cross-site and tokenless requests refused", len(stateChanging(t, e)), tried)
}

// TestTokenFreeRoutesRefuseSimpleRequests: the routes without a CSRF token
// refuse what a cross-site form can send with the victim's cookies and no
// Origin (text/plain, urlencoded and multipart bodies), so that a planted
// resident action, a login into the attacker's account (login CSRF) or an
// upload in the resident's name is impossible even where Origin is missing.
func TestTokenFreeRoutesRefuseSimpleRequests(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("post")
	res, _ := e.joined(t, s.Code, "nl")
	a := e.accounts["admin"]
	webm, err := os.ReadFile("../media/testdata/voice-5s.webm")
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{
		"POST /api/v1/login":   []byte(`{"email":"` + a.Email + `","password":"` + a.Password + `"}`),
		"POST /api/v1/join":    []byte(`{"code":"` + s.Code + `"}`),
		"POST /api/v1/receipt": []byte(`{}`),
		"POST /api/v1/profile": []byte(`{"session_id":"` + s.ID + `","age_band":"25-44"}`),
		"POST /api/v1/leave":   []byte(`{}`),
	}
	// The same body as JSON is accepted: the refusals below are about the
	// type, not the content.
	if p := raw(t, res.c, http.MethodPost, e.url+"/api/v1/join", bodies["POST /api/v1/join"], "Content-Type", "application/json"); p.status != http.StatusOK {
		t.Fatalf("join as JSON: %d %s", p.status, p.body)
	}
	for route, body := range bodies {
		_, path, _ := strings.Cut(route, " ")
		for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
			p := raw(t, res.c, http.MethodPost, e.url+path, body, "Content-Type", ct)
			if p.status < 400 || p.status >= 500 {
				t.Errorf("%s with Content-Type %q: %d %.200q", route, ct, p.status, p.body)
			}
			for _, c := range (&http.Response{Header: p.header}).Cookies() {
				if strings.HasSuffix(c.Name, "bst_session") && c.MaxAge >= 0 && c.Value != "" {
					t.Errorf("%s with Content-Type %q set a session cookie", route, ct)
				}
			}
		}
	}
	before := e.mediaCount()
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		p := raw(t, res.c, http.MethodPost, e.url+"/live/"+s.ID+"/media?kind=voice", webm, "Content-Type", ct)
		if p.status < 400 || p.status >= 500 {
			t.Errorf("a voice note sent as %q: %d %.200q", ct, p.status, p.body)
		}
	}
	if n := e.mediaCount(); n != before {
		t.Errorf("uploads with a simple request's Content-Type were stored: %d -> %d", before, n)
	}
	if p := raw(t, res.c, http.MethodPost, e.url+"/live/"+s.ID+"/media?kind=voice", webm, "Content-Type", "audio/webm"); p.status != http.StatusCreated {
		t.Errorf("the control upload as audio/webm: %d %s", p.status, p.body)
	}
}

// routeParams fills the parameters of GET routes with real records, so that
// the walk sees real pages and not only "not found".
type routeParams map[string]string

func (rp routeParams) fill(t *testing.T, path string) string {
	t.Helper()
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		key := s
		if s == ":id" && i > 0 {
			key = segs[i-1] + "/:id" // the kind of record before it
		}
		v, ok := rp[key]
		if !ok {
			t.Errorf("route %s: no value for %s: add one to the header walk's routeParams", path, key)
			v = "x"
		}
		segs[i] = url.PathEscape(v)
	}
	return strings.Join(segs, "/")
}

// TestSecurityHeadersEveryRoute: every GET route of the router, filled with
// real records and fetched by the people who use it (anonymous, a resident,
// the admin), answers with the security headers — content security policy
// without inline script, object-src 'none', base-uri 'none', frame-ancestors,
// nosniff, a referrer policy — and every HTML answer has no inline script
// and no event handler attribute. Over an https base URL every answer also
// carries HSTS.
func TestSecurityHeadersEveryRoute(t *testing.T) {
	check := func(t *testing.T, e *env, hsts bool) {
		ctx := context.Background()
		staff, s := e.liveSession("post")
		res, _ := e.joined(t, s.Code, "nl")
		c, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Jar: res.c.Jar})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, 2); err != nil {
			t.Fatal(err)
		}
		ack, err := c.Submit(ctx, "h1", protocol.SubmitData{PromptID: s.Prompts[2].ID, Answer: protocol.AnswerData{Text: "Meer licht"}})
		if err != nil {
			t.Fatal(err)
		}
		rc := res.postJSON("/api/v1/receipt", "{}")
		code := strings.Split(strings.Split(rc.body, `"code":"`)[1], `"`)[0]
		key := (&url.URL{RawQuery: strings.SplitN(s.ProjectorURL, "?", 2)[1]}).Query().Get("key")
		rp := routeParams{
			":org": demo.OrgID, "neighbourhoods/:id": demo.BuurtAID, "venues/:id": demo.VenueID,
			"staff/:id": e.accounts["reviewer"].ID, "sessions/:id": s.ID, "topics/:id": "no-such-topic",
			"contributions/:id": ack.ContributionID, "s/:id": s.ID, "buurt/:id": demo.BuurtAID,
			"media/:id": "no-such-media", "photos/:id": "no-such-photo", ":code": code, ":session": s.ID, ":prompt": s.Prompts[0].ID, ":lang": "nl", ":batch": "no-such-batch",
		}
		admin := e.browser()
		if !hsts {
			admin = e.staffBrowser("admin")
		}
		n := 0
		for _, r := range e.srv.Fiber().GetRoutes(true) {
			if r.Method != http.MethodGet {
				continue
			}
			path := rp.fill(t, r.Path)
			if strings.HasSuffix(r.Path, "/projector") {
				path += "?key=" + url.QueryEscape(key)
			}
			if r.Path == "/j/:code" {
				path = "/j/" + s.Code
			}
			if r.Path == "/live/:session/ws" {
				continue // the WebSocket upgrade: see TestLiveBadInput and the WebSocket attacks
			}
			for who, b := range map[string]*browser{"anonymous": e.browser(), "resident": res, "admin": admin} {
				p := b.get(path)
				n++
				name := who + " GET " + path
				checkHeaders(t, name, p, hsts)
				if strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
					for _, prob := range domProblems(p.body) {
						t.Errorf("%s (%d): %s", name, p.status, prob)
					}
				}
			}
		}
		t.Logf("%d answers of GET routes checked", n)
	}
	t.Run("http", func(t *testing.T) { check(t, start(t), false) })
	t.Run("https", func(t *testing.T) { check(t, start(t, "BUURTSTEM_BASE_URL", "https://buurtstem.example"), true) })
}
