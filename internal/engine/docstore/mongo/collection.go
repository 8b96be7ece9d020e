package mongo

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studio/internal/engine/docstore"
)

type collection struct {
	s       *Store
	name    string
	c       *mongo.Collection
	nameErr error
}

var _ docstore.Collection = (*collection)(nil)

// defaultScanBatch is the cursor batch size of a Scan.
const defaultScanBatch = 1000

// readChunk bounds the ids of one {_id: {$in: ...}} query or delete.
const readChunk = 1000

func (c *collection) Name() string { return c.name }

func (c *collection) errf(op string, err error) error {
	return fmt.Errorf("mongo: %s %q: %w", op, c.name, err)
}

// chunks splits n items into [start, end) ranges of at most size.
func chunks(n, size int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for start := 0; start < n; start += size {
			if !yield(start, min(start+size, n)) {
				return
			}
		}
	}
}

// Insert inserts in ordered commands of at most BatchSize documents.
// Duplicates inside the batch are found before writing. A duplicate of a
// stored document stops the ordered insert; the documents of this batch
// already written (all new, since their insert succeeded) are then
// deleted again, so nothing of the batch is kept. This costs nothing on
// success, unlike a pre-check query, which FerretDB v1 answers by scanning
// the whole collection.
func (c *collection) Insert(ctx context.Context, docs []docstore.Doc) error {
	if c.nameErr != nil {
		return c.errf("insert into", c.nameErr)
	}
	ids, err := docstore.DocIDs(c.name, docs)
	if err != nil {
		return c.errf("insert into", err)
	}
	rows := make([]any, len(docs))
	for i, d := range docs {
		if rows[i], err = toBSON(d); err != nil {
			return c.errf("insert into", fmt.Errorf("document %d (_id %q): %w", i, ids[i], err))
		}
	}
	opts := options.InsertMany().SetOrdered(true)
	for start, end := range chunks(len(rows), c.s.batch) {
		_, err := c.c.InsertMany(ctx, rows[start:end], opts)
		if err == nil {
			continue
		}
		done, dupID := start, ""
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
			we := bwe.WriteErrors[0]
			done = start + we.Index
			if we.Code == codeDuplicateKey {
				dupID = ids[done]
			}
		}
		if _, derr := c.deleteIDs(context.WithoutCancel(ctx), ids[:done]); derr != nil {
			err = errors.Join(err, fmt.Errorf("removing the %d documents written before the error: %w", done, derr))
		} else if dupID != "" {
			return c.errf("insert into", &docstore.DuplicateError{Collection: c.name, ID: dupID})
		}
		return c.errf("insert into", err)
	}
	return nil
}

// InsertNew inserts the documents in unordered bulk writes of at most
// BatchSize; the server refuses those whose _id is stored, and their _ids
// are returned. Any other refusal fails the call.
func (c *collection) InsertNew(ctx context.Context, docs []docstore.Doc) ([]string, error) {
	if c.nameErr != nil {
		return nil, c.errf("insert into", c.nameErr)
	}
	ids, err := docstore.DocIDs(c.name, docs)
	if err != nil {
		return nil, c.errf("insert into", err)
	}
	rows := make([]any, len(docs))
	for i, d := range docs {
		if rows[i], err = toBSON(d); err != nil {
			return nil, c.errf("insert into", fmt.Errorf("document %d (_id %q): %w", i, ids[i], err))
		}
	}
	var left []string
	opts := options.InsertMany().SetOrdered(false)
	for start, end := range chunks(len(rows), c.s.batch) {
		_, err := c.c.InsertMany(ctx, rows[start:end], opts)
		if err == nil {
			continue
		}
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
			return nil, c.errf("insert into", err)
		}
		refused := make([]int, 0, len(bwe.WriteErrors))
		for _, we := range bwe.WriteErrors {
			if we.Code != codeDuplicateKey {
				return nil, c.errf("insert into", fmt.Errorf("_id %q: %w", ids[start+we.Index], err))
			}
			refused = append(refused, start+we.Index)
		}
		slices.Sort(refused)
		for _, i := range refused {
			left = append(left, ids[i])
		}
	}
	return left, nil
}

