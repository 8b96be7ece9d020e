"""biothings.utils.storage in Studio's runner: the storage class names, importable.

In BioThings a storage class writes an uploader's documents into MongoDB
(merging or ignoring duplicates). Studio stores documents itself (the
manifest's "on_duplicates"), so these classes exist only so that modules
naming them load; process() raises NotImplementedError. The merge
functions they carry (merge_struct, merge_root_keys) work.
"""

import copy
import logging

from .common import iter_n, timesofar  # noqa: F401 - names BioThings' module offers too
from .dataload import merge_root_keys, merge_struct


class StorageException(Exception):
    pass


class BaseStorage:
    """A storage placeholder: Studio stores the documents itself."""

    def __init__(self, db=None, dest_col_name=None, logger=logging):
        self.db = db
        self.dest_col_name = dest_col_name
        self.logger = logger

    def process(self, iterable, batch_size, max_batch_num=None):
        raise NotImplementedError(
            "%s.process is not available in Studio's runner: Studio stores the documents itself "
            "(set \"on_duplicates\" in the manifest's uploader)" % type(self).__name__
        )

    def check_doc_func(self, doc):
        return doc


class NoStorage(BaseStorage):
    pass


class BasicStorage(BaseStorage):
    pass


class CheckSizeStorage(BasicStorage):
    pass


class MergerStorage(BasicStorage):
    merge_func = merge_struct
    process_count = 0


class RootKeyMergerStorage(MergerStorage):
    @classmethod
    def merge_func(klass, doc1, doc2, **kwargs):
        """merge_root_keys of the two documents, _id kept from doc2 (which is not changed)."""
        _id = doc2["_id"]
        doc = merge_root_keys(doc1, copy.copy(doc2), exclude=["_id"])
        doc["_id"] = _id
        return doc


class IgnoreDuplicatedStorage(BasicStorage):
    pass


class NoBatchIgnoreDuplicatedStorage(BasicStorage):
    pass


class UpsertStorage(BasicStorage):
    pass


def get_storage_class(ondups=None):
    """The storage class path BioThings uses for an uploader's on_duplicates ("error", "merge", "ignore")."""
    if ondups == "merge":
        return "biothings.utils.storage.MergerStorage"
    if ondups == "ignore":
        return "biothings.utils.storage.IgnoreDuplicatedStorage"
    return "biothings.utils.storage.BasicStorage"
