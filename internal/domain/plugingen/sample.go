package plugingen

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"studio/internal/domain/archive"
	"studio/internal/domain/download"
)

// Limits bound the sample read from a file.
type Limits struct {
	// MaxBytes bounds the uncompressed text of the sample; the sample ends
	// at the last whole line (or JSON element) before it.
	MaxBytes int64
	// MaxRows bounds the lines (JSON elements) of the sample.
	MaxRows int
	// MaxZipBytes bounds a zip archive, which is read whole since its
	// table of contents is at its end.
	MaxZipBytes int64
}

// Default limits of a sample.
const (
	DefaultMaxBytes    = 4 << 20
	DefaultMaxRows     = 5000
	DefaultMaxZipBytes = 64 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxZipBytes <= 0 {
		l.MaxZipBytes = DefaultMaxZipBytes
	}
	return l
}

// Sample is the beginning of a data file, kept as plain text in a folder of
// its own so that the declarative parser can read it as it reads a dump.
type Sample struct {
	URL         string `json:"url"`
	Name        string `json:"name"`        // the downloaded file's name, e.g. "genes.tsv.gz"
	DataFile    string `json:"data_file"`   // the file the parser reads after a dump: the zip's member, else Name
	Compression string `json:"compression"` // "", "gzip" or "zip"
	Bytes       int64  `json:"bytes"`       // uncompressed bytes in the sample
	Lines       int    `json:"lines"`       // lines (json: elements) in the sample
	Truncated   bool   `json:"truncated"`   // the file goes on after the sample
	Limit       string `json:"limit"`       // what bounded the sample, for people

	dir  string // folder holding the sample
	file string // the sample's file name in dir (DataFile without compression suffix)
	text []byte // the sample's text
}

// Dir is the folder holding the sample file; File is its name there.
func (s *Sample) Dir() string  { return s.dir }
func (s *Sample) File() string { return s.file }

// Text is the sample's text.
func (s *Sample) Text() []byte { return s.text }

// Close removes the sample's folder.
func (s *Sample) Close() error { return os.RemoveAll(s.dir) }

// FetchSample downloads the beginning of the file at rawURL (http, https,
// ftp or file) through the download package, decompresses it (.gz, or the
// data file of a .zip) and keeps at most lim's bytes and rows of it.
func FetchSample(ctx context.Context, rawURL string, lim Limits) (*Sample, error) {
	lim = lim.withDefaults()
	info, body, err := download.Open(ctx, rawURL, download.Options{})
	if err != nil {
		return nil, fmt.Errorf("fetching a sample: %w", err)
	}
	defer body.Close()
	s := &Sample{URL: rawURL, Name: info.Name, DataFile: info.Name}
	if s.Name == "" {
		return nil, fmt.Errorf("fetching a sample of %s: cannot tell a file name from the URL", download.Redact(rawURL))
	}
	var r io.Reader = body
	lower := strings.ToLower(s.Name)
	switch {
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"), strings.HasSuffix(lower, ".bz2"), strings.HasSuffix(lower, ".xz"):
		return nil, fmt.Errorf("%s: only plain, .gz and .zip files can be previewed", s.Name)
	case strings.HasSuffix(lower, ".zip"):
		s.Compression = "zip"
		member, zr, err := openZip(body, lim.MaxZipBytes)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", s.Name, err)
		}
		defer zr.Close()
		s.DataFile, r = member, zr
	case strings.HasSuffix(lower, ".gz"):
		s.Compression = "gzip"
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("reading %s: not gzip data: %w", s.Name, err)
		}
		defer zr.Close()
		r = zr
	}
	s.file = strings.TrimSuffix(path.Base(s.DataFile), path.Ext(s.DataFile))
	if s.Compression != "gzip" {
		s.file = path.Base(s.DataFile)
	}
	if err := s.read(r, lim); err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.Name, err)
	}
	if s.dir, err = os.MkdirTemp("", "studio-sample-"); err != nil {
		return nil, fmt.Errorf("keeping the sample: %w", err)
	}
	kept := filepath.Join(s.dir, s.file)
	if err := os.WriteFile(kept, s.text, 0o644); err != nil {
		s.Close()
		return nil, fmt.Errorf("keeping the sample: %w", err)
	}
	if len(s.text) > 0 {
		// The dump's own check: an HTML page is a server's error page.
		if err := archive.Check(kept, false); err != nil {
			s.Close()
			return nil, errors.New(strings.ReplaceAll(err.Error(), kept, s.Name))
		}
	}
	return s, nil
}

