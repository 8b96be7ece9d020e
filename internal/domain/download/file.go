package download

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
)

// fileSource reads file:// URLs: local or mounted data, and tests.
type fileSource struct {
	u   *url.URL
	raw string
}

func (s *fileSource) path() (string, error) {
	p := s.u.Path
	if s.u.Host != "" && s.u.Host != "localhost" {
		return "", fmt.Errorf("file URL %s names host %q: only local files are supported (file:///absolute/path)", Redact(s.raw), s.u.Host)
	}
	if p == "" || !filepath.IsAbs(filepath.FromSlash(p)) {
		return "", fmt.Errorf("file URL %s has no absolute path: write file:///absolute/path", Redact(s.raw))
	}
	return filepath.FromSlash(p), nil
}

func (s *fileSource) probe(ctx context.Context) (Info, error) {
	p, err := s.path()
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return Info{}, permanent(fmt.Errorf("reading %s: %w", Redact(s.raw), err))
	}
	if !st.Mode().IsRegular() {
		return Info{}, permanent(fmt.Errorf("reading %s: not a regular file", Redact(s.raw)))
	}
	return Info{
		URL: s.raw, Name: sanitizeName(filepath.Base(p)), Size: st.Size(),
		ModTime: st.ModTime(), Release: releaseOf(st.ModTime(), ""),
	}, nil
}

func (s *fileSource) open(ctx context.Context, pt *partial) (*stream, error) {
	info, err := s.probe(ctx)
	if err != nil {
		return nil, err
	}
	p, _ := s.path()
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", Redact(s.raw), err)
	}
	st := &stream{info: info, body: f, total: info.Size,
		resume: partial{ModTime: info.ModTime, Size: info.Size}}
	if pt != nil && pt.have < info.Size && pt.Size == info.Size && pt.ModTime.Equal(info.ModTime) {
		if _, err := f.Seek(pt.have, io.SeekStart); err == nil {
			st.offset = pt.have
		}
	}
	return st, nil
}
