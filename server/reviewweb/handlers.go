package reviewweb

import (
	"bufio"
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/media"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/report"
	"github.com/buurtstem/buurtstem/server/request"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/web"
)

// Handlers serve the review pages.
type Handlers struct {
	render  *web.Renderer
	catalog *i18n.Catalog
	store   *store.Store
	review  *review.Service
	report  *report.Service
}

// New returns the handlers; it fails if a template does not parse.
func New(c *i18n.Catalog, s *store.Store, rv *review.Service, rp *report.Service) (*Handlers, error) {
	r, err := newRenderer()
	if err != nil {
		return nil, err
	}
	return &Handlers{render: r, catalog: c, store: s, review: rv, report: rp}, nil
}

func (h *Handlers) page(c *fiber.Ctx, org *model.Organisation) Page {
	p := Page{Page: web.Page{L: request.Localizer(c), Langs: h.catalog.Languages(), Staff: request.Staff(c), CSRF: request.CSRF(c)}, Org: org}
	if c.Query("saved") != "" {
		p.Flash = p.L.T("flash.saved")
	}
	return p
}

func (h *Handlers) show(c *fiber.Ctx, status int, name string, data any) error {
	b, err := h.render.Render(name, data)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(b)
}

// org returns the organisation of the URL if the actor may see it.
func (h *Handlers) org(c *fiber.Ctx) (*model.Organisation, error) {
	id := c.Params("org")
	if !admin.CanView(request.Staff(c), id) {
		return nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	return h.store.Organisation(c.UserContext(), id)
}

// query returns a copy of the query values (fasthttp reuses its buffers).
func query(c *fiber.Ctx) url.Values {
	v, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	return v
}

// Inbox shows the organisation's contributions with filters.
func (h *Handlers) Inbox(c *fiber.Ctx) error {
	org, err := h.org(c)
	if err != nil {
		return err
	}
	ctx, actor := c.UserContext(), request.Staff(c)
	q := query(c)
	f, err := review.ParseFilter(q.Get, review.Location())
	if err != nil {
		return err
	}
	res, err := h.review.Inbox(ctx, actor, org.ID, f)
	if err != nil {
		return err
	}
	p := &InboxPage{Page: h.page(c, org), Values: q, Result: res, Feedback: review.FeedbackStates,
		Moderate: model.ModerationStates,
		CanGroup: review.CanReview(actor, org.ID), MachineTranslate: h.review.CanMachineTranslate()}
	if p.Sessions, err = h.store.Sessions(ctx, org.ID); err != nil {
		return err
	}
	if p.Hoods, err = h.store.Neighbourhoods(ctx, org.ID); err != nil {
		return err
	}
	if p.Topics, err = h.review.Topics(ctx, actor, org.ID); err != nil {
		return err
	}
	if res.Next != nil {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("before", res.Next.String())
		p.NextURL = "/orgs/" + org.ID + "/inbox?" + nq.Encode()
	}
	return h.show(c, fiber.StatusOK, "inbox", p)
}

// texts reads the language variants of a form field ("title_nl", …).
func (h *Handlers) texts(c *fiber.Ctx, field string) model.Text {
	t := model.Text{}
	for _, l := range h.catalog.Languages() {
		if v := c.FormValue(field + "_" + l.Code); v != "" {
			t[l.Code] = strings.Clone(v)
		}
	}
	return t
}

// formList returns every value of a repeated form field.
func formList(c *fiber.Ctx, field string) []string {
	var out []string
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti(field) {
		out = append(out, string(v))
	}
	if len(out) == 0 {
		if mf, err := c.MultipartForm(); err == nil {
			out = append(out, mf.Value[field]...)
		}
	}
	return out
}

func formInt(c *fiber.Ctx, field string) int {
	n, _ := strconv.Atoi(c.FormValue(field))
	return n
}

// Group makes a topic of the contributions ticked in the inbox, or adds
// them to the topic chosen.
func (h *Handlers) Group(c *fiber.Ctx) error {
	org := c.Params("org")
	in := review.TopicInput{
		TopicID: strings.Clone(c.FormValue("topic")), Title: h.texts(c, "title"),
		Theme: strings.Clone(c.FormValue("theme")), NeighbourhoodID: strings.Clone(c.FormValue("neighbourhood_id")),
		Contributions: formList(c, "contribution"),
	}
	t, err := h.review.Group(c.UserContext(), request.Staff(c), org, in)
	if err != nil {
		return err
	}
	return c.Redirect("/orgs/"+org+"/topics/"+t.ID+"?saved=1", fiber.StatusSeeOther)
}

// Topics lists the topics with the accountability figures.
func (h *Handlers) Topics(c *fiber.Ctx) error {
	org, err := h.org(c)
	if err != nil {
		return err
	}
	ctx, actor := c.UserContext(), request.Staff(c)
	acc, err := h.review.Accountability(ctx, actor, org.ID)
	if err != nil {
		return err
	}
	hoods, err := h.store.Neighbourhoods(ctx, org.ID)
	if err != nil {
		return err
	}
	p := &TopicsPage{Page: h.page(c, org), Acc: acc, Hoods: map[string]string{}, CanManage: admin.CanManage(actor, org.ID)}
	for _, n := range hoods {
		p.Hoods[n.ID] = n.Name
	}
	return h.show(c, fiber.StatusOK, "topics", p)
}

// Topic shows one topic: its input, its response form and its history.
func (h *Handlers) Topic(c *fiber.Ctx) error {
	return h.showTopic(c, fiber.StatusOK, nil, nil)
}

func (h *Handlers) showTopic(c *fiber.Ctx, status int, values, errs map[string]string) error {
	org, err := h.org(c)
	if err != nil {
		return err
	}
	ctx, actor := c.UserContext(), request.Staff(c)
	t, err := h.review.Topic(ctx, actor, org.ID, c.Params("id"))
	if err != nil {
		return err
	}
	p := &TopicPage{Page: h.page(c, org), Topic: t, Languages: h.catalog.Languages(), CanReview: review.CanReview(actor, org.ID),
		Values: values, Errors: errs, Staff: map[string]string{}}
	for _, it := range t.Items {
		if ct, err := h.store.ContributionOf(ctx, org.ID, it.ContributionID); err == nil {
			p.Items = append(p.Items, *ct)
		}
	}
	if p.Hoods, err = h.store.Neighbourhoods(ctx, org.ID); err != nil {
		return err
	}
	if staff, err := h.store.StaffOf(ctx, org.ID); err == nil {
		for _, s := range staff {
			p.Staff[s.ID] = s.Name
		}
	}
	return h.show(c, status, "topic", p)
}

// formFailed shows the topic page again with the error at its field, or
// hands other errors to the error handler.
func (h *Handlers) formFailed(c *fiber.Ctx, err error, fields ...string) error {
	e, ok := apperr.As(err)
	if !ok || !(errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict)) {
		return err
	}
	values := map[string]string{}
	for _, f := range fields {
		values[f] = strings.Clone(c.FormValue(f))
	}
	for _, l := range h.catalog.Languages() {
		for _, f := range []string{"title_", "text_", "reason_"} {
			if v := c.FormValue(f + l.Code); v != "" {
				values[f+l.Code] = strings.Clone(v)
			}
		}
	}
	field := e.Field
	if field == "" {
		field = "general"
	}
	l := request.Localizer(c)
	status := fiber.StatusBadRequest
	if errors.Is(err, apperr.ErrConflict) {
		status = fiber.StatusConflict
	}
	return h.showTopic(c, status, values, map[string]string{field: l.T(e.MsgID, apperr.Args(e.Data)...)})
}

