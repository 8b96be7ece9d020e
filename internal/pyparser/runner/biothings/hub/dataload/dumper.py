"""Placeholder dumper classes.

Studio downloads the files named in the manifest itself; these classes
exist only so that a module that imports or subclasses them can be loaded.
They do nothing.
"""


class BaseDumper:
    """Placeholder: Studio does the downloading."""

    SRC_NAME = None
    SRC_ROOT_FOLDER = None
    SRC_URLS = []

    def __init__(self, *args, **kwargs):
        pass


class HTTPDumper(BaseDumper):
    """Placeholder: Studio does the downloading."""


class LastModifiedHTTPDumper(HTTPDumper):
    """Placeholder: Studio does the downloading."""


class FTPDumper(BaseDumper):
    """Placeholder: Studio does the downloading."""


class LastModifiedFTPDumper(FTPDumper):
    """Placeholder: Studio does the downloading."""
