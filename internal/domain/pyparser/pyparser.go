package pyparser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// Spec says which parser to run and how.
type Spec struct {
	PluginDir string         // folder holding the parser module
	Func      string         // "module:function"
	Kwargs    map[string]any // parser_kwargs
	Requires  []string       // manifest "requires": Python packages that must be importable
	Python    string         // interpreter, default "python3"
	Env       []string       // extra environment ("KEY=value"); a PYTHONPATH here is appended to ours
	Logger    *slog.Logger   // receives the parser's stdout and stderr lines; default slog.Default()
	// Package, for an advanced plugin, is the package name its folder is
	// imported as before anything else runs; Func's module is then this
	// package ("pharmgkb:AnnotationsUploader").
	Package string
	// Job, when set, is one job of a parallelizer (a JSON list holding one
	// value, as CallJobs returns them): Run calls the parser with that
	// value in place of the data folder.
	Job json.RawMessage
}

// Limits bound a parser run, and say which biothings package it imports.
type Limits struct {
	NoProgress time.Duration // kill the parser when it emits nothing for this long (0 = no limit)
	MaxMemory  int64         // bytes of address space (RLIMIT_AS, set by the runner); 0 = no limit
	MaxLine    int           // longest document, in bytes of JSON; 0 = DefaultMaxLine (64 MiB)
	Biothings  Biothings     // the biothings package the parser imports; "" = BiothingsStudio
}

// Biothings says which biothings package a parser imports.
type Biothings string

const (
	// BiothingsStudio is the runner's own package (runner/biothings), the default.
	BiothingsStudio Biothings = "studio"
	// BiothingsInstalled is the interpreter's installed biothings package;
	// the run fails when the interpreter cannot import it.
	BiothingsInstalled Biothings = "installed"
	// BiothingsAuto is the installed package when the interpreter can
	// import it, else the runner's own.
	BiothingsAuto Biothings = "auto"
)

// ParseBiothings reads a Biothings choice: studio, installed or auto ("" is studio).
func ParseBiothings(s string) (Biothings, error) {
	switch b := Biothings(s); b {
	case "":
		return BiothingsStudio, nil
	case BiothingsStudio, BiothingsInstalled, BiothingsAuto:
		return b, nil
	}
	return "", fmt.Errorf("biothings package %q: want studio, installed or auto", s)
}

// Stats counts what a run produced.
type Stats struct {
	Docs, Rejected int64
	RejectSamples  []string // up to maxSamples reasons
}

func (st *Stats) reject(reason string) {
	st.Rejected++
	if len(st.RejectSamples) < maxSamples {
		st.RejectSamples = append(st.RejectSamples, reason)
	}
}

// maxSamples is the number of reject reasons kept in Stats.
const maxSamples = 10

// Run starts the parser on dataFolder and calls emit for each document, in order.
// emit's error stops the parser (the child is killed) and is returned.
func Run(ctx context.Context, spec Spec, dataFolder string, lim Limits, emit func(doc map[string]any) error) (Stats, error) {
	return run(ctx, spec, "run", runPayload(spec, dataFolder, lim), lim, emit)
}

// run streams the documents of a "run" or "upload" runner mode into emit.
func run(ctx context.Context, spec Spec, mode string, p payload, lim Limits, emit func(doc map[string]any) error) (Stats, error) {
	var st Stats
	if _, err := ParseBiothings(string(lim.Biothings)); err != nil {
		return st, fmt.Errorf("parser %s: %w", spec.Func, err)
	}
	c, err := start(ctx, spec, mode, p, lim)
	if err != nil {
		return st, err
	}
	dec := newDocDecoder()
	var (
		pe     *ParserError
		ended  bool
		endN   int64
		runErr error
	)
	for runErr == nil {
		line, err := c.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			runErr = fmt.Errorf("parser %s: reading its output: %w (a document may be at most %d bytes of JSON: Limits.MaxLine)", spec.Func, err, p.MaxLine)
			c.kill(killProtocol)
			break
		}
		if bytes.HasPrefix(line, docPrefix) && bytes.HasSuffix(line, docSuffix) {
			doc, err := dec.decode(line[len(docPrefix) : len(line)-len(docSuffix)])
			if err != nil {
				st.reject(fmt.Sprintf("document %d: cannot be decoded: %v", st.Docs+st.Rejected+1, err))
				continue
			}
			st.Docs++
			if err := c.emit(emit, doc); err != nil {
				runErr = err
				c.kill(killEmit)
			}
			continue
		}
		var m control
		if err := json.Unmarshal(line, &m); err != nil {
			runErr = fmt.Errorf("parser %s: unexpected message from the runner %.200q: %w", spec.Func, line, err)
			c.kill(killProtocol)
			break
		}
		switch {
		case m.Reject != nil:
			st.reject(*m.Reject)
			c.out.log.Debug("document rejected", "reason", *m.Reject)
		case m.Exc != nil:
			pe = newParserError(spec.Func, *m.Exc, m.TB)
		case m.End != nil:
			ended, endN = true, *m.End
		}
	}
	waitErr := c.wait()
	if runErr != nil {
		if killReason(c.reason.Load()) == killCanceled {
			return st, c.failure(ctx, waitErr, pe, ended)
		}
		return st, runErr
	}
	if err := c.failure(ctx, waitErr, pe, ended); err != nil {
		return st, err
	}
	if endN != st.Docs+st.Rejected {
		return st, fmt.Errorf("parser %s: the runner counted %d documents but %d arrived", spec.Func, endN, st.Docs+st.Rejected)
	}
	return st, nil
}

