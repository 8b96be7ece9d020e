// One source: its dumper, uploader, plugin (pin a version) and mapping.

import { useState } from "preact/hooks";
import { api } from "../lib/api";
import { bytes, count, date, duration } from "../lib/format";
import { useAction, useHub } from "../lib/hooks";
import { sourceStatus, subSources } from "../lib/sources";
import type { Source } from "../lib/types";
import { ErrorBox } from "../components/ErrorBox";
import { TextField } from "../components/Field";
import { MappingEditor } from "../components/MappingEditor";
import { Tabs } from "../components/Tabs";
import { TableHead } from "../components/TableHead";

const TABS = ["Dumper", "Uploader", "Plugin", "Mapping"];

export function SourcePage({ name }: { name: string }) {
  const src = useHub(() => api.get("/source/{name}", { path: { name } }), [name]);
  const [tab, setTab] = useState(() => tabFromHash() ?? "Dumper");
  const change = (t: string) => {
    setTab(t);
    history.replaceState(null, "", `#${t.toLowerCase()}`);
  };
  const s = src.data;
  return (
    <section>
      <div class="page-head">
        <h1>{name}</h1>
        {s && <span class={`pill ${sourceStatus(s).kind}`}>{sourceStatus(s).text}</span>}
      </div>
      <ErrorBox error={src.error} />
      {s && (
        <Tabs tabs={TABS} current={tab} onChange={change} label={`Source ${name}`}>
          {tab === "Dumper" && <DumperTab source={s} reload={src.reload} />}
          {tab === "Uploader" && <UploaderTab source={s} reload={src.reload} />}
          {tab === "Plugin" && <PluginTab source={s} reload={src.reload} />}
          {tab === "Mapping" && <MappingTab source={s} />}
        </Tabs>
      )}
      {!s && !src.error && <p class="muted">Loading…</p>}
    </section>
  );
}

function tabFromHash(): string | undefined {
  const h = location.hash.slice(1).toLowerCase();
  return TABS.find((t) => t.toLowerCase() === h);
}

