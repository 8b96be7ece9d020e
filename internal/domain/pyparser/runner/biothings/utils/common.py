"""biothings.utils.common: Studio's implementation.

Every public name of BioThings' module is here. The local helpers (files,
archives, strings, dicts, pickles, time) behave as BioThings 1.2.2's do,
quirks included, so that a plugin gives the same documents under Studio;
internal/pyparser/testdata/differential checks this against the real
package. The few helpers that need the hub's machinery (MongoDB GridFS,
the hub's job manager, the network) raise NotImplementedError naming
themselves.

Only relative imports are used inside this package, so that the
differential test can load it beside the real one.
"""

import asyncio
import base64
import concurrent.futures
import fnmatch
import glob
import gzip
import hashlib
import importlib
import inspect
import io
import json
import logging
import os
import os.path
import pickle
import random
import shutil
import stat
import string
import sys
import tarfile
import tempfile
import time
import types
import urllib.parse
import warnings
from collections import UserDict, UserList
from contextlib import closing, contextmanager
from datetime import date, datetime, timezone
from functools import partial
from itertools import islice
from shlex import shlex

try:  # optional, as in BioThings: .zst files need it before Python 3.14
    import zstandard as zstd
except ImportError:
    zstd = None


def _not_in_studio(name, why):
    raise NotImplementedError(
        "biothings.utils.common.%s is not available in Studio's runner: %s" % (name, why)
    )


# ---------------------------------------------------------------- questions and time


def ask(prompt, options="YN"):
    """Ask on the terminal until one of options (one letter each) is typed; return it upper-cased."""
    choices = options.upper()
    while True:
        answer = input("%s[%s]" % (prompt, "|".join(choices))).strip().upper()
        if answer in choices:
            return answer


def timesofar(t0, clock=0, t1=None):
    """Time since t0 as text, e.g. "1h2m3.45s".

    As in BioThings, t1 is only looked at when clock is true (and
    time.clock no longer exists in Python 3); otherwise the end is now.
    """
    if clock:
        end = t1 or time.clock()
    else:
        end = time.time()
    elapsed = end - t0
    hours = int(elapsed / 3600)
    minutes = int((elapsed % 3600) / 60)
    seconds = round((elapsed % 3600) % 60, 2)
    text = ""
    if hours != 0:
        text += "%sh" % hours
    if minutes != 0:
        text += "%sm" % minutes
    return text + "%ss" % seconds


def get_timestamp():
    """Today as YYYYMMDD."""
    return time.strftime("%Y%m%d")


def newer(t0, t1, fmt="%Y%m%d"):
    """True when timestamp text t1 is later than t0 (both in fmt)."""
    return datetime.strptime(t0, fmt) < datetime.strptime(t1, fmt)


def get_random_string():
    """Eight random characters from the base64 alphabet with two random letters for + and /."""
    altchars = "".join(random.sample(string.ascii_letters, 2)).encode("ascii")
    return base64.b64encode(os.urandom(6), altchars).decode("ascii")


# ---------------------------------------------------------------- type tests


def is_int(s):
    """True when int(s) works (so "12", 12, 1.5 and True all pass)."""
    try:
        int(s)
    except (ValueError, TypeError):
        return False
    return True


def is_str(s):
    """True for a str."""
    return isinstance(s, str)


def is_seq(li):
    """True for a list or a tuple."""
    return isinstance(li, (list, tuple))


def is_float(f):
    """True for a float object (not for the text "1.5")."""
    return isinstance(f, float)


def is_scalar(f):
    """True for None, int, str, bool, float and bytes."""
    return f is None or isinstance(f, (int, str, bool, float, bytes))


def is_filehandle(fh):
    """True for anything with read() and close()."""
    return hasattr(fh, "read") and hasattr(fh, "close")


# ---------------------------------------------------------------- iteration and lists


def iter_n(iterable, n, with_cnt=False):
    """Yield tuples of up to n items; with with_cnt, (tuple, items so far)."""
    source = iter(iterable)
    done = 0
    while True:
        chunk = tuple(islice(source, n))
        if not chunk:
            return
        if with_cnt:
            done += len(chunk)
            yield (chunk, done)
        else:
            yield chunk


