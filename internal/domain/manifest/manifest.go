// Package manifest reads and validates a data plugin's manifest
// (manifest.json, manifest.yaml or manifest.yml), the file that tells the
// hub where a source's data lives and which parser turns it into documents.
//
// Validation is strict and complete: every key is checked, unknown keys are
// errors, and all problems of a manifest are reported at once, each with its
// JSON path (and line), so that a plugin author fixes them in one pass.
package manifest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Manifest is a validated data plugin manifest.
type Manifest struct {
	Version      string
	DisplayName  string
	BiothingType string
	Requires     []string
	Metadata     map[string]any // __metadata__
	Dumper       Dumper
	Uploaders    []Uploader
	// SingleUploader is true when the manifest used "uploader" (one
	// uploader named after the plugin) rather than "uploaders".
	SingleUploader bool
	// Package is set for an advanced plugin (no manifest file; internal/domain/advanced
	// describes its classes): the package name its folder is imported as.
	Package string
}

// Dumper is the manifest's "dumper" section.
type Dumper struct {
	DataURLs   []string
	Uncompress bool
	Schedule   string
	Release    string // "module:function" or ""
	Disabled   bool
	Class      string // advanced plugin: the dumper class (its base in ClassBase)
	ClassBase  string
}

// Uploader is one entry of "uploaders", or the single "uploader".
type Uploader struct {
	Name         string
	Parser       Parser
	ParserKwargs map[string]any
	OnDuplicates string // error (default) | ignore | merge
	Mapping      string // "module:function" or ""
	// Class, for an advanced plugin, is the uploader class
	// ("package:Class") Studio runs instead of Parser, as Kind says
	// (pyparser.UploaderBase, ...); Metadata is its __metadata__.
	Class    string
	Kind     string
	Metadata map[string]any
	// Parallelizer is "module:function" or "": a function listing the
	// jobs of a parallel upload, one tuple of parser arguments each (see
	// docs/parsers.md).
	Parallelizer string
}

// Parser names the code that turns downloaded files into documents: either
// a Python function ("module:function", as in BioThings) or one of Studio's
// declarative parsers (an object with a "format").
type Parser struct {
	Func string         // "module:function"
	Spec map[string]any // declarative parser: an object with "format"
}

// Declarative parser formats accepted in "parser": {"format": ...}.
var ParserFormats = []string{"tsv", "csv", "jsonl", "json"}

// On-duplicates policies.
const (
	OnDuplicatesError  = "error"
	OnDuplicatesIgnore = "ignore"
	OnDuplicatesMerge  = "merge"
)

// File names Load looks for, in order of preference: when a plugin holds
// more than one, the first is used, as BioThings does (manifest.json before
// manifest.yaml).
var FileNames = []string{"manifest.json", "manifest.yaml", "manifest.yml"}

// ErrNoManifest is wrapped by Load's error when the folder has no manifest
// file (it may then hold an advanced plugin: see internal/domain/advanced).
var ErrNoManifest = errors.New("no manifest")

type noManifestError string

func (e noManifestError) Error() string        { return string(e) }
func (e noManifestError) Is(target error) bool { return target == ErrNoManifest }

// Error is one problem of a manifest.
type Error struct {
	File string // file name as given to Parse, e.g. "manifest.json"
	Path string // JSON path, e.g. "$.dumper.data_url[1]"
	Msg  string
	Line int // 1-based line in the file, 0 when unknown
}

func (e Error) Error() string {
	s := e.File + ": " + e.Path + ": " + e.Msg
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	return s
}

// Errors is every problem found in one manifest, in document order.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads the manifest of the plugin folder dir. It returns the manifest
// and the name of the file it used: the first of FileNames present.
func Load(dir, pluginName string) (*Manifest, string, error) {
	found := ""
	for _, name := range FileNames {
		_, err := os.Stat(filepath.Join(dir, name))
		if err == nil {
			found = name
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, "", fmt.Errorf("data plugin %s: reading %s: %w", pluginName, name, err)
		}
	}
	if found == "" {
		return nil, "", noManifestError(fmt.Sprintf("data plugin %s: no manifest.json or manifest.yaml in %s: add one that declares the dumper and the uploader", pluginName, dir))
	}
	data, err := os.ReadFile(filepath.Join(dir, found))
	if err != nil {
		return nil, "", fmt.Errorf("data plugin %s: %w", pluginName, err)
	}
	m, err := Parse(found, data, pluginName)
	return m, found, err
}

// Parse parses and validates a manifest. file is the manifest's name (its
// extension selects JSON or YAML, and it prefixes error messages);
// pluginName names the single "uploader". The error, when not nil, is an
// Errors listing every problem.
func Parse(file string, data []byte, pluginName string) (*Manifest, error) {
	var (
		root *value
		err  error
	)
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yaml", ".yml":
		root, err = parseYAML(data)
	case ".json":
		root, err = parseJSON(data)
	default:
		return nil, Errors{{File: file, Path: "$", Msg: "unknown manifest format: name it manifest.json or manifest.yaml"}}
	}
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return nil, Errors{{File: file, Path: "$", Msg: se.msg, Line: se.line}}
		}
		return nil, Errors{{File: file, Path: "$", Msg: err.Error()}}
	}
	c := &checker{file: file, pluginName: pluginName}
	m := c.manifest(root)
	if len(c.errs) > 0 {
		// Checks run section by section; report in the order of the file.
		sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Line < c.errs[j].Line })
		return nil, c.errs
	}
	return m, nil
}
