"""biothings.utils.dotstring: Studio's implementation.

Reading and writing a document's values by a dotted key ("a.b.c"), where
lists on the way are searched item by item. Behaves as BioThings 1.2.2's
module does.
"""

from .common import is_str


def _check_key(key):
    if not is_str(key):
        raise TypeError("key argument must of be of type 'str'")
    return key.split(".")


def last_element(d, key_list):
    """Yield (last key, the container holding it) for every place the key path reaches in d.

    key_list is consumed (items are popped from it). A missing key or a
    value that cannot be indexed ends the path quietly; a tuple on the way
    raises ValueError.
    """
    if not d or not key_list:
        return
    key = key_list.pop(0)
    if not key_list:
        yield key, d
        return
    try:
        child = d[key]
    except (KeyError, TypeError):
        return
    if isinstance(child, dict):
        yield from last_element(child, key_list)
    elif isinstance(child, list):
        for item in child:
            yield from last_element(item, key_list.copy())
    elif isinstance(child, tuple):
        raise ValueError("unsupported type in key {}".format(key))


def key_value(dictionary, key):
    """Yield every value the dotted key reaches (None where the last key is missing)."""
    for last, container in last_element(dictionary, _check_key(key)):
        value = None
        if container:
            try:
                value = container[last]
            except KeyError:
                pass
        yield value


def set_key_value(dictionary, key, value):
    """Set value everywhere the dotted key reaches (missing paths are skipped); return dictionary."""
    for last, container in last_element(dictionary, _check_key(key)):
        if container:
            try:
                container[last] = value
            except KeyError:
                pass
    return dictionary


def remove_key(dictionary, key):
    """Delete the dotted key everywhere it is found; return dictionary."""
    for last, container in last_element(dictionary, _check_key(key)):
        try:
            del container[last]
        except KeyError:
            pass
    return dictionary


def list_length(d, field):
    """The length of the list at the dotted field (the first one reached), else 0."""
    try:
        found = next(key_value(d, field))
    except StopIteration:
        return 0
    return len(found) if isinstance(found, list) else 0
