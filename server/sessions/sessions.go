// Package sessions is the domain logic of live sessions: preparing a
// session with its prompts, opening it with a join code, moving through the
// prompts, closing it, and checking residents' answers against the prompt
// they answer. The live hub (server/live) carries the result to every
// connected device; this package decides what is allowed.
package sessions

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// Themes are the six themes of the neighbourhood-policy study plus
// "something else", the default taxonomy of a themes prompt. Their labels
// and pictograms come from the i18n catalogue ("theme.<id>").
var Themes = []string{"welfare", "education", "safety", "housing", "work", "democracy", "other"}

// pictogramName is what a picture option's pictogram may be called: the
// name of a file in the web client's pictograms folder, without ".svg".
var pictogramName = regexp.MustCompile(`^[a-z0-9-]{0,40}$`)

// Limits on what a session may hold.
const (
	MaxPrompts     = 30
	MaxOptions     = 12
	MaxTextRunes   = 300  // a prompt or option text
	MaxAnswerRunes = 1000 // a resident's written answer
	MaxDots        = 10
)

// Service manages sessions.
type Service struct {
	store *store.Store
	now   func() time.Time
	// Languages are the codes a session may offer.
	languages map[string]bool
}

// New returns a Service; languages are the shipped language codes.
func New(s *store.Store, languages []string) *Service {
	l := map[string]bool{}
	for _, c := range languages {
		l[c] = true
	}
	return &Service{store: s, now: time.Now, languages: l}
}

// CanRun reports whether actor may prepare and run sessions of an
// organisation: its intermediaries and admins.
func CanRun(actor *model.Staff, orgID string) bool {
	r := actor.RoleIn(orgID)
	return actor.PlatformAdmin || r == model.RoleAdmin || r == model.RoleIntermediary
}

func notFound() error { return apperr.New(apperr.ErrNotFound, "error.not_found") }

// Input is what an intermediary fills in for a session.
type Input struct {
	Title           string        `json:"title"`
	NeighbourhoodID string        `json:"neighbourhood_id"`
	VenueID         string        `json:"venue_id"`
	Languages       []string      `json:"languages"`
	Moderation      string        `json:"moderation"`
	Pace            string        `json:"pace"`
	Prompts         []PromptInput `json:"prompts"`
	// Version of the session this edit is based on (updates only).
	Version int `json:"version"`
}

// PromptInput is one prompt as filled in.
type PromptInput struct {
	ID       string        `json:"id,omitempty"`
	Kind     string        `json:"kind"`
	Text     model.Text    `json:"text"`
	Options  []OptionInput `json:"options,omitempty"`
	Multiple bool          `json:"multiple,omitempty"`
	Allow    []string      `json:"allow,omitempty"`
	Dots     int           `json:"dots,omitempty"`
}

// OptionInput is one picture-choice option as filled in.
type OptionInput struct {
	ID        string     `json:"id,omitempty"`
	Label     model.Text `json:"label"`
	Pictogram string     `json:"pictogram,omitempty"`
}

// List returns an organisation's sessions.
func (s *Service) List(ctx context.Context, actor *model.Staff, orgID string) ([]model.Session, error) {
	if !admin.CanView(actor, orgID) {
		return nil, notFound()
	}
	return s.store.Sessions(ctx, orgID)
}

// Get returns one session the actor may see.
func (s *Service) Get(ctx context.Context, actor *model.Staff, orgID, id string) (*model.Session, error) {
	if !admin.CanView(actor, orgID) {
		return nil, notFound()
	}
	return s.store.Session(ctx, orgID, id)
}

// runnable returns the session if the actor may run it. Rights are checked
// before the lookup, so a refusal says nothing about whether id exists.
func (s *Service) runnable(ctx context.Context, actor *model.Staff, orgID, id string) (*model.Session, error) {
	if !admin.CanView(actor, orgID) {
		return nil, notFound()
	}
	if !CanRun(actor, orgID) {
		return nil, apperr.New(apperr.ErrForbidden, "error.forbidden")
	}
	return s.store.Session(ctx, orgID, id)
}

