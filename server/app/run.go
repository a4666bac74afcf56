package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/config"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live"
	"github.com/buurtstem/buurtstem/server/metrics"
	"github.com/buurtstem/buurtstem/server/store"
)

// Run serves until ctx is cancelled, then shuts down in order: stop
// accepting and report not-ready, let open requests finish, close the
// store, all within the configured timeout. out receives what a person
// starting the server must read (the address, first-run passwords).
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer) error {
	catalog, err := i18n.Load()
	if err != nil {
		return err
	}
	m := metrics.New()
	st, err := store.Open(ctx, store.Options{
		URI: cfg.MongoDBURI, DataDir: cfg.DataDir, Database: cfg.Database,
		EmbeddedTCP: cfg.StoreListen, Timeout: cfg.StoreTimeout,
		Observe: m.ObserveStore, Logger: log,
	})
	if err != nil {
		return err
	}
	closeStore := func() {
		cctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := st.Close(cctx); err != nil {
			log.Error("Closing the store failed.", "error", err.Error())
		}
	}
	if st.Embedded() {
		log.Info("Embedded store started.", "data_dir", cfg.DataDir, "tcp", st.EmbeddedURI())
	} else {
		log.Info("Connected to MongoDB.")
	}

	if cfg.Demo {
		if _, err = demo.Seed(ctx, st, out); err == nil {
			_, err = demo.SeedFeedback(ctx, st, out)
		}
	} else {
		err = admin.Bootstrap(ctx, st, out)
	}
	if err != nil {
		closeStore()
		return err
	}

	var bus live.Bus
	if cfg.SharedBus() {
		bus = live.NewStoreBus(st, 50*time.Millisecond, log)
		log.Info("Live events are shared through the store.")
	}
	srv, err := New(Deps{Config: cfg, Store: st, Catalog: catalog, Metrics: m, Logger: log, Bus: bus})
	if err != nil {
		closeStore()
		return err
	}
	started := time.Now()
	unfinished, err := srv.StartRun(ctx)
	if err != nil {
		// Serving matters more: the next start checks again.
		log.Error("Recording this run failed; no check after a crash.", "error", err.Error())
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		closeStore()
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	if cfg.DebugListen != "" {
		addr, err := serveDebug(ctx, cfg.DebugListen, log)
		if err != nil {
			ln.Close()
			closeStore()
			return fmt.Errorf("debug-listen on %s: %w", cfg.DebugListen, err)
		}
		fmt.Fprintf(out, "profiler on http://%s/debug/pprof/\n", addr)
	}
	fmt.Fprintf(out, "buurtstem is running: open %s/login (listening on %s)\n", cfg.BaseURL, ln.Addr())

	purgeCtx, stopPurge := context.WithCancel(context.Background())
	go srv.purge(purgeCtx, 10*time.Minute)
	go func() {
		if _, err := srv.RepairAfterCrash(purgeCtx, unfinished, started); err != nil && purgeCtx.Err() == nil {
			log.Error("Repairing the review index after a crash failed; the next start tries again.", "error", err.Error())
		}
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.fiber.Listener(ln) }()
	select {
	case err := <-errc:
		stopPurge()
		closeStore()
		return err
	case <-ctx.Done():
	}

	log.Info("Shutting down.")
	start := time.Now()
	stopPurge()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("Open requests did not finish in time.", "error", err.Error())
	} else if sctx.Err() == nil {
		if err := srv.Stopped(sctx); err != nil {
			log.Warn("Recording the clean stop failed; the next start checks the review index.", "error", err.Error())
		}
	}
	closeStore()
	log.Info("Stopped.", "duration_ms", time.Since(start).Milliseconds())
	return nil
}
