"""biothings.hub.dataload.dumper in Studio's runner: importable base classes.

Studio downloads the files named in the manifest itself. These classes let
a hub source module that subclasses them be imported, and their class
attributes be read (SRC_NAME, SRC_URLS, ...); what downloads raises
NotImplementedError saying so.
"""

import os
import time

from ... import config


def _not_in_studio(what):
    raise NotImplementedError(
        "%s is not available in Studio's runner: Studio downloads the files named in the manifest itself" % what
    )


class DumperException(Exception):
    pass


class DockerContainerException(Exception):
    pass


class BaseDumper:
    """Base of a source's dumper: subclasses set SRC_NAME, SRC_ROOT_FOLDER, ..."""

    SRC_NAME = None
    SRC_ROOT_FOLDER = None
    AUTO_UPLOAD = True
    SUFFIX_ATTR = "release"
    MAX_PARALLEL_DUMP = None
    SLEEP_BETWEEN_DOWNLOAD = 0.0
    ARCHIVE = True
    SCHEDULE = None
    DISABLED = False
    to_check = []

    def __init__(self, src_name=None, src_root_folder=None, log_folder=None, archive=None):
        self.src_name = src_name or self.SRC_NAME
        self.src_root_folder = src_root_folder or self.SRC_ROOT_FOLDER
        self.log_folder = log_folder or config.LOG_FOLDER
        self.archive = archive or self.ARCHIVE
        self.to_dump = []
        self.release = None
        self.t0 = time.time()
        self.timestamp = time.strftime("%Y%m%d")

    @classmethod
    def create(klass, *args, **kwargs):
        return klass(*args, **kwargs)

    @property
    def logger(self):
        """The runner's logger (stderr, which Studio logs), unless set."""
        return self.__dict__.get("_logger") or config.logger

    @logger.setter
    def logger(self, value):
        self.__dict__["_logger"] = value

    @property
    def new_data_folder(self):
        """The folder of the release being dumped, under DATA_ARCHIVE_ROOT."""
        root = self.src_root_folder or os.path.join(config.DATA_ARCHIVE_ROOT, self.src_name or type(self).__name__)
        return os.path.join(root, str(self.release or self.timestamp))

    current_data_folder = new_data_folder

    def dump(self, *args, **kwargs):
        _not_in_studio("%s.dump" % type(self).__name__)

    def create_todump_list(self, *args, **kwargs):
        _not_in_studio("%s.create_todump_list" % type(self).__name__)

    def download(self, *args, **kwargs):
        _not_in_studio("%s.download" % type(self).__name__)

    def post_dump(self, *args, **kwargs):
        pass


class AssistedDumper:
    DATA_PLUGIN_FOLDER = None


class FTPDumper(BaseDumper):
    FTP_HOST = ""
    CWD_DIR = ""
    FTP_USER = ""
    FTP_PASSWD = ""
    FTP_TIMEOUT = 10 * 60.0


class LastModifiedBaseDumper(BaseDumper):
    SRC_URLS = []


class LastModifiedFTPDumper(LastModifiedBaseDumper):
    RELEASE_FORMAT = "%Y-%m-%d"


class HTTPDumper(BaseDumper):
    pass


class LastModifiedHTTPDumper(HTTPDumper, LastModifiedBaseDumper):
    LAST_MODIFIED = "Last-Modified"
    ETAG = "ETag"
    RELEASE_FORMAT = "%Y-%m-%d"
    RESOLVE_FILENAME = True


class WgetDumper(BaseDumper):
    pass


class FilesystemDumper(BaseDumper):
    FS_OP = "cp"


class DummyDumper(BaseDumper):
    pass


class ManualDumper(BaseDumper):
    pass


class GoogleDriveDumper(HTTPDumper):
    pass


class GitDumper(BaseDumper):
    GIT_REPO_URL = None
    DEFAULT_BRANCH = None


class APIDumper(BaseDumper):
    pass


class DockerContainerDumper(BaseDumper):
    DOCKER_CLIENT_URL = None
    DOCKER_IMAGE = None
    CONTAINER_NAME = None
    DUMP_COMMAND = None
    GET_VERSION_CMD = None
    KEEP_CONTAINER = False
    DATA_PATH = None
    VOLUMES = None
    NAMED_VOLUMES = None
    MAX_PARALLEL_DUMP = 1


class DumperManager:
    """The hub's dumper manager: not available in Studio's runner."""

    SOURCE_CLASS = BaseDumper

    def __init__(self, *args, **kwargs):
        _not_in_studio("DumperManager")
