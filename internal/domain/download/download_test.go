package download

import (
	"bytes"
	"context"
	"crypto/sha256"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"studio/internal/domain/download/internal/ftptest"
)

var modTime = time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)

func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// dataServer serves content in several ways, one per path, and records the
// Range header of each GET.
type dataServer struct {
	*httptest.Server
	mu      sync.Mutex
	content []byte
	etag    string
	ranges  []string
	cutOnce bool // the next /cut GET sends half the file and drops the connection
}

func newDataServer(t *testing.T, content []byte) *dataServer {
	ds := &dataServer{content: content, etag: `"v1"`}
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, r *http.Request) {
		ds.mu.Lock()
		content, etag := ds.content, ds.etag
		ds.mu.Unlock()
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, "", modTime, bytes.NewReader(content))
	}
	mux.HandleFunc("/data.bin", func(w http.ResponseWriter, r *http.Request) {
		ds.record(r)
		serve(w, r)
	})
	mux.HandleFunc("/cut/data.bin", func(w http.ResponseWriter, r *http.Request) {
		ds.record(r)
		ds.mu.Lock()
		cut := ds.cutOnce && r.Method == http.MethodGet
		ds.cutOnce = false
		ds.mu.Unlock()
		if !cut {
			serve(w, r)
			return
		}
		w.Header().Set("ETag", ds.etag)
		w.Header().Set("Last-Modified", modTime.Format(http.TimeFormat))
		w.Header().Set("Content-Length", itoa(len(content)))
		w.Write(content[:len(content)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // drops the connection mid-body
	})
	mux.HandleFunc("/norange/data.bin", func(w http.ResponseWriter, r *http.Request) {
		ds.record(r)
		w.Header().Set("Last-Modified", modTime.Format(http.TimeFormat))
		w.Header().Set("Content-Length", itoa(len(content)))
		if r.Method == http.MethodGet {
			w.Write(ds.content)
		}
	})
	mux.HandleFunc("/download", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Disposition", `attachment; filename="../../evil/.cgi_biomarkers.zip"`)
		serve(w, r)
	})
	mux.HandleFunc("/nohead/data.bin", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			http.Error(w, "no HEAD here", http.StatusMethodNotAllowed)
			return
		}
		serve(w, r)
	})
	mux.HandleFunc("/bare/data.bin", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("no dates here"))
	})
	mux.HandleFunc("/weak/data.bin", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `W/"abc-123"`)
		w.Write([]byte("weak"))
	})
	mux.HandleFunc("/html/data.tsv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!DOCTYPE html><html><body>Please log in</body></html>"))
	})
	mux.HandleFunc("/html/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html></html>"))
	})
	mux.HandleFunc("/short/data.bin", func(w http.ResponseWriter, r *http.Request) {
		// Claims more than it sends, then ends the response cleanly.
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("only this"))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	ds.Server = httptest.NewServer(mux)
	t.Cleanup(ds.Close)
	return ds
}

func itoa(n int) string { return strconv.Itoa(n) }

func (ds *dataServer) record(r *http.Request) {
	if r.Method != http.MethodGet {
		return
	}
	ds.mu.Lock()
	ds.ranges = append(ds.ranges, r.Header.Get("Range"))
	ds.mu.Unlock()
}

