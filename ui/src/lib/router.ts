// A small client-side router on the History API. Its pages are listed in
// ui/routes.json, which the Go server reads too: a browser loading one of
// them gets the app, so these routes survive a reload.

import { useEffect, useState } from "preact/hooks";
import { matchRoute } from "./routes";

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  listeners.forEach((f) => f());
  window.scrollTo?.(0, 0);
}

if (typeof window !== "undefined") {
  window.addEventListener("popstate", () => listeners.forEach((f) => f()));
}

/** usePath is the current path, re-rendering on navigation. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const f = () => setPath(location.pathname);
    listeners.add(f);
    return () => listeners.delete(f);
  }, []);
  return path;
}

export type Route =
  | { page: "home" }
  | { page: "sources" }
  | { page: "source"; name: string }
  | { page: "builds" }
  | { page: "build"; id: string }
  | { page: "apis" }
  | { page: "commands" }
  | { page: "newplugin" }
  | { page: "explore" }
  | { page: "explorer"; kind: "index" | "build"; name: string }
  | { page: "charts"; kind: "source" | "build" | "compare"; name: string; other?: string }
  | { page: "notfound"; path: string };

/** match turns a path into a route, by the pages of ui/routes.json. */
export function match(path: string): Route {
  const m = matchRoute(path);
  if (!m) return { page: "notfound", path };
  return { page: m.page, ...m.params } as Route;
}

/** onLinkClick makes an in-app link navigate without a reload. */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.currentTarget as HTMLAnchorElement) ?? null;
  const href = a?.getAttribute("href");
  if (!href || !href.startsWith("/") || a.target) return;
  e.preventDefault();
  navigate(href);
}
