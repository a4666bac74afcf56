package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/demo"
)

// Staff authentication attacked over real HTTP: throttling, account
// enumeration, timeouts, cookies, fixation, logout, password change and
// disabled accounts.

// clock moves the server's authentication clock. Install it with
// fakeClock before the first request, so that no request reads the clock
// while it is being replaced.
type clock struct{ offset atomic.Int64 }

func (e *env) fakeClock() *clock {
	c := &clock{}
	e.srv.Auth().SetClock(func() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) })
	return c
}

func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// login is an API login seen from outside.
type login struct {
	status  int
	body    string
	cookies []*http.Cookie
	token   string // the session cookie's value
	csrf    string
}

// apiLoginRaw logs in through the API with a client that keeps no
// cookies, and returns what came back, the session cookie included.
func (e *env) apiLoginRaw(email, password string, header ...string) login {
	e.t.Helper()
	body := `{"email": ` + quote(email) + `, "password": ` + quote(password) + `}`
	p := raw(e.t, http.DefaultClient, http.MethodPost, e.url+"/api/v1/login", []byte(body),
		append([]string{"Content-Type", "application/json"}, header...)...)
	l := login{status: p.status, body: p.body, cookies: (&http.Response{Header: p.header}).Cookies()}
	for _, c := range l.cookies {
		if strings.HasSuffix(c.Name, "bst_session") && c.MaxAge >= 0 {
			l.token = c.Value
		}
	}
	var lr struct {
		CSRFToken string `json:"csrf_token"`
	}
	_ = json.Unmarshal([]byte(p.body), &lr)
	l.csrf = lr.CSRFToken
	return l
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// asSession sends a request with a session cookie set by hand, as a
// client that copied (or forged) it would.
func (e *env) asSession(method, path, cookieName, token, csrf string) *page {
	e.t.Helper()
	h := []string{"Cookie", cookieName + "=" + token}
	if csrf != "" {
		h = append(h, "X-CSRF-Token", csrf, "Content-Type", "application/json")
	}
	return raw(e.t, http.DefaultClient, method, e.url+path, nil, h...)
}

// me reports whether a session token is accepted by the API.
func (e *env) me(token string) int {
	e.t.Helper()
	return e.asSession(http.MethodGet, "/api/v1/me", "bst_session", token, "").status
}

// storedSession reports whether the store holds a session for a token.
func (e *env) storedSession(token string) bool {
	e.t.Helper()
	sum := sha256.Sum256([]byte(token))
	_, err := e.store.StaffSession(context.Background(), hex.EncodeToString(sum[:]))
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		e.t.Fatal(err)
	}
	return err == nil
}

// TestLoginThrottle: five wrong passwords lock an address; the sixth
// attempt, even with the right password, gets 429 and a translated "try
// again in 1 minute". An address without an account goes through exactly
// the same answers. Another account on the same client (one community
// centre, one address) is not locked, and after the minute the right
// password works again.
func TestLoginThrottle(t *testing.T) {
	e := start(t)
	clk := e.fakeClock()
	admin := e.accounts["admin"]
	answers := map[string][]string{}
	for _, email := range []string{admin.Email, "niemand@voorbeeldstad.example"} {
		for i := range 6 {
			l := e.apiLoginRaw(email, "verkeerd wachtwoord "+string(rune('a'+i)))
			answers[email] = append(answers[email], http.StatusText(l.status)+" "+l.body)
		}
		l := e.apiLoginRaw(email, admin.Password)
		answers[email] = append(answers[email], http.StatusText(l.status)+" "+l.body)
	}
	known, unknown := answers[admin.Email], answers["niemand@voorbeeldstad.example"]
	if !slices.Equal(known, unknown) {
		t.Errorf("an existing and an unknown address are answered differently:\n%q\n%q", known, unknown)
	}
	for i, a := range known {
		want := "Unauthorized"
		if i >= 5 {
			want = "Too Many Requests"
		}
		if !strings.HasPrefix(a, want+" ") {
			t.Errorf("attempt %d: %s, want %s", i+1, a, want)
		}
	}
	locked := e.apiLoginRaw(admin.Email, admin.Password, "Accept-Language", "en")
	if ae := apiErrorOf(t, &page{body: locked.body}); ae.Code != "too_many" || ae.Message != msg(t, "en", "login.locked", "Minutes", 1) {
		t.Errorf("locked, in English: %+v", ae)
	}
	if ae := apiErrorOf(t, &page{body: strings.TrimPrefix(known[5], "Too Many Requests ")}); ae.Message != msg(t, "nl", "login.locked", "Minutes", 1) {
		t.Errorf("locked, in Dutch: %+v", ae)
	}
	if msg(t, "nl", "login.locked", "Minutes", 1) == msg(t, "en", "login.locked", "Minutes", 1) {
		t.Fatal("the Dutch and English messages are the same: the language is not tested")
	}
	// The login page says the same, translated.
	br := e.browser()
	for _, lang := range []string{"nl", "en"} {
		br.lang = lang
		p := br.login(admin.Email, admin.Password)
		if p.status != http.StatusTooManyRequests || !shows(p, msg(t, lang, "login.locked", "Minutes", 1)) {
			t.Errorf("login page, %s: %d", lang, p.status)
		}
	}
	// The same client logs in with another account.
	rev := e.accounts["reviewer"]
	if p := br.login(rev.Email, rev.Password); p.status != http.StatusSeeOther {
		t.Errorf("another account from the same client: %d", p.status)
	}
	// A minute later the right password works.
	clk.advance(61 * time.Second)
	if l := e.apiLoginRaw(admin.Email, admin.Password); l.status != http.StatusOK {
		t.Errorf("after the lock: %d %s", l.status, l.body)
	}
}

