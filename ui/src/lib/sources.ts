// What the pages derive from a source record: its state in words, its
// document count, its sub-sources (one per uploader).

import type { Body } from "./api";
import type { Source } from "./types";

/** subSources are the source's uploaders (collections), in manifest order. */
export function subSources(s: Source): string[] {
  const fromManifest = s.data_plugin?.manifest?.uploaders;
  if (Array.isArray(fromManifest) && fromManifest.length > 0) return fromManifest.map(String);
  const jobs = Object.keys(s.upload?.jobs ?? {});
  return jobs.length > 0 ? jobs.sort() : [s.name];
}

/** docCount is the number of documents uploaded, over every sub-source. */
export function docCount(s: Source): number | undefined {
  const jobs = Object.values(s.upload?.jobs ?? {});
  const counted = jobs.filter((j) => typeof j.count === "number");
  if (counted.length === 0) return undefined;
  return counted.reduce((n, j) => n + (j.count ?? 0), 0);
}

/** sourceStatus says in a word or two where the source stands. */
export function sourceStatus(s: Source): { text: string; kind: "ok" | "running" | "failed" | "idle" } {
  const dl = s.download?.status;
  const jobs = Object.values(s.upload?.jobs ?? {});
  const insp = Object.values(s.inspect?.jobs ?? {});
  if (dl === "downloading") return { text: "dumping", kind: "running" };
  if (jobs.some((j) => j.status === "uploading")) return { text: "uploading", kind: "running" };
  if (insp.some((j) => j.status === "inspecting")) return { text: "inspecting", kind: "running" };
  if (dl === "failed") return { text: "dump failed", kind: "failed" };
  if (jobs.some((j) => j.status === "failed")) return { text: "upload failed", kind: "failed" };
  if (dl === "canceled") return { text: "dump canceled", kind: "failed" };
  if (jobs.length > 0 && jobs.every((j) => j.status === "success")) {
    if (insp.length > 0 && insp.every((j) => j.status === "success")) return { text: "inspected", kind: "ok" };
    return { text: "uploaded", kind: "ok" };
  }
  if (dl === "success") return { text: "dumped", kind: "ok" };
  return { text: "registered", kind: "idle" };
}

/** inspectBody is PUT /inspect's body for one sub-source. */
export function inspectBody(sub: string): Body<"/inspect", "put"> {
  return { data_provider: ["src", sub], mode: ["type", "stats", "mapping"] };
}

/** lastActivity is the latest time something happened to the source. */
export function lastActivity(s: Source): string | undefined {
  const times = [s.download?.started_at, s.download?.last_success, s.data_plugin?.plugin?.registered_at];
  for (const j of Object.values(s.upload?.jobs ?? {})) times.push(j.started_at, j.last_success);
  for (const j of Object.values(s.inspect?.jobs ?? {})) times.push(j.started_at, j.last_success);
  return times.filter((t): t is string => !!t).sort().pop();
}