// openZip reads a zip archive (at most max bytes) and opens its data file:
// its only file, or the largest one.
func openZip(r io.Reader, max int64) (string, io.ReadCloser, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return "", nil, err
	}
	if int64(len(data)) > max {
		return "", nil, fmt.Errorf("a zip archive is read whole to find its files, and this one is over %s: give the URL of a plain or .gz file", size(max))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", nil, fmt.Errorf("not a zip archive: %w", err)
	}
	var best *zip.File
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(path.Base(f.Name), ".") || strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		if best == nil || f.UncompressedSize64 > best.UncompressedSize64 {
			best = f
		}
	}
	if best == nil {
		return "", nil, errors.New("the zip archive holds no file")
	}
	rc, err := best.Open()
	if err != nil {
		return "", nil, fmt.Errorf("opening %s in the zip archive: %w", best.Name, err)
	}
	return best.Name, rc, nil
}

// read keeps the beginning of r: whole lines up to lim, or, for a JSON
// array, whole elements re-written as a shorter array.
func (s *Sample) read(r io.Reader, lim Limits) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(512)
	if first := firstNonSpace(head); first == '[' {
		return s.readJSONArray(br, lim)
	}
	var buf bytes.Buffer
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			line, err = readLongLine(br, line, lim.MaxBytes)
		}
		if len(line) > 0 {
			if int64(buf.Len()+len(line)) > lim.MaxBytes || s.Lines >= lim.MaxRows {
				s.Truncated = true
				break
			}
			buf.Write(line)
			s.Lines++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if s.Truncated && buf.Len() == 0 {
		return fmt.Errorf("line 1 is longer than the sample's %s", size(lim.MaxBytes))
	}
	s.text, s.Bytes = buf.Bytes(), int64(buf.Len())
	s.Limit = limitText(s, lim, "lines")
	return nil
}

// readLongLine finishes a line longer than the reader's buffer, reading at
// most max bytes of it.
func readLongLine(br *bufio.Reader, start []byte, max int64) ([]byte, error) {
	line := append([]byte(nil), start...)
	for int64(len(line)) <= max {
		more, err := br.ReadSlice('\n')
		line = append(line, more...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
	return line, nil
}

// readJSONArray keeps the first elements of a JSON array.
func (s *Sample) readJSONArray(r io.Reader, lim Limits) error {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for dec.More() {
		var el json.RawMessage
		off := dec.InputOffset()
		if err := dec.Decode(&el); err != nil {
			return fmt.Errorf("element %d (byte %d): invalid JSON: %w", s.Lines+1, off, err)
		}
		if int64(buf.Len()+len(el)+3) > lim.MaxBytes || s.Lines >= lim.MaxRows {
			s.Truncated = true
			break
		}
		if s.Lines > 0 {
			buf.WriteString(",\n")
		}
		buf.Write(el)
		s.Lines++
	}
	buf.WriteString("\n]\n")
	s.text, s.Bytes = buf.Bytes(), int64(buf.Len())
	s.Limit = limitText(s, lim, "elements")
	return nil
}

func limitText(s *Sample, lim Limits, unit string) string {
	if !s.Truncated {
		return fmt.Sprintf("the whole file (%d %s, %d bytes)", s.Lines, unit, s.Bytes)
	}
	return fmt.Sprintf("the first %d %s (%d bytes) of the file: samples stop at %d %s or %s", s.Lines, unit, s.Bytes, lim.MaxRows, unit, size(lim.MaxBytes))
}

// size writes a byte count for people.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func firstNonSpace(b []byte) byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
	}
	return 0
}