def list2dict(a_list, keyitem, alwayslist=False):
    """Index rows by a column (or a sequence of columns); see biothings.utils.dataload.list2dict."""
    result = {}
    for row in a_list:
        if isinstance(keyitem, int):
            key = row[keyitem]
            value = tuple(row[:keyitem] + row[keyitem + 1 :])
        else:
            key = tuple([row[i] for i in keyitem])
            # BioThings counts the rows here, not the columns; kept as is.
            value = tuple([row[i] for i in range(len(a_list)) if i not in keyitem])
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


def list_trim(a_list, idx_to_remove):
    """Delete the items at the given indexes, in place."""
    for i in sorted(idx_to_remove, reverse=True):
        del a_list[i]


def split_ids(q):
    """Split a query on white space, "|", "," and "+", keeping quoted phrases together."""
    lexer = shlex(q, posix=True)
    lexer.whitespace = " \t\n\x0b\x0c\r|,+"
    lexer.whitespace_split = True
    lexer.commenters = ""
    words = [w.strip() for w in list(lexer)]
    return [w for w in words if w]


def traverse(obj, leaf_node=False):
    """Yield (dotted path, value) for every node of obj (or only its leaves), children before parents."""
    if isinstance(obj, (dict, UserDict)):
        for key in obj:
            for sub_path, value in traverse(obj[key], leaf_node):
                yield ".".join((str(key), str(sub_path))).strip("."), value
        if not leaf_node:
            yield "", obj
    elif isinstance(obj, list):
        for item in obj:
            yield from traverse(item, leaf_node)
        if not leaf_node or not obj:
            yield "", obj
    elif leaf_node:
        yield "", obj


def run_once():
    """Return a function that answers True the first time it sees an identifier, False after."""
    seen = set()

    def should_run(identifier=None):
        if identifier in seen:
            return False
        seen.add(identifier)
        return True

    return should_run


def first_exception(exc_group):
    """The first leaf exception of a (nested) exception group."""
    while isinstance(exc_group, BaseExceptionGroup):  # noqa: F821 - Python 3.11+
        exc_group = exc_group.exceptions[0]
    return exc_group


# ---------------------------------------------------------------- dicts and dotted fields


class dotdict(dict):
    """A dict whose keys read as attributes (missing ones as None); nested dicts become dotdicts."""

    def __getattr__(self, attr):
        value = self.get(attr, None)
        if isinstance(value, dict):
            value = dotdict(value)
            setattr(self, attr, value)
        return value

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__


def get_dotfield_value(dotfield, d):
    """d's value at the dotted path ("a.b"); KeyError when missing."""
    head, sep, rest = dotfield.partition(".")
    if not sep:
        return d[head]
    return get_dotfield_value(rest, d[head])


def find_value_in_doc(dotfield, value, doc):
    """True when some value at the dotted path, as text, matches the glob pattern value (lists are searched)."""
    fields = dotfield.split(".") if dotfield != "" else []
    if isinstance(doc, list):
        try:
            for item in doc:
                found = find_value_in_doc(dotfield, value, item)
                if found:
                    return found
        except Exception:
            return False
        return False
    if isinstance(doc, dict):
        if not fields:
            return False
        return find_value_in_doc(".".join(fields[1:]), value, doc.get(fields[0]))
    if fields:
        return False
    if doc is None and value is not None:
        return False
    return fnmatch.fnmatchcase(str(doc), value)


def filter_dict(d, keys):
    """Remove the (dotted) keys from d in place, ignoring missing ones; return d."""
    if isinstance(keys, str):
        keys = [keys]
    for key in keys:
        if "." not in key:
            d.pop(key, None)
            continue
        parts = key.split(".")
        top, inner = parts[0], ".".join(parts[1:])
        if top in d:
            d[top] = filter_dict(d[top], inner)
    return d


def find_doc(k, keys):
    """Follow keys into k, flattening lists of dicts on the way."""
    for name in keys:
        if isinstance(k, dict):
            k = k[name]
        elif isinstance(k, list):
            gathered = []
            for item in k:
                try:
                    found = item[name]
                    if isinstance(found, dict):
                        gathered.append(found)
                    elif isinstance(found, list):
                        gathered.extend(found)
                except Exception:
                    continue
            k = gathered
    return k


