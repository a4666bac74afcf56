package web

import (
	"github.com/buurtstem/buurtstem/server/model"
)

// LoginPage is the data of login.html.
type LoginPage struct {
	Page
	Email string
	Error string
	Next  string // where to go after login; checked by safeNext
}

// PasswordPage is the data of password.html.
type PasswordPage struct {
	Page
	Form
	MinLength int
}

// HomePage is the data of home.html.
type HomePage struct {
	Page
	Form
	Orgs []model.Organisation
}

// RoleIn returns the staff member's role in an organisation.
func (p *HomePage) RoleIn(orgID string) model.Role { return p.Staff.RoleIn(orgID) }

// TreeNode is a neighbourhood with its depth in the hierarchy.
type TreeNode struct {
	N     model.Neighbourhood
	Depth int
}

// OrgPage is the data of org.html and of the edit pages of what belongs to
// an organisation, which share its forms.
type OrgPage struct {
	Page
	Form
	Org       *model.Organisation
	CanManage bool
	Tree      []TreeNode
	Parents   []model.Neighbourhood // districts and wijken
	Venues    []model.Venue
	StaffList []model.Staff
	Levels    []model.Level
	Roles     []model.Role

	Neighbourhood *model.Neighbourhood // neighbourhood_edit.html
	Venue         *model.Venue         // venue_edit.html
	Member        *model.Staff         // staff_edit.html, staff_password.html
	Password      string               // staff_password.html
}

// NeighbourhoodName returns the name of a neighbourhood in the tree.
func (p *OrgPage) NeighbourhoodName(id string) string {
	for _, n := range p.Tree {
		if n.N.ID == id {
			return n.N.Name
		}
	}
	return ""
}

// ErrorPage is the data of error.html.
type ErrorPage struct {
	Page
	Heading    string
	Message    string
	RetryAfter int
}

// buildTree orders neighbourhoods as a tree: each district followed by its
// wijken, each wijk by its buurten, siblings by name (the input is sorted by
// name). Orphans, which the admin rules prevent, are listed at the end.
func buildTree(all []model.Neighbourhood) []TreeNode {
	children := map[string][]model.Neighbourhood{}
	for _, n := range all {
		children[n.ParentID] = append(children[n.ParentID], n)
	}
	out := make([]TreeNode, 0, len(all))
	seen := map[string]bool{}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, n := range children[parent] {
			if seen[n.ID] {
				continue
			}
			seen[n.ID] = true
			out = append(out, TreeNode{N: n, Depth: depth})
			walk(n.ID, depth+1)
		}
	}
	walk("", 0)
	for _, n := range all {
		if !seen[n.ID] {
			out = append(out, TreeNode{N: n})
		}
	}
	return out
}
