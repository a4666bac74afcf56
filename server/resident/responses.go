package resident

import (
	"context"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/web"
)

// Responses is what "my input" and the receipt page need of the review
// service (review.Service.ResponsesFor): the published response on the
// topic each contribution is grouped in. Declared here so this package
// does not depend on review.
type Responses interface {
	ResponsesFor(ctx context.Context, cs []model.Contribution) (map[string]protocol.FeedbackItem, error)
}

// SetResponses lets the pages show the municipality's responses. It is set
// once at start-up, after the review service exists; without it the pages
// show the input alone.
func (h *Handlers) SetResponses(r Responses) { h.responses = r }

// ResponseView is the municipality's response on one input, in the
// resident's language (else Dutch, the language reviewers must write).
type ResponseView struct {
	// Status is the stable key (received, looking, planned, done,
	// not_possible): the pictogram's file and the CSS class.
	Status      string
	StatusLabel string
	// Expected says in which month planned work is expected.
	Expected string
	Title    web.Shown
	Text     web.Shown
	Reason   web.Shown
	// Fallback says the text is not in the resident's language.
	Fallback string
	// Photo is the address of the result photo, public once published.
	Photo    string
	PhotoAlt string
	// Said is the status line read aloud in the page's language;
	// TextSay and ReasonSay read the texts in their own language.
	Said               string
	TextSay, ReasonSay Spoken
}

var responseStatusLabels = map[string]string{
	"received": "feedback.status_received", "looking": "feedback.status_looking", "planned": "feedback.status_planned",
	"done": "feedback.status_done", "not_possible": "feedback.status_not_possible",
}

var monthLabels = []string{"month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
	"month.9", "month.10", "month.11", "month.12"}

// responseSource is the language every response has (review.Source).
const responseSource = "nl"

// addResponses sets each item's response, if its topic has one.
func (h *Handlers) addResponses(ctx context.Context, pg *Page, cs []model.Contribution, items []InputItem) error {
	if h.responses == nil || len(items) == 0 {
		return nil
	}
	rs, err := h.responses.ResponsesFor(ctx, cs)
	if err != nil {
		return err
	}
	for i := range items {
		if f, ok := rs[items[i].Contribution.ID]; ok {
			items[i].Response = responseView(pg, f)
		}
	}
	return nil
}

// responseView shows a published response to the resident.
func responseView(pg *Page, f protocol.FeedbackItem) *ResponseView {
	pick := func(t model.Text) web.Shown { return pg.Pick(t, []string{responseSource}) }
	v := &ResponseView{Status: f.Status, StatusLabel: pg.T(responseStatusLabels[f.Status]), Title: pick(f.Title), Text: pick(f.Text)}
	said := []string{pg.T("feedback.response_status", "Status", v.StatusLabel)}
	if f.ExpectedMonth != "" {
		if t, err := time.Parse("2006-01", f.ExpectedMonth); err == nil {
			v.Expected = pg.T("board.expected", "Month", pg.T("feedback.month", "Month", pg.T(monthLabels[t.Month()-1]), "Year", t.Year()))
			said = append(said, v.Expected)
		}
	}
	label := pg.T("resident.read_aloud")
	v.TextSay = Spoken{Text: v.Text.Text, Lang: v.Text.Lang, Label: label}
	if len(f.Reason) > 0 {
		v.Reason = pick(f.Reason)
		v.ReasonSay = Spoken{Text: v.Reason.Text, Lang: v.Reason.Lang, Label: label}
	}
	if v.Text.Lang != pg.L.Lang.Code {
		v.Fallback = pg.T("content.fallback", "Language", pg.LangOf(v.Text.Lang).NativeName)
	}
	if f.PhotoID != "" {
		v.Photo = "/photos/" + f.PhotoID
		v.PhotoAlt = pg.T("feedback.photo_alt", "Title", v.Title.Text)
	}
	v.Said = strings.Join(said, " ")
	return v
}
