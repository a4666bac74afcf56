package review

import (
	"container/heap"
	"container/list"
	"context"
	"encoding/hex"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// Feedback states of the inbox filter, besides a topic status: the input
// is in no topic, or in a topic without a response yet.
const (
	FeedbackNone    = "none"
	FeedbackWaiting = "waiting"
)

// FeedbackStates lists what the feedback filter accepts.
var FeedbackStates = append([]string{FeedbackNone, FeedbackWaiting}, statusStrings()...)

func statusStrings() []string {
	out := make([]string, len(model.TopicStatuses))
	for i, s := range model.TopicStatuses {
		out[i] = string(s)
	}
	return out
}

// Page sizes of the inbox.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Filter selects inbox entries. Zero fields select everything.
type Filter struct {
	NeighbourhoodID string // includes the neighbourhoods inside it
	SessionID       string
	Theme           string // named in a themes answer, or the theme of its topic
	Lang            string
	Kind            model.PromptKind
	Moderation      model.ModerationState
	Feedback        string    // FeedbackStates
	From, To        time.Time // days in Location(); To is exclusive (the day after)
	// Before continues a list: only entries older than this cursor.
	Before *Cursor
	Limit  int
}

// Cursor is a position in the newest-first inbox.
type Cursor struct {
	At uint32 // Unix seconds
	ID string
}

// String encodes a cursor for a link.
func (c Cursor) String() string { return strconv.FormatUint(uint64(c.At), 10) + "." + c.ID }

var (
	idPattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	langPattern   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
	cursorPattern = regexp.MustCompile(`^([0-9]{1,10})\.([0-9a-f]{24})$`)
)

// ParseFilter reads a filter from query values (get returns "" for an
// absent one). A malformed value is refused with a message naming the
// field, never ignored: a reviewer who mistyped a date must not take an
// unfiltered list for the filtered one.
func ParseFilter(get func(string) string, loc *time.Location) (Filter, error) {
	f := Filter{Limit: DefaultPageSize}
	if v := get("neighbourhood"); v != "" {
		if !idPattern.MatchString(v) {
			return f, apperr.Invalid("neighbourhood", "review.filter_invalid")
		}
		f.NeighbourhoodID = v
	}
	if v := get("session"); v != "" {
		if !idPattern.MatchString(v) {
			return f, apperr.Invalid("session", "review.filter_invalid")
		}
		f.SessionID = v
	}
	if v := get("theme"); v != "" {
		if !slices.Contains(sessions.Themes, v) {
			return f, apperr.Invalid("theme", "review.filter_invalid")
		}
		f.Theme = v
	}
	if v := get("lang"); v != "" {
		if !langPattern.MatchString(v) {
			return f, apperr.Invalid("lang", "review.filter_invalid")
		}
		f.Lang = v
	}
	if v := get("kind"); v != "" {
		if !slices.Contains(model.PromptKinds, model.PromptKind(v)) {
			return f, apperr.Invalid("kind", "review.filter_invalid")
		}
		f.Kind = model.PromptKind(v)
	}
	if v := get("moderation"); v != "" {
		m := model.ModerationState(v)
		if !m.Valid() { // held and escalated too (#6)
			return f, apperr.Invalid("moderation", "review.filter_invalid")
		}
		f.Moderation = m
	}
	if v := get("feedback"); v != "" {
		if !slices.Contains(FeedbackStates, v) {
			return f, apperr.Invalid("feedback", "review.filter_invalid")
		}
		f.Feedback = v
	}
	var err error
	if f.From, err = parseDay(get("from"), "from", loc); err != nil {
		return f, err
	}
	if f.To, err = parseDay(get("to"), "to", loc); err != nil {
		return f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, apperr.Invalid("to", "review.filter_dates_order")
	}
	if v := get("before"); v != "" {
		m := cursorPattern.FindStringSubmatch(v)
		if m == nil {
			return f, apperr.Invalid("before", "review.filter_invalid")
		}
		at, err := strconv.ParseUint(m[1], 10, 32)
		if err != nil {
			return f, apperr.Invalid("before", "review.filter_invalid")
		}
		f.Before = &Cursor{At: uint32(at), ID: m[2]}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return f, &apperr.Error{Kind: apperr.ErrInvalid, Field: "limit", MsgID: "review.filter_limit",
				Data: map[string]any{"Max": MaxPageSize}}
		}
		f.Limit = n
	}
	return f, nil
}

func parseDay(v, field string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, apperr.Invalid(field, "review.filter_date")
	}
	return t, nil
}

// InboxItem is one contribution in the inbox.
type InboxItem struct {
	Contribution model.Contribution
	Session      *model.Session
	Topic        *model.Topic // nil if not grouped
	Moderation   model.ModerationState
	Themes       []string
}

// InboxPage is one page of the inbox.
type InboxPage struct {
	Items []InboxItem
	// Next continues the list after the last item; nil at the end.
	Next *Cursor
	// Scanned is how many index entries were looked at, for the
	// benchmark and the curious.
	Scanned int
}

