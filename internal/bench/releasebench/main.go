// Command releasebench measures a full release into the embedded Bleve
// backend beside Bleve's own batch indexing of the same documents, in one
// run:
//
//	go run ./internal/bench/releasebench -n 1000000
//
// It generates n documents shaped like the CGI tutorial's (one variant per
// document, its "cgi" an object or a list of 2 to 6 objects of ten
// strings; the same on every run) and, untimed, writes them into a SQLite
// document store as a build. The index has the mapping an inspection
// gives those documents (keywords with the lower-case normalizer, text
// for the fields of several words, the gene and the protein change copied
// to "all"). Then, in -rounds parts:
//
//   - bare: Bleve's own batch indexing, one goroutine filling a Batch of
//     -batch documents (index.Batch.Index) and indexing it (Index.Batch),
//     the documents handed over decoded (generated untimed, a part at a
//     time), on an index made from the same mapping;
//   - Studio: the release's IndexDocs activity (run in the Temporal SDK's
//     test activity environment, heartbeats included) reads the part's
//     build collection from the store and sends it to the Bleve backend;
//     IndexFinish then refreshes and counts the index as a release does.
//
// The two sides take turns part by part, each going first in every other
// round. It prints documents per second of each, their ratio (target
// 0.8), the CPU time per document and the peak resident memory of each
// side; both indexes must hold n documents at the end.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"studio/activities"
	"studio/internal/bench/benchkit"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search"
	studiobleve "studio/internal/engine/search/bleve"
)

const (
	buildName = "bench_build"
	indexName = "releasebench"
)

type options struct {
	n, rounds, batch int
	dir, cpuProfile  string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1_000_000, "documents to release")
	flag.IntVar(&o.rounds, "rounds", 10, "parts of the documents the two sides take turns on")
	flag.IntVar(&o.batch, "batch", 1000, "documents per batch of the bare side")
	flag.StringVar(&o.dir, "dir", "", "working folder (default: a temporary one, removed at the end)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured rounds, both sides, to this file (go tool pprof -focus bareRound or -focus IndexDocs tells them apart)")
	flag.Parse()
	benchkit.Run("releasebench", func(ctx context.Context) error { return run(ctx, o) })
}

