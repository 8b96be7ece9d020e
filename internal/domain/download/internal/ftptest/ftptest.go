// Package ftptest is a minimal FTP server on loopback for tests: passive
// mode (EPSV and PASV), binary RETR with REST, SIZE and MDTM, serving the
// files of one folder. It exists because no FTP server library is available
// to the build; it is not meant for anything but tests.
package ftptest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Server serves Root over FTP on 127.0.0.1.
type Server struct {
	Root string
	User string // when set, only this user and Pass may log in
	Pass string
	// NoMDTM hides MDTM from FEAT, like old servers.
	NoMDTM bool
	// CutAfter, when > 0, makes the next RETR send only that many bytes and
	// then drop the data connection; it resets to 0 afterwards.
	CutAfter atomic.Int64

	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	cmds []string
}

// Start serves root until Close.
func Start(root string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Root: root, ln: ln}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Commands lists the commands received so far, e.g. "REST 100".
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...)
}

// Close stops the server.
func (s *Server) Close() {
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(c)
		}()
	}
}

type session struct {
	s      *Server
	ctrl   net.Conn
	w      *bufio.Writer
	user   string
	authed bool
	rest   int64
	pasv   net.Listener
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	ss := &session{s: s, ctrl: c, w: bufio.NewWriter(c)}
	defer func() {
		if ss.pasv != nil {
			ss.pasv.Close()
		}
	}()
	ss.reply(220, "ftptest ready")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		s.mu.Lock()
		s.cmds = append(s.cmds, line)
		s.mu.Unlock()
		cmd, arg, _ := strings.Cut(line, " ")
		if !ss.handle(strings.ToUpper(cmd), arg) {
			return
		}
	}
}

func (ss *session) reply(code int, msg string) {
	fmt.Fprintf(ss.w, "%d %s\r\n", code, msg)
	ss.w.Flush()
}

func (ss *session) handle(cmd, arg string) bool {
	if !ss.authed && cmd != "USER" && cmd != "PASS" && cmd != "QUIT" {
		ss.reply(530, "log in first")
		return true
	}
	switch cmd {
	case "USER":
		ss.user = arg
		ss.reply(331, "password please")
	case "PASS":
		if ss.s.User != "" && (ss.user != ss.s.User || arg != ss.s.Pass) {
			ss.reply(530, "login incorrect")
			return true
		}
		ss.authed = true
		ss.reply(230, "logged in")
	case "SYST":
		ss.reply(215, "UNIX Type: L8")
	case "FEAT":
		feats := " SIZE\r\n REST STREAM\r\n EPSV\r\n PASV\r\n"
		if !ss.s.NoMDTM {
			feats = " MDTM\r\n" + feats
		}
		fmt.Fprintf(ss.w, "211-Features:\r\n%s211 End\r\n", feats)
		ss.w.Flush()
	case "TYPE", "OPTS", "NOOP":
		ss.reply(200, "ok")
	case "PWD":
		ss.reply(257, `"/" is the current directory`)
	case "CWD":
		ss.reply(250, "ok")
	case "EPSV", "PASV":
		ss.passive(cmd)
	case "SIZE":
		if st, err := ss.stat(arg); err != nil {
			ss.reply(550, err.Error())
		} else {
			ss.reply(213, strconv.FormatInt(st.Size(), 10))
		}
	case "MDTM":
		if ss.s.NoMDTM {
			ss.reply(502, "not implemented")
		} else if st, err := ss.stat(arg); err != nil {
			ss.reply(550, err.Error())
		} else {
			ss.reply(213, st.ModTime().UTC().Format("20060102150405"))
		}
	case "REST":
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n < 0 {
			ss.reply(501, "bad offset")
			return true
		}
		ss.rest = n
		ss.reply(350, "restarting at "+arg)
	case "RETR":
		ss.retr(arg)
	case "QUIT":
		ss.reply(221, "bye")
		return false
	default:
		ss.reply(502, "not implemented")
	}
	return true
}

func (ss *session) stat(name string) (os.FileInfo, error) {
	st, err := os.Stat(ss.file(name))
	if err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: no such file", name)
	}
	return st, nil
}

func (ss *session) file(name string) string {
	return filepath.Join(ss.s.Root, filepath.FromSlash(path.Clean("/"+name)))
}

func (ss *session) passive(cmd string) {
	if ss.pasv != nil {
		ss.pasv.Close()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ss.reply(425, err.Error())
		return
	}
	ss.pasv = ln
	port := ln.Addr().(*net.TCPAddr).Port
	if cmd == "EPSV" {
		ss.reply(229, fmt.Sprintf("Entering Extended Passive Mode (|||%d|)", port))
		return
	}
	ss.reply(227, fmt.Sprintf("Entering Passive Mode (127,0,0,1,%d,%d)", port>>8, port&0xff))
}

func (ss *session) retr(name string) {
	offset := ss.rest
	ss.rest = 0
	if ss.pasv == nil {
		ss.reply(425, "use PASV or EPSV first")
		return
	}
	ln := ss.pasv
	ss.pasv = nil
	defer ln.Close()
	f, err := os.Open(ss.file(name))
	if err != nil {
		ss.reply(550, name+": no such file")
		return
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		ss.reply(550, err.Error())
		return
	}
	ss.reply(150, "opening data connection")
	dc, err := ln.Accept()
	if err != nil {
		ss.reply(425, "no data connection")
		return
	}
	var src io.Reader = f
	cut := ss.s.CutAfter.Swap(0)
	if cut > 0 {
		src = io.LimitReader(f, cut)
	}
	_, err = io.Copy(dc, src)
	dc.Close()
	if err != nil || cut > 0 {
		ss.reply(426, "connection closed; transfer aborted")
		return
	}
	ss.reply(226, "transfer complete")
}
