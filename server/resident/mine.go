package resident

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/buurtstem/buurtstem/server/decisions"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/web"
)

// InputsPage is the data of resident/mine.html and resident/receipt.html:
// everything one participant gave, newest first. Both render the list with
// the partial "resident-inputs", which the feedback work (#7) extends with
// the municipality's responses.
type InputsPage struct {
	Page
	Items []InputItem
	// Receipt is the code of resident/receipt.html (formatted "ABCDE-FGHJK").
	Receipt string
	// Own is true on the participant's own device: media play there.
	Own bool
	// DeleteBase is where an item's delete form posts ("/mine" or
	// "/r/{code}", then "/{id}/delete"); Deleted says one was just deleted.
	DeleteBase string
	Deleted    bool
}

// InputItem is one contribution as the resident sees it again.
type InputItem struct {
	Contribution model.Contribution
	SessionTitle string
	Prompt       web.Shown
	At           string
	// Face is 1–5 for a faces answer, with its label.
	Face      int
	FaceLabel string
	Choices   []Choice
	// Status is the translated state of the input; StatusKey the stable
	// one ("received", "pending", "not_shown").
	Status    string
	StatusKey string
	// Why says, for written input not shown as written, what happened
	// (held, hidden, masked), Reasons why, and Shown is what the room
	// sees of masked input (#6).
	Why     string
	Reasons []string
	Shown   string
	// MediaDeleted says, when the retention purge deleted the answer's
	// voice note or photo, after how many months (the organisation's
	// period).
	MediaDeleted string
	// Response is the municipality's published response on the topic the
	// input is grouped in (#7), or nil.
	Response *ResponseView
}

// Choice is a chosen theme or picture option.
type Choice struct {
	Label     web.Shown
	Pictogram string
}

// Mine is "my input" on the resident's own phone: /mine, by the
// participant cookie.
func (h *Handlers) Mine(c *fiber.Ctx) error {
	p, err := h.participant(c)
	if err != nil {
		return err
	}
	pg := &InputsPage{Page: h.page(c), Own: true, DeleteBase: "/mine", Deleted: c.Query("deleted") == "1"}
	if p != "" {
		if pg.Items, err = h.inputs(c.UserContext(), &pg.Page, p); err != nil {
			return err
		}
	}
	return h.show(c, fiber.StatusOK, "mine", pg)
}

// inputs reads a participant's list and everything it shows: each
// contribution and session is one _id read.
func (h *Handlers) inputs(ctx context.Context, pg *Page, participant string) ([]InputItem, error) {
	list, err := h.store.ParticipantInputs(ctx, participant)
	if err != nil {
		return nil, err
	}
	ids := list.Contributions
	if len(ids) > store.MaxListedInputs {
		ids = ids[len(ids)-store.MaxListedInputs:]
	}
	cs, err := h.store.ContributionsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	sess := map[string]*model.Session{}
	months := map[string]int{} // organisation → retention months
	items := make([]InputItem, 0, len(cs))
	for _, c := range cs {
		if c.ParticipantID != participant {
			continue // never show someone else's input
		}
		s, ok := sess[c.SessionID]
		if !ok {
			if s, err = h.store.SessionByID(ctx, c.SessionID); err != nil {
				s = nil // a deleted session: the input still shows
			}
			sess[c.SessionID] = s
		}
		it := h.item(pg, c, s)
		if c.MediaDeletedAt != nil {
			n, ok := months[c.OrgID]
			if !ok {
				n, err = h.retentionMonths(ctx, c.OrgID)
				if err != nil {
					return nil, err
				}
				months[c.OrgID] = n
			}
			it.MediaDeleted = pg.T("answer.media_deleted", "Months", n)
		}
		items = append(items, it)
	}
	if err := h.addResponses(ctx, pg, cs, items); err != nil {
		return nil, err
	}
	slices.SortStableFunc(items, func(a, b InputItem) int { return b.Contribution.CreatedAt.Compare(a.Contribution.CreatedAt) })
	return items, nil
}

var statusLabels = map[string]string{
	"received": "resident.status_received", "pending": "resident.status_pending", "not_shown": "resident.status_not_shown",
}

func (h *Handlers) item(pg *Page, c model.Contribution, s *model.Session) InputItem {
	it := InputItem{Contribution: c, At: pg.L.DateTime(c.CreatedAt.Local())}
	var langs []string
	var prompt *model.Prompt
	if s != nil {
		it.SessionTitle = s.Title
		langs = s.Languages
		prompt = s.PromptByID(c.PromptID)
	}
	if prompt != nil {
		it.Prompt = pg.Pick(prompt.Text, langs)
	}
	if c.Answer.Face >= 1 && c.Answer.Face <= 5 {
		it.Face = c.Answer.Face
		it.FaceLabel = pg.T(faceLabels[c.Answer.Face])
	}
	for _, o := range c.Answer.Options {
		ch := Choice{}
		if c.Kind == model.KindThemes {
			ch.Label = web.Shown{Text: pg.ThemeLabel(o), Lang: pg.L.Lang.Code, Dir: pg.L.Lang.Dir}
			ch.Pictogram = "theme-" + o
		} else if prompt != nil {
			for _, po := range prompt.Options {
				if po.ID == o {
					ch.Label = pg.Pick(po.Label, langs)
					ch.Pictogram = po.Pictogram
				}
			}
		}
		if ch.Label.Text != "" {
			it.Choices = append(it.Choices, ch)
		}
	}
	switch c.Moderation {
	case model.ModPending, model.ModHeld, model.ModEscalated:
		it.StatusKey = "pending"
	case model.ModRejected:
		it.StatusKey = "not_shown"
	default:
		it.StatusKey = "received"
	}
	it.Status = pg.T(statusLabels[it.StatusKey])
	if c.Answer.Text != "" && (c.Moderation != model.ModApproved || c.Redacted != "") && c.Moderation != model.ModPending {
		it.Why = pg.T(decisions.StatusMessage(&c))
		for _, e := range decisions.Explain(&c) {
			it.Reasons = append(it.Reasons, pg.T(e.MessageID))
		}
		if c.Moderation == model.ModApproved {
			it.Shown = c.Redacted
		}
	}
	return it
}

// DotTotal is how many dots a dots answer gave in all.
func (it InputItem) DotTotal() int {
	n := 0
	for _, v := range it.Contribution.Answer.Dots {
		n += v
	}
	return n
}

var faceLabels = map[int]string{1: "face.1", 2: "face.2", 3: "face.3", 4: "face.4", 5: "face.5"}

// retentionMonths is how many months an organisation keeps voice notes and
// photos (its setting, else the server's default): what the notice of a
// purged file says.
func (h *Handlers) retentionMonths(ctx context.Context, orgID string) (int, error) {
	o, err := h.store.Organisation(ctx, orgID)
	if err != nil {
		return 0, err
	}
	return h.retention(o), nil
}