def merge(x, dx):
    """Merge dict dx into dict x in place, recursively.

    A "__REPLACE__" key in a dict of dx replaces that level of x instead of
    merging; a dict value with a true "__REMOVE__" removes the key from x.
    """
    if not isinstance(x, dict):
        raise AssertionError()
    if not isinstance(dx, dict):
        raise AssertionError()
    if dx.pop("__REPLACE__", None):
        cleaned = {}
        merge(cleaned, dx)
        x.clear()
        x.update(cleaned)
        return x
    for key, value in dx.items():
        if not isinstance(value, dict):
            x[key] = value
            continue
        if value.get("__REMOVE__"):
            x.pop(key, None)
            continue
        if not isinstance(x.get(key), dict):
            x[key] = {}
        merge(x[key], value)
    return x


# ---------------------------------------------------------------- strings


def addsuffix(filename, suffix, noext=False):
    """Put suffix before the extension ("a.txt" -> "a_1.txt"), or replace the extension when noext."""
    if noext:
        return os.path.splitext(filename)[0] + suffix
    return suffix.join(os.path.splitext(filename))


def SubStr(input_string, start_string="", end_string="", include=0):
    """The text between the first start_string and the next end_string ("" when either is missing).

    include=1 keeps the two markers. An empty start_string means the
    beginning, an empty end_string the end.
    """
    begin = input_string.find(start_string)
    if begin == -1:
        return ""
    begin += len(start_string)
    if end_string == "":
        end = len(input_string)
    else:
        offset = input_string[begin:].find(end_string)
        if offset == -1:
            return ""
        end = begin + offset
    if include == 1:
        return input_string[begin - len(start_string) : end + len(end_string)]
    return input_string[begin:end]


def safe_unicode(s, mask="#"):
    """str(s); characters that cannot be decoded are replaced by mask."""
    try:
        return str(s)
    except UnicodeDecodeError as e:
        bad = s[e.args[2]]
        print('Warning: invalid character "%s" is masked as "%s".' % (bad, mask))
        return safe_unicode(s.replace(bad, mask), mask)


def sizeof_fmt(num, suffix="B"):
    """A size as text with binary units: 1536 -> "1.5KiB"."""
    for unit in ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi"):
        if abs(num) < 1024.0:
            return "%3.1f%s%s" % (num, unit, suffix)
        num /= 1024.0
    return "%.1f%s%s" % (num, "Yi", suffix)


class splitstr(str):
    """A string holding spaces (a marker type)."""


class nan(object):
    """NaN as a type of its own (not a float)."""


class inf(object):
    """Infinity as a type of its own (not a float)."""


# ---------------------------------------------------------------- JSON


class BiothingsJSONEncoder(json.JSONEncoder):
    """A JSON encoder that also writes dates (isoformat), UserDicts and UserLists."""

    def default(self, o):
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        if isinstance(o, UserDict):
            return dict(o)
        if isinstance(o, UserList):
            return list(o)
        return super().default(o)


def json_serial(obj):
    """json.dumps default=: dates (naive ones taken as UTC), types, regexes and functions."""
    if isinstance(obj, (datetime, date)):
        if obj.tzinfo is None:
            obj = obj.replace(tzinfo=timezone.utc)
        return obj.isoformat()
    if isinstance(obj, type):
        return str(obj)
    if "SRE_Pattern" in type(obj).__name__:
        return obj.pattern
    if isinstance(obj, types.FunctionType):
        return "__function__"
    raise TypeError("Type %s not serializable" % type(obj))


def json_encode(obj):
    """JSON text of obj (see json_serial) with "</" escaped, safe inside HTML."""
    return json.dumps(obj, default=json_serial).replace("</", r"<\/")


# ---------------------------------------------------------------- files


def _close_with(wrapper, parent):
    """Make wrapper.close() also close parent (the archive a member was opened from)."""
    own_close = wrapper.close

    def close():
        try:
            own_close()
        finally:
            parent.close()

    wrapper.close = close
    return wrapper


def _open_zst_tar_member(path, member):
    with open(path, "rb") as raw:
        with closing(zstd.ZstdDecompressor().stream_reader(raw)) as reader:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for entry in tar:
                    if entry.name == member:
                        extracted = tar.extractfile(entry)
                        break
                else:
                    extracted = None
                if extracted is None:
                    raise ValueError("invalid target file: must be a regular file or a link")
                with extracted:
                    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
                    shutil.copyfileobj(extracted, spool)
    spool.seek(0)
    return spool


