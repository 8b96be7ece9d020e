// Hooks shared by the pages: loading hub data, refreshing it on live
// events, and following the live channel and the notifications.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorText, onTokenChange } from "./api";
import { live, type LiveState } from "./live";
import { notifications } from "./notifications";
import type { LiveEvent } from "./types";

/** REFRESH_DEBOUNCE_MS groups a burst of workflow events into one reload. */
export const REFRESH_DEBOUNCE_MS = 400;

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/**
 * useHub loads data with load() and reloads it (debounced) on every
 * workflow event of the live channel, on reconnection and on a new token.
 * Nothing is polled on a timer.
 */
export function useHub<T>(load: () => Promise<T>, deps: unknown[] = [], refreshOn: (ev: LiveEvent) => boolean = isWorkflowEvent): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);

  const reload = useCallback(() => {
    const my = ++seq.current;
    loadRef.current().then(
      (data) => my === seq.current && setState({ data, loading: false }),
      (e) => my === seq.current && setState((s) => ({ data: s.data, error: errorText(e), loading: false })),
    );
  }, []);

  useEffect(() => {
    setState((s) => ({ ...s, loading: true }));
    reload();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(reload, REFRESH_DEBOUNCE_MS);
    };
    const offs = [
      live.onEvent((ev) => refreshOn(ev) && soon()),
      live.onConnect(soon),
      onTokenChange(soon),
    ];
    return () => {
      clearTimeout(timer);
      offs.forEach((f) => f());
    };
  }, deps);

  return { ...state, reload };
}

export function isWorkflowEvent(ev: LiveEvent): boolean {
  return ev.type.startsWith("workflow.");
}

/** useLiveState follows the live channel's connection and latency. */
export function useLiveState(): LiveState {
  const [s, set] = useState(live.state);
  useEffect(() => live.onState(set), []);
  return s;
}

/** useNotifications re-renders on every change of the notifications. */
export function useNotifications() {
  const [, set] = useState(0);
  useEffect(() => notifications.subscribe(() => set((n) => n + 1)), []);
  return notifications;
}

/** useAction runs one hub call at a time, keeping its error for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await f();
    } catch (e) {
      setError(errorText(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
