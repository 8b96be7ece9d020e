import { afterEach, describe, expect, it, vi } from "vitest";
import { api, get, hubPath, HubError, onUnauthorized, put, setToken } from "./api";

function stubFetch(status: number, body: unknown) {
  const fn = vi.fn(async () => new Response(JSON.stringify(body), { status }));
  vi.stubGlobal("fetch", fn);
  return fn;
}

describe("hub requests", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setToken("");
  });

  it("returns the envelope's result and sends JSON bodies", async () => {
    const fn = stubFetch(200, { status: "ok", result: { id: "dump/cgi" } });
    expect(await put("/source/cgi/dump", { force: true })).toEqual({ id: "dump/cgi" });
    const [url, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/source/cgi/dump");
    expect(init.method).toBe("PUT");
    expect(init.body).toBe('{"force":true}');
    expect((init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
  });

  it("throws the hub's own message", async () => {
    stubFetch(409, { status: "error", error: "a dump of cgi is already running (command dump/cgi)", code: 409 });
    const err = (await get("/x").catch((e: unknown) => e)) as HubError;
    expect(err).toBeInstanceOf(HubError);
    expect(err.message).toBe("a dump of cgi is already running (command dump/cgi)");
    expect(err.status).toBe(409);
  });

  it("asks for the token on 401 and sends it once saved", async () => {
    stubFetch(401, { status: "error", error: "the hub API needs its token", code: 401 });
    const asked: string[] = [];
    const off = onUnauthorized((m) => asked.push(m));
    await expect(get("/sources")).rejects.toThrow("the hub API needs its token");
    expect(asked).toEqual(["the hub API needs its token"]);
    off();

    setToken("s3cret");
    expect(localStorage.getItem("studio.hubToken")).toBe("s3cret");
    const fn = stubFetch(200, { status: "ok", result: [] });
    await get("/sources");
    const init = (fn.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer s3cret");
  });
});

describe("typed hub calls", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("fills path parameters, one escaped segment each, and the query", () => {
    expect(hubPath("/source/{name}/dump", { name: "cgi" })).toBe("/source/cgi/dump");
    expect(hubPath("/command/{id}", { id: "dump/cgi" })).toBe("/command/dump%2Fcgi");
    expect(hubPath("/explore/fields/compare/{old}/{new}", { old: "b 1", new: "b2" })).toBe("/explore/fields/compare/b%201/b2");
    expect(hubPath("/commands", undefined, { limit: 50, running: true, type: undefined })).toBe("/commands?limit=50&running=true");
    expect(() => hubPath("/source/{name}", {})).toThrow("path parameter name missing");
  });

  it("sends the route's method, path and body, and returns the result", async () => {
    const fn = stubFetch(200, { status: "ok", result: { id: "dump/cgi", run_id: "r1" } });
    const res = await api.put("/source/{name}/dump", { path: { name: "cgi" }, body: { force: true } });
    expect(res.id).toBe("dump/cgi");
    const [url, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/source/cgi/dump");
    expect(init.method).toBe("PUT");
    expect(init.body).toBe('{"force":true}');
  });
});
