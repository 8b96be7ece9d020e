"""Unit tests of Studio's biothings helpers (run by TestBiothingsHelpers).

Run by hand with the runner folder on PYTHONPATH:

    PYTHONPATH=~/.cache/studio/pyrunner/<hash> python3 -m unittest -v test_biothings_helpers
"""

import bz2
import gzip
import io
import lzma
import os
import tempfile
import time
import unittest
import zipfile
from contextlib import redirect_stdout

from biothings.utils import common, dataload
from biothings.utils.dataload import (
    dict_apply,
    dict_convert,
    dict_sweep,
    list2dict,
    listitems,
    llist,
    merge_struct,
    open_anyfile,
    tabfile_feeder,
    to_float,
    to_int,
    unique_ids,
    unlist,
    value_convert_to_number,
)


class TempDir(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)


TEXT = "a\tb\tc\n1\t2\t3\nx\t\"y z\"\tw\n"


class OpenAnyfileTest(TempDir):
    def write_all(self):
        paths = {}
        p = self.path("plain.tsv")
        with open(p, "w", encoding="utf-8") as f:
            f.write(TEXT)
        paths["plain"] = p
        for ext, opener in ((".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)):
            p = self.path("f.tsv" + ext)
            with opener(p, "wt", encoding="utf-8") as f:
                f.write(TEXT)
            paths[ext] = p
        p = self.path("one.zip")
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("inner.tsv", TEXT)
        paths["zip"] = p
        return paths

    def test_formats(self):
        for kind, p in self.write_all().items():
            with self.subTest(kind=kind):
                with open_anyfile(p) as f:
                    self.assertEqual(f.read(), TEXT)
                with common.open_anyfile(p, "rb") as f:
                    self.assertEqual(f.read(), TEXT.encode())
                f = common.anyfile(p)
                self.assertEqual(f.readline(), "a\tb\tc\n")
                f.close()
                self.assertTrue(f.closed)

    def test_tuple_and_file_object(self):
        p = self.write_all()[".gz"]
        with open_anyfile((p, "r")) as f:
            self.assertEqual(f.read(), TEXT)
        buf = io.StringIO("x")
        self.assertIs(open_anyfile(buf), buf)

    def test_zip_with_several_files(self):
        p = self.path("two.zip")
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("a.txt", "a")
            z.writestr("b.txt", "b")
        with self.assertRaisesRegex(ValueError, "holds 2 files"):
            open_anyfile(p)

    def test_write_gz(self):
        p = self.path("out.gz")
        with open_anyfile(p, "w") as f:
            f.write("héllo\n")
        with gzip.open(p, "rt", encoding="utf-8") as f:
            self.assertEqual(f.read(), "héllo\n")


class TabfileFeederTest(TempDir):
    def test_rows(self):
        p = self.path("t.tsv.gz")
        with gzip.open(p, "wt") as f:
            f.write(TEXT)
        self.assertEqual(list(tabfile_feeder(p)), [["1", "2", "3"], ["x", "y z", "w"]])
        self.assertEqual(list(tabfile_feeder(p, header=0))[0], ["a", "b", "c"])
        self.assertEqual(list(tabfile_feeder(p, includefn=lambda r: r[0] == "x")), [["x", "y z", "w"]])
        self.assertEqual(list(tabfile_feeder(p, header=5)), [])

    def test_sep_and_column_check(self):
        p = self.path("t.csv")
        with open(p, "w") as f:
            f.write("h1,h2\n1,2\n3\n")
        rows = tabfile_feeder(p, sep=",", assert_column_no=2)
        self.assertEqual(next(rows), ["1", "2"])
        with self.assertRaisesRegex(ValueError, "line 3: 1 columns, expected 2"):
            next(rows)


class DictSweepTest(unittest.TestCase):
    def test_default_values(self):
        d = {"a": ".", "b": "-", "c": "", "d": "NA", "e": "none", "f": " ", "g": "Not Available",
             "h": "unknown", "i": None, "keep": "x", "zero": 0, "false": False}
        self.assertEqual(dict_sweep(d), {"keep": "x", "zero": 0, "false": False})

    def test_nested_and_empty_left_behind(self):
        d = {"_id": "1", "a": {"b": "", "c": {"d": None}}, "l": ["", "NA"], "m": [{"x": "-"}, "v", "."], "n": [1, None]}
        out = dict_sweep(d)
        self.assertIs(out, d)
        self.assertEqual(d, {"_id": "1", "m": [{}, "v"], "n": [1, None]})

    def test_remove_invalid_list(self):
        d = {"m": [{"x": "-"}, "v", ".", None, []], "e": [None, {}]}
        self.assertEqual(dict_sweep(d, remove_invalid_list=True), {"m": ["v"]})

    def test_custom_values(self):
        d = {"a": "", "b": None, "c": "NA", "d": {"e": ""}}
        self.assertEqual(dict_sweep(d, vals=["", None]), {"c": "NA"})
        self.assertEqual(dict_sweep({"a": "x", "b": "y"}, vals=["x"]), {"b": "y"})


class UnlistTest(unittest.TestCase):
    def test_unlist(self):
        d = {"a": [1], "b": [[{"c": ["x"]}]], "d": [1, [2], {"e": [3]}], "f": []}
        self.assertEqual(unlist(d), {"a": 1, "b": {"c": "x"}, "d": [1, 2, {"e": 3}], "f": []})


class NumberTest(unittest.TestCase):
    def test_value_convert_to_number(self):
        d = {"i": "12", "f": "1.5", "e": "1e3", "s": "abc", "n": "NaN", "inf": "inf", "neg": "-4",
             "l": ["1", "x", {"z": "2.0"}], "skip": "7", "deep": {"skip": "8", "k": "9"}, "num": 3}
        out = value_convert_to_number(d, skipped_keys=["skip"])
        self.assertEqual(out, {"i": 12, "f": 1.5, "e": 1000.0, "s": "abc", "n": "NaN", "inf": "inf", "neg": -4,
                               "l": [1, "x", {"z": 2.0}], "skip": "7", "deep": {"skip": "8", "k": 9}, "num": 3})
        self.assertIsInstance(out["i"], int)

    def test_to_int_to_float(self):
        self.assertEqual(to_int("5"), 5)
        self.assertEqual(to_int("NA"), "NA")
        self.assertIsNone(to_int(None))
        self.assertEqual(to_float("2.5"), 2.5)
        self.assertEqual(to_float("x"), "x")
        self.assertEqual(to_float(3), 3.0)
        self.assertEqual(dataload.to_number("7"), 7)

    def test_is_int_float(self):
        self.assertTrue(common.is_int("12"))
        self.assertTrue(common.is_int(3))
        self.assertFalse(common.is_int("1.5"))
        self.assertFalse(common.is_int(None))
        self.assertFalse(common.is_int(True))
        self.assertTrue(common.is_float("1.5"))
        self.assertTrue(common.is_float("3"))
        self.assertFalse(common.is_float("x"))
        self.assertTrue(common.is_str("x"))
        self.assertFalse(common.is_str(b"x"))


class DictConvertTest(unittest.TestCase):
    def test_keys_and_values(self):
        d = {"A b": "1", "C": "2"}
        out = dict_convert(d, keyfn=lambda k: k.lower().replace(" ", "_"), valuefn=int)
        self.assertEqual(out, {"a_b": 1, "c": 2})
        self.assertEqual(d, {"A b": "1", "C": "2"})

    def test_values_only_in_place(self):
        d = {"a": "1"}
        self.assertIs(dict_convert(d, valuefn=int), d)
        self.assertEqual(d, {"a": 1})
        self.assertEqual(dict_convert({"a": {"B": 1}}, keyfn=str.upper), {"A": {"B": 1}})


class List2DictTest(unittest.TestCase):
    li = [["A", "a", 1], ["B", "a", 2], ["A", "b", 3]]

    def test_list2dict(self):
        self.assertEqual(list2dict(self.li, 0), {"A": [("a", 1), ("b", 3)], "B": ("a", 2)})
        self.assertEqual(list2dict(self.li, 0, alwayslist=True), {"A": [("a", 1), ("b", 3)], "B": [("a", 2)]})
        self.assertEqual(list2dict([["k", "v"]], 0), {"k": "v"})
        self.assertEqual(list2dict(self.li, [0, 1]), {("A", "a"): 1, ("B", "a"): 2, ("A", "b"): 3})


class MergeStructTest(unittest.TestCase):
    def test_merge(self):
        v1 = {"a": 1, "b": {"c": "x", "l": [1, 2]}, "s": "same", "d": "one"}
        v2 = {"a": 2, "b": {"c": "x", "l": [2, 3], "n": True}, "s": "same", "d": ["one", "two"], "new": 5}
        out = merge_struct(v1, v2)
        self.assertEqual(out, {"a": [1, 2], "b": {"c": "x", "l": [1, 2, 3], "n": True}, "s": "same",
                               "d": ["one", "two"], "new": 5})

    def test_scalars_and_lists(self):
        self.assertEqual(merge_struct(1, 1), 1)
        self.assertEqual(merge_struct(1, 2), [1, 2])
        self.assertEqual(merge_struct([1], 2), [1, 2])
        self.assertEqual(merge_struct([1, 2], 2), [1, 2])
        self.assertEqual(merge_struct({"a": 1}, "x"), [{"a": 1}, "x"])

    def test_aslistofdict(self):
        v1 = {"k": {"x": 1}}
        v2 = {"k": [{"x": 1}, {"x": 2}]}
        self.assertEqual(merge_struct(v1, v2, aslistofdict="k"), {"k": [{"x": 1}, {"x": 2}]})


class SmallHelpersTest(unittest.TestCase):
    def test_listitems(self):
        self.assertEqual(listitems([10, 11, 12], 0, 2), [10, 12])
        self.assertEqual(listitems((10, 11, 12), 1), (11,))

    def test_dict_apply(self):
        d = {}
        dict_apply(d, "k", "b")
        self.assertEqual(d, {"k": "b"})
        dict_apply(d, "k", "a")
        self.assertEqual(d, {"k": ["a", "b"]})
        dict_apply(d, "k", "c", sort=False)
        self.assertEqual(d, {"k": ["a", "b", "c"]})

    def test_llist(self):
        buf = io.StringIO()
        with redirect_stdout(buf):
            llist([[1, 2], "x"], sep=",")
        self.assertEqual(buf.getvalue(), "1,2\nx\n")

    def test_unique_ids(self):
        buf = io.StringIO()
        with redirect_stdout(buf):
            dups = unique_ids([{"_id": "a"}, {"_id": "b"}, {"_id": "a"}, {"_id": "a"}])
        self.assertEqual(dups, ["a"])
        self.assertIn("4 documents, 2 distinct _id", buf.getvalue())

    def test_iter_n(self):
        self.assertEqual(list(common.iter_n(range(5), 2)), [[0, 1], [2, 3], [4]])
        self.assertEqual(list(common.iter_n(range(3), 2, with_cnt=True)), [([0, 1], 2), ([2], 3)])
        self.assertEqual(list(common.iter_n([], 2)), [])

    def test_time_helpers(self):
        self.assertEqual(common.timesofar(0, t1=3725.5), "1h2m5.5s")
        self.assertEqual(common.timesofar(10, t1=12.25), "2.25s")
        self.assertTrue(common.timesofar(time.time()).endswith("s"))
        self.assertRegex(common.get_timestamp(), r"^\d{8}$")

    def test_alwayslist(self):
        self.assertEqual(common.alwayslist(None), [])
        self.assertEqual(common.alwayslist("a"), ["a"])
        self.assertEqual(common.alwayslist(("a", "b")), ["a", "b"])

    def test_placeholders_import(self):
        from biothings.hub.dataload import dumper, uploader

        self.assertTrue(issubclass(uploader.ParallelizedSourceUploader, uploader.BaseSourceUploader))
        self.assertTrue(issubclass(dumper.LastModifiedHTTPDumper, dumper.BaseDumper))


if __name__ == "__main__":
    unittest.main()
