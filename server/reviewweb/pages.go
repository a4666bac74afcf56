package reviewweb

import (
	"html/template"
	"net/url"
	"strconv"
	"time"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/report"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/sessions"
	"github.com/buurtstem/buurtstem/server/web"
)

// Page is what every page of this package embeds.
type Page struct {
	web.Page
	Org *model.Organisation
}

// The message ids of labels. Literal ids, so the i18n tests see each one.
var (
	statusLabels = map[string]string{
		"received": "feedback.status_received", "looking": "feedback.status_looking", "planned": "feedback.status_planned",
		"done": "feedback.status_done", "not_possible": "feedback.status_not_possible",
	}
	feedbackFilterLabels = map[string]string{
		review.FeedbackNone: "review.feedback_none", review.FeedbackWaiting: "review.feedback_waiting",
		"received": "feedback.status_received", "looking": "feedback.status_looking", "planned": "feedback.status_planned",
		"done": "feedback.status_done", "not_possible": "feedback.status_not_possible",
	}
	moderationLabels = map[model.ModerationState]string{
		model.ModPending: "review.mod_pending", model.ModApproved: "review.mod_approved", model.ModRejected: "review.mod_rejected",
		model.ModHeld: "review.mod_held", model.ModEscalated: "review.mod_escalated",
	}
	actionLabels = map[string]string{
		"created": "topic.history_created", "added": "topic.history_added", "removed": "topic.history_removed",
		"edited": "topic.history_edited", "responded": "topic.history_responded",
	}
	ageLabels = map[string]string{
		"0_17": "report.age_0_17", "18_29": "report.age_18_29", "30_49": "report.age_30_49", "50_66": "report.age_50_66",
		"67_up": "report.age_67_up", "none": "report.rather_not", "yes": "report.first_yes", "no": "report.first_no",
		"primary": "report.school_primary", "vocational": "report.school_vocational", "secondary": "report.school_secondary",
		"higher": "report.school_higher", "other": "report.lang_other",
	}
)

// StatusLabel names a response status.
func (p *Page) StatusLabel(s string) string { return p.L.T(statusLabels[s]) }

// FeedbackLabel names a state of the inbox's feedback filter.
func (p *Page) FeedbackLabel(s string) string { return p.L.T(feedbackFilterLabels[s]) }

// ModerationLabel names a moderation state.
func (p *Page) ModerationLabel(s model.ModerationState) string { return p.L.T(moderationLabels[s]) }

// ActionLabel names a change in a topic's history.
func (p *Page) ActionLabel(a string) string { return p.L.T(actionLabels[a]) }

// Date writes a day in the page's language.
func (p *Page) Date(t time.Time) string {
	t = t.In(review.Location())
	return p.L.T("date.day_month_year", "Day", t.Day(), "Month", p.L.T(monthKeys[t.Month()-1]), "Year", t.Year())
}

// Month writes an expected month ("2026-09") in the page's language.
func (p *Page) Month(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return p.L.T("feedback.month", "Month", p.L.T(monthKeys[t.Month()-1]), "Year", t.Year())
}

var monthKeys = []string{"month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
	"month.9", "month.10", "month.11", "month.12"}

// Themes are the theme ids, for selects.
func (p *Page) Themes() []string { return sessions.Themes }

// Kinds are the prompt kinds, for selects.
func (p *Page) Kinds() []model.PromptKind { return model.PromptKinds }

// Statuses are the response statuses, for forms.
func (p *Page) Statuses() []model.TopicStatus { return model.TopicStatuses }

// GroupLabel names a group of a report breakdown: a profile answer code,
// or a language by its own name.
func (p *Page) GroupLabel(key string) string {
	if id, ok := ageLabels[key]; ok {
		return p.L.T(id)
	}
	return p.LangOf(key).NativeName
}

// Pick shows person-written text in the page's language, else Dutch.
func (p *Page) PickText(t model.Text) web.Shown { return p.Pick(t, []string{review.Source}) }

// InboxPage is the data of review/inbox.html.
type InboxPage struct {
	Page
	Values   url.Values // the filter as given, to show it again
	Result   *review.InboxPage
	Sessions []model.Session
	Hoods    []model.Neighbourhood
	Topics   []model.Topic
	Feedback []string
	Moderate []model.ModerationState
	NextURL  string
	Error    string
	CanGroup bool
	// MachineTranslate: a translation service is configured, so each
	// written answer offers "translate automatically".
	MachineTranslate bool
}

