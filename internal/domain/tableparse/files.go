package tableparse

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/ulikunitz/xz"
)

// inputFile is one file matched by the spec's glob.
type inputFile struct {
	path string // absolute or as joined with the data folder
	name string // relative to the data folder, for messages
	size int64
}

// matchFiles expands the glob under dataFolder, in sorted order.
func matchFiles(glob, dataFolder string) ([]inputFile, error) {
	matches, err := filepath.Glob(filepath.Join(dataFolder, glob))
	if err != nil {
		return nil, fmt.Errorf("parser.file %q: %w", glob, err)
	}
	sort.Strings(matches)
	var out []inputFile
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil {
			return nil, fmt.Errorf("parser.file %q: %w", glob, err)
		}
		if st.IsDir() {
			continue
		}
		name, err := filepath.Rel(dataFolder, m)
		if err != nil {
			name = m
		}
		out = append(out, inputFile{path: m, name: name, size: st.Size()})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parser.file %q matched no file in the data folder %s: check the glob against the dumped files", glob, dataFolder)
	}
	return out, nil
}

// countingReader counts the bytes read from the file on disk, for progress.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// openFile opens a file, decompressing by its extension (.gz, .bz2, .xz).
// read counts the compressed bytes consumed. close releases everything.
func openFile(f inputFile, read *atomic.Int64) (r io.Reader, close func() error, err error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", f.name, err)
	}
	var raw io.Reader = countingReader{r: fh, n: read}
	ext := strings.ToLower(filepath.Ext(f.name))
	if ext == ".gz" || ext == ".tgz" || ext == ".bgz" || ext == ".bz2" || ext == ".xz" {
		raw = bufio.NewReaderSize(raw, 256<<10)
	}
	switch ext {
	case ".gz", ".tgz", ".bgz":
		zr, err := gzip.NewReader(raw)
		if err != nil {
			fh.Close()
			return nil, nil, fmt.Errorf("%s: not a gzip file: %w", f.name, err)
		}
		return zr, func() error { zr.Close(); return fh.Close() }, nil
	case ".bz2":
		return bzip2.NewReader(raw), fh.Close, nil
	case ".xz":
		zr, err := xz.NewReader(raw)
		if err != nil {
			fh.Close()
			return nil, nil, fmt.Errorf("%s: not an xz file: %w", f.name, err)
		}
		return zr, fh.Close, nil
	}
	return raw, fh.Close, nil
}
