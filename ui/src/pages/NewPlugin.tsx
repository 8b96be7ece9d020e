// The "New plugin from a file" page: paste a data file's URL, see what
// Studio infers and the documents the declarative parser makes from a
// sample, adjust the _id, fields, types, skip rules and grouping (each
// change re-runs the preview), then save: the plugin is written as a git
// repository, registered, dumped and uploaded, and can be downloaded or
// pushed to a git remote.

import { useEffect, useId, useRef, useState } from "preact/hooks";
import { api, errorText, getToken } from "../lib/api";
import { count } from "../lib/format";
import { useAction, useHub } from "../lib/hooks";
import { onLinkClick } from "../lib/router";
import { docCount, sourceStatus } from "../lib/sources";
import { cellText, idColumn, OPS, reshaped, TYPES, typeName, type GenCondition, type GenOptions, type GenPlan, type GenSaved } from "../lib/plugingen";
import { ErrorBox } from "../components/ErrorBox";
import { Checkbox, TextField } from "../components/Field";
import "./NewPlugin.css";

/** PREVIEW_DEBOUNCE_MS groups a burst of edits (typing) into one preview. */
const PREVIEW_DEBOUNCE_MS = 300;

export function NewPluginPage() {
  const [url, setUrl] = useState("");
  const [plan, setPlan] = useState<GenPlan>();
  const [opts, setOpts] = useState<GenOptions>();
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const [saved, setSaved] = useState<GenSaved>();
  const save = useAction();
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);

  const preview = async (body: { url: string; options?: GenOptions; fresh?: boolean }) => {
    const my = ++seq.current;
    setPending(true);
    try {
      const p = await api.post("/dataplugin/new/preview", { body });
      if (my !== seq.current) return;
      setPlan(p);
      setOpts(p.options);
      setError(undefined);
    } catch (e) {
      if (my === seq.current) setError(errorText(e));
    } finally {
      if (my === seq.current) setPending(false);
    }
  };

  const start = (e: Event) => {
    e.preventDefault();
    if (!url.trim()) return;
    setSaved(undefined);
    setPlan(undefined);
    setOpts(undefined);
    void preview({ url: url.trim(), fresh: true });
  };

  /** change applies an edit at once and previews it after a pause. */
  const change = (next: GenOptions) => {
    if (!plan || !opts) return;
    const body = reshaped(opts, next) ? { ...next, fields: [] } : next;
    setOpts(next);
    setSaved(undefined);
    seq.current++;
    setPending(true);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void preview({ url: plan.sample.url, options: body }), PREVIEW_DEBOUNCE_MS);
  };

  const doSave = async () => {
    if (!plan || !opts) return;
    const res = await save.run(() => api.post("/dataplugin/new", { body: { url: plan.sample.url, options: opts } }));
    if (res) setSaved(res);
  };

  return (
    <section class="newplugin">
      <div class="page-head">
        <h1>New plugin from a file</h1>
      </div>
      <p>
        Paste the URL of a data file (tsv, csv, JSON lines or a JSON array; plain, .gz or .zip). Studio reads a sample of it, infers its columns and
        their types, and shows the documents the upload will make. No code to write: the plugin is a manifest with a declarative parser.
      </p>
      <form class="form url-form" onSubmit={start}>
        <TextField label="Data file URL" value={url} onValue={setUrl} required placeholder="https://example.org/data/variants.tsv.gz" />
        <div class="actions">
          <button type="submit" class="primary" disabled={pending && !plan}>
            {pending && !plan ? "Reading…" : "Preview"}
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {plan && opts && (
        <>
          <p class="notice" data-testid="sample-info">
            Sample: {plan.sample.limit} of <code>{plan.sample.name}</code>
            {plan.sample.compression ? ` (${plan.sample.compression}: ${plan.sample.data_file})` : ""}.
          </p>
          <Options plan={plan} opts={opts} change={change} />
          <Fields plan={plan} opts={opts} change={change} />
          <Preview plan={plan} pending={pending} />
          <section aria-labelledby="np-save">
            <h2 id="np-save">Save</h2>
            <p>
              Saving writes the plugin as a git repository in the Studio's data folder, registers it as the source <code>{opts.name}</code>, then dumps
              and uploads the whole file.
            </p>
            <div class="actions">
              <button type="button" class="primary" disabled={save.busy || pending || !!error} onClick={doSave}>
                {save.busy ? "Saving…" : "Save and upload"}
              </button>
            </div>
            <ErrorBox error={save.error} />
            {saved && <SavedSource saved={saved} />}
          </section>
        </>
      )}
    </section>
  );
}

type Change = (o: GenOptions) => void;

