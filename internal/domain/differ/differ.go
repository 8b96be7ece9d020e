// Package differ compares two builds of a collection and writes the
// difference as the files of an incremental release: numbered gzip JSON
// files of {"add":[docs], "update":[{"_id", "patch":[RFC 6902 ops]}],
// "delete":[ids]} and a metadata.json describing them.
//
// Both collections are read in ascending _id order and merged like a
// sorted merge join, so memory stays bounded by one output file whatever
// the size of the collections.
package differ

import (
	"context"
	"fmt"
	"time"

	"studio/internal/encoding/jsondiff"
	"studio/internal/engine/docstore"
)

// DefaultMaxDocsPerFile bounds the entries (adds, updates and deletes
// together) of one diff file when Options leaves it at zero.
const DefaultMaxDocsPerFile = 10_000

// progressEvery is how many compared documents pass between Progress calls.
const progressEvery = 10_000

// Options tune Diff; the zero value is the default.
type Options struct {
	MaxDocsPerFile int         // entries per file; 0 means DefaultMaxDocsPerFile
	Progress       func(Stats) // called now and then while diffing, and at the end
}

// Stats counts documents by what happened to them between the builds.
type Stats struct {
	Add    int64 `json:"add"`
	Update int64 `json:"update"`
	Delete int64 `json:"delete"`
	Same   int64 `json:"same"`
}

// Diff writes the difference between old and new into dir and returns
// its metadata, also written to dir/metadata.json once every data file is
// in place. Files left in dir by an earlier run are removed first. On error
// the data files written so far are removed and no metadata.json is left,
// so an unfinished diff can never be taken for a finished one.
func Diff(ctx context.Context, old, new docstore.Collection, dir string, oldID, newID string,
	oldMapping, newMapping, newMeta map[string]any, opts Options) (Metadata, error) {
	if opts.MaxDocsPerFile <= 0 {
		opts.MaxDocsPerFile = DefaultMaxDocsPerFile
	}
	if err := prepareDir(dir); err != nil {
		return Metadata{}, err
	}
	w := newFileWriter(dir, opts.MaxDocsPerFile)
	stats, err := merge(ctx, old, new, w, opts.Progress)
	if err == nil {
		err = w.flush()
	}
	if err != nil {
		w.removeAll()
		return Metadata{}, fmt.Errorf("diff %s → %s: %w", old.Name(), new.Name(), err)
	}
	added, incompatible := MappingDiff(oldMapping, newMapping)
	md := Metadata{
		Old:                 oldID,
		New:                 newID,
		Stats:               stats,
		Files:               w.files,
		MappingChanged:      !jsondiff.Equal(normalMap(oldMapping), normalMap(newMapping)),
		MappingAdded:        added,
		MappingIncompatible: incompatible,
		Meta:                newMeta,
		CreatedAt:           time.Now().UTC().Format(time.RFC3339),
	}
	if err := writeMetadata(dir, md); err != nil {
		w.removeAll()
		return Metadata{}, err
	}
	if opts.Progress != nil {
		opts.Progress(stats)
	}
	return md, nil
}

// normalMap makes a nil mapping equal to an empty one.
func normalMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// merge walks both collections in _id order and hands every difference
// to w.
func merge(ctx context.Context, oldC, newC docstore.Collection, w *fileWriter, progress func(Stats)) (Stats, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops both readers when merge returns early
	oldR, newR := startReader(ctx, oldC), startReader(ctx, newC)
	defer oldR.stop()
	defer newR.stop()
	var st Stats
	o, oErr := oldR.next()
	n, nErr := newR.next()
	for seen := int64(0); ; seen++ {
		if oErr != nil {
			return st, oErr
		}
		if nErr != nil {
			return st, nErr
		}
		if o == nil && n == nil {
			return st, nil
		}
		if progress != nil && seen%progressEvery == 0 && seen > 0 {
			progress(st)
		}
		var err error
		switch {
		case n == nil || (o != nil && o.id < n.id):
			st.Delete++
			err = w.delete(o.id)
			o, oErr = oldR.next()
		case o == nil || n.id < o.id:
			st.Add++
			err = w.add(n.doc)
			n, nErr = newR.next()
		default:
			if jsondiff.Equal(o.doc, n.doc) {
				st.Same++
			} else {
				st.Update++
				err = w.update(n.id, jsondiff.Diff(o.doc, n.doc))
			}
			o, oErr = oldR.next()
			n, nErr = newR.next()
		}
		if err != nil {
			return st, err
		}
	}
}
