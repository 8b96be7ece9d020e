package benchkit

// CGIFile is the name of the Cancer Genome Interpreter's biomarkers file,
// the data source of the BioThings tutorial, that the tutorial's parser
// reads from its data folder.
const CGIFile = "cgi_biomarkers_per_variant.tsv"

// CGIColumns are the 24 columns of CGIFile, in its order. The benchmarks
// that generate CGI-shaped rows write this header; their rows differ on
// purpose (each is shaped for what its benchmark checks).
var CGIColumns = []string{
	"Alteration", "Alteration type", "Assay type", "Association", "Biomarker", "Curator",
	"Drug", "Drug family", "Drug full name", "Drug status", "Evidence level", "Gene",
	"Metastatic Tumor Type", "Primary Tumor acronym", "Source", "Targeting", "gDNA", "cDNA",
	"individual_mutation", "info", "region", "strand", "transcript", "Primary Tumor type",
}
