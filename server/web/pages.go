package web

import (
	"html/template"
	"slices"
	"strconv"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// LoginPage is the data of login.html.
type LoginPage struct {
	Page
	Email string
	Error string
	Next  string // where to go after login; checked by safeNext
}

// PasswordPage is the data of password.html.
type PasswordPage struct {
	Page
	Form
	MinLength int
}

// HomePage is the data of home.html.
type HomePage struct {
	Page
	Form
	Orgs []model.Organisation
}

// RoleIn returns the staff member's role in an organisation.
func (p *HomePage) RoleIn(orgID string) model.Role { return p.Staff.RoleIn(orgID) }

// TreeNode is a neighbourhood with its depth in the hierarchy.
type TreeNode struct {
	N     model.Neighbourhood
	Depth int
}

// OrgPage is the data of org.html and of the edit pages of what belongs to
// an organisation, which share its forms.
type OrgPage struct {
	Page
	Form
	Org       *model.Organisation
	CanManage bool
	Tree      []TreeNode
	Parents   []model.Neighbourhood // districts and wijken
	Venues    []model.Venue
	StaffList []model.Staff
	Levels    []model.Level
	Roles     []model.Role
	// RetentionMonths is how long the organisation keeps residents' voice
	// notes and photos.
	RetentionMonths int

	Neighbourhood *model.Neighbourhood // neighbourhood_edit.html
	Venue         *model.Venue         // venue_edit.html
	Member        *model.Staff         // staff_edit.html, staff_password.html
	Password      string               // staff_password.html
}

// NeighbourhoodName returns the name of a neighbourhood in the tree.
func (p *OrgPage) NeighbourhoodName(id string) string {
	for _, n := range p.Tree {
		if n.N.ID == id {
			return n.N.Name
		}
	}
	return ""
}

// ErrorPage is the data of error.html.
type ErrorPage struct {
	Page
	Heading    string
	Message    string
	RetryAfter int
}

// buildTree orders neighbourhoods as a tree: each district followed by its
// wijken, each wijk by its buurten, siblings by name (the input is sorted by
// name). Orphans, which the admin rules prevent, are listed at the end.
func buildTree(all []model.Neighbourhood) []TreeNode {
	children := map[string][]model.Neighbourhood{}
	for _, n := range all {
		children[n.ParentID] = append(children[n.ParentID], n)
	}
	out := make([]TreeNode, 0, len(all))
	seen := map[string]bool{}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, n := range children[parent] {
			if seen[n.ID] {
				continue
			}
			seen[n.ID] = true
			out = append(out, TreeNode{N: n, Depth: depth})
			walk(n.ID, depth+1)
		}
	}
	walk("", 0)
	for _, n := range all {
		if !seen[n.ID] {
			out = append(out, TreeNode{N: n})
		}
	}
	return out
}

// SessionForm is the details form of a session (create and edit): the
// values shown and the lists it chooses from.
type SessionForm struct {
	Draft  sessions.Input
	Tree   []TreeNode
	Venues []model.Venue
}

// Offers reports whether the form has a language ticked.
func (f *SessionForm) Offers(code string) bool { return slices.Contains(f.Draft.Languages, code) }

// NeighbourhoodName returns the name of a neighbourhood of the form's list.
func (f *SessionForm) NeighbourhoodName(id string) string {
	for _, n := range f.Tree {
		if n.N.ID == id {
			return n.N.Name
		}
	}
	return ""
}

// VenueName returns the name of a venue of the form's list.
func (f *SessionForm) VenueName(id string) string {
	for _, v := range f.Venues {
		if v.ID == id {
			return v.Name
		}
	}
	return ""
}

// SessionListPage is the data of sessions.html: an organisation's live
// sessions and, for those who run sessions, the form to create one.
type SessionListPage struct {
	Page
	Form
	SessionForm
	Org      *model.Organisation
	CanRun   bool
	Sessions []model.Session
}

// SessionPage is the data of session.html: one session's details and
// prompts, with the forms to change them, open it and copy it.
type SessionPage struct {
	Page
	Form
	SessionForm
	Org          *model.Organisation
	Session      *model.Session
	CanRun       bool
	JoinURL      string
	ProjectorURL string
	// PromptDraft holds the values of the prompt form that failed (Failed
	// is "prompt:<id>" or "new:<kind>").
	PromptDraft sessions.PromptInput
	Kinds       []model.PromptKind
	Pictograms  []string
}

// Editable reports whether the session's forms are shown.
func (p *SessionPage) Editable() bool { return p.CanRun && p.Session.State != model.StateClosed }

// EditForm returns the form of an existing prompt, with the values typed
// before if that form failed.
func (p *SessionPage) EditForm(pr model.Prompt) PromptForm {
	f := PromptForm{SessionPage: p, Key: "p-" + pr.ID, In: sessions.PromptInputOf(pr)}
	if p.Failed == "prompt:"+pr.ID {
		f.Errs = p.Errors
		if p.PromptDraft.Text != nil { // a move or delete keeps no values
			f.In = p.PromptDraft
		}
	}
	f.In.Kind = string(pr.Kind)
	return f.withRows()
}