func run(ctx context.Context, o options) error {
	if o.n <= 0 || o.batch <= 0 {
		return fmt.Errorf("-n %d -batch %d: want at least one document and one per batch", o.n, o.batch)
	}
	dir, cleanup, err := benchkit.WorkDir(o.dir, "releasebench")
	if err != nil {
		return err
	}
	defer cleanup()
	o.dir = dir
	o.rounds = max(1, min(o.rounds, o.n))

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
	bounds := make([]int, o.rounds+1)
	for r := range o.rounds + 1 {
		bounds[r] = r * o.n / o.rounds
	}
	docBytes, err := prepare(ctx, store, bounds)
	if err != nil {
		return err
	}
	fmt.Printf("releasebench: %d CGI-shaped documents (%.0f bytes of JSON each on average) in a SQLite build of %d parts, prepared in %s; GOMAXPROCS %d\n",
		o.n, float64(docBytes)/float64(o.n), o.rounds, time.Since(t0).Round(time.Second), runtime.GOMAXPROCS(0))

	spec := benchSpec()
	tr, err := studiobleve.Translate(spec.Normalized())
	if err != nil {
		return err
	}
	bi, err := blevesearch.New(filepath.Join(o.dir, "bare"), tr.Mapping)
	if err != nil {
		return fmt.Errorf("bare index: %w", err)
	}
	defer bi.Close()
	eng, err := studiobleve.Open(filepath.Join(o.dir, "studio"))
	if err != nil {
		return err
	}
	defer eng.Close()
	if err := eng.CreateIndex(ctx, indexName, spec); err != nil {
		return err
	}
	studio, err := newStudioRelease(ctx, &activities.Activities{Hub: hubStore, Target: store, Search: eng})
	if err != nil {
		return err
	}
	stopProfile, err := benchkit.StartCPUProfile(o.cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()

	var bareRes, studioRes benchkit.Phase
	for r := range o.rounds {
		// The bare side's documents, decoded, made before its clock starts.
		docs := make([]benchDoc, 0, bounds[r+1]-bounds[r])
		for i := bounds[r]; i < bounds[r+1]; i++ {
			id, d := cgiDoc(i)
			docs = append(docs, benchDoc{id, d})
		}
		sides := []func() error{
			func() error { return bareRound(bi, docs, o.batch, &bareRes) },
			func() error { return studio.docs(r, bounds[r+1]-bounds[r], &studioRes) },
		}
		if r%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, side := range sides {
			if err := side(); err != nil {
				return err
			}
		}
		docs = nil
		runtime.GC()
	}
	if n, err := bi.DocCount(); err != nil || n != uint64(o.n) {
		return fmt.Errorf("the bare index holds %d documents (%v), want %d", n, err, o.n)
	}
	if err := studio.finish(o.n, &studioRes); err != nil {
		return err
	}

	fmt.Printf("\n%-34s %10s %9s %13s %9s\n", "", "time", "docs/s", "CPU", "peak RSS")
	for _, row := range []struct {
		name string
		p    benchkit.Phase
	}{{"bleve Batch.Index + Index.Batch", bareRes}, {"Studio IndexDocs + IndexFinish", studioRes}} {
		fmt.Printf("%-34s %10s %9.0f %8.1f µs/doc %9s\n", row.name, row.p.Took.Round(time.Millisecond), row.p.Rate(o.n),
			float64(row.p.CPU.Microseconds())/float64(o.n), benchkit.MiB(row.p.Peak))
	}
	fmt.Printf("\nratio Studio / bleve: %.2f (target >= 0.80)\n", studioRes.Rate(o.n)/bareRes.Rate(o.n))
	fmt.Printf("both indexes hold %d documents\n", o.n)
	return nil
}

// benchSpec is the released index of the CGI documents, with the mapping
// an inspection gives them.
func benchSpec() search.IndexSpec {
	text := map[string]any{"type": "text"}
	props := map[string]any{"cgi": map[string]any{"properties": map[string]any{
		"association":        benchkit.Keyword(false),
		"cdna":               benchkit.Keyword(false),
		"drug":               text,
		"evidence_level":     text,
		"gene":               benchkit.Keyword(true),
		"primary_tumor_type": text,
		"protein_change":     benchkit.Keyword(true),
		"region":             benchkit.Keyword(false),
		"source":             benchkit.Keyword(false),
		"transcript":         benchkit.Keyword(false),
	}}}
	return search.ReleaseSpec(props, map[string]any{"biothing_type": "variant", "build_version": "releasebench"}, 0, 0)
}

var (
	genes        = strings.Fields("ABL1 EGFR BRAF KRAS NRAS PIK3CA ERBB2 KIT PDGFRA ALK ROS1 MET RET FGFR1 FGFR2 FGFR3 IDH1 IDH2 JAK2 FLT3 NPM1 TP53 PTEN AKT1 MAP2K1 ESR1 AR BRCA1 BRCA2 ATM CDK4 CDKN2A CTNNB1 DDR2 EZH2 GNAQ GNA11 HRAS MTOR NOTCH1 NTRK1 PDGFRB SMO TSC1 TSC2 KDM6A SF3B1 DNMT3A MPL CALR")
	associations = []string{"Responsive", "Resistant", "Increased Toxicity", "Decreased Toxicity", "No Responsive", "Reduced sensitivity", "Increased Toxicity (Myelosupression)", "Responsive (Alternative pathway)"}
	evidence     = []string{"Pre-clinical", "Case report", "Early trials", "Late trials", "Clinical trials", "FDA guidelines", "NCCN guidelines", "European LeukemiaNet guidelines", "CPIC guidelines", "NCCN/CAP guidelines"}
	tumors       = []string{"Any cancer type", "Chronic myeloid leukemia", "Acute myeloid leukemia", "Lung adenocarcinoma", "Non-small cell lung", "Cutaneous melanoma", "Colorectal adenocarcinoma", "Breast adenocarcinoma", "Gastrointestinal stromal", "Thyroid carcinoma", "Glioma", "Ovary", "Prostate", "Bladder carcinoma", "Renal cell carcinoma", "Hepatic carcinoma", "Chronic myeloid leukemia;Acute lymphoblastic leukemia", "Myelodysplastic syndrome", "Head an neck squamous", "Endometrium"}
	drugNames    = strings.Fields("Imatinib Dasatinib Nilotinib Bosutinib Ponatinib Erlotinib Gefitinib Afatinib Osimertinib Vemurafenib Dabrafenib Trametinib Cetuximab Panitumumab Crizotinib Ceritinib Alectinib Sunitinib Sorafenib Everolimus Lapatinib Trastuzumab Olaparib Palbociclib Ruxolitinib Midostaurin Axitinib Cabozantinib")
	drugFamilies = []string{"BCR-ABL inhibitor 1st gen&KIT inhibitor", "BCR-ABL inhibitor 2nd gen", "EGFR inhibitor 1st gen", "EGFR inhibitor 3rd gen", "BRAF inhibitor", "MEK inhibitor", "EGFR mAb inhibitor", "ALK inhibitor", "Pan-TK inhibitor", "mTOR inhibitor", "ERBB2 inhibitor", "PARP inhibitor", "CDK4/6 inhibitor", "JAK inhibitor", "FLT3 inhibitor", "VEGFR inhibitor"}
	aminoAcids   = "ACDEFGHIKLMNPQRSTVWY"
	bases        = "ACGT"
)

// cgiDoc generates document i, the same on every run, with a distinct _id.
func cgiDoc(i int) (string, map[string]any) {
	r := rand.New(rand.NewPCG(uint64(i), 16))
	chr := 1 + i%22
	pos := 1_000_000 + i/22*97 + r.IntN(90)
	ref := bases[r.IntN(4)]
	alt := bases[(strings.IndexByte(bases, ref)+1+r.IntN(3))%4]
	id := fmt.Sprintf("chr%d:g.%d%c>%c", chr, pos, ref, alt)
	gene := r.IntN(len(genes))
	cdnaPos := 100 + r.IntN(4000)
	protein := fmt.Sprintf("%s:%c%d%c", genes[gene], aminoAcids[r.IntN(20)], cdnaPos/3, aminoAcids[r.IntN(20)])
	row := func() map[string]any {
		m := map[string]any{
			"association":        associations[r.IntN(len(associations))],
			"cdna":               fmt.Sprintf("c.%d%c>%c", cdnaPos, ref, alt),
			"drug":               fmt.Sprintf("%s (%s)", drugNames[r.IntN(len(drugNames))], drugFamilies[r.IntN(len(drugFamilies))]),
			"evidence_level":     evidence[r.IntN(len(evidence))],
			"gene":               genes[gene],
			"primary_tumor_type": tumors[r.IntN(len(tumors))],
			"protein_change":     protein,
			"region":             fmt.Sprintf("inside_[cds_in_exon_%d]", 1+r.IntN(30)),
			"transcript":         fmt.Sprintf("ENST%011d", 200000+gene*1733),
		}
		if r.IntN(5) > 0 { // some rows have no source: the parser sweeps empty cells
			if r.IntN(4) == 0 {
				m["source"] = "FDA"
			} else {
				m["source"] = fmt.Sprintf("PMID:%d", 10_000_000+r.IntN(20_000_000))
			}
		}
		return m
	}
	if r.IntN(3) > 0 {
		return id, map[string]any{"cgi": row()}
	}
	rows := make([]any, 2+r.IntN(5))
	for j := range rows {
		rows[j] = row()
	}
	return id, map[string]any{"cgi": rows}
}

type benchDoc struct {
	id  string
	doc map[string]any
}

func partName(r int) string { return fmt.Sprintf("%s_%d", buildName, r) }

// prepare writes the documents into the build's collections, one per part,
// and returns the bytes of their JSON.
func prepare(ctx context.Context, store docstore.Store, bounds []int) (int64, error) {
	var total int64
	for r := range len(bounds) - 1 {
		coll := store.C(partName(r))
		batch := make([]docstore.Doc, 0, 1000)
		for i := bounds[r]; i < bounds[r+1]; i++ {
			id, d := cgiDoc(i)
			src, _, err := search.MarshalDoc(d)
			if err != nil {
				return 0, fmt.Errorf("document %s: %w", id, err)
			}
			total += int64(len(src))
			d["_id"] = id
			batch = append(batch, d)
			if len(batch) == cap(batch) || i == bounds[r+1]-1 {
				if err := coll.Insert(ctx, batch); err != nil {
					return 0, fmt.Errorf("store the build: %w", err)
				}
				batch = batch[:0]
			}
		}
	}
	return total, nil
}

// bareRound indexes docs with Bleve's own batches.
func bareRound(bi blevesearch.Index, docs []benchDoc, size int, p *benchkit.Phase) error {
	return p.Measure(func() error {
		b := bi.NewBatch()
		for i, d := range docs {
			if err := b.Index(d.id, d.doc); err != nil {
				return fmt.Errorf("bare: document %s: %w", d.id, err)
			}
			if b.Size() >= size || i == len(docs)-1 {
				if err := bi.Batch(b); err != nil {
					return fmt.Errorf("bare: batch: %w", err)
				}
				b.Reset()
			}
		}
		return nil
	})
}

// studioRelease runs the release's activities as a worker would, in the
// Temporal SDK's test activity environment.
type studioRelease struct {
	a       *activities.Activities
	env     *testsuite.TestActivityEnvironment
	stats   activities.IndexStats
	started string
}

func newStudioRelease(ctx context.Context, a *activities.Activities) (*studioRelease, error) {
	var ts testsuite.WorkflowTestSuite
	ts.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := ts.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{BackgroundActivityContext: ctx})
	env.RegisterActivity(a)
	s := &studioRelease{a: a, env: env, started: time.Now().UTC().Format(time.RFC3339)}
	// A worker's first activity computes the binary's checksum, once per
	// process: done here, untimed, on a build without documents.
	if _, err := env.ExecuteActivity(a.IndexDocs, activities.IndexPlan{Build: buildName + "_empty", Index: indexName}); err != nil {
		return nil, fmt.Errorf("IndexDocs of an empty build: %w", err)
	}
	return s, nil
}

