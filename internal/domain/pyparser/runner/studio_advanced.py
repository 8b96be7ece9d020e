"""Advanced BioThings data plugins in Studio's runner.

An "advanced" plugin is a folder without a manifest: a Python package whose
__init__ exposes dumper and uploader classes built on
biothings.hub.dataload.dumper / .uploader. This module imports such a
folder as a package named after the plugin, describes its classes for
Studio ("introspect" mode: what to download, which uploaders, their
mappings and metadata) and runs an uploader's load_data ("upload" mode).

Studio downloads, unpacks and stores itself; what a class asks beyond that
(its own download code, a custom manager, a dumper Studio has no
downloader for) is refused here, at registration, naming the class.
"""

import ast
import importlib.util
import inspect
import os
import sys
import textwrap
import types

# Dumper bases Studio downloads for, most specific first: the URLs come from
# SRC_URLS, or from the class's own create_todump_list run once offline.
SUPPORTED_DUMPERS = ("LastModifiedHTTPDumper", "LastModifiedFTPDumper", "HTTPDumper", "FTPDumper")
# Dumper bases Studio has no downloader for, with what to do instead.
REFUSED_DUMPERS = {
    "GoogleDriveDumper": "Studio does not download from Google Drive",
    "DockerContainerDumper": "Studio does not run dump containers",
    "GitDumper": "Studio does not dump git repositories",
    "WgetDumper": "Studio does not run wget",
    "FilesystemDumper": "Studio does not copy local files as a dump",
    "APIDumper": "Studio does not run API dump code",
    "DummyDumper": "a dump that downloads nothing gives an upload nothing to read",
    "ManualDumper": "Studio does not wait for files put in place by hand",
}
# Dumper methods whose override means download logic Studio cannot run.
REFUSED_DUMPER_OVERRIDES = ("dump", "download", "remote_is_better", "prepare_client", "release_client", "get_todump_list")
# Uploader methods whose override means storage logic Studio cannot run.
REFUSED_UPLOADER_OVERRIDES = ("load", "update_data", "post_update_data", "generate_doc_src_master", "switch_collection")
# Storage classes and the on_duplicates policy Studio's store applies for them.
STORAGE_POLICIES = {
    "BasicStorage": "error",
    "CheckSizeStorage": "error",
    "IgnoreDuplicatedStorage": "ignore",
    "NoBatchIgnoreDuplicatedStorage": "ignore",
    "MergerStorage": "merge",
    "RootKeyMergerStorage": "merge",
}


class Refused(Exception):
    """A class Studio cannot run; the message says which and why."""


# ---------------------------------------------------------------- importing


def install_config_shim():
    """Make "import config" give a hub config module when the plugin has none.

    Hub source modules do "import config; biothings.config_for_app(config)":
    the module Studio gives has the settings of the runner's biothings.config
    (DATA_ARCHIVE_ROOT derived from the data folder, LOG_FOLDER, ...).
    """
    if "config" in sys.modules:
        return
    try:
        if importlib.util.find_spec("config") is not None:
            return  # the plugin (or the path) brings its own
    except (ImportError, ValueError):
        pass
    import biothings.config as btconfig

    shim = types.ModuleType("config")
    shim.__doc__ = "Studio's hub config module: the settings of biothings.config"
    shim.__dict__.update({k: getattr(btconfig, k) for k in dir(btconfig) if k.isupper() and not k.startswith("_")})
    shim.logger = getattr(btconfig, "logger", None)
    sys.modules["config"] = shim


def import_plugin(plugin_dir, package):
    """Import the plugin folder as the package named package and return it."""
    mod = sys.modules.get(package)
    if mod is not None and list(getattr(mod, "__path__", [])) == [plugin_dir]:
        return mod
    _check_name_free(plugin_dir, package)
    init = os.path.join(plugin_dir, "__init__.py")
    if not os.path.exists(init):
        raise ImportError("plugin folder %s has no __init__.py: an advanced plugin is a Python package" % plugin_dir)
    install_config_shim()
    spec = importlib.util.spec_from_file_location(package, init, submodule_search_locations=[plugin_dir])
    mod = importlib.util.module_from_spec(spec)
    sys.modules[package] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules[package]
        raise
    return mod


def _check_name_free(plugin_dir, package):
    """Refuse a plugin named like a module Python would find elsewhere (json, biothings, ...)."""
    where = None
    if package in sys.modules:
        where = getattr(sys.modules[package], "__file__", None) or "built in"
    else:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            where = spec.origin or "a namespace package"
    if where is not None and not os.path.abspath(where).startswith(os.path.abspath(plugin_dir) + os.sep):
        raise ImportError(
            "the plugin's name %r is also the name of a Python module (%s): the plugin's package would hide it, "
            "or be hidden by it; register the plugin under another name (rename its repository or folder)"
            % (package, where)
        )


# ---------------------------------------------------------------- introspection


def _is_plugin_class(cls, package):
    mod = getattr(cls, "__module__", "") or ""
    return mod == package or mod.startswith(package + ".")


