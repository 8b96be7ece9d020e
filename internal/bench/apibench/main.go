// Command apibench measures the data API under load: it builds the mygene
// test index in a temporary folder, serves the dataapi handler on
// loopback, and beside it a bare net/http handler that asks the search
// engine directly: on Bleve, Bleve's own API on a copy of the index (the
// stored source of an _id; for q=, the ten best documents of the query
// the data API runs, the _id or the terms in "all"), the stored sources
// written around with the answer's few keys. A Go load generator
// (goroutines sharing one http.Client) then runs id lookups
// (/v1/gene/<id>, round-robin over the 100 ids) and queries
// (/v1/query?q=<symbol>) against each, and prints requests/s, p50 and
// p99, and the ratios. On Bleve a handler answering the same JSON from
// memory (HTTP alone, no engine) is measured too, for reference.
//
//	go run ./internal/bench/apibench -d 10s -c 32
//
// Targets: id lookups at >= 0.7 of the bare handler's rate, queries at
// >= 0.5; p99 under 10x p50.
//
// With -engine elasticsearch the index lives in a three-node Elasticsearch
// cluster (internal/testsupport/testenv/escluster, built by `make escluster`; ES_URL
// when set), one shard and no replica, and the bare handler forwards each
// request to the cluster instead: the Elasticsearch request the data API
// makes for that URL (recorded once, untimed, through a loopback proxy) is
// sent with net/http round the nodes, and the cluster's answer is copied
// to the client as it is.
//
//	go run ./internal/bench/apibench -engine elasticsearch -d 10s -c 32
//
// With -peer biothings (Elasticsearch only), BioThings' own data API,
// biothings.web from the biothings package on PyPI (the reference
// interpreter bin/pyref, `make pyref`; -python to choose another), serves
// the same index beside it, and the same requests from the same load
// generator run against both in the same rounds: the rates and p99 of
// each, and the ratio (target: the data API at 2x biothings.web's rate or
// more, at an equal or lower p99).
//
//	go run ./internal/bench/apibench -engine elasticsearch -peer biothings -d 10s -c 32
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
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"studio/internal/bench/benchkit"
	"studio/internal/domain/dataapi"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/testsupport/testenv/escluster"
)

var cpuProfile string

func main() {
	dur := flag.Duration("d", 10*time.Second, "duration of each measured run")
	conc := flag.Int("c", 32, "concurrent clients")
	rounds := flag.Int("rounds", 5, "the scenarios take turns in this many rounds of d/rounds each, so that other load on the machine falls on all alike")
	cacheTTL := flag.Duration("cache", time.Second, "CacheTTL of the extra cached-handler rows (0: leave them out)")
	data := flag.String("data", "", "folder holding mygene/test_data.ndjson and test_mapping.json (default: $STUDIO_SHARED_DATA, else ../shared/data beside the repository)")
	engine := flag.String("engine", "bleve", "search engine under the data API: bleve, or elasticsearch (a cluster started with escluster, or ES_URL)")
	peer := flag.String("peer", "", "biothings: also measure biothings.web serving the same index (with -engine elasticsearch)")
	python := flag.String("python", "", "interpreter holding the biothings package, for -peer (default: bin/pyref/bin/python of the repository)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the measured rounds (every scenario; go tool pprof -focus dataapi tells the data API apart) to this file")
	flag.Parse()
	if *engine != "bleve" && *engine != "elasticsearch" {
		fmt.Fprintf(os.Stderr, "apibench: -engine %q: want bleve or elasticsearch\n", *engine)
		os.Exit(2)
	}
	if *peer != "" && (*peer != "biothings" || *engine != "elasticsearch") {
		fmt.Fprintf(os.Stderr, "apibench: -peer %q: the only peer is biothings, which serves Elasticsearch (-engine elasticsearch)\n", *peer)
		os.Exit(2)
	}
	if err := run(*engine, *dur, *conc, max(*rounds, 1), *cacheTTL, *data, *peer, *python); err != nil {
		fmt.Fprintln(os.Stderr, "apibench:", err)
		os.Exit(1)
	}
}

