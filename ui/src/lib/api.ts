// The hub REST API client: every answer is the envelope
// {"status":"ok","result":...} or {"status":"error","error":"..."}.

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
