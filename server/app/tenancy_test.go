package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store"
)

// The tenancy rule: staff of one organisation can never read or change
// another organisation's data. What an attacker gets back is decided
// precisely:
//
//   - 404 when the actor has no role in the organisation of the URL: a
//     foreign organisation looks exactly like one that does not exist.
//   - 404 when the organisation is the actor's own but the :id belongs to
//     another organisation: a foreign record looks exactly like a record
//     that does not exist.
//   - 403 only when the actor has a role in the organisation of the URL but
//     the role does not allow the action (a reviewer or intermediary that
//     changes anything, or reads the staff list). Rights are checked before
//     any lookup, so the 403 says nothing about whether an :id exists.
//   - A reference to a foreign record inside a body (the parent of a new
//     buurt, the neighbourhood of a new venue) is refused like one that does
//     not exist: 400 naming the field.
//
// The attack is derived from the router, not from a list written here: every
// route with an :org parameter, with every method it is registered for, is
// tried. A new route whose kind of record this file does not know fails the
// test until its ids and a valid body are added to tenancyResources.

// tenancyResources says, for the path segment that follows /orgs/:org (""
// for the organisation itself), how to fill :id, what a valid body looks
// like and which roles may use it. The body references records of the
// organisation under attack, so a missing check would let the request
// succeed rather than fail validation; action is the segment after :id
// ("" if none), for routes whose body differs.
var tenancyResources = map[string]struct {
	ids  func(tn *tenant) []string
	body func(tn *tenant, action string) map[string]any
	// writers may change these records besides admins; readers may read
	// them (nil: every role).
	writers, readers []model.Role
	// keyed are actions whose permission is a secret key in the link, not
	// a role (the projector view). Without the key, a record of the URL's
	// organisation is forbidden (403) and anything else is not found (404),
	// exactly like a record that does not exist.
	keyed map[string]bool
}{
	"": {
		ids:  func(*tenant) []string { return nil },
		body: func(*tenant, string) map[string]any { return map[string]any{"name": "Overgenomen"} },
	},
	"neighbourhoods": {
		ids: func(tn *tenant) []string { return tn.neighbourhoods },
		body: func(tn *tenant, _ string) map[string]any {
			return map[string]any{"name": "Indringersbuurt", "level": "buurt", "parent_id": tn.wijk, "cbs_code": "BU99998888"}
		},
	},
	"venues": {
		ids: func(tn *tenant) []string { return tn.venues },
		body: func(tn *tenant, _ string) map[string]any {
			return map[string]any{"name": "Indringershuis", "address": "Nergens 1", "neighbourhood_id": tn.buurt}
		},
	},
	"staff": {
		ids: func(tn *tenant) []string { return tn.staff },
		body: func(*tenant, string) map[string]any {
			return map[string]any{"email": "indringer@example.org", "name": "Indringer", "role": "admin", "disabled": true}
		},
		readers: []model.Role{model.RoleAdmin},
	},
	"sessions": {
		ids: func(tn *tenant) []string { return tn.sessions },
		body: func(tn *tenant, action string) map[string]any {
			if action == "move" {
				return map[string]any{"index": 0}
			}
			return sessionBody(tn)
		},
		writers: []model.Role{model.RoleIntermediary},
		keyed:   map[string]bool{"projector": true},
	},
	// Closing the loop (#7): every role reads the inbox, topics and
	// reports; reviewers group and respond; reviewers and intermediaries
	// type transcripts; only admins change the overdue period.
	"inbox": {
		ids:  func(*tenant) []string { return nil },
		body: func(*tenant, string) map[string]any { return nil },
	},
	// The moderation audit log (#6): every role of the organisation reads
	// it; decisions are made over the live protocol, not here.
	"moderation-log": {
		ids:  func(*tenant) []string { return nil },
		body: func(*tenant, string) map[string]any { return nil },
	},
	"contributions": {
		ids: func(tn *tenant) []string { return tn.contributions },
		body: func(*tenant, string) map[string]any {
			return map[string]any{"transcript": "Ingetypt door een indringer"}
		},
		writers: []model.Role{model.RoleReviewer, model.RoleIntermediary},
	},
	"topics": {
		ids: func(tn *tenant) []string { return tn.topics },
		body: func(tn *tenant, action string) map[string]any {
			switch action {
			case "remove":
				return map[string]any{"contribution": at(tn.contributions, 0)}
			case "respond":
				return map[string]any{"status": "looking", "text_nl": "We kijken ernaar."}
			}
			return map[string]any{"contribution": at(tn.contributions, 1), "title_nl": "Indringersonderwerp",
				"theme": "housing", "neighbourhood_id": tn.buurt}
		},
		writers: []model.Role{model.RoleReviewer},
	},
	"review-settings": {
		ids:  func(*tenant) []string { return nil },
		body: func(*tenant, string) map[string]any { return map[string]any{"overdue_days": 20} },
	},
	// How long voice notes and photos are kept (#5, #7): admins only.
	"retention": {
		ids:  func(*tenant) []string { return nil },
		body: func(*tenant, string) map[string]any { return map[string]any{"media_retention_months": 3} },
	},
	"reports": {
		ids:  func(*tenant) []string { return nil },
		body: func(*tenant, string) map[string]any { return nil },
	},
}

