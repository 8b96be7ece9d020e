// Package plugingen makes a data plugin from a data file's URL, without
// code: it fetches a bounded sample of the file (FetchSample), infers its
// format, delimiter, columns and their types and proposes an _id (Infer),
// turns the user's choices into a declarative parser (Options.Parser, see
// internal/domain/tableparse) and previews the documents that parser makes from the
// sample (Preview), so that what the user sees is what the upload makes.
// Write then saves the plugin as a git repository holding its
// manifest.json, which Studio registers like any other plugin; Archive and
// Push share it.
package plugingen
