package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/review"
)

// SafeCell protects a CSV cell against formula injection: a spreadsheet
// runs a cell that starts with = + - @ (or a tab or carriage return before
// one) as a formula, so such a cell gets a leading apostrophe.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// csvWriter writes protected CSV rows.
type csvWriter struct {
	w   *csv.Writer
	row []string
}

func newCSV(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

func (c *csvWriter) write(cells ...string) error {
	c.row = c.row[:0]
	for _, v := range cells {
		c.row = append(c.row, SafeCell(v))
	}
	return c.w.Write(c.row)
}

// Rows returns a report as rows of section, key and value, the shape of
// its CSV and JSON exports. A suppressed group's value is "<5".
func Rows(r *Report) [][3]string {
	var out [][3]string
	add := func(section, key, value string) { out = append(out, [3]string{section, key, value}) }
	people := func(g Group) string {
		if g.Suppressed {
			return "<" + strconv.Itoa(MinGroup)
		}
		return strconv.Itoa(g.Count)
	}
	add("report", "organisation", r.Org.Name)
	add("report", "generated_at", r.GeneratedAt.UTC().Format(time.RFC3339))
	add("report", "from", day(r.Params.From))
	add("report", "to", day(r.Params.To.AddDate(0, 0, -1)))
	add("report", "neighbourhood", r.Params.NeighbourhoodID)
	add("report", "session", r.Params.SessionID)
	add("report", "theme", r.Params.Theme)
	add("participants", "total", people(r.Participants))
	add("contributions", "total", strconv.Itoa(r.Contributions))
	for _, c := range r.Kinds {
		add("contributions_by_kind", c.Key, strconv.Itoa(c.Count))
	}
	for _, c := range r.Themes {
		add("contributions_by_theme", c.Key, strconv.Itoa(c.Count))
	}
	for _, c := range r.Faces {
		add("faces", c.Key, strconv.Itoa(c.Count))
	}
	for _, sec := range []struct {
		name   string
		groups []Group
	}{{"language", r.Langs}, {"first_time", r.FirstTime}, {"age_band", r.AgeBands}, {"school", r.Schools}, {"home_language", r.HomeLangs}} {
		for _, g := range sec.groups {
			add("reach_"+sec.name, g.Key, people(g))
		}
	}
	add("reach", "profiles", people(group("", r.Profiles)))
	for _, s := range r.Sessions {
		add("session_contributions", s.Session.ID+" "+s.Session.Title, strconv.Itoa(s.Contributions))
		add("session_participants", s.Session.ID+" "+s.Session.Title, people(s.Participants))
	}
	for _, t := range r.TopTopics {
		add("top_topics", t.Topic.ID+" "+t.Topic.Title[review.Source], strconv.Itoa(t.Inputs))
	}
	f := r.Feedback
	add("feedback", "answerable", strconv.Itoa(f.Answerable))
	add("feedback", "answered", strconv.Itoa(f.Answered))
	if share, ok := f.Share(); ok {
		add("feedback", "share_percent", strconv.Itoa(share))
	}
	if f.HasMedian {
		add("feedback", "median_days_to_first_response", strconv.FormatFloat(f.MedianDays, 'f', 1, 64))
	}
	add("feedback", "topics", strconv.Itoa(f.Topics))
	add("feedback", "topics_responded", strconv.Itoa(f.Responded))
	add("feedback", "topics_overdue", strconv.Itoa(f.Overdue))
	add("feedback", "overdue_after_days", strconv.Itoa(f.OverdueDays))
	return out
}

func day(t time.Time) string {
	if t.IsZero() || t.Year() < 2000 {
		return ""
	}
	return t.Format(time.DateOnly)
}

// WriteCSV writes a report's rows as CSV.
func WriteCSV(w io.Writer, r *Report) error {
	c := newCSV(w)
	if err := c.write("section", "key", "value"); err != nil {
		return err
	}
	for _, row := range Rows(r) {
		if err := c.write(row[0], row[1], row[2]); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// WriteJSON writes a report's rows as a JSON array of objects.
func WriteJSON(w io.Writer, r *Report) error {
	return streamJSON(w, func(emit func(any) error) error {
		for _, row := range Rows(r) {
			if err := emit(map[string]string{"section": row[0], "key": row[1], "value": row[2]}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ContributionHeader names the columns of a contributions export.
var ContributionHeader = []string{"id", "session_id", "session", "neighbourhood_id", "created_at", "kind", "lang",
	"themes", "face", "moderation", "topic_id", "feedback", "assisted"}

// ContributionsCSV streams a contributions export as CSV, row by row,
// flushing as it goes; it returns how many rows it wrote.
func ContributionsCSV(w *bufio.Writer, each func(func(*review.ExportRow) error) error) (int, error) {
	c := newCSV(w)
	if err := c.write(ContributionHeader...); err != nil {
		return 0, err
	}
	n := 0
	err := each(func(r *review.ExportRow) error {
		n++
		face := ""
		if r.Face > 0 {
			face = strconv.Itoa(r.Face)
		}
		if err := c.write(r.ID, r.SessionID, r.Session, r.NeighbourhoodID, r.At.Format(time.RFC3339), string(r.Kind), r.Lang,
			r.Themes, face, string(r.Moderation), r.TopicID, r.Feedback, strconv.FormatBool(r.Assisted)); err != nil {
			return err
		}
		if n%1000 == 0 {
			c.w.Flush()
			return c.w.Error()
		}
		return nil
	})
	c.w.Flush()
	if err == nil {
		err = c.w.Error()
	}
	return n, err
}

// exportJSON is a contribution in a JSON export.
type exportJSON struct {
	ID              string   `json:"id"`
	SessionID       string   `json:"session_id"`
	Session         string   `json:"session"`
	NeighbourhoodID string   `json:"neighbourhood_id"`
	CreatedAt       string   `json:"created_at"`
	Kind            string   `json:"kind"`
	Lang            string   `json:"lang"`
	Themes          []string `json:"themes"`
	Face            int      `json:"face,omitempty"`
	Moderation      string   `json:"moderation"`
	TopicID         string   `json:"topic_id,omitempty"`
	Feedback        string   `json:"feedback"`
	Assisted        bool     `json:"assisted,omitempty"`
}

// ContributionsJSON streams a contributions export as a JSON array, one
// element at a time.
func ContributionsJSON(w *bufio.Writer, each func(func(*review.ExportRow) error) error) (int, error) {
	n := 0
	err := streamJSON(w, func(emit func(any) error) error {
		return each(func(r *review.ExportRow) error {
			n++
			themes := []string{}
			if r.Themes != "" {
				themes = strings.Fields(r.Themes)
			}
			return emit(exportJSON{ID: r.ID, SessionID: r.SessionID, Session: r.Session, NeighbourhoodID: r.NeighbourhoodID,
				CreatedAt: r.At.Format(time.RFC3339), Kind: string(r.Kind), Lang: r.Lang, Themes: themes, Face: r.Face,
				Moderation: string(r.Moderation), TopicID: r.TopicID, Feedback: r.Feedback, Assisted: r.Assisted})
		})
	})
	return n, err
}

// streamJSON writes "[", the elements separated by commas, and "]".
func streamJSON(w io.Writer, body func(emit func(any) error) error) error {
	if _, err := io.WriteString(w, "[\n"); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	first := true
	err := body(func(v any) error {
		if !first {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		first = false
		return enc.Encode(v)
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]\n")
	return err
}
