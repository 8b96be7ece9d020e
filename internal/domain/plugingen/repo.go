package plugingen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Written is a plugin saved by Write.
type Written struct {
	Dir    string `json:"dir"`
	Commit string `json:"commit"`
	// Changed is false when the folder already held these files.
	Changed bool `json:"changed"`
}

// Write saves a plugin in dir as a git repository: manifest.json and a
// README.md, committed (a new commit when they changed). dir is created
// when missing; a folder that is not a plugin made here is refused.
func Write(ctx context.Context, dir string, manifest map[string]any, readme string) (Written, error) {
	w := Written{Dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return w, fmt.Errorf("writing the plugin: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); os.IsNotExist(err) {
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			return w, fmt.Errorf("writing the plugin: %s exists and is not a git repository: choose another folder", dir)
		}
		if _, err := git(ctx, dir, "init", "--quiet", "--initial-branch=main"); err != nil {
			return w, fmt.Errorf("writing the plugin: %w", err)
		}
	}
	data, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return w, fmt.Errorf("writing the plugin: %w", err)
	}
	files := map[string][]byte{"manifest.json": append(data, '\n'), "README.md": []byte(readme)}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return w, fmt.Errorf("writing the plugin: %w", err)
		}
	}
	if _, err := git(ctx, dir, "add", "manifest.json", "README.md"); err != nil {
		return w, fmt.Errorf("writing the plugin: %w", err)
	}
	status, err := git(ctx, dir, "status", "--porcelain")
	if err != nil {
		return w, fmt.Errorf("writing the plugin: %w", err)
	}
	if w.Changed = strings.TrimSpace(status) != ""; w.Changed {
		if _, err := git(ctx, dir, "commit", "--quiet", "-m", "Data plugin made by Studio from a file URL"); err != nil {
			return w, fmt.Errorf("writing the plugin: %w", err)
		}
	}
	head, err := git(ctx, dir, "rev-parse", "HEAD")
	if err != nil {
		return w, fmt.Errorf("writing the plugin: %w", err)
	}
	w.Commit = strings.TrimSpace(head)
	return w, nil
}

// Archive writes the repository's last commit as a "zip" or "tar.gz" file,
// its files under a folder named after the plugin.
func Archive(ctx context.Context, dir, format string, out io.Writer) error {
	if format != "zip" && format != "tar.gz" {
		return fmt.Errorf("format: %q is not zip or tar.gz", format)
	}
	name := filepath.Base(dir)
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "archive", "--format="+format, "--prefix="+name+"/", "HEAD")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("archiving %s: git archive: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Push sends the repository's main branch to remote (any URL or path git
// takes) as branch (default main).
func Push(ctx context.Context, dir, remote, branch string) error {
	if strings.TrimSpace(remote) == "" {
		return fmt.Errorf("remote: give a git URL to push to")
	}
	if strings.HasPrefix(remote, "-") || strings.HasPrefix(branch, "-") {
		return fmt.Errorf("remote: %q is not a git URL", remote)
	}
	if branch == "" {
		branch = "main"
	}
	if _, err := git(ctx, dir, "push", "--quiet", remote, "HEAD:refs/heads/"+branch); err != nil {
		return fmt.Errorf("pushing to %s: %w", remote, err)
	}
	return nil
}

// git runs one git command in dir, as Studio, without prompting.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	full := append([]string{"-C", dir, "-c", "user.name=Studio", "-c", "user.email=studio@localhost", "-c", "commit.gpgsign=false"}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", args[0], msg)
	}
	return stdout.String(), nil
}

// Readme is the README.md of a plugin made from url.
func Readme(o Options, url string) string {
	return fmt.Sprintf("# %s\n\nA BioThings data plugin made by Studio from a file, without code.\n\n"+
		"- data: %s\n- format: %s\n- _id: `%s`\n\n"+
		"Its `manifest.json` holds the dumper (the file's URL) and a declarative parser "+
		"(`\"parser\": {\"format\": ...}`) that Studio reads in Go. Register this repository in Studio to dump and upload it.\n",
		o.Name, url, o.Format, o.ID)
}
