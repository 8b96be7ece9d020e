"""Unit tests of Studio's biothings package (run by TestBiothingsHelpers).

Sameness with the real package is the differential test's job
(testdata/differential); these tests cover what it cannot: the deliberate
differences, what is refused, biothings.config and the hub classes.

Run by hand with the runner folder on PYTHONPATH:

    PYTHONPATH=~/.cache/studio/pyrunner/<hash> python3 -m unittest -v test_biothings_helpers
"""

import gzip
import io
import os
import subprocess
import sys
import tempfile
import types
import unittest
import warnings
from contextlib import redirect_stdout

import biothings
from biothings.utils import common, dataload, dotfield


class TempDir(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)


class PackageTest(unittest.TestCase):
    def test_is_studios(self):
        self.assertTrue(biothings.__studio__)
        self.assertEqual(biothings.__version__, "1.2.2")
        self.assertEqual(biothings.version_info.major, 1)


class DeliberateDifferencesTest(TempDir):
    """Where BioThings 1.2.2 always fails, Studio does what the function documents."""

    def test_llist_prints(self):
        buf = io.StringIO()
        with redirect_stdout(buf):
            dataload.llist([[1, 2], ("a", "b"), "x"], sep=",")
        self.assertEqual(buf.getvalue(), "1,2\na,b\nx\n")

    def test_listsort_sorts(self):
        rows = [[3, "c"], [1, "a"], [2, "b"]]
        self.assertEqual(dataload.listsort(rows, 0), [[1, "a"], [2, "b"], [3, "c"]])
        self.assertEqual(dataload.listsort(rows, 1, reverse=True), [[3, "c"], [2, "b"], [1, "a"]])
        by_len = dataload.listsort([["ccc"], ["a"], ["bb"]], 0, cmp=lambda x, y: len(x[0]) - len(y[0]))
        self.assertEqual(by_len, [["a"], ["bb"], ["ccc"]])
        self.assertEqual(rows, [[3, "c"], [1, "a"], [2, "b"]], "the input is not changed")

    def test_rec_handler_records(self):
        p = self.path("recs.txt.gz")
        with gzip.open(p, "wt") as f:
            f.write("skipped\nID 1\nAC x\n\nID 2\n\n\nID 3\n")
        self.assertEqual(list(dataload.rec_handler(p, skip=1)), ["ID 1\nAC x\n", "ID 2\n", "ID 3\n"])
        self.assertEqual(list(dataload.rec_handler(p, skip=1, as_list=True))[0], ["ID 1\n", "AC x\n"])
        self.assertEqual(list(dataload.rec_handler(p, skip=1, include_block_end=True))[1], "ID 2\n\n")

    def test_make_object_uses_key_parts_as_written(self):
        self.assertEqual(dotfield.make_object('a"b.c\\n', 1), {'a"b': {"c\\n": 1}})
        self.assertEqual(dotfield.parse_dot_fields({"x.y\tz": 2}), {"x": {"y\tz": 2}})


class QuirksKeptTest(unittest.TestCase):
    """A few of BioThings' surprises, kept so that plugins give the same documents (see the README)."""

    def test_dict_sweep(self):
        nan = float("nan")
        # None and NaN are kept unless listed in vals; the item after a removed one is not looked at.
        self.assertEqual(dataload.dict_sweep({"l": ["", "", "x"], "n": None, "nan": nan}), {"l": ["", "x"], "n": None, "nan": nan})
        self.assertEqual(dataload.dict_sweep({"nan": nan, "k": 1}, vals=[nan]), {"k": 1})
        d = dataload.dict_sweep({"l": ["", "", "x"], "e": {"a": "NA"}, "z": 0})
        self.assertEqual(d, {"l": ["", "x"], "z": 0})
        self.assertEqual(dataload.dict_sweep({"a": None, "b": ""}, vals=["", None]), {})

    def test_conversions(self):
        self.assertEqual(dataload.to_int("1.5"), "1.5")
        self.assertEqual(dataload.to_int(1.5), 1.5)
        self.assertEqual(dataload.to_float("NA"), "NA")
        self.assertTrue(isinstance(dataload.to_number("NaN"), float))
        self.assertIsNone(dataload.to_boolean("maybe"))
        self.assertFalse(common.is_float("1.5"))
        self.assertEqual(list(common.iter_n(range(3), 2)), [(0, 1), (2,)])

    def test_dict_apply_returns_none(self):
        d = {"k": "b"}
        self.assertIsNone(dataload.dict_apply(d, "k", "a"))
        self.assertEqual(d, {"k": ["a", "b"]})


class RefusedTest(unittest.TestCase):
    def test_hub_bound_helpers(self):
        calls = [
            ("dump2gridfs", lambda: common.dump2gridfs({}, "f", None)),
            ("loadobj(mode='gridfs')", lambda: common.loadobj(("f", None), mode="gridfs")),
            ("get_plugin_name_from_remote_manifest", lambda: common.get_plugin_name_from_remote_manifest("https://x/y.git")),
        ]
        for name, call in calls:
            with self.subTest(name):
                with self.assertRaisesRegex(NotImplementedError, r"biothings\.utils\.common\.%s is not available in Studio's runner" % name.replace("(", r"\(").replace(")", r"\)")):
                    call()

    def test_aiogunzipall(self):
        import asyncio

        with self.assertRaisesRegex(NotImplementedError, "aiogunzipall is not available in Studio's runner"):
            asyncio.run(common.aiogunzipall(".", "*.gz", None, {}))


