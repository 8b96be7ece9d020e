package manifest

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// PluginName derives a data plugin's name from where it is registered from:
// the base name of a git URL or folder, without ".git". It accepts
// https://host/x/cgi.git, git@host:x/cgi.git, ssh://git@host/x/cgi,
// file:///tmp/cgi, local:///tmp/cgi and plain paths such as /tmp/cgi/.
func PluginName(src string) (string, error) {
	s := strings.TrimSpace(src)
	if s == "" {
		return "", fmt.Errorf("plugin URL is empty: give a git URL or a folder")
	}
	p := s
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		// A scheme of one letter is a Windows drive, not a URL.
		p = u.Path
		if p == "" {
			p = u.Opaque
		}
	} else if at := strings.Index(s, "@"); at >= 0 && strings.Contains(s[at:], ":") && !strings.Contains(s[:at], "/") {
		// scp-like git address: user@host:path
		p = s[at+strings.Index(s[at:], ":")+1:]
	}
	p = strings.ReplaceAll(p, `\`, "/")
	p = strings.TrimRight(p, "/")
	name := path.Base(p)
	name = strings.TrimSuffix(name, ".git")
	if name == "" || name == "." || name == "/" {
		return "", fmt.Errorf("plugin URL %q: cannot tell a plugin name from it: the last path element names the plugin", src)
	}
	if !namePattern.MatchString(name) {
		return "", fmt.Errorf("plugin URL %q: plugin name %q must match %s (letters, digits and underscore, at least two characters, not starting with a digit): rename the repository or folder", src, name, namePattern)
	}
	return name, nil
}
