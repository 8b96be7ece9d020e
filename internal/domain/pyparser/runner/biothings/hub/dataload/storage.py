"""biothings.hub.dataload.storage in Studio's runner: the names of biothings.utils.storage."""

from ...utils.storage import (  # noqa: F401 - re-exported, as in BioThings
    BaseStorage,
    BasicStorage,
    CheckSizeStorage,
    IgnoreDuplicatedStorage,
    MergerStorage,
    NoBatchIgnoreDuplicatedStorage,
    NoStorage,
    RootKeyMergerStorage,
    StorageException,
    UpsertStorage,
    get_storage_class,
    iter_n,
    merge_root_keys,
    merge_struct,
    timesofar,
)
