package plugingen

import (
	"context"
	"fmt"
	"sync"
)

// Plan is a sample, what Infer found in it, the options in force (the
// user's, completed by the proposal), the manifest they make and the preview
// of its parser on the sample.
type Plan struct {
	Sample   *Sample        `json:"sample"`
	Inferred *Inferred      `json:"inferred"`
	Options  Options        `json:"options"`
	Manifest map[string]any `json:"manifest"`
	Preview  *Preview       `json:"preview"`
}

// MakePlan infers the sample's columns (with the name, format, delimiter
// and lines to skip of o, when given), completes o from the proposal (o
// without fields only hints: the proposal is taken with o's _id, root,
// grouping and skip rules; o nil takes the proposal as it is), checks it
// and previews its parser on the sample.
func MakePlan(ctx context.Context, s *Sample, o *Options, maxDocs int) (*Plan, error) {
	var h Hints
	if o != nil {
		h = Hints{Name: o.Name, Format: o.Format, Delimiter: o.Delimiter, SkipLines: o.SkipLines}
	}
	in, err := Infer(s, h)
	if err != nil {
		return nil, err
	}
	opts := in.Proposed
	switch {
	case o != nil && len(o.Fields) == 0:
		// Options without fields are hints: the proposal, with what they set.
		if o.ID != "" {
			opts.ID = o.ID
		}
		if o.Root != "" {
			opts.Root = o.Root
		}
		opts.Group = opts.Group || o.Group
		opts.Skip = o.Skip
	case o != nil:
		opts = *o
		if opts.Format == "" {
			opts.Format, opts.Delimiter = in.Format, in.Delimiter
		}
		if opts.Name == "" {
			opts.Name = in.Proposed.Name
		}
		if opts.ID == "" {
			opts.ID = in.Proposed.ID
		}
	}
	cols := make([]string, len(in.Columns))
	for i, c := range in.Columns {
		cols[i] = c.Name
	}
	if err := opts.Check(cols); err != nil {
		return nil, err
	}
	p, err := RunPreview(ctx, s, opts, maxDocs)
	if err != nil {
		return nil, err
	}
	return &Plan{Sample: s, Inferred: in, Options: opts, Preview: p,
		Manifest: opts.Manifest(s.URL, s.DataFile, s.Compression == "zip")}, nil
}

// Cache keeps the last few samples by URL, so that a live preview does not
// fetch the file again at each change.
type Cache struct {
	mu    sync.Mutex
	lim   Limits
	max   int
	items []*Sample // oldest first
}

// NewCache keeps up to max samples read within lim.
func NewCache(max int, lim Limits) *Cache { return &Cache{lim: lim, max: max} }

// Get returns the sample of url, fetching it when it is not kept (or when
// fresh is set).
func (c *Cache) Get(ctx context.Context, url string, fresh bool) (*Sample, error) {
	c.mu.Lock()
	for i, s := range c.items {
		if s.URL == url {
			if !fresh {
				c.mu.Unlock()
				return s, nil
			}
			c.items = append(c.items[:i], c.items[i+1:]...)
			s.Close()
			break
		}
	}
	c.mu.Unlock()
	s, err := FetchSample(ctx, url, c.lim)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = append(c.items, s)
	for len(c.items) > max(c.max, 1) {
		c.items[0].Close()
		c.items = c.items[1:]
	}
	return s, nil
}

// Close removes every kept sample.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for _, s := range c.items {
		if err := s.Close(); err != nil && first == nil {
			first = fmt.Errorf("removing a sample: %w", err)
		}
	}
	c.items = nil
	return first
}
