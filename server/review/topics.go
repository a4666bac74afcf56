package review

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
	"github.com/buurtstem/buurtstem/server/store"
)

// Limits of what staff write for residents: short, plain language.
const (
	MaxTitleRunes    = 120
	MaxResponseRunes = 600
	MaxTopicItems    = 500
	// Source is the language every response must have: the others fall
	// back to it.
	Source = "nl"
)

var (
	monthPattern = regexp.MustCompile(`^(20[0-9]{2})-(0[1-9]|1[0-2])$`)
)

// TopicInput is what a reviewer fills in to make a topic, or to add input
// to an existing one (TopicID set; then only Contributions count).
type TopicInput struct {
	TopicID         string
	Title           model.Text
	Theme           string
	NeighbourhoodID string
	Contributions   []string
}

// Topics lists an organisation's topics, newest first.
func (s *Service) Topics(ctx context.Context, actor *model.Staff, orgID string) ([]model.Topic, error) {
	if err := may(actor, orgID, nil); err != nil {
		return nil, err
	}
	return s.store.Topics(ctx, orgID)
}

// Topic returns one topic. A topic of another organisation is not found,
// exactly like one that does not exist.
func (s *Service) Topic(ctx context.Context, actor *model.Staff, orgID, id string) (*model.Topic, error) {
	if err := may(actor, orgID, nil); err != nil {
		return nil, err
	}
	return s.store.Topic(ctx, orgID, id)
}