// TestPasswordChangeIsThrottled: the current-password check of a password
// change is a password check like the login, so it shares the login's
// throttle; otherwise whoever finds a logged-in tablet could guess the
// password without limit and keep access after the session ends.
func TestPasswordChangeIsThrottled(t *testing.T) {
	e := start(t)
	rev := e.accounts["reviewer"]
	a := e.apiLogin(rev.Email, rev.Password)
	for i := range 5 {
		p := a.do(http.MethodPost, "/api/v1/password", map[string]string{"current": "geraden " + string(rune('a'+i)), "new": "een nieuw lang wachtwoord"})
		if ae := apiErrorOf(t, p); p.status != http.StatusBadRequest || ae.Field != "current" {
			t.Fatalf("wrong current password %d: %d %+v", i+1, p.status, ae)
		}
	}
	p := a.do(http.MethodPost, "/api/v1/password", map[string]string{"current": rev.Password, "new": "een nieuw lang wachtwoord"})
	if p.status != http.StatusTooManyRequests {
		t.Fatalf("after five wrong current passwords: %d %s", p.status, p.body)
	}
	if l := e.apiLoginRaw(rev.Email, rev.Password); l.status != http.StatusTooManyRequests {
		t.Errorf("the login is locked as well: %d", l.status)
	}
	if l := e.apiLoginRaw(rev.Email, "een nieuw lang wachtwoord"); l.status != http.StatusTooManyRequests {
		t.Errorf("the password must not have changed: %d", l.status)
	}
}

// normalise removes what differs between two login pages for reasons
// other than the account: the e-mail address typed back into the form and
// the CSRF token.
var (
	csrfValue  = regexp.MustCompile(`name="csrf" value="[^"]+"`)
	emailValue = regexp.MustCompile(`(<input id="email"[^>]*value=")[^"]*"`)
)

func normalise(body string) string {
	body = emailValue.ReplaceAllString(body, `${1}EMAIL"`)
	return csrfValue.ReplaceAllString(body, `name="csrf" value="TOKEN"`)
}

// TestNoAccountEnumeration: a wrong password for an existing account, an
// address without an account and the right password of a disabled account
// get the same status and the same body, from the API and from the login
// page.
func TestNoAccountEnumeration(t *testing.T) {
	e := start(t)
	admin, im := e.accounts["admin"], e.accounts["intermediary"]
	ac := e.api("admin")
	if err := ac.Do(context.Background(), http.MethodPut, "/api/v1/orgs/"+demo.OrgID+"/staff/"+im.ID,
		map[string]any{"name": im.Name, "role": "intermediary", "disabled": true}, nil); err != nil {
		t.Fatal(err)
	}
	const nobody = "niemand@voorbeeldstad.example"
	cases := map[string][2]string{
		"wrong password":            {e.accounts["reviewer"].Email, "verkeerd wachtwoord"},
		"no account":                {nobody, "verkeerd wachtwoord"},
		"disabled, right password":  {im.Email, im.Password},
		"no account, capitals":      {strings.ToUpper(nobody), admin.Password},
		"existing, right but lower": {admin.Email, strings.ToLower(admin.Password)},
		"empty address":             {"", "verkeerd wachtwoord"},
		"address that is not one":   {"geen-adres", "verkeerd wachtwoord"},
		"very long unknown address": {strings.Repeat("a", 300) + "@voorbeeldstad.example", "x"},
	}
	var apiRef, pageRef string
	for name, c := range cases {
		l := e.apiLoginRaw(c[0], c[1])
		got := http.StatusText(l.status) + " " + l.body
		if len(l.cookies) != 0 {
			t.Errorf("%s: the failed login set cookies: %v", name, l.cookies)
		}
		br := e.browser()
		p := br.login(c[0], c[1])
		page := http.StatusText(p.status) + " " + normalise(p.body)
		if apiRef == "" {
			apiRef, pageRef = got, page
		}
		if got != apiRef {
			t.Errorf("API, %s: %s\nwant %s", name, got, apiRef)
		}
		if page != pageRef {
			t.Errorf("login page, %s: differs: %s", name, firstDiff(page, pageRef))
		}
	}
	if !strings.HasPrefix(apiRef, "Unauthorized ") || !strings.Contains(apiRef, msg(t, "nl", "login.failed")) {
		t.Errorf("the common answer: %s", apiRef)
	}
}

