import { describe, expect, it } from "vitest";
import { bucketLabel, topUnion } from "./Charts";

describe("chart helpers", () => {
  it("labels buckets: one integer, or a range", () => {
    expect(bucketLabel({ from: 3, to: 4 })).toBe("3");
    expect(bucketLabel({ from: 0, to: 2.5 })).toBe("0–2.500");
    expect(bucketLabel({ from: 1000, to: 3000 })).toBe("1,000–3,000");
  });

  it("puts both sides' top values together, biggest first", () => {
    const fs = (top: [string | number, number][]) => ({ types: {}, docs: 0, distinct: top.length, top: top.map(([value, count]) => ({ value, count })) });
    const got = topUnion({ field: "g", status: "changed", docs: 0, old: fs([["ABL1", 3], ["KIT", 1]]), new: fs([["ABL1", 2], ["EGFR", 5], [1, 1]]) });
    expect(got).toEqual([
      { value: "EGFR", old: 0, new: 5 },
      { value: "ABL1", old: 3, new: 2 },
      { value: "KIT", old: 1, new: 0 },
      { value: 1, old: 0, new: 1 },
    ]);
  });
});
