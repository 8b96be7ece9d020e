// Package explorer serves the web app's data explorer. A released index is
// queried through the data API's own handler (package dataapi), one per
// index, kept for a while; a build collection, which has no search engine
// behind it, is paged and looked up by _id in the document store, and
// filtered by exact field values through the store's Find.
package explorer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"studio/internal/domain/dataapi"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
)

// APIs hands out data API handlers over the indexes of one engine.
type APIs struct {
	Engine search.Engine
	Log    *slog.Logger
	// TTL is how long a handler is reused before it is made again (its
	// doc type and field types come from the index when it is made); one
	// minute when 0.
	TTL time.Duration
	// CacheTTL keeps the data API's rendered answers (dataapi.Config.CacheTTL)
	// so that paging back, or turning a facet filter off again, answers at
	// once: on Bleve, a match-all with facets over a million documents takes
	// seconds (docs/explorer.md). DefaultCacheTTL when 0; negative turns it
	// off.
	CacheTTL time.Duration

	mu      sync.Mutex
	byIndex map[string]cachedAPI
}

type cachedAPI struct {
	h    http.Handler
	made time.Time
}

// DefaultCacheTTL is how long the explorer's data API answers are kept.
const DefaultCacheTTL = 30 * time.Second

// ErrNoIndex is returned by Handler for an index the engine does not hold.
var ErrNoIndex = errors.New("no such index")

// Handler returns the data API of index, serving under "/v1" and bare.
func (a *APIs) Handler(ctx context.Context, index string) (http.Handler, error) {
	ttl := a.TTL
	if ttl <= 0 {
		ttl = time.Minute
	}
	a.mu.Lock()
	c, ok := a.byIndex[index]
	a.mu.Unlock()
	if ok && time.Since(c.made) < ttl {
		return c.h, nil
	}
	if _, err := a.Engine.GetIndex(ctx, index); err != nil {
		return nil, fmt.Errorf("index %q: %w (%v)", index, ErrNoIndex, err)
	}
	cache := a.CacheTTL
	if cache == 0 {
		cache = DefaultCacheTTL
	}
	h, err := dataapi.New(dataapi.Config{Engine: a.Engine, Index: index, Log: a.Log, CacheTTL: max(cache, 0)})
	if err != nil {
		return nil, fmt.Errorf("data API on index %q: %w", index, err)
	}
	a.mu.Lock()
	if a.byIndex == nil {
		a.byIndex = map[string]cachedAPI{}
	}
	a.byIndex[index] = cachedAPI{h: h, made: time.Now()}
	a.mu.Unlock()
	return h, nil
}

// Limits of build collection pages.
const (
	// DefaultPageSize is the page size when none is asked for.
	DefaultPageSize = 10
	// MaxPageSize bounds a page, as the data API bounds size.
	MaxPageSize = 1000
	// MaxFilterScan bounds the documents a filtered page reads: filters
	// run on the store, without an index, and are meant for a first look.
	MaxFilterScan = 200_000
)

// PageRequest asks for one page of a build collection.
type PageRequest struct {
	// ID, when set, looks one document up; the rest is ignored.
	ID string
	// After pages on: documents whose _id sorts after it.
	After string
	Size  int
	// Filter keeps documents whose dotted fields equal the values (scalars;
	// a list field matches when one element is equal).
	Filter map[string]any
}

// Page is one page of a build collection, in _id order.
type Page struct {
	// Total counts the documents matching; with a filter, among the first
	// MaxFilterScan, and TotalCapped says when there were more to read.
	Total       int64          `json:"total"`
	TotalCapped bool           `json:"total_capped,omitempty"`
	Hits        []docstore.Doc `json:"hits"`
	// Next is the After of the next page, empty on the last page.
	Next string `json:"next,omitempty"`
}

// ReadPage reads one page of coll.
func ReadPage(ctx context.Context, coll docstore.Collection, req PageRequest) (Page, error) {
	size := req.Size
	if size <= 0 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)
	if req.ID != "" {
		d, err := coll.Get(ctx, req.ID)
		switch {
		case errors.Is(err, docstore.ErrNotFound):
			return Page{Hits: []docstore.Doc{}}, nil
		case err != nil:
			return Page{}, fmt.Errorf("look %q up in %s: %w", req.ID, coll.Name(), err)
		}
		return Page{Total: 1, Hits: []docstore.Doc{d}}, nil
	}
	if len(req.Filter) > 0 {
		return filtered(ctx, coll, req, size)
	}
	total, err := coll.Count(ctx)
	if err != nil {
		return Page{}, fmt.Errorf("count %s: %w", coll.Name(), err)
	}
	p := Page{Total: total, Hits: make([]docstore.Doc, 0, size)}
	for d, err := range coll.Scan(ctx, docstore.ScanOptions{After: req.After, Limit: size + 1, Batch: size + 1}) {
		if err != nil {
			return Page{}, fmt.Errorf("read %s after %q: %w", coll.Name(), req.After, err)
		}
		if len(p.Hits) == size {
			p.Next, _ = docstore.ID(p.Hits[size-1])
			break
		}
		p.Hits = append(p.Hits, d)
	}
	return p, nil
}

// filtered scans the collection from its start, counting the documents
// that match and keeping the page after req.After. Filters look through
// lists as the search engines do (cgi.gene matches a cgi list of objects).
func filtered(ctx context.Context, coll docstore.Collection, req PageRequest, size int) (Page, error) {
	filter, err := docstore.CheckFilter(req.Filter)
	if err != nil {
		return Page{}, fmt.Errorf("filter: %w", err)
	}
	p := Page{Hits: []docstore.Doc{}}
	var scanned int
	for d, err := range coll.Scan(ctx, docstore.ScanOptions{Batch: 1000}) {
		if err != nil {
			return Page{}, fmt.Errorf("filter %s: %w", coll.Name(), err)
		}
		if scanned++; scanned > MaxFilterScan {
			p.TotalCapped = true
			break
		}
		if !Matches(d, filter) {
			continue
		}
		p.Total++
		id, _ := docstore.ID(d)
		switch {
		case req.After != "" && id <= req.After:
		case len(p.Hits) < size:
			p.Hits = append(p.Hits, d)
		case p.Next == "":
			p.Next, _ = docstore.ID(p.Hits[size-1])
		}
	}
	return p, nil
}

// Matches says whether every dotted path of filter holds its value in d,
// looking through lists; numbers compare by value.
func Matches(d docstore.Doc, filter map[string]any) bool {
	for path, want := range filter {
		if !holds(map[string]any(d), strings.Split(path, "."), want) {
			return false
		}
	}
	return true
}

func holds(v any, path []string, want any) bool {
	if l, ok := v.([]any); ok {
		return slices.ContainsFunc(l, func(e any) bool { return holds(e, path, want) })
	}
	if len(path) == 0 {
		return equal(v, want)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	next, ok := m[path[0]]
	if !ok {
		return want == nil && len(path) == 1
	}
	return holds(next, path[1:], want)
}

func equal(a, b any) bool {
	fa, aNum := number(a)
	fb, bNum := number(b)
	if aNum || bNum {
		return aNum && bNum && fa == fb
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
