package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
)

// bleveDirect is the bare handler of the Bleve runs: Bleve's own API on a
// copy of the index (the data API's engine holds its index open, and a
// Bleve index opens in one place at a time), asked what the data API asks
// for each URL: the stored source of an _id, or the ten best documents of
// the query the data API runs for q= (the _id, or the terms in the "all"
// field), written as JSON around the stored sources.
type bleveDirect struct {
	index blevesearch.Index
}

// openBleveDirect builds the index again in its own folder with Studio's
// Bleve backend, closes it, and opens that folder with Bleve itself.
func openBleveDirect(dir, name string, spec search.IndexSpec, ids []string, docs []map[string]any) (*bleveDirect, error) {
	eng, err := bleve.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := load(eng, name, spec, ids, docs); err != nil {
		eng.Close()
		return nil, err
	}
	if err := eng.Close(); err != nil {
		return nil, err
	}
	idx, err := blevesearch.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("open %s with Bleve: %w", name, err)
	}
	return &bleveDirect{index: idx}, nil
}

func (b *bleveDirect) Close() error { return b.index.Close() }

func (b *bleveDirect) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	var err error
	status := http.StatusOK
	switch path := r.URL.Path; {
	case strings.HasPrefix(path, "/v1/gene/"):
		body, err = b.get(path[len("/v1/gene/"):])
		if body == nil && err == nil {
			status, body = http.StatusNotFound, []byte(`{"code":404,"success":false,"error":"Not Found."}`)
		}
	case path == "/v1/query":
		body, err = b.query(r.Context(), r.URL.Query().Get("q"))
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// get writes {"_id", "_version", <source>} of one document.
func (b *bleveDirect) get(id string) ([]byte, error) {
	doc, err := b.index.Document(id)
	if err != nil || doc == nil {
		return nil, err
	}
	var src []byte
	version := int64(1)
	doc.VisitFields(func(f bleveindex.Field) {
		switch f.Name() {
		case "_source":
			src = f.Value()
		case "_version":
			if nf, ok := f.(bleveindex.NumericField); ok {
				if v, err := nf.Number(); err == nil {
					version = int64(v)
				}
			}
		}
	})
	out := append([]byte(`{"_id":`), jsonenc.AppendString(nil, id)...)
	out = append(out, `,"_version":`...)
	out = strconv.AppendInt(out, version, 10)
	return appendMembers(out, src), nil
}

// query runs the q= search and writes BioThings' answer shape.
func (b *bleveDirect) query(ctx context.Context, q string) ([]byte, error) {
	match := query.NewMatchQuery(q)
	match.SetField(search.AllField)
	match.SetOperator(query.MatchQueryOperatorAnd)
	req := blevesearch.NewSearchRequestOptions(query.NewDisjunctionQuery([]query.Query{query.NewDocIDQuery([]string{q}), match}), 10, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	req.Fields = []string{"_source"}
	res, err := b.index.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	out := []byte(`{"took":`)
	out = strconv.AppendInt(out, res.Took.Milliseconds(), 10)
	out = append(out, `,"total":`...)
	out = strconv.AppendUint(out, res.Total, 10)
	out = append(out, `,"max_score":`...)
	out = strconv.AppendFloat(out, res.MaxScore, 'g', -1, 64)
	out = append(out, `,"hits":[`...)
	for i, h := range res.Hits {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"_id":`...)
		out = jsonenc.AppendString(out, h.ID)
		out = append(out, `,"_score":`...)
		out = strconv.AppendFloat(out, h.Score, 'g', -1, 64)
		src, _ := h.Fields["_source"].(string)
		out = appendMembers(out, []byte(src))
	}
	return append(out, "]}"...), nil
}

// appendMembers closes an object begun in out with the members of the
// JSON object src.
func appendMembers(out, src []byte) []byte {
	if len(src) > 2 {
		out = append(out, ',')
		out = append(out, src[1:len(src)-1]...)
	}
	return append(out, '}')
}
