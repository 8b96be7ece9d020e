// Package elasticsearch is the production search backend: an
// Elasticsearch 8 cluster reached through go-elasticsearch/v8 (the typed
// client, with raw JSON bodies so that settings and mappings go to the
// engine exactly as written).
//
// Errors from the engine keep its own words: 400 resource_already_exists
// becomes search.ErrIndexExists, 404 search.ErrIndexNotFound, anything else
// a *search.EngineError carrying the engine's type and reason (a rejected
// mapping is shown to the user as Elasticsearch put it).
package elasticsearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	es "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/typedapi/types"

	"studio/internal/engine/search"
)

// Backend is the name the engine reports in Info and errors.
const Backend = "elasticsearch"

// openTimeout bounds the first request of Open when ctx has no deadline.
const openTimeout = 10 * time.Second

// maxIdlePerNode is how many idle connections to each node are kept for
// the next requests.
const maxIdlePerNode = 256

// Engine is a search.Engine on an Elasticsearch cluster.
type Engine struct {
	where string // the URL without credentials
	tc    *es.TypedClient
	log   *slog.Logger

	scrollMu   sync.Mutex
	scrollReqs map[string]scrollReq // keep-alive of the scrolls this engine opened
}

var _ search.Engine = (*Engine)(nil)

// Open connects to the cluster at rawURL (credentials may be given as
// http://user:password@host:9200) and checks that it answers, so a wrong
// ES_URL fails at start with one line naming it.
func Open(ctx context.Context, rawURL string) (*Engine, error) {
	cfg, where, err := config(rawURL)
	if err != nil {
		return nil, err
	}
	tc, err := es.NewTypedClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch at %s: %w", where, err)
	}
	e := &Engine{where: where, tc: tc, log: slog.Default().With("search", Backend, "url", where), scrollReqs: map[string]scrollReq{}}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, openTimeout)
		defer cancel()
	}
	info, err := e.Info(ctx)
	if err != nil {
		return nil, openError(where, err)
	}
	e.log.InfoContext(ctx, "connected", "version", info.Version)
	return e, nil
}

// openError says in one line why the first request failed.
func openError(where string, err error) error {
	var te *transportError
	switch {
	case !errors.As(err, &te):
		return fmt.Errorf("elasticsearch at %s answered with an error: %s", where, oneLine(err))
	case strings.Contains(te.err.Error(), "not Elasticsearch"):
		return fmt.Errorf("elasticsearch at %s: the server is not Elasticsearch (%s)", where, oneLine(te.err))
	}
	return fmt.Errorf("elasticsearch at %s is unreachable: %s", where, oneLine(te.err))
}

// transportError is a request that got no answer.
type transportError struct {
	where, what string
	err         error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("elasticsearch at %s: %s: %v", e.where, e.what, e.err)
}

func (e *transportError) Unwrap() error { return e.err }

// config turns the URL into a client configuration and the URL to show.
// Several nodes of one cluster may be given, comma-separated
// (http://es1:9200,http://es2:9200): requests go round them, and a node
// that does not answer is left aside while the others serve.
func config(rawURL string) (es.Config, string, error) {
	cfg := es.Config{}
	var shown []string
	for _, part := range strings.Split(rawURL, ",") {
		part = strings.TrimSpace(part)
		u, err := url.Parse(part)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return es.Config{}, "", fmt.Errorf("elasticsearch: %q is not a URL like http://localhost:9200 (several nodes: comma-separated)", part)
		}
		if u.User != nil {
			cfg.Username = u.User.Username()
			cfg.Password, _ = u.User.Password()
			u.User = nil
		}
		where := strings.TrimSuffix(u.String(), "/")
		cfg.Addresses = append(cfg.Addresses, where)
		shown = append(shown, where)
	}
	// Keep a connection per concurrent request open: the default keeps
	// two per node, so that a data API serving many clients at once
	// would connect anew for most requests.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = maxIdlePerNode
	cfg.Transport = t
	if len(cfg.Addresses) > 1 {
		// A node that went away is retried on the next one at once.
		cfg.RetryOnStatus = []int{502, 503, 504}
		cfg.MaxRetries = len(cfg.Addresses)
	}
	return cfg, strings.Join(shown, ","), nil
}

