import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { latencyColour } from "../lib/format";
import { backoff, LiveChannel, type LiveState, wsURL } from "../lib/live";
import { mount, unmountAll } from "../test/render";
import { LiveIndicator } from "./LiveIndicator";

describe("live indicator colour", () => {
  it.each([
    [0, "green"],
    [99, "green"],
    [99.9, "green"],
    [100, "orange"],
    [499, "orange"],
    [500, "red"],
    [3000, "red"],
  ] as const)("%s ms is %s", (ms, colour) => {
    expect(latencyColour(ms, true)).toBe(colour);
  });

  it("is red while disconnected, whatever the last latency", () => {
    expect(latencyColour(5, false)).toBe("red");
  });
});

describe("LiveIndicator", () => {
  afterEach(unmountAll);

  it.each([
    [{ connected: true, latencyMs: 12 }, "connected", "green", "12", "Live channel connected, 12 ms"],
    [{ connected: true, latencyMs: 250 }, "connected", "orange", "250", "Live channel connected, 250 ms"],
    [{ connected: true, latencyMs: 800 }, "connected", "red", "800", "Live channel connected, 800 ms"],
    [{ connected: false }, "disconnected", "red", null, "Live channel disconnected, reconnecting"],
  ] as [LiveState, string, string, string | null, string][])("%j", (state, dataState, colour, latency, label) => {
    const root = mount(<LiveIndicator state={state} />);
    const el = root.querySelector('[data-testid="live-indicator"]')!;
    expect(el.getAttribute("role")).toBe("status");
    expect(el.getAttribute("data-state")).toBe(dataState);
    expect(el.getAttribute("data-colour")).toBe(colour);
    expect(el.classList.contains(`live-${colour}`)).toBe(true);
    expect(el.getAttribute("data-latency-ms")).toBe(latency);
    expect(el.getAttribute("aria-label")).toBe(label);
  });
});

// A socket the test drives by hand.
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(s: string) {
    this.sent.push(s);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(v: unknown) {
    this.onmessage?.({ data: JSON.stringify(v) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

describe("LiveChannel", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    vi.stubGlobal("WebSocket", { OPEN: 1 });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("pings every 2 s, measures the round trip, and reconnects after a drop within 2 s", () => {
    const ch = new LiveChannel((u) => new FakeSocket(u) as unknown as WebSocket);
    const states: LiveState[] = [];
    const events: string[] = [];
    ch.onState((s) => states.push(s));
    ch.onEvent((e) => events.push(e.type));
    ch.start();
    const ws = FakeSocket.all[0];
    expect(ws.url).toMatch(/\/ws$/);
    ws.open();
    expect(ch.state.connected).toBe(true);
    expect(ws.sent).toHaveLength(1);
    const t = JSON.parse(ws.sent[0]).t;
    vi.advanceTimersByTime(2000);
    expect(ws.sent).toHaveLength(2);

    vi.spyOn(performance, "now").mockReturnValue(t + 42);
    ws.receive({ op: "pong", t });
    expect(ch.state).toEqual({ connected: true, latencyMs: 42 });
    ws.receive({ op: "event", type: "workflow.completed", workflow_id: "selfcheck/1", time: "" });
    expect(events).toEqual(["workflow.completed"]);
    vi.mocked(performance.now).mockRestore();

    ws.drop();
    expect(ch.state.connected).toBe(false);
    for (let i = 0; i < 5; i++) {
      const before = FakeSocket.all.length;
      vi.advanceTimersByTime(2000);
      expect(FakeSocket.all.length).toBe(before + 1);
      FakeSocket.all[FakeSocket.all.length - 1].drop();
    }
    FakeSocket.all[FakeSocket.all.length - 1].drop();
    ch.stop();
  });

  it("backs off from 250 ms to at most 2 s", () => {
    expect([0, 1, 2, 3, 4, 10].map(backoff)).toEqual([250, 500, 1000, 2000, 2000, 2000]);
  });

  it("treats a socket that stops answering pings as disconnected", () => {
    const ch = new LiveChannel((u) => new FakeSocket(u) as unknown as WebSocket);
    ch.start();
    FakeSocket.all[0].open();
    vi.advanceTimersByTime(10000);
    expect(ch.state.connected).toBe(false);
    ch.stop();
  });

  it("puts the hub token on the websocket URL", () => {
    expect(wsURL({ protocol: "https:", host: "studio.example:8443" }, "a b")).toBe("wss://studio.example:8443/ws?token=a%20b");
    expect(wsURL({ protocol: "http:", host: "127.0.0.1:8080" }, "")).toBe("ws://127.0.0.1:8080/ws");
  });
});
