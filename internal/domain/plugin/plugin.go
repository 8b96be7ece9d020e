// Package plugin brings a data plugin's code into the plugins folder: it
// clones or updates a git repository (with go-git) or copies a plain folder,
// pins the code to a branch, tag or commit, and validates the manifest.
//
// Every change is made in a temporary folder beside the plugin's folder and
// swapped in by rename only once the code is checked out, its tree is safe
// (no link leading outside it, not too big) and its manifest is valid, so a
// failed fetch leaves the code that was there before.
//
// URLs are shown only with their credentials removed (Redact); the full URL
// stays in the clone's .git/config, where later fetches need it.
package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"studio/internal/domain/advanced"
	"studio/internal/domain/manifest"
)

// DefaultMaxBytes is the default size limit of a plugin folder, git history
// included.
const DefaultMaxBytes int64 = 1 << 30

// Errors callers can test with errors.Is; the messages around them say what
// to do. A manifest's own problems come as manifest.Errors (errors.As).
var (
	ErrInvalidSource = errors.New("invalid plugin source")
	ErrNotRegistered = errors.New("plugin not registered")
	ErrRefNotFound   = errors.New("ref not found")
	ErrUnsafeLink    = errors.New("unsafe symbolic link")
	ErrTooLarge      = errors.New("plugin too large")
	ErrConflict      = errors.New("plugin name already used")
)

// Source is where a plugin's code comes from.
type Source struct {
	// URL is https://..., http://..., ssh://..., git@host:path, file:///path,
	// a local path to a git repository, or local:///path (a plain folder,
	// copied, no git).
	URL string
	// Ref is a branch, a tag or a commit (full or abbreviated hash, at least
	// 4 hex digits), tried in that order; "" is the remote's default branch.
	Ref string
}

// Info describes a plugin folder.
type Info struct {
	Name    string `json:"name"`    // manifest.PluginName(URL)
	Folder  string `json:"folder"`  // <pluginsDir>/<name>, absolute
	Type    string `json:"type"`    // TypeGit or TypeLocal
	URL     string `json:"url"`     // as given, credentials redacted
	Commit  string `json:"commit"`  // full hash ("" for local)
	Branch  string `json:"branch"`  // branch checked out, "" when detached at a tag or commit
	Ref     string `json:"ref"`     // what was asked ("" = default branch)
	Release string `json:"release"` // "<ref or branch> <short hash>"; "local" for local folders
}

// Fetcher fetches plugins with options; the zero value uses the defaults,
// and the package functions use a zero Fetcher.
type Fetcher struct {
	MaxBytes int64        // size limit of a plugin folder; 0 = DefaultMaxBytes
	Progress io.Writer    // receives git's progress messages; nil = none
	Logger   *slog.Logger // nil = no logging
	// Python is the interpreter that imports advanced plugins ("" = python3).
	Python string
}

// Fetch clones (or, when the folder exists from an earlier registration of
// the same URL, fetches and updates) the plugin into pluginsDir and checks
// out src.Ref, then validates its manifest with manifest.Load. A local://
// source is copied again instead.
func Fetch(ctx context.Context, pluginsDir string, src Source) (Info, *manifest.Manifest, error) {
	return Fetcher{}.Fetch(ctx, pluginsDir, src)
}

// Checkout pins an already registered git plugin to ref ("" = the default
// branch), fetching first if the ref is unknown locally.
func Checkout(ctx context.Context, pluginsDir, name, ref string) (Info, *manifest.Manifest, error) {
	return Fetcher{}.Checkout(ctx, pluginsDir, name, ref)
}

// Fetch is the package-level Fetch with f's options.
func (f Fetcher) Fetch(ctx context.Context, pluginsDir string, src Source) (Info, *manifest.Manifest, error) {
	s, err := parseSource(src.URL)
	if err != nil {
		return Info{}, nil, redactErr(err, s.raw)
	}
	info, m, err := f.fetch(ctx, pluginsDir, s, src.Ref)
	if err != nil {
		return Info{}, nil, redactErr(err, s.raw)
	}
	f.log("data plugin fetched", info)
	return info, m, nil
}

func (f Fetcher) fetch(ctx context.Context, pluginsDir string, s source, ref string) (Info, *manifest.Manifest, error) {
	if s.kind == TypeLocal && ref != "" {
		return Info{}, nil, failf(ErrInvalidSource, "data plugin %s: %s is a plain folder, which has no versions: register it without a ref (%q), or register a git repository", s.name, s.shown, ref)
	}
	if err := checkRefName(ref, s.shown); err != nil {
		return Info{}, nil, err
	}
	p, err := f.place(pluginsDir, s.name)
	if err != nil {
		return Info{}, nil, err
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return Info{}, nil, fmt.Errorf("data plugin %s: cannot create the plugins folder: %w", s.name, err)
	}
	unlock := lock(p.folder)
	defer unlock()
	if err := p.checkSameSource(s); err != nil {
		return Info{}, nil, err
	}
	if s.kind == TypeLocal {
		return p.copyLocal(ctx, s)
	}
	return p.fetchGit(ctx, s, ref)
}

