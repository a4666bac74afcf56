package sessions

import (
	"context"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// Control moves a session the way the console's buttons do: "start" shows
// the first prompt, "next" and "prev" step from the stored current prompt
// (and stop at either end; "prev" from the first prompt shows the waiting
// screen), "goto" shows the prompt at index (-1: the waiting screen).
func (s *Service) Control(ctx context.Context, actor *model.Staff, orgID, id, action string, index int) (*model.Session, error) {
	ls, err := s.runnable(ctx, actor, orgID, id)
	if err != nil {
		return nil, err
	}
	switch action {
	case "start":
		index = 0
	case "next":
		index = min(ls.Current+1, len(ls.Prompts)-1)
	case "prev":
		index = max(ls.Current-1, -1)
	case "goto":
	default:
		return nil, apperr.Invalid("action", "error.bad_request")
	}
	return ls, s.move(ctx, ls, index)
}
