package model

import "time"

// ParticipantInputs lists what one anonymous participant gave, across
// sessions, so that "my input" and the receipt page are a handful of _id
// reads instead of a scan of every contribution. The _id is the
// participant id (a hash of the participant token); the live group commit
// adds each stored contribution's id. Receipt is the short code handed out
// on a shared device, if one was made.
type ParticipantInputs struct {
	ID            string    `bson:"_id"`
	Contributions []string  `bson:"contributions"`
	Receipt       string    `bson:"receipt,omitempty"`
	UpdatedAt     time.Time `bson:"updated_at"`
}

// Receipt maps a short receipt code (the _id) to the participant whose
// input it shows. It carries no name and no device data. A printed slip
// (server/receipts) also names the organisation and session it was printed
// for; a device's receipt leaves both empty.
type Receipt struct {
	ID            string    `bson:"_id"`
	ParticipantID string    `bson:"participant_id"`
	OrgID         string    `bson:"org_id,omitempty"`
	SessionID     string    `bson:"session_id,omitempty"`
	CreatedAt     time.Time `bson:"created_at"`
}

// SlipBatch is one printed sheet of receipt slips, kept so the console can
// print the same sheet again (read by _id).
type SlipBatch struct {
	ID        string    `bson:"_id"`
	OrgID     string    `bson:"org_id"`
	SessionID string    `bson:"session_id"`
	Lang      string    `bson:"lang"` // of the text on the slips
	Codes     []string  `bson:"codes"`
	CreatedAt time.Time `bson:"created_at"`
}

// Profile answers, each optional. The values are fixed codes so that
// reports count them the same in every language; "" means not answered.
const (
	ProfileRatherNot = "none" // "rather not say", for every question
)

// ProfileAgeBands, ProfileSchools and ProfileFirstTime are the allowed
// answers of the voluntary profile, in the order they are shown.
var (
	ProfileAgeBands  = []string{"0_17", "18_29", "30_49", "50_66", "67_up", ProfileRatherNot}
	ProfileSchools   = []string{"primary", "vocational", "secondary", "higher", ProfileRatherNot}
	ProfileFirstTime = []string{"yes", "no", ProfileRatherNot}
)

// Profile is the voluntary profile a resident may give once per session,
// after the first answer. It is never linked to a name: the _id is the
// session id and a hash of session and participant, so one profile per
// person per session, and profiles of different sessions cannot be joined
// to each other. Reports count profiles per session from ProfileCounts.
type Profile struct {
	ID        string    `bson:"_id"` // session id + ":" + hash(session, participant)
	SessionID string    `bson:"session_id"`
	OrgID     string    `bson:"org_id"`
	AgeBand   string    `bson:"age_band,omitempty"`  // one of ProfileAgeBands
	HomeLang  string    `bson:"home_lang,omitempty"` // a language code, "other" or ProfileRatherNot
	School    string    `bson:"school,omitempty"`    // one of ProfileSchools
	FirstTime string    `bson:"first_time,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// ProfileCounts are the profile answers of one session, counted on write
// (collection profile_counts, _id = session id): Profiles is the number of
// profiles given, and each map counts the answers of one question by their
// code; a question left open counts nowhere. Reports read one document per
// session instead of scanning profiles.
type ProfileCounts struct {
	ID        string         `bson:"_id"`
	OrgID     string         `bson:"org_id"`
	Profiles  int            `bson:"profiles"`
	AgeBand   map[string]int `bson:"age_band"`
	HomeLang  map[string]int `bson:"home_lang"`
	School    map[string]int `bson:"school"`
	FirstTime map[string]int `bson:"first_time"`
	UpdatedAt time.Time      `bson:"updated_at"`
}