// Upsert replaces documents with ReplaceOne(upsert) in unordered bulk
// writes of at most BatchSize.
func (c *collection) Upsert(ctx context.Context, docs []docstore.Doc) error {
	if c.nameErr != nil {
		return c.errf("upsert into", c.nameErr)
	}
	models := make([]mongo.WriteModel, len(docs))
	for i, d := range docs {
		id, ok := docstore.ID(d)
		if !ok {
			return c.errf("upsert into", fmt.Errorf("document %d: _id must be a non-empty string, got %T", i, d["_id"]))
		}
		row, err := toBSON(d)
		if err != nil {
			return c.errf("upsert into", fmt.Errorf("document %d (_id %q): %w", i, id, err))
		}
		models[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).SetReplacement(row).SetUpsert(true)
	}
	opts := options.BulkWrite().SetOrdered(false)
	for start, end := range chunks(len(models), c.s.batch) {
		if _, err := c.c.BulkWrite(ctx, models[start:end], opts); err != nil {
			return c.errf("upsert into", err)
		}
	}
	return nil
}

// Update runs UpdateOne with $set and upsert.
func (c *collection) Update(ctx context.Context, id string, set map[string]any) error {
	if c.nameErr != nil {
		return c.errf("update", c.nameErr)
	}
	if id == "" {
		return c.errf("update", errors.New("empty _id"))
	}
	paths := make([]string, 0, len(set))
	fields := make(bson.D, 0, len(set))
	for p, v := range set {
		n, err := docstore.Normalize(v)
		if err != nil {
			return c.errf("update", fmt.Errorf("_id %q: %s: %w", id, p, err))
		}
		paths = append(paths, p)
		fields = append(fields, bson.E{Key: p, Value: n})
	}
	if err := docstore.CheckPaths(paths); err != nil {
		return c.errf("update", fmt.Errorf("_id %q: %w", id, err))
	}
	// An empty $set is an error in MongoDB; $setOnInsert of _id only
	// creates the document when it is missing.
	update := bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "_id", Value: id}}}}
	if len(fields) > 0 {
		update = bson.D{{Key: "$set", Value: fields}}
	}
	_, err := c.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return c.errf("update", fmt.Errorf("_id %q: %w", id, err))
	}
	return nil
}

// Unset runs UpdateOne with $unset, without upsert.
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
	unset := make(bson.D, len(fields))
	for i, f := range fields {
		unset[i] = bson.E{Key: f, Value: ""}
	}
	_, err := c.c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$unset", Value: unset}})
	if err != nil {
		return c.errf("unset", fmt.Errorf("_id %q: %w", id, err))
	}
	return nil
}

// Get finds one document by _id.
func (c *collection) Get(ctx context.Context, id string) (docstore.Doc, error) {
	if c.nameErr != nil {
		return nil, c.errf("get from", c.nameErr)
	}
	raw, err := c.c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("mongo: get %q from %q: %w", id, c.name, docstore.ErrNotFound)
	}
	if err != nil {
		return nil, c.errf("get from", fmt.Errorf("_id %q: %w", id, err))
	}
	d, err := fromRaw(raw)
	if err != nil {
		return nil, c.errf("get from", fmt.Errorf("_id %q: %w", id, err))
	}
	return d, nil
}

