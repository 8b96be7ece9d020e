"""Studio's stand-in for the BioThings SDK package.

Only the helpers data plugin parsers import most are provided (see
biothings.utils.dataload and biothings.utils.common); they are Studio's own
implementation, written to behave as a BioThings plugin author expects.
"""
