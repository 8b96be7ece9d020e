// The data explorer: query a released index through its data API (the
// hub's /explore/index/<index>/v1, the same handler a data API runs), or
// page through a build's collection (/explore/build/<id>/docs), with
// facets, chosen columns, a document viewer and every request as curl and
// biothings_client snippets. See docs/explorer.md.

import { useEffect, useMemo, useState } from "preact/hooks";
import { api, errorText, getToken } from "../lib/api";
import { useHub } from "../lib/hooks";
import { onLinkClick } from "../lib/router";
import type { ApiInstance, BuildPage as BuildPageAnswer } from "../lib/types";
import {
  buildParams,
  cellText,
  composeQuery,
  curlLine,
  filterObject,
  parseBuildQuery,
  pythonBuild,
  pythonDoc,
  pythonQuery,
  queryParams,
  sameFilter,
  toggleFilter,
  urlOf,
  type BuildRequest,
  type Endpoint,
  type Filter,
  type QueryState,
  type Scalar,
} from "../lib/explorer";
import { ErrorBox } from "../components/ErrorBox";
import { JsonView } from "../components/JsonView";
import { CopyBlock } from "../components/CopyBlock";

type Doc = Record<string, unknown> & { _id: string };

interface FieldMeta {
  type?: string;
  index?: boolean;
}

interface FacetTerm {
  term: Scalar;
  count: number;
}

interface QueryAnswer {
  total: number;
  hits: Doc[];
  facets?: Record<string, { terms: FacetTerm[]; missing?: number; other?: number }>;
}

const FACETABLE = new Set(["keyword", "integer", "long", "short", "byte", "float", "double", "boolean"]);
const PAGE_SIZE = 10;

/** dataGet calls a data API route through the hub: its answers are the data API's, not the hub envelope. */
async function dataGet<T>(path: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers });
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const msg = (body?.error ?? body?.reason ?? text) || `HTTP ${res.status}`;
    throw new Error(`${msg} (GET ${path}: ${res.status})`);
  }
  return body as T;
}

export function ExplorerPage({ kind, name }: { kind: "index" | "build"; name: string }) {
  return kind === "index" ? <IndexExplorer index={name} /> : <BuildExplorer build={name} />;
}

// ---- shared parts

function QueryBox({ q, onSearch, hint }: { q: string; onSearch: (q: string) => void; hint: string }) {
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  return (
    <form
      role="search"
      aria-label="Query"
      class="query-box"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text);
      }}
    >
      <label for="explorer-q">Query</label>
      <input id="explorer-q" type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} aria-describedby="explorer-q-hint" placeholder="__all__" />
      <button type="submit" class="primary">
        Search
      </button>
      <span class="hint" id="explorer-q-hint">
        {hint}
      </span>
    </form>
  );
}

