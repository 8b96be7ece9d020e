// Command esbench measures a full release into Elasticsearch beside a bare
// _bulk client sending the same documents to the same cluster, in one run:
//
//	go run ./internal/bench/esbench -n 1000000
//
// It starts a three-node cluster (internal/testsupport/testenv/escluster; `make
// escluster` builds it), or uses ES_URL when set, and generates n
// mygene-like documents (nested objects, arrays, strings, integers and
// floats; the same on every run). Untimed, it writes them into a SQLite
// document store as a build, and the same documents as the NDJSON bodies
// of _bulk requests into a file. Then, on two indexes created with the
// same settings and mapping (one shard and no replica unless -shards and
// -replicas say otherwise), after a warm-up of the cluster:
//
//   - bare: one goroutine POSTs each body from the file with net/http, as
//     Studio's Elasticsearch backend does: 1,000 documents (at most 5 MiB)
//     per request, one request at a time, round the cluster's nodes;
//   - Studio: the release's IndexDocs activity (run in the Temporal SDK's
//     test activity environment, heartbeats included) scans the build from
//     the store and sends it through Engine.Bulk; IndexFinish then refreshes
//     and counts the index as a release does.
//
// The documents are split into -rounds parts (the build into as many
// collections, each released by one IndexDocs run into the same index) and
// the two sides take turns part by part, each going first in every other
// round, so that the cluster's warming up, its growing index and its
// background merges fall on both alike. (The test environment gives an
// activity ten minutes: a part must be released within that.)
//
// It prints documents per second of each, their ratio (target 0.8), the
// CPU time this process spends per document on each side, the refresh and
// count that follow, and the peak resident memory of this process in each
// phase; both indexes must hold n documents at the end.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"studio/activities"
	"studio/internal/bench/benchkit"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/testsupport/testenv/escluster"
)

// Studio's release path: IndexDocs batches 1,000 documents and Engine.Bulk
// sends them in requests of at most 1,000 operations and 5 MiB, one at a
// time. The bare client sends the same requests.
const (
	batchDocs  = 1000
	batchBytes = 5 << 20
)

const (
	buildName   = "bench_build"
	bareIndex   = "esbench_bare"
	studioIdx   = "esbench_studio"
	warmIndex   = "esbench_warmup"
	defaultHeap = "2g"
)

type options struct {
	n, nodes, shards, replicas, rounds int
	dir, heap, cpuProfile              string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1_000_000, "documents to release")
	flag.IntVar(&o.nodes, "nodes", escluster.Nodes, "nodes of the cluster started when ES_URL is not set")
	flag.IntVar(&o.shards, "shards", 1, "primary shards of both indexes")
	flag.IntVar(&o.replicas, "replicas", 0, "replicas of both indexes")
	flag.StringVar(&o.dir, "dir", "", "working folder (default: a temporary one, removed at the end)")
	flag.StringVar(&o.heap, "heap", "", "JVM heap of the cluster started (default: $STUDIO_ES_HEAP, else "+defaultHeap+")")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the Studio side's first round to this file")
	flag.IntVar(&o.rounds, "rounds", 10, "parts of the documents the two sides take turns on")
	flag.Parse()
	benchkit.Run("esbench", func(ctx context.Context) error { return run(ctx, o) })
}

