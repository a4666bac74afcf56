package web

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testOnly are the direct dependencies in go.mod that no shipped package
// imports: the credits page does not list them.
var testOnly = map[string]bool{"github.com/chromedp/chromedp": true}

// TestCreditsListEveryShippedDependency: every direct dependency of go.mod
// but the test-only ones is on the credits page, nothing else is, and the
// licence the page gives each is the one its LICENSE file states (read
// from the module cache the build used).
func TestCreditsListEveryShippedDependency(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-json", "all").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	direct := map[string]string{} // module → its directory
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var m struct {
			Path     string
			Dir      string
			Main     bool
			Indirect bool
		}
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if !m.Main && !m.Indirect && !testOnly[m.Path] {
			direct[m.Path] = m.Dir
		}
	}
	listed := map[string]bool{}
	for _, l := range Libraries {
		listed[l.Module] = true
		if l.Module == "std" {
			continue
		}
		dir, ok := direct[l.Module]
		if !ok {
			t.Errorf("%s is on the credits page but not a direct dependency in go.mod", l.Module)
			continue
		}
		if got := licenceOf(t, dir); got != l.Licence {
			t.Errorf("%s: the page says %s, its LICENSE file reads as %s", l.Module, l.Licence, got)
		}
	}
	for m := range direct {
		if !listed[m] {
			t.Errorf("%s ships in the binary but is not on the credits page (or add it to testOnly)", m)
		}
	}
}

// licenceOf recognises the licences the dependencies use by the words
// only their texts contain.
func licenceOf(t *testing.T, dir string) string {
	t.Helper()
	var text []byte
	for _, name := range []string{"LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			text = b
			break
		}
	}
	s := strings.Join(strings.Fields(string(text)), " ")
	switch {
	case strings.Contains(s, "Apache License") && strings.Contains(s, "Version 2.0"):
		return "Apache-2.0"
	case strings.Contains(s, "Permission is hereby granted, free of charge"):
		return "MIT"
	case strings.Contains(s, "Redistribution and use in source and binary forms") && strings.Contains(s, "Neither the name"):
		return "BSD-3-Clause"
	case strings.Contains(s, "Redistribution and use in source and binary forms"):
		return "BSD-2-Clause"
	}
	return "unknown (no LICENSE file in " + dir + ")"
}

// TestCreditsListEveryPictogram: the page's list is the set of files.
func TestCreditsListEveryPictogram(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "clients", "web", "static", "pictograms", "*.svg"))
	if err != nil || len(files) < 20 {
		t.Fatalf("%d pictogram files: %v", len(files), err)
	}
	got := creditedPictograms()
	if len(got) != len(files) {
		t.Fatalf("%d pictograms credited, %d files", len(got), len(files))
	}
	for i, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".svg")
		if got[i].Name != name || got[i].Src != "/static/pictograms/"+name+".svg" {
			t.Errorf("pictogram %d: %+v, file %s", i, got[i], f)
		}
	}
}