function Picker({ title, all, chosen, onChange, testid }: { title: string; all: string[]; chosen: string[]; onChange: (v: string[]) => void; testid: string }) {
  return (
    <details class="picker" data-testid={testid}>
      <summary>
        {title} ({chosen.length})
      </summary>
      <fieldset>
        <legend class="visually-hidden">{title}</legend>
        {all.map((f) => (
          <label class="check">
            <input
              type="checkbox"
              checked={chosen.includes(f)}
              onChange={(e) => onChange((e.target as HTMLInputElement).checked ? [...chosen, f] : chosen.filter((c) => c !== f))}
            />
            {f}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function Facets({ facets, filters, onToggle, note }: { facets: [string, FacetTerm[]][]; filters: Filter[]; onToggle: (f: Filter) => void; note?: string }) {
  return (
    <aside class="facets" aria-label="Facets">
      <h2>Facets</h2>
      {note && <p class="small muted">{note}</p>}
      {facets.length === 0 && <p class="small muted">No facet chosen.</p>}
      {facets.map(([field, terms]) => (
        <section class="facet" data-facet={field} aria-label={`Facet ${field}`}>
          <h3>{field}</h3>
          <ul class="plain">
            {terms.map((t) => {
              const f = { field, value: t.term };
              const on = filters.some((x) => sameFilter(x, f));
              return (
                <li>
                  <button type="button" class="facet-term" aria-pressed={on ? "true" : "false"} onClick={() => onToggle(f)} aria-label={`${field}: ${String(t.term)}, ${t.count} documents`}>
                    <span>{String(t.term)}</span>
                    <span class="count">{t.count.toLocaleString()}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </aside>
  );
}

function FilterChips({ filters, onToggle }: { filters: Filter[]; onToggle: (f: Filter) => void }) {
  if (!filters.length) return null;
  return (
    <ul class="chips" aria-label="Filters">
      {filters.map((f) => (
        <li>
          <button type="button" onClick={() => onToggle(f)} aria-label={`Remove filter ${f.field}: ${String(f.value)}`}>
            {f.field}: {String(f.value)} ×
          </button>
        </li>
      ))}
    </ul>
  );
}

function Results({ hits, columns, onView, viewing }: { hits: Doc[]; columns: string[]; onView: (id: string) => void; viewing?: string }) {
  return (
    <table class="list results" data-testid="results">
      <caption class="visually-hidden">Results</caption>
      <thead>
        <tr>
          <th scope="col">_id</th>
          {columns.map((c) => (
            <th scope="col">{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {hits.map((h) => (
          <tr data-id={h._id} class={viewing === h._id ? "selected" : undefined}>
            <td>
              <button type="button" class="link-button" onClick={() => onView(h._id)} aria-label={`View ${h._id}`}>
                {h._id}
              </button>
            </td>
            {columns.map((c) => (
              <td>{cellText(h, c)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pager({ from, count, total, capped, onPrev, onNext }: { from: number; count: number; total: number; capped?: boolean; onPrev?: () => void; onNext?: () => void }) {
  return (
    <div class="pager">
      <span role="status" data-testid="pager-status">
        {count === 0 ? "No documents" : `${(from + 1).toLocaleString()}–${(from + count).toLocaleString()} of ${total.toLocaleString()}${capped ? "+" : ""}`}
      </span>
      <button type="button" onClick={onPrev} disabled={!onPrev}>
        Previous page
      </button>
      <button type="button" onClick={onNext} disabled={!onNext}>
        Next page
      </button>
    </div>
  );
}

function DocViewer({ doc, onClose, curl, python }: { doc: Doc; onClose: () => void; curl: string; python: string }) {
  return (
    <section class="card doc-viewer" aria-label={`Document ${doc._id}`} data-testid="doc-viewer">
      <div class="card-head">
        <h2>Document {doc._id}</h2>
        <div class="actions">
          <button type="button" onClick={() => navigator.clipboard?.writeText(JSON.stringify(doc, null, 2))}>
            Copy JSON
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <JsonView value={doc} />
      <div class="snippets">
        <CopyBlock label="curl (this document)" text={curl} testid="doc-curl" />
        <CopyBlock label="Python (this document)" text={python} testid="doc-python" />
      </div>
    </section>
  );
}

// ---- index

function IndexExplorer({ index }: { index: string }) {
  const hubBase = `/explore/index/${encodeURIComponent(index)}/v1`;
  const meta = useHub(
    async () => {
      const [fields, md, apis] = await Promise.all([
        dataGet<Record<string, FieldMeta>>(`${hubBase}/metadata/fields`),
        dataGet<{ biothing_type?: string }>(`${hubBase}/metadata`),
        api.get("/api/list").catch(() => [] as ApiInstance[]),
      ]);
      return { fields, docType: md.biothing_type || "doc", api: apis.find((a) => a.index === index && a.status === "running") };
    },
    [index],
    () => false,
  );
  const fieldNames = useMemo(() => Object.keys(meta.data?.fields ?? {}).sort(), [meta.data]);
  const facetable = useMemo(() => fieldNames.filter((f) => FACETABLE.has(meta.data?.fields[f]?.type ?? "") && meta.data?.fields[f]?.index !== false), [fieldNames]);
  const [state, setState] = useState<QueryState>({ q: "", filters: [], columns: [], facets: [], from: 0, size: PAGE_SIZE });
  useEffect(() => {
    if (!meta.data) return;
    setState((s) => ({ ...s, columns: fieldNames.filter((f) => !f.startsWith("_")).slice(0, 4), facets: facetable.slice(0, 3) }));
  }, [meta.data]);
  const [answer, setAnswer] = useState<QueryAnswer & { from: number }>();
  const [facetAnswer, setFacetAnswer] = useState<QueryAnswer["facets"]>();
  const [error, setError] = useState<string>();
  const [viewing, setViewing] = useState<Doc>();

  // Hits and facets are two requests: paging does not count the facets
  // again, and the table shows before the facets of a large index are
  // counted (the snippets show the one request that gives both).
  useEffect(() => {
    if (!meta.data) return;
    let gone = false;
    setError(undefined);
    dataGet<QueryAnswer>(urlOf(hubBase, "/query", queryParams({ ...state, facets: [] }))).then(
      (a) => !gone && setAnswer({ ...a, from: state.from }),
      (e) => !gone && setError(errorText(e)),
    );
    return () => {
      gone = true;
    };
  }, [meta.data, JSON.stringify({ ...state, facets: [] })]);
  useEffect(() => {
    if (!meta.data || state.facets.length === 0) return setFacetAnswer(undefined);
    let gone = false;
    const params = queryParams({ ...state, columns: [], from: 0, size: 0 });
    dataGet<QueryAnswer>(urlOf(hubBase, "/query", params)).then(
      (a) => !gone && setFacetAnswer(a.facets),
      (e) => !gone && setError(errorText(e)),
    );
    return () => {
      gone = true;
    };
  }, [meta.data, state.q, JSON.stringify(state.filters), JSON.stringify(state.facets)]);

  const ep: Endpoint = meta.data?.api
    ? { base: `http://${location.hostname.includes(":") ? `[${location.hostname}]` : location.hostname}:${meta.data.api.port}/v1` }
    : { base: location.origin + hubBase, hubToken: !!getToken() };
  const docType = meta.data?.docType ?? "doc";
  const set = (over: Partial<QueryState>) => setState((s) => ({ ...s, from: 0, ...over }));
  const toggle = (f: Filter) => set({ filters: toggleFilter(state.filters, f) });
  const view = async (id: string) => {
    try {
      setViewing(await dataGet<Doc>(`${hubBase}/${encodeURIComponent(docType)}/${encodeURIComponent(id)}`));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const hits = answer?.hits ?? [];
  const total = answer?.total ?? 0;
  const from = answer?.from ?? 0; // the page shown, which may lag the one asked for
  return (
    <section class="explorer-page">
      <div class="page-head">
        <h1>Explore index {index}</h1>
        <span class="small muted">{meta.data?.api ? `served by the data API ${meta.data.api.name}` : "through the hub's data API handler"}</span>
      </div>
      <ErrorBox error={meta.error ?? error} />
      <QueryBox q={state.q} onSearch={(q) => set({ q })} hint="The data API's q: a term, field:value, AND/OR/NOT, ranges [1 TO 5], wildcards, __all__. Click facet values to filter." />
      <FilterChips filters={state.filters} onToggle={toggle} />
      <div class="toolbar">
        <Picker title="Columns" all={fieldNames} chosen={state.columns} onChange={(columns) => set({ columns })} testid="columns" />
        <Picker title="Facets" all={facetable} chosen={state.facets} onChange={(facets) => set({ facets })} testid="facet-picker" />
      </div>
      <div class="explorer">
        <Facets facets={state.facets.map((f) => [f, facetAnswer?.[f]?.terms ?? []])} filters={state.filters} onToggle={toggle} />
        <div class="explorer-main">
          <Results hits={hits} columns={state.columns} onView={view} viewing={viewing?._id} />
          <Pager
            from={from}
            count={hits.length}
            total={total}
            onPrev={state.from > 0 ? () => setState((s) => ({ ...s, from: Math.max(0, s.from - s.size) })) : undefined}
            onNext={state.from + hits.length < total ? () => setState((s) => ({ ...s, from: s.from + s.size })) : undefined}
          />
          {viewing && (
            <DocViewer
              doc={viewing}
              onClose={() => setViewing(undefined)}
              curl={curlLine(ep, `/${docType}/${encodeURIComponent(viewing._id)}`)}
              python={pythonDoc(ep, docType, viewing._id)}
            />
          )}
          <div class="snippets" aria-label="This query as code">
            <CopyBlock label="curl" text={curlLine(ep, "/query", queryParams(state))} testid="curl" />
            <CopyBlock label="Python (biothings_client)" text={pythonQuery(ep, state)} testid="python" />
          </div>
          <p class="small muted">q sent: <code data-testid="q-sent">{composeQuery(state.q, state.filters)}</code></p>
        </div>
      </div>
    </section>
  );
}

// ---- build

type BuildPage = Omit<BuildPageAnswer, "hits"> & { hits: Doc[] };

function BuildExplorer({ build }: { build: string }) {
  const stats = useHub(
    () =>
      api.get("/explore/fields/build/{id}", { path: { id: build } }).catch((e) => {
        if ((e as { status?: number }).status === 404) return undefined;
        throw e;
      }),
    [build],
  );
  const fields = useMemo(() => Object.keys(stats.data?.fields ?? {}).sort(), [stats.data]);
  const withTop = useMemo(() => fields.filter((f) => (stats.data?.fields[f].top?.length ?? 0) > 1 && f !== "_id"), [fields]);
  const [q, setQ] = useState("");
  const [facetFilters, setFacetFilters] = useState<Filter[]>([]);
  const [columns, setColumns] = useState<string[]>([]);
  const [facets, setFacets] = useState<string[]>([]);
  const [afters, setAfters] = useState<string[]>([""]); // the After of each page seen
  const [page, setPage] = useState<BuildPage & { from: number }>();
  const [error, setError] = useState<string>();
  const [viewing, setViewing] = useState<Doc>();
  useEffect(() => {
    if (!stats.data) return;
    setColumns(fields.filter((f) => f !== "_id" && !(stats.data!.fields[f].types.dict > 0)).slice(0, 4));
    setFacets(withTop.slice(0, 3));
  }, [stats.data]);

  const parsed = parseBuildQuery(q);
  const req: BuildRequest | undefined =
    "error" in parsed ? undefined : { id: parsed.id, filter: filterObject([...parsed.filters, ...facetFilters]), after: afters[afters.length - 1] || undefined, size: PAGE_SIZE };
  useEffect(() => {
    if (!req) return;
    let gone = false;
    setError(undefined);
    api.get("/explore/build/{id}/docs", { path: { id: build }, query: Object.fromEntries(buildParams(req)) }).then(
      (p) => !gone && setPage({ ...p, hits: p.hits as Doc[], from: (afters.length - 1) * PAGE_SIZE }),
      (e) => !gone && setError(errorText(e)),
    );
    return () => {
      gone = true;
    };
  }, [JSON.stringify(req)]);

  const toggle = (f: Filter) => {
    setFacetFilters(toggleFilter(facetFilters, f));
    setAfters([""]);
  };
  const hubToken = !!getToken();
  const path = `/explore/build/${encodeURIComponent(build)}/docs`;
  const hits = page?.hits ?? [];
  const from = page?.from ?? 0; // the page shown, which may lag the one asked for
  const inspect = async () => {
    try {
      await api.put("/inspect", { body: { data_provider: build, mode: ["stats"] } });
      setError("Inspection started: the facets and columns appear when it ends.");
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section class="explorer-page">
      <div class="page-head">
        <h1>Explore build {build}</h1>
        <a href={`/charts/build/${encodeURIComponent(build)}`} onClick={onLinkClick}>
          Field charts
        </a>
      </div>
      <ErrorBox error={("error" in parsed ? parsed.error : undefined) ?? stats.error ?? error} />
      {stats.data === undefined && !stats.loading && (
        <p class="notice">
          No field statistics for this build yet: columns and facets come from an inspection with mode stats.{" "}
          <button type="button" onClick={inspect}>
            Inspect (stats)
          </button>
        </p>
      )}
      <QueryBox
        q={q}
        onSearch={(v) => {
          setQ(v);
          setAfters([""]);
        }}
        hint={`A build has no index: look up an _id (or _id:"…"), or filter with field:value AND …, read from the document store. Release it into an index for full queries.`}
      />
      <FilterChips filters={facetFilters} onToggle={toggle} />
      <div class="toolbar">
        <Picker title="Columns" all={fields} chosen={columns} onChange={setColumns} testid="columns" />
        <Picker title="Facets" all={withTop} chosen={facets} onChange={setFacets} testid="facet-picker" />
      </div>
      <div class="explorer">
        <Facets
          facets={facets.map((f) => [f, (stats.data?.fields[f].top ?? []).map((t) => ({ term: t.value, count: t.count }))])}
          filters={facetFilters}
          onToggle={toggle}
          note="Counts over the whole build, from its inspection (not narrowed by the filters)."
        />
        <div class="explorer-main">
          <Results hits={hits} columns={columns} onView={(id) => setViewing(hits.find((h) => h._id === id))} viewing={viewing?._id} />
          <Pager
            from={from}
            count={hits.length}
            total={page?.total ?? 0}
            capped={page?.total_capped}
            onPrev={afters.length > 1 ? () => setAfters(afters.slice(0, -1)) : undefined}
            onNext={page?.next ? () => setAfters([...afters, page.next!]) : undefined}
          />
          {viewing && (
            <DocViewer
              doc={viewing}
              onClose={() => setViewing(undefined)}
              curl={curlLine({ base: location.origin, hubToken }, path, buildParams({ id: viewing._id, filter: {}, size: 1 }))}
              python={pythonBuild(location.origin, build, { id: viewing._id, filter: {}, size: 1 }, hubToken)}
            />
          )}
          {req && (
            <div class="snippets" aria-label="This request as code">
              <CopyBlock label="curl" text={curlLine({ base: location.origin, hubToken }, path, buildParams(req))} testid="curl" />
              <CopyBlock label="Python" text={pythonBuild(location.origin, build, req, hubToken)} testid="python" />
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
