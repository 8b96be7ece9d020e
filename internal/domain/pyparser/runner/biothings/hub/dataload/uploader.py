"""biothings.hub.dataload.uploader in Studio's runner: importable base classes.

Studio runs the parser the manifest names and stores its documents itself.
These classes let a hub source module that subclasses them be imported,
and their class attributes be read; an uploader's get_mapping() works
(an empty mapping unless overridden) and load_data() is the subclass's.
What needs the hub (load, update_data, the manager) raises
NotImplementedError saying so.
"""

import datetime
import time

from ... import config
from ...utils.storage import BasicStorage, IgnoreDuplicatedStorage, MergerStorage, NoBatchIgnoreDuplicatedStorage, NoStorage


def _not_in_studio(what):
    raise NotImplementedError(
        "%s is not available in Studio's runner: Studio runs the parser named in the manifest and stores "
        "its documents itself" % what
    )


class ResourceNotReady(Exception):
    pass


class ResourceError(Exception):
    pass


class BaseSourceUploader:
    """Base of a source's uploader: subclasses set name, main_source and load_data()."""

    __database__ = config.DATA_SRC_DATABASE
    storage_class = BasicStorage
    name = None
    main_source = None
    regex_name = None
    keep_archive = 10
    auto_validate = False

    def __init__(self, db_conn_info=None, collection_name=None, log_folder=None, *args, **kwargs):
        self.db_conn_info = db_conn_info
        self.collection_name = collection_name or self.name
        self.log_folder = log_folder or config.LOG_FOLDER
        self.timestamp = datetime.datetime.now()
        self.t0 = time.time()
        if self.main_source is None:
            self.main_source = self.name

    @classmethod
    def create(klass, db_conn_info, *args, **kwargs):
        return klass(db_conn_info, *args, **kwargs)

    @property
    def logger(self):
        """The runner's logger (stderr, which Studio logs), unless set."""
        return self.__dict__.get("_logger") or config.logger

    @logger.setter
    def logger(self, value):
        self.__dict__["_logger"] = value

    def load_data(self, data_path):
        raise NotImplementedError("Implement in subclass")

    @classmethod
    def get_mapping(klass):
        return {}

    def load(self, *args, **kwargs):
        _not_in_studio("%s.load" % type(self).__name__)

    def update_data(self, *args, **kwargs):
        _not_in_studio("%s.update_data" % type(self).__name__)


class NoBatchIgnoreDuplicatedSourceUploader(BaseSourceUploader):
    storage_class = NoBatchIgnoreDuplicatedStorage


class IgnoreDuplicatedSourceUploader(BaseSourceUploader):
    storage_class = IgnoreDuplicatedStorage


class MergerSourceUploader(BaseSourceUploader):
    storage_class = MergerStorage


class DummySourceUploader(BaseSourceUploader):
    """An uploader for data already in place: it uploads nothing."""


class ParallelizedSourceUploader(BaseSourceUploader):
    """An uploader whose jobs() lists the argument tuples of parallel load_data calls."""

    MAX_PARALLEL_UPLOAD = None

    def jobs(self):
        raise NotImplementedError("implement me in subclass")


class NoDataSourceUploader(BaseSourceUploader):
    storage_class = NoStorage


class AssistedUploader:
    DATA_PLUGIN_FOLDER = None


class UploaderManager:
    """The hub's uploader manager: not available in Studio's runner."""

    SOURCE_CLASS = BaseSourceUploader

    def __init__(self, *args, **kwargs):
        _not_in_studio("UploaderManager")


def set_pending_to_upload(src_name):
    _not_in_studio("set_pending_to_upload")
