"""Placeholder so that plugins importing biothings.hub.dataload.* can be loaded."""
