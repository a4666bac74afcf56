// Package apiclient is a Go client for buurtstem's staff JSON API. Tests
// drive the server through it, so it doubles as executable documentation
// of the API; integrators can use it as it is.
//
//	c := apiclient.New("http://localhost:8080")
//	if _, err := c.Login(ctx, email, password); err != nil { … }
//	orgs, err := c.Orgs(ctx)
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"
)

// Client talks to one buurtstem server. It keeps the session cookie and
// the CSRF token between calls; it is not safe for concurrent logins.
type Client struct {
	base string
	http *http.Client
	csrf string
	// Lang is sent as Accept-Language, so error messages come in it.
	Lang string
}

// New returns a client for the server at baseURL.
func New(baseURL string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{
		base: strings.TrimSuffix(baseURL, "/"),
		http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// Error is an error answer of the server.
type Error struct {
	Status  int
	Code    string // stable, for programs: invalid, not_found, forbidden, …
	Message string // translated, for people
	Field   string // the input field at fault, if any
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%d %s (%s): %s", e.Status, e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// StatusOf returns the HTTP status of an *Error, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// Do sends a request with an optional JSON body and decodes a JSON answer
// into out (if not nil). Non-2xx answers become *Error.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	if c.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var eb struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Field   string `json:"field"`
			} `json:"error"`
		}
		_ = json.Unmarshal(b, &eb)
		return &Error{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message, Field: eb.Error.Field}
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Membership is a role in an organisation.
type Membership struct {
	OrgID string `json:"org_id"`
	Role  string `json:"role"`
}

// Staff is a staff account.
type Staff struct {
	ID                 string       `json:"id"`
	Email              string       `json:"email"`
	Name               string       `json:"name"`
	PlatformAdmin      bool         `json:"platform_admin"`
	Memberships        []Membership `json:"memberships"`
	MustChangePassword bool         `json:"must_change_password"`
	Disabled           bool         `json:"disabled"`
}

// Session is the answer to Login and Me.
type Session struct {
	Staff     Staff  `json:"staff"`
	CSRFToken string `json:"csrf_token"`
}

// Login starts a session.
func (c *Client) Login(ctx context.Context, email, password string) (*Session, error) {
	var s Session
	if err := c.Do(ctx, http.MethodPost, "/api/v1/login", map[string]string{"email": email, "password": password}, &s); err != nil {
		return nil, err
	}
	c.csrf = s.CSRFToken
	return &s, nil
}

// Logout ends the session.
func (c *Client) Logout(ctx context.Context) error {
	err := c.Do(ctx, http.MethodPost, "/api/v1/logout", nil, nil)
	c.csrf = ""
	return err
}

// Me returns the logged-in account.
func (c *Client) Me(ctx context.Context) (*Session, error) {
	var s Session
	if err := c.Do(ctx, http.MethodGet, "/api/v1/me", nil, &s); err != nil {
		return nil, err
	}
	c.csrf = s.CSRFToken
	return &s, nil
}

// ChangePassword replaces the caller's password.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	return c.Do(ctx, http.MethodPost, "/api/v1/password", map[string]string{"current": current, "new": next}, nil)
}

// Organisation is a municipality.
type Organisation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Orgs lists the organisations the caller may see.
func (c *Client) Orgs(ctx context.Context) ([]Organisation, error) {
	var out []Organisation
	return out, c.Do(ctx, http.MethodGet, "/api/v1/orgs", nil, &out)
}

// CreateOrg adds an organisation (platform admins only).
func (c *Client) CreateOrg(ctx context.Context, name string) (*Organisation, error) {
	var o Organisation
	return &o, c.Do(ctx, http.MethodPost, "/api/v1/orgs", map[string]string{"name": name}, &o)
}

// Neighbourhood is a district, wijk or buurt.
type Neighbourhood struct {
	ID       string `json:"id,omitempty"`
	OrgID    string `json:"org_id,omitempty"`
	ParentID string `json:"parent_id,omitempty"`
	Level    string `json:"level"`
	Name     string `json:"name"`
	CBSCode  string `json:"cbs_code,omitempty"`
}

func (n Neighbourhood) input() map[string]string {
	return map[string]string{"name": n.Name, "level": n.Level, "parent_id": n.ParentID, "cbs_code": n.CBSCode}
}

// Neighbourhoods lists an organisation's neighbourhoods.
func (c *Client) Neighbourhoods(ctx context.Context, orgID string) ([]Neighbourhood, error) {
	var out []Neighbourhood
	return out, c.Do(ctx, http.MethodGet, "/api/v1/orgs/"+orgID+"/neighbourhoods", nil, &out)
}

