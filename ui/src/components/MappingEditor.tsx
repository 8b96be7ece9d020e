// The mapping editor of one sub-source: the inspected mapping beside the
// registered one, a table of fields with "searchable" and "search by
// default", and Save (the inspected mapping), Validate (a temporary index)
// and Commit (the registered mapping). "edited" shows until Save.

import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../lib/api";
import { useHub } from "../lib/hooks";
import { fields, setSearchByDefault, setSearchable } from "../lib/mapping";
import type { Mapping } from "../lib/types";
import { ErrorBox } from "./ErrorBox";
import { TableHead } from "./TableHead";

export function MappingEditor({ sub }: { sub: string }) {
  const view = useHub(() => api.get("/source/{name}/mapping", { path: { name: sub } }), [sub], (ev) => ev.workflow_id === `inspect/${sub}` && ev.type.startsWith("workflow."));
  const [mapping, setMapping] = useState<Mapping | null>(null);
  const [edited, setEdited] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; ok: boolean }>();

  // A fresh inspection replaces the working copy, unless it holds unsaved edits.
  useEffect(() => {
    if (view.data && !edited) setMapping(view.data.inspect ?? null);
  }, [view.data]);

  const act = async (f: () => Promise<string>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage({ text: await f(), ok: true });
    } catch (e) {
      setMessage({ text: errorText(e), ok: false });
    } finally {
      setBusy(false);
    }
  };

  const toggle = (next: (m: Mapping) => Mapping) => {
    if (!mapping) return;
    try {
      setMapping(next(mapping));
      setEdited(true);
      setMessage(undefined);
    } catch (e) {
      setMessage({ text: errorText(e), ok: false });
    }
  };

  const save = () =>
    act(async () => {
      await api.put("/source/{name}/mapping", { path: { name: sub }, body: { mapping: mapping ?? {}, dest: "inspect" } });
      setEdited(false);
      return "Saved: the edited mapping is stored with the inspection.";
    });
  const validate = () =>
    act(async () => {
      await api.post("/mapping/validate", { body: { mapping: mapping ?? {} } });
      return "Valid: a test index with the release settings accepted this mapping.";
    });
  const commit = () =>
    act(async () => {
      if (edited) {
        await api.put("/source/{name}/mapping", { path: { name: sub }, body: { mapping: mapping ?? {}, dest: "inspect" } });
        setEdited(false);
      }
      await api.put("/source/{name}/mapping", { path: { name: sub }, body: { mapping: mapping ?? {}, dest: "master" } });
      view.reload();
      return "Committed: this mapping is now the registered mapping of " + sub + ".";
    });

  if (view.error && !view.data) return <ErrorBox error={view.error} />;
  if (!view.data) return <p class="muted">Loading…</p>;
  if (!mapping) {
    return (
      <div>
        <p class="empty">{sub} has no inspected mapping yet: inspect it (Inspect on the Sources page, or the button below).</p>
        <InspectButton sub={sub} />
        <RegisteredMapping registered={view.data.registered} />
      </div>
    );
  }
  const list = fields(mapping);
  return (
    <div class="mapping-editor">
      <div class="toolbar">
        <button type="button" class="primary" disabled={busy} onClick={save}>
          Save
        </button>
        <button type="button" disabled={busy} onClick={validate}>
          Validate
        </button>
        <button type="button" disabled={busy} onClick={commit}>
          Commit
        </button>
        {edited && (
          <span class="edited" data-testid="mapping-edited">
            edited
          </span>
        )}
        <InspectButton sub={sub} />
      </div>
      <p class={`mapping-message ${message ? (message.ok ? "ok" : "error") : ""}`} data-testid="mapping-message" role={message && !message.ok ? "alert" : "status"}>
        {message?.text ?? ""}
      </p>
      <table class="list fields">
        <TableHead cols={["Field", "Type", "Searchable", "Search by default"]} />
        <tbody>
          {list.map((f) => (
            <tr key={f.path} data-field={f.path}>
              <td>
                <code>{f.path}</code>
              </td>
              <td>{f.type}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Searchable ${f.path}`}
                  checked={f.searchable}
                  onChange={(e) => toggle((m) => setSearchable(m, f.path, (e.target as HTMLInputElement).checked))}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Search by default ${f.path}`}
                  checked={f.searched_by_default}
                  onChange={(e) => toggle((m) => setSearchByDefault(m, f.path, (e.target as HTMLInputElement).checked))}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="side-by-side">
        <div>
          <h3>Inspected mapping{edited ? " (edited)" : ""}</h3>
          <pre class="json">{JSON.stringify(mapping, null, 2)}</pre>
        </div>
        <RegisteredMapping registered={view.data.registered} />
      </div>
    </div>
  );
}

function RegisteredMapping({ registered }: { registered: Mapping | null }) {
  return (
    <div>
      <h3>Registered mapping</h3>
      {registered ? <pre class="json">{JSON.stringify(registered, null, 2)}</pre> : <p class="muted">None yet: Commit registers one.</p>}
    </div>
  );
}

function InspectButton({ sub }: { sub: string }) {
  const [state, setState] = useState<{ busy?: boolean; error?: string; started?: boolean }>({});
  const go = async () => {
    setState({ busy: true });
    try {
      await api.put("/inspect", { body: { data_provider: ["src", sub], mode: ["type", "stats", "mapping"] } });
      setState({ started: true });
    } catch (e) {
      setState({ error: errorText(e) });
    }
  };
  return (
    <span class="inline">
      <button type="button" disabled={state.busy} onClick={go}>
        Inspect
      </button>
      {state.started && <span class="muted small"> inspection started</span>}
      <ErrorBox error={state.error} />
    </span>
  );
}