// Checkout is the package-level Checkout with f's options.
func (f Fetcher) Checkout(ctx context.Context, pluginsDir, name, ref string) (Info, *manifest.Manifest, error) {
	p, err := f.place(pluginsDir, name)
	if err != nil {
		return Info{}, nil, err
	}
	unlock := lock(p.folder)
	defer unlock()
	info, m, err := p.checkout(ctx, ref)
	if err != nil {
		return Info{}, nil, redactErr(err, p.originURL())
	}
	f.log("data plugin checked out", info)
	return info, m, nil
}

// Describe reads the current Info of a registered plugin folder without
// network access.
func Describe(pluginsDir, name string) (Info, error) {
	p, err := Fetcher{}.place(pluginsDir, name)
	if err != nil {
		return Info{}, err
	}
	return p.describe()
}

// Remove deletes the plugin's folder, and any temporary folder a crashed
// fetch left beside it. Removing a plugin that has no folder is not an error.
func Remove(pluginsDir, name string) error {
	p, err := Fetcher{}.place(pluginsDir, name)
	if err != nil {
		return err
	}
	unlock := lock(p.folder)
	defer unlock()
	leftovers, _ := filepath.Glob(filepath.Join(p.dir, "."+name+".tmp-*"))
	for _, l := range leftovers {
		_ = os.RemoveAll(l)
	}
	if err := os.RemoveAll(p.folder); err != nil {
		return fmt.Errorf("data plugin %s: removing %s: %w", name, p.folder, err)
	}
	return nil
}

func (f Fetcher) log(msg string, info Info) {
	if f.Logger != nil {
		f.Logger.Info(msg, "plugin", info.Name, "url", info.URL, "release", info.Release, "folder", info.Folder)
	}
}

// place is one plugin's spot in the plugins folder.
type place struct {
	f      Fetcher
	dir    string // plugins folder, absolute
	name   string
	folder string // dir/name
}

func (f Fetcher) place(pluginsDir, name string) (place, error) {
	if n, err := manifest.PluginName(name); err != nil || n != name {
		return place{}, failf(ErrInvalidSource, "%q is not a plugin name: it must match ^[A-Za-z_][A-Za-z0-9_]+$", name)
	}
	if pluginsDir == "" {
		return place{}, errors.New("no plugins folder configured")
	}
	dir, err := filepath.Abs(pluginsDir)
	if err != nil {
		return place{}, fmt.Errorf("plugins folder %s: %w", pluginsDir, err)
	}
	folder := filepath.Join(dir, name)
	// The name pattern already keeps the folder in place; check anyway.
	if filepath.Dir(folder) != dir || !within(dir, folder) {
		return place{}, failf(ErrInvalidSource, "plugin %q would be stored outside %s", name, dir)
	}
	if f.MaxBytes <= 0 {
		f.MaxBytes = DefaultMaxBytes
	}
	return place{f: f, dir: dir, name: name, folder: folder}, nil
}

