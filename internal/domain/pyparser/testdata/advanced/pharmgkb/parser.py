"""The tutorial's PharmGKB parser, reading the TSVs with csv instead of pandas."""

import csv
import os
import re

from biothings import config
from biothings.utils.dataload import dict_convert, dict_sweep

logging = config.logger


def process_key(k):
    return k.replace(" ", "_").lower()


def _rows(path):
    with open(path, newline="") as f:
        yield from csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)


def load_annotations(data_folder):
    infile = os.path.join(data_folder, "var_drug_ann.tsv")
    assert os.path.exists(infile)
    results = {}
    for rec in _rows(infile):
        if not rec["Gene"]:
            logging.warning("No gene information for annotation ID '%s'", rec["Annotation ID"])
            continue
        _id = re.match(r".* \((.*?)\)", rec["Gene"]).groups()[0]
        rec = dict_convert(rec, keyfn=process_key)
        rec = dict_sweep(rec, vals=[""])
        results.setdefault(_id, []).append(rec)
    for _id, docs in results.items():
        yield {"_id": _id, "annotations": docs}


def load_druglabels(data_folder):
    infile = os.path.join(data_folder, "drugLabels.byGene.tsv")
    assert os.path.exists(infile)
    for rec in _rows(infile):
        label_ids = rec.pop("Label IDs").split(";")
        label_names = rec.pop("Label Names").split(";")
        assert len(label_ids) == len(label_names)
        labels = [{"id": i, "name": n} for i, n in zip(label_ids, label_names)]
        yield {"_id": rec["Gene ID"], "drug_labels": labels}


def load_occurrences(data_folder):
    infile = os.path.join(data_folder, "occurrences.tsv")
    assert os.path.exists(infile)
    results = {}
    for rec in _rows(infile):
        if rec["Object Type"] != "Gene":
            continue
        _id = rec["Object ID"]
        rec = dict_convert(rec, keyfn=process_key)
        results.setdefault(_id, []).append(rec)
    for _id, docs in results.items():
        yield {"_id": _id, "occurrences": docs}
