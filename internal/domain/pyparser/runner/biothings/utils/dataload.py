"""biothings.utils.dataload: Studio's implementation.

Every public name of BioThings' module is here and behaves as BioThings
1.2.2's does, quirks included (they are noted where they surprise), so
that a plugin's parser gives the same documents under Studio;
internal/pyparser/testdata/differential checks this against the real
package. Three functions that always fail in BioThings 1.2.2 (llist,
listsort, rec_handler without include_block_end) do what their
documentation says instead; see internal/pyparser/README.md.

Functions that take a document generally change it in place; what they
return is what BioThings returns (dict_apply returns None).
"""

import csv
import itertools
import json
import math
import os
import os.path
from collections import Counter, OrderedDict
from collections.abc import Mapping
from functools import cmp_to_key, total_ordering

from .common import anyfile, is_str, open_anyfile, safewfile
from .dotstring import key_value, set_key_value

# As BioThings does on import: the csv module's default limit (131072
# characters per field) is too small for some data files.
csv.field_size_limit(10000000)

_DEFAULT_SWEEP = [".", "-", "", "NA", "none", " ", "Not Available", "unknown"]
_TRUE_TEXTS = {"true", "1", "t", "y", "yes", "Y", "Yes", "YES", 1}
_FALSE_TEXTS = {"false", "0", "f", "n", "N", "No", "no", "NO", 0}


# ---------------------------------------------------------------- cleaning values


def _nan_kind(value):
    """"NaN", "NAType" or "NaTType" for NaN-like values (float NaN, pandas.NA, pandas.NaT), else None."""
    cls = value.__class__
    module = getattr(cls, "__module__", "")
    name = getattr(cls, "__name__", "")
    if (module == "pandas" or module.startswith("pandas.")) and name in ("NAType", "NaTType"):
        return name
    try:
        if math.isnan(value):
            return "NaN"
    except (TypeError, ValueError):
        pass
    return None


def _is_swept(value, vals):
    """True when value is one of vals. NaN-likes match only a NaN-like of the same kind in vals."""
    if is_str(vals):
        vals = [vals]
    kind = _nan_kind(value)
    for candidate in vals:
        candidate_kind = _nan_kind(candidate)
        if kind or candidate_kind:
            if kind == candidate_kind:
                return True
            continue
        try:
            if value == candidate:
                return True
        except (TypeError, ValueError):
            continue
    return False


def dict_sweep(d, vals=None, remove_invalid_list=False):
    """Remove, recursively, the keys whose value is one of vals, and dicts and lists left empty.

    vals (a list, or one string) defaults to ".", "-", "", "NA", "none",
    " ", "Not Available" and "unknown". None is removed only when listed;
    NaN, pandas.NA and pandas.NaT only when listed (e.g. vals=[np.nan]).
    Lists: members in vals are dropped and dict members swept (they stay,
    even empty). Quirk kept from BioThings: without remove_invalid_list,
    the member right after a dropped one is not looked at
    (["", "", "x"] -> ["", "x"]). Returns d, changed in place.
    """
    vals = vals or _DEFAULT_SWEEP
    for key, value in list(d.items()):
        if _is_swept(value, vals):
            del d[key]
        elif isinstance(value, list):
            if remove_invalid_list:
                kept = [item for item in value if not _is_swept(item, vals)]
                for item in kept:
                    if isinstance(item, dict):
                        dict_sweep(item, vals, remove_invalid_list=remove_invalid_list)
                if kept:
                    d[key] = kept
                else:
                    del d[key]
            else:
                i = 0
                while i < len(value):
                    item = value[i]
                    if _is_swept(item, vals):
                        del value[i]
                    elif isinstance(item, dict):
                        dict_sweep(item, vals, remove_invalid_list=remove_invalid_list)
                    i += 1
                if not value:
                    del d[key]
        elif isinstance(value, dict):
            dict_sweep(value, vals, remove_invalid_list=remove_invalid_list)
            if not value:
                del d[key]
    return d


