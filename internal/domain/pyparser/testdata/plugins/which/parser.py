"""Reports which biothings package the parser imported (TestBiothingsChoice)."""

import biothings
import biothings.utils.dataload


def load_data(data_folder):
    yield {
        "_id": "which",
        "studio": getattr(biothings, "__studio__", False),
        "version": biothings.__version__,
        "file": biothings.__file__,
        "dataload": biothings.utils.dataload.__file__,
    }