class ConfigTest(unittest.TestCase):
    def test_settings_and_logger(self):
        from biothings import config

        self.assertIs(biothings.config, config)
        self.assertEqual(config.HUB_API_PORT, 7080)
        self.assertEqual(config.LOGGER_NAME, "hub")
        self.assertIsNone(config.DATA_SRC_DATABASE)
        self.assertEqual(config.logger.name, "hub")
        self.assertTrue(config.DATA_ARCHIVE_ROOT)
        self.assertEqual(getattr(config, "NOT_A_SETTING", "default"), "default")
        self.assertFalse(hasattr(config, "NOT_A_SETTING"))
        with self.assertRaisesRegex(AttributeError, "biothings.config has no setting 'NOT_A_SETTING'"):
            config.NOT_A_SETTING

    def test_logger_writes_to_stderr(self):
        out = subprocess.run(
            [sys.executable, "-c", "from biothings import config; config.logger.info('hello %s', 1); config.logger.debug('hidden')"],
            capture_output=True, text=True, check=True,
        )
        self.assertEqual(out.stderr, "INFO hub: hello 1\n")
        self.assertEqual(out.stdout, "")

    def test_data_archive_root_from_the_data_folder(self):
        code = "from biothings import config; print(config.DATA_ARCHIVE_ROOT); print(config.LOG_FOLDER)"
        env = dict(os.environ, STUDIO_PARSER_DATA_FOLDER="/data/datasources/cgi/2024-01-05")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        self.assertEqual(out.stdout.split(), ["/data/datasources", "/data/logs"])

    def test_config_for_app(self):
        code = (
            "import types, warnings, biothings\n"
            "m = types.ModuleType('config'); m.MY_SETTING = 5; m.DATA_ARCHIVE_ROOT = '/srv/hub/datasources'; m.lower = 1\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    biothings.config_for_app(m)\n"
            "from biothings import config\n"
            "print(config.MY_SETTING, config.LOG_FOLDER, hasattr(config, 'lower'), w[0].category.__name__)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.split(), ["5", "/srv/hub/logs", "False", "DeprecationWarning"])


class HubClassesTest(unittest.TestCase):
    def test_uploader(self):
        from biothings.hub.dataload import storage, uploader

        class MyUploader(uploader.MergerSourceUploader):
            name = "mysrc"
            storage_class = storage.RootKeyMergerStorage

            def load_data(self, data_folder):
                return [{"_id": data_folder}]

            @classmethod
            def get_mapping(klass):
                return {"mysrc": {"type": "keyword"}}

        up = MyUploader(None)
        self.assertEqual(up.main_source, "mysrc")
        self.assertEqual(up.load_data("x"), [{"_id": "x"}])
        self.assertEqual(MyUploader.get_mapping(), {"mysrc": {"type": "keyword"}})
        self.assertEqual(uploader.DummySourceUploader.get_mapping(), {})
        with self.assertRaises(NotImplementedError):
            uploader.BaseSourceUploader(None).load_data("x")
        with self.assertRaisesRegex(NotImplementedError, "MyUploader.load is not available in Studio's runner"):
            up.load()
        with self.assertRaisesRegex(NotImplementedError, "UploaderManager is not available"):
            uploader.UploaderManager()
        self.assertTrue(issubclass(uploader.ParallelizedSourceUploader, uploader.BaseSourceUploader))

    def test_storage(self):
        from biothings.hub.dataload import storage

        doc = storage.RootKeyMergerStorage.merge_func({"_id": "a", "x": 1}, {"_id": "a", "x": 2, "y": 3})
        self.assertEqual(doc, {"_id": "a", "x": [1, 2], "y": 3})
        self.assertEqual(storage.get_storage_class("merge"), "biothings.utils.storage.MergerStorage")
        with self.assertRaisesRegex(NotImplementedError, "Studio stores the documents itself"):
            storage.BasicStorage(None, "col").process([], 10)

    def test_dumper(self):
        from biothings import config
        from biothings.hub.dataload import dumper

        class MyDumper(dumper.LastModifiedHTTPDumper):
            SRC_NAME = "mysrc"
            SRC_ROOT_FOLDER = os.path.join(config.DATA_ARCHIVE_ROOT, SRC_NAME)
            SRC_URLS = ["https://example.org/data.tsv"]

        d = MyDumper()
        self.assertEqual(d.src_name, "mysrc")
        self.assertEqual(MyDumper.RELEASE_FORMAT, "%Y-%m-%d")
        with self.assertRaisesRegex(NotImplementedError, "Studio downloads the files named in the manifest itself"):
            d.dump()


class SameFunctionsTest(unittest.TestCase):
    def test_reexports(self):
        self.assertIs(dataload.anyfile, common.anyfile)
        self.assertIs(dataload.open_anyfile, common.open_anyfile)
        from biothings.utils import dotstring

        self.assertIs(dataload.key_value, dotstring.key_value)
        self.assertIsInstance(common.DummyConfig("c"), types.ModuleType)


if __name__ == "__main__":
    warnings.simplefilter("default")
    unittest.main()
