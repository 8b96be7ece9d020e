import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { notifications } from "../lib/notifications";
import type { LiveEvent } from "../lib/types";
import { byTestId, button, click, mount, unmountAll } from "../test/render";
import { NotificationsButton } from "./NotificationsButton";

const ev = (type: string, id: string, error?: string): LiveEvent => ({
  op: "event",
  type,
  workflow_id: id,
  run_id: "r-" + id,
  workflow_type: "Dump",
  error,
  time: new Date().toISOString(),
});

describe("notifications", () => {
  afterEach(() => {
    unmountAll();
    notifications.clear();
  });

  it("counts completed and failed workflows as unread until the panel opens", () => {
    const root = mount(<NotificationsButton />);
    act(() => {
      notifications.add(ev("workflow.started", "dump/cgi"));
      notifications.add(ev("activity.progress", "dump/cgi"));
      notifications.add(ev("workflow.completed", "dump/cgi"));
      notifications.add(ev("workflow.completed", "dump/cgi")); // the same event twice
      notifications.add(ev("workflow.failed", "upload/cgi", "parser raised ValueError on line 12"));
    });
    expect(byTestId(root, "unread-count")!.textContent).toBe("2");

    click(button(root, "Notifications"));
    const dialog = document.querySelector('[role="dialog"]')!;
    expect(document.getElementById(dialog.getAttribute("aria-labelledby")!)!.textContent).toBe("Notifications");
    const items = dialog.querySelectorAll('[data-testid="notification"]');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain("parser raised ValueError on line 12");
    expect(byTestId(root, "unread-count")!.textContent).toBe("0");

    act(() => {
      dialog.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    });
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    expect(document.activeElement).toBe(button(root, "Notifications"));
  });
});