// Create prepares a new draft session.
func (s *Service) Create(ctx context.Context, actor *model.Staff, orgID string, in Input) (*model.Session, error) {
	if !admin.CanView(actor, orgID) {
		return nil, notFound()
	}
	if !CanRun(actor, orgID) {
		return nil, apperr.New(apperr.ErrForbidden, "error.forbidden")
	}
	now := s.now().UTC()
	ls := &model.Session{
		ID: store.NewID(), OrgID: orgID, State: model.StateDraft, Current: -1,
		ProjectorKey: auth.NewToken(), CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.fill(ctx, ls, in); err != nil {
		return nil, err
	}
	return ls, s.store.InsertSession(ctx, ls)
}

// Update changes a session that is not closed. Prompts that residents have
// already answered keep their ids, so answers stay linked.
func (s *Service) Update(ctx context.Context, actor *model.Staff, orgID, id string, in Input) (*model.Session, error) {
	ls, err := s.editable(ctx, actor, orgID, id, in.Version)
	if err != nil {
		return nil, err
	}
	return ls, s.update(ctx, ls, in)
}

// editable returns a session the actor may change, if it is not closed and
// still at version.
func (s *Service) editable(ctx context.Context, actor *model.Staff, orgID, id string, version int) (*model.Session, error) {
	ls, err := s.runnable(ctx, actor, orgID, id)
	if err != nil {
		return nil, err
	}
	if ls.State == model.StateClosed {
		return nil, apperr.New(apperr.ErrConflict, "session.closed")
	}
	if version != ls.Version {
		return nil, &apperr.Error{Kind: apperr.ErrConflict, MsgID: "session.changed_meanwhile"}
	}
	return ls, nil
}

// update fills ls from in and stores it. The prompt everyone sees stays the
// current one when prompts are added, moved or removed around it; if it was
// removed, the one now at its place (or the last) is current.
func (s *Service) update(ctx context.Context, ls *model.Session, in Input) error {
	before := audioIDs(ls.Prompts)
	cur := ""
	if p := ls.CurrentPrompt(); p != nil {
		cur = p.ID
	}
	if err := s.fill(ctx, ls, in); err != nil {
		return err
	}
	for i, p := range ls.Prompts {
		if p.ID == cur {
			ls.Current = i
		}
	}
	if ls.Current >= len(ls.Prompts) {
		ls.Current = len(ls.Prompts) - 1
	}
	if err := s.store.ReplaceSession(ctx, ls); err != nil {
		return err
	}
	s.dropAudio(ctx, before, ls.Prompts)
	return nil
}

// Copy makes a new draft from a session, as a template.
func (s *Service) Copy(ctx context.Context, actor *model.Staff, orgID, id string) (*model.Session, error) {
	src, err := s.runnable(ctx, actor, orgID, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	cp := *src
	cp.ID, cp.State, cp.Current, cp.Code = store.NewID(), model.StateDraft, -1, ""
	cp.ProjectorKey, cp.CreatedBy, cp.CreatedAt, cp.UpdatedAt, cp.Version = auth.NewToken(), actor.ID, now, now, 0
	cp.Prompts = slices.Clone(src.Prompts)
	for i := range cp.Prompts {
		cp.Prompts[i].ID = store.NewID()[:12]
	}
	if err := s.copyAudio(ctx, &cp); err != nil {
		return nil, err
	}
	return &cp, s.store.InsertSession(ctx, &cp)
}

func (s *Service) fill(ctx context.Context, ls *model.Session, in Input) error {
	title, err := cleanText("title", in.Title, 120)
	if err != nil {
		return err
	}
	ls.Title = title
	if _, err := s.store.Neighbourhood(ctx, ls.OrgID, in.NeighbourhoodID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return apperr.Invalid("neighbourhood_id", "session.neighbourhood_invalid")
		}
		return err
	}
	ls.NeighbourhoodID = in.NeighbourhoodID
	ls.VenueID = ""
	if in.VenueID != "" {
		if _, err := s.store.Venue(ctx, ls.OrgID, in.VenueID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Invalid("venue_id", "session.venue_invalid")
			}
			return err
		}
		ls.VenueID = in.VenueID
	}
	ls.Languages = ls.Languages[:0]
	for _, l := range in.Languages {
		if !s.languages[l] {
			return apperr.Invalid("languages", "session.language_invalid")
		}
		if !slices.Contains(ls.Languages, l) {
			ls.Languages = append(ls.Languages, l)
		}
	}
	if len(ls.Languages) == 0 {
		return apperr.Invalid("languages", "session.language_required")
	}
	switch model.Moderation(in.Moderation) {
	case model.ModerationPre, model.ModerationPost:
		ls.Moderation = model.Moderation(in.Moderation)
	case "":
		ls.Moderation = model.ModerationPre
	default:
		return apperr.Invalid("moderation", "session.moderation_invalid")
	}
	switch model.Pace(in.Pace) {
	case model.PaceLed, model.PaceSelf:
		ls.Pace = model.Pace(in.Pace)
	case "":
		ls.Pace = model.PaceLed
	default:
		return apperr.Invalid("pace", "session.pace_invalid")
	}
	if len(in.Prompts) > MaxPrompts {
		return &apperr.Error{Kind: apperr.ErrInvalid, Field: "prompts", MsgID: "session.too_many_prompts", Data: map[string]any{"Max": MaxPrompts}}
	}
	old := map[string]bool{}
	audio := map[string]map[string]string{}
	for _, p := range ls.Prompts {
		old[p.ID] = true
		audio[p.ID] = p.Audio // recordings are not part of the input: they stay
	}
	prompts := make([]model.Prompt, 0, len(in.Prompts))
	for i, pin := range in.Prompts {
		p, err := buildPrompt(pin, ls.Languages, old)
		if err != nil {
			if e, ok := apperr.As(err); ok {
				e.Field = fmt.Sprintf("prompts.%d.%s", i, e.Field)
			}
			return err
		}
		p.Audio = audio[p.ID]
		prompts = append(prompts, p)
	}
	ls.Prompts = prompts
	return nil
}

