// Notifications: every workflow that completes or fails, as the live
// channel reports it, with an unread count.

import type { LiveEvent } from "./types";

export interface Notification {
  key: string;
  workflowId: string;
  workflowType: string;
  ok: boolean;
  error?: string;
  time: string;
  read: boolean;
}

const MAX_KEPT = 200;

export class Notifications {
  items: Notification[] = [];
  private listeners = new Set<() => void>();

  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  get unread(): number {
    return this.items.reduce((n, i) => n + (i.read ? 0 : 1), 0);
  }

  /** add records a workflow.completed or workflow.failed event; others are ignored. */
  add(ev: LiveEvent): void {
    if (ev.type !== "workflow.completed" && ev.type !== "workflow.failed") return;
    const key = `${ev.workflow_id}/${ev.run_id ?? ""}/${ev.type}`;
    if (this.items.some((i) => i.key === key)) return;
    this.items = [
      {
        key,
        workflowId: ev.workflow_id,
        workflowType: ev.workflow_type ?? "",
        ok: ev.type === "workflow.completed",
        error: ev.error,
        time: ev.time,
        read: false,
      },
      ...this.items,
    ].slice(0, MAX_KEPT);
    this.emit();
  }

  markAllRead(): void {
    if (this.unread === 0) return;
    this.items = this.items.map((i) => (i.read ? i : { ...i, read: true }));
    this.emit();
  }

  clear(): void {
    this.items = [];
    this.emit();
  }

  private emit(): void {
    this.listeners.forEach((f) => f());
  }
}

export const notifications = new Notifications();
