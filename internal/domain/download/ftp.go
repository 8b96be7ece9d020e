package download

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/jlaffaye/ftp"
)

// ftpSource reads ftp:// URLs, logging in as anonymous unless the URL
// carries a user.
type ftpSource struct {
	u   *url.URL
	raw string
}

// ftpConn is a logged-in control connection plus every network connection
// it opened, so that a cancelled context can cut them all.
type ftpConn struct {
	*ftp.ServerConn
	mu    sync.Mutex
	conns []net.Conn
	stop  func() bool
}

func (c *ftpConn) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, nc := range c.conns {
		nc.Close()
	}
}

func (c *ftpConn) close() {
	c.stop()
	c.Quit()
	c.closeAll()
}

func (s *ftpSource) errorf(format string, args ...any) error {
	return fmt.Errorf("ftp %s: %s", Redact(s.raw), fmt.Sprintf(format, args...))
}

func (s *ftpSource) connect(ctx context.Context) (*ftpConn, error) {
	host := s.u.Host
	if s.u.Port() == "" {
		host = net.JoinHostPort(s.u.Hostname(), "21")
	}
	c := &ftpConn{}
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	dial := func(network, addr string) (net.Conn, error) {
		nc, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.conns = append(c.conns, nc)
		c.mu.Unlock()
		return nc, nil
	}
	sc, err := ftp.Dial(host, ftp.DialWithDialFunc(dial))
	if err != nil {
		c.closeAll()
		return nil, s.errorf("cannot connect: %v", err)
	}
	c.ServerConn = sc
	c.stop = context.AfterFunc(ctx, c.closeAll)
	user, pass := "anonymous", "anonymous@"
	if s.u.User != nil {
		user = s.u.User.Username()
		pass, _ = s.u.User.Password()
	}
	if err := sc.Login(user, pass); err != nil {
		c.close()
		return nil, s.errorf("login as %q refused: %v", user, err)
	}
	return c, nil
}

// stat asks MDTM then SIZE; either may be missing on old servers.
func (s *ftpSource) stat(c *ftpConn) (Info, error) {
	info := Info{URL: s.raw, Name: sanitizeName(urlName(s.raw)), Size: -1}
	var mdtmErr error
	if c.IsGetTimeSupported() {
		info.ModTime, mdtmErr = c.GetTime(s.u.Path)
		if mdtmErr != nil {
			info.ModTime = time.Time{}
		}
	} else {
		mdtmErr = errors.New("MDTM not supported")
	}
	size, sizeErr := c.FileSize(s.u.Path)
	if sizeErr == nil {
		info.Size = size
	}
	if mdtmErr != nil && sizeErr != nil {
		return info, s.errorf("cannot read the file's date or size (%v); check that the file exists", sizeErr)
	}
	info.Release = releaseOf(info.ModTime, "")
	return info, nil
}

func (s *ftpSource) probe(ctx context.Context) (Info, error) {
	c, err := s.connect(ctx)
	if err != nil {
		return Info{}, err
	}
	defer c.close()
	return s.stat(c)
}

func (s *ftpSource) open(ctx context.Context, p *partial) (*stream, error) {
	c, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	info, err := s.stat(c)
	if err != nil {
		c.close()
		return nil, err
	}
	var offset int64
	// Without a date and a size, nothing proves the partial bytes belong to
	// the current file, so only resume when both match.
	if p != nil && p.have > 0 && info.Size > p.have && !info.ModTime.IsZero() &&
		p.Size == info.Size && p.ModTime.Equal(info.ModTime) {
		offset = p.have
	}
	resp, err := c.RetrFrom(s.u.Path, uint64(offset))
	if err != nil && offset > 0 {
		offset = 0 // REST refused: start over
		resp, err = c.RetrFrom(s.u.Path, 0)
	}
	if err != nil {
		c.close()
		return nil, s.errorf("RETR refused: %v", err)
	}
	return &stream{
		info: info, body: &ftpBody{resp: resp, c: c}, offset: offset, total: info.Size,
		resume: partial{ModTime: info.ModTime, Size: info.Size},
	}, nil
}

// ftpBody ends the data transfer and the session when closed.
type ftpBody struct {
	resp *ftp.Response
	c    *ftpConn
}

func (b *ftpBody) Read(p []byte) (int, error) { return b.resp.Read(p) }

func (b *ftpBody) Close() error {
	err := b.resp.Close()
	b.c.close()
	return err
}
