package sessions

import (
	"context"
	"slices"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// The console's forms change one thing at a time: the details, or one
// prompt. Each change is made on the stored session at the version the form
// was based on, through the same checks as Update, so a form based on an old
// copy is refused instead of silently undoing someone else's change.

// InputOf returns the input that describes a session as it is: the
// starting point of an edit.
func InputOf(ls *model.Session) Input {
	in := Input{
		Title: ls.Title, NeighbourhoodID: ls.NeighbourhoodID, VenueID: ls.VenueID,
		Languages: slices.Clone(ls.Languages), Moderation: string(ls.Moderation), Pace: string(ls.Pace),
		Version: ls.Version, Prompts: make([]PromptInput, len(ls.Prompts)),
	}
	for i, p := range ls.Prompts {
		in.Prompts[i] = PromptInputOf(p)
	}
	return in
}

// PromptInputOf returns the input that describes a prompt as it is.
func PromptInputOf(p model.Prompt) PromptInput {
	in := PromptInput{ID: p.ID, Kind: string(p.Kind), Text: cloneText(p.Text), Multiple: p.Multiple,
		Allow: slices.Clone(p.Allow), Dots: p.Dots}
	for _, o := range p.Options {
		in.Options = append(in.Options, OptionInput{ID: o.ID, Label: cloneText(o.Label), Pictogram: o.Pictogram})
	}
	return in
}

func cloneText(t model.Text) model.Text {
	out := make(model.Text, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

// UpdateDetails changes what in holds except the prompts, which stay as
// they are.
func (s *Service) UpdateDetails(ctx context.Context, actor *model.Staff, orgID, id string, in Input) (*model.Session, error) {
	return s.edit(ctx, actor, orgID, id, in.Version, func(cur *Input) error {
		in.Prompts = cur.Prompts
		*cur = in
		return nil
	})
}

// AddPrompt adds a prompt at the end.
func (s *Service) AddPrompt(ctx context.Context, actor *model.Staff, orgID, id string, version int, p PromptInput) (*model.Session, error) {
	return s.edit(ctx, actor, orgID, id, version, func(in *Input) error {
		p.ID = ""
		in.Prompts = append(in.Prompts, p)
		return nil
	})
}

// SavePrompt replaces the prompt with p.ID; its id, and so the answers
// already given to it, stay.
func (s *Service) SavePrompt(ctx context.Context, actor *model.Staff, orgID, id string, version int, p PromptInput) (*model.Session, error) {
	return s.edit(ctx, actor, orgID, id, version, func(in *Input) error {
		i, err := promptIndex(in, p.ID)
		if err != nil {
			return err
		}
		in.Prompts[i] = p
		return nil
	})
}

// MovePrompt moves a prompt one place earlier (delta -1) or later (+1).
// Moving the first one up or the last one down changes nothing.
func (s *Service) MovePrompt(ctx context.Context, actor *model.Staff, orgID, id string, version int, promptID string, delta int) (*model.Session, error) {
	if delta != -1 && delta != 1 {
		return nil, apperr.Invalid("direction", "error.bad_request")
	}
	return s.edit(ctx, actor, orgID, id, version, func(in *Input) error {
		i, err := promptIndex(in, promptID)
		if err != nil {
			return err
		}
		if j := i + delta; j >= 0 && j < len(in.Prompts) {
			in.Prompts[i], in.Prompts[j] = in.Prompts[j], in.Prompts[i]
		}
		return nil
	})
}

// DeletePrompt removes a prompt. Answers already given to it stay stored.
func (s *Service) DeletePrompt(ctx context.Context, actor *model.Staff, orgID, id string, version int, promptID string) (*model.Session, error) {
	return s.edit(ctx, actor, orgID, id, version, func(in *Input) error {
		i, err := promptIndex(in, promptID)
		if err != nil {
			return err
		}
		in.Prompts = slices.Delete(in.Prompts, i, i+1)
		return nil
	})
}

// edit applies change to the session's current input and stores the
// result, with every check of Update.
func (s *Service) edit(ctx context.Context, actor *model.Staff, orgID, id string, version int, change func(*Input) error) (*model.Session, error) {
	ls, err := s.editable(ctx, actor, orgID, id, version)
	if err != nil {
		return nil, err
	}
	in := InputOf(ls)
	if err := change(&in); err != nil {
		return nil, err
	}
	return ls, s.update(ctx, ls, in)
}

func promptIndex(in *Input, promptID string) (int, error) {
	for i, p := range in.Prompts {
		if p.ID == promptID && promptID != "" {
			return i, nil
		}
	}
	return -1, apperr.New(apperr.ErrNotFound, "session.no_such_prompt")
}
