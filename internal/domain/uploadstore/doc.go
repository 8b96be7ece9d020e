// Package uploadstore writes an uploader's documents into the source database
// safely (SPEC section 3): a Writer validates every document's _id, applies
// the on_duplicates policy and writes batches into a temp collection
// <name>_temp_<8 hex>; Switch then makes that collection live under <name>,
// archiving the previous one as <name>_archive_<YYYYMMDD>_<8 hex>. It works
// on any docstore.Store and does not depend on Temporal.
//
// # Documents and counts
//
// Documents are numbered from 1 in the order Add receives them. A document
// whose _id is not a non-empty string of at most 512 bytes, or that holds a
// value no document store can keep (NaN), is rejected: counted, with the
// first reasons kept as samples, and the upload goes on. Stats.Stored is the
// number of documents in the temp collection, Stats.Duplicates the number of
// valid documents that repeated an _id (ignored or merged); after Switch,
// Stored+Duplicates+Rejected is the number of documents the parser produced.
//
// AddJSON takes a document as JSON text that jsonenc.Verbatim accepts (a
// Python parser's, through pyparser.RunTo). Under "error" and "ignore", on
// a store that keeps documents as JSON text (docstore.RawInserter: SQLite),
// the text is stored as it is: no decode, no encode. Otherwise it is
// decoded and goes the way of Add. The two may be mixed; numbering, rejections and
// duplicates are the same either way.
//
// The temp collection is created before the first write, staged where the
// store can (docstore.Stager: SQLite): documents are appended in the order
// the parser yields them and only a small _id index takes them in _id
// order, and Switch's rename lays the collection out in _id order, writing
// each page once. A parser that yields in no _id order (from a Python set
// or dict) would otherwise pay a random write into the whole collection
// for every document.
//
// # Resume after a crash
//
// Position reports the temp collection and the number of documents settled
// up to the last successful write (documents still buffered are not
// counted), so a heartbeat of it never claims more than is stored. A retry
// calls NewWriter with Resume and ResumeAfter from the last heartbeat and
// replays the parser from the start. Add skips the first ResumeAfter
// documents without writing them, still checking their _id so that the
// rejection counts match an uninterrupted run.
//
// The heartbeat may lag behind the last write, so documents after
// ResumeAfter may already be stored. Under "ignore" and "merge" this is
// harmless: the stored copy is met as a duplicate, ignoring keeps it, and
// merging a document into a result that already contains it changes
// nothing (Merge(Merge(a, b), b) == Merge(a, b)). Stored and Duplicates are
// recomputed from the temp collection's count at Switch, so they equal an
// uninterrupted run's. One case is not exact: if a field of one _id is an
// object in some documents and a scalar in others, re-merging an object that
// is now an element of a list appends it again.
//
// Under "error" every stored document is unique, so the temp collection's
// count, read when the writer resumes, says exactly how many valid documents
// were written before the crash (a prefix, since writes are in order and a
// MongoDB batch cut short keeps its first documents). Those of them after
// ResumeAfter are the lag window: each is looked up and, when the stored
// document is identical, taken as already written; a different stored
// document is a real duplicate and fails the upload. After the window,
// inserts are strict again, so a repeated _id later in the file fails the
// resumed run just as it fails an uninterrupted one.
//
// If the Resume collection no longer exists (a crash after Switch finished,
// or before anything was written), the writer starts over into that name
// from the first document, which is slower but loses nothing.
//
// # Parallel uploads
//
// The jobs of a manifest's parallelizer write into one temp collection
// (NewTemp) at the same time, each through its own JobWriter, possibly on
// different workers. Under "error" every batch is a strict Insert, so the
// store refuses an _id that any job stored before, and the job fails with a
// DuplicateIDError naming it. Under "ignore" and "merge" a batch inserts the
// _ids not stored yet (trying again when another job stores one of them
// meanwhile) and counts the others as duplicates; under "merge" it keeps
// them in <temp>_dups, keyed by _id, job and document number, and
// FinishJobs merges them into the stored documents. A job resumes like a
// Writer, replaying its parser and skipping the documents settled; a
// retried job takes an identical stored document as written by its killed
// attempt (under "ignore" and "merge" a re-stored copy changes nothing).
// FinishJobs counts the collection: Stored is its count, Duplicates the
// valid documents of all jobs beyond it, and under "error" the count must
// equal the valid documents, which catches the one case a resumed job
// cannot tell apart (another job's identical copy of an _id).
//
// # Switch and its recovery
//
// Switch takes two renames, <name> to a new archive and the temp collection
// to <name>; no backend can swap two collections at once. Archive names
// carry the date and a time-ordered suffix (milliseconds of the day, plus a
// few random bits, kept above any archive of the same day), so they sort by
// age and "newest" is well defined.
//
//   - If the second rename fails, Switch renames the archive back to <name>
//     before returning the error.
//   - If the process dies between the renames, <name> is missing while the
//     newest archive and the temp collection exist. A retried Switch (a
//     writer resumed on that temp collection, after replaying the parser
//     or with no document added at all) sees <name> missing and finishes
//     the job by renaming the temp collection; the old data stays as the
//     newest archive. Abort, or a new (not resumed) writer for the
//     same name, instead renames the newest archive back to <name>, so the
//     previous data is live again.
//
// An empty temp collection is never switched: Switch drops it and returns
// an error wrapping ErrNoDocuments. After a switch, archives beyond
// Options.KeepArchives (oldest first) and every other <name>_temp_*
// collection are dropped.
package uploadstore
