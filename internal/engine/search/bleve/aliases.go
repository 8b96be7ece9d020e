package bleve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"studio/internal/engine/search"
)

// AliasFile is the file of the index folder that holds the aliases, as
// {"alias": "index", ...}. Bleve has no aliases of its own.
const AliasFile = "studio_aliases.json"

func (e *Engine) loadAliases() error {
	e.aliases = map[string]string{}
	data, err := os.ReadFile(filepath.Join(e.dir, AliasFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bleve: read aliases: %w", err)
	}
	if err := json.Unmarshal(data, &e.aliases); err != nil {
		return fmt.Errorf("bleve: read %s: %w", filepath.Join(e.dir, AliasFile), err)
	}
	for alias, name := range e.aliases {
		if _, ok := e.indexes[name]; !ok {
			delete(e.aliases, alias) // its index was removed by hand
		}
	}
	return nil
}

// saveAliases writes the alias file atomically; the caller holds e.mu.
func (e *Engine) saveAliases() error {
	data, err := json.MarshalIndent(e.aliases, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(e.dir, "."+AliasFile+"-"+randomSuffix())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("bleve: write aliases: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(e.dir, AliasFile)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("bleve: write aliases: %w", err)
	}
	return nil
}

// dropAliasesOf removes the aliases of a deleted index; the caller holds
// e.mu.
func (e *Engine) dropAliasesOf(name string) error {
	changed := false
	for alias, target := range e.aliases {
		if target == name {
			delete(e.aliases, alias)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return e.saveAliases()
}

// PutAlias points alias at index (an alias names one index on Bleve).
func (e *Engine) PutAlias(ctx context.Context, index, alias string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, n := range []string{index, alias} {
		if err := search.ValidateIndexName(n); err != nil {
			return fmt.Errorf("bleve: %w", err)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.lookup(index); err != nil {
		return err
	}
	if _, ok := e.indexes[alias]; ok {
		return &search.EngineError{Backend: "bleve", Status: 400, Type: "invalid_alias_name_exception",
			Reason: fmt.Sprintf("invalid alias name [%s]: an index exists with the same name as the alias", alias)}
	}
	old, had := e.aliases[alias]
	e.aliases[alias] = index
	if err := e.saveAliases(); err != nil {
		if had {
			e.aliases[alias] = old
		} else {
			delete(e.aliases, alias)
		}
		return err
	}
	return nil
}

// DeleteAlias removes alias from index.
func (e *Engine) DeleteAlias(ctx context.Context, index, alias string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.lookup(index); err != nil {
		return err
	}
	if e.aliases[alias] != index {
		return fmt.Errorf("bleve: alias %q of index %q: %w", alias, index, search.ErrAliasNotFound)
	}
	delete(e.aliases, alias)
	if err := e.saveAliases(); err != nil {
		e.aliases[alias] = index
		return err
	}
	return nil
}

// ListAliases lists the aliases, sorted by alias.
func (e *Engine) ListAliases(ctx context.Context) ([]search.Alias, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.indexes == nil {
		return nil, errClosed
	}
	out := make([]search.Alias, 0, len(e.aliases))
	for _, alias := range sortedKeys(e.aliases) {
		out = append(out, search.Alias{Alias: alias, Index: e.aliases[alias]})
	}
	return out, nil
}