// CreateIndex creates the index with spec's settings and its mapping, _meta
// included.
func (e *Engine) CreateIndex(ctx context.Context, name string, spec search.IndexSpec) error {
	if err := search.ValidateIndexName(name); err != nil {
		return fmt.Errorf("elasticsearch: %w", err)
	}
	body := map[string]any{"mappings": spec.MappingWithMeta()}
	if spec.Settings != nil {
		body["settings"] = spec.Settings
	}
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("elasticsearch: create index %q: encode the definition: %w", name, err)
	}
	req := e.tc.Indices.Create(name).Raw(strings.NewReader(string(data)))
	if err := e.do(ctx, "create index "+strconv.Quote(name), req.Perform, nil); err != nil {
		return err
	}
	e.log.InfoContext(ctx, "index created", "index", name)
	return nil
}

// DeleteIndex deletes the index.
func (e *Engine) DeleteIndex(ctx context.Context, name string) error {
	if err := search.ValidateIndexName(name); err != nil {
		return fmt.Errorf("elasticsearch: %w", err)
	}
	if err := e.do(ctx, "delete index "+strconv.Quote(name), e.tc.Indices.Delete(name).Perform, nil); err != nil {
		return err
	}
	e.log.InfoContext(ctx, "index deleted", "index", name)
	return nil
}

// GetIndex returns the index's mapping, _meta and settings as
// Elasticsearch reports them (settings include uuid, creation_date, ...).
func (e *Engine) GetIndex(ctx context.Context, name string) (search.IndexSpec, error) {
	if err := search.ValidateIndexName(name); err != nil {
		return search.IndexSpec{}, fmt.Errorf("elasticsearch: %w", err)
	}
	var got map[string]struct {
		Mappings map[string]any `json:"mappings"`
		Settings map[string]any `json:"settings"`
	}
	if err := e.do(ctx, "get index "+strconv.Quote(name), e.tc.Indices.Get(name).Perform, &got); err != nil {
		return search.IndexSpec{}, err
	}
	// The answer is keyed by the concrete index name (name may be an alias).
	for _, ix := range got {
		if len(got) == 1 {
			return search.IndexSpec{Settings: ix.Settings, Mapping: ix.Mappings}.Normalized(), nil
		}
	}
	return search.IndexSpec{}, fmt.Errorf("elasticsearch: get index %q: the answer names %d indexes, want 1", name, len(got))
}