func buildPrompt(in PromptInput, langs []string, old map[string]bool) (model.Prompt, error) {
	p := model.Prompt{Kind: model.PromptKind(in.Kind), Multiple: in.Multiple}
	if !slices.Contains(model.PromptKinds, p.Kind) {
		return p, apperr.Invalid("kind", "session.kind_invalid")
	}
	p.ID = in.ID
	if p.ID == "" || !old[p.ID] {
		p.ID = store.NewID()[:12]
	}
	text, err := cleanTexts("text", in.Text, langs, MaxTextRunes)
	if err != nil {
		return p, err
	}
	p.Text = text
	switch p.Kind {
	case model.KindPicture:
		if len(in.Options) < 2 || len(in.Options) > MaxOptions {
			return p, &apperr.Error{Kind: apperr.ErrInvalid, Field: "options", MsgID: "session.options_count",
				Data: map[string]any{"Min": 2, "Max": MaxOptions}}
		}
		for j, o := range in.Options {
			label, err := cleanTexts(fmt.Sprintf("options.%d.label", j), o.Label, langs, MaxTextRunes)
			if err != nil {
				return p, err
			}
			id := o.ID
			if id == "" || len(id) > 20 {
				id = store.NewID()[:8]
			}
			if !pictogramName.MatchString(o.Pictogram) {
				return p, apperr.Invalid(fmt.Sprintf("options.%d.pictogram", j), "session.pictogram_invalid")
			}
			p.Options = append(p.Options, model.Option{ID: id, Label: label, Pictogram: o.Pictogram})
		}
	case model.KindOpen:
		for _, a := range in.Allow {
			if a != "voice" && a != "photo" && a != "text" {
				return p, apperr.Invalid("allow", "session.allow_invalid")
			}
			if !slices.Contains(p.Allow, a) {
				p.Allow = append(p.Allow, a)
			}
		}
		if len(p.Allow) == 0 {
			p.Allow = []string{"voice", "photo", "text"}
		}
	case model.KindDots:
		if in.Dots < 1 || in.Dots > MaxDots {
			return p, &apperr.Error{Kind: apperr.ErrInvalid, Field: "dots", MsgID: "session.dots_invalid",
				Data: map[string]any{"Max": MaxDots}}
		}
		p.Dots = in.Dots
	}
	return p, nil
}

