"""Runs the BioThings Python client, unchanged, against a Studio data API.

usage: python3 biothings_client_check.py <API base URL, e.g. http://127.0.0.1:8000/v1>

The client is the biothings_client package from PyPI, as users install it
(`make pyref` puts it in bin/pyref). Prints one line per check and exits
non-zero on the first failure.
"""

import sys

from biothings_client import get_client


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + (": " + str(detail)[:300] if detail and not cond else ""))
    if not cond:
        sys.exit(1)


url = sys.argv[1]
c = get_client(url=url)
check("get_client(url=...) gives the gene client", "gene" in type(c).__name__.lower(), type(c).__name__)

md = c.metadata()
check("metadata", md.get("biothing_type") == "gene" and md.get("stats", {}).get("total") == 100, md)

fields = c.get_fields()
check("get_fields", "symbol" in fields and "type" in fields["symbol"], list(fields)[:5])

g = c.getgene("1017")
check("getgene 1017", g and g["_id"] == "1017" and g["symbol"] == "CDK2", g and g.get("symbol"))

g = c.getgene("1017", fields="symbol,name")
check("getgene with fields", set(g) >= {"_id", "symbol", "name"} and "alias" not in g, sorted(g))

gs = c.getgenes(["1017", "1018", "nope"])
check("getgenes in input order, notfound kept", [x["query"] for x in gs] == ["1017", "1018", "nope"] and gs[2].get("notfound") is True, gs)

q = c.query("symbol:CDK2")
check("query (keywords match case-insensitively)", q["total"] >= 1 and all(h["symbol"].upper() == "CDK2" for h in q["hits"]), q)

q = c.query("*", size=5)
check("query size", len(q["hits"]) == 5 and q["total"] == 100, q.get("total"))

qm = c.querymany(["CDK2", "CDK3", "NOPE"], scopes="symbol", fields="symbol")
check("querymany with scopes", {x["query"] for x in qm} == {"CDK2", "CDK3", "NOPE"} and any(x.get("notfound") for x in qm), qm)

hits = list(c.query("*", fields="symbol", fetch_all=True))
check("fetch_all", len(hits) == 100 and len({h["_id"] for h in hits}) == 100, len(hits))

print("biothings_client: all checks passed")
