"""Studio's runner for BioThings data plugin parsers.

Studio (Go) starts this script as a child process:

    python3 studio_runner.py MODE SPEC_JSON

MODE is "run" (call a parser and stream its documents), "requires" (report
which required packages cannot be imported), "call" (call a function and
report the string it returns), "callmap" (the same for a dict), or, for
advanced plugins (see studio_advanced.py), "introspect" (describe the
plugin's dumper and uploader classes) and "upload" (run an uploader class's
load_data and stream its documents). SPEC_JSON carries the plugin folder, the
"module:function" name, the keyword arguments, the limits and which
biothings package the plugin imports (see select_biothings).

Every message goes to file descriptor 3 as one JSON object per line, so
whatever the parser prints on stdout or stderr cannot corrupt the stream:

    {"d": {...}}                  a document
    {"r": "reason", "n": N}       document number N was rejected
    {"e": "Type: text", "tb": ""} the parser raised
    {"v": "text"}                 the value returned in "call" mode
    {"m": {...}}                  the dict returned in "callmap" mode
    {"m": {...}}                  the plugin's classes in "introspect" mode
    {"jobs": [[...], ...]}        the jobs a parallelizer returned, in "jobs" mode
    {"missing": [...]}            packages missing in "requires" mode
    {"end": N}                    the end; N documents were produced

Values the json module cannot encode follow one documented rule (see
convert_value and internal/pyparser/README.md).
"""

import datetime
import decimal
import importlib
import importlib.util
import inspect
import json
import logging
import math
import os
import re
import sys
import threading
import time
import traceback
import types

RUNNER_FILE = os.path.abspath(__file__)
RUNNER_DIR = os.path.dirname(RUNNER_FILE)
DOC_FD = 3
FLUSH_EVERY = 0.2  # seconds: documents never wait longer than this in the buffer
MAX_SAMPLE = 60  # characters of a value quoted in a rejection reason


class Reject(Exception):
    """A document that cannot be written; the message is the reason."""


# ---------------------------------------------------------------- output


class Stream:
    """Buffered, thread-safe writer of protocol lines on fd 3."""

    def __init__(self, fd):
        os.set_inheritable(fd, False)  # subprocesses of the parser must not hold the stream open
        self.f = os.fdopen(fd, "wb", buffering=1 << 18)
        self.lock = threading.Lock()
        self.closed = False
        t = threading.Thread(target=self._flusher, daemon=True)
        t.start()

    def write(self, data):
        with self.lock:
            self.f.write(data)

    def message(self, obj):
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        self.write(line.encode("utf-8", "backslashreplace") + b"\n")

    def flush(self):
        with self.lock:
            self.f.flush()

    def _flusher(self):
        while True:
            time.sleep(FLUSH_EVERY)
            with self.lock:
                if self.closed:
                    return
                try:
                    self.f.flush()
                except (OSError, ValueError):
                    return

    def close(self):
        with self.lock:
            self.closed = True
            self.f.flush()
            self.f.close()


# ---------------------------------------------------------------- values


def _short(v):
    s = repr(v)
    return s if len(s) <= MAX_SAMPLE else s[:MAX_SAMPLE] + "..."


def _join(path, key):
    return key if not path else path + "." + key


def _sorted_if_possible(items):
    items = list(items)
    try:
        return sorted(items)
    except TypeError:
        return items


def convert_value(v):
    """Convert one value the json module cannot encode (the fast path's hook).

    Raises TypeError for a type without a rule, Reject for a value that
    cannot be stored.
    """
    if isinstance(v, (set, frozenset)):
        return _sorted_if_possible(v)
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError as e:
            raise Reject("bytes value is not valid UTF-8 (%s)" % e.reason)
    for method in ("item", "tolist"):  # numpy-like scalars, then arrays
        f = getattr(v, method, None)
        if callable(f):
            try:
                return f()
            except Exception:
                pass
    raise TypeError("value of type %s cannot be converted to JSON" % type(v).__name__)


def convert_key(k):
    if isinstance(k, str):
        return k
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, (bytes, bytearray)):
        try:
            return bytes(k).decode("utf-8")
        except UnicodeDecodeError:
            return str(k)
    return str(k)


