import { render } from "preact";
import { useState } from "preact/hooks";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { mount, unmountAll } from "../test/render";
import { Dialog } from "./Dialog";

// A page whose content above the dialog changes while the dialog is open,
// as a build page does when a workflow event reloads its releases.
let setItems: (n: number) => void = () => {};
function Page() {
  const [items, set] = useState(0);
  setItems = set;
  const [value, setValue] = useState("");
  return (
    <div>
      {items > 0 && <p>notice</p>}
      <ul>
        {Array.from({ length: items }, (_, i) => (
          <li key={i}>release {i}</li>
        ))}
      </ul>
      {items > 1 && <pre>note</pre>}
      <Dialog title="New release" onClose={() => {}}>
        <input type="radio" aria-label="Full" />
        <input aria-label="Index name" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      </Dialog>
    </div>
  );
}

const field = () => document.querySelector<HTMLInputElement>('[aria-label="Index name"]')!;
const radio = () => document.querySelector<HTMLInputElement>('[aria-label="Full"]')!;

describe("Dialog", () => {
  afterEach(unmountAll);

  it("takes the focus as it appears, before anyone can type into it", () => {
    const root = document.createElement("div");
    document.body.appendChild(root);
    // No act(): only what runs in the same task as the render counts.
    render(<Page />, root);
    expect(document.activeElement).toBe(radio());
    // A user (or a test) moves to the field and types; a later effect must
    // not pull the focus back to the first control.
    field().focus();
    return new Promise<void>((done) =>
      setTimeout(() => {
        expect(document.activeElement).toBe(field());
        done();
      }, 60),
    );
  });

  it("keeps its node in place and the focus in its field when the page around it re-renders", () => {
    mount(<Page />);
    field().focus();
    const input = field();
    const backdrop = input.closest(".backdrop")!;
    const moved: string[] = [];
    const check = (records: MutationRecord[]) => {
      for (const r of records)
        for (const n of Array.from(r.removedNodes)) if (n === backdrop || n === input || (n as Element).contains?.(input)) moved.push(`removed from ${r.target.nodeName}`);
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, { childList: true, subtree: true });
    // Something else (a toast, another popover) lands in the body after the dialog.
    document.body.appendChild(document.createElement("div"));
    for (const n of [1, 2, 3, 0, 2]) {
      act(() => setItems(n));
      check(obs.takeRecords());
    }
    obs.disconnect();
    expect(moved).toEqual([]);
    expect(document.activeElement).toBe(input);
  });
});
