// Field charts: the field statistics an inspection with mode stats records
// (types, documents having the field, top values, numeric histograms), for
// a source, a build, or two builds side by side (GET /explore/fields/...).

import { useEffect, useMemo, useState } from "preact/hooks";
import { api, errorText } from "../lib/api";
import { useHub } from "../lib/hooks";
import { onLinkClick } from "../lib/router";
import { BarChart } from "../components/BarChart";
import { ErrorBox } from "../components/ErrorBox";
import { TableHead } from "../components/TableHead";
import type { FieldChange as Change, FieldStats } from "../lib/types";

export type { FieldStats } from "../lib/types";

type Scalar = string | number | boolean;

/** MAX_FIELD_BARS bounds the overview chart; the field list holds them all. */
const MAX_FIELD_BARS = 40;

const num = (n: number) => (Number.isInteger(n) ? n.toLocaleString() : n.toPrecision(4));

/** bucketLabel names a histogram bucket. */
export function bucketLabel(b: { from: number; to: number }): string {
  return b.to - b.from === 1 && Number.isInteger(b.from) ? num(b.from) : `${num(b.from)}–${num(b.to)}`;
}

export function ChartsPage({ kind, name, other }: { kind: "source" | "build" | "compare"; name: string; other?: string }) {
  return kind === "compare" ? <CompareCharts oldID={name} newID={other ?? ""} /> : <FieldCharts kind={kind} name={name} />;
}

function FieldSelect({ fields, value, onChange }: { fields: string[]; value: string; onChange: (f: string) => void }) {
  return (
    <div class="field inline">
      <label for="chart-field">Field</label>
      <select id="chart-field" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {fields.map((f) => (
          <option value={f}>{f}</option>
        ))}
      </select>
    </div>
  );
}

function FieldDetail({ field, s, total }: { field: string; s: FieldStats; total: number }) {
  const types = Object.entries(s.types).sort((a, b) => b[1] - a[1]);
  return (
    <section class="card" aria-label={`Field ${field}`} data-testid="field-detail" data-field={field}>
      <h2>{field}</h2>
      <dl class="facts">
        <div>
          <dt>Documents with it</dt>
          <dd data-testid="field-docs">
            {s.docs.toLocaleString()} of {total.toLocaleString()} ({total ? Math.round((100 * s.docs) / total) : 0}%)
          </dd>
        </div>
        <div>
          <dt>Types</dt>
          <dd>{types.map(([t, n]) => `${t} (${n.toLocaleString()})`).join(", ")}</dd>
        </div>
        <div>
          <dt>Distinct values</dt>
          <dd>
            {s.distinct.toLocaleString()}
            {s.distinct_more ? "+ (top values from a sample)" : ""}
          </dd>
        </div>
        {s.min !== undefined && (
          <div>
            <dt>Range</dt>
            <dd>
              {num(s.min)} to {num(s.max ?? s.min)}
            </dd>
          </div>
        )}
      </dl>
      <div class="chart-grid">
        <BarChart label={`Types of ${field}`} categories={types.map(([t]) => t)} series={[{ label: "values", values: types.map(([, n]) => n) }]} testid="chart-types" />
        {s.top && s.top.length > 0 && (
          <BarChart label={`Top values of ${field}`} horizontal categories={s.top.map((t) => String(t.value))} series={[{ label: "values", values: s.top.map((t) => t.count) }]} testid="chart-top" />
        )}
        {s.histogram && s.histogram.length > 0 && (
          <BarChart label={`Histogram of ${field}`} categories={s.histogram.map(bucketLabel)} series={[{ label: "numbers", values: s.histogram.map((b) => b.count) }]} testid="chart-histogram" />
        )}
      </div>
    </section>
  );
}

