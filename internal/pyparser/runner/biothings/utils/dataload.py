"""biothings.utils.dataload, as far as data plugin parsers use it.

Studio's own implementation of the commonly imported helpers. Functions
that take a document change it in place and also return it, so both
``dict_sweep(doc)`` and ``doc = dict_sweep(doc)`` work.
"""

import csv
import math

from biothings.utils.common import alwayslist, anyfile, open_anyfile  # noqa: F401 - re-exported

__all__ = [
    "dict_sweep",
    "open_anyfile",
    "anyfile",
    "unlist",
    "value_convert_to_number",
    "dict_convert",
    "tabfile_feeder",
    "list2dict",
    "merge_struct",
    "to_int",
    "to_float",
    "to_number",
    "llist",
    "listitems",
    "dict_apply",
    "unique_ids",
    "alwayslist",
]

DEFAULT_INVALID = [".", "-", "", "NA", "none", " ", "Not Available", "unknown"]


def _is_invalid(v, vals):
    if v is None:
        return True
    if isinstance(v, (dict, list)):
        return False
    try:
        return v in vals
    except TypeError:  # unhashable or odd comparisons: not an invalid marker
        return False


def dict_sweep(d, vals=None, remove_invalid_list=False):
    """Remove, recursively, the keys whose value is None or in vals.

    vals defaults to DEFAULT_INVALID (".", "-", "", "NA", "none", " ",
    "Not Available", "unknown"). Dicts and lists left empty are removed too.
    In lists, members equal to one of vals are dropped and dict members are
    swept; with remove_invalid_list=True, members that are None or that end
    up as empty dicts or lists are dropped as well. d is changed in place
    and returned.
    """
    if not vals:
        vals = DEFAULT_INVALID
    for key in list(d):
        v = d[key]
        if isinstance(v, dict):
            dict_sweep(v, vals, remove_invalid_list)
            if not v:
                del d[key]
        elif isinstance(v, list):
            v[:] = _sweep_list(v, vals, remove_invalid_list)
            if not v:
                del d[key]
        elif _is_invalid(v, vals):
            del d[key]
    return d


def _sweep_list(items, vals, remove_invalid_list):
    out = []
    for x in items:
        if isinstance(x, dict):
            dict_sweep(x, vals, remove_invalid_list)
            if not x and remove_invalid_list:
                continue
        elif isinstance(x, list):
            x[:] = _sweep_list(x, vals, remove_invalid_list)
            if not x and remove_invalid_list:
                continue
        elif x is None:
            if remove_invalid_list:
                continue
        elif _is_invalid(x, vals):
            continue
        out.append(x)
    return out


def unlist(d):
    """Replace, recursively, every one-element list by its element. Returns d (changed in place)."""
    if isinstance(d, dict):
        for k, v in d.items():
            d[k] = _unlist_value(v)
        return d
    return _unlist_value(d)


def _unlist_value(v):
    if isinstance(v, list):
        if len(v) == 1:
            return _unlist_value(v[0])
        v[:] = [_unlist_value(x) for x in v]
        return v
    if isinstance(v, dict):
        return unlist(v)
    return v


def to_number(s):
    """Convert a numeric string to int (when int() accepts it) or float; return anything else unchanged.

    Strings that read as NaN or infinity stay strings, because a document
    cannot hold those numbers.
    """
    if not isinstance(s, str):
        return s
    try:
        return int(s)
    except ValueError:
        pass
    try:
        f = float(s)
    except ValueError:
        return s
    return f if math.isfinite(f) else s


def value_convert_to_number(d, skipped_keys=None):
    """Convert, recursively, numeric string values to int or float (see to_number).

    Values of keys listed in skipped_keys are left alone (at any depth).
    Returns d (changed in place).
    """
    skipped = set(skipped_keys or ())
    return _convert_numbers(d, skipped)


def _convert_numbers(v, skipped):
    if isinstance(v, dict):
        for k, x in v.items():
            if k not in skipped:
                v[k] = _convert_numbers(x, skipped)
        return v
    if isinstance(v, list):
        v[:] = [_convert_numbers(x, skipped) for x in v]
        return v
    return to_number(v)


def dict_convert(_dict, keyfn=None, valuefn=None):
    """Return a dict whose top-level keys went through keyfn and values through valuefn (each when given).

    Not recursive. Without keyfn the dict is changed in place and returned.
    """
    if keyfn is None:
        if valuefn is not None:
            for k in _dict:
                _dict[k] = valuefn(_dict[k])
        return _dict
    out = {}
    for k, v in _dict.items():
        out[keyfn(k)] = valuefn(v) if valuefn is not None else v
    return out


