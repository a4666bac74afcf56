package review

import (
	"context"
	"errors"

	"github.com/buurtstem/buurtstem/server/media"
	"github.com/buurtstem/buurtstem/server/store"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// storeResultPhoto checks and stores a reviewer's photo of a result. It is
// cleaned like a resident's photo (server/media: decoded, scaled down and
// written again, so location and other metadata are gone): a published
// photo is public.
func (s *Service) storeResultPhoto(ctx context.Context, orgID, contentType string, body []byte) (*model.Media, error) {
	f, err := media.Check(media.Photo, contentType, body, media.DefaultLimits)
	var ae *apperr.Error
	if errors.As(err, &ae) {
		named := *ae
		named.Field = "photo" // the form's field, not the resident client's
		return nil, &named
	}
	if err != nil {
		return nil, err
	}
	m := &model.Media{ID: store.NewID(), OrgID: orgID, Kind: model.MediaResult,
		ContentType: f.ContentType, CreatedAt: s.now().UTC()}
	if err := s.store.PutMedia(ctx, m, f.Data); err != nil {
		return nil, err
	}
	return m, nil
}

// keepPhoto accepts the photo id a response form sends back: none, or
// the photo the topic's response shows now. Any other id is refused, so
// a form cannot publish a file it did not upload: a resident's photo, a
// voice note, another organisation's file.
func keepPhoto(t *model.Topic, id string) error {
	if id == "" || (t.Response != nil && t.Response.PhotoID == id) {
		return nil
	}
	return apperr.Invalid("photo", "response.photo_invalid")
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
	// A result photo; or, in responses published before reviewers could
	// upload one, a resident's photo chosen by its id.
	if m.Kind != model.MediaResult && m.Kind != model.MediaPhoto {
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