func run(ctx context.Context, o options) error {
	if o.n <= 0 {
		return fmt.Errorf("-n %d: want at least one document", o.n)
	}
	dir, cleanup, err := benchkit.WorkDir(o.dir, "esbench")
	if err != nil {
		return err
	}
	defer cleanup()
	o.dir = dir

	esURL, stopCluster, err := cluster(ctx, o)
	if err != nil {
		return err
	}
	defer stopCluster()
	eng, err := elasticsearch.Open(ctx, esURL)
	if err != nil {
		return err
	}
	defer eng.Close()
	info, err := eng.Info(ctx)
	if err != nil {
		return err
	}

	// Untimed: the build's collection and the bare client's bodies.
	t0 := time.Now()
	store, err := sqlite.Open(filepath.Join(o.dir, "target.sqlite"))
	if err != nil {
		return err
	}
	defer store.Close()
	hubStore, err := sqlite.Open(filepath.Join(o.dir, "hub.sqlite"))
	if err != nil {
		return err
	}
	defer hubStore.Close()
	o.rounds = max(1, min(o.rounds, (o.n+batchDocs-1)/batchDocs))
	b, err := prepare(ctx, store, filepath.Join(o.dir, "bulk.ndjson"), o.n, o.rounds)
	if err != nil {
		return err
	}
	defer b.f.Close()
	fmt.Printf("esbench: %d documents (%.0f bytes of JSON each on average) in a SQLite build and in %d _bulk bodies, prepared in %s\n",
		o.n, float64(b.docBytes)/float64(o.n), len(b.parts), time.Since(t0).Round(time.Second))
	fmt.Printf("Elasticsearch %s at %s; indexes of %s, %d replica(s); %d rounds; GOMAXPROCS %d\n\n",
		info.Version, esURL, shardsText(o.shards), o.replicas, o.rounds, runtime.GOMAXPROCS(0))

	spec := benchSpec(o.shards, o.replicas)
	bare := newBareClient(esURL)
	indexes := []string{warmIndex, bareIndex, studioIdx}
	for _, ix := range indexes {
		if err := bare.deleteIndex(ctx, ix); err != nil {
			return err
		}
	}
	defer func() { // a cluster given by ES_URL keeps none of them
		for _, ix := range indexes {
			_ = bare.deleteIndex(context.Background(), ix)
		}
	}()
	if err := warmUp(ctx, bare, spec, b); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if err := bare.createIndex(ctx, bareIndex, spec); err != nil {
		return err
	}
	if err := eng.CreateIndex(ctx, studioIdx, spec); err != nil {
		return fmt.Errorf("create index %s: %w", studioIdx, err)
	}

	studio, err := newStudioRelease(ctx, &activities.Activities{Hub: hubStore, Target: store, Search: eng}, o.cpuProfile)
	if err != nil {
		return err
	}
	defer studio.close()
	var bareRes, studioRes phase
	for r := range o.rounds {
		sides := []func() error{
			func() error { return bare.send(ctx, bareIndex, b, r, &bareRes) },
			func() error { return studio.docs(b.chunks[r], &studioRes) },
		}
		if r%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, side := range sides {
			if err := side(); err != nil {
				return err
			}
		}
	}
	if err := bare.finish(ctx, bareIndex, o.n, &bareRes); err != nil {
		return fmt.Errorf("bare client: %w", err)
	}
	if err := studio.finish(o.n, &studioRes); err != nil {
		return err
	}

	fmt.Printf("%-32s %10s %9s %13s %14s %9s\n", "", "time", "docs/s", "client CPU", "refresh+count", "peak RSS")
	for _, row := range []struct {
		name string
		p    phase
	}{{"bare _bulk client (net/http)", bareRes}, {"Studio IndexDocs + IndexFinish", studioRes}} {
		fmt.Printf("%-32s %10s %9.0f %8.1f µs/doc %14s %9s\n", row.name, row.p.Took.Round(time.Millisecond), row.p.Rate(o.n),
			float64(row.p.CPU.Microseconds())/float64(o.n), row.p.finish.Round(time.Millisecond), benchkit.MiB(row.p.Peak))
	}
	fmt.Printf("\nratio Studio / bare: %.2f (target >= 0.80); with refresh and count: %.2f\n",
		studioRes.Rate(o.n)/bareRes.Rate(o.n),
		(bareRes.Took+bareRes.finish).Seconds()/(studioRes.Took+studioRes.finish).Seconds())

	// Both indexes must hold every document.
	for _, ix := range []string{bareIndex, studioIdx} {
		if err := bare.refresh(ctx, ix); err != nil {
			return err
		}
		got, err := bare.count(ctx, ix)
		if err != nil {
			return err
		}
		if got != int64(o.n) {
			return fmt.Errorf("index %s holds %d documents, want %d", ix, got, o.n)
		}
	}
	fmt.Printf("both indexes hold %d documents\n", o.n)
	return nil
}

func shardsText(n int) string {
	if n <= 0 {
		return "the default number of shards"
	}
	if n == 1 {
		return "1 shard"
	}
	return fmt.Sprintf("%d shards", n)
}