// cleanTexts checks person-written text per language: the session's first
// language is required, the others optional (they fall back).
func cleanTexts(field string, in model.Text, langs []string, max int) (model.Text, error) {
	out := model.Text{}
	for lang, v := range in {
		if !slices.Contains(langs, lang) {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		c, err := cleanText(field, v, max)
		if err != nil {
			return nil, err
		}
		out[lang] = c
	}
	if out[langs[0]] == "" {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Field: field, MsgID: "session.text_required",
			Data: map[string]any{"Lang": langs[0]}}
	}
	return out, nil
}

func cleanText(field, v string, max int) (string, error) {
	return admin.CleanText(field, v, max, true)
}

// newCode draws a 6-digit join code from crypto/rand.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// Open makes a draft joinable: it gets a join code unique among open
// sessions.
func (s *Service) Open(ctx context.Context, actor *model.Staff, orgID, id string) (*model.Session, error) {
	ls, err := s.runnable(ctx, actor, orgID, id)
	if err != nil {
		return nil, err
	}
	if ls.State != model.StateDraft {
		return ls, nil // opening twice is harmless
	}
	if len(ls.Prompts) == 0 {
		return nil, apperr.Invalid("prompts", "session.no_prompts")
	}
	var code string
	for range 50 {
		code = newCode()
		err = s.store.ClaimJoinCode(ctx, code, ls.ID)
		if err == nil {
			break
		}
		if !errors.Is(err, apperr.ErrConflict) {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	ls.Code, ls.State = code, model.StateOpen
	if err := s.store.ReplaceSession(ctx, ls); err != nil {
		_ = s.store.ReleaseJoinCode(ctx, code)
		return nil, err
	}
	return ls, nil
}

// Move sets the current prompt (led sessions) and makes the session
// running. index -1 shows the waiting screen again.
func (s *Service) Move(ctx context.Context, actor *model.Staff, orgID, id string, index int) (*model.Session, error) {
	ls, err := s.runnable(ctx, actor, orgID, id)
	if err != nil {
		return nil, err
	}
	return ls, s.move(ctx, ls, index)
}

func (s *Service) move(ctx context.Context, ls *model.Session, index int) error {
	switch ls.State {
	case model.StateDraft:
		return apperr.New(apperr.ErrConflict, "session.not_open")
	case model.StateClosed:
		return apperr.New(apperr.ErrConflict, "session.closed")
	}
	if index < -1 || index >= len(ls.Prompts) {
		return apperr.Invalid("index", "session.no_such_prompt")
	}
	ls.Current, ls.State = index, model.StateRunning
	return s.store.ReplaceSession(ctx, ls)
}

// Close ends a session and frees its join code.
func (s *Service) Close(ctx context.Context, actor *model.Staff, orgID, id string) (*model.Session, error) {
	ls, err := s.runnable(ctx, actor, orgID, id)
	if err != nil {
		return nil, err
	}
	if ls.State == model.StateClosed {
		return ls, nil
	}
	code := ls.Code
	ls.State, ls.Code = model.StateClosed, ""
	if err := s.store.ReplaceSession(ctx, ls); err != nil {
		return nil, err
	}
	if code != "" {
		if err := s.store.ReleaseJoinCode(ctx, code); err != nil {
			return nil, err
		}
	}
	return ls, nil
}
