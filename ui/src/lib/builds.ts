// What the pages derive from build records: the indexes they were
// released into, and the build's duration.

import type { Build } from "./types";

export interface Release {
  kind: "full" | "incremental";
  index?: string;
  from?: string;
  status?: string;
  count?: number;
  time?: string;
  detail?: string;
}

/** releases lists a build's full releases (indexes) and incremental diffs, newest first. */
export function releases(b: Build): Release[] {
  const out: Release[] = [];
  for (const [index, r] of Object.entries(b.index ?? {})) {
    out.push({ kind: "full", index, status: r.status, count: r.count, time: r.created_at ?? r.started_at, detail: r.err ? String(r.err) : undefined });
  }
  for (const [old, d] of Object.entries(b.diff ?? {})) {
    const st = d.stats ?? {};
    const changes = `${st.add ?? 0} added, ${st.update ?? 0} updated, ${st.delete ?? 0} deleted`;
    const synced = d.synced ?? [];
    if (synced.length === 0) {
      out.push({ kind: "incremental", from: old, time: d.created_at, status: "diffed", detail: `${changes}; not synced into an index yet` });
    }
    for (const sy of synced) {
      out.push({
        kind: "incremental",
        from: old,
        index: sy.index,
        time: sy.updated_at ?? d.created_at,
        status: "synced",
        detail: `${changes}; synced into ${sy.index} (${sy.applied} ${sy.applied === 1 ? "file" : "files"})`,
      });
    }
  }
  return out.sort((a, b) => ((a.time ?? "") < (b.time ?? "") ? 1 : -1));
}

/** indexNames lists every index that builds were released into, successfully. */
export function indexNames(builds: Build[]): string[] {
  const names = new Set<string>();
  for (const b of builds) for (const [name, r] of Object.entries(b.index ?? {})) if (r.status === "success") names.add(name);
  return [...names].sort();
}

/** buildSeconds is how long the build took, or has taken so far. */
export function buildSeconds(b: Build, now = Date.now()): number | undefined {
  if (!b.started_at) return undefined;
  const end = b.finished_at ? new Date(b.finished_at).getTime() : now;
  return Math.max(0, (end - new Date(b.started_at).getTime()) / 1000);
}
