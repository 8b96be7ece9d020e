package plugin

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"studio/internal/domain/manifest"
)

// Plugin types, as reported in Info.Type.
const (
	TypeGit   = "git"
	TypeLocal = "local"
)

// allowedSchemes are the URL schemes a plugin may be cloned from. git://
// (unauthenticated, unencrypted) and anything else are refused.
var allowedSchemes = map[string]bool{"https": true, "http": true, "ssh": true, "file": true}

// scpLike matches git's scp-style address, user@host:path.
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:.+$`)

// source is a Source checked and taken apart.
type source struct {
	raw      string // as given, trimmed; may hold credentials, never shown
	shown    string // raw with credentials redacted
	kind     string // TypeGit or TypeLocal
	name     string
	path     string // absolute folder for local folders, local paths and file:// URLs
	fetchURL string // what go-git fetches from (git only)
}

// parseSource checks a plugin URL and tells where it points.
func parseSource(raw string) (source, error) {
	s := source{raw: strings.TrimSpace(raw)}
	s.shown = Redact(s.raw)
	if s.raw == "" {
		return s, failf(ErrInvalidSource, "plugin URL is empty: give a git URL (https://, ssh://, git@host:path, file://), a path to a git repository, or local:///path for a plain folder")
	}
	name, err := manifest.PluginName(s.shown)
	if err != nil {
		return s, &kindError{kind: ErrInvalidSource, err: err}
	}
	s.name = name

	lower := strings.ToLower(s.raw)
	switch {
	case strings.HasPrefix(lower, "local:"):
		return s.local()
	case strings.Contains(s.raw, "://"):
		return s.url()
	case scpLike.MatchString(s.raw):
		s.kind, s.fetchURL = TypeGit, s.raw
		return s, nil
	default:
		return s.localRepo(s.raw)
	}
}

// local handles local:///path and local:path, a plain folder copied as is.
func (s source) local() (source, error) {
	p := s.raw[len("local:"):]
	p = strings.TrimPrefix(p, "//")
	if p == "" {
		return s, failf(ErrInvalidSource, "plugin URL %q names no folder: write local:///path/to/folder", s.shown)
	}
	abs, err := existingDir(p, s.shown)
	if err != nil {
		return s, err
	}
	s.kind, s.path = TypeLocal, abs
	return s, nil
}

// url handles scheme://... addresses.
func (s source) url() (source, error) {
	scheme := strings.ToLower(s.raw[:strings.Index(s.raw, "://")])
	if !allowedSchemes[scheme] {
		return s, failf(ErrInvalidSource, "plugin URL %q: scheme %q is not supported: use https://, http://, ssh://, git@host:path, file:// or a local path (local:///path for a plain folder)", s.shown, scheme)
	}
	u, err := url.Parse(s.raw)
	if err != nil {
		return s, failf(ErrInvalidSource, "plugin URL %q is not a valid URL: %v", s.shown, redactText(err.Error(), s.raw))
	}
	if scheme == "file" {
		if u.Host != "" && u.Host != "localhost" {
			return s, failf(ErrInvalidSource, "plugin URL %q: file:// URLs must name a folder on this machine (file:///path)", s.shown)
		}
		return s.localRepo(u.Path)
	}
	if u.Host == "" {
		return s, failf(ErrInvalidSource, "plugin URL %q names no host", s.shown)
	}
	s.kind, s.fetchURL = TypeGit, s.raw
	return s, nil
}

// localRepo handles a git repository on this machine, given as a path or a
// file:// URL. go-git gets the absolute path, so that a path can never be
// taken for an option of git-upload-pack.
func (s source) localRepo(p string) (source, error) {
	abs, err := existingDir(p, s.shown)
	if err != nil {
		return s, err
	}
	if !isGitRepo(abs) {
		return s, failf(ErrInvalidSource, "%q is not a git repository (no .git in it): to register a plain folder, use local://%s", s.shown, filepath.ToSlash(abs))
	}
	s.kind, s.path, s.fetchURL = TypeGit, abs, abs
	return s, nil
}

func existingDir(p, shown string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", failf(ErrInvalidSource, "plugin URL %q: %v", shown, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", failf(ErrInvalidSource, "plugin URL %q: no folder %s on this machine: check the path", shown, abs)
	}
	if !fi.IsDir() {
		return "", failf(ErrInvalidSource, "plugin URL %q: %s is a file, not a folder", shown, abs)
	}
	return abs, nil
}

// isGitRepo tells whether dir is a work tree (.git inside) or a bare repository.
func isGitRepo(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return true
	}
	_, errHead := os.Stat(filepath.Join(dir, "HEAD"))
	fi, errObj := os.Stat(filepath.Join(dir, "objects"))
	return errHead == nil && errObj == nil && fi.IsDir()
}

// key is a canonical form of a source, to tell whether a plugin folder was
// registered from the same place: credentials, a trailing slash and .git do
// not count.
func (s source) key() string {
	if s.path != "" {
		return s.kind + ":" + s.path
	}
	k := strings.TrimRight(s.shown, "/")
	k = strings.TrimSuffix(k, ".git")
	if i := strings.Index(k, "://"); i >= 0 {
		// Scheme and host are case-insensitive; the path may not be.
		rest := k[i+3:]
		host, p, _ := strings.Cut(rest, "/")
		k = strings.ToLower(k[:i]) + "://" + strings.ToLower(host) + "/" + p
	}
	return s.kind + ":" + k
}

// Redact removes credentials from a URL so it can be logged and shown:
// https://user:token@host/x.git becomes https://host/x.git (a token is often
// given as the user name, so http(s) loses the whole user part); ssh keeps
// the user name, which is not a secret, and loses a password.
func Redact(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	scheme := strings.ToLower(raw[:i])
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	userinfo, host := authority[:at], authority[at+1:]
	if scheme == "ssh" {
		user, _, _ := strings.Cut(userinfo, ":")
		return raw[:i+3] + user + "@" + host + rest[end:]
	}
	return raw[:i+3] + host + rest[end:]
}

// redactText removes from text every credential found in raw: the URL itself
// and its user name and password (an error from a library may quote any of
// them).
func redactText(text, raw string) string {
	shown := Redact(raw)
	if shown == raw {
		return text
	}
	text = strings.ReplaceAll(text, raw, shown)
	rest := raw[strings.Index(raw, "://")+3:]
	authority := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		authority = rest[:end]
	}
	userinfo := authority[:strings.LastIndex(authority, "@")]
	user, pass, _ := strings.Cut(userinfo, ":")
	var secrets []string
	switch {
	case pass != "":
		secrets = []string{userinfo, pass}
	case len(user) >= 8 && !strings.HasPrefix(strings.ToLower(raw), "ssh://"):
		// A long user name without a password is most likely a token.
		secrets = []string{user}
	}
	for _, v := range secrets {
		if len(v) < 3 {
			continue // too short to hide without garbling the rest of the text
		}
		text = strings.ReplaceAll(text, v, "***")
		if dec, err := url.PathUnescape(v); err == nil && dec != v {
			text = strings.ReplaceAll(text, dec, "***")
		}
	}
	return text
}
