package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"

	"studio/internal/bench/benchkit"
)

// Vocabularies the rows pick from, so that values repeat as in the real
// file (a few hundred genes, drugs and tumour types) while ids do not.
var (
	genes = []string{"ABL1", "AKT1", "ALK", "APC", "AR", "ARAF", "ATM", "BRAF", "BRCA1", "BRCA2", "CDK4",
		"CDKN2A", "CTNNB1", "DDR2", "EGFR", "ERBB2", "ERBB3", "ESR1", "EZH2", "FGFR1", "FGFR2", "FGFR3",
		"FLT3", "GNA11", "GNAQ", "HRAS", "IDH1", "IDH2", "JAK2", "KIT", "KRAS", "MAP2K1", "MET", "MTOR",
		"NF1", "NOTCH1", "NRAS", "PDGFRA", "PIK3CA", "PTEN", "RET", "ROS1", "SMO", "STK11", "TP53", "TSC1"}
	associations = []string{"Responsive", "Resistant", "Increased Toxicity", "No Responsive"}
	curators     = []string{"CRubio-Perez", "DTamborero", "JDeu-Pons", "NLopez-Bigas"}
	drugs        = []string{"Nilotinib", "Dasatinib", "Imatinib", "Axitinib", "Vemurafenib", "Dabrafenib",
		"Trametinib", "Erlotinib", "Gefitinib", "Afatinib", "Osimertinib", "Crizotinib", "Lapatinib",
		"Trastuzumab", "Cetuximab", "Panitumumab", "Everolimus", "Olaparib", "Palbociclib", "Sorafenib"}
	families = []string{"BCR-ABL inhibitor 2nd gen", "VEGFR inhibitor", "BRAF inhibitor", "MEK inhibitor",
		"EGFR TK inhibitor", "ALK inhibitor", "ERBB2 inhibitor", "mTOR inhibitor", "PARP inhibitor"}
	statuses = []string{"Approved", "", "Clinical trial", "Pre-clinical"}
	evidence = []string{"European LeukemiaNet guidelines", "Pre-clinical", "FDA guidelines", "NCCN guidelines",
		"Late trials", "Early trials", "Case report"}
	tumours = []struct{ acronym, name string }{
		{"CML", "Chronic myeloid leukemia"}, {"CANCER", "Any cancer type"}, {"LUAD", "Lung adenocarcinoma"},
		{"CM", "Cutaneous melanoma"}, {"COREAD", "Colorectal adenocarcinoma"}, {"BRCA", "Breast adenocarcinoma"},
		{"GIST", "Gastrointestinal stromal"}, {"NSCLC", "Non-small cell lung"}, {"OV", "Ovary"},
		{"PRAD", "Prostate"}, {"THCA", "Thyroid"}, {"AML", "Acute myeloid leukemia"},
	}
	aminos = "ACDEFGHIKLMNPQRSTVWY"
	bases  = "ACGT"
)

// version describes one release of the generated file. Version 1 has rows
// rows; version 2 changes the association of every 100th row, drops every
// 1000th and adds rows/1000 rows with new ids, so a diff of the two builds
// touches about 1.2% of the documents.
type version int

// row appends row i of the version, without its line end; ok is false when
// the version drops the row.
func (v version) row(b []byte, i int) ([]byte, bool) {
	if v >= 2 && i%1000 == 13 {
		return b, false
	}
	h := mix(uint64(i))
	pick := func(n int) int { r := int(h % uint64(n)); h = h/uint64(n) ^ mix(h); return r }
	gene := genes[pick(len(genes))]
	chrom := i%23 + 1 // the rows rotate over chromosomes: ids are unique but not sorted
	chr := strconv.Itoa(chrom)
	if chrom == 23 {
		chr = "X"
	}
	pos := 100000 + (i/23)*17 + pick(17)
	refIdx := pick(4)
	ref, alt := bases[refIdx], bases[(refIdx+1+pick(3))%4]
	aa := pick(900) + 1
	from, to := aminos[pick(20)], aminos[pick(20)]
	change := fmt.Sprintf("%c%d%c", from, aa, to)
	assoc := associations[pick(len(associations))]
	if v >= 2 && i%100 == 7 {
		assoc = "Responsive (updated)"
	}
	d1 := drugs[pick(len(drugs))]
	fam := families[pick(len(families))]
	tum := tumours[pick(len(tumours))]
	cpos := aa*3 - pick(3)
	cols := []string{
		gene + ":" + change, "MUT", "", assoc, gene + " (" + change + ")", curators[pick(len(curators))],
		"[" + d1 + "]", "[" + fam + "]", d1 + " (" + fam + ")", statuses[pick(len(statuses))],
		evidence[pick(len(evidence))], gene, "", tum.acronym, "PMID:" + strconv.Itoa(20000000+pick(9000000)), "",
		fmt.Sprintf("chr%s:g.%d%c>%c", chr, pos, ref, alt), fmt.Sprintf("c.%d%c>%c", cpos, ref, alt),
		gene + ":" + change, "CSQN=Missense;source=Ensembl",
		fmt.Sprintf("inside_[cds_in_exon_%d]", pick(30)+1), "+-"[pick(2):][:1],
		fmt.Sprintf("ENST%011d", pick(1000000)), tum.name,
	}
	for j, c := range cols {
		if j > 0 {
			b = append(b, '\t')
		}
		b = append(b, c...)
	}
	return b, true
}

