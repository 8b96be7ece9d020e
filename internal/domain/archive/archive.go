// Package archive unpacks downloaded data archives (zip, tar, tar.gz, tar.xz,
// tar.bz2, gz, xz, bz2) safely into a release folder, and checks that a
// downloaded file holds data rather than an error page.
//
// Archives come from the internet, so nothing in them is trusted: entries
// may not leave the release folder (no "..", no absolute paths, no links),
// device files are refused, and the real number of bytes written is capped,
// since a zip bomb lies about sizes in its headers.
package archive

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Limits caps what one Extract call may write.
type Limits struct {
	MaxBytes int64 // total unpacked bytes; 0 means DefaultMaxBytes
	MaxFiles int   // files written; 0 means DefaultMaxFiles
}

// Default limits, generous enough for large biological dumps.
const (
	DefaultMaxBytes int64 = 20 << 30 // 20 GiB
	DefaultMaxFiles       = 100000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	return l
}

// format is one archive kind, recognised by its file name suffix.
type format struct {
	suffix string
	tar    bool   // a tar stream, possibly compressed
	codec  string // "", "gzip", "xz", "bzip2"
}

// formats is ordered so that ".tar.gz" is matched before ".gz".
var formats = []format{
	{".tar.gz", true, "gzip"},
	{".tgz", true, "gzip"},
	{".tar.xz", true, "xz"},
	{".txz", true, "xz"},
	{".tar.bz2", true, "bzip2"},
	{".tbz2", true, "bzip2"},
	{".tar", true, ""},
	{".zip", false, "zip"},
	{".gz", false, "gzip"},
	{".xz", false, "xz"},
	{".bz2", false, "bzip2"},
}

func formatOf(name string) (format, bool) {
	lower := strings.ToLower(name)
	for _, f := range formats {
		if strings.HasSuffix(lower, f.suffix) && len(lower) > len(f.suffix) {
			return f, true
		}
	}
	return format{}, false
}

// IsArchive reports whether Extract knows how to unpack a file of that name.
func IsArchive(name string) bool {
	_, ok := formatOf(name)
	return ok
}

var drivePath = regexp.MustCompile(`^[A-Za-z]:`)

// safeName turns an entry name into a clean relative slash path, or says why
// it cannot be written. An empty result with no error means "the folder
// itself" (an entry such as "./").
func safeName(name string) (string, error) {
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("name contains a NUL byte")
	}
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || drivePath.MatchString(n) {
		return "", fmt.Errorf("absolute path: entries must be relative to the release folder")
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", fmt.Errorf("path escapes the release folder")
		}
	}
	clean := path.Clean(n)
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// linkTarget resolves a link's target relative to the link's own folder and
// says whether it stays inside the release folder.
func linkTarget(entry, target string) (string, bool) {
	t := strings.ReplaceAll(target, `\`, "/")
	if t == "" || strings.HasPrefix(t, "/") || drivePath.MatchString(t) {
		return "", false
	}
	joined := path.Join(path.Dir(entry), t)
	if joined == ".." || strings.HasPrefix(joined, "../") || joined == "." {
		return "", false
	}
	return joined, true
}
