import { describe, expect, it } from "vitest";
import { releases } from "./builds";
import type { Build } from "./types";

const build = (diff: Build["diff"]): Build => ({ _id: "b2", diff, index: { live: { status: "success", count: 10, created_at: "2026-11-27T10:00:00Z" } } }) as Build;

describe("a build's releases", () => {
  it("shows a diff not yet applied as diffed", () => {
    const r = releases(build({ b1: { folder: "/d/b1-b2", stats: { add: 2, update: 1, delete: 3 }, created_at: "2026-11-27T11:00:00Z" } }));
    expect(r.map((x) => [x.kind, x.status, x.index])).toEqual([
      ["incremental", "diffed", undefined],
      ["full", "success", "live"],
    ]);
    expect(r[0].detail).toBe("2 added, 1 updated, 3 deleted; not synced into an index yet");
  });

  it("shows each index a diff was synced into", () => {
    const r = releases(
      build({
        b1: {
          folder: "/d/b1-b2",
          stats: { add: 2, update: 1, delete: 3 },
          created_at: "2026-11-27T11:00:00Z",
          synced: [
            { index: "live", applied: 1, updated_at: "2026-11-27T12:00:00Z" },
            { index: "other", applied: 4, updated_at: "2026-11-27T13:00:00Z" },
          ],
        },
      }),
    );
    expect(r.map((x) => [x.kind, x.status, x.index])).toEqual([
      ["incremental", "synced", "other"],
      ["incremental", "synced", "live"],
      ["full", "success", "live"],
    ]);
    expect(r[1].detail).toBe("2 added, 1 updated, 3 deleted; synced into live (1 file)");
    expect(r[0].detail).toContain("(4 files)");
  });
});
