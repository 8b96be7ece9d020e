package uploadstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Switch writes what is left of the batch and makes the temp collection
// live: <name>, if it exists, becomes the archive <name>_archive_<date>_<hex>
// and the temp collection takes its name. Then old archives and stray temp
// collections are dropped. An empty temp collection is dropped instead and
// the error wraps ErrNoDocuments; <name> is left as it was. Calling Switch
// again after a failure retries it; after a success it returns the stats.
func (w *Writer) Switch(ctx context.Context) (Stats, error) {
	if w.state == switched {
		return w.Stats(), nil
	}
	if err := w.Flush(ctx); err != nil {
		return w.Stats(), err
	}
	n, err := w.coll.Count(ctx)
	if err != nil {
		return w.Stats(), fmt.Errorf("store: count %q: %w", w.temp, err)
	}
	if n == 0 {
		return w.Stats(), w.noDocuments(ctx)
	}
	// Under "error" every accepted document is stored once. A resumed
	// writer that only retries Switch has seen no documents to compare.
	if w.opts.OnDuplicates == OnDuplicatesError && w.seen > 0 && n != w.valid {
		return w.Stats(), w.fail(fmt.Errorf("store: %q holds %d documents but %d were accepted, so the resume point was wrong; start the upload over", w.temp, n, w.valid))
	}
	w.stats.Stored = n
	if w.seen > 0 {
		w.stats.Duplicates = max(w.valid-n, 0)
	}
	if err := w.rename(ctx); err != nil {
		return w.Stats(), err
	}
	w.state = switched
	return w.Stats(), w.prune(ctx)
}

// rename performs the two renames, putting the archive back as <name> when
// the second one fails. When <name> is missing (a first upload, or a switch
// interrupted between its renames), only the second rename is needed.
func (w *Writer) rename(ctx context.Context) error {
	cols, err := w.db.Collections(ctx)
	if err != nil {
		return fmt.Errorf("store: list collections: %w", err)
	}
	live, archive := w.names.live(), ""
	if slices.Contains(cols, live) {
		archive = w.names.newArchive(cols, time.Now())
		if err := w.db.Rename(ctx, live, archive, false); err != nil {
			return fmt.Errorf("store: archive %q as %q (%q is unchanged): %w", live, archive, live, err)
		}
	}
	err = w.db.Rename(ctx, w.temp, live, false)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("store: rename %q to %q: %w", w.temp, live, err)
	if archive == "" {
		return err
	}
	if rerr := w.db.Rename(context.WithoutCancel(ctx), archive, live, false); rerr != nil {
		return fmt.Errorf("%w; renaming the archive %q back to %q also failed (%v): retry Switch to finish, or Abort to restore it", err, archive, live, rerr)
	}
	return fmt.Errorf("%w (%q is unchanged)", err, live)
}

// noDocuments ends a writer whose temp collection is empty.
func (w *Writer) noDocuments(ctx context.Context) error {
	err := fmt.Errorf("store: %q: %w", w.names.live(), ErrNoDocuments)
	if w.stats.Rejected > 0 {
		err = fmt.Errorf("%w: all %d documents were rejected, e.g. %s", err, w.stats.Rejected, w.stats.RejectSamples[0])
	}
	if derr := w.Abort(ctx); derr != nil {
		err = errors.Join(err, derr)
	}
	return err
}

// prune drops the archives beyond KeepArchives, oldest first, and every
// temp collection of the uploader.
func (w *Writer) prune(ctx context.Context) error {
	cols, err := w.db.Collections(ctx)
	if err != nil {
		return fmt.Errorf("store: %q is live, but listing old collections failed: %w", w.names.live(), err)
	}
	drop := w.names.temps(cols)
	if archives := w.names.archives(cols); len(archives) > w.opts.KeepArchives {
		drop = append(drop, archives[:len(archives)-w.opts.KeepArchives]...)
	}
	var errs []error
	for _, c := range drop {
		if err := w.db.Drop(ctx, c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: %q is live, but dropping old collections failed: %w", w.names.live(), err)
	}
	return nil
}

// Abort drops the temp collection and leaves <name> as it was before the
// upload: if a switch was interrupted between its renames, the newest
// archive becomes <name> again. After a successful Switch it does nothing.
func (w *Writer) Abort(ctx context.Context) error {
	if w.state == switched {
		return nil
	}
	w.state = aborted
	w.batch = nil
	cols, err := w.db.Collections(ctx)
	if err != nil {
		return fmt.Errorf("store: abort: list collections: %w", err)
	}
	if _, err := restoreLive(ctx, w.db, w.names, cols); err != nil {
		return err
	}
	if err := w.db.Drop(ctx, w.temp); err != nil {
		return fmt.Errorf("store: abort: drop %q: %w", w.temp, err)
	}
	return nil
}