// scope is what a query knows about an organisation.
type scope struct {
	sessions map[string]*model.Session
	topics   map[string]*model.Topic
	mod      map[string]model.InboxMark
	topicOf  map[string]model.InboxMark
}

// Inbox returns a page of an organisation's contributions, newest first.
// Every role of the organisation may read it: intermediaries add
// transcripts and translations.
func (s *Service) Inbox(ctx context.Context, actor *model.Staff, orgID string, f Filter) (*InboxPage, error) {
	if err := may(actor, orgID, nil); err != nil {
		return nil, err
	}
	sc, err := s.scope(ctx, orgID)
	if err != nil {
		return nil, err
	}
	hoods, err := s.subtree(ctx, orgID, f.NeighbourhoodID)
	if err != nil {
		return nil, err
	}
	if f.SessionID != "" && sc.sessions[f.SessionID] == nil {
		return nil, apperr.Invalid("session", "review.filter_unknown")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	entries, scanned, err := s.newest(ctx, orgID, sc, f, hoods, limit+1)
	if err != nil {
		return nil, err
	}
	page := &InboxPage{Scanned: scanned}
	if len(entries) > limit {
		entries = entries[:limit]
		last := entries[len(entries)-1]
		page.Next = &Cursor{At: last.unixSecs, ID: last.id}
	}
	cs, err := s.read(ctx, orgID, entries)
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		c := cs[i]
		if c == nil {
			continue // deleted by the resident since
		}
		it := InboxItem{Contribution: *c, Session: sc.sessions[e.session], Moderation: c.Moderation, Themes: themesOf(e.themes)}
		if c.TopicID != "" {
			it.Topic = sc.topics[c.TopicID]
		}
		page.Items = append(page.Items, it)
	}
	return page, nil
}

// readers is how many contributions of a page are read at once: each is
// an _id read of a few milliseconds on the embedded engine, so a page of
// 50 read one after the other would take most of the page's time.
const readers = 2

