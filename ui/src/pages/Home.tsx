// Home: what happened lately (dumps, uploads, inspections, builds,
// releases, failed and running commands) and a summary of the hub.

import { api } from "../lib/api";
import { recentActivity } from "../lib/activity";
import { ago, count, date } from "../lib/format";
import { useHub } from "../lib/hooks";
import { onLinkClick } from "../lib/router";
import { docCount } from "../lib/sources";
import type { ApiInstance, Build, Command, Source } from "../lib/types";
import { ErrorBox } from "../components/ErrorBox";

interface Data {
  sources: Source[];
  builds: Build[];
  commands: Command[];
  apis: ApiInstance[];
}

const plural = (n: number, word: string) => (n === 1 ? word : word + "s");

export function HomePage() {
  const data = useHub<Data>(async () => {
    const [sources, builds, commands, apis] = await Promise.all([
      api.get("/sources"),
      api.get("/builds"),
      api.get("/commands", { query: { limit: 50 } }),
      api.get("/api/list").catch(() => [] as ApiInstance[]),
    ]);
    return { sources, builds, commands, apis };
  });
  const d = data.data;
  const items = d ? recentActivity(d.sources, d.builds, d.commands) : [];
  const docs = d?.sources.reduce((n, s) => n + (docCount(s) ?? 0), 0);
  return (
    <section>
      <h1>Home</h1>
      <ErrorBox error={data.error} />
      {d && (
        <div class="summary">
          <p class="stat">
            <span class="stat-n">{count(d.sources.length)}</span> {plural(d.sources.length, "source")} · {count(docs)} documents
          </p>
          <p class="stat">
            <span class="stat-n">{count(d.builds.length)}</span> {plural(d.builds.length, "build")}
          </p>
          <p class="stat">
            <span class="stat-n">{count(d.apis.filter((a) => a.status === "running").length)}</span> APIs running
          </p>
          <p class="stat">
            <span class="stat-n">{count(d.commands.filter((c) => c.status === "running").length)}</span> commands running
          </p>
        </div>
      )}
      <h2>Recent activity</h2>
      {d && items.length === 0 && (
        <p class="empty">
          Nothing yet. Start on the Sources page: register a data plugin, dump and upload it.
        </p>
      )}
      <ul class="activity">
        {items.map((i) => (
          <li key={i.key} data-testid="activity" data-kind={i.kind} class={i.ok ? "ok" : "failed"}>
            <span class={`status-dot ${i.ok ? "ok" : "failed"}`} aria-hidden="true" />
            <span class="activity-text">{i.href ? <a href={i.href} onClick={onLinkClick}>{i.text}</a> : i.text}</span>
            <time dateTime={i.time} title={date(i.time)} class="muted small">
              {ago(i.time)}
            </time>
          </li>
        ))}
      </ul>
      {!d && !data.error && <p class="muted">Loading…</p>}
    </section>
  );
}
