// One build: its sources and versions, stats, times, mapping, and the
// Releases tab (full or incremental release, release notes).

import { useState } from "preact/hooks";
import { api, errorText } from "../lib/api";
import { buildSeconds, releases } from "../lib/builds";
import { count, date, duration } from "../lib/format";
import { useAction, useHub } from "../lib/hooks";
import { fields } from "../lib/mapping";
import { onLinkClick } from "../lib/router";
import type { Build, ReleaseOptions } from "../lib/types";
import { waitForCommand } from "../lib/wait";
import { Dialog } from "../components/Dialog";
import { ErrorBox } from "../components/ErrorBox";
import { Checkbox, TextField } from "../components/Field";
import { Tabs } from "../components/Tabs";
import { statusKind } from "./Builds";
import { TableHead } from "../components/TableHead";

const TABS = ["Sources", "Stats", "Times", "Mapping", "Releases"];

export function BuildPage({ id }: { id: string }) {
  const build = useHub(() => api.get("/build/{id}", { path: { id } }), [id]);
  const [tab, setTab] = useState(() => TABS.find((t) => t.toLowerCase() === location.hash.slice(1).toLowerCase()) ?? "Sources");
  const change = (t: string) => {
    setTab(t);
    history.replaceState(null, "", `#${t.toLowerCase()}`);
  };
  const b = build.data;
  return (
    <section>
      <div class="page-head">
        <h1>{id}</h1>
        {b && <span class={`pill ${statusKind(b.status)}`}>{b.status}</span>}
        {b?.status === "success" && (
          <span class="small">
            <a href={`/explorer/build/${encodeURIComponent(id)}`} onClick={onLinkClick}>
              Explore the documents
            </a>{" "}
            ·{" "}
            <a href={`/charts/build/${encodeURIComponent(id)}`} onClick={onLinkClick}>
              Field charts
            </a>
          </span>
        )}
      </div>
      <ErrorBox error={build.error} />
      {b?.err ? <p class="error">{b.err}</p> : null}
      {b && (
        <Tabs tabs={TABS} current={tab} onChange={change} label={`Build ${id}`}>
          {tab === "Sources" && <SourcesTab build={b} />}
          {tab === "Stats" && <StatsTab build={b} />}
          {tab === "Times" && <TimesTab build={b} />}
          {tab === "Mapping" && <MappingTab build={b} />}
          {tab === "Releases" && <ReleasesTab build={b} reload={build.reload} />}
        </Tabs>
      )}
      {!b && !build.error && <p class="muted">Loading…</p>}
    </section>
  );
}

