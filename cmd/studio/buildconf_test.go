package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestBuildconfExtraIndexSettings checks --extra-index-settings: the JSON
// object given inline or as @file goes to the hub as extra_index_settings;
// anything else is a usage error naming the flag, and nothing is sent.
func TestBuildconfExtraIndexSettings(t *testing.T) {
	const settings = `{"analysis": {"analyzer": {"refseq_analyzer": {"type": "custom", "tokenizer": "refseq_tokenizer", "filter": "lowercase"}},
  "tokenizer": {"refseq_tokenizer": {"type": "path_hierarchy", "delimiter": "."}}}}`
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("settings.json", "\n"+settings+"\n")
	list := write("list.json", `[1, 2]`)
	broken := write("broken.json", `{"analysis": `)
	missing := filepath.Join(dir, "missing.json")
	base := []string{"buildconf", "create", "--name", "mygene", "--doctype", "gene", "--sources", "mygene"}

	tests := []struct {
		name  string
		value string
		err   string // the usage error; "" when the request is sent
	}{
		{name: "inline", value: settings},
		{name: "from a file", value: "@" + good},
		{name: "not JSON", value: `{analysis}`,
			err: "usage: --extra-index-settings: the value is not valid JSON: invalid character 'a' looking for beginning of object key string; studio buildconf create"},
		{name: "a list", value: `[1]`,
			err: "usage: --extra-index-settings: the value is JSON array, want an object; studio buildconf create"},
		{name: "null", value: `null`,
			err: "usage: --extra-index-settings: the value is JSON null, want an object; studio buildconf create"},
		{name: "a file of a list", value: "@" + list,
			err: "usage: --extra-index-settings: " + list + " is JSON array, want an object; studio buildconf create"},
		{name: "a file of broken JSON", value: "@" + broken,
			err: "usage: --extra-index-settings: " + broken + " is not valid JSON: unexpected end of JSON input; studio buildconf create"},
		{name: "a missing file", value: "@" + missing,
			err: "usage: --extra-index-settings: open " + missing + ": no such file or directory; studio buildconf create"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hub := newFakeHub(t, map[string][]answer{"POST /buildconf": {{result: map[string]any{"name": "mygene"}}}})
			_, _, err := runCLI(t, hub.URL, append(base, "--extra-index-settings", tc.value)...)
			if tc.err != "" {
				if !errors.Is(err, errUsage) || exitCode(err) != 2 || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("err = %v (exit %d), want a usage error starting %q", err, exitCode(err), tc.err)
				}
				if n := len(hub.recorded()); n != 0 {
					t.Fatalf("%d requests sent, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			reqs := hub.recorded()
			if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/buildconf" {
				t.Fatalf("requests = %+v, want one POST /buildconf", reqs)
			}
			var want any
			_ = json.Unmarshal([]byte(settings), &want)
			body, _ := reqs[0].Body.(map[string]any)
			if !reflect.DeepEqual(body["extra_index_settings"], want) || body["name"] != "mygene" {
				t.Fatalf("body = %v, want extra_index_settings %v", body, want)
			}
		})
	}
}
