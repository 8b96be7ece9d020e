package download

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// defaultClient has no overall timeout, since a large file may take hours,
// but gives up on servers that do not connect or answer.
var defaultClient = &http.Client{Transport: func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.DisableCompression = true
	return t
}()}

type httpSource struct {
	u      *url.URL
	raw    string
	client *http.Client
}

func (s *httpSource) request(ctx context.Context, method string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.raw, nil)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %v", Redact(s.raw), redactErr(err, s.raw))
	}
	// Data files are stored as served: a .gz must stay a .gz, so no
	// transparent decompression.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", "studio-dumper/1")
	return req, nil
}

func (s *httpSource) do(req *http.Request) (*http.Response, error) {
	resp, err := s.client.Do(req)
	if err != nil {
		msg := err.Error()
		if ue, ok := err.(*url.Error); ok {
			msg = ue.Err.Error()
		}
		return nil, fmt.Errorf("%s %s: %s", req.Method, Redact(s.raw), msg)
	}
	return resp, nil
}

func (s *httpSource) statusError(resp *http.Response) error {
	err := fmt.Errorf("%s %s: the server answered %s; check the data URL", resp.Request.Method, Redact(s.raw), resp.Status)
	switch c := resp.StatusCode; {
	case c == http.StatusRequestTimeout || c == http.StatusTooManyRequests || c >= 500:
		return err
	case c >= 400:
		return permanent(err)
	}
	return err
}

func (s *httpSource) probe(ctx context.Context) (Info, error) {
	req, err := s.request(ctx, http.MethodHead)
	if err != nil {
		return Info{}, err
	}
	resp, err := s.do(req)
	if err != nil {
		return Info{}, err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented {
		// Some servers refuse HEAD: ask for the first byte instead.
		if req, err = s.request(ctx, http.MethodGet); err != nil {
			return Info{}, err
		}
		req.Header.Set("Range", "bytes=0-0")
		if resp, err = s.do(req); err != nil {
			return Info{}, err
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusPartialContent {
			info := s.info(resp)
			info.Size = -1
			if _, _, total, ok := parseContentRange(resp.Header.Get("Content-Range")); ok {
				info.Size = total
			}
			return info, nil
		}
	}
	if resp.StatusCode != http.StatusOK {
		return Info{}, s.statusError(resp)
	}
	return s.info(resp), nil
}

// info reads what the response headers say about the file.
func (s *httpSource) info(resp *http.Response) Info {
	info := Info{URL: s.raw, Size: resp.ContentLength, ETag: resp.Header.Get("ETag")}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil {
			info.ModTime = t
		}
	}
	info.Release = releaseOf(info.ModTime, info.ETag)
	info.Name = sanitizeName(dispositionName(resp.Header.Get("Content-Disposition")))
	if info.Name == "" {
		info.Name = sanitizeName(urlName(s.raw))
	}
	return info
}

func dispositionName(h string) string {
	if h == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	return params["filename"]
}

// parseContentRange reads "bytes first-last/total".
func parseContentRange(h string) (first, last, total int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(spec, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	first, err1 = strconv.ParseInt(a, 10, 64)
	last, err2 = strconv.ParseInt(b, 10, 64)
	total = -1
	if tot != "*" {
		total, err3 = strconv.ParseInt(tot, 10, 64)
	}
	return first, last, total, err1 == nil && err2 == nil && err3 == nil && first <= last
}

func (s *httpSource) open(ctx context.Context, p *partial) (*stream, error) {
	if p != nil && p.have > 0 {
		st, err := s.get(ctx, p)
		if err != nil || st != nil {
			return st, err
		}
		// The server could not continue: start over.
	}
	return s.get(ctx, nil)
}

// get sends the GET, with a range continuing p when p is not nil. It
// returns nil, nil when a range request cannot be honoured.
func (s *httpSource) get(ctx context.Context, p *partial) (*stream, error) {
	req, err := s.request(ctx, http.MethodGet)
	if err != nil {
		return nil, err
	}
	if p != nil {
		validator := p.ETag
		if validator == "" || strings.HasPrefix(validator, "W/") {
			validator = p.LastModified // weak ETags may not be used in If-Range
		}
		if validator == "" {
			return nil, nil
		}
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", p.have))
		req.Header.Set("If-Range", validator)
	}
	resp, err := s.do(req)
	if err != nil {
		return nil, err
	}
	info := s.info(resp)
	st := &stream{info: info, body: resp.Body, total: -1}
	switch {
	case resp.StatusCode == http.StatusOK:
		st.total = resp.ContentLength
	case resp.StatusCode == http.StatusPartialContent && p != nil:
		first, _, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		same := info.ETag == p.ETag && resp.Header.Get("Last-Modified") == p.LastModified
		if !ok || first != p.have || !same || (p.Size >= 0 && total != p.Size) {
			resp.Body.Close()
			return nil, nil
		}
		st.offset, st.total = first, total
		info.Size = total
		st.info = info
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && p != nil:
		resp.Body.Close()
		return nil, nil
	default:
		resp.Body.Close()
		return nil, s.statusError(resp)
	}
	if err := s.checkHTML(resp, info.Name); err != nil {
		resp.Body.Close()
		return nil, err
	}
	st.resume = partial{ETag: info.ETag, LastModified: resp.Header.Get("Last-Modified"), Size: st.total}
	return st, nil
}

// checkHTML refuses an HTML page where a data file was expected: servers
// often answer a missing file or an expired session with a 200 page.
func (s *httpSource) checkHTML(resp *http.Response, name string) error {
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ct != "text/html" && ct != "application/xhtml+xml" {
		return nil
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		return nil
	}
	return permanent(fmt.Errorf("GET %s: the server answered an HTML page where data was expected (%s): it is probably an error or login page; open the URL in a browser to see it", Redact(s.raw), resp.Status))
}
