// Command buurtstem runs the buurtstem server: the resident, intermediary,
// projector and municipality web clients, the live sessions and the API, on
// an embedded store or on MongoDB. Run it with -help for the settings.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/buurtstem/buurtstem/server/app"
	"github.com/buurtstem/buurtstem/server/config"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "backup":
			os.Exit(backupCommand(os.Args[2:]))
		case "restore":
			os.Exit(restoreCommand(os.Args[2:]))
		case "moderate":
			os.Exit(moderateCommand(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
		case "repair":
			os.Exit(repairCommand(os.Args[2:], os.Stdout, os.Stderr))
		case "healthcheck":
			os.Exit(healthcheckCommand(os.Args[2:]))
		}
	}
	cfg, err := config.Parse(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, cfg, newLogger(cfg), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem:", err)
		os.Exit(1)
	}
}

func newLogger(cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}
