package model

import "time"

// Media kinds as stored.
const (
	MediaVoice  = "voice"  // a resident's voice note
	MediaPhoto  = "photo"  // a resident's photo
	MediaPrompt = "prompt" // a prompt read aloud by staff
	// MediaResult is a photo of a result, uploaded by a reviewer with a
	// response and public with it. The municipality's, not a resident's:
	// the residents' retention purge leaves it.
	MediaResult = "result"
)

// Media is a stored file: a resident's voice note or photo, or a prompt
// recording. Its bytes live in the store's file storage (GridFS) under the
// same id; ID is 128 random bits, so ids cannot be guessed.
type Media struct {
	ID        string `bson:"-" json:"id"`
	OrgID     string `bson:"org_id" json:"-"`
	SessionID string `bson:"session_id" json:"session_id"`
	// Participant is the anonymous participant id of the resident who
	// uploaded it (a hash, never an address); empty for prompt recordings.
	Participant string `bson:"participant,omitempty" json:"-"`
	Kind        string `bson:"kind" json:"kind"`
	ContentType string `bson:"content_type" json:"content_type"`
	Size        int64  `bson:"-" json:"bytes"`
	// DurationMS of a recording, when the file tells it.
	DurationMS int64     `bson:"duration_ms,omitempty" json:"duration_ms,omitempty"`
	CreatedAt  time.Time `bson:"created_at" json:"created_at"`
	// Contributions are the ids of the answers that use this file, so the
	// retention purge can mark them with _id reads instead of a scan.
	Contributions []string `bson:"contributions,omitempty" json:"-"`
}