// cluster starts a cluster, or returns ES_URL when it is set.
func cluster(ctx context.Context, o options) (string, func(), error) {
	if u := os.Getenv("ES_URL"); u != "" {
		return u, func() {}, nil
	}
	root, err := benchkit.RepoRoot()
	if err != nil {
		return "", nil, err
	}
	if _, _, err := escluster.Launcher(root); err != nil {
		return "", nil, err
	}
	heap := o.heap
	if heap == "" {
		heap = os.Getenv("STUDIO_ES_HEAP")
	}
	if heap == "" {
		heap = defaultHeap
	}
	if err := os.Setenv("STUDIO_ES_HEAP", heap); err != nil {
		return "", nil, fmt.Errorf("set STUDIO_ES_HEAP: %w", err)
	}
	t0 := time.Now()
	c, err := escluster.Start(ctx, root, filepath.Join(o.dir, "es"), o.nodes)
	if err != nil {
		return "", nil, err
	}
	fmt.Printf("esbench: %d-node cluster (heap %s) started in %s\n", o.nodes, heap, time.Since(t0).Round(100*time.Millisecond))
	return c.URL(), c.Stop, nil
}

// benchSpec is a released index shaped like mygene's main fields.
func benchSpec(shards, replicas int) search.IndexSpec {
	text := map[string]any{"type": "text", "copy_to": []any{search.AllField}}
	props := map[string]any{
		"symbol":       benchkit.Keyword(true),
		"alias":        benchkit.Keyword(true),
		"entrezgene":   benchkit.Keyword(true),
		"ensembl":      map[string]any{"properties": map[string]any{"gene": benchkit.Keyword(true), "transcript": benchkit.Keyword(false)}},
		"type_of_gene": benchkit.Keyword(false),
		"name":         text,
		"summary":      text,
		"taxid":        map[string]any{"type": "integer"},
		"genomic_pos": map[string]any{"properties": map[string]any{
			"chr":    benchkit.Keyword(false),
			"start":  map[string]any{"type": "long"},
			"end":    map[string]any{"type": "long"},
			"strand": map[string]any{"type": "byte"},
		}},
		"refseq": map[string]any{"properties": map[string]any{"rna": benchkit.Keyword(true), "protein": benchkit.Keyword(true)}},
		"go": map[string]any{"properties": map[string]any{"BP": map[string]any{"properties": map[string]any{
			"id":       benchkit.Keyword(false),
			"term":     map[string]any{"type": "text"},
			"evidence": benchkit.Keyword(false),
		}}}},
		"exac": map[string]any{"type": "object", "enabled": false},
	}
	spec := search.ReleaseSpec(props, map[string]any{"biothing_type": "gene", "build_version": "esbench"}, shards, replicas)
	// ReleaseSpec leaves a zero replica count to the engine (one replica in
	// Elasticsearch); the benchmark says what it wants.
	spec.Settings["index"].(map[string]any)["number_of_replicas"] = replicas
	return spec
}

var words = strings.Fields(`cyclin dependent kinase protein binding receptor factor
transcription regulator membrane transport channel zinc finger domain family member
subunit complex associated homolog like putative uncharacterized mitochondrial ribosomal
nuclear signal pathway activity process positive negative regulation cell cycle`)

