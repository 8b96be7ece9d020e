// The live channel: one websocket to /ws, pinged every 2 s to measure its
// latency, reconnected with backoff (never more than 2 s between attempts),
// fanning workflow events out to the pages.

import { getToken, onTokenChange } from "./api";
import type { LiveEvent } from "./types";

export interface LiveState {
  connected: boolean;
  latencyMs?: number;
}

type Listener<T> = (v: T) => void;

export const PING_INTERVAL_MS = 2000;
const MAX_BACKOFF_MS = 2000;
// A socket that answers no ping for this long is treated as dead.
const STALE_MS = 7000;

/** wsURL is the live channel's URL for this page, with the hub token. */
export function wsURL(loc: { protocol: string; host: string } = location, token = getToken()): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ""}`;
}

/** backoff is the wait before reconnect attempt n (0-based): 250 ms doubling up to 2 s. */
export function backoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt);
}

export class LiveChannel {
  state: LiveState = { connected: false };
  private ws?: WebSocket;
  private attempts = 0;
  private pingTimer?: ReturnType<typeof setInterval>;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private lastPong = 0;
  private stopped = true;
  private stateListeners = new Set<Listener<LiveState>>();
  private eventListeners = new Set<Listener<LiveEvent>>();
  private connectListeners = new Set<() => void>();

  constructor(private makeSocket: (url: string) => WebSocket = (u) => new WebSocket(u)) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    onTokenChange(() => this.reconnectNow());
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.teardown();
  }

  onState(f: Listener<LiveState>): () => void {
    this.stateListeners.add(f);
    return () => this.stateListeners.delete(f);
  }

  onEvent(f: Listener<LiveEvent>): () => void {
    this.eventListeners.add(f);
    return () => this.eventListeners.delete(f);
  }

  /** onConnect is called on every (re)connection: events may have been missed. */
  onConnect(f: () => void): () => void {
    this.connectListeners.add(f);
    return () => this.connectListeners.delete(f);
  }

  private setState(s: LiveState): void {
    this.state = s;
    this.stateListeners.forEach((f) => f(s));
  }

  private reconnectNow(): void {
    if (this.stopped) return;
    this.teardown();
    this.attempts = 0;
    clearTimeout(this.retryTimer);
    this.open();
  }

  private open(): void {
    let ws: WebSocket;
    try {
      ws = this.makeSocket(wsURL());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempts = 0;
      this.lastPong = performance.now();
      this.setState({ connected: true, latencyMs: this.state.latencyMs });
      this.ping();
      this.pingTimer = setInterval(() => this.ping(), PING_INTERVAL_MS);
      this.connectListeners.forEach((f) => f());
    };
    ws.onmessage = (m) => {
      if (this.ws !== ws) return;
      let msg: { op?: string; t?: number; type?: string };
      try {
        msg = JSON.parse(String(m.data));
      } catch {
        return;
      }
      if (msg.op === "pong" && typeof msg.t === "number") {
        this.lastPong = performance.now();
        this.setState({ connected: true, latencyMs: Math.max(0, Math.round(performance.now() - msg.t)) });
      } else if (msg.op === "event") {
        this.eventListeners.forEach((f) => f(msg as unknown as LiveEvent));
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.teardown();
      this.setState({ connected: false });
      this.scheduleRetry();
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry
    };
  }

  private ping(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (performance.now() - this.lastPong > STALE_MS) {
      ws.close();
      if (this.ws === ws) {
        this.teardown();
        this.setState({ connected: false });
        this.scheduleRetry();
      }
      return;
    }
    ws.send(JSON.stringify({ op: "ping", t: performance.now() }));
  }

  private teardown(): void {
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), backoff(this.attempts++));
  }
}

/** live is the app's one live channel. */
export const live = new LiveChannel();