// read returns the contributions of entries in order, nil for one that is
// gone.
func (s *Service) read(ctx context.Context, orgID string, entries []entry) ([]*model.Contribution, error) {
	out := make([]*model.Contribution, len(entries))
	errs := make([]error, len(entries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(readers, len(entries)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := s.store.ContributionOf(ctx, orgID, entries[i].id)
				if err != nil && !isNotFound(err) {
					errs[i] = err
				}
				out[i] = c
			}
		}()
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) scope(ctx context.Context, orgID string) (*scope, error) {
	ss, err := s.store.Sessions(ctx, orgID)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Topics(ctx, orgID)
	if err != nil {
		return nil, err
	}
	marks, err := s.store.InboxMarks(ctx, orgID)
	if err != nil {
		return nil, err
	}
	sc := &scope{sessions: map[string]*model.Session{}, topics: map[string]*model.Topic{},
		mod: map[string]model.InboxMark{}, topicOf: map[string]model.InboxMark{}}
	for i := range ss {
		sc.sessions[ss[i].ID] = &ss[i]
	}
	for i := range ts {
		sc.topics[ts[i].ID] = &ts[i]
	}
	// Marks of several processes: the newest wins.
	for _, m := range marks {
		for id, mk := range m.Moderation {
			if old, ok := sc.mod[id]; !ok || mk.At.After(old.At) {
				sc.mod[id] = mk
			}
		}
		for id, mk := range m.Topic {
			if old, ok := sc.topicOf[id]; !ok || mk.At.After(old.At) {
				sc.topicOf[id] = mk
			}
		}
	}
	return sc, nil
}

// subtree returns the neighbourhood and every one inside it, or nil for
// no neighbourhood filter. An id that is not the organisation's is a bad
// filter, exactly like one that does not exist.
func (s *Service) subtree(ctx context.Context, orgID, id string) (map[string]bool, error) {
	if id == "" {
		return nil, nil
	}
	all, err := s.store.Neighbourhoods(ctx, orgID)
	if err != nil {
		return nil, err
	}
	in := map[string]bool{id: true}
	found := false
	for _, n := range all {
		found = found || n.ID == id
	}
	if !found {
		return nil, apperr.Invalid("neighbourhood", "review.filter_unknown")
	}
	// Parents come before children in no particular order: repeat until
	// nothing is added (three levels at most).
	for changed := true; changed; {
		changed = false
		for _, n := range all {
			if !in[n.ID] && in[n.ParentID] {
				in[n.ID] = true
				changed = true
			}
		}
	}
	return in, nil
}

// match reports whether an entry passes the filter, with the current
// moderation and topic from the marks.
func (sc *scope) match(e *entry, f *Filter) bool {
	if f.Lang != "" && e.lang != f.Lang {
		return false
	}
	if f.Kind != "" && e.kind != f.Kind {
		return false
	}
	if f.Moderation != "" {
		mod := e.mod
		if mk, ok := sc.mod[e.id]; ok {
			mod = model.ModerationState(mk.Value)
		}
		if mod != f.Moderation {
			return false
		}
	}
	var topic *model.Topic
	if mk, ok := sc.topicOf[e.id]; ok && mk.Value != "" {
		topic = sc.topics[mk.Value]
	}
	if f.Theme != "" && e.themes&themeBit(f.Theme) == 0 && (topic == nil || topic.Theme != f.Theme) {
		return false
	}
	switch f.Feedback {
	case "":
	case FeedbackNone:
		return topic == nil
	case FeedbackWaiting:
		return topic != nil && topic.Response == nil
	default:
		return topic != nil && topic.Response != nil && string(topic.Response.Status) == f.Feedback
	}
	return true
}

// newer orders entries newest first (ties by id, so pages never overlap).
func newer(a, b *entry) bool {
	if a.unixSecs != b.unixSecs {
		return a.unixSecs > b.unixSecs
	}
	return a.id > b.id
}

// oldestFirst is a heap of the n newest entries seen, the oldest on top.
type oldestFirst []entry

func (h oldestFirst) Len() int           { return len(h) }
func (h oldestFirst) Less(i, j int) bool { return newer(&h[j], &h[i]) }
func (h oldestFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *oldestFirst) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *oldestFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// newest returns up to n matching entries, newest first. Chunks are read
// newest first and reading stops as soon as no later chunk can hold an
// entry newer than the n kept: an unfiltered first page reads one chunk.
func (s *Service) newest(ctx context.Context, orgID string, sc *scope, f Filter, hoods map[string]bool, n int) ([]entry, int, error) {
	chunks, err := s.store.InboxChunks(ctx, orgID)
	if err != nil {
		return nil, 0, err
	}
	var from, to uint32
	if !f.From.IsZero() {
		from = uint32(max(0, f.From.Unix()))
	}
	if !f.To.IsZero() {
		to = uint32(max(0, f.To.Unix()))
	}
	cands := chunks[:0]
	for _, c := range chunks {
		switch {
		case c.OrgID != orgID:
		case f.SessionID != "" && c.SessionID != f.SessionID:
		case hoods != nil && !hoods[c.NeighbourhoodID]:
		case from != 0 && c.Last.Unix() < int64(from):
		case to != 0 && c.First.Unix() >= int64(to):
		case f.Before != nil && c.First.Unix() > int64(f.Before.At):
		default:
			cands = append(cands, c)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Last.After(cands[j].Last) })
	h := make(oldestFirst, 0, n+1)
	scanned := 0
	for _, c := range cands {
		if len(h) == n && uint32(c.Last.Unix()) < h[0].unixSecs {
			break
		}
		data, err := s.chunkData(ctx, c)
		if err != nil {
			if isNotFound(err) {
				continue // a description written before its data failed
			}
			return nil, 0, err
		}
		for off := 0; off+entrySize <= len(data); off += entrySize {
			scanned++
			e := decodeEntry(data[off:off+entrySize], c.SessionID)
			if from != 0 && e.unixSecs < from || to != 0 && e.unixSecs >= to {
				continue
			}
			if f.Before != nil && !newer(&entry{unixSecs: f.Before.At, id: f.Before.ID}, &e) {
				continue
			}
			if len(h) == n && !newer(&e, &h[0]) {
				continue
			}
			if !sc.match(&e, &f) {
				continue
			}
			heap.Push(&h, e)
			if len(h) > n {
				heap.Pop(&h)
			}
		}
	}
	out := make([]entry, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(entry)
	}
	return out, scanned, nil
}

// chunkData returns a chunk's entries, from the cache when it holds them.
// Entries are only ever appended, so the first Count entries of a chunk
// never change: the cache key is the chunk and its count, and a chunk
// still filling is read again only after it grew.
func (s *Service) chunkData(ctx context.Context, c model.InboxChunk) ([]byte, error) {
	key := c.ID + "#" + strconv.Itoa(c.Count)
	if b, ok := s.cache.get(key); ok {
		return b, nil
	}
	b, err := s.store.InboxChunkData(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	// The data is written before its description: it may hold more.
	if n := c.Count * entrySize; len(b) > n {
		b = b[:n]
	}
	s.cache.put(key, b)
	return b, nil
}

// chunkCache keeps chunk entries by chunk and count, least recently
// used first out.
type chunkCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *cached, most recent first
	byID  map[string]*list.Element
}

type cached struct {
	id   string
	data []byte
}

func newChunkCache(max int) *chunkCache {
	return &chunkCache{max: max, order: list.New(), byID: map[string]*list.Element{}}
}

func (c *chunkCache) get(id string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cached).data, true
}

func (c *chunkCache) put(id string, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[id]; ok || len(data) > c.max {
		return
	}
	c.byID[id] = c.order.PushFront(&cached{id: id, data: data})
	c.size += len(data)
	for c.size > c.max {
		el := c.order.Back()
		v := el.Value.(*cached)
		c.order.Remove(el)
		delete(c.byID, v.id)
		c.size -= len(v.data)
	}
}

// validContributionID reports whether id can be a contribution id.
func validContributionID(id string) bool {
	if len(id) != 24 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}
