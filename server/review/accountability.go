package review

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
)

// Figures say how well an organisation (or a neighbourhood, a period)
// answers its residents.
//
// Answerable is the input that asks for an answer: every open answer
// (voice, photo, text) plus any other input a reviewer grouped in a topic.
// Answered is the part of it in a topic with a published response.
// MedianDays is the median, over answered input, of the days from the
// input to the topic's first response.
type Figures struct {
	Answerable  int
	Grouped     int
	Answered    int
	Topics      int
	Responded   int
	Overdue     int
	MedianDays  float64
	HasMedian   bool
	OverdueDays int
}

// Share returns the answered part of the answerable input in whole
// percent, and false when there is no answerable input.
func (f Figures) Share() (int, bool) {
	if f.Answerable == 0 {
		return 0, false
	}
	return (f.Answered*100 + f.Answerable/2) / f.Answerable, true
}

// Scope limits figures: zero fields select everything.
type Scope struct {
	From, To time.Time       // input given in [From, To)
	Sessions map[string]bool // nil: every session
	Hoods    map[string]bool // nil: every neighbourhood (of the topic)
	Theme    string          // "": every theme
	Open     map[string]int  // open answers per session in scope, from the counters
}

// TopicRow is a topic with its figures, for lists.
type TopicRow struct {
	Topic   *model.Topic
	Inputs  int // in scope
	Overdue bool
	Waiting int // days since the oldest input, without a response
}

// Figure computes the figures of topics within a scope at now.
func Figure(ts []model.Topic, sc Scope, overdueDays int, now time.Time) (Figures, []TopicRow) {
	f := Figures{OverdueDays: overdueDays}
	for _, n := range sc.Open {
		f.Answerable += n
	}
	var days []float64
	var rows []TopicRow
	for i := range ts {
		t := &ts[i]
		if sc.Theme != "" && t.Theme != sc.Theme {
			continue
		}
		if sc.Hoods != nil && !sc.Hoods[t.NeighbourhoodID] {
			continue
		}
		row := TopicRow{Topic: t}
		for _, it := range t.Items {
			if sc.Sessions != nil && !sc.Sessions[it.SessionID] {
				continue
			}
			if !sc.From.IsZero() && it.CreatedAt.Before(sc.From) || !sc.To.IsZero() && !it.CreatedAt.Before(sc.To) {
				continue
			}
			row.Inputs++
			f.Grouped++
			if it.Kind != model.KindOpen {
				f.Answerable++
			}
			if t.FirstResponseAt != nil {
				f.Answered++
				days = append(days, t.FirstResponseAt.Sub(it.CreatedAt).Hours()/24)
			}
		}
		if row.Inputs == 0 && (sc.Sessions != nil || !sc.From.IsZero() || !sc.To.IsZero()) {
			continue
		}
		f.Topics++
		if t.Response != nil {
			f.Responded++
		} else {
			row.Waiting = int(now.Sub(t.Oldest()).Hours() / 24)
			if row.Waiting >= overdueDays {
				row.Overdue = true
				f.Overdue++
			}
		}
		rows = append(rows, row)
	}
	if len(days) > 0 {
		slices.Sort(days)
		m := len(days) / 2
		f.MedianDays = days[m]
		if len(days)%2 == 0 {
			f.MedianDays = (days[m-1] + days[m]) / 2
		}
		f.HasMedian = true
	}
	// Overdue first (longest wait first), then by how much input.
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Overdue != rows[j].Overdue {
			return rows[i].Overdue
		}
		if rows[i].Overdue {
			return rows[i].Waiting > rows[j].Waiting
		}
		return rows[i].Inputs > rows[j].Inputs
	})
	return f, rows
}

// NeighbourhoodFigures are the figures of one neighbourhood.
type NeighbourhoodFigures struct {
	Neighbourhood model.Neighbourhood
	Figures       Figures
}

// Accountability are the figures of an organisation and of each of its
// neighbourhoods that has input or topics, with the topic list.
type Accountability struct {
	Org            Figures
	Neighbourhoods []NeighbourhoodFigures
	Topics         []TopicRow
	Settings       *model.ReviewSettings
}

// Accountability computes an organisation's figures now.
func (s *Service) Accountability(ctx context.Context, actor *model.Staff, orgID string) (*Accountability, error) {
	if err := may(actor, orgID, nil); err != nil {
		return nil, err
	}
	set, err := s.store.ReviewSettings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Topics(ctx, orgID)
	if err != nil {
		return nil, err
	}
	days, err := s.store.ReportDays(ctx, orgID)
	if err != nil {
		return nil, err
	}
	hoods, err := s.store.Neighbourhoods(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	open := map[string]int{}
	openByHood := map[string]map[string]int{}
	for _, d := range days {
		open[d.SessionID] += d.Kinds[string(model.KindOpen)]
		if openByHood[d.NeighbourhoodID] == nil {
			openByHood[d.NeighbourhoodID] = map[string]int{}
		}
		openByHood[d.NeighbourhoodID][d.SessionID] += d.Kinds[string(model.KindOpen)]
	}
	a := &Accountability{Settings: set}
	a.Org, a.Topics = Figure(ts, Scope{Open: open}, set.OverdueDays, now)
	for _, n := range hoods {
		// A neighbourhood's figures: input given in sessions there and
		// topics about it (not the ones inside it: those have their row).
		f, _ := Figure(ts, Scope{Hoods: map[string]bool{n.ID: true}, Open: openByHood[n.ID]}, set.OverdueDays, now)
		if f.Answerable == 0 && f.Topics == 0 {
			continue
		}
		a.Neighbourhoods = append(a.Neighbourhoods, NeighbourhoodFigures{Neighbourhood: n, Figures: f})
	}
	return a, nil
}
