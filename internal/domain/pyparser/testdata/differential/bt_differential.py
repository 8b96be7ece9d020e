"""Differential test of Studio's biothings package against the real one.

Run by internal/pyparser/differential_test.go with the reference
interpreter (bin/pyref/bin/python, where biothings==1.2.2 is installed):

    bin/pyref/bin/python bt_differential.py --ours <runner folder> [--seed N] [--cases N]

Studio's package (<runner folder>/biothings) is loaded under the name
studio_biothings beside the real biothings package, in the same process.
For every public function of biothings.utils.dataload, .common (the local
helpers), .dotfield, .dotstring and .storage, inputs are generated from a
seed (NaN, None, nested lists and dicts, unicode, numbers in strings, empty
values, duplicates, files in several compressions, ...), and each call is
made on both sides with its own deep copy of the inputs. The two sides
must agree on the returned value (types included, and which argument it
is), on the arguments afterwards (changes in place), on what is printed,
on the files written, and on the exception type when one is raised.

Also checked: every public name of the real modules exists in Studio's
(except the few listed in MISSING_OK), every public function of theirs is
compared or listed in NOT_COMPARED with the reason, and biothings.config
has every setting of biothings.hub.default_config, with BioThings' default
where that is a plain value (except CONFIG_DIFFERENCES).

Cases where Studio differs on purpose are excluded by EXCLUSIONS, each with
its reason; internal/pyparser/README.md documents them. The summary gives
functions x cases; every mismatch is printed, and the exit status is 1 when
there is any.
"""

import argparse
import ast
import builtins
import bz2
import collections
import collections.abc
import contextlib
import copy
import datetime
import gzip
import importlib
import importlib.util
import io
import json
import logging
import lzma
import math
import os
import pickle
import random
import shutil
import sys
import tarfile
import tempfile
import time
import types
import zipfile

OURS = "studio_biothings"
MODULES = ("dataload", "common", "dotfield", "dotstring", "storage")


# ---------------------------------------------------------------- loading both packages


def load_ours(runner_dir):
    pkg_dir = os.path.join(runner_dir, "biothings")
    spec = importlib.util.spec_from_file_location(
        OURS, os.path.join(pkg_dir, "__init__.py"), submodule_search_locations=[pkg_dir]
    )
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[OURS] = pkg
    spec.loader.exec_module(pkg)
    return types.SimpleNamespace(
        name="ours", pkg=pkg, **{m: importlib.import_module("%s.utils.%s" % (OURS, m)) for m in MODULES}
    )


def load_real():
    import biothings

    if getattr(biothings, "__studio__", False):
        sys.exit("the real biothings package is not the one imported (%s): run with the reference interpreter" % biothings.__file__)
    if biothings.__version__ != "1.2.2":
        sys.exit("the reference is biothings 1.2.2, not %s" % biothings.__version__)
    mods = {}
    for m in MODULES:
        mods[m] = importlib.import_module("biothings.utils.%s" % m) if m != "storage" else None
    return types.SimpleNamespace(name="real", pkg=biothings, **mods)


def load_real_storage():
    # biothings.utils.storage imports pymongo and the hub database at import
    # time; only its get_storage_class is a pure function. Run that one
    # function from the module's source, without its imports.
    import biothings

    path = os.path.join(os.path.dirname(biothings.__file__), "utils", "storage.py")
    tree = ast.parse(open(path, encoding="utf-8").read())
    fn = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "get_storage_class"]
    ns = {}
    exec(compile(ast.Module(body=fn, type_ignores=[]), path, "exec"), ns)
    return types.SimpleNamespace(get_storage_class=ns["get_storage_class"])


# ---------------------------------------------------------------- inputs

NAN = float("nan")
INF = float("inf")

TEXTS = [
    "", " ", "  ", ".", "-", "NA", "none", "None", "null", "Not Available", "unknown", "nan", "NaN", "-nan",
    "inf", "-Infinity", "0", "1", "01", "-3", "+7", " 42 ", "1.5", "-0.0", "1e3", "1E-2", "1_000", "0x1F",
    "\u0661\u0662\u0663", "\u00b2", "true", "True", "TRUE", "yes", "Y", "y", "no", "N", "f", "t", "\u00e9",
    "\u65e5\u672c\u8a9e", "a.b", "a|b| c ", "x,y,", "a b", "\t", "line\n", "\U0001F600", "Gene", "rs123",
    "chr1:g.123A>T", "ABL1", "x",
]
NUMBERS = [0, 1, -1, 2, 7, 10**20, -(10**30), 0.0, -0.0, 1.5, -2.25, 1e300, 5e-324, NAN, INF, -INF]
SPECIALS = [None, True, False]
KEYS = ["a", "b", "c", "_id", "gene", "name", "x", "A b", "a.b", "b.c", "", "\u00e9", "NA", "1", "ids"]
ODD_KEYS = [1, 2.5, None, True, ("t", 1)]


