// Tabs: a tablist whose tabs switch one panel; arrow keys, Home and End
// move between tabs as the ARIA practice describes.

import type { ComponentChildren } from "preact";
import { useId, useRef } from "preact/hooks";

export interface TabsProps {
  tabs: string[];
  current: string;
  onChange: (tab: string) => void;
  label: string;
  children: ComponentChildren;
}

export function Tabs({ tabs, current, onChange, label, children }: TabsProps) {
  const base = useId();
  const list = useRef<HTMLDivElement>(null);
  const id = (t: string) => `${base}-${t.replace(/\W+/g, "-")}`;

  const onKeyDown = (e: KeyboardEvent) => {
    const i = tabs.indexOf(current);
    let next = -1;
    if (e.key === "ArrowRight") next = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    onChange(tabs[next]);
    list.current?.querySelectorAll<HTMLElement>('[role="tab"]')[next]?.focus();
  };

  return (
    <div class="tabs">
      <div role="tablist" aria-label={label} ref={list} onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            type="button"
            role="tab"
            id={`${id(t)}-tab`}
            aria-selected={t === current ? "true" : "false"}
            aria-controls={`${id(t)}-panel`}
            tabIndex={t === current ? 0 : -1}
            onClick={() => onChange(t)}
          >
            {t}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id(current)}-panel`} aria-labelledby={`${id(current)}-tab`} class="tabpanel">
        {children}
      </div>
    </div>
  );
}
