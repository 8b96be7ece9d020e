package e2e

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/hubclient"
	"studio/internal/testsupport/testenv"
)

// TestSourceBusyAndCancel: while a dump runs, the steps that would rewrite
// the same source are refused with the running command named; the dump can
// be canceled, and a new dump resumes the partial file and finishes.
func TestSourceBusyAndCancel(t *testing.T) {
	data := make([]byte, 12<<20)
	for i := range data {
		data[i] = byte(i*13 + i/1024)
	}
	srv := serveFile(t, "big.bin", data, 2<<20)
	repo := testenv.GitRepo(t, "busysrc", map[string]string{
		"manifest.json": tutorialManifest(srv.URL+"/big.bin", ""),
		"parser.py":     tutorialParser,
	})
	s := newStack(t, true)
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	var started struct{ ID string }
	s.do("PUT", "/source/busysrc/dump", nil, &started)
	s.waitStarted(started.ID)

	refused := []struct {
		name, method, path string
		body               any
	}{
		{"upload while dumping", "PUT", "/source/busysrc/upload", nil},
		{"unregister while dumping", "DELETE", "/dataplugin/unregister_url", map[string]string{"url": repo}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			var he *hubclient.Error
			err := s.doErr(tc.method, tc.path, tc.body, nil)
			if !errors.As(err, &he) || he.Code != 409 || !strings.Contains(he.Message, "busy") || !strings.Contains(he.Message, started.ID) {
				t.Fatalf("%s %s while a dump runs = %v, want 409 naming %s", tc.method, tc.path, err, started.ID)
			}
			t.Logf("BADINPUT class=concurrent-step case=%q result=pass", tc.name)
		})
	}

	// Cancel once part of the file is on disk.
	part := filepath.Join(s.cfg.DataDir, "datasources", "busysrc", "2026-03-14", "big.bin.part")
	for deadline := time.Now().Add(time.Minute); ; {
		if st, err := os.Stat(part); err == nil && st.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the download did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.do("DELETE", "/command/"+started.ID, nil, nil)
	if cmd := s.wait(started.ID, time.Minute); cmd.Status != "canceled" {
		t.Fatalf("after cancel the dump is %s (%s)", cmd.Status, cmd.Failure)
	}
	var he *hubclient.Error
	if err := s.doErr("DELETE", "/command/"+started.ID, nil, nil); !errors.As(err, &he) || he.Code != 409 {
		t.Fatalf("cancel of a finished command = %v, want 409", err)
	}
	if err := s.doErr("DELETE", "/command/dump/nosuch", nil, nil); !errors.As(err, &he) || he.Code != 404 {
		t.Fatalf("cancel of an unknown command = %v, want 404", err)
	}

	// The step can be run again; it resumes and the file is whole.
	s.do("PUT", "/source/busysrc/dump", nil, &started)
	var res activities.DumpResult
	result(t, s.wait(started.ID, 2*time.Minute), &res)
	got, err := os.ReadFile(filepath.Join(res.DataFolder, "big.bin"))
	if err != nil || sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatalf("the dump after a cancel differs from the served file (%v, %d bytes)", err, len(got))
	}
	if srv.ranged.Load() == 0 {
		t.Error("the dump after a cancel did not resume with a Range request")
	}
}
