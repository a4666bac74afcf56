package app

import (
	"crypto/subtle"
	"errors"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/request"
)

type localKey int

const keyUnmatched localKey = iota

// observe logs and measures every request. It calls the error handler
// itself so that the status it records is the one sent. The log line has
// the route pattern, never the client address or the query string.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.handleError(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	d := time.Since(start)
	// Fiber's strings point into buffers that the next request reuses. The
	// metrics keep their label values, so they get copies: with the
	// original, a POST was later counted as "GETT" (and the label map's
	// keys changed under it).
	method := strings.Clone(c.Method())
	route := strings.Clone(c.Route().Path)
	if c.Locals(keyUnmatched) != nil {
		route = "unmatched"
	}
	status := c.Response().StatusCode()
	s.metrics.ObserveRequest(method, route, status, d)
	level := slogLevel(status)
	s.log.Log(c.UserContext(), level, "Request served.",
		"method", method, "route", route, "status", status, "duration_ms", d.Milliseconds())
	return nil
}

// securityHeaders sets the headers every response carries. The content
// security policy allows no inline script and nothing from other origins:
// resident pages make no third-party requests at all.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

// setSecurityHeaders sets the headers of securityHeaders. The error handler
// calls it too, for the answers fasthttp makes while still reading a
// request (a body over the limit, a broken request), which pass no
// middleware and went out without them.
func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; "+
		"base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.cfg.Secure() {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

// language picks the request's language: ?lang= (remembered in a cookie),
// then the cookie, then Accept-Language, then Dutch. Bad tags are ignored.
func (s *Server) language(c *fiber.Ctx) error {
	explicit := c.Cookies(s.cookies.Language())
	if q := c.Query("lang"); q != "" {
		if l, ok := s.catalog.Lookup(q); ok {
			explicit = l.Code
			s.cookies.Set(c, s.cookies.Language(), l.Code, 365*24*time.Hour)
		}
	}
	lang := s.catalog.Negotiate(explicit, nil, c.Get(fiber.HeaderAcceptLanguage))
	request.SetLocalizer(c, s.catalog.Localizer(lang.Code))
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	return c.Next()
}

// session loads the logged-in staff member, if any. An expired or unknown
// token is dropped quietly; a store failure is an error (503).
func (s *Server) session(c *fiber.Ctx) error {
	token := c.Cookies(s.cookies.Session())
	if token == "" {
		return c.Next()
	}
	st, ss, err := s.auth.Authenticate(c.UserContext(), token)
	switch {
	case errors.Is(err, apperr.ErrUnauthenticated):
		s.cookies.Set(c, s.cookies.Session(), "", -1)
	case err != nil:
		return err
	default:
		request.SetStaff(c, st, ss, token)
		// Pages of a logged-in person are theirs alone.
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return c.Next()
}

// csrf protects every state-changing request. A foreign Origin is refused
// outright. Forms must echo the session's token (or, before login, the
// token of the pre-session cookie); API calls of a session must send it in
// X-CSRF-Token. The API login itself needs a JSON body, which a cross-site
// form cannot send.
func (s *Server) csrf(c *fiber.Ctx) error {
	ss := request.Session(c)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		if ss != nil {
			request.SetCSRF(c, ss.CSRFToken)
		} else if !request.IsAPI(c) {
			token := c.Cookies(s.cookies.PreSession())
			if len(token) != 43 {
				token = auth.NewToken()
				s.cookies.Set(c, s.cookies.PreSession(), token, 0)
			}
			request.SetCSRF(c, token)
		}
		return c.Next()
	}
	if o := c.Get(fiber.HeaderOrigin); o != "" && !s.origins[o] {
		return apperr.New(apperr.ErrForbidden, "error.csrf")
	}
	if c.Get("Sec-Fetch-Site") == "cross-site" {
		return apperr.New(apperr.ErrForbidden, "error.csrf")
	}
	if isMediaUpload(c) {
		return c.Next() // see isMediaUpload for why no token is needed
	}
	var got, want string
	if request.IsAPI(c) {
		if ss == nil {
			return c.Next() // only the login accepts this; it requires JSON
		}
		got, want = c.Get("X-CSRF-Token"), ss.CSRFToken
	} else {
		if err := checkForm(c); err != nil {
			return err
		}
		got = c.FormValue("csrf")
		if ss != nil {
			want = ss.CSRFToken
		} else {
			want = c.Cookies(s.cookies.PreSession())
		}
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return apperr.New(apperr.ErrForbidden, "error.csrf")
	}
	return c.Next()
}

// checkForm rejects a form body the server cannot read, with its own message
// rather than an empty field.
func checkForm(c *fiber.Ctx) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil {
		return apperr.Invalid("", "error.form_content_type")
	}
	switch mt {
	case fiber.MIMEApplicationForm:
		if !utf8Form(c.Body()) {
			return apperr.Invalid("", "error.form_malformed")
		}
	case fiber.MIMEMultipartForm:
		if _, err := c.MultipartForm(); err != nil {
			return &apperr.Error{Kind: apperr.ErrInvalid, MsgID: "error.form_malformed", Cause: err}
		}
	default:
		return apperr.Invalid("", "error.form_content_type")
	}
	return nil
}

// utf8Form reports whether a urlencoded body decodes: every % is followed
// by two hex digits.
func utf8Form(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] == '%' {
			if i+2 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func isHex(b byte) bool {
	return ('0' <= b && b <= '9') || ('a' <= b && b <= 'f') || ('A' <= b && b <= 'F')
}

// requireStaff lets only logged-in staff through. A browser is sent to the
// login page and brought back afterwards.
func (s *Server) requireStaff(c *fiber.Ctx) error {
	st := request.Staff(c)
	if st == nil {
		if !request.IsAPI(c) && c.Method() == fiber.MethodGet {
			return c.Redirect("/login?next="+c.OriginalURL(), fiber.StatusSeeOther)
		}
		return apperr.New(apperr.ErrUnauthenticated, "login.required")
	}
	if st.MustChangePassword && !passwordPaths[c.Path()] {
		if !request.IsAPI(c) && c.Method() == fiber.MethodGet {
			return c.Redirect("/account/password", fiber.StatusSeeOther)
		}
		return apperr.New(apperr.ErrForbidden, "password.must_change")
	}
	return c.Next()
}

// passwordPaths stay open to someone who must change a one-time password.
var passwordPaths = map[string]bool{
	"/account/password": true, "/logout": true,
	"/api/v1/password": true, "/api/v1/logout": true, "/api/v1/me": true,
}

// notFound ends the chain for paths no route matched.
func notFound(c *fiber.Ctx) error {
	c.Locals(keyUnmatched, true)
	return fiber.ErrNotFound
}