// firstDiff shows where two texts start to differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n%q\nwant\n%q", i, a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
}

// TestLoginTimingDoesNotTellAccounts: a wrong password for an existing
// account and an address without an account take about as long. Medians
// of interleaved attempts, compared with a generous factor: the difference
// this guards against (no password hash for unknown addresses) is a
// factor of ten or more.
func TestLoginTimingDoesNotTellAccounts(t *testing.T) {
	e := start(t)
	var known []string
	for _, a := range demo.Accounts {
		known = append(known, a.Email)
	}
	timed := func(email string) time.Duration {
		start := time.Now()
		if l := e.apiLoginRaw(email, "verkeerd wachtwoord"); l.status != http.StatusUnauthorized {
			t.Fatalf("%s: %d", email, l.status)
		}
		return time.Since(start)
	}
	// Warm up both paths (the unknown path makes its dummy hash once).
	timed("opwarmen@voorbeeldstad.example")
	timed(known[0])
	// Four wrong passwords per account stay under the lock (five).
	var k, u []time.Duration
	for i := range 3 * len(known) {
		k = append(k, timed(known[i%len(known)]))
		u = append(u, timed("onbekend"+string(rune('a'+i))+"@voorbeeldstad.example"))
	}
	mk, mu := median(k), median(u)
	t.Logf("median login time: existing account %v, no account %v", mk, mu)
	if mk > 3*mu || mu > 3*mk {
		t.Errorf("login time tells whether an account exists: %v vs %v", mk, mu)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestSessionTimeouts: a session ends after the inactivity timeout (2 h),
// and after the absolute timeout (12 h) however active; the ended session
// is deleted from the store and the cookie is cleared.
func TestSessionTimeouts(t *testing.T) {
	e := start(t)
	clk := e.fakeClock()
	rev := e.accounts["reviewer"]

	l := e.apiLoginRaw(rev.Email, rev.Password)
	if e.me(l.token) != http.StatusOK {
		t.Fatal("fresh session refused")
	}
	clk.advance(2*time.Hour - 2*time.Minute)
	if e.me(l.token) != http.StatusOK {
		t.Fatal("ended before the inactivity timeout")
	}
	clk.advance(2*time.Hour - 2*time.Minute) // counted from the last use
	if e.me(l.token) != http.StatusOK {
		t.Fatal("use did not keep the session alive")
	}
	clk.advance(2*time.Hour + time.Minute)
	p := e.asSession(http.MethodGet, "/api/v1/me", "bst_session", l.token, "")
	if p.status != http.StatusUnauthorized || e.storedSession(l.token) {
		t.Fatalf("idle session: %d, still stored: %v", p.status, e.storedSession(l.token))
	}
	if !clearsCookie(p, "bst_session") {
		t.Error("the expired session's cookie is not cleared")
	}

	// Absolute: used every 100 minutes, it still ends after 12 hours.
	l = e.apiLoginRaw(rev.Email, rev.Password)
	br := e.browser()
	if p := br.login(rev.Email, rev.Password); p.status != http.StatusSeeOther {
		t.Fatal(p.status)
	}
	for used := 100 * time.Minute; used < 12*time.Hour; used += 100 * time.Minute {
		clk.advance(100 * time.Minute)
		if e.me(l.token) != http.StatusOK || br.get("/orgs/"+demo.OrgID).status != http.StatusOK {
			t.Fatalf("ended after %v of use", used)
		}
	}
	clk.advance(time.Hour) // 12 h 40 min after login, 60 min after last use
	if e.me(l.token) != http.StatusUnauthorized || e.storedSession(l.token) {
		t.Fatal("a session older than 12 hours still works or is still stored")
	}
	if p := br.get("/orgs/" + demo.OrgID); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
		t.Fatalf("browser after 12 hours: %d %q", p.status, p.location)
	}
}

// clearsCookie reports whether a response deletes a cookie.
func clearsCookie(p *page, name string) bool {
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == name && (c.MaxAge < 0 || c.Value == "") {
			return true
		}
	}
	return false
}

