// @vitest-environment node
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { generate, outputPath } from "../../scripts/api-types.mjs";

describe("api.gen.ts", () => {
  it("is what the hub API's OpenAPI document gives (else: npm run gen:api)", async () => {
    const committed = await readFile(outputPath, "utf8");
    expect(committed === (await generate()), "ui/src/lib/api.gen.ts is stale: run `cd ui && npm run gen:api` and commit it").toBe(true);
  });
});
