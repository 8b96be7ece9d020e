package dataapi

import (
	"context"
	"errors"
	"net/http"

	"studio/internal/domain/dataapi/apiopts"
	"studio/internal/engine/search"
)

// annotation is GET /<doc_type>/<id>: the document with _id and _version,
// or a 404 in BioThings' words.
func (a *api) annotation(ctx context.Context, id string, o apiopts.Options) answer {
	if rg, raw := a.rawGetter(o); raw {
		h, err := rg.GetRaw(ctx, a.index, id)
		if errors.Is(err, search.ErrNotFound) {
			return failed(http.StatusNotFound, "Not Found.")
		}
		if err != nil {
			return answer{err: err}
		}
		doc, err := docOf(h, "", false)
		if err != nil {
			return answer{err: err}
		}
		return ok(doc)
	}
	h, err := a.eng.Get(ctx, a.index, id)
	if errors.Is(err, search.ErrNotFound) {
		return failed(http.StatusNotFound, "Not Found.")
	}
	if err != nil {
		return answer{err: err}
	}
	doc, keep, err := hitBody(h, filtered(h.Source, o), a.shapeOf(o), false, true)
	if err != nil {
		return answer{err: err}
	}
	if !keep {
		// biothings.web answers a document jmespath_exclude_empty drops
		// as it answers a missing one.
		return failed(http.StatusNotFound, "Not Found.")
	}
	return ok(doc)
}

// annotations is POST /<doc_type> with ids: the documents in input order,
// each with query (the id asked for), _id and _version; a missing id gives
// {"query": id, "notfound": true}.
func (a *api) annotations(ctx context.Context, o apiopts.Options) answer {
	out := make([]any, 0, len(o.IDs))
	if len(o.IDs) == 0 {
		return ok(out)
	}
	if rg, raw := a.rawGetter(o); raw {
		return a.rawAnnotations(ctx, rg, o)
	}
	hits, err := a.eng.MGet(ctx, a.index, o.IDs)
	if err != nil {
		return answer{err: err}
	}
	sh := a.shapeOf(o)
	for i := range o.IDs {
		echo := echoTerm(termAt(o, i))
		if i >= len(hits) || !hits[i].Found {
			out = append(out, map[string]any{"query": echo, "notfound": true})
			continue
		}
		e, keep, err := hitBody(hits[i], filtered(hits[i].Source, o), sh, false, true)
		if err != nil {
			return answer{err: err}
		}
		if !keep {
			// Dropped by jmespath_exclude_empty: not found, as
			// biothings.web answers it.
			e = map[string]any{"notfound": true}
		}
		e["query"] = echo
		out = append(out, e)
	}
	return ok(out)
}

// termAt is the i-th id as the request sent it.
func termAt(o apiopts.Options, i int) any {
	if i < len(o.Terms) {
		return o.Terms[i]
	}
	return o.IDs[i]
}

// filtered applies fields to a source that the engine returned whole.
func filtered(src map[string]any, o apiopts.Options) map[string]any {
	if o.AllFields || len(o.Fields) == 0 {
		return src
	}
	return search.FilterSource(src, o.Fields)
}

// rawAnnotations is annotations written from the stored sources.
func (a *api) rawAnnotations(ctx context.Context, rg search.RawGetter, o apiopts.Options) answer {
	ids := o.IDs
	hits, err := rg.MGetRaw(ctx, a.index, ids)
	if err != nil {
		return answer{err: err}
	}
	out := make([]any, 0, len(ids))
	for i, id := range ids {
		if i >= len(hits) || !hits[i].Found {
			out = append(out, map[string]any{"query": id, "notfound": true})
			continue
		}
		doc, err := docOf(hits[i], id, true)
		if err != nil {
			return answer{err: err}
		}
		out = append(out, doc)
	}
	return ok(out)
}