func run(engine string, dur time.Duration, conc, rounds int, cacheTTL time.Duration, dataDir, peer, python string) error {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if dataDir == "" {
		var err error
		if dataDir, err = sharedData(); err != nil {
			return err
		}
	}
	ids, docs, err := readBulk(filepath.Join(dataDir, "mygene", "test_data.ndjson"))
	if err != nil {
		return err
	}
	spec, err := releaseSpec(filepath.Join(dataDir, "mygene", "test_mapping.json"))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "apibench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var eng search.Engine
	esURL := ""
	if engine == "elasticsearch" {
		var stop func()
		if esURL, stop, err = startES(dir); err != nil {
			return err
		}
		defer stop()
		es, err := elasticsearch.Open(context.Background(), esURL)
		if err != nil {
			return err
		}
		defer es.Close()
		eng = es
		// One shard and no replica: Elasticsearch would give it one.
		spec.Settings["index"].(map[string]any)["number_of_replicas"] = 0
		_ = es.DeleteIndex(context.Background(), "mygene_bench") // a run on ES_URL before this one
		defer func() { _ = es.DeleteIndex(context.Background(), "mygene_bench") }()
	} else {
		b, err := bleve.Open(dir)
		if err != nil {
			return err
		}
		defer b.Close()
		eng = b
	}
	if err := load(eng, "mygene_bench", spec, ids, docs); err != nil {
		return err
	}
	h, err := dataapi.New(dataapi.Config{Engine: eng, Index: "mygene_bench"})
	if err != nil {
		return err
	}

	idURLs := make([]string, len(ids))
	qURLs := make([]string, len(ids))
	for i, id := range ids {
		idURLs[i] = "/v1/gene/" + url.PathEscape(id)
		sym, _ := docs[i]["symbol"].(string)
		qURLs[i] = "/v1/query?q=" + url.QueryEscape(sym)
	}
	allURLs := append(append([]string{}, idURLs...), qURLs...)
	var bare http.Handler
	bareName := "bare"
	if esURL != "" {
		fw, err := forwarding(esURL, "mygene_bench", allURLs, conc)
		if err != nil {
			return err
		}
		bare, bareName = fw, "bare->ES"
		for _, u := range []string{idURLs[0], qURLs[0]} {
			es := fw.routes[u]
			fmt.Printf("for %s the bare handler sends %s %s %s\n", u, es.method, es.uri, es.body)
		}
	} else {
		direct, err := openBleveDirect(filepath.Join(dir, "direct"), "mygene_bench", spec, ids, docs)
		if err != nil {
			return err
		}
		defer direct.Close()
		bare, bareName = direct, "bare->bleve"
	}
	memURL := ""
	if esURL == "" {
		mem, err := fromMemory(h, allURLs)
		if err != nil {
			return err
		}
		var stop func()
		if memURL, stop, err = serve(mem); err != nil {
			return err
		}
		defer stop()
	}

	apiURL, stopAPI, err := serve(h)
	if err != nil {
		return err
	}
	defer stopAPI()
	bareURL, stopBare, err := serve(bare)
	if err != nil {
		return err
	}
	defer stopBare()

	cachedURL := ""
	if cacheTTL > 0 {
		ch, err := dataapi.New(dataapi.Config{Engine: eng, Index: "mygene_bench", CacheTTL: cacheTTL})
		if err != nil {
			return err
		}
		var stop func()
		if cachedURL, stop, err = serve(ch); err != nil {
			return err
		}
		defer stop()
	}

	var bt *biothingsWeb
	if peer == "biothings" {
		if python == "" {
			root, err := benchkit.RepoRoot()
			if err != nil {
				return err
			}
			python = filepath.Join(root, "bin", "pyref", "bin", "python")
		}
		if bt, err = startBiothingsWeb(python, dir, esURL, "mygene_bench", ids[0]); err != nil {
			return err
		}
		defer bt.Stop()
		fmt.Printf("peer: biothings.web %s (%s) on %s\n", bt.Version, python, bt.URL)
	}

	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns:        conc * 4,
		MaxIdleConnsPerHost: conc * 4,
		IdleConnTimeout:     time.Minute,
	}}
	fmt.Printf("apibench: %d documents on %s, %d clients, %s per scenario in %d interleaved rounds, GOMAXPROCS %d\n\n",
		len(ids), engine, conc, dur, rounds, runtime.GOMAXPROCS(0))
	type scenario struct {
		name, base string
		urls       []string
	}
	scenarios := []scenario{
		{"id lookup  dataapi", apiURL, idURLs},
		{"id lookup  " + bareName, bareURL, idURLs},
		{"q= query   dataapi", apiURL, qURLs},
		{"q= query   " + bareName, bareURL, qURLs},
	}
	cachedAt := len(scenarios)
	if cachedURL != "" {
		scenarios = append(scenarios,
			scenario{fmt.Sprintf("id lookup  cache %s", cacheTTL), cachedURL, idURLs},
			scenario{fmt.Sprintf("q= query   cache %s", cacheTTL), cachedURL, qURLs})
	}
	memAt := len(scenarios)
	if memURL != "" {
		scenarios = append(scenarios,
			scenario{"id lookup  from memory", memURL, idURLs},
			scenario{"q= query   from memory", memURL, qURLs})
	}
	peerAt := len(scenarios)
	if bt != nil {
		scenarios = append(scenarios,
			scenario{"id lookup  biothings.web", bt.URL, idURLs},
			scenario{"q= query   biothings.web", bt.URL, qURLs})
	}
	for _, s := range scenarios {
		warmUp(client, s.base, s.urls, conc)
	}
	samples := make([]sample, len(scenarios))
	stopProfile, err := benchkit.StartCPUProfile(cpuProfile)
	if err != nil {
		return err
	}
	for range rounds {
		for i, s := range scenarios {
			samples[i].add(loadRun(client, s.base, s.urls, conc, dur/time.Duration(rounds)))
		}
	}
	stopProfile()
	results := make([]result, len(scenarios))
	fmt.Printf("%-22s %10s %12s %10s %10s %8s\n", "scenario", "requests", "req/s", "p50", "p99", "errors")
	for i, s := range scenarios {
		r := samples[i].result()
		results[i] = r
		fmt.Printf("%-22s %10d %12.0f %10s %10s %8d\n", s.name, r.n, r.rate, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors)
	}
	fmt.Println()
	fmt.Printf("id lookups: dataapi / %s rate = %.2f (target >= 0.70); dataapi p99/p50 = %.1f (target < 10)\n",
		bareName, results[0].rate/results[1].rate, ratio(results[0].p99, results[0].p50))
	fmt.Printf("q= queries: dataapi / %s rate = %.2f (target >= 0.50); dataapi p99/p50 = %.1f (target < 10)\n",
		bareName, results[2].rate/results[3].rate, ratio(results[2].p99, results[2].p50))
	if cachedURL != "" {
		c := results[cachedAt:]
		fmt.Printf("with CacheTTL %s: id lookups %.2f of %s (p99/p50 %.1f), q= queries %.2f (p99/p50 %.1f)\n", cacheTTL,
			c[0].rate/results[1].rate, bareName, ratio(c[0].p99, c[0].p50),
			c[1].rate/results[3].rate, ratio(c[1].p99, c[1].p50))
	}
	if memURL != "" {
		m := results[memAt:]
		fmt.Printf("beside a handler answering from memory (HTTP alone): id lookups %.2f, q= queries %.2f\n",
			results[0].rate/m[0].rate, results[2].rate/m[1].rate)
	}
	if bt != nil {
		for _, c := range []struct {
			what       string
			ours, peer result
		}{{"id lookups", results[0], results[peerAt]}, {"q= queries", results[2], results[peerAt+1]}} {
			fmt.Printf("%s: dataapi / biothings.web rate = %.2f (target >= 2); p99 %s beside %s (target: equal or lower)\n",
				c.what, c.ours.rate/c.peer.rate, c.ours.p99.Round(time.Microsecond), c.peer.p99.Round(time.Microsecond))
		}
	}
	return nil
}

