// The APIs page: data API instances on released indexes, with start, stop,
// delete and example links.

import { useState } from "preact/hooks";
import { api } from "../lib/api";
import { indexNames } from "../lib/builds";
import { useAction, useHub } from "../lib/hooks";
import { onLinkClick } from "../lib/router";
import { Dialog } from "../components/Dialog";
import { ErrorBox } from "../components/ErrorBox";
import { TextField } from "../components/Field";
import { TableHead } from "../components/TableHead";

/** exampleLinks are an API's metadata and query URLs on this browser's host. */
export function exampleLinks(port: number, hostname = location.hostname) {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const base = `http://${host}:${port}`;
  return { metadata: `${base}/metadata`, query: `${base}/query?q=*` };
}

export function ApisPage() {
  const apis = useHub(() => api.get("/api/list"));
  const [creating, setCreating] = useState(false);
  const action = useAction();
  const [notice, setNotice] = useState<string>();
  const doAction = async (what: string, f: () => Promise<unknown>) => {
    setNotice(undefined);
    if ((await action.run(f)) !== undefined) {
      setNotice(what);
      apis.reload();
    }
  };
  const list = (apis.data ?? []).slice().sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section>
      <div class="page-head">
        <h1>APIs</h1>
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          New API
        </button>
      </div>
      <ErrorBox error={apis.error ?? action.error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {apis.data && list.length === 0 && <p class="empty">No data API yet. Release a build into an index, then create an API on it with “New API”.</p>}
      {list.length > 0 && (
        <table class="list">
          <TableHead cols={["API", "Index", "Port", "Status", "Try it", "Actions"]} />
          <tbody>
            {list.map((a) => {
              const links = exampleLinks(a.port);
              const running = a.status === "running";
              return (
                <tr key={a.name} data-api={a.name}>
                  <td>
                    <strong>{a.name}</strong>
                    {a.description ? <div class="muted small">{a.description}</div> : null}
                  </td>
                  <td>{a.index}</td>
                  <td class="num">{a.port}</td>
                  <td>
                    <span class={`pill ${running ? "ok" : "idle"}`} data-testid="api-status">
                      {running ? "running" : "stopped"}
                    </span>
                    {a.err ? <div class="error-text small">{String(a.err)}</div> : null}
                  </td>
                  <td class="links">
                    <a href={links.metadata} target="_blank" rel="noopener">
                      metadata
                    </a>{" "}
                    <a href={links.query} target="_blank" rel="noopener">
                      query
                    </a>{" "}
                    <a href={`/explorer/index/${encodeURIComponent(a.index)}`} onClick={onLinkClick} aria-label={`Explore index ${a.index}`}>
                      explore
                    </a>
                  </td>
                  <td class="actions">
                    <button type="button" aria-label={`Start ${a.name}`} disabled={action.busy || running} onClick={() => doAction(`API ${a.name} started.`, () => api.put("/api/{name}/start", { path: { name: a.name } }))}>
                      Start
                    </button>
                    <button type="button" aria-label={`Stop ${a.name}`} disabled={action.busy || !running} onClick={() => doAction(`API ${a.name} stopped.`, () => api.put("/api/{name}/stop", { path: { name: a.name } }))}>
                      Stop
                    </button>
                    <button type="button" class="danger" aria-label={`Delete ${a.name}`} disabled={action.busy} onClick={() => doAction(`API ${a.name} deleted.`, () => api.delete("/api/{name}", { path: { name: a.name } }))}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {!apis.data && !apis.error && <p class="muted">Loading…</p>}
      {creating && (
        <ApiDialog
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            setNotice(`API ${name} created: start it with Start.`);
            apis.reload();
          }}
        />
      )}
    </section>
  );
}

function ApiDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const builds = useHub(() => api.get("/builds"), [], () => false);
  const [name, setName] = useState("");
  const [index, setIndex] = useState("");
  const [port, setPort] = useState("");
  const action = useAction();
  const names = indexNames(builds.data ?? []);
  const create = async (e: Event) => {
    e.preventDefault();
    const res = await action.run(() => api.post("/api", { body: { name: name.trim(), index: index.trim(), port: Number(port) } }));
    if (res) onCreated(res.name);
  };
  return (
    <Dialog title="New API" onClose={onClose}>
      <form class="form" onSubmit={create}>
        <TextField label="Name" value={name} onValue={setName} required hint="letters, digits, '_' and '-'" />
        <TextField label="Index" value={index} onValue={setIndex} required list="api-indexes" hint={names.length ? `released: ${names.join(", ")}` : "the index a build was released into"} />
        <datalist id="api-indexes">
          {names.map((n) => (
            <option value={n} />
          ))}
        </datalist>
        <TextField label="Port" type="number" value={port} onValue={setPort} required hint="1024 to 65535" />
        <ErrorBox error={action.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