// doc generates document i, the same on every run. Its _id sorts as i
// does, so the store's _id order is the generation order.
func doc(i int) (string, map[string]any) {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	sentence := func(k int) string {
		w := make([]string, k)
		for j := range w {
			w[j] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	list := func(k int, f func(int) any) []any {
		out := make([]any, k)
		for j := range out {
			out[j] = f(j)
		}
		return out
	}
	start := int64(r.IntN(200_000_000))
	goTerms := list(1+r.IntN(4), func(int) any {
		return map[string]any{
			"id":       fmt.Sprintf("GO:%07d", r.IntN(100000)),
			"term":     sentence(3),
			"evidence": []any{"IEA", "IDA", "TAS", "ISS"}[r.IntN(4)],
		}
	})
	d := map[string]any{
		"symbol":       fmt.Sprintf("G%d", i),
		"alias":        list(1+r.IntN(3), func(j int) any { return fmt.Sprintf("A%d-%d", i, j) }),
		"entrezgene":   strconv.Itoa(100000 + i),
		"ensembl":      map[string]any{"gene": fmt.Sprintf("ENSG%011d", i), "transcript": list(1+r.IntN(3), func(j int) any { return fmt.Sprintf("ENST%011d", i*4+j) })},
		"type_of_gene": []any{"protein-coding", "ncRNA", "pseudo"}[r.IntN(3)],
		"name":         sentence(4),
		"summary":      sentence(16),
		"taxid":        int64(9606 + r.IntN(50)),
		"genomic_pos":  map[string]any{"chr": strconv.Itoa(1 + r.IntN(22)), "start": start, "end": start + int64(r.IntN(100000)), "strand": int64(1 - 2*r.IntN(2))},
		"refseq": map[string]any{
			"rna":     list(1+r.IntN(2), func(int) any { return fmt.Sprintf("NM_%06d.%d", r.IntN(1000000), 1+r.IntN(5)) }),
			"protein": list(1+r.IntN(2), func(int) any { return fmt.Sprintf("NP_%06d.%d", r.IntN(1000000), 1+r.IntN(5)) }),
		},
		"go":   map[string]any{"BP": goTerms},
		"exac": map[string]any{"p_li": r.Float64(), "n_lof": float64(r.IntN(40)), "mu_syn": r.Float64() / 1000},
	}
	return fmt.Sprintf("%09d", i), d
}

// bodies are the bare client's request bodies, one after another in a
// file, and the build's parts in the store.
type bodies struct {
	f        *os.File
	parts    []part
	chunks   []chunk
	docBytes int64
}

// part is one _bulk body; round is the round that sends it.
type part struct {
	off, size   int64
	docs, round int
}

// chunk is the build's collection released in one round.
type chunk struct {
	build string
	docs  int
}

// chunkBounds returns where round r's documents start: rounds split the
// n documents at multiples of the batch size, so that both sides send the
// same batches.
func chunkBounds(n, rounds int) []int {
	batches := (n + batchDocs - 1) / batchDocs
	bounds := make([]int, rounds+1)
	for r := range rounds {
		bounds[r] = r * batches / rounds * batchDocs
	}
	bounds[rounds] = n
	return bounds
}

// prepare writes the n documents into the build's collections (one per
// round) and their _bulk bodies into path, checking that the store gives
// back what the bare client sends.
func prepare(ctx context.Context, store docstore.Store, path string, n, rounds int) (*bodies, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bulk bodies: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	b := &bodies{f: f}
	bounds := chunkBounds(n, rounds)
	var body bytes.Buffer
	var off int64
	for r := range rounds {
		coll := store.C(fmt.Sprintf("%s_%d", buildName, r))
		b.chunks = append(b.chunks, chunk{build: coll.Name(), docs: bounds[r+1] - bounds[r]})
		docsInBody := 0
		flushBody := func() error {
			if docsInBody == 0 {
				return nil
			}
			if _, err := w.Write(body.Bytes()); err != nil {
				return fmt.Errorf("bulk bodies: %w", err)
			}
			b.parts = append(b.parts, part{off: off, size: int64(body.Len()), docs: docsInBody, round: r})
			off += int64(body.Len())
			body.Reset()
			docsInBody = 0
			return nil
		}
		batch := make([]docstore.Doc, 0, batchDocs)
		for i := bounds[r]; i < bounds[r+1]; i++ {
			id, d := doc(i)
			src, _, err := search.MarshalDoc(d)
			if err != nil {
				return nil, fmt.Errorf("document %s: %w", id, err)
			}
			b.docBytes += int64(len(src))
			meta, err := json.Marshal(map[string]any{"index": map[string]string{"_id": id}})
			if err != nil {
				return nil, fmt.Errorf("document %s: %w", id, err)
			}
			body.Write(meta)
			body.WriteByte('\n')
			body.Write(src)
			body.WriteByte('\n')
			docsInBody++
			if docsInBody == batchDocs || body.Len() >= batchBytes {
				if err := flushBody(); err != nil {
					return nil, err
				}
			}
			d["_id"] = id
			batch = append(batch, d)
			if len(batch) == batchDocs || i == bounds[r+1]-1 {
				if err := coll.Insert(ctx, batch); err != nil {
					return nil, fmt.Errorf("store the build: %w", err)
				}
				batch = batch[:0]
			}
		}
		if err := flushBody(); err != nil {
			return nil, err
		}
		// The store must give back the documents the bare client sends.
		for _, i := range []int{bounds[r], bounds[r+1] - 1} {
			id, d := doc(i)
			want, _, _ := search.MarshalDoc(d)
			got, err := coll.Get(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("read back %s: %w", id, err)
			}
			delete(got, "_id")
			have, _, err := search.MarshalDoc(got)
			if err != nil {
				return nil, fmt.Errorf("read back %s: %w", id, err)
			}
			if !bytes.Equal(have, want) {
				return nil, fmt.Errorf("document %s reads back from the store as\n%s\nnot\n%s", id, have, want)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("bulk bodies: %w", err)
	}
	return b, nil
}

// phase is what one side measured: the time its documents took to send,
// the refresh and count after them, and its peak resident memory.
type phase struct {
	benchkit.Phase // the sending, timed with Measure
	finish         time.Duration
}

// warmUp sends up to 40 bodies into a scratch index, then deletes it, so
// that neither side meets a cold JVM.
func warmUp(ctx context.Context, c *bareClient, spec search.IndexSpec, b *bodies) error {
	if err := c.createIndex(ctx, warmIndex, spec); err != nil {
		return err
	}
	t0 := time.Now()
	docs := 0
	for _, pt := range b.parts[:min(len(b.parts), 40)] {
		if err := c.bulk(ctx, warmIndex, b, pt); err != nil {
			return err
		}
		docs += pt.docs
	}
	fmt.Printf("warm-up: %d documents into a scratch index in %s\n", docs, time.Since(t0).Round(time.Millisecond))
	return c.deleteIndex(ctx, warmIndex)
}

// studioRelease runs the release's activities as a worker would, in the
// Temporal SDK's test activity environment.
type studioRelease struct {
	a       *activities.Activities
	env     *testsuite.TestActivityEnvironment
	stats   activities.IndexStats
	started string
	profile *os.File
}

func newStudioRelease(ctx context.Context, a *activities.Activities, cpuProfile string) (*studioRelease, error) {
	var ts testsuite.WorkflowTestSuite
	ts.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := ts.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{BackgroundActivityContext: ctx})
	env.RegisterActivity(a)
	s := &studioRelease{a: a, env: env, started: time.Now().UTC().Format(time.RFC3339)}
	// A worker's first activity computes the binary's checksum (its build
	// id), once per process: done here, before anything is timed, with a
	// release of a build that has no documents.
	if _, err := env.ExecuteActivity(a.IndexDocs, activities.IndexPlan{Build: buildName + "_empty", Index: studioIdx}); err != nil {
		return nil, fmt.Errorf("IndexDocs of an empty build: %w", err)
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		s.profile = f
	}
	return s, nil
}

func (s *studioRelease) close() {
	if s.profile != nil {
		s.profile.Close()
	}
}

// docs runs IndexDocs on one part of the build.
func (s *studioRelease) docs(c chunk, p *phase) error {
	plan := activities.IndexPlan{Build: c.build, Index: studioIdx, Total: int64(c.docs), StartedAt: s.started}
	if s.profile != nil {
		if err := pprof.StartCPUProfile(s.profile); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		// One profile holds the first round only: a profile file takes one.
		defer func() { pprof.StopCPUProfile(); s.profile.Close(); s.profile = nil }()
	}
	var st activities.IndexStats
	err := p.Measure(func() error {
		val, err := s.env.ExecuteActivity(s.a.IndexDocs, plan)
		if err != nil {
			return fmt.Errorf("IndexDocs of %s: %w", c.build, err)
		}
		return val.Get(&st)
	})
	if err != nil {
		return err
	}
	if st.Indexed != int64(c.docs) || st.Rejected != 0 {
		return fmt.Errorf("IndexDocs of %s indexed %d and rejected %d documents (%v), want %d and 0", c.build, st.Indexed, st.Rejected, st.Samples, c.docs)
	}
	s.stats.Indexed += st.Indexed
	s.stats.LastID = st.LastID
	return nil
}

// finish runs IndexFinish: refresh, count, record.
func (s *studioRelease) finish(n int, p *phase) error {
	plan := activities.IndexPlan{Build: buildName, Index: studioIdx, Total: int64(n), StartedAt: s.started}
	t0 := time.Now()
	val, err := s.env.ExecuteActivity(s.a.IndexFinish, activities.IndexFinishInput{Plan: plan, Stats: s.stats})
	if err != nil {
		return fmt.Errorf("IndexFinish: %w", err)
	}
	p.finish = time.Since(t0)
	var res activities.IndexResult
	if err := val.Get(&res); err != nil {
		return fmt.Errorf("IndexFinish result: %w", err)
	}
	if res.Count != int64(n) {
		return fmt.Errorf("IndexFinish counts %d documents in %s, want %d", res.Count, studioIdx, n)
	}
	return nil
}

// bareClient is a minimal Elasticsearch client: net/http, requests round
// the nodes.
type bareClient struct {
	nodes []string
	next  atomic.Uint64
	hc    *http.Client
	buf   []byte
}

func newBareClient(esURL string) *bareClient {
	c := &bareClient{hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}}}
	for _, u := range strings.Split(esURL, ",") {
		c.nodes = append(c.nodes, strings.TrimSuffix(strings.TrimSpace(u), "/"))
	}
	return c
}

// do sends one request to the next node and returns the status and body.
func (c *bareClient) do(ctx context.Context, method, path, contentType string, body []byte) (int, []byte, error) {
	node := c.nodes[int(c.next.Add(1)-1)%len(c.nodes)]
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, node+path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	return res.StatusCode, data, nil
}

func (c *bareClient) ok(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	status, data, err := c.do(ctx, method, path, "application/json", body)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, fmt.Errorf("%s %s: status %d: %.300s", method, path, status, data)
	}
	return data, nil
}

