// Command translations is the translator's side of buurtstem's locale
// files: it lists what a language still needs, in a file a translator
// fills in, and merges that file back.
//
//	go run ./i18n/cmd/translations -status
//	go run ./i18n/cmd/translations -lang tr                        # writes tr.todo.toml
//	go run ./i18n/cmd/translations -lang tr -merge tr.todo.toml    # merges it into locales/tr.toml
//	go run ./i18n/cmd/translations -lang tr -stamp                 # after editing tr.toml by hand
//
// A key is missing when nl.toml has it and the language does not. It is
// outdated when the Dutch text changed after it was translated: each
// translation records a hash of the Dutch text it was made from in
// locales/.source-hashes/<lang>.json, written by -merge and -stamp.
//
// Run it from the repository root (or give -dir).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "translations:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("translations", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", defaultDir(), "the locales directory")
	lang := fs.String("lang", "", "language code, e.g. tr (the file is <dir>/<lang>.toml)")
	out := fs.String("out", "", "where to write the to-do file (default <lang>.todo.toml)")
	mergeFile := fs.String("merge", "", "merge this filled-in to-do file into <dir>/<lang>.toml")
	stampIt := fs.Bool("stamp", false, "record that the current translations of -lang match the current Dutch")
	status := fs.Bool("status", false, "show how many keys each language misses or has outdated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *status {
		return showStatus(*dir, stdout)
	}
	if *lang == "" {
		fs.Usage()
		return errors.New("-lang is required")
	}
	if err := validLang(*lang); err != nil {
		return err
	}
	if *lang == source {
		return errors.New("nl.toml is the source; edit it directly")
	}
	w, err := openWorkspace(*dir, *lang)
	if err != nil {
		return err
	}
	switch {
	case *mergeFile != "" && *stampIt:
		return errors.New("use -merge or -stamp, not both")
	case *mergeFile != "":
		b, err := os.ReadFile(*mergeFile)
		if err != nil {
			return err
		}
		rep, err := w.merge(filepath.Base(*mergeFile), b)
		if err != nil {
			return err
		}
		if err := w.save(); err != nil {
			return err
		}
		fmt.Fprint(stdout, rep)
		return nil
	case *stampIt:
		n := w.stamp()
		if err := w.saveHashes(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d translations marked up to date with the Dutch.\n", *lang, n)
		return nil
	default:
		items := w.todo()
		if len(items) == 0 {
			fmt.Fprintf(stdout, "%s: nothing to translate.\n", *lang)
			return nil
		}
		path := *out
		if path == "" {
			path = *lang + ".todo.toml"
		}
		if err := os.WriteFile(path, w.todoFile(items), 0o644); err != nil {
			return err
		}
		missing, outdated := countReasons(items)
		fmt.Fprintf(stdout, "%s: %d missing, %d outdated. Fill in %s, then run:\n  go run ./i18n/cmd/translations -lang %s -merge %s\n",
			*lang, missing, outdated, path, *lang, path)
		return nil
	}
}

// defaultDir finds the locales directory from the repository root or from
// i18n/.
func defaultDir() string {
	for _, d := range []string{filepath.Join("i18n", "locales"), "locales"} {
		if _, err := os.Stat(filepath.Join(d, source+".toml")); err == nil {
			return d
		}
	}
	return filepath.Join("i18n", "locales")
}

func showStatus(dir string, w io.Writer) error {
	names, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		lang := strings.TrimSuffix(filepath.Base(name), ".toml")
		if lang == source {
			continue
		}
		ws, err := openWorkspace(dir, lang)
		if err != nil {
			return err
		}
		missing, outdated := countReasons(ws.todo())
		fmt.Fprintf(w, "%-4s %4d missing %4d outdated\n", lang, missing, outdated)
	}
	return nil
}

func countReasons(items []item) (missing, outdated int) {
	for _, it := range items {
		if it.reason == reasonOutdated {
			outdated++
		} else {
			missing++
		}
	}
	return missing, outdated
}
