"""biothings.config in Studio's runner.

In BioThings, biothings.config is the hub's configuration: the hub's
config.py over the defaults of biothings.hub.default_config. Studio's
runner has no hub, so biothings.config holds every setting BioThings
defines, with BioThings' default where it is a plain value, and these
values where Studio differs:

- DATA_ARCHIVE_ROOT: the folder holding the downloads of every source, as
  <root>/<source>/<release>/ (Studio keeps them so, as BioThings does):
  the folder two levels above the data folder of the parser being run
  (STUDIO_PARSER_DATA_FOLDER, set by the runner), else "datasources" in the
  working folder. The other folders (LOG_FOLDER, CACHE_FOLDER, DIFF_PATH,
  ...) are derived from it as BioThings derives them.
- settings a hub must define (DATA_SRC_SERVER, DATA_SRC_DATABASE,
  DATA_TARGET_SERVER, DATA_TARGET_DATABASE, HUB_DB_BACKEND) and settings
  describing a hub's infrastructure (RELEASE_CONFIG, ...) are None.
- HUB_MAX_WORKERS, MAX_SYNC_WORKERS and MAX_QUEUED_JOBS are computed
  from the CPU count as BioThings computes them.
- logger is the "hub" logger, writing INFO and above to stderr, which
  Studio logs (BioThings writes DEBUG and above to a file in LOG_FOLDER).

A name that is not a setting raises AttributeError, as in BioThings, so
that getattr(config, "NAME", default) and hasattr() keep working.
biothings.config_for_app(module) copies a module's settings in.
"""

import logging
import os
import sys

_DATA_FOLDER_ENV = "STUDIO_PARSER_DATA_FOLDER"


def _archive_root():
    data_folder = os.environ.get(_DATA_FOLDER_ENV)
    if data_folder:
        return os.path.dirname(os.path.dirname(os.path.abspath(data_folder)))
    return os.path.abspath("datasources")


def _beside(archive_root, name):
    # As BioThings does: "/data/x/datasources" -> "/data/x/<name>"; any other root gets <name> inside it.
    base = archive_root[: -len("datasources")] if archive_root.endswith("datasources") else archive_root
    return os.path.join(base, name)


# Folders derived from DATA_ARCHIVE_ROOT, and the sub-folder each is named after.
_DERIVED_FOLDERS = {
    "RUN_DIR": "run",
    "CACHE_FOLDER": "cache",
    "DIFF_PATH": "diff",
    "RELEASE_PATH": "release",
    "DATA_UPLOAD_FOLDER": "dataupload",
    "ES_BACKUPS_FOLDER": "es_backups",
    "LOG_FOLDER": "logs",
}


def _set_folders(archive_root):
    settings = globals()
    settings["DATA_ARCHIVE_ROOT"] = archive_root
    for name, sub in _DERIVED_FOLDERS.items():
        settings[name] = _beside(archive_root, sub)


def _make_logger(name):
    log = logging.getLogger(name)
    if not any(getattr(h, "name", None) == "studio_stderr" for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.name = "studio_stderr"
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


_cpus = os.cpu_count() or 1

# -- the hub
HUB_NAME = "Biothings Hub"
HUB_ICON = None
HUB_API_PORT = 7080
READONLY_HUB_API_PORT = 7081
HUB_API_USERS = {}
HUB_API_LOGIN_EXPIRY = 12 * 60 * 60
SLACK_WEBHOOK = None
USE_RELOADER = True
ACTIVE_DATASOURCES = []
SKIP_DUMPER_SCHEDULE = False
SKIP_UPLOADER_POLL = False
AUTO_ARCHIVE_CONFIG = None
DOCKER_CONFIG = {}
DOCKER_HOST = None
HUB_ENV = ""
CONFIG_READONLY = True
SKIP_CHECK_VERSIONS = False
SKIP_CHECK_COMPAT = True
BIOTHINGS_ROLE = "slave"
HUB_MAX_MEM_USAGE = None
HUB_MAX_WORKERS = int(_cpus / 4)
MAX_SYNC_WORKERS = HUB_MAX_WORKERS
MAX_QUEUED_JOBS = _cpus * 4
HUB_FREE_THREADED_WORKERS = False
VERSION_URLS = []
AUTOHUB_VALIDATOR_CLASS = None

# -- folders (DATA_ARCHIVE_ROOT and the folders derived from it are set below)
DATA_PLUGIN_FOLDER = "./plugins"
CACHE_FORMAT = "xz"

# -- logging
LOGGER_NAME = "hub"
logger = _make_logger(LOGGER_NAME)

# -- indexing, diffs and releases (Studio does these itself)
INDEX_CONFIG = {}
SNAPSHOT_CONFIG = {}
AUTO_SNAPSHOT_CLEANUP_CONFIG = None
MAX_REPORTED_IDS = 1000
MAX_RANDOMLY_PICKED = 10
MAX_DIFF_SIZE = 50 * 1024**2
RELEASE_CONFIG = None
STANDALONE_AWS_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
STANDALONE_CONFIG = {}
STANDALONE_VERSION = {"branch": "standalone_v2", "commit": None, "date": None}
AUTO_RELEASE_CONFIG = None
RELEASE_KEEP_N_RECENT_INDICES = 0
SYNC_BATCH_SIZE = 10000

# -- databases (a hub defines the servers; Studio's runner has none)
DATA_SRC_SERVER = None
DATA_SRC_PORT = 27017
DATA_SRC_DATABASE = None
DATA_SRC_SERVER_USERNAME = None
DATA_SRC_SERVER_PASSWORD = None
DATA_TARGET_SERVER = None
DATA_TARGET_PORT = 27017
DATA_TARGET_DATABASE = None
DATA_TARGET_SERVER_USERNAME = None
DATA_TARGET_SERVER_PASSWORD = None
DATA_HUB_DB_DATABASE = "biothings_hubdb"
DATA_SRC_MASTER_COLLECTION = "src_master"
DATA_SRC_DUMP_COLLECTION = "src_dump"
DATA_SRC_BUILD_COLLECTION = "src_build"
DATA_PLUGIN_COLLECTION = "data_plugin"
API_COLLECTION = "api"
CMD_COLLECTION = "cmd"
EVENT_COLLECTION = "event"
HUB_CONFIG_COLLECTION = "hub_config"
DATA_TARGET_MASTER_COLLECTION = "db_master"
HUB_DB_BACKEND = None

# -- API tests
APITEST_ROOT = "./tests"
APITEST_PATH = ""
APITEST_CONFIG_ROOT = "."
APITEST_CONFIG = "config_web_local"

_set_folders(_archive_root())


def _is_setting(name):
    return name == "logger" or (name.isupper() and not name.startswith("_"))


def settings():
    """Every setting, by name."""
    return {k: v for k, v in globals().items() if _is_setting(k)}


def apply(module):
    """Copy a config module's settings (upper-case names, and logger) into biothings.config.

    A new DATA_ARCHIVE_ROOT moves the folders derived from it, except those
    the module sets itself.
    """
    given = {name: getattr(module, name) for name in dir(module) if _is_setting(name)}
    if "DATA_ARCHIVE_ROOT" in given:
        _set_folders(given["DATA_ARCHIVE_ROOT"])
    globals().update(given)


def __getattr__(name):
    # Called only for names that are not settings.
    if name.startswith("__"):
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    raise AttributeError(
        "biothings.config has no setting %r: Studio's runner has no hub config.py, only BioThings' "
        "default settings (use getattr(config, %r, default) for an optional setting)" % (name, name)
    )
