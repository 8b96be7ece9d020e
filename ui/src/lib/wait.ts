// Waiting for a command to finish, woken by the live channel's workflow
// events (and checked every 10 s in case an event was missed).

import { api } from "./api";
import { live } from "./live";
import type { Command } from "./types";

const CHECK_MS = 10000;

export function waitForCommand(id: string, signal?: AbortSignal): Promise<Command> {
  return new Promise((resolve, reject) => {
    let done = false;
    let checking = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      off();
      offConnect();
      clearInterval(timer);
      f();
    };
    const check = async () => {
      if (done || checking) return;
      checking = true;
      try {
        const c = await api.get("/command/{id}", { path: { id } });
        if (c.status !== "running") finish(() => resolve(c));
      } catch (e) {
        finish(() => reject(e));
      } finally {
        checking = false;
      }
    };
    const off = live.onEvent((ev) => {
      if (ev.workflow_id === id && ev.type.startsWith("workflow.") && ev.type !== "workflow.started") void check();
    });
    const offConnect = live.onConnect(() => void check());
    const timer = setInterval(check, CHECK_MS);
    signal?.addEventListener("abort", () => finish(() => reject(new Error("canceled"))));
    void check();
  });
}
