package model

import "time"

// SessionState is where a live session is in its life.
type SessionState string

// The states, in order. A session is prepared as a draft, opened so
// residents can join and wait, run with one current prompt at a time when
// led by an intermediary, and closed for good.
const (
	StateDraft   SessionState = "draft"
	StateOpen    SessionState = "open"
	StateRunning SessionState = "running"
	StateClosed  SessionState = "closed"
)

// Moderation decides when residents' free input becomes visible to the room.
type Moderation string

// Pre: nothing reaches the projector or other residents until approved.
// Post: shown at once, removable.
const (
	ModerationPre  Moderation = "pre"
	ModerationPost Moderation = "post"
)

// Pace decides who moves through the prompts.
type Pace string

// Led: everyone sees the prompt the intermediary chose. Self: each resident
// moves alone (an unattended tablet over several days).
const (
	PaceLed  Pace = "led"
	PaceSelf Pace = "self"
)

// PromptKind is the kind of question.
type PromptKind string

// The prompt kinds.
const (
	KindFaces    PromptKind = "faces"    // five faces, very bad … very good
	KindThemes   PromptKind = "themes"   // the six themes plus "something else"
	KindPicture  PromptKind = "picture"  // options with a pictogram or photo and a label
	KindOpen     PromptKind = "open"     // voice, photo or text
	KindDots     PromptKind = "dots"     // spread N dots over items approved earlier
	KindFeedback PromptKind = "feedback" // the municipality's responses for this neighbourhood
)

// PromptKinds lists every kind.
var PromptKinds = []PromptKind{KindFaces, KindThemes, KindPicture, KindOpen, KindDots, KindFeedback}

// Text is content written by a person, with a variant per language code.
type Text map[string]string

// Option is one choice of a picture-choice prompt (or a theme).
type Option struct {
	ID        string `bson:"id" json:"id"`
	Label     Text   `bson:"label" json:"label"`
	Pictogram string `bson:"pictogram,omitempty" json:"pictogram,omitempty"`
}

// Prompt is one question of a session.
type Prompt struct {
	ID       string     `bson:"id" json:"id"`
	Kind     PromptKind `bson:"kind" json:"kind"`
	Text     Text       `bson:"text" json:"text"`
	Options  []Option   `bson:"options,omitempty" json:"options,omitempty"`
	Multiple bool       `bson:"multiple,omitempty" json:"multiple,omitempty"` // themes: more than one
	Allow    []string   `bson:"allow,omitempty" json:"allow,omitempty"`       // open: voice, photo, text
	Dots     int        `bson:"dots,omitempty" json:"dots,omitempty"`         // dots per resident
	// Audio holds recordings of the prompt read aloud by a person: language
	// code (any BCP 47-like code, spoken-only languages such as tzm or ary
	// included) → media id. Residents fetch them by session, prompt and
	// language; only sessions.Service changes this map.
	Audio map[string]string `bson:"audio,omitempty" json:"audio,omitempty"`
}

// Session is a live session in a neighbourhood and venue.
type Session struct {
	ID              string       `bson:"_id" json:"id"`
	OrgID           string       `bson:"org_id" json:"org_id"`
	NeighbourhoodID string       `bson:"neighbourhood_id" json:"neighbourhood_id"`
	VenueID         string       `bson:"venue_id,omitempty" json:"venue_id,omitempty"`
	Title           string       `bson:"title" json:"title"`
	Languages       []string     `bson:"languages" json:"languages"`
	Moderation      Moderation   `bson:"moderation" json:"moderation"`
	Pace            Pace         `bson:"pace" json:"pace"`
	State           SessionState `bson:"state" json:"state"`
	Prompts         []Prompt     `bson:"prompts" json:"prompts"`
	// Current is the index of the prompt everyone sees when led; -1 before
	// the first.
	Current int `bson:"current" json:"current"`
	// Code is the 6-digit join code while open or running.
	Code string `bson:"code,omitempty" json:"code,omitempty"`
	// ProjectorKey is the secret of the read-only projector link.
	ProjectorKey string    `bson:"projector_key" json:"-"`
	CreatedBy    string    `bson:"created_by" json:"created_by"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at" json:"updated_at"`
	// Version increases with every change, so an edit based on an old copy
	// is refused instead of silently undoing someone else's change.
	Version int `bson:"version" json:"version"`
}

// CurrentPrompt returns the current prompt, or nil.
func (s *Session) CurrentPrompt() *Prompt {
	if s.Current < 0 || s.Current >= len(s.Prompts) {
		return nil
	}
	return &s.Prompts[s.Current]
}

