package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"

	"studio/internal/engine/docstore"
)

// collection is one table. Its prepared statements are made on first use
// and thrown away when the table is dropped or renamed.
type collection struct {
	s       *Store
	name    string
	table   string
	nameErr error

	mu      sync.Mutex
	created bool
	stmts   map[string]*sql.Stmt
}

var (
	_ docstore.Collection  = (*collection)(nil)
	_ docstore.RawScanner  = (*collection)(nil)
	_ docstore.RawInserter = (*collection)(nil)
)

// SQL of the prepared statements; %s is the quoted table name.
const (
	sqlInsert    = `INSERT INTO %s (_id, doc) VALUES (?, ?)`
	sqlInsertNew = `INSERT INTO %s (_id, doc) VALUES (?, ?) ON CONFLICT (_id) DO NOTHING`
	sqlUpsert    = `INSERT INTO %s (_id, doc) VALUES (?, ?) ON CONFLICT (_id) DO UPDATE SET doc = excluded.doc`
	sqlGet       = `SELECT doc FROM %s WHERE _id = ?`
	sqlDelete    = `DELETE FROM %s WHERE _id = ?`
	sqlScan      = `SELECT _id, doc FROM %s WHERE _id > ? ORDER BY _id LIMIT ?`
	sqlCount     = `SELECT count(*) FROM %s`
)

// The two layouts of a collection's table. WITHOUT ROWID keeps documents
// in the _id b-tree: one lookup per Get, scans in _id order read pages in
// order, and no second index to maintain on insert. A staged table
// (Store.Stage) appends documents in the order they come and keeps _id
// unique with an index of its own.
const (
	sqlCreateTable  = `CREATE TABLE IF NOT EXISTS %s (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID`
	sqlCreateStaged = `CREATE TABLE IF NOT EXISTS %s (_id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)`
)

// defaultBatch is the number of rows a Scan fetches per query.
const defaultBatch = 1000

func (c *collection) Name() string { return c.name }

func (c *collection) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
	c.created = false
}