def tabfile_feeder(datafile, header=1, sep="\t", includefn=None, coerce_unicode=True, assert_column_no=None):
    """Yield the rows of a delimited text file (plain or compressed) as lists of strings.

    The first `header` lines are skipped. Rows are read with csv.reader and
    the given separator, so quoted fields work. includefn(row) -> False
    skips a row. assert_column_no makes a row with another number of columns
    an error naming its line. coerce_unicode is accepted for compatibility
    (rows are always str).
    """
    with open_anyfile(datafile) as f:
        reader = csv.reader(f, delimiter=sep)
        for _ in range(header):
            if next(reader, None) is None:
                return
        for row in reader:
            if assert_column_no is not None and len(row) != assert_column_no:
                raise ValueError(
                    "%s line %d: %d columns, expected %d: %r"
                    % (datafile, reader.line_num, len(row), assert_column_no, row[:10])
                )
            if includefn is None or includefn(row):
                yield row


def list2dict(a_list, keyitem, alwayslist=False):
    """Turn a list of rows (lists or tuples) into a dict keyed by one column.

    keyitem is a column index, or a sequence of indexes (the key is then
    the tuple of those columns). The value is the tuple of the other
    columns, or that one item when a single column remains. Rows sharing a
    key collect their values in a list, in order; with alwayslist=True every
    value is a list.
    """
    multi = isinstance(keyitem, (list, tuple))
    idx = set(keyitem) if multi else {keyitem}
    out = {}
    for row in a_list:
        key = tuple(row[i] for i in keyitem) if multi else row[keyitem]
        rest = tuple(x for i, x in enumerate(row) if i not in idx)
        value = rest[0] if len(rest) == 1 else rest
        if key in out:
            out[key].append(value)
        else:
            out[key] = [value]
    if not alwayslist:
        for k, v in out.items():
            if len(v) == 1:
                out[k] = v[0]
    return out


def merge_struct(v1, v2, aslistofdict=None):
    """Deep-merge v2 into v1 and return the result.

    Dicts merge key by key, recursively; keys only in v2 are added. Lists
    are unioned (v1's items, then v2's items not already present). A list
    and a scalar: the scalar joins the list unless present. Two different
    scalars (or a dict and a non-dict) become [v1, v2]; equal ones stay v1.
    aslistofdict names a key whose values are treated as lists of dicts
    (a lone dict is wrapped in a list before merging).
    """
    if isinstance(v1, dict) and isinstance(v2, dict):
        for k, x in v2.items():
            if k not in v1:
                v1[k] = x
            elif aslistofdict is not None and k == aslistofdict:
                v1[k] = merge_struct(_as_list(v1[k]), _as_list(x), aslistofdict)
            else:
                v1[k] = merge_struct(v1[k], x, aslistofdict)
        return v1
    if isinstance(v1, list):
        for x in v2 if isinstance(v2, list) else [v2]:
            if x not in v1:
                v1.append(x)
        return v1
    if isinstance(v2, list):
        out = [v1]
        for x in v2:
            if x not in out:
                out.append(x)
        return out
    if v1 == v2:
        return v1
    return [v1, v2]


def _as_list(v):
    return v if isinstance(v, list) else [v]


def to_int(val):
    """Return int(val), or val unchanged when it cannot be converted (e.g. "NA")."""
    try:
        return int(val)
    except (ValueError, TypeError, OverflowError):
        return val


def to_float(val):
    """Return float(val), or val unchanged when it cannot be converted (e.g. "NA")."""
    try:
        return float(val)
    except (ValueError, TypeError):
        return val


def llist(li, sep="\t"):
    """Print each item of li on its own line; lists and tuples are joined with sep."""
    for x in li:
        if isinstance(x, (list, tuple)):
            print(sep.join(str(i) for i in x))
        else:
            print(x)


def listitems(a_list, *idx):
    """Return the items at the given indexes: a tuple for a tuple input, else a list."""
    items = [a_list[i] for i in idx]
    return tuple(items) if isinstance(a_list, tuple) else items


def dict_apply(d, key, value, sort=True):
    """Set d[key] = value, or, when key is present, collect the values in a list.

    With sort=True the collected list is sorted when its items can be
    compared. Returns d.
    """
    if key not in d:
        d[key] = value
        return d
    current = d[key]
    values = current if isinstance(current, list) else [current]
    values.append(value)
    if sort:
        try:
            values.sort()
        except TypeError:
            pass
    d[key] = values
    return d


def unique_ids(src):
    """Count documents and distinct _id values in src and print a summary.

    src is an iterable of documents or a parser module with load_data().
    Returns the list of _id values seen more than once, in first-seen order.
    """
    docs = src.load_data() if hasattr(src, "load_data") else src
    seen = set()
    dups = []
    dup_set = set()
    total = 0
    for doc in docs:
        total += 1
        _id = doc.get("_id")
        if _id in seen:
            if _id not in dup_set:
                dup_set.add(_id)
                dups.append(_id)
        else:
            seen.add(_id)
    print("%d documents, %d distinct _id, %d _id repeated" % (total, len(seen), len(dups)))
    return dups
