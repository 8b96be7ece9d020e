"""Placeholder uploader classes.

Studio runs the parser named in the manifest itself; these classes exist
only so that a parser module that imports or subclasses them can be loaded.
They do nothing.
"""


class BaseSourceUploader:
    """Placeholder: Studio does the uploading."""

    name = None
    main_source = None

    def __init__(self, *args, **kwargs):
        pass


class ParallelizedSourceUploader(BaseSourceUploader):
    """Placeholder: Studio does the uploading."""


class NoBatchIgnoreDuplicatedSourceUploader(BaseSourceUploader):
    """Placeholder: Studio does the uploading."""


class IgnoreDuplicatedSourceUploader(BaseSourceUploader):
    """Placeholder: Studio does the uploading."""


class MergerSourceUploader(BaseSourceUploader):
    """Placeholder: Studio does the uploading."""