// at returns list[i], or an id that exists nowhere.
func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return "no-such-id"
}

// sessionBody is a valid session referencing a tenant's neighbourhood and
// venue.
func sessionBody(tn *tenant) map[string]any {
	venue := ""
	if len(tn.venues) > 0 {
		venue = tn.venues[0]
	}
	return map[string]any{"title": "Indringersavond", "neighbourhood_id": tn.buurt, "venue_id": venue,
		"languages": []string{"nl"}, "version": 0,
		"prompts": []map[string]any{{"kind": "open", "text": map[string]string{"nl": "Wat vindt u?"}, "allow": []string{"text"}}}}
}

// may reports whether a role may use a route of a kind of record.
func may(role model.Role, r orgRoute) bool {
	res := tenancyResources[r.resource]
	if role == model.RoleAdmin {
		return true
	}
	if r.writes() {
		return slices.Contains(res.writers, role)
	}
	return res.readers == nil || slices.Contains(res.readers, role)
}

// tenant is an organisation and the ids of what it holds.
type tenant struct {
	orgID          string
	neighbourhoods []string
	venues         []string
	staff          []string
	sessions       []string
	contributions  []string
	topics         []string
	wijk, buurt    string // referenced by bodies
}

// missing is a tenant that does not exist: what a foreign organisation or
// record must be indistinguishable from.
var missing = &tenant{orgID: "no-such-org", neighbourhoods: []string{"no-such-id"},
	venues: []string{"no-such-id"}, staff: []string{"no-such-id"}, sessions: []string{"no-such-id"},
	contributions: []string{"no-such-id"}, topics: []string{"no-such-id"},
	wijk: "no-such-id", buurt: "no-such-id"}

// orgRoute is a route with an :org parameter, split for substitution.
type orgRoute struct {
	method, path string
	api          bool
	resource     string // segment after :org, "" for the organisation itself
	hasID        bool
	action       string // segment after :id, if any
}

