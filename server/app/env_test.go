package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/app"
	"github.com/buurtstem/buurtstem/server/config"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/metrics"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is a running server on a real loopback port with the demo data, in a
// database of its own.
type env struct {
	t        *testing.T
	srv      *app.Server
	store    *store.Store
	cfg      *config.Config
	url      string
	dataDir  string                  // of the own engine (envOptions.ownEngine), else ""
	accounts map[string]demo.Account // by role
}

// start runs a server. settings are extra environment variables.
func start(t *testing.T, settings ...string) *env {
	t.Helper()
	return startWith(t, envOptions{}, settings...)
}

// envOptions are what a few tests need beyond start's defaults.
type envOptions struct {
	// ownEngine runs the server on an embedded engine of its own, in a
	// temporary directory and with a 300 ms store timeout, instead of on a
	// database of the shared engine, so that the test may stop it
	// (env.store.StopEmbeddedForTest) or read its files again afterwards
	// (env.dataDir). Its store commands are observed by the metrics, as in
	// Run.
	ownEngine bool
	// logs, if set, receives the server's log lines as JSON, at debug level.
	logs io.Writer
}

// startWith runs a server with options; settings are as for start.
func startWith(t *testing.T, o envOptions, settings ...string) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	vars := map[string]string{"BUURTSTEM_BASE_URL": base}
	for i := 0; i+1 < len(settings); i += 2 {
		vars[settings[i]] = settings[i+1]
	}
	cfg, err := config.Parse(nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	var st *store.Store
	dataDir := ""
	if o.ownEngine {
		dataDir = t.TempDir()
		st, err = store.Open(context.Background(), store.Options{DataDir: dataDir, Timeout: 300 * time.Millisecond,
			Observe: m.ObserveStore, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close(context.Background()) })
	} else {
		st = storetest.New(t)
	}
	accs, err := demo.Seed(context.Background(), st, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	if o.logs != nil {
		logger = slog.New(slog.NewJSONHandler(o.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := app.New(app.Deps{Config: cfg, Store: st, Catalog: catalog, Metrics: m, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Fiber().Listener(ln) }()
	t.Cleanup(func() { _ = srv.Fiber().ShutdownWithTimeout(5 * time.Second) })
	e := &env{t: t, srv: srv, store: st, cfg: cfg, url: base, dataDir: dataDir, accounts: map[string]demo.Account{}}
	for _, a := range accs {
		e.accounts[string(a.Role)] = a
	}
	return e
}

// api returns an API client logged in as the demo account with this role.
func (e *env) api(role string) *apiclient.Client {
	e.t.Helper()
	c := apiclient.New(e.url)
	a := e.accounts[role]
	if _, err := c.Login(context.Background(), a.Email, a.Password); err != nil {
		e.t.Fatalf("login as %s: %v", role, err)
	}
	return c
}

// browser is a cookie-keeping HTTP client that does not follow redirects,
// like a person clicking through the staff pages.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	lang string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, base: e.url, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a fetched page.
type page struct {
	status   int
	body     string
	header   http.Header
	location string
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return &page{status: resp.StatusCode, body: string(body), header: resp.Header, location: resp.Header.Get("Location")}
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post sends a form. The Origin header is the server's own, as a browser
// would send it.
func (b *browser) post(path string, form url.Values) *page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

// waitFor polls cond for up to 10 s: for what is written behind the
// group commit (the inbox, "my input" lists), up to 2 s late.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
	}
}

// formFile is a file a form sends; a nil data sends none.
type formFile struct {
	field, name, contentType string
	data                     []byte
}

// postFile sends a multipart form with a file, as a browser sends a form
// with enctype="multipart/form-data".
func (b *browser) postFile(path string, form url.Values, f formFile) *page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if f.data != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.name))
		h.Set("Content-Type", f.contentType)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(f.data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the form token of a page.
func (p *page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no csrf field in page (status %d)", p.status)
	}
	return m[1]
}

// login logs the browser in with the form, as a person would.
func (b *browser) login(email, password string) *page {
	b.t.Helper()
	p := b.get("/login")
	return b.post("/login", url.Values{"csrf": {p.csrf(b.t)}, "email": {email}, "password": {password}})
}

func statusOf(err error) int {
	var e *apiclient.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// checkHeaders fails the test if an answer lacks a security header.
func checkHeaders(t *testing.T, name string, p *page, hsts bool) {
	t.Helper()
	csp := p.header.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 {
			directives[f[0]] = strings.Join(f[1:], " ")
		}
	}
	script, ok := directives["script-src"]
	if !ok {
		script = directives["default-src"]
	}
	if directives["object-src"] != "'none'" || directives["base-uri"] != "'none'" || directives["frame-ancestors"] != "'none'" ||
		directives["default-src"] == "" || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") ||
		strings.Contains(script, "*") || strings.Contains(script, "data:") {
		t.Errorf("%s (%d): content security policy %q", name, p.status, csp)
	}
	if p.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s (%d): no nosniff", name, p.status)
	}
	switch p.header.Get("Referrer-Policy") {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("%s (%d): referrer policy %q", name, p.status, p.header.Get("Referrer-Policy"))
	}
	sts := p.header.Get("Strict-Transport-Security")
	if hsts != (sts != "") || (hsts && !strings.Contains(sts, "max-age=31536000")) {
		t.Errorf("%s (%d): Strict-Transport-Security %q, want it %v", name, p.status, sts, hsts)
	}
}

// staffBrowser logs a browser in as the demo account with this role.
func (e *env) staffBrowser(role string) *browser {
	e.t.Helper()
	b := e.browser()
	a := e.accounts[role]
	if p := b.login(a.Email, a.Password); p.status != http.StatusSeeOther {
		e.t.Fatalf("login as %s: %d", role, p.status)
	}
	return b
}