def safe_type(f, val):
    """f(val) for a string val, or val itself when f raises ValueError or val is not a string."""
    if is_str(val):
        try:
            return f(val)
        except ValueError:
            pass
    return val


def to_float(val):
    """float(val) for a numeric string; anything else (non-numeric strings, numbers, None) unchanged."""
    return safe_type(float, val)


def to_int(val):
    """int(val) for an integer string; anything else ("1.5", numbers, None) unchanged."""
    return safe_type(int, val)


def to_number(val):
    """int(val), else float(val), for a string; anything else unchanged ("NaN" becomes float nan)."""
    if is_str(val):
        for convert in (int, float):
            try:
                return convert(val)
            except ValueError:
                pass
    return val


def to_boolean(val, true_str=None, false_str=None):
    """A bool for val: non-strings by bool(val); strings by the true/false texts, None when neither.

    The default texts are "true", "1", "t", "y", "yes", "Y", "Yes", "YES"
    and "false", "0", "f", "n", "N", "No", "no", "NO" (case matters).
    """
    true_str = true_str or _TRUE_TEXTS
    false_str = false_str or _FALSE_TEXTS
    if not isinstance(val, str):
        return bool(val)
    if val in true_str:
        return True
    if val in false_str:
        return False
    return None


def boolean_convert(d, convert_keys=None, level=0):
    """Convert to bools (see to_boolean) the values of the (dotted) keys in convert_keys; returns d.

    Quirks kept from BioThings: the key's last part is matched at any depth,
    and None values become False.
    """
    convert_keys = convert_keys or []
    for key, value in d.items():
        if isinstance(value, dict):
            d[key] = boolean_convert(value, convert_keys)
        names = [k.split(".")[level] for k in convert_keys if len(k.split(".")) > level]
        if key not in names:
            continue
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], dict):
                d[key] = [boolean_convert(v, convert_keys, level + 1) for v in value]
            else:
                d[key] = [to_boolean(x) for x in value]
        elif isinstance(value, (dict, OrderedDict)):
            d[key] = boolean_convert(value, convert_keys, level + 1)
        else:
            d[key] = to_boolean(value)
    return d


def float_convert(d, include_keys=None, exclude_keys=None):
    """to_float on d's leaf values (only include_keys, or all but exclude_keys); returns d."""
    return value_convert_incexcl(d, to_float, include_keys, exclude_keys)


def int_convert(d, include_keys=None, exclude_keys=None):
    """to_int on d's leaf values (only include_keys, or all but exclude_keys); returns d."""
    return value_convert_incexcl(d, to_int, include_keys, exclude_keys)


def merge_duplicate_rows(rows, db):
    """Merge the rows[i][db] dicts into the first row's and return the first row.

    A key missing in the first row takes the first value found; a different
    value in a later row turns the first row's value into a list and is
    appended (equal values are not repeated against the first row's value).
    """
    rows = list(rows)
    keys = set()
    for row in rows:
        for k in row[db]:
            keys.add(k)
    first = rows[0]
    merged = first[db]
    for row in rows[1:]:
        other = row[db]
        for k in keys:
            try:
                current = merged[k]
            except KeyError:
                try:
                    merged[k] = other[k]
                except KeyError:
                    pass
                continue
            if k in other and other[k] != merged[k]:
                if not isinstance(current, list):
                    current = [current]
                current.append(other[k])
                merged[k] = current
    return first


def unique_ids(src_module):
    """Run src_module.load_data(), print how many documents and distinct _id it gave, return the documents."""
    docs = list(src_module.load_data())
    ids = {doc["_id"] for doc in docs if doc}
    print(len(docs), "Documents produced")
    print(len(ids), "Unique IDs")
    return docs


