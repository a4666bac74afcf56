// Package machine translates what residents wrote, for the reviewers who
// read it, through a LibreTranslate-compatible HTTP API (LibreTranslate
// itself, or anything that speaks its POST /translate).
//
// It is off unless a URL is configured: New with an empty URL returns a
// Client whose Translate says ErrDisabled, so callers need no special case.
// A translation is never a replacement: it is stored beside the original,
// marked machine-made (Translation.Machine), and the original is always
// kept and shown first. Texts are sent to the configured service only;
// nothing is logged here.
package machine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrDisabled is returned when no translation service is configured.
var ErrDisabled = errors.New("machine translation is off: no service URL configured")

// ErrService wraps every failure of the service (status, timeout, answer
// that is not a translation), so callers can tell it from ErrDisabled and
// keep showing the original.
var ErrService = errors.New("machine translation failed")

// Limits.
const (
	// DefaultTimeout bounds one request when Config.Timeout is zero.
	DefaultTimeout = 10 * time.Second
	// MaxResponseBytes bounds what is read from the service.
	MaxResponseBytes = 1 << 20
)

// Config says where the service is. Only URL is required to switch the
// client on.
type Config struct {
	URL     string        // e.g. http://libretranslate:5000; empty means off
	APIKey  string        // sent as api_key when set
	Timeout time.Duration // per request; DefaultTimeout when zero
	// HTTPClient is used when set (tests, proxies); its own timeout
	// applies in addition to Timeout.
	HTTPClient *http.Client
}

// Client talks to one translation service. It is safe for concurrent use.
type Client struct {
	endpoint string // URL + /translate, or "" when off
	apiKey   string
	timeout  time.Duration
	http     *http.Client
}

// Translation is a machine translation of one text, kept beside the
// original. Store all of it: a reviewer must be able to see that it is
// machine-made, from which language and by which service.
type Translation struct {
	Text    string    `json:"text" bson:"text"`
	Source  string    `json:"source" bson:"source"` // language of the original ("auto" resolved when the service says)
	Target  string    `json:"target" bson:"target"`
	Machine bool      `json:"machine" bson:"machine"` // always true: never mistake it for the resident's words
	Engine  string    `json:"engine" bson:"engine"`   // the service's host
	At      time.Time `json:"at" bson:"at"`
}

// New returns a client for the configured service. An empty URL gives a
// client that is off; a URL that is not http(s) is an error (a bad setting
// should stop the server at start, not fail every request).
func New(cfg Config) (*Client, error) {
	c := &Client{apiKey: cfg.APIKey, timeout: cfg.Timeout, http: cfg.HTTPClient}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if strings.TrimSpace(cfg.URL) == "" {
		return c, nil
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("machine: translation URL %q must be an http or https address", cfg.URL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/translate"
	u.RawQuery, u.Fragment = "", ""
	c.endpoint = u.String()
	return c, nil
}

// Enabled reports whether a service is configured.
func (c *Client) Enabled() bool { return c != nil && c.endpoint != "" }

type request struct {
	Q      string `json:"q"`
	Source string `json:"source"`
	Target string `json:"target"`
	Format string `json:"format"`
	APIKey string `json:"api_key,omitempty"`
}

type response struct {
	TranslatedText   *string `json:"translatedText"`
	DetectedLanguage *struct {
		Language string `json:"language"`
	} `json:"detectedLanguage"`
	Error string `json:"error"`
}

// Translate translates text from source to target (language codes such as
// "ar" and "nl"; source "" or "auto" lets the service detect it). The
// error wraps ErrDisabled or ErrService; the original text is never lost
// either way.
func (c *Client) Translate(ctx context.Context, text, source, target string) (Translation, error) {
	if !c.Enabled() {
		return Translation{}, ErrDisabled
	}
	if source == "" {
		source = "auto"
	}
	if target == "" {
		return Translation{}, fmt.Errorf("%w: no target language", ErrService)
	}
	tr := Translation{Source: source, Target: target, Machine: true, Engine: c.engine(), At: time.Now().UTC()}
	if strings.TrimSpace(text) == "" {
		tr.Text = text
		return tr, nil
	}
	body, err := json.Marshal(request{Q: text, Source: source, Target: target, Format: "text", APIKey: c.apiKey})
	if err != nil {
		return Translation{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return Translation{}, fmt.Errorf("%w: %v", ErrService, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return Translation{}, fmt.Errorf("%w: %v", ErrService, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return Translation{}, fmt.Errorf("%w: reading the answer: %v", ErrService, err)
	}
	if len(raw) > MaxResponseBytes {
		return Translation{}, fmt.Errorf("%w: the answer is larger than %d bytes", ErrService, MaxResponseBytes)
	}
	var r response
	jsonErr := json.Unmarshal(raw, &r)
	if resp.StatusCode != http.StatusOK {
		msg := ""
		if jsonErr == nil && r.Error != "" {
			msg = ": " + r.Error
		}
		return Translation{}, fmt.Errorf("%w: the service answered %d%s", ErrService, resp.StatusCode, msg)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		return Translation{}, fmt.Errorf("%w: the service answered %q, not JSON", ErrService, mt)
	}
	if jsonErr != nil {
		return Translation{}, fmt.Errorf("%w: the answer is not valid JSON: %v", ErrService, jsonErr)
	}
	if r.TranslatedText == nil || strings.TrimSpace(*r.TranslatedText) == "" {
		return Translation{}, fmt.Errorf("%w: the answer has no translatedText", ErrService)
	}
	tr.Text = *r.TranslatedText
	if source == "auto" && r.DetectedLanguage != nil && r.DetectedLanguage.Language != "" {
		tr.Source = r.DetectedLanguage.Language
	}
	return tr, nil
}

func (c *Client) engine() string {
	if u, err := url.Parse(c.endpoint); err == nil {
		return u.Host
	}
	return ""
}