// reviewable returns a topic the actor may change, at version (0: any).
func (s *Service) reviewable(ctx context.Context, actor *model.Staff, orgID, id string, version int) (*model.Topic, error) {
	if err := may(actor, orgID, CanReview); err != nil {
		return nil, err
	}
	t, err := s.store.Topic(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && t.Version != version {
		return nil, apperr.New(apperr.ErrConflict, "topic.changed_meanwhile")
	}
	return t, nil
}

// Group makes a new topic of contributions, or adds them to an existing
// one (in.TopicID).
func (s *Service) Group(ctx context.Context, actor *model.Staff, orgID string, in TopicInput) (*model.Topic, error) {
	if err := may(actor, orgID, CanReview); err != nil {
		return nil, err
	}
	if len(in.Contributions) == 0 {
		return nil, apperr.Invalid("contribution", "topic.choose_input")
	}
	if in.TopicID != "" {
		t, err := s.store.Topic(ctx, orgID, in.TopicID)
		if isNotFound(err) {
			return nil, apperr.Invalid("topic", "topic.unknown")
		}
		if err != nil {
			return nil, err
		}
		return t, s.add(ctx, actor, t, in.Contributions)
	}
	now := s.now().UTC()
	t := &model.Topic{ID: store.NewID(), OrgID: orgID, Items: []model.TopicItem{}, CreatedBy: actor.ID,
		CreatedAt: now, UpdatedAt: now}
	if err := s.describe(ctx, t, in.Title, in.Theme, in.NeighbourhoodID); err != nil {
		return nil, err
	}
	items, err := s.items(ctx, orgID, in.Contributions, t.ID)
	if err != nil {
		return nil, err
	}
	t.Items = items
	t.History = []model.TopicChange{{At: now, By: actor.ID, Action: "created", Items: itemIDs(items), Title: t.Title}}
	if err := s.store.InsertTopic(ctx, t); err != nil {
		return nil, err
	}
	return t, s.link(ctx, t, items, t.ID)
}

// add puts more contributions in a topic.
func (s *Service) add(ctx context.Context, actor *model.Staff, t *model.Topic, ids []string) error {
	items, err := s.items(ctx, t.OrgID, ids, t.ID)
	if err != nil {
		return err
	}
	var added []model.TopicItem
	for _, it := range items {
		if !slices.ContainsFunc(t.Items, func(x model.TopicItem) bool { return x.ContributionID == it.ContributionID }) {
			added = append(added, it)
		}
	}
	if len(added) == 0 {
		return nil
	}
	if len(t.Items)+len(added) > MaxTopicItems {
		return &apperr.Error{Kind: apperr.ErrInvalid, Field: "contribution", MsgID: "topic.too_many_items",
			Data: map[string]any{"Max": MaxTopicItems}}
	}
	now := s.now().UTC()
	t.Items = append(t.Items, added...)
	t.UpdatedAt = now
	t.History = append(t.History, model.TopicChange{At: now, By: actor.ID, Action: "added", Items: itemIDs(added)})
	if err := s.store.ReplaceTopic(ctx, t); err != nil {
		return err
	}
	return s.link(ctx, t, added, t.ID)
}

// Remove takes a contribution out of a topic.
func (s *Service) Remove(ctx context.Context, actor *model.Staff, orgID, topicID, contributionID string, version int) (*model.Topic, error) {
	t, err := s.reviewable(ctx, actor, orgID, topicID, version)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(t.Items, func(x model.TopicItem) bool { return x.ContributionID == contributionID })
	if i < 0 {
		return nil, apperr.Invalid("contribution", "topic.not_in_topic")
	}
	it := t.Items[i]
	now := s.now().UTC()
	t.Items = slices.Delete(t.Items, i, i+1)
	t.UpdatedAt = now
	t.History = append(t.History, model.TopicChange{At: now, By: actor.ID, Action: "removed", Items: []string{contributionID}})
	if err := s.store.ReplaceTopic(ctx, t); err != nil {
		return nil, err
	}
	return t, s.link(ctx, t, []model.TopicItem{it}, "")
}

// Edit changes a topic's title, theme and neighbourhood.
func (s *Service) Edit(ctx context.Context, actor *model.Staff, orgID, topicID string, title model.Text, theme, neighbourhoodID string, version int) (*model.Topic, error) {
	t, err := s.reviewable(ctx, actor, orgID, topicID, version)
	if err != nil {
		return nil, err
	}
	if err := s.describe(ctx, t, title, theme, neighbourhoodID); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	t.UpdatedAt = now
	t.History = append(t.History, model.TopicChange{At: now, By: actor.ID, Action: "edited", Title: t.Title})
	return t, s.store.ReplaceTopic(ctx, t)
}

// describe checks and sets what a topic is about.
func (s *Service) describe(ctx context.Context, t *model.Topic, title model.Text, theme, neighbourhoodID string) error {
	clean, err := cleanTexts("title", title, MaxTitleRunes, false)
	if err != nil {
		return err
	}
	if clean[Source] == "" {
		return apperr.Invalid("title_"+Source, "topic.title_required")
	}
	if !slices.Contains(sessions.Themes, theme) {
		return apperr.Invalid("theme", "topic.theme_required")
	}
	if neighbourhoodID == "" {
		return apperr.Invalid("neighbourhood_id", "topic.neighbourhood_required")
	}
	if _, err := s.store.Neighbourhood(ctx, t.OrgID, neighbourhoodID); err != nil {
		if isNotFound(err) {
			return apperr.Invalid("neighbourhood_id", "topic.neighbourhood_required")
		}
		return err
	}
	t.Title, t.Theme, t.NeighbourhoodID = clean, theme, neighbourhoodID
	return nil
}

// items reads contributions of the organisation to group. One that is
// not the organisation's is refused like one that does not exist; one in
// another topic must be taken out of that topic first.
func (s *Service) items(ctx context.Context, orgID string, ids []string, topicID string) ([]model.TopicItem, error) {
	if len(ids) > MaxTopicItems {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Field: "contribution", MsgID: "topic.too_many_items",
			Data: map[string]any{"Max": MaxTopicItems}}
	}
	out := make([]model.TopicItem, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if !validContributionID(id) {
			return nil, apperr.Invalid("contribution", "topic.unknown_input")
		}
		c, err := s.store.ContributionOf(ctx, orgID, id)
		if isNotFound(err) {
			return nil, apperr.Invalid("contribution", "topic.unknown_input")
		}
		if err != nil {
			return nil, err
		}
		if c.TopicID != "" && c.TopicID != topicID {
			return nil, apperr.Invalid("contribution", "topic.already_grouped")
		}
		out = append(out, model.TopicItem{ContributionID: c.ID, SessionID: c.SessionID, Kind: c.Kind,
			ParticipantID: c.ParticipantID, Approved: c.Moderation == model.ModApproved, CreatedAt: c.CreatedAt})
	}
	return out, nil
}

// link records on each contribution (and in the inbox marks) the topic it
// is in, "" for none.
func (s *Service) link(ctx context.Context, t *model.Topic, items []model.TopicItem, topicID string) error {
	now := s.now().UTC()
	for _, it := range items {
		if err := s.store.SetContributionTopic(ctx, t.OrgID, it.ContributionID, topicID); err != nil && !isNotFound(err) {
			return err
		}
		if err := s.store.MarkInbox(ctx, t.OrgID, it.SessionID, it.ContributionID, store.MarkTopic, topicID, now); err != nil {
			return err
		}
	}
	return nil
}

func itemIDs(items []model.TopicItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ContributionID
	}
	return out
}