def rec_handler(infile, block_end="\n", skip=0, include_block_end=False, as_list=False):
    """Yield the records of a text file: blocks of lines separated by block_end lines (empty lines).

    skip lines are skipped first. Each record is its lines joined (or, with
    as_list, the list of lines); with include_block_end, block_end is added
    at its end. (BioThings 1.2.2 raises UnboundLocalError unless
    include_block_end is true; Studio gives the records.)
    """
    with open_anyfile(infile) as f:
        for _ in range(skip or 0):
            f.readline()
        for is_separator, lines in itertools.groupby(f, lambda line: line == block_end):
            if is_separator:
                continue
            if include_block_end:
                lines = itertools.chain(lines, (block_end,))
            yield list(lines) if as_list else "".join(lines)


# ---------------------------------------------------------------- lists


def unlist(d):
    """Replace one-element lists by their element, in d and the dicts within (directly or in lists); returns d."""
    for key, value in d.items():
        if isinstance(value, list):
            items = [unlist(v) if isinstance(v, dict) else v for v in value]
            d[key] = items[0] if len(items) == 1 else items
        elif isinstance(value, dict):
            d[key] = unlist(value)
    return d


def _unlist_allowed(path, include_keys, exclude_keys):
    if include_keys is not None and path not in include_keys:
        return False
    if exclude_keys is not None and path in exclude_keys:
        return False
    return True


def _unlist_paths(value, include_keys, exclude_keys, parents):
    if not isinstance(value, dict):
        return value
    for key, item in list(value.items()):
        keys = parents + [key]
        path = ".".join(keys)
        if isinstance(item, list):
            if len(item) == 1 and _unlist_allowed(path, include_keys, exclude_keys):
                value[key] = _unlist_paths(item[0], include_keys, exclude_keys, keys)
            else:
                value[key] = [_unlist_paths(x, include_keys, exclude_keys, keys) for x in item]
        elif isinstance(item, dict):
            value[key] = _unlist_paths(item, include_keys, exclude_keys, keys)
    return value


def unlist_incexcl(d, include_keys=None, exclude_keys=None):
    """Like unlist, recursively, for the dotted paths in include_keys (all when None) minus exclude_keys; returns d."""
    return _unlist_paths(d, include_keys, exclude_keys, [])


def list_split(d, sep):
    """Split string values holding sep into lists (after removing trailing white space and seps), recursively; returns d."""
    for key, value in d.items():
        if isinstance(value, dict):
            list_split(value, sep)
        try:
            if len(value.split(sep)) > 1:
                d[key] = value.rstrip().rstrip(sep).split(sep)
        except AttributeError:
            pass
    return d


def id_strip(id_list):
    """Split a "|"-separated text and strip each part."""
    return [part.rstrip().lstrip() for part in id_list.split("|")]


def llist(li, sep="\t"):
    """Print each item of li on its own line; lists and tuples joined with sep.

    (BioThings 1.2.2 raises TypeError for any non-empty li; Studio prints.)
    """
    for item in li:
        if isinstance(item, (list, tuple)):
            print(sep.join([str(x) for x in item]))
        else:
            print(str(item))


def listitems(a_list, *idx):
    """The items at the indexes idx: a tuple for a tuple, else a list."""
    picked = (a_list[i] for i in idx)
    return tuple(picked) if isinstance(a_list, tuple) else list(picked)


def list2dict(a_list, keyitem, alwayslist=False):
    """Index rows by a column: {key: the other columns as a tuple (one column: the value)}.

    keyitem is a column index or a sequence of them (the key is then a
    tuple). Repeated keys collect their values in a list; with alwayslist
    every value is a list. Quirk kept from BioThings: with a sequence
    keyitem, the other columns are those below the number of rows.
    """
    result = {}
    for row in a_list:
        if isinstance(keyitem, int):
            key = row[keyitem]
            value = tuple(row[:keyitem] + row[keyitem + 1 :])
        else:
            key = tuple(row[i] for i in keyitem)
            value = tuple(row[i] for i in range(len(a_list)) if i not in keyitem)
        if len(value) == 1:
            value = value[0]
        if key in result:
            previous = result[key]
            collected = previous if isinstance(previous, list) else [previous]
            collected.append(value)
            result[key] = collected
        else:
            result[key] = [value] if alwayslist else value
    return result


