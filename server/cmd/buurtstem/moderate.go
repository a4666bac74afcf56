package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/buurtstem/buurtstem/moderation"
)

// moderateCommand is "buurtstem moderate": it reads JSON lines
// {"text": …, "lang": …} on stdin and writes one JSON line per input,
// {"verdict": …, "redacted": …, "reasons": […]}, so the moderation
// library can be scored on any corpus. A line that is not such an object
// gets {"line": n, "error": …} and the next line is read; nothing aborts
// the run but a read error. It needs no store and no settings.
func moderateCommand(args []string, in io.Reader, out, errOut io.Writer) int {
	fs := flag.NewFlagSet("moderate", flag.ContinueOnError)
	fs.SetOutput(errOut)
	lang := fs.String("lang", "nl", "language of lines that do not say")
	maxLine := fs.Int("max-line", 1<<20, "longest input line in bytes; longer lines get an error line")
	fs.Usage = func() {
		fmt.Fprintln(errOut, "usage: buurtstem moderate [-lang nl] < in.jsonl > out.jsonl")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(errOut, "buurtstem moderate: unexpected argument", fs.Arg(0))
		return 2
	}
	checker, err := moderation.New(moderation.Options{})
	if err != nil {
		fmt.Fprintln(errOut, "buurtstem moderate:", err)
		return 1
	}
	r := bufio.NewReaderSize(in, 64<<10)
	w := bufio.NewWriter(out)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for n := 1; ; n++ {
		line, tooLong, err := readLine(r, *maxLine)
		if err == io.EOF && len(line) == 0 && !tooLong {
			return 0
		}
		if err != nil && err != io.EOF {
			w.Flush()
			fmt.Fprintln(errOut, "buurtstem moderate: reading input:", err)
			return 1
		}
		res := moderateLine(checker, line, tooLong, *lang, n)
		if encErr := enc.Encode(res); encErr != nil {
			fmt.Fprintln(errOut, "buurtstem moderate: writing output:", encErr)
			return 1
		}
		if err == io.EOF {
			return 0
		}
	}
}

type moderateInput struct {
	Text *string `json:"text"`
	Lang string  `json:"lang"`
}

type moderateResult struct {
	Verdict  moderation.Decision `json:"verdict"`
	Redacted string              `json:"redacted"`
	Reasons  []string            `json:"reasons"`
}

type moderateError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

func moderateLine(c *moderation.Checker, line []byte, tooLong bool, defLang string, n int) any {
	if tooLong {
		return moderateError{Line: n, Error: "line too long"}
	}
	var in moderateInput
	if err := json.Unmarshal(line, &in); err != nil {
		return moderateError{Line: n, Error: "not a JSON object with text and lang: " + err.Error()}
	}
	if in.Text == nil {
		return moderateError{Line: n, Error: `missing "text"`}
	}
	if in.Lang == "" {
		in.Lang = defLang
	}
	v := c.Check(*in.Text, in.Lang)
	return moderateResult{Verdict: v.Decision, Redacted: v.Redacted, Reasons: v.Codes()}
}

// readLine reads one line without its newline. A line longer than max is
// read to its end and discarded (tooLong), so one bad line costs no memory
// and does not end the run.
func readLine(r *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := r.ReadLine()
		if !tooLong {
			if len(line)+len(chunk) > max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err != nil || !isPrefix {
			return line, tooLong, err
		}
	}
}
