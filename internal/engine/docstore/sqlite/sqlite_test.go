package sqlite_test

import (
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