class Gen:
    """Deterministic inputs from a seed."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def chance(self, p):
        return self.r.random() < p

    def scalar(self):
        x = self.r.random()
        if x < 0.5:
            return self.pick(TEXTS)
        if x < 0.8:
            return self.pick(NUMBERS)
        if x < 0.95:
            return self.pick(SPECIALS)
        return self.pick([b"bytes", (1, "t"), ("a",), 3 + 4j])

    def key(self, odd=0.0):
        return self.pick(ODD_KEYS) if self.chance(odd) else self.pick(KEYS)

    def value(self, depth=2, odd=0.0):
        x = self.r.random()
        if depth <= 0 or x < 0.5:
            return self.scalar()
        if x < 0.78:
            return self.list(depth - 1, odd)
        return self.dict(depth - 1, odd=odd)

    def list(self, depth=1, odd=0.0, n=None):
        n = self.r.randint(0, 4) if n is None else n
        out = []
        for _ in range(n):
            if out and self.chance(0.25):
                out.append(copy.deepcopy(self.pick(out)))  # duplicates
            else:
                out.append(self.value(depth, odd))
        return out

    def dict(self, depth=2, odd=0.0, n=None):
        n = self.r.randint(0, 5) if n is None else n
        return {self.key(odd): self.value(depth, odd) for _ in range(n)}

    def text_list(self, n=None):
        n = self.r.randint(0, 4) if n is None else n
        return [self.pick(TEXTS) for _ in range(n)]

    def dotted(self, depth=3):
        return ".".join(self.pick(["a", "b", "c", "x", "gene", "_id", "name", "ids"]) for _ in range(self.r.randint(1, depth)))


# Functions handed to the helpers: the same objects on both sides.
def _identity(v):
    return v


def _upper(v):
    return v.upper()


def _double(v):
    return v * 2


def _type_name(v):
    return type(v).__name__


def _key_clean(k):
    return k.replace(" ", "_").lower()


def _key_prefix(k):
    return "p_" + str(k)


def _pair_same(k, v):
    return k, v


def _pair_upper(k, v):
    return str(k).upper(), v


def _pair_text(k, v):
    return k + "_x", str(v)


def _pair_collide(k, v):
    return "same", v


def _row_long(row):
    return len(row) > 1


def _row_not_x(row):
    return row[0] != "x"


def _cmp_len(a, b):
    return len(str(a)) - len(str(b))


def _neg_key(pair):
    return str(pair[0])


VALUE_FNS = [str, _identity, _upper, _double, _type_name, bool]
KEY_FNS = [str, _identity, _key_clean, _key_prefix, str.lower]
PAIR_FNS = [_pair_same, _pair_upper, _pair_text, _pair_collide]


class Loader:
    """An object with load_data(), as unique_ids wants (a parser module)."""

    def __init__(self, docs):
        self.docs = docs

    def load_data(self):
        return iter(self.docs)


# ---------------------------------------------------------------- files

WS = "{WS}"


def w(*parts):
    return os.path.join(WS, *parts)


def table_text(g, sep="\t"):
    lines = []
    ncols = g.r.randint(1, 4)
    for i in range(g.r.randint(0, 7)):
        if g.chance(0.1):
            lines.append("")
            continue
        n = ncols if g.chance(0.85) else g.r.randint(1, 5)
        cells = []
        for _ in range(n):
            c = g.pick(["x", "a", "b", "1", "2.5", "", "NA", "\u00e9\u00e8", '"q"', '"a%sb"' % sep, "k1", "k2", "k1"])
            cells.append(c)
        lines.append(sep.join(cells))
    text = "\n".join(lines)
    if g.chance(0.8):
        text += "\n"
    return text


def write_file(path, data, kind):
    """Write data (text) at path, compressed as kind says."""
    raw = data.encode("utf-8")
    if kind == "gz":
        with gzip.open(path, "wb") as f:
            f.write(raw)
    elif kind == "xz":
        with lzma.open(path, "wb") as f:
            f.write(raw)
    elif kind == "bz2":
        with bz2.open(path, "wb") as f:
            f.write(raw)
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("inner.tsv", raw)
            z.writestr("other.txt", b"other\n")
    elif kind in ("tar", "tar.gz", "tar.xz"):
        mode = {"tar": "w", "tar.gz": "w:gz", "tar.xz": "w:xz"}[kind]
        with tarfile.open(path, mode) as t:
            info = tarfile.TarInfo("inner.tsv")
            info.size = len(raw)
            t.addfile(info, io.BytesIO(raw))
            d = tarfile.TarInfo("sub")
            d.type = tarfile.DIRTYPE
            t.addfile(d)
    elif kind == "tar.zst":
        import zstandard

        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as t:
            info = tarfile.TarInfo("inner.tsv")
            info.size = len(raw)
            t.addfile(info, io.BytesIO(raw))
        with open(path, "wb") as f:
            f.write(zstandard.ZstdCompressor().compress(buf.getvalue()))
    else:
        with open(path, "wb") as f:
            f.write(raw)


FILE_KINDS = {
    "plain": ("data.tsv", None),
    "gz": ("data.tsv.gz", None),
    "xz": ("data.tsv.xz", None),
    "bz2": ("data.tsv.bz2", None),
    "zip": ("data.zip", "inner.tsv"),
    "tar": ("data.tar", "inner.tsv"),
    "tar.gz": ("data.tar.gz", "inner.tsv"),
    "tar.xz": ("data.tar.xz", "inner.tsv"),
    "tar.zst": ("data.tar.zst", "inner.tsv"),
}


def data_file(g, text, kinds=("plain", "plain", "plain", "plain", "gz", "gz", "xz", "zip", "tar.gz", "bz2", "tar", "tar.zst")):
    """(files spec, path argument) for a data file holding text, in a random kind."""
    kind = g.pick(list(kinds))
    name, member = FILE_KINDS[kind]
    files = {name: (text, kind)}
    if member is None:
        return files, w(name)
    if g.chance(0.2):
        return files, w(name)  # BioThings then looks for a member named like the archive
    return files, (w(name), member if g.chance(0.9) else "missing.tsv")


# ---------------------------------------------------------------- cases


class Case:
    """One call, made on both sides.

    call(side, inp) does the call with inp (a deep copy, with {WS} replaced
    by the side's own folder). files maps names to (text, kind) written into
    that folder first. When plain is true, inp is (args, kwargs) and the
    outcome notes which argument the result is.
    """

    def __init__(self, fn, inp, call, files=None, plain=False, answers=None, now=None):
        self.fn = fn
        self.inp = inp
        self.call = call
        self.files = files
        self.plain = plain
        self.answers = answers
        self.now = now


def plain(module, name, *args, **kwargs):
    def call(side, inp):
        a, kw = inp
        return getattr(getattr(side, module), name)(*a, **kw)

    return Case("%s.%s" % (module, name), (list(args), kwargs), call, plain=True)


def with_files(case, files):
    case.files = files
    return case


def custom(fn, inp, call, **kw):
    return Case(fn, inp, call, **kw)


def dataload_cases(g, n):
    c = []
    sweep_vals = [None, None, [], ["", None], [NAN], "NA", [0], ["NA", "x"], [[]], ("-",), [None], {"": 1}]
    for _ in range(n):
        kw = {}
        if g.chance(0.6):
            kw["vals"] = copy.deepcopy(g.pick(sweep_vals))
        if g.chance(0.5):
            kw["remove_invalid_list"] = g.chance(0.5)
        c.append(plain("dataload", "dict_sweep", g.dict(3), **kw))
    for name in ("to_int", "to_float", "to_number"):
        for _ in range(n):
            c.append(plain("dataload", name, g.scalar()))
    for _ in range(n):
        c.append(plain("dataload", "safe_type", g.pick([int, float, str, _upper, _double]), g.scalar()))
    for _ in range(n):
        args = [g.scalar()]
        if g.chance(0.3):
            args.append(g.pick([None, {"oui"}, ["1", "x"], set()]))
            if g.chance(0.5):
                args.append(g.pick([None, {"non"}, ["0"]]))
        c.append(plain("dataload", "to_boolean", *args))
    for _ in range(n):
        keys = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
        args = [g.dict(3), keys] if g.chance(0.9) else [g.dict(2)]
        kw = {"level": g.pick([0, 0, 1])} if g.chance(0.2) else {}
        c.append(plain("dataload", "boolean_convert", *args, **kw))
    for name in ("float_convert", "int_convert"):
        for _ in range(n):
            kw = {}
            if g.chance(0.4):
                kw["include_keys"] = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
            if g.chance(0.4):
                kw["exclude_keys"] = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
            c.append(plain("dataload", name, g.dict(3), **kw))
    for _ in range(n):
        db = g.pick(["db", "x"])
        rows = [{db: g.dict(1), "_id": "r%d" % i} for i in range(g.r.randint(0 if g.chance(0.1) else 1, 4))]
        if rows and g.chance(0.3):
            rows.append(copy.deepcopy(rows[0]))
        c.append(plain("dataload", "merge_duplicate_rows", rows, db if g.chance(0.95) else "nope"))
    for _ in range(n // 4):
        docs = [g.pick([{"_id": g.pick(["a", "b", "c"])}, {"_id": g.pick(["a", "b"]), "v": g.scalar()}, {}]) for _ in range(g.r.randint(0, 5))]
        c.append(plain("dataload", "unique_ids", Loader(docs)))
    for _ in range(n):
        c.append(plain("dataload", "unlist", g.dict(3)))
    for _ in range(n):
        kw = {}
        if g.chance(0.5):
            kw["include_keys"] = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
        if g.chance(0.5):
            kw["exclude_keys"] = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
        c.append(plain("dataload", "unlist_incexcl", g.dict(3, odd=0.05), **kw))
    for _ in range(n):
        c.append(plain("dataload", "list_split", g.dict(2), g.pick(["|", ",", ";", " ", "a"])))
    for _ in range(n // 2):
        c.append(plain("dataload", "id_strip", g.pick(["a|b", " a | b |", "", "x", "|", "a||b "]) if g.chance(0.9) else g.scalar()))
    for _ in range(n // 2):
        li = g.pick([[], [], g.list(1), [["a", 1], ("b", 2)]])
        c.append(plain("dataload", "llist", li, **({"sep": ","} if g.chance(0.5) else {})))
    for _ in range(n):
        seq = g.pick([g.list(0, n=g.r.randint(0, 5)), tuple(g.list(0, n=3)), "abcdef"])
        idx = [g.r.randint(-3, 5) for _ in range(g.r.randint(0, 3))]
        c.append(plain("dataload", "listitems", seq, *idx))
    for mod in ("dataload", "common"):
        for _ in range(n):
            width = g.r.randint(1, 4)
            rows = []
            for _ in range(g.r.randint(0, 6)):
                row = [g.pick(["A", "B", "a", "b", 1, 2, "A"]) for _ in range(width)]
                rows.append(tuple(row) if g.chance(0.3) else row)
            keyitem = g.pick([0, 0, 1, -1, [0], [0, 1], (1,), 5])
            kw = {"alwayslist": g.chance(0.5)} if g.chance(0.5) else {}
            c.append(plain(mod, "list2dict", rows, keyitem, **kw))
    for _ in range(n // 4):
        rows = [[g.pick([3, 1, 2, "x"]), g.pick(["a", "b"])] for _ in range(g.r.randint(0, 4))]
        kw = g.pick([{}, {"reverse": True}, {"key": _neg_key}, {"cmp": _cmp_len}])
        c.append(plain("dataload", "listsort", rows, g.pick([0, 1]), **kw))
    for _ in range(n):
        li = g.list(0, n=g.r.randint(0, 6)) if g.chance(0.8) else g.list(1)
        c.append(plain("dataload", "list_itemcnt", li))
    for _ in range(n):
        c.append(plain("dataload", "alwayslist", g.value(1)))
    for _ in range(n):
        row = [g.pick(["a", "b1,b2", "c1, c2", "", ",", "x,,y"]) for _ in range(g.r.randint(0, 3))]
        kw = {}
        if g.chance(0.5):
            kw["dup_idx"] = g.pick([None, [], [1], [0, 2]])
        if g.chance(0.5):
            kw["strip"] = g.chance(0.5)
        c.append(plain("dataload", "dupline_seperator", row, ",", **kw))
    for _ in range(n):
        x = g.pick([None, 0, -1, 1.5, "a", "", [1], (None,), NAN, -INF, True, "MIN"])
        def call(side, inp):
            m = side.dataload.Min
            x = m if inp == "MIN" else inp
            out = []
            for op in (lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b, lambda a, b: a == b, lambda a, b: a != b):
                for a, b in ((m, x), (x, m)):
                    try:
                        out.append(op(a, b))
                    except TypeError as e:
                        out.append(type(e).__name__)
            out.append(type(m).__name__)
            try:
                hash(m)
                out.append("hashable")
            except TypeError:
                out.append("unhashable")
            return out
        c.append(custom("dataload.MinType", x, call))
    for _ in range(n):
        kw = {}
        if g.chance(0.4):
            kw["include_keys"] = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
        if g.chance(0.4):
            kw["exclude_keys"] = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
        c.append(plain("dataload", "traverse_keys", g.dict(3, odd=0.03), **kw))
    for _ in range(n):
        kw = {"traverse_list": g.chance(0.5)} if g.chance(0.5) else {}
        c.append(plain("dataload", "value_convert", g.dict(2), g.pick(VALUE_FNS), **kw))
    for _ in range(n):
        kw = {}
        if g.chance(0.4):
            kw["include_keys"] = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
        if g.chance(0.4):
            kw["exclude_keys"] = [g.dotted(2) for _ in range(g.r.randint(0, 3))]
        c.append(plain("dataload", "value_convert_incexcl", g.dict(3), g.pick(VALUE_FNS), **kw))
    for _ in range(n):
        d = g.dict(3)
        if g.chance(0.3):
            d["t"] = tuple(g.list(1, n=3))
        kw = {"skipped_keys": [g.key() for _ in range(g.r.randint(0, 2))]} if g.chance(0.4) else {}
        c.append(plain("dataload", "value_convert_to_number", d, **kw))
    for _ in range(n):
        kw = {}
        if g.chance(0.6):
            kw["keyfn"] = g.pick(KEY_FNS)
        if g.chance(0.6):
            kw["valuefn"] = g.pick(VALUE_FNS)
        c.append(plain("dataload", "dict_convert", g.dict(2), **kw))
    for _ in range(n // 2):
        c.append(plain("dataload", "updated_dict", g.dict(1), g.dict(1)))
    for _ in range(n):
        c.append(plain("dataload", "update_dict_recur", g.dict(3), g.dict(3)))
    for _ in range(n):
        k = g.r.randint(0, 3)
        dicts = [{g.pick(["id1", "id2", "id3", 4]): g.scalar() for _ in range(g.r.randint(0, 3))} for _ in range(k)]
        attrs = [g.pick(["number", "string", "x", "number"]) for _ in range(g.r.randint(0, 3))]
        kw = {"missingvalue": g.pick([None, "NA", 0])} if g.chance(0.5) else {}
        c.append(plain("dataload", "merge_dict", dicts, attrs, **kw))
    for _ in range(2 * n):
        v = g.value(2) if g.chance(0.3) else g.list(g.pick([0, 0, 1]), n=g.r.randint(0, 6))
        kw = {"sort": g.chance(0.5)} if g.chance(0.5) else {}
        c.append(plain("dataload", "normalized_value", v, **kw))
    for _ in range(n):
        c.append(plain("dataload", "dict_nodup", {g.key(): g.list(0) for _ in range(g.r.randint(0, 3))}, **({"sort": False} if g.chance(0.3) else {})))
    for _ in range(n):
        li = [g.dict(1) for _ in range(g.r.randint(0, 3))]
        kw = {}
        if g.chance(0.3):
            kw["removedup"] = g.chance(0.5)
        if g.chance(0.3):
            kw["sort"] = g.chance(0.5)
        if g.chance(0.2):
            kw["special_fns"] = {"a": str, "b": _type_name}
        c.append(plain("dataload", "dict_attrmerge", li, **kw))
    for _ in range(n):
        kw = {"exclude": g.pick([["_id"], ["a", "zz"], []])} if g.chance(0.4) else {}
        c.append(plain("dataload", "merge_root_keys", g.dict(2), g.dict(2), **kw))
    for _ in range(n):
        d = g.dict(1)
        kw = {"sort": g.chance(0.5)} if g.chance(0.4) else {}
        c.append(plain("dataload", "dict_apply", d, g.pick(list(d) + ["new"]) if d else "k", g.value(1), **kw))
    for _ in range(n // 2):
        gd = {g.pick([1, "b", "a", 2.5]): g.dict(1) for _ in range(g.r.randint(0, 3))}
        c.append(plain("dataload", "dict_to_list", gd))
    for _ in range(3 * n):
        kind = g.r.random()
        if kind < 0.5:
            v1, v2 = g.dict(3), g.dict(3)
            if v1 and g.chance(0.5):
                k = g.pick(list(v1))
                v2[k] = copy.deepcopy(v1[k]) if g.chance(0.5) else g.value(2)
        else:
            v1, v2 = g.value(2), g.value(2)
        kw = {}
        if g.chance(0.3):
            kw["aslistofdict"] = g.key()
        if g.chance(0.2):
            kw["include"] = [g.key() for _ in range(g.r.randint(0, 2))]
        if g.chance(0.2):
            kw["exclude"] = [g.key() for _ in range(g.r.randint(0, 2))]
        c.append(plain("dataload", "merge_struct", v1, v2, **kw))
    for _ in range(n):
        c.append(plain("dataload", "dict_walk", g.value(3), g.pick(KEY_FNS)))
    for _ in range(n):
        kw = {"traverse_list": g.chance(0.5)} if g.chance(0.5) else {}
        c.append(plain("dataload", "dict_traverse", g.dict(3, odd=0.05), g.pick(PAIR_FNS), **kw))
    return c


def dataload_file_cases(g, n):
    c = []
    for _ in range(n):
        sep = g.pick(["\t", "\t", ","])
        files, path = data_file(g, table_text(g, sep))
        if g.chance(0.05):
            path = w("missing.tsv")
        kw = {}
        if sep != "\t":
            kw["sep"] = sep
        if g.chance(0.5):
            kw["header"] = g.pick([0, 1, 2, 5])
        if g.chance(0.3):
            kw["includefn"] = g.pick([None, _row_long, _row_not_x])
        if g.chance(0.3):
            kw["coerce_unicode"] = g.chance(0.5)
        if g.chance(0.3):
            kw["assert_column_no"] = g.pick([None, 2, 3])
        c.append(with_files(plain("dataload", "tabfile_feeder", path, **kw), files))
        c.append(with_files(plain("dataload", "tabfile_tester", path, **{k: v for k, v in kw.items() if k in ("header", "sep")}), files))
        cols = g.pick([0, 1, [0], [0, 1], (1, 0), [0, 2]])
        c.append(with_files(plain("dataload", "tab2list", path, cols, **kw), files))
        cols = g.pick([[0, 1], [1, 0], [0, 1, 2], [0]])
        key = g.pick([0, 1, [0], 0])
        kw2 = dict(kw)
        if g.chance(0.4):
            kw2["alwayslist"] = g.chance(0.5)
        c.append(with_files(plain("dataload", "tab2dict", path, cols, key, **kw2), files))
        c.append(with_files(plain("dataload", "tab2dict_iter", path, cols, key, **kw2), files))
    for _ in range(n):
        blocks = []
        for _ in range(g.r.randint(0, 4)):
            blocks.append("".join("%s\n" % g.pick(["ID x", "AC 1", "//", "line", "\u00e9"]) for _ in range(g.r.randint(1, 3))))
        text = g.pick(["\n", "\n\n", "//\n"]).join(blocks) + g.pick(["", "\n"])
        files, path = data_file(g, text, kinds=("plain", "plain", "gz", "xz"))
        kw = {}
        if g.chance(0.3):
            kw["block_end"] = g.pick(["\n", "//\n"])
        if g.chance(0.3):
            kw["skip"] = g.pick([0, 1, 2])
        if g.chance(0.6):
            kw["include_block_end"] = g.chance(0.7)
        if g.chance(0.4):
            kw["as_list"] = g.chance(0.5)
        c.append(with_files(plain("dataload", "rec_handler", path, **kw), files))
    for _ in range(n // 2):
        files = {}
        names = []
        for i in range(g.r.randint(1, 3)):
            name = "part%d.tsv" % i + g.pick(["", ".gz"])
            files[name] = (table_text(g), "gz" if name.endswith(".gz") else "plain")
            names.append(w(name))
        kw = {}
        if g.chance(0.5):
            kw["outfile"] = w(g.pick(["out.tsv", "part0.tsv"]))
        if g.chance(0.4):
            kw["header"] = g.pick([0, 1, 2])
        if g.chance(0.3):
            kw["verbose"] = 0
        case = with_files(plain("dataload", "file_merge", names, **kw), files)
        case.answers = ["C", "O", "Y", "A"]
        c.append(case)
    return c


def dotstring_cases(g, n):
    c = []
    for mod, name in (("dataload", "key_value"), ("dotstring", "key_value"), ("dotstring", "list_length")):
        for _ in range(n):
            key = g.dotted(3) if g.chance(0.95) else g.pick([1, None])
            c.append(plain(mod, name, g.dict(3) if g.chance(0.9) else g.value(2), key))
    for mod in ("dataload", "dotstring"):
        for _ in range(n):
            key = g.dotted(3) if g.chance(0.95) else 5
            c.append(plain(mod, "set_key_value", g.dict(3), key, g.scalar()))
    for _ in range(n):
        c.append(plain("dotstring", "remove_key", g.dict(3), g.dotted(3) if g.chance(0.95) else 5))
    for _ in range(n):
        keys = g.dotted(3).split(".")
        c.append(plain("dotstring", "last_element", g.dict(3), keys))
    return c


def existing_path(g, d):
    """A dotted path that is in d (as far as it goes), else ""."""
    parts = []
    while isinstance(d, dict) and d and all(isinstance(k, str) for k in d):
        k = g.pick(list(d))
        parts.append(k)
        d = d[k]
        if g.chance(0.3):
            break
    return ".".join(parts)


def key_part(g, odd=0.05):
    if g.chance(odd):  # what BioThings cannot paste into JSON text (excluded, see EXCLUSIONS)
        return g.pick(['a"b', "a\\nb", "tab\there", "back\\"])
    return g.pick(["a", "b", "c", "gene", "\u00e9", "", "x y", "1", "A"])


def dotfield_cases(g, n):
    c = []
    values = lambda: g.pick([
        g.value(2), g.value(2), g.value(2), {1: "a", "b": 2}, {2.5: 1, "x": {3: 4}}, {None: 1, "k": 2},
        {True: 1}, {("t", 1): 2}, {b"k": 1}, (1, 2), {3, 1}, frozenset(["z"]), b"\x00\xff", bytearray(b"ab"),
        datetime.datetime(2024, 1, 2, 3, 4, 5), datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
        datetime.date(2024, 1, 2), datetime.time(1, 2, 3), 3 + 4j, collections.OrderedDict(a=1),
        {1e16: 1, 1e-7: 2, 0.1: 3, -0.0: 4}, object, datetime.timedelta(seconds=3),
    ])
    for _ in range(2 * n):
        attr = ".".join(key_part(g) for _ in range(g.r.randint(1, 3))) if g.chance(0.95) else g.pick([["a", "b"], 5])
        c.append(plain("dotfield", "make_object", attr, values()))
    for _ in range(n):
        c.append(plain("dotfield", "merge_object", g.dict(3), g.dict(3)))
    for _ in range(n):
        doc = g.dict(2)
        for _ in range(g.r.randint(0, 4)):
            doc[".".join(key_part(g) for _ in range(g.r.randint(2, 3)))] = g.value(1)
        if g.chance(0.05):
            doc[1] = "odd"
        c.append(plain("dotfield", "parse_dot_fields", doc))
    for _ in range(n):
        doc = {g.pick(["a", "b", "c"]): g.value(3) for _ in range(g.r.randint(0, 3))}
        if g.chance(0.5):
            doc["a"] = {"b": {"c": g.scalar()}, "x": g.scalar()}
        fields = [g.pick(["a.b", "a.b.c", "a.x", "b", "c.d", "a.zz", "a"]) for _ in range(g.r.randint(0, 3))]
        c.append(plain("dotfield", "compose_dot_fields_by_fields", doc, fields))
    return c


def common_cases(g, n):
    c = []
    for name in ("is_int", "is_str", "is_seq", "is_float", "is_scalar", "is_filehandle"):
        for _ in range(n):
            c.append(plain("common", name, g.value(1)))
    for _ in range(n // 4):
        c.append(custom("common.is_filehandle", g.pick(["x", ""]), lambda side, inp: side.common.is_filehandle(io.StringIO(inp))))
    for _ in range(n):
        src = g.pick([list(range(g.r.randint(0, 7))), "abcde", (1, 2, 3), {"a": 1, "b": 2}, []])
        kw = {"with_cnt": g.chance(0.5)} if g.chance(0.6) else {}
        c.append(plain("common", "iter_n", src, g.pick([1, 2, 3, 10, 0, -1]), **kw))
    for _ in range(n):
        kw = {"noext": g.chance(0.5)} if g.chance(0.5) else {}
        c.append(plain("common", "addsuffix", g.pick(["a.txt", "a", "a.tar.gz", ".hidden", "dir/x.y", "", b"a.b"]), g.pick(["_1", "", "-x", 3]), **kw))
    for _ in range(n):
        d = g.dict(3)
        path = g.dotted(3) if g.chance(0.3) else existing_path(g, d)
        c.append(plain("common", "get_dotfield_value", path, d))
    for _ in range(n):
        doc = g.pick([g.dict(3), g.list(2), {"a": {"b": "1"}, "x": [{"y": "3", "z": "4"}, "5"]}, ["a", {"b": "1"}, {"x": [{"y": "34567", "z": "4"}, "5"]}]])
        pattern = g.pick(["1", "3*7", "*", "5", "c", "x", "", "None", "[ab]"]) if g.chance(0.95) else None
        c.append(plain("common", "find_value_in_doc", g.pick(["a.b", "x.y", "x", "a", "", "b.c"]), pattern, doc))
    for _ in range(n):
        q = g.pick(["CDK2 CDK3", '"CDK2 CDK3"\n CDk4', "a|b,c+d", "", "  ", "'x y' z", '"unclosed', "\u00e9 \u65e5", "a\tb\\ c"])
        c.append(plain("common", "split_ids", q))
    for _ in range(n):
        li = g.list(0, n=g.r.randint(0, 6))
        idx = [g.r.randint(-2, 6) for _ in range(g.r.randint(0, 3))]
        c.append(plain("common", "list_trim", li, idx))
    for _ in range(n):
        keys = g.pick([g.dotted(3), [g.dotted(3) for _ in range(g.r.randint(0, 3))], "a", ["a.b", "zz"], [1]])
        c.append(plain("common", "filter_dict", g.dict(3), keys))
    for _ in range(n):
        k = g.pick([g.dict(3), [g.dict(2), g.dict(2)], {"a": [{"b": {"c": 1}}, {"b": [1, 2]}, "x"]}, "s"])
        c.append(plain("common", "find_doc", k, [g.pick(["a", "b", "c", "x"]) for _ in range(g.r.randint(0, 3))]))
    for _ in range(n):
        s = g.pick(["abc[def]ghi", "no markers", "", "[a][b]", "x<y>z<w>"])
        args = [s] + [g.pick(["", "[", "]", "<", ">", "zz"]) for _ in range(g.r.randint(0, 2))]
        kw = {"include": g.pick([0, 1])} if g.chance(0.5) else {}
        c.append(plain("common", "SubStr", *args, **kw))
    for _ in range(n // 2):
        c.append(plain("common", "safe_unicode", g.scalar(), **({"mask": "?"} if g.chance(0.3) else {})))
    for _ in range(n):
        c.append(plain("common", "sizeof_fmt", g.pick([0, 1, 1023, 1024, 1536, -2048, 10**9, 10**30, 2.5, NAN]), **({"suffix": "b"} if g.chance(0.3) else {})))
    for _ in range(n // 2):
        args = [g.pick(["20240101", "20231231", "2024-01-01", "x"]), g.pick(["20240102", "20240101", "bad"])]
        kw = {"fmt": "%Y-%m-%d"} if g.chance(0.2) else {}
        c.append(plain("common", "newer", *args, **kw))
    for _ in range(n):
        v = g.pick([g.value(2), datetime.datetime(2024, 1, 2, 3, 4), datetime.date(2024, 5, 6),
                    collections.UserDict(a=1), collections.UserList([1, 2]), {1, 2}, str, _identity,
                    datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)])
        c.append(custom("common.BiothingsJSONEncoder", v, lambda side, inp: json.dumps(inp, cls=side.common.BiothingsJSONEncoder)))
        c.append(plain("common", "json_serial", v))
        c.append(plain("common", "json_encode", g.pick([v, {"a": "</script>"}, ["</", NAN]])))
    for _ in range(n):
        c.append(plain("common", "traverse", g.value(3), **({"leaf_node": g.chance(0.5)} if g.chance(0.6) else {})))
    for _ in range(n // 2):
        ids = [g.pick([None, "a", "b", 1]) for _ in range(g.r.randint(0, 6))]

        def call(side, inp):
            f = side.common.run_once()
            return [f() if i is None else f(i) for i in inp]

        c.append(custom("common.run_once", ids, call))
    for _ in range(n):
        x = g.dict(3)
        dx = g.dict(3)
        if g.chance(0.3):
            dx[g.pick(["a", "b"])] = {"__REMOVE__": g.chance(0.7)}
        if g.chance(0.2):
            dx["__REPLACE__"] = True
        if g.chance(0.2) and dx:
            v = dx[g.pick(list(dx))]
            if isinstance(v, dict):
                v["__REPLACE__"] = True
        if g.chance(0.05):
            x = g.list(1)
        c.append(plain("common", "merge", x, dx))
    for _ in range(n // 2):
        leaves = [g.pick([ValueError("a"), KeyError("b"), TypeError("c")]) for _ in range(g.r.randint(1, 3))]
        nested = ExceptionGroup("outer", [ExceptionGroup("inner", leaves)]) if g.chance(0.5) else ExceptionGroup("g", leaves)
        c.append(plain("common", "first_exception", g.pick([nested, ValueError("plain")])))
    for _ in range(n // 4):
        c.append(plain("common", "get_class_from_classpath", g.pick(["collections.OrderedDict", "os.path.join", "nope.X", "X", "json.nothere"])))
        mods = g.pick([["collections"], "collections", ["json", "collections"]])

        def call(side, inp):
            names, base = inp
            mods = [importlib.import_module(m) for m in names] if isinstance(names, list) else importlib.import_module(names)
            found = side.common.find_classes_subclassing(mods, base)
            return found, mods

        c.append(custom("common.find_classes_subclassing", (mods, g.pick([dict, Exception, object])), call))
        c.append(plain("common", "parse_folder_name_from_url", g.pick(["https://github.com/x/cgi.git", "http://h/a/b/", "plain", "https://h/x.git.git"])))
    for _ in range(n // 2):
        d = g.dict(2)

        def call(side, inp):
            dd = side.common.dotdict(inp)
            out = [dd.a, dd.nothere, dict(dd)]
            if isinstance(dd.b, dict):
                out.append(type(dd.b).__name__)
            dd.z = 1
            del dd.z
            return out

        c.append(custom("common.dotdict", d, call))
    for _ in range(n // 4):
        c.append(custom("common.DummyConfig", g.pick(["config", "x"]), lambda side, inp: (isinstance(side.common.DummyConfig(inp), types.ModuleType), side.common.DummyConfig(inp).__name__)))
        c.append(custom("common.splitstr", g.pick(["a b", ""]), lambda side, inp: (side.common.splitstr(inp), isinstance(side.common.splitstr(inp), str))))
        c.append(custom("common.nan", None, lambda side, inp: (type(side.common.nan()).__name__, isinstance(side.common.nan(), float))))
        c.append(custom("common.inf", None, lambda side, inp: (type(side.common.inf()).__name__, isinstance(side.common.inf(), float))))
        c.append(plain("common", "get_timestamp"))
        c.append(custom("common.get_random_string", None, lambda side, inp: [len(side.common.get_random_string()) for _ in range(5)]))
    for _ in range(n // 2):
        args = [g.pick([1000.0, 0.0, 3725.5, 59.999, 86400 * 2 + 61])]
        kw = g.pick([{}, {"t1": 5.0}, {"clock": 1, "t1": 4000.0}, {"clock": 1}])
        case = plain("common", "timesofar", *args, **kw)
        case.now = g.pick([5000.0, 1000.0, 7262.25])
        c.append(case)
    for _ in range(n // 2):
        case = plain("common", "ask", "Continue?", *([g.pick(["YN", "oac", "", "xyz"])] if g.chance(0.6) else []))
        case.answers = [g.pick(["", "y", "maybe", "N", " a ", "C", "x"]) for _ in range(4)] + ["Y", "O", "X"]
        c.append(case)
    return c


def tree(n_files, g):
    return {"f%d.txt" % i: (g.pick(["a\n", "", "\u00e9\n" * 3]), "plain") for i in range(n_files)}


def common_file_cases(g, n):
    c = []
    for _ in range(n):
        text = table_text(g)
        files, path = data_file(g, text)
        if g.chance(0.05):
            path = w("missing.tsv")
        mode = g.pick(["r", "r", "r", "rb", "rt"]) if g.chance(0.15) else None
        args = [path] + ([mode] if mode else [])

        def call_any(side, inp):
            f = side.common.anyfile(*inp)
            try:
                return type(f).__name__, f.read()
            finally:
                f.close()

        def call_open(side, inp):
            with side.common.open_anyfile(*inp) as f:
                return type(f).__name__, f.read()

        c.append(with_files(custom("common.anyfile", args, call_any), files))
        c.append(with_files(custom("common.open_anyfile", args, call_open), files))
    for _ in range(n // 4):
        def call_handle(side, inp):
            handle = io.StringIO(inp)
            with side.common.open_anyfile(handle) as f:
                text = f.read()
            return text, handle.closed

        c.append(custom("common.open_anyfile", g.pick(["abc", ""]), call_handle))
    for _ in range(n // 2):
        kind = g.pick(["gz", "xz", "plain", "zip"])
        name = {"gz": "out.gz", "xz": "out.xz", "plain": "out.txt", "zip": "out.zip"}[kind]

        def call_write(side, inp):
            path, text = inp
            f = side.common.anyfile(path, "w")
            try:
                f.write(text)
            finally:
                f.close()
            return None

        # BioThings' anyfile looks into the file before opening it: a new file cannot be written.
        existing = {name: ("old\n", "plain")} if g.chance(0.7) else {}
        c.append(with_files(custom("common.anyfile", (w(name), "h\u00e9llo\n"), call_write), existing))
    for _ in range(n):
        existing = g.chance(0.6)
        files = {"out.txt": ("old\n", "plain")} if existing else {}
        if existing and g.chance(0.4):
            files["out_1.txt"] = ("older\n", "plain")
        kw = {}
        if g.chance(0.7):
            kw["prompt"] = False
        if g.chance(0.6):
            kw["default"] = g.pick(["O", "A", "C"])
        if g.chance(0.3):
            kw["mode"] = g.pick(["w", "a"])

        def call(side, inp):
            (path,), kwargs = inp
            f, name = side.common.safewfile(path, **kwargs)
            f.write("new\n")
            f.close()
            return name

        case = with_files(custom("common.safewfile", ([w("out.txt")], kw), call), files)
        case.answers = [g.pick(["O", "A", "C", "x"]), g.pick(["Y", "N"]), "C", "C"]
        c.append(case)
    for _ in range(n // 2):
        compress = g.pick(["gzip", "bz2", "lzma", "xz", None, "zip"])
        payload = g.value(2)

        def call(side, inp):
            path, obj, compress = inp
            side.common.dump(obj, path, compress=compress)
            with side.common.open_compressed_file(path) as f:
                head = f.read(3)
            back = side.common.loadobj(path)
            return head, back

        c.append(with_files(custom("common.dump", (w("obj.pyobj"), payload, compress), call), {}))
        c.append(with_files(custom("common.loadobj", (w("obj.pyobj"), payload, compress), lambda side, inp: side.common.loadobj(write_pickle(*inp))), {}))
        c.append(with_files(custom("common.get_compressed_outfile", (w("o.bin"), compress), call_outfile), {}))
        c.append(with_files(custom("common.open_compressed_file", (w("o.bin"), compress), call_open_compressed), {}))
    for _ in range(n // 4):
        files = {"a.txt": ("x\n", "plain"), "b.txt": ("y\n", "plain")}

        def call(side, inp):
            os.utime(inp[0], (1000, 1000))
            os.utime(inp[1], (1000.5 if inp[2] else 2000, 1000.5 if inp[2] else 2000))
            return side.common.file_newer(inp[0], inp[1]), side.common.file_newer(inp[1], inp[0])

        c.append(with_files(custom("common.file_newer", (w("a.txt"), w("b.txt"), g.chance(0.5)), call), files))
        c.append(with_files(plain("common", "md5sum", w(g.pick(["a.txt", "missing"]))), files))
        c.append(with_files(plain("common", "rmdashfr", w(g.pick(["sub", "nope", ""]))), {"sub/x.txt": ("1", "plain"), "sub/d/y.txt": ("2", "plain")}))
    for _ in range(n):
        files = {}
        for i in range(g.r.randint(0, 3)):
            kind = g.pick(["zip", "tar.gz", "gz", "tar", "tar.xz"])
            ext = {"zip": ".zip", "tar.gz": ".tar.gz", "gz": ".txt.gz", "tar": ".tar", "tar.xz": ".xz"}[kind]
            files["arch%d%s" % (i, ext)] = (table_text(g), kind)
        name = ["unzipall", "untargzall", "untarall", "gunzipall", "unxzall", "uncompressall"][_ % 6]
        args = [WS]
        if name != "uncompressall" and g.chance(0.3):
            args.append(g.pick(["*.zip", "*.gz", "*.tar*", "*", "arch0*", "nodot"]))
        c.append(with_files(plain("common", name, *args), files))
    for _ in range(n // 4):
        files = {"one.txt.gz": ("abc\n", "gz")}
        c.append(with_files(plain("common", "gunzip", w("one.txt.gz"), *([g.pick(["*.gz", ".gz", "*.txt.gz"])] if g.chance(0.5) else [])), files))
    for _ in range(n // 2):
        evil = g.chance(0.3)

        def call(side, inp):
            raw = b"x"
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w") as t:
                for name in inp[1]:
                    info = tarfile.TarInfo(name)
                    info.size = len(raw)
                    t.addfile(info, io.BytesIO(raw))
            buf.seek(0)
            with tarfile.open(fileobj=buf) as t:
                return side.common.sanitize_tarfile(t, inp[0])

        names = ["ok.txt", "d/ok.txt"] + (["../evil.txt"] if evil else []) + (["/abs.txt"] if g.chance(0.2) else [])
        c.append(with_files(custom("common.sanitize_tarfile", (WS, names), call), {}))
    for _ in range(n // 2):
        files = {}
        choice = g.r.randint(0, 3)
        if choice == 1:
            files["manifest.json"] = (json.dumps(g.pick([{"name": "cgi"}, {"version": "1"}, {"name": None}])), "plain")
        elif choice == 2:
            files["manifest.yaml"] = (g.pick(["name: yam\n", "version: 1\n"]), "plain")
        elif choice == 3:
            files["manifest.json"] = ("[1, 2]", "plain")
        c.append(with_files(plain("common", "get_plugin_name_from_local_manifest", WS), files))
    for _ in range(n // 4):
        def call(side, inp):
            log = os.path.join(inp, "log.txt")
            root = logging.getLogger()
            before = list(root.handlers)
            side.common.setup_logfile(log)
            added = [h for h in root.handlers if h not in before]
            others = [h for h in root.handlers if h not in added]
            for h in others:
                root.removeHandler(h)
            old = root.level
            root.setLevel(logging.INFO)
            logging.getLogger("difftest").info("message")
            root.setLevel(old)
            for h in others:
                root.addHandler(h)
            for h in added:
                root.removeHandler(h)
                h.close()
            with open(log) as f:
                text = f.read()
            os.remove(log)  # its time stamps differ
            return len(added), text.split(" - ", 1)[1]

        c.append(with_files(custom("common.setup_logfile", WS, call), {}))
    return c


def write_pickle(path, obj, compress):
    with open(path, "wb") as f:
        f.write(pickle.dumps(obj, protocol=4) if compress is None else gzip.compress(pickle.dumps(obj, protocol=4)))
    return path


def call_outfile(side, inp):
    path, compress = inp
    f = side.common.get_compressed_outfile(path, compress=compress)
    f.write(b"payload")
    f.close()
    with open(path, "rb") as f:
        return f.read(3)


def call_open_compressed(side, inp):
    path, compress = inp
    opener = {"gzip": gzip.open, "bz2": bz2.open, "lzma": lzma.open, "xz": lzma.open}.get(compress, open)
    with opener(path, "wb") as f:
        f.write(b"payload")
    with side.common.open_compressed_file(path) as f:
        return f.read()


def storage_cases(g, n):
    return [plain("storage", "get_storage_class", *([g.pick([None, "error", "merge", "ignore", "other", ""])] if g.chance(0.9) else [])) for _ in range(n)]


# ---------------------------------------------------------------- what is not compared, on purpose

# Public names of the real modules that Studio's do not have, with the reason.
MISSING_OK = {
    "common.requests": "a third-party module BioThings' module imports for its own use (plugins import it themselves)",
    "common.yaml": "a third-party module BioThings' module imports for its own use (plugins import it themselves)",
    "dotfield.serializer": "BioThings' msgspec-based JSON module, used by its make_object; Studio's make_object does the same without it",
}

# Public functions and classes of the real modules not compared, with the reason.
NOT_COMPARED = {
    "common.dump2gridfs": "needs the hub's MongoDB (GridFS): refused in Studio with NotImplementedError",
    "common.aiogunzipall": "needs the hub's job manager: refused in Studio with NotImplementedError",
    "common.get_plugin_name_from_remote_manifest": "downloads from GitHub: refused in Studio with NotImplementedError",
    "common.LogPrint": "writes to the process's real stdout (sys.__stdout__)",
    "common.get_loop": "returns the process's asyncio event loop (compared by type in common.get_loop_with_max_workers's place: both use asyncio)",
    "common.get_loop_with_max_workers": "returns the process's asyncio event loop",
}


def _arg(case, i, default=None):
    args, kwargs = case.inp
    return args[i] if len(args) > i else default


def _kw(case, name, default=None):
    args, kwargs = case.inp
    return kwargs.get(name, default)


def raised(outcome, name):
    """True when the call raised name, or the iterator it returned did."""
    result = outcome["result"]
    if outcome["exc"] == name:
        return True
    return isinstance(result, tuple) and len(result) == 4 and result[0] == "<iterator>" and result[3] == name


def _bad_key_part(attr):
    return isinstance(attr, str) and any(ch in attr for ch in '"\\') or isinstance(attr, str) and any(ord(ch) < 0x20 for ch in attr)


def _timedelta_in(v):
    if isinstance(v, datetime.timedelta):
        return True
    if isinstance(v, dict):
        return any(_timedelta_in(x) for x in v.values())
    if isinstance(v, (list, tuple, set, frozenset)):
        return any(_timedelta_in(x) for x in v)
    return False


# (function, predicate(case, real outcome), reason): cases where Studio differs on purpose.
EXCLUSIONS = [
    ("dataload.llist", lambda case, real: raised(real, "TypeError") and bool(_arg(case, 0)),
     "BioThings 1.2.2's llist raises TypeError for any non-empty list (it tests isinstance(x, (li, tuple)) with li the list itself); Studio prints the items"),
    ("dataload.listsort", lambda case, real: raised(real, "TypeError"),
     "BioThings 1.2.2's listsort raises TypeError for any call (it passes cmp= to list.sort, which Python 3 refuses); Studio sorts"),
    ("dataload.rec_handler", lambda case, real: raised(real, "UnboundLocalError"),
     "BioThings 1.2.2's rec_handler raises UnboundLocalError for the first record unless include_block_end is true; Studio gives the records"),
    ("dotfield.make_object", lambda case, real: _bad_key_part(_arg(case, 0)),
     "BioThings pastes key parts into JSON text: a part with '\"', '\\' or a control character is misread or raises; Studio uses the part as written"),
    ("dotfield.parse_dot_fields", lambda case, real: any(_bad_key_part(k) for k in _arg(case, 0) if "." in str(k)),
     "a dotted key with '\"', '\\' or a control character (see dotfield.make_object)"),
    ("dotfield.make_object", lambda case, real: _timedelta_in(_arg(case, 1)),
     "a timedelta value: BioThings writes an ISO 8601 duration; Studio keeps the timedelta (the runner then rejects the document)"),
]


# ---------------------------------------------------------------- running and comparing


class Answers:
    """Stands in for input(): gives the case's answers in order (EOFError when none are left)."""

    def __init__(self, answers):
        self.answers = list(answers or [])

    def __call__(self, prompt=""):
        print(prompt, end="")
        if not self.answers:
            raise EOFError("no more answers")
        return self.answers.pop(0)


def substitute(v, ws):
    if isinstance(v, str):
        return v.replace(WS, ws)
    if isinstance(v, list):
        return [substitute(x, ws) for x in v]
    if isinstance(v, tuple) and type(v) is tuple:
        return tuple(substitute(x, ws) for x in v)
    if isinstance(v, dict) and type(v) is dict:
        return {k: substitute(x, ws) for k, x in v.items()}
    return v


def unsubstitute(v, ws):
    if not ws:
        return v
    if isinstance(v, str) and type(v) is str:
        return v.replace(ws, WS)
    if isinstance(v, list) and type(v) is list:
        return [unsubstitute(x, ws) for x in v]
    if isinstance(v, tuple) and type(v) is tuple:
        return tuple(unsubstitute(x, ws) for x in v)
    if isinstance(v, dict) and type(v) is dict:
        return {k: unsubstitute(x, ws) for k, x in v.items()}
    return v


def write_files(ws, files):
    for name, (text, kind) in files.items():
        path = os.path.join(ws, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_file(path, text, kind)


def readable(data, ws):
    """File bytes without what differs between two runs: compressed files by content (their headers hold times), the folder's path."""
    try:
        if data[:3] == b"\x1f\x8b\x08":
            data = b"<gzip>" + gzip.decompress(data)
        elif data[:6] == b"\xfd7zXZ\x00":
            data = b"<xz>" + lzma.decompress(data)
        elif data[:3] == b"BZh":
            data = b"<bz2>" + bz2.decompress(data)
        elif data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data = b"<zip>" + repr([(i.filename, z.read(i)) for i in z.infolist()]).encode()
    except Exception as e:  # noqa: B902 - a broken file is compared as such
        data = b"<unreadable %s>" % type(e).__name__.encode() + data
    return data.replace(ws.encode(), WS.encode())


def snapshot(ws):
    out = []
    for root, dirs, files in os.walk(ws):
        dirs.sort()
        for name in sorted(files) + [d + "/" for d in dirs]:
            path = os.path.join(root, name.rstrip("/"))
            rel = os.path.relpath(path, ws)
            if name.endswith("/"):
                out.append((rel + "/", None))
            else:
                with open(path, "rb") as f:
                    out.append((rel, readable(f.read(), ws)))
    return sorted(out)


MAX_ITEMS = 5000


def materialize(res):
    """Consume what the call returned when it is an iterator, so that its values (or its exception) count."""
    if isinstance(res, (io.IOBase, str, bytes, dict, list, tuple)) or not isinstance(res, collections.abc.Iterator):
        return res
    items = []
    try:
        for item in res:
            items.append(item)
            if len(items) >= MAX_ITEMS:
                break
    except Exception as e:
        return ("<iterator>", type(res).__name__, items, type(e).__name__)
    return ("<iterator>", type(res).__name__, items, None)


@contextlib.contextmanager
def patched(case):
    saved = builtins.input, time.time, time.ctime
    builtins.input = Answers(case.answers)
    if case.now is not None:
        time.time = lambda: case.now
    real_ctime = time.ctime
    time.ctime = lambda *secs: real_ctime(*secs) if secs else "Thu Jan  1 00:00:00 2026"  # safewfile writes it
    try:
        yield
    finally:
        builtins.input, time.time, time.ctime = saved


def run_case(side, case, base):
    ws = ""
    cwd = os.getcwd()
    if case.files is not None:
        # The same folder name on both sides (some helpers report it).
        ws = os.path.join(tempfile.mkdtemp(prefix=side.name + "-", dir=base), "ws")
        os.mkdir(ws)
        write_files(ws, case.files)
        os.chdir(ws)
    inp = substitute(copy.deepcopy(case.inp), ws) if ws else copy.deepcopy(case.inp)
    out = io.StringIO()
    res, exc, ident = None, None, None
    try:
        with contextlib.redirect_stdout(out), patched(case), warnings_quiet():
            try:
                res = case.call(side, inp)
                if case.plain:
                    ident = [i for i, a in enumerate(inp[0]) if res is a]
                res = materialize(res)
            except Exception as e:  # noqa: B902 - the exception is the outcome
                exc = type(e).__name__
                res = None
    finally:
        os.chdir(cwd)
    outcome = {
        "result": unsubstitute(res, ws),
        "exc": exc,
        "ident": ident,
        "args": unsubstitute(inp, ws),
        "stdout": out.getvalue().replace(ws, WS) if ws else out.getvalue(),
    }
    if ws:
        outcome["files"] = snapshot(ws)
    return outcome


@contextlib.contextmanager
def warnings_quiet():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def type_key(t):
    mod = getattr(t, "__module__", "") or ""
    if mod.startswith(OURS):
        mod = "biothings" + mod[len(OURS):]
    if mod.startswith("biothings.hub.dataload.storage") or mod.startswith("biothings.utils.storage"):
        mod = "biothings.utils.storage"
    return mod + "." + getattr(t, "__qualname__", getattr(t, "__name__", "?"))


def differ(a, b, path="", seen=None):
    """None when a and b are the same (types included), else where and how they differ."""
    if seen is None:
        seen = set()
    if id(a) in seen:
        return None
    if type_key(type(a)) != type_key(type(b)):
        return "%s: %s vs %s" % (path or "value", type_key(type(a)), type_key(type(b)))
    if isinstance(a, float):
        if math.isnan(a) and math.isnan(b):
            return None
        return None if repr(a) == repr(b) else "%s: %r vs %r" % (path or "value", a, b)
    if isinstance(a, complex):
        return None if repr(a) == repr(b) else "%s: %r vs %r" % (path or "value", a, b)
    if isinstance(a, (str, bytes, bytearray, int, type(None))):
        return None if a == b else "%s: %r vs %r" % (path or "value", a, b)
    if isinstance(a, dict):
        seen = seen | {id(a)}
        ka, kb = list(a.keys()), list(b.keys())
        if len(ka) != len(kb) or any(differ(x, y, seen=seen) for x, y in zip(ka, kb)):
            return "%s: keys %r vs %r" % (path or "value", ka, kb)
        for k in ka:
            d = differ(a[k], b[k], "%s[%r]" % (path, k), seen)
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        seen = seen | {id(a)}
        if len(a) != len(b):
            return "%s: length %d vs %d: %s vs %s" % (path or "value", len(a), len(b), short(a), short(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = differ(x, y, "%s[%d]" % (path, i), seen)
            if d:
                return d
        return None
    if isinstance(a, (set, frozenset)):
        return None if a == b else "%s: %r vs %r" % (path or "value", a, b)
    if isinstance(a, type) or callable(a) and not hasattr(a, "__dict__"):
        return None if type_key(a) == type_key(b) or a is b else "%s: %r vs %r" % (path or "value", a, b)
    if isinstance(a, BaseException):
        return differ(a.args, b.args, path + ".args", seen)
    if isinstance(a, (types.FunctionType, types.BuiltinFunctionType, types.ModuleType)):
        return None if a is b else "%s: %r vs %r" % (path or "value", a, b)
    if hasattr(a, "__dict__"):
        return differ(vars(a), vars(b), path + ".__dict__", seen | {id(a)})
    return None if a == b else "%s: %r vs %r" % (path or "value", a, b)


def short(v, n=300):
    s = repr(v)
    return s if len(s) <= n else s[:n] + "..."


def compare(real, ours):
    for part in ("exc", "result", "ident", "args", "stdout", "files"):
        if part not in real and part not in ours:
            continue
        d = differ(real.get(part), ours.get(part), part)
        if d:
            return d
    return None


def public_names(mod):
    return {n for n in dir(mod) if not n.startswith("_")}


def check_surface(real, ours, compared):
    problems = []
    for m in MODULES:
        if m == "storage":
            continue
        rmod, omod = getattr(real, m), getattr(ours, m)
        for name in sorted(public_names(rmod)):
            key = "%s.%s" % (m, name)
            if not hasattr(omod, name):
                if key not in MISSING_OK:
                    problems.append("%s: missing in Studio's biothings.utils.%s" % (key, m))
                continue
            obj = getattr(rmod, name)
            home = getattr(obj, "__module__", "") or ""
            if not (callable(obj) and home.startswith("biothings")):
                continue
            if key in compared or key in NOT_COMPARED:
                continue
            # Re-exported from another module of the package: compared there.
            if any(("%s.%s" % (other, name)) in compared for other in MODULES if home == "biothings.utils.%s" % other):
                continue
            problems.append("%s: a public function of BioThings' module that no case compares (add cases or a NOT_COMPARED reason)" % key)
    return problems


# ---------------------------------------------------------------- biothings.config


# Settings whose value in Studio differs from BioThings' default, with the reason.
CONFIG_DIFFERENCES = {
    "DATA_ARCHIVE_ROOT": "required in BioThings; Studio derives it from the parser's data folder",
    "DATA_SRC_SERVER": "required in BioThings (a hub's MongoDB); None in Studio",
    "DATA_SRC_DATABASE": "required in BioThings (a hub's MongoDB); None in Studio",
    "DATA_TARGET_SERVER": "required in BioThings (a hub's MongoDB); None in Studio",
    "DATA_TARGET_DATABASE": "required in BioThings (a hub's MongoDB); None in Studio",
    "HUB_DB_BACKEND": "required in BioThings (the hub's database); None in Studio",
    "INDEX_CONFIG": "a hub's Elasticsearch settings; empty in Studio",
    "DOCKER_CONFIG": "a hub's Docker settings; empty in Studio",
    "STANDALONE_CONFIG": "a hub's Elasticsearch settings; empty in Studio",
    "RELEASE_CONFIG": "a hub's S3 release settings (BioThings' default cannot even be evaluated without S3 settings); None in Studio",
    "logger": "BioThings logs to a file in LOG_FOLDER; Studio's logger writes to stderr",
}


def _literal(node):
    """The plain value a default_config assignment gives, or a marker when it is computed."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ConfigurationDefault":
        for kw in node.keywords:
            if kw.arg == "default":
                inner = kw.value
                if isinstance(inner, ast.Call) and getattr(inner.func, "id", None) == "ConfigurationValue" and inner.args:
                    try:
                        return ast.literal_eval(ast.literal_eval(inner.args[0]))
                    except (ValueError, TypeError, SyntaxError):
                        return "<computed>"
                return _literal(inner)
    return "<computed>"


def check_config(real, ours):
    path = os.path.join(os.path.dirname(real.pkg.__file__), "hub", "default_config.py")
    tree = ast.parse(open(path, encoding="utf-8").read())
    defaults = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and not target.id.startswith("_") and (target.id.isupper() or target.id == "logger"):
                    defaults[target.id] = _literal(node.value)
    config = ours.pkg.config
    problems, compared = [], 0
    for name, value in sorted(defaults.items()):
        try:
            ours_value = getattr(config, name)
        except AttributeError:
            problems.append("config.%s: BioThings defines it; Studio's biothings.config has no such setting" % name)
            continue
        if name in CONFIG_DIFFERENCES or value == "<computed>":
            continue
        compared += 1
        d = differ(value, ours_value, "config." + name)
        if d:
            problems.append(d)
    try:
        getattr(config, "NOT_A_SETTING_X")
        problems.append("config.NOT_A_SETTING_X: BioThings raises AttributeError for an unknown setting; Studio did not")
    except AttributeError:
        pass
    return len(defaults), compared, problems


# ---------------------------------------------------------------- main


def build_cases(seed, n):
    groups = [
        (dataload_cases, n), (dataload_file_cases, max(4, n // 3)), (dotstring_cases, n), (dotfield_cases, n),
        (common_cases, n), (common_file_cases, max(4, n // 3)), (storage_cases, max(4, n // 4)),
    ]
    cases = []
    for make, count in groups:
        cases.extend(make(Gen("%s:%s" % (seed, make.__name__)), count))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ours", required=True, help="the runner folder holding Studio's biothings package")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--cases", type=int, default=120, help="cases per function (files: a third of it)")
    args = ap.parse_args()

    real = load_real()
    real.storage = load_real_storage()
    ours = load_ours(args.ours)
    logging.getLogger("hub").handlers.clear()  # keep Studio's stderr logger quiet here

    cases = build_cases(args.seed, args.cases)
    base = tempfile.mkdtemp(prefix="bt-differential-")
    stats = collections.OrderedDict()
    excluded = collections.Counter()
    mismatches = []
    try:
        for i, case in enumerate(cases):
            st = stats.setdefault(case.fn, {"cases": 0, "compared": 0, "excluded": 0, "mismatched": 0})
            st["cases"] += 1
            real_out = run_case(real, case, base)
            reason = next((r for fn, pred, r in EXCLUSIONS if fn == case.fn and pred(case, real_out)), None)
            if reason:
                st["excluded"] += 1
                excluded[(case.fn, reason)] += 1
                continue
            ours_out = run_case(ours, case, base)
            st["compared"] += 1
            d = compare(real_out, ours_out)
            if d:
                st["mismatched"] += 1
                mismatches.append((i, case, d, real_out, ours_out))
    finally:
        shutil.rmtree(base, ignore_errors=True)

    # A function whose every case was excluded on purpose is covered too (with its reason).
    compared_fns = {fn for fn, st in stats.items() if st["compared"] or st["excluded"]}
    surface = check_surface(real, ours, compared_fns)
    n_settings, n_config, config_problems = check_config(real, ours)

    total = sum(st["cases"] for st in stats.values())
    n_compared = sum(st["compared"] for st in stats.values())
    print("biothings differential test: Studio's package against biothings %s (seed %s)" % (real.pkg.__version__, args.seed))
    print("%-48s %7s %9s %9s %10s" % ("function", "cases", "compared", "excluded", "mismatched"))
    for fn, st in sorted(stats.items()):
        print("%-48s %7d %9d %9d %10d" % (fn, st["cases"], st["compared"], st["excluded"], st["mismatched"]))
    print("%d functions x %d cases (%d compared, %d excluded on purpose, %d mismatched)"
          % (len(stats), total, n_compared, total - n_compared, len(mismatches)))
    print("config: %d settings of biothings.hub.default_config present, %d plain defaults compared, %d left as documented differences"
          % (n_settings, n_config, len(CONFIG_DIFFERENCES)))
    if excluded:
        print("excluded on purpose:")
        for (fn, reason), count in sorted(excluded.items()):
            print("  %s (%d cases): %s" % (fn, count, reason))
    for key, reason in sorted(NOT_COMPARED.items()):
        print("not compared: %s: %s" % (key, reason))
    problems = surface + config_problems
    for i, case, d, real_out, ours_out in mismatches:
        print("MISMATCH %s case %d: %s" % (case.fn, i, d))
        print("    input:  %s" % short(case.inp))
        print("    real:   exc=%s result=%s stdout=%s" % (real_out["exc"], short(real_out["result"]), short(real_out["stdout"], 120)))
        print("    studio: exc=%s result=%s stdout=%s" % (ours_out["exc"], short(ours_out["result"]), short(ours_out["stdout"], 120)))
    for p in problems:
        print("PROBLEM %s" % p)
    if mismatches or problems:
        print("FAIL: %d mismatches, %d problems" % (len(mismatches), len(problems)))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
