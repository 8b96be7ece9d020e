// The live channel's indicator: a dot coloured by the ping round trip
// (green < 100 ms, orange < 500 ms, red above or disconnected).

import { latencyColour } from "../lib/format";
import type { LiveState } from "../lib/live";

export function LiveIndicator({ state }: { state: LiveState }) {
  const colour = latencyColour(state.latencyMs, state.connected);
  const ms = state.latencyMs;
  const label = state.connected
    ? `Live channel connected${ms !== undefined ? `, ${ms} ms` : ""}`
    : "Live channel disconnected, reconnecting";
  return (
    <span
      class={`live live-${colour}`}
      data-testid="live-indicator"
      data-state={state.connected ? "connected" : "disconnected"}
      data-colour={colour}
      data-latency-ms={state.connected && ms !== undefined ? String(ms) : undefined}
      role="status"
      aria-label={label}
      title={label}
    >
      <span class="dot" aria-hidden="true" />
      <span class="live-text" aria-hidden="true">
        {state.connected ? (ms !== undefined ? `${ms} ms` : "live") : "offline"}
      </span>
    </span>
  );
}
