package review

import (
	"context"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// checkPhoto refuses a result photo that is not a stored photo of the
// organisation: publishing a response makes its photo public, so it must
// never be a voice note or another organisation's file.
func (s *Service) checkPhoto(ctx context.Context, orgID, id string) error {
	if id == "" {
		return nil
	}
	m, err := s.store.Media(ctx, id)
	if isNotFound(err) || (err == nil && (m.OrgID != orgID || m.Kind != model.MediaPhoto)) {
		return apperr.Invalid("photo_id", "response.photo_invalid")
	}
	return err
}

// ResponsePhoto opens the result photo of a published response for anyone:
// the public board and residents' pages show it. Any other file, and a
// photo whose response no longer uses it, is apperr.ErrNotFound, the same
// as an id that does not exist. Media ids are 128 random bits, so photos
// cannot be enumerated; the topics read is the organisation's only.
func (s *Service) ResponsePhoto(ctx context.Context, id string) (*model.Media, []byte, error) {
	m, err := s.store.Media(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if m.Kind != model.MediaPhoto {
		return nil, nil, notFound()
	}
	ts, err := s.store.Topics(ctx, m.OrgID)
	if err != nil {
		return nil, nil, err
	}
	for i := range ts {
		if r := ts[i].Response; r != nil && r.PhotoID == id {
			data, err := s.store.MediaData(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			return m, data, nil
		}
	}
	return nil, nil, notFound()
}
