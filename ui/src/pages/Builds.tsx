// The Builds page: build configurations (new, edit, delete, new build) and
// the builds of each.

import { useState } from "preact/hooks";
import { api } from "../lib/api";
import { buildSeconds } from "../lib/builds";
import { count, date, duration } from "../lib/format";
import { useAction, useHub } from "../lib/hooks";
import { onLinkClick } from "../lib/router";
import { subSources } from "../lib/sources";
import type { Build, BuildConf, BuildConfig } from "../lib/types";
import { Dialog } from "../components/Dialog";
import { ErrorBox } from "../components/ErrorBox";
import { Checkbox, TextField } from "../components/Field";
import { TableHead } from "../components/TableHead";

interface Data {
  confs: BuildConf[];
  builds: Build[];
}

export function BuildsPage() {
  const data = useHub<Data>(async () => {
    const [confs, builds] = await Promise.all([api.get("/buildconfs"), api.get("/builds")]);
    confs.sort((a, b) => a.name.localeCompare(b.name));
    return { confs, builds };
  });
  const [editing, setEditing] = useState<BuildConf | "new">();
  const action = useAction();
  const [notice, setNotice] = useState<string>();

  const newBuild = async (name: string) => {
    setNotice(undefined);
    const r = await action.run(() => api.put("/build/{conf}/new", { path: { conf: name } }));
    if (r) {
      setNotice(`Build ${r.build_id} started.`);
      data.reload();
    }
  };
  const remove = async (name: string) => {
    setNotice(undefined);
    if ((await action.run(() => api.delete("/buildconf/{name}", { path: { name } }))) !== undefined) {
      setNotice(`Configuration ${name} deleted.`);
      data.reload();
    }
  };

  const d = data.data;
  const confNames = new Set(d?.confs.map((c) => c.name));
  const orphans = d?.builds.filter((b) => !confNames.has(b.build_config?.name ?? "")) ?? [];
  return (
    <section>
      <div class="page-head">
        <h1>Builds</h1>
        <button type="button" class="primary" onClick={() => setEditing("new")}>
          New configuration
        </button>
      </div>
      <ErrorBox error={data.error ?? action.error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {d && d.confs.length === 0 && (
        <p class="empty">No build configuration yet. A configuration names the sources to merge; create one with “New configuration”.</p>
      )}
      {d?.confs.map((c) => (
        <section class="card" data-conf={c.name} key={c.name} aria-labelledby={`conf-${c.name}`}>
          <div class="card-head">
            <h2 id={`conf-${c.name}`}>{c.name}</h2>
            <div class="actions">
              <button type="button" class="primary" aria-label={`New build ${c.name}`} disabled={action.busy} onClick={() => newBuild(c.name)}>
                New build
              </button>
              <button type="button" aria-label={`Edit ${c.name}`} onClick={() => setEditing(c)}>
                Edit
              </button>
              <button type="button" class="danger" aria-label={`Delete ${c.name}`} disabled={action.busy} onClick={() => remove(c.name)}>
                Delete
              </button>
            </div>
          </div>
          <p class="muted small">
            Document type <strong>{c.doc_type || "—"}</strong> · sources {c.sources.join(", ")}
            {c.root && c.root.length > 0 ? ` · root ${c.root.join(", ")}` : " · every source may create documents"}
            {c.build_version ? ` · version ${c.build_version}` : ""}
          </p>
          <BuildTable builds={d.builds.filter((b) => b.build_config?.name === c.name)} />
        </section>
      ))}
      {orphans.length > 0 && (
        <section class="card" aria-labelledby="conf-orphans">
          <h2 id="conf-orphans">Builds of deleted configurations</h2>
          <BuildTable builds={orphans} />
        </section>
      )}
      {!d && !data.error && <p class="muted">Loading…</p>}
      {editing && (
        <ConfDialog
          conf={editing === "new" ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(name) => {
            setEditing(undefined);
            setNotice(`Configuration ${name} saved.`);
            data.reload();
          }}
        />
      )}
    </section>
  );
}

function BuildTable({ builds }: { builds: Build[] }) {
  if (builds.length === 0) return <p class="muted">No build yet.</p>;
  return (
    <table class="list">
      <TableHead cols={["Build", "Status", "Documents", "Started", "Duration", "Released into"]} num={["Documents"]} />
      <tbody>
        {builds.map((b) => (
          <tr key={b._id} data-build={b._id}>
            <td>
              <a href={`/builds/${encodeURIComponent(b._id)}`} onClick={onLinkClick}>
                {b._id}
              </a>
            </td>
            <td>
              <span class={`pill ${statusKind(b.status)}`} data-testid="build-status">
                {b.status ?? "—"}
              </span>
              {b.err ? <div class="error-text small">{b.err}</div> : null}
            </td>
            <td class="num" data-testid="build-count">
              {count(b.count)}
            </td>
            <td>{date(b.started_at)}</td>
            <td>{duration(buildSeconds(b))}</td>
            <td class="small">{Object.keys(b.index ?? {}).join(", ") || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function statusKind(status: string | undefined): string {
  switch (status) {
    case "success":
    case "completed":
    case "running-api":
    case "synced":
      return "ok";
    case "failed":
    case "canceled":
    case "terminated":
    case "timed_out":
      return "failed";
    case "building":
    case "running":
    case "indexing":
      return "running";
  }
  return "idle";
}

function ConfDialog({ conf, onClose, onSaved }: { conf?: BuildConf; onClose: () => void; onSaved: (name: string) => void }) {
  const sources = useHub(() => api.get("/sources"), [], () => false);
  const [name, setName] = useState(conf?.name ?? "");
  const [docType, setDocType] = useState(conf?.doc_type ?? "");
  const [chosen, setChosen] = useState<string[]>(conf?.sources ?? []);
  const [root, setRoot] = useState<string[]>(conf?.root ?? []);
  const [version, setVersion] = useState(conf?.build_version ?? "");
  const action = useAction();
  const all = Array.from(new Set([...(sources.data ?? []).flatMap(subSources), ...(conf?.sources ?? [])])).sort();
  const flip = (list: string[], x: string, on: boolean) => (on ? [...list.filter((y) => y !== x), x] : list.filter((y) => y !== x));

  const save = async (e: Event) => {
    e.preventDefault();
    const { _id, updated_at, ...kept } = conf ?? {};
    const body: BuildConfig = { ...kept, name: name.trim(), doc_type: docType.trim(), sources: all.filter((s) => chosen.includes(s)) };
    const r = root.filter((x) => body.sources.includes(x));
    if (r.length > 0) body.root = r;
    else delete body.root;
    if (version.trim()) body.build_version = version.trim();
    else delete body.build_version;
    const res = await action.run(() =>
      conf ? api.put("/buildconf/{name}", { path: { name: conf.name }, body }) : api.post("/buildconf", { body }),
    );
    if (res !== undefined) onSaved(body.name);
  };

  return (
    <Dialog title="Build configuration" onClose={onClose}>
      <form class="form" onSubmit={save}>
        <TextField label="Name" value={name} onValue={setName} required readOnly={!!conf} hint={conf ? "a configuration keeps its name" : "letters, digits, '_' and '-'"} />
        <TextField label="Document type" value={docType} onValue={setDocType} required hint="e.g. variant, gene: it names the data API's route" />
        <fieldset>
          <legend>Sources</legend>
          {sources.error && <ErrorBox error={sources.error} />}
          {all.length === 0 && !sources.error && <p class="muted small">No source uploaded yet.</p>}
          {all.map((s) => (
            <Checkbox label={s} checked={chosen.includes(s)} onChange={(on) => setChosen(flip(chosen, s, on))} />
          ))}
        </fieldset>
        <fieldset>
          <legend>Root sources</legend>
          <p class="hint">Sources that may create documents; the others only add to existing ones. None checked: every source.</p>
          {all.map((s) => (
            <Checkbox
              label={`Root ${s}`}
              checked={root.includes(s)}
              onChange={(on) => {
                setRoot(flip(root, s, on));
                if (on && !chosen.includes(s)) setChosen([...chosen, s]);
              }}
            />
          ))}
        </fieldset>
        <TextField label="Build version format" value={version} onValue={setVersion} hint="strftime, default %Y%m%d" />
        <ErrorBox error={action.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}

