package download

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpen reads the beginning of a file over http and from disk without
// writing anything, and fails as Fetch does on a missing file.
func TestOpen(t *testing.T) {
	data := strings.Repeat("gene\tpos\n", 10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/data/genes.tsv" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, data)
	}))
	t.Cleanup(srv.Close)
	local := filepath.Join(t.TempDir(), "local.tsv")
	os.WriteFile(local, []byte(data), 0o644)

	for _, tc := range []struct{ url, name string }{
		{srv.URL + "/data/genes.tsv", "genes.tsv"},
		{"file://" + local, "local.tsv"},
	} {
		info, body, err := Open(context.Background(), tc.url, Options{})
		if err != nil {
			t.Fatalf("Open(%s): %v", tc.url, err)
		}
		head := make([]byte, 9)
		_, err = io.ReadFull(body, head)
		body.Close()
		if err != nil || string(head) != "gene\tpos\n" || info.Name != tc.name {
			t.Fatalf("Open(%s): name %q, head %q, %v", tc.url, info.Name, head, err)
		}
	}
	if _, _, err := Open(context.Background(), srv.URL+"/missing.tsv", Options{}); err == nil || !IsPermanent(err) {
		t.Fatalf("Open of a missing file = %v, want a permanent error", err)
	}
	if _, _, err := Open(context.Background(), "gopher://x/y", Options{}); err == nil || !strings.Contains(err.Error(), `unsupported scheme "gopher"`) {
		t.Fatalf("Open of a gopher URL = %v", err)
	}
}
