"""Helpers for BioThings data plugin parsers (Studio's implementation)."""
