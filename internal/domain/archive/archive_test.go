package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"

	"studio/internal/testsupport/shareddata"
)

// member describes one archive entry to build in a test.
type member struct {
	name string
	body string
	kind byte // tar type flag; 0 = regular file
	link string
}

func buildZip(t testing.TB, members []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		switch m.kind {
		case tar.TypeSymlink:
			h.SetMode(fs.ModeSymlink | 0o777)
			m.body = m.link
		case tar.TypeDir:
			h.SetMode(fs.ModeDir | 0o755)
		case tar.TypeChar:
			h.SetMode(fs.ModeDevice | fs.ModeCharDevice | 0o644)
		default:
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, m.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func buildTar(t testing.TB, members []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Typeflag: m.kind, Linkname: m.link}
		if m.kind == 0 {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(m.body))
		}
		if m.kind == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if m.kind == 0 {
			if _, err := io.WriteString(tw, m.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xzBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeArchive(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tree lists every path under dir (files and folders), slash separated.
func tree(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestExtractGood(t *testing.T) {
	nested := []member{
		{name: "top/", kind: tar.TypeDir},
		{name: "top/a.tsv", body: "a\tb\n1\t2\n"},
		{name: "top/deep/er/b.json", body: `{"x":1}`},
		{name: "./c.txt", body: "c"},
	}
	wantFiles := []string{"top/a.tsv", "top/deep/er/b.json", "c.txt"}
	tarData := buildTar(t, nested)
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"nested.zip", buildZip(t, nested), wantFiles},
		{"nested.tar", tarData, wantFiles},
		{"nested.tar.gz", gz(t, tarData), wantFiles},
		{"nested.tgz", gz(t, tarData), wantFiles},
		{"nested.tar.xz", xzBytes(t, tarData), wantFiles},
		{"data.tsv.gz", gz(t, []byte("a\tb\n")), []string{"data.tsv"}},
		{"data.tsv.xz", xzBytes(t, []byte("a\tb\n")), []string{"data.tsv"}},
		{"hardlink.tar", buildTar(t, []member{
			{name: "a.txt", body: "same"},
			{name: "sub/b.txt", kind: tar.TypeLink, link: "a.txt"},
		}), []string{"a.txt", "sub/b.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			arc := writeArchive(t, dir, tt.name, tt.data)
			dest := filepath.Join(dir, "release")
			got, err := Extract(context.Background(), arc, dest, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("files = %v, want %v", got, tt.want)
			}
			for _, f := range got {
				if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
					t.Error(err)
				}
			}
			for _, p := range tree(t, dest) {
				if strings.Contains(p, ".part-") {
					t.Errorf("temporary file left behind: %s", p)
				}
			}
		})
	}
}

func TestExtractRefuses(t *testing.T) {
	tests := []struct {
		name    string
		data    func(t testing.TB) []byte
		lim     Limits
		wantErr string
	}{
		{"slip.zip", func(t testing.TB) []byte {
			return buildZip(t, []member{{name: "ok.txt", body: "fine"}, {name: "../../etc/passwd", body: "root"}})
		}, Limits{}, `archive slip.zip: entry "../../etc/passwd": path escapes the release folder`},
		{"slip.tar.gz", func(t testing.TB) []byte {
			return gz(t, buildTar(t, []member{{name: "ok.txt", body: "fine"}, {name: "a/../../x", body: "x"}}))
		}, Limits{}, `archive slip.tar.gz: entry "a/../../x": path escapes the release folder`},
		{"backslash.zip", func(t testing.TB) []byte {
			return buildZip(t, []member{{name: `..\..\evil.txt`, body: "x"}})
		}, Limits{}, `path escapes the release folder`},
		{"abs.tar", func(t testing.TB) []byte {
			return buildTar(t, []member{{name: "/tmp/evil", body: "x"}})
		}, Limits{}, `archive abs.tar: entry "/tmp/evil": absolute path`},
		{"abs.zip", func(t testing.TB) []byte {
			return buildZip(t, []member{{name: "/etc/evil", body: "x"}})
		}, Limits{}, `entry "/etc/evil": absolute path`},
		{"symlink.tar", func(t testing.TB) []byte {
			return buildTar(t, []member{{name: "ok.txt", body: "fine"}, {name: "escape", kind: tar.TypeSymlink, link: "../../etc"}, {name: "escape/passwd", body: "x"}})
		}, Limits{}, `archive symlink.tar: entry "escape": symbolic link to "../../etc": link target escapes the release folder`},
		{"symlink-abs.zip", func(t testing.TB) []byte {
			return buildZip(t, []member{{name: "escape", kind: tar.TypeSymlink, link: "/etc"}})
		}, Limits{}, `entry "escape": symbolic link to "/etc": link target escapes`},
		{"symlink-inside.tar", func(t testing.TB) []byte {
			return buildTar(t, []member{{name: "a.txt", body: "x"}, {name: "b.txt", kind: tar.TypeSymlink, link: "a.txt"}})
		}, Limits{}, `entry "b.txt": symbolic link to "a.txt": links are not supported`},
		{"hardlink.tar", func(t testing.TB) []byte {
			return buildTar(t, []member{{name: "ok.txt", body: "fine"}, {name: "passwd", kind: tar.TypeLink, link: "../../etc/passwd"}})
		}, Limits{}, `entry "passwd": hard link to "../../etc/passwd": link target escapes the release folder`},
		{"hardlink-abs.tar", func(t testing.TB) []byte {
			return buildTar(t, []member{{name: "passwd", kind: tar.TypeLink, link: "/etc/passwd"}})
		}, Limits{}, `link target escapes the release folder`},
		{"device.tar", func(t testing.TB) []byte {
			return buildTar(t, []member{{name: "null", kind: tar.TypeChar}})
		}, Limits{}, `entry "null": device, fifo or socket entries are not allowed`},
		{"device.zip", func(t testing.TB) []byte {
			return buildZip(t, []member{{name: "null", kind: tar.TypeChar}})
		}, Limits{}, `entry "null": device, fifo or socket entries are not allowed`},
		{"bomb.zip", func(t testing.TB) []byte {
			return buildZip(t, []member{{name: "ok.txt", body: "fine"}, {name: "zeros.bin", body: strings.Repeat("\x00", 8<<20)}})
		}, Limits{MaxBytes: 1 << 20}, `archive bomb.zip: entry "zeros.bin": the archive unpacks to more than 1048576 bytes`},
		{"bomb.tar.gz", func(t testing.TB) []byte {
			return gz(t, buildTar(t, []member{{name: "zeros.bin", body: strings.Repeat("\x00", 8<<20)}}))
		}, Limits{MaxBytes: 1 << 20}, `the archive unpacks to more than 1048576 bytes`},
		{"bomb.gz", func(t testing.TB) []byte {
			return gz(t, bytes.Repeat([]byte{0}, 8<<20))
		}, Limits{MaxBytes: 1 << 20}, `archive bomb.gz: entry "bomb": the archive unpacks to more than`},
		{"many.zip", func(t testing.TB) []byte {
			return buildZip(t, []member{{name: "a", body: "1"}, {name: "b", body: "2"}, {name: "c", body: "3"}})
		}, Limits{MaxFiles: 2}, `entry "c": the archive has more than 2 files`},
		{"truncated.tar.gz", func(t testing.TB) []byte {
			b := gz(t, buildTar(t, []member{{name: "ok.txt", body: "fine"}, {name: "big.bin", body: strings.Repeat("abcdefghij", 100000)}}))
			return b[:len(b)/2]
		}, Limits{}, `archive truncated.tar.gz: entry "big.bin": truncated or corrupt`},
		{"truncated.zip", func(t testing.TB) []byte {
			b := buildZip(t, []member{{name: "ok.txt", body: "fine"}})
			return b[:len(b)-30]
		}, Limits{}, `archive truncated.zip: truncated or corrupt`},
		{"crc.zip", func(t testing.TB) []byte {
			b := buildZip(t, []member{{name: "ok.txt", body: strings.Repeat("x", 1000)}})
			i := bytes.Index(b, []byte("ok.txt")) + len("ok.txt") + 3 // inside the deflate stream
			b[i] ^= 0xff
			return b
		}, Limits{}, `entry "ok.txt": truncated or corrupt`},
		{"notgz.tar.gz", func(t testing.TB) []byte { return []byte("<html>oops</html>") }, Limits{}, `archive notgz.tar.gz: truncated or corrupt: bad gzip header`},
		{"unknown.rar", func(t testing.TB) []byte { return []byte("x") }, Limits{}, `archive unknown.rar: unknown archive type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			arc := writeArchive(t, dir, tt.name, tt.data(t))
			dest := filepath.Join(dir, "release")
			if err := os.MkdirAll(filepath.Join(dest, "older"), 0o755); err != nil {
				t.Fatal(err)
			}
			files, err := Extract(context.Background(), arc, dest, tt.lim)
			if err == nil {
				t.Fatalf("Extract succeeded with %v, want error %q", files, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %q\nwant it to contain %q", err, tt.wantErr)
			}
			// Nothing escaped, and what the call wrote was removed again.
			if got := tree(t, dest); !reflect.DeepEqual(got, []string{"older"}) {
				t.Errorf("release folder holds %v after the failure, want only the older content", got)
			}
			if got := tree(t, dir); len(got) != 3 {
				t.Errorf("test folder holds %v, want the archive and the release folder only", got)
			}
		})
	}
}

func TestExtractContextCanceled(t *testing.T) {
	dir := t.TempDir()
	arc := writeArchive(t, dir, "a.zip", buildZip(t, []member{{name: "a", body: "1"}}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Extract(ctx, arc, filepath.Join(dir, "out"), Limits{})
	if err == nil || !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("err = %v, want a cancellation error", err)
	}
}

// sharedData is the shared test data folder (see package shareddata).
func sharedData(t testing.TB) string { return shareddata.Path(t) }

func TestExtractCGIData(t *testing.T) {
	base := sharedData(t)
	src := filepath.Join(base, "cgi", "cgi_biomarkers_per_variant.tsv")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("shared test data not available (%v): set STUDIO_SHARED_DATA to the folder holding cgi/cgi_biomarkers_per_variant.tsv", err)
	}
	dir := t.TempDir()
	arc := writeArchive(t, dir, "cgi_biomarkers_latest.zip", buildZip(t, []member{{name: "cgi_biomarkers_per_variant.tsv", body: string(data)}}))
	if err := Check(arc, true); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "2024-01-01")
	files, err := Extract(context.Background(), arc, dest, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(files, []string{"cgi_biomarkers_per_variant.tsv"}) {
		t.Fatalf("files = %v", files)
	}
	got, err := os.ReadFile(filepath.Join(dest, files[0]))
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatal("unpacked file differs from the original")
	}
}

func TestIsArchive(t *testing.T) {
	for name, want := range map[string]bool{
		"a.zip": true, "A.ZIP": true, "a.tar.gz": true, "a.tgz": true, "a.tar.xz": true,
		"a.tar": true, "a.gz": true, "a.xz": true, "a.bz2": true, "a.tsv": false, "zip": false, ".gz": false,
	} {
		if got := IsArchive(name); got != want {
			t.Errorf("IsArchive(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	goodZip := buildZip(t, []member{{name: "a", body: "1"}})
	tests := []struct {
		name          string
		data          []byte
		expectArchive bool
		wantErr       string
	}{
		{"data.tsv", []byte("a\tb\n"), false, ""},
		{"empty.tsv", nil, false, "is empty"},
		{"page.tsv", []byte("\xEF\xBB\xBF  \n<!DOCTYPE HTML>\n<html><body>404</body></html>"), false, "looks like an HTML page, not data: the server probably answered with an error page"},
		{"page.zip", []byte("<html><body>Forbidden</body></html>"), true, "looks like an HTML page"},
		{"good.zip", goodZip, true, ""},
		{"broken.zip", goodZip[:len(goodZip)-10], true, "central directory unreadable"},
		{"broken.zip.nocheck", goodZip[:len(goodZip)-10], false, ""},
		{"good.tar.gz", gz(t, buildTar(t, []member{{name: "a", body: "1"}})), true, ""},
		{"bad.gz", []byte("not gzip at all"), true, "bad gzip header"},
		{"bad.xz", []byte("not xz"), true, "bad xz header"},
		{"good.xz", xzBytes(t, []byte("x")), true, ""},
		{"plain.txt", []byte("text"), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeArchive(t, t.TempDir(), tt.name, tt.data)
			err := Check(p, tt.expectArchive)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