def _biothings_base(cls, names):
    """The first class of cls's MRO that is a biothings class named in names."""
    for base in cls.__mro__:
        mod = getattr(base, "__module__", "") or ""
        if base.__name__ in names and (mod.startswith("biothings.") or mod == "biothings"):
            return base.__name__
    return None


def _definer(cls, attr):
    for base in cls.__mro__:
        if attr in base.__dict__:
            return base
    return None


def _overrides(cls, attr, package):
    d = _definer(cls, attr)
    return d is not None and _is_plugin_class(d, package)


def _where(cls, base=None):
    """'D (dump.py)', or 'D (dump.py, derived from HTTPDumper)' given its base."""
    try:
        where = [os.path.basename(inspect.getsourcefile(cls) or "?")]
    except (TypeError, OSError):
        where = []
    if base:
        where.append("derived from " + base)
    return "%s (%s)" % (cls.__name__, ", ".join(where)) if where else cls.__name__


def find_classes(mod, package):
    """The plugin's classes on the package namespace, as BioThings' managers find them."""
    import biothings.hub.dataload.dumper as dumper
    import biothings.hub.dataload.uploader as uploader

    dumpers, uploaders, managers = [], [], []
    for name in sorted(dir(mod)):
        obj = getattr(mod, name)
        if not isinstance(obj, type) or not _is_plugin_class(obj, package):
            continue
        if issubclass(obj, (dumper.DumperManager, uploader.UploaderManager)):
            managers.append(obj)
        elif issubclass(obj, dumper.BaseDumper):
            dumpers.append(obj)
        elif issubclass(obj, uploader.BaseSourceUploader):
            uploaders.append(obj)
    return dumpers, uploaders, managers


def _post_dump_uncompresses(cls):
    """Whether cls's post_dump calls uncompressall; Refused when it does more.

    Studio runs no dumper code after a download; a post_dump that only logs
    and unpacks (the common case) becomes Studio's own unpacking.
    """
    try:
        src = textwrap.dedent(inspect.getsource(cls.post_dump))
        tree = ast.parse(src)
    except (OSError, TypeError, SyntaxError) as e:
        raise Refused("%s overrides post_dump, whose source Studio cannot read (%s)" % (_where(cls), e))
    uncompress = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        if name == "uncompressall":
            uncompress = True
            continue
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Attribute) and f.value.attr == "logger":
            continue  # self.logger.info(...)
        if name in ("super", "post_dump", "format", "join"):
            continue  # super().post_dump(...), string building, os.path.join
        raise Refused(
            "%s overrides post_dump and calls %s() in it: Studio runs no dumper code after downloading, only "
            "its own unpacking (a post_dump may only log and call uncompressall); move that work into the "
            "uploader's load_data" % (_where(cls), name or "a function")
        )
    return uncompress


def _offline_todump(cls, base):
    """Run cls's own create_todump_list once, without network, and return the URLs it lists."""
    try:
        d = cls()
        d.to_dump = []
        d.release = None
        d.create_todump_list(force=True)
    except Exception as e:  # noqa: B902 - any failure means Studio cannot honour it
        raise Refused(
            "dumper %s overrides create_todump_list, which Studio runs once without network to list the "
            "files to download, and it raised %s: %s; list the URLs in SRC_URLS of a LastModifiedHTTPDumper "
            "instead, or give the plugin a manifest" % (_where(cls, base), type(e).__name__, e)
        )
    urls = []
    for item in d.to_dump:
        remote = item.get("remote") if isinstance(item, dict) else None
        if not isinstance(remote, str) or not remote:
            raise Refused("%s.create_todump_list listed %r, not a {\"remote\": ..., \"local\": ...} entry" % (cls.__name__, item))
        urls.append(remote)
    return urls


def _ftp_url(cls, remote):
    if "://" in remote:
        return remote
    host = getattr(cls, "FTP_HOST", "") or ""
    if not host:
        raise Refused("%s is an FTPDumper without FTP_HOST" % _where(cls))
    user = getattr(cls, "FTP_USER", "") or ""
    cred = ""
    if user and user != "anonymous":
        cred = "%s:%s@" % (user, getattr(cls, "FTP_PASSWD", "") or "")
    path = "/".join(p.strip("/") for p in (getattr(cls, "CWD_DIR", "") or "", remote) if p.strip("/"))
    return "ftp://%s%s/%s" % (cred, host, path)


