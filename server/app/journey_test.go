package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/server/demo"
)

// TestAdminJourneyAPI: the demo admin builds a neighbourhood hierarchy, a
// venue and a staff account through the API; the new account must change
// its one-time password before it can do anything else.
func TestAdminJourneyAPI(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	c := e.api("admin")

	d, err := c.CreateNeighbourhood(ctx, demo.OrgID, apiclient.Neighbourhood{Level: "district", Name: "Zuid"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := c.CreateNeighbourhood(ctx, demo.OrgID, apiclient.Neighbourhood{Level: "wijk", Name: "Het Veld", ParentID: d.ID, CBSCode: "wk12345678"})
	if err != nil {
		t.Fatal(err)
	}
	if w.CBSCode != "WK12345678" {
		t.Errorf("CBS code not normalised: %q", w.CBSCode)
	}
	b, err := c.CreateNeighbourhood(ctx, demo.OrgID, apiclient.Neighbourhood{Level: "buurt", Name: "Veldhoek", ParentID: w.ID})
	if err != nil {
		t.Fatal(err)
	}
	// A buurt directly in a district is refused with the field named.
	_, err = c.CreateNeighbourhood(ctx, demo.OrgID, apiclient.Neighbourhood{Level: "buurt", Name: "Fout", ParentID: d.ID})
	if e, ok := err.(*apiclient.Error); !ok || e.Status != 400 || e.Field != "parent_id" || e.Message == "" {
		t.Fatalf("buurt in district: %v", err)
	}
	v, err := c.CreateVenue(ctx, demo.OrgID, apiclient.Venue{Name: "Wijkcentrum Het Veld", NeighbourhoodID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := c.Venues(ctx, demo.OrgID)
	if err != nil || len(vs) != 2 {
		t.Fatalf("venues: %v %v", vs, err)
	}
	// The district cannot go while the wijk is in it.
	err = c.Do(ctx, "DELETE", "/api/v1/orgs/"+demo.OrgID+"/neighbourhoods/"+d.ID, nil, nil)
	if statusOf(err) != 409 {
		t.Fatalf("delete non-empty district: %v", err)
	}
	if err := c.Do(ctx, "DELETE", "/api/v1/orgs/"+demo.OrgID+"/venues/"+v.ID, nil, nil); err != nil {
		t.Fatal(err)
	}

	ns, err := c.CreateStaff(ctx, demo.OrgID, "Nieuw@Example.org", "Nora Nieuw", "intermediary")
	if err != nil {
		t.Fatal(err)
	}
	if ns.Staff.Email != "nieuw@example.org" || len(ns.Password) < 20 || !ns.Staff.MustChangePassword {
		t.Fatalf("new staff: %+v", ns)
	}
	nc := apiclient.New(e.url)
	if _, err := nc.Login(ctx, "nieuw@example.org", ns.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Neighbourhoods(ctx, demo.OrgID); statusOf(err) != 403 {
		t.Fatalf("before changing the one-time password: %v", err)
	}
	if err := nc.ChangePassword(ctx, ns.Password, "short"); statusOf(err) != 400 {
		t.Fatalf("short password: %v", err)
	}
	if err := nc.ChangePassword(ctx, ns.Password, "een lange zin als wachtwoord"); err != nil {
		t.Fatal(err)
	}
	list, err := nc.Neighbourhoods(ctx, demo.OrgID)
	if err != nil || len(list) != 7 {
		t.Fatalf("intermediary sees neighbourhoods: %d %v", len(list), err)
	}
	// An intermediary may look but not change.
	if _, err := nc.CreateVenue(ctx, demo.OrgID, apiclient.Venue{Name: "X", NeighbourhoodID: b.ID}); statusOf(err) != 403 {
		t.Fatalf("intermediary creates venue: %v", err)
	}
}

// TestStaffPagesJourney clicks through the pages: login form, organisation
// page, adding a buurt with a mistake and then correctly, logout.
func TestStaffPagesJourney(t *testing.T) {
	e := start(t)
	br := e.browser()
	a := e.accounts["admin"]

	if p := br.login(a.Email, "wrong password"); p.status != 401 || !strings.Contains(p.body, "klopt niet") {
		t.Fatalf("wrong password: %d", p.status)
	}
	p := br.login(a.Email, a.Password)
	if p.status != 303 || p.location != "/staff" {
		t.Fatalf("login: %d %q", p.status, p.location)
	}
	home := br.get("/staff")
	if home.status != 200 || !strings.Contains(home.body, "Gemeente Voorbeeldstad") {
		t.Fatalf("home: %d", home.status)
	}
	org := br.get("/orgs/" + demo.OrgID)
	if org.status != 200 || !strings.Contains(org.body, "Lindenplein") || !strings.Contains(org.body, "Buurthuis De Linde") {
		t.Fatalf("org page: %d", org.status)
	}
	token := org.csrf(t)

	bad := br.post("/orgs/"+demo.OrgID+"/neighbourhoods", url.Values{"csrf": {token}, "name": {"Nieuwe buurt"}, "level": {"buurt"}, "cbs_code": {"XX1"}})
	if bad.status != 400 || !strings.Contains(bad.body, "Nieuwe buurt") || !strings.Contains(bad.body, "field-error") {
		t.Fatalf("bad form: %d; the typed name must stay and an error must show", bad.status)
	}
	ok := br.post("/orgs/"+demo.OrgID+"/neighbourhoods", url.Values{"csrf": {token}, "name": {"Nieuwe buurt"}, "level": {"buurt"}, "parent_id": {demo.WijkID}})
	if ok.status != 303 {
		t.Fatalf("good form: %d", ok.status)
	}
	after := br.get("/orgs/" + demo.OrgID)
	if !strings.Contains(after.body, "Nieuwe buurt") || !strings.Contains(after.body, `class="flash"`) {
		t.Fatal("new buurt or confirmation missing")
	}

	if out := br.post("/logout", url.Values{"csrf": {token}}); out.status != 303 {
		t.Fatalf("logout: %d", out.status)
	}
	if p := br.get("/staff"); p.status != 303 || !strings.HasPrefix(p.location, "/login") {
		t.Fatalf("after logout: %d %q", p.status, p.location)
	}
}

// TestRolesSeeWhatTheyMay: reviewer and intermediary log in with the demo
// passwords and see their organisation without the admin forms.
func TestRolesSeeWhatTheyMay(t *testing.T) {
	e := start(t)
	for _, role := range []string{"reviewer", "intermediary"} {
		br := e.browser()
		a := e.accounts[role]
		if p := br.login(a.Email, a.Password); p.status != 303 {
			t.Fatalf("%s login: %d", role, p.status)
		}
		home := br.get("/staff")
		if home.status != 303 || home.location != "/orgs/"+demo.OrgID {
			t.Fatalf("%s home should go to the one organisation: %d %q", role, home.status, home.location)
		}
		org := br.get(home.location)
		if org.status != 200 || !strings.Contains(org.body, "Rozenhof") {
			t.Fatalf("%s org page: %d", role, org.status)
		}
		if strings.Contains(org.body, "/staff\"") && strings.Contains(org.body, "name=\"role\"") {
			t.Errorf("%s sees the staff form", role)
		}
		if p := br.get("/orgs/" + demo.OrgID + "/staff/demo-admin"); p.status != 403 {
			t.Errorf("%s opens staff edit: %d", role, p.status)
		}
	}
}
