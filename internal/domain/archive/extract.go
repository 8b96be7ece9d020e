package archive

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ulikunitz/xz"
)

// entryKind is what an archive entry would create.
type entryKind int

const (
	kindFile entryKind = iota
	kindDir
	kindSymlink
	kindHardlink
	kindSpecial // devices, fifos, sockets
	kindSkip    // metadata entries (pax global headers)
)

// entry is one member of an archive, whatever the format.
type entry struct {
	name    string
	kind    entryKind
	link    string // symlink or hardlink target
	mode    fs.FileMode
	modTime time.Time
	open    func() (io.Reader, error) // content of a file (or symlink)
}

// walker yields the entries of an archive in order; io.EOF ends it.
type walker interface {
	next() (*entry, error)
}

// errCorrupt marks read errors of the archive stream itself, as opposed to
// errors writing the output.
type errCorrupt struct{ err error }

func (e errCorrupt) Error() string { return "truncated or corrupt: " + e.err.Error() }
func (e errCorrupt) Unwrap() error { return e.err }

// corruptReader tags every read error but io.EOF as errCorrupt.
type corruptReader struct{ r io.Reader }

func (c corruptReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = errCorrupt{err}
	}
	return n, err
}

// Extract unpacks archive into destDir (created if missing) and returns the
// files it wrote, as slash paths relative to destDir, in archive order.
// Symbolic links are refused (data archives have no need for them and they
// are the classic way out of a folder); hard links are written as copies
// when they point at a file extracted before them. On failure, everything
// this call wrote is removed again.
func Extract(ctx context.Context, archive, destDir string, lim Limits) ([]string, error) {
	x := &extractor{archive: filepath.Base(archive), lim: lim.withDefaults()}
	files, err := x.run(ctx, archive, destDir)
	if err != nil {
		return nil, err
	}
	return files, nil
}

type extractor struct {
	archive string // base name, for messages
	lim     Limits
	root    *os.Root
	buf     []byte

	files   []string        // written, in order
	written map[string]bool // files written, for hard links and dedup
	dirs    []string        // folders created by this call
	total   int64
	current string // entry being written, for messages
}

func (x *extractor) errorf(entry string, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if entry == "" {
		return fmt.Errorf("archive %s: %s", x.archive, msg)
	}
	return fmt.Errorf("archive %s: entry %q: %s", x.archive, entry, msg)
}

func (x *extractor) run(ctx context.Context, archive, destDir string) (files []string, err error) {
	f, ok := formatOf(archive)
	if !ok {
		return nil, x.errorf("", "unknown archive type: the name must end in .zip, .tar, .tar.gz, .tgz, .tar.xz, .tar.bz2, .gz, .xz or .bz2")
	}
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return nil, x.errorf("", "creating the release folder: %v", err)
	}
	x.root, err = os.OpenRoot(destDir)
	if err != nil {
		return nil, x.errorf("", "opening the release folder: %v", err)
	}
	defer x.root.Close()
	x.written = map[string]bool{}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	x.buf = *bp
	defer func() {
		if err != nil {
			x.cleanup()
		}
	}()

	file, err := os.Open(archive)
	if err != nil {
		return nil, x.errorf("", "%v", err)
	}
	defer file.Close()

	w, err := x.walker(f, file)
	if err != nil {
		return nil, err
	}
	last := ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, x.errorf(last, "extraction stopped: %v", err)
		}
		e, err := w.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			where := ""
			if last != "" {
				where = fmt.Sprintf(" after entry %q", last)
			}
			return nil, x.errorf("", "truncated or corrupt%s: %v", where, err)
		}
		last = e.name
		if err := x.write(ctx, e); err != nil {
			return nil, err
		}
	}
	return x.files, nil
}

