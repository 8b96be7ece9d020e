import { describe, expect, it } from "vitest";
import { match } from "./router";
import { appRoutes, matchRoute } from "./routes";

describe("the web app's pages", () => {
  it("matches paths to pages and their parameters", () => {
    const cases: [string, unknown][] = [
      ["/", { page: "home" }],
      ["/sources", { page: "sources" }],
      ["/sources/", { page: "sources" }],
      ["/sources/cgi", { page: "source", name: "cgi" }],
      ["/sources/a%2Fb", { page: "source", name: "a/b" }],
      ["/builds/b_1", { page: "build", id: "b_1" }],
      ["/plugins/new", { page: "newplugin" }],
      ["/explorer", { page: "explore" }],
      ["/explorer/index/cgi", { page: "explorer", kind: "index", name: "cgi" }],
      ["/explorer/build/b_1", { page: "explorer", kind: "build", name: "b_1" }],
      ["/charts/source/cgi", { page: "charts", kind: "source", name: "cgi" }],
      ["/charts/compare/b_1/b_2", { page: "charts", kind: "compare", name: "b_1", other: "b_2" }],
      ["/plugins", { page: "notfound", path: "/plugins" }],
      ["/explorer/other/x", { page: "notfound", path: "/explorer/other/x" }],
      ["/charts/compare/b_1", { page: "notfound", path: "/charts/compare/b_1" }],
      ["/sources/cgi/mapping", { page: "notfound", path: "/sources/cgi/mapping" }],
      ["/source/cgi", { page: "notfound", path: "/source/cgi" }],
    ];
    for (const [path, want] of cases) expect(match(path), path).toEqual(want);
  });

  it("lists each pattern once, each with a page", () => {
    const paths = appRoutes.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const r of appRoutes) expect(r.page, r.path).toMatch(/^[a-z]+$/);
    expect(matchRoute("/%E0%A4%A")).toBeUndefined();
  });
});
