// The data explorer's logic, free of the DOM: composing the data API's q
// from the query box and the facet filters, the request parameters, the
// same request as a curl line and a biothings_client snippet, and reading
// values out of documents for the results table.

/** Scalar is a value a filter can hold. */
export type Scalar = string | number | boolean;

/** Filter keeps the documents whose field holds value. */
export interface Filter {
  field: string;
  value: Scalar;
}

/** sameFilter says whether two filters are the same field and value. */
export function sameFilter(a: Filter, b: Filter): boolean {
  return a.field === b.field && a.value === b.value;
}

/** toggleFilter adds f, or removes it when it is already there. */
export function toggleFilter(filters: Filter[], f: Filter): Filter[] {
  return filters.some((x) => sameFilter(x, f)) ? filters.filter((x) => !sameFilter(x, f)) : [...filters, f];
}

/** termOf writes a filter as a Lucene term: strings quoted (with quotes and backslashes escaped), numbers and booleans bare. */
export function termOf(f: Filter): string {
  const v = typeof f.value === "string" ? `"${f.value.replace(/[\\"]/g, (c) => "\\" + c)}"` : String(f.value);
  return `${f.field}:${v}`;
}

/**
 * composeQuery is the data API's q for the query box and the filters: the
 * box alone, the filters ANDed, or the box in parentheses ANDed with them;
 * nothing at all is __all__.
 */
export function composeQuery(q: string, filters: Filter[]): string {
  const box = q.trim();
  const terms = filters.map(termOf);
  if (terms.length === 0) return box || "__all__";
  if (!box || box === "__all__" || box === "*") return terms.join(" AND ");
  return `(${box}) AND ${terms.join(" AND ")}`;
}

/** QueryState is what the explorer asks an index for. */
export interface QueryState {
  q: string;
  filters: Filter[];
  columns: string[]; // fields shown; empty asks for whole documents
  facets: string[];
  facetSize?: number;
  from: number;
  size: number;
}

/** queryParams are the data API's /query parameters, in a fixed order. */
export function queryParams(s: QueryState): [string, string][] {
  const p: [string, string][] = [["q", composeQuery(s.q, s.filters)]];
  if (s.columns.length) p.push(["fields", s.columns.join(",")]);
  if (s.facets.length) {
    p.push(["facets", s.facets.join(",")]);
    p.push(["facet_size", String(s.facetSize ?? 10)]);
  }
  p.push(["size", String(s.size)]);
  if (s.from > 0) p.push(["from", String(s.from)]);
  return p;
}

/** urlOf joins a base URL, a path and parameters. */
export function urlOf(base: string, path: string, params: [string, string][] = []): string {
  const qs = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  return base.replace(/\/+$/, "") + path + (qs ? "?" + qs : "");
}

/** shellQuote quotes a word for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Endpoint is where the explorer's requests go. */
export interface Endpoint {
  /** base is the data API's versioned base URL, e.g. http://host:9000/v1. */
  base: string;
  /** hubToken: the base is the hub's, which wants its token (never written out: $STUDIO_HUB_TOKEN stands for it). */
  hubToken?: boolean;
}

/** curlLine is a request as one curl command. */
export function curlLine(ep: Endpoint, path: string, params: [string, string][] = []): string {
  const auth = ep.hubToken ? ` -H "Authorization: Bearer $STUDIO_HUB_TOKEN"` : "";
  return `curl -s${auth} ${shellQuote(urlOf(ep.base, path, params))}`;
}

/** pyString writes a Python string literal. */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

const clientHeader = (ep: Endpoint) =>
  [
    "from biothings_client import get_client",
    "",
    ...(ep.hubToken ? ["# This URL is the hub's, which asks for its token: biothings_client sends none,", "# so run it against a data API started on the index (the APIs page)."] : []),
    `client = get_client(url=${pyString(ep.base)})`,
  ].join("\n");

/** pythonQuery is a query as a biothings_client snippet. */
export function pythonQuery(ep: Endpoint, s: QueryState): string {
  const args = [pyString(composeQuery(s.q, s.filters))];
  if (s.columns.length) args.push(`fields=${pyString(s.columns.join(","))}`);
  if (s.facets.length) args.push(`facets=${pyString(s.facets.join(","))}`, `facet_size=${s.facetSize ?? 10}`);
  args.push(`size=${s.size}`);
  if (s.from > 0) args.push(`skip=${s.from}`);
  return `${clientHeader(ep)}\nres = client.query(${args.join(", ")})\nprint(res["total"], [hit["_id"] for hit in res["hits"]])`;
}