func (x *extractor) walker(f format, file *os.File) (walker, error) {
	if f.codec == "zip" {
		st, err := file.Stat()
		if err != nil {
			return nil, x.errorf("", "%v", err)
		}
		zr, err := zip.NewReader(file, st.Size())
		if err != nil {
			return nil, x.errorf("", "truncated or corrupt: cannot read the zip directory: %v", err)
		}
		return &zipWalker{files: zr.File}, nil
	}
	var r io.Reader = bufio.NewReaderSize(file, 1<<20)
	switch f.codec {
	case "gzip":
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, x.errorf("", "truncated or corrupt: bad gzip header: %v", err)
		}
		r = gz
	case "xz":
		xr, err := xz.NewReader(r)
		if err != nil {
			return nil, x.errorf("", "truncated or corrupt: bad xz header: %v", err)
		}
		r = xr
	case "bzip2":
		r = bzip2.NewReader(r)
	}
	r = corruptReader{r}
	if f.tar {
		return &tarWalker{tr: tar.NewReader(r)}, nil
	}
	name := strings.TrimSuffix(filepath.Base(file.Name()), filepath.Ext(file.Name()))
	if name == "" || strings.HasPrefix(name, ".") {
		return nil, x.errorf("", "cannot name the unpacked file: rename the archive to <name>%s", f.suffix)
	}
	return &singleWalker{name: name, r: r}, nil
}

// write creates one entry under the root.
func (x *extractor) write(ctx context.Context, e *entry) error {
	rel, err := safeName(e.name)
	if err != nil {
		return x.errorf(e.name, "%v", err)
	}
	x.current = e.name
	switch e.kind {
	case kindSkip:
		return nil
	case kindSpecial:
		return x.errorf(e.name, "device, fifo or socket entries are not allowed in data archives")
	case kindDir:
		if rel == "" {
			return nil
		}
		return x.mkdirs(rel)
	case kindSymlink:
		target := e.link
		if target == "" && e.open != nil {
			r, err := e.open()
			if err != nil {
				return x.errorf(e.name, "%v", err)
			}
			b, err := io.ReadAll(io.LimitReader(r, 4096))
			if err != nil {
				return x.errorf(e.name, "%v", err)
			}
			target = string(b)
		}
		if _, ok := linkTarget(rel, target); !ok {
			return x.errorf(e.name, "symbolic link to %q: link target escapes the release folder", target)
		}
		return x.errorf(e.name, "symbolic link to %q: links are not supported in data archives; unpack it by hand if it is expected", target)
	case kindHardlink:
		target, err := safeName(e.link)
		if err != nil || target == "" {
			return x.errorf(e.name, "hard link to %q: link target escapes the release folder", e.link)
		}
		if !x.written[target] {
			return x.errorf(e.name, "hard link to %q: the target is not a file extracted before it", e.link)
		}
		return x.writeFile(ctx, rel, e, func() (io.Reader, error) {
			f, err := x.root.Open(filepath.FromSlash(target))
			if err != nil {
				return nil, err
			}
			return f, nil // writeFile closes it
		})
	}
	if rel == "" {
		return x.errorf(e.name, "a file entry without a name")
	}
	return x.writeFile(ctx, rel, e, e.open)
}

// mkdirs creates rel and its parents, remembering the folders it created so
// that a failed extraction can remove them.
func (x *extractor) mkdirs(rel string) error {
	parts := strings.Split(rel, "/")
	for i := range parts {
		dir := filepath.FromSlash(strings.Join(parts[:i+1], "/"))
		st, err := x.root.Lstat(dir)
		if err == nil {
			if !st.IsDir() {
				return x.errorf(x.current, "cannot create folder %q: a file of that name exists", strings.Join(parts[:i+1], "/"))
			}
			continue
		}
		if err := x.root.Mkdir(dir, 0o755); err != nil {
			return x.errorf(x.current, "creating folder: %v", err)
		}
		x.dirs = append(x.dirs, dir)
	}
	return nil
}