// TestCookieFlags: every cookie is HttpOnly and SameSite=Lax with path /;
// over plain http they are not Secure; with an https base URL they are
// Secure, and the session and form cookies carry the __Host- prefix (no
// Domain), under which alone the session is accepted.
func TestCookieFlags(t *testing.T) {
	check := func(t *testing.T, e *env, secure bool) {
		rev := e.accounts["reviewer"]
		var all []*http.Cookie
		l := e.apiLoginRaw(rev.Email, rev.Password)
		all = append(all, l.cookies...)
		p := raw(t, http.DefaultClient, http.MethodGet, e.url+"/login?lang=en", nil)
		all = append(all, (&http.Response{Header: p.header}).Cookies()...)
		names := map[string]bool{}
		for _, c := range all {
			names[c.Name] = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.Secure != secure {
				t.Errorf("cookie %s: HttpOnly %v, SameSite %v, Path %q, Domain %q, Secure %v (want Secure %v)",
					c.Name, c.HttpOnly, c.SameSite, c.Path, c.Domain, c.Secure, secure)
			}
		}
		session, form := "bst_session", "bst_csrf"
		if secure {
			session, form = "__Host-"+session, "__Host-"+form
		}
		for _, n := range []string{session, form, "bst_lang"} {
			if !names[n] {
				t.Errorf("cookie %s not set; got %v", n, names)
			}
		}
		if l.token == "" {
			t.Fatal("no session cookie")
		}
		if p := e.asSession(http.MethodGet, "/api/v1/me", session, l.token, ""); p.status != http.StatusOK {
			t.Errorf("session under %s: %d", session, p.status)
		}
		if secure {
			// Without the prefix the cookie could have been set by a sibling
			// host; it is not read.
			if p := e.asSession(http.MethodGet, "/api/v1/me", "bst_session", l.token, ""); p.status != http.StatusUnauthorized {
				t.Errorf("session under the unprefixed name over https: %d", p.status)
			}
		}
	}
	t.Run("http", func(t *testing.T) { check(t, start(t), false) })
	t.Run("https", func(t *testing.T) { check(t, start(t, "BUURTSTEM_BASE_URL", "https://buurtstem.example"), true) })
}

// TestSessionFixation: a session cookie an attacker planted before login
// is never accepted and never becomes the session; the login sets a new
// token; and planting the attacker's own valid session does not make the
// victim's login land in it.
func TestSessionFixation(t *testing.T) {
	e := start(t)
	rev, im := e.accounts["reviewer"], e.accounts["intermediary"]
	u, _ := url.Parse(e.url)
	planted := base64.RawURLEncoding.EncodeToString([]byte("gekozen door een aanvaller!!!!!!"))

	br := e.browser()
	br.c.Jar.SetCookies(u, []*http.Cookie{{Name: "bst_session", Value: planted, Path: "/"}})
	if p := br.get("/login"); p.status != http.StatusOK || !clearsCookie(p, "bst_session") {
		t.Errorf("an unknown session cookie is not cleared: %d", p.status)
	}
	br.c.Jar.SetCookies(u, []*http.Cookie{{Name: "bst_session", Value: planted, Path: "/"}})
	p := br.login(rev.Email, rev.Password)
	if p.status != http.StatusSeeOther {
		t.Fatalf("login: %d", p.status)
	}
	got := ""
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "bst_session" {
			got = c.Value
		}
	}
	if got == "" || got == planted {
		t.Fatalf("the login did not set a new session token: %q", got)
	}
	if e.me(planted) != http.StatusUnauthorized || e.me(got) != http.StatusOK {
		t.Fatal("the planted token is accepted, or the new one is not")
	}

	// The attacker's own valid session planted into the victim's browser,
	// and the victim logs in with it (the page even hands out the planted
	// session's form token): the victim gets a token of their own, and the
	// attacker's token still belongs to the attacker.
	att := e.apiLoginRaw(im.Email, im.Password)
	victim := e.browser()
	victim.c.Jar.SetCookies(u, []*http.Cookie{{Name: "bst_session", Value: att.token, Path: "/"}})
	form := victim.get("/account/password")
	p = victim.post("/login", url.Values{"csrf": {form.csrf(t)}, "email": {rev.Email}, "password": {rev.Password}})
	var vt string
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "bst_session" {
			vt = c.Value
		}
	}
	if p.status != http.StatusSeeOther || vt == "" || vt == att.token {
		t.Fatalf("the victim's login reused the planted session: %d %q", p.status, vt)
	}
	who := e.asSession(http.MethodGet, "/api/v1/me", "bst_session", att.token, "")
	if !strings.Contains(who.body, im.Email) || strings.Contains(who.body, rev.Email) {
		t.Errorf("the attacker's token now belongs to someone else: %s", who.body)
	}
	if who := e.asSession(http.MethodGet, "/api/v1/me", "bst_session", vt, ""); !strings.Contains(who.body, rev.Email) {
		t.Errorf("the victim's new token: %s", who.body)
	}
}

