import { afterEach, describe, expect, it, vi } from "vitest";
import { button, click, hubFetch, mount, settle, unmountAll } from "../test/render";
import { CommandRow, sortCommands } from "./Commands";
import type { Command } from "../lib/types";

const running: Command = { id: "dump/cgi", run_id: "r1", type: "Dump", status: "running", start_time: "2026-11-27T10:00:00Z", duration: 3 };

describe("a command row", () => {
  afterEach(() => {
    unmountAll();
    vi.unstubAllGlobals();
  });

  it("cancels a running command through the hub", async () => {
    const calls = hubFetch(() => ({ result: { id: "dump/cgi", canceled: true } }));
    const root = mount(<CommandRow cmd={running} link="" />);
    click(button(root, "Cancel dump/cgi"));
    await settle();
    expect(calls).toEqual([{ method: "DELETE", url: "/command/dump%2Fcgi", body: undefined }]);
    expect(button(root, "Cancel dump/cgi").disabled).toBe(true);
  });

  it("shows the hub's refusal and lets the user try again", async () => {
    hubFetch(() => ({ status: 409, error: "command dump/cgi is completed: only a running command can be canceled" }));
    const root = mount(<CommandRow cmd={running} link="" />);
    click(button(root, "Cancel dump/cgi"));
    await settle();
    expect(root.querySelector("[role=alert]")?.textContent).toContain("only a running command can be canceled");
    expect(button(root, "Cancel dump/cgi").disabled).toBe(false);
  });

  it("offers no cancel on a finished command", () => {
    const root = mount(<CommandRow cmd={{ ...running, status: "completed" }} link="" />);
    expect(root.querySelector("button")).toBeNull();
  });

  it("lists running commands first, then the newest", () => {
    const list = sortCommands([
      { ...running, id: "a", status: "completed", start_time: "2026-11-27T09:00:00Z" },
      { ...running, id: "b", status: "completed", start_time: "2026-11-27T11:00:00Z" },
      { ...running, id: "c", start_time: "2026-11-27T08:00:00Z" },
    ]);
    expect(list.map((c) => c.id)).toEqual(["c", "b", "a"]);
  });
});
