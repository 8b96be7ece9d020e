package benchkit

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"

	"studio/internal/engine/search"
)

// FreePort is a TCP port on 127.0.0.1 that nothing listened on a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StudioReady reports whether the /status at url answers 200 with Temporal
// reachable: a started `studio dev` is ready for work.
func StudioReady(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var env struct {
		Result struct {
			Temporal struct{ OK bool }
		}
	}
	return resp.StatusCode == 200 && json.NewDecoder(resp.Body).Decode(&env) == nil && env.Result.Temporal.OK
}

// Keyword is the mapping of a keyword field of a released index, matched
// lower-cased; with all, it is also copied into the index's all-fields
// field.
func Keyword(all bool) map[string]any {
	f := map[string]any{"type": "keyword", "normalizer": search.KeywordLowercaseNormalizer}
	if all {
		f["copy_to"] = []any{search.AllField}
	}
	return f
}
