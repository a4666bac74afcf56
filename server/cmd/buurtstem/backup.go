package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/buurtstem/buurtstem/server/backup"
	"github.com/buurtstem/buurtstem/server/config"
	"github.com/buurtstem/buurtstem/server/store"
)

const backupUsage = `Usage: buurtstem backup [settings] FILE
       buurtstem restore [settings] FILE

backup writes every collection of the store (voice notes and photos
included) to FILE, a .tar.gz archive; FILE must not exist yet. "-" writes
to standard output. restore loads such an archive into an EMPTY store and
refuses one that holds data.

The store is chosen by the server's own settings (flags or environment):
-data-dir / BUURTSTEM_DATA_DIR for the embedded store, -mongodb-uri /
MONGODB_URI for MongoDB, -database / BUURTSTEM_DATABASE.

The embedded store can be used by one process at a time: stop the server
first (systemctl stop buurtstem). The archive is then an exact copy of one
moment. On a MongoDB replica set (5.0 or newer) backup reads one snapshot
while the servers keep running.

The archive holds staff password hashes and everything residents gave:
keep it as safe as the server itself (it is written with mode 0600).
`

// backupCommand runs "buurtstem backup". It returns the exit status.
func backupCommand(args []string) int {
	cfg, file, code := storeCommandArgs("backup", args)
	if cfg == nil {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.MongoDBURI == "" {
		// Open would create an empty store: a typo in the path must not
		// produce an empty but valid-looking backup.
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "db")); err != nil {
			fmt.Fprintf(os.Stderr, "buurtstem backup: no embedded store in %s (%v); set -data-dir or BUURTSTEM_DATA_DIR\n", cfg.DataDir, err)
			return 1
		}
	}
	st, err := openForCommand(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem backup:", err)
		return 1
	}
	defer closeStore(st)

	start := time.Now()
	var m *backup.Manifest
	if file == "-" {
		m, err = backup.Write(ctx, st, os.Stdout)
	} else {
		m, err = writeArchive(ctx, st, file)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem backup:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "Backup of %s (%s) written to %s: %d collections, %d documents, in %v.\n",
		m.Database, m.Engine, file, len(m.Collections), m.Documents(), time.Since(start).Round(time.Millisecond))
	if m.Consistency == string(store.PerDocument) {
		fmt.Fprintln(os.Stderr, "Warning: the store could be written to while it was read, so this archive is not a copy of one moment. Stop the server for an exact copy.")
	}
	return 0
}

// writeArchive writes to a temporary file beside file and renames it only
// when the archive is complete and on disk, so that a broken-off backup
// never looks like a good one.
func writeArchive(ctx context.Context, st *store.Store, file string) (*backup.Manifest, error) {
	if _, err := os.Stat(file); err == nil {
		return nil, fmt.Errorf("%s exists already; choose another file name", file)
	}
	tmp := file + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	m, err := backup.Write(ctx, st, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return nil, err
	}
	if d, err := os.Open(filepath.Dir(file)); err == nil {
		_ = d.Sync() // make the rename itself durable
		d.Close()
	}
	return m, nil
}

// restoreCommand runs "buurtstem restore". It returns the exit status.
func restoreCommand(args []string) int {
	cfg, file, code := storeCommandArgs("restore", args)
	if cfg == nil {
		return code
	}
	if file == "-" {
		fmt.Fprintln(os.Stderr, "buurtstem restore: give the archive as a file: it is read twice (checked first, then loaded)")
		return 2
	}
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem restore:", err)
		return 1
	}
	defer f.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openForCommand(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem restore:", err)
		return 1
	}
	defer closeStore(st)
	start := time.Now()
	m, err := backup.Restore(ctx, st, f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtstem restore:", err)
		if !errors.Is(err, backup.ErrNotEmpty) && !errors.Is(err, backup.ErrDamaged) {
			fmt.Fprintln(os.Stderr, "The store may now hold part of the archive: empty it (a new data directory, or drop the database) before you try again.")
		}
		return 1
	}
	fmt.Fprintf(os.Stderr, "Restored %s: %d collections, %d documents (backup of %s made %s), checked against the manifest, in %v.\n",
		file, len(m.Collections), m.Documents(), m.Database, m.CreatedAt.Format(time.RFC3339), time.Since(start).Round(time.Millisecond))
	return 0
}

// storeCommandArgs splits "[settings] FILE" and reads the settings exactly
// as the server does, so that the same environment (a systemd
// EnvironmentFile, a Kubernetes Secret) selects the same store. A nil
// config means stop with the returned status.
func storeCommandArgs(name string, args []string) (*config.Config, string, int) {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(os.Stdout, backupUsage)
			return nil, "", 0
		}
	}
	if len(args) == 0 || (strings.HasPrefix(args[len(args)-1], "-") && args[len(args)-1] != "-") {
		fmt.Fprintf(os.Stderr, "buurtstem %s: the last argument must be the archive file\n\n%s", name, backupUsage)
		return nil, "", 2
	}
	cfg, err := config.Parse(args[:len(args)-1], os.Getenv, io.Discard)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, "", 0
		}
		fmt.Fprintf(os.Stderr, "buurtstem %s: %v (settings first, the archive file last; -help explains)\n", name, err)
		return nil, "", 2
	}
	return cfg, args[len(args)-1], 0
}

func openForCommand(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	st, err := store.Open(ctx, store.Options{URI: cfg.MongoDBURI, DataDir: cfg.DataDir, Database: cfg.Database,
		Timeout: cfg.StoreTimeout, Logger: log})
	if errors.Is(err, store.ErrInUse) {
		return nil, fmt.Errorf("%w\nThe server is running on this data directory. Stop it first (systemctl stop buurtstem), then run this again and start the server afterwards", err)
	}
	return st, err
}

func closeStore(st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = st.Close(ctx)
}