// CreateNeighbourhood adds one.
func (c *Client) CreateNeighbourhood(ctx context.Context, orgID string, n Neighbourhood) (*Neighbourhood, error) {
	var out Neighbourhood
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/orgs/"+orgID+"/neighbourhoods", n.input(), &out)
}

// Venue is a place where sessions happen.
type Venue struct {
	ID              string `json:"id,omitempty"`
	NeighbourhoodID string `json:"neighbourhood_id"`
	Name            string `json:"name"`
	Address         string `json:"address,omitempty"`
}

// Venues lists an organisation's venues.
func (c *Client) Venues(ctx context.Context, orgID string) ([]Venue, error) {
	var out []Venue
	return out, c.Do(ctx, http.MethodGet, "/api/v1/orgs/"+orgID+"/venues", nil, &out)
}

// CreateVenue adds one.
func (c *Client) CreateVenue(ctx context.Context, orgID string, v Venue) (*Venue, error) {
	var out Venue
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/orgs/"+orgID+"/venues", v, &out)
}

// NewStaff is a created account with its one-time password.
type NewStaff struct {
	Staff    Staff  `json:"staff"`
	Password string `json:"password"`
}

// CreateStaff adds an account with a role in an organisation.
func (c *Client) CreateStaff(ctx context.Context, orgID, email, name, role string) (*NewStaff, error) {
	var out NewStaff
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/orgs/"+orgID+"/staff",
		map[string]string{"email": email, "name": name, "role": role}, &out)
}

// Jar returns the client's cookie jar (with the session cookie), e.g. to
// open a live connection as the same staff member.
func (c *Client) Jar() http.CookieJar { return c.http.Jar }

// Prompt is a question of a live session. Text has a variant per language
// code.
type Prompt struct {
	ID       string            `json:"id,omitempty"`
	Kind     string            `json:"kind"`
	Text     map[string]string `json:"text"`
	Options  []Option          `json:"options,omitempty"`
	Multiple bool              `json:"multiple,omitempty"`
	Allow    []string          `json:"allow,omitempty"`
	Dots     int               `json:"dots,omitempty"`
}

// Option is a picture-choice option.
type Option struct {
	ID        string            `json:"id,omitempty"`
	Label     map[string]string `json:"label"`
	Pictogram string            `json:"pictogram,omitempty"`
}

// SessionInput creates or edits a live session.
type SessionInput struct {
	Title           string   `json:"title"`
	NeighbourhoodID string   `json:"neighbourhood_id"`
	VenueID         string   `json:"venue_id,omitempty"`
	Languages       []string `json:"languages"`
	Moderation      string   `json:"moderation,omitempty"`
	Pace            string   `json:"pace,omitempty"`
	Prompts         []Prompt `json:"prompts"`
	Version         int      `json:"version,omitempty"`
}

// LiveSession is a live session as staff see it.
type LiveSession struct {
	ID           string   `json:"id"`
	OrgID        string   `json:"org_id"`
	Title        string   `json:"title"`
	State        string   `json:"state"`
	Pace         string   `json:"pace"`
	Moderation   string   `json:"moderation"`
	Languages    []string `json:"languages"`
	Current      int      `json:"current"`
	Code         string   `json:"code"`
	Prompts      []Prompt `json:"prompts"`
	Version      int      `json:"version"`
	JoinURL      string   `json:"join_url"`
	ProjectorURL string   `json:"projector_url"`
}

// ProjectorKey returns the key of the session's projector link.
func (s *LiveSession) ProjectorKey() string {
	if i := strings.Index(s.ProjectorURL, "key="); i >= 0 {
		return s.ProjectorURL[i+4:]
	}
	return ""
}

// CreateSession prepares a draft session.
func (c *Client) CreateSession(ctx context.Context, orgID string, in SessionInput) (*LiveSession, error) {
	var out LiveSession
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/orgs/"+orgID+"/sessions", in, &out)
}

// SessionAction runs open, close or copy on a session.
func (c *Client) SessionAction(ctx context.Context, orgID, id, action string) (*LiveSession, error) {
	var out LiveSession
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/orgs/"+orgID+"/sessions/"+id+"/"+action, nil, &out)
}

// MoveSession sets the current prompt.
func (c *Client) MoveSession(ctx context.Context, orgID, id string, index int) (*LiveSession, error) {
	var out LiveSession
	return &out, c.Do(ctx, http.MethodPost, "/api/v1/orgs/"+orgID+"/sessions/"+id+"/move", map[string]int{"index": index}, &out)
}
