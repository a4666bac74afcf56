// Package report builds the municipality's reports (#7): who was reached,
// what residents said, how they rated their neighbourhood, which topics
// came up and how much of it got a response, how fast. A report adds up
// counters kept on write (report days, profile counts) and the topics; it
// never scans contributions. Every group of fewer than MinGroup people is
// suppressed, so no one can be singled out.
package report

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/sessions"
	"github.com/buurtstem/buurtstem/server/store"
)

// MinGroup is the smallest group of people a report shows.
const MinGroup = 5

// The answer codes of the voluntary profile (#5, model.Profile), in the
// order a report shows them; "none" is "rather not say".
var (
	ageBands   = []string{"0_17", "18_29", "30_49", "50_66", "67_up", "none"}
	schools    = []string{"primary", "vocational", "secondary", "higher", "none"}
	firstTimes = []string{"yes", "no", "none"}
)

// TopTopics is how many topics a report lists.
const TopTopics = 10

// Params select what a report covers; zero fields select everything.
type Params struct {
	From, To        time.Time // days; To exclusive
	NeighbourhoodID string    // with the neighbourhoods inside it
	SessionID       string
	Theme           string
}

// ParseParams reads report parameters from query values, refusing
// malformed ones like the inbox filter does.
func ParseParams(get func(string) string) (Params, error) {
	f, err := review.ParseFilter(func(k string) string {
		switch k {
		case "from", "to", "neighbourhood", "session", "theme":
			return get(k)
		}
		return ""
	}, review.Location())
	if err != nil {
		return Params{}, err
	}
	return Params{From: f.From, To: f.To, NeighbourhoodID: f.NeighbourhoodID, SessionID: f.SessionID, Theme: f.Theme}, nil
}

// Filter returns the inbox filter of the same scope, for exports.
func (p Params) Filter() review.Filter {
	return review.Filter{From: p.From, To: p.To, NeighbourhoodID: p.NeighbourhoodID, SessionID: p.SessionID, Theme: p.Theme}
}

// Group is one group of a breakdown. A suppressed group had fewer than
// MinGroup people (or was hidden so that it cannot be worked out from the
// total); its count is not given.
type Group struct {
	Key        string
	Count      int
	Suppressed bool
}

// Count is a number of contributions (not people: never suppressed).
type Count struct {
	Key   string
	Count int
}

// SessionRow is one session in the report.
type SessionRow struct {
	Session       *model.Session
	Contributions int
	Participants  Group
}

// Report is a finished report.
type Report struct {
	Org         *model.Organisation
	Params      Params
	GeneratedAt time.Time

	Participants  Group
	Contributions int
	Kinds         []Count
	Themes        []Count
	Faces         []Count // "1" … "5"
	Langs         []Group // language residents answered in, by people
	Profiles      int     // voluntary profiles given
	FirstTime     []Group
	AgeBands      []Group
	Schools       []Group
	HomeLangs     []Group
	Sessions      []SessionRow
	TopTopics     []review.TopicRow
	Feedback      review.Figures
}

// Service builds reports.
type Service struct {
	store  *store.Store
	review *review.Service
	now    func() time.Time
}

// New returns a Service.
func New(s *store.Store, r *review.Service) *Service {
	return &Service{store: s, review: r, now: time.Now}
}

