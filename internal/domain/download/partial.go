package download

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// partialSuffix names the file that remembers, beside "<name>.part", which
// remote file version the partial bytes belong to. Without it a resumed
// download could splice two versions of a file together.
const partialSuffix = ".part.json"

// partial is the state of an interrupted download.
type partial struct {
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"` // http header, as sent
	ModTime      time.Time `json:"mod_time,omitzero"`       // ftp and file
	Size         int64     `json:"size"`                    // whole remote file, -1 unknown
	have         int64     // bytes in the .part file
}

func partialPath(dir, name string) string { return filepath.Join(dir, name+partialSuffix) }

// loadPartial returns the interrupted download of rawURL saved as name in
// dir, or nil when there is none (or it belongs to another URL).
func loadPartial(dir, name, rawURL string) *partial {
	st, err := os.Stat(filepath.Join(dir, name+".part"))
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return nil
	}
	b, err := os.ReadFile(partialPath(dir, name))
	if err != nil {
		return nil
	}
	var p partial
	if json.Unmarshal(b, &p) != nil || p.URL != rawURL {
		return nil
	}
	p.have = st.Size()
	return &p
}

func savePartial(dir, name string, p partial) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return os.WriteFile(partialPath(dir, name), b, 0o644)
}

func removePartial(dir, name string) {
	os.Remove(filepath.Join(dir, name+".part"))
	os.Remove(partialPath(dir, name))
}
