// The web app's pages, listed once in ui/routes.json: the client-side
// router (router.ts) matches paths against it, the Go server (ui/embed.go)
// answers a browser loading one of them with the app, and the Vite dev
// server does the same. A pattern's segments are literals, {param} (any one
// segment) or {param:a|b} (one of the listed words).

import list from "../../routes.json";

export interface AppRoute {
  path: string;
  page: string;
}

export const appRoutes: readonly AppRoute[] = list;

/** matchRoute finds the page of a path and its parameters (decoded), or undefined. */
export function matchRoute(path: string, routes: readonly AppRoute[] = appRoutes): { page: string; params: Record<string, string> } | undefined {
  const parts = path.replace(/\/+$/, "").split("/").filter(Boolean);
  for (const r of routes) {
    const pattern = r.path.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((seg, i) => {
      const m = /^\{(\w+)(?::([\w|]+))?\}$/.exec(seg);
      let value: string;
      try {
        value = decodeURIComponent(parts[i]);
      } catch {
        return false;
      }
      if (!m) return seg === value;
      if (m[2] && !m[2].split("|").includes(value)) return false;
      params[m[1]] = value;
      return value !== "";
    });
    if (ok) return { page: r.page, params };
  }
  return undefined;
}
