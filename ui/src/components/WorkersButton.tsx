// The Workers dialog: task queues with their pollers and backlog, the
// activities running now with their progress, and the Studio processes with
// their memory, from GET /job_manager.

import { useEffect, useState } from "preact/hooks";
import { api, HubError } from "../lib/api";
import { ago, bytes, count } from "../lib/format";
import { asProgress, type JobManager } from "../lib/types";
import { Dialog } from "./Dialog";
import { ErrorBox } from "./ErrorBox";
import { ProgressView } from "./Progress";
import { TableHead } from "./TableHead";

export function WorkersButton() {
  const [open, setOpen] = useState(false);
  return (
    <div class="popover-anchor">
      <button type="button" class="header-button" aria-expanded={open} data-dialog-opener onClick={() => setOpen(!open)}>
        Workers
      </button>
      {open && (
        <Dialog title="Workers" modal={false} onClose={() => setOpen(false)} class="workers">
          <WorkersView />
        </Dialog>
      )}
    </div>
  );
}

// Workers are refreshed every 10 s while the dialog is open.
const REFRESH_MS = 10000;

export function WorkersView() {
  const [data, setData] = useState<JobManager>();
  const [error, setError] = useState<string>();
  const [missing, setMissing] = useState(false);

  useEffect(() => {
    let alive = true;
    const load = () =>
      api.get("/job_manager").then(
        (d) => {
          if (!alive) return;
          setData(d);
          setError(undefined);
        },
        (e) => {
          if (!alive) return;
          if (e instanceof HubError && (e.status === 404 || e.status === 405)) setMissing(true);
          else setError((e as Error).message);
        },
      );
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, []);

  if (missing) return <p class="muted">This hub does not report its workers (GET /job_manager is not available).</p>;
  if (!data) return error ? <ErrorBox error={error} /> : <p class="muted">Loading…</p>;
  const queues = data.task_queues ?? [];
  const acts = data.activities ?? [];
  const procs = data.processes ?? [];
  return (
    <div class="workers-view">
      <ErrorBox error={error} />
      <h3>Task queues</h3>
      <table>
        <TableHead cols={["Queue", "Kind", "Backlog", "Pollers"]} />
        <tbody>
          {queues.length === 0 && (
            <tr>
              <td colSpan={4} class="muted">No task queue.</td>
            </tr>
          )}
          {queues.map((q) => (
            <tr key={`${q.name}/${q.kind}`}>
              <td>{q.name}</td>
              <td>{q.kind}</td>
              <td class="num">{count(q.backlog ?? 0)}</td>
              <td>
                {(q.pollers ?? []).length === 0 ? (
                  <span class="error-text">no worker polling</span>
                ) : (
                  <ul class="plain">
                    {(q.pollers ?? []).map((p) => (
                      <li key={p.identity}>
                        {p.identity} <span class="muted small">{ago(p.last_access)}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Running activities</h3>
      <table>
        <TableHead cols={["Command", "Activity", "State", "Progress", "Worker"]} />
        <tbody>
          {acts.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">No activity running.</td>
            </tr>
          )}
          {acts.map((a) => (
            <tr key={`${a.workflow_id}/${a.activity_id}`}>
              <td>
                <code>{a.workflow_id}</code>
              </td>
              <td>
                {a.activity_type}
                {a.attempt && a.attempt > 1 ? <span class="muted small"> attempt {a.attempt}</span> : null}
              </td>
              <td>{a.state}</td>
              <td>
                <ProgressView progress={asProgress(a.progress)} label={`Progress of ${a.activity_type ?? "activity"}`} />
                {a.last_heartbeat ? <span class="muted small">heartbeat {ago(a.last_heartbeat)}</span> : null}
              </td>
              <td>{a.worker}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Processes</h3>
      <table>
        <TableHead cols={["Role", "Identity", "Host / PID", "RSS", "Heap", "Goroutines", "Updated"]} />
        <tbody>
          {procs.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">No process reported.</td>
            </tr>
          )}
          {procs.map((p) => (
            <tr key={`${p.role}/${p.identity}/${p.pid}`}>
              <td>{p.role}</td>
              <td>{p.identity}</td>
              <td>
                {p.host} / {p.pid}
              </td>
              <td class="num">{bytes(p.rss_bytes)}</td>
              <td class="num">{bytes(p.heap_bytes)}</td>
              <td class="num">{count(p.goroutines)}</td>
              <td class="muted small">{ago(p.updated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