// orgRoutes lists every route of the running server with an :org
// parameter. Routes it cannot fill fail the test.
func orgRoutes(t *testing.T, e *env) []orgRoute {
	t.Helper()
	var out []orgRoute
	for _, r := range e.srv.Fiber().GetRoutes(true) {
		if !strings.Contains(r.Path, ":org") {
			continue
		}
		segs := strings.Split(strings.Trim(r.Path, "/"), "/")
		i := indexOf(segs, ":org")
		or := orgRoute{method: r.Method, path: r.Path, api: strings.HasPrefix(r.Path, "/api/")}
		if i+1 < len(segs) {
			or.resource = segs[i+1]
		}
		_, known := tenancyResources[or.resource]
		ok := known && !strings.HasPrefix(or.resource, ":") && !strings.Contains(r.Path, "*")
		for _, p := range r.Params {
			switch {
			case p == "org":
			case p == "id" && i+2 < len(segs) && segs[i+2] == ":id":
				or.hasID = true
				if i+3 < len(segs) {
					or.action = segs[i+3]
				}
			default:
				ok = false
			}
		}
		if !ok {
			t.Errorf("route %s %s is not covered by the tenancy test: add its kind of record (ids and a valid body) to tenancyResources in tenancy_test.go", r.Method, r.Path)
			continue
		}
		out = append(out, or)
	}
	// Guard against a vacuous pass, e.g. if the router stopped reporting
	// routes the way this test reads them.
	if len(out) < 40 {
		t.Fatalf("only %d routes with :org found; the test reads the router wrongly", len(out))
	}
	return out
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// urls returns the concrete paths of a route for an organisation and, for
// routes with :id, each id of the tenant that owns the records.
func (r orgRoute) urls(orgID string, records *tenant) []string {
	p := strings.Replace(r.path, ":org", url.PathEscape(orgID), 1)
	if !r.hasID {
		return []string{p}
	}
	var out []string
	for _, id := range tenancyResources[r.resource].ids(records) {
		out = append(out, strings.Replace(p, ":id", url.PathEscape(id), 1))
	}
	return out
}

func (r orgRoute) writes() bool { return r.method != http.MethodGet && r.method != http.MethodHead }

// attacker is a staff member logged in twice: to the API and with a
// browser, so that both kinds of route are tried with a real session.
type attacker struct {
	name  string
	api   *apiSession
	br    *browser
	csrf  string                // of the browser session
	roles map[string]model.Role // by organisation id
}

func newAttacker(t *testing.T, e *env, name, email, password string, roles map[string]model.Role) *attacker {
	t.Helper()
	// The env's helpers report to this (sub)test, not to the one that
	// started the server.
	sub := *e
	sub.t = t
	e = &sub
	a := &attacker{name: name, api: e.apiLogin(email, password), br: e.browser(), roles: roles}
	if p := a.br.login(email, password); p.status != http.StatusSeeOther {
		t.Fatalf("%s: browser login: %d", name, p.status)
	}
	a.csrf = a.br.get("/account/password").csrf(t)
	return a
}

// try sends one request of a route as the attacker: a JSON body to the
// API, a form with the session's CSRF token to the pages.
func (a *attacker) try(r orgRoute, path string, body map[string]any) *page {
	if r.api {
		var in any
		if r.method == http.MethodPost || r.method == http.MethodPut || r.method == http.MethodPatch {
			in = body
		}
		return a.api.do(r.method, path, in)
	}
	var form url.Values
	if r.writes() {
		form = formOf(a.csrf, body)
	}
	return a.br.send(r.method, path, form)
}

// formOf turns a JSON body into the form a browser would post.
func formOf(csrf string, body map[string]any) url.Values {
	form := url.Values{"csrf": {csrf}}
	for k, v := range body {
		form.Set(k, fmt.Sprint(v))
	}
	return form
}

// expect returns the status the attacker must get for a route of an
// organisation in which they have role ("" for none), with :id taken from
// the organisation itself (foreignID false) or from another one. 0 means
// the request is the actor's own business, not part of the attack.
func expect(role model.Role, r orgRoute, foreignID bool) int {
	switch {
	case tenancyResources[r.resource].keyed[r.action] && foreignID:
		return http.StatusNotFound
	case tenancyResources[r.resource].keyed[r.action]:
		return http.StatusForbidden
	case role == "":
		return http.StatusNotFound
	case !may(role, r):
		return http.StatusForbidden
	case r.hasID && foreignID:
		return http.StatusNotFound
	case r.writes():
		return 0
	}
	// Reading one's own organisation is allowed; checking it proves the
	// attacker's session works, so the refusals above are not an accident.
	// (A read may also meet a record in a state that does not allow it:
	// a draft session has no QR code yet; that 409 is accepted.)
	return http.StatusOK
}

// attack tries every route with :org as the attacker against organisation
// orgOf with the ids of records, compares each answer with the expected
// status and with the answer for an organisation or record that does not
// exist, and checks after every route that neither organisation changed.
func attack(t *testing.T, e *env, a *attacker, routes []orgRoute, orgOf, records *tenant, watch ...*tenant) int {
	t.Helper()
	foreignID := orgOf != records
	role := a.roles[orgOf.orgID]
	before := make([]string, len(watch))
	for i, w := range watch {
		before[i] = snapshot(t, e.store, w.orgID)
	}
	n := 0
	for _, r := range routes {
		want := expect(role, r, foreignID)
		if want == 0 {
			continue
		}
		body := tenancyResources[r.resource].body(records, r.action)
		paths := r.urls(orgOf.orgID, records)
		// The same request for something that does not exist.
		control := r.urls(orgOf.orgID, missing)[0]
		if role == "" {
			control = r.urls(missing.orgID, missing)[0]
		}
		if len(paths) == 0 {
			t.Errorf("%s: %s %s: no ids to try", a.name, r.method, r.path)
		}
		var ctl *page
		// A keyed route tells a real record with a wrong key (403) from a
		// missing one (404) by design; the ids are 128 random bits.
		if want >= 400 && !(tenancyResources[r.resource].keyed[r.action] && !foreignID) {
			ctl = a.try(r, control, tenancyResources[r.resource].body(missing, r.action))
		}
		for _, p := range paths {
			got := a.try(r, p, body)
			n++
			if want == http.StatusOK && got.status == http.StatusConflict {
				continue
			}
			if got.status != want {
				t.Errorf("%s: %s %s = %d, want %d (body %.200q)", a.name, r.method, p, got.status, want, got.body)
				continue
			}
			if ctl != nil && (ctl.status != got.status || errorCode(got) != errorCode(ctl)) {
				t.Errorf("%s: %s %s = %d %q, but for something that does not exist (%s) %d %q",
					a.name, r.method, p, got.status, errorCode(got), control, ctl.status, errorCode(ctl))
			}
		}
		if r.writes() {
			unchanged(t, e, before, watch, a.name+": "+r.method+" "+r.path)
		}
	}
	unchanged(t, e, before, watch, a.name+": reading")
	return n
}

// unchanged fails the test if an organisation's snapshot differs from
// before.
func unchanged(t *testing.T, e *env, before []string, watch []*tenant, what string) {
	t.Helper()
	for i, w := range watch {
		if after := snapshot(t, e.store, w.orgID); after != before[i] {
			t.Fatalf("%s changed organisation %s:\nbefore %s\nafter  %s", what, w.orgID, before[i], after)
		}
	}
}

// errorCode returns the code of an API error body, or "" for pages.
func errorCode(p *page) string {
	var eb struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(p.body), &eb)
	return eb.Error.Code
}

