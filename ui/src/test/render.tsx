// Rendering Preact components into happy-dom for tests, and a fetch stub
// that answers like the hub.

import { render, type ComponentChild } from "preact";
import { act } from "preact/test-utils";
import { vi } from "vitest";

export function mount(node: ComponentChild): HTMLElement {
  const root = document.createElement("div");
  document.body.appendChild(root);
  act(() => render(node, root));
  return root;
}

export function unmountAll(): void {
  for (const el of Array.from(document.body.children)) {
    act(() => render(null, el as HTMLElement));
    el.remove();
  }
}

/** settle lets pending promises and effects run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
  }
}

export interface Call {
  method: string;
  url: string;
  body?: unknown;
}

type Answer = { status?: number; result?: unknown; error?: string };

/**
 * hubFetch stubs fetch: route(method, url, body) answers each request; the
 * answer becomes the hub's envelope.
 */
export function hubFetch(route: (call: Call) => Answer) {
  const calls: Call[] = [];
  const fn = vi.fn(async (url: string, init?: RequestInit) => {
    const call: Call = { method: init?.method ?? "GET", url, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const a = route(call);
    const status = a.status ?? 200;
    const env = status < 400 ? { status: "ok", result: a.result } : { status: "error", error: a.error, code: status };
    return new Response(JSON.stringify(env), { status, headers: { "Content-Type": "application/json" } });
  });
  vi.stubGlobal("fetch", fn);
  return calls;
}

export function click(el: Element | null | undefined): void {
  if (!el) throw new Error("nothing to click");
  act(() => {
    (el as HTMLElement).click();
  });
}

export function byTestId(root: ParentNode, id: string): HTMLElement | null {
  return root.querySelector(`[data-testid="${id}"]`);
}

export function button(root: ParentNode, name: string): HTMLButtonElement {
  const b = Array.from(root.querySelectorAll("button")).find((x) => (x.getAttribute("aria-label") ?? x.textContent?.trim()) === name);
  if (!b) throw new Error(`no button ${name}`);
  return b;
}
