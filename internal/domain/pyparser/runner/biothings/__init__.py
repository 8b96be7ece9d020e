"""Studio's own biothings package, shipped with the parser runner.

It provides what public BioThings data plugins import (biothings.config,
biothings.config_for_app, biothings.utils.dataload, .common, .dotfield,
.dotstring, and importable base classes in biothings.hub.dataload), so
that plugins run without the BioThings SDK. The helpers behave as
BioThings 1.2.2's do; internal/pyparser/testdata/differential checks them
against the real package. The runner can use an installed biothings
package instead (STUDIO_PARSER_BIOTHINGS); see internal/pyparser/README.md.

Modules of this package import each other relatively, never as
"biothings.", so that the package can be loaded under another name beside
the real one.
"""

import collections
import warnings

#: Studio's package stands for BioThings 1.2.2, whose behaviour it follows.
version_info = collections.namedtuple("version_info", "major minor micro")(1, 2, 2)
__version__ = "%d.%d.%d" % version_info

#: True in Studio's package; the real biothings package has no such name.
__studio__ = True


def config_for_app(config_module):
    """Take the settings of a hub's config module into biothings.config.

    BioThings 1.2.2 only warns that the call is no longer needed; older
    versions, which hub source modules were written for, made the module's
    settings those of biothings.config. Studio does both: it warns
    (DeprecationWarning) and copies the module's settings (upper-case names
    and logger) into biothings.config.
    """
    warnings.warn(
        "biothings.config_for_app() is no longer needed: biothings.config is ready on import",
        DeprecationWarning,
        stacklevel=2,
    )
    config.apply(config_module)


from . import config  # noqa: E402 - biothings.config exists as soon as biothings is imported
