package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// within tells whether p is root or below it; both are clean absolute paths.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// checkTree walks a plugin folder after checkout or copy. It refuses a
// symbolic link that leads outside the folder (the parser and the manifest
// loader would follow it) and a folder bigger than maxBytes.
func checkTree(root string, maxBytes int64, what string) error {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	var size int64
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			if err := checkLink(root, realRoot, p); err != nil {
				return failf(ErrUnsafeLink, "%s: %q %v: remove the link or make it point to a file inside the plugin", what, filepath.ToSlash(rel), err)
			}
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			size += fi.Size()
			if size > maxBytes {
				return tooLarge(what, maxBytes)
			}
		}
		return nil
	})
}

// checkLink checks one symbolic link both by its text (an absolute target
// or one climbing out with "..") and by where it really leads, which catches
// a chain of links.
func checkLink(root, realRoot, link string) error {
	target, err := os.Readlink(link)
	if err != nil {
		return err
	}
	if filepath.IsAbs(target) {
		return fmt.Errorf("points to the absolute path %s", target)
	}
	if !within(root, filepath.Join(filepath.Dir(link), target)) {
		return fmt.Errorf("points outside the plugin folder (%s)", target)
	}
	if real, err := filepath.EvalSymlinks(link); err == nil && !within(realRoot, real) {
		return fmt.Errorf("leads outside the plugin folder (%s)", target)
	}
	return nil
}

func tooLarge(what string, maxBytes int64) error {
	return failf(ErrTooLarge, "%s is bigger than the limit of %s: keep data out of the plugin repository (the dumper downloads it), or raise the limit", what, humanBytes(maxBytes))
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// dirSize adds up the sizes of the regular files under root, stopping as
// soon as the total passes limit.
func dirSize(root string, limit int64) int64 {
	var size int64
	errStop := errors.New("stop")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // files come and go while git writes
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
			if size > limit {
				return errStop
			}
		}
		return nil
	})
	return size
}

// watchSize cancels the returned context when the folder grows past
// maxBytes, so a huge repository is refused while it downloads rather than
// after it has filled the disk. stop ends the watch and returns the size
// error when the watch fired.
func watchSize(ctx context.Context, dir string, maxBytes int64, what string) (context.Context, func() error) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	finished := make(chan struct{})
	var fired error
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if dirSize(dir, maxBytes) > maxBytes {
					fired = tooLarge(what, maxBytes)
					cancel(fired)
					return
				}
			}
		}
	}()
	return ctx, func() error {
		close(done)
		<-finished
		cancel(nil)
		return fired
	}
}

// copyTree copies the folder src into the empty folder dst: folders,
// regular files with their permission bits, and symbolic links as links
// (checkTree judges them afterwards). skip names entries, relative to src,
// that are left out. Anything else (a device, a pipe) is refused. Files under
// .git/objects are hard-linked when possible: git never changes an object
// file in place, and a repository copy then costs no space.
func copyTree(ctx context.Context, src, dst string, maxBytes int64, what string, skip map[string]bool) error {
	var size int64
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "." {
			return nil // dst exists
		}
		if skip[filepath.ToSlash(rel)] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		to := filepath.Join(dst, rel)
		switch t := d.Type(); {
		case t.IsDir():
			return os.Mkdir(to, 0o755)
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case t.IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if size += fi.Size(); size > maxBytes {
				return tooLarge(what, maxBytes)
			}
			if strings.HasPrefix(filepath.ToSlash(rel), ".git/objects/") && os.Link(p, to) == nil {
				return nil
			}
			return copyFile(p, to, fi.Mode().Perm())
		default:
			return failf(ErrInvalidSource, "%s: %q is not a file, folder or link (%v): remove it", what, filepath.ToSlash(rel), t)
		}
	})
}

func copyFile(from, to string, perm fs.FileMode) (err error) {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = io.Copy(out, in)
	return err
}
