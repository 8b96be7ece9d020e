// Package sqlite is the embedded document store: every collection is a
// table (_id TEXT PRIMARY KEY, doc TEXT holding JSON) in one SQLite file in
// the data folder, reached through github.com/mattn/go-sqlite3.
//
// The file is in WAL mode with synchronous=NORMAL. Writes go through one
// connection (SQLite has a single writer anyway, and a single connection
// avoids SQLITE_BUSY between our own goroutines); reads go through a pool
// and do not wait for writes. Other processes may open the same file; they
// wait up to the busy timeout for the write lock.
//
// Memory: every connection has its own page cache (Options.CacheKiB), and
// a process opens several stores, each with a writer and a pool of
// readers, so the caches could add up to far more than one step needs.
// SQLite's soft heap limit bounds them together, for the whole process
// (SoftHeapLimit, set by the first Open): past it a cache reuses its own
// least recently used pages instead of growing. Readers idle for
// readerIdle are closed, which frees their caches for the connections at
// work.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"studio/internal/engine/docstore"
)

// Options tune a Store; the zero value is the default.
type Options struct {
	// BusyTimeout is how long a write waits for another process holding
	// the write lock (default 10s).
	BusyTimeout time.Duration
	// Readers is the size of the read pool (default max(4, GOMAXPROCS)).
	Readers int
	// CacheKiB is SQLite's page cache per connection (default 64 MiB
	// for the writer and 16 MiB for each reader).
	CacheKiB int
}

// SoftHeapLimit is the memory all SQLite connections of the process may
// hold together before their page caches stop growing (SQLite's
// soft_heap_limit), set by the first Open. Zero leaves SQLite's own
// default (no limit).
var SoftHeapLimit int64 = 64 << 20

// readerIdle is how long an idle reader connection (and its page cache)
// is kept.
const readerIdle = time.Minute

var softLimit sync.Once

// driverName is the SQLite driver with the settings every connection of a
// store takes.
const driverName = "sqlite3-studio"

// WAL sizes. A checkpoint (copying the WAL's pages into the database file,
// and syncing it) starts once the WAL holds walCheckpointPages pages (4 KiB
// each): SQLite's default, 1,000, checkpoints after almost every batch of
// an upload whose _ids come in no order, writing the same index pages
// again each time. A transaction that writes much (a staged collection
// laid out by Rename) grows the WAL to its size; after a checkpoint the
// file is cut back to walSizeLimit, else it would keep that size on disk.
const (
	walCheckpointPages = 8192
	walSizeLimit       = 64 << 20
)

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		for _, p := range []string{
			fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walCheckpointPages),
			fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimit),
		} {
			if _, err := c.Exec(p, nil); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		return nil
	}})
}

// Store is a docstore.Store in one SQLite file.
type Store struct {
	path string
	w    *sql.DB // one connection: all writes
	r    *sql.DB // read pool

	mu    sync.Mutex
	colls map[string]*collection
}

var _ docstore.Store = (*Store)(nil)

// Open opens (creating if needed) the store in the SQLite file at path.
func Open(path string, opts ...Options) (*Store, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	if o.Readers <= 0 {
		o.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	wcache, rcache := 64*1024, 16*1024
	if o.CacheKiB > 0 {
		wcache, rcache = o.CacheKiB, o.CacheKiB
	}
	dsn := func(extra string, cacheKiB int) string {
		return fmt.Sprintf("file:%s?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=%d&_cache_size=-%d%s",
			url.PathEscape(path), o.BusyTimeout.Milliseconds(), cacheKiB, extra)
	}
	w, err := sql.Open(driverName, dsn("&_txlock=immediate", wcache))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer creates the file and switches it to WAL before any reader
	// opens it.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r, err := sql.Open(driverName, dsn("&_query_only=1", rcache))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(o.Readers)
	r.SetMaxIdleConns(o.Readers)
	r.SetConnMaxIdleTime(readerIdle)
	var limitErr error
	softLimit.Do(func() {
		if SoftHeapLimit > 0 {
			_, limitErr = w.Exec(fmt.Sprintf("PRAGMA soft_heap_limit = %d", SoftHeapLimit))
		}
	})
	if limitErr != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: set the soft heap limit: %w", path, limitErr)
	}
	return &Store{path: path, w: w, r: r, colls: map[string]*collection{}}, nil
}

// C returns the named collection.
func (s *Store) C(name string) docstore.Collection {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.colls[name]; ok {
		return c
	}
	c := &collection{s: s, name: name, table: tableName(name), nameErr: checkName(name)}
	s.colls[name] = c
	return c
}

// forget drops the cached state (created flag, prepared statements) of
// collections whose table was dropped or renamed.
func (s *Store) forget(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		if c, ok := s.colls[n]; ok {
			c.reset()
		}
	}
}

// Collections lists the collections, sorted by name.
func (s *Store) Collections(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list collections: %w", err)
	}
	defer rows.Close()
	names := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("sqlite: list collections: %w", err)
		}
		if n, ok := collectionName(t); ok {
			names = append(names, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list collections: %w", err)
	}
	slices.Sort(names)
	return names, nil
}

