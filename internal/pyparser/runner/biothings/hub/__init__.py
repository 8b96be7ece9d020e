"""Placeholder so that plugins importing biothings.hub.* can be loaded."""
