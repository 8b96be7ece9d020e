package docstoretest

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/mongo"
	"studio/internal/engine/docstore/mongo/ferrettest"
	"studio/internal/engine/docstore/sqlite"
)

// Backend opens an empty store for one test case.
type Backend struct {
	Name string
	Open func(t *testing.T) docstore.Store
}

var dbSeq atomic.Int64

// Backends are the two stores a domain package's tests run on: SQLite (a
// file per case) and MongoDB's protocol on FerretDB started in-process (a
// database per case, named prefix_<n>, dropped at the end of the case).
func Backends(t *testing.T, prefix string) []Backend {
	uri := ferrettest.StartT(t)
	prefix = fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano()%1e9)
	return []Backend{
		{"sqlite", func(t *testing.T) docstore.Store {
			s, err := sqlite.Open(filepath.Join(t.TempDir(), "docs.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"ferretdb", func(t *testing.T) docstore.Store {
			ctx := context.Background()
			s, err := mongo.Open(ctx, uri, fmt.Sprintf("%s_%d", prefix, dbSeq.Add(1)), mongo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				names, _ := s.Collections(ctx)
				for _, n := range names {
					_ = s.Drop(ctx, n)
				}
				s.Close()
			})
			return s
		}},
	}
}