// exists tells whether the plugin has a folder.
func (p place) exists() (bool, error) {
	_, err := os.Lstat(p.folder)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// tempDir makes the work folder beside the plugin's folder. Its name starts
// with a dot, which no plugin name does.
func (p place) tempDir() (string, error) {
	return os.MkdirTemp(p.dir, "."+p.name+".tmp-")
}

// swapIn replaces the plugin's folder by tmp.
func (p place) swapIn(tmp string) error {
	old := ""
	if ok, _ := p.exists(); ok {
		holder, err := os.MkdirTemp(p.dir, "."+p.name+".tmp-old-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(holder)
		old = filepath.Join(holder, p.name)
		if err := os.Rename(p.folder, old); err != nil {
			return fmt.Errorf("data plugin %s: moving the previous code aside: %w", p.name, err)
		}
	}
	if err := os.Rename(tmp, p.folder); err != nil {
		if old != "" {
			_ = os.Rename(old, p.folder)
		}
		return fmt.Errorf("data plugin %s: putting the new code in place: %w", p.name, err)
	}
	return nil
}

// loadManifest validates the manifest of the work folder tmp, or, for an
// advanced plugin (no manifest, a Python package), the classes it exposes.
// Messages name the plugin folder, not the temporary one.
func (p place) loadManifest(ctx context.Context, tmp, from string) (*manifest.Manifest, error) {
	if advanced.IsAdvanced(tmp) {
		m, err := advanced.Describe(ctx, tmp, p.name, p.f.Python)
		if err != nil {
			return nil, &rewordedError{
				msg: fmt.Sprintf("%s\n(from %s; the previous code, if any, is kept: fix the plugin and register again)",
					strings.ReplaceAll(err.Error(), tmp, p.folder), from),
				err: err,
			}
		}
		return m, nil
	}
	m, err := advanced.Load(ctx, tmp, p.name, p.f.Python)
	if err != nil {
		return nil, &rewordedError{
			msg: fmt.Sprintf("data plugin %s from %s: invalid manifest, the previous code (if any) is kept; fix the manifest and register again:\n%s",
				p.name, from, strings.ReplaceAll(err.Error(), tmp, p.folder)),
			err: err,
		}
	}
	return m, nil
}

// record is what Studio keeps about a plugin folder beside its code: in
// .git/ for git plugins (git ignores it there), at the top for local ones.
type record struct {
	Type          string `json:"type"`
	URL           string `json:"url"` // redacted
	Key           string `json:"key"` // source.key()
	Ref           string `json:"ref"`
	DefaultBranch string `json:"default_branch,omitempty"`
}

const recordName = ".studio-plugin.json"

func recordPath(folder, kind string) string {
	if kind == TypeGit {
		return filepath.Join(folder, ".git", recordName)
	}
	return filepath.Join(folder, recordName)
}

func writeRecord(folder string, r record) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(recordPath(folder, r.Type), append(data, '\n'), 0o644)
}

// readRecord returns the folder's record; ok is false when it has none.
func readRecord(folder string) (r record, ok bool, err error) {
	for _, kind := range []string{TypeGit, TypeLocal} {
		data, err := os.ReadFile(recordPath(folder, kind))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return r, false, err
		}
		if err := json.Unmarshal(data, &r); err != nil {
			return r, false, fmt.Errorf("%s: %w", recordPath(folder, kind), err)
		}
		return r, true, nil
	}
	return r, false, nil
}

// checkSameSource refuses to replace a plugin folder registered from
// somewhere else: two plugins of one name would overwrite each other's code.
func (p place) checkSameSource(s source) error {
	ok, err := p.exists()
	if err != nil || !ok {
		return err
	}
	r, found, err := readRecord(p.folder)
	if err != nil {
		return fmt.Errorf("data plugin %s: reading what %s holds: %w", p.name, p.folder, err)
	}
	if !found {
		if url := p.originURL(); url != "" && s.kind == TypeGit {
			if old, err := parseSourceQuiet(url); err == nil && old.key() == s.key() {
				return nil
			}
		}
		return failf(ErrConflict, "%s already exists and was not registered by Studio: move it away, or unregister plugin %s, then register again", p.folder, p.name)
	}
	if r.Key != s.key() {
		return failf(ErrConflict, "plugin %s is already registered from %s; unregister it before registering %s", p.name, r.URL, s.shown)
	}
	return nil
}

// parseSourceQuiet parses a URL found on disk (a clone's origin).
func parseSourceQuiet(url string) (source, error) {
	s, err := parseSource(url)
	if err != nil && s.name != "" && s.kind == "" {
		// A local origin that has moved: still comparable by its text.
		s.kind = TypeGit
		return s, nil
	}
	return s, err
}

var (
	locksMu sync.Mutex
	locks   = map[string]*sync.Mutex{}
)

// lock serializes work on one plugin folder within this process. (Two
// processes registering the same plugin at once are not guarded against;
// the workflow id of a registration is what keeps them apart.)
func lock(folder string) func() {
	locksMu.Lock()
	m, ok := locks[folder]
	if !ok {
		m = &sync.Mutex{}
		locks[folder] = m
	}
	locksMu.Unlock()
	m.Lock()
	return m.Unlock
}

// rewordedError keeps the error it rewords, for errors.Is and errors.As.
type rewordedError struct {
	msg string
	err error
}

func (e *rewordedError) Error() string { return e.msg }
func (e *rewordedError) Unwrap() error { return e.err }

// redactedError is an error reworded without credentials. It answers
// errors.Is for the whole chain, and errors.As for manifest.Errors only, so
// that no error still carrying the credentials can be reached through it.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *redactedError) As(target any) bool {
	if t, ok := target.(*manifest.Errors); ok {
		return errors.As(e.err, t)
	}
	return false
}

// redactErr rewords err without raw's credentials.
func redactErr(err error, raw string) error {
	if err == nil || raw == "" || Redact(raw) == raw {
		return err
	}
	return &redactedError{msg: redactText(err.Error(), raw), err: err}
}

// kindError is a message for the user that also answers errors.Is for its
// kind (ErrInvalidSource, ...), without the kind's text in the message.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

func failf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, err: fmt.Errorf(format, args...)}
}