// GetMany finds documents with {_id: {$in: ids}} queries and orders them
// as ids.
func (c *collection) GetMany(ctx context.Context, ids []string) ([]docstore.Doc, error) {
	if c.nameErr != nil {
		return nil, c.errf("get from", c.nameErr)
	}
	found := make(map[string]docstore.Doc, len(ids))
	for start, end := range chunks(len(ids), readChunk) {
		filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids[start:end]}}}}
		err := c.find(ctx, filter, options.Find(), func(d docstore.Doc) bool {
			id, _ := docstore.ID(d)
			found[id] = d
			return true
		})
		if err != nil {
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

// find runs a query and passes each document to each until it says stop.
func (c *collection) find(ctx context.Context, filter any, opts *options.FindOptionsBuilder, each func(docstore.Doc) bool) error {
	cur, err := c.c.Find(ctx, filter, opts)
	if err != nil {
		return err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		d, err := fromRaw(cur.Current)
		if err != nil {
			return err
		}
		if !each(d) {
			return nil
		}
	}
	return cur.Err()
}

// Delete removes documents by _id with DeleteMany commands.
func (c *collection) Delete(ctx context.Context, ids ...string) (int64, error) {
	if c.nameErr != nil {
		return 0, c.errf("delete from", c.nameErr)
	}
	n, err := c.deleteIDs(ctx, ids)
	if err != nil {
		return n, c.errf("delete from", err)
	}
	return n, nil
}

func (c *collection) deleteIDs(ctx context.Context, ids []string) (int64, error) {
	var n int64
	for start, end := range chunks(len(ids), readChunk) {
		res, err := c.c.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids[start:end]}}}})
		if err != nil {
			return n, err
		}
		n += res.DeletedCount
	}
	return n, nil
}

// Scan streams the collection sorted by _id through one cursor.
func (c *collection) Scan(ctx context.Context, opts docstore.ScanOptions) iter.Seq2[docstore.Doc, error] {
	return func(yield func(docstore.Doc, error) bool) {
		if c.nameErr != nil {
			yield(nil, c.errf("scan", c.nameErr))
			return
		}
		batch := opts.Batch
		if batch <= 0 {
			batch = defaultScanBatch
		}
		if opts.Limit > 0 {
			batch = min(batch, opts.Limit)
		}
		filter := bson.D{}
		if opts.After != "" {
			filter = bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: opts.After}}}}
		}
		fo := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(int32(batch))
		if opts.Limit > 0 {
			fo.SetLimit(int64(opts.Limit))
		}
		stopped := false
		err := c.find(ctx, filter, fo, func(d docstore.Doc) bool {
			stopped = !yield(d, nil)
			return !stopped
		})
		if err != nil && !stopped {
			yield(nil, c.errf("scan", err))
		}
	}
}

// Find runs a find command with the filter as equality matches, the sort
// completed by _id, and the limit.
func (c *collection) Find(ctx context.Context, q docstore.Query) ([]docstore.Doc, error) {
	if c.nameErr != nil {
		return nil, c.errf("find in", c.nameErr)
	}
	filter, err := docstore.CheckFilter(q.Filter)
	if err != nil {
		return nil, c.errf("find in", err)
	}
	sort, err := sortSpec(q.Sort)
	if err != nil {
		return nil, c.errf("find in", err)
	}
	fo := options.Find().SetSort(sort)
	if q.Limit > 0 {
		fo.SetLimit(int64(q.Limit))
	}
	f := make(bson.D, 0, len(filter))
	for k, v := range filter {
		f = append(f, bson.E{Key: k, Value: v})
	}
	out := []docstore.Doc{}
	err = c.find(ctx, f, fo, func(d docstore.Doc) bool {
		out = append(out, d)
		return true
	})
	if err != nil {
		return nil, c.errf("find in", err)
	}
	return out, nil
}

// sortSpec turns "path" / "-path" keys into a sort document ending with
// _id, so that equal keys come in a deterministic order.
func sortSpec(keys []string) (bson.D, error) {
	spec := make(bson.D, 0, len(keys)+1)
	for _, k := range keys {
		path, dir := strings.TrimPrefix(k, "-"), 1
		if strings.HasPrefix(k, "-") {
			dir = -1
		}
		if path == "" || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") || strings.HasPrefix(path, "$") {
			return nil, fmt.Errorf("sort %q is not a dotted field path", k)
		}
		spec = append(spec, bson.E{Key: path, Value: dir})
		if path == "_id" {
			return spec, nil
		}
	}
	return append(spec, bson.E{Key: "_id", Value: 1}), nil
}

// Count counts the documents.
func (c *collection) Count(ctx context.Context) (int64, error) {
	if c.nameErr != nil {
		return 0, c.errf("count", c.nameErr)
	}
	n, err := c.c.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, c.errf("count", err)
	}
	return n, nil
}