// sample accumulates the runs of one scenario.
type sample struct {
	lat     []time.Duration
	errors  int
	elapsed time.Duration
}

func (s *sample) add(r run1) {
	s.lat = append(s.lat, r.lat...)
	s.errors += r.errors
	s.elapsed += r.elapsed
}

func (s *sample) result() result {
	slices.Sort(s.lat)
	r := result{n: len(s.lat), errors: s.errors, rate: float64(len(s.lat)) / s.elapsed.Seconds()}
	if len(s.lat) > 0 {
		r.p50 = s.lat[len(s.lat)*50/100]
		r.p99 = s.lat[min(len(s.lat)*99/100, len(s.lat)-1)]
	}
	return r
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

type result struct {
	n, errors int
	rate      float64
	p50, p99  time.Duration
}

// warmUp runs a second of load whose numbers are dropped.
func warmUp(client *http.Client, base string, urls []string, conc int) {
	_ = loadRun(client, base, urls, conc, time.Second)
}

// run1 is what one run measured.
type run1 struct {
	lat     []time.Duration
	errors  int
	elapsed time.Duration
}

// loadRun has conc goroutines send GETs round-robin over urls for dur,
// each reading the whole answer, and measures every request.
func loadRun(client *http.Client, base string, urls []string, conc int, dur time.Duration) run1 {
	var next atomic.Int64
	var errCount atomic.Int64
	lat := make([][]time.Duration, conc)
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for g := range conc {
		wg.Go(func() {
			mine := make([]time.Duration, 0, 1<<14)
			for time.Now().Before(deadline) {
				u := base + urls[int(next.Add(1)-1)%len(urls)]
				t0 := time.Now()
				resp, err := client.Get(u)
				if err != nil {
					errCount.Add(1)
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					errCount.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			lat[g] = mine
		})
	}
	wg.Wait()
	out := run1{errors: int(errCount.Load()), elapsed: time.Since(start)}
	for _, l := range lat {
		out.lat = append(out.lat, l...)
	}
	return out
}

// serve serves h on a loopback port.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// sharedData finds the shared test data folder as package shareddata does.
func sharedData() (string, error) {
	if d := os.Getenv("STUDIO_SHARED_DATA"); d != "" {
		return d, nil
	}
	root, err := benchkit.RepoRoot()
	if err != nil {
		return "", fmt.Errorf("%w; or give -data", err)
	}
	return filepath.Join(root, "..", "shared", "data"), nil
}

// readBulk reads an Elasticsearch bulk file of index actions and documents.
func readBulk(path string) ([]string, []map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	var docs []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	id := ""
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if id == "" {
			var action map[string]map[string]any
			if err := json.Unmarshal(line, &action); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			if id, _ = action["index"]["_id"].(string); id == "" {
				return nil, nil, fmt.Errorf("%s: action without _id: %s", path, line)
			}
			continue
		}
		doc, err := search.DecodeDoc(line)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", path, id, err)
		}
		ids, docs = append(ids, id), append(docs, doc)
		id = ""
	}
	return ids, docs, sc.Err()
}

// releaseSpec is the release definition of the mygene mapping, with the
// custom analyzers its settings define.
func releaseSpec(path string) (search.IndexSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return search.IndexSpec{}, err
	}
	var file struct {
		Settings map[string]any `json:"settings"`
		Mappings struct {
			Properties map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return search.IndexSpec{}, fmt.Errorf("%s: %w", path, err)
	}
	meta := map[string]any{"biothing_type": "gene", "build_version": "bench", "stats": map[string]any{"total": 100}}
	spec := search.ReleaseSpec(file.Mappings.Properties, meta, 1, 0)
	analysis, _ := search.Setting(file.Settings, "analysis")
	extra, _ := analysis.(map[string]any)
	ours := spec.Settings["index"].(map[string]any)["analysis"].(map[string]any)
	for k, v := range extra {
		if _, taken := ours[k]; !taken {
			ours[k] = v
		}
	}
	return spec, nil
}

func load(eng search.Engine, name string, spec search.IndexSpec, ids []string, docs []map[string]any) error {
	ctx := context.Background()
	if err := eng.CreateIndex(ctx, name, spec); err != nil {
		return err
	}
	ops := make([]search.BulkOp, len(ids))
	for i := range ids {
		ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: ids[i], Doc: docs[i]}
	}
	res, err := eng.Bulk(ctx, name, ops)
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 {
		return fmt.Errorf("bulk: %d documents failed, first: %+v", len(res.Failed), res.Failed[0])
	}
	return eng.Refresh(ctx, name)
}

