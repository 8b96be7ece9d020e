package mongo_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/docstoretest"
	"studio/internal/engine/docstore/mongo"
	"studio/internal/engine/docstore/mongo/ferrettest"
)

// ferretLimits are the suite cases FerretDB v1 cannot pass because of
// the server itself; real MongoDB runs them.
var ferretLimits = docstoretest.Skip("FerretDB v1 does not support nested arrays", "ValuesNestedArrays")

// dbSeq makes database names unique within a run; the time prefix keeps
// them unique across runs against a shared MongoDB.
var dbSeq atomic.Int64

func openFunc(uri string, opts mongo.Options) func(t *testing.T) docstore.Store {
	prefix := fmt.Sprintf("studio_test_%d", time.Now().UnixNano()%1e9)
	return func(t *testing.T) docstore.Store {
		ctx := context.Background()
		db := fmt.Sprintf("%s_%d", prefix, dbSeq.Add(1))
		s, err := mongo.Open(ctx, uri, db, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			names, _ := s.Collections(ctx)
			for _, n := range names {
				_ = s.Drop(ctx, n)
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
}

func TestFerretDB(t *testing.T) {
	uri := ferrettest.StartT(t)
	docstoretest.Run(t, openFunc(uri, mongo.Options{}), ferretLimits)
}

// TestFerretDBSmallBatches splits writes into many commands, so the
// all-or-nothing Insert crosses command boundaries.
func TestFerretDBSmallBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	uri := ferrettest.StartT(t)
	docstoretest.Run(t, openFunc(uri, mongo.Options{BatchSize: 7}), ferretLimits)
}

func TestMongoDB(t *testing.T) {
	uri := os.Getenv("MONGO_URI")
	if uri == "" {
		t.Skip("MONGO_URI is not set: set it (e.g. mongodb://localhost:27017) to run the suite against a real MongoDB")
	}
	docstoretest.Run(t, openFunc(uri, mongo.Options{}))
}

func TestHost(t *testing.T) {
	tests := map[string]string{
		"mongodb://localhost:27017":                                "localhost:27017",
		"mongodb://user:p%40ss@db.example.org:27017/hub?tls=1":     "db.example.org:27017",
		"mongodb+srv://u:p@cluster0.example.net/?retryWrites=true": "cluster0.example.net",
		"mongodb://a:1,b:2/db":                                     "a:1,b:2",
	}
	for uri, want := range tests {
		if got := mongo.Host(uri); got != want {
			t.Errorf("Host(%q) = %q, want %q", uri, got, want)
		}
	}
}
