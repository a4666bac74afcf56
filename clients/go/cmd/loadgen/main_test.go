package main

import (
	"encoding/json"
	"testing"

	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
)

// TestIntField: the byte search finds what a JSON decoder finds, also
// when a prompt's text holds the key itself.
func TestIntField(t *testing.T) {
	for _, want := range []int{-1, 0, 7, 12345} {
		d := protocol.StateData{State: "running", Current: want, Prompt: &model.Prompt{ID: "p", Kind: model.KindFaces,
			Text: model.Text{"nl": `Wat vindt u? "current":99 {"current": 98}`}}}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := intField(b, `"current":`); !ok || got != want {
			t.Fatalf("intField(%s) = %d, %v; want %d", b, got, ok, want)
		}
	}
	if _, ok := intField([]byte(`{"state":"open"}`), `"current":`); ok {
		t.Fatal("found a current in a message without one")
	}
}