// PromptRow is one prompt in the list of session.html.
type PromptRow struct {
	Prompt      model.Prompt
	N           int // as people count, from 1
	First, Last bool
	Current     bool // the prompt everyone sees now
	Failed      bool // its form is shown again with errors
	Form        PromptForm
}

// PromptRows returns the session's prompts in order, with their forms.
func (p *SessionPage) PromptRows() []PromptRow {
	out := make([]PromptRow, len(p.Session.Prompts))
	for i, pr := range p.Session.Prompts {
		out[i] = PromptRow{Prompt: pr, N: i + 1, First: i == 0, Last: i == len(p.Session.Prompts)-1,
			Current: i == p.Session.Current, Failed: p.Failed == "prompt:"+pr.ID}
		if p.Editable() {
			out[i].Form = p.EditForm(pr)
		}
	}
	return out
}

// NewForm returns the form that adds a prompt of a kind.
func (p *SessionPage) NewForm(kind model.PromptKind) PromptForm {
	f := PromptForm{SessionPage: p, Key: "new-" + string(kind), New: true,
		In: sessions.PromptInput{Kind: string(kind), Dots: 3, Allow: []string{"voice", "photo", "text"}}}
	if p.Failed == "new:"+string(kind) {
		f.In, f.Errs = p.PromptDraft, p.Errors
		f.In.Kind = string(kind)
	}
	return f.withRows()
}

// PromptForm is one prompt's form on session.html.
type PromptForm struct {
	*SessionPage
	In   sessions.PromptInput
	Key  string // prefix of the form's element ids, unique on the page
	New  bool
	Errs map[string]string
	// Options are the picture options with empty rows to add more.
	Options []OptionRow
}

// OptionRow is one row of a picture prompt's options.
type OptionRow struct {
	sessions.OptionInput
	Index int // of the form fields: option.<Index>.…
	N     int // as people count: Index+1
}

func (f PromptForm) withRows() PromptForm {
	if f.In.Kind != string(model.KindPicture) {
		return f
	}
	n := max(min(len(f.In.Options)+blankOptions, sessions.MaxOptions), 2, len(f.In.Options))
	for i := range n {
		r := OptionRow{Index: i, N: i + 1}
		if i < len(f.In.Options) {
			r.OptionInput = f.In.Options[i]
		}
		f.Options = append(f.Options, r)
	}
	return f
}

// AllowKinds are the kinds of answer an open prompt may allow.
func (f PromptForm) AllowKinds() []string { return []string{"voice", "photo", "text"} }

// Err returns the message for a field of this form.
func (f PromptForm) Err(field string) string { return f.Errs[field] }

// OptionErr returns the message for a field of option row j.
func (f PromptForm) OptionErr(j int, field string) string {
	return f.Errs["options."+strconv.Itoa(j)+"."+field]
}

// Allows reports whether an open prompt's form has an answer kind ticked.
func (f PromptForm) Allows(kind string) bool { return slices.Contains(f.In.Allow, kind) }

// PromptResults is one prompt with the bars of its live results, for the
// "result-rows" template.
type PromptResults struct {
	Prompt model.Prompt
	Rows   []ResultRow
}

// ConsolePage is the data of console.html: running a session live.
type ConsolePage struct {
	Page
	Org          *model.Organisation
	Session      *model.Session
	CanRun       bool
	JoinURL      string
	ProjectorURL string
}

// ProjectorPage is the data of projector.html: the join code, the current
// prompt and live results, for the wall of the room.
type ProjectorPage struct {
	Page
	Session *model.Session
	Key     string
	JoinURL string
	// JoinSite is the address residents type when they cannot scan.
	JoinSite string
	// QR is the SVG of the join link, made by qrsvg (escaped there).
	QR template.HTML
}

// Step is one prompt in the console's list.
type Step struct {
	Prompt  model.Prompt
	Index   int
	N       int // as people count, from 1
	Current bool
}

// Steps returns the session's prompts in order.
func (p *ConsolePage) Steps() []Step {
	out := make([]Step, len(p.Session.Prompts))
	for i, pr := range p.Session.Prompts {
		out[i] = Step{Prompt: pr, Index: i, N: i + 1, Current: i == p.Session.Current}
	}
	return out
}

// Assistable reports whether the console can enter an answer to a prompt
// for a resident: faces, themes, a picture choice or a written answer.
func (p *ConsolePage) Assistable(pr model.Prompt) bool {
	switch pr.Kind {
	case model.KindFaces, model.KindThemes, model.KindPicture:
		return true
	case model.KindOpen:
		return slices.Contains(pr.Allow, "text")
	}
	return false
}

// Results returns a prompt with the bars of its results.
func (p *ConsolePage) Results(pr model.Prompt) PromptResults {
	return PromptResults{Prompt: pr, Rows: p.Rows(pr, p.Session.Languages)}
}

// Results returns a prompt with the bars of its results.
func (p *ProjectorPage) Results(pr model.Prompt) PromptResults {
	return PromptResults{Prompt: pr, Rows: p.Rows(pr, p.Session.Languages)}
}

// CodeGroups writes the join code as two groups of three digits, easier
// to read from the back of a room and to type.
func (p *ProjectorPage) CodeGroups() string {
	if len(p.Session.Code) != 6 {
		return p.Session.Code
	}
	return p.Session.Code[:3] + " " + p.Session.Code[3:]
}