// ResponseInput is a response as a reviewer fills it in.
type ResponseInput struct {
	Status        string
	ExpectedMonth string
	Text          model.Text
	Reason        model.Text
	// Photo is a newly uploaded photo of the result, of PhotoType as the
	// browser declared it; it replaces the published one. Without it,
	// PhotoID keeps the photo the topic's response has now (any other id
	// is refused), and RemovePhoto takes it off.
	Photo       []byte
	PhotoType   string
	PhotoID     string
	RemovePhoto bool
	Version     int
}

// Respond publishes a response on a topic: it is kept in the history,
// shown to residents at once and pushed to those connected whose input
// is in the topic.
func (s *Service) Respond(ctx context.Context, actor *model.Staff, orgID, topicID string, in ResponseInput) (*model.Topic, error) {
	t, err := s.reviewable(ctx, actor, orgID, topicID, in.Version)
	if err != nil {
		return nil, err
	}
	r, err := checkResponse(in)
	if err != nil {
		return nil, err
	}
	// Everything else is checked before a new photo is stored, so a form
	// that fails leaves no file behind.
	var photo *model.Media
	switch {
	case len(in.Photo) > 0:
		if photo, err = s.storeResultPhoto(ctx, orgID, in.PhotoType, in.Photo); err != nil {
			return nil, err
		}
		r.PhotoID = photo.ID
	case in.RemovePhoto:
		r.PhotoID = ""
	default:
		if err := keepPhoto(t, r.PhotoID); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	r.By, r.At = actor.ID, now
	t.Response = r
	if t.FirstResponseAt == nil {
		t.FirstResponseAt = &now
	}
	t.UpdatedAt = now
	t.History = append(t.History, model.TopicChange{At: now, By: actor.ID, Action: "responded", Response: r})
	if err := s.store.ReplaceTopic(ctx, t); err != nil {
		if photo != nil {
			_ = s.store.DeleteMedia(context.WithoutCancel(ctx), photo.ID) // an orphan at worst
		}
		return nil, err
	}
	s.push(ctx, t)
	return t, nil
}

func checkResponse(in ResponseInput) (*model.Response, error) {
	st := model.TopicStatus(in.Status)
	if !st.Valid() {
		return nil, apperr.Invalid("status", "response.status_required")
	}
	text, err := cleanTexts("text", in.Text, MaxResponseRunes, true)
	if err != nil {
		return nil, err
	}
	if len(text) == 0 {
		return nil, apperr.Invalid("text_"+Source, "response.text_required")
	}
	if text[Source] == "" {
		return nil, apperr.Invalid("text_"+Source, "response.dutch_required")
	}
	r := &model.Response{Status: st, Text: text}
	if st == model.TopicPlanned {
		m := strings.TrimSpace(in.ExpectedMonth)
		if !monthPattern.MatchString(m) {
			return nil, apperr.Invalid("expected_month", "response.month_required")
		}
		r.ExpectedMonth = m
	}
	if st == model.TopicNotPossible {
		reason, err := cleanTexts("reason", in.Reason, MaxResponseRunes, true)
		if err != nil {
			return nil, err
		}
		if reason[Source] == "" {
			return nil, apperr.Invalid("reason_"+Source, "response.reason_required")
		}
		r.Reason = reason
	}
	// The photo the form keeps: checked against the topic by keepPhoto.
	r.PhotoID = strings.TrimSpace(in.PhotoID)
	return r, nil
}

// cleanTexts cleans every language variant; empty ones are dropped. The
// field of an error is field + "_" + the language, as the forms name it.
func cleanTexts(field string, t model.Text, maxRunes int, multiline bool) (model.Text, error) {
	out := model.Text{}
	for lang, v := range t {
		if strings.TrimSpace(v) == "" {
			continue
		}
		if !langPattern.MatchString(lang) {
			return nil, apperr.Invalid(field, "form.invalid_text")
		}
		c, err := admin.CleanText(field+"_"+lang, v, maxRunes, multiline)
		if err != nil {
			return nil, err
		}
		out[lang] = c
	}
	return out, nil
}

// push sends a response to the live sessions; a failure is logged, not
// returned: the response is stored and residents see it on their pages.
func (s *Service) push(ctx context.Context, t *model.Topic) {
	if s.notify == nil {
		return
	}
	mine := map[string][]string{}
	for _, it := range t.Items {
		if it.ParticipantID == "" || strings.HasPrefix(it.ParticipantID, "assisted:") {
			continue
		}
		mine[it.ParticipantID] = append(mine[it.ParticipantID], it.ContributionID)
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.notify.PublishFeedback(pctx, t.OrgID, FeedbackItem(t), mine); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("Pushing a response to live sessions failed; it is stored.", "topic", t.ID, "error", err.Error())
	}
}
