package review

import (
	"context"
	"sort"

	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
)

// FeedbackItem is a topic's published response as residents see it: no
// staff names, no participant, only how many approved inputs it answers.
func FeedbackItem(t *model.Topic) protocol.FeedbackItem {
	it := protocol.FeedbackItem{TopicID: t.ID, NeighbourhoodID: t.NeighbourhoodID, Theme: t.Theme, Title: t.Title}
	for _, x := range t.Items {
		if x.Approved {
			it.Inputs++
		}
	}
	if r := t.Response; r != nil {
		it.Status, it.ExpectedMonth, it.Text, it.Reason, it.PhotoID, it.At =
			string(r.Status), r.ExpectedMonth, r.Text, r.Reason, r.PhotoID, r.At
	}
	return it
}

// published returns the responded topics whose neighbourhood is in hoods,
// newest response first.
func published(ts []model.Topic, hoods map[string]bool) []protocol.FeedbackItem {
	out := []protocol.FeedbackItem{}
	for i := range ts {
		if ts[i].Response != nil && hoods[ts[i].NeighbourhoodID] {
			out = append(out, FeedbackItem(&ts[i]))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

// related returns a neighbourhood with the ones around it whose topics
// concern its residents: those it lies in (a wijk's topic concerns its
// buurten) and those inside it.
func related(all []model.Neighbourhood, id string) map[string]bool {
	byID := map[string]model.Neighbourhood{}
	for _, n := range all {
		byID[n.ID] = n
	}
	in := map[string]bool{id: true}
	for p := byID[id].ParentID; p != "" && !in[p]; p = byID[p].ParentID {
		in[p] = true
	}
	inside := map[string]bool{id: true}
	for changed := true; changed; {
		changed = false
		for _, n := range all {
			if !inside[n.ID] && inside[n.ParentID] {
				inside[n.ID] = true
				changed = true
			}
		}
	}
	for k := range inside {
		in[k] = true
	}
	return in
}

// NeighbourhoodFeedback returns the published responses that concern a
// neighbourhood's residents, and the neighbourhoods they may come from:
// what a feedback round of a session there shows. The live hub calls it
// when it loads a session with a feedback round.
func (s *Service) NeighbourhoodFeedback(ctx context.Context, orgID, neighbourhoodID string) ([]protocol.FeedbackItem, []string, error) {
	all, err := s.store.Neighbourhoods(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	hoods := related(all, neighbourhoodID)
	ts, err := s.store.Topics(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	scope := make([]string, 0, len(hoods))
	for h := range hoods {
		scope = append(scope, h)
	}
	return published(ts, hoods), scope, nil
}

// Board is the public "you said, we did" page of a neighbourhood.
type Board struct {
	Neighbourhood *model.Neighbourhood
	Items         []protocol.FeedbackItem
}

// Board returns the published responses for a neighbourhood's public
// board. It needs no login: it holds only what the municipality wrote for
// residents and counts of approved input.
func (s *Service) Board(ctx context.Context, neighbourhoodID string) (*Board, error) {
	if !idPattern.MatchString(neighbourhoodID) {
		return nil, notFound()
	}
	n, err := s.store.NeighbourhoodByID(ctx, neighbourhoodID)
	if err != nil {
		return nil, err
	}
	items, _, err := s.NeighbourhoodFeedback(ctx, n.OrgID, n.ID)
	if err != nil {
		return nil, err
	}
	return &Board{Neighbourhood: n, Items: items}, nil
}

// ResponsesFor returns, by contribution id, the published response on the
// topic each contribution is grouped in: what the resident's "my input"
// page and the receipt page show beside their input. Contributions
// without a topic or whose topic has no response yet are left out.
func (s *Service) ResponsesFor(ctx context.Context, cs []model.Contribution) (map[string]protocol.FeedbackItem, error) {
	out := map[string]protocol.FeedbackItem{}
	topics := map[string]*model.Topic{}
	for _, c := range cs {
		if c.TopicID == "" {
			continue
		}
		t, ok := topics[c.TopicID]
		if !ok {
			var err error
			t, err = s.store.Topic(ctx, c.OrgID, c.TopicID)
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			topics[c.TopicID] = t
		}
		if t != nil && t.Response != nil {
			out[c.ID] = FeedbackItem(t)
		}
	}
	return out, nil
}
