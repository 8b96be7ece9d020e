"""biothings.hub in Studio's runner: only biothings.hub.dataload's base classes.

Studio is the hub: it downloads, uploads, builds and releases itself. The
classes here exist so that a hub source module that imports or subclasses
them can be loaded (and its parser function used); what needs the hub's
machinery raises NotImplementedError saying so.
"""