def walk(v, path):
    """Return v converted by the rule; raise Reject naming the field path.

    The slow path: used only when the fast path failed, to find what is
    wrong and where.
    """
    if v is None or v is True or v is False:
        return v
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise Reject("string is not valid UTF-8 (lone surrogate) at %s: %s" % (path or "<root>", _short(v)))
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            raise Reject("float NaN at %s" % (path or "<root>"))
        if math.isinf(v):
            raise Reject("float %sInfinity at %s" % ("-" if v < 0 else "+", path or "<root>"))
        return v
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            key = convert_key(k)
            out[key] = walk(x, _join(path, key))
        return out
    if isinstance(v, (list, tuple)):
        return [walk(x, "%s[%d]" % (path, i)) for i, x in enumerate(v)]
    try:
        c = convert_value(v)
    except Reject as e:
        raise Reject("%s at %s" % (e, path or "<root>"))
    except TypeError:
        raise Reject("value of type %s at %s cannot be converted to JSON: %s" % (type(v).__name__, path or "<root>", _short(v)))
    if type(c) is type(v):  # an item() that returns its own kind would loop
        raise Reject("value of type %s at %s cannot be converted to JSON" % (type(v).__name__, path or "<root>"))
    return walk(c, path)


_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=convert_value
).encode


def encode_document(doc):
    """Return the protocol line for doc, or raise Reject with the reason."""
    if not isinstance(doc, dict):
        raise Reject("document is a %s, not a dict" % type(doc).__name__)
    try:
        return b'{"d":' + _encode(doc).encode("utf-8") + b"}\n"
    except RecursionError:
        raise Reject("document is nested too deeply (or contains itself)")
    except (ValueError, TypeError, UnicodeEncodeError, Reject):
        pass
    # Slow path: find the field at fault, or convert the keys the C encoder refused.
    try:
        clean = walk(doc, "")
    except RecursionError:
        raise Reject("document is nested too deeply (or contains itself)")
    try:
        return b'{"d":' + _encode(clean).encode("utf-8") + b"}\n"
    except (ValueError, TypeError, UnicodeEncodeError) as e:
        raise Reject("cannot encode document: %s" % e)


def describe(doc, n):
    if isinstance(doc, dict) and "_id" in doc:
        return "document %d (_id %s)" % (n, _short(doc.get("_id")))
    return "document %d" % n


# ---------------------------------------------------------------- plugin loading


def load_function(plugin_dir, name):
    """Import "module:function" from the plugin folder and return the callable."""
    if ":" not in name:
        raise ValueError("%r is not of the form module:function" % name)
    modname, funcname = name.split(":", 1)
    try:
        mod = importlib.import_module(modname)
    except ImportError as e:
        if "relative import" not in str(e):
            raise
        mod = _import_as_package(plugin_dir, modname)
    obj = mod
    for part in funcname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise AttributeError("module %r (%s) has no function %r" % (modname, getattr(mod, "__file__", "?"), funcname))
    if not callable(obj):
        raise TypeError("%s is a %s, not a function" % (name, type(obj).__name__))
    return obj


def _import_as_package(plugin_dir, modname):
    # A parser using relative imports ("from .utils import x") needs its
    # folder to be a package: give the folder a synthetic package name.
    pkg = "studio_plugin"
    if pkg not in sys.modules:
        m = types.ModuleType(pkg)
        m.__path__ = [plugin_dir]
        m.__package__ = pkg
        sys.modules[pkg] = m
    return importlib.import_module(pkg + "." + modname)


def report_exception(stream, exc):
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if os.path.abspath(f.filename) != RUNNER_FILE]
    )
    tb = "".join(te.format())
    msg = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    stream.message({"e": msg, "tb": tb})


# ---------------------------------------------------------------- modes


def mode_run(stream, spec):
    fn = load_function(spec["plugin_dir"], spec["func"])
    kwargs = spec.get("kwargs") or {}
    # A job of a parallelizer replaces the data folder with its argument,
    # as BioThings' load_data(data_path) receives it.
    data = spec["job"][0] if spec.get("job") else spec["data_folder"]
    result = fn(data, **kwargs)
    n = write_documents(stream, spec, spec["func"], result, 0)
    stream.message({"end": n})


def mode_upload(stream, spec):
    """Run an advanced plugin's uploader class: load_data once, or once per job."""
    import studio_advanced

    cls = load_function(spec["plugin_dir"], spec["func"])
    n = 0
    for what, result in studio_advanced.uploader_batches(cls, spec.get("kind") or "base", spec["data_folder"]):
        n = write_documents(stream, spec, what, result, n)
    stream.message({"end": n})


