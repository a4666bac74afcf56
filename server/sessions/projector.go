package sessions

import (
	"context"
	"crypto/subtle"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// ForProjector returns a session for its read-only projector view, which
// needs no login: the secret key of the projector link is the permission.
// A session of another organisation is not found, exactly like one that
// does not exist; a wrong key is forbidden. The key is compared in
// constant time.
func (s *Service) ForProjector(ctx context.Context, orgID, id, key string) (*model.Session, error) {
	ls, err := s.store.Session(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if ls.ProjectorKey == "" || subtle.ConstantTimeCompare([]byte(key), []byte(ls.ProjectorKey)) != 1 {
		return nil, apperr.New(apperr.ErrForbidden, "projector.key_invalid")
	}
	return ls, nil
}
