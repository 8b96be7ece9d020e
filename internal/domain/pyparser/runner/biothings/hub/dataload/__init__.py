"""biothings.hub.dataload in Studio's runner: importable dumper, uploader and storage base classes."""