// CheckRequires fails, naming every missing package, when a required package cannot be imported.
func CheckRequires(ctx context.Context, spec Spec) error {
	if len(spec.Requires) == 0 {
		return nil
	}
	var missing []string
	err := runControl(ctx, spec, "requires", payload{Requires: spec.Requires}, func(m control) {
		if m.Missing != nil {
			missing = m.Missing
		}
	})
	if err != nil {
		return fmt.Errorf("checking the packages the plugin requires: %w", err)
	}
	if len(missing) > 0 {
		return fmt.Errorf("plugin %s requires Python packages that %s cannot import: %s; install them (e.g. %s -m pip install %s) and try again",
			spec.PluginDir, python(spec), strings.Join(missing, ", "), python(spec), strings.Join(quoteAll(missing), " "))
	}
	return nil
}

// CallString calls "module:function"() in the plugin folder and returns the
// string it returns (the dumper's release function). A function that takes
// a positional argument (BioThings calls it as a dumper method) receives
// an object whose attributes are spec.Kwargs.
func CallString(ctx context.Context, spec Spec) (string, error) {
	var v *string
	err := runControl(ctx, spec, "call", payload{Kwargs: spec.Kwargs}, func(m control) {
		if m.Value != nil {
			v = m.Value
		}
	})
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", fmt.Errorf("function %s returned no value", spec.Func)
	}
	return *v, nil
}

// CallMapping calls "module:function" in the plugin folder, which returns an
// Elasticsearch mapping as a dict (a manifest uploader's "mapping"; as a
// classmethod, it gets an object in place of the class).
func CallMapping(ctx context.Context, spec Spec) (map[string]any, error) {
	var m map[string]any
	err := runControl(ctx, spec, "callmap", payload{Kwargs: spec.Kwargs}, func(c control) {
		if c.Map != nil {
			m = c.Map
		}
	})
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("function %s returned no mapping", spec.Func)
	}
	return m, nil
}

// UploaderInfo is what a parallelizer sees of its uploader: BioThings calls
// it as an uploader method, so it gets an object with these attributes
// (and the parser_kwargs).
type UploaderInfo struct {
	Name       string `json:"name"`        // the uploader (sub-source)
	MainSource string `json:"main_source"` // the source
	Fullname   string `json:"fullname"`    // "<main_source>.<name>"
}

// CallJobs calls a manifest's parallelizer ("module:function" in
// spec.Func) and returns its jobs in order, each a JSON list of the one
// argument its parser call receives (Spec.Job). The function gets an object
// whose data_folder is dataFolder when it takes an argument, as BioThings
// calls it as self.<function>(). A job that is not a one-element tuple or
// list of JSON values fails, naming the function and the job.
func CallJobs(ctx context.Context, spec Spec, dataFolder string, up UploaderInfo) ([]json.RawMessage, error) {
	var jobs []json.RawMessage
	got := false
	p := payload{Kwargs: spec.Kwargs, DataFolder: absPath(dataFolder), Uploader: &up}
	err := runControl(ctx, spec, "jobs", p, func(c control) {
		if c.Jobs != nil {
			jobs, got = c.Jobs, true
		}
	})
	if err != nil {
		return nil, err
	}
	if !got {
		return nil, fmt.Errorf("parallelizer %s returned no jobs", spec.Func)
	}
	return jobs, nil
}

// runControl runs a short runner mode and hands each control message to fn.
func runControl(ctx context.Context, spec Spec, mode string, p payload, fn func(control)) error {
	c, err := start(ctx, spec, mode, p, Limits{})
	if err != nil {
		return err
	}
	var (
		pe    *ParserError
		ended bool
		rerr  error
	)
	for {
		line, err := c.next()
		if err != nil {
			if err != io.EOF {
				rerr = err
				c.kill(killProtocol)
			}
			break
		}
		var m control
		if err := json.Unmarshal(line, &m); err != nil {
			rerr = fmt.Errorf("unexpected message from the runner %.200q: %w", line, err)
			c.kill(killProtocol)
			break
		}
		switch {
		case m.Exc != nil:
			pe = newParserError(spec.Func, *m.Exc, m.TB)
		case m.End != nil:
			ended = true
		default:
			fn(m)
		}
	}
	waitErr := c.wait()
	if rerr != nil && killReason(c.reason.Load()) != killCanceled {
		return fmt.Errorf("%s: %w", spec.Func, rerr)
	}
	return c.failure(ctx, waitErr, pe, ended)
}

func python(spec Spec) string {
	if spec.Python == "" {
		return "python3"
	}
	return spec.Python
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if strings.ContainsAny(s, " <>=!;[]'\"") {
			s = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
		out[i] = s
	}
	return out
}

// IsParserError reports whether err is (or wraps) a *ParserError: a failure
// of the plugin's code that retrying cannot fix.
func IsParserError(err error) bool {
	var pe *ParserError
	return errors.As(err, &pe)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func runPayload(spec Spec, dataFolder string, lim Limits) payload {
	p := payload{Kwargs: spec.Kwargs, DataFolder: absPath(dataFolder), MaxMemory: lim.MaxMemory, MaxLine: lim.MaxLine, Biothings: string(lim.Biothings), Job: spec.Job}
	if p.MaxLine <= 0 {
		p.MaxLine = DefaultMaxLine
	}
	return p
}
