package sessions_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func setup(t *testing.T) (*sessions.Service, map[model.Role]*model.Staff, *model.Session) {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, st, io.Discard); err != nil {
		t.Fatal(err)
	}
	staff := map[model.Role]*model.Staff{}
	for _, a := range demo.Accounts {
		s, err := st.Staff(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		staff[a.Role] = s
	}
	svc := sessions.New(st, []string{"nl", "en", "ar"})
	ls, err := svc.Create(ctx, staff[model.RoleIntermediary], demo.OrgID, sessions.Input{
		Title: "Avond", NeighbourhoodID: demo.BuurtAID, Languages: []string{"nl", "ar"},
		Prompts: []sessions.PromptInput{
			{Kind: "faces", Text: model.Text{"nl": "Een"}},
			{Kind: "open", Text: model.Text{"nl": "Twee"}},
			{Kind: "themes", Text: model.Text{"nl": "Drie"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc, staff, ls
}

func texts(s *model.Session) []string {
	var out []string
	for _, p := range s.Prompts {
		out = append(out, p.Text["nl"])
	}
	return out
}

func TestPromptEditsKeepIDsAndTheCurrentPrompt(t *testing.T) {
	svc, staff, ls := setup(t)
	ctx := context.Background()
	im := staff[model.RoleIntermediary]
	ids := []string{ls.Prompts[0].ID, ls.Prompts[1].ID, ls.Prompts[2].ID}

	ls, err := svc.Open(ctx, im, demo.OrgID, ls.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ls, err = svc.Move(ctx, im, demo.OrgID, ls.ID, 1); err != nil {
		t.Fatal(err)
	}
	// Moving the current prompt up keeps it current at its new place.
	ls, err = svc.MovePrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, ids[1], -1)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(ls); got[0] != "Twee" || got[1] != "Een" || ls.Current != 0 || ls.Prompts[0].ID != ids[1] {
		t.Fatalf("after moving up: %v current %d", got, ls.Current)
	}
	// Moving the first one up changes nothing.
	if ls, err = svc.MovePrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, ids[1], -1); err != nil || texts(ls)[0] != "Twee" {
		t.Fatalf("first up: %v %v", texts(ls), err)
	}
	// A prompt added before the current one's place keeps the current one.
	if ls, err = svc.AddPrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, sessions.PromptInput{ID: ids[0], Kind: "dots", Dots: 3, Text: model.Text{"nl": "Vier"}}); err != nil {
		t.Fatal(err)
	}
	if len(ls.Prompts) != 4 || ls.Prompts[3].ID == ids[0] || ls.Current != 0 {
		t.Fatalf("added prompt must get a new id: %+v", ls.Prompts[3])
	}
	// Saving changes text and kind-specific fields, not the id.
	in := sessions.PromptInputOf(ls.Prompts[2])
	in.Text["ar"] = "ثلاثة"
	in.Multiple = true
	if ls, err = svc.SavePrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, in); err != nil {
		t.Fatal(err)
	}
	if p := ls.Prompts[2]; p.ID != ids[2] || p.Text["ar"] != "ثلاثة" || !p.Multiple {
		t.Fatalf("saved prompt: %+v", p)
	}
	// Deleting the current prompt makes the one at its place current.
	if ls, err = svc.DeletePrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, ids[1]); err != nil {
		t.Fatal(err)
	}
	if got := texts(ls); len(got) != 3 || got[0] != "Een" || ls.Current != 0 {
		t.Fatalf("after delete: %v current %d", got, ls.Current)
	}
}

func TestPromptEditsRefuse(t *testing.T) {
	svc, staff, ls := setup(t)
	ctx := context.Background()
	im := staff[model.RoleIntermediary]
	id := ls.Prompts[0].ID
	cases := []struct {
		name string
		err  error
		kind error
		msg  string
	}{
		{"old version", func() error {
			_, err := svc.DeletePrompt(ctx, im, demo.OrgID, ls.ID, ls.Version-1, id)
			return err
		}(), apperr.ErrConflict, "session.changed_meanwhile"},
		{"unknown prompt", func() error {
			_, err := svc.DeletePrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, "nope")
			return err
		}(), apperr.ErrNotFound, "session.no_such_prompt"},
		{"reviewer, even for a missing session", func() error {
			_, err := svc.AddPrompt(ctx, staff[model.RoleReviewer], demo.OrgID, "no-such-session", 0, sessions.PromptInput{Kind: "faces"})
			return err
		}(), apperr.ErrForbidden, "error.forbidden"},
		{"missing first-language text", func() error {
			_, err := svc.AddPrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, sessions.PromptInput{Kind: "faces", Text: model.Text{"ar": "نص"}})
			return err
		}(), apperr.ErrInvalid, "session.text_required"},
		{"pictogram that is no file name", func() error {
			_, err := svc.AddPrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, sessions.PromptInput{Kind: "picture", Text: model.Text{"nl": "Kies"},
				Options: []sessions.OptionInput{{Label: model.Text{"nl": "a"}, Pictogram: "../x"}, {Label: model.Text{"nl": "b"}}}})
			return err
		}(), apperr.ErrInvalid, "session.pictogram_invalid"},
		{"bad direction", func() error {
			_, err := svc.MovePrompt(ctx, im, demo.OrgID, ls.ID, ls.Version, id, 2)
			return err
		}(), apperr.ErrInvalid, "error.bad_request"},
	}
	for _, c := range cases {
		e, ok := apperr.As(c.err)
		if !ok || !errors.Is(c.err, c.kind) || e.MsgID != c.msg {
			t.Errorf("%s: got %v, want %v %s", c.name, c.err, c.kind, c.msg)
		}
	}
	if got, err := svc.Get(ctx, im, demo.OrgID, ls.ID); err != nil || got.Version != ls.Version {
		t.Fatalf("a refused edit changed the session: %v %v", got, err)
	}
}

func TestUpdateDetailsKeepsPrompts(t *testing.T) {
	svc, staff, ls := setup(t)
	ctx := context.Background()
	in := sessions.InputOf(ls)
	in.Title, in.Prompts, in.Pace = "Nieuwe titel", nil, "self"
	got, err := svc.UpdateDetails(ctx, staff[model.RoleIntermediary], demo.OrgID, ls.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Nieuwe titel" || got.Pace != model.PaceSelf || len(got.Prompts) != 3 || got.Prompts[0].ID != ls.Prompts[0].ID {
		t.Fatalf("details: %+v", got)
	}
}
