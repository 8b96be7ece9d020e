// Formatting of counts, sizes, durations, dates and progress, the same on
// every page (and in tests: always en-US digits).

import type { Progress } from "./types";

const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** count formats an integer with thousands separators: 12,345. */
export function count(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return "—";
  return intFmt.format(n);
}

/** bytes formats a size: 512 B, 1.5 kB, 23.4 MB. */
export function bytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return "—";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? intFmt.format(v) : oneFmt.format(v)} ${units[i]}`;
}

/** duration formats seconds: 0.4 s, 11 s, 2 min 5 s, 1 h 3 min, 2 d 4 h. */
export function duration(secs: number | undefined | null): string {
  if (secs === undefined || secs === null || !Number.isFinite(secs) || secs < 0) return "—";
  if (secs < 10) return `${oneFmt.format(secs)} s`;
  const s = Math.round(secs);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** date formats an ISO time in the browser's locale, "—" when absent. */
export function date(iso: string | undefined | null): string {
  if (!iso) return "—";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleString();
}

/** ago says how long ago an ISO time was: "5 s ago", "3 min ago". */
export function ago(iso: string | undefined | null, now = Date.now()): string {
  if (!iso) return "—";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const secs = Math.max(0, (now - t) / 1000);
  return secs < 1 ? "just now" : `${duration(Math.floor(secs))} ago`;
}

/** percent of done over total, or undefined when the total is unknown. */
export function percent(p: Progress | undefined): number | undefined {
  if (!p || !p.total || p.total <= 0) return undefined;
  return Math.min(100, (100 * (p.done ?? 0)) / p.total);
}

/** eta is the seconds left at the current rate, undefined when unknowable. */
export function eta(p: Progress | undefined): number | undefined {
  if (!p || !p.total || p.total <= 0 || !p.rate || p.rate <= 0) return undefined;
  const left = p.total - (p.done ?? 0);
  if (left <= 0) return 0;
  return left / p.rate;
}

function amount(n: number, unit: string | undefined): string {
  return unit === "bytes" ? bytes(n) : count(n);
}

function rateText(rate: number, unit: string | undefined): string {
  if (unit === "bytes") return `${bytes(rate)}/s`;
  return `${rate < 10 ? oneFmt.format(rate) : intFmt.format(rate)}/s`;
}

/**
 * progressText is one line for a heartbeat's progress:
 * "12,345 / 100,000 docs · 8,100/s · ETA 11 s". Without a total it is the
 * count and rate only; with a total but no rate yet, "ETA unknown".
 */
export function progressText(p: Progress | undefined): string {
  if (!p) return "";
  const done = p.done ?? 0;
  const unit = p.unit && p.unit !== "bytes" ? ` ${p.unit}` : "";
  const parts: string[] = [];
  const known = !!p.total && p.total > 0;
  parts.push(known ? `${amount(done, p.unit)} / ${amount(p.total!, p.unit)}${unit}` : `${amount(done, p.unit)}${unit}`);
  if (p.rate && p.rate > 0) parts.push(rateText(p.rate, p.unit));
  if (known && done < p.total!) {
    const left = eta(p);
    parts.push(left === undefined ? "ETA unknown" : `ETA ${duration(left)}`);
  }
  return parts.join(" · ");
}

/**
 * latencyColour is the live indicator's colour: green below 100 ms, orange
 * below 500 ms, red from 500 ms and while disconnected.
 */
export function latencyColour(ms: number | undefined, connected: boolean): "green" | "orange" | "red" {
  if (!connected) return "red";
  if (ms === undefined) return "green";
  if (ms < 100) return "green";
  if (ms < 500) return "orange";
  return "red";
}
