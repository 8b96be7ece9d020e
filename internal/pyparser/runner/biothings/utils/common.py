"""biothings.utils.common, as far as data plugin parsers use it.

Studio's own implementation of the commonly imported names: open_anyfile,
anyfile, is_str, is_int, is_float, iter_n, timesofar, get_timestamp,
alwayslist.
"""

import bz2
import gzip
import io
import itertools
import lzma
import os
import time
import zipfile

__all__ = [
    "open_anyfile",
    "anyfile",
    "is_str",
    "is_int",
    "is_float",
    "iter_n",
    "timesofar",
    "get_timestamp",
    "alwayslist",
]

_COMPRESSED = {
    ".gz": gzip.open,
    ".bz2": bz2.open,
    ".xz": lzma.open,
    ".lzma": lzma.open,
}


def open_anyfile(path, mode="r", encoding="utf-8", errors=None):
    """Open a plain, .gz, .bz2, .xz/.lzma or single-member .zip file.

    Text mode (the default) decodes UTF-8; add "b" to mode for bytes. The
    result is a file object usable as a context manager. For BioThings
    compatibility, path may also be a (path, mode) tuple, or an already
    open file object, which is returned as is.
    """
    if isinstance(path, tuple):
        path, mode = path
    if hasattr(path, "read") or hasattr(path, "write"):
        return path
    path = os.fspath(path)
    binary = "b" in mode
    base = mode.replace("b", "").replace("t", "") or "r"
    ext = os.path.splitext(path)[1].lower()
    if ext == ".zip":
        return _open_zip_member(path, base, binary, encoding, errors)
    opener = _COMPRESSED.get(ext)
    if opener is None:
        if binary:
            return open(path, base + "b")
        return open(path, base, encoding=encoding, errors=errors)
    if binary:
        return opener(path, base + "b")
    return opener(path, base + "t", encoding=encoding, errors=errors)


anyfile = open_anyfile


def _open_zip_member(path, mode, binary, encoding, errors):
    if mode != "r":
        raise ValueError("open_anyfile: %s: zip archives can only be read" % path)
    zf = zipfile.ZipFile(path)
    try:
        members = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        if len(members) != 1:
            names = ", ".join(i.filename for i in members) or "none"
            raise ValueError(
                "open_anyfile: %s holds %d files (%s); it can open a zip archive of exactly one file: "
                "uncompress it first (manifest dumper \"uncompress\": true)" % (path, len(members), names)
            )
        member = zf.open(members[0])
    finally:
        zf.close()  # the open member keeps the archive's file open until it is closed
    if binary:
        return member
    return io.TextIOWrapper(member, encoding=encoding, errors=errors)


def is_str(s):
    """True when s is a string."""
    return isinstance(s, str)


def is_int(s):
    """True when int(s) succeeds: ints, and strings such as "12" or " -3 ".

    Like BioThings, a float also passes (int(1.5) works); bools do not.
    """
    if isinstance(s, bool):
        return False
    try:
        int(s)
        return True
    except (ValueError, TypeError, OverflowError):
        return False


def is_float(s):
    """True when float(s) succeeds: numbers, and strings such as "1.5", "1e3" or "12"."""
    if isinstance(s, bool):
        return False
    try:
        float(s)
        return True
    except (ValueError, TypeError, OverflowError):
        return False


def iter_n(iterable, n, with_cnt=False):
    """Yield lists of up to n items from iterable.

    With with_cnt=True, yield (list, count) where count is the number of
    items yielded so far, including this list.
    """
    if n < 1:
        raise ValueError("iter_n: n must be at least 1, not %r" % (n,))
    it = iter(iterable)
    count = 0
    while True:
        chunk = list(itertools.islice(it, n))
        if not chunk:
            return
        count += len(chunk)
        yield (chunk, count) if with_cnt else chunk


def timesofar(t0, clock=0, t1=None):
    """Return the time elapsed since t0 (a time.time() value) as text: "1h2m3.45s".

    clock is accepted for compatibility and ignored.
    """
    if t1 is None:
        t1 = time.time()
    t = max(0.0, t1 - t0)
    h = int(t // 3600)
    m = int((t % 3600) // 60)
    s = round(t % 60, 2)
    out = ""
    if h:
        out += "%dh" % h
    if m:
        out += "%dm" % m
    return out + "%ss" % s


def get_timestamp():
    """Return today's date as YYYYMMDD."""
    return time.strftime("%Y%m%d")


def alwayslist(value):
    """Return value as a list: None -> [], a list -> itself, a tuple -> list, anything else -> [value]."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    return [value]
