package live

import (
	"maps"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
)

// TestWithdrawnAnswerBringsBackTheOneBefore: a resident who changed a
// face answer and then deleted the newer one counts with the older one
// again, whatever order the events came in; deleting an older answer
// changes nothing, and deleting the only one leaves the prompt unanswered.
func TestWithdrawnAnswerBringsBackTheOneBefore(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 19, 0, 0, 0, time.UTC)
	answer := func(id, participant string, face int, at time.Duration) *model.Contribution {
		return &model.Contribution{ID: id, PromptID: "p", ParticipantID: participant, Kind: model.KindFaces,
			Answer: model.Answer{Face: face}, CreatedAt: t0.Add(at)}
	}
	withdraw := func(r *room, c *model.Contribution) {
		r.withdraw(withdrawnEvent{ContributionID: c.ID, PromptID: c.PromptID, Participant: c.ParticipantID})
	}
	want := func(r *room, answered int, counts map[string]int) {
		t.Helper()
		got := r.results("p")
		if got.Answered != answered || !maps.Equal(got.Counts, counts) {
			t.Fatalf("results: %d answered, %v; want %d, %v", got.Answered, got.Counts, answered, counts)
		}
	}
	first, second, third := answer("a1", "amal", 2, 0), answer("a2", "amal", 4, time.Minute), answer("a3", "amal", 5, 2*time.Minute)
	other := answer("b1", "bram", 4, 0)
	for name, order := range map[string][]*model.Contribution{
		"in order":                {first, second, third, other},
		"the oldest arrives last": {second, third, other, first},
		"newest first":            {third, second, first, other},
	} {
		t.Run(name, func(t *testing.T) {
			r := newTestRoom()
			for _, c := range order {
				r.record(c)
			}
			want(r, 2, map[string]int{"5": 1, "4": 1})
			withdraw(r, second) // not the counted one: nothing changes
			want(r, 2, map[string]int{"5": 1, "4": 1})
			withdraw(r, third) // the counted one: the first counts again
			want(r, 2, map[string]int{"2": 1, "4": 1})
			withdraw(r, third) // twice: nothing more
			want(r, 2, map[string]int{"2": 1, "4": 1})
			withdraw(r, first)
			want(r, 1, map[string]int{"4": 1})
			r.record(third) // known already: a replayed event does not bring it back
			want(r, 1, map[string]int{"4": 1})
		})
	}
}

func newTestRoom() *room {
	return &room{sess: &model.Session{Prompts: []model.Prompt{{ID: "p", Kind: model.KindFaces}}},
		answers: map[string]map[string]dated{}, tallies: map[string]*tally{}, known: map[string]bool{},
		texts: map[string]*model.Contribution{}, dirty: map[string]bool{}}
}
