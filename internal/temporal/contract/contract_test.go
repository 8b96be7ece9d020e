package contract_test

import (
	"encoding/json"
	"testing"
	"time"

	"studio/internal/temporal/contract"
)

// The JSON of inputs and results is in every recorded history and in the
// documented `temporal workflow start` commands: it must not change.
func TestJSONShapes(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{contract.SelfCheckInput{Note: "hello"}, `{"note":"hello"}`},
		{contract.RegisterInput{URL: "u", Ref: "r"}, `{"url":"u","ref":"r"}`},
		{contract.DumpInput{Source: "cgi"}, `{"source":"cgi"}`},
		{contract.DumpInput{Source: "cgi", Force: true, Release: "v1"}, `{"source":"cgi","force":true,"release":"v1"}`},
		{contract.UploadInput{Source: "cgi", Sub: "s"}, `{"source":"cgi","sub":"s"}`},
		{contract.UploadSubInput{Source: "a", Sub: "b", Holder: contract.Holder{Queue: "studio@w", GoneAfter: time.Second}},
			`{"source":"a","sub":"b","release":"","data_folder":"","holder":{"queue":"studio@w","gone_after":1000000000}}`},
		{contract.InspectInput{DataProvider: json.RawMessage(`["src","cgi"]`), Mode: []string{"type"}},
			`{"data_provider":["src","cgi"],"mode":["type"]}`},
		{contract.BuildInput{Config: "c", BuildID: "c_1", Version: "1"}, `{"config":"c","build_id":"c_1","version":"1"}`},
		{contract.IndexInput{Build: "b"}, `{"build":"b"}`},
		{contract.DiffInput{Old: "a", New: "b"}, `{"old":"a","new":"b"}`},
		{contract.SyncInput{Diff: "d", Index: "i"}, `{"diff":"d","index":"i"}`},
		{contract.APIInput{Name: "n"}, `{"name":"n"}`},
		{contract.ValidateMappingInput{Mapping: map[string]any{"a": map[string]any{"type": "keyword"}}}, `{"mapping":{"a":{"type":"keyword"}}}`},
		{contract.ValidateMappingResult{Valid: true}, `{"valid":true}`},
		{contract.DeleteBuildInput{Build: "c_1"}, `{"build":"c_1"}`},
		{contract.DeleteBuildResult{Build: "c_1", Deleted: true}, `{"build":"c_1","deleted":true}`},
		{contract.IndexResult{Index: "i", Count: 2, Stats: contract.IndexStats{Indexed: 2, LastID: "x"}},
			`{"index":"i","count":2,"stats":{"indexed":2,"rejected":0,"last_id":"x"}}`},
		{contract.DumpResult{Source: "s", Status: "success"}, `{"source":"s","status":"success"}`},
		{contract.NewPluginInput{Name: "cgi", URL: "/d/generated-plugins/cgi"}, `{"name":"cgi","url":"/d/generated-plugins/cgi"}`},
		{contract.NewPluginResult{Plugin: contract.PluginResult{Name: "cgi"}, Dump: contract.Started{ID: "dump/cgi", RunID: "r"}},
			`{"plugin":{"name":"cgi","folder":"","type":"","url":"","release":"","uploaders":null},"dump":{"id":"dump/cgi","run_id":"r"}}`},
	} {
		b, err := json.Marshal(c.v)
		if err != nil || string(b) != c.want {
			t.Errorf("%T: %s, %v; want %s", c.v, b, err, c.want)
		}
	}
}

func TestIDs(t *testing.T) {
	for got, want := range map[string]string{
		contract.PluginID("p"):                    "plugin/p",
		contract.DumpID("s"):                      "dump/s",
		contract.UploadID("s"):                    "upload/s",
		contract.UploadSubID("s", "u"):            "upload/s/u",
		contract.UploadJobRangeID("s", "u", 1, 9): "upload/s/u/jobs-1-9",
		contract.InspectID("b"):                   "inspect/b",
		contract.BuildID("c", "c_1"):              "build/c/c_1",
		contract.IndexID("i"):                     "index/i",
		contract.DiffID("a", "b"):                 "diff/a-b",
		contract.ReleaseNoteID("a", "b"):          "release_note/a-b",
		contract.SyncID("i"):                      "sync/i",
		contract.APIID("n"):                       "api/n",
		contract.ValidateMappingID("t"):           "mapping/validate/t",
		contract.DeleteBuildID("c_1"):             "delete_build/c_1",
		contract.NewPluginID("cgi"):               "new_plugin/cgi",
	} {
		if got != want {
			t.Errorf("id %q, want %q", got, want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for raw, want := range map[string]contract.InspectTarget{
		`["src","cgi"]`: {Kind: "src", Name: "cgi"},
		`"default_1"`:   {Kind: "build", Name: "default_1"},
	} {
		got, err := contract.ParseTarget(json.RawMessage(raw))
		if err != nil || got != want {
			t.Errorf("ParseTarget(%s) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	for _, raw := range []string{`["src"]`, `["build","x"]`, `""`, `3`, `["src",""]`} {
		if _, err := contract.ParseTarget(json.RawMessage(raw)); err == nil {
			t.Errorf("ParseTarget(%s): no error", raw)
		}
	}
}

func TestModes(t *testing.T) {
	m, err := contract.InspectInput{}.Modes()
	if err != nil || len(m) != 1 || m[0] != "mapping" {
		t.Errorf("default modes = %v, %v", m, err)
	}
	m, err = contract.InspectInput{Mode: []string{"type", "stats"}}.Modes()
	if err != nil || len(m) != 2 {
		t.Errorf("modes = %v, %v", m, err)
	}
	if _, err := (contract.InspectInput{Mode: []string{"bogus"}}).Modes(); err == nil {
		t.Error("mode bogus: no error")
	}
}
