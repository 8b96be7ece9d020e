package sqlite_test

import (
	"database/sql"
	"path/filepath"
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
