// Package download is the dumpers' transfer layer: it asks a server what a
// data file is (size, date, release), decides whether the local copy is
// stale, and downloads one URL at a time, streaming to disk and resuming an
// interrupted transfer where the protocol allows it (HTTP ranges, FTP REST).
//
// Supported schemes are http, https, ftp and file. Files are written as
// "<name>.part" and renamed when complete and verified, so a file with the
// final name is always whole.
package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Info describes a remote file.
type Info struct {
	URL     string
	Name    string    // file name: Content-Disposition filename, else the URL's base name
	Size    int64     // -1 when unknown
	ModTime time.Time // zero when unknown
	ETag    string
	// Release is the version a dump of this file gets: the modification date
	// as YYYY-MM-DD, else (http) the ETag without W/ and quotes, else "" (the
	// caller then uses today's date).
	Release string
}

// Options tune Fetch.
type Options struct {
	// Progress, when set, is called with the bytes written so far and the
	// expected total (-1 when unknown), at most about 4 times a second and
	// once at the end.
	Progress func(done, total int64)
	// Client is the HTTP client to use; nil means a client without overall
	// timeout (large files take long) but with connection timeouts.
	Client *http.Client
	// FileName overrides the name of the written file.
	FileName string
}

// bufSize is the copy buffer: large buffers keep syscalls per byte low.
const bufSize = 1 << 20

// progressInterval spaces Progress calls.
const progressInterval = 250 * time.Millisecond

// source is one transfer protocol bound to one URL.
type source interface {
	probe(ctx context.Context) (Info, error)
	// open starts the transfer. When p is not nil it describes a partial
	// download; the source continues it if the remote file is unchanged,
	// and otherwise starts over (stream.offset 0).
	open(ctx context.Context, p *partial) (*stream, error)
}

// stream is an open transfer.
type stream struct {
	info   Info
	body   io.ReadCloser
	offset int64   // bytes of the partial file the body continues; 0 = from scratch
	total  int64   // expected size of the whole file, -1 unknown
	resume partial // what to remember for resuming this transfer later
}

func newSource(raw string, opts Options) (source, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, permanent(fmt.Errorf("invalid URL %q: %v", Redact(raw), redactErr(err, raw)))
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		c := opts.Client
		if c == nil {
			c = defaultClient
		}
		return &httpSource{u: u, raw: raw, client: c}, nil
	case "ftp":
		return &ftpSource{u: u, raw: raw}, nil
	case "file":
		return &fileSource{u: u, raw: raw}, nil
	}
	return nil, permanent(fmt.Errorf("cannot download %q: unsupported scheme %q; use http, https, ftp or file", Redact(raw), u.Scheme))
}

// Probe asks the server about a remote file without downloading it.
func Probe(ctx context.Context, rawURL string) (Info, error) {
	src, err := newSource(rawURL, Options{})
	if err != nil {
		return Info{}, err
	}
	return src.probe(ctx)
}

// IsNewer says whether remote should be downloaded over localPath, and why:
// when the local file is missing, when the remote's modification time is
// newer, when the sizes differ, or when the server gives no date at all (an
// FTP server without MDTM is then judged by size alone).
func IsNewer(remote Info, localPath string) (bool, string) {
	st, err := os.Stat(localPath)
	if err != nil {
		return true, fmt.Sprintf("no local copy at %s", localPath)
	}
	isFTP := strings.HasPrefix(strings.ToLower(remote.URL), "ftp:")
	if remote.ModTime.IsZero() && !(isFTP && remote.Size >= 0) {
		return true, "the server gives no modification date: downloading to be safe"
	}
	rt, lt := remote.ModTime.Truncate(time.Second), st.ModTime().Truncate(time.Second)
	if !remote.ModTime.IsZero() && rt.After(lt) {
		return true, fmt.Sprintf("remote file is newer (%s) than the local copy (%s)", rt.UTC().Format(time.RFC3339), lt.UTC().Format(time.RFC3339))
	}
	if remote.Size >= 0 && remote.Size != st.Size() {
		return true, fmt.Sprintf("sizes differ: remote %d bytes, local %d bytes", remote.Size, st.Size())
	}
	return false, "the local copy is up to date"
}

// Fetch downloads rawURL into destDir (created if missing) and returns what
// it fetched. An interrupted transfer leaves "<name>.part" behind; the next
// Fetch of the same URL continues it when the remote file is unchanged.
func Fetch(ctx context.Context, rawURL, destDir string, opts Options) (Info, error) {
	src, err := newSource(rawURL, opts)
	if err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return Info{}, fmt.Errorf("downloading %s: creating %s: %w", Redact(rawURL), destDir, err)
	}
	name := opts.FileName
	if name == "" {
		name = urlName(rawURL)
	}
	name = sanitizeName(name)
	var p *partial
	if name != "" {
		p = loadPartial(destDir, name, rawURL)
	}
	st, err := src.open(ctx, p)
	if err != nil {
		return Info{}, err
	}
	if opts.FileName == "" && st.info.Name != "" && st.info.Name != name {
		// The server named the file (Content-Disposition): a partial
		// download may exist under that name.
		name = st.info.Name
		if p2 := loadPartial(destDir, name, rawURL); p2 != nil {
			st.body.Close()
			if st, err = src.open(ctx, p2); err != nil {
				return Info{}, err
			}
		}
	}
	if name == "" {
		st.body.Close()
		return Info{}, fmt.Errorf("downloading %s: cannot tell a file name from the URL or the server: set a file name", Redact(rawURL))
	}
	st.info.Name = name
	return st.info, save(ctx, st, destDir, name, rawURL, opts.Progress)
}