// ListIndexes lists the indexes (not the dot-indexes of Elasticsearch
// itself) with their document counts. The counts are those of searches
// (top-level documents, as Count and Stats give them): _cat/indices
// counts the hidden documents of nested fields too.
func (e *Engine) ListIndexes(ctx context.Context) ([]search.IndexInfo, error) {
	var rows []struct {
		Index string `json:"index"`
	}
	req := e.tc.Cat.Indices().Format("json").H("index")
	if err := e.do(ctx, "list indexes", req.Perform, &rows); err != nil {
		return nil, err
	}
	out := make([]search.IndexInfo, 0, len(rows))
	for _, r := range rows {
		if !strings.HasPrefix(r.Index, ".") {
			out = append(out, search.IndexInfo{Name: r.Index})
		}
	}
	if len(out) > 0 {
		counts, err := e.docCounts(ctx, len(rows))
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Docs = counts[out[i].Name]
		}
	}
	slices.SortFunc(out, func(a, b search.IndexInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// docCounts counts the top-level documents of every open index in one
// search (a terms aggregation on _index); indexes without documents are
// absent.
func (e *Engine) docCounts(ctx context.Context, indexes int) (map[string]int64, error) {
	body := map[string]any{"size": 0, "track_total_hits": false,
		"aggs": map[string]any{"ix": map[string]any{"terms": map[string]any{"field": "_index", "size": max(indexes, 1)}}}}
	var ans struct {
		Aggregations struct {
			Ix struct {
				Buckets []struct {
					Key      string `json:"key"`
					DocCount int64  `json:"doc_count"`
				} `json:"buckets"`
			} `json:"ix"`
		} `json:"aggregations"`
	}
	q := url.Values{"ignore_unavailable": {"true"}, "allow_no_indices": {"true"}}
	if err := e.call(ctx, "count the documents of the indexes", http.MethodPost, "/_all/_search", q, body, &ans); err != nil {
		return nil, err
	}
	counts := make(map[string]int64, len(ans.Aggregations.Ix.Buckets))
	for _, b := range ans.Aggregations.Ix.Buckets {
		counts[b.Key] = b.DocCount
	}
	return counts, nil
}

// Info asks the cluster for its version.
func (e *Engine) Info(ctx context.Context) (search.Info, error) {
	var root struct {
		Version struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	if err := e.do(ctx, "info", e.tc.Info().Perform, &root); err != nil {
		return search.Info{}, err
	}
	return search.Info{Backend: Backend, Version: root.Version.Number, Where: e.where}, nil
}

// Close releases the client's connections.
func (e *Engine) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.tc.Close(ctx); err != nil && !errors.Is(err, es.ErrAlreadyClosed) {
		return fmt.Errorf("elasticsearch: close: %w", err)
	}
	return nil
}

// do performs one request, decodes a 2xx answer into out (when not nil)
// and turns any other answer into an error.
func (e *Engine) do(ctx context.Context, what string, perform func(context.Context) (*http.Response, error), out any) error {
	res, err := perform(ctx)
	if err != nil {
		// The typed API wraps transport errors in "an error happened during
		// the X query execution: ..."; the cause says it better.
		if inner := errors.Unwrap(err); inner != nil && strings.HasPrefix(err.Error(), "an error happened") {
			err = inner
		}
		return &transportError{where: e.where, what: what, err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("elasticsearch at %s: %s: read the answer: %w", e.where, what, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("elasticsearch: %s: %w", what, engineError(res.StatusCode, body))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("elasticsearch at %s: %s: decode the answer: %w", e.where, what, err)
	}
	return nil
}

// engineError maps an error answer to the search errors.
func engineError(status int, body []byte) error {
	var ee types.ElasticsearchError
	if err := json.Unmarshal(body, &ee); err != nil || ee.ErrorCause.Type == "" {
		return &search.EngineError{Backend: Backend, Status: status, Reason: shorten(string(body))}
	}
	cause := ee.ErrorCause
	switch {
	case status == http.StatusNotFound:
		return search.ErrIndexNotFound
	case status == http.StatusBadRequest && cause.Type == "resource_already_exists_exception":
		return search.ErrIndexExists
	}
	return &search.EngineError{Backend: Backend, Status: status, Type: cause.Type, Reason: reason(cause)}
}

// reason is the engine's reason, followed by the reason of its cause when
// that adds something (e.g. "Failed to parse mapping: ..." and why). A
// failed search says "all shards failed" and keeps why in its root cause,
// which is what the user needs to read.
func reason(c types.ErrorCause) string {
	if c.Type == "search_phase_execution_exception" && len(c.RootCause) > 0 && deref(c.RootCause[0].Reason) != "" {
		c = c.RootCause[0]
	}
	r := deref(c.Reason)
	if c.CausedBy != nil {
		if inner := deref(c.CausedBy.Reason); inner != "" && !strings.Contains(r, inner) {
			r += ": " + inner
		}
	}
	if r == "" {
		r = c.Type
	}
	return r
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// shorten keeps a non-JSON error body readable in one line.
func shorten(s string) string {
	s = oneLine(errors.New(strings.TrimSpace(s)))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		s = "no reason given"
	}
	return s
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
