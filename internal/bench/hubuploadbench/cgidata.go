package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"studio/internal/bench/benchkit"
)

type cgiGene struct {
	name, chrom string
	base        int
	transcript  string
	strand      string
}

// Positions of one gene are base + 3k for its k-th variant, so _ids stay
// unique for millions of rows (the closest bases, KIT and PDGFRA, are
// 428 kb apart).
var cgiGenes = []cgiGene{
	{"ABL1", "9", 133589000, "ENST00000318560", "+"},
	{"BRAF", "7", 140713000, "ENST00000288602", "-"},
	{"EGFR", "7", 55019000, "ENST00000275493", "+"},
	{"KRAS", "12", 25205000, "ENST00000256078", "-"},
	{"TP53", "17", 7661000, "ENST00000269305", "-"},
	{"PIK3CA", "3", 179148000, "ENST00000263967", "+"},
	{"KIT", "4", 54657000, "ENST00000288135", "+"},
	{"ALK", "2", 29192000, "ENST00000389048", "-"},
	{"ERBB2", "17", 39687000, "ENST00000269571", "+"},
	{"IDH1", "2", 208236000, "ENST00000345146", "-"},
	{"NRAS", "1", 114704000, "ENST00000369535", "-"},
	{"MET", "7", 116672000, "ENST00000397752", "+"},
	{"FGFR3", "4", 1793000, "ENST00000440486", "+"},
	{"PDGFRA", "4", 54229000, "ENST00000257290", "+"},
	{"JAK2", "9", 4985000, "ENST00000381652", "+"},
	{"ESR1", "6", 151690000, "ENST00000206249", "+"},
}

type cgiDrug struct{ drug, family, full string }

var cgiDrugs = []cgiDrug{
	{"Imatinib", "BCR-ABL inhibitor 1st gen", "Imatinib (BCR-ABL inhibitor 1st gen&KIT inhibitor)"},
	{"[Nilotinib,Dasatinib]", "[BCR-ABL inhibitor 2nd gen]", "BCR-ABL inhibitor 2nd gens (Nilotinib,Dasatinib,etc)"},
	{"Vemurafenib", "BRAF inhibitor", "Vemurafenib (BRAF inhibitor)"},
	{"Erlotinib", "EGFR TK inhibitor", "Erlotinib (EGFR TK inhibitor)"},
	{"Cetuximab", "EGFR mAb inhibitor", "Cetuximab (EGFR mAb inhibitor)"},
	{"Trastuzumab", "ERBB2 mAb inhibitor", "Trastuzumab (ERBB2 mAb inhibitor)"},
	{"Alpelisib", "PI3K pathway inhibitor", "Alpelisib (PI3K pathway inhibitor)"},
	{"Crizotinib", "ALK inhibitor", "Crizotinib (ALK inhibitor)"},
	{"Ivosidenib", "IDH1 inhibitor", "Ivosidenib (IDH1 inhibitor)"},
	// A ligature: the parser's NFKD normalisation turns it into "fi".
	{"Fulvestrant", "Hormonal therapy", "Fulvestrant (Hormonal therapy, ﬁrst line)"},
}

// Tumour types; two need the parser's NFKD normalisation (ö, ´).
var cgiTumors = [][2]string{
	{"CML", "Chronic myeloid leukemia"},
	{"NSCLC", "Non-small cell lung"},
	{"CM", "Cutaneous melanoma"},
	{"COREAD", "Colorectal adenocarcinoma"},
	{"BRCA", "Breast adenocarcinoma"},
	{"GIST", "Gastrointestinal stromal"},
	{"CANCER", "Any cancer type"},
	{"WM", "Waldenström macroglobulinemia"},
	{"AML", "Acute myeloid leukemia"},
	{"ES", "Ewing´s sarcoma"},
}

var (
	cgiAssociations = []string{"Responsive", "Resistant", "No Responsive", "Increased Toxicity (Haemotological)"}
	cgiEvidence     = []string{"FDA guidelines", "NCCN guidelines", "European LeukemiaNet guidelines", "Late trials", "Early trials", "Case report", "Pre-clinical"}
	cgiCurators     = []string{"CRubio-Perez", "DTamborero", "JDeu-Pons"}
	cgiBases        = []string{"A", "C", "G", "T"}
	cgiAminoAcids   = []string{"A", "R", "N", "D", "C", "Q", "E", "G", "H", "I", "L", "K", "M", "F", "P", "S", "T", "W", "Y", "V"}
	// rows per variant, cycled: 1.875 on average (the real file has 3.2
	// rows per MUT variant; fewer rows per variant give more documents).
	cgiRowsPerVariant = []int{1, 2, 1, 3, 1, 1, 4, 2}
)

// cgiStats describes a generated file.
type cgiStats struct {
	Rows       int   // data rows, duplicates included
	Duplicates int   // rows repeating the previous line exactly
	Variants   int   // variants written (any alteration type)
	Docs       int   // documents the tutorial's parser yields: MUT variants with a gDNA
	Bytes      int64 // file size
}