// TopicEdit changes a topic's title, theme and neighbourhood.
func (h *Handlers) TopicEdit(c *fiber.Ctx) error {
	org, id := c.Params("org"), c.Params("id")
	_, err := h.review.Edit(c.UserContext(), request.Staff(c), org, id, h.texts(c, "title"),
		strings.Clone(c.FormValue("theme")), strings.Clone(c.FormValue("neighbourhood_id")), formInt(c, "version"))
	if err != nil {
		return h.formFailed(c, err, "theme", "neighbourhood_id")
	}
	return c.Redirect("/orgs/"+org+"/topics/"+id+"?saved=1", fiber.StatusSeeOther)
}

// TopicRemove takes a contribution out of a topic.
func (h *Handlers) TopicRemove(c *fiber.Ctx) error {
	org, id := c.Params("org"), c.Params("id")
	if _, err := h.review.Remove(c.UserContext(), request.Staff(c), org, id, strings.Clone(c.FormValue("contribution")), formInt(c, "version")); err != nil {
		return h.formFailed(c, err)
	}
	return c.Redirect("/orgs/"+org+"/topics/"+id+"?saved=1", fiber.StatusSeeOther)
}

// TopicRespond publishes a response.
func (h *Handlers) TopicRespond(c *fiber.Ctx) error {
	org, id := c.Params("org"), c.Params("id")
	photo, photoType, err := web.FormFile(c, "photo", media.DefaultLimits.PhotoBytes)
	if err != nil {
		return h.formFailed(c, err, "status", "expected_month")
	}
	in := review.ResponseInput{Status: strings.Clone(c.FormValue("status")), ExpectedMonth: strings.Clone(c.FormValue("expected_month")),
		Text: h.texts(c, "text"), Reason: h.texts(c, "reason"), Photo: photo, PhotoType: photoType,
		PhotoID: strings.Clone(c.FormValue("photo_id")), RemovePhoto: c.FormValue("remove_photo") != "", Version: formInt(c, "version")}
	if _, err := h.review.Respond(c.UserContext(), request.Staff(c), org, id, in); err != nil {
		return h.formFailed(c, err, "status", "expected_month")
	}
	return c.Redirect("/orgs/"+org+"/topics/"+id+"?saved=1", fiber.StatusSeeOther)
}

// Annotate stores a transcript or a translation and returns to the inbox
// (or where the form says, if that is a page of this organisation).
func (h *Handlers) Annotate(c *fiber.Ctx) error {
	org, id := c.Params("org"), c.Params("id")
	text, lang := c.FormValue("transcript"), ""
	if text == "" {
		text, lang = c.FormValue("translation"), strings.Clone(c.FormValue("lang"))
	}
	if _, err := h.review.Annotate(c.UserContext(), request.Staff(c), org, id, lang, strings.Clone(text)); err != nil {
		return err
	}
	return h.backToInbox(c, org)
}

