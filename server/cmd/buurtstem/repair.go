package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/buurtstem/buurtstem/server/app"
	"github.com/buurtstem/buurtstem/server/config"
	"github.com/buurtstem/buurtstem/server/review"
)

const repairUsage = `Usage: buurtstem repair [settings]

repair adds contributions that are stored but missing from the reviewers'
inbox, the report counters or residents' "my input" lists: what a server
that crashed between storing answers and indexing them left behind. It reads every contribution (about
two minutes a million on the embedded store) and is safe to run again: a
second run finds nothing to do. The server runs the same check by itself,
in the background, when it starts after a process that did not stop
cleanly.

The store is chosen by the server's own settings (flags or environment):
-data-dir / BUURTSTEM_DATA_DIR, -mongodb-uri / MONGODB_URI, -database /
BUURTSTEM_DATABASE. Stop the server first (systemctl stop buurtstem).
`

// repairCommand runs "buurtstem repair". It returns the exit status.
func repairCommand(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(stdout, repairUsage)
			return 0
		}
	}
	cfg, err := config.Parse(args, os.Getenv, io.Discard)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "buurtstem repair: %v\n\n%s", err, repairUsage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openForCommand(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "buurtstem repair:", err)
		return 1
	}
	defer closeStore(st)
	start := time.Now()
	r, err := app.Repair(ctx, review.NewIndexer(st, review.Location()), st, time.Time{}, start)
	if err != nil {
		fmt.Fprintln(stderr, "buurtstem repair:", err)
		return 1
	}
	runs, _, err := st.UnfinishedRuns(ctx)
	if err == nil {
		err = st.ForgetRuns(ctx, runs)
	}
	if err != nil {
		fmt.Fprintln(stderr, "buurtstem repair:", err)
		return 1
	}
	fmt.Fprintf(stdout, "Checked %d contributions in %v: %d added to the inbox, %d added to the report counters, %d added to residents' input lists.\n",
		r.Contributions, time.Since(start).Round(time.Millisecond), r.Indexed, r.Counted, r.Listed)
	return 0
}
