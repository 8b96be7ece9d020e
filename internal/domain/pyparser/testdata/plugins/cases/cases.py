"""Small parsers exercising the runner; each function is one test case."""

import datetime
import decimal
import os
import subprocess
import sys
import time


def gen(data_folder, n=5, prefix="g"):
    for i in range(n):
        yield {"_id": "%s%d" % (prefix, i), "i": i, "f": i + 0.5}


def as_list(data_folder):
    return [{"_id": "a"}, {"_id": "b", "v": [1, 2, 3]}, {"_id": "c", "v": {"x": None, "y": True}}]


def kwargs_echo(data_folder, **kwargs):
    yield {"_id": "k", "kwargs": kwargs, "data_folder": data_folder, "cwd": os.getcwd()}


def raise_at_12(data_folder):
    for i in range(1, 100):
        if i == 12:
            raise ValueError("bad row %d" % i)
        yield {"_id": "r%d" % i}


def noisy(data_folder):
    for i in range(3):
        print('{"d": {"_id": "fake"}}')
        print("progress", i, file=sys.stderr)
        sys.stdout.write("no newline yet ")
        yield {"_id": "n%d" % i}
    os.write(1, b"raw write to fd 1\n")
    print("done")


def odd_ids(data_folder):
    yield {"x": 1}
    yield {"_id": 5, "x": 2}
    yield {"_id": ["a", "b"], "x": 3}
    yield {"_id": None}


def nan(data_folder):
    yield {"_id": "ok1"}
    yield {"_id": "nan", "cgi": {"score": float("nan")}}
    yield {"_id": "inf", "a": [1, {"b": float("-inf")}]}
    yield {"_id": "dec", "d": decimal.Decimal("NaN")}
    yield {"_id": "ok2"}


class FakeNumpyScalar:
    def __init__(self, v):
        self.v = v

    def item(self):
        return self.v


class Unknown:
    pass


def conversions(data_folder):
    yield {
        "_id": "conv",
        "set": {3, 1, 2},
        "mixed_set": {1, "a"},
        "frozen": frozenset(["b", "a"]),
        "tuple": (1, "x", (2, 3)),
        "dt": datetime.datetime(2024, 1, 2, 3, 4, 5),
        "date": datetime.date(2024, 1, 2),
        "time": datetime.time(3, 4, 5),
        "dec": decimal.Decimal("1.25"),
        "bytes": "héllo".encode("utf-8"),
        "np": FakeNumpyScalar(7),
        "npf": FakeNumpyScalar(2.5),
        "keys": {1: "int", 2.5: "float", None: "none"},
        "bool_keys": {True: "yes", False: "no"},
        "tuple_key": {(1, 2): "t"},
        "big": 2**70,
        "neg": -3,
        "float_int": 2.0,
        "unicode": "αβγ \u2603",
    }
    yield {"_id": "unknown", "u": Unknown()}


def bad_bytes(data_folder):
    yield {"_id": "b1", "raw": b"\xff\xfe"}
    yield {"_id": "s1", "v": "a\udcff"}
    yield {"_id": "b2", "raw": b"fine"}


def not_dict(data_folder):
    yield "a string"
    yield [1, 2]
    yield None
    yield {"_id": "dict"}


def big(data_folder, size=50_000_000):
    yield {"_id": "big", "blob": "x" * size}
    yield {"_id": "after"}


def hang(data_folder):
    yield {"_id": "first"}
    time.sleep(3600)
    yield {"_id": "never"}


def hog(data_folder):
    yield {"_id": "first"}
    chunks = []
    while True:
        chunks.append(bytearray(32 << 20))


def suicide(data_folder):
    yield {"_id": "first"}
    sys.stdout.flush()
    os.kill(os.getpid(), 9)


def forever_with_child(data_folder):
    p = subprocess.Popen(["sleep", "300"])
    i = 0
    while True:
        yield {"_id": "f%d" % i, "child": p.pid}
        i += 1
        time.sleep(0.01)


def returns_none(data_folder):
    print("forgot to return")


def release():
    return "2024-03-01"


def release_method(self):
    return "v%s-%s" % (self.version, self.src)


def release_int():
    return 5


def many(data_folder, n=1000):
    for i in range(n):
        yield {"_id": "m%d" % i, "n": i}


def get_mapping(klass):
    """A BioThings-style mapping classmethod: it gets the class (here an object)."""
    return {"cgi": {"properties": {"gene": {"type": "keyword", "normalizer": "keyword_lowercase_normalizer"}}}}


def get_mapping_list():
    return ["not", "a", "dict"]


def parallel_files(self):
    # As a BioThings uploader method: self.data_folder, self.name.
    names = sorted(f for f in os.listdir(self.data_folder) if f.endswith(".txt"))
    return [(os.path.join(self.data_folder, f),) for f in names]


def parallel_static():
    return [("a",), ["b"], (1,), ({"k": [1, 2]},)]


def parallel_not_json(self):
    return [("ok",), (datetime.date(2024, 1, 2),)]


def parallel_two_args(self):
    return [("a", 1)]


def parallel_bare(self):
    return ["a.txt"]


def parallel_none(self):
    return None


def parse_job(path, suffix=""):
    # A job's parser: one document per line of the file named by the job.
    with open(path) as f:
        for line in f:
            yield {"_id": line.strip() + suffix, "file": os.path.basename(path)}
