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

	"studio/internal/engine/docstore"
)

// VerifyFile checks that dir/f.Name has the size and md5 the metadata
// gives.
func VerifyFile(dir string, f FileInfo) error {
	fh, err := openData(dir, f)
	if err != nil {
		return err
	}
	defer fh.Close()
	sum := md5.New()
	n, err := io.Copy(sum, fh)
	if err != nil {
		return fmt.Errorf("file %s: %w", f.Name, err)
	}
	return check(f, n, hex.EncodeToString(sum.Sum(nil)))
}

// ReadFile reads, verifies (as VerifyFile) and decodes one diff file;
// numbers come back as the document store's int64 and float64.
func ReadFile(dir string, f FileInfo) (File, error) {
	fh, err := openData(dir, f)
	if err != nil {
		return File{}, err
	}
	raw, err := io.ReadAll(fh)
	fh.Close()
	if err != nil {
		return File{}, fmt.Errorf("file %s: %w", f.Name, err)
	}
	sum := md5.Sum(raw)
	if err := check(f, int64(len(raw)), hex.EncodeToString(sum[:])); err != nil {
		return File{}, err
	}
	out, err := decodeFile(raw)
	if err != nil {
		return File{}, fmt.Errorf("file %s: %w", f.Name, err)
	}
	if len(out.Add) != f.Add || len(out.Update) != f.Update || len(out.Delete) != f.Delete {
		return File{}, fmt.Errorf("file %s: holds %d adds, %d updates and %d deletes, metadata says %d, %d and %d",
			f.Name, len(out.Add), len(out.Update), len(out.Delete), f.Add, f.Update, f.Delete)
	}
	return out, nil
}

func openData(dir string, f FileInfo) (*os.File, error) {
	if err := checkName(f.Name); err != nil {
		return nil, err
	}
	fh, err := os.Open(filepath.Join(dir, f.Name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("file %s is missing", f.Name)
	}
	return fh, err
}

func check(f FileInfo, size int64, sum string) error {
	if size != f.Size {
		return fmt.Errorf("file %s: %d bytes, metadata says %d", f.Name, size, f.Size)
	}
	if sum != f.MD5 {
		return fmt.Errorf("file %s: md5 %s, metadata says %s", f.Name, sum, f.MD5)
	}
	return nil
}

func decodeFile(raw []byte) (File, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return File{}, err
	}
	var body struct {
		Add    []json.RawMessage `json:"add"`
		Update []Update          `json:"update"`
		Delete []string          `json:"delete"`
	}
	if err := json.NewDecoder(zr).Decode(&body); err != nil {
		return File{}, err
	}
	out := File{Add: make([]map[string]any, len(body.Add)), Update: body.Update, Delete: body.Delete}
	for i, r := range body.Add {
		v, err := docstore.DecodeJSON(r)
		if err != nil {
			return File{}, fmt.Errorf("add[%d]: %w", i, err)
		}
		d, ok := v.(map[string]any)
		if _, hasID := docstore.ID(d); !ok || !hasID {
			return File{}, fmt.Errorf("add[%d]: not a document with a string _id", i)
		}
		out.Add[i] = d
	}
	for i, u := range out.Update {
		if u.ID == "" {
			return File{}, fmt.Errorf("update[%d]: no _id", i)
		}
	}
	return out, nil
}
