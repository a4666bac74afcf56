// Package app assembles the server: the Fiber application with its
// middleware, every route (routes.go), the error handler that turns error
// categories into translated responses (errors.go), and Run, which owns the
// process lifetime from opening the store to a graceful shutdown.
package app

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"

	clientweb "github.com/buurtstem/buurtstem/clients/web"
	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/i18n/machine"
	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/api"
	"github.com/buurtstem/buurtstem/server/auth"
	"github.com/buurtstem/buurtstem/server/config"
	"github.com/buurtstem/buurtstem/server/decisions"
	"github.com/buurtstem/buurtstem/server/live"
	"github.com/buurtstem/buurtstem/server/metrics"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/receipts"
	"github.com/buurtstem/buurtstem/server/report"
	"github.com/buurtstem/buurtstem/server/resident"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/reviewweb"
	"github.com/buurtstem/buurtstem/server/sessions"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/uploads"
	"github.com/buurtstem/buurtstem/server/web"
)

// Deps are what the server is built from.
type Deps struct {
	Config  *config.Config
	Store   *store.Store
	Catalog *i18n.Catalog
	Metrics *metrics.Metrics
	Logger  *slog.Logger
	// Bus carries live-session events between instances; nil means this
	// instance alone (live.MemoryBus).
	Bus live.Bus
}

// Server is a configured Fiber application and what it needs.
type Server struct {
	fiber    *fiber.App
	cfg      *config.Config
	store    *store.Store
	catalog  *i18n.Catalog
	metrics  *metrics.Metrics
	log      *slog.Logger
	auth     *auth.Service
	web      *web.Handlers
	console  *web.SessionPages
	modlog   *web.ModerationLog
	api      *api.Handlers
	sessions *sessions.Service
	hub      *live.Hub
	live     *live.Handler
	liveAPI  *api.SessionHandlers
	cookies  web.Cookies
	review   *review.Service
	indexer  *review.Indexer
	reviews  *reviewweb.Handlers
	uploads  *uploads.Service
	media    *api.MediaHandlers
	origins  map[string]bool
	draining atomic.Bool

	// Residents' pages (#5); inputs keeps their "my input" lists behind
	// the group commit.
	resident   *resident.Handlers
	inputs     *resident.InputRecorder
	stopInputs func()
}

// New builds the server. It fails if a template does not parse.
func New(d Deps) (*Server, error) {
	renderer, err := web.NewRenderer()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: d.Config, store: d.Store, catalog: d.Catalog, metrics: d.Metrics, log: d.Logger,
		cookies: web.Cookies{Secure: d.Config.Secure()},
		origins: map[string]bool{},
	}
	for _, o := range d.Config.Origins() {
		s.origins[o] = true
	}
	s.auth = auth.New(d.Store, auth.Settings{Idle: d.Config.SessionIdle, Max: d.Config.SessionMax})
	adm := admin.New(d.Store)
	var codes []string
	for _, l := range d.Catalog.Languages() {
		codes = append(codes, l.Code)
	}
	s.sessions = sessions.New(d.Store, codes)
	if d.Bus == nil {
		d.Bus = live.NewMemoryBus()
	}
	s.hub = live.NewHub(live.Config{MaxConns: d.Config.MaxConnections, Origins: d.Config.Origins()},
		d.Store, s.sessions, s.auth, d.Catalog, d.Bus, d.Logger)
	if d.Metrics != nil {
		d.Metrics.Live(s.hub)
	}
	secret, err := d.Store.Secret(context.Background(), "participant_tokens")
	if err != nil {
		return nil, err
	}
	s.live = live.NewHandler(s.hub, secret, s.cookies.Set, s.cookies.Session(), s.cookies.Participant())
	// Closing the loop (#7): the inbox index and report counters are kept
	// on write by the group commit; responses reach live sessions.
	s.review = review.New(d.Store, d.Logger, 0)
	s.review.SetNotifier(s.hub)
	// Machine translation for reviewers, only when the operator set a
	// service (config translate-url); the texts go there and nowhere else.
	translator, err := machine.New(machine.Config{URL: d.Config.TranslateURL, APIKey: d.Config.TranslateKey})
	if err != nil {
		return nil, err
	}
	s.review.SetTranslator(translator)
	indexer := review.NewIndexer(d.Store, review.Location())
	s.indexer = indexer
	s.hub.SetCommitHook(func(ctx context.Context, cs []*model.Contribution) {
		// Residents' "my input" lists (#5): queued, written in the background.
		s.inputs.Record(ctx, cs)
		if err := indexer.Add(ctx, cs); err != nil {
			d.Logger.Warn("Indexing contributions for review failed.", "error", err.Error())
		}
	})
	s.hub.SetFeedbackSource(s.review.NeighbourhoodFeedback)
	if s.reviews, err = reviewweb.New(d.Catalog, d.Store, s.review, report.New(d.Store, s.review)); err != nil {
		return nil, err
	}
	s.liveAPI = api.NewSessionHandlers(s.sessions, s.hub, d.Config.BaseURL.String())
	s.web = web.NewHandlers(renderer, d.Catalog, s.auth, adm, s.cookies)
	s.console = web.NewSessionPages(s.web, s.sessions, s.hub, d.Config.BaseURL.String())
	receiptSecret, err := d.Store.Secret(context.Background(), "receipt_links")
	if err != nil {
		return nil, err
	}
	receiptLinks := receipts.NewLinks(receiptSecret)
	slips := receipts.New(d.Store)
	slips.SetLinks(receiptLinks)
	s.console.SetSlips(slips)
	s.modlog = web.NewModerationLog(s.web, decisions.New(d.Store))
	// Voice notes, photos and prompt recordings (#5).
	s.uploads = uploads.New(d.Store, d.Config.MediaRetention, d.Logger)
	s.media = api.NewMediaHandlers(s.uploads, s.sessions, s.live.ParticipantID)
	s.media.SetResponsePhotos(s.review)
	s.web.SetRetentionMonths(s.uploads.RetentionMonths)
	if s.resident, err = resident.NewHandlers(resident.Config{Store: d.Store, Join: s.live, Catalog: d.Catalog,
		Cookies: s.cookies, BaseURL: d.Config.BaseURL.String(), Logger: d.Logger, RetentionMonths: s.uploads.RetentionMonths,
		ReceiptLinks: receiptLinks, Live: s.hub}); err != nil {
		return nil, err
	}
	s.resident.SetResponses(s.review)
	s.inputs = resident.NewInputRecorder(d.Store, d.Logger)
	inputsCtx, cancelInputs := context.WithCancel(context.Background())
	inputsDone := make(chan struct{})
	go func() {
		defer close(inputsDone)
		s.inputs.Run(inputsCtx)
	}()
	// Stopping waits for the recorder's last write: nothing may reach the
	// store after Shutdown returns (a backup or the next process follows).
	s.stopInputs = func() {
		cancelInputs()
		<-inputsDone
	}
	s.api = api.New(s.auth, adm, func(c *fiber.Ctx, token string) {
		if token == "" {
			s.cookies.Set(c, s.cookies.Session(), "", -1)
			return
		}
		s.cookies.Set(c, s.cookies.Session(), token, 0)
	})

	s.fiber = fiber.New(fiber.Config{
		AppName:               "buurtstem",
		BodyLimit:             d.Config.MaxBodyBytes,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		// Never trust X-Forwarded-For: buurtstem does not use addresses.
		EnableTrustedProxyCheck: false,
		// fasthttp parses a multipart body while reading the request; a
		// broken one then failed before any middleware, as a generic 400
		// that had lost the request's headers (so always in Dutch). Parsed
		// on demand instead, checkForm answers it with its own translated
		// message.
		DisablePreParseMultipartForm: true,
	})
	// Live connections are hijacked and owned by the hub (see
	// live.Handler.Upgrade): fasthttp must neither close them nor hold its
	// request buffers for their lifetime.
	s.fiber.Server().KeepHijackedConns = true
	s.fiber.Use(recover.New())
	s.fiber.Use(s.observe)
	s.fiber.Use(s.securityHeaders)
	staticFS, err := fs.Sub(clientweb.Static, "static")
	if err != nil {
		return nil, err
	}
	// Compressed: resident pages must load in a few seconds on a weak
	// connection (#5). Static files hold no secrets, so compression leaks
	// nothing (unlike pages with tokens and reflected input).
	s.fiber.Use("/static", compress.New(compress.Config{Level: compress.LevelBestSpeed}),
		filesystem.New(filesystem.Config{Root: http.FS(staticFS), MaxAge: 3600}))
	s.routes()
	return s, nil
}