// fromMemory is the bare handler of the Bleve runs: it answers from memory
// what the API answers.
func fromMemory(h http.Handler, urls []string) (http.Handler, error) {
	answers := map[string][]byte{}
	for _, u := range urls {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
		if rec.Code != 200 {
			return nil, fmt.Errorf("%s: status %d: %s", u, rec.Code, rec.Body)
		}
		answers[u] = rec.Body.Bytes()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := answers[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write(body)
	}), nil
}

// startES returns ES_URL when it is set, else starts a cluster of
// escluster.Nodes nodes with its data under dir.
func startES(dir string) (string, func(), error) {
	if u := os.Getenv("ES_URL"); u != "" {
		return u, func() {}, nil
	}
	root, err := benchkit.RepoRoot()
	if err != nil {
		return "", nil, err
	}
	c, err := escluster.Start(context.Background(), root, filepath.Join(dir, "es"), escluster.Nodes)
	if err != nil {
		return "", nil, err
	}
	return c.URL(), c.Stop, nil
}

// esRequest is one request the data API sent to Elasticsearch.
type esRequest struct {
	method, uri, contentType string
	body                     []byte
}

// forwarder is the bare handler of the Elasticsearch runs: for each data
// API URL it sends the Elasticsearch request the API makes for it, with
// net/http round the nodes, and copies the answer through.
type forwarder struct {
	nodes  []string
	next   atomic.Uint64
	client *http.Client
	routes map[string]esRequest
}

