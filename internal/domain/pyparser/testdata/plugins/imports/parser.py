"""The biothings imports of public data plugins and hub source modules (TestBiothingsImports).

Each statement below is one that public BioThings plugins (manifest-based
parsers) or the hub source modules of mygene.info, myvariant.info and
mychem.info use; the module must load under Studio's runner, and the
parser uses a few of the names.
"""

import os

import biothings
import biothings.hub.dataload.dumper as dumper
import biothings.hub.dataload.storage as storage
import biothings.hub.dataload.uploader as uploader
import biothings.utils.common as common
import biothings.utils.dataload as dataload
import biothings.utils.dotfield as dotfield
from biothings import config, config_for_app
from biothings.hub.dataload.dumper import (
    BaseDumper,
    DummyDumper,
    FilesystemDumper,
    FTPDumper,
    GitDumper,
    HTTPDumper,
    LastModifiedFTPDumper,
    LastModifiedHTTPDumper,
    ManualDumper,
    WgetDumper,
)
from biothings.hub.dataload.storage import (
    BasicStorage,
    CheckSizeStorage,
    IgnoreDuplicatedStorage,
    MergerStorage,
    NoBatchIgnoreDuplicatedStorage,
    NoStorage,
    RootKeyMergerStorage,
    UpsertStorage,
)
from biothings.hub.dataload.uploader import (
    BaseSourceUploader,
    DummySourceUploader,
    IgnoreDuplicatedSourceUploader,
    MergerSourceUploader,
    NoBatchIgnoreDuplicatedSourceUploader,
    NoDataSourceUploader,
    ParallelizedSourceUploader,
)
from biothings.utils.common import (
    anyfile,
    ask,
    dump,
    get_timestamp,
    gunzipall,
    is_float,
    is_int,
    is_str,
    iter_n,
    loadobj,
    open_anyfile,
    safewfile,
    timesofar,
    uncompressall,
    untargzall,
    unxzall,
    unzipall,
)
from biothings.utils.dataload import *  # noqa: F401,F403 - some plugins do this
from biothings.utils.dataload import (
    alwayslist,
    boolean_convert,
    dict_apply,
    dict_attrmerge,
    dict_convert,
    dict_nodup,
    dict_sweep,
    dict_to_list,
    dict_traverse,
    dict_walk,
    dupline_seperator,
    file_merge,
    float_convert,
    id_strip,
    int_convert,
    list2dict,
    list_itemcnt,
    list_split,
    listitems,
    listsort,
    llist,
    merge_dict,
    merge_duplicate_rows,
    merge_root_keys,
    merge_struct,
    normalized_value,
    rec_handler,
    safe_type,
    tab2dict,
    tab2dict_iter,
    tab2list,
    tabfile_feeder,
    tabfile_tester,
    to_boolean,
    to_float,
    to_int,
    to_number,
    traverse_keys,
    unique_ids,
    unlist,
    unlist_incexcl,
    update_dict_recur,
    updated_dict,
    value_convert,
    value_convert_incexcl,
    value_convert_to_number,
)
from biothings.utils.dotfield import compose_dot_fields_by_fields, make_object, merge_object, parse_dot_fields

logging = config.logger


class GeneDumper(LastModifiedHTTPDumper):
    SRC_NAME = "gene"
    SRC_ROOT_FOLDER = os.path.join(config.DATA_ARCHIVE_ROOT, SRC_NAME)
    SRC_URLS = ["https://example.org/gene_info.gz"]


class GeneUploader(MergerSourceUploader):
    name = "gene"
    storage_class = RootKeyMergerStorage

    def load_data(self, data_folder):
        return load_data(data_folder)


def load_data(data_folder):
    logging.info("imports parser reading %s", os.path.basename(data_folder))
    table = os.path.join(data_folder, "genes.tsv")
    rows = [{"db": {"id": "1", "sym": "A"}}, {"db": {"id": "1", "sym": "B", "x": "y"}}]
    merged = merge_duplicate_rows(rows, "db")
    yield {
        "_id": "imports",
        "studio": getattr(biothings, "__studio__", False),
        "archive_root": config.DATA_ARCHIVE_ROOT,
        "src_root": GeneDumper.SRC_ROOT_FOLDER,
        "tab2list": tab2list(table, (0, 2)),
        "tab2dict": tab2dict(table, [0, 1, 2], 0),
        "merged": merged,
        "to_boolean": [to_boolean("yes"), to_boolean("0"), to_boolean("maybe")],
        "dotfield": parse_dot_fields({"a.b": 1, "a.c": 2}),
        "storage": storage.get_storage_class("merge"),
        "is_int": [is_int("12"), is_float(1.5), is_str(b"x")],
    }
