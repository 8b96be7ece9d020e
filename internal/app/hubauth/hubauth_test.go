package hubauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetup(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, listen, given string
		open, fresh         bool
	}{
		{"loopback is open", "127.0.0.1:8080", "", true, false},
		{"localhost is open", "localhost:8080", "", true, false},
		{"ipv6 loopback is open", "[::1]:8080", "", true, false},
		{"given token on loopback protects", "127.0.0.1:8080", "s3cret", false, false},
		{"elsewhere: a fresh token once", "0.0.0.0:8080", "", false, true},
		{"elsewhere again: the stored hash", "0.0.0.0:8080", "", false, false},
	}
	var first string
	for _, tc := range tests {
		hash, fresh, err := Setup(dir, tc.listen, tc.given)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if (hash == "") != tc.open || (fresh != "") != tc.fresh {
			t.Fatalf("%s: hash %q fresh %q", tc.name, hash, fresh)
		}
		if tc.fresh {
			first = fresh
			b, _ := os.ReadFile(filepath.Join(dir, FileName))
			if strings.Contains(string(b), fresh) || strings.TrimSpace(string(b)) != Hash(fresh) {
				t.Fatalf("stored %q: want only the hash of the token", b)
			}
		}
		if tc.name == "elsewhere again: the stored hash" && !Check(hash, first) {
			t.Fatal("the stored hash does not accept the token shown on first start")
		}
	}
	if Check(Hash("a"), "b") || Check(Hash("a"), "") || !Check(Hash("a"), "a") {
		t.Fatal("Check")
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Setup(dir, "0.0.0.0:1", ""); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged hash file: %v", err)
	}
}

func TestFromRequest(t *testing.T) {
	h := map[string]string{}
	q := map[string]string{}
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if FromRequest(get(h), get(q)) != "" {
		t.Fatal("no token")
	}
	q["token"] = "q"
	h["X-Studio-Token"] = "x"
	h["Authorization"] = "Bearer b"
	if got := FromRequest(get(h), get(q)); got != "b" {
		t.Fatalf("got %q, want the bearer token first", got)
	}
}
