// The hub's /status, read once (and again after a new token), for the
// Temporal Web UI links.

import { useEffect, useState } from "preact/hooks";
import { api, onTokenChange } from "./api";
import type { Status } from "./types";

let current: Status | undefined;
let pending: Promise<Status | undefined> | undefined;
const listeners = new Set<(s: Status | undefined) => void>();

function load(): Promise<Status | undefined> {
  pending ??= api.get("/status").then(
    (s) => {
      current = s;
      listeners.forEach((f) => f(s));
      return s;
    },
    () => {
      pending = undefined;
      return undefined;
    },
  );
  return pending;
}

onTokenChange(() => {
  pending = undefined;
  void load();
});

export function useStatus(): Status | undefined {
  const [s, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    void load();
    return () => listeners.delete(set);
  }, []);
  return s;
}

/** temporalLink is the Temporal Web UI page of a workflow, "" without a Web UI. */
export function temporalLink(status: Status | undefined, workflowId: string): string {
  const base = status?.temporal?.web_ui?.replace(/\/+$/, "");
  if (!base) return "";
  const ns = status?.temporal?.namespace || "default";
  return `${base}/namespaces/${encodeURIComponent(ns)}/workflows/${encodeURIComponent(workflowId)}`;
}