// TestLogoutEndsSession: after logout the token is refused by the server
// (not only deleted from the browser) and gone from the store.
func TestLogoutEndsSession(t *testing.T) {
	e := start(t)
	rev := e.accounts["reviewer"]

	l := e.apiLoginRaw(rev.Email, rev.Password)
	if p := e.asSession(http.MethodPost, "/api/v1/logout", "bst_session", l.token, l.csrf); p.status != http.StatusNoContent || !clearsCookie(p, "bst_session") {
		t.Fatalf("API logout: %d", p.status)
	}
	if e.me(l.token) != http.StatusUnauthorized || e.storedSession(l.token) {
		t.Error("API logout: the token still works or is still stored")
	}

	br := e.browser()
	if p := br.login(rev.Email, rev.Password); p.status != http.StatusSeeOther {
		t.Fatal(p.status)
	}
	u, _ := url.Parse(e.url)
	var token string
	for _, c := range br.c.Jar.Cookies(u) {
		if c.Name == "bst_session" {
			token = c.Value
		}
	}
	page := br.get("/orgs/" + demo.OrgID)
	if p := br.post("/logout", url.Values{"csrf": {page.csrf(t)}}); p.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.status)
	}
	if e.me(token) != http.StatusUnauthorized || e.storedSession(token) {
		t.Error("page logout: the token still works or is still stored")
	}
	// Replaying the old cookie in a browser leads to the login form.
	replay := e.browser()
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "bst_session", Value: token, Path: "/"}})
	if p := replay.get("/staff"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
		t.Errorf("replayed cookie: %d %q", p.status, p.location)
	}
}