// stmt returns a prepared statement on the writer or the read pool.
func (c *collection) stmt(ctx context.Context, write bool, query string) (*sql.Stmt, error) {
	key := fmt.Sprint(write, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[key]; ok {
		return st, nil
	}
	db := c.s.r
	if write {
		db = c.s.w
	}
	st, err := db.PrepareContext(ctx, fmt.Sprintf(query, quote(c.table)))
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[key] = st
	return st, nil
}

// ensure creates the table before a write.
func (c *collection) ensure(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.created {
		return nil
	}
	if _, err := c.s.w.ExecContext(ctx, fmt.Sprintf(sqlCreateTable, quote(c.table))); err != nil {
		return err
	}
	c.created = true
	return nil
}

// write runs fn in a write transaction on an existing table, with the
// statements of queries prepared beforehand (preparing inside the
// transaction would wait for the writer's only connection, which the
// transaction holds). If another store dropped the table meanwhile, write
// recreates it and tries once more.
func (c *collection) write(ctx context.Context, queries []string, fn func(tx *sql.Tx, st []*sql.Stmt) error) error {
	if c.nameErr != nil {
		return c.nameErr
	}
	err := c.writeOnce(ctx, queries, fn)
	if isNoTable(err) {
		c.reset()
		err = c.writeOnce(ctx, queries, fn)
	}
	return err
}

func (c *collection) writeOnce(ctx context.Context, queries []string, fn func(tx *sql.Tx, st []*sql.Stmt) error) error {
	if err := c.ensure(ctx); err != nil {
		return err
	}
	prepared := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		st, err := c.stmt(ctx, true, q)
		if err != nil {
			return err
		}
		prepared[i] = st
	}
	tx, err := c.s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for i, st := range prepared {
		prepared[i] = tx.StmtContext(ctx, st)
	}
	if err := fn(tx, prepared); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// nocancel drops ctx's cancellation for one short statement: with a
// cancellable context go-sqlite3 starts a goroutine per Exec, which costs
// more than a primary-key insert or lookup itself. Loops call checkEvery
// instead, so a cancelled batch still stops (and rolls back) promptly.
func nocancel(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// checkEvery reports ctx's error every 256 iterations.
func checkEvery(ctx context.Context, i int) error {
	if i%256 == 0 {
		return ctx.Err()
	}
	return nil
}

func (c *collection) errf(op string, err error) error {
	return fmt.Errorf("sqlite: %s %q: %w", op, c.name, err)
}

// Insert adds new documents in one transaction.
func (c *collection) Insert(ctx context.Context, docs []docstore.Doc) error {
	if c.nameErr != nil {
		return c.errf("insert into", c.nameErr)
	}
	ids, err := docstore.DocIDs(c.name, docs)
	if err != nil {
		return c.errf("insert into", err)
	}
	rows, err := encodeDocs(docs)
	if err != nil {
		return c.errf("insert into", err)
	}
	return c.insertRows(ctx, ids, rows)
}

// InsertRaw adds documents given as JSON text in one transaction, storing
// the text as it is.
func (c *collection) InsertRaw(ctx context.Context, docs []docstore.RawDoc) error {
	if c.nameErr != nil {
		return c.errf("insert into", c.nameErr)
	}
	ids, rows, err := c.rawRows(docs)
	if err != nil {
		return err
	}
	return c.insertRows(ctx, ids, rows)
}

// rawRows splits raw documents into their _ids and texts.
func (c *collection) rawRows(docs []docstore.RawDoc) ([]string, [][]byte, error) {
	ids := make([]string, len(docs))
	rows := make([][]byte, len(docs))
	for i, d := range docs {
		if d.ID == "" {
			return nil, nil, c.errf("insert into", fmt.Errorf("document %d: _id must be a non-empty string", i))
		}
		ids[i], rows[i] = d.ID, d.JSON
	}
	return ids, rows, nil
}

// insertRows inserts encoded documents in one transaction.
func (c *collection) insertRows(ctx context.Context, ids []string, rows [][]byte) error {
	if len(rows) == 0 {
		return nil
	}
	err := c.write(ctx, []string{sqlInsert}, func(_ *sql.Tx, st []*sql.Stmt) error {
		for i, row := range rows {
			if err := checkEvery(ctx, i); err != nil {
				return err
			}
			if _, err := st[0].ExecContext(nocancel(ctx), ids[i], row); err != nil {
				if isPrimaryKeyViolation(err) {
					return &docstore.DuplicateError{Collection: c.name, ID: ids[i]}
				}
				return fmt.Errorf("_id %q: %w", ids[i], err)
			}
		}
		return nil
	})
	if err != nil {
		return c.errf("insert into", err)
	}
	return nil
}

// InsertNew inserts, in one transaction, the documents whose _id is not
// stored, and returns the _ids of the others.
func (c *collection) InsertNew(ctx context.Context, docs []docstore.Doc) ([]string, error) {
	if c.nameErr != nil {
		return nil, c.errf("insert into", c.nameErr)
	}
	ids, err := docstore.DocIDs(c.name, docs)
	if err != nil {
		return nil, c.errf("insert into", err)
	}
	rows, err := encodeDocs(docs)
	if err != nil {
		return nil, c.errf("insert into", err)
	}
	return c.insertNewRows(ctx, ids, rows)
}

// InsertNewRaw is InsertNew for documents given as JSON text, stored as it is.
func (c *collection) InsertNewRaw(ctx context.Context, docs []docstore.RawDoc) ([]string, error) {
	if c.nameErr != nil {
		return nil, c.errf("insert into", c.nameErr)
	}
	ids, rows, err := c.rawRows(docs)
	if err != nil {
		return nil, err
	}
	return c.insertNewRows(ctx, ids, rows)
}

// insertNewRows inserts the encoded documents whose _id is not stored yet,
// in one transaction, and returns the _ids it left.
func (c *collection) insertNewRows(ctx context.Context, ids []string, rows [][]byte) ([]string, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var left []string
	err := c.write(ctx, []string{sqlInsertNew}, func(_ *sql.Tx, st []*sql.Stmt) error {
		left = left[:0]
		for i, row := range rows {
			if err := checkEvery(ctx, i); err != nil {
				return err
			}
			res, err := st[0].ExecContext(nocancel(ctx), ids[i], row)
			if err != nil {
				return fmt.Errorf("_id %q: %w", ids[i], err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("_id %q: %w", ids[i], err)
			} else if n == 0 {
				left = append(left, ids[i])
			}
		}
		return nil
	})
	if err != nil {
		return nil, c.errf("insert into", err)
	}
	return left, nil
}

// Upsert stores whole documents in one transaction.
func (c *collection) Upsert(ctx context.Context, docs []docstore.Doc) error {
	if c.nameErr != nil {
		return c.errf("upsert into", c.nameErr)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		id, ok := docstore.ID(d)
		if !ok {
			return c.errf("upsert into", fmt.Errorf("document %d: _id must be a non-empty string, got %T", i, d["_id"]))
		}
		ids[i] = id
	}
	rows, err := encodeDocs(docs)
	if err != nil {
		return c.errf("upsert into", err)
	}
	if len(docs) == 0 {
		return nil
	}
	err = c.write(ctx, []string{sqlUpsert}, func(_ *sql.Tx, st []*sql.Stmt) error {
		for i, row := range rows {
			if err := checkEvery(ctx, i); err != nil {
				return err
			}
			if _, err := st[0].ExecContext(nocancel(ctx), ids[i], row); err != nil {
				return fmt.Errorf("_id %q: %w", ids[i], err)
			}
		}
		return nil
	})
	if err != nil {
		return c.errf("upsert into", err)
	}
	return nil
}

// Update sets dotted-path fields by read-modify-write in one transaction.
func (c *collection) Update(ctx context.Context, id string, set map[string]any) error {
	if c.nameErr != nil {
		return c.errf("update", c.nameErr)
	}
	if id == "" {
		return c.errf("update", errors.New("empty _id"))
	}
	paths := make([]string, 0, len(set))
	vals := make(map[string]any, len(set))
	for p, v := range set {
		n, err := docstore.Normalize(v)
		if err != nil {
			return c.errf("update", fmt.Errorf("_id %q: %s: %w", id, p, err))
		}
		paths = append(paths, p)
		vals[p] = n
	}
	if err := docstore.CheckPaths(paths); err != nil {
		return c.errf("update", fmt.Errorf("_id %q: %w", id, err))
	}
	return c.modify(ctx, "update", id, true, func(d docstore.Doc) error {
		for _, p := range paths {
			if err := docstore.SetPath(d, p, vals[p]); err != nil {
				return err
			}
		}
		return nil
	})
}

// Unset removes dotted-path fields; a missing document stays missing.
func (c *collection) Unset(ctx context.Context, id string, fields ...string) error {
	if c.nameErr != nil {
		return c.errf("unset", c.nameErr)
	}
	if err := docstore.CheckPaths(fields); err != nil {
		return c.errf("unset", fmt.Errorf("_id %q: %w", id, err))
	}
	if len(fields) == 0 {
		return nil
	}
	return c.modify(ctx, "unset", id, false, func(d docstore.Doc) error {
		for _, f := range fields {
			docstore.UnsetPath(d, f)
		}
		return nil
	})
}

// modify reads, changes and writes back one document in a transaction.
func (c *collection) modify(ctx context.Context, op, id string, create bool, change func(docstore.Doc) error) error {
	err := c.write(ctx, []string{sqlGet, sqlUpsert}, func(_ *sql.Tx, st []*sql.Stmt) error {
		get, put := st[0], st[1]
		var raw []byte
		var d docstore.Doc
		switch err := get.QueryRowContext(nocancel(ctx), id).Scan(&raw); {
		case errors.Is(err, sql.ErrNoRows):
			if !create {
				return nil
			}
			d = docstore.Doc{"_id": id}
		case err != nil:
			return err
		default:
			if d, err = decodeDoc(raw); err != nil {
				return err
			}
		}
		if err := change(d); err != nil {
			return err
		}
		row, err := encodeDoc(d)
		if err != nil {
			return err
		}
		_, err = put.ExecContext(nocancel(ctx), id, row)
		return err
	})
	if err != nil {
		return c.errf(op, fmt.Errorf("_id %q: %w", id, err))
	}
	return nil
}

// Get reads one document from the read pool.
func (c *collection) Get(ctx context.Context, id string) (docstore.Doc, error) {
	if c.nameErr != nil {
		return nil, c.errf("get from", c.nameErr)
	}
	st, err := c.stmt(ctx, false, sqlGet)
	if isNoTable(err) {
		return nil, fmt.Errorf("sqlite: get %q from %q: %w", id, c.name, docstore.ErrNotFound)
	}
	if err != nil {
		return nil, c.errf("get from", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, c.errf("get from", err)
	}
	var raw []byte
	err = st.QueryRowContext(nocancel(ctx), id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) || isNoTable(err) {
		return nil, fmt.Errorf("sqlite: get %q from %q: %w", id, c.name, docstore.ErrNotFound)
	}
	if err != nil {
		return nil, c.errf("get from", err)
	}
	d, err := decodeDoc(raw)
	if err != nil {
		return nil, c.errf("get from", fmt.Errorf("_id %q: %w", id, err))
	}
	return d, nil
}

// getManyChunk bounds the number of parameters of one IN (...) query.
const getManyChunk = 500

// GetMany reads documents by _id with IN queries, in the order of ids.
func (c *collection) GetMany(ctx context.Context, ids []string) ([]docstore.Doc, error) {
	if c.nameErr != nil {
		return nil, c.errf("get from", c.nameErr)
	}
	found := make(map[string]docstore.Doc, len(ids))
	for start := 0; start < len(ids); start += getManyChunk {
		chunk := ids[start:min(start+getManyChunk, len(ids))]
		q := fmt.Sprintf("SELECT _id, doc FROM %s WHERE _id IN (?%s)", quote(c.table), strings.Repeat(", ?", len(chunk)-1))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := c.query(ctx, q, args, func(id string, d docstore.Doc) { found[id] = d }); err != nil {
			return nil, c.errf("get from", err)
		}
	}
	out := make([]docstore.Doc, 0, len(found))
	for _, id := range ids {
		if d, ok := found[id]; ok {
			out = append(out, d)
			delete(found, id) // a repeated id is returned once
		}
	}
	return out, nil
}

// query runs a read query of (_id, doc) rows; a missing table is empty.
func (c *collection) query(ctx context.Context, q string, args []any, each func(id string, d docstore.Doc)) error {
	rows, err := c.s.r.QueryContext(ctx, q, args...)
	if isNoTable(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		d, err := decodeDoc(raw)
		if err != nil {
			return fmt.Errorf("_id %q: %w", id, err)
		}
		each(id, d)
	}
	return rows.Err()
}

// Delete removes documents by _id in one transaction.
func (c *collection) Delete(ctx context.Context, ids ...string) (int64, error) {
	if c.nameErr != nil {
		return 0, c.errf("delete from", c.nameErr)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if !c.exists(ctx) {
		return 0, nil
	}
	var n int64
	err := c.write(ctx, []string{sqlDelete}, func(_ *sql.Tx, st []*sql.Stmt) error {
		n = 0
		for i, id := range ids {
			if err := checkEvery(ctx, i); err != nil {
				return err
			}
			res, err := st[0].ExecContext(nocancel(ctx), id)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, c.errf("delete from", err)
	}
	return n, nil
}

// exists reports whether the table exists, so that reads and deletes of
// a missing collection do not create it.
func (c *collection) exists(ctx context.Context) bool {
	c.mu.Lock()
	created := c.created
	c.mu.Unlock()
	if created {
		return true
	}
	var n int
	err := c.s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, c.table).Scan(&n)
	return err != nil || n > 0 // on error, let the real statement report it
}

// Scan pages through the table by _id, one query per batch, so that no
// read transaction stays open while the caller works on a document.
func (c *collection) Scan(ctx context.Context, opts docstore.ScanOptions) iter.Seq2[docstore.Doc, error] {
	return func(yield func(docstore.Doc, error) bool) {
		for page, err := range c.pages(ctx, opts) {
			if err != nil {
				yield(nil, c.errf("scan", err))
				return
			}
			docs := make([]docstore.Doc, len(page))
			for i, r := range page {
				d, err := decodeDoc(r.JSON)
				if err != nil {
					yield(nil, c.errf("scan", fmt.Errorf("_id %q: %w", r.ID, err)))
					return
				}
				docs[i] = d
			}
			for _, d := range docs {
				if !yield(d, nil) {
					return
				}
			}
		}
	}
}

// ScanRaw is Scan without the decoding: the stored JSON text as it is.
func (c *collection) ScanRaw(ctx context.Context, opts docstore.ScanOptions) iter.Seq2[docstore.RawDoc, error] {
	return func(yield func(docstore.RawDoc, error) bool) {
		for page, err := range c.pages(ctx, opts) {
			if err != nil {
				yield(docstore.RawDoc{}, c.errf("scan", err))
				return
			}
			for _, r := range page {
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

// pages yields the rows of a scan a batch at a time, one query each.
func (c *collection) pages(ctx context.Context, opts docstore.ScanOptions) iter.Seq2[[]docstore.RawDoc, error] {
	return func(yield func([]docstore.RawDoc, error) bool) {
		if c.nameErr != nil {
			yield(nil, c.nameErr)
			return
		}
		batch := opts.Batch
		if batch <= 0 {
			batch = defaultBatch
		}
		after, left := opts.After, opts.Limit
		for {
			n := batch
			if opts.Limit > 0 {
				n = min(n, left)
			}
			page, err := c.scanPage(ctx, after, n)
			if err != nil {
				yield(nil, err)
				return
			}
			if len(page) > 0 && !yield(page, nil) {
				return
			}
			left -= len(page)
			if len(page) < n || (opts.Limit > 0 && left <= 0) {
				return
			}
			after = page[len(page)-1].ID
		}
	}
}

// arenaSize is the size of the buffers a page's documents are copied
// into, several to a buffer.
const arenaSize = 64 << 10

func (c *collection) scanPage(ctx context.Context, after string, n int) ([]docstore.RawDoc, error) {
	st, err := c.stmt(ctx, false, sqlScan)
	if isNoTable(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, after, n)
	if isNoTable(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := make([]docstore.RawDoc, 0, n)
	var arena []byte
	var raw sql.RawBytes
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, err
		}
		if len(arena)+len(raw) > cap(arena) {
			arena = make([]byte, 0, max(len(raw), arenaSize))
		}
		start := len(arena)
		arena = append(arena, raw...)
		// Capped, so that appending to one document never writes over
		// the next.
		page = append(page, docstore.RawDoc{ID: id, JSON: arena[start:len(arena):len(arena)]})
	}
	return page, rows.Err()
}

// Count counts the rows; a missing table has none.
func (c *collection) Count(ctx context.Context) (int64, error) {
	if c.nameErr != nil {
		return 0, c.errf("count", c.nameErr)
	}
	st, err := c.stmt(ctx, false, sqlCount)
	if isNoTable(err) {
		return 0, nil
	}
	if err != nil {
		return 0, c.errf("count", err)
	}
	var n int64
	err = st.QueryRowContext(ctx).Scan(&n)
	if isNoTable(err) {
		return 0, nil
	}
	if err != nil {
		return 0, c.errf("count", err)
	}
	return n, nil
}
