import { afterEach, describe, expect, it, vi } from "vitest";
import { byTestId, button, click, hubFetch, mount, settle, unmountAll, type Call } from "../test/render";
import { MappingEditor } from "./MappingEditor";

const inspected = () => ({
  cgi: {
    properties: {
      gene: { type: "keyword", normalizer: "keyword_lowercase_normalizer" },
      drug: { type: "text", copy_to: ["all"] },
      evidence: { type: "text", index: false },
    },
  },
});

function hub(overrides: (c: Call) => { status?: number; result?: unknown; error?: string } | undefined = () => undefined) {
  return hubFetch((c) => {
    const o = overrides(c);
    if (o) return o;
    if (c.method === "GET" && c.url === "/source/cgi/mapping") return { result: { inspect: inspected(), registered: null } };
    if (c.method === "PUT" && c.url === "/source/cgi/mapping") return { result: { saved: "cgi" } };
    if (c.method === "POST" && c.url === "/mapping/validate") return { result: { valid: true } };
    return { status: 404, error: `no route ${c.method} ${c.url}` };
  });
}

function checkbox(root: HTMLElement, label: string): HTMLInputElement {
  const el = root.querySelector<HTMLInputElement>(`input[aria-label="${label}"]`);
  if (!el) throw new Error(`no checkbox ${label}`);
  return el;
}

describe("MappingEditor", () => {
  afterEach(() => {
    unmountAll();
    vi.unstubAllGlobals();
  });

  it("lists fields with their flags from the inspected mapping", async () => {
    hub();
    const root = mount(<MappingEditor sub="cgi" />);
    await settle();
    const rows = Array.from(root.querySelectorAll("tr[data-field]")).map((r) => r.getAttribute("data-field"));
    expect(rows).toEqual(["cgi.drug", "cgi.evidence", "cgi.gene"]);
    expect(checkbox(root, "Search by default cgi.drug").checked).toBe(true);
    expect(checkbox(root, "Search by default cgi.gene").checked).toBe(false);
    expect(checkbox(root, "Searchable cgi.evidence").checked).toBe(false);
    expect(checkbox(root, "Searchable cgi.gene").checked).toBe(true);
    expect(byTestId(root, "mapping-edited")).toBeNull();
  });

  it("marks a toggled field edited, saves the edited mapping and clears the mark", async () => {
    const calls = hub();
    const root = mount(<MappingEditor sub="cgi" />);
    await settle();
    click(checkbox(root, "Search by default cgi.gene"));
    click(checkbox(root, "Searchable cgi.drug"));
    expect(byTestId(root, "mapping-edited")?.textContent).toBe("edited");

    click(button(root, "Save"));
    await settle();
    const save = calls.filter((c) => c.method === "PUT" && c.url === "/source/cgi/mapping");
    expect(save).toHaveLength(1);
    const want = inspected();
    (want.cgi.properties.gene as Record<string, unknown>).copy_to = ["all"];
    (want.cgi.properties.drug as Record<string, unknown>).index = false;
    expect(save[0].body).toEqual({ mapping: want, dest: "inspect" });
    expect(byTestId(root, "mapping-edited")).toBeNull();
    expect(byTestId(root, "mapping-message")?.textContent).toMatch(/saved/i);
  });

  it("turning a flag back off removes it from the mapping", async () => {
    const calls = hub();
    const root = mount(<MappingEditor sub="cgi" />);
    await settle();
    click(checkbox(root, "Search by default cgi.drug"));
    click(checkbox(root, "Searchable cgi.evidence"));
    click(button(root, "Save"));
    await settle();
    const body = calls.find((c) => c.method === "PUT")!.body as { mapping: ReturnType<typeof inspected> };
    expect(body.mapping.cgi.properties.drug).toEqual({ type: "text" });
    expect(body.mapping.cgi.properties.evidence).toEqual({ type: "text" });
  });

  it("shows the hub's message when validation fails, and the success otherwise", async () => {
    let valid = false;
    const calls = hub((c) =>
      c.url === "/mapping/validate" && !valid
        ? { status: 400, error: 'invalid mapping: bleve: cgi.gene: type "nonsense" is not supported' }
        : undefined,
    );
    const root = mount(<MappingEditor sub="cgi" />);
    await settle();
    click(button(root, "Validate"));
    await settle();
    const msg = byTestId(root, "mapping-message")!;
    expect(msg.textContent).toBe('invalid mapping: bleve: cgi.gene: type "nonsense" is not supported');
    expect(msg.getAttribute("role")).toBe("alert");
    expect(calls.find((c) => c.url === "/mapping/validate")?.body).toEqual({ mapping: inspected() });

    valid = true;
    click(button(root, "Validate"));
    await settle();
    expect(byTestId(root, "mapping-message")!.textContent).toMatch(/^Valid/);
  });

  it("keeps the edited mark and shows the error when Save fails", async () => {
    hub((c) => (c.method === "PUT" ? { status: 500, error: "hub database is locked" } : undefined));
    const root = mount(<MappingEditor sub="cgi" />);
    await settle();
    click(checkbox(root, "Searchable cgi.gene"));
    click(button(root, "Save"));
    await settle();
    expect(byTestId(root, "mapping-message")!.textContent).toBe("hub database is locked");
    expect(byTestId(root, "mapping-edited")?.textContent).toBe("edited");
  });

  it("commits the edited mapping as the registered one after saving it", async () => {
    const calls = hub();
    const root = mount(<MappingEditor sub="cgi" />);
    await settle();
    click(checkbox(root, "Search by default cgi.gene"));
    click(button(root, "Commit"));
    await settle();
    const puts = calls.filter((c) => c.method === "PUT").map((c) => (c.body as { dest: string }).dest);
    expect(puts).toEqual(["inspect", "master"]);
    expect(byTestId(root, "mapping-edited")).toBeNull();
    expect(byTestId(root, "mapping-message")!.textContent).toMatch(/committed/i);
  });

  it("offers to inspect a source that has no inspected mapping", async () => {
    hub((c) => (c.method === "GET" ? { result: { inspect: null, registered: null } } : undefined));
    const root = mount(<MappingEditor sub="cgi" />);
    await settle();
    expect(root.querySelector("tr[data-field]")).toBeNull();
    expect(button(root, "Inspect")).toBeTruthy();
  });
});
