import { describe, expect, it } from "vitest";
import { cellText, idColumn, reshaped, typeName, type GenOptions } from "./plugingen";

const base: GenOptions = { name: "cgi", format: "tsv", id: "{gDNA}", skip_empty_id: true, root: "cgi", fields: [], group: false };

describe("plugingen helpers", () => {
  it("reads the column of an _id template", () => {
    expect(idColumn("{gDNA}")).toBe("gDNA");
    expect(idColumn("{chrom}:{pos}")).toBe("");
    expect(idColumn("gDNA")).toBe("");
  });
  it("tells changes that reshape the columns", () => {
    expect(reshaped(base, { ...base, group: true, id: "{Gene}" })).toBe(false);
    expect(reshaped(base, { ...base, format: "csv" })).toBe(true);
    expect(reshaped(base, { ...base, skip_lines: 2 })).toBe(true);
    expect(reshaped(base, { ...base, delimiter: ";" })).toBe(true);
  });
  it("writes cells", () => {
    expect(cellText(null)).toBe("");
    expect(cellText("a>b")).toBe("a>b");
    expect(cellText(["ABL1", "ABL1"])).toBe('["ABL1","ABL1"]');
    expect(cellText(3)).toBe("3");
    expect(typeName("int")).toBe("integer");
    expect(typeName("")).toBe("as read");
  });
});
