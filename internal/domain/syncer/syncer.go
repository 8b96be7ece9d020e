// Package syncer applies one diff file to a live index.
//
// A file is applied all or nothing as far as the patches go: every patched
// document is computed before anything is written and kept beside the
// file, the writes are whole documents, so a retry after a partial write
// repeats writes and never patches a document twice. The caller removes
// the computed documents (RemoveComputed) once it has recorded the file as
// applied.
package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"studio/internal/domain/differ"
	"studio/internal/encoding/jsondiff"
	"studio/internal/engine/search"
)

// ChunkSize is how many operations go to the engine in one Bulk call.
const ChunkSize = 1000

// Errors a retry cannot fix. ApplyFile's errors match one of them with
// errors.Is, or none when the engine or the disk failed (worth a retry).
var (
	// ErrBadDiff: the diff file cannot be read or decoded.
	ErrBadDiff = errors.New("bad diff file")
	// ErrPatch: a document to patch is missing from the index, or its
	// patch no longer applies.
	ErrPatch = errors.New("patch failed")
	// ErrRefused: the engine refused documents.
	ErrRefused = errors.New("documents refused")
)

// Error is a permanent failure: its text is Err's, and it matches Kind.
type Error struct {
	Kind error // ErrBadDiff, ErrPatch or ErrRefused
	Err  error
}

func (e *Error) Error() string        { return e.Err.Error() }
func (e *Error) Unwrap() error        { return e.Err }
func (e *Error) Is(target error) bool { return target == e.Kind }

// Result counts what ApplyFile wrote.
type Result struct {
	Added   int  `json:"added"`
	Updated int  `json:"updated"`
	Deleted int  `json:"deleted"`
	Resumed bool `json:"resumed"` // the computed documents of an earlier attempt were used
}

// ComputedPath is where the patched documents of file f are kept for index.
func ComputedPath(dir, index string, f differ.FileInfo) string {
	return filepath.Join(dir, f.Name+".computed-"+index+".json")
}

// RemoveComputed removes the computed documents of f, once the caller has
// recorded f as applied to index.
func RemoveComputed(dir, index string, f differ.FileInfo) error {
	err := os.Remove(ComputedPath(dir, index, f))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// ApplyFile applies the diff file f of the diff folder dir to index, in
// Bulk chunks of ChunkSize, calling progress (when not nil) after each.
func ApplyFile(ctx context.Context, eng search.Engine, index, dir string, f differ.FileInfo, progress func(done, total int)) (Result, error) {
	var res Result
	file, err := differ.ReadFile(dir, f)
	if err != nil {
		return res, &Error{ErrBadDiff, err}
	}
	ops, resumed, err := bulkOps(ctx, eng, index, dir, f, file)
	if err != nil {
		return res, err
	}
	res.Resumed = resumed
	for start := 0; start < len(ops); start += ChunkSize {
		chunk := ops[start:min(start+ChunkSize, len(ops))]
		r, err := eng.Bulk(ctx, index, chunk)
		if err != nil {
			return res, fmt.Errorf("sync %s into %s: %w", f.Name, index, err)
		}
		if len(r.Failed) > 0 {
			return res, &Error{ErrRefused, fmt.Errorf("sync %s into %s: %d documents refused, first: %s: %s", f.Name, index, len(r.Failed), r.Failed[0].ID, r.Failed[0].Reason)}
		}
		if progress != nil {
			progress(start+len(chunk), len(ops))
		}
	}
	res.Added, res.Updated, res.Deleted = len(file.Add), len(file.Update), len(file.Delete)
	return res, nil
}

// bulkOps computes the bulk operations of a diff file. Patched documents
// are computed once and saved beside the file, so that a retry after a
// partial write uses them instead of patching documents already patched.
func bulkOps(ctx context.Context, eng search.Engine, index, dir string, f differ.FileInfo, file differ.File) ([]search.BulkOp, bool, error) {
	saved := ComputedPath(dir, index, f)
	updated, err := readComputed(saved)
	resumed := err == nil
	if !resumed {
		updated, err = patch(ctx, eng, index, f, file)
		if err != nil {
			return nil, false, err
		}
		b, err := encodeComputed(updated)
		if err != nil {
			return nil, false, err
		}
		if err := os.WriteFile(saved+".tmp", b, 0o644); err != nil {
			return nil, false, err
		}
		if err := os.Rename(saved+".tmp", saved); err != nil {
			return nil, false, err
		}
	}
	ops := make([]search.BulkOp, 0, len(file.Add)+len(file.Update)+len(file.Delete))
	for _, d := range file.Add {
		id, _ := d["_id"].(string)
		doc := make(map[string]any, len(d))
		for k, v := range d {
			if k != "_id" {
				doc[k] = v
			}
		}
		ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: doc})
	}
	for _, u := range file.Update {
		ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: u.ID, Doc: updated[u.ID]})
	}
	for _, id := range file.Delete {
		ops = append(ops, search.BulkOp{Kind: search.BulkDelete, ID: id})
	}
	return ops, resumed, nil
}

// patch reads the documents to update from the index and patches them.
func patch(ctx context.Context, eng search.Engine, index string, f differ.FileInfo, file differ.File) (map[string]map[string]any, error) {
	updated := make(map[string]map[string]any, len(file.Update))
	ids := make([]string, len(file.Update))
	for i, u := range file.Update {
		ids[i] = u.ID
	}
	hits, err := eng.MGet(ctx, index, ids)
	if err != nil {
		return nil, fmt.Errorf("sync %s: read documents to patch: %w", f.Name, err)
	}
	for i, u := range file.Update {
		if !hits[i].Found {
			return nil, &Error{ErrPatch, fmt.Errorf("sync %s: document %s to patch is not in index %s", f.Name, u.ID, index)}
		}
		doc, err := jsondiff.Apply(hits[i].Source, u.Patch)
		if err != nil {
			return nil, &Error{ErrPatch, fmt.Errorf("sync %s: document %s: the patch no longer applies: %w", f.Name, u.ID, err)}
		}
		updated[u.ID] = doc
	}
	return updated, nil
}

// encodeComputed encodes the computed documents as a JSON object by id,
// each with search.MarshalDoc, so that they decode back to the same types
// (an int64 stays an int64, a float64 a float64).
func encodeComputed(docs map[string]map[string]any) ([]byte, error) {
	raw := make(map[string]json.RawMessage, len(docs))
	for id, d := range docs {
		b, _, err := search.MarshalDoc(d)
		if err != nil {
			return nil, fmt.Errorf("document %s: %w", id, err)
		}
		raw[id] = b
	}
	return json.Marshal(raw)
}

// readComputed reads the documents encodeComputed wrote.
func readComputed(path string) (map[string]map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	docs := make(map[string]map[string]any, len(raw))
	for id, r := range raw {
		if docs[id], err = search.DecodeDoc(r); err != nil {
			return nil, err
		}
	}
	return docs, nil
}
