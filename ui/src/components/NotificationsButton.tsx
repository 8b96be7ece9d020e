// The notifications button with its unread badge, and the panel listing
// every workflow that completed or failed. Opening the panel marks all read.

import { useState } from "preact/hooks";
import { ago } from "../lib/format";
import { useNotifications } from "../lib/hooks";
import { Dialog } from "./Dialog";

export function NotificationsButton() {
  const n = useNotifications();
  const [open, setOpen] = useState(false);
  const unread = n.unread;
  const toggle = () => {
    if (!open) n.markAllRead();
    setOpen(!open);
  };
  return (
    <div class="popover-anchor">
      <button type="button" class="header-button" aria-label="Notifications" aria-expanded={open} data-dialog-opener onClick={toggle}>
        <svg class="bell" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        <span class={`badge${unread ? "" : " zero"}`} data-testid="unread-count">
          {unread}
        </span>
      </button>
      {open && (
        <Dialog title="Notifications" modal={false} onClose={() => setOpen(false)} class="notifications">
          {n.items.length === 0 ? (
            <p class="muted">No notifications yet: they appear here when a command completes or fails.</p>
          ) : (
            <ul class="notification-list">
              {n.items.map((i) => (
                <li key={i.key} data-testid="notification" class={i.ok ? "ok" : "failed"}>
                  <span class={`status-dot ${i.ok ? "ok" : "failed"}`} aria-hidden="true" />
                  <div>
                    <div>
                      <strong>{i.workflowType || "Command"}</strong> {i.ok ? "completed" : "failed"}:{" "}
                      <code>{i.workflowId}</code>
                    </div>
                    {i.error ? <div class="error-text">{i.error}</div> : null}
                    <div class="muted small">{ago(i.time)}</div>
                  </div>
                </li>
              ))}
            </ul>
          )}
          {n.items.length > 0 && (
            <button type="button" class="link-button" onClick={() => n.clear()}>
              Clear all
            </button>
          )}
        </Dialog>
      )}
    </div>
  );
}
