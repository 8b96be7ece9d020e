package e2e

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/testsupport/testenv"
)

// labFile is a data file on a lab's web server that a test replaces by a
// newer version, as a lab publishing a new release does.
type labFile struct {
	URL     string // the file's address
	current atomic.Pointer[labVersion]
}

type labVersion struct {
	data     []byte
	modified time.Time
}

// serveLabFile serves data as name, last modified at lastModified.
func serveLabFile(t *testing.T, name string, data []byte) *labFile {
	f := &labFile{}
	f.publish(data, lastModified)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := f.current.Load()
		http.ServeContent(w, r, name, v.modified, bytes.NewReader(v.data))
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL + "/" + name
	return f
}

// publish replaces the file by a version modified at modified.
func (f *labFile) publish(data []byte, modified time.Time) {
	f.current.Store(&labVersion{data: data, modified: modified})
}

// buildSource dumps a source, waits for the upload the dump starts, then
// builds the configuration conf and returns the build's id.
func (s *stack) buildSource(source, conf string, timeout time.Duration) string {
	s.t.Helper()
	var started struct{ ID string }
	s.do("PUT", "/source/"+source+"/dump", nil, &started)
	result(s.t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
	s.waitStarted("upload/" + source)
	result(s.t, s.wait("upload/"+source, timeout), &[]activities.UploadResult{})
	s.do("PUT", "/build/"+conf+"/new", nil, &started)
	var b activities.BuildResult
	result(s.t, s.wait(started.ID, timeout), &b)
	return b.BuildID
}

// cgiPluginRepo is the tutorial's data plugin (its manifest and the
// BioThings-style Python parser) in a git repository named name, with the
// dumper pointing at dataURL.
func cgiPluginRepo(t *testing.T, name, dataURL string) string {
	t.Helper()
	return testenv.GitRepo(t, name, map[string]string{
		"manifest.json": strings.Replace(readFile(t, "internal/domain/pyparser/testdata/plugins/cgi/manifest.json"),
			"http://example.org/cgi/cgi_biomarkers_latest.zip", dataURL, 1),
		"parser.py": readFile(t, "internal/domain/pyparser/testdata/plugins/cgi/parser.py"),
	})
}
