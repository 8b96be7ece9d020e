import { describe, expect, it } from "vitest";
import {
  buildParams,
  cellText,
  composeQuery,
  curlLine,
  parseBuildQuery,
  pythonBuild,
  pythonDoc,
  pythonQuery,
  queryParams,
  termOf,
  toggleFilter,
  type QueryState,
} from "./explorer";

const state = (over: Partial<QueryState> = {}): QueryState => ({ q: "", filters: [], columns: [], facets: [], from: 0, size: 10, ...over });

describe("facet filters", () => {
  it.each([
    ["nothing is __all__", "", [], "__all__"],
    ["the box alone", "ABL1", [], "ABL1"],
    ["filters alone", "", [{ field: "cgi.gene", value: "ABL1" }], 'cgi.gene:"ABL1"'],
    ["__all__ gives way to filters", "__all__", [{ field: "cgi.gene", value: "ABL1" }], 'cgi.gene:"ABL1"'],
    ["the box in parentheses", "ABL1 OR KIT", [{ field: "cgi.evidence", value: 3 }, { field: "ok", value: true }], "(ABL1 OR KIT) AND cgi.evidence:3 AND ok:true"],
    ["quotes and backslashes escaped", "", [{ field: "cgi.drug", value: 'a "b" \\c' }], 'cgi.drug:"a \\"b\\" \\\\c"'],
  ])("%s", (_, q, filters, want) => {
    expect(composeQuery(q as string, filters as never)).toBe(want);
  });

  it("toggles a filter on and off", () => {
    const f = { field: "cgi.gene", value: "ABL1" };
    const on = toggleFilter([], f);
    expect(on).toEqual([f]);
    expect(toggleFilter(on, { ...f })).toEqual([]);
    expect(toggleFilter(on, { field: "cgi.gene", value: "KIT" })).toHaveLength(2);
    expect(termOf({ field: "n", value: 2.5 })).toBe("n:2.5");
  });
});

describe("snippets", () => {
  const ep = { base: "http://127.0.0.1:9000/v1" };
  const s = state({ q: "ABL1", filters: [{ field: "cgi.drug", value: "Imatinib" }], columns: ["cgi.gene", "cgi.drug"], facets: ["cgi.drug"], from: 20, size: 10 });

  it("orders the parameters", () => {
    expect(queryParams(s)).toEqual([
      ["q", '(ABL1) AND cgi.drug:"Imatinib"'],
      ["fields", "cgi.gene,cgi.drug"],
      ["facets", "cgi.drug"],
      ["facet_size", "10"],
      ["size", "10"],
      ["from", "20"],
    ]);
  });

  it("writes a curl line, quoted for the shell", () => {
    expect(curlLine(ep, "/query", queryParams(state({ q: "it's" })))).toBe("curl -s 'http://127.0.0.1:9000/v1/query?q=it'\\''s&size=10'");
    expect(curlLine(ep, "/query", queryParams(s))).toBe(
      "curl -s 'http://127.0.0.1:9000/v1/query?q=(ABL1)%20AND%20cgi.drug%3A%22Imatinib%22&fields=cgi.gene%2Ccgi.drug&facets=cgi.drug&facet_size=10&size=10&from=20'",
    );
  });

  it("names the hub token, never its value", () => {
    const line = curlLine({ base: "http://hub:8080/explore/index/cgi/v1", hubToken: true }, "/query", [["q", "x"]]);
    expect(line).toBe(`curl -s -H "Authorization: Bearer $STUDIO_HUB_TOKEN" 'http://hub:8080/explore/index/cgi/v1/query?q=x'`);
  });

  it("writes the same query for biothings_client", () => {
    expect(pythonQuery(ep, s)).toBe(
      [
        "from biothings_client import get_client",
        "",
        'client = get_client(url="http://127.0.0.1:9000/v1")',
        'res = client.query("(ABL1) AND cgi.drug:\\"Imatinib\\"", fields="cgi.gene,cgi.drug", facets="cgi.drug", facet_size=10, size=10, skip=20)',
        'print(res["total"], [hit["_id"] for hit in res["hits"]])',
      ].join("\n"),
    );
    expect(pythonQuery({ ...ep, hubToken: true }, state())).toContain("# This URL is the hub's");
  });

  it("fetches a document with get<doc type>", () => {
    expect(pythonDoc(ep, "variant", "chr9:g.1A>T")).toMatch(/doc = client\.getvariant\("chr9:g\.1A>T"\)/);
    expect(pythonDoc(ep, "a-b", "x")).toMatch(/client\.getdoc\("x"\)/);
  });

  it("reads a build through the hub", () => {
    const r = { filter: { "cgi.gene": "ABL1" }, size: 10, after: "x" };
    expect(buildParams(r)).toEqual([["filter", '{"cgi.gene":"ABL1"}'], ["size", "10"], ["after", "x"]]);
    expect(buildParams({ id: "a", filter: {}, size: 10 })).toEqual([["id", "a"]]);
    const py = pythonBuild("http://hub:8080", "b1", r, true);
    expect(py).toContain('requests.get("http://hub:8080/explore/build/b1/docs", params={"filter": "{\\"cgi.gene\\":\\"ABL1\\"}", "size": "10", "after": "x"}');
    expect(py).toContain('os.environ["STUDIO_HUB_TOKEN"]');
  });
});

describe("build queries", () => {
  it.each([
    ["", { filters: [] }],
    ["chr9:g.133738363G>A", { filters: [{ field: "chr9", value: "g.133738363G>A" }] }], // as Lucene reads it: quote ids holding ':'
    ["a(b", { error: expect.stringContaining("an _id, or field:value") }],
    ["v0001", { id: "v0001", filters: [] }],
    ['_id:"chr9:g.133738363G>A"', { id: "chr9:g.133738363G>A", filters: [] }],
    ['cgi.gene:ABL1 AND cgi.evidence:3 AND ok:true AND cgi.drug:"a b"', { filters: [{ field: "cgi.gene", value: "ABL1" }, { field: "cgi.evidence", value: 3 }, { field: "ok", value: true }, { field: "cgi.drug", value: "a b" }] }],
    ["ABL1 OR KIT", { error: expect.stringContaining("release it into an index") }],
  ])("%s", (q, want) => {
    expect(parseBuildQuery(q)).toEqual(want);
  });
});

describe("cells", () => {
  it("looks through lists and shortens", () => {
    const doc = { cgi: [{ gene: "ABL1" }, { gene: "ABL1" }, { gene: "KIT" }], n: { x: [1, 2] } };
    expect(cellText(doc, "cgi.gene")).toBe("ABL1, KIT");
    expect(cellText(doc, "n.x")).toBe("1, 2");
    expect(cellText(doc, "n")).toBe('{"x":[1,2]}');
    expect(cellText({ s: "x".repeat(100) }, "s", 10)).toBe("xxxxxxxxx…");
  });
});