// PromptByID returns a prompt of the session, or nil.
func (s *Session) PromptByID(id string) *Prompt {
	for i := range s.Prompts {
		if s.Prompts[i].ID == id {
			return &s.Prompts[i]
		}
	}
	return nil
}

// ModerationState is where a contribution is in moderation.
type ModerationState string

// Approved input is shown to the room; pending waits for an intermediary;
// rejected is never shown (and kept only for the moderation record).
const (
	ModPending  ModerationState = "pending"
	ModApproved ModerationState = "approved"
	ModRejected ModerationState = "rejected"
)

// Answer is what a resident gave to one prompt. Only the fields of the
// prompt's kind are set.
type Answer struct {
	Face    int            `bson:"face,omitempty" json:"face,omitempty"`       // 1..5
	Options []string       `bson:"options,omitempty" json:"options,omitempty"` // themes, picture
	Text    string         `bson:"text,omitempty" json:"text,omitempty"`       // open
	MediaID string         `bson:"media_id,omitempty" json:"media_id,omitempty"`
	Dots    map[string]int `bson:"dots,omitempty" json:"dots,omitempty"` // item id → dots
	// MediaKind is "voice" or "photo" when MediaID is set, taken from the
	// stored file, never from the client.
	MediaKind string `bson:"media_kind,omitempty" json:"media_kind,omitempty"`
}

// Contribution is one answer of one participant to one prompt. Its _id is
// derived from session, participant and the client's submission id, so a
// repeated submission is the same document and is never stored twice.
type Contribution struct {
	ID            string          `bson:"_id" json:"id"`
	SessionID     string          `bson:"session_id" json:"session_id"`
	OrgID         string          `bson:"org_id" json:"-"`
	PromptID      string          `bson:"prompt_id" json:"prompt_id"`
	Kind          PromptKind      `bson:"kind" json:"kind"`
	ParticipantID string          `bson:"participant_id" json:"-"`
	Answer        Answer          `bson:"answer" json:"answer"`
	Lang          string          `bson:"lang" json:"lang"`
	Assisted      bool            `bson:"assisted,omitempty" json:"assisted,omitempty"` // entered by an intermediary
	Moderation    ModerationState `bson:"moderation" json:"moderation"`
	CreatedAt     time.Time       `bson:"created_at" json:"created_at"`
	// What the moderation library and moderators decided (#6, see
	// moderation.go). Redacted is the text the room sees when personal data
	// or insults were masked; Answer.Text keeps what the resident wrote,
	// for staff and the author. ModReasons are the library's reason codes;
	// Similar are near-identical earlier input of others (merge candidates).
	Redacted    string   `bson:"redacted,omitempty" json:"redacted,omitempty"`
	ModReasons  []string `bson:"mod_reasons,omitempty" json:"mod_reasons,omitempty"`
	HideReason  string   `bson:"hide_reason,omitempty" json:"hide_reason,omitempty"`
	Theme       string   `bson:"theme,omitempty" json:"theme,omitempty"`
	DuplicateOf string   `bson:"duplicate_of,omitempty" json:"duplicate_of,omitempty"`
	Similar     []string `bson:"similar,omitempty" json:"similar,omitempty"`
	// MediaDeletedAt is when the retention purge deleted the answer's voice
	// note or photo: pages then say so instead of showing a broken player.
	MediaDeletedAt *time.Time `bson:"media_deleted_at,omitempty" json:"media_deleted_at,omitempty"`
	// TextRemovedAt is when the organisation's answer retention removed
	// what the resident wrote (and staff's transcripts and translations).
	TextRemovedAt *time.Time `bson:"text_removed_at,omitempty" json:"text_removed_at,omitempty"`
	// TopicID is the reviewers' topic this input is grouped in (#7), so
	// "my input" finds the municipality's response with one _id read.
	TopicID string `bson:"topic_id,omitempty" json:"topic_id,omitempty"`
	// Notes are transcripts and translations staff added by hand; Answer
	// stays as the resident gave it.
	Notes *ContributionNotes `bson:"notes,omitempty" json:"notes,omitempty"`
}

// LiveEvent is one event of a session's stream as the shared bus stores
// it, so that several server instances can serve one session. The _id is
// the session id and the zero-padded seq: every read is an _id lookup.
type LiveEvent struct {
	ID      string    `bson:"_id"`
	Session string    `bson:"session"`
	Epoch   string    `bson:"epoch"`
	Seq     uint64    `bson:"seq"`
	Type    string    `bson:"type"`
	Data    []byte    `bson:"data"`
	At      time.Time `bson:"at"`
}