func (ds *dataServer) gets() []string {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return append([]string(nil), ds.ranges...)
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestProbeHTTP(t *testing.T) {
	content := randomBytes(100000, 1)
	ds := newDataServer(t, content)
	tests := []struct {
		path    string
		want    Info
		wantErr string
	}{
		{path: "/data.bin", want: Info{Name: "data.bin", Size: 100000, ModTime: modTime, ETag: `"v1"`, Release: "2024-03-05"}},
		{path: "/download", want: Info{Name: "cgi_biomarkers.zip", Size: 100000, ModTime: modTime, ETag: `"v1"`, Release: "2024-03-05"}},
		{path: "/nohead/data.bin", want: Info{Name: "data.bin", Size: 100000, ModTime: modTime, ETag: `"v1"`, Release: "2024-03-05"}},
		{path: "/bare/data.bin", want: Info{Name: "data.bin", Size: 13}},
		{path: "/weak/data.bin", want: Info{Name: "data.bin", Size: 4, ETag: `W/"abc-123"`, Release: "abc-123"}},
		{path: "/missing.bin", wantErr: "HEAD " + ds.URL + "/missing.bin: the server answered 404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := Probe(context.Background(), ds.URL+tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.URL = ds.URL + tt.path
			if !got.ModTime.Equal(tt.want.ModTime) {
				t.Errorf("ModTime = %v, want %v", got.ModTime, tt.want.ModTime)
			}
			got.ModTime = tt.want.ModTime
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFetchHTTP(t *testing.T) {
	content := randomBytes(3<<20, 2)
	ds := newDataServer(t, content)
	tests := []struct {
		path     string
		fileName string
		wantName string
		wantErr  string
	}{
		{path: "/data.bin", wantName: "data.bin"},
		{path: "/data.bin", fileName: "renamed.bin", wantName: "renamed.bin"},
		{path: "/download", wantName: "cgi_biomarkers.zip"},
		{path: "/norange/data.bin", wantName: "data.bin"},
		{path: "/html/data.tsv", wantErr: "GET " + ds.URL + "/html/data.tsv: the server answered an HTML page where data was expected"},
		{path: "/missing.bin", wantErr: "GET " + ds.URL + "/missing.bin: the server answered 404 Not Found"},
		{path: "/short/data.bin", wantErr: "downloading " + ds.URL + "/short/data.bin: interrupted after 9 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.path+tt.fileName, func(t *testing.T) {
			dir := t.TempDir()
			info, err := Fetch(context.Background(), ds.URL+tt.path, dir, Options{FileName: tt.fileName})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Name != tt.wantName {
				t.Errorf("Name = %q, want %q", info.Name, tt.wantName)
			}
			p := filepath.Join(dir, tt.wantName)
			if sum(t, p) != sha256.Sum256(content) {
				t.Error("downloaded file differs from the served one")
			}
			st, _ := os.Stat(p)
			if !st.ModTime().Equal(modTime) {
				t.Errorf("file mtime = %v, want the server's %v", st.ModTime(), modTime)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("folder holds %d entries, want only the file", len(entries))
			}
		})
	}
}

func TestFetchHTMLWhenExpected(t *testing.T) {
	ds := newDataServer(t, []byte("x"))
	dir := t.TempDir()
	if _, err := Fetch(context.Background(), ds.URL+"/html/page.html", dir, Options{}); err != nil {
		t.Fatalf("an .html URL may answer HTML: %v", err)
	}
}

// TestFetchResume cuts a download midway, then checks that a second Fetch
// continues it with a range request and yields the same bytes.
func TestFetchResume(t *testing.T) {
	content := randomBytes(4<<20, 3)
	tests := []struct {
		name       string
		path       string
		change     bool   // the remote file changes between the two fetches
		wantRange  string // Range header of the second GET
		wantResult []byte
	}{
		{name: "resumes", path: "/cut/data.bin", wantRange: "bytes=2097152-", wantResult: content},
		{name: "file changed, restarts", path: "/cut/data.bin", change: true, wantRange: "bytes=2097152-", wantResult: randomBytes(4<<20, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := newDataServer(t, content)
			ds.cutOnce = true
			dir := t.TempDir()
			_, err := Fetch(context.Background(), ds.URL+tt.path, dir, Options{})
			if err == nil || !strings.Contains(err.Error(), "dump again to resume") {
				t.Fatalf("first Fetch: err = %v, want an interruption", err)
			}
			if st, err := os.Stat(filepath.Join(dir, "data.bin.part")); err != nil || st.Size() != int64(len(content)/2) {
				t.Fatalf("partial file: %v %v", st, err)
			}
			if tt.change {
				ds.mu.Lock()
				ds.content, ds.etag = tt.wantResult, `"v2"`
				ds.mu.Unlock()
			}
			if _, err := Fetch(context.Background(), ds.URL+tt.path, dir, Options{}); err != nil {
				t.Fatal(err)
			}
			gets := ds.gets()
			if len(gets) < 2 || gets[1] != tt.wantRange {
				t.Errorf("GET ranges = %q, want the second to be %q", gets, tt.wantRange)
			}
			if sum(t, filepath.Join(dir, "data.bin")) != sha256.Sum256(tt.wantResult) {
				t.Error("resumed file differs from the served one")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("folder holds %d entries, want only the file", len(entries))
			}
		})
	}
}

// TestFetchResumeWithoutRangeSupport plants a partial file, then fetches
// from a server that ignores Range: the download restarts from zero.
func TestFetchResumeWithoutRangeSupport(t *testing.T) {
	content := randomBytes(1<<20, 5)
	ds := newDataServer(t, content)
	dir := t.TempDir()
	url := ds.URL + "/norange/data.bin"
	os.WriteFile(filepath.Join(dir, "data.bin.part"), []byte("stale bytes that must go"), 0o644)
	savePartial(dir, "data.bin", partial{URL: url, LastModified: modTime.Format(http.TimeFormat), Size: int64(len(content))})
	if _, err := Fetch(context.Background(), url, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := ds.gets(); len(got) != 1 || got[0] != "bytes=24-" {
		t.Errorf("ranges = %q, want one range request", got)
	}
	if sum(t, filepath.Join(dir, "data.bin")) != sha256.Sum256(content) {
		t.Error("file differs from the served one")
	}
}

func TestFetchProgress(t *testing.T) {
	content := randomBytes(2<<20, 6)
	ds := newDataServer(t, content)
	var calls [][2]int64
	_, err := Fetch(context.Background(), ds.URL+"/data.bin", t.TempDir(), Options{Progress: func(done, total int64) {
		calls = append(calls, [2]int64{done, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 || len(calls) > 10 {
		t.Fatalf("%d progress calls, want a few", len(calls))
	}
	if last := calls[len(calls)-1]; last != [2]int64{int64(len(content)), int64(len(content))} {
		t.Errorf("last progress = %v, want done = total = %d", last, len(content))
	}
}

func TestFetchCanceled(t *testing.T) {
	ds := newDataServer(t, randomBytes(1<<20, 7))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fetch(ctx, ds.URL+"/data.bin", t.TempDir(), Options{}); err == nil {
		t.Fatal("Fetch with a canceled context succeeded")
	}
}

func startFTP(t *testing.T, files map[string][]byte) (*ftptest.Server, string) {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, modTime, modTime)
	}
	srv, err := ftptest.Start(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, root
}

func TestFTP(t *testing.T) {
	content := randomBytes(3<<20, 8)
	srv, _ := startFTP(t, map[string][]byte{"pub/data/cgi.tsv.gz": content})
	url := "ftp://" + srv.Addr() + "/pub/data/cgi.tsv.gz"

	info, err := Probe(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(content)) || !info.ModTime.Equal(modTime) || info.Release != "2024-03-05" || info.Name != "cgi.tsv.gz" {
		t.Errorf("Probe = %+v", info)
	}

	dir := t.TempDir()
	if newer, why := IsNewer(info, filepath.Join(dir, "cgi.tsv.gz")); !newer {
		t.Errorf("IsNewer before download = false (%s)", why)
	}
	srv.CutAfter.Store(1 << 20)
	if _, err := Fetch(context.Background(), url, dir, Options{}); err == nil {
		t.Fatal("first Fetch succeeded despite the cut transfer")
	}
	if st, err := os.Stat(filepath.Join(dir, "cgi.tsv.gz.part")); err != nil || st.Size() != 1<<20 {
		t.Fatalf("partial file: %v %v", st, err)
	}
	if _, err := Fetch(context.Background(), url, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	var rest bool
	for _, c := range srv.Commands() {
		rest = rest || c == "REST 1048576"
	}
	if !rest {
		t.Errorf("second Fetch did not resume with REST: %q", srv.Commands())
	}
	local := filepath.Join(dir, "cgi.tsv.gz")
	if sum(t, local) != sha256.Sum256(content) {
		t.Error("resumed FTP download differs")
	}
	if newer, why := IsNewer(info, local); newer {
		t.Errorf("IsNewer after download = true (%s)", why)
	}
}

func TestFTPErrors(t *testing.T) {
	srv, _ := startFTP(t, map[string][]byte{"a.txt": []byte("a")})
	srv.User, srv.Pass = "alice", "right"
	tests := []struct {
		url, wantErr string
	}{
		{"ftp://alice:s3cret@" + srv.Addr() + "/a.txt", "ftp ftp://" + srv.Addr() + "/a.txt: login as \"alice\" refused"},
		{"ftp://alice:right@" + srv.Addr() + "/missing.txt", "cannot read the file's date or size"},
		{"ftp://127.0.0.1:1/a.txt", "cannot connect"},
	}
	for _, tt := range tests {
		t.Run(tt.wantErr, func(t *testing.T) {
			_, err := Fetch(context.Background(), tt.url, t.TempDir(), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "right@") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
	if _, err := Fetch(context.Background(), "ftp://alice:right@"+srv.Addr()+"/a.txt", t.TempDir(), Options{}); err != nil {
		t.Errorf("login with the right password: %v", err)
	}
}

func TestFTPWithoutMDTM(t *testing.T) {
	srv, _ := startFTP(t, map[string][]byte{"a.txt": []byte("abc")})
	srv.NoMDTM = true
	info, err := Probe(context.Background(), "ftp://"+srv.Addr()+"/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 3 || !info.ModTime.IsZero() || info.Release != "" {
		t.Errorf("Probe = %+v, want size only", info)
	}
	local := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(local, []byte("abc"), 0o644)
	if newer, why := IsNewer(info, local); newer {
		t.Errorf("same size without MDTM: IsNewer = true (%s)", why)
	}
	os.WriteFile(local, []byte("abcd"), 0o644)
	if newer, _ := IsNewer(info, local); !newer {
		t.Error("different size without MDTM: IsNewer = false")
	}
}

func TestFile(t *testing.T) {
	src := filepath.Join(t.TempDir(), "cgi.tsv")
	content := randomBytes(500000, 9)
	os.WriteFile(src, content, 0o644)
	os.Chtimes(src, modTime, modTime)
	url := "file://" + filepath.ToSlash(src)
	info, err := Probe(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "cgi.tsv" || info.Size != 500000 || info.Release != "2024-03-05" {
		t.Errorf("Probe = %+v", info)
	}
	dir := t.TempDir()
	if _, err := Fetch(context.Background(), url, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if sum(t, filepath.Join(dir, "cgi.tsv")) != sha256.Sum256(content) {
		t.Error("copied file differs")
	}
	if newer, why := IsNewer(info, filepath.Join(dir, "cgi.tsv")); newer {
		t.Errorf("IsNewer after copy = true (%s)", why)
	}
	if _, err := Probe(context.Background(), "file:///does/not/exist.tsv"); err == nil || !strings.Contains(err.Error(), "file:///does/not/exist.tsv") {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestUnsupportedScheme(t *testing.T) {
	for _, u := range []string{"gopher://x.org/a", "s3://bucket/key", "x.org/a"} {
		_, err := Fetch(context.Background(), u, t.TempDir(), Options{})
		if err == nil || !strings.Contains(err.Error(), u) || !strings.Contains(err.Error(), "unsupported scheme") {
			t.Errorf("Fetch(%q): err = %v", u, err)
		}
	}
}

func TestIsNewer(t *testing.T) {
	dir := t.TempDir()
	local := filepath.Join(dir, "f")
	os.WriteFile(local, []byte("12345"), 0o644)
	os.Chtimes(local, modTime, modTime)
	tests := []struct {
		name   string
		remote Info
		path   string
		want   bool
		why    string
	}{
		{"missing", Info{URL: "http://x/f", ModTime: modTime, Size: 5}, filepath.Join(dir, "nope"), true, "no local copy"},
		{"same", Info{URL: "http://x/f", ModTime: modTime, Size: 5}, local, false, "up to date"},
		{"newer", Info{URL: "http://x/f", ModTime: modTime.Add(time.Hour), Size: 5}, local, true, "newer"},
		{"older", Info{URL: "http://x/f", ModTime: modTime.Add(-time.Hour), Size: 5}, local, false, "up to date"},
		{"size differs", Info{URL: "ftp://x/f", ModTime: modTime, Size: 6}, local, true, "sizes differ"},
		{"no date http", Info{URL: "http://x/f", Size: 5}, local, true, "no modification date"},
		{"no date ftp same size", Info{URL: "ftp://x/f", Size: 5}, local, false, "up to date"},
		{"unknown size", Info{URL: "http://x/f", ModTime: modTime, Size: -1}, local, false, "up to date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := IsNewer(tt.remote, tt.path)
			if got != tt.want || !strings.Contains(why, tt.why) {
				t.Errorf("IsNewer = %v (%s), want %v (%s)", got, why, tt.want, tt.why)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := map[string]string{
		"ftp://user:pass@host/a":       "ftp://host/a",
		"https://token@host/a?x=1":     "https://host/a?x=1",
		"https://host/a":               "https://host/a",
		"ftp://u:p%zz@host/a":          "ftp://host/a",
		"http://u:p@[bad/a":            "http://[bad/a",
		"file:///tmp/a":                "file:///tmp/a",
		"https://u:p@host:8080/a/b.gz": "https://host:8080/a/b.gz",
	}
	for in, want := range tests {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSanitizeName(t *testing.T) {
	tests := map[string]string{
		"data.zip":           "data.zip",
		"../../etc/passwd":   "passwd",
		`..\..\win.ini`:      "win.ini",
		"..":                 "",
		".hidden":            "hidden",
		"/":                  "",
		"a\x00b\n.txt":       "ab.txt",
		"evil.part":          "evil.part_",
		"dir/sub/":           "sub",
		"   spaced name.tsv": "spaced name.tsv",
	}
	for in, want := range tests {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsPermanent(t *testing.T) {
	ds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone.tsv":
			http.NotFound(w, r)
		case "/busy.tsv":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>login</body></html>"))
		}
	}))
	defer ds.Close()
	tests := []struct {
		url       string
		permanent bool
	}{
		{ds.URL + "/gone.tsv", true},
		{ds.URL + "/busy.tsv", false},
		{ds.URL + "/page.tsv", true},
		{"gopher://x/y", true},
		{"file:///nonexistent/x.tsv", true},
	}
	for _, tc := range tests {
		_, err := Fetch(context.Background(), tc.url, t.TempDir(), Options{})
		if err == nil || IsPermanent(err) != tc.permanent {
			t.Errorf("Fetch(%s) = %v, permanent %v, want permanent %v", tc.url, err, IsPermanent(err), tc.permanent)
		}
	}
}