func (f *forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	es, ok := f.routes[r.URL.RequestURI()]
	if !ok {
		http.NotFound(w, r)
		return
	}
	var body io.Reader
	if es.body != nil {
		body = bytes.NewReader(es.body)
	}
	node := f.nodes[int(f.next.Add(1)-1)%len(f.nodes)]
	req, err := http.NewRequestWithContext(r.Context(), es.method, node+es.uri, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if es.contentType != "" {
		req.Header.Set("Content-Type", es.contentType)
	}
	res, err := f.client.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}

// forwarding records, through a loopback proxy in front of the cluster,
// the requests a data API over that proxy sends for each URL, and returns
// the forwarder sending the last of them (the lookup or the search; one
// before it may read the mapping).
func forwarding(esURL, index string, urls []string, conc int) (*forwarder, error) {
	var nodes []string
	for _, u := range strings.Split(esURL, ",") {
		nodes = append(nodes, strings.TrimSuffix(strings.TrimSpace(u), "/"))
	}
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns:        conc * 4,
		MaxIdleConnsPerHost: conc * 2,
		IdleConnTimeout:     time.Minute,
	}}
	var mu sync.Mutex
	var seen []esRequest
	proxy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		es := esRequest{method: r.Method, uri: r.URL.RequestURI(), contentType: r.Header.Get("Content-Type")}
		if len(body) > 0 {
			es.body = body
		}
		mu.Lock()
		seen = append(seen, es)
		mu.Unlock()
		req, err := http.NewRequestWithContext(r.Context(), r.Method, nodes[0]+es.uri, bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req.Header = r.Header.Clone()
		res, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	})
	proxyURL, stop, err := serve(proxy)
	if err != nil {
		return nil, err
	}
	defer stop()
	eng, err := elasticsearch.Open(context.Background(), proxyURL)
	if err != nil {
		return nil, fmt.Errorf("through the recording proxy: %w", err)
	}
	defer eng.Close()
	h, err := dataapi.New(dataapi.Config{Engine: eng, Index: index})
	if err != nil {
		return nil, err
	}
	f := &forwarder{nodes: nodes, client: client, routes: map[string]esRequest{}}
	for _, u := range urls {
		mu.Lock()
		seen = seen[:0]
		mu.Unlock()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
		if rec.Code != 200 {
			return nil, fmt.Errorf("%s: status %d: %s", u, rec.Code, rec.Body)
		}
		mu.Lock()
		if len(seen) == 0 {
			mu.Unlock()
			return nil, fmt.Errorf("%s: the data API sent no request to Elasticsearch", u)
		}
		f.routes[u] = seen[len(seen)-1]
		mu.Unlock()
	}
	return f, nil
}
