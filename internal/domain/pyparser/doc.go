// Package pyparser runs BioThings Python parsers unchanged.
//
// A data plugin names its parser as "module:function". Run imports module
// from the plugin folder in a child python3 process and calls
// function(data_folder, **parser_kwargs); the documents it returns or
// yields come back to Go one JSON object per line on a dedicated pipe
// (file descriptor 3 of the child), so the parser's own print() output on
// stdout and stderr cannot corrupt them: those lines are logged, and the
// last 100 are kept for error messages.
//
// The child runs studio_runner.py, a Python script embedded in the binary
// together with Studio's own biothings package: biothings.config,
// config_for_app, every public name of biothings.utils.dataload, .common,
// .dotfield and .dotstring behaving as BioThings 1.2.2's do (checked by
// TestBiothingsDifferential against the real package), and importable
// biothings.hub.dataload classes. The script tree is written once into a
// cache folder keyed by its content hash, which goes first on PYTHONPATH,
// followed by the plugin folder. Limits.Biothings makes parsers import the
// interpreter's installed biothings package instead.
//
// # Values
//
// Documents are encoded by Python's json module with allow_nan=False. What
// it cannot encode follows one rule:
//
//   - tuple → list; set and frozenset → list, sorted when the items can be
//     compared, else in iteration order;
//   - datetime, date, time → ISO 8601 string (isoformat());
//   - Decimal → float;
//   - bytes, bytearray → UTF-8 string; bytes that are not valid UTF-8 reject
//     the document ("bytes value is not valid UTF-8 ... at a.b");
//   - numpy-like values (objects with .item(), else .tolist()) → the Python
//     value they return;
//   - float NaN and ±Infinity reject the document with the field path
//     ("float NaN at cgi.score"): they are never silently changed;
//   - strings holding lone surrogates (not valid UTF-8) reject the document;
//   - non-string dict keys → strings: str(key), except True, False and None,
//     which become "true", "false" and "null" as Python's json module
//     writes them; bytes keys are decoded as UTF-8;
//   - any other type rejects the document, naming the type and field path;
//   - a document that is not a dict is rejected, naming its type;
//   - a document longer than Limits.MaxLine bytes as JSON is rejected.
//
// A rejected document is counted in Stats.Rejected with its reason (the
// first ten reasons are kept in Stats.RejectSamples); the parse goes on.
// Documents are not otherwise validated: one without _id, or with a
// non-string _id, is passed to emit as it is.
//
// In Go, numbers decode to int64 when written without a fraction or
// exponent and within range, otherwise to float64; the other values are
// string, bool, nil, []any and map[string]any, as the document store
// normalises them.
//
// # Failures
//
// A parser that raises gives a *ParserError carrying the exception and the
// last frames of its traceback; retrying cannot fix it. Context
// cancellation, Limits.NoProgress and an error from emit kill the child
// and its process group. Limits.MaxMemory caps the child's address space
// (RLIMIT_AS, set by the runner before the plugin is imported).
package pyparser
