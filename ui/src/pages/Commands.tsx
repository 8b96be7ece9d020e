// The Commands page: every workflow of the namespace (whoever started it),
// running ones first, with live progress from heartbeats, failures, and a
// link to the Temporal Web UI.

import { memo } from "preact/compat";
import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../lib/api";
import { date, duration } from "../lib/format";
import { useHub } from "../lib/hooks";
import { live } from "../lib/live";
import { temporalLink, useStatus } from "../lib/status";
import { asProgress, type Command, type Progress } from "../lib/types";
import { ErrorBox } from "../components/ErrorBox";
import { Checkbox } from "../components/Field";
import { ProgressView } from "../components/Progress";

export const RECENT = 50;
export const ALL = 1000;
// Running commands whose pending activities are read for their progress.
const DETAILED = 25;

interface LiveProgress {
  activity?: string;
  progress?: Progress;
}

/** loadCommands reads the list, then the progress of the running ones. */
export async function loadCommands(limit: number): Promise<Command[]> {
  const list = await api.get("/commands", { query: { limit } });
  const running = list.filter((c) => c.status === "running").slice(0, DETAILED);
  const details = await Promise.all(running.map((c) => api.get("/command/{id}", { path: { id: c.id } }).catch(() => undefined)));
  const byId = new Map(details.filter((d): d is Command => !!d).map((d) => [d.id, d]));
  return list.map((c) => (byId.has(c.id) ? { ...c, activities: byId.get(c.id)!.activities } : c));
}

/** sortCommands puts running commands first, then the newest. */
export function sortCommands(list: Command[]): Command[] {
  return list.slice().sort((a, b) => {
    const ra = a.status === "running" ? 0 : 1;
    const rb = b.status === "running" ? 0 : 1;
    if (ra !== rb) return ra - rb;
    return a.start_time < b.start_time ? 1 : a.start_time > b.start_time ? -1 : 0;
  });
}

export function CommandsPage() {
  const [all, setAll] = useState(false);
  const cmds = useHub(() => loadCommands(all ? ALL : RECENT), [all]);
  const status = useStatus();
  const [liveProgress, setLiveProgress] = useState<Record<string, LiveProgress>>({});

  useEffect(
    () =>
      live.onEvent((ev) => {
        if ((ev.type === "activity.progress" || ev.type === "activity.started") && ev.progress) {
          setLiveProgress((m) => ({ ...m, [ev.workflow_id]: { activity: ev.activity_type, progress: asProgress(ev.progress) } }));
        }
      }),
    [],
  );

  const list = sortCommands(cmds.data ?? []);
  const running = list.filter((c) => c.status === "running").length;
  return (
    <section>
      <div class="page-head">
        <h1>Commands</h1>
        <Checkbox label="Show all" checked={all} onChange={setAll} />
      </div>
      <p class="muted small">
        {cmds.data ? `${list.length} commands${all ? "" : ` (the last ${RECENT})`}, ${running} running.` : ""} Commands started from the CLI or the temporal CLI show up here too.
      </p>
      <ErrorBox error={cmds.error} />
      {cmds.data && list.length === 0 && <p class="empty">No command yet.</p>}
      <ol class="commands">
        {list.map((c) => {
          const lp = c.status === "running" ? liveProgress[c.id] : undefined;
          const fetched = c.activities?.find((a) => a.progress);
          return (
            <CommandRow
              key={c.id + "/" + c.run_id}
              cmd={c}
              activity={lp?.activity ?? fetched?.type}
              progress={lp?.progress ?? asProgress(fetched?.progress)}
              link={temporalLink(status, c.id)}
            />
          );
        })}
      </ol>
      {!cmds.data && !cmds.error && <p class="muted">Loading…</p>}
    </section>
  );
}

interface RowProps {
  cmd: Command;
  activity?: string;
  progress?: Progress;
  link: string;
}

export const CommandRow = memo(
  function CommandRow({ cmd: c, activity, progress, link }: RowProps) {
    const running = c.status === "running";
    const [cancel, setCancel] = useState<{ busy: boolean; error?: string }>({ busy: false });
    async function onCancel() {
      setCancel({ busy: true });
      try {
        await api.delete("/command/{id}", { path: { id: c.id } });
        setCancel({ busy: true });
      } catch (e) {
        setCancel({ busy: false, error: errorText(e) });
      }
    }
    return (
      <li class={`command ${c.status}`} data-testid="command" data-command-id={c.id} data-status={c.status}>
        <div class="command-main">
          <span class={`pill ${running ? "running" : c.status === "completed" ? "ok" : "failed"}`}>{c.status}</span>
          <strong class="command-type">{c.type}</strong>
          <code class="command-id">{c.id}</code>
          <span class="muted small">
            started {date(c.start_time)} · {running ? <Elapsed since={c.start_time} /> : duration(c.duration)}
          </span>
          {link && (
            <a class="small" href={link} target="_blank" rel="noopener">
              Temporal
            </a>
          )}
          {running && (
            <button type="button" class="small" aria-label={`Cancel ${c.id}`} disabled={cancel.busy} onClick={onCancel}>
              {cancel.busy ? "Canceling…" : "Cancel"}
            </button>
          )}
        </div>
        {cancel.error && (
          <p class="error-text" role="alert">
            {cancel.error}
          </p>
        )}
        {running && progress && (
          <div class="command-progress">
            {activity ? <span class="muted small">{activity}</span> : null}
            <ProgressView progress={progress} label={`Progress of ${c.id}`} />
          </div>
        )}
        {c.failure && (
          <p class="error-text failure" data-testid="command-failure">
            {c.failure}
          </p>
        )}
      </li>
    );
  },
  (a, b) =>
    a.cmd.id === b.cmd.id &&
    a.cmd.run_id === b.cmd.run_id &&
    a.cmd.status === b.cmd.status &&
    a.cmd.duration === b.cmd.duration &&
    a.cmd.failure === b.cmd.failure &&
    a.activity === b.activity &&
    a.progress === b.progress &&
    a.link === b.link,
);

/** Elapsed counts the seconds since a start, once a second. */
function Elapsed({ since }: { since: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return <span>{duration(Math.max(0, (now - new Date(since).getTime()) / 1000))}</span>;
}
