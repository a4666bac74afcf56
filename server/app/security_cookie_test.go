package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
)

// oneCookie is a cookie jar that always sends one cookie: the test talks
// plain http to a server whose base URL is https, where a real jar would
// keep a Secure cookie to itself.
type oneCookie struct{ c *http.Cookie }

func (j oneCookie) SetCookies(*url.URL, []*http.Cookie) {}
func (j oneCookie) Cookies(*url.URL) []*http.Cookie     { return []*http.Cookie{j.c} }

// TestParticipantCookieHostPrefix: over https the anonymous participant
// cookie is "__Host-bst_participant" — Secure, Path=/, no Domain, HttpOnly
// — so a sibling subdomain or a plain-http page cannot plant one; the
// server then reads only that name (a planted "bst_participant" with a
// valid token is not who the device is). Over plain http (development) it
// stays "bst_participant" without Secure. Both work for a receipt and the
// live connection, and "leave" deletes the cookie of the right name.
func TestParticipantCookieHostPrefix(t *testing.T) {
	for _, tc := range []struct {
		name, base, cookie string
		secure             bool
	}{
		{"http", "", "bst_participant", false},
		{"https", "https://buurtstem.example", "__Host-bst_participant", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *env
			if tc.base == "" {
				e = start(t)
			} else {
				e = start(t, "BUURTSTEM_BASE_URL", tc.base)
			}
			origin := tc.base
			if origin == "" {
				origin = e.url
			}
			_, s := e.liveSession("post")
			post := func(path, body string, cookies ...*http.Cookie) *http.Response {
				t.Helper()
				req, _ := http.NewRequest(http.MethodPost, e.url+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Origin", origin)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp
			}
			resp := post("/api/v1/join", `{"code":"`+s.Code+`"}`)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("join: %d", resp.StatusCode)
			}
			var got *http.Cookie
			for _, c := range resp.Cookies() {
				if strings.HasSuffix(c.Name, "bst_participant") {
					if got != nil {
						t.Fatalf("two participant cookies: %s and %s", got.Name, c.Name)
					}
					got = c
				}
			}
			if got == nil {
				t.Fatalf("no participant cookie in %q", resp.Header.Values("Set-Cookie"))
			}
			if got.Name != tc.cookie || got.Secure != tc.secure || got.Path != "/" || got.Domain != "" || !got.HttpOnly {
				t.Fatalf("participant cookie %q: name %q secure %v path %q domain %q httponly %v; want %q secure %v, path /, no domain, httponly",
					resp.Header.Get("Set-Cookie"), got.Name, got.Secure, got.Path, got.Domain, got.HttpOnly, tc.cookie, tc.secure)
			}
			token := &http.Cookie{Name: got.Name, Value: got.Value}

			// The cookie is who the device is: a receipt and a live connection.
			if r := post("/api/v1/receipt", "{}", token); r.StatusCode != http.StatusCreated {
				t.Errorf("receipt with %s: %d", got.Name, r.StatusCode)
			}
			c, err := live.Dial(context.Background(), live.Options{Base: e.url, Session: s.ID, Jar: oneCookie{token}})
			if err != nil {
				t.Fatalf("live connection with %s: %v", got.Name, err)
			}
			c.Close()
			if tc.secure {
				// The same valid token under the unprefixed name, as a
				// sibling subdomain could plant it, is not read.
				planted := &http.Cookie{Name: "bst_participant", Value: got.Value}
				if r := post("/api/v1/receipt", "{}", planted); r.StatusCode == http.StatusCreated {
					t.Error("over https the unprefixed participant cookie is still accepted")
				}
			}

			// Leave deletes the cookie of the right name.
			r := post("/api/v1/leave", "{}", token)
			deleted := false
			for _, c := range r.Cookies() {
				if c.Name == tc.cookie && c.Value == "" && (c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now()))) {
					deleted = true
				}
			}
			if r.StatusCode != http.StatusNoContent || !deleted {
				t.Errorf("leave: %d %q, want the %s cookie deleted", r.StatusCode, r.Header.Values("Set-Cookie"), tc.cookie)
			}
		})
	}
}