// docs runs IndexDocs on part r of the build.
func (s *studioRelease) docs(r, n int, p *benchkit.Phase) error {
	build := partName(r)
	plan := activities.IndexPlan{Build: build, Index: indexName, Total: int64(n), StartedAt: s.started}

	var st activities.IndexStats
	err := p.Measure(func() error {
		val, err := s.env.ExecuteActivity(s.a.IndexDocs, plan)
		if err != nil {
			return fmt.Errorf("IndexDocs of %s: %w", build, err)
		}
		return val.Get(&st)
	})
	if err != nil {
		return err
	}
	if st.Indexed != int64(n) || st.Rejected != 0 {
		return fmt.Errorf("IndexDocs of %s indexed %d and rejected %d documents (%v), want %d and 0", build, st.Indexed, st.Rejected, st.Samples, n)
	}
	s.stats.Indexed += st.Indexed
	s.stats.LastID = st.LastID
	return nil
}

// finish runs IndexFinish (refresh, count, record), timed with the Studio
// side.
func (s *studioRelease) finish(n int, p *benchkit.Phase) error {
	plan := activities.IndexPlan{Build: buildName, Index: indexName, Total: int64(n), StartedAt: s.started}
	var res activities.IndexResult
	err := p.Measure(func() error {
		val, err := s.env.ExecuteActivity(s.a.IndexFinish, activities.IndexFinishInput{Plan: plan, Stats: s.stats})
		if err != nil {
			return fmt.Errorf("IndexFinish: %w", err)
		}
		return val.Get(&res)
	})
	if err != nil {
		return err
	}
	if res.Count != int64(n) {
		return fmt.Errorf("IndexFinish counts %d documents in %s, want %d", res.Count, indexName, n)
	}
	return nil
}
