"""Parser of the BioThings Studio tutorial's CGI data plugin.

One document per variant (gDNA) of type MUT. Rows are grouped by _id in
file order: a variant on one row gets that row as its "cgi" dict; a variant
on several rows gets the list of their dicts, in file order, exact
duplicates removed (the first kept); when only one remains, that dict.
"""

import csv
import os

from biothings.utils.dataload import dict_sweep, open_anyfile

# document field -> TSV column
FIELDS = [
    ("association", "Association"),
    ("cdna", "cDNA"),
    ("drug", "Drug full name"),
    ("evidence_level", "Evidence level"),
    ("gene", "Gene"),
    ("primary_tumor_type", "Primary Tumor type"),
    ("protein_change", "individual_mutation"),
    ("region", "region"),
    ("source", "Source"),
    ("transcript", "transcript"),
]


def load_data(data_folder):
    infile = os.path.join(data_folder, "cgi_biomarkers_per_variant.tsv")
    assert os.path.exists(infile), "missing input file %s" % infile
    results = {}
    with open_anyfile(infile) as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader)
        col = {name: i for i, name in enumerate(header)}
        for row in reader:
            if row[col["Alteration type"]] != "MUT":
                continue
            _id = row[col["gDNA"]]
            if not _id:
                continue
            doc = {"_id": _id, "cgi": {field: row[col[column]] for field, column in FIELDS}}
            doc = dict_sweep(doc, vals=["", None])
            results.setdefault(_id, []).append(doc.get("cgi", {}))
    for _id, rows in results.items():
        unique = []
        for r in rows:
            if r not in unique:
                unique.append(r)
        yield {"_id": _id, "cgi": unique[0] if len(unique) == 1 else unique}
