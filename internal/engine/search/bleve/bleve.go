// Package bleve is the embedded search backend: each index is a Bleve
// (scorch) index in a folder of the data directory, defined in
// Elasticsearch form and translated to a Bleve mapping (see Translate).
//
// Layout: dir/<name>/ holds the Bleve index and studio_spec.json, the
// Elasticsearch definition it was created from (settings, mapping, _meta),
// so that _meta and the mapping survive a restart. An index is built in
// dir/.creating-<name>-<random> and renamed into place, and renamed to
// dir/.deleting-<name>-<random> before removal, so a crash never leaves a
// half index under a real name.
//
// A Bleve index can be open in one process only: the server and the worker
// of `studio dev` must share one Engine.
package bleve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"studio/internal/engine/search"
)

// SpecFile is the name of the file beside each index that holds its
// Elasticsearch definition.
const SpecFile = "studio_spec.json"

const (
	creatingPrefix = ".creating-"
	deletingPrefix = ".deleting-"
	// staleCreate is the age after which an unfinished creation is litter.
	staleCreate = time.Hour
	// lockTimeout bounds the wait for an index another process holds open.
	lockTimeout = "5s"
)

// Engine is a search.Engine on Bleve indexes in one folder.
type Engine struct {
	dir string
	log *slog.Logger

	mu      sync.Mutex
	indexes map[string]*index // by name; nil after Close
	aliases map[string]string // alias -> index name, kept in AliasFile

	scrolls scrolls
}

// index is one index of the engine; its Bleve index is opened on first use.
//
// Lock order: Engine.mu, then index.mu. Replacing bi (open, close,
// PutMapping) holds both; data operations hold index.mu only (read-locked;
// Bulk also holds writeMu so that versions are read and bumped in order).
type index struct {
	name string
	path string
	spec []byte // studio_spec.json, decoded afresh for each caller

	mu      sync.RWMutex
	writeMu sync.Mutex
	bi      blevesearch.Index
	schema  *schema
	gone    bool // deleted or closed
}

var _ search.Engine = (*Engine)(nil)

// Open opens the indexes in dir, creating dir if needed.
func Open(dir string) (*Engine, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bleve: create index folder: %w", err)
	}
	e := &Engine{dir: dir, log: slog.Default().With("search", "bleve", "dir", dir), indexes: map[string]*index{}}
	e.scrolls.m = map[string]*scrollState{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("bleve: read index folder: %w", err)
	}
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		if strings.HasPrefix(ent.Name(), ".") {
			e.removeLitter(ent)
			continue
		}
		if err := search.ValidateIndexName(ent.Name()); err != nil {
			continue // not ours
		}
		path := filepath.Join(dir, ent.Name())
		spec, err := os.ReadFile(filepath.Join(path, SpecFile))
		if errors.Is(err, os.ErrNotExist) {
			e.log.Warn("folder without "+SpecFile+" is not an index, skipped", "folder", path)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bleve: index %q: %w", ent.Name(), err)
		}
		e.indexes[ent.Name()] = &index{name: ent.Name(), path: path, spec: spec}
	}
	if err := e.loadAliases(); err != nil {
		return nil, err
	}
	return e, nil
}

// removeLitter removes what an interrupted create or delete left behind.
func (e *Engine) removeLitter(ent os.DirEntry) {
	name := ent.Name()
	switch {
	case strings.HasPrefix(name, deletingPrefix):
	case strings.HasPrefix(name, creatingPrefix):
		info, err := ent.Info()
		if err != nil || time.Since(info.ModTime()) < staleCreate {
			return // perhaps another process is creating it right now
		}
	default:
		return
	}
	path := filepath.Join(e.dir, name)
	if err := os.RemoveAll(path); err != nil {
		e.log.Warn("cannot remove leftover folder", "folder", path, "err", err)
		return
	}
	e.log.Info("removed leftover folder of an interrupted create or delete", "folder", path)
}

