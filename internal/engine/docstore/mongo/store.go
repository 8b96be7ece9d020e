// Package mongo is the production document store: collections of a MongoDB
// database reached through go.mongodb.org/mongo-driver/v2.
//
// It uses only what FerretDB v1 also implements, so that its conformance
// suite runs against an in-process FerretDB: no transactions, change
// streams, $lookup, $merge or $out. Multi-document writes are split into
// commands of at most Options.BatchSize statements because FerretDB v1
// hangs on an insert or update command of more than 100.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studio/internal/engine/docstore"
)

// DefaultBatchSize is the number of statements per write command: below
// FerretDB v1's limit of 100.
const DefaultBatchSize = 99

// Options tune a Store; the zero value is the default.
type Options struct {
	// BatchSize bounds the documents of one insert, update or delete
	// command (default DefaultBatchSize).
	BatchSize int
	// ConnectTimeout bounds the first ping (default 10s).
	ConnectTimeout time.Duration
}

// Store is a docstore.Store on one MongoDB database.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	where  string
	batch  int
}

var _ docstore.Store = (*Store)(nil)

// Open connects to uri and checks the server with a ping.
func Open(ctx context.Context, uri, database string, opts Options) (*Store, error) {
	where := Host(uri)
	if database == "" {
		return nil, fmt.Errorf("mongo: open %s: empty database name", where)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return nil, fmt.Errorf("mongo: connect to %s: %w", where, err)
	}
	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongo: ping %s: %w", where, err)
	}
	return &Store{client: client, db: client.Database(database), where: where, batch: opts.BatchSize}, nil
}

// Host returns the host part of a MongoDB URI, without credentials,
// database or options: what can be shown on a status page.
func Host(uri string) string {
	s := uri
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// C returns the named collection.
func (s *Store) C(name string) docstore.Collection {
	return &collection{s: s, name: name, c: s.db.Collection(name), nameErr: docstore.CheckName(name)}
}

// Collections lists the collections, sorted by name, without system ones.
func (s *Store) Collections(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("mongo: list collections of %q: %w", s.db.Name(), err)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return strings.HasPrefix(n, "system.") })
	slices.Sort(names)
	return names, nil
}

// Drop removes a collection; the driver ignores a missing one.
func (s *Store) Drop(ctx context.Context, name string) error {
	if err := docstore.CheckName(name); err != nil {
		return fmt.Errorf("mongo: drop: %w", err)
	}
	if err := s.db.Collection(name).Drop(ctx); err != nil {
		return fmt.Errorf("mongo: drop %q: %w", name, err)
	}
	return nil
}

// Server error codes this package reacts to.
const (
	codeNamespaceNotFound = 26
	codeNamespaceExists   = 48
	codeNotImplemented    = 238
	codeDuplicateKey      = 11000
)

// Rename runs the renameCollection admin command. FerretDB v1 implements
// it but not its dropTarget option: there Rename drops the target itself
// and then renames, which is not atomic (a reader may briefly see no
// target collection).
func (s *Store) Rename(ctx context.Context, from, to string, dropTarget bool) error {
	for _, n := range []string{from, to} {
		if err := docstore.CheckName(n); err != nil {
			return fmt.Errorf("mongo: rename %q to %q: %w", from, to, err)
		}
	}
	err := s.rename(ctx, from, to, dropTarget)
	if dropTarget && hasCode(err, codeNotImplemented) {
		err = s.renameDroppingTarget(ctx, from, to)
	}
	switch {
	case err == nil:
		return nil
	case hasCode(err, codeNamespaceNotFound):
		return fmt.Errorf("mongo: rename %q to %q: collection %q: %w", from, to, from, docstore.ErrNotFound)
	case hasCode(err, codeNamespaceExists):
		return fmt.Errorf("mongo: rename %q to %q: target collection exists (use dropTarget to replace it): %w", from, to, err)
	}
	return fmt.Errorf("mongo: rename %q to %q: %w", from, to, err)
}

func (s *Store) rename(ctx context.Context, from, to string, dropTarget bool) error {
	cmd := bson.D{
		{Key: "renameCollection", Value: s.db.Name() + "." + from},
		{Key: "to", Value: s.db.Name() + "." + to},
	}
	if dropTarget {
		cmd = append(cmd, bson.E{Key: "dropTarget", Value: true})
	}
	return s.client.Database("admin").RunCommand(ctx, cmd).Err()
}

// renameDroppingTarget is the fallback for servers without dropTarget.
func (s *Store) renameDroppingTarget(ctx context.Context, from, to string) error {
	names, err := s.db.ListCollectionNames(ctx, bson.D{{Key: "name", Value: from}})
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return mongo.CommandError{Code: codeNamespaceNotFound, Message: "source collection does not exist"}
	}
	if err := s.db.Collection(to).Drop(ctx); err != nil {
		return fmt.Errorf("drop target: %w", err)
	}
	return s.rename(ctx, from, to, false)
}

// Info reports the server version from buildInfo.
func (s *Store) Info(ctx context.Context) (docstore.Info, error) {
	var res struct {
		Version string `bson:"version"`
	}
	if err := s.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&res); err != nil {
		return docstore.Info{}, fmt.Errorf("mongo: buildInfo on %s: %w", s.where, err)
	}
	return docstore.Info{Backend: "mongo", Version: res.Version, Where: s.where}, nil
}

// Close disconnects the client.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("mongo: disconnect from %s: %w", s.where, err)
	}
	return nil
}

// hasCode reports whether err carries a server error with the code.
func hasCode(err error, code int) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) && int(ce.Code) == code {
		return true
	}
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}
