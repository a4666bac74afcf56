package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/config"
)

// healthcheckCommand runs "buurtstem healthcheck [/healthz|/readyz]": it
// asks the server on this machine (BUURTSTEM_LISTEN) and exits 0 if it
// answers 200. The container image has no shell, curl or wget (distroless),
// so the binary checks itself: Docker's HEALTHCHECK and compose's
// healthcheck call it.
func healthcheckCommand(args []string) int {
	path := "/healthz"
	if len(args) > 0 {
		path = args[0]
	}
	if path != "/healthz" && path != "/readyz" {
		fmt.Fprintln(os.Stderr, "usage: buurtstem healthcheck [/healthz|/readyz]")
		return 2
	}
	cfg, err := config.Parse(nil, os.Getenv, io.Discard)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem healthcheck:", err)
		return 2
	}
	host, port, _ := net.SplitHostPort(cfg.Listen)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem healthcheck:", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "buurtstem healthcheck: %s answered %d %s\n", path, resp.StatusCode, strings.TrimSpace(string(body)))
		return 1
	}
	return 0
}
