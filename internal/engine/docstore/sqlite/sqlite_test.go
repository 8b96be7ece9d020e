package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/docstoretest"
	"studio/internal/engine/docstore/sqlite"
)

func TestConformance(t *testing.T) {
	docstoretest.Run(t, func(t *testing.T) docstore.Store {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), "docs.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

// TestSoftHeapLimit checks that opening a store bounds the memory of every
// SQLite connection of the process together: another connection, opened
// apart, sees the limit.
func TestSoftHeapLimit(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "docs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var limit int64
	if err := db.QueryRow("PRAGMA soft_heap_limit").Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if limit != sqlite.SoftHeapLimit || limit <= 0 {
		t.Errorf("soft_heap_limit = %d, want %d", limit, sqlite.SoftHeapLimit)
	}
}

// TestStageThenRenameLaysOut checks the two layouts of a collection's
// table: a staged collection has a rowid (documents appended as they
// come), and Rename turns it into the usual table, keyed by _id without a
// rowid, holding the same documents.
func TestStageThenRenameLaysOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docs.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	if err := s.Stage(ctx, "temp"); err != nil {
		t.Fatal(err)
	}
	if err := s.C("temp").Insert(ctx, []docstore.Doc{{"_id": "b", "n": int64(2)}, {"_id": "a", "n": int64(1)}}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	layout := func(table string) string {
		t.Helper()
		var ddl string
		if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&ddl); err != nil {
			t.Fatalf("the table of %s: %v", table, err)
		}
		return ddl
	}
	tableOf := func(name string) string {
		t.Helper()
		var table string
		if err := db.QueryRow(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE ?`, "%"+name).Scan(&table); err != nil {
			t.Fatalf("the table of collection %s: %v", name, err)
		}
		return table
	}
	if ddl := layout(tableOf("temp")); strings.Contains(ddl, "WITHOUT ROWID") {
		t.Fatalf("staged table: %s, want a rowid table", ddl)
	}
	if err := s.Rename(ctx, "temp", "live", false); err != nil {
		t.Fatal(err)
	}
	if ddl := layout(tableOf("live")); !strings.Contains(ddl, "WITHOUT ROWID") {
		t.Fatalf("renamed table: %s, want WITHOUT ROWID", ddl)
	}
	var got []string
	for d, err := range s.C("live").Scan(ctx, docstore.ScanOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%v %v", d["_id"], d["n"]))
	}
	if strings.Join(got, ",") != "a 1,b 2" {
		t.Fatalf("live holds %q, want a 1,b 2", got)
	}
}
