import { defineConfig } from "vitest/config";

// The web app is built into dist/, which ui/embed.go embeds in the binary.
// JSX is Preact's automatic runtime; `npm run dev` proxies the hub API and
// /ws to a running Studio (STUDIO_HUB, default http://127.0.0.1:8080).
const hub = process.env.STUDIO_HUB ?? "http://127.0.0.1:8080";
const apiPaths = [
  "/status", "/commands", "/command", "/selfcheck", "/dataplugin", "/sources", "/source/", "/inspect",
  "/mapping", "/buildconf", "/build/", "/builds", "/index", "/diff", "/sync", "/release_note", "/api/", "/api",
  "/job_manager",
];

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", sourcemap: false },
  server: {
    proxy: Object.fromEntries([
      // A page load of a client-side route (/sources/cgi) gets the app, not the API.
      ...apiPaths.map((p) => [p, {
        target: hub,
        bypass: (req: { headers: Record<string, string | string[] | undefined> }) =>
          String(req.headers.accept ?? "").includes("text/html") ? "/index.html" : undefined,
      }]),
      ["/ws", { target: hub.replace(/^http/, "ws"), ws: true }],
    ]),
  },
  test: { environment: "happy-dom", include: ["src/**/*.test.{ts,tsx}"] },
});