function Options({ plan, opts, change }: { plan: GenPlan; opts: GenOptions; change: Change }) {
  const formatId = useId();
  const idColId = useId();
  const cols = plan.inferred.columns.map((c) => c.name);
  const set = (patch: Partial<GenOptions>) => change({ ...opts, ...patch });
  const skips = opts.skip ?? [];
  const setSkip = (i: number, patch: Partial<GenCondition>) => set({ skip: skips.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  return (
    <section aria-labelledby="np-docs">
      <h2 id="np-docs">Documents</h2>
      <div class="form grid">
        <TextField
          label="Plugin name"
          value={opts.name}
          onValue={(v) => set(opts.root === opts.name ? { name: v, root: v } : { name: v })}
          hint="letters, digits and underscores: the source's name"
        />
        <div class="field">
          <label for={formatId}>Format</label>
          <select id={formatId} value={opts.format} onChange={(e) => set({ format: (e.target as HTMLSelectElement).value })}>
            {["tsv", "csv", "jsonl", "json"].map((f) => (
              <option value={f}>{f}</option>
            ))}
          </select>
        </div>
        {opts.format === "csv" && <TextField label="Delimiter" value={opts.delimiter ?? ","} onValue={(v) => set({ delimiter: v })} />}
        {opts.format !== "json" && (
          <TextField
            label="Lines to skip before the header"
            type="number"
            value={String(opts.skip_lines ?? 0)}
            onValue={(v) => set({ skip_lines: Math.max(0, parseInt(v, 10) || 0) })}
          />
        )}
        <div class="field">
          <label for={idColId}>_id column</label>
          <select id={idColId} value={idColumn(opts.id)} onChange={(e) => {
            const c = (e.target as HTMLSelectElement).value;
            if (c) set({ id: `{${c}}` });
          }}>
            <option value="">(another template)</option>
            {cols.map((c) => (
              <option value={c}>
                {c}
                {plan.inferred.id_candidates?.includes(c) ? " (unique in the sample)" : ""}
              </option>
            ))}
          </select>
        </div>
        <TextField label="_id template" value={opts.id} onValue={(v) => set({ id: v })} hint="columns in braces, e.g. {chrom}:g.{pos}{ref}>{alt}" />
        <TextField label="Nest fields under" value={opts.root} onValue={(v) => set({ root: v })} hint="a path, e.g. the source's name; empty keeps fields at the top" />
      </div>
      <div class="checks">
        <Checkbox label="Skip rows whose _id is empty" checked={opts.skip_empty_id} onChange={(v) => set({ skip_empty_id: v })} />
        <Checkbox label="Group rows with the same _id" checked={opts.group} onChange={(v) => set({ group: v })} />
        {opts.group && (
          <Checkbox label="Rows of one _id follow each other" checked={!!opts.adjacent} onChange={(v) => set({ adjacent: v })} />
        )}
      </div>
      <h3>Rows to skip</h3>
      {skips.length === 0 && <p class="hint">Every row is kept{opts.skip_empty_id ? " (but those with an empty _id)" : ""}.</p>}
      <ul class="skip-rules">
        {skips.map((s, i) => (
          <li key={i}>
            <select aria-label={`Skip rule ${i + 1} column`} value={s.column} onChange={(e) => setSkip(i, { column: (e.target as HTMLSelectElement).value })}>
              {cols.map((c) => (
                <option value={c}>{c}</option>
              ))}
            </select>
            <select aria-label={`Skip rule ${i + 1} test`} value={s.op} onChange={(e) => setSkip(i, { op: (e.target as HTMLSelectElement).value as GenCondition["op"] })}>
              {OPS.map(([v, t]) => (
                <option value={v}>{t}</option>
              ))}
            </select>
            {s.op !== "empty" && s.op !== "not_empty" && (
              <input aria-label={`Skip rule ${i + 1} value`} value={s.value ?? ""} onInput={(e) => setSkip(i, { value: (e.target as HTMLInputElement).value })} />
            )}
            <button type="button" onClick={() => set({ skip: skips.filter((_, j) => j !== i) })}>
              Remove skip rule {i + 1}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => set({ skip: [...skips, { column: cols[0] ?? "", op: "eq", value: "" }] })}>
        Add a skip rule
      </button>
    </section>
  );
}

function Fields({ plan, opts, change }: { plan: GenPlan; opts: GenOptions; change: Change }) {
  const byName = new Map(plan.inferred.columns.map((c) => [c.name, c]));
  const setField = (i: number, patch: Partial<GenOptions["fields"][number]>) =>
    change({ ...opts, fields: opts.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  return (
    <section aria-labelledby="np-fields">
      <h2 id="np-fields">Fields</h2>
      <div class="scroll">
      <table class="list fields">
        <thead>
          <tr>
            <th scope="col">Keep</th>
            <th scope="col">Column</th>
            <th scope="col">Inferred</th>
            <th scope="col">Type</th>
            <th scope="col">Path{opts.root ? ` (under ${opts.root})` : ""}</th>
            <th scope="col">Examples</th>
          </tr>
        </thead>
        <tbody>
          {opts.fields.map((f, i) => {
            const c = byName.get(f.column);
            return (
              <tr key={f.column} data-column={f.column}>
                <td>
                  <input type="checkbox" aria-label={`Keep ${f.column}`} checked={f.keep} onChange={(e) => setField(i, { keep: (e.target as HTMLInputElement).checked })} />
                </td>
                <th scope="row">{f.column}</th>
                <td data-testid="inferred-type">{c ? typeName(c.type) : ""}</td>
                <td>
                  <select aria-label={`Type of ${f.column}`} value={f.type} disabled={!f.keep} onChange={(e) => setField(i, { type: (e.target as HTMLSelectElement).value })}>
                    {TYPES.map(([v, t]) => (
                      <option value={v}>{t}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <input aria-label={`Path of ${f.column}`} value={f.path} disabled={!f.keep} onInput={(e) => setField(i, { path: (e.target as HTMLInputElement).value })} />
                </td>
                <td class="examples" title={(c?.examples ?? []).join("\n")}>
                  {(c?.examples ?? []).join(" · ")}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      </div>
    </section>
  );
}

function Preview({ plan, pending }: { plan: GenPlan; pending: boolean }) {
  const p = plan.preview;
  return (
    <section aria-labelledby="np-preview" aria-busy={pending}>
      <h2 id="np-preview">Preview</h2>
      <p role="status" data-testid="preview-stats">
        {pending
          ? "Updating the preview…"
          : `${count(p.stats.rows)} rows read, ${count(p.stats.docs)} documents, ${count(p.stats.skipped)} rows skipped, ${count(p.stats.rejected)} rejected.`}
      </p>
      {p.warnings.map((w) => (
        <p class="warning">{w}</p>
      ))}
      {p.stats.reject_samples.length > 0 && (
        <ul class="rejects">
          {p.stats.reject_samples.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      )}
      <div class="scroll">
        <table class="list preview" data-testid="preview-table">
          <thead>
            <tr>
              {p.columns.map((c) => (
                <th scope="col">{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(p.rows ?? []).map((r) => (
              <tr>
                {r.map((v) => (
                  <td>{cellText(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary>manifest.json</summary>
        <pre data-testid="manifest">{JSON.stringify(plan.manifest, null, 2)}</pre>
      </details>
    </section>
  );
}

function SavedSource({ saved }: { saved: GenSaved }) {
  const src = useHub(() => api.get("/source/{name}", { path: { name: saved.name } }), [saved.name, saved.dump.run_id]);
  const [remote, setRemote] = useState("");
  const [branch, setBranch] = useState("main");
  const push = useAction();
  const [pushed, setPushed] = useState<string>();
  const token = getToken();
  const archive = (format: string) => `/dataplugin/${encodeURIComponent(saved.name)}/archive?format=${format}${token ? `&token=${encodeURIComponent(token)}` : ""}`;
  const st = src.data ? sourceStatus(src.data) : undefined;
  const n = src.data ? docCount(src.data) : undefined;
  const doPush = async (e: Event) => {
    e.preventDefault();
    const res = await push.run(() => api.post("/dataplugin/{name}/push", { path: { name: saved.name }, body: { remote, branch } }));
    if (res) setPushed(`Pushed to ${res.remote} (${res.branch}).`);
  };
  return (
    <div class="saved" data-testid="saved">
      <p role="status" data-testid="gen-progress" data-state={st?.kind ?? "running"}>
        Plugin <code>{saved.name}</code> saved (commit {saved.written.commit.slice(0, 7)}) and registered; {st ? st.text : "dumping"}
        {n !== undefined ? `: ${count(n)} documents` : ""}.
      </p>
      <ErrorBox error={src.error} />
      <p>
        <a href={`/sources/${encodeURIComponent(saved.name)}`} onClick={onLinkClick}>
          Open the source {saved.name}
        </a>{" "}
        · <a href={archive("zip")} download>Download .zip</a> · <a href={archive("tar.gz")} download>Download .tar.gz</a>
      </p>
      <form class="form push-form" onSubmit={doPush}>
        <TextField label="Git remote URL" value={remote} onValue={setRemote} required hint="push the plugin's repository there to share it" />
        <TextField label="Branch" value={branch} onValue={setBranch} />
        <div class="actions">
          <button type="submit" disabled={push.busy}>
            {push.busy ? "Pushing…" : "Push"}
          </button>
        </div>
      </form>
      <ErrorBox error={push.error} />
      {pushed && (
        <p class="notice" role="status">
          {pushed}
        </p>
      )}
    </div>
  );
}
