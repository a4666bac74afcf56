package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/buurtstem/buurtstem/server/store/storetest"
)

// TestParticipantInputsAppend: "my input" lists grow by inserts only, keep
// their order, survive a recorder that forgot where each list ends (a
// restart), and list every id once.
func TestParticipantInputsAppend(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	next := map[string]int{}
	if err := st.AddInputs(ctx, map[string][]string{"p1": {"a", "b"}, "p2": {"x"}}, next); err != nil {
		t.Fatal(err)
	}
	if err := st.AddInputs(ctx, map[string][]string{"p1": {"c"}}, next); err != nil {
		t.Fatal(err)
	}
	// A restarted recorder starts from nothing and finds the free slots.
	if err := st.AddInputs(ctx, map[string][]string{"p1": {"d", "b"}, "p2": {"y"}}, map[string]int{}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string][]string{"p1": {"a", "b", "c", "d"}, "p2": {"x", "y"}, "p3": nil} {
		got, err := st.ParticipantInputs(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Contributions, want) {
			t.Errorf("%s: %v, want %v", p, got.Contributions, want)
		}
	}
	// The receipt code lives in the head document beside the list.
	code, err := st.ReceiptFor(ctx, "p1", func() string { return "K7Q2M9XW4T" })
	if err != nil || code != "K7Q2M9XW4T" {
		t.Fatalf("receipt %q: %v", code, err)
	}
	got, err := st.ParticipantInputs(ctx, "p1")
	if err != nil || got.Receipt != code || len(got.Contributions) != 4 {
		t.Fatalf("after the receipt: %+v %v", got, err)
	}
}