// snapshot returns everything the store holds about an organisation, and
// the number of organisations and accounts, as JSON.
func snapshot(t *testing.T, st *store.Store, orgID string) string {
	t.Helper()
	ctx := context.Background()
	o, err := st.Organisation(ctx, orgID)
	if err != nil {
		t.Fatalf("snapshot %s: %v", orgID, err)
	}
	ns, err := st.Neighbourhoods(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := st.Venues(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := st.StaffOf(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := st.Sessions(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.Organisations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nstaff, err := st.CountStaff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	topics, err := st.Topics(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := st.ReviewSettings(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	var cs []model.Contribution
	for _, s := range ls {
		c, err := st.ContributionsOf(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c...)
	}
	b, err := json.Marshal(map[string]any{"org": o, "neighbourhoods": ns, "venues": vs, "staff": ss,
		"sessions": ls, "organisations": len(all), "accounts": nstaff,
		"topics": topics, "review_settings": rs, "contributions": cs})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTenancyEveryRoute is the cross-organisation attack: an admin of a
// second organisation (not a platform admin), and the demo reviewer and
// intermediary, try every route with :org with the other organisation's
// ids, in both directions and mixed.
func TestTenancyEveryRoute(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	root := e.api("admin") // a platform admin: creates the second organisation

	o, err := root.CreateOrg(ctx, "Gemeente Andersdorp")
	if err != nil {
		t.Fatal(err)
	}
	const otherEmail, otherPassword = "beheer@andersdorp.example", "andersdorp is ook een mooie plek"
	ns, err := root.CreateStaff(ctx, o.ID, otherEmail, "Olga Anders", "admin")
	if err != nil {
		t.Fatal(err)
	}
	oc := apiclient.New(e.url)
	if _, err := oc.Login(ctx, otherEmail, ns.Password); err != nil {
		t.Fatal(err)
	}
	if err := oc.ChangePassword(ctx, ns.Password, otherPassword); err != nil {
		t.Fatal(err)
	}
	me, err := oc.Me(ctx)
	if err != nil || me.Staff.PlatformAdmin || len(me.Staff.Memberships) != 1 {
		t.Fatalf("the second admin must be an admin of one organisation only: %+v %v", me, err)
	}

	// The second organisation gets records of every kind, so the reverse
	// direction is tried with real ids too.
	other := &tenant{orgID: o.ID}
	d, err := oc.CreateNeighbourhood(ctx, o.ID, apiclient.Neighbourhood{Level: "district", Name: "Centrum"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := oc.CreateNeighbourhood(ctx, o.ID, apiclient.Neighbourhood{Level: "wijk", Name: "Oude Haven", ParentID: d.ID})
	if err != nil {
		t.Fatal(err)
	}
	b, err := oc.CreateNeighbourhood(ctx, o.ID, apiclient.Neighbourhood{Level: "buurt", Name: "Kaaipad", ParentID: w.ID})
	if err != nil {
		t.Fatal(err)
	}
	v, err := oc.CreateVenue(ctx, o.ID, apiclient.Venue{Name: "Huiskamer Kaaipad", NeighbourhoodID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	om, err := oc.CreateStaff(ctx, o.ID, "werker@andersdorp.example", "Wim Werker", "intermediary")
	if err != nil {
		t.Fatal(err)
	}
	other.neighbourhoods = []string{d.ID, w.ID, b.ID}
	other.venues = []string{v.ID}
	other.staff = []string{me.Staff.ID, om.Staff.ID}
	other.wijk, other.buurt = w.ID, b.ID

	home := &tenant{orgID: demo.OrgID,
		neighbourhoods: []string{demo.DistrictID, demo.WijkID, demo.BuurtAID, demo.BuurtBID},
		venues:         []string{demo.VenueID}, wijk: demo.WijkID, buurt: demo.BuurtAID}
	for _, a := range demo.Accounts {
		home.staff = append(home.staff, a.ID)
	}
	// A live session in each: one still a draft, one open with a join code.
	projectors := map[string]string{} // by organisation: a projector link
	for _, c := range []struct {
		api *apiclient.Client
		tn  *tenant
	}{{root, home}, {oc, other}} {
		for i := range 2 {
			var ls struct {
				ID           string
				ProjectorURL string `json:"projector_url"`
			}
			if err := c.api.Do(ctx, http.MethodPost, "/api/v1/orgs/"+c.tn.orgID+"/sessions", sessionBody(c.tn), &ls); err != nil {
				t.Fatalf("create session: %v", err)
			}
			projectors[c.tn.orgID] = ls.ProjectorURL
			if i == 1 {
				if err := c.api.Do(ctx, http.MethodPost, "/api/v1/orgs/"+c.tn.orgID+"/sessions/"+ls.ID+"/open", nil, nil); err != nil {
					t.Fatalf("open session: %v", err)
				}
			}
			c.tn.sessions = append(c.tn.sessions, ls.ID)
		}
	}

	// Input and a topic in each (#7), written the way the live hub and a
	// reviewer would.
	setup := review.New(e.store, nil, 0)
	for _, tn := range []*tenant{home, other} {
		var cs []*model.Contribution
		for range 2 {
			id := store.NewID()[:24]
			cs = append(cs, &model.Contribution{ID: id, SessionID: tn.sessions[0], OrgID: tn.orgID, PromptID: "p",
				Kind: model.KindOpen, ParticipantID: "p-" + id, Answer: model.Answer{Text: "Meer bankjes"}, Lang: "nl",
				Moderation: model.ModApproved, CreatedAt: time.Now().UTC()})
			tn.contributions = append(tn.contributions, id)
		}
		if _, err := e.store.InsertContributions(ctx, cs); err != nil {
			t.Fatal(err)
		}
		tp, err := setup.Group(ctx, &model.Staff{ID: "setup", PlatformAdmin: true}, tn.orgID, review.TopicInput{
			Title: model.Text{"nl": "Bankjes"}, Theme: "housing", NeighbourhoodID: tn.buurt, Contributions: []string{cs[0].ID}})
		if err != nil {
			t.Fatal(err)
		}
		tn.topics = []string{tp.ID}
	}

	// The second admin sees only their own organisation in lists.
	orgs, err := oc.Orgs(ctx)
	if err != nil || len(orgs) != 1 || orgs[0].ID != o.ID {
		t.Fatalf("the second admin lists organisations: %+v %v", orgs, err)
	}

	routes := orgRoutes(t, e)
	var tried atomic.Int64
	// The attackers run side by side: none of them may change anything, so
	// a change is a failure whoever caused it, and the route and actor that
	// saw it are named.
	t.Run("attackers", func(t *testing.T) {
		t.Run("second admin against the demo organisation", func(t *testing.T) {
			t.Parallel()
			a := newAttacker(t, e, "second admin", otherEmail, otherPassword, map[string]model.Role{o.ID: model.RoleAdmin})
			tried.Add(int64(attack(t, e, a, routes, home, home, home, other)))
			// Mixed: their own organisation in the URL, the demo ids after it.
			tried.Add(int64(attack(t, e, a, routes, other, home, home, other)))
			refsInBodies(t, e, a, other, home)
		})
		for _, role := range []string{"reviewer", "intermediary"} {
			t.Run("demo "+role, func(t *testing.T) {
				t.Parallel()
				acc := e.accounts[role]
				a := newAttacker(t, e, "demo "+role, acc.Email, acc.Password, map[string]model.Role{demo.OrgID: acc.Role})
				// Against the second organisation, with its own ids.
				tried.Add(int64(attack(t, e, a, routes, other, other, home, other)))
				// Their own organisation with the second one's ids.
				tried.Add(int64(attack(t, e, a, routes, home, other, home, other)))
				// Their own organisation and ids: a role without the rights.
				tried.Add(int64(attack(t, e, a, routes, home, home, home, other)))
			})
		}
	})
	t.Logf("%d routes with :org, %d requests tried", len(routes), tried.Load())

	t.Run("projector links", func(t *testing.T) { projectorLinks(t, e, projectors, home, other) })
}

// projectorLinks: a projector link works with its own organisation, id and
// key. A wrong key for that session is refused (403); every other
// variation (another organisation, another session) is not found, exactly
// like a session that does not exist.
func projectorLinks(t *testing.T, e *env, links map[string]string, home, other *tenant) {
	u, err := url.Parse(links[home.orgID])
	if err != nil || u.Query().Get("key") == "" {
		t.Fatalf("projector link %q", links[home.orgID])
	}
	ou, _ := url.Parse(links[other.orgID])
	key, otherKey := u.Query().Get("key"), ou.Query().Get("key")
	id, otherID := strings.Split(u.Path, "/")[4], strings.Split(ou.Path, "/")[4]
	br := e.browser()
	if p := br.get(u.Path + "?key=" + url.QueryEscape(key)); p.status != http.StatusOK {
		t.Fatalf("the projector link itself: %d", p.status)
	}
	forbidden := br.get(u.Path + "?key=wrong")
	missing := br.get("/orgs/" + home.orgID + "/sessions/no-such-id/projector?key=" + key)
	if forbidden.status != http.StatusForbidden || missing.status != http.StatusNotFound {
		t.Fatalf("a wrong key: %d; no such session: %d", forbidden.status, missing.status)
	}
	for name, c := range map[string]struct {
		path string
		like *page
	}{
		"another session's key":       {u.Path + "?key=" + otherKey, forbidden},
		"no key":                      {u.Path, forbidden},
		"another organisation":        {"/orgs/" + other.orgID + "/sessions/" + id + "/projector?key=" + key, missing},
		"no such organisation":        {"/orgs/no-such-org/sessions/" + id + "/projector?key=" + key, missing},
		"another organisation's link": {"/orgs/" + home.orgID + "/sessions/" + otherID + "/projector?key=" + otherKey, missing},
	} {
		if p := br.get(c.path); p.status != c.like.status || p.body != c.like.body {
			t.Errorf("%s: %d, want %d", name, p.status, c.like.status)
		}
	}
}

// refsInBodies: creating a record in one's own organisation that points at
// another organisation's record is refused as if that record did not exist,
// and creates nothing anywhere.
func refsInBodies(t *testing.T, e *env, a *attacker, own, foreign *tenant) {
	t.Helper()
	before := []string{snapshot(t, e.store, own.orgID), snapshot(t, e.store, foreign.orgID)}
	cases := []struct {
		resource, field string
		page            bool
	}{{"neighbourhoods", "parent_id", true}, {"venues", "neighbourhood_id", true}, {"sessions", "neighbourhood_id", false}}
	for _, c := range cases {
		body := tenancyResources[c.resource].body(foreign, "")
		api := a.api.do(http.MethodPost, "/api/v1/orgs/"+own.orgID+"/"+c.resource, body)
		var eb struct {
			Error struct{ Code, Field string } `json:"error"`
		}
		_ = json.Unmarshal([]byte(api.body), &eb)
		if api.status != http.StatusBadRequest || eb.Error.Field != c.field {
			t.Errorf("API: new %s pointing into another organisation: %d %s", c.resource, api.status, api.body)
		}
		ghost := a.api.do(http.MethodPost, "/api/v1/orgs/"+own.orgID+"/"+c.resource, tenancyResources[c.resource].body(missing, ""))
		if ghost.status != api.status || ghost.body != api.body {
			t.Errorf("API: a foreign %s differs from a missing one: %s vs %s", c.field, api.body, ghost.body)
		}
		if !c.page {
			continue
		}
		if p := a.br.send(http.MethodPost, "/orgs/"+own.orgID+"/"+c.resource, formOf(a.csrf, body)); p.status != http.StatusBadRequest || !strings.Contains(p.body, "field-error") {
			t.Errorf("page: new %s pointing into another organisation: %d", c.resource, p.status)
		}
	}
	after := []string{snapshot(t, e.store, own.orgID), snapshot(t, e.store, foreign.orgID)}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("a refused request changed the store:\nbefore %v\nafter  %v", before, after)
	}
}

// TestTenancyRoutesAreDerived proves the attack covers new routes: the
// router's routes with :org and the ones the attack tries are the same set.
func TestTenancyRoutesAreDerived(t *testing.T) {
	e := start(t)
	var want []string
	for _, r := range e.srv.Fiber().GetRoutes(true) {
		if strings.Contains(r.Path, ":org") {
			want = append(want, r.Method+" "+r.Path)
		}
	}
	var got []string
	for _, r := range orgRoutes(t, e) {
		got = append(got, r.method+" "+r.path)
	}
	sort.Strings(want)
	sort.Strings(got)
	if !reflect.DeepEqual(want, got) {
		t.Errorf("routes with :org:\nrouter %v\ntried  %v", want, got)
	}
	// Every method the staff area uses is among them.
	methods := map[string]bool{}
	for _, g := range got {
		methods[strings.Fields(g)[0]] = true
	}
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE"} {
		if !methods[m] {
			t.Errorf("no %s route with :org tried", m)
		}
	}
}

// apiSession is a raw API session: the cookie in a jar and the CSRF token,
// so that any method and path can be sent, not only what apiclient offers.
type apiSession struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
	lang string
}

// apiLogin logs in through the API and fails the test if that fails.
func (e *env) apiLogin(email, password string) *apiSession {
	e.t.Helper()
	a := &apiSession{t: e.t, base: e.url, c: e.browser().c}
	p := a.do(http.MethodPost, "/api/v1/login", map[string]string{"email": email, "password": password})
	if p.status != http.StatusOK {
		e.t.Fatalf("API login %s: %d %s", email, p.status, p.body)
	}
	var lr struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal([]byte(p.body), &lr); err != nil || lr.CSRFToken == "" {
		e.t.Fatalf("API login %s: no CSRF token: %v", email, err)
	}
	a.csrf = lr.CSRFToken
	return a
}

// do sends a request with a JSON body (if in is not nil) and the session's
// CSRF token.
func (a *apiSession) do(method, path string, in any) *page {
	a.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			a.t.Fatal(err)
		}
		body = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	if a.lang != "" {
		req.Header.Set("Accept-Language", a.lang)
	}
	return doRequest(a.t, a.c, req)
}

func doRequest(t *testing.T, c *http.Client, req *http.Request) *page {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &page{status: resp.StatusCode, body: string(b), header: resp.Header, location: resp.Header.Get("Location")}
}

// send is a browser request with any method; a non-nil form is posted the
// way a browser posts it (urlencoded, with the server's own Origin).
func (b *browser) send(method, path string, form url.Values) *page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.base)
	}
	return b.do(req)
}
