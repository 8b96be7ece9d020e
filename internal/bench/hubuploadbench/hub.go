package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// hubScript drives BioThings' hub; see its docstring.
//
//go:embed hubrun.py
var hubScript []byte

// hubDirs are the folders of one BioThings hub run.
type hubDirs struct {
	App, Archive, Plugins, Logs, Run string
}

func newHubDirs(root string) (hubDirs, error) {
	d := hubDirs{
		App:     filepath.Join(root, "app"),
		Archive: filepath.Join(root, "datasources"),
		Plugins: filepath.Join(root, "plugins"),
		Logs:    filepath.Join(root, "logs"),
		Run:     filepath.Join(root, "run"),
	}
	for _, p := range []string{d.App, d.Archive, d.Plugins, d.Logs, d.Run} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return d, err
		}
	}
	return d, os.WriteFile(filepath.Join(d.App, "hubrun.py"), hubScript, 0o644)
}

// hubDatabases name the hub's three databases.
type hubDatabases struct{ Src, Target, HubDB string }

// hubConfig writes the config module biothings.hub imports: the source and
// target databases on the MongoDB of uri, the hub database (HUB_DB_BACKEND
// biothings.utils.mongo) on the same server, and the hub's folders.
//
// biothings.utils.mongo.get_conn builds the source connection as
// mongodb://[user:password@]DATA_SRC_SERVER:DATA_SRC_PORT, so uri must be a
// plain mongodb:// URI with one host; options it cannot carry are refused.
func hubConfig(uri string, dbs hubDatabases, d hubDirs) error {
	u, err := url.Parse(uri)
	if err != nil {
		return fmt.Errorf("MONGO_URI: %w", err)
	}
	if u.Scheme != "mongodb" || strings.Contains(u.Host, ",") {
		return fmt.Errorf("MONGO_URI %s: BioThings' biothings.utils.mongo.get_conn connects to mongodb://DATA_SRC_SERVER:DATA_SRC_PORT, one host without options; a %s URI with host list %q cannot be expressed in its config", u.Redacted(), u.Scheme, u.Host)
	}
	if u.RawQuery != "" {
		return fmt.Errorf("MONGO_URI %s: BioThings' biothings.utils.mongo.get_conn builds mongodb://DATA_SRC_SERVER:DATA_SRC_PORT and drops the options %q; use a URI without options", u.Redacted(), u.RawQuery)
	}
	host, port := u.Host, "27017"
	if h, p, err := net.SplitHostPort(u.Host); err == nil {
		host, port = h, p
	}
	if _, err := strconv.Atoi(port); err != nil {
		return fmt.Errorf("MONGO_URI %s: port %q: %w", u.Redacted(), port, err)
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var b strings.Builder
	fmt.Fprintf(&b, "# The smallest hub configuration for one upload, written by hubuploadbench.\n")
	fmt.Fprintf(&b, "DATA_SRC_SERVER = %s\nDATA_SRC_PORT = %s\nDATA_SRC_DATABASE = %s\n", q(host), port, q(dbs.Src))
	fmt.Fprintf(&b, "DATA_TARGET_SERVER = %s\nDATA_TARGET_PORT = %s\nDATA_TARGET_DATABASE = %s\n", q(host), port, q(dbs.Target))
	if u.User != nil {
		pw, _ := u.User.Password()
		fmt.Fprintf(&b, "DATA_SRC_SERVER_USERNAME = %s\nDATA_SRC_SERVER_PASSWORD = %s\n", q(u.User.Username()), q(pw))
		fmt.Fprintf(&b, "DATA_TARGET_SERVER_USERNAME = %s\nDATA_TARGET_SERVER_PASSWORD = %s\n", q(u.User.Username()), q(pw))
	}
	fmt.Fprintf(&b, "DATA_HUB_DB_DATABASE = %s\n", q(dbs.HubDB))
	fmt.Fprintf(&b, "HUB_DB_BACKEND = {\"module\": \"biothings.utils.mongo\", \"uri\": %s}\n", q(uri))
	fmt.Fprintf(&b, "DATA_ARCHIVE_ROOT = %s\nDATA_PLUGIN_FOLDER = %s\nLOG_FOLDER = %s\nRUN_DIR = %s\n",
		q(d.Archive), q(d.Plugins), q(d.Logs), q(d.Run))
	return os.WriteFile(filepath.Join(d.App, "config.py"), []byte(b.String()), 0o644)
}

// hubResult is what hubrun.py reports.
type hubResult struct {
	Stage           string   `json:"stage"`
	ImportS         float64  `json:"import_s"`
	StartS          float64  `json:"start_s"`
	UploadS         float64  `json:"upload_s"`
	Sources         []string `json:"sources"`
	UploaderClasses []struct {
		Class        string   `json:"class"`
		MRO          []string `json:"mro"`
		StorageClass string   `json:"storage_class"`
	} `json:"uploader_classes"`
	Status       string  `json:"status"`
	Count        int64   `json:"count"`
	Err          any     `json:"err"`
	Collection   string  `json:"collection"`
	Database     string  `json:"database"`
	WorkerMaxRSS int64   `json:"worker_maxrss_kib"`
	HubMaxRSS    int64   `json:"hub_maxrss_kib"`
	Error        string  `json:"error"`
	Traceback    string  `json:"traceback"`
	ParseS       float64 `json:"parse_s"`
	Biothings    string  `json:"biothings"`
	MaxRSS       int64   `json:"maxrss_kib"`
	Process      time.Duration
}

// runScript runs hubrun.py with args in the app folder, its output going
// to logFile, and returns its report.
func runScript(ctx context.Context, python string, d hubDirs, env []string, logFile string, args ...string) (hubResult, error) {
	var r hubResult
	resPath := filepath.Join(d.App, fmt.Sprintf("result-%d.json", time.Now().UnixNano()))
	log, err := os.Create(logFile)
	if err != nil {
		return r, err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, python, append(append([]string{"hubrun.py"}, args...), resPath)...)
	cmd.Dir = d.App
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	runErr := cmd.Run()
	r.Process = time.Since(start)
	b, err := os.ReadFile(resPath)
	if err != nil {
		return r, fmt.Errorf("%s hubrun.py %s: %v, and it wrote no report (%v); its output is in %s:\n%s",
			python, args[0], runErr, err, logFile, tail(logFile, 15))
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("report %s: %w", resPath, err)
	}
	r.Process = time.Since(start)
	if r.Error != "" {
		return r, fmt.Errorf("BioThings failed at %s: %s\n%s(hub log: %s)", r.Stage, r.Error, lastLines(r.Traceback, 12), logFile)
	}
	if runErr != nil {
		return r, fmt.Errorf("%s hubrun.py %s: %v; output in %s", python, args[0], runErr, logFile)
	}
	return r, nil
}

// pythonEnv is the environment of every Python process of the benchmark:
// this one's, without what would change which modules Python imports,
// plus the benchmark's fixed hash seed (the tutorial's parser iterates a
// set, so the order of a variant's rows in its document follows it).
func pythonEnv(hashSeed string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PYTHONPATH", "PYTHONHOME", "PYTHONHASHSEED", "HUB_CONFIG", "PYTHONSTARTUP":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PYTHONHASHSEED="+hashSeed, "PYTHONUTF8=1")
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	return lastLines(string(b), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	var out bytes.Buffer
	for _, l := range lines {
		out.WriteString("    " + l + "\n")
	}
	return out.String()
}
