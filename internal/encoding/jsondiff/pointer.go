package jsondiff

import (
	"errors"
	"strings"
)

// escape encodes one object key as a JSON Pointer token (RFC 6901).
func escape(key string) string {
	if !strings.ContainsAny(key, "~/") {
		return key
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

// parsePointer splits a JSON Pointer into unescaped tokens; "" is the
// whole document.
func parsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, errors.New("a path must be empty or start with '/'")
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		u, err := unescape(t)
		if err != nil {
			return nil, err
		}
		toks[i] = u
	}
	return toks, nil
}

// unescape decodes "~1" to "/" and "~0" to "~"; any other '~' is invalid.
func unescape(t string) (string, error) {
	if !strings.Contains(t, "~") {
		return t, nil
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] != '~' {
			b.WriteByte(t[i])
			continue
		}
		if i+1 == len(t) || (t[i+1] != '0' && t[i+1] != '1') {
			return "", errors.New(`invalid escape in path: '~' must be followed by 0 or 1`)
		}
		if t[i+1] == '0' {
			b.WriteByte('~')
		} else {
			b.WriteByte('/')
		}
		i++
	}
	return b.String(), nil
}