/** pythonDoc fetches one document with biothings_client (get<doc type>). */
export function pythonDoc(ep: Endpoint, docType: string, id: string): string {
  const method = /^[A-Za-z_][A-Za-z0-9_]*$/.test(docType) ? `get${docType}` : "getdoc";
  return `${clientHeader(ep)}\ndoc = client.${method}(${pyString(id)})\nprint(doc)`;
}

/** BuildRequest is what the explorer asks a build collection for. */
export interface BuildRequest {
  id?: string;
  filter: Record<string, Scalar>;
  after?: string;
  size: number;
}

/** buildParams are the /explore/build/<id>/docs parameters. */
export function buildParams(r: BuildRequest): [string, string][] {
  if (r.id) return [["id", r.id]];
  const p: [string, string][] = [];
  if (Object.keys(r.filter).length) p.push(["filter", JSON.stringify(r.filter)]);
  p.push(["size", String(r.size)]);
  if (r.after) p.push(["after", r.after]);
  return p;
}

/** pythonBuild reads a build page with requests: a build has no data API until it is released. */
export function pythonBuild(hubBase: string, build: string, r: BuildRequest, hubToken: boolean): string {
  const params = buildParams(r)
    .map(([k, v]) => `${pyString(k)}: ${pyString(v)}`)
    .join(", ");
  return [
    "# A build has no data API (nor biothings_client) until it is released into an index:",
    "# this reads its collection through the hub.",
    "import os, requests",
    "",
    `res = requests.get(${pyString(urlOf(hubBase, `/explore/build/${encodeURIComponent(build)}/docs`))}, params={${params}}${
      hubToken ? `,\n                   headers={"Authorization": "Bearer " + os.environ["STUDIO_HUB_TOKEN"]}` : ""
    }).json()["result"]`,
    `print(res["total"], [d["_id"] for d in res["hits"]])`,
  ].join("\n");
}

/**
 * parseBuildQuery reads the query box for a build collection, which has no
 * search engine: empty, a bare _id (or _id:"x"), or field:value terms joined
 * by AND. Anything else is an error saying what works.
 */
export function parseBuildQuery(q: string): { id?: string; filters: Filter[] } | { error: string } {
  const box = q.trim();
  if (!box || box === "__all__" || box === "*") return { filters: [] };
  const parts = box.split(/\s+AND\s+/);
  const filters: Filter[] = [];
  for (const part of parts) {
    const m = /^([A-Za-z0-9_.@-]+):("((?:[^"\\]|\\.)*)"|[^\s"():]+)$/.exec(part.trim());
    if (!m) {
      if (parts.length === 1 && /^[^\s:"()]+$/.test(part)) return { id: part, filters: [] };
      return { error: `“${part}”: a build without an index takes an _id, or field:value terms joined by AND; release it into an index for full queries` };
    }
    const raw = m[3] !== undefined ? m[3].replace(/\\(.)/g, "$1") : m[2];
    const value: Scalar = m[3] !== undefined ? raw : raw === "true" ? true : raw === "false" ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    if (m[1] === "_id") {
      if (parts.length > 1) return { error: "_id: look an _id up alone" };
      return { id: String(value), filters: [] };
    }
    filters.push({ field: m[1], value });
  }
  return { filters };
}

/** filterObject turns filters into the /explore/build filter parameter. */
export function filterObject(filters: Filter[]): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const f of filters) out[f.field] = f.value;
  return out;
}

/** valuesAt collects the values at a dotted path, looking through lists. */
export function valuesAt(doc: unknown, path: string): unknown[] {
  let cur: unknown[] = [doc];
  for (const key of path.split(".")) {
    const next: unknown[] = [];
    for (const v of cur.flatMap((x) => (Array.isArray(x) ? x : [x]))) {
      if (v && typeof v === "object" && key in (v as Record<string, unknown>)) next.push((v as Record<string, unknown>)[key]);
    }
    cur = next;
  }
  return cur.flatMap((x) => (Array.isArray(x) ? x : [x]));
}

/** cellText shows the values at a path in one table cell, shortened. */
export function cellText(doc: unknown, path: string, max = 80): string {
  const vals = valuesAt(doc, path).map((v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : String(v)));
  const uniq = [...new Set(vals)];
  const s = uniq.join(", ");
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}