func (x *extractor) writeFile(ctx context.Context, rel string, e *entry, open func() (io.Reader, error)) error {
	if !x.written[rel] && len(x.files) >= x.lim.MaxFiles {
		return x.errorf(e.name, "the archive has more than %d files: the limit was reached; raise it if the archive is trusted", x.lim.MaxFiles)
	}
	if dir := path.Dir(rel); dir != "." {
		if err := x.mkdirs(dir); err != nil {
			return err
		}
	}
	r, err := open()
	if err != nil {
		var ce errCorrupt
		if errors.As(err, &ce) || errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) {
			return x.errorf(e.name, "truncated or corrupt: %v", err)
		}
		return x.errorf(e.name, "%v", err)
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	tmp := filepath.FromSlash(path.Join(path.Dir(rel), "."+path.Base(rel)+".part-"+randomSuffix()))
	perm := fs.FileMode(0o644)
	if e.mode&0o111 != 0 {
		perm = 0o755
	}
	f, err := x.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return x.errorf(e.name, "creating file: %v", err)
	}
	remaining := x.lim.MaxBytes - x.total
	n, err := io.CopyBuffer(f, io.LimitReader(ctxReader{ctx, r}, remaining+1), x.buf)
	x.total += n
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil && x.total > x.lim.MaxBytes {
		err = fmt.Errorf("the archive unpacks to more than %d bytes, the limit: it may be a zip bomb; raise the limit if it is trusted", x.lim.MaxBytes)
	}
	if err != nil {
		x.root.Remove(tmp)
		var ce errCorrupt
		switch {
		case errors.As(err, &ce), errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat):
			return x.errorf(e.name, "truncated or corrupt: %v", err)
		case ctx.Err() != nil:
			return x.errorf(e.name, "extraction stopped: %v", ctx.Err())
		}
		return x.errorf(e.name, "%v", err)
	}
	if err := x.root.Rename(tmp, filepath.FromSlash(rel)); err != nil {
		x.root.Remove(tmp)
		return x.errorf(e.name, "%v", err)
	}
	if !e.modTime.IsZero() {
		_ = x.root.Chtimes(filepath.FromSlash(rel), e.modTime, e.modTime) // best effort
	}
	if !x.written[rel] {
		x.written[rel] = true
		x.files = append(x.files, rel)
	}
	return nil
}

// cleanup removes what this call wrote, newest first.
func (x *extractor) cleanup() {
	for i := len(x.files) - 1; i >= 0; i-- {
		_ = x.root.Remove(filepath.FromSlash(x.files[i]))
	}
	for i := len(x.dirs) - 1; i >= 0; i-- {
		_ = x.root.Remove(x.dirs[i]) // fails, as wanted, if not empty
	}
}

// bufPool recycles copy buffers: large buffers make big files fast, and
// pooling keeps many small archives cheap.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ctxReader stops a long copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ---- walkers ----

type zipWalker struct {
	files []*zip.File
	i     int
}

func (w *zipWalker) next() (*entry, error) {
	if w.i >= len(w.files) {
		return nil, io.EOF
	}
	f := w.files[w.i]
	w.i++
	mode := f.Mode()
	e := &entry{name: f.Name, mode: mode, modTime: f.Modified}
	switch {
	case mode&fs.ModeSymlink != 0:
		e.kind = kindSymlink
	case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
		e.kind = kindDir
	case mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeIrregular) != 0:
		e.kind = kindSpecial
	default:
		e.kind = kindFile
	}
	e.open = func() (io.Reader, error) {
		rc, err := f.Open()
		if err != nil {
			return nil, errCorrupt{err}
		}
		return readCloser{corruptReader{rc}, rc}, nil
	}
	return e, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type tarWalker struct{ tr *tar.Reader }

func (w *tarWalker) next() (*entry, error) {
	h, err := w.tr.Next()
	if err != nil {
		return nil, err
	}
	e := &entry{name: h.Name, link: h.Linkname, mode: h.FileInfo().Mode(), modTime: h.ModTime}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse, tar.TypeCont:
		e.kind = kindFile
		e.open = func() (io.Reader, error) { return w.tr, nil }
	case tar.TypeDir:
		e.kind = kindDir
	case tar.TypeSymlink:
		e.kind = kindSymlink
	case tar.TypeLink:
		e.kind = kindHardlink
	case tar.TypeXGlobalHeader, tar.TypeXHeader, tar.TypeGNULongName, tar.TypeGNULongLink:
		e.kind = kindSkip
	default: // devices, fifos and formats we do not know
		e.kind = kindSpecial
	}
	return e, nil
}

// singleWalker is a compressed single file (.gz, .xz, .bz2): one entry named
// after the archive without its suffix.
type singleWalker struct {
	name string
	r    io.Reader
	done bool
}

func (w *singleWalker) next() (*entry, error) {
	if w.done {
		return nil, io.EOF
	}
	w.done = true
	r := w.r
	return &entry{name: w.name, kind: kindFile, mode: 0o644, open: func() (io.Reader, error) { return r, nil }}, nil
}
