// Package protocol declares the live protocol of buurtstem: message types,
// their data, close codes and error codes. PROTOCOL.md beside this file
// describes the conversation. It imports nothing of the server, so the Go
// client and integrators can use it alone.
package protocol

import (
	"encoding/json"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
)

// ProtocolVersion is the version of the live protocol described in
// PROTOCOL.md. A client announces the version it speaks in hello; the
// server refuses others with CloseUnsupported.
const Version = 1

// Envelope is every message in both directions.
//
//	{"type": "submit", "id": "c-17", "data": {…}}
//	{"type": "state", "seq": 42, "data": {…}}
type Envelope struct {
	Type string          `json:"type"`
	ID   string          `json:"id,omitempty"`
	Seq  uint64          `json:"seq,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Client → server message types.
const (
	// TypeHello must be the first message: HelloData.
	TypeHello = "hello"
	// TypeSubmit is a resident's answer: SubmitData; ID is the client's
	// submission id (1–64 of A–Z a–z 0–9 _ -), unique per participant.
	TypeSubmit = "submit"
	// TypeControl moves the session (intermediary only): ControlData.
	TypeControl = "control"
	// TypeModerate is a moderator's decision on written input
	// (intermediary only): ModerateData.
	TypeModerate = "moderate"
	// TypeAssist enters an answer on behalf of a resident without a phone
	// (intermediary only): SubmitData; ID as for submit.
	TypeAssist = "assist"
	// TypePing asks for a pong; clients use it to measure the connection.
	TypePing = "ping"
)

// Server → client message types without seq (about this connection).
const (
	// TypeWelcome answers hello: WelcomeData.
	TypeWelcome = "welcome"
	// TypeSnapshot is the whole visible state: SnapshotData. Its seq is the
	// session's current seq; later events continue from it.
	TypeSnapshot = "snapshot"
	// TypeAck confirms a submission (same ID) once it is durable: AckData.
	TypeAck = "ack"
	// TypeError reports a refused message (same ID, if it had one):
	// ErrorData.
	TypeError = "error"
	// TypePong answers ping.
	TypePong = "pong"
	// TypeResults is the live tally of one prompt: ResultsData. It is
	// coalesced to at most 10 per second per session and carries no seq:
	// each one replaces the last.
	TypeResults = "results"
	// TypePresence is the number of connected residents: PresenceData; no
	// seq, each replaces the last.
	TypePresence = "presence"
	// TypeModeration tells the author, and only the author's own
	// connections, why their input is not shown as written:
	// ModerationNoticeData, translated into the connection's language.
	TypeModeration = "moderation"
)

// Server → client session events. They carry the session's seq, which
// increases by one per event of the session. A connection receives only the
// events its role may see, so it may observe gaps; that is normal.
const (
	// TypeState is a change of state or current prompt: StateData.
	TypeState = "state"
	// TypeContribution is new input, for intermediaries only:
	// ContributionData.
	TypeContribution = "contribution"
	// TypeWall adds or removes an approved written answer on the wall that
	// the room sees: WallData.
	TypeWall = "wall"
	// TypeFeedback is a response the municipality published on a topic:
	// FeedbackData. Residents whose input is in the topic get it in any
	// open session of the organisation, with Mine set; everyone in a
	// session of the topic's neighbourhood gets it too (the feedback round).
	// It is not replayed to the residents it names; "my input" keeps it.
	TypeFeedback = "feedback"
)

// Roles a connection can have.
const (
	RoleResident     = "resident"
	RoleIntermediary = "intermediary"
	RoleProjector    = "projector"
)

// HelloData opens the conversation. To resume, a client sends the epoch
// and seq of the last event it saw; the server replays what was missed or
// sends a snapshot when that is no longer possible (other epoch, too old).
type HelloData struct {
	Protocol int    `json:"protocol"`
	Epoch    string `json:"epoch,omitempty"`
	LastSeq  uint64 `json:"last_seq,omitempty"`
	Lang     string `json:"lang,omitempty"`
}

// WelcomeData answers hello.
type WelcomeData struct {
	Protocol int    `json:"protocol"`
	Role     string `json:"role"`
	Epoch    string `json:"epoch"`
	Seq      uint64 `json:"seq"`
	// Replay tells whether missed events follow (true) or a snapshot (false).
	Replay bool `json:"replay"`
	// Lang is the language the server uses for messages to this client.
	Lang string `json:"lang"`
}

// SubmitData is an answer to one prompt.
type SubmitData struct {
	PromptID string     `json:"prompt_id"`
	Answer   AnswerData `json:"answer"`
	// Lang is the language the resident answered in (for reviewers).
	Lang string `json:"lang,omitempty"`
	// Receipt is, in an assist only, the code of the printed slip the
	// resident holds: the answer is stored for the slip and shown on
	// /r/{code}. An unknown code is refused (invalid, field "receipt").
	Receipt string `json:"receipt,omitempty"`
}

// AnswerData is the answer; only the fields of the prompt's kind are used:
// face (1–5), options (ids of themes or picture options), text, dots
// (item id → number of dots).
type AnswerData struct {
	Face    int            `json:"face,omitempty"`
	Options []string       `json:"options,omitempty"`
	Text    string         `json:"text,omitempty"`
	MediaID string         `json:"media_id,omitempty"`
	Dots    map[string]int `json:"dots,omitempty"`
}

// AckData confirms a durable submission. Duplicate is true when the id had
// been acknowledged before and nothing new was written.
type AckData struct {
	ContributionID string `json:"contribution_id"`
	Duplicate      bool   `json:"duplicate,omitempty"`
	// LogID answers a moderate message that changed something: the audit
	// log entry of the decision, which "undo" names.
	LogID string `json:"log_id,omitempty"`
}

// ControlData moves a session. Actions: "goto" (to Index; -1 is the
// waiting screen), "next", "prev", "close".
type ControlData struct {
	Action string `json:"action"`
	Index  int    `json:"index,omitempty"`
}

// ModerateData is a moderator's decision on a written contribution.
// Decision is one of approve, hide (with Reason; "reject" is the same with
// reason "other"), escalate, theme (Theme, "" removes the tag), merge
// (Into: the contribution this one duplicates; "" separates it again),
// highlight, unhighlight, undo (LogID: the decision to undo).
type ModerateData struct {
	ContributionID string `json:"contribution_id"`
	Decision       string `json:"decision"`
	Reason         string `json:"reason,omitempty"`
	Note           string `json:"note,omitempty"`
	Theme          string `json:"theme,omitempty"`
	Into           string `json:"into,omitempty"`
	LogID          string `json:"log_id,omitempty"`
}

// ErrorData explains a refused message. Code is stable (see codes.go);
// Message is translated into the connection's language.
type ErrorData struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Reasons explain a moderation_rejected: why the text was not taken.
	Reasons []Reason `json:"reasons,omitempty"`
}

// Reason is one reason of the moderation library or of a moderator: a
// stable code ("pii.phone", "spam.flood", "hide.abuse") and its
// explanation in the connection's language, to show and read aloud.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ModerationNoticeData tells the author what happened to their written
// input: State is the moderation state (pending, approved, rejected,
// held, escalated); Masked is set when the room sees Shown (personal data
// or insults replaced) instead of the text as written; Message says it in
// one sentence and Reasons say why.
type ModerationNoticeData struct {
	ContributionID string   `json:"contribution_id"`
	PromptID       string   `json:"prompt_id"`
	State          string   `json:"state"`
	Masked         bool     `json:"masked,omitempty"`
	Shown          string   `json:"shown,omitempty"`
	Message        string   `json:"message"`
	Reasons        []Reason `json:"reasons,omitempty"`
}

// SessionView is a session as clients see it. Prompt texts carry every
// language variant, so one encoding serves every connection; clients pick
// their language with the fallback chain (chosen language, the session's
// first language, any).
type SessionView struct {
	ID         string         `json:"id"`
	Title      string         `json:"title"`
	State      string         `json:"state"`
	Pace       string         `json:"pace"`
	Moderation string         `json:"moderation"`
	Languages  []string       `json:"languages"`
	Current    int            `json:"current"`
	Prompts    []model.Prompt `json:"prompts"`
}

// StateData is a change of the session's state or current prompt.
type StateData struct {
	State   string        `json:"state"`
	Current int           `json:"current"`
	Prompt  *model.Prompt `json:"prompt,omitempty"`
	// Session is set when the prompts themselves changed (an edit).
	Session *SessionView `json:"session,omitempty"`
	// Feedback is set when the current prompt is a feedback round: the
	// published responses of the session's neighbourhood.
	Feedback []FeedbackItem `json:"feedback,omitempty"`
}

// SnapshotData is everything a connection of its role may see now.
type SnapshotData struct {
	Session      SessionView   `json:"session"`
	Results      []ResultsData `json:"results"`
	Wall         []WallItem    `json:"wall"`
	Participants int           `json:"participants"`
	// Pending is, for intermediaries, the written input that waits for a
	// person: pending, held and escalated.
	Pending []ContributionData `json:"pending,omitempty"`
	// Answered lists the prompt ids this participant has answered.
	Answered []string `json:"answered,omitempty"`
	// Feedback is set when the session has a feedback round: the published
	// responses of the session's neighbourhood, newest first.
	Feedback []FeedbackItem `json:"feedback,omitempty"`
}

// ResultsData is the live tally of a prompt: per face ("1"–"5"), option or
// dots item, and how many participants answered.
type ResultsData struct {
	PromptID string         `json:"prompt_id"`
	Kind     string         `json:"kind"`
	Answered int            `json:"answered"`
	Counts   map[string]int `json:"counts"`
	// SentAt is when the server sent this update (Unix milliseconds), so
	// clients and the load generator can see how fresh it is.
	SentAt int64 `json:"sent_at"`
}

// WallItem is an approved written answer shown to the room. Text is what
// the room may see: with personal data and insults masked.
type WallItem struct {
	ContributionID string `json:"contribution_id"`
	PromptID       string `json:"prompt_id"`
	Text           string `json:"text"`
	Lang           string `json:"lang,omitempty"`
	// Theme is the theme a moderator tagged it with.
	Theme string `json:"theme,omitempty"`
	// Merged is how many duplicates were merged into it.
	Merged int `json:"merged,omitempty"`
	// Highlighted: the projector shows it large. At most one item is; an
	// item that arrives highlighted ends the highlight of any other.
	Highlighted bool `json:"highlighted,omitempty"`
}

// WallData adds ("add"; an item already shown is replaced in place) or
// removes ("remove") a wall item. Into is set when the item was merged
// into another one or separated from it: the other item with its new
// Merged count, to replace.
//
// Items is set when written answers arrive faster than the room's pace
// (at most 10 wall messages a second): one "add" then carries all of them,
// in order, and Item is the first.
type WallData struct {
	Op    string     `json:"op"`
	Item  WallItem   `json:"item"`
	Items []WallItem `json:"items,omitempty"`
	Into  *WallItem  `json:"into,omitempty"`
}

// All returns the items the message adds or removes.
func (w WallData) All() []WallItem {
	if len(w.Items) > 0 {
		return w.Items
	}
	return []WallItem{w.Item}
}

// ContributionData is input as intermediaries see it, without anything
// that identifies the participant.
type ContributionData struct {
	ContributionID string       `json:"contribution_id"`
	PromptID       string       `json:"prompt_id"`
	Kind           string       `json:"kind"`
	Answer         model.Answer `json:"answer"`
	Lang           string       `json:"lang,omitempty"`
	Assisted       bool         `json:"assisted,omitempty"`
	Moderation     string       `json:"moderation"`
	CreatedAt      time.Time    `json:"created_at"`
	// Answer.Text is what the resident wrote; Redacted, when set, is what
	// the room sees instead. Reasons are the moderation library's codes.
	Redacted    string   `json:"redacted,omitempty"`
	Reasons     []string `json:"reasons,omitempty"`
	HideReason  string   `json:"hide_reason,omitempty"`
	Theme       string   `json:"theme,omitempty"`
	DuplicateOf string   `json:"duplicate_of,omitempty"`
	// Similar are near-identical input of other residents: merge
	// candidates.
	Similar     []string `json:"similar,omitempty"`
	Highlighted bool     `json:"highlighted,omitempty"`
	// LogID is the audit log entry of the decision that changed it, By
	// who made it: the console offers to undo it.
	LogID string `json:"log_id,omitempty"`
	By    string `json:"by,omitempty"`
}

// PresenceData is the number of residents connected to the session.
type PresenceData struct {
	Participants int `json:"participants"`
}

// FeedbackItem is a municipality's published response on a topic, as
// residents see it: texts carry every language (clients pick theirs, else
// Dutch) and nothing identifies a resident.
type FeedbackItem struct {
	TopicID         string     `json:"topic_id"`
	NeighbourhoodID string     `json:"neighbourhood_id"`
	Theme           string     `json:"theme"`
	Title           model.Text `json:"title"`
	// Status: received, looking, planned, done or not_possible.
	Status        string     `json:"status"`
	ExpectedMonth string     `json:"expected_month,omitempty"` // planned: "2026-09"
	Text          model.Text `json:"text"`
	Reason        model.Text `json:"reason,omitempty"` // not_possible
	PhotoID       string     `json:"photo_id,omitempty"`
	// Inputs is how many approved contributions the topic holds.
	Inputs int       `json:"inputs"`
	At     time.Time `json:"at"`
}

// FeedbackData is a feedback event. Mine lists the receiving resident's
// own contributions in the topic (empty for everyone else).
type FeedbackData struct {
	FeedbackItem
	Mine []string `json:"mine,omitempty"`
}
