package differ

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"studio/internal/encoding/jsondiff"
	"studio/internal/engine/docstore"
)

// FileInfo describes one diff file in the metadata.
type FileInfo struct {
	Name   string `json:"name"`
	MD5    string `json:"md5"`
	Size   int64  `json:"size"`
	Add    int    `json:"add"`
	Update int    `json:"update"`
	Delete int    `json:"delete"`
}

// File is the decoded content of one diff file.
type File struct {
	Add    []map[string]any `json:"add"`
	Update []Update         `json:"update"`
	Delete []string         `json:"delete"`
}

// Update is the patch turning the old version of a document into the new.
type Update struct {
	ID    string        `json:"_id"`
	Patch []jsondiff.Op `json:"patch"`
}

// dataName matches the names of data files and tempName the temporary
// files they and metadata.json are written through; anything else in a
// diff folder is left alone when it is cleaned.
var (
	dataName = regexp.MustCompile(`^[0-9]{5,}\.json\.gz$`)
	tempName = regexp.MustCompile(`^\.([0-9]{5,}\.json\.gz|metadata\.json)\.tmp$`)
)

const (
	metadataName = "metadata.json"
	tempSuffix   = ".tmp"
)

// prepareDir creates dir and removes what an earlier run left there.
// metadata.json goes first: without it the folder is not a finished diff
// even if removing the data files is interrupted.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("diff folder: %w", err)
	}
	if err := os.Remove(filepath.Join(dir, metadataName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("diff folder: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("diff folder: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if dataName.MatchString(name) || tempName.MatchString(name) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("diff folder: %w", err)
			}
		}
	}
	return nil
}

// fileWriter collects encoded entries and writes a file each time max of
// them are waiting. Entries are kept encoded, which is far smaller than
// the decoded documents.
type fileWriter struct {
	dir   string
	max   int
	parts [3]section // add, update, delete: the order of the file
	files []FileInfo
}

type section struct {
	key string
	buf bytes.Buffer
	enc *json.Encoder
	n   int
}

func newFileWriter(dir string, max int) *fileWriter {
	w := &fileWriter{dir: dir, max: max, files: []FileInfo{}}
	for i, key := range []string{"add", "update", "delete"} {
		s := &w.parts[i]
		s.key = key
		s.enc = json.NewEncoder(&s.buf)
		s.enc.SetEscapeHTML(false)
	}
	return w
}

func (w *fileWriter) add(doc docstore.Doc) error { return w.put(0, doc) }

func (w *fileWriter) update(id string, patch []jsondiff.Op) error {
	return w.put(1, Update{ID: id, Patch: patch})
}

func (w *fileWriter) delete(id string) error { return w.put(2, id) }

func (w *fileWriter) put(part int, v any) error {
	s := &w.parts[part]
	if s.n > 0 {
		s.buf.WriteByte(',')
	}
	if err := s.enc.Encode(v); err != nil {
		return fmt.Errorf("encoding a %s entry: %w", s.key, err)
	}
	s.n++
	if w.parts[0].n+w.parts[1].n+w.parts[2].n >= w.max {
		return w.flush()
	}
	return nil
}

// flush writes the waiting entries, if any, as the next numbered file.
func (w *fileWriter) flush() error {
	if w.parts[0].n+w.parts[1].n+w.parts[2].n == 0 {
		return nil
	}
	info := FileInfo{
		Name:   fmt.Sprintf("%05d.json.gz", len(w.files)),
		Add:    w.parts[0].n,
		Update: w.parts[1].n,
		Delete: w.parts[2].n,
	}
	err := writeAtomic(w.dir, info.Name, func(out io.Writer) error {
		sum := md5.New()
		counted := &countWriter{w: io.MultiWriter(out, sum)}
		zw := gzip.NewWriter(counted)
		if err := w.writeBody(zw); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		info.MD5, info.Size = hex.EncodeToString(sum.Sum(nil)), counted.n
		return nil
	})
	if err != nil {
		return err
	}
	w.files = append(w.files, info)
	for i := range w.parts {
		w.parts[i].buf.Reset()
		w.parts[i].n = 0
	}
	return nil
}

// writeBody writes {"add":[...],"update":[...],"delete":[...]}.
func (w *fileWriter) writeBody(out io.Writer) error {
	sep := "{"
	for i := range w.parts {
		s := &w.parts[i]
		if _, err := io.WriteString(out, sep+`"`+s.key+`":[`); err != nil {
			return err
		}
		if _, err := out.Write(s.buf.Bytes()); err != nil {
			return err
		}
		sep = "],"
	}
	_, err := io.WriteString(out, "]}")
	return err
}

// removeAll removes the data files written so far, after a failure.
func (w *fileWriter) removeAll() {
	for _, f := range w.files {
		os.Remove(filepath.Join(w.dir, f.Name))
	}
	w.files = nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeAtomic writes dir/name through a hidden temporary file renamed
// into place once complete and synced, so a crash never leaves a torn
// file under the final name.
func writeAtomic(dir, name string, fill func(io.Writer) error) error {
	tmp := filepath.Join(dir, "."+name+tempSuffix)
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}