def describe_dumper(cls, package):
    base = _biothings_base(cls, SUPPORTED_DUMPERS + tuple(REFUSED_DUMPERS))
    if base in REFUSED_DUMPERS or base is None:
        why = REFUSED_DUMPERS.get(base, "Studio downloads only over HTTP(S) and FTP")
        raise Refused(
            "dumper %s: %s; use a LastModifiedHTTPDumper, HTTPDumper or FTPDumper with SRC_URLS, "
            "or give the plugin a manifest" % (_where(cls, base or _first_biothings_base(cls)), why)
        )
    for meth in REFUSED_DUMPER_OVERRIDES:
        if _overrides(cls, meth, package):
            raise Refused(
                "dumper %s overrides %s: Studio downloads with its own code and cannot run that; "
                "list the URLs in SRC_URLS, or give the plugin a manifest" % (_where(cls, base), meth)
            )
    if _overrides(cls, "create_todump_list", package):
        urls = _offline_todump(cls, base)
    else:
        urls = list(getattr(cls, "SRC_URLS", None) or [])
    if "FTP" in base:
        urls = [_ftp_url(cls, u) for u in urls]
    if not urls:
        raise Refused(
            "dumper %s lists no URL: set SRC_URLS (or, for an FTPDumper, a create_todump_list that "
            "lists the files)" % _where(cls, base)
        )
    uncompress = bool(getattr(cls, "UNCOMPRESS", False))
    if _overrides(cls, "post_dump", package):
        uncompress = _post_dump_uncompresses(cls) or uncompress
    schedule = getattr(cls, "SCHEDULE", None)
    return {
        "class": cls.__name__,
        "base": base,
        "src_name": getattr(cls, "SRC_NAME", None),
        "urls": [str(u) for u in urls],
        "uncompress": uncompress,
        "schedule": schedule if isinstance(schedule, str) else "",
        "disabled": bool(getattr(cls, "DISABLED", False)),
    }


def _first_biothings_base(cls):
    for base in cls.__mro__[1:]:
        if (getattr(base, "__module__", "") or "").startswith("biothings"):
            return base.__name__
    return "object"


def describe_uploader(cls, package):
    kind = "base"
    if _biothings_base(cls, ("DummySourceUploader",)):
        kind = "dummy"
    elif _biothings_base(cls, ("ParallelizedSourceUploader",)):
        kind = "parallelized"
    elif _biothings_base(cls, ("NoDataSourceUploader",)):
        raise Refused("uploader %s stores nothing; use a DummySourceUploader" % _where(cls, "NoDataSourceUploader"))
    for meth in REFUSED_UPLOADER_OVERRIDES:
        if _overrides(cls, meth, package):
            raise Refused(
                "uploader %s overrides %s: Studio stores documents with its own code and cannot run that; "
                "keep the uploader to load_data, get_mapping and its class attributes" % (_where(cls), meth)
            )
    if kind != "dummy" and not _overrides(cls, "load_data", package):
        raise Refused("uploader %s defines no load_data(self, data_folder): Studio has nothing to run" % _where(cls))
    if kind == "parallelized" and not _overrides(cls, "jobs", package):
        raise Refused("uploader %s is a ParallelizedSourceUploader without jobs(): define it to list load_data's arguments" % _where(cls))
    storage = getattr(cls, "storage_class", None)
    sname = getattr(storage, "__name__", repr(storage))
    if sname not in STORAGE_POLICIES:
        raise Refused(
            "uploader %s uses storage_class %s, which Studio does not have; use BasicStorage, "
            "IgnoreDuplicatedStorage or MergerStorage" % (_where(cls), sname)
        )
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise Refused("uploader %s has no name: set the class attribute name (its collection)" % _where(cls))
    meta = getattr(cls, "__metadata__", None)
    return {
        "class": cls.__name__,
        "kind": kind,
        "name": name,
        "main_source": getattr(cls, "main_source", None) or name,
        "metadata": meta if isinstance(meta, dict) else {},
        "on_duplicates": STORAGE_POLICIES[sname],
        "mapping": _overrides(cls, "get_mapping", package),
    }


def introspect(plugin_dir, package):
    """Describe the plugin's dumper and uploaders; every refusal is listed in "problems"."""
    mod = import_plugin(plugin_dir, package)
    dumpers, uploaders, managers = find_classes(mod, package)
    out = {"package": package, "dumpers": [], "uploaders": [], "problems": []}
    for cls in managers:
        out["problems"].append(
            "class %s is a custom manager: Studio runs dumps and uploads itself and cannot use a hub manager; remove it"
            % _where(cls, _first_biothings_base(cls))
        )
    for cls, describe, key in [(c, describe_dumper, "dumpers") for c in dumpers] + [(c, describe_uploader, "uploaders") for c in uploaders]:
        try:
            out[key].append(describe(cls, package))
        except Refused as e:
            out["problems"].append(str(e))
    return out


# ---------------------------------------------------------------- uploading


def uploader_batches(cls, kind, data_folder):
    """Yield what each load_data call returns: one call, or one per job of a parallelized uploader."""
    up = cls.create(None)
    up.data_folder = data_folder
    if kind == "dummy":
        return
    if kind == "parallelized":
        for job in up.jobs():
            args = job if isinstance(job, (tuple, list)) else (job,)
            yield "%s.load_data%r" % (cls.__name__, tuple(args)), up.load_data(*args)
        return
    yield "%s.load_data" % cls.__name__, up.load_data(data_folder)
