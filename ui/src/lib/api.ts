// The hub REST API client: every answer is the envelope
// {"status":"ok","result":...} or {"status":"error","error":"..."}.

import type { paths } from "./api.gen";

const TOKEN_KEY = "studio.hubToken";

/** HubError is a failed hub request, carrying the hub's own message. */
export class HubError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "HubError";
  }
}

/** The hub token, stored in localStorage when the hub asks for one. */
export function getToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return "";
  }
}

export function setToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage refused (private mode): the token lives for this page only
  }
  tokenListeners.forEach((f) => f(token));
}

const tokenListeners = new Set<(token: string) => void>();
/** onTokenChange calls f whenever a new token is saved. */
export function onTokenChange(f: (token: string) => void): () => void {
  tokenListeners.add(f);
  return () => tokenListeners.delete(f);
}

const unauthorizedListeners = new Set<(message: string) => void>();
/** onUnauthorized calls f when a request comes back 401. */
export function onUnauthorized(f: (message: string) => void): () => void {
  unauthorizedListeners.add(f);
  return () => unauthorizedListeners.delete(f);
}

export type Method = "GET" | "POST" | "PUT" | "DELETE";

/** request sends one hub request and returns the envelope's result. */
export async function request<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new HubError(`the hub does not answer (${method} ${path}): ${(e as Error).message}`, 0);
  }
  const text = await res.text();
  let env: { status?: string; result?: unknown; error?: string } | undefined;
  try {
    env = text ? JSON.parse(text) : undefined;
  } catch {
    env = undefined;
  }
  if (res.status === 401) {
    const msg = env?.error ?? "the hub needs its token";
    unauthorizedListeners.forEach((f) => f(msg));
    throw new HubError(msg, 401);
  }
  if (!res.ok || env?.status !== "ok") {
    const msg = env?.error ?? (text.trim() || `${method} ${path}: HTTP ${res.status}`);
    throw new HubError(msg, res.status);
  }
  return env.result as T;
}

export const get = <T = unknown>(path: string) => request<T>("GET", path);
export const post = <T = unknown>(path: string, body?: unknown) => request<T>("POST", path, body);
export const put = <T = unknown>(path: string, body?: unknown) => request<T>("PUT", path, body);
export const del = <T = unknown>(path: string, body?: unknown) => request<T>("DELETE", path, body);

/** errorText is what the user sees for a failed request. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

// ---- Typed calls, from the hub API's OpenAPI document (api.gen.ts)


/** HttpMethod is a method of the hub API, as the document writes it. */
export type HttpMethod = "get" | "put" | "post" | "delete";

type Operation<P extends keyof paths, M extends HttpMethod> = NonNullable<paths[P][M]>;

/** RouteOf is every route of the hub that answers method M. */
export type RouteOf<M extends HttpMethod> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

type JSONContent<T> = T extends { content: { "application/json": infer C } } ? C : never;

/** Result is what the envelope of a success of method M on route P holds. */
export type Result<P extends keyof paths, M extends HttpMethod> =
  Operation<P, M> extends { responses: { 200: infer R } } ? (JSONContent<R> extends { result: infer T } ? T : never) : never;

type PathParams<P extends keyof paths, M extends HttpMethod> = Operation<P, M> extends { parameters: { path: infer X } } ? X : never;
type QueryParams<P extends keyof paths, M extends HttpMethod> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** Body is the request body of method M on route P. */
export type Body<P extends keyof paths, M extends HttpMethod> = Operation<P, M> extends { requestBody?: infer B } ? JSONContent<NonNullable<B>> : never;

type BodyArg<P extends keyof paths, M extends HttpMethod> =
  Operation<P, M> extends { requestBody: infer B }
    ? { body: JSONContent<B> }
    : [Body<P, M>] extends [never]
      ? { body?: never }
      : { body?: Body<P, M> };

/** Args are a call's path parameters, query and body, as the route takes them. */
export type Args<P extends keyof paths, M extends HttpMethod> = ([PathParams<P, M>] extends [never]
  ? { path?: never }
  : { path: PathParams<P, M> }) &
  ([QueryParams<P, M>] extends [never] ? { query?: never } : { query?: QueryParams<P, M> }) &
  BodyArg<P, M>;

type ArgList<P extends keyof paths, M extends HttpMethod> = {} extends Args<P, M> ? [args?: Args<P, M>] : [args: Args<P, M>];

/**
 * hubPath fills a route's {parameters} (each escaped as one path segment)
 * and appends its query, leaving out parameters that are undefined.
 */
export function hubPath(route: string, path?: Record<string, string | number>, query?: Record<string, string | number | boolean | undefined>): string {
  const filled = route.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = path?.[name];
    if (v === undefined) throw new Error(`${route}: path parameter ${name} missing`);
    return encodeURIComponent(String(v));
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${filled}?${qs}` : filled;
}

const methods: Record<HttpMethod, Method> = { get: "GET", put: "PUT", post: "POST", delete: "DELETE" };

/** call sends one request to a route of the hub API, typed by the document. */
export function call<M extends HttpMethod, P extends RouteOf<M>>(method: M, route: P, ...[args]: ArgList<P, M>): Promise<Result<P, M>> {
  const a = (args ?? {}) as { path?: Record<string, string | number>; query?: Record<string, string | number | boolean | undefined>; body?: unknown };
  return request<Result<P, M>>(methods[method], hubPath(route, a.path, a.query), a.body);
}

/** api calls the hub by method: api.get("/source/{name}", { path: { name } }). */
export const api = {
  get: <P extends RouteOf<"get">>(route: P, ...args: ArgList<P, "get">) => call("get", route, ...args),
  put: <P extends RouteOf<"put">>(route: P, ...args: ArgList<P, "put">) => call("put", route, ...args),
  post: <P extends RouteOf<"post">>(route: P, ...args: ArgList<P, "post">) => call("post", route, ...args),
  delete: <P extends RouteOf<"delete">>(route: P, ...args: ArgList<P, "delete">) => call("delete", route, ...args),
};