// save streams st into destDir/name via name.part.
func save(ctx context.Context, st *stream, destDir, name, rawURL string, progress func(int64, int64)) error {
	defer st.body.Close()
	final := filepath.Join(destDir, name)
	part := final + ".part"
	where := Redact(rawURL)

	flag := os.O_WRONLY | os.O_CREATE
	if st.offset == 0 {
		flag |= os.O_TRUNC
	}
	f, err := os.OpenFile(part, flag, 0o644)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", where, err)
	}
	defer f.Close()
	if st.offset > 0 {
		// Keep exactly the bytes the server continues after.
		if err := f.Truncate(st.offset); err != nil {
			return fmt.Errorf("downloading %s: %w", where, err)
		}
		if _, err := f.Seek(st.offset, io.SeekStart); err != nil {
			return fmt.Errorf("downloading %s: %w", where, err)
		}
	}
	st.resume.URL = rawURL
	if err := savePartial(destDir, name, st.resume); err != nil {
		return fmt.Errorf("downloading %s: %w", where, err)
	}

	pw := &progressWriter{w: f, done: st.offset, total: st.total, fn: progress}
	_, err = io.CopyBuffer(pw, st.body, make([]byte, bufSize))
	if cerr := st.body.Close(); err == nil {
		err = cerr // an FTP server reports a failed transfer only at the end
	}
	done := pw.done
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("downloading %s: interrupted after %d bytes: %w; dump again to resume", where, done, err)
	}
	if st.total >= 0 && done != st.total {
		if done > st.total {
			f.Close()
			removePartial(destDir, name)
		}
		return fmt.Errorf("downloading %s: truncated: got %d of %d bytes; dump again to resume", where, done, st.total)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("downloading %s: %w", where, err)
	}
	if err := os.Rename(part, final); err != nil {
		return fmt.Errorf("downloading %s: %w", where, err)
	}
	os.Remove(partialPath(destDir, name))
	if !st.info.ModTime.IsZero() {
		if err := os.Chtimes(final, st.info.ModTime, st.info.ModTime); err != nil {
			return fmt.Errorf("downloading %s: setting the file date: %w", where, err)
		}
	}
	if st.info.Size < 0 {
		st.info.Size = done
	}
	pw.report(true)
	return nil
}

// progressWriter counts bytes and reports them, throttled.
type progressWriter struct {
	w           io.Writer
	done, total int64
	fn          func(int64, int64)
	last        time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.report(false)
	return n, err
}

func (p *progressWriter) report(final bool) {
	if p.fn == nil {
		return
	}
	now := time.Now()
	if final || now.Sub(p.last) >= progressInterval {
		p.last = now
		p.fn(p.done, p.total)
	}
}

// urlName is the unescaped base name of the URL's path.
func urlName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := u.Path
	if p == "" {
		p = u.Opaque
	}
	if strings.HasSuffix(p, "/") {
		return ""
	}
	return path.Base(p)
}

// sanitizeName keeps a server-supplied name from leaving destDir: base name
// only, no path separators, no control characters, no leading dots.
func sanitizeName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if strings.HasSuffix(name, ".part") || strings.HasSuffix(name, partialSuffix) {
		name += "_"
	}
	return name
}

// releaseOf turns a modification date or an ETag into a release string.
func releaseOf(mod time.Time, etag string) string {
	if !mod.IsZero() {
		return mod.UTC().Format("2006-01-02")
	}
	e := strings.TrimPrefix(strings.TrimSpace(etag), "W/")
	return strings.Trim(e, `"`)
}

var userinfoRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@`)

// Redact removes user name and password from a URL so that it can be
// logged or shown.
func Redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if u.User == nil {
			return raw
		}
		u.User = nil
		return u.String()
	}
	return userinfoRE.ReplaceAllString(raw, "$1")
}

// redactErr keeps url.Parse errors, which quote the URL, from leaking a
// password.
func redactErr(err error, raw string) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return strings.ReplaceAll(err.Error(), raw, Redact(raw))
}

// permanentError marks a failure that retrying the same request cannot fix:
// a 4xx answer, an HTML page instead of data, a bad URL, a missing file.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

func permanent(err error) error { return permanentError{err} }

// IsPermanent says whether err is a failure that a retry cannot fix, so that
// callers stop retrying and tell the user at once.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Open starts a transfer of rawURL from its first byte and returns what the
// server tells of the file with its body, for a caller that reads only a
// part of it (a sample of a large file) and then closes the body. Nothing is
// written to disk.
func Open(ctx context.Context, rawURL string, opts Options) (Info, io.ReadCloser, error) {
	src, err := newSource(rawURL, opts)
	if err != nil {
		return Info{}, nil, err
	}
	st, err := src.open(ctx, nil)
	if err != nil {
		return Info{}, nil, err
	}
	if st.info.Name == "" {
		st.info.Name = sanitizeName(urlName(rawURL))
	}
	return st.info, st.body, nil
}
