import { act } from "preact/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { button, byTestId, click, hubFetch, mount, settle, unmountAll, type Call } from "../test/render";
import { NewPluginPage } from "./NewPlugin";
import type { GenOptions, GenPlan } from "../lib/plugingen";

const options: GenOptions = {
  name: "genes",
  format: "tsv",
  id: "{gene}",
  skip_empty_id: true,
  root: "genes",
  group: false,
  fields: [
    { column: "gene", path: "gene", type: "str", keep: true },
    { column: "pos", path: "pos", type: "int", keep: true },
  ],
};

function planOf(o: GenOptions, docs: number): GenPlan {
  return {
    sample: { url: "http://lab/genes.tsv", name: "genes.tsv", data_file: "genes.tsv", compression: "", bytes: 30, lines: 4, truncated: false, limit: "the whole file (4 lines, 30 bytes)" },
    inferred: {
      format: "tsv",
      rows: 3,
      columns: [
        { name: "gene", type: "str", empty: 0, distinct: 2, unique: false, examples: ["ABL1", "KRAS"] },
        { name: "pos", type: "int", empty: 0, distinct: 3, unique: true, examples: ["1", "2"] },
      ],
      id_candidates: ["pos"],
    },
    options: o,
    manifest: { dumper: { data_url: "http://lab/genes.tsv" } },
    preview: {
      parser: {},
      columns: ["_id", "gene", "pos"],
      rows: [["ABL1", o.group ? ["ABL1", "ABL1"] : "ABL1", 1]],
      stats: { rows: 3, docs, rejected: 0, skipped: 0, reject_samples: [] },
      warnings: o.group ? [] : ['the _id is not unique: "ABL1" and others appear in several rows'],
    },
  };
}

function type(input: HTMLInputElement, value: string) {
  act(() => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

function labelled(root: HTMLElement, text: string): HTMLInputElement {
  const label = Array.from(root.querySelectorAll("label")).find((l) => l.textContent?.trim() === text);
  const el = label ? (root.querySelector(`#${CSS.escape(label.htmlFor)}`) as HTMLInputElement | null) : null;
  if (!el) throw new Error(`no field labelled ${text}`);
  return el;
}

const pause = () => act(() => new Promise((r) => setTimeout(r, 350)));

describe("the page New plugin from a file", () => {
  afterEach(() => {
    unmountAll();
    vi.unstubAllGlobals();
  });

  it("previews the URL, then each change, and saves", async () => {
    const calls = hubFetch((c: Call) => {
      if (c.url === "/dataplugin/new/preview") {
        const o = (c.body as { options?: GenOptions }).options ?? options;
        return { result: planOf(o, o.group ? 2 : 3) };
      }
      if (c.url === "/dataplugin/new") return { result: { name: "genes", written: { dir: "/d/genes", commit: "0123456789abcdef", changed: true }, dump: { id: "dump/genes", run_id: "r" } } };
      return { result: { name: "genes", download: { status: "success" }, upload: { jobs: { genes: { status: "success", count: 2 } } } } };
    });
    const root = mount(<NewPluginPage />);
    type(labelled(root, "Data file URL"), "http://lab/genes.tsv");
    act(() => {
      root.querySelector("form")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    });
    await settle();
    expect(calls[0]).toEqual({ method: "POST", url: "/dataplugin/new/preview", body: { url: "http://lab/genes.tsv", fresh: true } });
    expect(byTestId(root, "preview-stats")?.textContent).toContain("3 documents");
    expect(root.textContent).toContain("the _id is not unique");
    expect(root.querySelectorAll("table.fields tbody tr").length).toBe(2);

    click(Array.from(root.querySelectorAll("label")).find((l) => l.textContent === "Group rows with the same _id"));
    await pause();
    await settle();
    const last = calls[calls.length - 1];
    expect(last.url).toBe("/dataplugin/new/preview");
    expect((last.body as { options: GenOptions }).options.group).toBe(true);
    expect(byTestId(root, "preview-stats")?.textContent).toContain("2 documents");
    expect(root.querySelector('[data-testid="preview-table"] tbody td:nth-child(2)')?.textContent).toBe('["ABL1","ABL1"]');

    click(button(root, "Save and upload"));
    await settle();
    const save = calls.find((c) => c.url === "/dataplugin/new");
    expect((save?.body as { options: GenOptions }).options.group).toBe(true);
    expect(byTestId(root, "gen-progress")?.textContent).toContain("2 documents");
    expect(root.querySelector('a[href="/sources/genes"]')?.textContent).toBe("Open the source genes");
  });

  it("shows the hub's error naming the option, and blocks saving", async () => {
    hubFetch((c: Call) => {
      const o = (c.body as { options?: GenOptions }).options;
      if (o && o.id === "{nope}") return { status: 400, error: 'options: id: column "nope" is not in the file (columns: gene, pos)' };
      return { result: planOf(o ?? options, 3) };
    });
    const root = mount(<NewPluginPage />);
    type(labelled(root, "Data file URL"), "http://lab/genes.tsv");
    act(() => {
      root.querySelector("form")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    });
    await settle();
    type(labelled(root, "_id template"), "{nope}");
    await pause();
    await settle();
    expect(root.querySelector("[role=alert]")?.textContent).toContain('id: column "nope" is not in the file');
    expect(button(root, "Save and upload").disabled).toBe(true);
  });
});
