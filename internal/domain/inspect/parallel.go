package inspect

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
)

// batchSize is how many documents travel to a worker at once: enough to
// make the channel's cost negligible beside inspecting them.
const batchSize = 256

// Parallel inspects a stream of documents with n workers (GOMAXPROCS when
// n <= 0), each with its own Inspector, merged at the end. Reading the
// stream stays on the calling goroutine. It stops at the first error of the
// stream or when ctx is done, and then returns that error and no Result.
func Parallel(ctx context.Context, n int, docs iter.Seq2[map[string]any, error], modes ...Mode) (Result, error) {
	for _, m := range modes {
		if _, err := ParseMode(string(m)); err != nil {
			return Result{}, err
		}
	}
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	batches := make(chan []map[string]any, 2*n)
	parts := make([]*Inspector, n)
	var wg sync.WaitGroup
	for i := range parts {
		parts[i] = New(modes...)
		wg.Go(func() {
			for b := range batches {
				for _, d := range b {
					parts[i].Add(d)
				}
			}
		})
	}
	err := feed(ctx, docs, batches)
	close(batches)
	wg.Wait()
	if err != nil {
		return Result{}, err
	}
	for _, p := range parts[1:] {
		parts[0].Merge(p)
	}
	return parts[0].Result(), nil
}

// feed sends the stream to the workers in batches.
func feed(ctx context.Context, docs iter.Seq2[map[string]any, error], batches chan<- []map[string]any) error {
	send := func(b []map[string]any) error {
		select {
		case batches <- b:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("inspect: %w", context.Cause(ctx))
		}
	}
	b := make([]map[string]any, 0, batchSize)
	for d, err := range docs {
		if err != nil {
			return fmt.Errorf("inspect: reading documents: %w", err)
		}
		b = append(b, d)
		if len(b) == batchSize {
			if err := send(b); err != nil {
				return err
			}
			b = make([]map[string]any, 0, batchSize)
		}
	}
	if len(b) > 0 {
		if err := send(b); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("inspect: %w", context.Cause(ctx))
	}
	return nil
}