// Value returns a filter value as given.
func (p *InboxPage) Value(k string) string { return p.Values.Get(k) }

// SessionTitle names a session of the list.
func (p *InboxPage) SessionTitle(id string) string {
	for _, s := range p.Sessions {
		if s.ID == id {
			return s.Title
		}
	}
	return ""
}

// TopicsPage is the data of review/topics.html.
type TopicsPage struct {
	Page
	Acc       *review.Accountability
	Hoods     map[string]string
	CanManage bool
	Error     string
}

// Share writes a share in percent, or "–" without answerable input.
func (p *TopicsPage) Share(f review.Figures) string {
	if s, ok := f.Share(); ok {
		return strconv.Itoa(s) + "%"
	}
	return "–"
}

// Median writes median days with one decimal, or "–".
func (p *TopicsPage) Median(f review.Figures) string {
	if !f.HasMedian {
		return "–"
	}
	return strconv.FormatFloat(f.MedianDays, 'f', 1, 64)
}

// TopicPage is the data of review/topic.html.
type TopicPage struct {
	Page
	Topic     *model.Topic
	Items     []model.Contribution
	Hoods     []model.Neighbourhood
	Languages []i18n.Lang
	CanReview bool
	Values    map[string]string
	Errors    map[string]string
	Staff     map[string]string // id → name, for the history
}

// Val returns a form value shown again, else def.
func (p *TopicPage) Val(k, def string) string {
	if v, ok := p.Values[k]; ok {
		return v
	}
	return def
}

// Err returns the error of a field.
func (p *TopicPage) Err(k string) string { return p.Errors[k] }

// ReportPage is the data of review/report.html.
type ReportPage struct {
	Page
	Report *report.Report
	Query  string // the parameters, for the export links
	Hoods  []model.Neighbourhood
	Values url.Values
}

// Value returns a parameter as given.
func (p *ReportPage) Value(k string) string { return p.Values.Get(k) }

// Chart draws a breakdown as an SVG bar chart.
func (p *ReportPage) Chart(title string, bars []report.Bar) template.HTML {
	return report.BarsSVG(title, bars, p.L.Lang.Dir == "rtl")
}

// KindBars, ThemeBars, FaceBars and GroupBars turn breakdowns into bars
// with translated labels.
func (p *ReportPage) KindBars(cs []report.Count) []report.Bar {
	out := make([]report.Bar, len(cs))
	for i, c := range cs {
		out[i] = report.Bar{Label: p.KindLabel(model.PromptKind(c.Key)), Value: c.Count}
	}
	return out
}

// ThemeBars are the themes' bars.
func (p *ReportPage) ThemeBars(cs []report.Count) []report.Bar {
	out := make([]report.Bar, len(cs))
	for i, c := range cs {
		out[i] = report.Bar{Label: p.ThemeLabel(c.Key), Value: c.Count}
	}
	return out
}

// FaceBars are the faces' bars, very good first.
func (p *ReportPage) FaceBars(cs []report.Count) []report.Bar {
	out := make([]report.Bar, 0, len(cs))
	for i := len(cs) - 1; i >= 0; i-- {
		out = append(out, report.Bar{Label: p.L.T(faceKeys[cs[i].Key]), Value: cs[i].Count})
	}
	return out
}

var faceKeys = map[string]string{"1": "face.1", "2": "face.2", "3": "face.3", "4": "face.4", "5": "face.5"}

// GroupBars are a reach breakdown's bars.
func (p *ReportPage) GroupBars(gs []report.Group) []report.Bar {
	out := make([]report.Bar, len(gs))
	for i, g := range gs {
		out[i] = report.Bar{Label: p.GroupLabel(g.Key), Value: g.Count, Suppressed: g.Suppressed}
	}
	return out
}

// Share and Median as on the topics page.
func (p *ReportPage) Share(f review.Figures) string { return (&TopicsPage{}).Share(f) }

// Median writes median days.
func (p *ReportPage) Median(f review.Figures) string { return (&TopicsPage{}).Median(f) }

// BoardPage is the data of review/board.html.
type BoardPage struct {
	Page
	Board *review.Board
	Items []BoardItem
}

// BoardItem is one response on the board, in the page's language.
type BoardItem struct {
	protocol.FeedbackItem
	Title, Text, Reason web.Shown
}
