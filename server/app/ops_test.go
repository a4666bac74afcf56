package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/buurtstem/buurtstem/server/demo"
)

// Operations: probes, metrics, logs without addresses, security headers.

// TestProbes: /healthz answers while the process runs; /readyz answers 200
// while the store answers and 503 with Retry-After once it does not.
func TestProbes(t *testing.T) {
	e := startWith(t, envOptions{ownEngine: true})
	br := e.browser()
	if p := br.get("/healthz"); p.status != http.StatusOK || p.body != "ok" {
		t.Errorf("healthz: %d %q", p.status, p.body)
	}
	if p := br.get("/readyz"); p.status != http.StatusOK || p.body != "ready" {
		t.Errorf("readyz: %d %q", p.status, p.body)
	}
	e.store.StopEmbeddedForTest()
	if p := br.get("/readyz"); p.status != http.StatusServiceUnavailable || p.header.Get("Retry-After") == "" {
		t.Errorf("readyz without a store: %d, Retry-After %q", p.status, p.header.Get("Retry-After"))
	}
	if p := br.get("/healthz"); p.status != http.StatusOK {
		t.Errorf("healthz without a store: %d", p.status)
	}
}

// TestMetrics: requests are counted by route pattern, never by the raw
// path (no ids in labels, unknown paths as "unmatched"); store commands
// and the build are there too.
func TestMetrics(t *testing.T) {
	e := startWith(t, envOptions{ownEngine: true})
	a := e.apiLogin(e.accounts["admin"].Email, e.accounts["admin"].Password)
	br := e.browser()
	if p := br.login(e.accounts["admin"].Email, e.accounts["admin"].Password); p.status != http.StatusSeeOther {
		t.Fatal(p.status)
	}
	a.do(http.MethodGet, "/api/v1/orgs/"+demo.OrgID+"/neighbourhoods/"+demo.BuurtAID, nil)
	a.do(http.MethodGet, "/api/v1/orgs/"+demo.OrgID+"/neighbourhoods/geheim-id-123", nil)
	br.get("/orgs/" + demo.OrgID + "/venues/" + demo.VenueID)
	br.get("/bestaat-niet-geheim-456")
	br.send(http.MethodPost, "/orgs/"+demo.OrgID+"/venues/"+demo.VenueID, url.Values{"csrf": {"fout-789"}})
	br.get("/static/style.css")
	token := br.get("/orgs/" + demo.OrgID).csrf(t)
	br.post("/orgs/"+demo.OrgID+"/venues/"+demo.VenueID, url.Values{"csrf": {token}, "name": {"Buurthuis De Linde"}, "neighbourhood_id": {demo.BuurtAID}})
	a.do(http.MethodPut, "/api/v1/orgs/"+demo.OrgID, map[string]string{"name": "Gemeente Voorbeeldstad"})
	a.do(http.MethodDelete, "/api/v1/orgs/"+demo.OrgID+"/venues/geen-id", nil)
	for range 3 { // later requests reuse the buffers of the earlier ones
		br.get("/healthz")
	}

	p := br.get("/metrics")
	if p.status != http.StatusOK {
		t.Fatalf("metrics: %d", p.status)
	}
	for _, want := range []string{
		`buurtstem_http_requests_total{method="GET",route="/api/v1/orgs/:org/neighbourhoods/:id",status="200"} 1`,
		`buurtstem_http_requests_total{method="GET",route="/api/v1/orgs/:org/neighbourhoods/:id",status="404"} 1`,
		`buurtstem_http_requests_total{method="GET",route="/orgs/:org/venues/:id",status="200"} 1`,
		`buurtstem_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`buurtstem_http_requests_total{method="POST",route="/orgs/:org/venues/:id",status="303"} 1`,
		`buurtstem_http_requests_total{method="PUT",route="/api/v1/orgs/:org",status="200"} 1`,
		`buurtstem_http_requests_total{method="DELETE",route="/api/v1/orgs/:org/venues/:id",status="404"} 1`,
		`buurtstem_http_request_duration_seconds_bucket{method="GET",route="/orgs/:org/venues/:id",`,
		`buurtstem_store_operation_duration_seconds_count{command="find",outcome="ok"}`,
		`buurtstem_build_info{`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Every route label is a registered pattern (or "unmatched").
	patterns := map[string]bool{"unmatched": true}
	for _, r := range e.srv.Fiber().GetRoutes() {
		patterns[r.Path] = true
	}
	for _, m := range regexp.MustCompile(`route="([^"]*)"`).FindAllStringSubmatch(p.body, -1) {
		if !patterns[m[1]] {
			t.Errorf("route label %q is not a route pattern", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`method="([^"]*)"`).FindAllStringSubmatch(p.body, -1) {
		switch m[1] {
		case "GET", "HEAD", "POST", "PUT", "DELETE":
		default:
			t.Errorf("method label %q", m[1])
		}
	}
	for _, raw := range []string{demo.BuurtAID, demo.VenueID, demo.OrgID, "geheim", "bestaat-niet"} {
		if strings.Contains(p.body, raw) {
			t.Errorf("metrics contain the raw path part %q", raw)
		}
	}
	if m := regexp.MustCompile(`buurtstem_build_info\{[^}]*goversion="go[^"]+"[^}]*\} 1`).FindString(p.body); m == "" {
		t.Error("build info without a Go version or not 1")
	}
}

// syncBuffer is a buffer the server's logger writes to while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsHoldNoAddresses: requests that claim a forwarded client address
// are logged (JSON, route pattern, status) without any address, neither
// the claimed one nor the real peer's, on success, on every kind of error
// and with the store gone.
func TestLogsHoldNoAddresses(t *testing.T) {
	var logs syncBuffer
	e := startWith(t, envOptions{ownEngine: true, logs: &logs})
	const claimed = "203.0.113.7"
	fwd := []string{"X-Forwarded-For", claimed, "X-Real-IP", claimed, "Forwarded", "for=" + claimed, "True-Client-IP", claimed}
	br := e.browser()
	a := e.accounts["admin"]
	p := br.get("/login")
	login := raw(t, br.c, http.MethodPost, e.url+"/login",
		[]byte(url.Values{"csrf": {p.csrf(t)}, "email": {a.Email}, "password": {a.Password}}.Encode()),
		append(fwd, "Content-Type", "application/x-www-form-urlencoded", "Origin", e.url)...)
	if login.status != http.StatusSeeOther {
		t.Fatalf("login: %d", login.status)
	}
	requests := []struct{ method, path, body string }{
		{"GET", "/orgs/" + demo.OrgID, ""},
		{"GET", "/orgs/" + demo.OrgID + "/venues/" + demo.VenueID, ""},
		{"GET", "/bestaat-niet", ""},
		{"POST", "/orgs/" + demo.OrgID, "name=zonder-token"},
		{"POST", "/orgs/" + demo.OrgID, "name=%zz"},
		{"GET", "/api/v1/me", ""},
		{"PUT", "/api/v1/orgs/" + demo.OrgID, "{kapot"},
	}
	send := func() {
		for _, r := range requests {
			ct := "application/x-www-form-urlencoded"
			if strings.HasPrefix(r.path, "/api/") {
				ct = "application/json"
			}
			raw(t, br.c, r.method, e.url+r.path, []byte(r.body), append(fwd, "Content-Type", ct)...)
		}
	}
	send()
	e.store.StopEmbeddedForTest()
	send() // now every request that needs the store fails with 503

	out := logs.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	served, unavailable := 0, 0
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", l)
		}
		switch rec["msg"] {
		case "Request served.":
			served++
			for _, k := range []string{"method", "route", "status", "duration_ms"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("request line without %s: %s", k, l)
				}
			}
			if r, _ := rec["route"].(string); strings.Contains(r, demo.OrgID) {
				t.Errorf("a raw path in the log: %s", l)
			}
		case "Store unavailable.":
			unavailable++
		}
	}
	if served < 2*len(requests) || unavailable == 0 {
		t.Fatalf("%d request lines and %d store lines for %d requests: the logger was not captured", served, unavailable, 2*len(requests))
	}
	ipv4 := regexp.MustCompile(`(^|[^0-9.])(\d{1,3}\.){3}\d{1,3}([^0-9.]|$)`)
	for _, bad := range []string{claimed, "127.0.0.1", "::1", "[::"} {
		if strings.Contains(out, bad) {
			t.Errorf("the log holds the address %s", bad)
		}
	}
	if m := ipv4.FindString(out); m != "" {
		t.Errorf("the log holds something like an address: %q", m)
	}
	for _, key := range []string{`"ip"`, `"remote`, `"client`, `"addr`} {
		if strings.Contains(out, key) {
			t.Errorf("the log has a %s field", key)
		}
	}
}