// writeCGI writes a CGI-shaped TSV of rows data rows into path. The same
// rows always give the same file. Variants come in groups of 1 to 4 rows
// (one per drug), every ninth variant is a copy-number alteration or a
// fusion (no gDNA, skipped by the parser), every 31st mutation lacks its
// gDNA, every 40th row is followed by an exact duplicate line, and some
// cells are empty or "N/A" (swept by the parser).
func writeCGI(path string, rows int) (cgiStats, error) {
	var st cgiStats
	f, err := os.Create(path)
	if err != nil {
		return st, fmt.Errorf("generate %s: %w", path, err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(strings.Join(benchkit.CGIColumns, "\t"))
	w.WriteByte('\n')
	cells := make([]string, len(benchkit.CGIColumns))
	for v := 0; st.Rows < rows; v++ {
		st.Variants++
		docOK := false
		for j := 0; j < cgiRowsPerVariant[v%len(cgiRowsPerVariant)] && st.Rows < rows; j++ {
			if cgiRow(cells, v, j) {
				docOK = true
			}
			line := strings.Join(cells, "\t")
			w.WriteString(line)
			w.WriteByte('\n')
			st.Rows++
			if st.Rows%40 == 0 && st.Rows < rows {
				w.WriteString(line)
				w.WriteByte('\n')
				st.Rows++
				st.Duplicates++
			}
		}
		if docOK {
			st.Docs++
		}
	}
	if err := w.Flush(); err != nil {
		return st, fmt.Errorf("generate %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return st, err
	}
	st.Bytes = fi.Size()
	return st, f.Close()
}

// cgiRow fills cells with row j of variant v and reports whether the
// parser makes a document of it (a MUT row with a gDNA).
func cgiRow(cells []string, v, j int) bool {
	g := cgiGenes[v%len(cgiGenes)]
	k := v / len(cgiGenes)
	ref := k % 4
	alt := (ref + 1 + (v/7)%3) % 4
	pos := g.base + 3*k
	aaPos := 100 + k%900
	protein := cgiAminoAcids[k%20] + strconv.Itoa(aaPos) + cgiAminoAcids[(k+7)%20]
	drug := cgiDrugs[(v+5*j)%len(cgiDrugs)]
	tumor := cgiTumors[(v+2*j)%len(cgiTumors)]
	set := func(col, val string) { cells[cgiIndex[col]] = val }
	for i := range cells {
		cells[i] = ""
	}
	set("Association", cgiAssociations[(v+j)%len(cgiAssociations)])
	set("Curator", cgiCurators[(v+j)%len(cgiCurators)])
	set("Drug", drug.drug)
	set("Drug family", drug.family)
	set("Drug full name", drug.full)
	if (v+j)%3 == 0 {
		set("Drug status", "Approved")
	}
	set("Evidence level", cgiEvidence[(3*v+j)%len(cgiEvidence)])
	set("Gene", g.name)
	set("Primary Tumor acronym", tumor[0])
	switch {
	case (v+j)%11 == 10:
	case (v+j)%17 == 16:
		set("Primary Tumor type", "N/A")
	default:
		set("Primary Tumor type", tumor[1])
	}
	set("Source", "PMID:"+strconv.Itoa(20000000+10*v+j))
	set("strand", g.strand)

	switch v % 9 {
	case 4: // a fusion
		set("Alteration", g.name+"__ABL1")
		set("Alteration type", "FUS")
		set("Biomarker", g.name+"-ABL1 fusion")
		return false
	case 8: // a copy-number alteration
		set("Alteration", g.name+":amp")
		set("Alteration type", "CNA")
		set("Biomarker", g.name+" amplification")
		return false
	}
	set("Alteration", g.name+":"+protein)
	set("Alteration type", "MUT")
	set("Biomarker", g.name+" ("+protein+")")
	set("cDNA", "c."+strconv.Itoa(200+3*k)+cgiBases[ref]+">"+cgiBases[alt])
	set("individual_mutation", g.name+":"+protein)
	set("info", "CSQN=Missense;reference_codon=ACT;candidate_codons=ATC,ATA;aliases=ENSP"+strconv.Itoa(300000+v%1000)+";source=Ensembl")
	if (v+j)%13 == 12 {
		set("region", "N/A")
	} else {
		set("region", "inside_[cds_in_exon_"+strconv.Itoa(1+k%20)+"]")
	}
	if v%19 != 18 {
		set("transcript", g.transcript)
	}
	if v%31 == 30 {
		return false // a mutation without its gDNA: skipped
	}
	set("gDNA", "chr"+g.chrom+":g."+strconv.Itoa(pos)+cgiBases[ref]+">"+cgiBases[alt])
	return true
}

var cgiIndex = func() map[string]int {
	m := make(map[string]int, len(benchkit.CGIColumns))
	for i, c := range benchkit.CGIColumns {
		m[c] = i
	}
	return m
}()
