package model

import "time"

// TopicStatus is how far the municipality is with a topic: the answer
// residents hear back.
type TopicStatus string

// The statuses, in the order a topic usually moves through them. NotPossible
// may follow any of them and always comes with a reason.
const (
	TopicReceived    TopicStatus = "received"     // we have read it
	TopicLooking     TopicStatus = "looking"      // we are looking into it
	TopicPlanned     TopicStatus = "planned"      // it will happen, in ExpectedMonth
	TopicDone        TopicStatus = "done"         // it was done
	TopicNotPossible TopicStatus = "not_possible" // it cannot be done, because Reason
)

// TopicStatuses lists every status in order.
var TopicStatuses = []TopicStatus{TopicReceived, TopicLooking, TopicPlanned, TopicDone, TopicNotPossible}

// Valid reports whether s is a known status.
func (s TopicStatus) Valid() bool {
	for _, v := range TopicStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// TopicItem is one contribution grouped in a topic, with what the reports,
// the board and the live push need of it, so none of them has to read the
// contribution again. ParticipantID is used only to reach the resident's
// own devices and is never shown.
type TopicItem struct {
	ContributionID string     `bson:"id" json:"id"`
	SessionID      string     `bson:"session_id" json:"session_id"`
	Kind           PromptKind `bson:"kind" json:"kind"`
	ParticipantID  string     `bson:"participant_id" json:"-"`
	// Approved is the moderation state when the item was grouped: the
	// public board counts approved input only.
	Approved  bool      `bson:"approved" json:"approved"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
}

// Response is one published answer of the municipality on a topic. Text is
// short plain language per language (Dutch is required: the others fall
// back to it); Reason explains a TopicNotPossible; ExpectedMonth
// ("2026-09") goes with TopicPlanned.
type Response struct {
	Status        TopicStatus `bson:"status" json:"status"`
	ExpectedMonth string      `bson:"expected_month,omitempty" json:"expected_month,omitempty"`
	Text          Text        `bson:"text" json:"text"`
	Reason        Text        `bson:"reason,omitempty" json:"reason,omitempty"`
	PhotoID       string      `bson:"photo_id,omitempty" json:"photo_id,omitempty"`
	By            string      `bson:"by" json:"-"`
	At            time.Time   `bson:"at" json:"at"`
}

// TopicChange is one entry of a topic's history. Nothing about a topic is
// changed without one, so a reviewer can always see who said what when.
type TopicChange struct {
	At       time.Time `bson:"at" json:"at"`
	By       string    `bson:"by" json:"-"`
	Action   string    `bson:"action" json:"action"` // created, added, removed, edited, responded
	Items    []string  `bson:"items,omitempty" json:"items,omitempty"`
	Title    Text      `bson:"title,omitempty" json:"title,omitempty"`
	Response *Response `bson:"response,omitempty" json:"response,omitempty"`
}

// Topic groups residents' contributions about one matter, so the
// municipality answers the matter once and every resident who raised it
// hears the answer.
type Topic struct {
	ID              string `bson:"_id" json:"id"`
	OrgID           string `bson:"org_id" json:"-"`
	NeighbourhoodID string `bson:"neighbourhood_id" json:"neighbourhood_id"`
	Theme           string `bson:"theme" json:"theme"`
	// Title says in a few plain words what residents raised ("More light
	// in the park"), per language; residents see it on the board.
	Title Text        `bson:"title" json:"title"`
	Items []TopicItem `bson:"items" json:"items"`
	// Response is the latest published answer; nil until the first.
	Response        *Response     `bson:"response,omitempty" json:"response,omitempty"`
	FirstResponseAt *time.Time    `bson:"first_response_at,omitempty" json:"first_response_at,omitempty"`
	History         []TopicChange `bson:"history" json:"history"`
	CreatedBy       string        `bson:"created_by" json:"-"`
	CreatedAt       time.Time     `bson:"created_at" json:"created_at"`
	UpdatedAt       time.Time     `bson:"updated_at" json:"updated_at"`
	// Version increases with every change; an edit based on an old copy is
	// refused.
	Version int `bson:"version" json:"version"`
}

// Oldest returns when the oldest grouped contribution was given, or the
// topic's creation if it holds none: the start of the wait for an answer.
func (t *Topic) Oldest() time.Time {
	o := t.CreatedAt
	for _, it := range t.Items {
		if it.CreatedAt.Before(o) {
			o = it.CreatedAt
		}
	}
	return o
}

// Note is a transcript or translation typed by a reviewer or intermediary,
// or a translation one of them had made by machine (Machine).
type Note struct {
	Text string    `bson:"text" json:"text"`
	By   string    `bson:"by" json:"-"`
	At   time.Time `bson:"at" json:"at"`
	// Machine names the service of a machine translation (its host),
	// asked for by By; empty when a person typed the note.
	Machine string `bson:"machine,omitempty" json:"machine,omitempty"`
}

// ContributionNotes are what staff add to a contribution: a transcript of
// a voice note and translations by language. The resident's
// answer itself is never changed.
type ContributionNotes struct {
	Transcript   *Note           `bson:"transcript,omitempty" json:"transcript,omitempty"`
	Translations map[string]Note `bson:"translations,omitempty" json:"translations,omitempty"`
}

// InboxChunk describes one chunk of an organisation's inbox index: up to a
// fixed number of compact entries of one session, written by one server
// process (Writer), so no two processes ever write the same document. The
// entries themselves are in a separate document with the same _id, so that
// listing chunks reads only these small descriptions.
type InboxChunk struct {
	ID              string    `bson:"_id"`
	OrgID           string    `bson:"org_id"`
	SessionID       string    `bson:"session_id"`
	NeighbourhoodID string    `bson:"neighbourhood_id"`
	Writer          string    `bson:"writer"`
	Count           int       `bson:"count"`
	Full            bool      `bson:"full"`
	First           time.Time `bson:"first"`
	Last            time.Time `bson:"last"`
}

// InboxMark is a later change to an inbox entry: a moderator's decision or
// the topic it was grouped in. Marks of several processes are merged by
// time, the newest wins.
type InboxMark struct {
	Value string    `bson:"v"`
	At    time.Time `bson:"at"`
}

// InboxMarks are the marks one process wrote for one session's
// contributions (_id = session id + ":" + writer).
type InboxMarks struct {
	ID         string               `bson:"_id"`
	OrgID      string               `bson:"org_id"`
	SessionID  string               `bson:"session_id"`
	Moderation map[string]InboxMark `bson:"m"`
	Topic      map[string]InboxMark `bson:"t"`
}

// ReportDay counts one session's contributions of one day (in the
// organisation's time zone), written by one process: _id = session id,
// day and writer. Reports add these up instead of reading contributions.
type ReportDay struct {
	ID              string         `bson:"_id"`
	OrgID           string         `bson:"org_id"`
	SessionID       string         `bson:"session_id"`
	NeighbourhoodID string         `bson:"neighbourhood_id"`
	Day             string         `bson:"day"` // 2006-01-02
	Contributions   int            `bson:"n"`
	Kinds           map[string]int `bson:"kind"`
	Themes          map[string]int `bson:"theme"`
	Faces           map[string]int `bson:"face"`
	Langs           map[string]int `bson:"lang"`
	// Participants maps each participant of the day to the language they
	// answered in: distinct residents across sessions and days are
	// counted from it, without storing anything else about them.
	Participants map[string]string `bson:"p"`
}

// ReviewSettings are an organisation's review rules.
type ReviewSettings struct {
	ID string `bson:"_id"` // the organisation id
	// OverdueDays: a topic without a response this many days after its
	// oldest input is overdue.
	OverdueDays int       `bson:"overdue_days"`
	UpdatedAt   time.Time `bson:"updated_at"`
}