def listsort(a_list, by, reverse=False, cmp=None, key=None):
    """A new list of the rows of a_list sorted on their column by.

    key and cmp (an old-style comparison function) apply to the
    (row[by], row) pairs being sorted. (BioThings 1.2.2 raises TypeError
    for any call, passing cmp to list.sort; Studio sorts.)
    """
    pairs = [(row[by], row) for row in a_list]
    if cmp is not None:
        key = cmp_to_key(cmp)
    pairs.sort(key=key, reverse=reverse)
    return [row for _, row in pairs]


def list_itemcnt(a_list):
    """[(item, occurrences)] in order of first appearance."""
    return list(Counter(a_list).items())


def alwayslist(value):
    """[] for None, a list or tuple as is, anything else wrapped in a list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return value
    return [value]


# ---------------------------------------------------------------- files


def tabfile_tester(datafile, header=1, sep="\t"):
    """Read a delimited file through; on an error print the line number reached and raise it."""
    f = anyfile(datafile)
    reader = csv.reader(f, delimiter=sep)
    lineno = 0
    try:
        for _ in range(header):
            next(reader)
            lineno += 1
        for _ in reader:
            lineno += 1
        # As in BioThings: with header=0, an empty file raises UnboundLocalError here.
        del _
    except Exception:
        print("Error at line number:", lineno)
        raise
    finally:
        f.close()


def dupline_seperator(dupline, dup_sep, dup_idx=None, strip=False):
    """Every combination of a row whose fields hold dup_sep-separated alternatives (an itertools.product).

    Only the fields at dup_idx are split when it is given (and not empty);
    strip removes white space around the parts.
    """
    fields = list(dupline)
    for i, value in enumerate(fields):
        if dup_idx and i not in dup_idx:
            fields[i] = [value]
            continue
        parts = value.split(dup_sep)
        if strip:
            parts = [p.strip() for p in parts]
        fields[i] = parts
    return itertools.product(*fields)


def tabfile_feeder(datafile, header=1, sep="\t", includefn=None, coerce_unicode=True, assert_column_no=None):
    """Yield the rows of a delimited text file (see anyfile) as lists of strings, after header lines.

    Rows are read with csv.reader, so quotes are honoured. includefn(row)
    false skips a row. assert_column_no makes a row with another number of
    columns raise ValueError (the number of rows yielded so far is printed).
    A file with fewer lines than header raises RuntimeError, as in
    BioThings.
    """
    f = anyfile(datafile)
    reader = csv.reader(f, delimiter=sep)
    lineno = 0
    try:
        for _ in range(header):
            next(reader)
            lineno += 1
        for row in reader:
            if assert_column_no and len(row) != assert_column_no:
                raise ValueError("Unexpected column number: got {}, should be {}".format(len(row), assert_column_no))
            if includefn and not includefn(row):
                continue
            lineno += 1
            yield [str(x) for x in row] if coerce_unicode else row
    except ValueError:
        print("Error at line number:", lineno)
        raise
    finally:
        f.close()


def _missing(path):
    print('Error: missing "%s". Skipped!' % os.path.split(path)[1])
    return {}


def tab2list(datafile, cols, **kwargs):
    """The column cols (an index) or columns (a sequence) of every row of a file (see tabfile_feeder).

    A missing file prints a message and gives {}.
    """
    if not os.path.exists(datafile):
        return _missing(datafile)
    if isinstance(cols, int):
        return [row[cols] for row in tabfile_feeder(datafile, **kwargs)]
    return [listitems(row, *cols) for row in tabfile_feeder(datafile, **kwargs)]


def tab2dict(datafile, cols, key, alwayslist=False, **kwargs):
    """list2dict of the columns cols of every row of a file, keyed by key (an index into cols).

    A missing file prints a message and gives {}.
    """
    path = datafile[0] if isinstance(datafile, tuple) else datafile
    if not os.path.exists(path):
        return _missing(path)
    rows = [listitems(row, *cols) for row in tabfile_feeder(datafile, **kwargs)]
    return list2dict(rows, key, alwayslist=alwayslist)


def tab2dict_iter(datafile, cols, key, alwayslist=False, **kwargs):
    """Like tab2dict, one dict per run of adjacent rows sharing the key (a generator).

    A missing file prints a message and yields nothing.
    """
    path = datafile[0] if isinstance(datafile, tuple) else datafile
    if not os.path.exists(path):
        return _missing(path)
    bulk = []
    current = None
    for row in tabfile_feeder(datafile, **kwargs):
        picked = listitems(row, *cols)
        if current is not None and not picked[key] == current:
            yield list2dict(bulk, key, alwayslist=alwayslist)
            bulk = []
        bulk.append(picked)
        current = picked[key]
    if bulk:
        yield list2dict(bulk, key, alwayslist=alwayslist)


def file_merge(infiles, outfile=None, header=1, verbose=1):
    """Concatenate files of the same format, dropping the header lines of all but the first.

    outfile defaults to the first file's name with "_merged" before the
    extension, and is opened with safewfile (asking before overwriting).
    """
    outfile = outfile or "_merged".join(os.path.splitext(infiles[0]))
    out, outfile = safewfile(outfile)
    if verbose:
        print("Merging...")
    total = 0
    for n, name in enumerate(infiles):
        print(os.path.split(name)[1], "...", end="")
        f = anyfile(name)
        if n > 0:
            for _ in range(header):
                f.readline()
        lines = 0
        for line in f:
            out.write(line)
            lines += 1
        f.close()
        total += lines
        print(lines)
    out.close()
    print("=" * 20)
    print("Done![total %d lines output]" % total)


# ---------------------------------------------------------------- dicts


@total_ordering
class MinType(object):
    """A value smaller than any other (to sort lists holding None); equal only to itself."""

    def __le__(self, other):
        return True

    def __eq__(self, other):
        return self is other


Min = MinType()


def traverse_keys(d, include_keys=None, exclude_keys=None):
    """Yield (dotted path, value) for d's leaves (lists are gone through, not counted in paths).

    With include_keys, only those paths, and only their truthy values;
    with exclude_keys, all paths but those.
    """
    include_keys = include_keys or []
    exclude_keys = exclude_keys or []

    def leaves(value, path):
        if isinstance(value, dict):
            for k in value.keys():
                yield from leaves(value[k], path + [k])
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item, path)
        else:
            yield path, value

    if include_keys:
        for k in include_keys:
            for value in key_value(d, k):
                if value:
                    yield k, value
        return
    for path, value in leaves(d, []):
        dotted = ".".join(path)
        if dotted not in exclude_keys:
            yield dotted, value


def value_convert(_dict, fn, traverse_list=True):
    """Replace each top-level value v by fn(v) (for a list, with traverse_list, each item); returns _dict."""
    for k in _dict:
        value = _dict[k]
        if traverse_list and isinstance(value, list):
            _dict[k] = [fn(x) for x in value]
        else:
            _dict[k] = fn(value)
    return _dict


def value_convert_incexcl(d, fn, include_keys=None, exclude_keys=None):
    """Apply fn to the leaves traverse_keys gives, setting the result at every place the path reaches; returns d."""
    for path, value in traverse_keys(d, include_keys, exclude_keys):
        set_key_value(d, path, fn(value))
    return d


def value_convert_to_number(d, skipped_keys=None):
    """to_number on d's values, recursively (lists and tuples item by item), except for keys in skipped_keys; returns d.

    A skipped key's dict value is still converted inside.
    """
    skipped_keys = skipped_keys or []

    def convert(x):
        return value_convert_to_number(x, skipped_keys) if isinstance(x, dict) else to_number(x)

    for key, value in d.items():
        if isinstance(value, dict):
            value_convert_to_number(value, skipped_keys)
        if key in skipped_keys:
            continue
        if isinstance(value, list):
            d[key] = [convert(x) for x in value]
        elif isinstance(value, tuple):
            d[key] = tuple(convert(x) for x in value)
        else:
            d[key] = to_number(value)
    return d


def dict_convert(_dict, keyfn=None, valuefn=None):
    """Convert top-level keys with keyfn and values with valuefn.

    With keyfn a new dict is returned; with only valuefn, _dict is changed
    in place and returned; with neither, _dict is returned.
    """
    if keyfn is not None:
        converted = {}
        for k in _dict:
            converted[keyfn(k)] = valuefn(_dict[k]) if valuefn else _dict[k]
        return converted
    if valuefn is not None:
        for k in _dict:
            _dict[k] = valuefn(_dict[k])
    return _dict


def updated_dict(_dict, attrs):
    """A copy of _dict updated with attrs."""
    copy = _dict.copy()
    copy.update(attrs)
    return copy


def update_dict_recur(d, u):
    """Update d with u recursively: nested mappings are merged, other values replaced; returns d."""
    for k, v in u.items():
        if isinstance(v, Mapping):
            d[k] = update_dict_recur(d.get(k, {}), v)
        else:
            d[k] = u[k]
    return d


def merge_dict(dict_li, attr_li, missingvalue=None):
    """{key: {attr: dict's value}} for dicts given with their attribute names (missing ones get missingvalue unless None)."""
    named = dict(zip(attr_li, dict_li))
    all_keys = set()
    for attr in named:
        all_keys = all_keys | set(named[attr])
    merged = {}
    for k in all_keys:
        entry = {}
        for attr in named:
            if k in named[attr]:
                entry[attr] = named[attr][k]
            elif missingvalue is not None:
                entry[attr] = missingvalue
        merged[k] = entry
    return merged


def _none_first(x):
    if x is None or (not isinstance(x, str) and None in x):
        return Min
    return x


def normalized_value(value, sort=True):
    """For a list: falsy items dropped, duplicates removed, sorted (with sort), one item unwrapped. Other values as is."""
    if not isinstance(value, list):
        return value
    items = [x for x in value if x]
    try:
        unique = list(set(items))
    except TypeError:
        unique = [json.loads(text) for text in {json.dumps(x) for x in items}]
    if unique and sort:
        if isinstance(unique[0], dict):
            unique = sorted(unique, key=lambda x: sorted(x.keys()))
        else:
            try:
                unique = sorted(unique)
            except TypeError:
                unique = sorted(unique, key=_none_first)
    if len(unique) == 1:
        return unique[0]
    return unique


def dict_nodup(_dict, sort=True):
    """normalized_value on every top-level value; returns _dict."""
    for k in _dict:
        _dict[k] = normalized_value(_dict[k], sort=sort)
    return _dict


def dict_attrmerge(dict_li, removedup=True, sort=True, special_fns=None):
    """Merge dicts key by key: truthy values (lists flattened one level) collected; one value stays single.

    special_fns maps a key to a function applied to its merged value; with
    removedup, dict_nodup is applied at the end.
    """
    special_fns = special_fns or {}
    keys = []
    for d in dict_li:
        keys.extend(d.keys())
    merged = {}
    for k in set(keys):
        values = []
        for d in dict_li:
            if d.get(k, None):
                if isinstance(d[k], list):
                    values.extend(d[k])
                else:
                    values.append(d[k])
        merged[k] = values[0] if len(values) == 1 else values
        if k in special_fns:
            merged[k] = special_fns[k](merged[k])
    if removedup:
        merged = dict_nodup(merged, sort=sort)
    return merged


def merge_root_keys(doc1, doc2, exclude=None):
    """Merge doc2 into doc1 at the root: shared keys become lists (doc1's values first); returns doc1.

    doc2 is emptied of the keys taken. Keys in exclude are dropped from doc2
    and left alone in doc1.
    """
    exclude = exclude or []
    for k in exclude:
        doc2.pop(k, None)
    for k in doc1:
        if k in exclude:
            continue
        other = doc2.pop(k, None)
        if not isinstance(other, list):
            other = [other]
        if not other:
            continue
        if isinstance(doc1[k], list):
            doc1[k].extend(other)
        else:
            doc1[k] = [doc1[k]] + other
    doc1.update(doc2)
    return doc1


def dict_apply(d, key, value, sort=True):
    """Add value at d[key]; when key exists, the values are collected and normalized (see normalized_value).

    Returns None, as in BioThings.
    """
    if key in d:
        collected = d[key]
        if not isinstance(collected, list):
            collected = [collected]
        if isinstance(value, list):
            collected.extend(value)
        else:
            collected.append(value)
    else:
        collected = value
    d[key] = normalized_value(collected, sort=sort)


def dict_to_list(gene_d):
    """[copy of gene_d[k] with "_id": str(k)] in sorted key order."""
    return [updated_dict(gene_d[k], {"_id": str(k)}) for k in sorted(gene_d.keys())]


_PRIMITIVES = (int, float, complex, str, bool, type(None))


def merge_struct(v1, v2, aslistofdict=None, include=None, exclude=None):
    """Merge v2 into v1 and return the result (v1, changed in place, or a new value).

    - v1 a list: v2's items not in v1 are added (a new list when v2 is a
      list; appended in place otherwise).
    - v1 a dict and v2 a list: v1 is appended to v2 unless present, and v1
      is returned.
    - two dicts: keys of v1 (or include) are merged recursively, except
      those in exclude; keys only in v1 are copied into v2, keys only in v2
      into v1. aslistofdict names a key whose values are merged as lists.
      A dict with a non-dict raises AssertionError.
    - two different scalars give [v1, v2]; equal ones v1. A scalar and a
      list: the scalar joins the list.
    - other types (tuples, sets, ...) raise TypeError.
    """
    if isinstance(v1, list):
        if isinstance(v2, list):
            return v1 + [x for x in v2 if x not in v1]
        if v2 not in v1:
            v1.append(v2)
        return v1
    if isinstance(v2, list) and isinstance(v1, dict):
        if v1 not in v2:
            v2.append(v1)
        return v1
    if isinstance(v1, dict):
        if not isinstance(v2, dict):
            raise AssertionError("v2 %s not a dict (v1: %s)" % (v2, v1))
        for k in include if include else list(v1.keys()):
            if exclude and k in exclude:
                continue
            if k not in v2:
                v2[k] = v1[k]
            elif aslistofdict == k:
                left = v1[k] if isinstance(v1[k], list) else [v1[k]]
                right = v2[k] if isinstance(v2[k], list) else [v2[k]]
                if left != right:
                    v1[k] = merge_struct(left, right)
            else:
                v1[k] = merge_struct(v1[k], v2[k])
        for k in v2:
            if k not in v1:
                v1[k] = v2[k]
        return v1
    if isinstance(v1, _PRIMITIVES):
        if not isinstance(v2, _PRIMITIVES):
            return merge_struct(v2, v1)
        if v1 != v2:
            return [v1, v2]
        return v1
    raise TypeError(f"Unknown type {type(v1)} while attempting to merge structures")


def dict_walk(dictionary, key_func):
    """A copy of a nested dict with key_func applied to every key."""
    if not isinstance(dictionary, dict):
        return dictionary
    return {key_func(k): dict_walk(v, key_func) for k, v in dictionary.items()}


def dict_traverse(d, func, traverse_list=False):
    """Call func(key, value) -> (new key, new value) on every leaf of d, recursively, in place.

    Keys are visited in sorted order when they can be sorted; with
    traverse_list, dicts inside lists are visited too (other list items are
    left alone). A replaced key moves to the end of its dict.
    """
    try:
        items = sorted(d.items(), key=lambda kv: kv[0])
    except TypeError:
        items = d.copy().items()
    for k, v in items:
        if isinstance(v, dict):
            dict_traverse(v, func, traverse_list=traverse_list)
        elif traverse_list and isinstance(v, list):
            for item in v:
                if isinstance(item, dict):
                    dict_traverse(item, func, traverse_list=traverse_list)
        else:
            new_key, new_value = func(k, v)
            d.pop(k)
            d[new_key] = new_value