// TestSecurityHeaders: every kind of answer carries a content security
// policy without inline script, nosniff, a referrer policy and no framing;
// HSTS only when the public URL is https.
func TestSecurityHeaders(t *testing.T) {
	check := func(t *testing.T, e *env, hsts bool) {
		br := e.browser()
		a := e.accounts["reviewer"]
		// Over an https base URL the cookies are Secure, and this client
		// speaks plain http: it stays logged out there.
		if p := br.login(a.Email, a.Password); p.status != http.StatusSeeOther && !hsts {
			t.Fatalf("login: %d", p.status)
		}
		host := strings.TrimPrefix(e.url, "http://")
		answers := map[string]*page{
			"login page":     e.browser().get("/login"),
			"staff page":     br.get("/orgs/" + demo.OrgID),
			"redirect":       e.browser().get("/staff"),
			"not found":      br.get("/bestaat-niet"),
			"forbidden":      br.send(http.MethodPost, "/orgs/"+demo.OrgID, url.Values{}),
			"bad form":       raw(t, br.c, http.MethodPost, e.url+"/orgs/"+demo.OrgID, []byte("name=%zz"), "Content-Type", "application/x-www-form-urlencoded"),
			"API":            raw(t, br.c, http.MethodGet, e.url+"/api/v1/me", nil),
			"API error":      raw(t, http.DefaultClient, http.MethodGet, e.url+"/api/v1/me", nil),
			"static file":    br.get("/static/style.css"),
			"health":         br.get("/healthz"),
			"too large":      sendLarge(t, e.url, "POST", "/orgs/"+demo.OrgID, "nl", "application/x-www-form-urlencoded", strings.Repeat("x", 17<<20), ""),
			"broken request": rawHTTP(t, e.url, "POST /login HTTP/1.1\r\nHost: "+host+"\r\nContent-Length: veel\r\n\r\n", ""),
		}
		for name, p := range answers {
			checkHeaders(t, name, p, hsts)
		}
		if cc := answers["staff page"].header.Get("Cache-Control"); cc != "no-store" && !hsts {
			t.Errorf("a logged-in page may be cached: Cache-Control %q", cc)
		}
		if answers["too large"].status != http.StatusRequestEntityTooLarge || answers["broken request"].status != http.StatusBadRequest {
			t.Errorf("the requests refused while reading: %d, %d", answers["too large"].status, answers["broken request"].status)
		}
	}
	t.Run("http", func(t *testing.T) { check(t, start(t), false) })
	t.Run("https", func(t *testing.T) { check(t, start(t, "BUURTSTEM_BASE_URL", "https://buurtstem.example"), true) })
}