def mode_introspect(stream, spec):
    import studio_advanced

    stream.message({"m": studio_advanced.introspect(spec["plugin_dir"], spec["package"])})
    stream.message({"end": 0})


def write_documents(stream, spec, what, result, n):
    """Write the documents of result (a parser's return value), numbered after n; return the last number."""
    if result is None:
        raise TypeError("parser %s returned None: it must return or yield documents (dicts with an _id)" % what)
    if isinstance(result, (dict, str, bytes)):
        raise TypeError("parser %s returned a %s: it must return a list of documents or yield them" % (what, type(result).__name__))
    max_line = spec.get("max_line") or 0
    write = stream.write
    for doc in result:
        n += 1
        try:
            line = encode_document(doc)
            if max_line and len(line) > max_line:
                raise Reject("document is %d bytes as JSON, over the %d-byte line limit" % (len(line), max_line))
        except Reject as e:
            stream.message({"r": "%s: %s" % (describe(doc, n), e), "n": n})
            continue
        write(line)
        if n == 1:
            stream.flush()  # the first document shows progress at once
    return n


def _import_name(requirement):
    # "pandas>=1.0", "biopython[extra]; python_version>'3'" -> "pandas", "biopython"
    name = re.split(r"[\s<>=!~;\[@(]", requirement.strip(), 1)[0]
    return name


def mode_requires(stream, spec):
    import importlib.metadata as md

    missing = []
    for req in spec.get("requires") or []:
        name = _import_name(req)
        if not name:
            continue
        found = False
        for candidate in (name, name.replace("-", "_"), name.lower().replace("-", "_")):
            try:
                if importlib.util.find_spec(candidate) is not None:
                    found = True
                    break
            except (ImportError, ValueError):
                pass
        if not found:
            try:
                md.distribution(name)  # installed under a different import name (PyYAML -> yaml)
                found = True
            except md.PackageNotFoundError:
                pass
        if not found:
            missing.append(req)
    stream.message({"missing": missing})
    stream.message({"end": 0})


def mode_call(stream, spec):
    fn = load_function(spec["plugin_dir"], spec["func"])
    args = []
    if _needs_argument(fn):
        # BioThings calls a manifest "release" function as a dumper method:
        # give it an object carrying the keyword arguments as attributes.
        args.append(types.SimpleNamespace(**(spec.get("kwargs") or {})))
    v = fn(*args)
    if not isinstance(v, str):
        raise TypeError("%s returned %s %s; it must return a string" % (spec["func"], type(v).__name__, _short(v)))
    stream.message({"v": v})
    stream.message({"end": 0})


def mode_callmap(stream, spec):
    fn = load_function(spec["plugin_dir"], spec["func"])
    args = []
    if _needs_argument(fn):
        # BioThings declares mapping functions as classmethods (get_mapping(klass)).
        args.append(types.SimpleNamespace(**(spec.get("kwargs") or {})))
    v = fn(*args)
    if not isinstance(v, dict):
        raise TypeError("%s returned %s %s; it must return a dict (an Elasticsearch mapping)" % (spec["func"], type(v).__name__, _short(v)))
    stream.message({"m": json.loads(json.dumps(v, allow_nan=False))})
    stream.message({"end": 0})