// TestPasswordChangeEndsOtherSessions: changing the password, through the
// API or the page, ends every other session of the account and keeps the
// one that changed it.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := start(t)
	rev := e.accounts["reviewer"]
	a := e.apiLogin(rev.Email, rev.Password)
	b := e.apiLoginRaw(rev.Email, rev.Password)
	br := e.browser()
	if p := br.login(rev.Email, rev.Password); p.status != http.StatusSeeOther {
		t.Fatal(p.status)
	}
	const next = "een nieuw lang wachtwoord"
	if p := a.do(http.MethodPost, "/api/v1/password", map[string]string{"current": rev.Password, "new": next}); p.status != http.StatusNoContent {
		t.Fatalf("change: %d %s", p.status, p.body)
	}
	if p := a.do(http.MethodGet, "/api/v1/me", nil); p.status != http.StatusOK {
		t.Error("the session that changed the password ended")
	}
	if e.me(b.token) != http.StatusUnauthorized || e.storedSession(b.token) {
		t.Error("another API session survived the password change")
	}
	if p := br.get("/staff"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
		t.Errorf("the browser session survived: %d %q", p.status, p.location)
	}
	if l := e.apiLoginRaw(rev.Email, rev.Password); l.status != http.StatusUnauthorized {
		t.Errorf("the old password still works: %d", l.status)
	}

	// The same through the page.
	if p := br.login(rev.Email, next); p.status != http.StatusSeeOther {
		t.Fatal(p.status)
	}
	form := br.get("/account/password")
	p := br.post("/account/password", url.Values{"csrf": {form.csrf(t)}, "current": {next}, "new": {"nog een nieuw wachtwoord"}, "repeat": {"nog een nieuw wachtwoord"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("page change: %d", p.status)
	}
	if p := br.get("/staff"); p.status != http.StatusSeeOther || p.location != "/orgs/"+demo.OrgID {
		t.Errorf("the page's own session ended: %d %q", p.status, p.location)
	}
	if p := a.do(http.MethodGet, "/api/v1/me", nil); p.status != http.StatusUnauthorized {
		t.Errorf("the API session survived the page's change: %d", p.status)
	}
}

// TestDisabledAccount: disabling an account ends its sessions at once and
// its right password no longer logs in; enabling it again lets it in.
func TestDisabledAccount(t *testing.T) {
	e := start(t)
	im := e.accounts["intermediary"]
	admin := e.apiLogin(e.accounts["admin"].Email, e.accounts["admin"].Password)
	s := e.apiLoginRaw(im.Email, im.Password)
	br := e.browser()
	if p := br.login(im.Email, im.Password); p.status != http.StatusSeeOther {
		t.Fatal(p.status)
	}
	path := "/api/v1/orgs/" + demo.OrgID + "/staff/" + im.ID
	if p := admin.do(http.MethodPut, path, map[string]any{"name": im.Name, "role": "intermediary", "disabled": true}); p.status != http.StatusOK {
		t.Fatalf("disable: %d %s", p.status, p.body)
	}
	if e.me(s.token) != http.StatusUnauthorized || e.storedSession(s.token) {
		t.Error("the disabled account's API session survived")
	}
	if p := br.get("/staff"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
		t.Errorf("the disabled account's browser session survived: %d", p.status)
	}
	if l := e.apiLoginRaw(im.Email, im.Password); l.status != http.StatusUnauthorized || l.token != "" {
		t.Errorf("a disabled account logs in: %d", l.status)
	}
	if p := admin.do(http.MethodPut, path, map[string]any{"name": im.Name, "role": "intermediary", "disabled": false}); p.status != http.StatusOK {
		t.Fatalf("enable: %d", p.status)
	}
	if l := e.apiLoginRaw(im.Email, im.Password); l.status != http.StatusOK {
		t.Errorf("an enabled account cannot log in: %d", l.status)
	}
}

// TestTokens: session and CSRF tokens carry at least 128 random bits, differ
// for every login, and the store keeps only a hash of the session token.
func TestTokens(t *testing.T) {
	e := start(t)
	rev := e.accounts["reviewer"]
	seen := map[string]bool{}
	for range 3 {
		l := e.apiLoginRaw(rev.Email, rev.Password)
		p := raw(t, http.DefaultClient, http.MethodGet, e.url+"/login", nil)
		var pre string
		for _, c := range (&http.Response{Header: p.header}).Cookies() {
			if c.Name == "bst_csrf" {
				pre = c.Value
			}
		}
		for what, tok := range map[string]string{"session": l.token, "csrf": l.csrf, "form": pre} {
			b, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || len(b) < 16 {
				t.Errorf("%s token %q: %d bytes, %v", what, tok, len(b), err)
			}
			if seen[tok] {
				t.Errorf("%s token %q came twice", what, tok)
			}
			seen[tok] = true
		}
		if _, err := e.store.StaffSession(context.Background(), l.token); !errors.Is(err, apperr.ErrNotFound) || !e.storedSession(l.token) {
			t.Error("the store does not keep the session under the token's hash only")
		}
	}
}

// TestLoginRedirectStaysLocal: the page to return to after login is only
// ever a path on this server.
func TestLoginRedirectStaysLocal(t *testing.T) {
	e := start(t)
	rev := e.accounts["reviewer"]
	for next, want := range map[string]string{
		"/orgs/" + demo.OrgID:          "/orgs/" + demo.OrgID,
		"//kwaadwillend.example/":      "/staff",
		"https://kwaadwillend.example": "/staff",
		`/\kwaadwillend.example`:       "/staff",
		"javascript:alert(1)":          "/staff",
		"kwaadwillend.example":         "/staff",
	} {
		br := e.browser()
		form := br.get("/login?next=" + url.QueryEscape(next))
		p := br.post("/login?next="+url.QueryEscape(next), url.Values{"csrf": {form.csrf(t)}, "email": {rev.Email}, "password": {rev.Password}})
		if p.status != http.StatusSeeOther || p.location != want {
			t.Errorf("next=%q: %d %q, want %q", next, p.status, p.location, want)
		}
	}
}
