// Package tableparse is Studio's declarative parser: instead of naming a
// Python function, an uploader's manifest may describe its files with a
// parser object ({"format": "tsv", "file": "*.tsv.gz", "id": "{gDNA}",
// "fields": {...}}), and Studio reads them in Go.
//
// ParseSpec validates such an object and reports every problem at once,
// each with its JSON path. Run streams the matched files (tsv, csv, jsonl or
// a json array; gzip, bzip2 and xz read transparently), turns each row into
// a document with an "_id", optionally combines rows that share an _id, and
// hands the documents to a callback one at a time, so memory stays bounded
// whatever the size of the input. The format is documented for users in
// docs/parsers.md.
package tableparse