function SourcesTab({ build: b }: { build: Build }) {
  const src = b._meta?.src ?? {};
  const names = Array.from(new Set([...(b.build_config?.sources ?? []), ...Object.keys(src)]));
  return (
    <table class="list">
      <TableHead cols={["Source", "Version", "Documents merged", "Downloaded", "Uploaded", "Code", "License"]} num={["Documents merged"]} />
      <tbody>
        {names.map((n) => {
          const m = src[n] ?? {};
          return (
            <tr key={n} data-build-source={n}>
              <td>
                <a href={`/sources/${encodeURIComponent(n)}`} onClick={onLinkClick}>
                  {n}
                </a>
                {b.build_config?.root?.includes(n) ? <span class="muted small"> root</span> : null}
              </td>
              <td>{m.version ?? "—"}</td>
              <td class="num">{count(b.merge_stats?.[n])}</td>
              <td>{date(m.download_date)}</td>
              <td>{date(m.upload_date)}</td>
              <td class="small">
                {m.code?.commit ? <code title={m.code.url}>{m.code.commit.slice(0, 10)}</code> : "—"}
                {m.code?.branch ? ` (${m.code.branch})` : ""}
              </td>
              <td class="small">{m.license ?? "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function StatsTab({ build: b }: { build: Build }) {
  return (
    <div>
      <dl class="facts">
        <div>
          <dt>Documents</dt>
          <dd data-testid="build-doc-count">{count(b.count ?? b._meta?.stats?.total)}</dd>
        </div>
        <div>
          <dt>Document type</dt>
          <dd>{b._meta?.biothing_type ?? b.build_config?.doc_type ?? "—"}</dd>
        </div>
        <div>
          <dt>Build version</dt>
          <dd>{b.build_version ?? "—"}</dd>
        </div>
      </dl>
      <h3>Documents merged per source</h3>
      <table class="list">
        <TableHead cols={["Source", "Documents"]} num={["Documents"]} />
        <tbody>
          {Object.entries(b.merge_stats ?? {}).map(([k, v]) => (
            <tr key={k}>
              <td>{k}</td>
              <td class="num">{count(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {b._meta?.stats && (
        <>
          <h3>Statistics</h3>
          <pre class="json">{JSON.stringify(b._meta.stats, null, 2)}</pre>
        </>
      )}
    </div>
  );
}

function TimesTab({ build: b }: { build: Build }) {
  return (
    <div>
      <dl class="facts">
        <div>
          <dt>Started</dt>
          <dd>{date(b.started_at)}</dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>{date(b.finished_at)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration(buildSeconds(b))}</dd>
        </div>
      </dl>
      <h3>Steps</h3>
      <table class="list">
        <TableHead cols={["Step", "Status", "Started", "Duration"]} />
        <tbody>
          {(b.jobs ?? []).map((j, i) => (
            <tr key={i}>
              <td>{j.step ?? "—"}</td>
              <td>
                {j.status}
                {j.err ? <div class="error-text small">{String(j.err)}</div> : null}
              </td>
              <td>{date(j.started_at)}</td>
              <td>{duration(j.time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MappingTab({ build: b }: { build: Build }) {
  const list = fields(b.mapping);
  return (
    <div>
      <table class="list">
        <TableHead cols={["Field", "Type", "Searchable", "Search by default"]} />
        <tbody>
          {list.map((f) => (
            <tr key={f.path}>
              <td>
                <code>{f.path}</code>
              </td>
              <td>{f.type}</td>
              <td>{f.searchable ? "yes" : "no"}</td>
              <td>{f.searched_by_default ? "yes" : "no"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <pre class="json">{JSON.stringify(b.mapping ?? {}, null, 2)}</pre>
    </div>
  );
}

function ReleasesTab({ build: b, reload }: { build: Build; reload: () => void }) {
  const opts = useHub(() => api.get("/build/{id}/release_options", { path: { id: b._id } }), [b._id]);
  const [open, setOpen] = useState(false);
  const note = useAction();
  const [noteText, setNoteText] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const prev = opts.data?.incremental.previous;
  const list = releases(b);
  const notes = Object.entries(b.release_note ?? {});

  const createNote = async () => {
    if (!prev) return;
    setNoteText(undefined);
    const r = await note.run(() => api.put("/release_note/create", { body: { old: prev, new: b._id } }));
    if (r === undefined) return;
    const full = await note.run(() => api.get("/release_note", { query: { old: prev, new: b._id } }));
    setNoteText(full?.txt ?? JSON.stringify(r, null, 2));
    reload();
  };

  return (
    <div>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setOpen(true)} disabled={!opts.data}>
          New release
        </button>
        <button type="button" onClick={createNote} disabled={note.busy || !prev} title={prev ? `Release note of ${prev} → ${b._id}` : "No earlier build to compare with"}>
          Release note
        </button>
      </div>
      <ErrorBox error={opts.error ?? note.error} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {opts.data && (
        <p class="muted small">
          Full release: {opts.data.full.possible ? "possible" : "not possible (the build did not succeed)"}. Incremental:{" "}
          {opts.data.incremental.possible ? `possible from ${prev}` : opts.data.incremental.reason ?? "not possible"}.
          {opts.data.incremental.recommend_full ? ` ${Math.round(opts.data.incremental.changed_percent ?? 0)}% of documents changed: a full release is recommended.` : ""}
        </p>
      )}
      <h3>Releases</h3>
      {list.length === 0 ? (
        <p class="muted">Not released yet.</p>
      ) : (
        <ul class="releases">
          {list.map((r) => (
            <li data-testid="release" data-kind={r.kind} data-index={r.index} key={`${r.kind}/${r.index ?? r.from}`}>
              <span class={`pill ${statusKind(r.status)}`}>{r.status ?? "—"}</span>{" "}
              {r.kind === "full" ? (
                <>
                  Full release into index <strong>{r.index}</strong> · {count(r.count)} documents
                </>
              ) : (
                <>
                  Incremental from <strong>{r.from}</strong> · {r.detail}
                </>
              )}{" "}
              <span class="muted small">{date(r.time)}</span>
              {r.kind === "full" && r.detail ? <div class="error-text">{r.detail}</div> : null}
            </li>
          ))}
        </ul>
      )}
      <h3>Release notes</h3>
      {noteText && (
        <pre class="release-note" data-testid="release-note">
          {noteText}
        </pre>
      )}
      {notes.length === 0 && !noteText && <p class="muted">No release note yet.</p>}
      {notes
        .filter(([, n]) => !noteText || n.txt !== noteText)
        .map(([old, n]) => (
          <pre class="release-note" data-testid="release-note" key={old}>
            {n.txt}
          </pre>
        ))}
      {open && opts.data && (
        <ReleaseDialog
          build={b}
          options={opts.data}
          onClose={() => setOpen(false)}
          onStarted={(msg) => {
            setOpen(false);
            setNotice(msg);
            reload();
          }}
        />
      )}
    </div>
  );
}

function ReleaseDialog({ build: b, options, onClose, onStarted }: { build: Build; options: ReleaseOptions; onClose: () => void; onStarted: (msg: string) => void }) {
  const incOK = options.incremental.possible;
  const prev = options.incremental.previous;
  const prevBuild = useHub(() => (prev ? api.get("/build/{id}", { path: { id: prev } }) : Promise.resolve(undefined)), [prev], () => false);
  const [kind, setKind] = useState<"full" | "incremental">(incOK && !options.incremental.recommend_full ? "incremental" : "full");
  const [index, setIndex] = useState<string>();
  const [purge, setPurge] = useState(false);
  const [step, setStep] = useState<string>();
  const [error, setError] = useState<string>();
  const prevIndex = Object.entries(prevBuild.data?.index ?? {}).find(([, r]) => r.status === "success")?.[0];
  const defaultIndex = kind === "full" ? b._id : prevIndex ?? "";
  const indexValue = index ?? defaultIndex;

  const release = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const name = indexValue.trim();
    try {
      if (kind === "full") {
        setStep("Starting the full release…");
        const r = await api.put("/index", { body: { build: b._id, index: name || undefined, purge } });
        onStarted(`Full release into ${r.index} started (${r.id}).`);
        return;
      }
      if (!prev) throw new Error("no earlier build to diff against");
      if (!name) throw new Error("Index name: name the live index to update (the earlier build's index)");
      setStep(`Diffing ${prev} and ${b._id}…`);
      const d = await api.put("/diff", { body: { old: prev, new: b._id } });
      const cmd = await waitForCommand(d.id);
      if (cmd.status !== "completed") throw new Error(`the diff ${cmd.status}: ${cmd.failure ?? ""}`);
      const fresh = await api.get("/build/{id}", { path: { id: b._id } });
      const folder = fresh.diff?.[prev]?.folder;
      if (!folder) throw new Error(`the diff of ${prev} and ${b._id} left no folder on the build record`);
      setStep(`Applying the diff to ${name}…`);
      const s = await api.post("/sync", { body: { diff: folder, index: name } });
      onStarted(`Incremental release into ${name} started (${s.id}).`);
    } catch (err) {
      setError(errorText(err));
      setStep(undefined);
    }
  };

  return (
    <Dialog title="New release" onClose={onClose}>
      <form class="form" onSubmit={release}>
        <fieldset>
          <legend>Kind</legend>
          <span class="check">
            <input type="radio" id="release-full" name="kind" checked={kind === "full"} onChange={() => setKind("full")} disabled={!options.full.possible} />
            <label for="release-full">Full</label>
          </span>
          <span class="check">
            <input
              type="radio"
              id="release-incremental"
              name="kind"
              checked={kind === "incremental"}
              onChange={() => setKind("incremental")}
              disabled={!incOK}
              aria-describedby="release-incremental-why"
            />
            <label for="release-incremental">Incremental</label>
          </span>
          <p class="hint" id="release-incremental-why">
            {incOK
              ? `Incremental: diff against ${prev} and apply the changes to its live index.${options.incremental.recommend_full ? " Many documents changed: a full release is recommended." : ""}`
              : `Incremental is not possible: ${options.incremental.reason ?? "no earlier build"}.`}
          </p>
        </fieldset>
        <TextField
          label="Index name"
          value={indexValue}
          onValue={setIndex}
          hint={kind === "full" ? "a new index (default: the build id)" : "the live index to update"}
        />
        {kind === "full" && <Checkbox label="Replace the index if it exists" checked={purge} onChange={setPurge} />}
        {step && (
          <p class="muted" role="status">
            {step}
          </p>
        )}
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={!!step || (kind === "full" && !options.full.possible)}>
            Release
          </button>
        </div>
      </form>
    </Dialog>
  );
}