function FieldCharts({ kind, name }: { kind: "source" | "build"; name: string }) {
  const res = useHub(() => (kind === "source" ? api.get("/explore/fields/source/{name}", { path: { name } }) : api.get("/explore/fields/build/{id}", { path: { id: name } })), [kind, name]);
  const fields = useMemo(() => Object.keys(res.data?.fields ?? {}).sort(), [res.data]);
  const [field, setField] = useState("");
  useEffect(() => {
    if (fields.length && !fields.includes(field)) setField(fields.find((f) => f !== "_id" && (res.data?.fields[f].top?.length ?? 0) > 1) ?? fields[0]);
  }, [fields]);
  const [notice, setNotice] = useState<string>();
  const inspect = async () => {
    try {
      await api.put("/inspect", { body: { data_provider: kind === "source" ? ["src", name] : name, mode: ["type", "stats", "mapping"] } });
      setNotice("Inspection started: the charts appear when it ends.");
    } catch (e) {
      setNotice(errorText(e));
    }
  };
  const shown = fields.slice(0, MAX_FIELD_BARS);
  const d = res.data;
  return (
    <section class="charts-page">
      <div class="page-head">
        <h1>
          Field charts of {kind} {name}
        </h1>
        <div class="actions">
          {kind === "build" && (
            <a href={`/explorer/build/${encodeURIComponent(name)}`} onClick={onLinkClick}>
              Explore the documents
            </a>
          )}{" "}
          <button type="button" onClick={inspect}>
            Inspect again (stats)
          </button>
        </div>
      </div>
      <ErrorBox error={res.error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {d && (
        <>
          <p class="muted small">
            {d.count.toLocaleString()} documents inspected{d.inspected_at ? ` on ${d.inspected_at}` : ""}; {fields.length} fields.
          </p>
          <BarChart
            label="Documents having each field"
            horizontal
            categories={shown}
            series={[{ label: "documents", values: shown.map((f) => d.fields[f].docs) }]}
            onPick={(i) => setField(shown[i])}
            testid="chart-coverage"
          />
          {fields.length > shown.length && <p class="small muted">The first {shown.length} fields of {fields.length}; pick any below.</p>}
          <FieldSelect fields={fields} value={field} onChange={setField} />
          {field && d.fields[field] && <FieldDetail field={field} s={d.fields[field]} total={d.count} />}
        </>
      )}
    </section>
  );
}

function CompareCharts({ oldID, newID }: { oldID: string; newID: string }) {
  const res = useHub(() => api.get("/explore/fields/compare/{old}/{new}", { path: { old: oldID, new: newID } }), [oldID, newID]);
  const changes = res.data?.changes ?? [];
  const moved = changes.filter((c) => c.status !== "same");
  const [field, setField] = useState("");
  useEffect(() => {
    if (changes.length && !changes.some((c) => c.field === field)) setField((moved.find((c) => c.field !== "_id") ?? changes[0]).field);
  }, [res.data]);
  const shown = (moved.length ? moved : changes).slice(0, MAX_FIELD_BARS);
  const c = changes.find((x) => x.field === field);
  const topValues = c ? topUnion(c) : [];
  return (
    <section class="charts-page">
      <div class="page-head">
        <h1>
          Field changes from {oldID} to {newID}
        </h1>
      </div>
      <ErrorBox error={res.error} />
      {res.data && (
        <>
          <p class="muted small">
            {res.data.old.count.toLocaleString()} documents before, {res.data.new.count.toLocaleString()} after; {moved.length} of {changes.length} fields changed. The release note (on the
            new build's Releases tab) lists the documents that changed.
          </p>
          <BarChart
            label={moved.length ? "Documents having each changed field" : "Documents having each field"}
            horizontal
            categories={shown.map((x) => x.field)}
            series={[
              { label: oldID, values: shown.map((x) => x.old?.docs ?? 0) },
              { label: newID, values: shown.map((x) => x.new?.docs ?? 0) },
            ]}
            onPick={(i) => setField(shown[i].field)}
            testid="chart-compare-coverage"
          />
          <table class="list" data-testid="changes">
            <caption class="visually-hidden">Field changes</caption>
            <TableHead cols={["Field", "Change", "Documents before", "Documents after", "Types changed"]} num={["Documents before", "Documents after"]} />
            <tbody>
              {moved.map((x) => (
                <tr data-field={x.field}>
                  <th scope="row">
                    <button type="button" class="link-button" onClick={() => setField(x.field)}>
                      {x.field}
                    </button>
                  </th>
                  <td>
                    <span class={`pill ${x.status === "removed" ? "failed" : x.status === "added" ? "ok" : "running"}`}>{x.status}</span>
                  </td>
                  <td class="num">{(x.old?.docs ?? 0).toLocaleString()}</td>
                  <td class="num">{(x.new?.docs ?? 0).toLocaleString()}</td>
                  <td>{(x.types ?? []).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <FieldSelect fields={changes.map((x) => x.field)} value={field} onChange={setField} />
          {c && (
            <section class="card" aria-label={`Field ${c.field}, before and after`} data-testid="compare-detail" data-field={c.field}>
              <h2>{c.field}</h2>
              <p>
                <span data-testid="compare-status">{c.status}</span>: {(c.old?.docs ?? 0).toLocaleString()} → {(c.new?.docs ?? 0).toLocaleString()} documents
              </p>
              {topValues.length > 0 && (
                <BarChart
                  label={`Top values of ${c.field}, before and after`}
                  horizontal
                  categories={topValues.map((v) => String(v.value))}
                  series={[
                    { label: oldID, values: topValues.map((v) => v.old) },
                    { label: newID, values: topValues.map((v) => v.new) },
                  ]}
                  testid="chart-compare-top"
                />
              )}
            </section>
          )}
        </>
      )}
    </section>
  );
}

/** topUnion lists the top values of both sides with both counts. */
export function topUnion(c: Change): { value: Scalar; old: number; new: number }[] {
  const out = new Map<string, { value: Scalar; old: number; new: number }>();
  const key = (v: Scalar) => `${typeof v}:${String(v)}`;
  for (const t of c.old?.top ?? []) out.set(key(t.value), { value: t.value, old: t.count, new: 0 });
  for (const t of c.new?.top ?? []) {
    const e = out.get(key(t.value));
    if (e) e.new = t.count;
    else out.set(key(t.value), { value: t.value, old: 0, new: t.count });
  }
  return [...out.values()].sort((a, b) => Math.max(b.old, b.new) - Math.max(a.old, a.new));
}
