package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// socketName ends in .sock because the driver recognises unix sockets in a
// URI's host by that suffix.
const socketName = "mongodb.sock"

// maxSocketPath is the size of sun_path on Linux minus the terminating NUL.
const maxSocketPath = 107

// embedded is a FerretDB running inside this process.
type embedded struct {
	uri    string // unix socket
	socket string // its path
	dbDir  string // the SQLite files, one per database
	tcpURI string // optional loopback listener for a second process
	cancel context.CancelFunc
	done   chan struct{}
	lock   *os.File
}

// startEmbedded starts FerretDB on SQLite files in dataDir/db and waits until
// its socket accepts connections.
func startEmbedded(ctx context.Context, dataDir, tcpAddr string, log *slog.Logger) (*embedded, error) {
	if dataDir == "" {
		return nil, errors.New("store: the embedded engine needs a data directory")
	}
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("store: data directory %q: %w", dataDir, err)
	}
	dbDir := filepath.Join(dir, "db")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	// MkdirAll keeps the mode of a directory that exists: tighten it, since
	// the socket inside accepts anyone who can reach it.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: protect data directory: %w", err)
	}

	// Two processes on one SQLite directory would corrupt nothing (SQLite
	// locks), but the second would steal the socket. Refuse it clearly. The
	// kernel drops the lock when a process dies, even by SIGKILL.
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock file: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("store: data directory %s is %w", dir, ErrInUse)
	}

	sock := filepath.Join(dir, socketName)
	if len(sock) > maxSocketPath {
		lock.Close()
		return nil, fmt.Errorf("store: data directory path is too long for a unix socket (%d > %d bytes): choose a shorter one", len(sock), maxSocketPath)
	}
	_ = os.Remove(sock) // left behind by a process that was killed

	// synchronous(full): a write FerretDB acknowledges is on disk, so it
	// survives kill -9 and power loss alike.
	sqliteURL := "file:" + dbDir + "/?_pragma=synchronous(full)"
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: sock, TCP: tcpAddr},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
		Logger:    slog.New(errorsOnly{log.Handler()}),
	})
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("store: start embedded engine: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.Background())
	e := &embedded{
		uri:    "mongodb://" + url.PathEscape(sock) + "/",
		socket: sock,
		dbDir:  dbDir,
		cancel: cancel,
		done:   make(chan struct{}),
		lock:   lock,
	}
	go func() {
		defer close(e.done)
		_ = f.Run(runCtx)
	}()
	if tcpAddr != "" {
		e.tcpURI = f.MongoDBURI()
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			e.stop()
			return nil, fmt.Errorf("store: embedded engine did not start: %w", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.Chmod(sock, 0o600); err != nil {
		e.stop()
		return nil, fmt.Errorf("store: protect socket: %w", err)
	}
	return e, nil
}

// stop shuts the engine down and waits for it, then releases the lock.
// Calling it twice is harmless.
func (e *embedded) stop() {
	e.cancel()
	<-e.done
	if e.lock != nil {
		e.lock.Close()
		e.lock = nil
	}
}

// errorsOnly is a slog handler that passes only errors: FerretDB logs every
// error reply (a duplicate key, a missing document) at warning level with a
// wire dump, which would drown the server's own log.
type errorsOnly struct{ slog.Handler }

func (h errorsOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.Handler.Enabled(ctx, l)
}

func (h errorsOnly) WithAttrs(a []slog.Attr) slog.Handler {
	return errorsOnly{h.Handler.WithAttrs(a)}
}

func (h errorsOnly) WithGroup(n string) slog.Handler {
	return errorsOnly{h.Handler.WithGroup(n)}
}

// socketDialer connects to the embedded engine's socket. It exists because
// driver v1 lower-cases every address, unix socket paths included
// (address.Address.String), so a data directory with capitals in its path
// would otherwise be unreachable.
type socketDialer struct{ path string }

func (d socketDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if network == "unix" && strings.EqualFold(addr, d.path) {
		addr = d.path
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}
