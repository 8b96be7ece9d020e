// Dialog: an accessible dialog named by its title. It takes focus when it
// opens, keeps Tab inside, closes on Escape, and gives focus back to what
// had it. A modal dialog hides the rest of the app from assistive
// technology (and from clicks) while it is open.

import type { ComponentChildren } from "preact";
import { createPortal } from "preact/compat";
import { useId, useLayoutEffect, useRef } from "preact/hooks";

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

// The control that opened a dialog gets the focus back when it closes. Some
// browsers do not focus a button on click, so the last clicked control
// stands in for the focused one.
let lastClicked: HTMLElement | null = null;
if (typeof document !== "undefined") {
  document.addEventListener(
    "click",
    (e) => {
      lastClicked = (e.target as Element | null)?.closest?.<HTMLElement>("button, a[href], [role=button], input") ?? null;
    },
    true,
  );
}

function opener(): HTMLElement | null {
  const active = document.activeElement as HTMLElement | null;
  if (active && active !== document.body) return active;
  return lastClicked;
}

let modalCount = 0;
function setAppInert(on: boolean): void {
  const root = document.getElementById("app-main");
  if (!root) return;
  if (on) {
    root.setAttribute("inert", "");
    root.setAttribute("aria-hidden", "true");
  } else {
    root.removeAttribute("inert");
    root.removeAttribute("aria-hidden");
  }
}

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  modal?: boolean;
  class?: string;
}

export function Dialog({ title, onClose, children, modal = true, class: cls }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  // A layout effect, not a passive one: the dialog takes the focus in the
  // same task that puts it on screen, so a later frame cannot pull the focus
  // back to its first control while someone is already typing elsewhere.
  useLayoutEffect(() => {
    const before = opener();
    const el = ref.current!;
    // The first field of the body, else the first control (Close), else the dialog.
    const body = el.querySelector<HTMLElement>(".dialog-body");
    const first = body?.querySelector<HTMLElement>(FOCUSABLE) ?? el.querySelector<HTMLElement>(FOCUSABLE) ?? el;
    first.focus();
    if (modal && modalCount++ === 0) setAppInert(true);
    const outside = (e: MouseEvent) => {
      if (!modal && !el.contains(e.target as Node) && !(e.target as Element)?.closest?.("[data-dialog-opener]")) closeRef.current();
    };
    if (!modal) document.addEventListener("mousedown", outside);
    return () => {
      if (!modal) document.removeEventListener("mousedown", outside);
      if (modal && --modalCount === 0) setAppInert(false);
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      closeRef.current();
      return;
    }
    if (e.key !== "Tab") return;
    const items = Array.from(ref.current!.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  const box = (
    <div
      ref={ref}
      role="dialog"
      aria-modal={modal ? "true" : undefined}
      aria-labelledby={titleId}
      tabIndex={-1}
      class={`dialog ${modal ? "dialog-modal" : "dialog-popover"} ${cls ?? ""}`}
      onKeyDown={onKeyDown}
    >
      <div class="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="icon" aria-label="Close" onClick={() => closeRef.current()}>
          ×
        </button>
      </div>
      <div class="dialog-body">{children}</div>
    </div>
  );
  if (!modal) return box;
  return createPortal(
    <div class="backdrop" onMouseDown={(e) => e.target === e.currentTarget && closeRef.current()}>
      {box}
    </div>,
    document.body,
  );
}