// Drop removes a collection; a missing one is not an error.
func (s *Store) Drop(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("sqlite: drop: %w", err)
	}
	defer s.forget(name)
	if _, err := s.w.ExecContext(ctx, "DROP TABLE IF EXISTS "+quote(tableName(name))); err != nil {
		return fmt.Errorf("sqlite: drop %q: %w", name, err)
	}
	return nil
}

// Rename renames a collection, replacing an existing target only when
// dropTarget is true. It runs in one transaction.
func (s *Store) Rename(ctx context.Context, from, to string, dropTarget bool) error {
	for _, n := range []string{from, to} {
		if err := checkName(n); err != nil {
			return fmt.Errorf("sqlite: rename %q to %q: %w", from, to, err)
		}
	}
	if from == to {
		return fmt.Errorf("sqlite: rename %q to itself", from)
	}
	defer s.forget(from, to)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: rename %q to %q: %w", from, to, err)
	}
	defer tx.Rollback()
	exists := func(name string) (bool, error) {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, tableName(name)).Scan(&n)
		return n > 0, err
	}
	var ddl string
	err = tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, tableName(from)).Scan(&ddl)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: rename %q to %q: collection %q: %w", from, to, from, docstore.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: rename %q to %q: %w", from, to, err)
	}
	ok, err := exists(to)
	if err != nil {
		return fmt.Errorf("sqlite: rename %q to %q: %w", from, to, err)
	}
	if ok && !dropTarget {
		return fmt.Errorf("sqlite: rename %q to %q: target collection exists (use dropTarget to replace it)", from, to)
	}
	if ok {
		if _, err := tx.ExecContext(ctx, "DROP TABLE "+quote(tableName(to))); err != nil {
			return fmt.Errorf("sqlite: rename %q to %q: drop target: %w", from, to, err)
		}
	}
	if staged(ddl) {
		if err := layOut(ctx, tx, tableName(from), tableName(to)); err != nil {
			return fmt.Errorf("sqlite: rename %q to %q: lay out the staged collection in _id order: %w", from, to, err)
		}
	} else if _, err := tx.ExecContext(ctx, "ALTER TABLE "+quote(tableName(from))+" RENAME TO "+quote(tableName(to))); err != nil {
		return fmt.Errorf("sqlite: rename %q to %q: %w", from, to, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: rename %q to %q: %w", from, to, err)
	}
	return nil
}

// Stage creates the collection name laid out for loading
// (docstore.Stager): a table with a rowid, where documents are appended in
// the order they come, and a unique index on _id, which alone takes the
// inserts in _id order. Rename copies it into a table of the usual layout
// (WITHOUT ROWID, the documents in the _id b-tree) in _id order, which
// writes every page once.
func (s *Store) Stage(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("sqlite: stage %q: %w", name, err)
	}
	defer s.forget(name)
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf(sqlCreateStaged, quote(tableName(name)))); err != nil {
		return fmt.Errorf("sqlite: stage %q: %w", name, err)
	}
	return nil
}

// staged reports whether a table's CREATE statement is a staged
// collection's (it has a rowid).
func staged(ddl string) bool {
	return !strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID")
}

// layOut copies the staged table from into the new table to in _id order
// and drops from, inside tx.
func layOut(ctx context.Context, tx *sql.Tx, from, to string) error {
	for _, q := range []string{
		fmt.Sprintf(sqlCreateTable, quote(to)),
		"INSERT INTO " + quote(to) + " (_id, doc) SELECT _id, doc FROM " + quote(from) + " ORDER BY _id",
		"DROP TABLE " + quote(from),
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// Info reports the SQLite library version and the file path.
func (s *Store) Info(ctx context.Context) (docstore.Info, error) {
	var v string
	if err := s.r.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
		return docstore.Info{}, fmt.Errorf("sqlite: version: %w", err)
	}
	return docstore.Info{Backend: "sqlite", Version: v, Where: s.path}, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	s.mu.Lock()
	for _, c := range s.colls {
		c.reset()
	}
	s.mu.Unlock()
	return errors.Join(s.r.Close(), s.w.Close())
}

// ---- names ----

// checkName applies docstore.CheckName and refuses names SQLite reserves.
func checkName(name string) error {
	if err := docstore.CheckName(name); err != nil {
		return err
	}
	if strings.HasPrefix(strings.ToLower(name), "sqlite_") {
		return fmt.Errorf("collection %q: names starting with sqlite_ are reserved", name)
	}
	return nil
}

// tableName maps a collection name to a table name. SQLite compares table
// names without regard to case, so each upper-case letter X is written
// "^x": "MyColl" and "mycoll" stay two collections, as in MongoDB.
func tableName(name string) string {
	if strings.IndexFunc(name, isUpper) < 0 {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		if isUpper(r) {
			b.WriteByte('^')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// collectionName inverts tableName; tables that are not ours report false.
func collectionName(table string) (string, bool) {
	var b strings.Builder
	up := false
	for _, r := range table {
		switch {
		case r == '^':
			up = true
			continue
		case up:
			r -= 'a' - 'A'
			up = false
		}
		b.WriteRune(r)
	}
	name := b.String()
	return name, tableName(name) == table && checkName(name) == nil
}

func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }

// quote quotes an SQL identifier; names are also checked by checkName.
func quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

// ---- errors ----

func isNoTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table")
}

func isPrimaryKeyViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey || se.ExtendedCode == sqlite3.ErrConstraintUnique)
}