// Fiber returns the application, e.g. for app.Test in tests.
func (s *Server) Fiber() *fiber.App { return s.fiber }

// Hub returns the live hub.
func (s *Server) Hub() *live.Hub { return s.hub }

// Review returns the review service (tests move its clock).
func (s *Server) Review() *review.Service { return s.review }

// Shutdown stops the server in order: stop accepting and report not
// ready, tell live clients to reconnect, let open requests finish, all
// within ctx. The caller closes the store afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	done := make(chan error, 1)
	go func() { done <- s.fiber.ShutdownWithContext(ctx) }()
	s.hub.Shutdown(ctx)
	s.stopInputs()
	return <-done
}

// Auth returns the authentication service; tests use it to move the clock.
func (s *Server) Auth() *auth.Service { return s.auth }

// purge deletes expired staff sessions and throttles periodically, because
// the embedded store has no TTL indexes.
func (s *Server) purge(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.auth.Purge(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("Purge of expired staff sessions failed.", "error", err)
			}
			// Live events only serve replay and the shared bus: a day is
			// plenty.
			if _, err := s.store.PurgeLiveEvents(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				s.log.Warn("Purge of old live events failed.", "error", err)
			}
			// Collections created since the last pass get the _id index
			// the embedded engine lacks (store.IndexIDs).
			if _, err := s.store.IndexIDs(ctx, ""); err != nil && ctx.Err() == nil {
				s.log.Warn("Indexing _id of new collections failed.", "error", err)
			}
			// This process's run record, in case another instance's
			// crash check forgot it (store.RunStarted).
			if err := s.store.RunStarted(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("Recording that this process runs failed.", "error", err)
			}
			// Presence records of instances that stopped without saying so.
			if _, err := s.store.PurgeLivePresence(ctx, time.Now().Add(-time.Hour)); err != nil && ctx.Err() == nil {
				s.log.Warn("Purge of old live presence records failed.", "error", err)
			}
			// Voice notes and photos past their organisation's retention.
			if _, err := s.uploads.Purge(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("Purge of expired voice notes and photos failed.", "error", err)
			}
			// The text of answers past their organisation's retention.
			if n, err := s.review.ClearOldTexts(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("Clearing the text of old answers failed.", "error", err)
			} else if n > 0 {
				s.log.Info("Cleared the text of answers past their retention.", "answers", n)
			}
		}
	}
}