def anyfile(infile, mode="r"):
    """Open a plain, .gz, .xz, .zip or tar file; compressed ones as text.

    infile may be a (archive, member) tuple to pick a member of a zip or tar
    archive; without it the member is the archive's path without its
    extension, as in BioThings. Other extensions (.bz2 included) are opened
    as plain files.
    """
    if isinstance(infile, tuple):
        infile, member = infile[:2]
    else:
        member = os.path.splitext(infile)[0]
    ext = os.path.splitext(infile)[1].lower()

    zst_without_tarfile_support = sys.version_info < (3, 14) and ext == ".zst"
    if zst_without_tarfile_support and zstd is None:
        raise ImportError("zstandard is required to open .zst files on Python versions below 3.14")
    if zst_without_tarfile_support:
        return _open_zst_tar_member(infile, member)
    if tarfile.is_tarfile(infile):
        tar = tarfile.open(infile, mode)
        try:
            extracted = tar.extractfile(member)
        except KeyError as e:
            tar.close()
            raise FileNotFoundError("target member does not contain the provided tar file.") from e
        if extracted is None:
            tar.close()
            raise ValueError("invalid target file: must be a regular file or a link")
        return _close_with(io.TextIOWrapper(extracted), tar)

    if ext == ".gz":
        return io.TextIOWrapper(gzip.GzipFile(infile, mode))
    if ext == ".zip":
        import zipfile

        archive = zipfile.ZipFile(infile, mode)
        return _close_with(io.TextIOWrapper(archive.open(member, mode)), archive)
    if ext == ".xz":
        import lzma

        return io.TextIOWrapper(lzma.LZMAFile(infile, mode))
    return open(infile, mode)


@contextmanager
def open_anyfile(infile, mode="r"):
    """anyfile() as a context manager; an open file is used as is. The file is closed at the end."""
    handle = infile if is_filehandle(infile) else anyfile(infile, mode=mode)
    try:
        yield handle
    finally:
        handle.close()


def safewfile(filename, prompt=True, default="C", mode="w"):
    """Open filename for writing without clobbering: return (file, name used).

    When the file exists: with prompt, ask whether to Overwrite, Append or
    Change the name; without, apply default ("O", "A" or "C"). Changing the
    name tries name_1.ext, name_2.ext, ...
    """
    n = 1
    while os.path.exists(filename):
        print('Warning:"%s" exists.' % filename, end="")
        choice = ask("Overwrite,Append or Change name?", "OAC") if prompt else default
        if choice == "O":
            if not prompt or ask("You sure?") == "Y":
                print("Overwritten.")
                break
        elif choice == "A":
            print("Append to original file.")
            appended = open(filename, "a")
            appended.write("\n" + "=" * 20 + "Appending on " + time.ctime() + "=" * 20 + "\n")
            return appended, filename
        print('Use "%s" instead.' % addsuffix(filename, "_" + str(n)))
        filename = addsuffix(filename, "_" + str(n))
        n += 1
    return open(filename, mode), filename


def get_compressed_outfile(filename, compress="gzip"):
    """A binary file open for writing, compressed with gzip, bz2 or lzma/xz (None: not compressed)."""
    if compress == "gzip":
        return gzip.GzipFile(filename, "wb")
    if compress == "bz2":
        import bz2

        return bz2.BZ2File(filename, "wb")
    if compress in ("lzma", "xz"):
        import lzma

        return lzma.LZMAFile(filename, "wb")
    if compress is None:
        return open(filename, "wb")
    raise ValueError("Invalid compress parameter.")


def open_compressed_file(filename):
    """A binary file open for reading, decompressed by its signature (gzip, bz2, xz), else plain."""
    with open(filename, "rb") as probe:
        signature = probe.read(5)
    if signature[:3] == b"\x1f\x8b\x08":
        return gzip.GzipFile(filename, "rb")
    if signature[:3] == b"BZh":
        import bz2

        return bz2.BZ2File(filename, "r")
    if signature[:5] == b"\xfd7zXZ":
        import lzma

        return lzma.LZMAFile(filename, "r")
    return open(filename, "rb")


