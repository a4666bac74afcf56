package machine

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fake is a LibreTranslate stand-in: it checks the request and answers
// with whatever the test says.
func fake(t *testing.T, handle func(w http.ResponseWriter, req map[string]any)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/translate") {
			http.Error(w, `{"error":"wrong route"}`, http.StatusNotFound)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		var req map[string]any
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("request body: %v", err)
		}
		handle(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func jsonAnswer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func TestTranslate(t *testing.T) {
	srv := fake(t, func(w http.ResponseWriter, req map[string]any) {
		want := map[string]any{"q": "De stoep is kapot.", "source": "nl", "target": "ar", "format": "text", "api_key": "k"}
		for k, v := range want {
			if req[k] != v {
				t.Errorf("request %s = %v, want %v", k, req[k], v)
			}
		}
		jsonAnswer(w, 200, `{"translatedText":"الرصيف مكسور."}`)
	})
	c, err := New(Config{URL: srv.URL, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Enabled() {
		t.Fatal("client with a URL is not enabled")
	}
	tr, err := c.Translate(context.Background(), "De stoep is kapot.", "nl", "ar")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	if tr.Text != "الرصيف مكسور." || !tr.Machine || tr.Source != "nl" || tr.Target != "ar" || tr.Engine != u.Host || tr.At.IsZero() {
		t.Errorf("translation %+v", tr)
	}
}

func TestTranslateDetectsSource(t *testing.T) {
	srv := fake(t, func(w http.ResponseWriter, req map[string]any) {
		if req["source"] != "auto" {
			t.Errorf("source %v, want auto", req["source"])
		}
		if _, ok := req["api_key"]; ok {
			t.Error("api_key sent without one configured")
		}
		jsonAnswer(w, 200, `{"translatedText":"The pavement is broken.","detectedLanguage":{"confidence":90,"language":"nl"}}`)
	})
	c, _ := New(Config{URL: srv.URL + "/"})
	tr, err := c.Translate(context.Background(), "De stoep is kapot.", "", "en")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Source != "nl" || tr.Text != "The pavement is broken." {
		t.Errorf("translation %+v", tr)
	}
}

func TestURLWithPathPrefix(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		jsonAnswer(w, 200, `{"translatedText":"x"}`)
	}))
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL + "/lt/?ignored=1"})
	if _, err := c.Translate(context.Background(), "a", "nl", "en"); err != nil {
		t.Fatal(err)
	}
	if path != "/lt/translate" {
		t.Errorf("posted to %q", path)
	}
}

func TestOffWithoutURL(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Enabled() {
		t.Error("enabled without a URL")
	}
	if _, err := c.Translate(context.Background(), "tekst", "nl", "en"); !errors.Is(err, ErrDisabled) {
		t.Errorf("error %v, want ErrDisabled", err)
	}
	var nilClient *Client
	if _, err := nilClient.Translate(context.Background(), "tekst", "nl", "en"); !errors.Is(err, ErrDisabled) {
		t.Errorf("nil client: %v", err)
	}
}

func TestBadURLIsRefusedAtStart(t *testing.T) {
	for _, u := range []string{"ftp://example.org", "libretranslate:5000", "http://", "://x", "/translate"} {
		if _, err := New(Config{URL: u}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

func TestEmptyTextIsNotSent(t *testing.T) {
	srv := fake(t, func(w http.ResponseWriter, req map[string]any) { t.Error("empty text was sent") })
	c, _ := New(Config{URL: srv.URL})
	tr, err := c.Translate(context.Background(), "  ", "nl", "en")
	if err != nil || tr.Text != "  " || !tr.Machine {
		t.Errorf("%+v, %v", tr, err)
	}
}

func TestServiceFailures(t *testing.T) {
	big := `{"translatedText":"` + strings.Repeat("a", MaxResponseBytes) + `"}`
	cases := []struct {
		name   string
		handle func(w http.ResponseWriter)
		want   string
	}{
		{"500 with error", func(w http.ResponseWriter) { jsonAnswer(w, 500, `{"error":"model not loaded"}`) }, "500: model not loaded"},
		{"500 with HTML", func(w http.ResponseWriter) { w.WriteHeader(500); _, _ = w.Write([]byte("<h1>oops</h1>")) }, "500"},
		{"400 bad language", func(w http.ResponseWriter) { jsonAnswer(w, 400, `{"error":"xx is not supported"}`) }, "400: xx is not supported"},
		{"429 slow down", func(w http.ResponseWriter) { jsonAnswer(w, 429, `{"error":"Slowdown"}`) }, "429"},
		{"bad JSON", func(w http.ResponseWriter) { jsonAnswer(w, 200, `{"translatedText": "half`) }, "not valid JSON"},
		{"HTML instead of JSON", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>login</html>"))
		}, "not JSON"},
		{"no translatedText", func(w http.ResponseWriter) { jsonAnswer(w, 200, `{"result":"x"}`) }, "no translatedText"},
		{"empty translatedText", func(w http.ResponseWriter) { jsonAnswer(w, 200, `{"translatedText":""}`) }, "no translatedText"},
		{"translatedText not a string", func(w http.ResponseWriter) { jsonAnswer(w, 200, `{"translatedText":["a"]}`) }, "not valid JSON"},
		{"too large", func(w http.ResponseWriter) { jsonAnswer(w, 200, big) }, "larger than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := fake(t, func(w http.ResponseWriter, _ map[string]any) { tc.handle(w) })
			c, _ := New(Config{URL: srv.URL})
			tr, err := c.Translate(context.Background(), "De lamp is stuk.", "nl", "en")
			if !errors.Is(err, ErrService) {
				t.Fatalf("error %v, want ErrService", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if tr.Text != "" || tr.Machine {
				t.Errorf("a failure returned a translation: %+v", tr)
			}
		})
	}
}

// slow answers only after the client has gone (or after 5 s).
func slow(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body, so the server notices when the client hangs up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		jsonAnswer(w, 200, `{"translatedText":"too late"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTimeout(t *testing.T) {
	srv := slow(t)
	c, _ := New(Config{URL: srv.URL, Timeout: 50 * time.Millisecond})
	start := time.Now()
	_, err := c.Translate(context.Background(), "Te laat?", "nl", "en")
	if !errors.Is(err, ErrService) || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("error %v, want a deadline ErrService", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the timeout took %v", d)
	}
}

func TestCallerCancels(t *testing.T) {
	srv := slow(t)
	c, _ := New(Config{URL: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := c.Translate(ctx, "x", "nl", "en"); !errors.Is(err, ErrService) {
		t.Errorf("error %v", err)
	}
}

func TestServiceDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	c, _ := New(Config{URL: u})
	if _, err := c.Translate(context.Background(), "x", "nl", "en"); !errors.Is(err, ErrService) {
		t.Errorf("error %v", err)
	}
}
