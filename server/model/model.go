// Package model holds the plain data types of buurtstem: what the domain
// packages reason about and what the store persists. It imports nothing
// beyond the standard library so every layer can share it; the bson tags are
// the only trace of the storage format and live here so that a document's
// shape is visible next to its meaning.
package model

import "time"

// Organisation is a municipality (or another body) that owns neighbourhoods,
// venues, staff and everything residents give in its sessions. It is the unit
// of tenancy: nothing crosses from one organisation to another.
type Organisation struct {
	ID        string    `bson:"_id" json:"id"`
	Name      string    `bson:"name" json:"name"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	// MediaRetentionMonths is how long residents' voice notes and photos
	// are kept, 1 to 12 months; 0 means the server's -media-retention.
	MediaRetentionMonths int `bson:"media_retention_months,omitempty" json:"media_retention_months,omitempty"`
	// AnswerRetentionMonths is how long the text of residents' answers
	// (what they typed, and transcripts and translations of it) is kept;
	// 0 keeps it. What was chosen, rated or counted stays, so reports do
	// not change.
	AnswerRetentionMonths int `bson:"answer_retention_months,omitempty" json:"answer_retention_months,omitempty"`
	// TextsClearedBefore is how far the answer retention job has cleared
	// texts: each run starts here.
	TextsClearedBefore time.Time `bson:"texts_cleared_before,omitempty" json:"-"`
}

// RetentionMonth is the unit of the retention settings: a twelfth of a
// year, so that 12 months is 8760h.
const RetentionMonth = 730 * time.Hour

// Level is the scale of a neighbourhood in the hierarchy residents recognise.
type Level string

// The three levels, from large to small. A buurt sits in a wijk, a wijk in a
// district; a district has no parent.
const (
	LevelDistrict Level = "district"
	LevelWijk     Level = "wijk"
	LevelBuurt    Level = "buurt"
)

// Levels lists the levels from large to small.
var Levels = []Level{LevelDistrict, LevelWijk, LevelBuurt}

// ParentLevel returns the level a neighbourhood of level l must sit in, or ""
// for a district.
func (l Level) ParentLevel() Level {
	switch l {
	case LevelWijk:
		return LevelDistrict
	case LevelBuurt:
		return LevelWijk
	}
	return ""
}

// Valid reports whether l is one of the three levels.
func (l Level) Valid() bool {
	return l == LevelDistrict || l == LevelWijk || l == LevelBuurt
}

// Neighbourhood is a district, wijk or buurt of an organisation. CBSCode is
// the optional code of Statistics Netherlands (e.g. "BU03630001"), so reports
// can be joined with official figures.
type Neighbourhood struct {
	ID        string    `bson:"_id" json:"id"`
	OrgID     string    `bson:"org_id" json:"org_id"`
	ParentID  string    `bson:"parent_id,omitempty" json:"parent_id,omitempty"`
	Level     Level     `bson:"level" json:"level"`
	Name      string    `bson:"name" json:"name"`
	CBSCode   string    `bson:"cbs_code,omitempty" json:"cbs_code,omitempty"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
}

// Venue is a place where sessions happen: a community centre, a library, a
// neighbourhood living room.
type Venue struct {
	ID              string    `bson:"_id" json:"id"`
	OrgID           string    `bson:"org_id" json:"org_id"`
	NeighbourhoodID string    `bson:"neighbourhood_id" json:"neighbourhood_id"`
	Name            string    `bson:"name" json:"name"`
	Address         string    `bson:"address,omitempty" json:"address,omitempty"`
	CreatedAt       time.Time `bson:"created_at" json:"created_at"`
}

// Role is what a staff member may do within one organisation.
type Role string

// The staff roles. Admins manage the organisation; reviewers read and answer
// residents' input for the municipality; intermediaries run sessions.
const (
	RoleAdmin        Role = "admin"
	RoleReviewer     Role = "reviewer"
	RoleIntermediary Role = "intermediary"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleReviewer, RoleIntermediary}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleReviewer || r == RoleIntermediary
}

// Membership gives a staff member a role in one organisation.
type Membership struct {
	OrgID string `bson:"org_id" json:"org_id"`
	Role  Role   `bson:"role" json:"role"`
}

// Staff is an account of a person who works with buurtstem. Residents never
// have accounts.
type Staff struct {
	ID    string `bson:"_id"`
	Email string `bson:"email"` // lower-cased; unique
	Name  string `bson:"name"`
	// PasswordHash is a PHC-formatted argon2id hash.
	PasswordHash string `bson:"password_hash"`
	// PlatformAdmin may create organisations and manage every one of them.
	// Only the account made at first start has it.
	PlatformAdmin bool         `bson:"platform_admin,omitempty"`
	Memberships   []Membership `bson:"memberships"`
	// MustChangePassword is set for passwords that someone else has seen
	// (printed at first start or handed out by an admin).
	MustChangePassword bool      `bson:"must_change_password,omitempty"`
	Disabled           bool      `bson:"disabled,omitempty"`
	CreatedAt          time.Time `bson:"created_at"`
}

// RoleIn returns the staff member's role in org, or "" if they have none.
func (s *Staff) RoleIn(orgID string) Role {
	for _, m := range s.Memberships {
		if m.OrgID == orgID {
			return m.Role
		}
	}
	return ""
}

// StaffSession is a logged-in browser. The _id is a SHA-256 of the cookie
// token, so a copy of the database does not hand out live sessions.
type StaffSession struct {
	ID         string    `bson:"_id"`
	StaffID    string    `bson:"staff_id"`
	CSRFToken  string    `bson:"csrf_token"`
	CreatedAt  time.Time `bson:"created_at"`
	LastSeenAt time.Time `bson:"last_seen_at"`
}

// LoginThrottle counts failed logins for one e-mail address, whether or not
// an account exists for it, so the throttle itself does not reveal accounts.
// The _id is a SHA-256 of the lower-cased address.
type LoginThrottle struct {
	ID          string    `bson:"_id"`
	Failures    int       `bson:"failures"`
	LockedUntil time.Time `bson:"locked_until"`
	UpdatedAt   time.Time `bson:"updated_at"`
}
