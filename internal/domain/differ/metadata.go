package differ

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"studio/internal/engine/docstore"
)

// Metadata describes a finished diff; it is dir/metadata.json.
type Metadata struct {
	Old   string     `json:"old"` // build ids
	New   string     `json:"new"`
	Stats Stats      `json:"stats"`
	Files []FileInfo `json:"files"`
	// MappingChanged is true when the mappings differ at all;
	// MappingAdded and MappingIncompatible name the field paths.
	MappingChanged      bool           `json:"mapping_changed"`
	MappingAdded        []string       `json:"mapping_added"`
	MappingIncompatible []string       `json:"mapping_incompatible"`
	Meta                map[string]any `json:"_meta"` // the new build's _meta
	CreatedAt           string         `json:"created_at"`
}

var md5Hex = regexp.MustCompile(`^[0-9a-f]{32}$`)

func writeMetadata(dir string, md Metadata) error {
	b, err := json.MarshalIndent(md, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", metadataName, err)
	}
	return writeAtomic(dir, metadataName, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// ReadMetadata reads dir/metadata.json and checks that it is consistent:
// ids present, file names safe and unique, checksums well formed and the
// per-file counts adding up to the stats.
func ReadMetadata(dir string) (Metadata, error) {
	path := filepath.Join(dir, metadataName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Metadata{}, fmt.Errorf("%s is missing: the diff was not run or did not finish; run it again: %w", path, err)
	}
	if err != nil {
		return Metadata{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // so that _meta keeps integers as int64 once normalised
	var md Metadata
	if err := dec.Decode(&md); err != nil {
		return Metadata{}, fmt.Errorf("%s: %w", path, err)
	}
	if md.Meta != nil {
		meta, err := docstore.NormalizeDoc(md.Meta)
		if err != nil {
			return Metadata{}, fmt.Errorf("%s: _meta: %w", path, err)
		}
		md.Meta = meta
	}
	if err := md.validate(); err != nil {
		return Metadata{}, fmt.Errorf("%s: %w", path, err)
	}
	return md, nil
}

func (md *Metadata) validate() error {
	if md.Old == "" || md.New == "" {
		return errors.New(`"old" and "new" build ids are required`)
	}
	var sum Stats
	seen := map[string]bool{}
	for i, f := range md.Files {
		if err := checkName(f.Name); err != nil {
			return fmt.Errorf("files[%d]: %w", i, err)
		}
		if seen[f.Name] {
			return fmt.Errorf("files[%d]: %s is listed twice", i, f.Name)
		}
		seen[f.Name] = true
		if !md5Hex.MatchString(f.MD5) {
			return fmt.Errorf("file %s: md5 %q is not 32 lowercase hex digits", f.Name, f.MD5)
		}
		if f.Size <= 0 || f.Add < 0 || f.Update < 0 || f.Delete < 0 || f.Add+f.Update+f.Delete == 0 {
			return fmt.Errorf("file %s: size %d and counts %d/%d/%d are not possible", f.Name, f.Size, f.Add, f.Update, f.Delete)
		}
		sum.Add += int64(f.Add)
		sum.Update += int64(f.Update)
		sum.Delete += int64(f.Delete)
	}
	if sum.Add != md.Stats.Add || sum.Update != md.Stats.Update || sum.Delete != md.Stats.Delete {
		return fmt.Errorf("the files hold %d adds, %d updates and %d deletes but the stats say %d, %d and %d",
			sum.Add, sum.Update, sum.Delete, md.Stats.Add, md.Stats.Update, md.Stats.Delete)
	}
	if md.Stats.Same < 0 {
		return fmt.Errorf("stats: same is %d", md.Stats.Same)
	}
	return nil
}

// checkName refuses names that could reach outside the diff folder.
func checkName(name string) error {
	if !dataName.MatchString(name) {
		return fmt.Errorf("%q is not a diff file name (like 00000.json.gz)", name)
	}
	return nil
}