function Facts({ rows }: { rows: [string, preact.ComponentChildren][] }) {
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <div>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function DumperTab({ source: s, reload }: { source: Source; reload: () => void }) {
  const d = s.download ?? {};
  const action = useAction();
  const [started, setStarted] = useState(false);
  const dump = async (force: boolean) => {
    setStarted(false);
    if ((await action.run(() => api.put("/source/{name}/dump", { path: { name: s.name }, body: { force } }))) !== undefined) {
      setStarted(true);
      reload();
    }
  };
  const urls = s.data_plugin?.manifest?.data_url;
  return (
    <div>
      <Facts
        rows={[
          ["Status", d.status ?? "never dumped"],
          ["Release", <span data-testid="dump-release">{d.release ?? "—"}</span>],
          ["Data folder", <code>{d.data_folder ?? "—"}</code>],
          ["Last run", date(d.started_at)],
          ["Last success", date(d.last_success)],
          ["Duration", duration(d.time)],
          ["Data URL", Array.isArray(urls) ? urls.map((u) => <div><code>{String(u)}</code></div>) : "—"],
          ["Schedule", s.schedule ? `${s.schedule.cron || s.schedule.id}${s.schedule.paused ? " (paused)" : ""}${s.schedule.next_run ? `, next ${date(s.schedule.next_run)}` : ""}` : "none"],
        ]}
      />
      {d.err ? <p class="error">Last dump failed: {String(d.err)}</p> : null}
      <h3>Files</h3>
      {(d.files ?? []).length === 0 ? (
        <p class="muted">No file downloaded.</p>
      ) : (
        <table class="list">
          <TableHead cols={["File", "Size", "URL"]} num={["Size"]} />
          <tbody>
            {(d.files ?? []).map((f) => (
              <tr key={f.name}>
                <td>{f.name}</td>
                <td class="num">{bytes(f.size)}</td>
                <td class="small">
                  <code>{f.url}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(d.unpacked ?? []).length > 0 && <p class="muted small">Unpacked: {(d.unpacked ?? []).join(", ")}</p>}
      <div class="actions">
        <button type="button" disabled={action.busy} onClick={() => dump(false)}>
          Dump now
        </button>
        <button type="button" disabled={action.busy} onClick={() => dump(true)}>
          Force a new dump
        </button>
      </div>
      {started && <p class="notice" role="status">Dump started: follow it on the Commands page.</p>}
      <ErrorBox error={action.error} />
    </div>
  );
}

function UploaderTab({ source: s, reload }: { source: Source; reload: () => void }) {
  const jobs = s.upload?.jobs ?? {};
  const subs = Array.from(new Set([...subSources(s), ...Object.keys(jobs)]));
  const action = useAction();
  const upload = async (sub?: string) => {
    if ((await action.run(() => api.put("/source/{name}/upload", { path: { name: s.name }, body: sub ? { sub } : {} }))) !== undefined) reload();
  };
  return (
    <div>
      <table class="list">
        <TableHead cols={["Collection", "Status", "Documents", "Release", "Last run", "Duration", "Errors", "Actions"]} num={["Documents"]} />
        <tbody>
          {subs.map((sub) => {
            const j = jobs[sub] ?? {};
            return (
              <tr key={sub} data-sub={sub}>
                <td>{sub}</td>
                <td>{j.status ?? "not uploaded"}</td>
                <td class="num">
                  <span data-testid="upload-count" data-count={j.count ?? 0}>
                    {j.count ?? 0}
                  </span>
                </td>
                <td>{j.release ?? "—"}</td>
                <td>{date(j.started_at)}</td>
                <td>{duration(j.time)}</td>
                <td>
                  {j.err ? <span class="error-text">{String(j.err)}</span> : null}
                  {j.rejected ? (
                    <div class="error-text">
                      {count(j.rejected)} documents rejected
                      {j.reject_samples && j.reject_samples.length > 0 ? (
                        <pre class="json small">{JSON.stringify(j.reject_samples.slice(0, 3), null, 1)}</pre>
                      ) : null}
                    </div>
                  ) : null}
                  {!j.err && !j.rejected ? <span class="muted">none</span> : null}
                </td>
                <td>
                  <button type="button" disabled={action.busy} onClick={() => upload(sub)} aria-label={`Upload collection ${sub}`}>
                    Upload again
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ErrorBox error={action.error} />
    </div>
  );
}

function PluginTab({ source: s, reload }: { source: Source; reload: () => void }) {
  const p = s.data_plugin?.plugin ?? {};
  const m = s.data_plugin?.manifest ?? {};
  const [ref, setRef] = useState("");
  const action = useAction();
  const [pinned, setPinned] = useState<string>();
  const pin = async (e: Event) => {
    e.preventDefault();
    setPinned(undefined);
    const r = ref.trim();
    if (!r) return;
    if ((await action.run(() => api.put("/source/{name}/dump", { path: { name: s.name }, body: { release: r } }))) !== undefined) {
      setPinned(r);
      reload();
    }
  };
  return (
    <div>
      <Facts
        rows={[
          ["URL", <code data-testid="plugin-url">{p.url ?? "—"}</code>],
          ["Commit", <code data-testid="plugin-commit">{p.commit ?? "—"}</code>],
          ["Branch", <span data-testid="plugin-branch">{p.branch || "—"}</span>],
          ["Pinned ref", p.ref || "none (follows the branch)"],
          ["Release", s.plugin_release ?? p.release ?? "—"],
          ["Type", p.type ?? "—"],
          ["Registered", date(p.registered_at)],
          ["Manifest version", String(m.version ?? "—")],
        ]}
      />
      <form class="form inline-form" onSubmit={pin}>
        <TextField label="Pin version" value={ref} onValue={setRef} hint="a commit, branch or tag: the plugin is checked out at it, then dumped" />
        <button type="submit" disabled={action.busy || !ref.trim()}>
          Pin version
        </button>
      </form>
      {pinned && <p class="notice" role="status">Pinned to {pinned}; a dump started.</p>}
      <ErrorBox error={action.error} />
      <h3>Manifest</h3>
      <pre class="json">{JSON.stringify(m, null, 2)}</pre>
    </div>
  );
}

function MappingTab({ source: s }: { source: Source }) {
  const subs = subSources(s);
  const [sub, setSub] = useState(subs[0]);
  return (
    <div>
      {subs.length > 1 && (
        <div class="field inline">
          <label for="mapping-sub">Sub-source</label>
          <select id="mapping-sub" value={sub} onChange={(e) => setSub((e.target as HTMLSelectElement).value)}>
            {subs.map((x) => (
              <option value={x}>{x}</option>
            ))}
          </select>
        </div>
      )}
      <MappingEditor key={sub} sub={sub} />
    </div>
  );
}