// MachineTranslate has the configured service translate an answer into
// the form's language and returns like Annotate.
func (h *Handlers) MachineTranslate(c *fiber.Ctx) error {
	org, id := c.Params("org"), c.Params("id")
	if _, err := h.review.MachineTranslate(c.UserContext(), request.Staff(c), org, id, strings.Clone(c.FormValue("lang"))); err != nil {
		return err
	}
	return h.backToInbox(c, org)
}

// backToInbox redirects to the form's "back" page if it is one of this
// organisation's, else to the inbox, saying the change was saved.
func (h *Handlers) backToInbox(c *fiber.Ctx, org string) error {
	back := c.FormValue("back")
	if !strings.HasPrefix(back, "/orgs/"+org+"/") || strings.HasPrefix(back, "//") {
		back = "/orgs/" + org + "/inbox"
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	return c.Redirect(back+sep+"saved=1", fiber.StatusSeeOther)
}

// Settings changes the organisation's overdue period.
func (h *Handlers) Settings(c *fiber.Ctx) error {
	org := c.Params("org")
	days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("overdue_days")))
	if err != nil {
		days = -1
	}
	if err := h.review.SetOverdueDays(c.UserContext(), request.Staff(c), org, days); err != nil {
		return err
	}
	return c.Redirect("/orgs/"+org+"/topics?saved=1", fiber.StatusSeeOther)
}

// Report shows the printable report.
func (h *Handlers) Report(c *fiber.Ctx) error {
	org, err := h.org(c)
	if err != nil {
		return err
	}
	q := query(c)
	params, err := report.ParseParams(q.Get)
	if err != nil {
		return err
	}
	r, err := h.report.Build(c.UserContext(), request.Staff(c), org.ID, params)
	if err != nil {
		return err
	}
	p := &ReportPage{Page: h.page(c, org), Report: r, Values: q, Query: q.Encode()}
	if p.Hoods, err = h.store.Neighbourhoods(c.UserContext(), org.ID); err != nil {
		return err
	}
	return h.show(c, fiber.StatusOK, "report", p)
}

// ReportExport sends the report's figures as CSV or JSON.
func (h *Handlers) ReportExport(c *fiber.Ctx) error {
	org := c.Params("org")
	params, err := report.ParseParams(query(c).Get)
	if err != nil {
		return err
	}
	r, err := h.report.Build(c.UserContext(), request.Staff(c), org, params)
	if err != nil {
		return err
	}
	if strings.HasSuffix(c.Path(), ".json") {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="report.json"`)
		return report.WriteJSON(c, r)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="report.csv"`)
	return report.WriteCSV(c, r)
}

// ContributionsExport streams the contributions of the report's scope as
// CSV or JSON, row by row.
func (h *Handlers) ContributionsExport(c *fiber.Ctx) error {
	// A copy: the stream below runs after this handler has returned, when
	// Fiber has given the context (and the path buffer the parameter
	// points into) to the next request.
	org := strings.Clone(c.Params("org"))
	actor := request.Staff(c)
	if !admin.CanView(actor, org) {
		return apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	params, err := report.ParseParams(query(c).Get)
	if err != nil {
		return err
	}
	f := params.Filter()
	// Check the scope before streaming: once the body starts, the status
	// is sent and an error can only cut the file short.
	if err := h.review.CheckFilter(c.UserContext(), actor, org, f); err != nil {
		return err
	}
	jsonOut := strings.HasSuffix(c.Path(), ".json")
	if jsonOut {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="contributions.json"`)
	} else {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="contributions.csv"`)
	}
	// HEAD (Fiber routes it here with GET): the headers only. A body
	// stream on a HEAD answer made fasthttp send the chunked ending
	// anyway, two bytes the client then read as the start of an answer
	// it never asked for; and the export would run for nothing.
	if c.Method() == fiber.MethodHead {
		return nil
	}
	rv := h.review
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		each := func(fn func(*review.ExportRow) error) error { return rv.Export(ctx, actor, org, f, fn) }
		if jsonOut {
			_, _ = report.ContributionsJSON(w, each)
		} else {
			_, _ = report.ContributionsCSV(w, each)
		}
		_ = w.Flush()
	})
	return nil
}

// Board is the public "you said, we did" page of a neighbourhood.
func (h *Handlers) Board(c *fiber.Ctx) error {
	b, err := h.review.Board(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	p := &BoardPage{Page: h.page(c, nil), Board: b}
	p.Staff = nil // the board is the same for everyone
	for _, it := range b.Items {
		bi := BoardItem{FeedbackItem: it, Title: p.PickText(it.Title), Text: p.PickText(it.Text)}
		if len(it.Reason) > 0 {
			bi.Reason = p.PickText(it.Reason)
		}
		p.Items = append(p.Items, bi)
	}
	return h.show(c, fiber.StatusOK, "board", p)
}
