// The Sources page: every registered source with its state and the Dump,
// Upload and Inspect buttons, and the "New data plugin" dialog.

import { memo } from "preact/compat";
import { useState } from "preact/hooks";
import { api, type Body } from "../lib/api";
import { ago, count } from "../lib/format";
import { useAction, useHub } from "../lib/hooks";
import { onLinkClick } from "../lib/router";
import { docCount, inspectBody, lastActivity, sourceStatus, subSources } from "../lib/sources";
import type { Source } from "../lib/types";
import { Dialog } from "../components/Dialog";
import { ErrorBox } from "../components/ErrorBox";
import { TextField } from "../components/Field";
import { TableHead } from "../components/TableHead";

export function SourcesPage() {
  const sources = useHub(() => api.get("/sources"));
  const [adding, setAdding] = useState(false);
  const action = useAction();
  const [notice, setNotice] = useState<string>();

  const start = async (what: string, f: () => Promise<unknown>) => {
    setNotice(undefined);
    const r = await action.run(f);
    if (r !== undefined) {
      setNotice(what);
      sources.reload();
    }
  };

  return (
    <section>
      <div class="page-head">
        <h1>Sources</h1>
        <span class="head-actions">
          <a href="/plugins/new" class="button" onClick={onLinkClick}>
            New plugin from a file
          </a>
          <button type="button" class="primary" onClick={() => setAdding(true)}>
            New data plugin
          </button>
        </span>
      </div>
      <ErrorBox error={sources.error ?? action.error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {sources.data && sources.data.length === 0 && (
        <p class="empty">No source yet. Register a data plugin from its git repository with “New data plugin”.</p>
      )}
      {sources.data && sources.data.length > 0 && (
        <table class="list sources">
          <TableHead cols={["Source", "Status", "Release", "Documents", "Last activity", "Actions"]} num={["Documents"]} />
          <tbody>
            {sources.data.map((s) => (
              <SourceRow
                key={s.name}
                source={s}
                busy={action.busy}
                onDump={() => start(`Dump of ${s.name} started.`, () => api.put("/source/{name}/dump", { path: { name: s.name }, body: {} }))}
                onUpload={() => start(`Upload of ${s.name} started.`, () => api.put("/source/{name}/upload", { path: { name: s.name }, body: {} }))}
                onInspect={() =>
                  start(`Inspection of ${s.name} started.`, () => Promise.all(subSources(s).map((sub) => api.put("/inspect", { body: inspectBody(sub) }))))
                }
              />
            ))}
          </tbody>
        </table>
      )}
      {!sources.data && !sources.error && <p class="muted">Loading…</p>}
      {adding && (
        <RegisterDialog
          onClose={() => setAdding(false)}
          onDone={(name) => {
            setAdding(false);
            setNotice(`Data plugin ${name} registered.`);
            sources.reload();
          }}
        />
      )}
    </section>
  );
}

interface RowProps {
  source: Source;
  busy: boolean;
  onDump: () => void;
  onUpload: () => void;
  onInspect: () => void;
}

// Rows re-render only when their own record changes (the list reloads on
// every workflow event).
const SourceRow = memo(
  function SourceRow({ source: s, busy, onDump, onUpload, onInspect }: RowProps) {
    const st = sourceStatus(s);
    const release = s.download?.release;
    return (
      <tr data-source={s.name}>
        <td>
          <a href={`/sources/${encodeURIComponent(s.name)}`} onClick={onLinkClick}>
            {s.name}
          </a>
          {typeof s.data_plugin?.manifest?.display_name === "string" && s.data_plugin.manifest.display_name ? (
            <div class="muted small">{s.data_plugin.manifest.display_name as string}</div>
          ) : null}
        </td>
        <td>
          <span class={`pill ${st.kind}`} data-testid="source-status">
            {st.text}
          </span>
        </td>
        <td data-testid="source-release">{release ?? "—"}</td>
        <td class="num" data-testid="source-count">
          {count(docCount(s))}
        </td>
        <td class="muted small">{ago(lastActivity(s))}</td>
        <td class="actions">
          <button type="button" aria-label={`Dump ${s.name}`} disabled={busy} onClick={onDump}>
            Dump
          </button>
          <button type="button" aria-label={`Upload ${s.name}`} disabled={busy} onClick={onUpload}>
            Upload
          </button>
          <button type="button" aria-label={`Inspect ${s.name}`} disabled={busy} onClick={onInspect}>
            Inspect
          </button>
        </td>
      </tr>
    );
  },
  (a, b) => a.busy === b.busy && JSON.stringify(a.source) === JSON.stringify(b.source),
);

function RegisterDialog({ onClose, onDone }: { onClose: () => void; onDone: (name: string) => void }) {
  const [url, setUrl] = useState("");
  const [ref, setRef] = useState("");
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Body<"/dataplugin/register_url", "post"> = { url: url.trim() };
    if (ref.trim()) body.ref = ref.trim();
    const res = await action.run(() => api.post("/dataplugin/register_url", { body }));
    if (res) onDone(res.name);
  };
  return (
    <Dialog title="New data plugin" onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <TextField label="Git URL" value={url} onValue={setUrl} required placeholder="https://github.com/owner/plugin.git" />
        <TextField label="Version" value={ref} onValue={setRef} hint="optional: a commit, branch or tag to pin" />
        <ErrorBox error={action.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            {action.busy ? "Registering…" : "Register"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