// added appends the k-th row that version 2 adds (a new id on chromosome Y).
func (v version) added(b []byte, k int) []byte {
	b, _ = version(1).row(b, k)
	// Replace the gDNA column (the 17th) with a fresh id.
	cols, start, n := 0, 0, len(b)
	for j := 0; j < n; j++ {
		if b[j] != '\t' {
			continue
		}
		cols++
		if cols == 16 {
			start = j + 1
		}
		if cols == 17 {
			id := fmt.Sprintf("chrY:g.%dA>G", 50000+k)
			out := append([]byte{}, b[:start]...)
			out = append(out, id...)
			return append(out, b[j:]...)
		}
	}
	return b
}

// mix is a 64-bit finaliser (splitmix64): row i's pseudo-random choices
// depend on i only, so every run writes the same file.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// writeTSV writes version v of an n-row file to path and returns the rows
// (documents) written and the file's size.
func writeTSV(path string, n int, v version) (rows int64, size int64, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, fmt.Errorf("create %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for j, h := range benchkit.CGIColumns {
		if j > 0 {
			w.WriteByte('\t')
		}
		w.WriteString(h)
	}
	w.WriteByte('\n')
	var b []byte
	for i := range n {
		var ok bool
		if b, ok = v.row(b[:0], i); ok {
			b = append(b, '\n')
			w.Write(b)
			rows++
		}
	}
	if v >= 2 {
		for k := range n / 1000 {
			b = append(v.added(b[:0], k), '\n')
			w.Write(b)
			rows++
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, 0, fmt.Errorf("write %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, 0, err
	}
	return rows, st.Size(), f.Close()
}

// manifest is the plugin's manifest.json: a dumper of the served file and
// the tutorial's declarative parser, which groups rows by _id.
// A groupMB above 0 sets the group's max_memory_mb.
func manifest(dataURL string, groupMB int) string {
	group := `{"path": "cgi", "mode": "list"}`
	if groupMB > 0 {
		group = fmt.Sprintf(`{"path": "cgi", "mode": "list", "max_memory_mb": %d}`, groupMB)
	}
	return `{
  "version": "0.1",
  "display_name": "CGI-shaped scale benchmark",
  "__metadata__": {"license": "CC0", "url": "http://127.0.0.1/", "description": "generated by internal/bench/scalebench"},
  "dumper": {"data_url": "` + dataURL + `"},
  "uploader": {
    "parser": {
      "format": "tsv",
      "file": "` + benchkit.CGIFile + `",
      "id": "{gDNA}",
      "where": [
        {"column": "Alteration type", "eq": "MUT"},
        {"column": "gDNA", "empty": false}
      ],
      "fields": {
        "cgi.association": "Association",
        "cgi.cdna": "cDNA",
        "cgi.drug": "Drug full name",
        "cgi.evidence_level": "Evidence level",
        "cgi.gene": "Gene",
        "cgi.primary_tumor_type": "Primary Tumor type",
        "cgi.protein_change": "individual_mutation",
        "cgi.region": "region",
        "cgi.source": "Source",
        "cgi.transcript": "transcript"
      },
      "group": ` + group + `
    },
    "on_duplicates": "error"
  }
}
`
}
