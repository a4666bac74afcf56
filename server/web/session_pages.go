package web

import (
	"context"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	clientweb "github.com/buurtstem/buurtstem/clients/web"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/live"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/receipts"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// SessionPublisher tells the devices in a session that it changed; the live
// hub implements it. Every handler that stores a change calls it, so phones,
// the projector and other consoles follow at once.
type SessionPublisher interface {
	PublishSession(ctx context.Context, s *model.Session) error
}

// SessionPages serves the intermediary console: the pages where live
// sessions are prepared and run, the QR code of the join link and the
// projector view. The forms work without JavaScript; the live console and
// the projector add a small script for the WebSocket connection.
type SessionPages struct {
	*Handlers
	sessions *sessions.Service
	pub      SessionPublisher
	baseURL  string
	slips    *receipts.Service // receipt slips for residents without a phone
}

// NewSessionPages returns the console handlers. baseURL is the public
// address of the server, without a trailing slash; join links and the QR
// code point there.
func NewSessionPages(h *Handlers, s *sessions.Service, pub SessionPublisher, baseURL string) *SessionPages {
	return &SessionPages{Handlers: h, sessions: s, pub: pub, baseURL: strings.TrimSuffix(baseURL, "/")}
}

// pictograms are the names of the files in static/pictograms, without
// ".svg": what a picture option may show. They are part of the binary, so
// this is fixed at start.
var pictograms = func() []string {
	files, _ := fs.Glob(clientweb.Static, "static/pictograms/*.svg")
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, strings.TrimSuffix(path.Base(f), ".svg"))
	}
	slices.Sort(out)
	return out
}()

// hasPictogram reports whether a pictogram file exists.
func hasPictogram(name string) bool {
	_, ok := slices.BinarySearch(pictograms, name)
	return ok
}

func sessionPath(orgID, id string) string { return "/orgs/" + orgID + "/sessions/" + id }

// joinURL is the address residents open: what the QR code holds.
func (h *SessionPages) joinURL(s *model.Session) string {
	return live.JoinLink(h.baseURL, s)
}

// projectorURL is the read-only link for the projector, with its key.
func (h *SessionPages) projectorURL(s *model.Session) string {
	return sessionPath(s.OrgID, s.ID) + "/projector?key=" + s.ProjectorKey
}

// choices loads the neighbourhoods and venues a session's details form
// chooses from.
func (h *SessionPages) choices(ctx context.Context, st *model.Staff, orgID string, in sessions.Input) (SessionForm, error) {
	f := SessionForm{Draft: in}
	ns, err := h.admin.Neighbourhoods(ctx, st, orgID)
	if err != nil {
		return f, err
	}
	f.Tree = buildTree(ns)
	f.Venues, err = h.admin.Venues(ctx, st, orgID)
	return f, err
}

// publish tells live devices about a stored change.
func (h *SessionPages) publish(c *fiber.Ctx, s *model.Session) error {
	return h.pub.PublishSession(c.UserContext(), s)
}

// detailsInput reads the details form: title, place, languages, moderation
// and pace.
func detailsInput(c *fiber.Ctx) sessions.Input {
	return sessions.Input{
		Title: c.FormValue("title"), NeighbourhoodID: c.FormValue("neighbourhood_id"), VenueID: c.FormValue("venue_id"),
		Languages: formMulti(c, "languages"), Moderation: c.FormValue("moderation"), Pace: c.FormValue("pace"),
		Version: formInt(c, "version"),
	}
}

// blankOptions is how many empty option rows a picture prompt's form
// offers beyond the options it has: enough to add a few at a time without
// JavaScript. Rows left empty are ignored.
const blankOptions = 3

// promptInput reads a prompt form. Text fields are named text.<lang> and
// option fields option.<n>.label.<lang>, option.<n>.pictogram and
// option.<n>.id; an option row with no label and no pictogram is left out,
// so clearing a row removes that option.
func (h *SessionPages) promptInput(c *fiber.Ctx, kind string) sessions.PromptInput {
	in := sessions.PromptInput{ID: c.FormValue("prompt"), Kind: kind, Text: model.Text{},
		Multiple: c.FormValue("multiple") != "", Allow: formMulti(c, "allow"), Dots: formInt(c, "dots")}
	for _, l := range h.catalog.Languages() {
		if v := c.FormValue("text." + l.Code); strings.TrimSpace(v) != "" {
			in.Text[l.Code] = v
		}
	}
	for j := range sessions.MaxOptions + blankOptions {
		pre := "option." + strconv.Itoa(j) + "."
		o := sessions.OptionInput{ID: c.FormValue(pre + "id"), Pictogram: c.FormValue(pre + "pictogram"), Label: model.Text{}}
		for _, l := range h.catalog.Languages() {
			if v := c.FormValue(pre + "label." + l.Code); strings.TrimSpace(v) != "" {
				o.Label[l.Code] = v
			}
		}
		if len(o.Label) > 0 || o.Pictogram != "" {
			in.Options = append(in.Options, o)
		}
	}
	return in
}

// formMulti returns every value of a repeated form field (checkboxes).
func formMulti(c *fiber.Ctx, name string) []string {
	var out []string
	if mf, err := c.MultipartForm(); err == nil {
		return append(out, mf.Value[name]...)
	}
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// formInt reads a number field; anything else is -1, which every check
// refuses.
func formInt(c *fiber.Ctx, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name)))
	if err != nil {
		return -1
	}
	return n
}

// formStatus is the status of a form shown again: 409 when the session
// changed meanwhile or cannot change now, else 400.
func formStatus(err error) int {
	if e, ok := apperr.As(err); ok && e.Kind == apperr.ErrConflict {
		return fiber.StatusConflict
	}
	return fiber.StatusBadRequest
}

// promptErrors turns a validation error of a prompt edit into messages per
// field of the prompt's form: "prompts.3.options.1.label" becomes
// "options.1.label". Errors that belong to no field of the form are shown
// at its top.
func promptErrors(c *fiber.Ctx, err error) (map[string]string, error) {
	errs, err := fieldErrors(request.Localizer(c), err)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for f, msg := range errs {
		if rest, ok := strings.CutPrefix(f, "prompts."); ok {
			if _, after, ok := strings.Cut(rest, "."); ok {
				f = after
			}
		}
		switch {
		case f == "text", f == "options", f == "allow", f == "dots",
			strings.HasPrefix(f, "options.") && !strings.HasSuffix(f, "."):
		default:
			f = "general"
		}
		out[f] = msg
	}
	return out, nil
}

// detailsErrors does the same for the details form.
func detailsErrors(c *fiber.Ctx, err error) (map[string]string, error) {
	errs, err := fieldErrors(request.Localizer(c), err)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for f, msg := range errs {
		switch f {
		case "title", "neighbourhood_id", "venue_id", "languages", "moderation", "pace":
		default:
			f = "general"
		}
		out[f] = msg
	}
	return out, nil
}
