package e2e

import (
	"context"
	"fmt"
	"strings"
	"studio/internal/testsupport/testenv"
	"testing"
	"time"
)

// badParsers are Python parsers that break their process in each way the
// worker must survive: each emits one document first.
var badParsers = map[string]struct{ code, want string }{
	"hog": {"def load_data(data_folder):\n    yield {'_id': 'first'}\n    hold = []\n    while True:\n        hold.append(bytearray(16 << 20))\n",
		"memory limit of 256 MiB"},
	"hang": {"import time\ndef load_data(data_folder):\n    yield {'_id': 'first'}\n    time.sleep(3600)\n",
		"emitted nothing for 20s"},
	"suicide": {"import os, signal\ndef load_data(data_folder):\n    yield {'_id': 'first'}\n    os.kill(os.getpid(), signal.SIGKILL)\n",
		"killed by signal SIGKILL"},
}

// TestBadParsersAreIsolated: a Python parser that eats memory past the
// limit, one that hangs, and one that kills itself each fail their own
// upload with the limit or signal named, while a good upload beside them
// finishes and the worker stays up.
func TestBadParsersAreIsolated(t *testing.T) {
	data := []byte("id\tvalue\n")
	for i := range 2000 {
		data = append(data, fmt.Sprintf("g%05d\t%d\n", i, i)...)
	}
	srv := serveFile(t, "rows.tsv", data, 0)
	goodParser := "import csv, os\ndef load_data(data_folder):\n    with open(os.path.join(data_folder, 'rows.tsv')) as f:\n        for r in csv.DictReader(f, delimiter='\\t'):\n            yield {'_id': r['id'], 'value': int(r['value'])}\n"

	s := newStack(t, false)
	s.startChildWorkerEnv("STUDIO_PARSER_MAX_MEMORY=268435456", "STUDIO_PARSER_NO_PROGRESS=20s")
	sources := map[string]string{"goodsrc": goodParser}
	for name, p := range badParsers {
		sources[name+"src"] = p.code
	}
	dumps := map[string]string{}
	for name, parser := range sources {
		repo := testenv.GitRepo(t, name, map[string]string{
			"manifest.json": tutorialManifest(srv.URL+"/rows.tsv", ""),
			"parser.py":     parser,
		})
		if err := s.doErr("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil); err != nil {
			t.Fatalf("register %s: %v; worker log:\n%s", name, err, s.childOutput())
		}
	}
	for name := range sources {
		var started struct{ ID string }
		s.do("PUT", "/source/"+name+"/dump", nil, &started)
		dumps[name] = started.ID
	}
	for name, id := range dumps {
		s.wait(id, 3*time.Minute)
		up := s.wait("upload/"+name, 3*time.Minute)
		p, bad := badParsers[strings.TrimSuffix(name, "src")]
		switch {
		case !bad && up.Status != "completed":
			t.Errorf("good upload beside bad parsers: %s %s", up.Status, up.Failure)
		case !bad:
			n, err := s.eng.Src.C(name).Count(context.Background())
			if err != nil || n != 2000 {
				t.Errorf("good upload stored %d documents, want 2000", n)
			}
		case up.Status != "failed" || !strings.Contains(up.Failure, p.want):
			t.Errorf("%s upload = %s %q, want failed naming %q", name, up.Status, up.Failure, p.want)
		default:
			t.Logf("BADINPUT class=python-parser case=%q result=pass error=%q", name, up.Failure)
		}
	}
	// The worker process lived through all of it and still runs commands.
	if s.child.ProcessState != nil {
		t.Fatalf("the worker exited: %v; log:\n%s", s.child.ProcessState, s.childOutput())
	}
	var started struct{ ID string }
	s.do("POST", "/selfcheck", map[string]string{}, &started)
	if cmd := s.wait(started.ID, time.Minute); cmd.Status != "completed" {
		t.Fatalf("self-check after the bad parsers: %s %s", cmd.Status, cmd.Failure)
	}
}