def dump(obj, filename, protocol=4, compress="gzip"):
    """Pickle obj into filename, compressed (see get_compressed_outfile)."""
    out = get_compressed_outfile(filename, compress=compress)
    pickle.dump(obj, out, protocol=protocol)
    out.close()


def dump2gridfs(obj, filename, db, protocol=2):
    """Not available: it writes into the hub's MongoDB GridFS."""
    _not_in_studio("dump2gridfs", "it writes into the hub's MongoDB (GridFS); use dump() to write a file")


def loadobj(filename, mode="file"):
    """Unpickle an object from a (compressed) file name or an open binary file, which is closed after."""
    if mode == "gridfs":
        _not_in_studio("loadobj(mode='gridfs')", "it reads from the hub's MongoDB (GridFS); load from a file instead")
    source = open_compressed_file(filename) if is_str(filename) else filename
    try:
        return pickle.load(source)
    finally:
        source.close()


def md5sum(fname):
    """Hex MD5 of a file's bytes."""
    digest = hashlib.md5()
    with open(fname, "rb") as f:
        for block in iter(lambda: f.read(4096), b""):
            digest.update(block)
    return digest.hexdigest()


def file_newer(source, target):
    """True when source was modified after target."""
    # Whole seconds, as BioThings compares them.
    return os.stat(source)[stat.ST_MTIME] > os.stat(target)[stat.ST_MTIME]


def rmdashfr(top):
    """Delete the folder top and everything in it (a missing folder is fine)."""
    if not top:
        raise AssertionError()
    for root, dirs, files in os.walk(top, topdown=False):
        for name in files:
            os.remove(os.path.join(root, name))
        for name in dirs:
            os.rmdir(os.path.join(root, name))
    try:
        os.rmdir(top)
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------- archives


def sanitize_tarfile(tar_object, directory):
    """Raise ValueError when a member of the tar archive would land outside directory."""
    base = os.path.abspath(directory)
    for member in tar_object.getmembers():
        target = os.path.abspath(os.path.join(directory, member.name))
        if os.path.commonprefix([base, target]) != base:
            raise ValueError("Attempted Path Traversal in Tar File")


def unzipall(folder, pattern="*.zip"):
    """Extract every zip archive of folder matching pattern into folder."""
    import zipfile

    for path in glob.glob(os.path.join(folder, pattern)):
        with zipfile.ZipFile(path) as archive:
            logging.info("unzipping '%s'", archive.filename)
            archive.extractall(folder)
            logging.info("done unzipping '%s'", archive.filename)


def untargzall(folder, pattern="*.tar.gz"):
    """Extract every gzipped tar archive of folder matching pattern into folder."""
    for path in glob.glob(os.path.join(folder, pattern)):
        with gzip.GzipFile(path) as gz, tarfile.TarFile(fileobj=gz) as tar:
            sanitize_tarfile(tar, folder)
            logging.info("untargz '%s'", tar.name)
            tar.extractall(folder)
            logging.info("done untargz '%s'", tar.name)


def untarall(folder, pattern="*.tar"):
    """Extract every tar archive of folder matching pattern into folder."""
    for path in glob.glob(os.path.join(folder, pattern)):
        with tarfile.TarFile(path) as tar:
            sanitize_tarfile(tar, folder)
            logging.info("untar '%s'", tar.name)
            tar.extractall(folder)
            logging.info("done untar '%s'", tar.name)


def unxzall(folder, pattern="*.xz"):
    """Extract every xz-compressed tar archive of folder matching pattern into folder."""
    for path in glob.glob(os.path.join(folder, pattern)):
        logging.info("unxzing '%s'", path)
        with tarfile.open(path, "r:xz") as tar:
            sanitize_tarfile(tar, folder)
            tar.extractall(folder)
        logging.info("done unxzing '%s'", path)


def gunzip(f, pattern="*.gz"):
    """Decompress the gzip file f beside it: the output name is f without pattern's suffix."""
    target = f.replace(pattern.replace("*", ""), "")
    out = open(target, "wb")
    with gzip.GzipFile(f) as gz:
        logging.info("gunzip '%s'", gz.name)
        for line in gz:
            out.write(line)
        logging.info("Done gunzip '%s'", gz.name)
    out.close()