// CreateIndex translates spec and creates the index.
func (e *Engine) CreateIndex(ctx context.Context, name string, spec search.IndexSpec) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := search.ValidateIndexName(name); err != nil {
		return fmt.Errorf("bleve: %w", err)
	}
	spec = spec.Normalized()
	tr, err := Translate(spec)
	if err != nil {
		return fmt.Errorf("bleve: create index %q: %w", name, err)
	}
	specJSON, err := json.MarshalIndent(specFile{Format: 1, IndexSpec: spec}, "", "  ")
	if err != nil {
		return fmt.Errorf("bleve: create index %q: encode its definition: %w", name, err)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.indexes == nil {
		return errClosed
	}
	if _, ok := e.indexes[name]; ok {
		return fmt.Errorf("bleve: index %q: %w", name, search.ErrIndexExists)
	}
	if _, ok := e.aliases[name]; ok {
		return fmt.Errorf("bleve: index %q: %w (it is an alias)", name, search.ErrIndexExists)
	}
	path := filepath.Join(e.dir, name)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("bleve: index %q: %w (the folder %s exists but is not an index; remove it)", name, search.ErrIndexExists, path)
	}
	if err := build(e.dir, path, tr, specJSON); err != nil {
		return fmt.Errorf("bleve: create index %q: %w", name, err)
	}
	ix := &index{name: name, path: path, spec: specJSON}
	if err := ix.open(); err != nil {
		return fmt.Errorf("bleve: create index %q: %w", name, err)
	}
	e.indexes[name] = ix
	e.log.InfoContext(ctx, "index created", "index", name, "copy_to_fields", len(tr.CopyTo))
	return nil
}

// specFile is the content of SpecFile.
type specFile struct {
	Format int `json:"format"`
	search.IndexSpec
}

// build creates the index in a staging folder and renames it to path.
func build(dir, path string, tr *Translation, specJSON []byte) (err error) {
	staging := filepath.Join(dir, creatingPrefix+filepath.Base(path)+"-"+randomSuffix())
	defer func() {
		if err != nil {
			_ = os.RemoveAll(staging)
		}
	}()
	bi, err := blevesearch.New(staging, tr.Mapping)
	if err != nil {
		return fmt.Errorf("new bleve index: %w", err)
	}
	if err := bi.Close(); err != nil {
		return fmt.Errorf("close new bleve index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(staging, SpecFile), specJSON, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", SpecFile, err)
	}
	if err := os.Rename(staging, path); err != nil {
		return fmt.Errorf("move the new index into place: %w", err)
	}
	return nil
}

// open opens the Bleve index if it is not open yet; the caller holds
// Engine.mu.
func (ix *index) open() error {
	if ix.gone {
		return fmt.Errorf("bleve: index %q: %w", ix.name, search.ErrIndexNotFound)
	}
	if ix.bi != nil {
		return nil
	}
	spec, err := ix.decodeSpec()
	if err != nil {
		return err
	}
	tr, err := Translate(spec)
	if err != nil {
		return fmt.Errorf("bleve: index %q: its definition no longer translates: %w", ix.name, err)
	}
	bi, err := blevesearch.OpenUsing(ix.path, map[string]any{"bolt_timeout": lockTimeout})
	if err != nil {
		return fmt.Errorf("open bleve index %s (is another studio process using it?): %w", ix.path, err)
	}
	ix.bi = bi
	ix.schema = newSchema(spec, tr)
	if im, ok := bi.Mapping().(*mapping.IndexMappingImpl); ok {
		ix.schema.im = im
		ix.schema.mapper = newMapper(im, ix.schema.existsPaths)
	}
	return nil
}

// closeLocked closes the Bleve index; the caller holds Engine.mu and
// ix.mu.
func (ix *index) closeLocked() error {
	if ix.bi == nil {
		return nil
	}
	err := ix.bi.Close()
	ix.bi = nil
	return err
}

// use finds an open index by name or alias and read-locks it; release
// unlocks it.
func (e *Engine) use(ctx context.Context, name string) (ix *index, release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := search.ValidateIndexName(name); err != nil {
		return nil, nil, fmt.Errorf("bleve: %w", err)
	}
	e.mu.Lock()
	ix, err = e.resolve(name)
	if err == nil {
		err = ix.open()
	}
	e.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	ix.mu.RLock()
	if ix.gone || ix.bi == nil {
		ix.mu.RUnlock()
		return nil, nil, fmt.Errorf("bleve: index %q: %w", name, search.ErrIndexNotFound)
	}
	return ix, ix.mu.RUnlock, nil
}

// resolve finds an index by name or alias; the caller holds e.mu.
func (e *Engine) resolve(name string) (*index, error) {
	if e.indexes != nil {
		if target, ok := e.aliases[name]; ok {
			name = target
		}
	}
	return e.lookup(name)
}

