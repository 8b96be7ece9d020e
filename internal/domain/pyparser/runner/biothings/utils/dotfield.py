"""biothings.utils.dotfield: Studio's implementation.

Turning dotted keys ({"a.b": 1}) into nested dicts ({"a": {"b": 1}}) and
back. Behaves as BioThings 1.2.2's module does, with one deliberate
difference (see internal/pyparser/README.md): BioThings builds the nested
dict by pasting the key parts into JSON text, so a part holding '"', '\\'
or a control character is misread or raises msgspec.DecodeError; Studio
uses each part as written.

BioThings' make_object copies the value through JSON (msgspec). Studio
copies it the same way without the text: NaN and infinities become None,
tuples and sets become lists, bytes become base64 text, dates and times
ISO 8601 text, Decimal and UUID their text, enums their value, and dict
keys text (see _json_copy). A value JSON cannot hold raises TypeError, as
in BioThings.
"""

import base64
import copy
import datetime
import decimal
import enum
import math
import uuid
from collections import UserDict, UserList


class _Unsupported(TypeError):
    pass


def _float_text(f):
    # msgspec writes the shortest repr, with exponents as "1e16" and "1e-7".
    text = repr(f)
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    sign = "-" if exponent.startswith("-") else ""
    return mantissa + "e" + sign + exponent.lstrip("+-").lstrip("0")


def _strict_key(k):
    """A dict key as msgspec writes it; TypeError for keys it refuses (None, bools, tuples, ...)."""
    if isinstance(k, str):
        k.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, as in BioThings
        return str(k)
    if type(k) is int:
        return str(k)
    if type(k) is float:
        return _float_text(k)
    if isinstance(k, (bytes, bytearray)):
        return base64.b64encode(bytes(k)).decode("ascii")
    raise _Unsupported("Only dicts with str-like or number-like keys are supported")


def _loose_key(k):
    """A dict key as BioThings' second attempt writes it: str(), with None, True and False as in JSON."""
    if isinstance(k, str):
        return k
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    return str(k)


def _iso(value):
    text = value.isoformat()
    if text.endswith("+00:00"):
        text = text[: -len("+00:00")] + "Z"
    return text


def _json_copy(value, key_text):
    """value as it comes back from a JSON round trip (see the module's documentation)."""
    if value is None or type(value) in (bool, int):
        return value
    if type(value) is float:
        return value if math.isfinite(value) else None
    if type(value) is str:
        value.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, as in BioThings
        return value
    if isinstance(value, dict):
        return {key_text(k): _json_copy(v, key_text) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_copy(v, key_text) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return _iso(value)
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, enum.Enum):
        return _json_copy(value.value, key_text)
    if isinstance(value, (UserDict, UserList)):
        return _json_copy(value.data, key_text)
    raise _Unsupported(f"Type {type(value)} not serializable")


def _stringify_keys(value):
    """Every dict key (inside dicts, lists and tuples) made text by _loose_key."""
    if isinstance(value, dict):
        return {_loose_key(k): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_stringify_keys(v) for v in value]
    return value


def _copy_value(value):
    try:
        return _json_copy(value, _strict_key)
    except _Unsupported:
        pass
    try:
        return _json_copy(_stringify_keys(value), _strict_key)
    except _Unsupported as e:
        raise TypeError(str(e)) from None


def make_object(attr, value):
    """{"a": {"b": {"c": value}}} for attr "a.b.c" (value copied as through JSON)."""
    parts = attr.split(".")
    result = _copy_value(value)
    for part in reversed(parts):
        result = {part: result}
    return result


def merge_object(obj1, obj2):
    """Merge obj2 into obj1 (nested dicts merged, other values replaced); returns obj1."""
    for k in obj2:
        try:
            if isinstance(obj2[k], dict):
                obj1[k] = merge_object(obj1[k], obj2[k])
            else:
                obj1[k] = obj2[k]
        except Exception:
            obj1[k] = obj2[k]
    return obj1


def parse_dot_fields(doc):
    """Expand dotted keys into nested dicts: {"a.b": 1, "a.c": 2} -> {"a": {"b": 1, "c": 2}}; returns doc.

    Expanded keys go to the end and replace an existing key of the same
    name; the dotted keys are removed.
    """
    dotted = []
    expanded = {}
    for key in doc:
        if key.find(".") != -1:
            dotted.append(key)
            expanded = merge_object(expanded, make_object(key, doc[key]))
    doc.update(expanded)
    for key in dotted:
        del doc[key]
    return doc


def compose_dot_fields_by_fields(doc, fields):
    """The reverse of parse_dot_fields for the dotted fields given.

    For each dotted field found in doc, a copy of doc gets it as a dotted
    key, and the top-level key it was found under is removed from the copy.
    doc itself is returned when nothing was composed.
    """
    result = None
    drop = set()
    for field in fields:
        if field.find(".") == -1:
            continue
        if not result:
            result = copy.deepcopy(doc)
        parts = field.split(".")
        if parts[0] not in doc:
            continue
        found = doc[parts[0]]
        missing = False
        for part in parts[1:]:
            if part not in found:
                missing = True
                break
            found = found[part]
        if missing:
            continue
        drop.add(parts[0])
        result[field] = found
    for key in drop:
        del result[key]
    return result if result else doc