// Build makes a report. Every role of the organisation may: a report holds
// no personal data.
func (s *Service) Build(ctx context.Context, actor *model.Staff, orgID string, p Params) (*Report, error) {
	if !admin.CanView(actor, orgID) {
		return nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	org, err := s.store.Organisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	hoods, err := s.hoods(ctx, orgID, p.NeighbourhoodID)
	if err != nil {
		return nil, err
	}
	ss, err := s.store.Sessions(ctx, orgID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*model.Session{}
	for i := range ss {
		byID[ss[i].ID] = &ss[i]
	}
	if p.SessionID != "" && byID[p.SessionID] == nil {
		return nil, apperr.Invalid("session", "review.filter_unknown")
	}
	days, err := s.store.ReportDays(ctx, orgID)
	if err != nil {
		return nil, err
	}
	from, to := "", ""
	if !p.From.IsZero() {
		from = p.From.Format(time.DateOnly)
	}
	if !p.To.IsZero() {
		to = p.To.Format(time.DateOnly)
	}
	r := &Report{Org: org, Params: p, GeneratedAt: s.now()}
	kinds, themes, faces := map[string]int{}, map[string]int{}, map[string]int{}
	people := map[string]string{} // participant → language
	perSession := map[string]map[string]bool{}
	contribs := map[string]int{}
	open := map[string]int{}
	for _, d := range days {
		if p.SessionID != "" && d.SessionID != p.SessionID || hoods != nil && !hoods[d.NeighbourhoodID] ||
			from != "" && d.Day < from || to != "" && d.Day >= to {
			continue
		}
		r.Contributions += d.Contributions
		contribs[d.SessionID] += d.Contributions
		open[d.SessionID] += d.Kinds[string(model.KindOpen)]
		add(kinds, d.Kinds)
		add(themes, d.Themes)
		add(faces, d.Faces)
		if perSession[d.SessionID] == nil {
			perSession[d.SessionID] = map[string]bool{}
		}
		for pid, lang := range d.Participants {
			people[pid] = lang
			perSession[d.SessionID][pid] = true
		}
	}
	r.Participants = group("", len(people))
	for _, k := range model.PromptKinds {
		if kinds[string(k)] > 0 {
			r.Kinds = append(r.Kinds, Count{Key: string(k), Count: kinds[string(k)]})
		}
	}
	for _, t := range sessions.Themes {
		if p.Theme == "" || p.Theme == t {
			r.Themes = append(r.Themes, Count{Key: t, Count: themes[t]})
		}
	}
	for f := 1; f <= 5; f++ {
		k := strconv.Itoa(f)
		r.Faces = append(r.Faces, Count{Key: k, Count: faces[k]})
	}
	langs := map[string]int{}
	for _, l := range people {
		if l == "" {
			l = "other"
		}
		langs[l]++
	}
	r.Langs = suppress(langs, sortedKeys(langs))

	// Profiles are counted per session on write (#5).
	var sids []string
	for sid := range perSession {
		sids = append(sids, sid)
	}
	sort.Slice(sids, func(i, j int) bool {
		a, b := byID[sids[i]], byID[sids[j]]
		if a == nil || b == nil {
			return sids[i] < sids[j]
		}
		return a.CreatedAt.Before(b.CreatedAt)
	})
	first, age, school, home := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, sid := range sids {
		pc, err := s.store.ProfileSums(ctx, sid)
		if err != nil {
			return nil, err
		}
		r.Profiles += pc.Profiles
		add(first, pc.FirstTime)
		add(age, pc.AgeBand)
		add(school, pc.School)
		add(home, pc.HomeLang)
		if ls := byID[sid]; ls != nil {
			r.Sessions = append(r.Sessions, SessionRow{Session: ls, Contributions: contribs[sid], Participants: group("", len(perSession[sid]))})
		}
	}
	r.FirstTime = suppress(first, firstTimes)
	r.AgeBands = suppress(age, ageBands)
	r.Schools = suppress(school, schools)
	r.HomeLangs = suppress(home, sortedKeys(home))

	// Topics and the feedback figures, in the same scope.
	ts, err := s.store.Topics(ctx, orgID)
	if err != nil {
		return nil, err
	}
	set, err := s.store.ReviewSettings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	sc := review.Scope{From: p.From, To: p.To, Hoods: hoods, Theme: p.Theme, Open: open}
	if p.SessionID != "" || hoods != nil || !p.From.IsZero() || !p.To.IsZero() {
		sc.Sessions = map[string]bool{}
		for sid := range perSession {
			sc.Sessions[sid] = true
		}
	}
	if p.Theme != "" {
		// Open answers carry no theme: with a theme chosen, only input
		// grouped in topics of that theme counts as answerable.
		sc.Open = nil
	}
	var rows []review.TopicRow
	r.Feedback, rows = review.Figure(ts, sc, set.OverdueDays, s.now())
	slices.SortStableFunc(rows, func(a, b review.TopicRow) int { return b.Inputs - a.Inputs })
	if len(rows) > TopTopics {
		rows = rows[:TopTopics]
	}
	r.TopTopics = rows
	return r, nil
}

// hoods returns the neighbourhood and those inside it, nil for all.
func (s *Service) hoods(ctx context.Context, orgID, id string) (map[string]bool, error) {
	if id == "" {
		return nil, nil
	}
	all, err := s.store.Neighbourhoods(ctx, orgID)
	if err != nil {
		return nil, err
	}
	in := map[string]bool{}
	for _, n := range all {
		if n.ID == id {
			in[id] = true
		}
	}
	if !in[id] {
		return nil, apperr.Invalid("neighbourhood", "review.filter_unknown")
	}
	for changed := true; changed; {
		changed = false
		for _, n := range all {
			if !in[n.ID] && in[n.ParentID] {
				in[n.ID] = true
				changed = true
			}
		}
	}
	return in, nil
}

func add(dst, src map[string]int) {
	for k, v := range src {
		dst[k] += v
	}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if m[out[i]] != m[out[j]] {
			return m[out[i]] > m[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// group is a count of people, suppressed when small (zero is shown: it
// singles no one out).
func group(key string, n int) Group {
	if n > 0 && n < MinGroup {
		return Group{Key: key, Suppressed: true}
	}
	return Group{Key: key, Count: n}
}

// suppress returns the groups of a breakdown in order. Groups under
// MinGroup are suppressed; if exactly one is, the next smallest is too,
// so the hidden one cannot be worked out from the total.
func suppress(counts map[string]int, order []string) []Group {
	out := make([]Group, 0, len(order))
	hidden := 0
	for _, k := range order {
		g := group(k, counts[k])
		if g.Suppressed {
			hidden++
		}
		out = append(out, g)
	}
	if hidden == 1 {
		next := -1
		for i, g := range out {
			if !g.Suppressed && g.Count > 0 && (next < 0 || g.Count < out[next].Count) {
				next = i
			}
		}
		if next >= 0 {
			out[next] = Group{Key: out[next].Key, Suppressed: true}
		}
	}
	return out
}