def gunzipall(folder, pattern="*.gz"):
    """gunzip every file of folder matching pattern; the suffix removed is pattern's text after its first dot."""
    for path in glob.glob(os.path.join(folder, pattern)):
        gunzip(path, ".%s" % pattern.split(".")[1])


async def aiogunzipall(folder, pattern, job_manager, pinfo):
    """Not available: it runs on the hub's job manager."""
    _not_in_studio("aiogunzipall", "it runs on the BioThings hub's job manager; use gunzipall(folder, pattern)")


def uncompressall(folder):
    """unzipall, untargzall, gunzipall and unxzall on folder, in that order."""
    unzipall(folder)
    untargzall(folder)
    gunzipall(folder)
    unxzall(folder)


# ---------------------------------------------------------------- logging, loops, classes, plugins


class LogPrint:
    """A stdout replacement writing both to the real stdout and to a log file."""

    def __init__(self, log_f, log=1, timestamp=0):
        self.log_f = log_f
        self.log = log
        self.timestamp = timestamp
        if self.timestamp:
            self.log_f.write("*" * 10 + "Log starts at " + time.ctime() + "*" * 10 + "\n")

    def write(self, text):
        sys.__stdout__.write(text)
        if self.log:
            self.log_f.write(text)
            self.flush()

    def flush(self):
        self.log_f.flush()

    def start(self):
        sys.stdout = self

    def pause(self):
        sys.stdout = sys.__stdout__

    def resume(self):
        sys.stdout = self

    def close(self):
        if self.timestamp:
            self.log_f.write("*" * 10 + "Log ends at " + time.ctime() + "*" * 10 + "\n")
        sys.stdout = sys.__stdout__
        self.log_f.close()

    def fileno(self):
        return self.log_f.fileno()


def setup_logfile(logfile):
    """Send the root logger's records to logfile too."""
    handler = logging.FileHandler(logfile)
    handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
    logging.getLogger().addHandler(handler)


def get_loop():
    """The running event loop, else this thread's loop (made when there is none)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return asyncio.get_event_loop()
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            return loop


def get_loop_with_max_workers(max_workers=None):
    """get_loop() with a thread pool of max_workers as its default executor."""
    loop = get_loop()
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=max_workers))
    return loop


def get_class_from_classpath(class_path):
    """The class named by "package.module.Class"."""
    module_name, _, class_name = class_path.rpartition(".")
    return getattr(importlib.import_module(module_name), class_name)


def find_classes_subclassing(mods, baseclass):
    """The classes subclassing baseclass found in a module or a list of modules."""
    if not isinstance(mods, list):
        mods = [mods]
    # As in BioThings, the list itself is searched for modules (it holds none).
    mods.extend(inspect.getmembers(mods, lambda obj: isinstance(obj, types.ModuleType)))
    found = []
    for mod in mods:
        for _, klass in inspect.getmembers(mod, lambda obj: isinstance(obj, type) and issubclass(obj, baseclass)):
            found.append(klass)
    return found


class DummyConfig(types.ModuleType):
    """A module object standing for a config module that has no file."""


def get_plugin_name_from_local_manifest(path):
    """The "name" of the plugin folder's manifest.json (or manifest.yaml), else the folder's name; None without a manifest."""
    default = os.path.basename(path)
    json_path = os.path.join(path, "manifest.json")
    yaml_path = os.path.join(path, "manifest.yaml")
    if os.path.isfile(json_path):
        with open(json_path, "r") as f:
            return json.loads(f.read()).get("name", default)
    if os.path.isfile(yaml_path):
        try:
            import yaml
        except ImportError as e:
            raise ImportError("reading %s needs PyYAML (python3 -m pip install PyYAML)" % yaml_path) from e
        with open(yaml_path, "r") as f:
            return yaml.safe_load(f).get("name", default)
    return None


def get_plugin_name_from_remote_manifest(url):
    """Not available: it downloads the manifest from GitHub."""
    _not_in_studio("get_plugin_name_from_remote_manifest", "it downloads the manifest from GitHub; Studio registers plugins itself")


def parse_folder_name_from_url(url):
    """The last path segment of a URL, without ".git"."""
    return os.path.basename(urllib.parse.urlsplit(url).path).replace(".git", "")