def mode_jobs(stream, spec):
    """Call a manifest's parallelizer and report its jobs as JSON lists."""
    name = spec["func"]
    fn = load_function(spec["plugin_dir"], name)
    args = []
    if _needs_argument(fn):
        # BioThings calls it as a method of the uploader (self.<function>()):
        # give it an object carrying the uploader's attributes.
        up = spec.get("uploader") or {}
        args.append(types.SimpleNamespace(
            data_folder=spec.get("data_folder"), name=up.get("name"), main_source=up.get("main_source"),
            fullname=up.get("fullname"), logger=logging.getLogger(up.get("name") or "uploader"),
            **(spec.get("kwargs") or {})))
    jobs = fn(*args)
    if jobs is None or isinstance(jobs, (dict, str, bytes)):
        raise TypeError("parallelizer %s returned %s %s; it must return a list of jobs, one tuple of parser arguments each, e.g. [(path,), ...]"
                        % (name, type(jobs).__name__, _short(jobs)))
    out = []
    for i, job in enumerate(jobs, 1):
        if not isinstance(job, (tuple, list)):
            raise TypeError("parallelizer %s: job %d is %s %s; each job must be a tuple of the parser's arguments, e.g. (path,)"
                            % (name, i, type(job).__name__, _short(job)))
        if len(job) != 1:
            raise TypeError("parallelizer %s: job %d has %d arguments %s; the parser takes one, the data path, as BioThings' load_data(data_path) does: return (path,)"
                            % (name, i, len(job), _short(job)))
        try:
            text = json.dumps(list(job), allow_nan=False)
        except (TypeError, ValueError) as e:
            raise TypeError("parallelizer %s: job %d %s cannot be passed to the parser (%s): a job's arguments must be JSON values "
                            "(str, int, float, bool, None, list, dict), e.g. str(path) for a pathlib.Path"
                            % (name, i, _short(job), e)) from None
        out.append(json.loads(text))
    stream.message({"jobs": out})
    stream.message({"end": 0})


def _needs_argument(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            return True
    return False


MODES = {
    "run": mode_run,
    "requires": mode_requires,
    "call": mode_call,
    "callmap": mode_callmap,
    "upload": mode_upload,
    "introspect": mode_introspect,
    "jobs": mode_jobs,
}


# ---------------------------------------------------------------- which biothings package

BIOTHINGS_CHOICES = ("studio", "installed", "auto")


def _forget_biothings():
    for name in [m for m in sys.modules if m == "biothings" or m.startswith("biothings.")]:
        del sys.modules[name]


def select_biothings(choice):
    """Make "import biothings" give Studio's package or the interpreter's own; return which one.

    studio: Studio's package (in the runner folder, first on the path).
    installed: the biothings package the interpreter has; an error when it
    cannot be imported. auto: the installed one when it can be imported,
    else Studio's.
    """
    if choice not in BIOTHINGS_CHOICES:
        raise ValueError("unknown biothings package choice %r: want one of %s" % (choice, ", ".join(BIOTHINGS_CHOICES)))
    if choice == "studio":
        return "studio"
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != RUNNER_DIR]
    try:
        import biothings  # noqa: F401 - the installed package, found without the runner folder

        sys.stderr.write("studio runner: using the installed biothings package %s (%s)\n"
                         % (getattr(biothings, "__version__", "?"), os.path.dirname(biothings.__file__ or "?")))
        return "installed"
    except Exception as e:  # noqa: B902 - any failure to import means it cannot be used
        _forget_biothings()
        sys.path[:] = saved
        if choice == "installed":
            raise ImportError(
                "the runner is set to use the installed biothings package (STUDIO_PARSER_BIOTHINGS=installed), "
                "but %s cannot import it: %s: %s; install it (%s -m pip install biothings) or use Studio's (studio)"
                % (sys.executable, type(e).__name__, e, sys.executable)
            ) from None
        return "studio"


def set_memory_limit(limit):
    if not limit:
        return
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODES:
        sys.stderr.write("usage: studio_runner.py %s SPEC_JSON\n" % "|".join(MODES))
        return 2
    spec = json.loads(sys.argv[2])
    for s in (sys.stdout, sys.stderr):
        try:
            s.reconfigure(line_buffering=True)
        except AttributeError:
            pass
    stream = Stream(DOC_FD)
    code = 0
    try:
        set_memory_limit(spec.get("max_memory"))
        if spec.get("data_folder"):
            # Studio's biothings.config derives DATA_ARCHIVE_ROOT from it.
            os.environ["STUDIO_PARSER_DATA_FOLDER"] = spec["data_folder"]
        select_biothings(spec.get("biothings") or "studio")
        if spec.get("package"):
            # An advanced plugin: its folder is a package named after the plugin.
            import studio_advanced

            studio_advanced.import_plugin(spec["plugin_dir"], spec["package"])
        MODES[sys.argv[1]](stream, spec)
    except BrokenPipeError:
        return 3  # Studio stopped reading: nothing more to say
    except BaseException as e:  # noqa: B902 - the parser's failure is the message
        try:
            report_exception(stream, e)
        except BrokenPipeError:
            return 3
        code = 1
    try:
        stream.close()
    except BrokenPipeError:
        return 3
    return code


if __name__ == "__main__":
    sys.exit(main())
