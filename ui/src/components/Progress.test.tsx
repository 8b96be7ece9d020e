import { afterEach, describe, expect, it } from "vitest";
import { duration, eta, percent, progressText } from "../lib/format";
import { mount, unmountAll } from "../test/render";
import { ProgressView } from "./Progress";

describe("progress text", () => {
  it.each([
    ["counts, rate and ETA", { unit: "docs", done: 12345, total: 100000, rate: 8100 }, "12,345 / 100,000 docs · 8,100/s · ETA 11 s"],
    ["an unknown total: no ETA", { unit: "docs", done: 12345, rate: 8100 }, "12,345 docs · 8,100/s"],
    ["a zero total counts as unknown", { unit: "docs", done: 5, total: 0, rate: 2.5 }, "5 docs · 2.5/s"],
    ["a zero rate: the ETA is unknown", { unit: "docs", done: 10, total: 100, rate: 0 }, "10 / 100 docs · ETA unknown"],
    ["no rate yet", { unit: "files", done: 0, total: 3 }, "0 / 3 files · ETA unknown"],
    ["done: no ETA", { unit: "docs", done: 100, total: 100, rate: 50 }, "100 / 100 docs · 50/s"],
    ["bytes are sizes", { unit: "bytes", done: 1_500_000, total: 50_000_000, rate: 2_000_000 }, "1.5 MB / 50 MB · 2 MB/s · ETA 24 s"],
    ["a long ETA in minutes", { unit: "docs", done: 0, total: 1_000_000, rate: 1000 }, "0 / 1,000,000 docs · 1,000/s · ETA 16 min 40 s"],
  ])("%s", (_, p, want) => {
    expect(progressText(p)).toBe(want);
  });

  it("computes percent and ETA only when they can be known", () => {
    expect(percent({ done: 25, total: 200 })).toBe(12.5);
    expect(percent({ done: 25 })).toBeUndefined();
    expect(percent({ done: 300, total: 200 })).toBe(100);
    expect(eta({ done: 50, total: 150, rate: 10 })).toBe(10);
    expect(eta({ done: 50, total: 150, rate: 0 })).toBeUndefined();
    expect(eta({ done: 50, rate: 10 })).toBeUndefined();
  });

  it.each([
    [0.25, "0.3 s"],
    [11, "11 s"],
    [125, "2 min 5 s"],
    [3600, "1 h"],
    [3780, "1 h 3 min"],
    [90000, "1 d 1 h"],
  ])("duration(%s) = %s", (s, want) => {
    expect(duration(s)).toBe(want);
  });
});

describe("ProgressView", () => {
  afterEach(unmountAll);

  it("shows a determinate bar with the counts when the total is known", () => {
    const root = mount(<ProgressView progress={{ step: "parse", unit: "docs", done: 250, total: 1000, rate: 125 }} />);
    const bar = root.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute("aria-valuenow")).toBe("250");
    expect(bar.getAttribute("aria-valuemax")).toBe("1000");
    expect(bar.getAttribute("aria-valuetext")).toBe("25%");
    expect((bar.querySelector(".fill") as HTMLElement).style.width).toBe("25%");
    expect(root.textContent).toContain("250 / 1,000 docs · 125/s · ETA 6 s");
    expect(root.textContent).toContain("25%");
  });

  it("shows an indeterminate bar without numbers it cannot know", () => {
    const root = mount(<ProgressView progress={{ unit: "bytes", done: 2048 }} />);
    const bar = root.querySelector('[role="progressbar"]')!;
    expect(bar.hasAttribute("aria-valuenow")).toBe(false);
    expect(bar.hasAttribute("aria-valuemax")).toBe(false);
    expect(bar.classList.contains("indeterminate")).toBe(true);
    expect(root.textContent).toContain("2 kB");
    expect(root.textContent).not.toContain("ETA");
    expect(root.textContent).not.toContain("%");
  });

  it("renders nothing without progress", () => {
    const root = mount(<ProgressView />);
    expect(root.innerHTML).toBe("");
  });
});
