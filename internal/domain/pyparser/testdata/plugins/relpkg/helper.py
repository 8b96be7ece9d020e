PREFIX = "rel"
