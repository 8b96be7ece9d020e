// The home page's recent activity, gathered from sources, builds and
// commands: what was dumped, uploaded, inspected, built and released.

import { bytes, count } from "./format";
import type { Build, Command, Source } from "./types";

export interface ActivityItem {
  key: string;
  time: string;
  kind: "dump" | "upload" | "inspect" | "build" | "release" | "command";
  ok: boolean;
  text: string;
  href?: string;
}

export function recentActivity(sources: Source[], builds: Build[], commands: Command[], limit = 30): ActivityItem[] {
  const out: ActivityItem[] = [];
  for (const s of sources) {
    const href = `/sources/${encodeURIComponent(s.name)}`;
    const d = s.download;
    if (d?.status === "success" && d.last_success) {
      const size = (d.files ?? []).reduce((n, f) => n + (f.size ?? 0), 0);
      const files = (d.files ?? []).length;
      out.push({ key: `dump/${s.name}`, time: d.last_success, kind: "dump", ok: true, href, text: `Dumped ${s.name} release ${d.release ?? "?"}: ${count(files)} file${files === 1 ? "" : "s"}, ${bytes(size)}` });
    } else if (d?.status === "failed" && d.started_at) {
      out.push({ key: `dump/${s.name}`, time: d.started_at, kind: "dump", ok: false, href, text: `Dump of ${s.name} failed: ${d.err ?? "see the command"}` });
    }
    for (const [sub, j] of Object.entries(s.upload?.jobs ?? {})) {
      if (j.status === "success" && j.last_success) {
        out.push({ key: `upload/${sub}`, time: j.last_success, kind: "upload", ok: true, href, text: `Uploaded ${sub}: ${count(j.count)} documents (release ${j.release ?? "?"})` });
      } else if (j.status === "failed" && j.started_at) {
        out.push({ key: `upload/${sub}`, time: j.started_at, kind: "upload", ok: false, href, text: `Upload of ${sub} failed: ${j.err ?? "see the command"}` });
      }
    }
    for (const [sub, j] of Object.entries(s.inspect?.jobs ?? {})) {
      if (j.status === "success" && j.last_success) {
        out.push({ key: `inspect/${sub}`, time: j.last_success, kind: "inspect", ok: true, href: `${href}#mapping`, text: `Inspected ${sub}: ${count(j.count)} documents` });
      }
    }
  }
  for (const b of builds) {
    const href = `/builds/${encodeURIComponent(b._id)}`;
    if (b.status === "success" && (b.finished_at ?? b.started_at)) {
      out.push({ key: `build/${b._id}`, time: (b.finished_at ?? b.started_at)!, kind: "build", ok: true, href, text: `Built ${b._id}: ${count(b.count)} documents` });
    } else if (b.status === "failed" && b.started_at) {
      out.push({ key: `build/${b._id}`, time: b.started_at, kind: "build", ok: false, href, text: `Build ${b._id} failed${b.err ? `: ${b.err}` : ""}` });
    }
    for (const [index, r] of Object.entries(b.index ?? {})) {
      const t = r.created_at ?? r.started_at;
      if (!t) continue;
      if (r.status === "success") out.push({ key: `index/${index}`, time: t, kind: "release", ok: true, href: `${href}#releases`, text: `Released ${b._id} into ${index}: ${count(r.count)} documents` });
      else if (r.status === "failed") out.push({ key: `index/${index}`, time: t, kind: "release", ok: false, href: `${href}#releases`, text: `Release of ${b._id} into ${index} failed: ${r.err ?? ""}` });
    }
    for (const [old, d] of Object.entries(b.diff ?? {})) {
      if (!d.created_at) continue;
      const st = d.stats ?? {};
      out.push({ key: `diff/${old}/${b._id}`, time: d.created_at, kind: "release", ok: true, href: `${href}#releases`, text: `Diffed ${old} → ${b._id}: ${count(st.add)} added, ${count(st.update)} updated, ${count(st.delete)} deleted` });
    }
  }
  for (const c of commands) {
    if (c.status === "running") {
      out.push({ key: `cmd/${c.id}/${c.run_id}`, time: c.start_time, kind: "command", ok: true, href: "/commands", text: `Running: ${c.type} ${c.id}` });
    } else if (c.status !== "completed" && c.status !== "canceled") {
      out.push({ key: `cmd/${c.id}/${c.run_id}`, time: c.close_time ?? c.start_time, kind: "command", ok: false, href: "/commands", text: `${c.type} ${c.id} ${c.status}${c.failure ? `: ${c.failure}` : ""}` });
    }
  }
  return out.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, limit);
}