func (c *bareClient) createIndex(ctx context.Context, name string, spec search.IndexSpec) error {
	body, err := json.Marshal(map[string]any{"settings": spec.Settings, "mappings": spec.MappingWithMeta()})
	if err != nil {
		return fmt.Errorf("create index %s: %w", name, err)
	}
	_, err = c.ok(ctx, http.MethodPut, "/"+name, body)
	return err
}

func (c *bareClient) deleteIndex(ctx context.Context, name string) error {
	status, data, err := c.do(ctx, http.MethodDelete, "/"+name, "", nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK && status != http.StatusNotFound {
		return fmt.Errorf("delete index %s: status %d: %.300s", name, status, data)
	}
	return nil
}

func (c *bareClient) refresh(ctx context.Context, name string) error {
	_, err := c.ok(ctx, http.MethodPost, "/"+name+"/_refresh", nil)
	return err
}

func (c *bareClient) count(ctx context.Context, name string) (int64, error) {
	data, err := c.ok(ctx, http.MethodGet, "/"+name+"/_count", nil)
	if err != nil {
		return 0, err
	}
	var ans struct {
		Count int64 `json:"count"`
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return 0, fmt.Errorf("count %s: %w", name, err)
	}
	return ans.Count, nil
}

// bulk sends one body read from the file.
func (c *bareClient) bulk(ctx context.Context, index string, b *bodies, pt part) error {
	if int64(cap(c.buf)) < pt.size {
		c.buf = make([]byte, 0, pt.size)
	}
	body := c.buf[:pt.size]
	if _, err := b.f.ReadAt(body, pt.off); err != nil {
		return fmt.Errorf("read body at %d: %w", pt.off, err)
	}
	status, data, err := c.do(ctx, http.MethodPost, "/"+index+"/_bulk", "application/x-ndjson", body)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("_bulk: status %d: %.300s", status, data)
	}
	if bytes.Contains(data[:min(len(data), 64)], []byte(`"errors":true`)) {
		return fmt.Errorf("_bulk: some documents failed: %.500s", data)
	}
	return nil
}

// send sends round r's bodies, one request at a time.
func (c *bareClient) send(ctx context.Context, index string, b *bodies, r int, p *phase) error {
	return p.Measure(func() error {
		for _, pt := range b.parts {
			if pt.round != r {
				continue
			}
			if err := c.bulk(ctx, index, b, pt); err != nil {
				return fmt.Errorf("bare client: %w", err)
			}
		}
		return nil
	})
}

// finish refreshes and counts the index, as IndexFinish does.
func (c *bareClient) finish(ctx context.Context, index string, n int, p *phase) error {
	t0 := time.Now()
	if err := c.refresh(ctx, index); err != nil {
		return err
	}
	got, err := c.count(ctx, index)
	if err != nil {
		return err
	}
	p.finish = time.Since(t0)
	if got != int64(n) {
		return fmt.Errorf("index %s holds %d documents, want %d", index, got, n)
	}
	return nil
}
