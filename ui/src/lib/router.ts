// A small client-side router on the History API: the Go server answers
// index.html for every unknown path, so these routes survive a reload.

import { useEffect, useState } from "preact/hooks";

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

/** match turns a path into a route. */
export function match(path: string): Route {
  const parts = path.replace(/\/+$/, "").split("/").filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case undefined:
      return { page: "home" };
    case "sources":
      return parts[1] ? { page: "source", name: parts[1] } : { page: "sources" };
    case "builds":
      return parts[1] ? { page: "build", id: parts[1] } : { page: "builds" };
    case "apis":
      return { page: "apis" };
    case "commands":
      return { page: "commands" };
    case "plugins":
      if (parts[1] === "new" && parts.length === 2) return { page: "newplugin" };
      break;
    case "explorer":
      if (!parts[1]) return { page: "explore" };
      if ((parts[1] === "index" || parts[1] === "build") && parts[2]) return { page: "explorer", kind: parts[1], name: parts[2] };
      break;
    case "charts":
      if ((parts[1] === "source" || parts[1] === "build") && parts[2]) return { page: "charts", kind: parts[1], name: parts[2] };
      if (parts[1] === "compare" && parts[2] && parts[3]) return { page: "charts", kind: "compare", name: parts[2], other: parts[3] };
      break;
  }
  return { page: "notfound", path };
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
