import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { matchRoute } from "./src/lib/routes";

// The web app is built into dist/, which ui/embed.go embeds in the binary.
// JSX is Preact's automatic runtime; `npm run dev` proxies the hub API and
// /ws to a running Studio (STUDIO_HUB, default http://127.0.0.1:8080).
const hub = process.env.STUDIO_HUB ?? "http://127.0.0.1:8080";

// The hub API's routes come from its OpenAPI document: every first segment
// of its paths (/source, /sources, /build, ..., /openapi.json) is proxied.
const doc = JSON.parse(readFileSync(new URL("../internal/app/hubapi/openapi.json", import.meta.url), "utf8")) as { paths: Record<string, unknown> };
const prefixes = [...new Set(Object.keys(doc.paths).map((p) => p.split("/")[1]))].filter((p) => p !== "ws");
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const apiPattern = `^/(${prefixes.map(escape).join("|")})(/|\\?|$)`;

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", sourcemap: false },
  server: {
    proxy: {
      // A browser loading one of the app's pages (ui/routes.json) that shares
      // its path with the API (/sources, /builds, /commands) gets the app.
      [apiPattern]: {
        target: hub,
        bypass: (req: { url?: string; headers: Record<string, string | string[] | undefined> }) =>
          String(req.headers.accept ?? "").includes("text/html") && matchRoute((req.url ?? "").split("?")[0]) ? "/index.html" : undefined,
      },
      "/ws": { target: hub.replace(/^http/, "ws"), ws: true },
    },
  },
  test: { environment: "happy-dom", include: ["src/**/*.test.{ts,tsx}"] },
});