func (ix *index) decodeSpec() (search.IndexSpec, error) {
	var f specFile
	if err := json.Unmarshal(ix.spec, &f); err != nil {
		return search.IndexSpec{}, fmt.Errorf("bleve: index %q: read %s: %w", ix.name, SpecFile, err)
	}
	return f.IndexSpec, nil
}

// DeleteIndex closes and removes an index.
func (e *Engine) DeleteIndex(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := search.ValidateIndexName(name); err != nil {
		return fmt.Errorf("bleve: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ix, err := e.lookup(name)
	if err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.closeLocked(); err != nil {
		return fmt.Errorf("bleve: delete index %q: close: %w", name, err)
	}
	trash := filepath.Join(e.dir, deletingPrefix+name+"-"+randomSuffix())
	if err := os.Rename(ix.path, trash); err != nil {
		return fmt.Errorf("bleve: delete index %q: %w", name, err)
	}
	ix.gone = true
	delete(e.indexes, name)
	e.scrolls.dropIndex(name)
	if err := e.dropAliasesOf(name); err != nil {
		e.log.WarnContext(ctx, "cannot update the alias file", "err", err)
	}
	if err := os.RemoveAll(trash); err != nil {
		// The index is gone; Open removes the rest next time.
		e.log.WarnContext(ctx, "cannot remove the folder of a deleted index", "folder", trash, "err", err)
	}
	e.log.InfoContext(ctx, "index deleted", "index", name)
	return nil
}

// GetIndex returns the definition the index was created with.
func (e *Engine) GetIndex(ctx context.Context, name string) (search.IndexSpec, error) {
	if err := ctx.Err(); err != nil {
		return search.IndexSpec{}, err
	}
	if err := search.ValidateIndexName(name); err != nil {
		return search.IndexSpec{}, fmt.Errorf("bleve: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ix, err := e.resolve(name)
	if err != nil {
		return search.IndexSpec{}, err
	}
	return ix.decodeSpec()
}

// ListIndexes lists the indexes with their document counts.
func (e *Engine) ListIndexes(ctx context.Context) ([]search.IndexInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.indexes == nil {
		return nil, errClosed
	}
	out := make([]search.IndexInfo, 0, len(e.indexes))
	for _, name := range sortedKeys(e.indexes) {
		ix := e.indexes[name]
		if err := ix.open(); err != nil {
			return nil, fmt.Errorf("bleve: index %q: %w", name, err)
		}
		n, err := ix.bi.DocCount()
		if err != nil {
			return nil, fmt.Errorf("bleve: index %q: count documents: %w", name, err)
		}
		out = append(out, search.IndexInfo{Name: name, Docs: int64(n)})
	}
	return out, nil
}

// Info names the backend, the Bleve version compiled in, and the folder.
func (e *Engine) Info(ctx context.Context) (search.Info, error) {
	if err := ctx.Err(); err != nil {
		return search.Info{}, err
	}
	return search.Info{Backend: "bleve", Version: bleveVersion(), Where: e.dir}, nil
}

// Close closes every open index; the Engine is unusable afterwards.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for _, name := range sortedKeys(e.indexes) {
		ix := e.indexes[name]
		ix.mu.Lock()
		if err := ix.closeLocked(); err != nil {
			errs = append(errs, fmt.Errorf("bleve: close index %q: %w", name, err))
		}
		ix.gone = true
		ix.mu.Unlock()
	}
	e.indexes = nil
	return errors.Join(errs...)
}

var errClosed = errors.New("bleve: the search engine is closed")

// lookup finds an index; the caller holds e.mu.
func (e *Engine) lookup(name string) (*index, error) {
	if e.indexes == nil {
		return nil, errClosed
	}
	ix, ok := e.indexes[name]
	if !ok {
		return nil, fmt.Errorf("bleve: index %q: %w", name, search.ErrIndexNotFound)
	}
	return ix, nil
}

const blevePath = "github.com/blevesearch/bleve/v2"

// bleveVersion is the version of the Bleve module in the binary.
func bleveVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		i := slices.IndexFunc(bi.Deps, func(m *debug.Module) bool { return m.Path == blevePath })
		if i >= 0 {
			m := bi.Deps[i]
			if m.Replace != nil && m.Replace.Version != "" {
				m = m.Replace
			}
			if m.Version != "" {
				return m.Version
			}
		}
	}
	return "v2"
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
